#include "app/log_fields.hpp"

#include <regex>

namespace rtpof::app {

std::vector<std::pair<std::string, std::string>> log_fields(const std::string& message) {
  // The event kinds, by the fixed start of their lines (jobs/job_runner, jobs/case_scheduler,
  // scp/dicom_listener, delivery/outbox_sender, app/serve_command).
  static const std::vector<std::pair<std::regex, const char*>> events = {
      {std::regex(R"(^job [0-9]+ \(patient [^)]*\) started)"), "job_started"},
      {std::regex(R"(^job [0-9]+ \(patient [^)]*\) done in )"), "job_done"},
      {std::regex(R"(^job [0-9]+ \(patient [^)]*\) failed)"), "job_failed"},
      {std::regex(R"(^job [0-9]+: report )"), "report_written"},
      {std::regex(R"(^patient p[0-9a-f]{16}: case complete)"), "case_complete"},
      {std::regex(R"(^association refused)"), "association_refused"},
      {std::regex(R"(^stats: )"), "stats"},
      {std::regex(R"(^listening: )"), "listening"},
      {std::regex(R"(^stopping on signal)"), "stopping"},
      {std::regex(R"(^rules (NOT )?reloaded)"), "reload"},
      {std::regex(R"(^cannot serve: )"), "cannot_serve"},
  };
  static const std::regex job(R"(^job ([0-9]+)\b)");
  static const std::regex patient(R"(\bpatient (p[0-9a-f]{16})\b)");
  static const std::regex miss_class(R"(\b(in-field|marginal|out-field) \(V95)");
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& [pattern, name] : events)
    if (std::regex_search(message, pattern)) {
      fields.emplace_back("RTPOF_EVENT", name);
      break;
    }
  std::smatch m;
  if (std::regex_search(message, m, job)) fields.emplace_back("RTPOF_JOB", m[1].str());
  if (std::regex_search(message, m, patient)) fields.emplace_back("RTPOF_PATIENT", m[1].str());
  if (std::regex_search(message, m, miss_class)) fields.emplace_back("RTPOF_CLASS", m[1].str());
  return fields;
}

}  // namespace rtpof::app
