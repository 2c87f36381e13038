#include "phantom/rtdose_writer.hpp"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <stdexcept>

#include "phantom/dataset_builder.hpp"

namespace rtpof::phantom {

void write_rtdose(const RtdoseRequest& rq, const std::filesystem::path& path) {
  const PlannedDose& g = *rq.dose;
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  write_common_modules(d, rq.patient, rq.study, rq.series, UID_RTDoseStorage, rq.sop_uid);
  write_frame_of_reference(d, rq.frame_uid);
  write_content_date(d, rq.study);
  put(d, DCM_InstanceNumber, "1");
  put_numbers(d, DCM_ImagePositionPatient, {g.x0, g.y0, g.z0});
  put_numbers(d, DCM_ImageOrientationPatient, {1, 0, 0, 0, 1, 0});
  put_numbers(d, DCM_PixelSpacing, {g.spacing_mm, g.spacing_mm});
  put_numbers(d, DCM_SliceThickness, {g.spacing_mm});
  write_monochrome_pixel_module(d, g.rows, g.columns, 32, 32);
  put(d, DCM_NumberOfFrames, std::to_string(g.frames));
  put_tag(d, DCM_FrameIncrementPointer, DCM_GridFrameOffsetVector);
  put(d, DCM_DoseUnits, "GY");
  put(d, DCM_DoseType, "PHYSICAL");
  put(d, DCM_DoseSummationType, "PLAN");
  std::vector<double> offsets;
  for (int f = 0; f < g.frames; ++f) offsets.push_back(f * g.spacing_mm);
  put_numbers(d, DCM_GridFrameOffsetVector, offsets);
  put(d, DCM_DoseGridScaling, decimal(g.scaling));
  DcmItem& plan = add_item(d, DCM_ReferencedRTPlanSequence);
  put(plan, DCM_ReferencedSOPClassUID, UID_RTPlanStorage);
  put(plan, DCM_ReferencedSOPInstanceUID, rq.rtplan_uid);
  // 32-bit samples go in as OW bytes, little endian, as DICOM encodes them.
  if (d.putAndInsertUint8Array(DCM_PixelData, reinterpret_cast<const Uint8*>(g.values.data()),
                               static_cast<unsigned long>(g.values.size() * sizeof(std::uint32_t)))
          .bad())
    throw std::runtime_error("cannot write RTDOSE pixel data");
  save_part10(file, path);
}

}  // namespace rtpof::phantom
