#include "pipeline/dosevolume/region_shape.hpp"

#include <cmath>

namespace rtpof::pipeline {
namespace {

// The voxel whose centre is nearest along each axis: the sampler's voxels (region_sampler.cpp) are the
// same boxes, so a point is inside exactly when the sampler counted its voxel.
bool mask_contains(const SegmentMask& mask, Vec3 p) {
  if (mask.column_spacing <= 0 || mask.row_spacing <= 0 || mask.slice_spacing <= 0) return false;
  const Vec3 d = p - mask.origin;
  const double c = std::round(dot(d, mask.row_direction) / mask.column_spacing);
  const double r = std::round(dot(d, mask.column_direction) / mask.row_spacing);
  const double s = std::round(dot(d, mask.normal) / mask.slice_spacing);
  if (c < 0 || r < 0 || s < 0 || c >= static_cast<double>(mask.columns) || r >= static_cast<double>(mask.rows) ||
      s >= static_cast<double>(mask.slices))
    return false;
  const auto index = (static_cast<std::size_t>(s) * mask.rows + static_cast<std::size_t>(r)) * mask.columns +
                     static_cast<std::size_t>(c);
  return mask.inside[index] != 0;
}

}  // namespace

bool RegionShape::contains(Vec3 p) const {
  if (const auto* stack = std::get_if<ContourStack>(&outline)) return stack->contains(p);
  return mask_contains(std::get<SegmentMask>(outline), p);
}

}  // namespace rtpof::pipeline
