#include "report/registration_writer.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cstdio>
#include <map>
#include <stdexcept>

#include "report/dataset_modules.hpp"
#include "report/report_uid.hpp"
#include "report/report_writer.hpp"

namespace rtpof::report {
namespace {

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value) { put_text(item, tag, value, "REG"); }

DcmItem& add_item(DcmItem& parent, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  const OFCondition status = parent.findOrCreateSequenceItem(sequence, item, -2);
  if (status.bad() || !item) throw ReportError(std::string("building the REG: cannot add an item to ") + DcmTag(sequence).getTagName());
  return *item;
}

// 10 significant digits fit DS's 16 characters and keep a point 100 mm away within 1e-7 mm.
std::string matrix_text(const pipeline::Matrix4& m) {
  std::string text;
  for (std::size_t i = 0; i < m.size(); ++i) {
    char value[32];
    std::snprintf(value, sizeof value, "%.10g", m[i]);
    text += (i ? "\\" : "") + std::string(value);
  }
  return text;
}

void add_frame(DcmItem& dataset, const std::string& frame_uid, const std::vector<SourceInstance>& images,
               const pipeline::Matrix4& matrix, bool automatic) {
  DcmItem& registration = add_item(dataset, DCM_RegistrationSequence);
  put(registration, DCM_FrameOfReferenceUID, frame_uid);
  for (const SourceInstance& image : images) {
    DcmItem& referenced = add_item(registration, DCM_ReferencedImageSequence);
    put(referenced, DCM_ReferencedSOPClassUID, image.sop_class_uid);
    put(referenced, DCM_ReferencedSOPInstanceUID, image.sop_instance_uid);
  }
  DcmItem& matrix_registration = add_item(registration, DCM_MatrixRegistrationSequence);
  DcmItem& type = add_item(matrix_registration, DCM_RegistrationTypeCodeSequence);
  // The CT's own frame needs no alignment; the MR's was found from the images' content.
  put(type, DCM_CodeValue, automatic ? "125024" : "125021");
  put(type, DCM_CodingSchemeDesignator, "DCM");
  put(type, DCM_CodeMeaning, automatic ? "Image Content-based Alignment" : "Frame of Reference Identity");
  DcmItem& m = add_item(matrix_registration, DCM_MatrixSequence);
  put(m, DCM_FrameOfReferenceTransformationMatrix, matrix_text(matrix));
  put(m, DCM_FrameOfReferenceTransformationMatrixType, "RIGID");
}

// Common Instance Reference: the images of both items, by study and series.
void add_common_references(DcmItem& dataset, const std::vector<SourceInstance>& images, const std::string& own_study) {
  std::map<std::string, std::map<std::string, std::vector<const SourceInstance*>>> by_study;
  for (const SourceInstance& image : images) by_study[image.study_uid][image.series_uid].push_back(&image);
  for (const auto& [study, series_map] : by_study) {
    DcmItem& holder = study == own_study ? dataset : add_item(dataset, DCM_StudiesContainingOtherReferencedInstancesSequence);
    if (study != own_study) put(holder, DCM_StudyInstanceUID, study);
    for (const auto& [series, members] : series_map) {
      DcmItem& referenced = add_item(holder, DCM_ReferencedSeriesSequence);
      put(referenced, DCM_SeriesInstanceUID, series);
      for (const SourceInstance* image : members) {
        DcmItem& instance = add_item(referenced, DCM_ReferencedInstanceSequence);
        put(instance, DCM_ReferencedSOPClassUID, image->sop_class_uid);
        put(instance, DCM_ReferencedSOPInstanceUID, image->sop_instance_uid);
      }
    }
  }
}

}  // namespace

std::string registration_series_uid(const std::string& study_uid) {
  return name_based_uid(study_uid + "/rtpof REG series");
}

std::string registration_uid(const ReportContext& context) {
  return name_based_uid("rtpof REG of report " + context.identity.sop_instance_uid);
}

void write_registration(const pipeline::RigidTransform& mr_to_ct, const RegisteredFrames& frames,
                        const ReportContext& context, DcmFileFormat& out) {
  if (frames.ct_frame_uid.empty() || frames.mr_frame_uid.empty())
    throw ReportError("building the REG: the CT's or the MR's Frame of Reference UID is unknown");
  out.clear();
  DcmDataset& d = *out.getDataset();
  const ReportSubject& s = context.subject;
  put_identity_patient_and_study(d, UID_SpatialRegistrationStorage, registration_uid(context), s, "REG");
  put(d, DCM_Modality, "REG");
  put(d, DCM_SeriesInstanceUID, registration_series_uid(s.study_uid));
  put(d, DCM_SeriesNumber, "9751");
  put(d, DCM_SeriesDescription, "rtpof MR to planning CT fusion");
  put(d, DCM_Laterality, "");  // 2C: empty, the fusion is of the whole head and neck
  put(d, DCM_Manufacturer, context.device.manufacturer);
  put(d, DCM_ManufacturerModelName, context.device.model);
  put(d, DCM_SoftwareVersions, context.device.version);
  put(d, DCM_FrameOfReferenceUID, frames.ct_frame_uid);
  put(d, DCM_PositionReferenceIndicator, "");
  put(d, DCM_InstanceNumber, std::to_string(context.identity.instance_number));
  put(d, DCM_ContentDate, context.identity.content_date);
  put(d, DCM_ContentTime, context.identity.content_time);
  put(d, DCM_InstanceCreationDate, context.identity.content_date);
  put(d, DCM_InstanceCreationTime, context.identity.content_time);
  put(d, DCM_ContentLabel, own_fusion_label);
  put(d, DCM_ContentDescription, "MR to planning CT rigid fusion computed by rtpof");
  put(d, DCM_ContentCreatorName, "");
  add_frame(d, frames.ct_frame_uid, frames.ct_images, pipeline::identity_matrix(), false);
  add_frame(d, frames.mr_frame_uid, frames.mr_images, mr_to_ct.matrix, true);
  std::vector<SourceInstance> all = frames.ct_images;
  all.insert(all.end(), frames.mr_images.begin(), frames.mr_images.end());
  add_common_references(d, all, s.study_uid);
}

void write_registration_file(const pipeline::RigidTransform& mr_to_ct, const RegisteredFrames& frames,
                             const ReportContext& context, const std::filesystem::path& file) {
  DcmFileFormat reg;
  write_registration(mr_to_ct, frames, context, reg);
  const OFCondition status = reg.saveFile(file.c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) throw std::runtime_error("cannot write the REG " + file.string() + ": " + status.text());
}

}  // namespace rtpof::report
