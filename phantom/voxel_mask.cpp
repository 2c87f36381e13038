#include "phantom/voxel_mask.hpp"

#include <algorithm>
#include <cmath>

namespace rtpof::phantom {

VoxelMask VoxelMask::from_contours(const SliceStack& g, const std::vector<PlanarContour>& contours) {
  VoxelMask mask{g, std::vector<std::uint8_t>(static_cast<std::size_t>(g.columns) * g.rows * g.slices, 0)};
  for (int k = 0; k < g.slices; ++k)
    for (const auto& contour : contours) {
      if (std::abs(contour.z - as_written(g.z(k))) > 1e-6) continue;
      for (int r = 0; r < g.rows; ++r)
        for (int c = 0; c < g.columns; ++c)
          if (contains(contour, g.x(c), g.y(r)))
            mask.set[(static_cast<std::size_t>(k) * g.rows + r) * g.columns + c] = 1;
    }
  return mask;
}

bool VoxelMask::slice_is_empty(int slice) const {
  const auto begin = set.begin() + static_cast<std::ptrdiff_t>(slice) * geometry.rows * geometry.columns;
  return std::none_of(begin, begin + geometry.rows * geometry.columns, [](std::uint8_t v) { return v != 0; });
}

std::size_t VoxelMask::count() const {
  return static_cast<std::size_t>(std::count(set.begin(), set.end(), std::uint8_t{1}));
}

}  // namespace rtpof::phantom
