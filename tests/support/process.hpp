#pragma once
// Real child processes for end-to-end tests: the node itself and DCMTK's command-line peers.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace rtpof::testing {

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a command to completion (bounded by `timeout`); the environment gets TCP_NODELAY=1.
RunResult run(const std::vector<std::string>& argv, std::chrono::seconds timeout = std::chrono::seconds(120));

// A command in the background, its standard output and error appended to `output`; and waiting for it
// (its exit code, -signal, or -1000 after `timeout`, when it is killed).
pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& output);
int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

// A port on 127.0.0.1 that was free a moment ago.
int free_port();

// `rtpof serve` in the background, its log in a file. Stopped with SIGTERM on destruction.
class NodeProcess {
 public:
  NodeProcess(std::vector<std::string> serve_args, std::filesystem::path log_file, int port);
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Polls with echoscu until the node answers; false after `timeout`.
  bool wait_until_ready(std::chrono::seconds timeout = std::chrono::seconds(20));
  // SIGTERM and wait; returns the exit code (or -signal).
  int stop(std::chrono::seconds timeout = std::chrono::seconds(40));
  void kill_hard();  // SIGKILL, as a crash would
  void send_signal(int signal_number);  // e.g. SIGHUP
  std::string log() const;
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool echo(const std::string& called_ae = "RTPOF", const std::string& calling_ae = "ECHOSCU") const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_file_;
  int port_;
};

// DCMTK's storescp in the background, as a report destination. Received files go to `out_dir` with
// unique names (-uf), so a second copy of one report shows as a second file.
class StorescpProcess {
 public:
  StorescpProcess(std::string ae_title, int port, std::filesystem::path out_dir, std::filesystem::path log_file,
                  const std::vector<std::string>& extra = {}, std::vector<std::string> echo_flags = {});
  ~StorescpProcess();  // SIGTERM
  StorescpProcess(const StorescpProcess&) = delete;
  StorescpProcess& operator=(const StorescpProcess&) = delete;

  bool wait_until_ready(std::chrono::seconds timeout = std::chrono::seconds(20));  // echoscu answers
  void stop();
  std::vector<std::filesystem::path> received() const;  // the files in out_dir

 private:
  pid_t pid_ = -1;
  std::string ae_title_;
  int port_;
  std::filesystem::path out_dir_;
  std::vector<std::string> echo_flags_;
};

}  // namespace rtpof::testing
