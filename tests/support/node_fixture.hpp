#pragma once
// Shared set-up for end-to-end tests: a phantom patient on disk, a data directory, a running node.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "phantom/phantom_writer.hpp"
#include "storage/index.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {

// Every phantom patient of these tests is named CANARY^PHI with a CANARYID patient ID; after each test
// the node's log must not contain either at info level or above (issue 9: no PHI in operators' logs).
class NodeFixture : public ::testing::Test {
 protected:
  void TearDown() override;

  // Writes a phantom planning case below source_/<name>.
  phantom::PlanningFiles make_phantom(const phantom::PhantomSpec& spec, const std::string& name = "case");

  // Starts `rtpof serve` on a free port with the data dir below data_; extra flags appended.
  void start_node(std::vector<std::string> extra = {});
  std::filesystem::path write_config(const std::string& toml);

  // storescu over one association: all files in `dir` (scanned), as `calling_ae`, to the node's port
  // or to `port` (its TLS port, say).
  RunResult storescu(const std::filesystem::path& dir, const std::string& calling_ae = "STORESCU",
                     const std::vector<std::string>& extra = {}, int port = 0);

  // SOP Instance UID -> dataset SHA-256 of every .dcm file in the store.
  std::map<std::string, std::string> stored_datasets() const;
  std::size_t count_files(const std::filesystem::path& dir) const;

  std::filesystem::path data_dir() const { return data_.path() / "node"; }

  // A small phantom patient (reduced slices: quick to send and analyse), all its files.
  phantom::PhantomFiles patient(const std::string& case_name, bool reg, std::uint64_t seed);
  static std::vector<std::filesystem::path> patient_files(const phantom::PhantomFiles& p);
  // Sends files over one association from a folder of hard links; fails the test when storescu does.
  void send(const std::vector<std::filesystem::path>& files, const std::string& name);
  std::vector<storage::JobRow> jobs();
  // Polls the index until `n` jobs are done (or any failed); false after `timeout`.
  bool wait_for_done(std::size_t n, std::chrono::seconds timeout = std::chrono::seconds(90));

  TempDir source_;
  TempDir data_;
  std::unique_ptr<NodeProcess> node_;
};

// Splits files round-robin into `n` folders below `root` (hard links), for parallel storescu runs.
std::vector<std::filesystem::path> split_into(const std::vector<std::filesystem::path>& files,
                                              const std::filesystem::path& root, int n);

}  // namespace rtpof::testing
