#include "pipeline/dicomrt/functional_groups.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

namespace rtpof::pipeline {

std::optional<AttributeReader> functional_group(const AttributeReader& dataset, std::size_t frame,
                                                const DcmTagKey& group) {
  if (auto per_frame = dataset.optional_item(DCM_PerFrameFunctionalGroupsSequence, frame))
    if (auto item = per_frame->optional_item(group)) return item;
  if (auto shared = dataset.optional_item(DCM_SharedFunctionalGroupsSequence))
    if (auto item = shared->optional_item(group)) return item;
  return std::nullopt;
}

AttributeReader required_functional_group(const AttributeReader& dataset, std::size_t frame, const DcmTagKey& group) {
  if (auto item = functional_group(dataset, frame, group)) return *item;
  dataset.fail(group, "is in neither the shared nor frame " + std::to_string(frame + 1) +
                          "'s functional groups");
}

}  // namespace rtpof::pipeline
