// rtpof as a systemd service: the unit passes `systemd-analyze verify` and rates 2.0 or better in
// `systemd-analyze security`; the node speaks sd_notify as Type=notify expects (READY once it listens,
// watchdog pings at half of WATCHDOG_USEC, STOPPING on SIGTERM), checked on a notify socket of the
// test's own, since the test machine's PID 1 is not systemd.
#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "tests/support/node_fixture.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;

// The installed unit, with ExecStart pointing at the binary under test (verify checks it exists).
fs::path unit_under_test(const fs::path& dir) {
  std::string text = read_text(fs::path(RTPOF_SOURCE_DIR) / "systemd/rtpof.service.in");
  text = std::regex_replace(text, std::regex("@RTPOF_BINARY@"), rtpof_binary().string());
  text = std::regex_replace(text, std::regex("@RTPOF_DOC_DIR@"), "/usr/share/doc/rtpof");
  const fs::path unit = dir / "rtpof.service";
  std::ofstream(unit) << text;
  return unit;
}

TEST(SystemdUnit, PassesVerifyAndRatesTwoOrBetterInSecurity) {
  TempDir dir;
  const fs::path unit = unit_under_test(dir.path());
  const RunResult verify = run({"systemd-analyze", "verify", unit.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_EQ(verify.output, "") << "verify printed warnings";
  const RunResult security = run({"systemd-analyze", "security", "--offline=true", unit.string()});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(security.output, m, std::regex(R"(Overall exposure level for rtpof\.service: ([0-9.]+))")))
      << security.output;
  const double exposure = std::stod(m[1]);
  std::cout << "systemd-analyze security: overall exposure level " << exposure << "\n";
  EXPECT_LE(exposure, 2.0) << security.output;
}

TEST(SystemdUnit, TheSysusersSnippetDeclaresTheServiceUser) {
  const std::string text = read_text(fs::path(RTPOF_SOURCE_DIR) / "systemd/rtpof.sysusers.conf");
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(^u rtpof - ")", std::regex::multiline))) << text;
  const std::string unit = read_text(fs::path(RTPOF_SOURCE_DIR) / "systemd/rtpof.service.in");
  EXPECT_NE(unit.find("User=rtpof"), std::string::npos);
}

// A Unix datagram socket bound at `path`, whose receives give up after `timeout_us`.
int bound_datagram_socket(const fs::path& path, long timeout_us) {
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("bind");
  timeval timeout{0, timeout_us};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

// A datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path), fd_(bound_datagram_socket(path, 200000)) {}
  ~NotifySocket() { ::close(fd_); }
  // Collects messages until one contains `needle`; false after `timeout`.
  bool wait_for(const std::string& needle, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer - 1, 0);
      if (n > 0) {
        received_ += std::string(buffer, static_cast<std::size_t>(n)) + "\n";
        if (received_.find(needle) != std::string::npos) return true;
      }
    }
    return false;
  }
  const std::string& received() const { return received_; }

 private:
  fs::path path_;
  int fd_ = -1;
  std::string received_;
};

class ServiceNotify : public NodeFixture {};

TEST_F(ServiceNotify, ReadyWatchdogAndStoppingReachTheNotifySocket) {
  NotifySocket socket(data_ / "notify.sock");
  ::setenv("NOTIFY_SOCKET", (data_ / "notify.sock").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "1000000", 1);  // 1 s: pings every 0.5 s
  start_node();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ASSERT_TRUE(socket.wait_for("READY=1", std::chrono::seconds(10))) << socket.received();
  EXPECT_NE(socket.received().find("STATUS=listening as RTPOF"), std::string::npos) << socket.received();
  ASSERT_TRUE(socket.wait_for("WATCHDOG=1", std::chrono::seconds(3))) << socket.received();
  // The STATUS line follows what the node holds and owes.
  EXPECT_TRUE(socket.wait_for("; 0 instances; jobs 0 pending, 0 running, 0 failed; outbox 0 pending, 0 dead",
                              std::chrono::seconds(8)))
      << socket.received();
  EXPECT_EQ(node_->stop(), 0);
  EXPECT_TRUE(socket.wait_for("STOPPING=1", std::chrono::seconds(3))) << socket.received();
}

TEST_F(ServiceNotify, NoReadyFromANodeWhosePortIsTaken) {
  start_node();  // holds the port
  NotifySocket socket(data_ / "notify.sock");
  ::setenv("NOTIFY_SOCKET", (data_ / "notify.sock").c_str(), 1);
  const RunResult second = run({rtpof_binary().string(), "serve", "--port", std::to_string(node_->port()),
                                "--data-dir", (data_ / "second").string()},
                               std::chrono::seconds(30));
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_EQ(second.exit_code, 1) << second.output;
  // systemd would take READY=1 as "serving" and start whatever depends on the node.
  EXPECT_FALSE(socket.wait_for("READY=1", std::chrono::seconds(1))) << socket.received();
  EXPECT_NE(second.output.find("another process is listening on it"), std::string::npos) << second.output;
}

// A datagram socket standing in for the journal's native socket, read all the time as journald reads
// it (a socket left unread fills after ten datagrams): each datagram kept apart.
class JournalSocket {
 public:
  explicit JournalSocket(const fs::path& path) : fd_(bound_datagram_socket(path, 100000)) {
    reader_ = std::thread([this] {
      std::vector<char> buffer(65536);
      while (!stop_) {
        const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
        if (n <= 0) continue;
        std::lock_guard lock(mutex_);
        entries_.emplace_back(buffer.data(), static_cast<std::size_t>(n));
      }
    });
  }
  ~JournalSocket() {
    stop_ = true;
    reader_.join();
    ::close(fd_);
  }
  // The first entry holding every one of `fields` (each a whole "NAME=value" line); empty after `timeout`.
  std::string wait_for(const std::vector<std::string>& fields, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        for (const std::string& entry : entries_)
          if (std::all_of(fields.begin(), fields.end(), [&](const std::string& f) {
                return ("\n" + entry).find("\n" + f + "\n") != std::string::npos;
              }))
            return entry;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
  }
  std::string all() {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const auto& e : entries_) text += e + "--\n";
    return text;
  }

 private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> entries_;
  std::thread reader_;
};

