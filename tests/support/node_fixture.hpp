#pragma once
// Shared set-up for end-to-end tests: a phantom patient on disk, a data directory, a running node.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "phantom/phantom_writer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {

class NodeFixture : public ::testing::Test {
 protected:
  // Writes a phantom planning case below source_/<name>.
  phantom::PlanningFiles make_phantom(const phantom::PhantomSpec& spec, const std::string& name = "case");

  // Starts `rtpof serve` on a free port with the data dir below data_; extra flags appended.
  void start_node(std::vector<std::string> extra = {});
  std::filesystem::path write_config(const std::string& toml);

  // storescu over one association: all files in `dir` (scanned), as `calling_ae`.
  RunResult storescu(const std::filesystem::path& dir, const std::string& calling_ae = "STORESCU",
                     const std::vector<std::string>& extra = {});

  // SOP Instance UID -> dataset SHA-256 of every .dcm file in the store.
  std::map<std::string, std::string> stored_datasets() const;
  std::size_t count_files(const std::filesystem::path& dir) const;

  std::filesystem::path data_dir() const { return data_.path() / "node"; }

  TempDir source_;
  TempDir data_;
  std::unique_ptr<NodeProcess> node_;
};

// Splits files round-robin into `n` folders below `root` (hard links), for parallel storescu runs.
std::vector<std::filesystem::path> split_into(const std::vector<std::filesystem::path>& files,
                                              const std::filesystem::path& root, int n);

}  // namespace rtpof::testing
