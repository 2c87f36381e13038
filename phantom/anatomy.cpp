#include "phantom/anatomy.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rtpof::phantom {
namespace {

// The head: an elliptic cylinder, 150 mm wide (x) and 190 mm deep (y).
constexpr double body_a = 75.0, body_b = 95.0;

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

Anatomy::Anatomy() {
  // Posterior is +y in LPS; the nasopharynx sits behind the nasal cavity, near the centre.
  structures_ = {
      {"BODY", "EXTERNAL", {0, 128, 0}, {{0, 0, 0}, {body_a, body_b, 1e9}}, true},
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
}

const StructureSpec& Anatomy::structure(const std::string& name) const {
  for (const auto& s : structures_)
    if (s.name == name) return s;
  throw std::out_of_range("phantom has no structure " + name);
}

bool Anatomy::inside_body(const Point3& p) const { return sq(p.x / body_a) + sq(p.y / body_b) <= 1.0; }

double Anatomy::hounsfield(const Point3& p) const {
  if (!inside_body(p)) return -1000.0;
  const double rim = std::sqrt(sq(p.x / body_a) + sq(p.y / body_b));  // 1 at the skin
  if (rim > 0.93) return -90.0;                                      // subcutaneous fat
  if (p.z > -25.0 && rim > 0.84 && rim <= 0.91) return 950.0;         // skull above the mandible
  if (sq((p.x - 0) / 9) + sq((p.y - 4) / 7) + sq((p.z - 8) / 20) <= 1.0) return -950.0;   // nasopharyngeal airway
  if (sq((p.x - 0) / 7) + sq((p.y + 30) / 6) <= 1.0 && p.z < 0) return -950.0;            // oropharyngeal airway
  if (sq((p.x + 28) / 16) + sq((p.y + 45) / 14) + sq((p.z - 15) / 16) <= 1.0) return -900.0;  // right maxillary sinus only
  for (const double side : {-32.0, 32.0})                                                  // eyes, anterior and high
    if (sq(p.x - side) + sq(p.y + 72) + sq(p.z - 45) <= sq(12)) return 15.0;
  if (sq(p.x) + sq(p.y - 58) <= sq(13) && p.z < 10.0) return 700.0;  // vertebral column
  return 40.0;
}

double Anatomy::dose_gy(const Point3& p) const {
  if (!inside_body(p)) return 0.0;
  // Each level: a sigmoid of the approximate signed distance to its PTV (4 mm penumbra-like width).
  double dose = 0.0;
  for (const auto& level : prescriptions_) {
    const Ellipsoid& ptv = structure(level.target_name).shape;
    const double rho = std::sqrt(ptv.normalised_radius_squared(p));
    const double mean_axis = (ptv.semi_axes.x + ptv.semi_axes.y + ptv.semi_axes.z) / 3.0;
    const double distance = (rho - 1.0) * mean_axis;
    const double level_dose = level.dose_gy * 1.02 / (1.0 + std::exp((distance - 2.0) / 3.0));
    dose = std::max(dose, level_dose);
  }
  // A low bath, and a lateral tilt so the field is not symmetric.
  dose = std::max(dose, 4.0) * (1.0 + 0.004 * p.x - 0.001 * p.y);
  return std::max(dose, 0.0);
}

}  // namespace rtpof::phantom
