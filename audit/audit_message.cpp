#include "audit/audit_message.hpp"


#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcspchrs.h>
#include <dcmtk/ofstd/ofchrenc.h>

#include <type_traits>

#include "audit/syslog_record.hpp"

namespace rtpof::audit {
namespace {

// Appends `text` as XML character data or attribute value: markup characters escaped, and what XML
// 1.0 cannot carry (control characters, malformed UTF-8) replaced by U+FFFD, so that a hostile AE
// title or name can neither break the message nor forge elements.
void append_escaped(std::string& out, const std::string& text) {
  static const char* const replacement = "\xEF\xBF\xBD";
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        case '\t': out += "&#9;"; break;
        case '\n': out += "&#10;"; break;
        case '\r': out += "&#13;"; break;
        default:
          if (c < 0x20 || c == 0x7F) out += replacement;
          else out += static_cast<char>(c);
      }
      ++p;
      continue;
    }
    // A well-formed UTF-8 sequence of 2 to 4 bytes, no overlong forms, no surrogates.
    int length = 0;
    unsigned code = 0;
    if (c >= 0xC2 && c <= 0xDF) length = 2, code = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) length = 3, code = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) length = 4, code = c & 0x07;
    bool valid = length > 0 && end - p >= length;
    for (int i = 1; valid && i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) valid = false;
      else code = (code << 6) | (p[i] & 0x3F);
    }
    if (valid && ((length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF) || code >= 0xFFFE)) ||
                  (length == 4 && (code < 0x10000 || code > 0x10FFFF))))
      valid = false;
    if (!valid) {
      out += replacement;
      ++p;
      continue;
    }
    out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(length));
    p += length;
  }
}

bool is_ip_address(const std::string& address) {
  if (address.empty()) return false;
  if (address.find(':') != std::string::npos) return true;  // IPv6
  return address.find_first_not_of("0123456789.") == std::string::npos;
}

// A small writer: elements with attributes, in the order the schema asks for.
class Xml {
 public:
  Xml& open(const char* name) {
    close_start_tag();
    out_ += '<';
    out_ += name;
    stack_.push_back(name);
    in_start_tag_ = true;
    return *this;
  }
  Xml& attr(const char* name, const std::string& value) {
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    append_escaped(out_, value);
    out_ += '"';
    return *this;
  }
  Xml& text(const std::string& value) {
    close_start_tag();
    append_escaped(out_, value);
    return *this;
  }
  Xml& close() {
    if (in_start_tag_) {
      out_ += "/>";
      in_start_tag_ = false;
    } else {
      out_ += "</";
      out_ += stack_.back();
      out_ += '>';
    }
    stack_.pop_back();
    return *this;
  }
  // An element of the schema's CodedValueType.
  Xml& code(const char* element, const std::string& code, const std::string& system, const std::string& meaning) {
    return open(element).attr("csd-code", code).attr("codeSystemName", system).attr("originalText", meaning).close();
  }
  std::string finish() {
    while (!stack_.empty()) close();
    return std::move(out_);
  }

 private:
  void close_start_tag() {
    if (in_start_tag_) out_ += '>';
    in_start_tag_ = false;
  }
  std::string out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  std::vector<const char*> stack_;
  bool in_start_tag_ = false;
};

void event_identification(Xml& x, const std::string& id, const std::string& id_meaning, char action,
                          std::chrono::system_clock::time_point when, bool minor_failure,
                          const std::string& type_code = "", const std::string& type_system = "",
                          const std::string& type_meaning = "", const std::string& outcome_description = "") {
  x.open("EventIdentification")
      .attr("EventActionCode", std::string(1, action))
      .attr("EventDateTime", utc_timestamp(when, 3))
      .attr("EventOutcomeIndicator", minor_failure ? "4" : "0");
  x.code("EventID", id, "DCM", id_meaning);
  if (!type_code.empty()) x.code("EventTypeCode", type_code, type_system, type_meaning);
  if (!outcome_description.empty()) x.open("EventOutcomeDescription").text(outcome_description).close();
  x.close();
}

// An application entity in the event. `role` is a DCM code (110150 Application, 110152 Destination,
// 110153 Source) or empty.
void participant(Xml& x, const std::string& user_id, const std::string& alternative_id, bool requestor,
                 const std::string& address, const std::string& role = "", const std::string& role_meaning = "") {
  x.open("ActiveParticipant").attr("UserID", user_id.empty() ? std::string("unknown") : user_id);
  if (!alternative_id.empty()) x.attr("AlternativeUserID", alternative_id);
  x.attr("UserIsRequestor", requestor ? "true" : "false");
  if (!address.empty())
    x.attr("NetworkAccessPointID", address).attr("NetworkAccessPointTypeCode", is_ip_address(address) ? "2" : "1");
  if (!role.empty()) x.code("RoleIDCode", role, "DCM", role_meaning);
  x.close();
}

// rtpof itself; AlternativeUserID is its process ID (PS3.15 A.5.2.1).
void rtpof_participant(Xml& x, const AuditSource& source, bool requestor, const std::string& role = "",
                       const std::string& role_meaning = "") {
  participant(x, source.ae_title, std::to_string(source.process_id), requestor, source.host_name, role, role_meaning);
}

