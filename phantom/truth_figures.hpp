#pragma once
// Dose-volume figures of a region by fine quadrature of the planned dose as stored (trilinear), after
// moving the region's points into the planning frame: the phantom's independent answer.
#include <cstddef>
#include <optional>

#include "phantom/planned_dose.hpp"
#include "phantom/rigid_transform.hpp"
#include "phantom/truth_region.hpp"

namespace rtpof::phantom {

struct TruthFigures {
  double volume_cc = 0;     // exact for the representation (polygon area x slab, or voxel count)
  double coverage_pct = 0;  // share of the volume inside the dose grid; the dose figures describe that part
  double v95_pct = 0;       // percent of the volume receiving >= 95 % of the reference dose
  double d100_gy = 0, d98_gy = 0, d95_gy = 0, dmean_gy = 0, dmax_gy = 0;
  Point3 centroid_ct;       // planning-frame centroid of the region
  std::optional<double> centroid_dose_gy;
  double spacing_mm = 0;    // quadrature spacing used
  std::size_t points = 0;   // quadrature points used
};

// Spacing that gives about `points` quadrature points for a region of `volume_mm3`.
double spacing_for(double volume_mm3, double points);

TruthFigures measure_truth(const TruthRegion& region, const RigidTransform& to_ct, const PlannedDose& dose,
                           double reference_dose_gy, double spacing_mm);

}  // namespace rtpof::phantom
