#include "pipeline/dosevolume/section_sampler.hpp"

#include <itkLinearInterpolateImageFunction.h>

#include <cmath>
#include <limits>

#include "pipeline/dosevolume/dose_sampler.hpp"
#include "pipeline/dosevolume/outline_cut.hpp"

namespace rtpof::pipeline {
namespace {

constexpr float kNone = std::numeric_limits<float>::quiet_NaN();

struct View {
  const char* name;
  Vec3 right, down;
  const char *right_label, *left_label, *top_label, *bottom_label;
};

// LPS: +x is the patient's left, +y posterior, +z head. Radiological views put the patient's right on
// the viewer's left (axial, coronal) and the face on the viewer's left (sagittal).
constexpr View kViews[3] = {
    {"axial", {1, 0, 0}, {0, 1, 0}, "L", "R", "A", "P"},
    {"coronal", {1, 0, 0}, {0, 0, -1}, "L", "R", "H", "F"},
    {"sagittal", {0, 1, 0}, {0, 0, -1}, "P", "A", "H", "F"},
};

void add_outline(Section& section, const std::string& roi, const std::string& role, const std::vector<float>& mask) {
  auto lines = trace_outlines(mask, section.width, section.height, 0.5);
  if (!lines.empty()) section.outlines.push_back({roi, role, std::move(lines)});
}

}  // namespace

std::array<Section, 3> sections_through(Vec3 centre, const ImageVolume& ct, const CaseInputs& inputs, double field_mm,
                                        double pixel_mm) {
  using Interpolator = itk::LinearInterpolateImageFunction<ImageVolume, double>;
  auto interpolator = Interpolator::New();
  interpolator->SetInputImage(&ct);
  const DoseSampler dose(*inputs.dose);
  const RigidTransform ct_to_mr = inputs.mr_to_ct.inverse();
  const auto n = static_cast<std::size_t>(std::lround(field_mm / pixel_mm));
  std::array<Section, 3> sections;
  for (int v = 0; v < 3; ++v) {
    const View& view = kViews[v];
    Section& s = sections[static_cast<std::size_t>(v)];
    s.name = view.name;
    s.right_label = view.right_label;
    s.left_label = view.left_label;
    s.top_label = view.top_label;
    s.bottom_label = view.bottom_label;
    s.width = s.height = n;
    s.pixel_mm = pixel_mm;
    s.right = view.right;
    s.down = view.down;
    const double half = (static_cast<double>(n) - 1) / 2 * pixel_mm;
    s.origin = centre - half * view.right - half * view.down;
    s.ct_hu.assign(n * n, kNone);
    s.dose_gy.assign(n * n, kNone);
    std::vector<std::vector<float>> ctv_masks(inputs.ctvs.size(), std::vector<float>(n * n, 0.0f));
    std::vector<std::vector<float>> recurrence_masks(inputs.recurrences.size(), std::vector<float>(n * n, 0.0f));
    for (std::size_t row = 0; row < n; ++row)
      for (std::size_t col = 0; col < n; ++col) {
        const Vec3 p = s.origin + (static_cast<double>(col) * pixel_mm) * view.right +
                       (static_cast<double>(row) * pixel_mm) * view.down;
        const std::size_t at = row * n + col;
        Interpolator::PointType point;
        point[0] = p.x;
        point[1] = p.y;
        point[2] = p.z;
        if (interpolator->IsInsideBuffer(point)) s.ct_hu[at] = static_cast<float>(interpolator->Evaluate(point));
        if (const auto d = dose.at(p)) s.dose_gy[at] = static_cast<float>(*d);
        for (std::size_t c = 0; c < inputs.ctvs.size(); ++c)
          if (inputs.ctvs[c].stack.contains(p)) ctv_masks[c][at] = 1.0f;
        const Vec3 in_mr = ct_to_mr.apply(p);
        for (std::size_t r = 0; r < inputs.recurrences.size(); ++r)
          if (inputs.recurrences[r].shape && inputs.recurrences[r].shape->contains(in_mr)) recurrence_masks[r][at] = 1.0f;
      }
    for (std::size_t c = 0; c < inputs.ctvs.size(); ++c)
      add_outline(s, inputs.ctvs[c].roi, inputs.ctvs[c].level, ctv_masks[c]);
    for (std::size_t r = 0; r < inputs.recurrences.size(); ++r)
      add_outline(s, inputs.recurrences[r].roi, "recurrence", recurrence_masks[r]);
  }
  return sections;
}

}  // namespace rtpof::pipeline
