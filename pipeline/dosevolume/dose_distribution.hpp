#pragma once
// Dose-volume figures from weighted dose samples, without binning: Dx interpolated along the sorted
// cumulative volume, Vx summed exactly, D100 and Dmax including the region's surface.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace rtpof::pipeline {

class DoseDistribution {
 public:
  // `doses`/`weights` (mm3): the covered samples. `total_mm3` includes the part outside the dose grid.
  // `surface_min`/`surface_max`: extremes on the region's surface, when sampled.
  DoseDistribution(std::vector<double> doses, std::vector<double> weights, double total_mm3,
                   std::optional<double> surface_min = std::nullopt, std::optional<double> surface_max = std::nullopt);
  // The same from (dose, weight) pairs, sorted in place and kept: no second copy of a million samples.
  DoseDistribution(std::vector<std::pair<double, double>> samples, double total_mm3,
                   std::optional<double> surface_min = std::nullopt, std::optional<double> surface_max = std::nullopt);

  bool empty() const { return curve_.empty(); }
  double total_cc() const { return total_mm3_ / 1000.0; }
  double covered_cc() const { return covered_mm3_ / 1000.0; }
  // Clamped: the two volumes are sums in different orders and may differ in the last digits.
  double coverage_pct() const { return total_mm3_ > 0 ? std::min(100.0, 100.0 * covered_mm3_ / total_mm3_) : 0.0; }

  // The figures below describe the covered part (coverage_pct says how much that is).
  double min_gy() const { return min_; }
  double max_gy() const { return max_; }
  double mean_gy() const { return mean_; }
  double dose_covering_percent(double percent) const;  // Dx%: the least dose of the hottest x %
  double dose_covering_cc(double cc) const;            // Dcc: the least dose of the hottest cc
  double percent_receiving(double gy) const;           // Vx: percent of the covered volume at >= gy
  std::vector<std::pair<double, double>> cumulative_curve(double step_gy) const;  // (Gy, % volume)

 private:
  double dose_at_cumulative(double mm3) const;

  double dose(std::size_t k) const { return curve_[k].first; }
  double cumulative(std::size_t k) const { return curve_[k].second; }

  // (dose, volume in mm3 of the samples up to and including this one), hottest first.
  std::vector<std::pair<double, double>> curve_;
  double total_mm3_ = 0, covered_mm3_ = 0, min_ = 0, max_ = 0, mean_ = 0;
};

}  // namespace rtpof::pipeline
