// rtpof results: the current result of every case the node analysed, in the cohort's Table 2 columns
// (CSV) or as the analyses themselves (JSON), for operators and for scripts.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/node_results.hpp"
#include "app/node_settings.hpp"
#include "cohort/table2.hpp"

namespace rtpof::app {

int results_command(const Arguments& args) {
  std::set<std::string> flags = data_dir_flags;
  const CommandLine cl(args, flags, {"--csv", "--json", "--all-versions"});
  if (!cl.positionals().empty()) throw UsageError("results takes no folder: rtpof results [--data-dir DIR] [--csv|--json]");
  if (cl.has("--csv") && cl.has("--json")) throw UsageError("give --csv or --json, not both");
  const rules::NodeConfig config = node_config_from(cl);
  const std::vector<NodeResult> results = node_results(config.data_dir, cl.has("--all-versions"), false);
  if (cl.has("--json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const NodeResult& r : results)
      out.push_back({{"patient", r.outcome.patient.label}, {"job", r.job}, {"case_version", r.case_version},
                     {"superseded", r.superseded}, {"finished_at", r.finished_at}, {"analysis", *r.outcome.analysis}});
    std::cout << out.dump(1) << "\n";
    return 0;
  }
  // Table 2's columns, then which version of the case each row comes from.
  std::vector<cohort::PatientOutcome> outcomes;
  for (const NodeResult& r : results) {
    cohort::PatientOutcome o = r.outcome;
    o.patient.clinical = {std::to_string(r.case_version), r.superseded ? "yes" : "no", r.finished_at};
    outcomes.push_back(o);
  }
  const std::vector<std::string> columns = {"case_version", "superseded", "finished_at"};
  std::cout << cohort::table2_csv(cohort::table2_rows(outcomes), columns);
  return 0;
}

}  // namespace rtpof::app
