#pragma once
// The phantom's point type and the rigid transform that relates the follow-up MR frame to the planning
// CT frame: p_ct = R · p_mr + t. The rotation is built from angles about the patient axes so that a case
// states it the way a physicist reads a fusion ("5° about the cranio-caudal axis, 12 mm anterior").
#include <array>

#include "phantom/point3.hpp"

namespace rtpof::phantom {

class RigidTransform {
 public:
  RigidTransform() = default;  // identity
  // R = Rz(rz) · Ry(ry) · Rx(rx), angles in degrees about the patient x (L), y (P) and z (S) axes.
  static RigidTransform from_angles(double rx_deg, double ry_deg, double rz_deg, const Point3& translation_mm);

  Point3 apply(const Point3& p) const;
  Point3 rotate(const Point3& v) const;  // R · v, without the translation
  RigidTransform inverse() const;
  // The 4 x 4 homogeneous matrix, row-major: what DICOM's FrameOfReferenceTransformationMatrix holds.
  std::array<double, 16> matrix() const;

 private:
  std::array<double, 9> r_{1, 0, 0, 0, 1, 0, 0, 0, 1};
  Point3 t_;
};

}  // namespace rtpof::phantom
