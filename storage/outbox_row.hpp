#pragma once
// A report rtpof wrote and its deliveries: one outbox row per destination, kept until the destination
// acknowledged it (sent) or rtpof gave up on it (dead, until `rtpof resend`). Not rebuildable from files,
// so a reindex keeps them, like cases and jobs.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace rtpof::storage {

struct ReportRecord {
  std::string sop_instance_uid, sop_class_uid, study_uid, series_uid;
  std::string patient;         // pseudonym
  std::string relative_path;   // below <data-dir>/reports
  std::string kind = "sr";     // one of report_kinds: what the object is to the physicist
};

// What a job writes, by the names the rules use: the SR; the recurrence on the planning CT (RTSTRUCT);
// the fusion (REG, automatic registrations only); the one-page report (Encapsulated PDF).
inline const std::vector<std::string>& report_kinds() {
  static const std::vector<std::string> kinds = {"sr", "rtstruct", "reg", "pdf"};
  return kinds;
}

struct DeliveryTarget {
  std::string ae_title, host;
  std::uint16_t port = 0;
  std::vector<std::string> kinds = {};  // the report kinds this destination gets; empty: all
  std::string label() const { return ae_title + "@" + host + ":" + std::to_string(port); }
  bool wants(const std::string& kind) const {
    return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
  }
};

struct OutboxRow {
  std::int64_t id = 0;
  std::int64_t report_id = 0;
  std::int64_t job_id = 0;
  ReportRecord report;
  DeliveryTarget destination;
  std::string state;  // pending, sent, dead
  int attempts = 0;
  std::string next_attempt_at;   // UTC ISO 8601; a pending row is due once this has passed
  std::string first_attempt_at;  // empty before the first attempt
  std::string last_status;       // the last attempt's outcome in words ("0xA700 out of resources", ...)
  std::string created_at, sent_at;
};

}  // namespace rtpof::storage
