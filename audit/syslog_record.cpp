#include "audit/syslog_record.hpp"

#include <cstdio>
#include <ctime>

namespace rtpof::audit {
namespace {

// RFC 5424 6.2.4: HOSTNAME is 1 to 255 printable US-ASCII characters, else the NILVALUE.
std::string header_field(const std::string& value, std::size_t max_length) {
  if (value.empty() || value.size() > max_length) return "-";
  for (const unsigned char c : value)
    if (c < 33 || c > 126) return "-";
  return value;
}

}  // namespace

std::string syslog_record(const std::string& message_xml, Severity severity, const std::string& host_name,
                          long process_id, std::chrono::system_clock::time_point when) {
  constexpr int facility = 10;  // security/authorization messages
  std::string record = "<" + std::to_string(facility * 8 + static_cast<int>(severity)) + ">1 " +
                       utc_timestamp(when, 6) + " " + header_field(host_name, 255) + " rtpof " + std::to_string(process_id) +
                       " IHE+RFC-3881 - \xEF\xBB\xBF";
  record += message_xml;
  return record;
}

std::string utc_timestamp(std::chrono::system_clock::time_point when, int fraction_digits) {
  const auto since = when.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since).count();
  const long micros = static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(since).count() % 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  if (fraction_digits == 3)
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros / 1000);
  else
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
  return text;
}

std::string octet_counted(const std::string& record) { return std::to_string(record.size()) + " " + record; }

}  // namespace rtpof::audit
