#pragma once
// A point or vector in DICOM patient coordinates (LPS, mm).
namespace rtpof::phantom {

struct Point3 {
  double x = 0, y = 0, z = 0;
};

}  // namespace rtpof::phantom
