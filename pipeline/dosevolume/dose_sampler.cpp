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

double trilinear(const DoseGrid& g, std::size_t c, std::size_t r, std::size_t f, double tc, double tr, double tf) {
  const std::size_t c1 = g.columns > 1 ? c + 1 : c, r1 = g.rows > 1 ? r + 1 : r, f1 = g.frames() > 1 ? f + 1 : f;
  auto lerp = [](double a, double b, double t) { return a + t * (b - a); };
  const double v00 = lerp(g.at(c, r, f), g.at(c1, r, f), tc), v10 = lerp(g.at(c, r1, f), g.at(c1, r1, f), tc);
  const double v01 = lerp(g.at(c, r, f1), g.at(c1, r, f1), tc), v11 = lerp(g.at(c, r1, f1), g.at(c1, r1, f1), tc);
  return lerp(lerp(v00, v10, tr), lerp(v01, v11, tr), tf);
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
  const double along = dot(d, g.normal);
  const std::size_t frames = g.frames();
  if (frame_step_ > 0 || frames == 1)
    return interpolate(dot(d, g.row_direction) / g.column_spacing, dot(d, g.column_direction) / g.row_spacing,
                       frames == 1 ? along : along / frame_step_);
  std::size_t c, r, f;
  double tc, tr, tf;
  if (!cell(dot(d, g.row_direction) / g.column_spacing, g.columns, c, tc) ||
      !cell(dot(d, g.column_direction) / g.row_spacing, g.rows, r, tr))
    return std::nullopt;
  const auto& offsets = g.frame_offsets;
  if (along < offsets.front() - kEdge || along > offsets.back() + kEdge) return std::nullopt;
  const auto upper = std::upper_bound(offsets.begin(), offsets.end(), along);
  f = std::min<std::size_t>(static_cast<std::size_t>(std::max<long>(0, upper - offsets.begin() - 1)), frames - 2);
  tf = std::clamp((along - offsets[f]) / (offsets[f + 1] - offsets[f]), 0.0, 1.0);
  return trilinear(g, c, r, f, tc, tr, tf);
}

std::optional<double> DoseSampler::interpolate(double column, double row, double frame) const {
  const DoseGrid& g = grid_;
  std::size_t c, r, f;
  double tc, tr, tf;
  if (!cell(column, g.columns, c, tc) || !cell(row, g.rows, r, tr) || !cell(frame, g.frames(), f, tf))
    return std::nullopt;
  return trilinear(g, c, r, f, tc, tr, tf);
}

DoseSampler::Mapped::Mapped(const DoseSampler& sampler, const RigidTransform& to_grid_frame)
    : sampler_(sampler), to_grid_frame_(to_grid_frame) {
  if (!(sampler.frame_step_ > 0 || sampler.grid_.frames() == 1)) return;
  const DoseGrid& g = sampler.grid_;
  // index_k = axis_k . (M p + t - origin) / step_k: row k is axis_k^T M / step_k, offset axis_k . (t - origin) / step_k.
  const Vec3 axes[3] = {g.row_direction, g.column_direction, g.normal};
  const double steps[3] = {g.column_spacing, g.row_spacing, g.frames() == 1 ? 1.0 : sampler.frame_step_};
  const Matrix4& m = to_grid_frame.matrix;
  const Vec3 shift = Vec3{m[3], m[7], m[11]} - g.origin;
  for (int k = 0; k < 3; ++k) {
    const Vec3& a = axes[k];
    for (int j = 0; j < 3; ++j) index_[4 * k + j] = (a.x * m[j] + a.y * m[4 + j] + a.z * m[8 + j]) / steps[k];
    index_[4 * k + 3] = dot(a, shift) / steps[k];
  }
}

std::optional<double> DoseSampler::Mapped::at(Vec3 p) const {
  if (!(sampler_.frame_step_ > 0 || sampler_.grid_.frames() == 1)) return sampler_.at(to_grid_frame_.apply(p));
  const double* i = index_;
  return sampler_.interpolate(i[0] * p.x + i[1] * p.y + i[2] * p.z + i[3], i[4] * p.x + i[5] * p.y + i[6] * p.z + i[7],
                              i[8] * p.x + i[9] * p.y + i[10] * p.z + i[11]);
}

}  // namespace rtpof::pipeline
