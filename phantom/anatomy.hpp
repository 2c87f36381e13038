#pragma once
// The phantom's body, described analytically in the planning CT's patient coordinates (LPS, mm): tissue
// classes (which the CT and MR writers map to Hounsfield units and MR signal), structures as ellipsoids,
// and a smooth dose field. The writers sample it; the truth is computed from what they wrote. The body is
// laid out around its own centre, which lies at `origin` in the planning frame: (0, 0, 0) by default, or
// where a patient on the couch lies in a scanner's table coordinates (say z = -420 mm).
#include <array>
#include <string>
#include <vector>

#include "phantom/point3.hpp"

namespace rtpof::phantom {

// An ellipsoid with axes along the frame's axes: the planar section at height z is an ellipse.
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

enum class Tissue { air, fat, soft_tissue, bone, marrow, airway, sinus, eye };

class Anatomy {
 public:
  explicit Anatomy(const Point3& origin = {});
  const Point3& origin() const { return origin_; }
  Tissue tissue(const Point3& p) const;
  // Hounsfield units at a point (without noise).
  double hounsfield(const Point3& p) const;
  // T1-weighted-like MR signal (arbitrary units, 0-4095) of the tissue at a planning-CT point: fat
  // bright, bone and air dark, marrow brighter than muscle, so that CT and MR intensities are not a
  // monotonic map of each other and registration needs mutual information.
  double mr_signal(const Point3& p) const;
  // Planned dose (Gy): ~70 over PTV_70, falling through the lower levels, not symmetric.
  double dose_gy(const Point3& p) const;
  const std::vector<StructureSpec>& structures() const { return structures_; }
  const std::vector<PrescriptionLevel>& prescriptions() const { return prescriptions_; }
  const StructureSpec& structure(const std::string& name) const;
  bool inside_body(const Point3& p) const;

 private:
  // The same, at a point relative to the body's centre.
  Tissue tissue_at(const Point3& local) const;
  bool inside_body_at(const Point3& local) const;

  Point3 origin_;
  std::vector<StructureSpec> structures_;
  std::vector<PrescriptionLevel> prescriptions_;
};

// Body outline: an elliptic cylinder, 150 mm wide (x) and 190 mm deep (y).
constexpr double body_semi_axis_x_mm = 75.0;
constexpr double body_semi_axis_y_mm = 95.0;

}  // namespace rtpof::phantom
