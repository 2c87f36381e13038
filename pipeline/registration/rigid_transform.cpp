#include "pipeline/registration/rigid_transform.hpp"

#include <cmath>
#include <stdexcept>

namespace rtpof::pipeline {

RigidTransform RigidTransform::inverse() const {
  const Matrix4& m = matrix;
  const double a = m[0], b = m[1], c = m[2], d = m[4], e = m[5], f = m[6], g = m[8], h = m[9], i = m[10];
  const double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (std::abs(det) < 1e-12) throw std::invalid_argument("a singular transform has no inverse");
  const double inv[9] = {(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
                         (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
                         (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
  RigidTransform out;
  for (int r = 0; r < 3; ++r) {
    for (int k = 0; k < 3; ++k) out.matrix[static_cast<std::size_t>(4 * r + k)] = inv[3 * r + k];
    out.matrix[static_cast<std::size_t>(4 * r + 3)] =
        -(inv[3 * r] * m[3] + inv[3 * r + 1] * m[7] + inv[3 * r + 2] * m[11]);
  }
  return out;
}

RigidTransform RigidTransform::then(const RigidTransform& b) const { return {multiply(b.matrix, matrix)}; }

RigidTransform RigidTransform::rotation_about(Vec3 centre, Vec3 axis, double degrees) {
  const double t = degrees * M_PI / 180, c = std::cos(t), s = std::sin(t), C = 1 - c;
  const double x = axis.x, y = axis.y, z = axis.z;
  RigidTransform r;
  r.matrix = {x * x * C + c,     x * y * C - z * s, x * z * C + y * s, 0, y * x * C + z * s, y * y * C + c,
              y * z * C - x * s, 0,                 z * x * C - y * s, z * y * C + x * s,  z * z * C + c, 0,
              0,                 0,                 0,                 1};
  return translation(-1.0 * centre).then(r).then(translation(centre));
}

RigidTransform RigidTransform::translation(Vec3 shift) {
  RigidTransform t;
  t.matrix[3] = shift.x;
  t.matrix[7] = shift.y;
  t.matrix[11] = shift.z;
  return t;
}

}  // namespace rtpof::pipeline
