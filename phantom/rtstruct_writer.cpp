#include "phantom/rtstruct_writer.hpp"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cmath>
#include <stdexcept>

#include "phantom/dataset_builder.hpp"

namespace rtpof::phantom {
namespace {

std::size_t slice_of(const WrittenSeries& images, double z) {
  for (std::size_t k = 0; k < images.slice_z.size(); ++k)
    if (std::abs(images.slice_z[k] - z) < 1e-6) return k;
  throw std::logic_error("a phantom contour lies between slices");
}

}  // namespace

void write_rtstruct(const RtstructRequest& rq, const std::filesystem::path& path) {
  const WrittenSeries& images = *rq.images;
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  write_common_modules(d, rq.patient, rq.study, rq.series, UID_RTStructureSetStorage, rq.sop_uid);
  write_frame_of_reference(d, rq.frame_uid);
  put(d, DCM_InstanceNumber, "1");
  put(d, DCM_StructureSetLabel, rq.label);
  put(d, DCM_StructureSetDate, rq.study.date);
  put(d, DCM_StructureSetTime, rq.study.time);
  DcmItem& frame = add_item(d, DCM_ReferencedFrameOfReferenceSequence);
  put(frame, DCM_FrameOfReferenceUID, rq.frame_uid);
  DcmItem& ref_study = add_item(frame, DCM_RTReferencedStudySequence);
  put(ref_study, DCM_ReferencedSOPClassUID, "1.2.840.10008.3.1.2.3.1");  // Detached Study Management (retired)
  put(ref_study, DCM_ReferencedSOPInstanceUID, rq.study.uid);
  DcmItem& ref_series = add_item(ref_study, DCM_RTReferencedSeriesSequence);
  put(ref_series, DCM_SeriesInstanceUID, rq.image_series_uid);
  add_image_references(ref_series, DCM_ContourImageSequence, images);
  int number = 0;
  for (const auto& roi_spec : rq.rois) {
    ++number;
    DcmItem& roi = add_item(d, DCM_StructureSetROISequence);
    put(roi, DCM_ROINumber, std::to_string(number));
    put(roi, DCM_ReferencedFrameOfReferenceUID, rq.frame_uid);
    put(roi, DCM_ROIName, roi_spec.name);
    put(roi, DCM_ROIGenerationAlgorithm, "MANUAL");

    DcmItem& contours = add_item(d, DCM_ROIContourSequence);
    const auto& rgb = roi_spec.colour;
    put(contours, DCM_ROIDisplayColor,
        std::to_string(rgb[0]) + "\\" + std::to_string(rgb[1]) + "\\" + std::to_string(rgb[2]));
    put(contours, DCM_ReferencedROINumber, std::to_string(number));
    int contour_number = 0;
    for (const auto& c : roi_spec.contours) {
      DcmItem& contour = add_item(contours, DCM_ContourSequence);
      DcmItem& image = add_item(contour, DCM_ContourImageSequence);
      put(image, DCM_ReferencedSOPClassUID, images.sop_class_uid);
      put(image, DCM_ReferencedSOPInstanceUID, images.sop_uids[slice_of(images, c.z)]);
      put(contour, DCM_ContourNumber, std::to_string(++contour_number));
      put(contour, DCM_ContourGeometricType, "CLOSED_PLANAR");
      put(contour, DCM_NumberOfContourPoints, std::to_string(c.points.size()));
      std::vector<double> xyz;
      xyz.reserve(c.points.size() * 3);
      for (const auto& p : c.points) xyz.insert(xyz.end(), {p[0], p[1], c.z});
      put_numbers(contour, DCM_ContourData, xyz);
    }
    DcmItem& observation = add_item(d, DCM_RTROIObservationsSequence);
    put(observation, DCM_ObservationNumber, std::to_string(number));
    put(observation, DCM_ReferencedROINumber, std::to_string(number));
    put(observation, DCM_RTROIInterpretedType, roi_spec.interpreted_type);
    put(observation, DCM_ROIInterpreter, "");
  }
  save_part10(file, path);
}

}  // namespace rtpof::phantom
