#include "tests/support/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "tests/support/test_paths.hpp"

namespace rtpof::testing {

pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& output) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::setenv("TCP_NODELAY", "1", 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1000;  // timed out
}

RunResult run(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  TempDir dir;
  const auto output = dir / "output.txt";
  const pid_t pid = spawn_process(argv, output);
  RunResult result;
  result.exit_code = wait_for_exit(pid, timeout);
  result.output = read_text(output);
  return result;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

namespace {

// echoscu against 127.0.0.1:port with extra flags (TLS), bounded in time.
bool echo_at(int port, const std::string& called_ae, const std::string& calling_ae,
             const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {"echoscu", "-to", "5", "-aec", called_ae, "-aet", calling_ae};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), {"127.0.0.1", std::to_string(port)});
  return run(argv, std::chrono::seconds(20)).exit_code == 0;
}

}  // namespace

NodeProcess::NodeProcess(std::vector<std::string> serve_args, std::filesystem::path log_file, int port)
    : log_file_(std::move(log_file)), port_(port) {
  std::vector<std::string> argv = {rtpof_binary().string(), "serve", "--port", std::to_string(port)};
  argv.insert(argv.end(), serve_args.begin(), serve_args.end());
  pid_ = spawn_process(argv, log_file_);
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) stop();
}

bool NodeProcess::echo(const std::string& called_ae, const std::string& calling_ae) const {
  return echo_at(port_, called_ae, calling_ae, {});
}

bool NodeProcess::wait_until_ready(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;  // the node exited
    }
    if (log().find("listening:") != std::string::npos && echo()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int NodeProcess::stop(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int code = wait_for_exit(pid_, timeout);
  pid_ = -1;
  return code;
}

void NodeProcess::send_signal(int signal_number) {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

void NodeProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string NodeProcess::log() const { return read_text(log_file_); }

StorescpProcess::StorescpProcess(std::string ae_title, int port, std::filesystem::path out_dir,
                                 std::filesystem::path log_file, const std::vector<std::string>& extra,
                                 std::vector<std::string> echo_flags)
    : ae_title_(std::move(ae_title)), port_(port), out_dir_(std::move(out_dir)), echo_flags_(std::move(echo_flags)) {
  std::filesystem::create_directories(out_dir_);
  std::vector<std::string> argv = {"storescp", "-aet", ae_title_, "-od", out_dir_.string(), "-uf"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(std::to_string(port_));
  pid_ = spawn_process(argv, log_file);
}

StorescpProcess::~StorescpProcess() { stop(); }

void StorescpProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  wait_for_exit(pid_, std::chrono::seconds(10));
  pid_ = -1;
}

bool StorescpProcess::wait_until_ready(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (echo_at(port_, ae_title_, "ECHOSCU", echo_flags_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::vector<std::filesystem::path> StorescpProcess::received() const {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(out_dir_))
    if (entry.is_regular_file()) files.push_back(entry.path());
  return files;
}

}  // namespace rtpof::testing
