#pragma once
// A binary mask on the voxels of an image series: what a DICOM SEG of the recurrence holds. A voxel is
// set when its centre lies inside the structure's contour on that slice.
#include <cstdint>
#include <vector>

#include "phantom/contours.hpp"
#include "phantom/slice_stack.hpp"

namespace rtpof::phantom {

struct VoxelMask {
  SliceStack geometry;
  std::vector<std::uint8_t> set;  // slice-major, then row, then column; 1 = inside

  static VoxelMask from_contours(const SliceStack& geometry, const std::vector<PlanarContour>& contours);
  bool at(int column, int row, int slice) const {
    return set[(static_cast<std::size_t>(slice) * geometry.rows + row) * geometry.columns + column] != 0;
  }
  bool slice_is_empty(int slice) const;
  std::size_t count() const;
};

}  // namespace rtpof::phantom
