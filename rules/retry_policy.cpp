#include "rules/retry_policy.hpp"

#include <algorithm>
#include <cmath>

#include "rules/node_config.hpp"

namespace rtpof::rules {

RetryPolicy retry_policy_from(const NodeConfig& config) {
  return {config.retry_base_s, config.retry_factor, config.retry_cap_s, config.give_up_after_h * 3600.0};
}

double retry_delay_s(const RetryPolicy& policy, int failed_attempts) {
  // Past 64 doublings the cap has long been reached; the exponent stays small so pow cannot overflow.
  const int exponent = std::clamp(failed_attempts - 1, 0, 64);
  return std::min(policy.cap_s, policy.base_s * std::pow(policy.factor, exponent));
}

bool gives_up(const RetryPolicy& policy, double seconds_since_first_attempt) {
  return seconds_since_first_attempt >= policy.give_up_after_s;
}

}  // namespace rtpof::rules
