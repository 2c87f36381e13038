// The DICOM audit trail ([audit] in the rules): a real syslog server (rsyslogd, started by the test on
// loopback) as the audit record repository receives, over UDP, the messages of a node start, a
// received study, a delivered report, a refused association and the node's stop; each is valid against
// the DICOM Audit Message Schema (PS3.15 A.5.1, xmllint --relaxng). The local audit file holds the same
// records; the patient is named there and nowhere in the operational log (NodeFixture::TearDown).
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/audit_schema.hpp"
#include "tests/support/node_fixture.hpp"
#include "tests/support/test_pki.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// rsyslogd in the foreground with a configuration of its own: `inputs` (its global settings, modules and
// inputs), each message's raw text to <dir>/received.log, its own messages to <dir>/internal.log.
class RsyslogProcess {
 public:
  RsyslogProcess(const fs::path& dir, int port, const std::string& inputs) : dir_(dir), port_(port) {
    fs::create_directories(dir);
    std::ofstream(dir / "rsyslog.conf")
        << inputs << "template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n"
        << "if $inputname == \"imudp\" or $inputname == \"imtcp\" then {\n  action(type=\"omfile\" file=\""
        << (dir / "received.log").string() << "\" template=\"raw\")\n} else {\n  action(type=\"omfile\" file=\""
        << (dir / "internal.log").string() << "\")\n}\n";
    pid_ = spawn_process({"rsyslogd", "-n", "-f", (dir / "rsyslog.conf").string(), "-i", (dir / "rsyslogd.pid").string()},
                         dir / "rsyslogd.out");
  }
  static std::string udp_inputs(const fs::path& dir, int port) {
    return "global(workDirectory=\"" + dir.string() + "\" maxMessageSize=\"64k\")\nmodule(load=\"imudp\")\n"
           "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" + std::to_string(port) + "\")\n";
  }
  // RFC 5425 over OpenSSL: the server presents `certificate` and accepts clients whose certificate
  // chains to `ca` (x509/certvalid).
  static std::string tls_inputs(const fs::path& dir, int port, const fs::path& ca, const fs::path& certificate,
                                const fs::path& key) {
    return "global(workDirectory=\"" + dir.string() + "\" maxMessageSize=\"64k\" DefaultNetstreamDriver=\"ossl\" "
           "DefaultNetstreamDriverCAFile=\"" + ca.string() + "\" DefaultNetstreamDriverCertFile=\"" +
           certificate.string() + "\" DefaultNetstreamDriverKeyFile=\"" + key.string() + "\")\n"
           "module(load=\"imtcp\" StreamDriver.Name=\"ossl\" StreamDriver.Mode=\"1\" "
           "StreamDriver.AuthMode=\"x509/certvalid\")\n"
           "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + std::to_string(port) + "\")\n";
  }
  ~RsyslogProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      wait_for_exit(pid_, 10s);
    }
  }
  RsyslogProcess(const RsyslogProcess&) = delete;
  RsyslogProcess& operator=(const RsyslogProcess&) = delete;

  // Sends a probe datagram until rsyslogd has written it: then its UDP input is open.
  bool wait_until_ready() const {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port_));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string probe = "<13>1 - - probe - - - rsyslog-probe";
    bool ready = false;
    for (int i = 0; i < 100 && !ready; ++i) {
      ::sendto(fd, probe.data(), probe.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
      std::this_thread::sleep_for(100ms);
      ready = fs::exists(dir_ / "received.log") && read_text(dir_ / "received.log").find("rsyslog-probe") != std::string::npos;
    }
    ::close(fd);
    return ready;
  }
  // rtpof's records: the probes left out.
  std::vector<std::string> records() const {
    std::vector<std::string> lines;
    if (!fs::exists(dir_ / "received.log")) return lines;
    std::istringstream in(read_text(dir_ / "received.log"));
    for (std::string line; std::getline(in, line);)
      if (line.find("IHE+RFC-3881") != std::string::npos) lines.push_back(line);
    return lines;
  }
  std::string diagnostics() const {
    std::string text;
    for (const char* name : {"rsyslogd.out", "internal.log"})
      if (fs::exists(dir_ / name)) text += read_text(dir_ / name);
    return text;
  }

 private:
  fs::path dir_;
  int port_;
  pid_t pid_ = -1;
};

