#pragma once
// Multi-frame objects (Enhanced MR, SEG) keep per-frame attributes in functional groups: a frame's
// group item is in PerFrameFunctionalGroupsSequence when it varies, else in the shared one.
#include "pipeline/dicomrt/attribute_reader.hpp"

#include <cstddef>
#include <optional>

namespace rtpof::pipeline {

std::optional<AttributeReader> functional_group(const AttributeReader& dataset, std::size_t frame,
                                                const DcmTagKey& group);
// The same, failing with a message naming the group when neither place has it.
AttributeReader required_functional_group(const AttributeReader& dataset, std::size_t frame, const DcmTagKey& group);

}  // namespace rtpof::pipeline
