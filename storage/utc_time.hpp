#pragma once
// The one timestamp format of the index and the logs: UTC, ISO 8601, milliseconds ("2026-11-26T10:00:00.000Z").
#include <chrono>
#include <optional>
#include <string>

namespace rtpof::storage {

std::string utc_iso8601(std::chrono::system_clock::time_point when = std::chrono::system_clock::now());

// The reverse, for the index's own timestamps; nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_utc_iso8601(const std::string& text);

}  // namespace rtpof::storage