std::string event_id(const std::string& xml) {
  std::smatch m;
  return std::regex_search(xml, m, std::regex("<EventID csd-code=\"([0-9]+)\"")) ? m[1].str() : "";
}

class NodeAudit : public NodeFixture {};

TEST_F(NodeAudit, TheRepositoryReceivesValidMessagesForAStudyAReportARefusalAndStartStop) {
  const int syslog_port = free_port();
  RsyslogProcess repository(data_ / "rsyslog", syslog_port, RsyslogProcess::udp_inputs(data_ / "rsyslog", syslog_port));
  ASSERT_TRUE(repository.wait_until_ready()) << repository.diagnostics();
  const int destination_port = free_port();
  StorescpProcess destination("DEST", destination_port, data_ / "received", data_ / "storescp.log");
  ASSERT_TRUE(destination.wait_until_ready());
  const fs::path local = data_ / "audit.log";
  std::ostringstream toml;
  toml << "[node]\naccept_any_caller = true\n[matching]\nstable_age_s = 1\n"
       << "[[destinations]]\nae_title = \"DEST\"\nhost = \"127.0.0.1\"\nport = " << destination_port
       << "\nobjects = [\"sr\"]\n"
       << "[audit]\nrepository = \"udp://127.0.0.1:" << syslog_port << "\"\nfile = \"" << local.string()
       << "\"\nsource_id = \"RTPOF-TEST\"\nenterprise_site = \"TEST-HOSPITAL\"\n";
  start_node({"--config", write_config(toml.str()).string()});
  const auto case_files = patient("marginal", true, 91);
  send(patient_files(case_files), "all");
  ASSERT_TRUE(wait_for_done(1)) << node_->log();
  for (int i = 0; i < 300 && destination.received().empty(); ++i) std::this_thread::sleep_for(100ms);
  ASSERT_EQ(destination.received().size(), 1u) << node_->log();
  EXPECT_FALSE(node_->echo("WRONG"));  // refused: the called AE title is not this node's
  std::this_thread::sleep_for(1s);     // the export is recorded just after the C-STORE response
  EXPECT_EQ(node_->stop(), 0);

  std::vector<std::string> records;
  for (int i = 0; i < 50; ++i) {  // UDP: give rsyslogd a moment to write the last one
    records = repository.records();
    if (records.size() >= 5) break;
    std::this_thread::sleep_for(100ms);
  }
  const fs::path rng = audit_schema_rng(data_.path());
  std::map<std::string, std::vector<std::string>> by_event;
  for (const std::string& record : records) {
    EXPECT_TRUE(std::regex_search(record, std::regex("^<8[45]>1 \\S+Z \\S+ rtpof [0-9]+ IHE\\+RFC-3881 - "))) << record;
    const std::string xml = xml_of_record(record);
    const RunResult check = validate_audit_message(rng, xml, data_ / "message.xml");
    EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << xml;
    by_event[event_id(xml)].push_back(xml);
  }
  ASSERT_EQ(by_event["110100"].size(), 2u) << "start and stop; records:\n" << read_text(local);
  EXPECT_NE(by_event["110100"][0].find("csd-code=\"110120\""), std::string::npos);  // Application Start
  EXPECT_NE(by_event["110100"][1].find("csd-code=\"110121\""), std::string::npos);  // Application Stop

  // The study received: one association, from STORESCU, naming the patient by ID and name.
  ASSERT_EQ(by_event["110104"].size(), 1u) << read_text(local);
  const std::string& transferred = by_event["110104"][0];
  EXPECT_NE(transferred.find("UserID=\"STORESCU\""), std::string::npos) << transferred;
  EXPECT_NE(transferred.find("ParticipantObjectID=\"" + case_files.plan.patient_id + "\""), std::string::npos)
      << transferred;
  EXPECT_NE(transferred.find("<ParticipantObjectName>CANARY^PHI</ParticipantObjectName>"), std::string::npos);
  EXPECT_NE(transferred.find("EventActionCode=\"C\""), std::string::npos);
  EXPECT_NE(transferred.find("AuditEnterpriseSiteID=\"TEST-HOSPITAL\" AuditSourceID=\"RTPOF-TEST\""),
            std::string::npos);

  // The report delivered: an Export to DEST naming the SR's instance and its patient.
  ASSERT_EQ(by_event["110106"].size(), 1u) << read_text(local);
  const std::string& exported = by_event["110106"][0];
  EXPECT_NE(exported.find("UserID=\"DEST\""), std::string::npos) << exported;
  EXPECT_NE(exported.find("ParticipantObjectID=\"" + case_files.plan.patient_id + "\""), std::string::npos);
  EXPECT_NE(exported.find("<Instance UID=\""), std::string::npos);

  // The refused association: a Security Alert, node authentication, with the reason.
  ASSERT_EQ(by_event["110113"].size(), 1u) << read_text(local);
  EXPECT_NE(by_event["110113"][0].find("csd-code=\"110126\""), std::string::npos) << by_event["110113"][0];
  EXPECT_NE(by_event["110113"][0].find("WRONG"), std::string::npos) << by_event["110113"][0];

  // The local file holds the same records, and only the owner may read it.
  std::istringstream file(read_text(local));
  std::size_t lines = 0;
  for (std::string line; std::getline(file, line);) lines += !line.empty();
  EXPECT_EQ(lines, records.size());
  EXPECT_EQ(fs::status(local).permissions() & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
  EXPECT_NE(node_->log().find("audit trail: DICOM audit messages to udp://127.0.0.1:"), std::string::npos);
}

TEST_F(NodeAudit, ATlsRepositoryThatComesUpLateGetsWhatWaitedAndEveryRecordAfter) {
  const TestPki pki = make_test_pki(data_ / "pki");
  const int syslog_port = free_port();
  std::ostringstream toml;
  toml << "[node]\naccept_any_caller = true\n"
       << "[tls]\ncertificate = \"" << pki.node_certificate.string() << "\"\nprivate_key = \""
       << pki.node_key.string() << "\"\ntrusted_certificates = [\"" << pki.ca_certificate.string() << "\"]\n"
       << "[audit]\nrepository = \"tls://127.0.0.1:" << syslog_port << "\"\n";
  start_node({"--config", write_config(toml.str()).string()});
  // The repository is down: the start message and the refusal's alert wait in the node.
  EXPECT_FALSE(node_->echo("WRONG"));
  std::this_thread::sleep_for(1500ms);
  EXPECT_NE(node_->log().find("audit: records cannot be sent to tls://127.0.0.1:"), std::string::npos) << node_->log();

  const fs::path dir = data_ / "rsyslog-tls";
  RsyslogProcess repository(dir, syslog_port,
                            RsyslogProcess::tls_inputs(dir, syslog_port, pki.ca_certificate, pki.client_certificate,
                                                       pki.client_key));
  std::vector<std::string> records;
  for (int i = 0; i < 300 && records.size() < 2; ++i) {  // the retry backs off up to a few seconds
    std::this_thread::sleep_for(100ms);
    records = repository.records();
  }
  ASSERT_EQ(records.size(), 2u) << node_->log() << repository.diagnostics();
  EXPECT_NE(node_->log().find("audit: tls://127.0.0.1:" + std::to_string(syslog_port) + " reached again"),
            std::string::npos) << node_->log();
  EXPECT_EQ(node_->stop(), 0);
  for (int i = 0; i < 50 && records.size() < 3; ++i) {
    std::this_thread::sleep_for(100ms);
    records = repository.records();
  }
  ASSERT_EQ(records.size(), 3u) << repository.diagnostics();
  const fs::path rng = audit_schema_rng(data_.path());
  std::vector<std::string> events;
  for (const std::string& record : records) {
    const std::string xml = xml_of_record(record);
    const RunResult check = validate_audit_message(rng, xml, data_ / "message.xml");
    EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << xml;
    events.push_back(event_id(xml));
  }
  // In the order they happened: start, the refusal, stop.
  EXPECT_EQ(events, (std::vector<std::string>{"110100", "110113", "110100"}));
}

}  // namespace
}  // namespace rtpof::testing
