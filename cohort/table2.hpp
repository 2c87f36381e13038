#pragma once
// The reference study's Table 2, one row per recurrence, from the patients' analyses: its columns in its
// order, then what a reader needs to trust a row (docs/cohort.md lists them). Every figure is rounded to
// 0.01 once, here; the CSV prints exactly that value and the summary's statistics are computed on it, so
// a reader recomputing them from table2.csv gets the same numbers.
#include <optional>
#include <string>
#include <vector>

#include "cohort/patient_outcome.hpp"

namespace rtpof::cohort {

struct Table2Row {
  std::string patient;
  std::optional<double> gtv_p_cc, gtv_n_cc, ctv_high_d98_gy, ctv_intermediate_d95_gy, ctv_low_d95_gy;
  double recurrence_volume_cc = 0, v95_pct = 0, d100_gy = 0;
  std::string miss_class;  // in-field, marginal, out-field
  std::string recurrence_roi;
  double d95_gy = 0, d98_gy = 0, dmean_gy = 0;
  bool borderline = false;
  std::string registration_source, registration_quality, dose_scaling;
  double reference_dose_gy = 0;
  std::vector<std::string> clinical;
};

// The header: the study's ten columns, the extra ones, then the clinical columns.
std::vector<std::string> table2_header(const std::vector<std::string>& clinical_columns);
// The rows of every analysed patient, in the outcomes' order, recurrences in the analysis' order.
// Throws std::invalid_argument naming the patient whose analysis lacks a figure.
std::vector<Table2Row> table2_rows(const std::vector<PatientOutcome>& outcomes);
std::string table2_csv(const std::vector<Table2Row>& rows, const std::vector<std::string>& clinical_columns);
// folder,patient,reason for every patient not analysed.
std::string errors_csv(const std::vector<PatientOutcome>& outcomes);

// A figure as the table prints it: rounded to 0.01, "%.2f".
double to_hundredths(double value);
std::string hundredths_text(double value);

}  // namespace rtpof::cohort
