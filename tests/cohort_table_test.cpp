// Table 2, its summary, the manifest, shards and their merge, on analyses made up here (the JSON of
// docs/interface.md), so that every branch of the statistics is reached with known inputs; the summary is
// checked by tests/cohort/check_summary.py, an independent computation with scipy.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cohort/cohort_figure.hpp"
#include "cohort/cohort_outputs.hpp"
#include "cohort/csv.hpp"
#include "cohort/inputs_digest.hpp"
#include "cohort/patient_list.hpp"
#include "cohort/summary.hpp"
#include "cohort/table2.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::cohort {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json recurrence(const std::string& roi, double v95, double d100, const std::string& miss_class) {
  return {{"roi", roi}, {"volume_cc", 5 + v95 / 10}, {"v95_pct", v95}, {"d100_gy", d100}, {"d98_gy", d100 + 1},
          {"d95_gy", d100 + 2}, {"dmean_gy", d100 + 5}, {"class", miss_class}, {"borderline", false},
          {"cumulative_dvh", {{0.0, 100.0}, {d100, 100.0}, {70.0, v95}, {75.0, 0.0}}}};
}

json analysis(const std::string& pseudonym, const std::vector<json>& recurrences, double ctv_high_d98) {
  return {{"patient", {{"pseudonym", pseudonym}}},
          {"reference_dose_gy", 70.0},
          {"classification", {{"in_field_min_v95_pct", 95.0}, {"marginal_min_v95_pct", 20.0}}},
          {"dose", {{"grids", {{{"summation_type", "PLAN"}, {"scaling", 1.0}, {"per_fraction", false}}}}}},
          {"registration", {{"source", "REG"}, {"quality", {{"reg_instance_uid", "1.2.3"}}}, {"doubtful", false}}},
          {"recurrences", recurrences},
          {"ctvs", {{{"roi", "CTV_70"}, {"level", "high"}, {"d98_gy", ctv_high_d98}, {"d95_gy", ctv_high_d98 + 0.4}},
                    {{"roi", "CTV_59.4"}, {"level", "intermediate"}, {"d98_gy", 58.1}, {"d95_gy", 58.7}},
                    {{"roi", "CTV_54"}, {"level", "low"}, {"d98_gy", 52.0}, {"d95_gy", 52.6}}}},
          {"gtv", {{"primary_cc", 20.0 + ctv_high_d98 / 10}, {"nodal_cc", nullptr}}}};
}

// 60 patients: chemotherapy strongly tied to the class with large counts (chi-square), T stage with
// small counts (Fisher beyond 2x2), age (ANOVA), a BMI given only for two classes' rows (t-test), and
// CTV doses that are the same for everyone (no test: nothing varies within the classes).
CohortRecord synthetic_cohort() {
  CohortRecord record;
  record.clinical_columns = {"chemo", "t_stage", "age", "bmi"};
  const char* classes[] = {"in-field", "marginal", "out-field"};
  for (std::size_t i = 0; i < 60; ++i) {
    const int c = i % 5 < 3 ? 0 : i % 5 == 3 ? 1 : 2;
    const double v95 = c == 0 ? 95.5 + static_cast<double>(i % 4) : c == 1 ? 30.0 + static_cast<double>(i) : 5.0 + static_cast<double>(i % 7);
    PatientOutcome o;
    o.patient.index = i;
    o.patient.folder = "/cohort/p" + std::to_string(i);
    o.patient.label = "P" + std::to_string(100 + i);
    o.patient.clinical = {(c == 0 ? i % 4 != 0 : i % 3 == 0) ? "yes" : "no",
                          i < 12 ? std::string("T") + std::to_string(1 + i % 3) : "",
                          std::to_string(40 + (i * 7) % 31),
                          c == 2 ? "" : std::to_string(20 + (i * 3) % 7)};
    o.digest = std::to_string(i);
    o.analysis = analysis("p" + std::to_string(i), {recurrence("Recurrence", v95, 40 + v95 / 5, classes[c])},
                          68.0 + static_cast<double>(i % 9) / 10);
    record.outcomes.push_back(o);
  }
  PatientOutcome failed;
  failed.patient.index = 60;
  failed.patient.folder = "/cohort/incomplete";
  failed.patient.label = "P160";
  failed.patient.clinical = {"no", "", "50", ""};
  failed.error = "the case is incomplete: no RTDOSE";
  record.outcomes.push_back(failed);
  record.total = record.outcomes.size();
  return record;
}

