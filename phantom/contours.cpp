#include "phantom/contours.hpp"

#include <cmath>
#include <string>

#include "phantom/dataset_builder.hpp"

namespace rtpof::phantom {
namespace {
constexpr double pi = 3.14159265358979323846;

PlanarContour ellipse_polygon(double cx, double cy, double a, double b, double z, int points,
                              const LobulatedEllipsoid* lobes) {
  PlanarContour contour;
  contour.z = as_written(z);
  contour.centre = {cx, cy};
  contour.points.reserve(static_cast<std::size_t>(points));
  for (int i = 0; i < points; ++i) {
    const double t = 2.0 * pi * i / points;
    const double f = lobes ? lobes->radius_factor(t, z) : 1.0;
    contour.points.push_back({as_written(cx + f * a * std::cos(t)), as_written(cy + f * b * std::sin(t))});
  }
  return contour;
}
}  // namespace

double as_written(double value) { return std::stod(decimal(value)); }

double LobulatedEllipsoid::radius_factor(double theta, double z) const {
  return 1.0 + lobulation * std::sin(3.0 * theta + phase + z / 7.0);
}

bool LobulatedEllipsoid::contains(const Point3& p) const {
  const auto axes = shape.section(p.z);
  if (axes[0] <= 0) return false;
  const double u = (p.x - shape.centre.x) / axes[0], v = (p.y - shape.centre.y) / axes[1];
  const double f = radius_factor(std::atan2(v, u), p.z);
  return u * u + v * v <= f * f;
}

std::vector<PlanarContour> section_contours(const LobulatedEllipsoid& shape, const std::vector<double>& planes,
                                            int points) {
  std::vector<PlanarContour> contours;
  for (const double z : planes) {
    const auto axes = shape.shape.section(z);
    if (axes[0] < 0.5 || axes[1] < 0.5) continue;
    contours.push_back(ellipse_polygon(shape.shape.centre.x, shape.shape.centre.y, axes[0], axes[1], z, points, &shape));
  }
  return contours;
}

std::vector<PlanarContour> body_contours(const std::vector<double>& planes, int points, const Point3& centre) {
  std::vector<PlanarContour> contours;
  for (const double z : planes)
    contours.push_back(ellipse_polygon(centre.x, centre.y, body_semi_axis_x_mm, body_semi_axis_y_mm, z, points, nullptr));
  return contours;
}

bool contains(const PlanarContour& contour, double x, double y) {
  const double cx = contour.centre[0], cy = contour.centre[1];
  const auto& p = contour.points;
  const auto cross = [](double ax, double ay, double bx, double by) { return ax * by - ay * bx; };
  constexpr double eps = 1e-12;
  for (std::size_t i = 0, n = p.size(); i < n; ++i) {
    const auto& a = p[i];
    const auto& b = p[(i + 1) % n];
    // Inside the triangle (centre, a, b), counter-clockwise, edges included.
    if (cross(a[0] - cx, a[1] - cy, x - cx, y - cy) >= -eps && cross(b[0] - a[0], b[1] - a[1], x - a[0], y - a[1]) >= -eps &&
        cross(cx - b[0], cy - b[1], x - b[0], y - b[1]) >= -eps)
      return true;
  }
  return false;
}

double polygon_area(const PlanarContour& contour) {
  double twice = 0;
  const auto& p = contour.points;
  for (std::size_t i = 0, n = p.size(); i < n; ++i) {
    const auto& a = p[i];
    const auto& b = p[(i + 1) % n];
    twice += a[0] * b[1] - b[0] * a[1];
  }
  return std::abs(twice) / 2.0;
}

}  // namespace rtpof::phantom
