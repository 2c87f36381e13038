#include "jobs/analysis_rules.hpp"

namespace rtpof::jobs {

rules::MatchRules match_rules_from(const rules::NodeConfig& config) {
  rules::MatchRules rules;
  rules.several_doses = config.several_plan_doses == "latest" ? rules::MatchRules::SeveralDoses::latest
                        : config.several_plan_doses == "sum"  ? rules::MatchRules::SeveralDoses::sum
                                                              : rules::MatchRules::SeveralDoses::refuse;
  return rules;
}

AnalysisRules analysis_rules_from(const rules::NodeConfig& config) {
  AnalysisRules rules;
  rules.classification.in_field_min_v95_pct = config.in_field_min_v95_pct;
  rules.classification.marginal_min_v95_pct = config.marginal_min_v95_pct;
  if (config.reference_dose_gy > 0) rules.options.reference_dose_gy = config.reference_dose_gy;
  rules.options.dose_bounds = {config.min_max_to_reference, config.max_max_to_reference};
  rules.options.match = match_rules_from(config);
  rules.routing = rules::routing_rules_from(config);
  pipeline::RoiPatterns& patterns = rules.options.patterns;
  if (!config.recurrence_pattern.empty()) patterns.recurrence = config.recurrence_pattern;
  if (!config.ctv_pattern.empty()) patterns.ctv = config.ctv_pattern;
  if (!config.gtv_primary_pattern.empty()) patterns.gtv_primary = config.gtv_primary_pattern;
  if (!config.gtv_nodal_pattern.empty()) patterns.gtv_nodal = config.gtv_nodal_pattern;
  return rules;
}

}  // namespace rtpof::jobs
