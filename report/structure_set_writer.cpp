#include "report/structure_set_writer.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmrt/drtstrct.h>

#include <cstdio>
#include <stdexcept>

#include "report/report_uid.hpp"
#include "report/report_writer.hpp"

namespace rtpof::report {
namespace {

void check(const OFCondition& status, const char* what) {
  if (status.bad()) throw ReportError(std::string("building the RTSTRUCT: ") + what + ": " + status.text());
}

// 0.001 mm is far below the cut's sampling step; "%.3f" of any patient coordinate fits DS's 16 characters.
std::string contour_data(const std::vector<pipeline::Vec3>& points) {
  std::string text;
  char value[64];
  for (const pipeline::Vec3& p : points) {
    std::snprintf(value, sizeof value, "%s%.3f\\%.3f\\%.3f", text.empty() ? "" : "\\", p.x, p.y, p.z);
    text += value;
  }
  return text;
}

void set_subject(DRTStructureSetIOD& set, const ReportSubject& s) {
  check(set.setPatientName(s.patient_name.c_str()), "PatientName");
  check(set.setPatientID(s.patient_id.c_str()), "PatientID");
  if (!s.issuer_of_patient_id.empty()) check(set.setIssuerOfPatientID(s.issuer_of_patient_id.c_str()), "IssuerOfPatientID");
  check(set.setPatientBirthDate(s.birth_date.c_str()), "PatientBirthDate");
  check(set.setPatientSex(s.sex.c_str()), "PatientSex");
  check(set.setStudyInstanceUID(s.study_uid.c_str()), "StudyInstanceUID");
  check(set.setStudyDate(s.study_date.c_str()), "StudyDate");
  check(set.setStudyTime(s.study_time.c_str()), "StudyTime");
  check(set.setStudyID(s.study_id.c_str()), "StudyID");
  check(set.setAccessionNumber(s.accession_number.c_str()), "AccessionNumber");
  check(set.setReferringPhysicianName(s.referring_physician.c_str()), "ReferringPhysicianName");
}

// Referenced Frame of Reference > RT Referenced Study > RT Referenced Series > Contour Image: every
// planning CT slice, so that a planning system finds the images the contours lie on.
void add_referenced_images(DRTStructureSetIOD& set, const PlanningSeries& planning) {
  DRTReferencedFrameOfReferenceSequence::Item* frame = nullptr;
  check(set.getReferencedFrameOfReferenceSequence().addItem(frame), "ReferencedFrameOfReferenceSequence");
  check(frame->setFrameOfReferenceUID(planning.frame_uid.c_str()), "FrameOfReferenceUID");
  DRTRTReferencedStudySequence::Item* study = nullptr;
  check(frame->getRTReferencedStudySequence().addItem(study), "RTReferencedStudySequence");
  // The Detached Study Management SOP Class, which PS3.3 C.8.8.5 names for this reference (retired).
  check(study->setReferencedSOPClassUID("1.2.840.10008.3.1.2.3.1"), "ReferencedSOPClassUID (study)");
  check(study->setReferencedSOPInstanceUID(planning.study.study_uid.c_str()), "ReferencedSOPInstanceUID (study)");
  DRTRTReferencedSeriesSequence::Item* series = nullptr;
  check(study->getRTReferencedSeriesSequence().addItem(series), "RTReferencedSeriesSequence");
  check(series->setSeriesInstanceUID(planning.series_uid.c_str()), "SeriesInstanceUID (referenced)");
  for (const SourceInstance& slice : planning.slices) {
    DRTContourImageSequence::Item* image = nullptr;
    check(series->getContourImageSequence().addItem(image), "ContourImageSequence");
    check(image->setReferencedSOPClassUID(slice.sop_class_uid.c_str()), "ReferencedSOPClassUID");
    check(image->setReferencedSOPInstanceUID(slice.sop_instance_uid.c_str()), "ReferencedSOPInstanceUID");
  }
}

void add_roi(DRTStructureSetIOD& set, const OutlinedRoi& roi, int number, const PlanningSeries& planning) {
  const std::string n = std::to_string(number);
  DRTStructureSetROISequence::Item* entry = nullptr;
  check(set.getStructureSetROISequence().addItem(entry), "StructureSetROISequence");
  check(entry->setROINumber(n.c_str()), "ROINumber");
  check(entry->setReferencedFrameOfReferenceUID(planning.frame_uid.c_str()), "ReferencedFrameOfReferenceUID");
  check(entry->setROIName(roi.name.c_str()), ("ROIName " + roi.name).c_str());
  check(entry->setROIDescription(roi.description.c_str()), "ROIDescription");
  check(entry->setROIGenerationAlgorithm(roi.generation_algorithm.c_str()), "ROIGenerationAlgorithm");

  DRTROIContourSequence::Item* contours = nullptr;
  check(set.getROIContourSequence().addItem(contours), "ROIContourSequence");
  check(contours->setReferencedROINumber(n.c_str()), "ReferencedROINumber");
  const std::string colour = std::to_string(roi.colour[0]) + "\\" + std::to_string(roi.colour[1]) + "\\" +
                             std::to_string(roi.colour[2]);
  check(contours->setROIDisplayColor(colour.c_str()), "ROIDisplayColor");
  int contour_number = 0;
  for (const PlanarOutline& outline : roi.contours) {
    DRTContourSequence::Item* contour = nullptr;
    check(contours->getContourSequence().addItem(contour), "ContourSequence");
    check(contour->setContourNumber(std::to_string(++contour_number).c_str()), "ContourNumber");
    check(contour->setContourGeometricType("CLOSED_PLANAR"), "ContourGeometricType");
    check(contour->setNumberOfContourPoints(std::to_string(outline.points.size()).c_str()), "NumberOfContourPoints");
    check(contour->setContourData(contour_data(outline.points).c_str()), "ContourData");
    if (outline.slice && *outline.slice < planning.slices.size()) {
      const SourceInstance& slice = planning.slices[*outline.slice];
      DRTContourImageSequence::Item* image = nullptr;
      check(contour->getContourImageSequence().addItem(image), "ContourImageSequence (contour)");
      check(image->setReferencedSOPClassUID(slice.sop_class_uid.c_str()), "ReferencedSOPClassUID (contour)");
      check(image->setReferencedSOPInstanceUID(slice.sop_instance_uid.c_str()), "ReferencedSOPInstanceUID (contour)");
    }
  }

  DRTRTROIObservationsSequence::Item* observation = nullptr;
  check(set.getRTROIObservationsSequence().addItem(observation), "RTROIObservationsSequence");
  check(observation->setObservationNumber(n.c_str()), "ObservationNumber");
  check(observation->setReferencedROINumber(n.c_str()), "ReferencedROINumber (observation)");
  check(observation->setRTROIInterpretedType(roi.interpreted_type.c_str()), "RTROIInterpretedType");
  check(observation->setROIInterpreter(""), "ROIInterpreter");
}

}  // namespace

std::string structure_set_series_uid(const std::string& study_uid) {
  return name_based_uid(study_uid + "/rtpof RTSTRUCT series");
}

std::string structure_set_uid(const ReportContext& context) {
  return name_based_uid("rtpof RTSTRUCT of report " + context.identity.sop_instance_uid);
}

void write_structure_set(const std::vector<OutlinedRoi>& rois, const PlanningSeries& planning,
                         const std::string& description, const ReportContext& context, DcmFileFormat& out) {
  if (planning.frame_uid.empty() || planning.series_uid.empty() || planning.slices.empty())
    throw ReportError("building the RTSTRUCT: the planning CT's frame of reference, series or slices are unknown");
  DRTStructureSetIOD set;
  set_subject(set, planning.study);
  check(set.setSpecificCharacterSet("ISO_IR 192"), "SpecificCharacterSet");
  check(set.setSOPInstanceUID(structure_set_uid(context).c_str()), "SOPInstanceUID");
  check(set.setModality("RTSTRUCT"), "Modality");
  check(set.setSeriesInstanceUID(structure_set_series_uid(planning.study.study_uid).c_str()),
        "SeriesInstanceUID");
  check(set.setSeriesNumber("9752"), "SeriesNumber");
  check(set.setSeriesDescription("rtpof recurrence on planning CT"), "SeriesDescription");
  check(set.setManufacturer(context.device.manufacturer.c_str()), "Manufacturer");
  check(set.setManufacturerModelName(context.device.model.c_str()), "ManufacturerModelName");
  check(set.setSoftwareVersions(context.device.version.c_str()), "SoftwareVersions");
  check(set.setInstanceNumber(std::to_string(context.identity.instance_number).c_str()), "InstanceNumber");
  check(set.setInstanceCreationDate(context.identity.content_date.c_str()), "InstanceCreationDate");
  check(set.setInstanceCreationTime(context.identity.content_time.c_str()), "InstanceCreationTime");
  check(set.setStructureSetLabel("RTPOF_RECUR"), "StructureSetLabel");
  check(set.setStructureSetName("rtpof recurrence on planning CT"), "StructureSetName");
  check(set.setStructureSetDescription(description.c_str()), "StructureSetDescription");
  check(set.setStructureSetDate(context.identity.content_date.c_str()), "StructureSetDate");
  check(set.setStructureSetTime(context.identity.content_time.c_str()), "StructureSetTime");
  check(set.setOperatorsName(""), "OperatorsName");
  // The Frame of Reference module (PS3.3 A.19.3, since 2021): the planning CT's frame.
  check(set.setFrameOfReferenceUID(planning.frame_uid.c_str()), "FrameOfReferenceUID");
  check(set.setPositionReferenceIndicator(""), "PositionReferenceIndicator");
  add_referenced_images(set, planning);
  int number = 0;
  for (const OutlinedRoi& roi : rois) add_roi(set, roi, ++number, planning);
  out.clear();
  check(set.write(*out.getDataset()), "writing the dataset");
}

void write_structure_set_file(const std::vector<OutlinedRoi>& rois, const PlanningSeries& planning,
                              const std::string& description, const ReportContext& context,
                              const std::filesystem::path& file) {
  DcmFileFormat set;
  write_structure_set(rois, planning, description, context, set);
  const OFCondition status = set.saveFile(file.c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) throw std::runtime_error("cannot write the RTSTRUCT " + file.string() + ": " + status.text());
}

}  // namespace rtpof::report
