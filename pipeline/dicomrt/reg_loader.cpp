#include "pipeline/dicomrt/spatial_registration.hpp"

#include "pipeline/dicomrt/attribute_reader.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cmath>

namespace rtpof::pipeline {
namespace {

constexpr const char* kRegistrationClass = "1.2.840.10008.5.1.4.1.1.66.1";
constexpr const char* kDeformableClass = "1.2.840.10008.5.1.4.1.1.66.3";
// Matrices are DS or FD values; a rotation written with 6+ digits is orthonormal to well within this.
constexpr double kRigidTolerance = 1e-4;

int looseness(const std::string& type) { return type == "RIGID" ? 0 : type == "RIGID_SCALE" ? 1 : 2; }

// Checks a declared RIGID matrix is a proper rotation, a RIGID_SCALE one a rotation times per-axis scales.
void check_type(const AttributeReader& item, const Matrix4& m, const std::string& type) {
  if (type == "AFFINE") return;
  double columns[3][3];
  for (int c = 0; c < 3; ++c)
    for (int r = 0; r < 3; ++r) columns[c][r] = m[static_cast<std::size_t>(4 * r + c)];
  auto dot3 = [&](int a, int b) {
    return columns[a][0] * columns[b][0] + columns[a][1] * columns[b][1] + columns[a][2] * columns[b][2];
  };
  for (int a = 0; a < 3; ++a)
    for (int b = a + 1; b < 3; ++b)
      if (std::abs(dot3(a, b)) > kRigidTolerance * std::sqrt(dot3(a, a) * dot3(b, b)))
        item.fail(DCM_FrameOfReferenceTransformationMatrix,
                  "is declared " + type + " but its 3x3 part has non-perpendicular axes (shear)");
  const double det = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) +
                     m[2] * (m[4] * m[9] - m[5] * m[8]);
  if (!(det > 0))
    item.fail(DCM_FrameOfReferenceTransformationMatrix, "is declared " + type + " but mirrors (determinant " +
                                                            std::to_string(det) + ")");
  if (type == "RIGID")
    for (int a = 0; a < 3; ++a)
      if (std::abs(std::sqrt(dot3(a, a)) - 1) > kRigidTolerance)
        item.fail(DCM_FrameOfReferenceTransformationMatrix,
                  "is declared RIGID but scales axis " + std::to_string(a + 1) + " by " +
                      std::to_string(std::sqrt(dot3(a, a))));
}

RegistrationMatrix read_matrix(const AttributeReader& item) {
  const std::vector<double> values = item.numbers(DCM_FrameOfReferenceTransformationMatrix, 16);
  RegistrationMatrix read;
  for (std::size_t i = 0; i < 16; ++i) read.matrix[i] = values[i];
  if (std::abs(values[12]) > 1e-9 || std::abs(values[13]) > 1e-9 || std::abs(values[14]) > 1e-9 ||
      std::abs(values[15] - 1) > 1e-9)
    item.fail(DCM_FrameOfReferenceTransformationMatrix, "last row must be 0 0 0 1");
  read.type = item.string(DCM_FrameOfReferenceTransformationMatrixType);
  if (read.type != "RIGID" && read.type != "RIGID_SCALE" && read.type != "AFFINE")
    item.fail(DCM_FrameOfReferenceTransformationMatrixType,
              "is \"" + read.type + "\", not RIGID, RIGID_SCALE or AFFINE");
  check_type(item, read.matrix, read.type);
  return read;
}

// The matrices of a MatrixRegistrationSequence-like item, combined in sequence order.
RegistrationMatrix combined_matrices(const AttributeReader& holder, std::size_t& count) {
  count = holder.items(DCM_MatrixSequence);
  if (count == 0) holder.fail(DCM_MatrixSequence, "is missing or has no item");
  RegistrationMatrix combined;
  combined.type = "RIGID";
  for (std::size_t m = 0; m < count; ++m) {
    const RegistrationMatrix next = read_matrix(holder.item(DCM_MatrixSequence, m));
    combined.matrix = multiply(next.matrix, combined.matrix);
    if (looseness(next.type) > looseness(combined.type)) combined.type = next.type;
  }
  return combined;
}

RegistrationMatrix optional_matrix(const AttributeReader& item, const DcmTagKey& sequence) {
  auto holder = item.optional_item(sequence);
  if (!holder) return {identity_matrix(), "RIGID"};
  return read_matrix(*holder);
}

}  // namespace

