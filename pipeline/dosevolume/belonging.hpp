#pragma once
// Whether a structure set and a dose may be combined: only within one Frame of Reference and for one
// patient (docs/architecture.md, "Plausibility before numbers"). Each problem names both instances and
// the figures that disagree; none means they belong together.
#include <string>
#include <vector>

#include "pipeline/dicomrt/dose_grid.hpp"
#include "pipeline/dicomrt/structure_set.hpp"

namespace rtpof::pipeline {

std::vector<std::string> why_not_together(const StructureSet& set, const std::string& structures_patient_id,
                                          const DoseGrid& dose, const std::string& dose_patient_id);

}  // namespace rtpof::pipeline
