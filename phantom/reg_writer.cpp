#include "phantom/reg_writer.hpp"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include "phantom/dataset_builder.hpp"

namespace rtpof::phantom {
namespace {

void add_registration(DcmItem& d, const RegisteredSeries& series, const std::array<double, 16>& matrix) {
  DcmItem& registration = add_item(d, DCM_RegistrationSequence);
  put(registration, DCM_FrameOfReferenceUID, series.frame_uid);
  add_image_references(registration, DCM_ReferencedImageSequence, *series.images);
  DcmItem& matrix_registration = add_item(registration, DCM_MatrixRegistrationSequence);
  DcmItem& type = add_item(matrix_registration, DCM_RegistrationTypeCodeSequence);
  put(type, DCM_CodeValue, "125024");
  put(type, DCM_CodingSchemeDesignator, "DCM");
  put(type, DCM_CodeMeaning, "Image Content-based Alignment");
  DcmItem& m = add_item(matrix_registration, DCM_MatrixSequence);
  put_numbers(m, DCM_FrameOfReferenceTransformationMatrix, {matrix.begin(), matrix.end()});
  put(m, DCM_FrameOfReferenceTransformationMatrixType, "RIGID");
}

void add_referenced_series(DcmItem& parent, const RegisteredSeries& series) {
  DcmItem& referenced = add_item(parent, DCM_ReferencedSeriesSequence);
  put(referenced, DCM_SeriesInstanceUID, series.series_uid);
  add_image_references(referenced, DCM_ReferencedInstanceSequence, *series.images);
}

}  // namespace

void write_reg(const RegRequest& rq, const std::filesystem::path& path) {
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  write_common_modules(d, rq.patient, rq.study, rq.series, UID_SpatialRegistrationStorage, rq.sop_uid);
  write_frame_of_reference(d, rq.planning_ct.frame_uid);
  write_body_part(d);
  write_content_date(d, rq.study);
  put(d, DCM_InstanceNumber, "1");
  put(d, DCM_ContentLabel, "MR_TO_CT_FUSION");
  put(d, DCM_ContentDescription, "Rigid fusion of the follow-up MR to the planning CT");
  put(d, DCM_ContentCreatorName, "PHYSICIST^PHANTOM");
  add_registration(d, rq.planning_ct, RigidTransform().matrix());
  add_registration(d, rq.followup_mr, rq.mr_to_ct.matrix());

  // Common Instance Reference: the MR in this study, the CT in the planning study.
  add_referenced_series(d, rq.followup_mr);
  DcmItem& other_study = add_item(d, DCM_StudiesContainingOtherReferencedInstancesSequence);
  put(other_study, DCM_StudyInstanceUID, rq.planning_ct.study_uid);
  add_referenced_series(other_study, rq.planning_ct);
  save_part10(file, path);
}

}  // namespace rtpof::phantom
