#pragma once
// What the cohort knows of one patient: its place in the cohort, the digest of its inputs and either the
// analysis (docs/interface.md's JSON, as `rtpof analyze --json` writes it and the node keeps it) or why
// it could not be analysed. Kept in the output folder's patients.json and, per inputs digest, in its cache.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cohort/patient_list.hpp"

namespace rtpof::cohort {

struct PatientOutcome {
  CohortPatient patient;
  std::string digest;                      // the inputs digest (the node's case digest for --data-dir)
  std::optional<nlohmann::json> analysis;  // set when analysed
  std::string error;                       // set when not
};

// The name the tables give the patient: the manifest's label, else the analysis' pseudonym, else
// (not analysed, no label) the folder.
std::string patient_name(const PatientOutcome& outcome);

nlohmann::json outcome_json(const PatientOutcome& outcome);
// Throws std::invalid_argument naming the field that is missing or of the wrong type.
PatientOutcome outcome_from_json(const nlohmann::json& json);

}  // namespace rtpof::cohort
