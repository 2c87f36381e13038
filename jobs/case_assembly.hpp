#pragma once
// A case's objects turned into the analysis' inputs: the dose read against its plan, the structures as
// contour stacks, the images, the registration (the REG, else automatic), the report's subject and evidence.
// What belongs to the case is decided once, by rules::match_case: a node job assembles exactly the inputs
// its case row records (assemble_recorded_case); `rtpof analyze` matches a folder once and then assembles
// the same way (assemble_case).
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/dosevolume/dose_meaning.hpp"
#include "pipeline/registration/automatic_registration.hpp"
#include "pipeline/dosevolume/case_analysis.hpp"
#include "pipeline/dicomrt/dose_grid.hpp"
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/registration/registration.hpp"
#include "report/report_content.hpp"
#include "pipeline/dosevolume/roi_roles.hpp"
#include "jobs/case_roles.hpp"
#include "rules/case_matcher.hpp"

namespace rtpof::jobs {

// What a case lacks, one line per missing object; `rtpof analyze` exits 1 with it.
class IncompleteCase : public std::runtime_error {
 public:
  explicit IncompleteCase(const std::vector<std::string>& missing);
};

struct AssembledCase {
  std::string patient_id, issuer;
  pipeline::DoseGrid dose;
  std::vector<pipeline::DoseInterpretation> dose_interpretations;  // what each RTDOSE was read as
  pipeline::RegistrationChoice registration;
  pipeline::CaseInputs inputs;  // inputs.dose points at `dose`: keep the AssembledCase in place
  std::size_t skipped_files = 0;
  std::vector<std::string> notes;
  // What a report says about the case besides its numbers (strings in UTF-8).
  report::ReportSubject subject;                   // the follow-up study the report joins
  std::vector<report::SourceInstance> evidence;    // every instance the analysis read
  report::SourceInstance recurrence_object;        // the RTSTRUCT or SEG outlining the recurrences
  std::string ct_frame_uid, mr_frame_uid;          // the frames the registration links
  // The planning CT, for what is drawn or outlined on it (the mapped RTSTRUCT, the report's slices).
  pipeline::ImageVolume::Pointer planning_ct;
  std::vector<report::SourceInstance> planning_ct_slices;  // in the image's slice order
  report::ReportSubject planning_subject;                  // the planning CT's patient and study
};

struct AssemblyOptions {
  std::optional<double> reference_dose_gy;  // overrides the plan's highest target prescription
  pipeline::DosePlausibility dose_bounds;   // the course dose's maximum against the reference dose
  pipeline::RoiPatterns patterns;
  std::size_t points_per_structure = 1'000'000;
  pipeline::AutomaticRegistrationSettings registration;  // used when no REG links the frames
  rules::MatchRules match;  // which objects form the case (plan choice, several doses); assemble_case only
  // Told at the start of each stage ("reading 48 files", "registering MR to CT automatically"), so a
  // command can show progress through the long ones; empty: silent.
  std::function<void(const std::string&)> progress;
};

// A folder (or one file): every file read, the case matched once (options.match), then assembled from
// the match's roles. Throws IncompleteCase when an object of the chain is missing, pipeline::LoadError
// when one is broken.
void assemble_case(const std::filesystem::path& folder, const AssemblyOptions& options, AssembledCase& out);
// A node job: `files` are the recorded inputs' files and `roles` say which is which; nothing is matched
// again. Throws pipeline::LoadError for an unreadable file, std::runtime_error when a role's instance is
// not among the files.
void assemble_recorded_case(const CaseRoles& roles, const std::vector<std::filesystem::path>& files,
                            const AssemblyOptions& options, AssembledCase& out);

// Every regular file under `folder`, sorted.
std::vector<std::filesystem::path> files_under(const std::filesystem::path& folder);

}  // namespace rtpof::jobs
