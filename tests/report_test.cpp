// The SR of every phantom case (`rtpof analyze --sr`): valid for three independent validators, and
// carrying the same class and figures as `rtpof analyze --json` of the same run, read back through
// dcmdata alone (tests/support/sr_reader).
// Figures are written with 10 significant digits, so they must agree with the JSON to 1e-8 relative.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "tests/support/phantom_cases.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sr_reader.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;


void expect_figure(const ReportGroup& group, const std::string& key, double want, const std::string& what) {
  const auto it = group.numbers.find(key);
  ASSERT_NE(it, group.numbers.end()) << what << ": no " << key;
  EXPECT_NEAR(it->second, want, 1e-8 * std::max(1.0, std::abs(want))) << what << " " << key;
}

class Report : public ::testing::TestWithParam<PhantomCase> {};

TEST_P(Report, IsValidAndCarriesTheAnalysis) {
  TempDir dir;
  const fs::path out = dir / "p", sr = dir / "report.dcm", json_file = dir / "analysis.json";
  write_phantom_case(GetParam(), out);
  const RunResult analysed = run({rtpof_binary().string(), "analyze", out.string(), "--json", json_file.string(), "--sr",
                                  sr.string()}, std::chrono::seconds(300));
  ASSERT_EQ(analysed.exit_code, 0) << analysed.output;
  const json got = json::parse(read_text(json_file));

  // dicom3tools: attributes, types, VRs. Warnings for the private scheme's designator are expected.
  const RunResult iod = run({"dciodvfy", "-new", sr.string()});
  EXPECT_TRUE(lines_starting(iod.output, "Error").empty()) << iod.output;
  EXPECT_NE(iod.output.find("EnhancedSR"), std::string::npos) << iod.output;
  // DCMTK: the SR's structure and relationship constraints.
  const RunResult dump = run({"dsrdump", "-q", sr.string()});
  EXPECT_EQ(dump.exit_code, 0) << dump.output;
  // PixelMed: the templates (TID 1500/1501/300). Its exit code is always 0; errors are lines.
  const RunResult templates =
      run({"java", "-Djdk.xml.xpathExprGrpLimit=0", "-Djdk.xml.xpathExprOpLimit=0", "-Djdk.xml.xpathTotalOpLimit=0",
           "-cp", "/usr/share/java/pixelmed.jar", "com.pixelmed.validate.DicomSRValidator", sr.string()},
          std::chrono::seconds(300));
  EXPECT_NE(templates.output.find("Root Template Validation Complete"), std::string::npos) << templates.output;
  EXPECT_TRUE(lines_starting(templates.output, "Error").empty()) << templates.output;

  // Readable: the first recurrence's measurement group starts within the first 60 lines of dsrdump (the
  // Image Library no longer lists every slice), and one rounded summary line per recurrence is there.
  const RunResult full = run({"dsrdump", "-q", "+Pl", sr.string()});  // long texts unshortened
  std::istringstream lines(dump.output);
  std::size_t line_number = 0, first_group = 0;
  for (std::string line; std::getline(lines, line);) {
    ++line_number;
    if (first_group == 0 && line.find("Measurement Group") != std::string::npos) first_group = line_number;
  }
  EXPECT_GT(first_group, 0u) << dump.output;
  EXPECT_LE(first_group, 60u) << dump.output;
  for (const json& r : got["recurrences"]) {
    char v95[32];
    std::snprintf(v95, sizeof v95, "%.1f", r["v95_pct"].get<double>());
    const std::string summary = r["roi"].get<std::string>() + ": " + r["class"].get<std::string>() + ", V95 " + v95 +
                                " % (in-field \u2265 95, out-field < 20), " +
                                (r["borderline"].get<bool>() ? "borderline" : "not borderline");
    EXPECT_NE(full.output.find(summary), std::string::npos) << summary << "\n" << full.output;
    // The cumulative DVH: from 100 % at 0 Gy, never rising, and through V95 at 95 % of the reference dose.
    const json& curve = r["cumulative_dvh"];
    ASSERT_GT(curve.size(), 2u);
    EXPECT_NEAR(curve[0][1].get<double>(), 100.0, 1e-9);
    const double at = 0.95 * got["reference_dose_gy"].get<double>();
    for (std::size_t i = 1; i < curve.size(); ++i) {
      EXPECT_LE(curve[i][1].get<double>(), curve[i - 1][1].get<double>() + 1e-12);
      if (curve[i - 1][0].get<double>() <= at && at <= curve[i][0].get<double>()) {
        EXPECT_LE(r["v95_pct"].get<double>(), curve[i - 1][1].get<double>() + 1e-9);
        EXPECT_GE(r["v95_pct"].get<double>(), curve[i][1].get<double>() - 1e-9);
      }
    }
  }

  const ParsedReport report = read_report(sr);
  EXPECT_NE(report.case_evaluations.at("THRESHOLDS").find("in-field: V95 \u2265 95.0 %"), std::string::npos);
  EXPECT_EQ(report.sop_class_uid, "1.2.840.10008.5.1.4.1.1.88.22");  // Enhanced SR
  EXPECT_EQ(report.character_set, "ISO_IR 192");
  EXPECT_NE(std::find(report.declared_schemes.begin(), report.declared_schemes.end(), "99RTPOF"),
            report.declared_schemes.end());
  ASSERT_EQ(report.groups.size(), got["recurrences"].size() + got["ctvs"].size() + 2);  // + GTV primary, nodal
  for (const json& r : got["recurrences"]) {
    const std::string roi = r["roi"];
    const ReportGroup* g = report.group(roi);
    ASSERT_NE(g, nullptr) << roi;
    EXPECT_EQ(g->finding, "111338,DCM");
    expect_figure(*g, "118565006", r["volume_cc"], roi);
    expect_figure(*g, "V95", r["v95_pct"], roi);
    expect_figure(*g, "128513/255605001", r["d100_gy"], roi);
    expect_figure(*g, "128513/D98", r["d98_gy"], roi);
    expect_figure(*g, "128513/D95", r["d95_gy"], roi);
    expect_figure(*g, "128513/373098007", r["dmean_gy"], roi);
    expect_figure(*g, "128513/56851009", r["dmax_gy"], roi);
    expect_figure(*g, "128513/CENTROID", r["centroid_dose_gy"], roi);
    expect_figure(*g, "V95/V95LOW", r["v95_range_pct"][0], roi);
    expect_figure(*g, "V95/V95HIGH", r["v95_range_pct"][1], roi);
    const std::string want_class = r["class"] == "in-field" ? "IN-FIELD" : r["class"] == "marginal" ? "MARGINAL" : "OUT-FIELD";
    EXPECT_EQ(g->evaluations.at("MISSCLASS"), want_class) << roi;
    EXPECT_EQ(g->evaluations.at("BORDERLINE"), r["borderline"].get<bool>() ? "373066001" : "373067005") << roi;
    for (const auto& [ctv, pct] : r["percent_in_ctv"].items()) {
      char text[64];
      std::snprintf(text, sizeof text, " %.1f %%", pct.get<double>());
      EXPECT_NE(g->evaluations.at("INCTV").find(ctv + text), std::string::npos) << g->evaluations.at("INCTV");
    }
    ASSERT_EQ(g->references.size(), 1u);
    EXPECT_NE(std::find(report.evidence.begin(), report.evidence.end(), g->references[0]), report.evidence.end());
  }
  for (const json& c : got["ctvs"]) {
    const std::string roi = c["roi"];
    const ReportGroup* g = report.group(roi);
    ASSERT_NE(g, nullptr) << roi;
    expect_figure(*g, "118565006", c["volume_cc"], roi);
    expect_figure(*g, "128513/D95", c["d95_gy"], roi);
    expect_figure(*g, "128513/D98", c["d98_gy"], roi);
    EXPECT_EQ(g->evaluations.at("DOSELEVEL"), c["level"]);
  }
  // The GTVs' groups are tracked by their ROI names; the finding says primary (130052) or nodal (130051).
  const ReportGroup* primary = report.group(got["gtv"]["primary_roi"].get<std::string>());
  const ReportGroup* nodal = report.group(got["gtv"]["nodal_roi"].get<std::string>());
  ASSERT_NE(primary, nullptr);
  ASSERT_NE(nodal, nullptr);
  EXPECT_EQ(primary->finding, "130052,DCM");
  EXPECT_EQ(nodal->finding, "130051,DCM");
  expect_figure(*primary, "118565006", got["gtv"]["primary_cc"], "GTV primary");
  expect_figure(*nodal, "118565006", got["gtv"]["nodal_cc"], "GTV nodal");

  // Every instance of the case is in the evidence: CT and MR slices, both structure sets, plan, dose (and REG).
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out))
    if (entry.is_regular_file() && entry.path().extension() == ".dcm") ++files;
  EXPECT_EQ(report.evidence.size(), files);
  // What the dose grid was read as is stated in the report as in the JSON.
  ASSERT_EQ(got["dose"]["grids"].size(), 1u);
  EXPECT_NE(report.case_evaluations.at("DOSEREAD").find(got["dose"]["grids"][0]["why"].get<std::string>()),
            std::string::npos)
      << report.case_evaluations.at("DOSEREAD");
  if (got["registration"]["source"] == "REG") {
    EXPECT_EQ(report.case_evaluations.at("128446"), "REGOBJECT");
    ASSERT_EQ(report.case_references.size(), 1u);
    EXPECT_EQ(report.case_references[0], got["registration"]["quality"]["reg_instance_uid"]);
  } else {
    EXPECT_EQ(report.case_evaluations.at("128446"), "125024");
    EXPECT_EQ(report.case_evaluations.at("REGQUALITY"), got["registration"]["quality"]["summary"]);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryCase, Report,
                         ::testing::Values(PhantomCase{"in-field", {"--reg"}}, PhantomCase{"marginal", {"--reg"}},
                                           PhantomCase{"out-field", {"--reg"}}, PhantomCase{"marginal-93", {"--reg"}},
                                           PhantomCase{"marginal-22", {"--reg"}}, PhantomCase{"two-sites", {"--reg"}},
                                           PhantomCase{"marginal-93", {"--reg", "--seg"}}, PhantomCase{"marginal", {}}),
                         phantom_case_test_name);

