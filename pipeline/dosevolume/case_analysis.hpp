#pragma once
// The analysis of one case: each recurrence's dose-volume figures and class, the CTVs' coverage and
// the GTV volumes (the reference study's Table 2). Pure: loaded objects in, numbers out.
#include "pipeline/dosevolume/contour_stack.hpp"
#include "pipeline/dicomrt/dose_grid.hpp"
#include "pipeline/dosevolume/region_sampler.hpp"
#include "pipeline/dosevolume/region_shape.hpp"
#include "pipeline/registration/rigid_transform.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace rtpof::pipeline {

struct ClassificationRules {
  double in_field_min_v95_pct = 95;  // in-field: V95 >= this
  double marginal_min_v95_pct = 20;  // marginal: this <= V95 < in-field; out-field below
  double borderline_shift_mm = 2;    // the placement perturbations of the borderline check
  double borderline_rotation_deg = 1;
};

enum class MissClass { InField, Marginal, OutField };
const char* to_string(MissClass c);
MissClass classify(double v95_pct, const ClassificationRules& rules);

struct NamedStack {
  std::string roi;
  std::string level;  // CTVs: high, intermediate, low
  ContourStack stack;
};

struct NamedRegion {
  std::string roi;
  SampledRegion region;  // in the MR frame for recurrences, the planning frame otherwise
  std::optional<RegionShape> shape;  // the solid the points sample, to cut it on other planes
};

struct CaseInputs {
  const DoseGrid* dose = nullptr;  // planning frame, the course's dose in Gy
  double reference_dose_gy = 0;
  std::string reference_dose_source;
  RigidTransform mr_to_ct;
  std::vector<NamedRegion> recurrences;  // MR frame
  std::vector<NamedStack> ctvs;          // planning frame, high to low
  std::optional<NamedStack> gtv_primary, gtv_nodal;
};

struct RecurrenceResult {
  std::string roi;
  double volume_cc = 0, coverage_pct = 0;
  double v95_pct = 0, d100_gy = 0, d98_gy = 0, d95_gy = 0, dmean_gy = 0, dmax_gy = 0;
  Vec3 centroid_ct{};  // the recurrence's centroid mapped into the planning frame
  std::optional<double> centroid_dose_gy;
  std::optional<std::string> centroid_in;  // the highest-level CTV holding the centroid
  std::vector<std::pair<std::string, double>> percent_in_ctv;
  MissClass miss_class = MissClass::OutField;
  bool borderline = false;
  std::array<double, 2> v95_range_pct{0, 0};
  // The cumulative DVH, (dose Gy, % of the volume receiving at least it), every dvh_step_gy from 0 to
  // past Dmax: the same samples as every figure above.
  std::vector<std::pair<double, double>> cumulative_dvh;
};

constexpr double dvh_step_gy = 0.1;

struct CtvResult {
  std::string roi, level;
  double volume_cc = 0, d95_gy = 0, d98_gy = 0, coverage_pct = 0;
  std::vector<std::pair<double, double>> cumulative_dvh = {};  // as RecurrenceResult's
};

struct CaseResult {
  ClassificationRules rules;  // the thresholds that made each class
  double reference_dose_gy = 0;
  std::string reference_dose_source;
  std::vector<RecurrenceResult> recurrences;
  std::vector<CtvResult> ctvs;
  std::optional<double> gtv_primary_cc, gtv_nodal_cc;
  std::string gtv_primary_roi, gtv_nodal_roi;  // their ROI names, when present
};

CaseResult analyse_case(const CaseInputs& inputs, const ClassificationRules& rules = {});

}  // namespace rtpof::pipeline
