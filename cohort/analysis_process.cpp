#include "cohort/analysis_process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace rtpof::cohort {
namespace {

// The analysis' reason for failing, as it printed it: from its last line that starts "rtpof analyze: "
// and is no progress line ("rtpof analyze:   1.2 s  stage"), with the lines that follow (an incomplete
// case lists what is missing below), joined into one line; else its last line.
std::string failure_reason(const std::filesystem::path& log_file) {
  std::ifstream in(log_file);
  static const std::regex progress_line(R"(^rtpof analyze: +[0-9.]+ s  .*)");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  std::size_t from = lines.size();
  for (std::size_t i = lines.size(); i-- > 0;)
    if (lines[i].rfind("rtpof", 0) == 0 && !std::regex_match(lines[i], progress_line)) {
      from = i;
      break;
    }
  if (from == lines.size()) return lines.empty() ? std::string() : lines.back();
  std::string reason;
  for (std::size_t i = from; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (i == from)
      for (const char* prefix : {"rtpof analyze: configuration: ", "rtpof analyze: ", "rtpof: "})
        if (line.rfind(prefix, 0) == 0) {
          line = line.substr(std::strlen(prefix));
          break;
        }
    line = line.substr(line.find_first_not_of(" \t"));
    if (line.rfind("- ", 0) == 0) line = line.substr(2);  // a list item of what is missing
    if (!reason.empty()) reason += reason.back() == ':' ? " " : "; ";
    reason += line;
  }
  return reason;
}

// The parent's environment with the thread counts for one analysis among several running at once.
std::vector<std::string> environment_for(unsigned threads) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    if (threads && (entry.rfind("RTPOF_THREADS=", 0) == 0 || entry.rfind("ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS=", 0) == 0))
      continue;
    env.push_back(entry);
  }
  if (threads) {
    env.push_back("RTPOF_THREADS=" + std::to_string(threads));
    env.push_back("ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS=" + std::to_string(threads));
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

}  // namespace

AnalysisRun run_analysis(const AnalysisCommand& command, const std::string& folder,
                         const std::filesystem::path& json_file, const std::filesystem::path& log_file) {
  std::vector<std::string> args = {command.executable.string(), "analyze", folder, "--json", json_file.string()};
  args.insert(args.end(), command.extra_args.begin(), command.extra_args.end());
  std::vector<std::string> env = environment_for(command.threads);
  std::vector<char*> argv = pointers(args), envp = pointers(env);

  FileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), STDERR_FILENO, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::filesystem::remove(json_file);
  const auto started = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (const int error = posix_spawn(&pid, argv[0], actions.get(), nullptr, argv.data(), envp.data()))
    throw std::runtime_error("cannot start " + command.executable.string() + ": " + std::strerror(error));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  AnalysisRun run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (WIFSIGNALED(status)) {
    run.reason = "the analysis ended on signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) +
                 "); its log is " + log_file.string();
    return run;
  }
  const int code = WEXITSTATUS(status);
  if (code != 0) {
    run.reason = failure_reason(log_file);
    if (run.reason.empty()) run.reason = "the analysis exited with status " + std::to_string(code);
    run.deterministic_failure = code == 1;
    return run;
  }
  std::ifstream in(json_file);
  try {
    run.analysis = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    run.reason = "the analysis wrote no readable JSON (" + json_file.string() + "): " + e.what();
  }
  std::filesystem::remove(json_file);
  return run;
}

}  // namespace rtpof::cohort
