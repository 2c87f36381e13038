#include "phantom/patient_study.hpp"

#include "phantom/dataset_builder.hpp"

namespace rtpof::phantom {

void write_common_modules(DcmItem& d, const PatientInfo& patient, const StudyInfo& study, const SeriesInfo& series,
                          const std::string& sop_class_uid, const std::string& sop_instance_uid) {
  put(d, DCM_SpecificCharacterSet, "ISO_IR 100");
  put(d, DCM_SOPClassUID, sop_class_uid);
  put(d, DCM_SOPInstanceUID, sop_instance_uid);
  put(d, DCM_PatientName, patient.name);
  put(d, DCM_PatientID, patient.id);
  put(d, DCM_PatientBirthDate, patient.birth_date);
  put(d, DCM_PatientSex, patient.sex);
  put(d, DCM_StudyInstanceUID, study.uid);
  put(d, DCM_StudyDate, study.date);
  put(d, DCM_StudyTime, study.time);
  put(d, DCM_ReferringPhysicianName, "");
  put(d, DCM_StudyID, study.id);
  put(d, DCM_AccessionNumber, "");
  put(d, DCM_StudyDescription, study.description);
  put(d, DCM_Modality, series.modality);
  put(d, DCM_SeriesInstanceUID, series.uid);
  put(d, DCM_SeriesNumber, std::to_string(series.number));
  put(d, DCM_SeriesDate, study.date);
  put(d, DCM_SeriesTime, study.time);
  put(d, DCM_SeriesDescription, series.description);
  put(d, DCM_OperatorsName, "");
  put(d, DCM_Manufacturer, "rtpof phantom");
  put(d, DCM_InstitutionName, "rtpof");
  put(d, DCM_StationName, "PHANTOM");
  put(d, DCM_ManufacturerModelName, "rtpof");
  put(d, DCM_DeviceSerialNumber, "1");
  put(d, DCM_SoftwareVersions, "1");
}

void write_body_part(DcmItem& d) { put(d, DCM_BodyPartExamined, "HEADNECK"); }

void write_frame_of_reference(DcmItem& d, const std::string& frame_uid) {
  put(d, DCM_FrameOfReferenceUID, frame_uid);
  put(d, DCM_PositionReferenceIndicator, "");
}

void write_monochrome_pixel_module(DcmItem& d, int rows, int columns, int bits_allocated, int bits_stored) {
  put_u16(d, DCM_SamplesPerPixel, 1);
  put(d, DCM_PhotometricInterpretation, "MONOCHROME2");
  put_u16(d, DCM_Rows, static_cast<Uint16>(rows));
  put_u16(d, DCM_Columns, static_cast<Uint16>(columns));
  put_u16(d, DCM_BitsAllocated, static_cast<Uint16>(bits_allocated));
  put_u16(d, DCM_BitsStored, static_cast<Uint16>(bits_stored));
  put_u16(d, DCM_HighBit, static_cast<Uint16>(bits_stored - 1));
  put_u16(d, DCM_PixelRepresentation, 0);
}

void write_content_date(DcmItem& d, const StudyInfo& study) {
  put(d, DCM_InstanceCreationDate, study.date);
  put(d, DCM_InstanceCreationTime, study.time);
  put(d, DCM_ContentDate, study.date);
  put(d, DCM_ContentTime, study.time);
}

}  // namespace rtpof::phantom
