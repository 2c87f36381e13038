#include "pipeline/dose_volume.hpp"

#include <algorithm>
#include <limits>
#include <thread>

namespace rtpof::pipeline {
namespace {

// Runs fn(begin, end) over [0, n) on the machine's cores.
template <typename Fn>
void in_parallel(std::size_t n, Fn fn) {
  const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  if (n < 50'000 || threads == 1) return fn(std::size_t{0}, n);
  std::vector<std::thread> pool;
  const std::size_t chunk = (n + threads - 1) / threads;
  for (std::size_t t = 1; t < threads; ++t)
    pool.emplace_back([&, t] { fn(std::min(n, t * chunk), std::min(n, (t + 1) * chunk)); });
  fn(std::size_t{0}, std::min(n, chunk));
  for (auto& thread : pool) thread.join();
}

constexpr double kNoDose = -std::numeric_limits<double>::infinity();

}  // namespace

DoseDistribution dose_region(const SampledRegion& region, const DoseSampler& dose,
                             const RigidTransform& to_dose_frame) {
  std::vector<double> doses(region.points.size());
  in_parallel(region.points.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) doses[i] = dose.at(to_dose_frame.apply(region.points[i])).value_or(kNoDose);
  });
  std::vector<double> covered_doses, covered_weights;
  covered_doses.reserve(doses.size());
  covered_weights.reserve(doses.size());
  for (std::size_t i = 0; i < doses.size(); ++i)
    if (doses[i] != kNoDose) {
      covered_doses.push_back(doses[i]);
      covered_weights.push_back(region.weights[i]);
    }
  std::optional<double> low, high;
  for (const Vec3& p : region.boundary)
    if (const auto d = dose.at(to_dose_frame.apply(p))) {
      low = std::min(low.value_or(*d), *d);
      high = std::max(high.value_or(*d), *d);
    }
  return DoseDistribution(std::move(covered_doses), std::move(covered_weights), region.volume_mm3, low, high);
}

double percent_receiving(const SampledRegion& region, const DoseSampler& dose, const RigidTransform& to_dose_frame,
                         double gy) {
  double hot = 0, covered = 0;
  for (std::size_t i = 0; i < region.points.size(); ++i)
    if (const auto d = dose.at(to_dose_frame.apply(region.points[i]))) {
      covered += region.weights[i];
      if (*d >= gy) hot += region.weights[i];
    }
  return covered > 0 ? 100.0 * hot / covered : 0.0;
}

}  // namespace rtpof::pipeline
