#include "pipeline/dosevolume/region_sampler.hpp"

#include <algorithm>
#include <cmath>

namespace rtpof::pipeline {
namespace {

// The even-odd intervals of one row (constant v) of a plane's polygons, as sorted crossing pairs.
void row_intervals(const std::vector<Polygon2>& polygons, double v, std::vector<double>& crossings) {
  crossings.clear();
  for (const Polygon2& polygon : polygons) {
    const std::size_t n = polygon.u.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
      const double vi = polygon.v[i], vj = polygon.v[j];
      if ((vi > v) != (vj > v))
        crossings.push_back(polygon.u[j] + (v - vj) / (vi - vj) * (polygon.u[i] - polygon.u[j]));
    }
  }
  std::sort(crossings.begin(), crossings.end());
}

// Calls fn(u, v, area) for the in-plane quadrature cells of one plane at spacing h.
template <typename Fn>
void scan_plane(const ContourPlane& plane, double h, Fn fn) {
  double v_min = INFINITY, v_max = -INFINITY;
  for (const Polygon2& polygon : plane.polygons)
    for (double v : polygon.v) v_min = std::min(v_min, v), v_max = std::max(v_max, v);
  if (!(v_max > v_min)) return;
  const std::size_t rows = static_cast<std::size_t>(std::ceil((v_max - v_min) / h));
  const double hv = (v_max - v_min) / static_cast<double>(rows);
  std::vector<double> crossings;
  for (std::size_t r = 0; r < rows; ++r) {
    const double v = v_min + (static_cast<double>(r) + 0.5) * hv;
    row_intervals(plane.polygons, v, crossings);
    for (std::size_t k = 0; k + 1 < crossings.size(); k += 2) {
      const double a = crossings[k], b = crossings[k + 1];
      if (!(b > a)) continue;
      const std::size_t pieces = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil((b - a) / h)));
      const double du = (b - a) / static_cast<double>(pieces);
      for (std::size_t i = 0; i < pieces; ++i) fn(a + (static_cast<double>(i) + 0.5) * du, v, du * hv);
    }
  }
}

double stack_volume(const ContourStack& stack, double h) {
  double area = 0;
  for (const ContourPlane& plane : stack.planes) scan_plane(plane, h, [&](double, double, double a) { area += a; });
  return area * stack.slab_mm;
}

// The in-plane spacing that gives about `target_points` points.
double quadrature_spacing(const ContourStack& stack, std::size_t target_points) {
  const double rough = stack_volume(stack, 0.5);
  return std::clamp(std::cbrt(rough / static_cast<double>(target_points)), 0.05, 2.0);
}

// The pieces the edge from vertex i to the next is cut into at spacing h.
std::size_t edge_steps(const Polygon2& polygon, std::size_t i, double h) {
  const std::size_t j = (i + 1) % polygon.u.size();
  const double length = std::hypot(polygon.u[j] - polygon.u[i], polygon.v[j] - polygon.v[i]);
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(length / h)));
}

}  // namespace

double region_volume_mm3(const ContourStack& stack, std::size_t target_points) {
  if (stack.planes.empty() || !(stack.slab_mm > 0)) return 0;
  return stack_volume(stack, quadrature_spacing(stack, target_points));
}

