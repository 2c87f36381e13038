#pragma once
// The analysis as docs/interface.md's JSON (`rtpof analyze --json`, and the result a node job keeps).
#include <nlohmann/json.hpp>

#include <string>

#include "jobs/case_assembly.hpp"
#include "pipeline/dosevolume/case_analysis.hpp"

namespace rtpof::jobs {

// The `dose` block: what each RTDOSE was read as (summation type as stored, scaling applied, why).
nlohmann::json dose_json(const std::vector<pipeline::DoseInterpretation>& interpretations);

nlohmann::json analysis_json(const AssembledCase& folder, const pipeline::CaseResult& result, const std::string& pseudonym);

}  // namespace rtpof::jobs
