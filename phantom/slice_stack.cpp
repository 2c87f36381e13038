#include "phantom/slice_stack.hpp"

#include "phantom/contours.hpp"

namespace rtpof::phantom {

SliceStack SliceStack::centred(int columns, int rows, int slices, double pixel_mm, double slice_mm) {
  return centred_on(0, 0, 0, columns, rows, slices, pixel_mm, slice_mm);
}

SliceStack SliceStack::centred_on(double cx, double cy, double cz, int columns, int rows, int slices, double pixel_mm,
                                  double slice_mm) {
  SliceStack s;
  s.columns = columns;
  s.rows = rows;
  s.slices = slices;
  s.pixel_mm = pixel_mm;
  s.slice_mm = slice_mm;
  s.x0 = as_written(cx - (columns - 1) * pixel_mm / 2.0);
  s.y0 = as_written(cy - (rows - 1) * pixel_mm / 2.0);
  s.z0 = as_written(cz - (slices - 1) * slice_mm / 2.0);
  return s;
}

}  // namespace rtpof::phantom
