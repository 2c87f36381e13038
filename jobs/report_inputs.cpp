#include "jobs/report_inputs.hpp"

#include "pipeline/dosevolume/dose_meaning.hpp"

#include <unistd.h>

#include <array>
#include <ctime>

#include "report/report_uid.hpp"

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

report::ReportContext report_context(const AssembledCase& folder, const report::ReportDevice& device,
                                       const report::ReportIdentity& identity) {
  report::ReportContext context;
  context.subject = folder.subject;
  context.device = device;
  context.identity = identity;
  context.evidence = folder.evidence;
  context.recurrence_object = folder.recurrence_object;
  context.registration = folder.registration;
  for (const pipeline::DoseInterpretation& dose : folder.dose_interpretations)
    context.dose_interpretation += (context.dose_interpretation.empty() ? "" : "; ") + pipeline::describe(dose);
  return context;
}

report::RegisteredFrames registered_frames(const AssembledCase& folder) {
  report::RegisteredFrames frames;
  frames.ct_frame_uid = folder.ct_frame_uid;
  frames.mr_frame_uid = folder.mr_frame_uid;
  for (const report::SourceInstance& source : folder.evidence) {
    if (source.modality == "CT") frames.ct_images.push_back(source);
    else if (source.modality == "MR") frames.mr_images.push_back(source);
  }
  return frames;
}

}  // namespace rtpof::jobs
