#include "pipeline/dicomrt/slice_placement.hpp"

#include "pipeline/dicomrt/attribute_reader.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/dosevolume/plane_geometry.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rtpof::pipeline {
namespace {

// Positions are DS strings rounded to ~0.001 mm by most writers; 0.02 mm is well above that and far
// below any real shift.
constexpr double kPositionTolerance = 0.02;

std::string mm(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f mm", value);
  return text;
}

}  // namespace

SlicePlacement place_slices(const std::vector<Vec3>& positions, Vec3 normal, const std::vector<std::string>& labels,
                            bool require_uniform) {
  const std::string position_tag = describe_tag(DCM_ImagePositionPatient);
  SlicePlacement placement;
  placement.order.resize(positions.size());
  std::iota(placement.order.begin(), placement.order.end(), std::size_t{0});
  std::vector<double> along(positions.size());
  for (std::size_t i = 0; i < positions.size(); ++i) along[i] = dot(positions[i], normal);
  std::stable_sort(placement.order.begin(), placement.order.end(),
                   [&](std::size_t a, std::size_t b) { return along[a] < along[b]; });

  const std::size_t first = placement.order.front();
  for (std::size_t k = 0; k < placement.order.size(); ++k) {
    const std::size_t i = placement.order[k];
    const Vec3 shift = positions[i] - positions[first];
    const double offset = dot(shift, normal);
    const Vec3 across = shift - offset * normal;
    if (norm(across) > kPositionTolerance)
      throw LoadError(labels[i], position_tag,
                      "slice at " + to_string(positions[i]) + " is shifted " + mm(norm(across)) +
                          " across the slice normal from the first slice: a gantry-tilted or sheared stack, "
                          "which rtpof does not resample; reconstruct it without tilt");
    if (k > 0 && offset - placement.offsets.back() < kPositionTolerance)
      throw LoadError(labels[i], position_tag,
                      "two slices at the same position " + to_string(positions[i]) + " (the other is " +
                          labels[placement.order[k - 1]] + "): a duplicate, or two series mixed together");
    placement.offsets.push_back(offset);
  }
  if (placement.offsets.size() < 2) return placement;

  std::vector<double> steps;
  for (std::size_t k = 1; k < placement.offsets.size(); ++k)
    steps.push_back(placement.offsets[k] - placement.offsets[k - 1]);
  std::vector<double> sorted = steps;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
  placement.spacing = sorted[sorted.size() / 2];
  if (!require_uniform) return placement;

  const double tolerance = std::max(kPositionTolerance, 0.01 * placement.spacing);
  for (std::size_t k = 0; k < steps.size(); ++k) {
    if (std::abs(steps[k] - placement.spacing) <= tolerance) continue;
    const std::string& before = labels[placement.order[k]];
    const std::string& after = labels[placement.order[k + 1]];
    const double ratio = steps[k] / placement.spacing;
    const long whole = std::lround(ratio);
    const std::string where = "between slice " + before + " and slice " + after + " the distance is " +
                              mm(steps[k]) + " where the series' spacing is " + mm(placement.spacing);
    if (whole >= 2 && std::abs(ratio - static_cast<double>(whole)) * placement.spacing <= tolerance)
      throw LoadError(after, position_tag,
                      where + ": " + std::to_string(whole - 1) + " slice(s) missing; send the complete series");
    throw LoadError(after, position_tag, where + ": uneven slice spacing, which rtpof does not resample");
  }
  return placement;
}

}  // namespace rtpof::pipeline
