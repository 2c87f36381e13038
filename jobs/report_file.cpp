#include "jobs/report_file.hpp"

#include "pipeline/dose_meaning.hpp"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <unistd.h>

#include <array>
#include <ctime>
#include <stdexcept>

#include "rtpof_version.hpp"
#include "report/report_uid.hpp"
#include "report/report_writer.hpp"

namespace rtpof::jobs {

report::ReportIdentity new_report_identity(const AssembledCase& folder, unsigned case_version) {
  report::ReportIdentity identity;
  identity.sop_instance_uid = report::random_uid();
  // Every rtpof report of a study lands in the same series, whichever node or version wrote it.
  identity.series_uid = report::name_based_uid("rtpof report series/" + folder.subject.study_uid);
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::array<char, 16> date{}, time{};
  std::strftime(date.data(), date.size(), "%Y%m%d", &local);
  std::strftime(time.data(), time.size(), "%H%M%S", &local);
  identity.content_date = date.data();
  identity.content_time = time.data();
  identity.instance_number = case_version;
  return identity;
}

report::ReportDevice report_device(const std::string& node_name) {
  report::ReportDevice device;
  device.uid = report::name_based_uid("rtpof device/" + node_name);
  device.version = rtpof::version;
  return device;
}

report::ReportContext report_context(const AssembledCase& folder, const report::ReportDevice& device,
                                       const report::ReportIdentity& identity) {
  report::ReportContext context;
  context.subject = folder.subject;
  context.device = device;
  context.identity = identity;
  context.evidence = folder.evidence;
  context.recurrence_object = folder.recurrence_object;
  context.planning_images = folder.ct_images;
  context.followup_images = folder.mr_images;
  context.registration = folder.registration;
  for (const pipeline::DoseInterpretation& dose : folder.dose_interpretations)
    context.dose_interpretation += (context.dose_interpretation.empty() ? "" : "; ") + pipeline::describe(dose);
  return context;
}

void write_report_file(const pipeline::CaseResult& result, const report::ReportContext& context,
                       const std::filesystem::path& file) {
  DcmFileFormat report;
  report::write_report(result, context, report);
  const OFCondition status = report.saveFile(file.c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) throw std::runtime_error("cannot write the report " + file.string() + ": " + status.text());
}

}  // namespace rtpof::jobs
