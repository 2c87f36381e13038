#pragma once
// Doses a sampled region: each point moved into the dose grid's frame, interpolated there.
#include "pipeline/dosevolume/dose_distribution.hpp"
#include "pipeline/dosevolume/dose_sampler.hpp"
#include "pipeline/dosevolume/region_sampler.hpp"
#include "pipeline/registration/rigid_transform.hpp"

#include <vector>

namespace rtpof::pipeline {

// `to_dose_frame` maps the region's frame into the dose grid's (the identity for planning structures).
DoseDistribution dose_region(const SampledRegion& region, const DoseSampler& dose,
                             const RigidTransform& to_dose_frame = {});

// Percent of the region's volume receiving at least `gy` (of its covered part) at each of several
// placements (e.g. the borderline check's perturbations), in their order. One pass over the points: each
// point is dosed at every placement while it and the dose voxels around it are in cache (one pass per
// placement made the standard phantom's analysis 1.4 s instead of 1.1 s).
std::vector<double> percent_receiving(const SampledRegion& region, const DoseSampler& dose,
                                      const std::vector<RigidTransform>& to_dose_frames, double gy);

}  // namespace rtpof::pipeline
