#include "pipeline/dicomrt/dose_grid.hpp"

#include "pipeline/dicomrt/attribute_reader.hpp"
#include "pipeline/dosevolume/dose_sampler.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/dosevolume/plane_geometry.hpp"
#include "pipeline/dicomrt/rt_plan.hpp"
#include "pipeline/dicomrt/stored_pixels.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cmath>

namespace rtpof::pipeline {
namespace {

constexpr const char* kRtDoseClass = "1.2.840.10008.5.1.4.1.1.481.2";

// Offsets of each frame from the first, along the normal, whichever form the file used.
std::vector<double> relative_offsets(const AttributeReader& dataset, const DoseGrid& grid, std::size_t frames,
                                     std::vector<std::string>& notes) {
  if (frames == 1 && !dataset.has(DCM_GridFrameOffsetVector)) return {0.0};
  std::vector<double> offsets = dataset.numbers(DCM_GridFrameOffsetVector);
  if (offsets.size() != frames)
    dataset.fail(DCM_GridFrameOffsetVector, "has " + std::to_string(offsets.size()) + " values for " +
                                                std::to_string(frames) + " frames (NumberOfFrames)");
  if (offsets.front() != 0) {
    // Absolute form: PS3.3 C.8.8.3.2 allows it only for axial grids, where value 1 is the origin's z.
    const bool axial = norm(grid.normal - Vec3{0, 0, 1}) < 1e-4;
    if (!axial || std::abs(offsets.front() - grid.origin.z) > 1e-3)
      dataset.fail(DCM_GridFrameOffsetVector,
                   "starts at " + std::to_string(offsets.front()) + ", which is neither 0 (relative offsets) nor "
                   "ImagePositionPatient z = " + std::to_string(grid.origin.z) + " of an axial grid (absolute)");
    for (double& offset : offsets) offset -= grid.origin.z;
    notes.push_back("GridFrameOffsetVector is in the absolute form (z coordinates)");
  }
  return offsets;
}

}  // namespace

DoseGrid load_dose_grid(DicomObject& object, const DoseLoadOptions& options) {
  const AttributeReader dataset(object.dataset(), object.label());
  if (object.sop_class_uid() != kRtDoseClass)
    dataset.fail(DCM_SOPClassUID, "is " + object.sop_class_uid() + ", not RT Dose Storage");
  DoseGrid grid;
  grid.sop_instance_uid = object.sop_instance_uid();
  grid.frame_of_reference_uid = dataset.string(DCM_FrameOfReferenceUID);
  grid.dose_units = dataset.string(DCM_DoseUnits);
  grid.dose_type = dataset.optional_string(DCM_DoseType);
  grid.summation_type = dataset.string(DCM_DoseSummationType);
  if (auto plan = dataset.optional_item(DCM_ReferencedRTPlanSequence))
    grid.referenced_plan_uid = plan->optional_string(DCM_ReferencedSOPInstanceUID);

  double unit_gy = 1;
  if (grid.dose_units == "RELATIVE") {
    if (!options.relative_dose_normalisation_gy)
      dataset.fail(DCM_DoseUnits, "is RELATIVE, which cannot be compared with a prescription; export the dose "
                                  "in GY or give a normalisation in the rules");
    unit_gy = *options.relative_dose_normalisation_gy;
    grid.notes.push_back("RELATIVE dose scaled by " + std::to_string(unit_gy) + " Gy per unit from the rules");
  } else if (grid.dose_units != "GY") {
    dataset.fail(DCM_DoseUnits, "is \"" + grid.dose_units + "\"; rtpof reads GY (or RELATIVE with a normalisation)");
  }
  if (grid.dose_type == "ERROR") dataset.fail(DCM_DoseType, "is ERROR: a dose difference, not a planned dose");

  const PixelLayout layout = read_pixel_layout(dataset);
  if (layout.bits_allocated != 16 && layout.bits_allocated != 32)
    dataset.fail(DCM_BitsAllocated, "must be 16 or 32 for RT Dose, is " + std::to_string(layout.bits_allocated));
  const double scaling = dataset.number(DCM_DoseGridScaling);
  if (!(scaling > 0)) dataset.fail(DCM_DoseGridScaling, "must be positive");

  const PlaneOrientation orientation = read_orientation(dataset);
  grid.row_direction = orientation.row;
  grid.column_direction = orientation.column;
  grid.normal = orientation.normal;
  grid.origin = read_position(dataset);
  const PixelPitch pitch = read_pitch(dataset, DCM_PixelSpacing);
  grid.row_spacing = pitch.between_rows;
  grid.column_spacing = pitch.between_columns;
  grid.columns = layout.columns;
  grid.rows = layout.rows;

  std::vector<double> offsets = relative_offsets(dataset, grid, layout.frames, grid.notes);
  const bool decreasing = offsets.size() > 1 && offsets[1] < offsets[0];
  for (std::size_t k = 1; k < offsets.size(); ++k)
    if (decreasing ? !(offsets[k] < offsets[k - 1]) : !(offsets[k] > offsets[k - 1]))
      dataset.fail(DCM_GridFrameOffsetVector, "is not strictly monotonic at value " + std::to_string(k + 1));

  const StoredPixels pixels(object, layout);
  const std::size_t plane = layout.pixels_per_frame();
  grid.gy.resize(layout.pixel_count());
  for (std::size_t f = 0; f < layout.frames; ++f) {
    // Frames written in decreasing order are stored in increasing order: every grid reads the same way.
    const std::size_t source = decreasing ? layout.frames - 1 - f : f;
    for (std::size_t p = 0; p < plane; ++p) grid.gy[f * plane + p] = pixels[source * plane + p] * scaling * unit_gy;
  }
  if (decreasing) {
    std::reverse(offsets.begin(), offsets.end());
    grid.origin = grid.origin + offsets.front() * grid.normal;
    const double first = offsets.front();
    for (double& offset : offsets) offset -= first;
    grid.notes.push_back("frames were written in decreasing position and were reordered");
  }
  grid.frame_offsets = std::move(offsets);
  return grid;
}

DoseGrid sum_doses(const std::vector<DoseGrid>& grids) {
  if (grids.empty()) throw LoadError("", "", "no dose to sum");
  DoseGrid sum = grids.front();
  for (std::size_t g = 1; g < grids.size(); ++g) {
    const DoseGrid& other = grids[g];
    if (other.frame_of_reference_uid != sum.frame_of_reference_uid)
      throw LoadError(other.sop_instance_uid, describe_tag(DCM_FrameOfReferenceUID),
                      "is " + other.frame_of_reference_uid + " but RTDOSE " + sum.sop_instance_uid + " is in " +
                          sum.frame_of_reference_uid + ": doses of different frames cannot be summed");
    if (other.dose_units != sum.dose_units)
      throw LoadError(other.sop_instance_uid, describe_tag(DCM_DoseUnits), "differs from RTDOSE " + sum.sop_instance_uid);
    const DoseSampler sampler(other);
    std::size_t uncovered = 0;
    for (std::size_t f = 0; f < sum.frames(); ++f)
      for (std::size_t r = 0; r < sum.rows; ++r)
        for (std::size_t c = 0; c < sum.columns; ++c) {
          const auto value = sampler.at(sum.position(c, r, f));
          if (value) sum.gy[(f * sum.rows + r) * sum.columns + c] += *value;
          else ++uncovered;
        }
    if (uncovered > 0)
      throw LoadError(other.sop_instance_uid, "",
                      "its grid leaves " + std::to_string(uncovered) + " of " + std::to_string(sum.gy.size()) +
                          " nodes of RTDOSE " + sum.sop_instance_uid + "'s grid uncovered, so their summed dose is "
                          "unknown; export the doses on one grid, or a MULTI_PLAN dose");
    sum.notes.push_back("RTDOSE " + other.sop_instance_uid + " added, interpolated on this grid");
  }
  sum.summation_type = grids.size() > 1 ? "MULTI_PLAN" : sum.summation_type;
  return sum;
}

}  // namespace rtpof::pipeline
