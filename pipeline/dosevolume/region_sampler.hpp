#pragma once
// A region (contour stack or voxel mask) turned into weighted quadrature points, laid out in the
// region's own geometry so that the result does not depend on where any dose grid sits. Boundary points
// are kept apart: the extremes (D100, Dmax) are reached on the surface, where interior points never are.
#include "pipeline/dosevolume/contour_stack.hpp"
#include "pipeline/dicomrt/segmentation.hpp"
#include "pipeline/vec3.hpp"

#include <cstddef>
#include <vector>

namespace rtpof::pipeline {

struct SampledRegion {
  std::vector<Vec3> points;     // in the region's own frame of reference
  std::vector<double> weights;  // mm3; they sum to volume_mm3
  std::vector<Vec3> boundary;   // on the surface (slab faces and sides, or mask voxel faces)
  double volume_mm3 = 0;
  double spacing_mm = 0;        // in-plane quadrature spacing used
};

// Points for a contour stack: each plane is scanned in rows of spacing h; along each row the exact
// even-odd intervals are split into pieces of at most h; the slab is split into layers of at most h.
// h is chosen for about `target_points` points, between 0.05 and 2 mm.
SampledRegion sample_region(const ContourStack& stack, std::size_t target_points = 1'000'000);

// The volume sample_region(stack, target_points) gives, without its points (for volumes alone).
double region_volume_mm3(const ContourStack& stack, std::size_t target_points = 1'000'000);

// Points for a voxel mask: k x k x k per voxel (k from the target), exact voxel volume.
SampledRegion sample_region(const SegmentMask& mask, std::size_t target_points = 1'000'000);

}  // namespace rtpof::pipeline
