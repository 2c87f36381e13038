#pragma once
// Planar contours as the phantom writes them (RTSTRUCT ContourData) and as its truth reads them: one
// star-shaped polygon per slice plane and structure, with the point it is star-shaped about.
#include <array>
#include <vector>

#include "phantom/anatomy.hpp"

namespace rtpof::phantom {

struct PlanarContour {
  double z = 0;                              // the slice plane, in the frame of the image series
  std::array<double, 2> centre{};            // every polygon edge is visible from here (star-shaped)
  std::vector<std::array<double, 2>> points;  // counter-clockwise, not repeating the first point
};

// An ellipsoid with a lobulated outline, as a recurrence drawn by hand looks: the radius of each section
// is modulated by 1 + lobulation * sin(3 theta + phase + z / 7 mm), so the polygons are not convex but
// remain star-shaped about the section centre.
struct LobulatedEllipsoid {
  Ellipsoid shape;
  double lobulation = 0;
  double phase = 0;
  bool contains(const Point3& p) const;
  double radius_factor(double theta, double z) const;
};

// The value a DICOM decimal string (DS) of `value` reads back as: the phantom rounds every coordinate
// it writes through this, so that the truth is computed on exactly the numbers in the files.
double as_written(double value);

// Sections of `shape` on the given planes, as `points`-vertex polygons; planes where the section is
// smaller than half a millimetre are skipped.
std::vector<PlanarContour> section_contours(const LobulatedEllipsoid& shape, const std::vector<double>& planes,
                                            int points);
// The body outline (an elliptic cylinder) on every plane.
std::vector<PlanarContour> body_contours(const std::vector<double>& planes, int points, const Point3& centre);

// Whether (x, y) lies in the contour (closed: points on an edge are inside). Uses the fan of triangles
// from the contour's centre, which covers a star-shaped polygon exactly once.
bool contains(const PlanarContour& contour, double x, double y);

// Shoelace area (mm^2) of a contour.
double polygon_area(const PlanarContour& contour);

}  // namespace rtpof::phantom