class JournalLog : public NodeFixture {};

// Run by systemd, the node's standard error is the journal's stream (JOURNAL_STREAM names its device and
// inode): each line then reaches the journal with its priority and its structured fields.
TEST_F(JournalLog, AnErrorAtPriorityThreeAndAJobLineWithItsStructuredFields) {
  JournalSocket journal(data_ / "journal.socket");
  const fs::path log = data_ / "node.log";  // the node's standard error (the fixture appends to it)
  std::ofstream(log).close();
  struct stat file {};
  ASSERT_EQ(::stat(log.c_str(), &file), 0);
  const fs::path config = write_config("[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n");
  ::setenv("JOURNAL_STREAM", (std::to_string(file.st_dev) + ":" + std::to_string(file.st_ino)).c_str(), 1);
  ::setenv("RTPOF_JOURNAL_SOCKET", (data_ / "journal.socket").c_str(), 1);
  // Not start_node(): it waits for the "listening:" line in the log file, which now goes to the journal.
  node_ = std::make_unique<NodeProcess>(
      std::vector<std::string>{"--data-dir", data_dir().string(), "--config", config.string()}, log, free_port());
  ::unsetenv("JOURNAL_STREAM");
  ::unsetenv("RTPOF_JOURNAL_SOCKET");
  ASSERT_FALSE(journal.wait_for({"RTPOF_EVENT=listening", "PRIORITY=6"}, std::chrono::seconds(20)).empty())
      << journal.all();
  ASSERT_TRUE(node_->echo()) << journal.all();

  send(patient_files(patient("marginal", true, 61)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  const std::string done = journal.wait_for({"RTPOF_EVENT=job_done", "PRIORITY=6", "SYSLOG_IDENTIFIER=rtpof"},
                                            std::chrono::seconds(10));
  ASSERT_FALSE(done.empty()) << journal.all();
  EXPECT_NE(done.find("\nRTPOF_JOB=1\n"), std::string::npos) << done;
  EXPECT_NE(done.find("\nRTPOF_CLASS=marginal\n"), std::string::npos) << done;
  EXPECT_TRUE(std::regex_search(done, std::regex("\nRTPOF_PATIENT=p[0-9a-f]{16}\n"))) << done;

  // A broken rules file on SIGHUP is an error: priority 3.
  std::ofstream(config) << "[node\n";
  node_->send_signal(SIGHUP);
  const std::string error = journal.wait_for({"PRIORITY=3", "RTPOF_EVENT=reload"}, std::chrono::seconds(10));
  ASSERT_FALSE(error.empty()) << journal.all();
  EXPECT_NE(error.find("MESSAGE=rules NOT reloaded on SIGHUP"), std::string::npos) << error;
  // Nothing went to the stream: the socket took every line.
  EXPECT_EQ(node_->log(), "");
  EXPECT_EQ(node_->stop(), 0);
}

// On the server, `rtpof status` without flags looks at what the service runs with: the installed
// configuration (here named by RTPOF_CONFIG, which stands for /etc/rtpof/rtpof.toml) and its data
// directory. A --data-dir flag still wins.
TEST(InstalledDefaults, StatusWithoutFlagsReadsTheInstalledConfiguration) {
  TempDir dir;
  const fs::path config = dir / "rtpof.toml";
  std::ofstream(config) << "[node]\naccept_any_caller = true\ndata_dir = \"" << (dir / "service-data").string() << "\"\n";
  const RunResult bare = run({"env", "RTPOF_CONFIG=" + config.string(), rtpof_binary().string(), "status"});
  EXPECT_NE(bare.output.find("no rtpof data directory at " + (dir / "service-data").string()), std::string::npos)
      << bare.output;
  const RunResult flagged = run({"env", "RTPOF_CONFIG=" + config.string(), rtpof_binary().string(), "status",
                                 "--data-dir", (dir / "other").string()});
  EXPECT_NE(flagged.output.find("no rtpof data directory at " + (dir / "other").string()), std::string::npos)
      << flagged.output;
}

// A configuration the service user cannot read says so, and as whom: a file installed root-only is the
// usual cause (issue 24). As root the test runs the command as `nobody`.
TEST(ConfigFile, AnUnreadableOneNamesThePermissionAndTheUser) {
  TempDir dir;
  const fs::path config = dir / "rtpof.toml";
  std::ofstream(config) << "[node]\nport = 11112\n";
  std::vector<std::string> argv = {rtpof_binary().string(), "status", "--config", config.string()};
  std::string user;
  if (geteuid() == 0) {
    fs::permissions(config, fs::perms::owner_read | fs::perms::owner_write);
    argv.insert(argv.begin(), {"runuser", "-u", "nobody", "--"});
    user = "nobody";
  } else {
    fs::permissions(config, fs::perms::none);
    const passwd* me = getpwuid(geteuid());
    user = me ? me->pw_name : "uid " + std::to_string(geteuid());
  }
  const RunResult r = run(argv);
  EXPECT_NE(r.exit_code, 0);
  const std::string want = "cannot open " + config.string() + ": permission denied (running as user " + user;
  EXPECT_NE(r.output.find(want), std::string::npos) << r.output;
}

}  // namespace
}  // namespace rtpof::testing
