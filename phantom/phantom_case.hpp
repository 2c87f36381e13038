#pragma once
// The phantom's clinical scenarios: where the recurrence grew relative to the planned dose, and how the
// follow-up MR sits relative to the planning CT. Positions were placed so that each case lands where
// its name says (truth.json computes the actual figures; tests check the bands).
#include <string>
#include <vector>

#include "phantom/contours.hpp"
#include "phantom/point3.hpp"

namespace rtpof::phantom {

struct RecurrenceSpec {
  std::string roi_name;        // as a radiologist would name it on the follow-up MR
  std::string site;            // "local" (nasopharynx / skull base) or "nodal" (neck)
  Point3 centre_ct;            // where it lies in the planning CT frame (mm)
  Point3 semi_axes_mm;         // along the MR frame's axes
  double lobulation = 0.12;    // irregularity of its outline
  std::string intended_class;  // what the case was designed to show
};

struct CaseSpec {
  std::string name;
  std::string description;
  double rotation_deg[3] = {0, 0, 0};  // MR -> CT rotation about x, y, z (RigidTransform::from_angles)
  Point3 translation_mm;               // MR -> CT translation
  std::vector<RecurrenceSpec> recurrences;
};

const std::vector<CaseSpec>& phantom_cases();
// Throws std::invalid_argument listing the known names when `name` is not one of them.
const CaseSpec& find_case(const std::string& name);

// The recurrence's shape in the MR frame, where it is contoured: an ellipsoid centred on the MR image
// of its planning-frame centre. The outline's phase is fixed, not seeded: a seed changes identities and
// noise, never a case's figures.
LobulatedEllipsoid recurrence_shape_in_mr(const RecurrenceSpec& recurrence, const Point3& centre_mr);

}  // namespace rtpof::phantom
