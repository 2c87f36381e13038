#pragma once
// What an analysis decides with, from the rules file: classification thresholds, the reference dose,
// ROI-name patterns, the matching rules and where reports go. Shared by the node's jobs and `rtpof analyze --config`.
#include "jobs/case_assembly.hpp"
#include "pipeline/dosevolume/case_analysis.hpp"
#include "rules/node_config.hpp"
#include "rules/report_routing.hpp"

namespace rtpof::jobs {

struct AnalysisRules {
  pipeline::ClassificationRules classification;
  AssemblyOptions options;
  rules::RoutingRules routing;  // where a node job's report goes
};

AnalysisRules analysis_rules_from(const rules::NodeConfig& config);
rules::MatchRules match_rules_from(const rules::NodeConfig& config);

}  // namespace rtpof::jobs
