// The metrics port ([metrics] in the rules): after three patients, what Prometheus scrapes agrees with
// `rtpof status` and passes promtool's own check (Debian's prometheus package, a real peer); /healthz
// answers 200, and 503 with the reason once the data directory's free space is under the floor.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/statvfs.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/node_fixture.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class NodeMetrics : public NodeFixture {
 protected:
  fs::path config_with_metrics(int metrics_port, const std::string& extra = "") {
    std::ostringstream toml;
    toml << "[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n[metrics]\nport = " << metrics_port
         << "\n" << extra;
    return write_config(toml.str());
  }
  // The value of one sample ("name" or "name{labels}") in a Prometheus exposition; NaN when absent.
  static double sample(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    return std::nan("");
  }
  RunResult curl(int port, const std::string& path) {
    // The metrics port is bound just after the DICOM port the fixture waits for: a refused connect is retried.
    return run({"curl", "-s", "--retry", "5", "--retry-connrefused", "--retry-delay", "1", "-w", "\n%{http_code}",
                "http://127.0.0.1:" + std::to_string(port) + path});
  }
};

TEST_F(NodeMetrics, AfterThreePatientsTheScrapeAgreesWithStatusAndPassesPromtool) {
  const int port = free_port();
  start_node({"--config", config_with_metrics(port).string()});
  for (const auto& [name, seed] : std::vector<std::pair<std::string, int>>{{"in-field", 91}, {"marginal", 92}, {"out-field", 93}})
    send(patient_files(patient(name, true, static_cast<std::uint64_t>(seed))), name);
  ASSERT_TRUE(wait_for_done(3)) << node_->log();
  EXPECT_FALSE(node_->echo("WRONG"));  // one refusal for a called AE title that is not this node's

  const RunResult scrape = curl(port, "/metrics");
  ASSERT_EQ(scrape.exit_code, 0) << scrape.output;
  const std::string code = scrape.output.substr(scrape.output.rfind('\n') + 1);
  const std::string text = scrape.output.substr(0, scrape.output.rfind('\n'));
  ASSERT_EQ(code, "200") << scrape.output;

  // promtool reads the exposition from its standard input.
  TempDir dir;
  std::ofstream(dir / "metrics.txt") << text;
  const RunResult lint = run({"sh", "-c", "promtool check metrics < " + (dir / "metrics.txt").string()});
  EXPECT_EQ(lint.exit_code, 0) << lint.output << "\n" << text;

  const RunResult status = run({rtpof_binary().string(), "status", "--json", "--data-dir", data_dir().string()});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  const json s = json::parse(status.output);
  EXPECT_EQ(sample(text, "rtpof_index_instances"), s.at("instances").get<double>()) << text;
  EXPECT_EQ(sample(text, "rtpof_index_patients"), s.at("patients").get<double>()) << text;
  EXPECT_EQ(sample(text, "rtpof_index_bytes"), s.at("bytes").get<double>()) << text;
  std::map<std::string, double> jobs_by_state;
  for (const json& job : s.at("jobs")) jobs_by_state[job.at("state").get<std::string>()] += 1;
  EXPECT_EQ(jobs_by_state["done"], 3);
  for (const char* state : {"pending", "running", "done", "failed"})
    EXPECT_EQ(sample(text, std::string("rtpof_jobs{state=\"") + state + "\"}"), jobs_by_state[state]) << state;
  // Every instance of the three patients arrived on this run of the node.
  EXPECT_EQ(sample(text, "rtpof_instances_received_total{result=\"stored\"}"), s.at("instances").get<double>());
  EXPECT_GE(sample(text, "rtpof_associations_total{result=\"accepted\"}"), 3);  // and the fixture's echoes
  EXPECT_EQ(sample(text, "rtpof_associations_total{result=\"refused\"}"), 1) << text;
  EXPECT_EQ(sample(text, "rtpof_associations_refused_total{reason=\"not_authorised\"}"), 1) << text;
  EXPECT_EQ(sample(text, "rtpof_associations_refused_total{reason=\"other\"}"), 0) << text;
  EXPECT_GT(sample(text, "rtpof_last_instance_stored_timestamp_seconds"), 1.7e9);
  EXPECT_EQ(sample(text, "rtpof_up"), 1);
  // Each finished job's stages in the histogram: three analyses, each under its +Inf bucket.
  EXPECT_EQ(sample(text, "rtpof_job_stage_duration_seconds_count{stage=\"analyse\"}"), 3) << text;
  EXPECT_EQ(sample(text, "rtpof_job_stage_duration_seconds_bucket{stage=\"analyse\",le=\"+Inf\"}"), 3) << text;
  EXPECT_GT(sample(text, "rtpof_job_stage_duration_seconds_sum{stage=\"load_and_register\"}"), 0) << text;

  const RunResult health = curl(port, "/healthz");
  EXPECT_EQ(health.output, "ok\n\n200");
  const RunResult other = curl(port, "/nothing");
  EXPECT_EQ(other.output.substr(other.output.rfind('\n') + 1), "404") << other.output;
}

TEST_F(NodeMetrics, HealthzAnswers503WithTheReasonWhenTheDiskIsUnderTheFloor) {
  // A floor above what the data directory's file system has free: the node is below it from the start.
  fs::create_directories(data_dir());
  struct statvfs fs_stats {};
  ASSERT_EQ(::statvfs(data_dir().c_str(), &fs_stats), 0);
  const double free_mb = static_cast<double>(fs_stats.f_bavail) * fs_stats.f_frsize / (1 << 20);
  const int port = free_port();
  start_node({"--config", config_with_metrics(port, "[storage]\nmin_free_mb = " + std::to_string(free_mb + 100000) + "\n")
                              .string()});
  const RunResult health = curl(port, "/healthz");
  ASSERT_EQ(health.exit_code, 0) << health.output;
  EXPECT_EQ(health.output.substr(health.output.rfind('\n') + 1), "503") << health.output;
  EXPECT_NE(health.output.find("below storage.min_free_mb"), std::string::npos) << health.output;
  const RunResult scrape = curl(port, "/metrics");
  const std::string text = scrape.output.substr(0, scrape.output.rfind('\n'));
  EXPECT_EQ(sample(text, "rtpof_up"), 0) << text;
  EXPECT_LT(sample(text, "rtpof_disk_free_bytes"), sample(text, "rtpof_disk_min_free_bytes")) << text;
}

TEST_F(NodeMetrics, AMetricsPortInUseStopsTheNodeBeforeItListens) {
  // The first node holds the metrics port; a second one configured with the same port must not start.
  const int metrics_port = free_port();
  start_node({"--config", config_with_metrics(metrics_port).string()});
  std::ostringstream toml;
  toml << "[node]\naccept_any_caller = true\nport = " << free_port() << "\ndata_dir = \"" << (data_ / "other").string()
       << "\"\n[metrics]\nport = " << metrics_port << "\n";
  const fs::path second_config = data_ / "second.toml";
  std::ofstream(second_config) << toml.str();
  const RunResult second = run({rtpof_binary().string(), "serve", "--config", second_config.string()}, std::chrono::seconds(30));
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find("cannot serve metrics on 127.0.0.1:" + std::to_string(metrics_port)), std::string::npos)
      << second.output;
  EXPECT_EQ(second.output.find("listening:"), std::string::npos) << "it never listened: " << second.output;
  EXPECT_EQ(node_->stop(), 0);
}

}  // namespace
}  // namespace rtpof::testing
