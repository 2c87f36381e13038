#include "pipeline/dosevolume/plane_geometry.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cmath>
#include <cstdio>

namespace rtpof::pipeline {
namespace {

// Direction cosines are written with ~6 significant digits; this accepts that rounding and nothing worse.
constexpr double kCosineTolerance = 1e-4;

}  // namespace

PlaneOrientation read_orientation(const AttributeReader& item) {
  const std::vector<double> v = item.numbers(DCM_ImageOrientationPatient, 6);
  PlaneOrientation orientation{{v[0], v[1], v[2]}, {v[3], v[4], v[5]}, {}};
  const double row_length = norm(orientation.row), column_length = norm(orientation.column);
  if (std::abs(row_length - 1) > 1e-3 || std::abs(column_length - 1) > 1e-3)
    item.fail(DCM_ImageOrientationPatient, "direction cosines are not unit vectors (lengths " +
                                               std::to_string(row_length) + ", " + std::to_string(column_length) + ")");
  if (std::abs(dot(orientation.row, orientation.column)) > 1e-3)
    item.fail(DCM_ImageOrientationPatient, "row and column directions are not perpendicular");
  orientation.row = (1 / row_length) * orientation.row;
  orientation.column = (1 / column_length) * orientation.column;
  orientation.normal = cross(orientation.row, orientation.column);
  orientation.normal = (1 / norm(orientation.normal)) * orientation.normal;
  return orientation;
}

Vec3 read_position(const AttributeReader& item) {
  const std::vector<double> v = item.numbers(DCM_ImagePositionPatient, 3);
  return {v[0], v[1], v[2]};
}

PixelPitch read_pitch(const AttributeReader& item, const DcmTagKey& tag) {
  const std::vector<double> v = item.numbers(tag, 2);
  if (!(v[0] > 0) || !(v[1] > 0)) item.fail(tag, "must be two positive distances");
  return {v[0], v[1]};
}

bool same_orientation(const PlaneOrientation& a, const PlaneOrientation& b) {
  return norm(a.row - b.row) < kCosineTolerance && norm(a.column - b.column) < kCosineTolerance;
}

bool same_pitch(const PixelPitch& a, const PixelPitch& b) {
  return std::abs(a.between_rows - b.between_rows) <= 1e-4 * a.between_rows &&
         std::abs(a.between_columns - b.between_columns) <= 1e-4 * a.between_columns;
}

std::string to_string(Vec3 v) {
  char text[96];
  std::snprintf(text, sizeof text, "(%.3f, %.3f, %.3f)", v.x, v.y, v.z);
  return text;
}

}  // namespace rtpof::pipeline
