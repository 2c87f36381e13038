// Reports leaving the node: a case sent to the node comes back as an SR at a storescp destination; a
// destination that is down is retried with backoff until it is up; a node restarted while a report waits
// still delivers it, once; a destination that refuses the SR's SOP class gets a dead letter (one error
// line, no retries) and `rtpof resend` delivers it once the destination is fixed; a TLS destination gets
// the report over TLS, and one whose certificate the node does not trust never gets it; Orthanc, a real
// PACS, sends a case to the node and finds the node's report back under the same patient.
// Real node, real storescp (DCMTK) as the destination, real index.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <fstream>
#include <thread>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include "tests/support/dicom_files.hpp"
#include "tests/support/node_fixture.hpp"
#include "tests/support/orthanc_process.hpp"
#include "tests/support/sr_reader.hpp"
#include "tests/support/test_pki.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class NodeDelivery : public NodeFixture {
 protected:
  // A rules file with one destination and a fast retry schedule (2 s, 4 s, 8 s, 8 s ...).
  fs::path config_with_destination(int destination_port) {
    std::ostringstream toml;
    toml << "[node]\naccept_any_caller = true\n[logging]\nstats_interval_s = 1\n"
         << "[matching]\nstable_age_s = 1\n"
         << "[delivery]\nretry_base_s = 2\nretry_factor = 2\nretry_cap_s = 8\nsend_timeout_s = 5\n"
         << "[[destinations]]\nae_title = \"DEST\"\nhost = \"127.0.0.1\"\nport = " << destination_port << "\nobjects = [\"sr\"]\n";
    return write_config(toml.str());
  }
  std::vector<storage::OutboxRow> outbox() {
    storage::Index index(data_dir() / "index.sqlite");
    return index.reports().deliveries();
  }
  // Polls the outbox until every row is in `state`; false after `timeout`.
  bool wait_for_outbox(const std::string& state, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto rows = outbox();
      if (!rows.empty() && std::all_of(rows.begin(), rows.end(), [&](const auto& r) { return r.state == state; }))
        return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }
  // The job's class of each recurrence, from the result JSON the node kept.
  std::map<std::string, std::string> classes_of_job() {
    std::map<std::string, std::string> classes;
    for (const auto& job : jobs()) {
      if (job.state != "done") continue;
      // Parsed into a variable: a range-for over a member of a temporary would iterate freed memory.
      const json result = json::parse(job.result);
      for (const json& r : result.at("recurrences"))
        classes[r.at("roi").get<std::string>()] = r.at("class").get<std::string>();
    }
    return classes;
  }
  static std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }
  // storescp flags for a destination that accepts one storage SOP class (DCMTK's name for it) and echoes.
  std::vector<std::string> storing_only(const std::string& sop_class) {
    const fs::path profile = data_ / (sop_class + "-only.cfg");
    std::ofstream(profile) << "[[TransferSyntaxes]]\n[Uncompressed]\nTransferSyntax1 = LocalEndianExplicit\n"
                              "TransferSyntax2 = LittleEndianImplicit\n"
                              "[[PresentationContexts]]\n[Only]\nPresentationContext1 = VerificationSOPClass\\Uncompressed\n"
                              "PresentationContext2 = " << sop_class << "\\Uncompressed\n"
                              "[[Profiles]]\n[Only]\nPresentationContexts = Only\n";
    return {"-xf", profile.string(), "Only"};
  }
  static std::string class_code(const std::string& c) {
    return c == "in-field" ? "IN-FIELD" : c == "marginal" ? "MARGINAL" : "OUT-FIELD";
  }
};

