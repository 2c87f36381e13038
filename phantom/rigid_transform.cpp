#include "phantom/rigid_transform.hpp"

#include <cmath>

namespace rtpof::phantom {

RigidTransform RigidTransform::from_angles(double rx_deg, double ry_deg, double rz_deg, const Point3& translation) {
  const double k = 3.14159265358979323846 / 180.0;
  const double cx = std::cos(rx_deg * k), sx = std::sin(rx_deg * k);
  const double cy = std::cos(ry_deg * k), sy = std::sin(ry_deg * k);
  const double cz = std::cos(rz_deg * k), sz = std::sin(rz_deg * k);
  RigidTransform t;
  t.r_ = {cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx,
          sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx,
          -sy,     cy * sx,                cy * cx};
  t.t_ = translation;
  return t;
}

Point3 RigidTransform::rotate(const Point3& v) const {
  return {r_[0] * v.x + r_[1] * v.y + r_[2] * v.z, r_[3] * v.x + r_[4] * v.y + r_[5] * v.z,
          r_[6] * v.x + r_[7] * v.y + r_[8] * v.z};
}

Point3 RigidTransform::apply(const Point3& p) const {
  const Point3 q = rotate(p);
  return {q.x + t_.x, q.y + t_.y, q.z + t_.z};
}

RigidTransform RigidTransform::inverse() const {
  RigidTransform inv;
  inv.r_ = {r_[0], r_[3], r_[6], r_[1], r_[4], r_[7], r_[2], r_[5], r_[8]};  // R^T
  const Point3 q = inv.rotate(t_);
  inv.t_ = {-q.x, -q.y, -q.z};
  return inv;
}

std::array<double, 16> RigidTransform::matrix() const {
  return {r_[0], r_[1], r_[2], t_.x, r_[3], r_[4], r_[5], t_.y, r_[6], r_[7], r_[8], t_.z, 0, 0, 0, 1};
}

}  // namespace rtpof::phantom
