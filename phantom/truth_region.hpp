#pragma once
// The regions whose dose the truth integrates, in the frame they were drawn in: a contour stack (each
// CLOSED_PLANAR polygon a slab of +/- half the slice spacing, docs/architecture.md) or a voxel mask (a SEG:
// each set voxel a box). Each region knows its exact volume, covers itself with weighted quadrature
// points whose weights sum to that volume exactly, and lists points on its boundary, where the extreme
// doses of a smooth field over a region usually lie.
//
// This is the phantom's own geometry, written apart from the pipeline on purpose: the truth must be an
// independent answer. It exploits what the phantom knows (one star-shaped polygon per plane) instead of
// rasterising general polygons.
#include <functional>
#include <vector>

#include "phantom/contours.hpp"
#include "phantom/point3.hpp"
#include "phantom/voxel_mask.hpp"

namespace rtpof::phantom {

using WeightedVisitor = std::function<void(const Point3& point, double weight_mm3)>;
using PointVisitor = std::function<void(const Point3& point)>;

class TruthRegion {
 public:
  virtual ~TruthRegion() = default;
  virtual double volume_mm3() const = 0;
  // Quadrature points about `spacing_mm` apart; their weights sum to volume_mm3().
  virtual void volume_points(double spacing_mm, const WeightedVisitor& visit) const = 0;
  virtual void boundary_points(double spacing_mm, const PointVisitor& visit) const = 0;
  // Closed: boundary points are inside.
  virtual bool contains(const Point3& p) const = 0;
};

class ContourStackRegion final : public TruthRegion {
 public:
  // Throws std::invalid_argument when two contours share a plane (the phantom never writes that).
  ContourStackRegion(std::vector<PlanarContour> contours, double slab_mm);
  double volume_mm3() const override;
  void volume_points(double spacing_mm, const WeightedVisitor& visit) const override;
  void boundary_points(double spacing_mm, const PointVisitor& visit) const override;
  bool contains(const Point3& p) const override;

 private:
  std::vector<PlanarContour> contours_;
  double slab_mm_;
};

class VoxelMaskRegion final : public TruthRegion {
 public:
  explicit VoxelMaskRegion(const VoxelMask& mask) : mask_(mask) {}
  double volume_mm3() const override;
  void volume_points(double spacing_mm, const WeightedVisitor& visit) const override;
  void boundary_points(double spacing_mm, const PointVisitor& visit) const override;
  bool contains(const Point3& p) const override;

 private:
  const VoxelMask& mask_;
};

}  // namespace rtpof::phantom