void audit_source(Xml& x, const AuditSource& source) {
  x.open("AuditSourceIdentification");
  if (!source.enterprise_site.empty()) x.attr("AuditEnterpriseSiteID", source.enterprise_site);
  x.attr("AuditSourceID", source.source_id);
  x.open("AuditSourceTypeCode").attr("csd-code", "4").close();  // application server process
  x.close();
}

// Opens a ParticipantObjectIdentification and writes its ID type and name, which the schema wants
// first; the caller adds what follows and closes it.
void open_object(Xml& x, const std::string& id, const char* type, const char* role, const std::string& id_type,
                 const std::string& id_system, const std::string& id_meaning, const std::string& name) {
  x.open("ParticipantObjectIdentification")
      .attr("ParticipantObjectID", id)
      .attr("ParticipantObjectTypeCode", type)
      .attr("ParticipantObjectTypeCodeRole", role);
  x.code("ParticipantObjectIDTypeCode", id_type, id_system, id_meaning);
  x.open("ParticipantObjectName").text(name).close();
}

// A study: a system object in the role of a report (PS3.15 A.5.3). The schema asks for a name (or a
// query); a study's is its description, else its UID.
void study_object(Xml& x, const StudyObject& study) {
  open_object(x, study.study_uid, "2", "3", "110180", "DCM", "Study Instance UID",
              study.description.empty() ? study.study_uid : study.description);
  x.open("ParticipantObjectDescription");
  for (const auto& [sop_class, count] : study.instances_by_sop_class) {
    x.open("SOPClass").attr("UID", sop_class).attr("NumberOfInstances", std::to_string(count));
    for (const auto& uid : study.instance_uids) x.open("Instance").attr("UID", uid).close();
    x.close();
  }
  x.close();
  x.close();
}

// A patient: a person in the role of patient, by Patient ID; without a name, the ID stands in.
void patient_object(Xml& x, const PatientObject& patient) {
  open_object(x, patient.id, "1", "1", "2", "RFC-3881", "Patient Number", patient.name.empty() ? patient.id : patient.name);
  x.close();
}

}  // namespace

std::string audit_message_xml(const AuditEvent& event, const AuditSource& source,
                              std::chrono::system_clock::time_point when) {
  Xml x;
  x.open("AuditMessage");
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ApplicationActivity>) {
          event_identification(x, "110100", "Application Activity", 'E', when, false, e.started ? "110120" : "110121",
                               "DCM", e.started ? "Application Start" : "Application Stop");
          rtpof_participant(x, source, false, "110150", "Application");
          if (!e.launcher.empty()) participant(x, e.launcher, "", true, "", "110151", "Application Launcher");
          audit_source(x, source);
        } else if constexpr (std::is_same_v<T, InstancesReceived>) {
          event_identification(x, "110104", "DICOM Instances Transferred", e.action, when, e.some_refused, "", "", "",
                               e.outcome_description);
          participant(x, e.source.ae_title, "", true, e.source.address, "110153", "Source Role ID");
          participant(x, e.destination.ae_title, std::to_string(source.process_id), false, e.destination.address,
                      "110152", "Destination Role ID");
          audit_source(x, source);
          for (const auto& study : e.studies) study_object(x, study);
          for (const auto& patient : e.patients) patient_object(x, patient);
        } else if constexpr (std::is_same_v<T, ReportExported>) {
          event_identification(x, "110106", "Export", 'R', when, false);
          participant(x, e.source.ae_title, std::to_string(source.process_id), true, e.source.address, "110153",
                      "Source Role ID");
          participant(x, e.destination.ae_title, "", false, e.destination.address, "110152", "Destination Role ID");
          audit_source(x, source);
          study_object(x, e.study);
          patient_object(x, e.patient);
        } else {
          const bool authentication = e.kind == SecurityAlert::Kind::node_authentication;
          // CID 403 has no code for a refused association; rtpof names it with a code of its own.
          event_identification(x, "110113", "Security Alert", 'E', when, true, authentication ? "110126" : "ASSOC-REFUSED",
                               authentication ? "DCM" : "99RTPOF",
                               authentication ? "Node Authentication" : "Association Refused", e.reason);
          participant(x, e.requestor.ae_title.empty() ? e.requestor.address : e.requestor.ae_title, "", true,
                      e.requestor.address);
          participant(x, e.node.ae_title, std::to_string(source.process_id), false, e.node.address);
          audit_source(x, source);
        }
      },
      event);
  return x.finish();
}

std::string dicom_text_to_utf8(const std::string& value, const std::string& specific_character_set) {
  std::string text = value;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  const auto is_ascii = [](const std::string& s) {
    for (const unsigned char c : s)
      if (c >= 0x80) return false;
    return true;
  };
  if (is_ascii(text)) return text;
  DcmSpecificCharacterSet converter;
  OFString converted;
  // Illegal sequences are discarded where the converter can (iconv); where it cannot, a failed
  // conversion leaves the bytes to the XML writer.
  if (converter.selectCharacterSet(specific_character_set.c_str()).good()) {
    (void)converter.setConversionFlags(OFCharacterEncoding::DiscardIllegalSequences);
    if (converter.convertString(OFString(text.data(), text.size()), converted, "^=").good())
      return std::string(converted.c_str(), converted.length());
  }
  return text;  // the XML writer replaces what is not UTF-8
}

}  // namespace rtpof::audit