TEST_F(NodeDelivery, AStorescpDestinationReceivesTheReportOfACaseSentToTheNode) {
  const int port = free_port();
  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log");
  ASSERT_TRUE(destination.wait_until_ready());
  start_node({"--config", config_with_destination(port).string()});
  send(patient_files(patient("marginal", true, 81)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  ASSERT_TRUE(wait_for_outbox("sent", 30s)) << node_->log();

  const auto received = destination.received();
  ASSERT_EQ(received.size(), 1u);
  const ParsedReport report = read_report(received[0]);
  const auto rows = outbox();
  EXPECT_EQ(report.sop_instance_uid, rows[0].report.sop_instance_uid);
  // The SR names the patient, as a report must; the node's log does not (NodeFixture::TearDown).
  EXPECT_EQ(report.patient_name, "CANARY^PHI");
  // The copy kept in the data directory is the one that was sent.
  EXPECT_EQ(read_report(data_dir() / "reports" / rows[0].report.relative_path).sop_instance_uid, report.sop_instance_uid);
  const auto classes = classes_of_job();
  ASSERT_EQ(classes.size(), 1u);
  for (const auto& [roi, cls] : classes) {
    ASSERT_NE(report.group(roi), nullptr) << roi;
    EXPECT_EQ(report.group(roi)->evaluations.at("MISSCLASS"), class_code(cls)) << roi;
  }
  EXPECT_NE(node_->log().find("delivered to DEST@127.0.0.1:" + std::to_string(port) + " on attempt 1"), std::string::npos)
      << node_->log();
  // `rtpof status` shows each recurrence's class and V95, and where the report is (issue 24).
  const RunResult status = run({rtpof_binary().string(), "status", "--data-dir", data_dir().string()});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  const auto& [status_roi, status_class] = *classes.begin();
  EXPECT_NE(status.output.find("job 1 result:  " + status_roi + " " + status_class + " (V95 "), std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find("; report " + (data_dir() / "reports" / rows[0].report.relative_path).string()),
            std::string::npos)
      << status.output;
  // The periodic stats line (every second here) shows the job and the empty outbox.
  std::this_thread::sleep_for(1500ms);
  EXPECT_NE(node_->log().find("jobs pending=0 running=0 done=1 failed=0; outbox pending=0"), std::string::npos)
      << node_->log();
}

// What the physicist opens in the planning system: without a REG the destination also gets the recurrence
// on the planning CT (RTSTRUCT), the fusion rtpof computed (REG) and the one-page report (Encapsulated
// PDF); each passes dciodvfy, and the
// RTSTRUCT read on the planning CT and dose gives the recurrence's volume within 5 % of truth and its V95
// within 2 points of the job's.
TEST_F(NodeDelivery, WithoutARegTheDestinationGetsTheSrTheRecurrenceOnThePlanningCtAndTheFusionEachValid) {
  const int port = free_port();
  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log");
  ASSERT_TRUE(destination.wait_until_ready());
  std::ostringstream toml;
  toml << "[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n"
       << "[[destinations]]\nae_title = \"DEST\"\nhost = \"127.0.0.1\"\nport = " << port << "\n";
  start_node({"--config", write_config(toml.str()).string()});
  const phantom::PhantomFiles files = patient("marginal", false, 86);
  send(patient_files(files), "all");
  ASSERT_TRUE(wait_for_done(1, 180s)) << node_->log();
  ASSERT_TRUE(wait_for_outbox("sent", 60s)) << node_->log();

  std::map<std::string, fs::path> by_modality;
  for (const fs::path& file : destination.received()) by_modality[string_of(file, DCM_Modality)] = file;
  ASSERT_EQ(destination.received().size(), 4u);
  ASSERT_EQ(by_modality.count("SR"), 1u);
  ASSERT_EQ(by_modality.count("RTSTRUCT"), 1u);
  ASSERT_EQ(by_modality.count("REG"), 1u);
  ASSERT_EQ(by_modality.count("DOC"), 1u);  // the one-page report as an Encapsulated PDF
  for (const auto& [modality, file] : by_modality) {
    const RunResult check = run({"dciodvfy", file.string()});
    EXPECT_TRUE(lines_starting(check.output, "Error").empty()) << modality << ":\n" << check.output;
  }
  // The RTSTRUCT joins the planning CT's study and frame; the REG registers the MR's frame to it.
  EXPECT_EQ(string_of(by_modality["RTSTRUCT"], DCM_StudyInstanceUID), files.plan.study_instance_uid);
  EXPECT_EQ(string_of(by_modality["REG"], DCM_FrameOfReferenceUID), files.plan.frame_of_reference_uid);

  const fs::path ct_dir = files.plan.ct.front().parent_path();
  const RunResult dvh = run({rtpof_binary().string(), "dvh", "--rtstruct", by_modality["RTSTRUCT"].string(), "--dose",
                             files.plan.rtdose.string(), "--images", ct_dir.string(), "--json"});
  ASSERT_EQ(dvh.exit_code, 0) << dvh.output;
  const json mapped = json::parse(dvh.output.substr(dvh.output.find("\n{") + 1));
  const json truth = json::parse(read_text(files.truth));
  const json result = json::parse(jobs().at(0).result);
  const json* row = nullptr;
  for (const json& r : mapped.at("rois"))
    if (r.at("name") == "Recurrence_onCT") row = &r;
  ASSERT_NE(row, nullptr) << mapped.dump();
  const double truth_cc = truth.at("recurrences").at(0).at("volume_cc");
  EXPECT_NEAR(row->at("volume_cc").get<double>(), truth_cc, 0.05 * truth_cc);
  EXPECT_NEAR(row->at("v95_pct").get<double>(), result.at("recurrences").at(0).at("v95_pct").get<double>(), 2.0);
}

// The rules say which objects each destination gets: the PACS the SR, the planning system the RTSTRUCT
// and the REG. With the case's own REG, rtpof writes no REG of its own.
TEST_F(NodeDelivery, EachDestinationGetsTheObjectsItsRulesNameAndNoRegWhenOneCame) {
  const int pacs_port = free_port(), tps_port = free_port();
  StorescpProcess pacs("PACS", pacs_port, source_ / "pacs", data_ / "pacs.log");
  StorescpProcess tps("TPS", tps_port, source_ / "tps", data_ / "tps.log");
  ASSERT_TRUE(pacs.wait_until_ready());
  ASSERT_TRUE(tps.wait_until_ready());
  std::ostringstream toml;
  toml << "[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n"
       << "[[destinations]]\nae_title = \"PACS\"\nhost = \"127.0.0.1\"\nport = " << pacs_port << "\nobjects = [\"sr\"]\n"
       << "[[destinations]]\nae_title = \"TPS\"\nhost = \"127.0.0.1\"\nport = " << tps_port
       << "\nobjects = [\"rtstruct\", \"reg\"]\n";
  start_node({"--config", write_config(toml.str()).string()});
  send(patient_files(patient("marginal", true, 87)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  ASSERT_TRUE(wait_for_outbox("sent", 30s)) << node_->log();
  ASSERT_EQ(pacs.received().size(), 1u);
  EXPECT_EQ(string_of(pacs.received()[0], DCM_Modality), "SR");
  ASSERT_EQ(tps.received().size(), 1u);
  EXPECT_EQ(string_of(tps.received()[0], DCM_Modality), "RTSTRUCT");
  EXPECT_EQ(outbox().size(), 2u);
}

// A PACS that stores SRs only, configured without `objects`: the SR arrives; the RTSTRUCT and the PDF are
// dead letters whose one error line says how to mend it, including leaving the kind out of the rules.
TEST_F(NodeDelivery, AnSrOnlyDestinationGetsTheSrAndTheOtherObjectsAreDeadLettersNamingTheRule) {
  const int port = free_port();
  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log",
                              storing_only("EnhancedSRStorage"));
  ASSERT_TRUE(destination.wait_until_ready());
  std::ostringstream toml;
  toml << "[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n"
       << "[[destinations]]\nae_title = \"DEST\"\nhost = \"127.0.0.1\"\nport = " << port << "\n";
  start_node({"--config", write_config(toml.str()).string()});
  send(patient_files(patient("marginal", true, 88)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  auto settled = [&] {
    const auto rows = outbox();
    return !rows.empty() && std::none_of(rows.begin(), rows.end(), [](const auto& r) { return r.state == "pending"; });
  };
  while (!settled() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
  std::map<std::string, std::string> state_by_kind;
  for (const auto& row : outbox()) state_by_kind[row.report.kind] = row.state;
  EXPECT_EQ(state_by_kind["sr"], "sent");
  EXPECT_EQ(state_by_kind["rtstruct"], "dead");
  EXPECT_EQ(state_by_kind["pdf"], "dead");
  ASSERT_EQ(destination.received().size(), 1u);
  EXPECT_EQ(string_of(destination.received()[0], DCM_Modality), "SR");
  const std::string log = node_->log();
  EXPECT_NE(log.find("it must accept RTStructureSetStorage), or leave \"rtstruct\" out of its objects in the rules"),
            std::string::npos)
      << log;
}

TEST_F(NodeDelivery, ADestinationDownWhenTheReportIsReadyGetsItWhenUpAndTheRetriesAreLogged) {
  const int port = free_port();
  start_node({"--config", config_with_destination(port).string()});
  send(patient_files(patient("in-field", true, 82)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  std::this_thread::sleep_for(30s);  // the destination comes up 30 s after the report was ready
  ASSERT_EQ(outbox().at(0).state, "pending");
  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log");
  ASSERT_TRUE(destination.wait_until_ready());
  ASSERT_TRUE(wait_for_outbox("sent", 30s)) << node_->log();

  EXPECT_EQ(destination.received().size(), 1u);
  const std::string log = node_->log();
  // 2 + 4 + 8 + 8 + 8 s: at least four failed attempts in 30 s, each a warning with its wait.
  EXPECT_GE(occurrences(log, "not delivered to DEST@127.0.0.1:" + std::to_string(port)), 4u) << log;
  EXPECT_GE(occurrences(log, "; retry in "), 4u) << log;
  EXPECT_EQ(occurrences(log, " error "), 0u) << log;
  EXPECT_GE(outbox().at(0).attempts, 5);
}

TEST_F(NodeDelivery, ANodeRestartedWhileTheReportWaitsStillDeliversItOnce) {
  const int port = free_port();
  const fs::path config = config_with_destination(port);
  start_node({"--config", config.string()});
  send(patient_files(patient("out-field", true, 83)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  // Wait for a first failed attempt, so the row is mid-retry when the node stops.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (outbox().at(0).attempts == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
  ASSERT_GE(outbox().at(0).attempts, 1);
  ASSERT_EQ(node_->stop(), 0);

  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log");
  ASSERT_TRUE(destination.wait_until_ready());
  start_node({"--config", config.string()});
  ASSERT_TRUE(wait_for_outbox("sent", 30s)) << node_->log();
  std::this_thread::sleep_for(3s);  // a second copy would arrive within this time
  EXPECT_EQ(destination.received().size(), 1u);
  EXPECT_NE(node_->log().find("1 report deliveries are pending from the last run"), std::string::npos) << node_->log();
  EXPECT_EQ(jobs().size(), 1u);  // the restart did not run the analysis again
}

TEST_F(NodeDelivery, ARefusedSopClassIsADeadLetterWithOneErrorLineAndResendDeliversAfterTheFix) {
  // A destination that accepts CT images only: the SR's presentation context is rejected.
  const fs::path profile = data_ / "ct-only.cfg";
  std::ofstream(profile) << "[[TransferSyntaxes]]\n[Uncompressed]\nTransferSyntax1 = LocalEndianExplicit\n"
                            "TransferSyntax2 = LittleEndianImplicit\n"
                            "[[PresentationContexts]]\n[CTOnly]\nPresentationContext1 = VerificationSOPClass\\Uncompressed\n"
                            "PresentationContext2 = CTImageStorage\\Uncompressed\n"
                            "[[Profiles]]\n[CTOnly]\nPresentationContexts = CTOnly\n";
  const int port = free_port();
  auto destination = std::make_unique<StorescpProcess>("DEST", port, source_ / "refused", data_ / "storescp.log",
                                                       std::vector<std::string>{"-xf", profile.string(), "CTOnly"});
  ASSERT_TRUE(destination->wait_until_ready());
  start_node({"--config", config_with_destination(port).string()});
  send(patient_files(patient("marginal", true, 84)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  ASSERT_TRUE(wait_for_outbox("dead", 30s)) << node_->log();
  std::this_thread::sleep_for(10s);  // longer than two retry intervals: a retry would show now

  std::string log = node_->log();
  EXPECT_EQ(outbox().at(0).attempts, 1) << log;
  EXPECT_EQ(occurrences(log, " error "), 1u) << log;
  EXPECT_NE(log.find("presentation context rejected"), std::string::npos) << log;
  // The dead letter names both SR classes the peer refused: the fallback was tried too.
  EXPECT_NE(log.find("accepts neither Enhanced SR Storage nor Comprehensive SR Storage"), std::string::npos) << log;
  EXPECT_NE(log.find("rtpof resend " + std::to_string(outbox().at(0).id)), std::string::npos) << log;
  EXPECT_TRUE(destination->received().empty());

  destination.reset();  // fixed: a destination that accepts every storage SOP class
  StorescpProcess fixed("DEST", port, source_ / "received", data_ / "storescp.log");
  ASSERT_TRUE(fixed.wait_until_ready());
  const RunResult resend = run({rtpof_binary().string(), "resend", "--data-dir", data_dir().string()});
  ASSERT_EQ(resend.exit_code, 0) << resend.output;
  EXPECT_NE(resend.output.find("1 dead report delivery queued again"), std::string::npos) << resend.output;
  ASSERT_TRUE(wait_for_outbox("sent", 30s)) << node_->log();
  ASSERT_EQ(fixed.received().size(), 1u);
  EXPECT_EQ(read_report(fixed.received()[0]).sop_instance_uid, outbox().at(0).report.sop_instance_uid);
  // Nothing left to resend: asking for a sent row by id says so and exits 1.
  const RunResult again = run({rtpof_binary().string(), "resend", "--data-dir", data_dir().string(),
                               std::to_string(outbox().at(0).id)});
  EXPECT_EQ(again.exit_code, 1) << again.output;
}

TEST_F(NodeDelivery, ADestinationThatStoresOnlyComprehensiveSrGetsAValidReportWithTheSameClassAndV95) {
  const int port = free_port();
  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log",
                              storing_only("ComprehensiveSRStorage"));
  ASSERT_TRUE(destination.wait_until_ready());
  start_node({"--config", config_with_destination(port).string()});
  send(patient_files(patient("marginal", true, 85)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  ASSERT_TRUE(wait_for_outbox("sent", 30s)) << node_->log();

  const auto received = destination.received();
  ASSERT_EQ(received.size(), 1u);
  const ParsedReport report = read_report(received[0]);
  EXPECT_EQ(report.sop_class_uid, "1.2.840.10008.5.1.4.1.1.88.33");  // Comprehensive SR
  // Its own UID: one UID names one object of one class; the kept Enhanced SR is unchanged.
  const ParsedReport kept = read_report(data_dir() / "reports" / outbox().at(0).report.relative_path);
  EXPECT_EQ(kept.sop_class_uid, "1.2.840.10008.5.1.4.1.1.88.22");
  EXPECT_NE(report.sop_instance_uid, kept.sop_instance_uid);
  EXPECT_NE(node_->log().find("sent as Comprehensive SR " + report.sop_instance_uid), std::string::npos) << node_->log();

  // dciodvfy checks it against the Comprehensive SR IOD and finds no error.
  const RunResult check = run({"dciodvfy", received[0].string()});
  EXPECT_TRUE(lines_starting(check.output, "Error").empty()) << check.output;
  EXPECT_FALSE(lines_starting(check.output, "ComprehensiveSR").empty()) << check.output;

  // The same class and V95 as the job's result and as the kept report.
  const json result = json::parse(jobs().at(0).result);
  ASSERT_EQ(result.at("recurrences").size(), 1u);
  const json& recurrence = result.at("recurrences").at(0);
  const std::string roi = recurrence.at("roi").get<std::string>();
  ASSERT_NE(report.group(roi), nullptr) << roi;
  EXPECT_EQ(report.group(roi)->evaluations.at("MISSCLASS"), class_code(recurrence.at("class").get<std::string>()));
  // The SR carries V95 rounded for reading; the tolerance is that rounding.
  EXPECT_NEAR(report.group(roi)->numbers.at("V95"), recurrence.at("v95_pct").get<double>(), 0.05);
  EXPECT_EQ(report.group(roi)->numbers.at("V95"), kept.group(roi)->numbers.at("V95"));
}

TEST_F(NodeDelivery, ATlsDestinationGetsTheReportAndOneWithAnUntrustedCertificateDoesNot) {
  const TestPki pki = make_test_pki(data_ / "pki");
  const int port = free_port(), rogue_port = free_port();
  // DEST presents a certificate from the CA the node trusts and requires the node's; ROGUE's is a stranger's.
  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log",
                              {"+tls", pki.client_key.string(), pki.client_certificate.string(), "+cf",
                               pki.ca_certificate.string()},
                              pki.client_flags());
  StorescpProcess rogue("ROGUE", rogue_port, source_ / "rogue", data_ / "rogue.log",
                        {"+tls", pki.stranger_key.string(), pki.stranger_certificate.string(), "-ic"},
                        {"+tls", pki.client_key.string(), pki.client_certificate.string(), "-ic"});
  ASSERT_TRUE(destination.wait_until_ready());
  ASSERT_TRUE(rogue.wait_until_ready());
  std::ostringstream toml;
  toml << "[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n"
       << "[delivery]\nretry_base_s = 2\nretry_factor = 1\nsend_timeout_s = 5\n"
       << "[tls]\ncertificate = \"" << pki.node_certificate.string() << "\"\nprivate_key = \""
       << pki.node_key.string() << "\"\ntrusted_certificates = [\"" << pki.ca_certificate.string() << "\"]\n"
       << "[[destinations]]\nae_title = \"DEST\"\nhost = \"127.0.0.1\"\nport = " << port << "\ntls = true\nobjects = [\"sr\"]\n"
       << "[[destinations]]\nae_title = \"ROGUE\"\nhost = \"127.0.0.1\"\nport = " << rogue_port << "\ntls = true\nobjects = [\"sr\"]\n";
  start_node({"--config", write_config(toml.str()).string()});  // the listener itself stays plain
  send(patient_files(patient("marginal", true, 85)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();

  const auto deadline = std::chrono::steady_clock::now() + 30s;
  auto state_of = [&](const std::string& ae) {
    for (const auto& row : outbox())
      if (row.destination.ae_title == ae) return row;
    return storage::OutboxRow{};
  };
  while (std::chrono::steady_clock::now() < deadline &&
         (state_of("DEST").state != "sent" || state_of("ROGUE").attempts < 2))
    std::this_thread::sleep_for(200ms);
  ASSERT_EQ(state_of("DEST").state, "sent") << node_->log();
  ASSERT_EQ(destination.received().size(), 1u);
  EXPECT_EQ(read_report(destination.received()[0]).sop_instance_uid, state_of("DEST").report.sop_instance_uid);
  // The stranger's certificate fails the node's check every time: retried (it may be mended), never sent.
  const auto rogue_row = state_of("ROGUE");
  EXPECT_EQ(rogue_row.state, "pending");
  EXPECT_GE(rogue_row.attempts, 2);
  EXPECT_NE(rogue_row.last_status.find("association failed"), std::string::npos) << rogue_row.last_status;
  EXPECT_TRUE(rogue.received().empty());
  EXPECT_NE(node_->log().find("not delivered to ROGUE@127.0.0.1:" + std::to_string(rogue_port)), std::string::npos);
}

TEST_F(NodeDelivery, OrthancSendsTheCaseToTheNodeAndFindsTheReportBackUnderThePatientWithItsClass) {
  const int orthanc_dicom = free_port();
  int orthanc_http = free_port();
  while (orthanc_http == orthanc_dicom) orthanc_http = free_port();
  // The node answers the sender: Orthanc is a configured peer with its DICOM port, and to_sender is on.
  std::ostringstream toml;
  toml << "[node]\naccept_any_caller = false\n[matching]\nstable_age_s = 1\n"
       << "[delivery]\nto_sender = true\nretry_base_s = 2\nsend_timeout_s = 10\n"
       << "[[peers]]\nae_title = \"ORTHANC\"\nhost = \"127.0.0.1\"\nport = " << orthanc_dicom << "\n"
       << "[[peers]]\nae_title = \"ECHOSCU\"\n";  // the fixture's readiness probe
  ASSERT_NO_FATAL_FAILURE(start_node({"--config", write_config(toml.str()).string()}));
  OrthancProcess orthanc(data_ / "orthanc", "ORTHANC", orthanc_dicom, orthanc_http,
                         {{"rtpof", "RTPOF", "127.0.0.1", node_->port()}});
  ASSERT_TRUE(orthanc.wait_until_ready()) << orthanc.log();

  // The case enters the PACS over its REST API, as a site would import it.
  const auto files = patient_files(patient("marginal", true, 86));
  const std::vector<int> codes = orthanc.upload(files);
  ASSERT_EQ(codes, std::vector<int>(files.size(), 200)) << orthanc.log();
  const json patients = orthanc.get("/patients");
  ASSERT_EQ(patients.size(), 1u);
  const std::string patient_id = patients[0];

  // Orthanc sends it to the node by C-STORE (its own SCU), all in one job.
  const json store = orthanc.post("/modalities/rtpof/store", {{"Resources", {patient_id}}, {"Synchronous", true}});
  EXPECT_EQ(store["InstancesCount"], files.size()) << store.dump();
  EXPECT_EQ(store["FailedInstancesCount"], 0) << store.dump();
  EXPECT_EQ(stored_datasets().size(), files.size());
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  ASSERT_TRUE(wait_for_outbox("sent", 30s)) << node_->log() << orthanc.log();

  // The report is in Orthanc, under the patient it came from, with the class the job found.
  const json found = orthanc.post("/tools/find", {{"Level", "Instance"}, {"Query", {{"Modality", "SR"}}}});
  ASSERT_EQ(found.size(), 1u) << found.dump();
  const std::string sr_id = found[0];
  EXPECT_EQ(orthanc.get("/instances/" + sr_id + "/patient")["ID"], patient_id);
  orthanc.download("/instances/" + sr_id + "/file", source_ / "from-orthanc.dcm");
  const ParsedReport report = read_report(source_ / "from-orthanc.dcm");
  // Every object the job wrote went back to the sender: the SR, the recurrence on the planning CT, the
  // one-page report (no REG: the case brought its own).
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows)
    EXPECT_EQ(row.destination.label(), "ORTHANC@127.0.0.1:" + std::to_string(orthanc_dicom));
  EXPECT_EQ(rows[0].report.kind, "sr");
  EXPECT_EQ(report.sop_instance_uid, rows[0].report.sop_instance_uid);
  EXPECT_EQ(rows[1].report.kind, "rtstruct");
  const json structure_sets =
      orthanc.post("/tools/find", {{"Level", "Instance"}, {"Query", {{"SOPInstanceUID", rows[1].report.sop_instance_uid}}}});
  ASSERT_EQ(structure_sets.size(), 1u) << structure_sets.dump();
  EXPECT_EQ(orthanc.get("/instances/" + structure_sets[0].get<std::string>() + "/patient")["ID"], patient_id);
  // The Encapsulated PDF is stored in the PACS with its MIME type, under the same patient.
  EXPECT_EQ(rows[2].report.kind, "pdf");
  const json documents =
      orthanc.post("/tools/find", {{"Level", "Instance"}, {"Query", {{"SOPInstanceUID", rows[2].report.sop_instance_uid}}}});
  ASSERT_EQ(documents.size(), 1u) << documents.dump();
  const std::string document = documents[0];
  EXPECT_EQ(orthanc.get("/instances/" + document + "/simplified-tags")["MIMETypeOfEncapsulatedDocument"], "application/pdf");
  EXPECT_EQ(orthanc.get("/instances/" + document + "/patient")["ID"], patient_id);
  const auto classes = classes_of_job();
  ASSERT_FALSE(classes.empty());
  for (const auto& [roi, cls] : classes) {
    ASSERT_NE(report.group(roi), nullptr) << roi;
    EXPECT_EQ(report.group(roi)->evaluations.at("MISSCLASS"), class_code(cls)) << roi;
  }
  EXPECT_EQ(classes.at("Recurrence"), "marginal");
  EXPECT_NE(node_->log().find("association accepted: from \"ORTHANC\""), std::string::npos);
}

// Issue 23 item 8: a destination that accepts the connection and then says nothing used to hold the one
// sender thread for the whole send timeout, delaying every other destination. Each destination now has
// a lane of its own: the healthy one gets the report at once while the silent one is still waited for.
TEST_F(NodeDelivery, ADestinationThatHangsDoesNotDelayTheOthers) {
  // A TCP port whose connections the kernel completes but nobody ever answers.
  const int silent_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(silent_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(silent_fd, 16), 0);
  socklen_t length = sizeof address;
  ::getsockname(silent_fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int silent_port = ntohs(address.sin_port);
  const int port = free_port();
  StorescpProcess destination("DEST", port, source_ / "received", data_ / "storescp.log");
  ASSERT_TRUE(destination.wait_until_ready());
  std::ostringstream toml;
  toml << "[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n"
       << "[delivery]\nretry_base_s = 2\nretry_factor = 2\nretry_cap_s = 8\nsend_timeout_s = 12\n"
       << "[[destinations]]\nae_title = \"SILENT\"\nhost = \"127.0.0.1\"\nport = " << silent_port << "\nobjects = [\"sr\"]\n"
       << "[[destinations]]\nae_title = \"DEST\"\nhost = \"127.0.0.1\"\nport = " << port << "\nobjects = [\"sr\"]\n";
  start_node({"--config", write_config(toml.str()).string()});
  send(patient_files(patient("marginal", true, 84)), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  const auto ready = std::chrono::steady_clock::now();
  bool delivered = false;
  // SILENT is listed first: its report is due first, and a single sender would hold DEST back 12 s.
  while (!delivered && std::chrono::steady_clock::now() - ready < 8s) {
    for (const auto& row : outbox())
      if (row.destination.ae_title == "DEST" && row.state == "sent") delivered = true;
    std::this_thread::sleep_for(100ms);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ready).count();
  EXPECT_TRUE(delivered) << "the healthy destination waited behind the silent one:\n" << node_->log();
  EXPECT_LT(seconds, 8.0);
  EXPECT_EQ(destination.received().size(), 1u);
  for (const auto& row : outbox())
    if (row.destination.ae_title == "SILENT") {
      EXPECT_EQ(row.state, "pending");
    }
  node_->stop();
  ::close(silent_fd);
}

}  // namespace
}  // namespace rtpof::testing
