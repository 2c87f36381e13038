#include "tests/support/phantom_cases.hpp"

#include <algorithm>

#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {

void PrintTo(const PhantomCase& c, std::ostream* out) {
  *out << c.name;
  for (const std::string& flag : c.flags) *out << " " << flag;
}

std::string phantom_case_test_name(const ::testing::TestParamInfo<PhantomCase>& info) {
  const auto& flags = info.param.flags;
  std::string name = info.param.name;
  if (std::find(flags.begin(), flags.end(), "--reg") == flags.end()) name += "_auto_registration";
  if (std::find(flags.begin(), flags.end(), "--seg") != flags.end()) name += "_seg";
  if (std::find(flags.begin(), flags.end(), "--ct-origin") != flags.end()) name += "_on_the_couch";
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

void write_phantom_case(const PhantomCase& c, const std::filesystem::path& out) {
  std::vector<std::string> argv = {rtpof_binary().string(), "phantom", "--out", out.string(), "--case", c.name};
  argv.insert(argv.end(), c.flags.begin(), c.flags.end());
  const RunResult result = run(argv);
  ASSERT_EQ(result.exit_code, 0) << result.output;
}

}  // namespace rtpof::testing
