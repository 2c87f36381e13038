#pragma once
// The dose at a point: trilinear interpolation of the RTDOSE grid (DESIGN.md). A point outside the
// grid's outermost voxel centres has no dose — never a silent zero.
#include "pipeline/dicomrt/dose_grid.hpp"

#include <optional>

namespace rtpof::pipeline {

class DoseSampler {
 public:
  explicit DoseSampler(const DoseGrid& grid);  // keeps a reference: the grid must outlive the sampler
  std::optional<double> at(Vec3 p) const;
  const DoseGrid& grid() const { return grid_; }

 private:
  const DoseGrid& grid_;
  double frame_step_ = 0;  // > 0 when the frames are evenly spaced
};

}  // namespace rtpof::pipeline
