#include "app/hook_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstring>

#include "delivery/outbox_sender.hpp"
#include "jobs/job_runner.hpp"
#include "storage/printable.hpp"

namespace rtpof::app {
namespace {

constexpr std::size_t kMaxQueued = 64;        // past this, a hook is dropped with a warning
constexpr std::size_t kKeptOutput = 2048;     // of a hook's output, for the log line

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

}  // namespace

HookRunner::HookRunner(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)), worker_([this] { work(); }) {}

HookRunner::~HookRunner() {
  std::size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped = queue_.size();
    queue_.clear();
  }
  wake_.notify_all();
  worker_.join();
  if (dropped > 0) log_->warn("hooks: {} queued hook run(s) dropped at shutdown", dropped);
}

void HookRunner::set_commands(std::vector<std::string> on_job_done, std::vector<std::string> on_dead_letter,
                              unsigned timeout_s) {
  std::lock_guard lock(mutex_);
  on_job_done_ = std::move(on_job_done);
  on_dead_letter_ = std::move(on_dead_letter);
  timeout_s_ = timeout_s;
}

void HookRunner::job_finished(const jobs::FinishedJob& job) {
  Run run;
  {
    std::lock_guard lock(mutex_);
    if (on_job_done_.empty()) return;
    run = {"on_job_done", "job " + std::to_string(job.id), on_job_done_, {}, timeout_s_};
  }
  run.env = {"RTPOF_HOOK=on_job_done", "RTPOF_JOB=" + std::to_string(job.id), "RTPOF_PATIENT=" + job.patient,
             "RTPOF_STATE=" + job.state, "RTPOF_CLASSES=" + joined(job.classes, " "),
             "RTPOF_REPORTS=" + joined(job.report_files, "\n"),
             "RTPOF_SR=" + (job.report_files.empty() ? std::string() : job.report_files.front()),
             "RTPOF_REASON=" + job.reason};
  queue(std::move(run));
}

void HookRunner::dead_letter(const delivery::DeadLetter& letter) {
  Run run;
  {
    std::lock_guard lock(mutex_);
    if (on_dead_letter_.empty()) return;
    run = {"on_dead_letter", "outbox row " + std::to_string(letter.outbox_id), on_dead_letter_, {}, timeout_s_};
  }
  run.env = {"RTPOF_HOOK=on_dead_letter", "RTPOF_OUTBOX_ID=" + std::to_string(letter.outbox_id),
             "RTPOF_JOB=" + std::to_string(letter.job_id), "RTPOF_PATIENT=" + letter.patient,
             "RTPOF_KIND=" + letter.kind, "RTPOF_REPORT_UID=" + letter.report_uid,
             "RTPOF_DESTINATION=" + letter.destination, "RTPOF_STATUS=" + letter.status,
             "RTPOF_REPORT_FILE=" + letter.report_file.string()};
  queue(std::move(run));
}

void HookRunner::queue(Run run) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queue_.size() >= kMaxQueued) {
      log_->warn("hooks: {} for {} dropped: {} runs are already waiting (is the hook too slow?)", run.hook, run.about,
                 queue_.size());
      return;
    }
    queue_.push_back(std::move(run));
  }
  wake_.notify_one();
}

void HookRunner::work() {
  while (true) {
    Run run;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      run = std::move(queue_.front());
      queue_.pop_front();
    }
    execute(run);
  }
}

void HookRunner::execute(const Run& run) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    log_->warn("hooks: {} for {} not run: cannot make a pipe: {}", run.hook, run.about, std::strerror(errno));
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setpgroup(&attributes, 0);  // a group of its own: the time limit stops its children too
  sigset_t defaults;
  sigemptyset(&defaults);
  posix_spawnattr_setsigmask(&attributes, &defaults);
  sigset_t reset;
  sigemptyset(&reset);
  sigaddset(&reset, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &reset);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"};
  env.insert(env.end(), run.env.begin(), run.env.end());
  std::vector<char*> argv, envp;
  for (const auto& a : run.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  const auto started = std::chrono::steady_clock::now();
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    log_->warn("hooks: {} for {} not run: cannot start {}: {}", run.hook, run.about, storage::printable(run.argv[0]),
               std::strerror(spawned));
    return;
  }
  ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  std::string output;
  auto drain = [&] {
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
      if (output.size() < kKeptOutput) output.append(buffer, static_cast<std::size_t>(std::min<ssize_t>(n, 4096)));
  };
  int status = 0;
  bool timed_out = false;
  const auto deadline = started + std::chrono::seconds(run.timeout_s);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    drain();
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  drain();
  ::close(pipe_fds[0]);
  const long ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  const std::string first_line = storage::printable(output.substr(0, output.find('\n')));
  if (timed_out)
    log_->warn("hooks: {} for {} ({}) still running after hooks.timeout_s = {} s: stopped (SIGKILL to its process "
               "group)", run.hook, run.about, storage::printable(run.argv[0]), run.timeout_s);
  else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    log_->info("hooks: {} for {} ran in {} ms", run.hook, run.about, ms);
  else
    log_->warn("hooks: {} for {} ({}) failed: {} after {} ms{}", run.hook, run.about, storage::printable(run.argv[0]),
               WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                 : "signal " + std::to_string(WTERMSIG(status)),
               ms, first_line.empty() ? "" : "; it said: " + first_line);
}

}  // namespace rtpof::app
