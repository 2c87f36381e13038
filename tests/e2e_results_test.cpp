// `rtpof results` and `rtpof cohort --data-dir` on a node that analysed three patients, one of them twice
// (a corrected recurrence made a second case version, superseding the first).
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dctk.h>

#include <nlohmann/json.hpp>

#include "cohort/csv.hpp"
#include "tests/support/dicom_files.hpp"
#include "tests/support/node_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class NodeResults : public NodeFixture {};

TEST_F(NodeResults, ListTheCurrentResultOfEachOfThreePatients) {
  const phantom::PhantomFiles a = patient("in-field", true, 51), b = patient("marginal", true, 52), c = patient("out-field", true, 53);
  start_node({"--stable-age", "1"});
  send(patient_files(a), "a");
  send(patient_files(b), "b");
  send(patient_files(c), "c");
  ASSERT_TRUE(wait_for_done(3)) << node_->log();
  // The physician corrects b's recurrence: a new version of b's case, the first one superseded.
  const fs::path corrected = source_ / "corrected" / "RTSTRUCT_RECURRENCE.dcm";
  write_corrected_recurrence(b.followup.recurrence, corrected);
  send({corrected}, "corrected");
  ASSERT_TRUE(wait_for_done(4)) << node_->log();

  const std::string data = data_dir().string();
  const RunResult csv = run({rtpof_binary().string(), "results", "--data-dir", data, "--csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  const auto rows = cohort::parse_csv(csv.output);
  ASSERT_EQ(rows.size(), 4u) << csv.output;  // header + three current rows
  const auto& header = rows.front();
  const auto at = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  ASSERT_LT(at("superseded"), header.size());
  std::set<std::string> patients, classes;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    patients.insert(rows[r][at("patient")]);
    classes.insert(rows[r][at("class")]);
    EXPECT_EQ(rows[r][at("superseded")], "no");
    EXPECT_EQ(rows[r][0].rfind('p', 0), 0u) << "not a pseudonym: " << rows[r][0];
  }
  EXPECT_EQ(patients.size(), 3u);
  EXPECT_EQ(classes, (std::set<std::string>{"in-field", "marginal", "out-field"}));
  // The marginal patient's row is its second version.
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r][at("class")] == "marginal") {
      EXPECT_EQ(rows[r][at("case_version")], "2");
    }
  }
  // No patient ID or name in what an operator exports.
  EXPECT_EQ(csv.output.find(string_of(a.plan.rtplan, DCM_PatientID)), std::string::npos);
  EXPECT_EQ(csv.output.find("PHANTOM^"), std::string::npos);

  const RunResult all = run({rtpof_binary().string(), "results", "--data-dir", data, "--csv", "--all-versions"});
  EXPECT_EQ(cohort::parse_csv(all.output).size(), 5u) << all.output;
  const RunResult as_json = run({rtpof_binary().string(), "results", "--data-dir", data, "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.output;
  const json parsed = json::parse(as_json.output);
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_TRUE(parsed[0]["analysis"].contains("recurrences"));

  // The same rows as a cohort: Table 2 and its summary from the node's index.
  TempDir out;
  const RunResult cohort = run({rtpof_binary().string(), "cohort", "--data-dir", data, "--out", out.path().string()});
  ASSERT_EQ(cohort.exit_code, 0) << cohort.output;
  EXPECT_EQ(cohort::parse_csv(read_text(out / "table2.csv")).size(), 4u);
  const json summary = json::parse(read_text(out / "summary.json"));
  EXPECT_EQ(summary["recurrences"], 3);
  const RunResult check = run({"/usr/bin/python3", (source_dir() / "tests/cohort/check_summary.py").string(), out.path().string()});
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

}  // namespace
}  // namespace rtpof::testing
