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

// Percent of the region's volume receiving at least `gy` (of its covered part), for perturbed placements.
double percent_receiving(const SampledRegion& region, const DoseSampler& dose, const RigidTransform& to_dose_frame,
                         double gy);
// The same for several placements at once, in their order: one pass over the points, each point dosed at
// every placement while it and the dose voxels around it are in cache. Each figure equals the one-placement
// function's to the last bit (the same sums in the same order).
std::vector<double> percent_receiving(const SampledRegion& region, const DoseSampler& dose,
                                      const std::vector<RigidTransform>& to_dose_frames, double gy);

}  // namespace rtpof::pipeline