Matrix4 identity_matrix() { return {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}; }

Matrix4 multiply(const Matrix4& a, const Matrix4& b) {
  Matrix4 product{};
  for (std::size_t r = 0; r < 4; ++r)
    for (std::size_t c = 0; c < 4; ++c)
      for (std::size_t k = 0; k < 4; ++k) product[4 * r + c] += a[4 * r + k] * b[4 * k + c];
  return product;
}

const RegistrationItem* SpatialRegistration::item_for_frame(const std::string& frame_of_reference_uid) const {
  for (const RegistrationItem& item : items)
    if (item.frame_of_reference_uid == frame_of_reference_uid) return &item;
  return nullptr;
}

SpatialRegistration load_spatial_registration(DicomObject& object) {
  const AttributeReader dataset(object.dataset(), object.label());
  SpatialRegistration registration;
  registration.sop_instance_uid = object.sop_instance_uid();
  registration.frame_of_reference_uid = dataset.string(DCM_FrameOfReferenceUID);
  registration.content_label = dataset.optional_string(DCM_ContentLabel);

  if (object.sop_class_uid() == kDeformableClass) {
    registration.deformable = true;
    const std::size_t count = dataset.items(DCM_DeformableRegistrationSequence);
    if (count == 0) dataset.fail(DCM_DeformableRegistrationSequence, "is missing or has no item");
    for (std::size_t i = 0; i < count; ++i) {
      const AttributeReader item = dataset.item(DCM_DeformableRegistrationSequence, i);
      DeformableItem deformable;
      deformable.source_frame_of_reference_uid = item.string(DCM_SourceFrameOfReferenceUID);
      deformable.pre_deformation = optional_matrix(item, DCM_PreDeformationMatrixRegistrationSequence);
      deformable.post_deformation = optional_matrix(item, DCM_PostDeformationMatrixRegistrationSequence);
      deformable.has_deformation_grid = item.items(DCM_DeformableRegistrationGridSequence) > 0;
      registration.deformable_items.push_back(deformable);
    }
    registration.notes.push_back("a deformable registration: rtpof does not apply deformations; only its "
                                 "pre-deformation matrix is available");
    return registration;
  }
  if (object.sop_class_uid() != kRegistrationClass)
    dataset.fail(DCM_SOPClassUID, "is " + object.sop_class_uid() + ", not Spatial Registration Storage");

  const std::size_t count = dataset.items(DCM_RegistrationSequence);
  if (count == 0) dataset.fail(DCM_RegistrationSequence, "is missing or has no item");
  for (std::size_t i = 0; i < count; ++i) {
    const AttributeReader item = dataset.item(DCM_RegistrationSequence, i);
    RegistrationItem registered;
    registered.frame_of_reference_uid = item.optional_string(DCM_FrameOfReferenceUID);
    for (std::size_t r = 0; r < item.items(DCM_ReferencedImageSequence); ++r)
      registered.referenced_image_uids.push_back(
          item.item(DCM_ReferencedImageSequence, r).string(DCM_ReferencedSOPInstanceUID));
    if (registered.frame_of_reference_uid.empty() && registered.referenced_image_uids.empty())
      item.fail(DCM_FrameOfReferenceUID, "is missing and no ReferencedImageSequence says which images it registers");
    registered.combined = combined_matrices(item.item(DCM_MatrixRegistrationSequence, 0), registered.matrix_count);
    if (registered.matrix_count > 1)
      registration.notes.push_back("item " + std::to_string(i + 1) + " combines " +
                                   std::to_string(registered.matrix_count) +
                                   " matrices, applied in sequence order (PS3.3 C.20.2)");
    registration.items.push_back(std::move(registered));
  }
  return registration;
}

}  // namespace rtpof::pipeline
