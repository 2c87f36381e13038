#pragma once
// Puts slices (or frames) in order along their common normal and checks that they form a stack:
// ordered by position, never by InstanceNumber; spacing measured from positions, never SliceThickness.
#include "pipeline/vec3.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace rtpof::pipeline {

struct SlicePlacement {
  std::vector<std::size_t> order;  // indices into the input, ascending along the normal
  std::vector<double> offsets;     // each ordered slice's distance from the first along the normal (mm)
  double spacing = 0;              // the typical distance between neighbours (mm)
};

// `labels[i]` names slice i in errors (its SOP Instance UID, or UID and frame). Throws LoadError on
// two slices at one position, on slices shifted across the normal (gantry tilt, sheared stacks), and —
// with `require_uniform` — on a gap (a missing slice) or otherwise uneven spacing.
SlicePlacement place_slices(const std::vector<Vec3>& positions, Vec3 normal, const std::vector<std::string>& labels,
                            bool require_uniform);

}  // namespace rtpof::pipeline
