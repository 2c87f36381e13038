#pragma once
// When a report that could not be delivered is tried again, and when rtpof stops trying: exponential
// backoff with a cap, and a give-up time counted from the first attempt, so a destination that is down
// for a weekend still gets its reports, and one that is gone for good ends as a dead letter.
namespace rtpof::rules {

struct NodeConfig;

struct RetryPolicy {
  double base_s = 10;
  double factor = 2;
  double cap_s = 600;
  double give_up_after_s = 72 * 3600.0;
};

RetryPolicy retry_policy_from(const NodeConfig& config);

// The wait after the `failed_attempts`-th failed attempt (1 for the first): base * factor^(n-1), capped.
double retry_delay_s(const RetryPolicy& policy, int failed_attempts);

// True once retrying would go past the give-up time.
bool gives_up(const RetryPolicy& policy, double seconds_since_first_attempt);

}  // namespace rtpof::rules
