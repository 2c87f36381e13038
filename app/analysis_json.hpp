#pragma once
// The analysis as shared/INTERFACE.md's JSON (`rtpof analyze --json`, and the result a node job keeps).
#include <nlohmann/json.hpp>

#include <string>

#include "app/case_folder.hpp"
#include "pipeline/case_analysis.hpp"

namespace rtpof::app {

// The `dose` block: what each RTDOSE was read as (summation type as stored, scaling applied, why).
nlohmann::json dose_json(const std::vector<pipeline::DoseInterpretation>& interpretations);

nlohmann::json analysis_json(const FolderCase& folder, const pipeline::CaseResult& result, const std::string& pseudonym);

}  // namespace rtpof::app
