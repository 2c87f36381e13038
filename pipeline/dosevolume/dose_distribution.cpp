#include "pipeline/dosevolume/dose_distribution.hpp"

#include <cmath>

#include <algorithm>
#include <utility>

namespace rtpof::pipeline {

namespace {

std::vector<std::pair<double, double>> paired(const std::vector<double>& doses, const std::vector<double>& weights) {
  std::vector<std::pair<double, double>> samples(doses.size());
  for (std::size_t i = 0; i < doses.size(); ++i) samples[i] = {doses[i], weights[i]};
  return samples;
}

}  // namespace

DoseDistribution::DoseDistribution(std::vector<double> doses, std::vector<double> weights, double total_mm3,
                                   std::optional<double> surface_min, std::optional<double> surface_max)
    : DoseDistribution(paired(doses, weights), total_mm3, surface_min, surface_max) {}

DoseDistribution::DoseDistribution(std::vector<std::pair<double, double>> samples, double total_mm3,
                                   std::optional<double> surface_min, std::optional<double> surface_max)
    : curve_(std::move(samples)), total_mm3_(total_mm3) {
  // Sorted in place, hottest first: contiguous pairs sort about twice as fast as an index by the doses
  // it points to. Samples of equal dose may come in any order (the same one for the same input); no
  // figure depends on it beyond the last bits of a sum. Each weight then becomes the running volume.
  std::sort(curve_.begin(), curve_.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  double sum = 0, dose_sum = 0;
  for (auto& [dose, weight] : curve_) {
    sum += weight;
    dose_sum += weight * dose;
    weight = sum;
  }
  covered_mm3_ = sum;
  if (curve_.empty()) return;
  mean_ = dose_sum / sum;
  max_ = std::max(curve_.front().first, surface_max.value_or(curve_.front().first));
  min_ = std::min(curve_.back().first, surface_min.value_or(curve_.back().first));
}

// Each sample stands for an interval of the cumulative volume; its dose is placed at the interval's
// middle and doses between middles are interpolated linearly: no bins, no nearest-sample jumps.
double DoseDistribution::dose_at_cumulative(double mm3) const {
  if (curve_.empty()) return 0;
  if (mm3 >= covered_mm3_) return min_;
  if (mm3 <= 0) return max_;
  const auto it = std::lower_bound(curve_.begin(), curve_.end(), mm3,
                                   [](const std::pair<double, double>& sample, double v) { return sample.second < v; });
  const std::size_t k = static_cast<std::size_t>(it - curve_.begin());
  const double weight_k = cumulative(k) - (k ? cumulative(k - 1) : 0.0);
  const double middle_k = cumulative(k) - weight_k / 2;
  if (mm3 <= middle_k) {
    if (k == 0) return dose(0);
    const double weight_prev = cumulative(k - 1) - (k > 1 ? cumulative(k - 2) : 0.0);
    const double middle_prev = cumulative(k - 1) - weight_prev / 2;
    const double t = (mm3 - middle_prev) / (middle_k - middle_prev);
    return dose(k - 1) + t * (dose(k) - dose(k - 1));
  }
  if (k + 1 >= curve_.size()) return dose(k);
  const double weight_next = cumulative(k + 1) - cumulative(k);
  const double middle_next = cumulative(k) + weight_next / 2;
  const double t = (mm3 - middle_k) / (middle_next - middle_k);
  return dose(k) + t * (dose(k + 1) - dose(k));
}

double DoseDistribution::dose_covering_percent(double percent) const {
  if (percent >= 100) return min_;
  if (percent <= 0) return max_;
  return dose_at_cumulative(covered_mm3_ * percent / 100.0);
}

double DoseDistribution::dose_covering_cc(double cc) const { return dose_at_cumulative(cc * 1000.0); }

double DoseDistribution::percent_receiving(double gy) const {
  if (curve_.empty()) return 0;
  // Doses are sorted hottest first: the samples at >= gy are a prefix.
  const auto end = std::partition_point(curve_.begin(), curve_.end(),
                                        [&](const std::pair<double, double>& sample) { return sample.first >= gy; });
  if (end == curve_.begin()) return 0;
  const double hot = cumulative(static_cast<std::size_t>(end - curve_.begin()) - 1);
  return 100.0 * hot / covered_mm3_;
}

std::vector<std::pair<double, double>> DoseDistribution::cumulative_curve(double step_gy) const {
  std::vector<std::pair<double, double>> curve;
  if (curve_.empty() || !(step_gy > 0)) return curve;
  // Each dose as index x step, not a running sum: no drift (69.99999 for 70) along the curve.
  const auto points = static_cast<std::size_t>(std::floor(max_ / step_gy)) + 2;
  for (std::size_t i = 0; i < points; ++i) {
    const double gy = static_cast<double>(i) * step_gy;
    curve.emplace_back(gy, percent_receiving(gy));
  }
  return curve;
}

}  // namespace rtpof::pipeline
