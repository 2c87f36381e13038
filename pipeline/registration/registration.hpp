#pragma once
// The MR -> planning CT transform an analysis uses, where it came from and how much to trust it.
// Convention (DESIGN.md): it maps MR patient coordinates (mm) to planning-CT patient coordinates (mm).
#include "pipeline/registration/rigid_transform.hpp"
#include "pipeline/dicomrt/spatial_registration.hpp"

#include <optional>
#include <string>

namespace rtpof::pipeline {

struct RegistrationQuality {
  double final_metric = 0;   // Mattes MI of the answer (negative; lower is better)
  unsigned iterations = 0;   // of the answer's last stage
  double seconds = 0;        // all runs together
  double spread_mm = 0;      // largest distance, at 8 points around the MR body, between the answer and
                             // the registrations restarted from it after a perturbation
  bool doubtful = false;
  std::string summary;       // one line for logs and reports
};

struct RegistrationChoice {
  RigidTransform mr_to_ct;
  std::string source;   // "REG" or "auto"
  std::string reg_uid;  // the Spatial Registration instance used, for "REG"
  std::optional<RegistrationQuality> quality;  // for "auto"
};

// The MR -> CT transform a REG gives: T = inverse(M_ct) * M_mr, each M mapping its frame into the REG's own
// (PS3.3 C.20.2), with M_ct the identity when the REG's frame is the CT's. Throws LoadError when the REG
// does not link the two frames, is deformable, or its matrix is not rigid.
RegistrationChoice mr_to_ct_from_reg(const SpatialRegistration& reg, const std::string& mr_frame,
                                     const std::string& ct_frame);

}  // namespace rtpof::pipeline
