#include "tests/support/test_paths.hpp"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rtpof::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "rtpof-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path rtpof_binary() { return RTPOF_BINARY; }

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> found;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) found.push_back(line);
  return found;
}

std::filesystem::path source_dir() { return std::filesystem::path(RTPOF_SOURCE_DIR); }
std::filesystem::path realdata_dir() { return source_dir() / "tests" / "realdata"; }

}  // namespace rtpof::testing
