#pragma once
// A planning-CT section with the dose and the outlines the report draws on it, as plain arrays: what
// section_sampler.hpp fills and report/pdf_report draws. No ITK here, so the report writer builds without
// it (the clang fuzz build).
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

}  // namespace rtpof::pipeline
