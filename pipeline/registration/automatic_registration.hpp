#pragma once
// MR -> CT rigid registration by ITK v4 when no Spatial Registration object came: Mattes mutual
// information, a versor rigid transform, centred initialisation on the two bodies' centres of mass,
// a three-level pyramid (jittered random samples; fixed steps, then quasi-Newton) then a quasi-Newton settle
// stage at the working resolution on MR voxel centres drawn mostly at edges, physical-shift parameter
// scales, stages that end when the transform stops moving (in mm at points around the head), a fixed seed
// (the same input gives the same answer). Its quality check restarts from the answer moved by a few
// degrees and millimetres: a true optimum is found again, a wrong pair's answers scatter.
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/registration/registration.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace rtpof::pipeline {

struct AutomaticRegistrationSettings {
  unsigned histogram_bins = 32;
  // Finer images are averaged down (BinShrink) to twice this for the pyramid, and the MR to this for the
  // settle stage, which reads the CT as it is.
  double working_voxel_mm = 1.0;
  double samples = 20000;           // metric samples per pyramid level and in the settle stage
  unsigned iterations = 300;        // per level, at most
  // The largest move of one step at each pyramid level, coarse to fine: the fixed step of the two coarse
  // levels, the largest quasi-Newton step of the last; and of the settle stage's quasi-Newton steps.
  std::array<double, 3> pyramid_steps_mm{2.0, 1.0, 1.0};
  double settle_step_mm = 0.2;
  // The check's restarts take the middle level in steps of this: they travel from 6 mm and 6 degrees
  // away, and the last level's quasi-Newton steps make them exact.
  double restart_middle_step_mm = 2.0;
  // A fixed-step level ends when it circles: the probes' mean position over the last circling_window
  // iterations within circling_fraction of a step of the mean over the window before.
  unsigned circling_window = 8;
  double circling_fraction = 0.5;
  // A quasi-Newton stage ends when it has settled: the same test, over settled_window iterations, within
  // settled_mm.
  unsigned settled_window = 3;
  double settled_mm = 0.02;
  // Where along z the coarsest level also starts, relative to the centred start (mm): the body's outline
  // does not tell z. The check's restarts do not search.
  std::vector<double> coarse_z_starts_mm{-16.0, 0.0, 16.0};
  int seed = 20261126;
  unsigned perturbed_starts = 2;       // extra registrations for the quality check
  double start_rotation_deg = 6;       // how far they start from the nominal one
  double start_translation_mm = 6;
  double doubtful_above_mm = 2.0;      // spread of the answers above which the registration is doubtful
  // Only MR voxels inside this box (MR patient coordinates, mm) count, e.g. the skull above the mandible:
  // neck anatomy changes between the scans. Empty: the whole MR.
  std::optional<std::array<double, 6>> mr_region;  // x0, y0, z0, x1, y1, z1
};

// `mr` is the fixed image (the metric is sampled over it), `ct` the moving one: ITK's transform then maps
// MR points to CT points, which is rtpof's convention as it is. The choice's source is "auto".
RegistrationChoice register_mr_to_ct(const ImageVolume& mr, const ImageVolume& ct,
                                        const AutomaticRegistrationSettings& settings = {});

}  // namespace rtpof::pipeline
