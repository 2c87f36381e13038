#include "cohort/patient_outcome.hpp"

#include <stdexcept>

namespace rtpof::cohort {

using nlohmann::json;

std::string patient_name(const PatientOutcome& outcome) {
  if (!outcome.patient.label.empty()) return outcome.patient.label;
  if (outcome.analysis) {
    const json& patient = outcome.analysis->value("patient", json::object());
    if (patient.contains("pseudonym") && patient["pseudonym"].is_string()) return patient["pseudonym"].get<std::string>();
  }
  return outcome.patient.folder;
}

json outcome_json(const PatientOutcome& o) {
  return {{"index", o.patient.index},
          {"folder", o.patient.folder},
          {"label", o.patient.label},
          {"clinical", o.patient.clinical},
          {"digest", o.digest},
          {"analysis", o.analysis ? *o.analysis : json(nullptr)},
          {"error", o.error}};
}

PatientOutcome outcome_from_json(const json& j) {
  try {
    PatientOutcome o;
    o.patient.index = j.at("index").get<std::size_t>();
    o.patient.folder = j.at("folder").get<std::string>();
    o.patient.label = j.at("label").get<std::string>();
    o.patient.clinical = j.at("clinical").get<std::vector<std::string>>();
    o.digest = j.at("digest").get<std::string>();
    if (!j.at("analysis").is_null()) o.analysis = j.at("analysis");
    o.error = j.at("error").get<std::string>();
    if (!o.analysis && o.error.empty()) throw std::invalid_argument("neither an analysis nor an error");
    return o;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("a patient's record is malformed: ") + e.what());
  }
}

}  // namespace rtpof::cohort
