#pragma once
// An RTDOSE as a dose grid in patient coordinates, values in Gy as stored (after DoseGridScaling);
// pipeline/dose_meaning.hpp decides what they mean (one fraction or the course).
#include "pipeline/dicomrt/dicom_object.hpp"
#include "pipeline/vec3.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rtpof::pipeline {

struct RtPlan;

struct DoseGrid {
  std::string sop_instance_uid, frame_of_reference_uid, referenced_plan_uid;
  std::string dose_units, dose_type, summation_type;  // GY; PHYSICAL/EFFECTIVE; PLAN, MULTI_PLAN, FRACTION...

  Vec3 origin;                  // centre of voxel (0, 0, 0): ImagePositionPatient
  Vec3 row_direction;           // increasing column index
  Vec3 column_direction;        // increasing row index
  Vec3 normal;                  // row x column: increasing frame index
  double column_spacing = 0;    // between columns, along row_direction (PixelSpacing value 2)
  double row_spacing = 0;       // between rows, along column_direction (PixelSpacing value 1)
  std::size_t columns = 0, rows = 0;
  // Distance of each frame from the origin along `normal`, strictly increasing, starting at 0 (frames
  // written in decreasing order are reversed on loading). May be unevenly spaced.
  std::vector<double> frame_offsets;
  std::vector<double> gy;       // frame-major, then row, then column
  std::vector<std::string> notes;

  std::size_t frames() const { return frame_offsets.size(); }
  double at(std::size_t column, std::size_t row, std::size_t frame) const {
    return gy[(frame * rows + row) * columns + column];
  }
  Vec3 position(std::size_t column, std::size_t row, std::size_t frame) const {
    return origin + (static_cast<double>(column) * column_spacing) * row_direction +
           (static_cast<double>(row) * row_spacing) * column_direction + frame_offsets[frame] * normal;
  }
};

struct DoseLoadOptions {
  // Gy per unit of a RELATIVE dose, when the rules give one; without it a RELATIVE dose is refused.
  std::optional<double> relative_dose_normalisation_gy;
};

// Reads the grid. GridFrameOffsetVector may be relative (first value 0) or absolute (first value the
// origin's z; only with axial orientation). Throws LoadError for short pixel data, RELATIVE units without a
// normalisation, and offsets that are not strictly monotonic.
DoseGrid load_dose_grid(DicomObject& object, const DoseLoadOptions& options = {});

// Several course doses of one patient (e.g. the PLAN doses of a sequential boost) added on the first
// grid's geometry, the others interpolated trilinearly at its nodes. Throws LoadError when they are in
// other frames or units, or when another grid leaves any node of the first uncovered (a dose there is
// unknown, not zero): export them on one grid, or a MULTI_PLAN dose.
DoseGrid sum_doses(const std::vector<DoseGrid>& grids);

}  // namespace rtpof::pipeline
