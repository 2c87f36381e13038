#include "pipeline/dosevolume/dose_sampler.hpp"

#include <algorithm>
#include <cmath>

namespace rtpof::pipeline {
namespace {

constexpr double kEdge = 1e-6;  // in voxel units: points on the outermost centres count as inside

// Splits a continuous index into a cell and a fraction, or fails outside [0, n - 1].
bool cell(double index, std::size_t n, std::size_t& i, double& t) {
  if (index < -kEdge || index > static_cast<double>(n - 1) + kEdge) return false;
  if (n == 1) {
    i = 0;
    t = 0;
    return true;
  }
  const double clamped = std::clamp(index, 0.0, static_cast<double>(n - 1));
  i = std::min(static_cast<std::size_t>(clamped), n - 2);
  t = clamped - static_cast<double>(i);
  return true;
}

}  // namespace

DoseSampler::DoseSampler(const DoseGrid& grid) : grid_(grid) {
  const auto& f = grid.frame_offsets;
  if (f.size() < 2) return;
  const double step = (f.back() - f.front()) / static_cast<double>(f.size() - 1);
  for (std::size_t k = 1; k < f.size(); ++k)
    if (std::abs(f[k] - f[k - 1] - step) > 1e-4 * step) return;
  frame_step_ = step;
}

std::optional<double> DoseSampler::at(Vec3 p) const {
  const DoseGrid& g = grid_;
  const Vec3 d = p - g.origin;
  std::size_t c, r, f;
  double tc, tr, tf;
  if (!cell(dot(d, g.row_direction) / g.column_spacing, g.columns, c, tc) ||
      !cell(dot(d, g.column_direction) / g.row_spacing, g.rows, r, tr))
    return std::nullopt;
  const double along = dot(d, g.normal);
  const std::size_t frames = g.frames();
  if (frame_step_ > 0 || frames == 1) {
    if (!cell(frames == 1 ? along : along / frame_step_, frames, f, tf)) return std::nullopt;
  } else {
    const auto& offsets = g.frame_offsets;
    if (along < offsets.front() - kEdge || along > offsets.back() + kEdge) return std::nullopt;
    const auto upper = std::upper_bound(offsets.begin(), offsets.end(), along);
    f = std::min<std::size_t>(static_cast<std::size_t>(std::max<long>(0, upper - offsets.begin() - 1)), frames - 2);
    tf = std::clamp((along - offsets[f]) / (offsets[f + 1] - offsets[f]), 0.0, 1.0);
  }
  const std::size_t c1 = g.columns > 1 ? c + 1 : c, r1 = g.rows > 1 ? r + 1 : r, f1 = frames > 1 ? f + 1 : f;
  auto lerp = [](double a, double b, double t) { return a + t * (b - a); };
  const double v00 = lerp(g.at(c, r, f), g.at(c1, r, f), tc), v10 = lerp(g.at(c, r1, f), g.at(c1, r1, f), tc);
  const double v01 = lerp(g.at(c, r, f1), g.at(c1, r, f1), tc), v11 = lerp(g.at(c, r1, f1), g.at(c1, r1, f1), tc);
  return lerp(lerp(v00, v10, tr), lerp(v01, v11, tr), tf);
}

}  // namespace rtpof::pipeline
