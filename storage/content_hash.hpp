#pragma once
#include <filesystem>
#include <string>

namespace rtpof::storage {

// SHA-256 (hex) of a Part 10 file's dataset, i.e. everything after the file meta header, so that the
// same instance sent again by another AE (whose meta header names a different source) hashes the same.
std::string dataset_sha256(const std::filesystem::path& part10_file);

}  // namespace rtpof::storage
