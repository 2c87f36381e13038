#include "phantom/anatomy.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rtpof::phantom {
namespace {

double sq(double v) { return v * v; }

}  // namespace

double Ellipsoid::normalised_radius_squared(const Point3& p) const {
  return sq((p.x - centre.x) / semi_axes.x) + sq((p.y - centre.y) / semi_axes.y) +
         sq((p.z - centre.z) / semi_axes.z);
}

bool Ellipsoid::contains(const Point3& p) const { return normalised_radius_squared(p) <= 1.0; }

std::array<double, 2> Ellipsoid::section(double z) const {
  const double t = (z - centre.z) / semi_axes.z;
  if (std::abs(t) >= 1.0) return {0.0, 0.0};
  const double s = std::sqrt(1.0 - t * t);
  return {semi_axes.x * s, semi_axes.y * s};
}

Anatomy::Anatomy(const Point3& origin) : origin_(origin) {
  // Posterior is +y in LPS; the nasopharynx sits behind the nasal cavity, near the centre.
  structures_ = {
      {"BODY", "EXTERNAL", {0, 128, 0}, {{0, 0, 0}, {body_semi_axis_x_mm, body_semi_axis_y_mm, 1e9}}, true},
      {"GTV_P", "GTV", {255, 0, 0}, {{2, 12, 5}, {14, 11, 13}}},
      {"GTV_N", "GTV", {255, 64, 64}, {{38, 42, -38}, {9, 8, 10}}},
      {"CTV_70", "CTV", {255, 128, 0}, {{2, 12, 5}, {19, 16, 18}}},
      {"CTV_59.4", "CTV", {255, 200, 0}, {{6, 18, -6}, {30, 28, 32}}},
      {"CTV_54", "CTV", {200, 255, 0}, {{8, 22, -14}, {46, 42, 48}}},
      {"PTV_70", "PTV", {0, 0, 255}, {{2, 12, 5}, {22, 19, 21}}},
      {"PTV_59.4", "PTV", {0, 128, 255}, {{6, 18, -6}, {33, 31, 35}}},
      {"PTV_54", "PTV", {0, 200, 255}, {{8, 22, -14}, {49, 45, 51}}},
  };
  prescriptions_ = {{"PTV_70", 70.0}, {"PTV_59.4", 59.4}, {"PTV_54", 54.0}};
  for (auto& s : structures_) s.shape.centre = s.shape.centre + origin_;
}

const StructureSpec& Anatomy::structure(const std::string& name) const {
  for (const auto& s : structures_)
    if (s.name == name) return s;
  throw std::out_of_range("phantom has no structure " + name);
}

bool Anatomy::inside_body(const Point3& p) const { return inside_body_at(p - origin_); }

bool Anatomy::inside_body_at(const Point3& p) const {
  return sq(p.x / body_semi_axis_x_mm) + sq(p.y / body_semi_axis_y_mm) <= 1.0;
}

Tissue Anatomy::tissue(const Point3& p) const { return tissue_at(p - origin_); }

Tissue Anatomy::tissue_at(const Point3& p) const {
  if (!inside_body_at(p)) return Tissue::air;
  const double rim = std::sqrt(sq(p.x / body_semi_axis_x_mm) + sq(p.y / body_semi_axis_y_mm));  // 1 at the skin
  if (rim > 0.93) return Tissue::fat;                                                    // subcutaneous fat
  if (p.z > -25.0 && rim > 0.84 && rim <= 0.91) return Tissue::bone;                     // skull above the mandible
  if (sq(p.x / 9) + sq((p.y - 4) / 7) + sq((p.z - 8) / 20) <= 1.0) return Tissue::airway;  // nasopharynx
  if (sq(p.x / 7) + sq((p.y + 30) / 6) <= 1.0 && p.z < 0) return Tissue::airway;           // oropharynx
  if (sq((p.x + 28) / 16) + sq((p.y + 45) / 14) + sq((p.z - 15) / 16) <= 1.0) return Tissue::sinus;  // right maxillary only
  for (const double side : {-32.0, 32.0})                                                // eyes, anterior and high
    if (sq(p.x - side) + sq(p.y + 72) + sq(p.z - 45) <= sq(12)) return Tissue::eye;
  if (sq(p.x) + sq(p.y - 58) <= sq(13) && p.z < 10.0) {                                 // vertebral column
    return sq(p.x) + sq(p.y - 58) <= sq(10) ? Tissue::marrow : Tissue::bone;
  }
  return Tissue::soft_tissue;
}

double Anatomy::hounsfield(const Point3& p) const {
  switch (tissue(p)) {
    case Tissue::air: return -1000.0;
    case Tissue::fat: return -90.0;
    case Tissue::bone: return 950.0;
    case Tissue::marrow: return 300.0;
    case Tissue::airway: return -950.0;
    case Tissue::sinus: return -900.0;
    case Tissue::eye: return 15.0;
    case Tissue::soft_tissue: break;
  }
  return 40.0;
}

double Anatomy::mr_signal(const Point3& p) const {
  switch (tissue(p)) {
    case Tissue::air: return 0.0;
    case Tissue::fat: return 1500.0;
    case Tissue::bone: return 60.0;
    case Tissue::marrow: return 1100.0;
    case Tissue::airway: return 20.0;
    case Tissue::sinus: return 30.0;
    case Tissue::eye: return 250.0;
    case Tissue::soft_tissue: break;
  }
  return 700.0;
}

double Anatomy::dose_gy(const Point3& planning) const {
  if (!inside_body(planning)) return 0.0;
  const Point3 p = planning - origin_;  // the tilt below is about the body's centre
  // Each level: a sigmoid of the approximate signed distance to its PTV (a penumbra-like fall-off).
  double dose = 0.0;
  for (const auto& level : prescriptions_) {
    const Ellipsoid& ptv = structure(level.target_name).shape;
    const double rho = std::sqrt(ptv.normalised_radius_squared(planning));
    const double mean_axis = (ptv.semi_axes.x + ptv.semi_axes.y + ptv.semi_axes.z) / 3.0;
    const double distance = (rho - 1.0) * mean_axis;
    const double level_dose = level.dose_gy * 1.03 / (1.0 + std::exp((distance - 6.5) / 2.5));
    dose = std::max(dose, level_dose);
  }
  // A low bath, and a gentle lateral and antero-posterior tilt so that the field is not symmetric.
  dose = std::max(dose, 4.0) * (1.0 + 0.0012 * p.x - 0.0006 * p.y);
  return std::max(dose, 0.0);
}

}  // namespace rtpof::phantom
