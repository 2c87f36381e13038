// The cut of a solid on another series' slice planes (pipeline/dosevolume/outline_cut): its contours,
// extruded over their slabs as a planning system does, keep the solid's volume. Truth: a voxel ball's
// exact volume (voxel count x voxel volume), independent of the tracing.
#include <gtest/gtest.h>

#include <itkSingleton.h>

#include <cmath>

#include "pipeline/dosevolume/outline_cut.hpp"

namespace rtpof::testing {
namespace {

using pipeline::Vec3;

// A ball of `radius` mm on a fine voxel grid centred at `centre`, as a SEG segment would hold it.
pipeline::SegmentMask ball(Vec3 centre, double radius, double voxel) {
  pipeline::SegmentMask mask;
  mask.row_direction = {1, 0, 0};
  mask.column_direction = {0, 1, 0};
  mask.normal = {0, 0, 1};
  mask.column_spacing = mask.row_spacing = mask.slice_spacing = voxel;
  const auto n = static_cast<std::size_t>(std::ceil(2 * radius / voxel)) + 3;
  mask.columns = mask.rows = mask.slices = n;
  const double half = (static_cast<double>(n) - 1) / 2 * voxel;
  mask.origin = {centre.x - half, centre.y - half, centre.z - half};
  mask.inside.assign(n * n * n, 0);
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t c = 0; c < n; ++c)
        if (pipeline::norm(mask.position(c, r, s) - centre) <= radius) mask.inside[(s * n + r) * n + c] = 1;
  return mask;
}

double slab_volume_mm3(const std::vector<pipeline::SliceOutline>& outlines, const pipeline::SlicePlanes& planes) {
  double volume = 0;
  for (const auto& slice : outlines)
    for (const auto& contour : slice.contours) {
      double twice_area = 0;
      for (std::size_t i = 0, j = contour.size() - 1; i < contour.size(); j = i++) {
        const Vec3 a = contour[j], b = contour[i];
        twice_area += pipeline::dot(pipeline::cross(a, b), planes.normal);
      }
      volume += twice_area / 2 * planes.slice_spacing;  // holes come out negative
    }
  return volume;
}

pipeline::SlicePlanes ct_planes() {
  pipeline::SlicePlanes planes;
  planes.origin = {-100, -100, -60};
  planes.u_axis = {1, 0, 0};
  planes.v_axis = {0, 1, 0};
  planes.normal = {0, 0, 1};
  planes.u_spacing = planes.v_spacing = 2.0;
  planes.slice_spacing = 2.5;
  planes.slices = 48;
  return planes;
}

TEST(OutlineCut, ContoursOnTheSlicesKeepTheVolumeOfASmallBallWithinTwoPercent) {
  const Vec3 centre{1.3, -2.1, 3.7};  // off every slice and pixel centre
  for (const double radius : {7.0, 13.5}) {  // about 1.4 cc and 10 cc
    const pipeline::SegmentMask mask = ball(centre, radius, 0.25);
    const double truth = static_cast<double>(mask.voxel_count()) * 0.25 * 0.25 * 0.25;
    std::vector<Vec3> extent;
    for (const double d : {-1.0, 1.0})
      extent.insert(extent.end(), {centre + Vec3{d * radius, 0, 0}, centre + Vec3{0, d * radius, 0},
                                   centre + Vec3{0, 0, d * radius}});
    const pipeline::SlicePlanes planes = ct_planes();
    // The ball's frame turned and shifted, as an MR's is against the planning CT.
    const pipeline::RigidTransform mr_to_ct = pipeline::RigidTransform::rotation_about(centre, Vec3{0.6, 0.0, 0.8}, 9.0)
                                                  .then(pipeline::RigidTransform::translation(Vec3{-10, 15, -6}));
    const auto outlines = pipeline::cut_on_slices(pipeline::RegionShape{mask}, mr_to_ct, extent, planes);
    const double volume = slab_volume_mm3(outlines, planes);
    std::cout << "ball r " << radius << " mm: truth " << truth / 1000 << " cc, slab volume " << volume / 1000 << " cc ("
              << 100 * (volume - truth) / truth << " %)\n";
    EXPECT_NEAR(volume, truth, 0.02 * truth) << "radius " << radius;
  }
}

// A recurrence drawn on thick MR slices: circles on planes 3.5 mm apart, each extruded over its slab.
TEST(OutlineCut, ContoursOfAThickSliceStaircaseKeepItsVolume) {
  const double radius = 7.5, mr_slab = 3.5;
  pipeline::ContourStack stack;
  stack.normal = {0, 0, 1};
  stack.u_axis = {1, 0, 0};
  stack.v_axis = {0, 1, 0};
  stack.slab_mm = mr_slab;
  double truth = 0;
  std::vector<Vec3> extent;
  for (int k = -2; k <= 2; ++k) {
    const double z = k * mr_slab + 0.4;
    if (std::abs(z) >= radius) continue;
    const double r = std::sqrt(radius * radius - z * z);
    pipeline::Polygon2 circle;
    for (int i = 0; i < 64; ++i) {
      circle.u.push_back(r * std::cos(i * 2 * M_PI / 64));
      circle.v.push_back(r * std::sin(i * 2 * M_PI / 64));
      extent.push_back(Vec3{circle.u.back(), circle.v.back(), z - mr_slab / 2});
      extent.push_back(Vec3{circle.u.back(), circle.v.back(), z + mr_slab / 2});
    }
    truth += 0.5 * 64 * r * r * std::sin(2 * M_PI / 64) * mr_slab;
    stack.planes.push_back({z, {circle}});
  }
  const pipeline::SlicePlanes planes = ct_planes();
  const pipeline::RigidTransform mr_to_ct = pipeline::RigidTransform::rotation_about(Vec3{}, Vec3{0.6, 0.0, 0.8}, 9.0)
                                                .then(pipeline::RigidTransform::translation(Vec3{-10, 15, -6}));
  const auto outlines = pipeline::cut_on_slices(pipeline::RegionShape{stack}, mr_to_ct, extent, planes);
  const double volume = slab_volume_mm3(outlines, planes);
  std::cout << "staircase: truth " << truth / 1000 << " cc, slab volume " << volume / 1000 << " cc ("
            << 100 * (volume - truth) / truth << " %)\n";
  EXPECT_NEAR(volume, truth, 0.02 * truth);
}

// The slices are cut side by side, each making its own ITK image and tracer: ITK's globals must exist
// before (pipeline/itk_globals.hpp). ctest runs this test in a process of its own, where the cut is the
// first ITK user; the warning switch is one global that nothing in the cut itself would make.
TEST(OutlineCut, MakesItkGlobalsBeforeItsSlicesAreCutSideBySide) {
  const Vec3 centre{0, 0, 0};
  const std::vector<Vec3> extent = {centre - Vec3{5, 5, 5}, centre + Vec3{5, 5, 5}};
  const auto outlines = pipeline::cut_on_slices(pipeline::RegionShape{ball(centre, 4.0, 0.5)},
                                                pipeline::RigidTransform{}, extent, ct_planes());
  ASSERT_GT(outlines.size(), 1u);  // more than one slice, so the cut ran in parallel where there are cores
  EXPECT_NE(itk::SingletonIndex::GetInstance()->GetGlobalInstance<void>("GlobalWarningDisplay"), nullptr);
}

}  // namespace
}  // namespace rtpof::testing
