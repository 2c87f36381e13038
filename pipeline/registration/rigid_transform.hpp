#pragma once
// A rigid (or affine) map between two patient coordinate systems, as a row-major 4x4 matrix.
#include "pipeline/dicomrt/spatial_registration.hpp"
#include "pipeline/vec3.hpp"


namespace rtpof::pipeline {

struct RigidTransform {
  Matrix4 matrix = identity_matrix();

  Vec3 apply(Vec3 p) const {
    const Matrix4& m = matrix;
    return {m[0] * p.x + m[1] * p.y + m[2] * p.z + m[3], m[4] * p.x + m[5] * p.y + m[6] * p.z + m[7],
            m[8] * p.x + m[9] * p.y + m[10] * p.z + m[11]};
  }
  RigidTransform inverse() const;                     // general affine inverse
  RigidTransform then(const RigidTransform& b) const;  // apply this, then b
  // Rotation by `degrees` about `axis` (unit) through `centre`.
  static RigidTransform rotation_about(Vec3 centre, Vec3 axis, double degrees);
  static RigidTransform translation(Vec3 shift);
};

}  // namespace rtpof::pipeline
