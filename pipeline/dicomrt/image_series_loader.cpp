#include "pipeline/dicomrt/image_series.hpp"

#include "pipeline/dicomrt/attribute_reader.hpp"
#include "pipeline/dicomrt/functional_groups.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/dosevolume/plane_geometry.hpp"
#include "pipeline/dicomrt/slice_placement.hpp"
#include "pipeline/dicomrt/stored_pixels.hpp"
#include "pipeline/parallel.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cmath>
#include <memory>

namespace rtpof::pipeline {
namespace {

// One 2-D plane of the volume: a classic single-frame file, or one frame of an enhanced object.
struct Slice {
  DicomObject* object = nullptr;
  std::size_t object_index = 0;
  std::size_t frame = 0;
  std::string label;
  Vec3 position;
  PlaneOrientation orientation;
  PixelPitch pitch;
  double slope = 1, intercept = 0;
};

struct Rescale {
  double slope = 1, intercept = 0;
};

Rescale read_rescale(const AttributeReader& item) {
  Rescale rescale{item.optional_number(DCM_RescaleSlope).value_or(1.0),
                  item.optional_number(DCM_RescaleIntercept).value_or(0.0)};
  if (rescale.slope == 0) item.fail(DCM_RescaleSlope, "is zero");
  return rescale;
}

void require_same(const AttributeReader& reader, const DcmTagKey& tag, const std::string& value,
                  const std::string& expected, const std::string& first_label) {
  if (value != expected)
    reader.fail(tag, "is " + (value.empty() ? std::string("empty") : value) + " but " + first_label + " has " +
                         (expected.empty() ? std::string("none") : expected) +
                         ": a mixed series; send one series at a time");
}

std::vector<Slice> classic_slices(const std::vector<DicomObject*>& objects) {
  std::vector<Slice> slices;
  for (DicomObject* pointer : objects) {
    DicomObject& object = *pointer;
    const AttributeReader reader(object.dataset(), object.label());
    if (optional_integer_of(reader, DCM_NumberOfFrames).value_or(1) != 1)
      reader.fail(DCM_NumberOfFrames, "is more than 1 in an object without per-frame functional groups");
    Slice slice;
    slice.object = &object;
    slice.object_index = slices.size();
    slice.label = object.label();
    slice.orientation = read_orientation(reader);
    slice.position = read_position(reader);
    slice.pitch = read_pitch(reader, DCM_PixelSpacing);
    const Rescale rescale = read_rescale(reader);
    slice.slope = rescale.slope;
    slice.intercept = rescale.intercept;
    slices.push_back(slice);
  }
  return slices;
}

std::vector<Slice> enhanced_slices(DicomObject& object, std::size_t frames) {
  const AttributeReader reader(object.dataset(), object.label());
  if (reader.items(DCM_PerFrameFunctionalGroupsSequence) != frames)
    reader.fail(DCM_PerFrameFunctionalGroupsSequence,
                "has " + std::to_string(reader.items(DCM_PerFrameFunctionalGroupsSequence)) + " items for " +
                    std::to_string(frames) + " frames");
  std::vector<Slice> slices;
  std::string stack_id;
  for (std::size_t f = 0; f < frames; ++f) {
    Slice slice;
    slice.object = &object;
    slice.frame = f;
    slice.label = object.label() + " frame " + std::to_string(f + 1);
    slice.orientation = read_orientation(required_functional_group(reader, f, DCM_PlaneOrientationSequence));
    slice.position = read_position(required_functional_group(reader, f, DCM_PlanePositionSequence));
    slice.pitch = read_pitch(required_functional_group(reader, f, DCM_PixelMeasuresSequence), DCM_PixelSpacing);
    if (auto transformation = functional_group(reader, f, DCM_PixelValueTransformationSequence)) {
      const Rescale rescale = read_rescale(*transformation);
      slice.slope = rescale.slope;
      slice.intercept = rescale.intercept;
    }
    if (auto content = functional_group(reader, f, DCM_FrameContentSequence)) {
      const std::string id = content->optional_string(DCM_StackID);
      if (f == 0) stack_id = id;
      else if (id != stack_id)
        content->fail(DCM_StackID, "frame " + std::to_string(f + 1) + " is in stack \"" + id + "\", frame 1 in \"" +
                                       stack_id + "\": rtpof reads one stack per object");
    }
    slices.push_back(slice);
  }
  return slices;
}

}  // namespace

ImageSeries load_image_series(std::vector<DicomObject>& objects) {
  std::vector<DicomObject*> pointers;
  for (DicomObject& object : objects) pointers.push_back(&object);
  return load_image_series(pointers);
}

ImageSeries load_image_series(const std::vector<DicomObject*>& objects) {
  if (objects.empty()) throw LoadError("", "", "an image series needs at least one object; none was given");
  ImageSeries series;
  const AttributeReader first(objects.front()->dataset(), objects.front()->label());
  series.modality = first.optional_string(DCM_Modality);
  series.study_instance_uid = first.optional_string(DCM_StudyInstanceUID);
  series.series_instance_uid = first.string(DCM_SeriesInstanceUID);
  series.frame_of_reference_uid = first.optional_string(DCM_FrameOfReferenceUID);

  std::vector<PixelLayout> layouts;
  for (DicomObject* pointer : objects) {
    DicomObject& object = *pointer;
    const AttributeReader reader(object.dataset(), object.label());
    if (!object.dataset().tagExists(DCM_PixelData))  // encapsulated data report no length
      reader.fail(DCM_PixelData, "is missing: SOP class " + object.sop_class_uid() + " is not an image");
    require_same(reader, DCM_SeriesInstanceUID, reader.optional_string(DCM_SeriesInstanceUID),
                 series.series_instance_uid, first.instance());
    require_same(reader, DCM_FrameOfReferenceUID, reader.optional_string(DCM_FrameOfReferenceUID),
                 series.frame_of_reference_uid, first.instance());
    layouts.push_back(read_pixel_layout(reader));
    if (layouts.back().bits_allocated < 8) reader.fail(DCM_BitsAllocated, "is 1: a bitmap, not an image");
    if (layouts.back().rows != layouts.front().rows || layouts.back().columns != layouts.front().columns)
      reader.fail(DCM_Rows, "the image is " + std::to_string(layouts.back().rows) + " x " +
                                std::to_string(layouts.back().columns) + " but " + first.instance() + " is " +
                                std::to_string(layouts.front().rows) + " x " +
                                std::to_string(layouts.front().columns) + ": a mixed series");
  }

  const bool enhanced = first.items(DCM_PerFrameFunctionalGroupsSequence) > 0;
  if (enhanced && objects.size() > 1)
    first.fail(DCM_PerFrameFunctionalGroupsSequence,
               "an enhanced multi-frame object must be loaded on its own, not with " +
                   std::to_string(objects.size() - 1) + " other objects");
  std::vector<Slice> slices = enhanced ? enhanced_slices(*objects.front(), layouts.front().frames)
                                       : classic_slices(objects);
  if (slices.size() < 2)
    throw LoadError(slices.front().label, describe_tag(DCM_ImagePositionPatient),
                    "a series of one slice is not a volume; rtpof needs at least two slices");
  for (const Slice& slice : slices) {
    const AttributeReader reader(slice.object->dataset(), slice.label);
    if (!same_orientation(slice.orientation, slices.front().orientation))
      reader.fail(DCM_ImageOrientationPatient, "differs from that of " + slices.front().label +
                                                   ": slices of several orientations cannot form one stack");
    if (!same_pitch(slice.pitch, slices.front().pitch))
      reader.fail(DCM_PixelSpacing, "differs from that of " + slices.front().label + ": a mixed series");
  }

  std::vector<Vec3> positions;
  std::vector<std::string> labels;
  for (const Slice& slice : slices) {
    positions.push_back(slice.position);
    labels.push_back(slice.label);
  }
  const PlaneOrientation& orientation = slices.front().orientation;
  const SlicePlacement placement = place_slices(positions, orientation.normal, labels, true);

  const PixelLayout& layout = layouts.front();
  for (const PixelLayout& other : layouts)
    if (other.photometric != layout.photometric)
      throw LoadError(objects.front()->label(), describe_tag(DCM_PhotometricInterpretation),
                      "differs between the series' slices: a mixed series");
  auto image = ImageVolume::New();
  ImageVolume::RegionType region;
  region.SetSize({{layout.columns, layout.rows, slices.size()}});
  image->SetRegions(region);
  const Vec3 origin = slices[placement.order.front()].position;
  ImageVolume::PointType itk_origin;
  itk_origin[0] = origin.x;
  itk_origin[1] = origin.y;
  itk_origin[2] = origin.z;
  image->SetOrigin(itk_origin);
  ImageVolume::SpacingType spacing;
  spacing[0] = slices.front().pitch.between_columns;
  spacing[1] = slices.front().pitch.between_rows;
  spacing[2] = placement.spacing;
  image->SetSpacing(spacing);
  ImageVolume::DirectionType direction;
  const Vec3 axes[3] = {orientation.row, orientation.column, orientation.normal};
  for (int axis = 0; axis < 3; ++axis) {
    direction[0][axis] = axes[axis].x;
    direction[1][axis] = axes[axis].y;
    direction[2][axis] = axes[axis].z;
  }
  image->SetDirection(direction);
  image->Allocate();

  // Modality values (HU for CT) are physical whatever the display polarity; for other modalities a
  // MONOCHROME1 image is flipped so that every series reaching registration has bright = high.
  const bool invert = layout.photometric == "MONOCHROME1" && series.modality != "CT";
  if (invert) series.notes.push_back("MONOCHROME1 image inverted so that brighter is higher");

  // Slices are converted in parallel: a classic slice is an object of its own; an enhanced object's
  // frames share one view of its pixels, made here once, because decompressing changes the object.
  float* buffer = image->GetBufferPointer();
  const std::size_t plane = layout.pixels_per_frame();
  std::unique_ptr<StoredPixels> shared;
  if (enhanced) shared = std::make_unique<StoredPixels>(*objects.front(), layouts.front());
  rethrow_first(for_each_index(placement.order.size(), core_count(), [&](std::size_t k) {
    const Slice& slice = slices[placement.order[k]];
    const PixelLayout& own = layouts[slice.object_index];
    std::unique_ptr<StoredPixels> own_pixels;
    if (!shared) own_pixels = std::make_unique<StoredPixels>(*slice.object, own);
    const StoredPixels& pixels = shared ? *shared : *own_pixels;
    // Reflects the stored range onto itself: unsigned [0, 2^b - 1], signed [-2^(b-1), 2^(b-1) - 1].
    const double range_top = own.is_signed ? -1.0 : std::ldexp(1.0, own.bits_stored) - 1;
    const std::size_t base = slice.frame * plane;
    float* out = buffer + k * plane;
    for (std::size_t p = 0; p < plane; ++p) {
      const double stored = invert ? range_top - pixels[base + p] : pixels[base + p];
      out[p] = static_cast<float>(stored * slice.slope + slice.intercept);
    }
  }));
  for (std::size_t k : placement.order) series.sop_instance_uids.push_back(slices[k].object->sop_instance_uid());
  if (enhanced) series.sop_instance_uids.resize(1);
  series.image = image;
  return series;
}

}  // namespace rtpof::pipeline
