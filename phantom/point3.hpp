#pragma once
// A point or vector in DICOM patient coordinates (LPS, mm).
namespace rtpof::phantom {

struct Point3 {
  double x = 0, y = 0, z = 0;
};

inline Point3 operator+(const Point3& a, const Point3& b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
inline Point3 operator-(const Point3& a, const Point3& b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }

}  // namespace rtpof::phantom
