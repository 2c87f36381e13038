#include "pipeline/registration/registration.hpp"

#include "pipeline/dicomrt/load_error.hpp"

#include <cmath>

namespace rtpof::pipeline {

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
  return {mr_to_reg.then(ct_to_reg.inverse()), "REG", reg.sop_instance_uid, std::nullopt};
}

}  // namespace rtpof::pipeline
