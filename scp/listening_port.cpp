#include "scp/listening_port.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace rtpof::scp {
namespace {

// Lines of /proc/net/tcp{,6}: "sl local_address rem_address st ...", the address as HEX_IP:HEX_PORT and
// the state 0A for LISTEN.
std::optional<bool> listed_as_listening(const char* table, std::uint16_t port) {
  std::ifstream in(table);
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    if (!(fields >> slot >> local >> remote >> state)) continue;
    const auto colon = local.rfind(':');
    if (colon == std::string::npos || state != "0A") continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) return true;
  }
  return false;
}

}  // namespace

std::optional<bool> port_is_listening(std::uint16_t port) {
  const auto v4 = listed_as_listening("/proc/self/net/tcp", port);
  const auto v6 = listed_as_listening("/proc/self/net/tcp6", port);  // absent where IPv6 is off
  if (!v4 && !v6) return std::nullopt;
  return v4.value_or(false) || v6.value_or(false);
}

}  // namespace rtpof::scp
