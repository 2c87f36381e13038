#pragma once
// What a report needs besides the numbers, taken from the assembled case: its identity (a fresh UID, the
// rtpof series of the follow-up study) and its context (subject, evidence, registration, dose meaning).
// report/ writes it (a node job durably, `analyze --sr` plainly).
#include <string>

#include "jobs/case_assembly.hpp"
#include "pipeline/dosevolume/case_analysis.hpp"
#include "report/registration_writer.hpp"
#include "report/report_content.hpp"
#include "report/pdf_report.hpp"
#include "report/structure_set_writer.hpp"

namespace rtpof::jobs {

// The report's identity: a fresh SOP Instance UID, the rtpof series of the follow-up study, now.
report::ReportIdentity new_report_identity(const AssembledCase& folder, unsigned case_version);

report::ReportContext report_context(const AssembledCase& folder, const report::ReportDevice& device,
                                       const report::ReportIdentity& identity);

// The frames the registration links and the CT and MR images it references (from the evidence).
report::RegisteredFrames registered_frames(const AssembledCase& folder);

// The planning CT series the mapped RTSTRUCT lies on.
report::PlanningSeries planning_series(const AssembledCase& folder);

// What the mapped RTSTRUCT holds: each recurrence carried into the planning frame through the
// registration used and cut on the planning CT's slices (named "<ROI>_onCT"), then copies of the
// planning targets (CTVs, GTVs) as drawn. Throws std::runtime_error when a recurrence misses every slice.
std::vector<report::OutlinedRoi> planning_outlines(const AssembledCase& folder);

// The RTSTRUCT's description: what was mapped, from which object, through which registration.
std::string structure_set_description(const AssembledCase& folder);

// What the one-page report draws besides the figures: sections of the planning CT through the first
// recurrence's centroid, the registration and dose scaling in words, the pseudonym and study date.
report::ReportPage report_page(const AssembledCase& folder, const pipeline::CaseResult& result,
                               const std::string& pseudonym, const std::string& version);

}  // namespace rtpof::jobs
