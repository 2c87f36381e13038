#pragma once
// One patient's folder (plan/ and followup/, or flat) turned into the analysis' inputs: which dose,
// plan, structure sets, series and registration belong together, found by their references and frames.
// Until the node's matcher exists (issue 7) this is the offline assembly `rtpof analyze` uses.
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/dose_meaning.hpp"
#include "pipeline/automatic_registration.hpp"
#include "pipeline/case_analysis.hpp"
#include "pipeline/dose_grid.hpp"
#include "pipeline/registration.hpp"
#include "pipeline/report_content.hpp"
#include "pipeline/roi_roles.hpp"
#include "rules/case_matcher.hpp"

namespace rtpof::app {

// What a case lacks, one line per missing object; `rtpof analyze` exits 1 with it.
class IncompleteCase : public std::runtime_error {
 public:
  explicit IncompleteCase(const std::vector<std::string>& missing);
};

struct FolderCase {
  std::string patient_id, issuer;
  pipeline::DoseGrid dose;
  std::vector<pipeline::DoseInterpretation> dose_interpretations;  // what each RTDOSE was read as
  pipeline::RegistrationChoice registration;
  pipeline::CaseInputs inputs;  // inputs.dose points at `dose`: keep the FolderCase in place
  std::size_t skipped_files = 0;
  std::vector<std::string> notes;
  // What a report says about the case besides its numbers (strings in UTF-8).
  pipeline::ReportSubject subject;                   // the follow-up study the report joins
  std::vector<pipeline::SourceInstance> evidence;    // every instance the analysis read
  pipeline::SourceInstance recurrence_object;        // the RTSTRUCT or SEG outlining the recurrences
  std::vector<pipeline::SourceInstance> ct_images, mr_images;
};

struct FolderOptions {
  std::optional<double> reference_dose_gy;  // overrides the plan's highest target prescription
  pipeline::DosePlausibility dose_bounds;   // the course dose's maximum against the reference dose
  pipeline::RoiPatterns patterns;
  std::size_t points_per_structure = 1'000'000;
  pipeline::AutomaticRegistrationSettings registration;  // used when no REG links the frames
  rules::MatchRules match;  // which objects form the case (plan choice, several doses)
};

// Throws IncompleteCase when an object of the chain is missing, pipeline::LoadError when one is broken.
void assemble_case(const std::filesystem::path& folder, const FolderOptions& options, FolderCase& out);
// The same from a list of files (a node job's inputs, from the store).
void assemble_case(const std::vector<std::filesystem::path>& files, const FolderOptions& options, FolderCase& out);

// Every regular file under `folder`, sorted.
std::vector<std::filesystem::path> files_under(const std::filesystem::path& folder);

}  // namespace rtpof::app
