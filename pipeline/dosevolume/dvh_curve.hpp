#pragma once
// Reading a cumulative DVH given as points: header only, so that the report and the cohort figure, which
// both draw curves from analyses, read them the same way without linking the dose-volume code.
#include <cstddef>
#include <utility>
#include <vector>

namespace rtpof::pipeline {

// The volume at `dose_gy` on a cumulative DVH of (dose Gy, volume) points in increasing dose, by linear
// interpolation between its points: the first point's volume below it, 0 past its end.
inline double volume_at(const std::vector<std::pair<double, double>>& curve, double dose_gy) {
  if (curve.empty()) return 0.0;
  if (dose_gy <= curve.front().first) return curve.front().second;
  for (std::size_t i = 1; i < curve.size(); ++i)
    if (curve[i].first >= dose_gy) {
      const auto& [d0, v0] = curve[i - 1];
      const auto& [d1, v1] = curve[i];
      return d1 > d0 ? v0 + (v1 - v0) * (dose_gy - d0) / (d1 - d0) : v1;
    }
  return 0.0;
}

}  // namespace rtpof::pipeline
