// The operator's hooks ([hooks] in the rules): on_job_done runs once per job and on_dead_letter once per
// report given up on, each with its documented RTPOF_* variables; a hook that hangs is stopped at
// hooks.timeout_s and the node says so.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/node_fixture.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class NodeHooks : public NodeFixture {
 protected:
  // Waits until `file` exists and holds a line; its content, or "" after `timeout`.
  static std::string wait_for_file(const fs::path& file, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (fs::exists(file)) {
        std::this_thread::sleep_for(200ms);  // the hook may still be writing
        return read_text(file);
      }
      std::this_thread::sleep_for(100ms);
    }
    return {};
  }
};

TEST_F(NodeHooks, OnJobDoneOncePerJobAndOnDeadLetterWithTheirVariables) {
  const fs::path out = data_ / "hooks";
  fs::create_directories(out);
  std::ostringstream toml;
  // The destination is a port nothing listens on: after 3.6 s of retries the SR is a dead letter.
  toml << "[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n"
       << "[delivery]\nretry_base_s = 0.5\nretry_cap_s = 1\ngive_up_after_h = 0.001\nsend_timeout_s = 2\n"
       << "[[destinations]]\nae_title = \"NOBODY\"\nhost = \"127.0.0.1\"\nport = " << free_port() << "\nobjects = [\"sr\"]\n"
       << "[hooks]\non_job_done = [\"/bin/sh\", \"-c\", \"env | grep ^RTPOF_ | sort > " << out.string()
       << "/job-$RTPOF_JOB.env\"]\n"
       << "on_dead_letter = [\"/bin/sh\", \"-c\", \"env | grep ^RTPOF_ | sort > " << out.string()
       << "/dead-$RTPOF_OUTBOX_ID.env\"]\n";
  start_node({"--config", write_config(toml.str()).string()});
  send(patient_files(patient("marginal", true, 71)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();

  const std::string job = wait_for_file(out / "job-1.env", 20s);
  ASSERT_FALSE(job.empty()) << node_->log();
  EXPECT_NE(job.find("RTPOF_HOOK=on_job_done\n"), std::string::npos) << job;
  EXPECT_NE(job.find("RTPOF_STATE=done\n"), std::string::npos) << job;
  EXPECT_TRUE(std::regex_search(job, std::regex("RTPOF_PATIENT=p[0-9a-f]{16}\n"))) << job;
  EXPECT_TRUE(std::regex_search(job, std::regex("RTPOF_CLASSES=[^\n]*=marginal\n"))) << job;
  std::smatch sr;
  ASSERT_TRUE(std::regex_search(job, sr, std::regex("RTPOF_SR=([^\n]+)\n"))) << job;
  EXPECT_TRUE(fs::exists(sr[1].str())) << sr[1].str();
  // No patient identifier reaches a hook: the phantom's ID and name are nowhere in its environment.
  EXPECT_EQ(job.find("CANARY"), std::string::npos) << job;

  const std::string dead = wait_for_file(out / "dead-1.env", 30s);
  ASSERT_FALSE(dead.empty()) << node_->log();
  EXPECT_NE(dead.find("RTPOF_HOOK=on_dead_letter\n"), std::string::npos) << dead;
  EXPECT_NE(dead.find("RTPOF_KIND=sr\n"), std::string::npos) << dead;
  EXPECT_NE(dead.find("RTPOF_JOB=1\n"), std::string::npos) << dead;
  EXPECT_NE(dead.find("RTPOF_DESTINATION=NOBODY@127.0.0.1:"), std::string::npos) << dead;

  std::this_thread::sleep_for(2s);  // nothing more may come of the one job
  std::size_t job_files = 0;
  for (const auto& entry : fs::directory_iterator(out)) job_files += entry.path().filename().string().rfind("job-", 0) == 0;
  EXPECT_EQ(job_files, 1u);
  EXPECT_NE(node_->log().find("hooks: on_job_done for job 1 ran in"), std::string::npos) << node_->log();
  EXPECT_EQ(node_->stop(), 0);
}

TEST_F(NodeHooks, AHookThatHangsIsStoppedAtItsTimeLimitAndLogged) {
  start_node({"--config", write_config("[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n"
                                       "[hooks]\non_job_done = [\"/bin/sleep\", \"600\"]\ntimeout_s = 1\n")
                              .string()});
  send(patient_files(patient("marginal", true, 72)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (node_->log().find("still running after hooks.timeout_s = 1 s") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_NE(node_->log().find("hooks: on_job_done for job 1 (/bin/sleep) still running after hooks.timeout_s = 1 s: stopped"),
            std::string::npos)
      << node_->log();
  // The node stops at once: no hook holds it.
  EXPECT_EQ(node_->stop(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace rtpof::testing