TEST(CohortSummary, EveryStatisticOfASyntheticCohortEqualsScipys) {
  testing::TempDir out;
  const CohortRecord record = synthetic_cohort();
  write_cohort_outputs(out.path(), record);
  const auto check = testing::run({"/usr/bin/python3", (testing::source_dir() / "tests/cohort/check_summary.py").string(),
                                   out.path().string(), "--expect", "chi-square,fisher-exact,t-test,anova"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  const json summary = json::parse(testing::read_text(out / "summary.json"));
  EXPECT_EQ(summary["patients"]["listed"], 61);
  EXPECT_EQ(summary["patients"]["not_analysed"], 1);
  EXPECT_EQ(summary["recurrences"], 60);
  EXPECT_EQ(summary["classes"][0]["count"], 36);
  const std::string errors = testing::read_text(out / "errors.csv");
  EXPECT_NE(errors.find("/cohort/incomplete,P160,the case is incomplete: no RTDOSE"), std::string::npos) << errors;
  // The checker must be able to fail: a summary with one p-value changed does not pass.
  json tampered = summary;
  for (auto& a : tampered["associations"])
    if (a["test"] == "chi-square") a["p_value"] = a["p_value"].get<double>() + 1e-5;
  std::ofstream(out / "summary.json") << tampered.dump();
  const auto refused = testing::run({"/usr/bin/python3", (testing::source_dir() / "tests/cohort/check_summary.py").string(),
                                     out.path().string()});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("chi-square p of chemo"), std::string::npos) << refused.output;
}

TEST(CohortTable, HasTheStudysColumnsInOrderAndRoundsOnce) {
  const CohortRecord record = synthetic_cohort();
  const auto rows = table2_rows(record.outcomes);
  ASSERT_EQ(rows.size(), 60u);
  const std::string csv = table2_csv(rows, record.clinical_columns);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "patient,gtv_p_cc,gtv_n_cc,ctv_high_d98_gy,ctv_intermediate_d95_gy,ctv_low_d95_gy,recurrence_volume_cc,"
            "v95_pct,d100_gy,class,recurrence_roi,d95_gy,d98_gy,dmean_gy,borderline,registration_source,"
            "registration_quality,dose_scaling,reference_dose_gy,chemo,t_stage,age,bmi");
  const auto parsed = parse_csv(csv);
  ASSERT_EQ(parsed.size(), 61u);
  EXPECT_EQ(parsed[1][0], "P100");
  EXPECT_EQ(parsed[1][2], "");        // no nodal GTV
  EXPECT_EQ(parsed[1][3], "68.00");   // CTV high D98
  EXPECT_EQ(parsed[1][9], "in-field");
  EXPECT_EQ(parsed[1][16], "REG 1.2.3");
  EXPECT_EQ(parsed[1][17], "PLAN x1");
  EXPECT_EQ(hundredths_text(94.996), "95.00");
  EXPECT_EQ(hundredths_text(-0.001), "0.00");
}

TEST(CohortCsv, QuotesWhatNeedsItAndReadsItBack) {
  const std::vector<std::string> fields = {"plain", "a,b", "say \"hi\"", "two\nlines", ""};
  const auto parsed = parse_csv(csv_line(fields) + "\r\nx,y\r\n");
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0], fields);
  EXPECT_EQ(parsed[1], (std::vector<std::string>{"x", "y"}));
  EXPECT_THROW(parse_csv("a,\"open\nb"), std::invalid_argument);
}

