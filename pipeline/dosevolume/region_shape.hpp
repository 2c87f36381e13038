#pragma once
// The solid an outline encloses (a contour stack or a segment's voxel mask), kept beside its quadrature
// points so that it can be cut again on another series' planes: the recurrence mapped onto the planning
// CT (outline_cut.hpp) and the report's slices. `contains` is the same inside test the sampler used.
#include "pipeline/dicomrt/segmentation.hpp"
#include "pipeline/dosevolume/contour_stack.hpp"
#include "pipeline/vec3.hpp"

#include <variant>

namespace rtpof::pipeline {

struct RegionShape {
  std::variant<ContourStack, SegmentMask> outline;

  // Inside by the even-odd rule on the slab holding p (a contour stack), or inside the voxel holding p
  // (a mask; voxel faces count as inside the voxel nearest to p).
  bool contains(Vec3 p) const;
};

}  // namespace rtpof::pipeline
