#pragma once
// The XML of one audit message, valid against the DICOM Audit Message Schema (PS3.15 A.5.1;
// tests/audit/dicom-audit-message.rnc checks it), for the events of audit_events.hpp.
#include <chrono>
#include <string>

#include "audit/audit_events.hpp"

namespace rtpof::audit {

std::string audit_message_xml(const AuditEvent& event, const AuditSource& source,
                              std::chrono::system_clock::time_point when);

// A DICOM text value in its SpecificCharacterSet (empty: the default repertoire) as UTF-8, with the
// trailing padding removed. Bytes the character set cannot explain become U+FFFD, so a wrong charset
// still gives valid XML.
std::string dicom_text_to_utf8(const std::string& value, const std::string& specific_character_set);

}  // namespace rtpof::audit
