#include "pipeline/dosevolume/dose_meaning.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "pipeline/dicomrt/attribute_reader.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/dicomrt/rt_plan.hpp"

namespace rtpof::pipeline {
namespace {

std::string gy(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f Gy", value);
  return text;
}

double grid_max(const DoseGrid& grid) {
  return grid.gy.empty() ? 0.0 : *std::max_element(grid.gy.begin(), grid.gy.end());
}

// The plan's dose of one fraction and where it comes from.
std::optional<std::pair<double, std::string>> dose_per_fraction(const RtPlan& plan, int fractions) {
  if (plan.fraction_groups.size() == 1 && plan.fraction_groups.front().beam_dose_sum_gy &&
      *plan.fraction_groups.front().beam_dose_sum_gy > 0)
    return std::make_pair(*plan.fraction_groups.front().beam_dose_sum_gy, std::string("the sum of the beams' BeamDose"));
  if (const auto rx = plan.highest_target_prescription_gy(); rx && *rx > 0)
    return std::make_pair(*rx / fractions, "the target prescription " + gy(*rx) + " / " + std::to_string(fractions));
  return std::nullopt;
}

// A real grid's maximum lies near the dose it was normalised to: a little above (hot spots), or
// somewhat below where the specification point is itself hot. Outside this band it is not that dose.
constexpr double near_low = 0.5, near_high = 2.0;

}  // namespace

CourseDose decide_course_dose(DoseGrid grid, const RtPlan* plan, std::optional<int> fractions) {
  CourseDose out;
  DoseInterpretation& i = out.interpretation;
  i.rtdose_uid = grid.sop_instance_uid;
  i.stored_summation_type = grid.summation_type;
  const std::string attribute = describe_tag(DCM_DoseSummationType);
  if (grid.summation_type == "PLAN" || grid.summation_type == "MULTI_PLAN") {
    i.reason = grid.summation_type + ": the stored values are the course dose";
    out.grid = std::move(grid);
    return out;
  }
  if (grid.summation_type != "FRACTION")
    throw LoadError(grid.sop_instance_uid, attribute,
                    "is " + grid.summation_type + "; rtpof reads PLAN, MULTI_PLAN and FRACTION doses: export the "
                    "plan's total dose");

  const double maximum = grid_max(grid);
  auto scale = [&](int n) {
    for (double& value : grid.gy) value *= n;
    i.scaling = n;
    grid.summation_type = "PLAN";
  };
  if (!plan) {
    if (fractions) {
      scale(*fractions);
      i.reason = "FRACTION without an RTPLAN: multiplied by --fractions " + std::to_string(*fractions);
    } else {
      i.per_fraction = true;
      i.reason = "FRACTION without an RTPLAN: the stored values, the dose of one fraction (give --fractions N for "
                 "the course)";
      grid.notes.push_back("figures are per fraction");
    }
    out.grid = std::move(grid);
    return out;
  }
  const std::optional<int> planned = fractions ? fractions : plan->fractions_planned();
  if (!planned)
    throw LoadError(grid.sop_instance_uid, attribute,
                    "is FRACTION but RTPLAN " + plan->sop_instance_uid + " gives no NumberOfFractionsPlanned");
  const auto per_fraction = dose_per_fraction(*plan, *planned);
  if (!per_fraction) {
    scale(*planned);
    i.reason = "FRACTION: multiplied by the plan's " + std::to_string(*planned) +
               " fractions (the plan gives no dose per fraction to check the grid against)";
    i.warnings.push_back("RTDOSE " + grid.sop_instance_uid + " is labelled FRACTION and was multiplied by " +
                         std::to_string(*planned) + " without a check: RTPLAN " + plan->sop_instance_uid +
                         " has neither BeamDose nor a target prescription");
    out.grid = std::move(grid);
    return out;
  }
  const double fraction_dose = per_fraction->first, course_dose = fraction_dose * *planned;
  const double as_fraction = maximum / fraction_dose, as_course = maximum / course_dose;
  const bool near_fraction = as_fraction >= near_low && as_fraction <= near_high;
  const bool near_course = as_course >= near_low && as_course <= near_high;
  const std::string figures = "grid maximum " + gy(maximum) + "; RTPLAN " + plan->sop_instance_uid + ": " +
                              gy(fraction_dose) + " per fraction (" + per_fraction->second + "), " +
                              std::to_string(*planned) + " fractions, " + gy(course_dose) + " for the course";
  if (near_fraction && (!near_course || std::abs(std::log(as_fraction)) <= std::abs(std::log(as_course)))) {
    scale(*planned);
    i.reason = "FRACTION: one fraction, multiplied by " + std::to_string(*planned) + " (" + figures + ")";
  } else if (near_course) {
    i.reason = "labelled FRACTION but holds the course dose, read as it is (" + figures + ")";
    i.warnings.push_back("RTDOSE " + grid.sop_instance_uid + " is labelled FRACTION but its values are the whole "
                         "course's (" + figures + "): the FRACTION label was not applied");
    grid.summation_type = "PLAN";
  } else {
    throw LoadError(grid.sop_instance_uid, attribute,
                    "is FRACTION but the grid is neither one fraction nor the course of its plan (" + figures +
                        "): check that this dose belongs to this plan");
  }
  out.grid = std::move(grid);
  return out;
}

void check_dose_plausibility(const DoseGrid& course, double reference_gy, const std::string& reference_source,
                             const DosePlausibility& bounds) {
  if (!(reference_gy > 0)) return;
  const double maximum = grid_max(course);
  const double ratio = maximum / reference_gy;
  if (ratio < bounds.min_max_to_reference || ratio > bounds.max_max_to_reference) {
    char text[96];
    std::snprintf(text, sizeof text, "%.2f times", ratio);
    throw LoadError(course.sop_instance_uid, "",
                    "the course dose's maximum " + gy(maximum) + " is " + text + " the reference dose " +
                        gy(reference_gy) + " (" + reference_source + "), outside the plausible " +
                        std::to_string(bounds.min_max_to_reference).substr(0, 4) + "–" +
                        std::to_string(bounds.max_max_to_reference).substr(0, 4) +
                        " (rules [dose] min_max_to_reference / max_max_to_reference): the dose and the prescription "
                        "do not describe the same treatment");
  }
}

std::string describe(const DoseInterpretation& i) {
  char factor[32];
  std::snprintf(factor, sizeof factor, "%g", i.scaling);
  return "RTDOSE " + i.rtdose_uid + " " + i.stored_summation_type + ", scaling x" + factor + ": " + i.reason;
}

}  // namespace rtpof::pipeline