TEST(CohortManifest, CarriesClinicalColumnsAndNamesTheRowOfAMistake) {
  testing::TempDir dir;
  std::ofstream(dir / "m.csv") << "\xEF\xBB\xBFlabel,folder,t_stage,chemo\nA,pa,T1,yes\nB,/abs/pb,\"T4, bulky\",no\n";
  const PatientList list = patients_from_manifest(dir / "m.csv");
  ASSERT_EQ(list.patients.size(), 2u);
  EXPECT_EQ(list.clinical_columns, (std::vector<std::string>{"t_stage", "chemo"}));
  EXPECT_EQ(list.patients[0].folder, (dir.path() / "pa").string());
  EXPECT_EQ(list.patients[1].folder, "/abs/pb");
  EXPECT_EQ(list.patients[1].clinical[0], "T4, bulky");
  std::ofstream(dir / "bad.csv") << "folder,label\npa,A\npb\n";
  try {
    patients_from_manifest(dir / "bad.csv");
    FAIL() << "a short row was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("row 3"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "twice.csv") << "folder,label\npa,A\npb,A\n";
  EXPECT_THROW(patients_from_manifest(dir / "twice.csv"), std::invalid_argument);
  std::ofstream(dir / "nofolder.csv") << "label\nA\n";
  EXPECT_THROW(patients_from_manifest(dir / "nofolder.csv"), std::invalid_argument);
}

TEST(CohortShards, CoverTheCohortOnceAndMergeBackToTheSameFiles) {
  const CohortRecord whole = synthetic_cohort();
  PatientList list;
  list.clinical_columns = whole.clinical_columns;
  for (const auto& o : whole.outcomes) list.patients.push_back(o.patient);
  std::vector<CohortRecord> shards;
  std::size_t covered = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const PatientList part = shard_of(list, {k, 4});
    covered += part.patients.size();
    CohortRecord shard;
    shard.total = whole.total;
    shard.shard = Shard{k, 4};
    shard.clinical_columns = whole.clinical_columns;
    for (const auto& p : part.patients) shard.outcomes.push_back(whole.outcomes[p.index]);
    shards.push_back(shard);
  }
  EXPECT_EQ(covered, whole.outcomes.size());
  testing::TempDir a, b;
  write_cohort_outputs(a.path(), whole);
  // Through the files, as `cohort merge` reads them, and in another order.
  std::vector<CohortRecord> read;
  for (std::size_t k : {2u, 0u, 3u, 1u}) {
    write_cohort_outputs(b / ("s" + std::to_string(k)), shards[k]);
    read.push_back(read_cohort_record(b / ("s" + std::to_string(k))));
  }
  write_cohort_outputs(b / "merged", merge_shards(read));
  for (const char* file : {"patients.json", "table2.csv", "errors.csv", "summary.json", "summary.md", "cohort.pdf", "cohort.png"})
    EXPECT_EQ(testing::read_text(a / file), testing::read_text(b / "merged" / file)) << file << " differs";
  read.pop_back();
  try {
    merge_shards(read);
    FAIL() << "a merge without shard 1 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("shard 1/4 is missing"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_shard("4/4"), std::invalid_argument);
  EXPECT_THROW(parse_shard("1"), std::invalid_argument);
  EXPECT_EQ(parse_shard("3/8").k, 3u);
}

TEST(CohortFigure, DrawsEveryRecurrenceAndABandPerClass) {
  testing::TempDir out;
  const CohortRecord record = synthetic_cohort();
  const FigureRecord drawn = write_cohort_figure(record.outcomes, out / "f.pdf", out / "f.png");
  EXPECT_EQ(drawn.points, 60u);
  EXPECT_EQ(drawn.bands, (std::vector<std::size_t>{36, 12, 12}));
  const auto info = testing::run({"pdfinfo", (out / "f.pdf").string()});
  EXPECT_NE(info.output.find("Pages:           1"), std::string::npos) << info.output;
  EXPECT_GT(fs::file_size(out / "f.png"), 10000u);
}

TEST(CohortDigest, ChangesWithAByteANameAFileOrTheSaltAndOnlyThen) {
  testing::TempDir dir;
  fs::create_directories(dir / "p/plan");
  std::ofstream(dir / "p/plan/a.dcm") << "abc";
  std::ofstream(dir / "p/b.dcm") << "de";
  const std::string first = inputs_digest(dir / "p", "salt");
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(inputs_digest(dir / "p", "salt"), first);
  // The same files elsewhere digest the same: paths are taken relative to the patient's folder.
  fs::copy(dir / "p", dir / "q", fs::copy_options::recursive);
  EXPECT_EQ(inputs_digest(dir / "q", "salt"), first);
  EXPECT_NE(inputs_digest(dir / "p", "other salt"), first);
  std::ofstream(dir / "q/plan/a.dcm") << "abd";
  EXPECT_NE(inputs_digest(dir / "q", "salt"), first);
  fs::rename(dir / "p/b.dcm", dir / "p/c.dcm");
  EXPECT_NE(inputs_digest(dir / "p", "salt"), first);
  fs::rename(dir / "p/c.dcm", dir / "p/b.dcm");
  std::ofstream(dir / "p/extra") << "";
  EXPECT_NE(inputs_digest(dir / "p", "salt"), first);
  fs::remove(dir / "p/extra");
  EXPECT_EQ(inputs_digest(dir / "p", "salt"), first);
}

}  // namespace
}  // namespace rtpof::cohort
