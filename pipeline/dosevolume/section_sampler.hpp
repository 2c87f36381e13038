#pragma once
// Three orthogonal planning-CT sections through a point (the recurrence's centroid), with the dose and
// the outlines the report draws on them. Every value comes from the loaded volumes through the same code
// as the figures: the dose through DoseSampler, the CTVs through ContourStack::contains, each recurrence
// through its RegionShape carried by the registration used. So the picture cannot disagree with the table.
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/dosevolume/case_analysis.hpp"
#include "pipeline/dosevolume/section_images.hpp"

#include <array>

namespace rtpof::pipeline {

// Sections of `field_mm` square sampled every `pixel_mm`, centred on `centre` (planning frame), in the
// radiological convention: axial seen from the feet, coronal from the front, sagittal from the left.
std::array<Section, 3> sections_through(Vec3 centre, const ImageVolume& ct, const CaseInputs& inputs,
                                        double field_mm = 120, double pixel_mm = 0.5);

}  // namespace rtpof::pipeline
