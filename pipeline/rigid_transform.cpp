#include "pipeline/rigid_transform.hpp"

#include "pipeline/load_error.hpp"

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

RegistrationChoice mr_to_ct_from_reg(const SpatialRegistration& reg, const std::string& mr_frame,
                                     const std::string& ct_frame) {
  const std::string attribute = "(0070,0308) RegistrationSequence";
  if (reg.deformable)
    throw LoadError(reg.sop_instance_uid, "(0064,0002) DeformableRegistrationSequence",
                    "a deformable registration, which rtpof does not apply; send a rigid Spatial Registration or "
                    "let rtpof register automatically");
  const RegistrationItem* mr = reg.item_for_frame(mr_frame);
  const RegistrationItem* ct = reg.item_for_frame(ct_frame);
  std::string frames;
  for (const RegistrationItem& item : reg.items) frames += (frames.empty() ? "" : ", ") + item.frame_of_reference_uid;
  if (!mr)
    throw LoadError(reg.sop_instance_uid, attribute,
                    "registers frames " + frames + " but not the MR's frame " + mr_frame);
  if (!ct && reg.frame_of_reference_uid != ct_frame)
    throw LoadError(reg.sop_instance_uid, attribute,
                    "maps into frame " + reg.frame_of_reference_uid + " and registers " + frames +
                        ", but not the planning CT's frame " + ct_frame);
  for (const RegistrationItem* item : {mr, ct}) {
    if (!item) continue;
    if (item->combined.type == "AFFINE")
      throw LoadError(reg.sop_instance_uid, "(0070,030C) FrameOfReferenceTransformationMatrixType",
                      "is AFFINE for frame " + item->frame_of_reference_uid +
                          "; rtpof uses rigid registrations only (a recurrence must keep its volume)");
    // RIGID_SCALE is accepted only when its scale is 1 to within 0.1 %.
    const Matrix4& m = item->combined.matrix;
    for (int axis = 0; axis < 3; ++axis) {
      const double length = std::sqrt(m[axis] * m[axis] + m[4 + axis] * m[4 + axis] + m[8 + axis] * m[8 + axis]);
      if (std::abs(length - 1) > 1e-3)
        throw LoadError(reg.sop_instance_uid, "(3006,00C6) FrameOfReferenceTransformationMatrix",
                        "scales axis " + std::to_string(axis + 1) + " by " + std::to_string(length) + " for frame " +
                            item->frame_of_reference_uid + "; rtpof uses rigid registrations only");
    }
  }
  const RigidTransform mr_to_reg{mr->combined.matrix};
  const RigidTransform ct_to_reg = ct ? RigidTransform{ct->combined.matrix} : RigidTransform{};
  return {mr_to_reg.then(ct_to_reg.inverse()), "REG", reg.sop_instance_uid};
}

}  // namespace rtpof::pipeline
