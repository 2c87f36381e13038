#pragma once
// The phantom's body, described analytically in DICOM patient coordinates (LPS, mm): tissue values,
// structures as ellipsoids, and a smooth dose field. The writers sample it; truth is computed from it.
#include <array>
#include <string>
#include <vector>

namespace rtpof::phantom {

struct Point3 {
  double x = 0, y = 0, z = 0;
};

// An ellipsoid structure: the planar contour at height z is an ellipse scaled by sqrt(1 - t^2).
struct Ellipsoid {
  Point3 centre;
  Point3 semi_axes;
  bool contains(const Point3& p) const;
  // Semi-axes (a, b) of the section at z, or {0, 0} when z misses the ellipsoid.
  std::array<double, 2> section(double z) const;
  // ((x-cx)/ax)^2 + ... : below 1 inside.
  double normalised_radius_squared(const Point3& p) const;
};

struct StructureSpec {
  std::string name;
  std::string interpreted_type;  // GTV, CTV, PTV, EXTERNAL, ...
  std::array<int, 3> colour;
  Ellipsoid shape;
  bool is_body = false;  // the body is an elliptic cylinder spanning every slice
};

struct PrescriptionLevel {
  std::string target_name;  // the PTV the level covers
  double dose_gy;
};

class Anatomy {
 public:
  Anatomy();
  // Hounsfield units at a point (without noise).
  double hounsfield(const Point3& p) const;
  // Planned dose (Gy): ~70 over PTV_70, falling through the lower levels, not symmetric.
  double dose_gy(const Point3& p) const;
  const std::vector<StructureSpec>& structures() const { return structures_; }
  const std::vector<PrescriptionLevel>& prescriptions() const { return prescriptions_; }
  const StructureSpec& structure(const std::string& name) const;
  bool inside_body(const Point3& p) const;

 private:
  std::vector<StructureSpec> structures_;
  std::vector<PrescriptionLevel> prescriptions_;
};

}  // namespace rtpof::phantom
