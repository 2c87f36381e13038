#include "tests/support/slurm_cluster.hpp"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

namespace rtpof::testing {
namespace fs = std::filesystem;
namespace {

void stop_by_pid_file(const fs::path& pid_file) {
  std::ifstream in(pid_file);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 1) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
}

std::string short_host_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string name = host;
  return name.substr(0, name.find('.'));
}

}  // namespace

SlurmCluster::SlurmCluster() {
  if (::geteuid() != 0)
    throw std::runtime_error("the Slurm test runs slurmctld, slurmd and munged as root (as .ci/run does); run it as root");
  const fs::path r = root_.path();
  // munged runs as the munge user and checks that every folder above its socket is searchable by all.
  fs::permissions(r, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                         fs::perms::others_exec);
  for (const char* d : {"munge", "state", "spool", "work"}) fs::create_directories(r / d);
  fs::permissions(r / "work", fs::perms::all);
  const RunResult owned = run({"chown", "munge:munge", (r / "munge").string()});
  if (owned.exit_code != 0) throw std::runtime_error("chown munge: " + owned.output);
  const fs::path socket = r / "munge/munge.socket";
  const RunResult munged = run({"su", "-s", "/bin/sh", "munge", "-c",
                                "munged --socket=" + socket.string() + " --pid-file=" + (r / "munge/munged.pid").string() +
                                    " --log-file=" + (r / "munge/munged.log").string() +
                                    " --seed-file=" + (r / "munge/munged.seed").string()});
  if (munged.exit_code != 0)
    throw std::runtime_error("munged did not start: " + munged.output + read_text(r / "munge/munged.log"));

  const std::string host = short_host_name();
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  conf_ = r / "slurm.conf";
  std::ofstream(conf_) << "ClusterName=rtpoftest\nSlurmctldHost=" << host << "\nSlurmUser=root\n"
                       << "SlurmctldPort=" << free_port() << "\nSlurmdPort=" << free_port() << "\n"
                       << "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << socket.string() << "\n"
                       << "StateSaveLocation=" << (r / "state").string() << "\nSlurmdSpoolDir=" << (r / "spool").string()
                       << "\nSlurmctldPidFile=" << (r / "slurmctld.pid").string()
                       << "\nSlurmdPidFile=" << (r / "slurmd.pid").string()
                       << "\nSlurmctldLogFile=" << (r / "slurmctld.log").string()
                       << "\nSlurmdLogFile=" << (r / "slurmd.log").string()
                       << "\nProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nSchedulerType=sched/builtin\n"
                       << "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\nJobAcctGatherType=jobacct_gather/none\n"
                       << "ReturnToService=2\nNodeName=" << host << " CPUs=" << cpus << " RealMemory=2000 State=UNKNOWN\n"
                       << "PartitionName=test Nodes=" << host << " Default=YES MaxTime=INFINITE State=UP\n";
  for (const char* daemon : {"slurmctld", "slurmd"}) {
    const RunResult started = run({std::string("/usr/sbin/") + daemon, "-f", conf_.string()});
    if (started.exit_code != 0) throw std::runtime_error(std::string(daemon) + " did not start: " + started.output + logs());
  }
  for (int i = 0; i < 60; ++i) {
    const RunResult info = client({"sinfo", "-h", "-o", "%t"});
    if (info.exit_code == 0 && info.output.find("idle") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  throw std::runtime_error("the Slurm node did not become idle within 30 s: " + logs());
}

SlurmCluster::~SlurmCluster() {
  stop_by_pid_file(root_.path() / "slurmd.pid");
  stop_by_pid_file(root_.path() / "slurmctld.pid");
  stop_by_pid_file(root_.path() / "munge/munged.pid");
}

RunResult SlurmCluster::client(std::vector<std::string> argv, std::chrono::seconds timeout) const {
  argv.insert(argv.begin(), {"env", "SLURM_CONF=" + conf_.string()});
  return run(argv, timeout);
}

std::string SlurmCluster::logs() const {
  std::string text;
  for (const char* log : {"slurmctld.log", "slurmd.log"})
    if (fs::exists(root_.path() / log)) text += std::string("\n--- ") + log + "\n" + read_text(root_.path() / log);
  return text;
}

}  // namespace rtpof::testing
