#pragma once
// An ROI as DESIGN.md's contour stack: each plane's closed contours, combined by the even-odd rule,
// extruded into a slab of +/- half the slice spacing of the series they were drawn on. No end-capping.
#include "pipeline/dicomrt/structure_set.hpp"
#include "pipeline/vec3.hpp"

#include <optional>
#include <vector>

namespace rtpof::pipeline {

struct Polygon2 {
  std::vector<double> u, v;  // vertices in the plane's own (u, v) coordinates (mm)
};

struct ContourPlane {
  double offset = 0;               // along the stack's normal (mm)
  std::vector<Polygon2> polygons;  // even-odd: a polygon inside another is a hole
};

struct ContourStack {
  Vec3 normal, u_axis, v_axis;  // orthonormal: u x v = normal
  double slab_mm = 0;           // thickness of every plane's slab
  std::vector<ContourPlane> planes;  // by increasing offset, one per distinct plane

  Vec3 point(double u, double v, double offset) const { return u * u_axis + v * v_axis + offset * normal; }
  // Inside by the even-odd rule on the plane whose slab holds p (slab faces included).
  bool contains(Vec3 p) const;
};

// The distance between the ROI's contour planes that occurs most often; empty with fewer than two planes.
std::optional<double> most_common_plane_spacing(const Roi& roi);

// Throws LoadError (naming the ROI) when the ROI's contours lie on non-parallel planes. An ROI
// without closed contours gives an empty stack.
ContourStack make_contour_stack(const Roi& roi, double slab_mm, const std::string& instance);

}  // namespace rtpof::pipeline
