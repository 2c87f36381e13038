#pragma once
// Whether a TCP port is bound and listening in this network namespace (IPv4 or IPv6), read from
// /proc/self/net (which systemd's ProcSubset=pid leaves visible); nullopt where it cannot be read. DCMTK's
// pool binds its port inside listen(), with no callback; the node waits for this before it tells
// systemd and the log that it listens, so READY=1 never precedes the bind.
#include <cstdint>
#include <optional>

namespace rtpof::scp {

std::optional<bool> port_is_listening(std::uint16_t port);

}  // namespace rtpof::scp
