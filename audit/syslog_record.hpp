#pragma once
// One audit message as an RFC 5424 syslog record, as IHE ITI-20 (Record Audit Event) sends it:
// facility 10 (security/authorization), APP-NAME rtpof, MSGID IHE+RFC-3881, no structured data, and
// the message as UTF-8 XML after a byte order mark.
#include <chrono>
#include <string>

namespace rtpof::audit {

enum class Severity { warning = 4, notice = 5 };

std::string syslog_record(const std::string& message_xml, Severity severity, const std::string& host_name,
                          long process_id, std::chrono::system_clock::time_point when);

// UTC as RFC 3339 / xsd:dateTime with `fraction_digits` (3 or 6) decimals and a Z.
std::string utc_timestamp(std::chrono::system_clock::time_point when, int fraction_digits);

// RFC 5425's octet-counting frame for a TLS stream: the record's length in bytes, a space, the record.
std::string octet_counted(const std::string& record);

}  // namespace rtpof::audit
