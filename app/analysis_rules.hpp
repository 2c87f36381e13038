#pragma once
// What an analysis decides with, from the rules file: classification thresholds, the reference dose,
// ROI-name patterns and the matching rules. Shared by the node's jobs and `rtpof analyze --config`.
#include "app/case_folder.hpp"
#include "pipeline/case_analysis.hpp"
#include "rules/node_config.hpp"

namespace rtpof::app {

struct AnalysisRules {
  pipeline::ClassificationRules classification;
  FolderOptions options;
};

AnalysisRules analysis_rules_from(const rules::NodeConfig& config);
rules::MatchRules match_rules_from(const rules::NodeConfig& config);

}  // namespace rtpof::app
