#include "pipeline/dosevolume/dose_distribution.hpp"

#include <cmath>

#include <algorithm>
#include <utility>

namespace rtpof::pipeline {

DoseDistribution::DoseDistribution(std::vector<double> doses, std::vector<double> weights, double total_mm3,
                                   std::optional<double> surface_min, std::optional<double> surface_max)
    : total_mm3_(total_mm3) {
  // (dose, weight) pairs sorted in place, hottest first: contiguous, about twice as fast as sorting an
  // index by the doses it points to. Samples of equal dose may come in any order (the same one for
  // the same input); no figure depends on it beyond the last bits of a sum.
  std::vector<std::pair<double, double>> samples(doses.size());
  for (std::size_t i = 0; i < doses.size(); ++i) samples[i] = {doses[i], weights[i]};
  std::sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  doses_.reserve(samples.size());
  cumulative_.reserve(samples.size());
  double sum = 0, dose_sum = 0;
  for (const auto& [dose, weight] : samples) {
    sum += weight;
    dose_sum += weight * dose;
    doses_.push_back(dose);
    cumulative_.push_back(sum);
  }
  covered_mm3_ = sum;
  if (doses_.empty()) return;
  mean_ = dose_sum / sum;
  max_ = std::max(doses_.front(), surface_max.value_or(doses_.front()));
  min_ = std::min(doses_.back(), surface_min.value_or(doses_.back()));
}

// Each sample stands for an interval of the cumulative volume; its dose is placed at the interval's
// middle and doses between middles are interpolated linearly: no bins, no nearest-sample jumps.
double DoseDistribution::dose_at_cumulative(double mm3) const {
  if (doses_.empty()) return 0;
  if (mm3 >= covered_mm3_) return min_;
  if (mm3 <= 0) return max_;
  const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), mm3);
  const std::size_t k = static_cast<std::size_t>(it - cumulative_.begin());
  const double weight_k = cumulative_[k] - (k ? cumulative_[k - 1] : 0.0);
  const double middle_k = cumulative_[k] - weight_k / 2;
  if (mm3 <= middle_k) {
    if (k == 0) return doses_[0];
    const double weight_prev = cumulative_[k - 1] - (k > 1 ? cumulative_[k - 2] : 0.0);
    const double middle_prev = cumulative_[k - 1] - weight_prev / 2;
    const double t = (mm3 - middle_prev) / (middle_k - middle_prev);
    return doses_[k - 1] + t * (doses_[k] - doses_[k - 1]);
  }
  if (k + 1 >= doses_.size()) return doses_[k];
  const double weight_next = cumulative_[k + 1] - cumulative_[k];
  const double middle_next = cumulative_[k] + weight_next / 2;
  const double t = (mm3 - middle_k) / (middle_next - middle_k);
  return doses_[k] + t * (doses_[k + 1] - doses_[k]);
}

double DoseDistribution::dose_covering_percent(double percent) const {
  if (percent >= 100) return min_;
  if (percent <= 0) return max_;
  return dose_at_cumulative(covered_mm3_ * percent / 100.0);
}

double DoseDistribution::dose_covering_cc(double cc) const { return dose_at_cumulative(cc * 1000.0); }

double DoseDistribution::percent_receiving(double gy) const {
  if (doses_.empty()) return 0;
  // Doses are sorted hottest first: the samples at >= gy are a prefix.
  const auto end = std::partition_point(doses_.begin(), doses_.end(), [&](double d) { return d >= gy; });
  if (end == doses_.begin()) return 0;
  const double hot = cumulative_[static_cast<std::size_t>(end - doses_.begin()) - 1];
  return 100.0 * hot / covered_mm3_;
}

std::vector<std::pair<double, double>> DoseDistribution::cumulative_curve(double step_gy) const {
  std::vector<std::pair<double, double>> curve;
  if (doses_.empty() || !(step_gy > 0)) return curve;
  // Each dose as index x step, not a running sum: no drift (69.99999 for 70) along the curve.
  const auto points = static_cast<std::size_t>(std::floor(max_ / step_gy)) + 2;
  for (std::size_t i = 0; i < points; ++i) {
    const double gy = static_cast<double>(i) * step_gy;
    curve.emplace_back(gy, percent_receiving(gy));
  }
  return curve;
}

}  // namespace rtpof::pipeline
