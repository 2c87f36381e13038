#include "pipeline/dosevolume/case_analysis.hpp"

#include "pipeline/dosevolume/dose_sampler.hpp"
#include "pipeline/dosevolume/dose_volume.hpp"
#include "pipeline/parallel.hpp"

#include <algorithm>
#include <stdexcept>

namespace rtpof::pipeline {
namespace {

Vec3 centroid(const SampledRegion& region) {
  Vec3 sum;
  double weight = 0;
  for (std::size_t i = 0; i < region.points.size(); ++i) {
    sum = sum + region.weights[i] * region.points[i];
    weight += region.weights[i];
  }
  return weight > 0 ? (1 / weight) * sum : sum;
}

double percent_inside(const SampledRegion& region, const RigidTransform& to_ct, const ContourStack& stack) {
  std::vector<double> inside(kSumChunks, 0.0), all(kSumChunks, 0.0);
  const std::size_t n = region.points.size(), chunk = (n + kSumChunks - 1) / kSumChunks;
  rethrow_first(for_each_index(kSumChunks, core_count(), [&](std::size_t c) {
    for (std::size_t i = std::min(n, c * chunk); i < std::min(n, (c + 1) * chunk); ++i) {
      all[c] += region.weights[i];
      if (stack.contains(to_ct.apply(region.points[i]))) inside[c] += region.weights[i];
    }
  }));
  double inside_sum = 0, all_sum = 0;
  for (std::size_t c = 0; c < kSumChunks; ++c) inside_sum += inside[c], all_sum += all[c];
  return all_sum > 0 ? 100.0 * inside_sum / all_sum : 0.0;
}

// V95 with the recurrence moved +/- shift along each axis and rotated +/- angle about each axis through
// its centroid (in the CT frame): the spread a registration or contouring uncertainty of that size allows.
std::array<double, 2> v95_range(const SampledRegion& region, const DoseSampler& dose, const RigidTransform& to_ct,
                                double threshold_gy, Vec3 centroid_ct, const ClassificationRules& rules,
                                double nominal) {
  std::array<double, 2> range{nominal, nominal};
  const Vec3 axes[3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  std::vector<RigidTransform> placements;
  for (const Vec3& axis : axes)
    for (double sign : {-1.0, 1.0}) {
      placements.push_back(to_ct.then(RigidTransform::translation((sign * rules.borderline_shift_mm) * axis)));
      placements.push_back(to_ct.then(RigidTransform::rotation_about(centroid_ct, axis, sign * rules.borderline_rotation_deg)));
    }
  for (const double v95 : percent_receiving(region, dose, placements, threshold_gy)) {
    range[0] = std::min(range[0], v95);
    range[1] = std::max(range[1], v95);
  }
  return range;
}

}  // namespace

const char* to_string(MissClass c) {
  switch (c) {
    case MissClass::InField: return "in-field";
    case MissClass::Marginal: return "marginal";
    case MissClass::OutField: break;
  }
  return "out-field";
}

MissClass classify(double v95_pct, const ClassificationRules& rules) {
  if (v95_pct >= rules.in_field_min_v95_pct) return MissClass::InField;
  if (v95_pct >= rules.marginal_min_v95_pct) return MissClass::Marginal;
  return MissClass::OutField;
}

CaseResult analyse_case(const CaseInputs& inputs, const ClassificationRules& rules) {
  if (!inputs.dose) throw std::invalid_argument("analyse_case needs a dose grid");
  if (!(inputs.reference_dose_gy > 0)) throw std::invalid_argument("analyse_case needs a positive reference dose");
  const DoseSampler dose(*inputs.dose);
  const double threshold = 0.95 * inputs.reference_dose_gy;
  CaseResult result;
  result.rules = rules;
  result.reference_dose_gy = inputs.reference_dose_gy;
  result.reference_dose_source = inputs.reference_dose_source;

  for (const NamedRegion& recurrence : inputs.recurrences) {
    const DoseDistribution distribution = dose_region(recurrence.region, dose, inputs.mr_to_ct);
    RecurrenceResult r;
    r.roi = recurrence.roi;
    r.volume_cc = distribution.total_cc();
    r.coverage_pct = distribution.coverage_pct();
    r.v95_pct = distribution.percent_receiving(threshold);
    r.d100_gy = distribution.min_gy();
    r.d98_gy = distribution.dose_covering_percent(98);
    r.d95_gy = distribution.dose_covering_percent(95);
    r.dmean_gy = distribution.mean_gy();
    r.dmax_gy = distribution.max_gy();
    r.cumulative_dvh = distribution.cumulative_curve(dvh_step_gy);
    const Vec3 centre = inputs.mr_to_ct.apply(centroid(recurrence.region));
    r.centroid_ct = centre;
    r.centroid_dose_gy = dose.at(centre);
    for (const NamedStack& ctv : inputs.ctvs) {
      r.percent_in_ctv.emplace_back(ctv.roi, percent_inside(recurrence.region, inputs.mr_to_ct, ctv.stack));
      if (!r.centroid_in && ctv.stack.contains(centre)) r.centroid_in = ctv.roi;
    }
    r.miss_class = classify(r.v95_pct, rules);
    r.v95_range_pct = v95_range(recurrence.region, dose, inputs.mr_to_ct, threshold, centre, rules, r.v95_pct);
    r.borderline = classify(r.v95_range_pct[0], rules) != r.miss_class ||
                   classify(r.v95_range_pct[1], rules) != r.miss_class;
    result.recurrences.push_back(std::move(r));
  }

  // The CTVs side by side: sampling and sorting a million points are serial work of their own.
  result.ctvs.resize(inputs.ctvs.size());
  rethrow_first(for_each_index(inputs.ctvs.size(), core_count(), [&](std::size_t i) {
    const NamedStack& ctv = inputs.ctvs[i];
    const DoseDistribution distribution = dose_region(sample_region(ctv.stack), dose);
    result.ctvs[i] = {ctv.roi, ctv.level, distribution.total_cc(), distribution.dose_covering_percent(95),
                      distribution.dose_covering_percent(98), distribution.coverage_pct(),
                      distribution.cumulative_curve(dvh_step_gy)};
  }));
  if (inputs.gtv_primary) {
    result.gtv_primary_cc = region_volume_mm3(inputs.gtv_primary->stack) / 1000.0;
    result.gtv_primary_roi = inputs.gtv_primary->roi;
  }
  if (inputs.gtv_nodal) {
    result.gtv_nodal_cc = region_volume_mm3(inputs.gtv_nodal->stack) / 1000.0;
    result.gtv_nodal_roi = inputs.gtv_nodal->roi;
  }
  return result;
}

}  // namespace rtpof::pipeline