// Issue 8's point 5 in one place: two recurrences, two groups, each with its own class.
TEST(Report, TwoRecurrencesGetTwoGroupsWithTheirOwnClasses) {
  TempDir dir;
  const fs::path out = dir / "p", sr = dir / "report.dcm";
  ASSERT_EQ(run({rtpof_binary().string(), "phantom", "--out", out.string(), "--case", "two-sites", "--reg"}).exit_code, 0);
  ASSERT_EQ(run({rtpof_binary().string(), "analyze", out.string(), "--sr", sr.string()}, std::chrono::seconds(300)).exit_code, 0);
  const ParsedReport report = read_report(sr);
  const json truth = json::parse(read_text(out / "truth.json"));
  int recurrence_groups = 0;
  for (const ReportGroup& g : report.groups) recurrence_groups += g.finding == "111338,DCM";
  EXPECT_EQ(recurrence_groups, 2);
  for (const json& want : truth["recurrences"]) {
    const ReportGroup* g = report.group(want["roi"]);
    ASSERT_NE(g, nullptr) << want["roi"];
    const std::string code = want["class"] == "in-field" ? "IN-FIELD" : want["class"] == "marginal" ? "MARGINAL" : "OUT-FIELD";
    EXPECT_EQ(g->evaluations.at("MISSCLASS"), code) << want["roi"];
  }
  EXPECT_EQ(report.group("Recurrence_local")->evaluations.at("MISSCLASS"), "IN-FIELD");
  EXPECT_EQ(report.group("Recurrence_nodal")->evaluations.at("MISSCLASS"), "OUT-FIELD");
}

}  // namespace
}  // namespace rtpof::testing
