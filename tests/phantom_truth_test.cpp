// The phantom's truth machinery on cases whose answers are known in closed form: a linear dose field
// (which trilinear interpolation reproduces exactly) over prisms and voxel blocks.
#include <gtest/gtest.h>

#include <cmath>

#include "phantom/contours.hpp"
#include "phantom/phantom_writer.hpp"
#include "phantom/planned_dose.hpp"
#include "phantom/rigid_transform.hpp"
#include "phantom/truth_figures.hpp"
#include "phantom/truth_region.hpp"
#include "phantom/voxel_mask.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::phantom {
namespace {

// dose = 50 Gy + 1 Gy/mm * x on a 2 mm grid spanning x, y, z in [-40, 40] mm.
PlannedDose linear_dose() {
  PlannedDose g;
  g.spacing_mm = 2.0;
  g.x0 = g.y0 = g.z0 = -40.0;
  g.columns = g.rows = g.frames = 41;
  g.scaling = 1e-6;
  g.values.resize(41u * 41u * 41u);
  std::size_t i = 0;
  for (int f = 0; f < 41; ++f)
    for (int r = 0; r < 41; ++r)
      for (int c = 0; c < 41; ++c) g.values[i++] = static_cast<std::uint32_t>(std::lround((50.0 + g.x0 + 2.0 * c) / 1e-6));
  return g;
}

// An axis-aligned rectangle on plane z, as a (star-shaped) polygon about its centre.
PlanarContour rectangle(double x0, double x1, double y0, double y1, double z) {
  PlanarContour c;
  c.z = z;
  c.centre = {(x0 + x1) / 2, (y0 + y1) / 2};
  c.points = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
  return c;
}

TEST(PhantomTruth, QuadratureWeightsSumToTheContourStackVolume) {
  const LobulatedEllipsoid shape{{{3, -2, 1}, {14, 11, 12}}, 0.15, 0.7};
  std::vector<double> planes;
  for (int k = -6; k <= 6; ++k) planes.push_back(2.5 * k);
  const ContourStackRegion region(section_contours(shape, planes, 90), 2.5);
  for (const double h : {1.0, 0.4}) {
    double sum = 0;
    region.volume_points(h, [&](const Point3&, double w) { sum += w; });
    EXPECT_NEAR(sum, region.volume_mm3(), 1e-9 * region.volume_mm3()) << "spacing " << h;
  }
  // A 20 x 10 mm rectangle, 3 mm slab: 600 mm^3 exactly.
  EXPECT_DOUBLE_EQ(ContourStackRegion({rectangle(-10, 10, -5, 5, 0)}, 3.0).volume_mm3(), 600.0);
}

TEST(PhantomTruth, LinearFieldOverAPrismGivesTheClosedFormFigures) {
  // x in [-10, 10] mm over a 20 x 20 mm square, 4 mm slab: dose uniform in [40, 60] Gy by volume.
  const ContourStackRegion region({rectangle(-10, 10, -10, 10, 0)}, 4.0);
  const TruthFigures f = measure_truth(region, RigidTransform(), linear_dose(), 60.0, 0.1);
  EXPECT_NEAR(f.volume_cc, 1.6, 1e-12);
  EXPECT_NEAR(f.coverage_pct, 100.0, 1e-9);
  EXPECT_NEAR(f.d100_gy, 40.0, 1e-4);  // the minimum, at x = -10 (found on the boundary, then polished)
  EXPECT_NEAR(f.dmax_gy, 60.0, 1e-4);
  EXPECT_NEAR(f.dmean_gy, 50.0, 1e-4);
  // Volume fractions: here the 57 Gy isodose (x = 7) runs parallel to the quadrature rows of one fan
  // triangle, the midpoint rule's worst case, whose error is about half a row (0.07 mm) along 20 mm of
  // isodose in 400 mm^2: 0.2 percentage points. Curved isodoses in the phantom average far better.
  EXPECT_NEAR(f.v95_pct, 15.0, 0.2);  // dose >= 57 Gy: x >= 7, 3 of 20 mm
  EXPECT_NEAR(f.d98_gy, 40.4, 0.04);  // the hottest 98 %: x >= -9.6
  EXPECT_NEAR(f.d95_gy, 41.0, 0.04);
}

TEST(PhantomTruth, RegionPointsAreMovedIntoThePlanningFrameBeforeDosing) {
  // MR -> CT: 90 degrees about z (x_ct = -y_mr) then 3 mm along x. A rectangle with y_mr in [-5, 5]
  // lands on x_ct in [-2, 8]; applying the inverse by mistake would give [-8, 2].
  const auto mr_to_ct = RigidTransform::from_angles(0, 0, 90, {3, 0, 0});
  const ContourStackRegion region({rectangle(-10, 10, -5, 5, 0)}, 2.0);
  const TruthFigures f = measure_truth(region, mr_to_ct, linear_dose(), 60.0, 0.1);
  EXPECT_NEAR(f.d100_gy, 48.0, 1e-4);
  EXPECT_NEAR(f.dmax_gy, 58.0, 1e-4);
  EXPECT_NEAR(f.dmean_gy, 53.0, 1e-4);
  EXPECT_NEAR(f.centroid_ct.x, 3.0, 1e-9);
}

TEST(PhantomTruth, VoxelMaskRegionIsAUnionOfBoxes) {
  // A 5 x 3 x 2 block of 2 x 2 x 3 mm voxels whose centres span x in [-4, 4]: boxes span [-5, 5].
  const SliceStack g = SliceStack::centred(5, 3, 2, 2.0, 3.0);
  const VoxelMask mask{g, std::vector<std::uint8_t>(30, 1)};
  const VoxelMaskRegion region(mask);
  EXPECT_DOUBLE_EQ(region.volume_mm3(), 30 * 12.0);
  const TruthFigures f = measure_truth(region, RigidTransform(), linear_dose(), 60.0, 0.1);
  EXPECT_NEAR(f.d100_gy, 45.0, 1e-4);
  EXPECT_NEAR(f.dmax_gy, 55.0, 1e-4);
  EXPECT_NEAR(f.dmean_gy, 50.0, 1e-6);
  EXPECT_TRUE(region.contains({5.0, 3.0, 3.0}));  // a corner: closed
  EXPECT_FALSE(region.contains({5.01, 0, 0}));
}

TEST(PhantomTruth, PointsOutsideTheDoseGridAreCountedNotDosedAsZero) {
  // Half of the prism lies beyond the grid's last column (x = 40 mm).
  const ContourStackRegion region({rectangle(30, 50, -5, 5, 0)}, 2.0);
  const TruthFigures f = measure_truth(region, RigidTransform(), linear_dose(), 60.0, 0.1);
  EXPECT_NEAR(f.coverage_pct, 50.0, 0.5);
  EXPECT_NEAR(f.d100_gy, 80.0, 1e-4);  // the covered half: x in [30, 40]
  EXPECT_NEAR(f.dmean_gy, 85.0, 0.05);
}

TEST(PhantomTruth, StarShapedContainmentIncludesTheOutline) {
  const PlanarContour square = rectangle(-1, 1, -1, 1, 0);
  EXPECT_TRUE(contains(square, 0, 0));
  EXPECT_TRUE(contains(square, 1, 0.3));  // on an edge
  EXPECT_TRUE(contains(square, -1, -1));  // a vertex
  EXPECT_FALSE(contains(square, 1.001, 0));
  const LobulatedEllipsoid lobed{{{0, 0, 0}, {10, 10, 10}}, 0.15, 0.0};
  const auto contours = section_contours(lobed, {0.0}, 360);
  ASSERT_EQ(contours.size(), 1u);
  // Along theta = pi/6 the lobulated radius is 10 * (1 + 0.15 sin(pi/2)) = 11.5 mm.
  const double c = std::cos(3.14159265358979 / 6), s = std::sin(3.14159265358979 / 6);
  EXPECT_TRUE(contains(contours[0], 11.4 * c, 11.4 * s));
  EXPECT_FALSE(contains(contours[0], 11.6 * c, 11.6 * s));
}

TEST(PhantomTruth, RigidTransformInverseUndoesIt) {
  const auto t = RigidTransform::from_angles(7, -4, 9, {12, -18, 5});
  const Point3 p{31, -47, 102};
  const Point3 back = t.inverse().apply(t.apply(p));
  EXPECT_NEAR(back.x, p.x, 1e-12);
  EXPECT_NEAR(back.y, p.y, 1e-12);
  EXPECT_NEAR(back.z, p.z, 1e-12);
  const auto quarter = RigidTransform::from_angles(0, 0, 90, {});
  const Point3 y = quarter.apply({1, 0, 0});  // about +z, x turns into y
  EXPECT_NEAR(y.x, 0, 1e-12);
  EXPECT_NEAR(y.y, 1, 1e-12);
  const auto m = t.matrix();
  EXPECT_EQ(m[12], 0);
  EXPECT_EQ(m[15], 1);
  EXPECT_NEAR(m[3], 12, 1e-12);
}

// A reduced case through every writer (SEG bit packing, REG, truth on threads), small enough to run
// under the sanitizers with the other unit tests.
TEST(PhantomTruth, ReducedCaseWritesEveryObjectAndItsTruth) {
  rtpof::testing::TempDir dir;
  PhantomSpec spec = PhantomSpec::small(5);
  spec.case_name = "in-field";
  spec.slices = 24;
  spec.mr_slices = 20;
  spec.seg = spec.reg = true;
  spec.truth_points = 5e4;
  const PhantomFiles files = write_phantom(spec, dir.path());
  EXPECT_EQ(files.plan.ct.size(), 24u);
  EXPECT_EQ(files.followup.mr.size(), 20u);
  EXPECT_TRUE(std::filesystem::exists(files.followup.recurrence));
  ASSERT_TRUE(files.followup.reg.has_value());
  EXPECT_TRUE(std::filesystem::exists(*files.followup.reg));
  EXPECT_NE(rtpof::testing::read_text(files.truth).find("\"representation\": \"SEG\""), std::string::npos);
}

}  // namespace
}  // namespace rtpof::phantom
