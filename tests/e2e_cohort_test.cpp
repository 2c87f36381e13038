// `rtpof cohort` end to end on phantom patients whose answers are known (truth.json): Table 2 against each
// truth, the summary against scipy (tests/cohort/check_summary.py), the cache, the progress output with
// and without a terminal, and shards merged back into the unsharded run's bytes.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "cohort/csv.hpp"
#include "tests/support/cohort_phantoms.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// V95 against truth.json, percentage points (Done-when 1 of issue 19).
constexpr double kV95Tolerance = 0.5;

const char* const kOutputs[] = {"table2.csv", "errors.csv", "summary.json", "summary.md", "cohort.pdf", "cohort.png"};

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Cohort, TableMatchesEveryTruthTheSummaryScipyTheCacheAndTheShards) {
  TempDir dir;
  const std::vector<CohortPhantom> phantoms = standard_cohort();
  write_cohort_phantoms(phantoms, dir / "patients");
  const fs::path manifest = write_manifest(phantoms, dir / "patients", dir / "manifest.csv");
  const std::string key = (dir / "cohort.key").string();
  const std::vector<std::string> cohort = {rtpof_binary().string(), "cohort", "--manifest", manifest.string(), "--key", key,
                                           "--jobs", "2"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = cohort;
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  };

  // 1. The whole cohort, through a pipe: plain progress lines, no bar.
  const RunResult first = run(with({"--out", (dir / "out").string()}), std::chrono::seconds(600));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(count_of(first.output, "analysed in"), phantoms.size() - 1) << first.output;
  EXPECT_EQ(first.output.find('\r'), std::string::npos) << "a bar was drawn into a pipe";
  EXPECT_NE(first.output.find("rtpof cohort: [9/9] "), std::string::npos) << first.output;

  // Every row against its truth: class exactly, V95 within 0.5 points; the patient named by its label.
  const auto rows = cohort::parse_csv(read_text(dir / "out/table2.csv"));
  ASSERT_FALSE(rows.empty());
  const auto& header = rows.front();
  auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  std::size_t expected_rows = 0, checked = 0;
  std::set<std::string> classes, sources;
  for (const CohortPhantom& p : phantoms) {
    if (p.incomplete) continue;
    const json truth = json::parse(read_text(dir / "patients" / p.label / "truth.json"));
    for (const json& t : truth["recurrences"]) {
      ++expected_rows;
      for (std::size_t r = 1; r < rows.size(); ++r) {
        if (rows[r][column("patient")] != p.label || rows[r][column("recurrence_roi")] != t["roi"]) continue;
        ++checked;
        EXPECT_EQ(rows[r][column("class")], t["class"].get<std::string>()) << p.label << " " << t["roi"];
        EXPECT_NEAR(std::stod(rows[r][column("v95_pct")]), t["v95_pct"].get<double>(), kV95Tolerance) << p.label;
        EXPECT_EQ(rows[r][column("registration_source")], p.reg ? "REG" : "auto") << p.label;
        EXPECT_EQ(rows[r][column("t_stage")], p.t_stage) << p.label;
        classes.insert(rows[r][column("class")]);
        sources.insert(rows[r][column("registration_source")]);
      }
    }
  }
  EXPECT_EQ(rows.size() - 1, expected_rows);
  EXPECT_EQ(checked, expected_rows);
  EXPECT_EQ(classes, (std::set<std::string>{"in-field", "marginal", "out-field"}));
  EXPECT_EQ(sources, (std::set<std::string>{"REG", "auto"}));
  const auto errors = cohort::parse_csv(read_text(dir / "out/errors.csv"));
  ASSERT_EQ(errors.size(), 2u) << read_text(dir / "out/errors.csv");
  EXPECT_EQ(errors[1][1], "incomplete");
  EXPECT_NE(errors[1][2].find("no RTDOSE"), std::string::npos) << errors[1][2];

  // The summary, recomputed by scipy from table2.csv.
  const RunResult check = run({"/usr/bin/python3", (source_dir() / "tests/cohort/check_summary.py").string(),
                               (dir / "out").string(), "--expect", "fisher-exact,anova,t-test"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(run({"pdfinfo", (dir / "out/cohort.pdf").string()}).output.find("Pages:           1"), std::string::npos);

  // 2. One patient changed: exactly that one is analysed again, and the log says so.
  const CohortPhantom& changed = phantoms[1];
  fs::remove_all(dir / "patients" / changed.label);
  CohortPhantom reseeded = changed;
  reseeded.seed += 1000;
  write_cohort_phantoms({reseeded}, dir / "patients");
  const RunResult second = run(with({"--out", (dir / "out").string()}), std::chrono::seconds(600));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(count_of(second.output, "analysed in"), 1u) << second.output;
  EXPECT_NE(second.output.find("(" + (dir / "patients" / changed.label).string() + "): analysed in"), std::string::npos)
      << second.output;
  EXPECT_EQ(count_of(second.output, "inputs unchanged, from the cache"), phantoms.size() - 1) << second.output;

  // 3. On a terminal (script(1) gives the command a pty): the bar, redrawn in place.
  const RunResult on_terminal = run({"script", "-qfec", shell_line(with({"--out", (dir / "out").string()})), "/dev/null"},
                                    std::chrono::seconds(600));
  ASSERT_EQ(on_terminal.exit_code, 0) << on_terminal.output;
  EXPECT_NE(on_terminal.output.find("\r[##############################] 9/9 patients"), std::string::npos) << on_terminal.output;
  EXPECT_NE(on_terminal.output.find("\r\033[K"), std::string::npos) << "the bar's line is not cleared before a patient's line";

  // 4. Four shards, each analysing its patients afresh (no shared cache), merged: the unsharded bytes.
  std::vector<std::string> merge = {rtpof_binary().string(), "cohort", "merge"};
  for (int k = 0; k < 4; ++k) {
    const fs::path shard = dir / ("shard" + std::to_string(k));
    const RunResult r = run(with({"--shard", std::to_string(k) + "/4", "--out", shard.string()}), std::chrono::seconds(600));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    merge.push_back(shard.string());
  }
  merge.insert(merge.end(), {"--out", (dir / "merged").string()});
  const RunResult merged = run(merge);
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  for (const char* file : kOutputs)
    EXPECT_EQ(read_text(dir / "out" / file), read_text(dir / "merged" / file)) << file << " differs from the unsharded run's";
  // A missing shard is refused, by name.
  merge.erase(merge.begin() + 4);
  const RunResult incomplete = run(merge);
  EXPECT_EQ(incomplete.exit_code, 1);
  EXPECT_NE(incomplete.output.find("shard 1/4 is missing"), std::string::npos) << incomplete.output;
}

TEST(Cohort, UsageMistakesAreRefusedWithExitCode2) {
  TempDir dir;
  const RunResult no_out = run({rtpof_binary().string(), "cohort", dir.path().string()});
  EXPECT_EQ(no_out.exit_code, 2);
  EXPECT_NE(no_out.output.find("--out"), std::string::npos) << no_out.output;
  const RunResult shard_without_key =
      run({rtpof_binary().string(), "cohort", "--manifest", (dir / "m.csv").string(), "--out", (dir / "o").string(), "--shard", "0/2"});
  EXPECT_EQ(shard_without_key.exit_code, 2);
  std::ofstream(dir / "m.csv") << "folder\na\n";
  const RunResult shard_no_key =
      run({rtpof_binary().string(), "cohort", "--manifest", (dir / "m.csv").string(), "--out", (dir / "o").string(), "--shard", "0/2"});
  EXPECT_EQ(shard_no_key.exit_code, 2);
  EXPECT_NE(shard_no_key.output.find("--key"), std::string::npos) << shard_no_key.output;
  const RunResult bad_shard = run({rtpof_binary().string(), "cohort", "--manifest", (dir / "m.csv").string(), "--out",
                                   (dir / "o").string(), "--shard", "2/2", "--key", (dir / "k").string()});
  EXPECT_EQ(bad_shard.exit_code, 2);
  EXPECT_NE(bad_shard.output.find("K/N"), std::string::npos) << bad_shard.output;
  // A mistake in the rules file stops the run before any patient, naming the key.
  fs::create_directories(dir / "patients/a");
  std::ofstream(dir / "bad.toml") << "[classification]\nin_field_min_v95 = 95\n";
  const RunResult bad_config = run({rtpof_binary().string(), "cohort", (dir / "patients").string(), "--out",
                                    (dir / "o").string(), "--config", (dir / "bad.toml").string()});
  EXPECT_EQ(bad_config.exit_code, 2) << bad_config.output;
  EXPECT_NE(bad_config.output.find("in_field_min_v95"), std::string::npos) << bad_config.output;
  EXPECT_EQ(bad_config.output.find("[1/1]"), std::string::npos) << "a patient was started: " << bad_config.output;
}

}  // namespace
}  // namespace rtpof::testing
