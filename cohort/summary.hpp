#pragma once
// summary.json and summary.md: the reference study's cohort figures from Table 2's rows. Counts and
// percentages per class; n, mean ± SD and range of each figure per class and overall; and, for every
// dosimetric column and every manifest column, the association test the study used (docs/cohort.md:
// which test when, and why). The unit is the recurrence: a patient with two recurrences gives two rows.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cohort/patient_outcome.hpp"
#include "cohort/table2.hpp"

namespace rtpof::cohort {

// Results below this are reported significant, as in the study.
inline constexpr double kSignificance = 0.05;
// Fisher's exact test replaces chi-square when an expected count is below this.
inline constexpr double kSmallestExpectedForChiSquare = 5.0;

nlohmann::json cohort_summary(const std::vector<PatientOutcome>& outcomes, const std::vector<Table2Row>& rows,
                              const std::vector<std::string>& clinical_columns);
std::string summary_markdown(const nlohmann::json& summary);

}  // namespace rtpof::cohort
