#include "pipeline/dicomrt/segmentation.hpp"

#include "pipeline/dicomrt/attribute_reader.hpp"
#include "pipeline/dicomrt/functional_groups.hpp"
#include "pipeline/dosevolume/plane_geometry.hpp"
#include "pipeline/dicomrt/stored_pixels.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace rtpof::pipeline {
namespace {

constexpr const char* kSegmentationClass = "1.2.840.10008.5.1.4.1.1.66.4";
constexpr double kPositionTolerance = 0.02;  // mm, as for image series

struct Frame {
  int segment = 0;
  double offset = 0;  // along the normal, from frame 1
  std::size_t slice = 0;
};

}  // namespace

std::size_t SegmentMask::voxel_count() const {
  return static_cast<std::size_t>(std::count(inside.begin(), inside.end(), std::uint8_t{1}));
}

const SegmentMask* Segmentation::find(const std::string& label) const {
  for (const SegmentMask& segment : segments)
    if (segment.label == label) return &segment;
  return nullptr;
}

Segmentation load_segmentation(DicomObject& object) {
  const AttributeReader dataset(object.dataset(), object.label());
  if (object.sop_class_uid() != kSegmentationClass)
    dataset.fail(DCM_SOPClassUID, "is " + object.sop_class_uid() + ", not Segmentation Storage");
  Segmentation seg;
  seg.sop_instance_uid = object.sop_instance_uid();
  seg.frame_of_reference_uid = dataset.string(DCM_FrameOfReferenceUID);
  seg.segmentation_type = dataset.string(DCM_SegmentationType);
  const bool binary = seg.segmentation_type == "BINARY";
  if (!binary && seg.segmentation_type != "FRACTIONAL")
    dataset.fail(DCM_SegmentationType, "is \"" + seg.segmentation_type + "\", not BINARY or FRACTIONAL");
  for (std::size_t i = 0; i < dataset.items(DCM_ReferencedSeriesSequence); ++i)
    seg.referenced_series_uids.push_back(dataset.item(DCM_ReferencedSeriesSequence, i).string(DCM_SeriesInstanceUID));

  const PixelLayout layout = read_pixel_layout(dataset);
  if (binary && layout.bits_allocated != 1)
    dataset.fail(DCM_BitsAllocated, "must be 1 for a BINARY segmentation, is " + std::to_string(layout.bits_allocated));
  if (!binary && layout.bits_allocated != 8)
    dataset.fail(DCM_BitsAllocated, "must be 8 for a FRACTIONAL segmentation, is " + std::to_string(layout.bits_allocated));
  double maximum = 1;
  if (!binary) {
    maximum = dataset.number(DCM_MaximumFractionalValue);
    if (!(maximum >= 1 && maximum <= 255)) dataset.fail(DCM_MaximumFractionalValue, "must be between 1 and 255");
    seg.notes.push_back("fractional segments thresholded at 50 % of MaximumFractionalValue");
  }

  std::map<int, std::size_t> by_number;
  for (std::size_t i = 0; i < dataset.items(DCM_SegmentSequence); ++i) {
    const AttributeReader item = dataset.item(DCM_SegmentSequence, i);
    SegmentMask segment;
    segment.segment_number = static_cast<int>(integer_of(item, DCM_SegmentNumber));
    segment.label = item.optional_string(DCM_SegmentLabel);
    segment.algorithm_type = item.optional_string(DCM_SegmentAlgorithmType);
    if (!by_number.emplace(segment.segment_number, seg.segments.size()).second)
      item.fail(DCM_SegmentNumber, "segment number " + std::to_string(segment.segment_number) + " is used twice");
    seg.segments.push_back(std::move(segment));
  }
  if (seg.segments.empty()) dataset.fail(DCM_SegmentSequence, "holds no segment");

  // Geometry: every frame must share one orientation and pitch and lie on one line along the normal.
  const PlaneOrientation orientation = read_orientation(required_functional_group(dataset, 0, DCM_PlaneOrientationSequence));
  const AttributeReader measures = required_functional_group(dataset, 0, DCM_PixelMeasuresSequence);
  const PixelPitch pitch = read_pitch(measures, DCM_PixelSpacing);
  std::vector<Frame> frames(layout.frames);
  std::vector<Vec3> positions(layout.frames);
  for (std::size_t f = 0; f < layout.frames; ++f) {
    const AttributeReader plane = required_functional_group(dataset, f, DCM_PlanePositionSequence);
    positions[f] = read_position(plane);
    if (!same_orientation(read_orientation(required_functional_group(dataset, f, DCM_PlaneOrientationSequence)),
                          orientation))
      dataset.fail(DCM_PlaneOrientationSequence, "frame " + std::to_string(f + 1) + " has another orientation");
    const Vec3 shift = positions[f] - positions[0];
    frames[f].offset = dot(shift, orientation.normal);
    if (norm(shift - frames[f].offset * orientation.normal) > kPositionTolerance)
      plane.fail(DCM_ImagePositionPatient, "frame " + std::to_string(f + 1) + " is shifted across the normal from frame 1");
    const AttributeReader identification = required_functional_group(dataset, f, DCM_SegmentIdentificationSequence);
    frames[f].segment = static_cast<int>(integer_of(identification, DCM_ReferencedSegmentNumber));
    if (!by_number.count(frames[f].segment))
      identification.fail(DCM_ReferencedSegmentNumber, "frame " + std::to_string(f + 1) + " refers to segment " +
                                                           std::to_string(frames[f].segment) + ", which is not defined");
  }

  // The stack: from the lowest to the highest frame, at the declared spacing or the smallest step seen
  // (empty frames are often left out, so steps may be multiples of it).
  std::vector<double> offsets;
  for (const Frame& frame : frames) offsets.push_back(frame.offset);
  std::sort(offsets.begin(), offsets.end());
  double spacing = measures.optional_number(DCM_SpacingBetweenSlices).value_or(0);
  for (std::size_t k = 1; k < offsets.size() && !(spacing > 0); ++k)
    if (offsets[k] - offsets[k - 1] > kPositionTolerance) spacing = offsets[k] - offsets[k - 1];
  if (!(spacing > 0)) spacing = measures.optional_number(DCM_SliceThickness).value_or(1.0);
  if (!(spacing > 0)) measures.fail(DCM_SliceThickness, "must be positive");
  for (std::size_t k = 1; k < offsets.size(); ++k) {
    const double step = offsets[k] - offsets[k - 1];
    if (step > kPositionTolerance && step < spacing - kPositionTolerance) spacing = step;
  }
  const double lowest = offsets.front();
  const double span = offsets.back() - lowest;
  if (span / spacing > 100000) dataset.fail(DCM_PerFrameFunctionalGroupsSequence, "frame positions span an implausible range");
  const std::size_t slices = static_cast<std::size_t>(std::lround(span / spacing)) + 1;
  // Each segment gets a byte per voxel of the stack: bound it before allocating, so that a few frames
  // placed far apart cannot ask for gigabytes (a real SEG of a 512 x 512 x 200 MR with 3 segments is
  // 157 M voxels).
  constexpr std::size_t max_voxels = std::size_t{1} << 28;
  if (layout.pixels_per_frame() * slices > max_voxels / std::max<std::size_t>(1, seg.segments.size()))
    dataset.fail(DCM_PerFrameFunctionalGroupsSequence,
                 "its frames span " + std::to_string(slices) + " slices of " + std::to_string(layout.columns) + " x " +
                     std::to_string(layout.rows) + " for " + std::to_string(seg.segments.size()) +
                     " segments, more than 2^28 voxels: an implausible segmentation");
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const double index = (frames[f].offset - lowest) / spacing;
    if (std::abs(index - std::round(index)) * spacing > kPositionTolerance)
      dataset.fail(DCM_PerFrameFunctionalGroupsSequence,
                   "frame " + std::to_string(f + 1) + " lies between the slices of a " + std::to_string(spacing) +
                       " mm stack");
    frames[f].slice = static_cast<std::size_t>(std::lround(index));
  }

  // The pixel data must hold every frame before anything is allocated for them.
  const std::uint8_t* bits = binary ? binary_frame_bits(object, layout.pixel_count()) : nullptr;
  std::optional<StoredPixels> fractions;
  if (!binary) fractions.emplace(object, layout);

  const Vec3 origin = positions[0] + (lowest - frames[0].offset) * orientation.normal;
  for (SegmentMask& segment : seg.segments) {
    segment.origin = origin;
    segment.row_direction = orientation.row;
    segment.column_direction = orientation.column;
    segment.normal = orientation.normal;
    segment.column_spacing = pitch.between_columns;
    segment.row_spacing = pitch.between_rows;
    segment.slice_spacing = spacing;
    segment.columns = layout.columns;
    segment.rows = layout.rows;
    segment.slices = slices;
    segment.inside.assign(layout.columns * layout.rows * slices, 0);
  }

  const std::size_t plane = layout.pixels_per_frame();
  std::vector<std::vector<bool>> filled(seg.segments.size(), std::vector<bool>(slices, false));
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const std::size_t s = by_number.at(frames[f].segment);
    if (filled[s][frames[f].slice])
      dataset.fail(DCM_PerFrameFunctionalGroupsSequence,
                   "frame " + std::to_string(f + 1) + " repeats segment " + std::to_string(frames[f].segment) +
                       " at a position it already has");
    filled[s][frames[f].slice] = true;
    std::uint8_t* out = seg.segments[s].inside.data() + frames[f].slice * plane;
    for (std::size_t p = 0; p < plane; ++p) {
      if (binary) {
        // PS3.5 8.1.1: frames are packed back to back, least significant bit first, no padding between them.
        const std::size_t bit = f * plane + p;
        out[p] = (bits[bit / 8] >> (bit % 8)) & 1u;
      } else {
        out[p] = (*fractions)[f * plane + p] >= 0.5 * maximum ? 1 : 0;
      }
    }
  }
  return seg;
}

}  // namespace rtpof::pipeline
