#include "phantom/truth_figures.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace rtpof::phantom {
namespace {

struct DosedPoint {
  double dose;
  double weight;
};

struct Extreme {
  Point3 where;  // region frame
  double dose;
};

// Dx: the dose that the hottest x % of the volume receives at least. Points sorted hottest first;
// each covers an interval of the cumulative volume.
double dose_covering(const std::vector<DosedPoint>& sorted, double total, double percent) {
  const double wanted = total * percent / 100.0;
  double cumulative = 0;
  for (const auto& p : sorted) {
    cumulative += p.weight;
    if (cumulative >= wanted) return p.dose;
  }
  return sorted.back().dose;
}

// Compass search for the smallest (sign +1) or largest (sign -1) dose within the region, from a start
// point, down to 1e-5 mm steps. The field is continuous, so this converges to the extreme near the best
// quadrature or boundary point.
Extreme polish(const TruthRegion& region, const RigidTransform& to_ct, const PlannedDose& dose, Extreme best,
               double step, double sign) {
  static const Point3 directions[] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1},
                                      {1, 1, 0}, {1, -1, 0}, {-1, 1, 0}, {-1, -1, 0}, {1, 0, 1}, {1, 0, -1},
                                      {-1, 0, 1}, {-1, 0, -1}, {0, 1, 1}, {0, 1, -1}, {0, -1, 1}, {0, -1, -1}};
  while (step > 1e-5) {
    bool moved = false;
    for (const auto& d : directions) {
      const Point3 q{best.where.x + step * d.x, best.where.y + step * d.y, best.where.z + step * d.z};
      if (!region.contains(q)) continue;
      const auto value = dose.at(to_ct.apply(q));
      if (value && sign * *value < sign * best.dose) {
        best = {q, *value};
        moved = true;
        break;
      }
    }
    if (!moved) step /= 2;
  }
  return best;
}

}  // namespace

double spacing_for(double volume_mm3, double points) { return std::cbrt(2.0 * volume_mm3 / points); }

TruthFigures measure_truth(const TruthRegion& region, const RigidTransform& to_ct, const PlannedDose& dose,
                           double reference_dose_gy, double h) {
  TruthFigures f;
  f.spacing_mm = h;
  const double volume = region.volume_mm3();
  f.volume_cc = volume / 1000.0;
  if (volume <= 0) throw std::invalid_argument("a phantom structure has no volume");

  std::vector<DosedPoint> dosed;
  Extreme low{{}, std::numeric_limits<double>::infinity()}, high{{}, -std::numeric_limits<double>::infinity()};
  double covered = 0, all = 0, dose_sum = 0, cx = 0, cy = 0, cz = 0;
  region.volume_points(h, [&](const Point3& p, double w) {
    const Point3 q = to_ct.apply(p);
    all += w;
    cx += w * q.x;
    cy += w * q.y;
    cz += w * q.z;
    const auto d = dose.at(q);
    if (!d) return;
    covered += w;
    dose_sum += w * *d;
    dosed.push_back({*d, w});
    if (*d < low.dose) low = {p, *d};
    if (*d > high.dose) high = {p, *d};
  });
  f.points = dosed.size();
  f.centroid_ct = {cx / all, cy / all, cz / all};
  f.centroid_dose_gy = dose.at(f.centroid_ct);
  f.coverage_pct = 100.0 * covered / all;
  if (dosed.empty()) return f;

  region.boundary_points(h, [&](const Point3& p) {
    const auto d = dose.at(to_ct.apply(p));
    if (!d) return;
    if (*d < low.dose) low = {p, *d};
    if (*d > high.dose) high = {p, *d};
  });
  f.d100_gy = polish(region, to_ct, dose, low, h, +1).dose;
  f.dmax_gy = polish(region, to_ct, dose, high, h, -1).dose;

  std::sort(dosed.begin(), dosed.end(), [](const DosedPoint& a, const DosedPoint& b) { return a.dose > b.dose; });
  // Sum the covered volume in the sorted order too, so that V95 of a region that is all hot is 100
  // exactly, not 100 plus a rounding difference between two summation orders.
  const double threshold = 0.95 * reference_dose_gy;
  double hot = 0, total = 0;
  for (const auto& p : dosed) {
    total += p.weight;
    if (p.dose >= threshold) hot = total;
  }
  f.v95_pct = 100.0 * hot / total;
  f.d98_gy = dose_covering(dosed, total, 98);
  f.d95_gy = dose_covering(dosed, total, 95);
  f.dmean_gy = dose_sum / covered;
  return f;
}

}  // namespace rtpof::phantom
