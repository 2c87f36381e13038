#pragma once
// When a patient's data have been quiet for the stable age, decide about the case: every stored instance
// re-arms its patient's timer; when the timer fires the matcher runs over the patient's index rows; a
// complete case with new inputs becomes a job, an incomplete one gets one log line naming what is
// missing (again only when that changes). The match runs here, once per decision: the case row records
// each input's role, and the job assembles exactly those. All decisions run on the io_context's thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "rules/case_matcher.hpp"

namespace spdlog {
class logger;
}
namespace rtpof::storage {
class CaseStore;
class InstanceStore;
}

namespace rtpof::jobs {

class CaseScheduler {
 public:
  // Reads `instances` (the patient's rows), records decisions, cases and jobs in `cases`.
  CaseScheduler(boost::asio::io_context& io, storage::InstanceStore& instances, storage::CaseStore& cases,
                std::chrono::milliseconds stable_age, rules::MatchRules rules, std::shared_ptr<spdlog::logger> log,
                std::function<void()> job_created);

  // On the io_context's thread (e.g. from its SIGHUP handler): the rules of the next decisions.
  void set_rules(rules::MatchRules rules) { rules_ = std::move(rules); }

  // Thread-safe (called from association threads): re-arms the patient's timer.
  void instance_stored(const std::string& pseudonym);
  // At start-up: every patient in the index is decided once after the stable age (catching up with what
  // arrived before a restart).
  void check_all();

 private:
  void arm(const std::string& pseudonym);
  void decide(const std::string& pseudonym);

  boost::asio::io_context& io_;
  storage::InstanceStore& instances_;
  storage::CaseStore& cases_;
  std::chrono::milliseconds stable_age_;
  rules::MatchRules rules_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<void()> job_created_;
  std::map<std::string, std::unique_ptr<boost::asio::steady_timer>> timers_;
  std::map<std::string, std::string> last_waiting_;  // what the last "waiting" line said, per patient
};

}  // namespace rtpof::jobs
