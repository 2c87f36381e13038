#include "phantom/seg_writer.hpp"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <stdexcept>

#include "phantom/dataset_builder.hpp"

namespace rtpof::phantom {
namespace {

void put_code(DcmItem& parent, const DcmTagKey& sequence, const char* value, const char* scheme, const char* meaning) {
  DcmItem& code = add_item(parent, sequence);
  put(code, DCM_CodeValue, value);
  put(code, DCM_CodingSchemeDesignator, scheme);
  put(code, DCM_CodeMeaning, meaning);
}

struct Frame {
  int segment;  // 1-based
  int slice;
};

}  // namespace

void write_seg(const SegRequest& rq, const std::filesystem::path& path) {
  const WrittenSeries& images = *rq.images;
  const SliceStack& g = rq.segments.at(0).mask->geometry;
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  write_common_modules(d, rq.patient, rq.study, rq.series, UID_SegmentationStorage, rq.sop_uid);
  write_frame_of_reference(d, rq.frame_uid);
  write_body_part(d);
  write_content_date(d, rq.study);
  put(d, DCM_InstanceNumber, "1");
  put(d, DCM_ImageType, "DERIVED\\PRIMARY");
  put(d, DCM_ContentLabel, "RECURRENCE");
  put(d, DCM_ContentDescription, "Recurrence on follow-up MR");
  put(d, DCM_ContentCreatorName, "RADIOLOGIST^PHANTOM");
  write_monochrome_pixel_module(d, g.rows, g.columns, 1, 1);
  put(d, DCM_LossyImageCompression, "00");
  put(d, DCM_SegmentationType, "BINARY");

  for (std::size_t s = 0; s < rq.segments.size(); ++s) {
    DcmItem& segment = add_item(d, DCM_SegmentSequence);
    put_u16(segment, DCM_SegmentNumber, static_cast<Uint16>(s + 1));
    put(segment, DCM_SegmentLabel, rq.segments[s].label);
    put(segment, DCM_SegmentAlgorithmType, "MANUAL");
    put_code(segment, DCM_SegmentedPropertyCategoryCodeSequence, "49755003", "SCT", "Morphologically abnormal structure");
    put_code(segment, DCM_SegmentedPropertyTypeCodeSequence, "108369006", "SCT", "Neoplasm");
  }

  DcmItem& dimension_organization = add_item(d, DCM_DimensionOrganizationSequence);
  put(dimension_organization, DCM_DimensionOrganizationUID, rq.dimension_organization_uid);
  put(d, DCM_DimensionOrganizationType, "3D");
  const struct {
    DcmTagKey index, group;
    const char* label;
  } dimensions[] = {{DCM_ReferencedSegmentNumber, DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber"},
                    {DCM_ImagePositionPatient, DCM_PlanePositionSequence, "ImagePositionPatient"}};
  for (const auto& dimension : dimensions) {
    DcmItem& index = add_item(d, DCM_DimensionIndexSequence);
    put(index, DCM_DimensionOrganizationUID, rq.dimension_organization_uid);
    put_tag(index, DCM_DimensionIndexPointer, dimension.index);
    put_tag(index, DCM_FunctionalGroupPointer, dimension.group);
    put(index, DCM_DimensionDescriptionLabel, dimension.label);
  }

  DcmItem& shared = add_item(d, DCM_SharedFunctionalGroupsSequence);
  DcmItem& measures = add_item(shared, DCM_PixelMeasuresSequence);
  put_numbers(measures, DCM_PixelSpacing, {g.pixel_mm, g.pixel_mm});
  put_numbers(measures, DCM_SliceThickness, {g.slice_mm});
  put_numbers(measures, DCM_SpacingBetweenSlices, {g.slice_mm});
  DcmItem& orientation = add_item(shared, DCM_PlaneOrientationSequence);
  put_numbers(orientation, DCM_ImageOrientationPatient, {1, 0, 0, 0, 1, 0});

  std::vector<Frame> frames;
  for (std::size_t s = 0; s < rq.segments.size(); ++s)
    for (int k = 0; k < g.slices; ++k)
      if (!rq.segments[s].mask->slice_is_empty(k)) frames.push_back({static_cast<int>(s) + 1, k});
  if (frames.empty()) throw std::logic_error("the phantom's SEG would have no frame");

  const std::size_t frame_pixels = static_cast<std::size_t>(g.rows) * g.columns;
  // Binary pixels are packed without padding between frames: pixel p of frame f is bit f * rows *
  // columns + p of the buffer, least significant bit first (PS3.5 8.1.1).
  const std::size_t bytes = (frames.size() * frame_pixels + 7) / 8;
  std::vector<Uint8> packed(bytes + bytes % 2, 0);  // DICOM values have even length
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const Frame& frame = frames[f];
    DcmItem& per_frame = add_item(d, DCM_PerFrameFunctionalGroupsSequence);
    DcmItem& derivation = add_item(per_frame, DCM_DerivationImageSequence);
    put_code(derivation, DCM_DerivationCodeSequence, "113076", "DCM", "Segmentation");
    DcmItem& source = add_item(derivation, DCM_SourceImageSequence);
    put(source, DCM_ReferencedSOPClassUID, images.sop_class_uid);
    put(source, DCM_ReferencedSOPInstanceUID, images.sop_uids.at(static_cast<std::size_t>(frame.slice)));
    put_code(source, DCM_PurposeOfReferenceCodeSequence, "121322", "DCM", "Source image for image processing operation");
    DcmItem& content = add_item(per_frame, DCM_FrameContentSequence);
    std::vector<Uint32> index = {static_cast<Uint32>(frame.segment), static_cast<Uint32>(frame.slice + 1)};
    if (content.putAndInsertUint32Array(DCM_DimensionIndexValues, index.data(), 2).bad())
      throw std::runtime_error("cannot write DimensionIndexValues");
    DcmItem& position = add_item(per_frame, DCM_PlanePositionSequence);
    put_numbers(position, DCM_ImagePositionPatient, {g.x0, g.y0, g.z(frame.slice)});
    DcmItem& identification = add_item(per_frame, DCM_SegmentIdentificationSequence);
    put_u16(identification, DCM_ReferencedSegmentNumber, static_cast<Uint16>(frame.segment));

    const VoxelMask& mask = *rq.segments[static_cast<std::size_t>(frame.segment) - 1].mask;
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.columns; ++c)
        if (mask.at(c, r, frame.slice)) {
          const std::size_t bit = f * frame_pixels + static_cast<std::size_t>(r) * g.columns + c;
          packed[bit / 8] = static_cast<Uint8>(packed[bit / 8] | (1u << (bit % 8)));
        }
  }
  put(d, DCM_NumberOfFrames, std::to_string(frames.size()));

  DcmItem& referenced_series = add_item(d, DCM_ReferencedSeriesSequence);
  put(referenced_series, DCM_SeriesInstanceUID, rq.image_series_uid);
  add_image_references(referenced_series, DCM_ReferencedInstanceSequence, images);
  if (d.putAndInsertUint8Array(DCM_PixelData, packed.data(), static_cast<unsigned long>(packed.size())).bad())
    throw std::runtime_error("cannot write SEG pixel data");
  save_part10(file, path);
}

}  // namespace rtpof::phantom
