#pragma once
// The planned dose as the phantom stores it in its RTDOSE: a 3 mm grid whose origin is deliberately
// off the CT voxel lattice, 32-bit values times DoseGridScaling. The truth reads dose from these stored
// values (not from the analytic field), by trilinear interpolation, as docs/architecture.md defines it.
#include <cstdint>
#include <optional>
#include <vector>

#include "phantom/anatomy.hpp"
#include "phantom/slice_stack.hpp"

namespace rtpof::phantom {

struct PlannedDose {
  double x0 = 0, y0 = 0, z0 = 0;  // centre of the first dose voxel (mm), as written
  double spacing_mm = 3.0;         // along x, y and between frames
  int columns = 0, rows = 0, frames = 0;
  double scaling = 1e-6;           // Gy per stored unit
  std::vector<std::uint32_t> values;  // frame-major, then row, then column

  static PlannedDose sample(const Anatomy& anatomy, const SliceStack& ct);
  // Trilinear interpolation of the stored grid; nothing outside the grid's outermost voxel centres.
  std::optional<double> at(const Point3& p) const;
  double stored_gy(int column, int row, int frame) const;
};

}  // namespace rtpof::phantom
