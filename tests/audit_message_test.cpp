// The audit messages (audit/audit_message): each event rtpof reports is valid against the DICOM Audit
// Message Schema of PS3.15 A.5.1, checked by xmllint's RELAX NG validator on the standard's schema
// (trang converts its compact form); hostile text (markup, control characters, bytes that are not
// UTF-8) cannot break a message or forge an element; names in other character sets arrive as UTF-8;
// and a record has RFC 5424's header as IHE ITI-20 sends it.
#include <gtest/gtest.h>

#include <regex>

#include "audit/audit_message.hpp"
#include "audit/syslog_record.hpp"
#include "tests/support/audit_schema.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

using namespace rtpof::audit;

AuditSource source() { return {"RTPOF-SITE", "HOSPITAL", "RTPOF", "node1.example.org", 4242}; }

std::chrono::system_clock::time_point when() {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(1764930000123));  // 2025-12-05T10:20:00.123Z
}

class AuditMessage : public ::testing::Test {
 protected:
  void SetUp() override { rng_ = audit_schema_rng(dir_.path()); }
  void expect_valid(const AuditEvent& event, const std::string& what) {
    const std::string xml = audit_message_xml(event, source(), when());
    const RunResult check = validate_audit_message(rng_, xml, dir_ / "message.xml");
    EXPECT_EQ(check.exit_code, 0) << what << ":\n" << check.output << "\n" << xml;
  }
  TempDir dir_;
  std::filesystem::path rng_;
};

InstancesReceived received() {
  InstancesReceived e;
  e.source = {"PLANNING", "10.1.2.3"};
  e.destination = {"RTPOF", "node1.example.org"};
  e.action = 'C';
  e.some_refused = true;
  e.outcome_description = "3 stored, 0 identical copies, 0 corrections, 1 refused";
  e.studies.push_back({"1.2.3.4", "Head & Neck <planning>", {{"1.2.840.10008.5.1.4.1.1.2", 2},
                                                              {"1.2.840.10008.5.1.4.1.1.481.3", 1}}, {}});
  e.studies.push_back({"1.2.3.5", "", {{"1.2.840.10008.5.1.4.1.1.4", 1}}, {}});
  e.patients.push_back({"PID-1", "DOE^JANE"});
  return e;
}

TEST_F(AuditMessage, EveryEventIsValidAgainstTheSchemaOfPS3_15) {
  expect_valid(ApplicationActivity{true, "rtpof"}, "application start");
  expect_valid(ApplicationActivity{false, ""}, "application stop without a launcher");
  expect_valid(received(), "instances received");
  ReportExported exported;
  exported.source = {"RTPOF", "node1.example.org"};
  exported.destination = {"PACS", "pacs.example.org"};
  exported.study = {"1.2.3.4", "", {{"1.2.840.10008.5.1.4.1.1.88.22", 1}}, {"1.2.826.0.1.3680043.10.1.9"}};
  exported.patient = {"PID-1", ""};  // no name: the ID stands in, as the schema asks for one
  expect_valid(exported, "report exported");
  expect_valid(SecurityAlert{SecurityAlert::Kind::node_authentication, {"INTRUDER", "10.9.9.9"}, {"RTPOF", "node1"},
                             "called AE title \"WRONG\" is not this node's"},
               "node authentication");
  expect_valid(SecurityAlert{SecurityAlert::Kind::association_refused, {"", "10.9.9.9"}, {"", ""},
                             "too many associations"},
               "refusal of an unread request");
}

TEST_F(AuditMessage, TheValidatorRefusesAMessageTheSchemaDoesNotAllow) {
  // Without this, a validator that accepts everything would pass the test above.
  std::string xml = audit_message_xml(received(), source(), when());
  const auto start = xml.find("<AuditSourceIdentification");
  const auto end = xml.find("</AuditSourceIdentification>");
  ASSERT_NE(start, std::string::npos);
  xml.erase(start, end + std::string("</AuditSourceIdentification>").size() - start);
  EXPECT_NE(validate_audit_message(rng_, xml, dir_ / "broken.xml").exit_code, 0) << xml;
}

TEST_F(AuditMessage, HostileTextCannotBreakOrForgeAnElement) {
  InstancesReceived e = received();
  e.source.ae_title = "EVIL\"/><ActiveParticipant UserID=\"x";
  e.patients[0].name = std::string("A\x01\x1B[31mB\xFF\xC0\x80<C>&D");
  e.studies[0].description = "</ParticipantObjectName>";
  const std::string xml = audit_message_xml(e, source(), when());
  EXPECT_EQ(validate_audit_message(rng_, xml, dir_ / "hostile.xml").exit_code, 0) << xml;
  // Two participants, not three: the AE title stayed an attribute value.
  std::size_t participants = 0;
  for (auto at = xml.find("<ActiveParticipant "); at != std::string::npos; at = xml.find("<ActiveParticipant ", at + 1))
    ++participants;
  EXPECT_EQ(participants, 2u) << xml;
  EXPECT_EQ(xml.find('\x1B'), std::string::npos);
  EXPECT_NE(xml.find("A\xEF\xBF\xBD\xEF\xBF\xBD[31mB\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD&lt;C&gt;&amp;D"), std::string::npos)
      << xml;
}

TEST_F(AuditMessage, NamesInTheirCharacterSetArriveAsUtf8) {
  EXPECT_EQ(dicom_text_to_utf8("M\xFCller^J\xF6rg ", "ISO_IR 100"), "M\xC3\xBCller^J\xC3\xB6rg");
  EXPECT_EQ(dicom_text_to_utf8("M\xC3\xBCller", "ISO_IR 192"), "M\xC3\xBCller");
  EXPECT_EQ(dicom_text_to_utf8("DOE^JANE ", ""), "DOE^JANE");
}

TEST(AuditRecord, HasTheRfc5424HeaderOfIheIti20) {
  const std::string record = syslog_record("<AuditMessage/>", Severity::notice, "node1.example.org", 4242, when());
  EXPECT_TRUE(std::regex_match(record, std::regex("<85>1 2025-12-05T10:20:00\\.123000Z node1\\.example\\.org rtpof 4242 "
                                                  "IHE\\+RFC-3881 - \xEF\xBB\xBF<AuditMessage/>")))
      << record;
  // A host name with a space is not a valid HOSTNAME: the NILVALUE stands in.
  EXPECT_NE(syslog_record("x", Severity::warning, "bad host", 1, when()).find("<84>1 "), std::string::npos);
  EXPECT_NE(syslog_record("x", Severity::warning, "bad host", 1, when()).find("Z - rtpof 1 "), std::string::npos);
  EXPECT_EQ(octet_counted("abc"), "3 abc");
}

}  // namespace
}  // namespace rtpof::testing
