#include "phantom/planned_dose.hpp"

#include <algorithm>
#include <cmath>

#include "phantom/contours.hpp"

namespace rtpof::phantom {

PlannedDose PlannedDose::sample(const Anatomy& anatomy, const SliceStack& ct) {
  PlannedDose g;
  g.columns = static_cast<int>(std::ceil(170.0 / g.spacing_mm));
  g.rows = static_cast<int>(std::ceil(210.0 / g.spacing_mm));
  const Point3& o = anatomy.origin();  // the grid covers the body wherever it lies
  g.x0 = as_written(o.x - 85.0 + 0.7);
  g.y0 = as_written(o.y - 105.0 + 1.3);
  const double z_extent = std::min(150.0, (ct.slices - 1) * ct.slice_mm);
  g.frames = static_cast<int>(std::floor(z_extent / g.spacing_mm)) + 1;
  g.z0 = as_written(o.z - z_extent / 2.0 + 0.4);
  g.values.resize(static_cast<std::size_t>(g.columns) * g.rows * g.frames);
  std::size_t i = 0;
  for (int f = 0; f < g.frames; ++f)
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.columns; ++c) {
        const Point3 p{g.x0 + c * g.spacing_mm, g.y0 + r * g.spacing_mm, g.z0 + f * g.spacing_mm};
        g.values[i++] = static_cast<std::uint32_t>(std::lround(anatomy.dose_gy(p) / g.scaling));
      }
  return g;
}

double PlannedDose::stored_gy(int c, int r, int f) const {
  return values[(static_cast<std::size_t>(f) * rows + r) * columns + c] * scaling;
}

std::optional<double> PlannedDose::at(const Point3& p) const {
  const double u = (p.x - x0) / spacing_mm, v = (p.y - y0) / spacing_mm, w = (p.z - z0) / spacing_mm;
  if (u < 0 || v < 0 || w < 0 || u > columns - 1 || v > rows - 1 || w > frames - 1) return std::nullopt;
  const int c = std::min(static_cast<int>(u), columns - 2), r = std::min(static_cast<int>(v), rows - 2),
            f = std::min(static_cast<int>(w), frames - 2);
  const double fu = u - c, fv = v - r, fw = w - f;
  double sum = 0;
  for (int dz = 0; dz < 2; ++dz)
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx)
        sum += (dx ? fu : 1 - fu) * (dy ? fv : 1 - fv) * (dz ? fw : 1 - fw) * stored_gy(c + dx, r + dy, f + dz);
  return sum;
}

}  // namespace rtpof::phantom
