#pragma once
// The dose at a point: trilinear interpolation of the RTDOSE grid (DESIGN.md). A point outside the
// grid's outermost voxel centres has no dose — never a silent zero.
#include "pipeline/dicomrt/dose_grid.hpp"
#include "pipeline/registration/rigid_transform.hpp"

#include <optional>

namespace rtpof::pipeline {

class DoseSampler {
 public:
  explicit DoseSampler(const DoseGrid& grid);  // keeps a reference: the grid must outlive the sampler
  std::optional<double> at(Vec3 p) const;
  const DoseGrid& grid() const { return grid_; }

  // at(to_grid_frame.apply(p)) for the many points of a region: the transform and the grid's geometry
  // folded into one affine map to continuous grid indices, so that a point costs one matrix product
  // and the interpolation (a region's borderline placements evaluate it ten million times).
  class Mapped {
   public:
    std::optional<double> at(Vec3 p) const;

   private:
    friend class DoseSampler;
    Mapped(const DoseSampler& sampler, const RigidTransform& to_grid_frame);
    const DoseSampler& sampler_;
    RigidTransform to_grid_frame_;  // for unevenly spaced frames, which take the general path
    double index_[12] = {};         // rows: column, row and frame index as affine functions of p
  };
  Mapped mapped(const RigidTransform& to_grid_frame) const { return Mapped(*this, to_grid_frame); }

 private:
  std::optional<double> interpolate(double column, double row, double frame) const;  // evenly spaced frames
  const DoseGrid& grid_;
  double frame_step_ = 0;  // > 0 when the frames are evenly spaced
};

}  // namespace rtpof::pipeline
