#pragma once
// Temporary directories that clean up after themselves, and where the built binary is.
#include <filesystem>
#include <string>
#include <vector>

namespace rtpof::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::filesystem::path rtpof_binary();
// The repository's root (the sources the tests were built from).
std::filesystem::path source_dir();
// tests/realdata: unedited exports of Pinnacle, RayStation and a commercial system (its README says
// where each comes from and what it exercises).
std::filesystem::path realdata_dir();
std::string read_text(const std::filesystem::path& file);
// The lines of `text` that start with `prefix` (validators' "Error" lines, for instance).
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix);

}  // namespace rtpof::testing
