#pragma once
// The operator's hooks ([hooks] in the rules): a command run after each job (on_job_done) and for each
// report given up on (on_dead_letter), as storescp users know --exec-on-eostudy. Each runs as its argv,
// without a shell, with a small environment of its own (PATH, LANG and the RTPOF_* variables, never a
// patient identifier: the pseudonym), in a process group of its own that is killed at timeout_s. Hooks
// run one at a time on a thread of their own, so a slow hook delays no job and no delivery; their
// output's first line and their failures are logged.
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace spdlog {
class logger;
}
namespace rtpof::jobs {
struct FinishedJob;
}
namespace rtpof::delivery {
struct DeadLetter;
}

namespace rtpof::app {

class HookRunner {
 public:
  explicit HookRunner(std::shared_ptr<spdlog::logger> log);
  ~HookRunner();  // the running hook finishes (within its time limit); queued ones are dropped, and counted
  HookRunner(const HookRunner&) = delete;
  HookRunner& operator=(const HookRunner&) = delete;

  // Thread-safe; applies to hooks queued from now on (SIGHUP).
  void set_commands(std::vector<std::string> on_job_done, std::vector<std::string> on_dead_letter, unsigned timeout_s);
  void job_finished(const jobs::FinishedJob& job);        // thread-safe
  void dead_letter(const delivery::DeadLetter& letter);  // thread-safe

 private:
  struct Run {
    std::string hook, about;  // "on_job_done", "job 12"
    std::vector<std::string> argv, env;
    unsigned timeout_s = 30;
  };
  void queue(Run run);
  void work();
  void execute(const Run& run);

  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::string> on_job_done_, on_dead_letter_;
  unsigned timeout_s_ = 30;
  std::deque<Run> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace rtpof::app
