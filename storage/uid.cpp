#include "storage/uid.hpp"

namespace rtpof::storage {

bool is_valid_uid(std::string_view uid) noexcept {
  if (uid.empty() || uid.size() > 64) return false;
  std::size_t component_start = 0;
  for (std::size_t i = 0; i <= uid.size(); ++i) {
    if (i == uid.size() || uid[i] == '.') {
      const std::size_t length = i - component_start;
      if (length == 0) return false;
      if (length > 1 && uid[component_start] == '0') return false;
      component_start = i + 1;
      continue;
    }
    if (uid[i] < '0' || uid[i] > '9') return false;
  }
  return true;
}

}  // namespace rtpof::storage
