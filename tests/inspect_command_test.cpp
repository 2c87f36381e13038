// `rtpof inspect` as a user runs it: what the loaders read from a phantom folder, and a refusal that
// names the instance, the attribute and the problem, with exit code 1.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcdeftag.h>

#include <fstream>

#include "tests/support/dicom_files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;

// Issue 24: `rtpof COMMAND --help` prints that command's usage only, and a single-dash slip ("-p 104" for
// --port) is named as an unknown option, not taken for a folder.
TEST(CommandLine, PerCommandHelpAndASingleDashOptionIsNamedUnknown) {
  const RunResult help = run({rtpof_binary().string(), "analyze", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_NE(help.output.find("usage: rtpof analyze"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("[--reg FILE"), std::string::npos) << help.output;
  EXPECT_EQ(help.output.find("serve    run the DICOM node"), std::string::npos) << help.output;
  const RunResult slip = run({rtpof_binary().string(), "status", "-p", "104"});
  EXPECT_EQ(slip.exit_code, 2) << slip.output;
  EXPECT_NE(slip.output.find("unknown option -p"), std::string::npos) << slip.output;
}

TEST(InspectCommand, ReportsWhatTheLoadersReadAndSkipsFilesThatAreNotDicom) {
  TempDir dir;
  const fs::path out = dir / "p";
  ASSERT_EQ(run({rtpof_binary().string(), "phantom", "--out", out.string(), "--case", "two-sites", "--reg"}).exit_code, 0);
  const RunResult result = run({rtpof_binary().string(), "inspect", out.string()});  // truth.json is not DICOM
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* expected :
       {"CT series", "128 x 128 x 60 voxels of 2 x 2 x 2.5 mm", "MR series", "110 x 110 x 50 voxels of 2.2 x 2.2 x 3 mm",
        "ROI 4 \"CTV_70\" CTV", "RTDOSE", "(PLAN, PHYSICAL, GY)", "\"NPC_70_33\" APPROVED, 33 fractions",
        "\"PTV_70\": 70 Gy (from DoseReferenceSequence)", "REG", "(RIGID)", "1 files skipped as not DICOM"})
    EXPECT_NE(result.output.find(expected), std::string::npos) << expected << "\n" << result.output;
}

// Issue 24: `inspect` reads rtpof's own report: the SR's summary line per recurrence.
TEST(InspectCommand, ReadsRtpofsOwnSrSummaries) {
  TempDir dir;
  const fs::path out = dir / "p";
  ASSERT_EQ(run({rtpof_binary().string(), "phantom", "--out", out.string(), "--case", "two-sites", "--reg"}).exit_code, 0);
  const fs::path sr = dir / "report.dcm";
  ASSERT_EQ(run({rtpof_binary().string(), "analyze", out.string(), "--sr", sr.string()}).exit_code, 0);
  const RunResult result = run({rtpof_binary().string(), "inspect", sr.string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* expected : {"(rtpof report)", "Recurrence_local: in-field, V95 100.0 %",
                               "Recurrence_nodal: out-field, V95 0.0 %"})
    EXPECT_NE(result.output.find(expected), std::string::npos) << expected << "\n" << result.output;
}

TEST(InspectCommand, ARefusalNamesInstanceAttributeAndProblemAndExitsOne) {
  TempDir dir;
  const fs::path out = dir / "p";
  ASSERT_EQ(run({rtpof_binary().string(), "phantom", "--out", out.string(), "--case", "in-field"}).exit_code, 0);
  fs::remove(out / "plan/CT_0031.dcm");
  const std::string uid = string_of(out / "plan/CT_0032.dcm", DCM_SOPInstanceUID);
  const RunResult result = run({rtpof_binary().string(), "inspect", (out / "plan").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("refused: instance " + uid + ", (0020,0032) ImagePositionPatient: between slice"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("1 slice(s) missing"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("RTSTRUCT"), std::string::npos) << "the other objects are still reported";
  EXPECT_EQ(run({rtpof_binary().string(), "inspect", (dir / "nowhere").string()}).exit_code, 2);
}

}  // namespace
}  // namespace rtpof::testing
