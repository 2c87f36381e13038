// The recurrence on the planning CT (`rtpof analyze --rtstruct`, report/structure_set_writer): read back
// by rtpof's own loader (`rtpof dvh --images`) and by plastimatch on the planning CT, it gives the
// recurrence's volume within 5 % of the phantom's truth, and its V95 on the planning dose within 2
// percentage points of the analysis' own figure; with the case's REG and with automatic registration,
// for a 11.5 cc and a 1.4 cc recurrence, outlined as RTSTRUCT and as SEG. dciodvfy finds no error in it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "tests/support/dicom_files.hpp"
#include "tests/support/phantom_cases.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json json_of(const RunResult& result, const std::string& what) {
  if (result.exit_code != 0) throw std::runtime_error(what + " failed: " + result.output);
  // stdout and stderr arrive together: the JSON is from the line that opens an object to the one that closes it.
  const auto start = result.output.find("\n{"), end = result.output.rfind("\n}");
  if (start == std::string::npos || end == std::string::npos) throw std::runtime_error(what + ": no JSON in " + result.output);
  return json::parse(result.output.substr(start + 1, end + 2 - (start + 1)));
}

fs::path dose_file(const fs::path& plan) {
  for (const auto& entry : fs::directory_iterator(plan))
    if (entry.path().filename().string().rfind("RTDOSE", 0) == 0) return entry.path();
  throw std::runtime_error("no RTDOSE in " + plan.string());
}

// plastimatch's "stats" line of a mask: NONZERO n.
double nonzero_voxels(const fs::path& mask) {
  const RunResult stats = run({"plastimatch", "stats", mask.string()});
  const auto at = stats.output.find("NONZERO ");
  if (stats.exit_code != 0 || at == std::string::npos) throw std::runtime_error("plastimatch stats: " + stats.output);
  return std::stod(stats.output.substr(at + 8));
}

class MappedStructureSet : public ::testing::TestWithParam<PhantomCase> {};

TEST_P(MappedStructureSet, VolumeWithinFivePercentOfTruthAndV95WithinTwoPointsOfTheJob) {
  TempDir dir;
  const fs::path phantom = dir / "p";
  write_phantom_case(GetParam(), phantom);
  const json truth = json::parse(read_text(phantom / "truth.json"));
  const fs::path rtstruct = dir / "mapped.dcm";
  const json job = json_of(run({rtpof_binary().string(), "analyze", phantom.string(), "--json", "-", "--rtstruct",
                                rtstruct.string()}),
                           "rtpof analyze");
  ASSERT_TRUE(fs::exists(rtstruct));

  const RunResult checked = run({"dciodvfy", rtstruct.string()});
  EXPECT_TRUE(lines_starting(checked.output, "Error").empty()) << checked.output;

  const json dvh = json_of(run({rtpof_binary().string(), "dvh", "--rtstruct", rtstruct.string(), "--dose",
                                dose_file(phantom / "plan").string(), "--images", (phantom / "plan").string(), "--json"}),
                           "rtpof dvh");
  const double pixel = 2.0, slice = 2.5;  // the small phantom's planning CT
  const fs::path masks = dir / "masks";
  ASSERT_EQ(run({"plastimatch", "convert", "--input", rtstruct.string(), "--referenced-ct", (phantom / "plan").string(),
                 "--output-prefix", masks.string(), "--prefix-format", "nrrd"})
                .exit_code,
            0);
  for (const json& want : truth["recurrences"]) {
    const std::string name = want["roi"].get<std::string>() + "_onCT";
    const json* mine = nullptr;
    for (const json& row : dvh["rois"])
      if (row["name"] == name) mine = &row;
    ASSERT_NE(mine, nullptr) << name << " missing from " << dvh.dump();
    const json* figures = nullptr;
    for (const json& r : job["recurrences"])
      if (r["roi"] == want["roi"]) figures = &r;
    ASSERT_NE(figures, nullptr);
    const double truth_cc = want["volume_cc"], rtpof_cc = (*mine)["volume_cc"];
    const double plastimatch_cc = nonzero_voxels(masks / (name + ".nrrd")) * pixel * pixel * slice / 1000.0;
    const double job_v95 = (*figures)["v95_pct"], mapped_v95 = (*mine)["v95_pct"];
    std::cout << name << ": truth " << truth_cc << " cc, rtpof " << rtpof_cc << " cc (" << 100 * (rtpof_cc / truth_cc - 1)
              << " %), plastimatch " << plastimatch_cc << " cc (" << 100 * (plastimatch_cc / truth_cc - 1)
              << " %); V95 job " << job_v95 << " %, mapped " << mapped_v95 << " %\n";
    EXPECT_NEAR(rtpof_cc, truth_cc, 0.05 * truth_cc) << name;
    // plastimatch counts the 2 mm voxels whose centres are inside; measured within 3 % at 1.4 cc.
    EXPECT_NEAR(plastimatch_cc, truth_cc, 0.05 * truth_cc) << name;
    EXPECT_NEAR(mapped_v95, job_v95, 2.0) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(PhantomCases, MappedStructureSet,
                         ::testing::Values(PhantomCase{"marginal", {"--reg"}}, PhantomCase{"marginal", {}},
                                           PhantomCase{"small", {"--reg"}}, PhantomCase{"small", {"--reg", "--seg"}}),
                         phantom_case_test_name);

}  // namespace
}  // namespace rtpof::testing
