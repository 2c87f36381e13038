#pragma once
// How a slice or frame sits in patient space: its orientation, position and pixel pitch, read and checked.
#include "pipeline/dicomrt/attribute_reader.hpp"
#include "pipeline/vec3.hpp"

#include <string>

namespace rtpof::pipeline {

struct PlaneOrientation {
  Vec3 row;     // direction of increasing column index (ImageOrientationPatient values 1-3)
  Vec3 column;  // direction of increasing row index (values 4-6)
  Vec3 normal;  // row x column: the direction slices are stacked along
};

struct PixelPitch {
  double between_rows = 0;     // PixelSpacing value 1: along `column`
  double between_columns = 0;  // PixelSpacing value 2: along `row`
};

// ImageOrientationPatient (or the same tag in a functional group): two unit, orthogonal cosines.
PlaneOrientation read_orientation(const AttributeReader& item);
Vec3 read_position(const AttributeReader& item);  // ImagePositionPatient
PixelPitch read_pitch(const AttributeReader& item, const DcmTagKey& tag);  // two positive values

bool same_orientation(const PlaneOrientation& a, const PlaneOrientation& b);
bool same_pitch(const PixelPitch& a, const PixelPitch& b);
std::string to_string(Vec3 v);

}  // namespace rtpof::pipeline
