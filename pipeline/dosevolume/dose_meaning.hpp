#pragma once
// What a dose grid means, decided in one place for `dvh`, `analyze` and the node's jobs
// (docs/analysis.md, "What a dose grid means"). DoseSummationType FRACTION is checked against the plan:
// Philips Pinnacle labels grids that already hold the whole course FRACTION, and multiplying those by
// the plan's fractions gives doses 35 times too high that still look like numbers. Whatever is decided
// is recorded, so that every output can say what was assumed.
#include <optional>
#include <string>
#include <vector>

#include "pipeline/dicomrt/dose_grid.hpp"

namespace rtpof::pipeline {

struct DoseInterpretation {
  std::string rtdose_uid;
  std::string stored_summation_type;  // as the RTDOSE says
  double scaling = 1;                 // applied to the stored values (after DoseGridScaling)
  bool per_fraction = false;          // the figures are of one fraction: no plan and no fraction count
  std::string reason;                 // why this scaling, with the figures that decided it
  std::vector<std::string> warnings;  // what an operator must hear about (a label not applied)
};

struct CourseDose {
  DoseGrid grid;
  DoseInterpretation interpretation;
};

// PLAN and MULTI_PLAN are the course. FRACTION: with a plan, its grid maximum is compared with the
// plan's dose per fraction (Σ BeamDose of the fraction group, else the highest target prescription ÷
// fractions) and with the course (× NumberOfFractionsPlanned); the grid is read as whichever it is
// near, and refused (LoadError, both figures named) when it is near neither. Without a plan,
// `fractions` (dvh --fractions) scales it; without either it stays per fraction (`per_fraction`).
// Other summation types (BEAM, BRACHY, RECORD…) are refused with the reason.
CourseDose decide_course_dose(DoseGrid grid, const RtPlan* plan, std::optional<int> fractions = std::nullopt);

// Bounds on the course dose's maximum as a multiple of the reference dose: outside them, the dose and
// the prescription do not describe the same treatment (a wrong scaling, the wrong plan).
struct DosePlausibility {
  double min_max_to_reference = 0.5;
  double max_max_to_reference = 1.5;
};

// Throws LoadError naming the grid's maximum, the reference dose, its source and the bounds.
void check_dose_plausibility(const DoseGrid& course, double reference_gy, const std::string& reference_source,
                             const DosePlausibility& bounds);

// One line for logs and text output: "RTDOSE 1.2.3 FRACTION, read as the course dose (×1): …".
std::string describe(const DoseInterpretation& interpretation);

}  // namespace rtpof::pipeline