SampledRegion sample_region(const ContourStack& stack, std::size_t target_points) {
  SampledRegion region;
  if (stack.planes.empty() || !(stack.slab_mm > 0)) return region;
  const double h = quadrature_spacing(stack, target_points);
  region.spacing_mm = h;
  const std::size_t layers = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(stack.slab_mm / h)));
  const double dz = stack.slab_mm / static_cast<double>(layers);
  const double half = stack.slab_mm / 2;

  // Counted first, so that each vector is allocated once: a million points grown by doubling cost as
  // much again as computing them.
  std::size_t cells = 0, steps = 0;
  for (const ContourPlane& plane : stack.planes) {
    scan_plane(plane, h, [&](double, double, double) { ++cells; });
    for (const Polygon2& polygon : plane.polygons)
      for (std::size_t i = 0; i < polygon.u.size(); ++i) steps += edge_steps(polygon, i, h);
  }
  region.points.reserve(cells * layers);
  region.weights.reserve(cells * layers);
  region.boundary.reserve(2 * cells + steps * (layers + 1));

  for (const ContourPlane& plane : stack.planes) {
    scan_plane(plane, h, [&](double u, double v, double area) {
      for (std::size_t l = 0; l < layers; ++l) {
        region.points.push_back(stack.point(u, v, plane.offset - half + (static_cast<double>(l) + 0.5) * dz));
        region.weights.push_back(area * dz);
        region.volume_mm3 += area * dz;
      }
      region.boundary.push_back(stack.point(u, v, plane.offset - half));
      region.boundary.push_back(stack.point(u, v, plane.offset + half));
    });
    // The slab's sides: every edge, at spacing h, from face to face.
    for (const Polygon2& polygon : plane.polygons) {
      const std::size_t n = polygon.u.size();
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t j = (i + 1) % n;
        const std::size_t pieces = edge_steps(polygon, i, h);
        for (std::size_t s = 0; s < pieces; ++s) {
          const double t = static_cast<double>(s) / static_cast<double>(pieces);
          const double u = polygon.u[i] + t * (polygon.u[j] - polygon.u[i]);
          const double v = polygon.v[i] + t * (polygon.v[j] - polygon.v[i]);
          for (std::size_t l = 0; l <= layers; ++l)
            region.boundary.push_back(stack.point(u, v, plane.offset - half + static_cast<double>(l) * dz));
        }
      }
    }
  }
  return region;
}

SampledRegion sample_region(const SegmentMask& mask, std::size_t target_points) {
  SampledRegion region;
  const std::size_t count = mask.voxel_count();
  if (count == 0) return region;
  const double voxel = mask.column_spacing * mask.row_spacing * mask.slice_spacing;
  const int k = std::clamp(static_cast<int>(std::lround(std::cbrt(static_cast<double>(target_points) / count))), 1, 8);
  region.spacing_mm = mask.column_spacing / k;
  const double weight = voxel / (k * k * k);
  region.points.reserve(count * static_cast<std::size_t>(k * k * k));
  region.weights.reserve(count * static_cast<std::size_t>(k * k * k));
  auto inside = [&](long c, long r, long s) {
    if (c < 0 || r < 0 || s < 0 || c >= static_cast<long>(mask.columns) || r >= static_cast<long>(mask.rows) ||
        s >= static_cast<long>(mask.slices))
      return false;
    return mask.inside[(static_cast<std::size_t>(s) * mask.rows + static_cast<std::size_t>(r)) * mask.columns +
                       static_cast<std::size_t>(c)] != 0;
  };
  for (long s = 0; s < static_cast<long>(mask.slices); ++s)
    for (long r = 0; r < static_cast<long>(mask.rows); ++r)
      for (long c = 0; c < static_cast<long>(mask.columns); ++c) {
        if (!inside(c, r, s)) continue;
        for (int a = 0; a < k; ++a)
          for (int b = 0; b < k; ++b)
            for (int e = 0; e < k; ++e) {
              const double dc = (a + 0.5) / k - 0.5, dr = (b + 0.5) / k - 0.5, ds = (e + 0.5) / k - 0.5;
              region.points.push_back(mask.position(0, 0, 0) +
                                      ((c + dc) * mask.column_spacing) * mask.row_direction +
                                      ((r + dr) * mask.row_spacing) * mask.column_direction +
                                      ((s + ds) * mask.slice_spacing) * mask.normal);
              region.weights.push_back(weight);
            }
        region.volume_mm3 += voxel;
        const bool surface = !inside(c - 1, r, s) || !inside(c + 1, r, s) || !inside(c, r - 1, s) ||
                             !inside(c, r + 1, s) || !inside(c, r, s - 1) || !inside(c, r, s + 1);
        if (!surface) continue;
        for (int a = -1; a <= 1; ++a)
          for (int b = -1; b <= 1; ++b)
            for (int e = -1; e <= 1; ++e)
              region.boundary.push_back(mask.position(0, 0, 0) + ((c + 0.5 * a) * mask.column_spacing) * mask.row_direction +
                                        ((r + 0.5 * b) * mask.row_spacing) * mask.column_direction +
                                        ((s + 0.5 * e) * mask.slice_spacing) * mask.normal);
      }
  return region;
}

}  // namespace rtpof::pipeline
