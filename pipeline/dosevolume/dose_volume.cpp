#include "pipeline/dosevolume/dose_volume.hpp"

#include "pipeline/parallel.hpp"

#include <algorithm>
#include <limits>

namespace rtpof::pipeline {
namespace {

// Runs fn(begin, end) over [0, n), in one chunk per core when n is worth it.
template <typename Fn>
void in_chunks(std::size_t n, Fn fn) {
  const unsigned cores = n < 50'000 ? 1u : std::min(core_count(), 8u);
  const std::size_t chunk = (n + cores - 1) / cores;
  rethrow_first(for_each_index(cores, cores, [&](std::size_t c) { fn(std::min(n, c * chunk), std::min(n, (c + 1) * chunk)); }));
}

constexpr double kNoDose = -std::numeric_limits<double>::infinity();

}  // namespace

DoseDistribution dose_region(const SampledRegion& region, const DoseSampler& dose,
                             const RigidTransform& to_dose_frame) {
  // (dose, weight) per sample, filled in parallel; the samples outside the grid are then dropped in
  // place: one vector of pairs is all the curve needs, and DoseDistribution sorts it where it is.
  const DoseSampler::Mapped mapped = dose.mapped(to_dose_frame);
  std::vector<std::pair<double, double>> covered(region.points.size());
  in_chunks(region.points.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      covered[i] = {mapped.at(region.points[i]).value_or(kNoDose), region.weights[i]};
  });
  covered.erase(std::remove_if(covered.begin(), covered.end(),
                               [](const std::pair<double, double>& sample) { return sample.first == kNoDose; }),
                covered.end());
  std::optional<double> low, high;
  for (const Vec3& p : region.boundary)
    if (const auto d = mapped.at(p)) {
      low = std::min(low.value_or(*d), *d);
      high = std::max(high.value_or(*d), *d);
    }
  return DoseDistribution(std::move(covered), region.volume_mm3, low, high);
}

std::vector<double> percent_receiving(const SampledRegion& region, const DoseSampler& dose,
                                      const std::vector<RigidTransform>& to_dose_frames, double gy) {
  std::vector<DoseSampler::Mapped> placements;
  for (const RigidTransform& t : to_dose_frames) placements.push_back(dose.mapped(t));
  const std::size_t m = placements.size();
  // Sums per chunk and placement, [chunk * m + placement]: each chunk adds its points in order.
  std::vector<double> hot(kSumChunks * m, 0.0), covered(kSumChunks * m, 0.0);
  const std::size_t n = region.points.size(), chunk = (n + kSumChunks - 1) / kSumChunks;
  rethrow_first(for_each_index(kSumChunks, core_count(), [&](std::size_t c) {
    double* chunk_hot = hot.data() + c * m;
    double* chunk_covered = covered.data() + c * m;
    for (std::size_t i = std::min(n, c * chunk); i < std::min(n, (c + 1) * chunk); ++i)
      for (std::size_t k = 0; k < m; ++k)
        if (const auto d = placements[k].at(region.points[i])) {
          chunk_covered[k] += region.weights[i];
          if (*d >= gy) chunk_hot[k] += region.weights[i];
        }
  }));
  std::vector<double> percent(m, 0.0);
  for (std::size_t k = 0; k < m; ++k) {
    double hot_sum = 0, covered_sum = 0;
    for (std::size_t c = 0; c < kSumChunks; ++c) hot_sum += hot[c * m + k], covered_sum += covered[c * m + k];
    percent[k] = covered_sum > 0 ? 100.0 * hot_sum / covered_sum : 0.0;
  }
  return percent;
}

}  // namespace rtpof::pipeline
