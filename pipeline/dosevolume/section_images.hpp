#pragma once
// Three orthogonal planning-CT sections through a point (the recurrence's centroid), with the dose and
// the outlines the report draws on them. Every value comes from the loaded volumes through the same code
// as the figures: the dose through DoseSampler, the CTVs through ContourStack::contains, each recurrence
// through its RegionShape carried by the registration used. So the picture cannot disagree with the table.
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/dosevolume/case_analysis.hpp"
#include "pipeline/vec3.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace rtpof::pipeline {

struct SectionOutline {
  std::string roi;
  std::string role;  // "recurrence", or the CTV's level (high, intermediate, low)
  std::vector<std::vector<std::pair<double, double>>> lines;  // closed, in pixel coordinates (column, row)
};

struct Section {
  std::string name;  // axial, coronal, sagittal
  std::string right_label, left_label, top_label, bottom_label;  // patient directions at the edges (L, R, A, P, H, F)
  std::size_t width = 0, height = 0;
  double pixel_mm = 0;
  Vec3 origin, right, down;  // pixel (0, 0) centre, unit steps along a row and down a column
  std::vector<float> ct_hu;    // row-major; NaN outside the CT
  std::vector<float> dose_gy;  // row-major; NaN outside the dose grid
  std::vector<SectionOutline> outlines;
};

// Sections of `field_mm` square sampled every `pixel_mm`, centred on `centre` (planning frame), in the
// radiological convention: axial seen from the feet, coronal from the front, sagittal from the left.
std::array<Section, 3> sections_through(Vec3 centre, const ImageVolume& ct, const CaseInputs& inputs,
                                        double field_mm = 120, double pixel_mm = 0.5);

}  // namespace rtpof::pipeline
