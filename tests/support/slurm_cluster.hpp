#pragma once
// A real one-node Slurm cluster for a test (Debian's slurm-wlm and munge, as root, on this host): munged
// on a socket of its own, slurmctld and slurmd on free ports, all state in a scratch folder. Stopped on
// destruction.
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {

class SlurmCluster {
 public:
  // Throws std::runtime_error saying what did not start (with its log).
  SlurmCluster();
  ~SlurmCluster();
  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;

  // A Slurm client command (sbatch, squeue…) against this cluster.
  RunResult client(std::vector<std::string> argv, std::chrono::seconds timeout = std::chrono::seconds(120)) const;
  std::string logs() const;  // slurmctld's and slurmd's logs, for a failure message
  // A folder Slurm's jobs (run as root) and munge can read: the test's work goes here.
  std::filesystem::path work() const { return root_.path() / "work"; }

 private:
  TempDir root_;
  std::filesystem::path conf_;
};

}  // namespace rtpof::testing
