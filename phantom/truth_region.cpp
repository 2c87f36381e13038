#include "phantom/truth_region.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rtpof::phantom {
namespace {

int divisions(double length, double spacing) { return std::max(1, static_cast<int>(std::ceil(length / spacing))); }

double distance(const std::array<double, 2>& a, const std::array<double, 2>& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1]);
}

}  // namespace

ContourStackRegion::ContourStackRegion(std::vector<PlanarContour> contours, double slab_mm)
    : contours_(std::move(contours)), slab_mm_(slab_mm) {
  std::sort(contours_.begin(), contours_.end(), [](const auto& a, const auto& b) { return a.z < b.z; });
  for (std::size_t i = 1; i < contours_.size(); ++i)
    if (std::abs(contours_[i].z - contours_[i - 1].z) < 1e-6)
      throw std::invalid_argument("two phantom contours share a plane");
}

double ContourStackRegion::volume_mm3() const {
  double volume = 0;
  for (const auto& c : contours_) volume += polygon_area(c) * slab_mm_;
  return volume;
}

// Each fan triangle (centre, a, b) is covered in the coordinates (s, t): p = c + s (a + t (b - a) - c),
// whose Jacobian is 2 A s. Midpoints in s and t then weigh exactly: the sum of 2 A s_i / (ns nt) over
// the grid is A, whatever ns and nt are.
void ContourStackRegion::volume_points(double h, const WeightedVisitor& visit) const {
  const int layers = divisions(slab_mm_, h);
  const double dz = slab_mm_ / layers;
  for (const auto& c : contours_) {
    const auto& p = c.points;
    for (std::size_t i = 0, n = p.size(); i < n; ++i) {
      const auto& a = p[i];
      const auto& b = p[(i + 1) % n];
      const double area = 0.5 * ((a[0] - c.centre[0]) * (b[1] - c.centre[1]) - (a[1] - c.centre[1]) * (b[0] - c.centre[0]));
      if (area <= 0) throw std::invalid_argument("a phantom contour is not star-shaped about its centre");
      const int ns = divisions(std::max(distance(a, c.centre), distance(b, c.centre)), h);
      const int nt = divisions(distance(a, b), h);
      for (int is = 0; is < ns; ++is) {
        const double s = (is + 0.5) / ns;
        const double weight = 2.0 * area * s / (static_cast<double>(ns) * nt) * dz;
        for (int it = 0; it < nt; ++it) {
          const double t = (it + 0.5) / nt;
          const double x = c.centre[0] + s * (a[0] + t * (b[0] - a[0]) - c.centre[0]);
          const double y = c.centre[1] + s * (a[1] + t * (b[1] - a[1]) - c.centre[1]);
          for (int l = 0; l < layers; ++l) visit({x, y, c.z - slab_mm_ / 2 + (l + 0.5) * dz}, weight);
        }
      }
    }
  }
}

void ContourStackRegion::boundary_points(double h, const PointVisitor& visit) const {
  const int layers = divisions(slab_mm_, h);
  for (const auto& c : contours_) {
    const auto& p = c.points;
    for (int l = 0; l <= layers; ++l) {  // the side walls, faces included
      const double z = c.z - slab_mm_ / 2 + slab_mm_ * l / layers;
      for (std::size_t i = 0, n = p.size(); i < n; ++i) {
        const auto& a = p[i];
        const auto& b = p[(i + 1) % n];
        const int steps = divisions(distance(a, b), h);
        for (int k = 0; k < steps; ++k) {
          const double t = static_cast<double>(k) / steps;
          visit({a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), z});
        }
      }
    }
    for (const double z : {c.z - slab_mm_ / 2, c.z + slab_mm_ / 2}) {  // the top and bottom faces
      for (std::size_t i = 0, n = p.size(); i < n; ++i) {
        const auto& a = p[i];
        const auto& b = p[(i + 1) % n];
        const int ns = divisions(std::max(distance(a, c.centre), distance(b, c.centre)), h);
        const int nt = divisions(distance(a, b), h);
        for (int is = 0; is <= ns; ++is)
          for (int it = 0; it <= nt; ++it) {
            const double s = static_cast<double>(is) / ns, t = static_cast<double>(it) / nt;
            visit({c.centre[0] + s * (a[0] + t * (b[0] - a[0]) - c.centre[0]),
                   c.centre[1] + s * (a[1] + t * (b[1] - a[1]) - c.centre[1]), z});
          }
      }
    }
  }
}

