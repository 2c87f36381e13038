#include "pipeline/dosevolume/contour_stack.hpp"

#include "pipeline/dicomrt/load_error.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace rtpof::pipeline {
namespace {

// Contours whose planes differ by less than this share a plane (coordinates are DS-rounded).
constexpr double kPlaneTolerance = 0.01;

bool inside_even_odd(const std::vector<Polygon2>& polygons, double u, double v) {
  bool inside = false;
  for (const Polygon2& polygon : polygons) {
    const std::size_t n = polygon.u.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
      const double vi = polygon.v[i], vj = polygon.v[j];
      if ((vi > v) != (vj > v)) {
        const double cross_u = polygon.u[j] + (v - vj) / (vi - vj) * (polygon.u[i] - polygon.u[j]);
        if (u < cross_u) inside = !inside;
      }
    }
  }
  return inside;
}

}  // namespace

bool ContourStack::contains(Vec3 p) const {
  const double offset = dot(p, normal);
  const double half = slab_mm / 2 + 1e-9;
  // Planes are sorted: the candidate is the nearest one.
  auto it = std::lower_bound(planes.begin(), planes.end(), offset,
                             [](const ContourPlane& plane, double value) { return plane.offset < value; });
  const ContourPlane* nearest = nullptr;
  for (auto candidate : {it, it == planes.begin() ? planes.end() : std::prev(it)})
    if (candidate != planes.end() && std::abs(candidate->offset - offset) <= half &&
        (!nearest || std::abs(candidate->offset - offset) < std::abs(nearest->offset - offset)))
      nearest = &*candidate;
  return nearest && inside_even_odd(nearest->polygons, dot(p, u_axis), dot(p, v_axis));
}

std::optional<double> most_common_plane_spacing(const Roi& roi) {
  std::vector<double> offsets;
  for (const PlanarContour& c : roi.contours) offsets.push_back(c.plane_offset);
  std::sort(offsets.begin(), offsets.end());
  std::map<long, int> counts;  // steps rounded to 0.01 mm
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    const double step = offsets[i] - offsets[i - 1];
    if (step > kPlaneTolerance) ++counts[std::lround(step * 100)];
  }
  if (counts.empty()) return std::nullopt;
  const auto best = std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first > b.first);
  });
  return best->first / 100.0;
}

ContourStack make_contour_stack(const Roi& roi, double slab_mm, const std::string& instance) {
  ContourStack stack;
  stack.slab_mm = slab_mm;
  if (roi.contours.empty()) return stack;
  stack.normal = roi.contours.front().normal;
  // In-plane axes: for axial contours exactly x and y, so that 2-D coordinates are the written ones.
  const Vec3 axes[3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  const Vec3* least = &axes[0];
  for (const Vec3& axis : axes)
    if (std::abs(dot(axis, stack.normal)) < std::abs(dot(*least, stack.normal))) least = &axis;
  const Vec3 w = *least - dot(*least, stack.normal) * stack.normal;
  stack.u_axis = (1 / norm(w)) * w;
  stack.v_axis = cross(stack.normal, stack.u_axis);
  if (std::abs(stack.normal.z - 1) < 1e-12) {
    stack.u_axis = {1, 0, 0};
    stack.v_axis = {0, 1, 0};
  }

  for (const PlanarContour& contour : roi.contours) {
    if (norm(contour.normal - stack.normal) > 1e-3)
      throw LoadError(instance, "(3006,0050) ContourData",
                      "ROI \"" + roi.name + "\" has contours on non-parallel planes; rtpof reads stacks of parallel "
                      "contours only");
    Polygon2 polygon;
    for (const Vec3& p : contour.points) {
      polygon.u.push_back(dot(p, stack.u_axis));
      polygon.v.push_back(dot(p, stack.v_axis));
    }
    auto plane = std::find_if(stack.planes.begin(), stack.planes.end(), [&](const ContourPlane& existing) {
      return std::abs(existing.offset - contour.plane_offset) < kPlaneTolerance;
    });
    if (plane == stack.planes.end()) {
      stack.planes.push_back({contour.plane_offset, {}});
      plane = std::prev(stack.planes.end());
    }
    plane->polygons.push_back(std::move(polygon));
  }
  std::sort(stack.planes.begin(), stack.planes.end(),
            [](const ContourPlane& a, const ContourPlane& b) { return a.offset < b.offset; });
  return stack;
}

}  // namespace rtpof::pipeline
