#pragma once
// The cohort's figure (cohort.pdf and cohort.png): the V95 of every recurrence against the class
// thresholds, coloured by class, and per class the band (lowest to highest) and median of the
// recurrences' cumulative DVHs, dose in % of each patient's reference dose. Drawn with cairo; the same
// rows give the same bytes (the PDF carries a fixed creation date for that reason).
#include <filesystem>
#include <vector>

#include "cohort/patient_outcome.hpp"

namespace rtpof::cohort {

// What was drawn, for a test to hold against the table.
struct FigureRecord {
  std::size_t points = 0;          // recurrences drawn in the V95 panel
  std::vector<std::size_t> bands;  // recurrences in each class's DVH band (in-field, marginal, out-field)
};

// Writes `pdf` and `png`. Throws std::runtime_error naming the file cairo could not write.
FigureRecord write_cohort_figure(const std::vector<PatientOutcome>& outcomes, const std::filesystem::path& pdf,
                                 const std::filesystem::path& png);

}  // namespace rtpof::cohort