bool ContourStackRegion::contains(const Point3& q) const {
  constexpr double eps = 1e-9;
  for (const auto& c : contours_)
    if (std::abs(q.z - c.z) <= slab_mm_ / 2 + eps && phantom::contains(c, q.x, q.y)) return true;
  return false;
}

double VoxelMaskRegion::volume_mm3() const {
  const SliceStack& g = mask_.geometry;
  return static_cast<double>(mask_.count()) * g.pixel_mm * g.pixel_mm * g.slice_mm;
}

void VoxelMaskRegion::volume_points(double h, const WeightedVisitor& visit) const {
  const SliceStack& g = mask_.geometry;
  const int m = divisions(g.pixel_mm, h), mz = divisions(g.slice_mm, h);
  const double weight = g.pixel_mm * g.pixel_mm * g.slice_mm / (static_cast<double>(m) * m * mz);
  for (int k = 0; k < g.slices; ++k)
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.columns; ++c) {
        if (!mask_.at(c, r, k)) continue;
        for (int iz = 0; iz < mz; ++iz)
          for (int iy = 0; iy < m; ++iy)
            for (int ix = 0; ix < m; ++ix)
              visit({g.x(c) + g.pixel_mm * ((ix + 0.5) / m - 0.5), g.y(r) + g.pixel_mm * ((iy + 0.5) / m - 0.5),
                     g.z(k) + g.slice_mm * ((iz + 0.5) / mz - 0.5)},
                    weight);
      }
}

void VoxelMaskRegion::boundary_points(double h, const PointVisitor& visit) const {
  const SliceStack& g = mask_.geometry;
  const int m = divisions(g.pixel_mm, h), mz = divisions(g.slice_mm, h);
  const auto set = [&](int c, int r, int k) {
    return c >= 0 && r >= 0 && k >= 0 && c < g.columns && r < g.rows && k < g.slices && mask_.at(c, r, k);
  };
  for (int k = 0; k < g.slices; ++k)
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.columns; ++c) {
        if (!set(c, r, k) || (set(c - 1, r, k) && set(c + 1, r, k) && set(c, r - 1, k) && set(c, r + 1, k) &&
                              set(c, r, k - 1) && set(c, r, k + 1)))
          continue;
        for (int iz = 0; iz <= mz; ++iz)
          for (int iy = 0; iy <= m; ++iy)
            for (int ix = 0; ix <= m; ++ix)
              visit({g.x(c) + g.pixel_mm * (static_cast<double>(ix) / m - 0.5),
                     g.y(r) + g.pixel_mm * (static_cast<double>(iy) / m - 0.5),
                     g.z(k) + g.slice_mm * (static_cast<double>(iz) / mz - 0.5)});
      }
}

bool VoxelMaskRegion::contains(const Point3& p) const {
  const SliceStack& g = mask_.geometry;
  constexpr double eps = 1e-9;
  const double u = (p.x - g.x0) / g.pixel_mm, v = (p.y - g.y0) / g.pixel_mm, w = (p.z - g.z0) / g.slice_mm;
  // A point on a face between two voxels belongs to both: try the neighbours on either side.
  for (const double dw : {-eps, eps})
    for (const double dv : {-eps, eps})
      for (const double du : {-eps, eps}) {
        const int c = static_cast<int>(std::floor(u + 0.5 + du)), r = static_cast<int>(std::floor(v + 0.5 + dv)),
                  k = static_cast<int>(std::floor(w + 0.5 + dw));
        if (c >= 0 && r >= 0 && k >= 0 && c < g.columns && r < g.rows && k < g.slices && mask_.at(c, r, k)) return true;
      }
  return false;
}

}  // namespace rtpof::phantom
