#pragma once
// A Spatial Registration object (rigid/affine matrices per Frame of Reference) or a Deformable Spatial
// Registration object (recognised; its deformation is not applied by rtpof, its pre-deformation matrix is
// available). Matrices are read as written: choosing and chaining them is the registration step's job.
#include "pipeline/dicomrt/dicom_object.hpp"

#include <array>
#include <string>
#include <vector>

namespace rtpof::pipeline {

using Matrix4 = std::array<double, 16>;  // row-major; maps (x, y, z, 1) of one frame into another (mm)

Matrix4 identity_matrix();
Matrix4 multiply(const Matrix4& a, const Matrix4& b);  // a * b: b applied first

struct RegistrationMatrix {
  Matrix4 matrix = identity_matrix();
  std::string type;  // RIGID, RIGID_SCALE or AFFINE (FrameOfReferenceTransformationMatrixType)
};

struct RegistrationItem {
  std::string frame_of_reference_uid;            // the frame this item's matrix maps from
  std::vector<std::string> referenced_image_uids;
  // The item's matrices combined in sequence order (the first applied first), and the loosest type
  // among them. `matrix_count` > 1 is rare enough to be worth a note.
  RegistrationMatrix combined;
  std::size_t matrix_count = 1;
};

struct DeformableItem {
  std::string source_frame_of_reference_uid;
  RegistrationMatrix pre_deformation;  // identity when absent
  RegistrationMatrix post_deformation;
  bool has_deformation_grid = false;
};

struct SpatialRegistration {
  std::string sop_instance_uid;
  std::string frame_of_reference_uid;  // the registered frame: every item maps into this one
  std::string content_label;           // Content Label (0070,0080), when given
  bool deformable = false;
  std::vector<RegistrationItem> items;          // rigid/affine registration
  std::vector<DeformableItem> deformable_items;  // deformable registration
  std::vector<std::string> notes;

  const RegistrationItem* item_for_frame(const std::string& frame_of_reference_uid) const;
};

// Throws LoadError for a matrix that is not 16 numbers, whose last row is not 0 0 0 1, of an unknown
// type, or declared RIGID / RIGID_SCALE while its 3x3 part is not a rotation (times a scale).
SpatialRegistration load_spatial_registration(DicomObject& object);

}  // namespace rtpof::pipeline
