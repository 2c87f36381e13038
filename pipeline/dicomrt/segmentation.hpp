#pragma once
// A Segmentation object's segments as voxel masks in patient coordinates. Binary SEG pixel data are
// unpacked here, not by dcmseg: DCMTK 3.6.7 packs and unpacks frames whose rows x columns is not a multiple
// of 8 wrongly (docs/loaders.md, Segmentation).
#include "pipeline/dicomrt/dicom_object.hpp"
#include "pipeline/vec3.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rtpof::pipeline {

struct SegmentMask {
  int segment_number = 0;
  std::string label, algorithm_type;

  Vec3 origin;  // centre of voxel (0, 0, 0)
  Vec3 row_direction, column_direction, normal;
  double column_spacing = 0, row_spacing = 0, slice_spacing = 0;
  std::size_t columns = 0, rows = 0, slices = 0;
  std::vector<std::uint8_t> inside;  // slice-major, then row, then column; 1 inside the segment

  std::size_t voxel_count() const;
  Vec3 position(std::size_t column, std::size_t row, std::size_t slice) const {
    return origin + (static_cast<double>(column) * column_spacing) * row_direction +
           (static_cast<double>(row) * row_spacing) * column_direction +
           (static_cast<double>(slice) * slice_spacing) * normal;
  }
};

struct Segmentation {
  std::string sop_instance_uid, frame_of_reference_uid, segmentation_type;  // BINARY or FRACTIONAL
  std::vector<std::string> referenced_series_uids;
  std::vector<SegmentMask> segments;  // every segment of the object, on one common stack
  std::vector<std::string> notes;

  const SegmentMask* find(const std::string& label) const;
};

// Frames may come in any order, empty frames may be missing, segments may interleave: each frame is placed
// by its position along the normal. Fractional segments are thresholded at 50 % (with a note).
Segmentation load_segmentation(DicomObject& object);

}  // namespace rtpof::pipeline
