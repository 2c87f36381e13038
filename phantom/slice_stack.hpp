#pragma once
// The geometry of an axial image series in its own frame: square pixels, evenly spaced slices, first
// voxel centre at (x0, y0, z0). Values are chosen so that their DICOM decimal strings read back exactly.
namespace rtpof::phantom {

struct SliceStack {
  double x0 = 0, y0 = 0, z0 = 0;  // centre of the first voxel (mm)
  double pixel_mm = 1;
  double slice_mm = 1;
  int columns = 0, rows = 0, slices = 0;
  double x(int column) const { return x0 + column * pixel_mm; }
  double y(int row) const { return y0 + row * pixel_mm; }
  double z(int slice) const { return z0 + slice * slice_mm; }

  // A stack centred on the frame's origin, or on `centre`.
  static SliceStack centred(int columns, int rows, int slices, double pixel_mm, double slice_mm);
  static SliceStack centred_on(double cx, double cy, double cz, int columns, int rows, int slices, double pixel_mm,
                               double slice_mm);
};

}  // namespace rtpof::phantom
