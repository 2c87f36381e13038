// The loaders against the phantom's files and against the forms planning systems, scanners and PACS
// send: other patient positions, oblique planes, compressed and enhanced objects, broken objects.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "phantom/planned_dose.hpp"
#include "phantom/anatomy.hpp"
#include "phantom/phantom_writer.hpp"
#include "phantom/slice_stack.hpp"
#include "pipeline/dosevolume/dose_meaning.hpp"
#include "pipeline/dicomrt/dose_grid.hpp"
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/dicomrt/rt_plan.hpp"
#include "pipeline/dicomrt/segmentation.hpp"
#include "pipeline/dicomrt/spatial_registration.hpp"
#include "pipeline/dicomrt/structure_set.hpp"
#include "tests/support/dicom_files.hpp"
#include "tests/support/image_variants.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::pipeline {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// One reduced phantom for the whole suite: CT 128 x 128 x 24, MR 110 x 110 x 20, SEG and REG.
class Loaders : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    spec_ = phantom::PhantomSpec::small(11);
    spec_.case_name = "marginal";
    spec_.slices = 24;
    spec_.mr_slices = 20;
    spec_.seg = spec_.reg = true;
    spec_.truth_points = 2e4;
    files_ = phantom::write_phantom(spec_, dir_->path());
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static ImageSeries load_series(const std::vector<fs::path>& files) {
    std::vector<DicomObject> objects = read_dicom_files(files);
    return load_image_series(objects);
  }
  static float voxel(const ImageSeries& s, std::size_t c, std::size_t r, std::size_t k) {
    return s.image->GetPixel({{static_cast<long>(c), static_cast<long>(r), static_cast<long>(k)}});
  }
  // The value at a patient position, which must fall on a voxel centre of `s`.
  static float value_at(const ImageSeries& s, const ImageVolume::PointType& p) {
    const auto index = s.image->TransformPhysicalPointToContinuousIndex<double>(p);
    ImageVolume::IndexType rounded;
    for (int a = 0; a < 3; ++a) {
      rounded[a] = std::lround(index[a]);
      EXPECT_NEAR(index[a], static_cast<double>(rounded[a]), 1e-4) << "not on a voxel centre, axis " << a;
    }
    return s.image->GetPixel(rounded);
  }
  // Expects `variant` to hold the voxels of `original` (each moved by `rotation`, row-major 3x3).
  static void expect_same_voxels(const ImageSeries& original, const ImageSeries& variant,
                                 const std::array<double, 9>& rotation = {1, 0, 0, 0, 1, 0, 0, 0, 1}) {
    const auto size = original.image->GetLargestPossibleRegion().GetSize();
    ASSERT_EQ(variant.image->GetLargestPossibleRegion().GetNumberOfPixels(),
              original.image->GetLargestPossibleRegion().GetNumberOfPixels());
    int checked = 0;
    for (std::size_t k = 0; k < size[2]; k += 3)
      for (std::size_t r = 0; r < size[1]; r += 7)
        for (std::size_t c = 0; c < size[0]; c += 5) {
          ImageVolume::PointType p;
          original.image->TransformIndexToPhysicalPoint({{long(c), long(r), long(k)}}, p);
          ImageVolume::PointType q;
          for (int a = 0; a < 3; ++a) q[a] = rotation[3 * a] * p[0] + rotation[3 * a + 1] * p[1] + rotation[3 * a + 2] * p[2];
          ASSERT_EQ(value_at(variant, q), voxel(original, c, r, k)) << c << "," << r << "," << k;
          ++checked;
        }
    EXPECT_GT(checked, 1000);
  }

  static std::unique_ptr<TempDir> dir_;
  static phantom::PhantomSpec spec_;
  static phantom::PhantomFiles files_;
};
std::unique_ptr<TempDir> Loaders::dir_;
phantom::PhantomSpec Loaders::spec_;
phantom::PhantomFiles Loaders::files_;

// ---------------------------------------------------------------- the phantom's own objects, exactly

TEST_F(Loaders, CtSeriesGeometryAndVoxelsAreExact) {
  std::vector<fs::path> shuffled = files_.plan.ct;
  std::reverse(shuffled.begin(), shuffled.end());  // order on input must not matter
  const ImageSeries ct = load_series(shuffled);
  EXPECT_EQ(ct.modality, "CT");
  EXPECT_EQ(ct.series_instance_uid, files_.plan.ct_series_instance_uid);
  EXPECT_EQ(ct.frame_of_reference_uid, files_.plan.frame_of_reference_uid);
  const auto size = ct.image->GetLargestPossibleRegion().GetSize();
  EXPECT_EQ(size[0], 128u);
  EXPECT_EQ(size[1], 128u);
  EXPECT_EQ(size[2], 24u);
  EXPECT_DOUBLE_EQ(ct.image->GetSpacing()[0], 2.0);
  EXPECT_DOUBLE_EQ(ct.image->GetSpacing()[1], 2.0);
  EXPECT_NEAR(ct.image->GetSpacing()[2], 2.5, 1e-9);
  EXPECT_TRUE(ct.image->GetDirection().GetVnlMatrix().is_identity());

  // Independent reading of the files: slice k is the k-th lowest ImagePositionPatient z.
  std::vector<std::pair<double, fs::path>> by_z;
  for (const auto& file : files_.plan.ct) {
    DcmFileFormat f;
    ASSERT_TRUE(f.loadFile(file.c_str()).good());
    by_z.emplace_back(testing::numbers_of(*f.getDataset(), DCM_ImagePositionPatient)[2], file);
  }
  std::sort(by_z.begin(), by_z.end());
  DcmFileFormat lowest;
  ASSERT_TRUE(lowest.loadFile(by_z.front().second.c_str()).good());
  const std::vector<double> ipp = testing::numbers_of(*lowest.getDataset(), DCM_ImagePositionPatient);
  for (int a = 0; a < 3; ++a) EXPECT_DOUBLE_EQ(ct.image->GetOrigin()[a], ipp[a]);

  // A voxel: its patient position and its HU = stored * slope + intercept, read here without the loader.
  const std::size_t k = 9, r = 70, c = 41;
  DcmFileFormat slice;
  ASSERT_TRUE(slice.loadFile(by_z[k].second.c_str()).good());
  DcmDataset& d = *slice.getDataset();
  const Uint16* stored = nullptr;
  ASSERT_TRUE(d.findAndGetUint16Array(DCM_PixelData, stored).good());
  const double slope = testing::numbers_of(d, DCM_RescaleSlope)[0];
  const double intercept = testing::numbers_of(d, DCM_RescaleIntercept)[0];
  EXPECT_FLOAT_EQ(voxel(ct, c, r, k), static_cast<float>(static_cast<Sint16>(stored[r * 128 + c]) * slope + intercept));
  ImageVolume::PointType p;
  ct.image->TransformIndexToPhysicalPoint({{long(c), long(r), long(k)}}, p);
  const std::vector<double> slice_ipp = testing::numbers_of(d, DCM_ImagePositionPatient);
  EXPECT_NEAR(p[0], slice_ipp[0] + 2.0 * c, 1e-9);
  EXPECT_NEAR(p[1], slice_ipp[1] + 2.0 * r, 1e-9);
  EXPECT_NEAR(p[2], slice_ipp[2], 1e-9);
  EXPECT_EQ(ct.sop_instance_uids.size(), 24u);
}

TEST_F(Loaders, RtstructRoisAndContourPointsAreExact) {
  DicomObject object = DicomObject::read_file(files_.plan.rtstruct);
  const StructureSet set = load_structure_set(object);
  ASSERT_EQ(set.rois.size(), 9u);
  EXPECT_EQ(set.frame_of_reference_uids, std::vector<std::string>{files_.plan.frame_of_reference_uid});
  EXPECT_EQ(set.referenced_series_uids, std::vector<std::string>{files_.plan.ct_series_instance_uid});
  const Roi* ctv = set.find("CTV_70");
  ASSERT_NE(ctv, nullptr);
  EXPECT_EQ(ctv->interpreted_type, "CTV");
  EXPECT_EQ(ctv->frame_of_reference_uid, files_.plan.frame_of_reference_uid);
  EXPECT_EQ(set.find("BODY")->interpreted_type, "EXTERNAL");
  ASSERT_FALSE(ctv->contours.empty());

  // The first contour of CTV_70, read here from the file without the loader.
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(files_.plan.rtstruct.c_str()).good());
  DcmItem* roi_contour = nullptr;
  for (long i = 0; file.getDataset()->findAndGetSequenceItem(DCM_ROIContourSequence, roi_contour, i).good(); ++i) {
    Sint32 number = 0;
    roi_contour->findAndGetSint32(DCM_ReferencedROINumber, number);
    if (number == ctv->number) break;
  }
  DcmItem* contour = nullptr;
  ASSERT_TRUE(roi_contour->findAndGetSequenceItem(DCM_ContourSequence, contour, 0).good());
  const std::vector<double> data = testing::numbers_of(*contour, DCM_ContourData);
  const PlanarContour& loaded = ctv->contours.front();
  ASSERT_EQ(loaded.points.size() * 3, data.size());
  EXPECT_EQ(loaded.points[5].x, data[15]);
  EXPECT_EQ(loaded.points[5].y, data[16]);
  EXPECT_EQ(loaded.points[5].z, data[17]);
  EXPECT_NEAR(loaded.normal.z, 1.0, 1e-12);
  EXPECT_NEAR(loaded.plane_offset, data[2], 1e-9);
  EXPECT_FALSE(loaded.referenced_image_uid.empty());
}

TEST_F(Loaders, RtdoseGridPointsAndValuesAreExact) {
  DicomObject object = DicomObject::read_file(files_.plan.rtdose);
  const DoseGrid grid = load_dose_grid(object);
  const phantom::PlannedDose expected = phantom::PlannedDose::sample(
      phantom::Anatomy(), phantom::SliceStack::centred(spec_.columns, spec_.rows, spec_.slices,
                                                       spec_.pixel_spacing_mm, spec_.slice_spacing_mm));
  ASSERT_EQ(grid.columns, static_cast<std::size_t>(expected.columns));
  ASSERT_EQ(grid.rows, static_cast<std::size_t>(expected.rows));
  ASSERT_EQ(grid.frames(), static_cast<std::size_t>(expected.frames));
  EXPECT_EQ(grid.summation_type, "PLAN");
  EXPECT_EQ(grid.dose_units, "GY");
  EXPECT_EQ(grid.frame_of_reference_uid, files_.plan.frame_of_reference_uid);
  EXPECT_FALSE(grid.referenced_plan_uid.empty());
  for (int f = 0; f < expected.frames; f += 2)
    for (int r = 0; r < expected.rows; r += 3)
      for (int c = 0; c < expected.columns; c += 4) {
        ASSERT_NEAR(grid.at(c, r, f), expected.stored_gy(c, r, f), 1e-12);
        const Vec3 p = grid.position(c, r, f);
        ASSERT_NEAR(p.x, expected.x0 + c * expected.spacing_mm, 1e-9);
        ASSERT_NEAR(p.y, expected.y0 + r * expected.spacing_mm, 1e-9);
        ASSERT_NEAR(p.z, expected.z0 + f * expected.spacing_mm, 1e-9);
      }
}

TEST_F(Loaders, RtplanPrescriptionsFractionsAndReferences) {
  DicomObject object = DicomObject::read_file(files_.plan.rtplan);
  const RtPlan plan = load_rt_plan(object);
  EXPECT_EQ(plan.approval_status, "APPROVED");
  EXPECT_FALSE(plan.label.empty());
  ASSERT_EQ(plan.prescriptions.size(), 3u);
  EXPECT_DOUBLE_EQ(*plan.prescriptions[1].target_prescription_dose_gy, 59.4);
  EXPECT_EQ(plan.prescriptions[0].type, "TARGET");
  EXPECT_DOUBLE_EQ(*plan.highest_target_prescription_gy(), 70.0);
  EXPECT_EQ(plan.fractions_planned(), 33);
  DicomObject structures = DicomObject::read_file(files_.plan.rtstruct);
  EXPECT_EQ(plan.referenced_structure_set_uid, structures.sop_instance_uid());
}

TEST_F(Loaders, RegMatricesAreTheTrueTransform) {
  DicomObject object = DicomObject::read_file(*files_.followup.reg);
  const SpatialRegistration reg = load_spatial_registration(object);
  EXPECT_FALSE(reg.deformable);
  EXPECT_EQ(reg.frame_of_reference_uid, files_.plan.frame_of_reference_uid);
  const RegistrationItem* ct = reg.item_for_frame(files_.plan.frame_of_reference_uid);
  const RegistrationItem* mr = reg.item_for_frame(files_.followup.frame_of_reference_uid);
  ASSERT_NE(ct, nullptr);
  ASSERT_NE(mr, nullptr);
  EXPECT_EQ(ct->combined.matrix, identity_matrix());
  EXPECT_EQ(mr->combined.type, "RIGID");
  EXPECT_EQ(mr->referenced_image_uids.size(), files_.followup.mr.size());
  const nlohmann::json truth = nlohmann::json::parse(testing::read_text(files_.truth));
  const auto& expected = truth["transform"]["mr_to_ct"];
  for (std::size_t i = 0; i < 16; ++i) EXPECT_NEAR(mr->combined.matrix[i], expected[i / 4][i % 4].get<double>(), 1e-6);
}

TEST_F(Loaders, SegMaskHasTheTrueVolumeAndGeometry) {
  DicomObject object = DicomObject::read_file(files_.followup.recurrence);
  const Segmentation seg = load_segmentation(object);
  EXPECT_EQ(seg.segmentation_type, "BINARY");
  EXPECT_EQ(seg.frame_of_reference_uid, files_.followup.frame_of_reference_uid);
  ASSERT_EQ(seg.segments.size(), 1u);
  const SegmentMask& mask = seg.segments.front();
  EXPECT_EQ(mask.columns, 110u);  // 110 x 110: not a multiple of 8, the case DCMTK 3.6.7 unpacks wrongly
  EXPECT_EQ(mask.rows, 110u);
  EXPECT_NEAR(mask.slice_spacing, spec_.mr_slice_spacing_mm, 1e-9);
  const nlohmann::json truth = nlohmann::json::parse(testing::read_text(files_.truth));
  const double volume_cc = mask.voxel_count() * mask.column_spacing * mask.row_spacing * mask.slice_spacing / 1000;
  EXPECT_NEAR(volume_cc, truth["recurrences"][0]["volume_cc"].get<double>(), 1e-9);
  EXPECT_EQ(mask.label, truth["recurrences"][0]["roi"].get<std::string>());
  // Every voxel of the mask lies inside the MR series' volume, in the MR frame.
  const ImageSeries mr = load_series(files_.followup.mr);
  for (std::size_t s = 0; s < mask.slices; ++s) {
    const Vec3 p = mask.position(0, 0, s);
    ImageVolume::PointType q;
    q[0] = p.x, q[1] = p.y, q[2] = p.z;
    ImageVolume::IndexType index;
    EXPECT_TRUE(mr.image->TransformPhysicalPointToIndex(q, index)) << "slice " << s;
  }
}

TEST_F(Loaders, FractionalSegWithFramesInReverseOrderIsThresholdedAtHalf) {
  TempDir dir;
  DicomObject binary_object = DicomObject::read_file(files_.followup.recurrence);
  const Segmentation binary = load_segmentation(binary_object);
  testing::rewrite(files_.followup.recurrence, dir / "fractional.dcm", [](DcmDataset& d) {
    Uint16 rows = 0, columns = 0;
    d.findAndGetUint16(DCM_Rows, rows);
    d.findAndGetUint16(DCM_Columns, columns);
    Sint32 frames = 0;
    d.findAndGetSint32(DCM_NumberOfFrames, frames);
    const Uint8* bits = nullptr;
    d.findAndGetUint8Array(DCM_PixelData, bits);
    const std::size_t plane = std::size_t{rows} * columns;
    // 60 % inside, 39 % outside: only a threshold at one half gives back the binary mask.
    std::vector<Uint8> values(plane * static_cast<std::size_t>(frames));
    for (std::size_t f = 0; f < static_cast<std::size_t>(frames); ++f)
      for (std::size_t p = 0; p < plane; ++p) {
        const std::size_t bit = f * plane + p;
        const bool inside = (bits[bit / 8] >> (bit % 8)) & 1u;
        values[(frames - 1 - f) * plane + p] = inside ? 153 : 100;
      }
    d.putAndInsertUint8Array(DCM_PixelData, values.data(), static_cast<unsigned long>(values.size()));
    d.putAndInsertUint16(DCM_BitsAllocated, 8);
    d.putAndInsertUint16(DCM_BitsStored, 8);
    d.putAndInsertUint16(DCM_HighBit, 7);
    d.putAndInsertString(DCM_SegmentationType, "FRACTIONAL");
    d.putAndInsertString(DCM_SegmentationFractionalType, "PROBABILITY");
    d.putAndInsertUint16(DCM_MaximumFractionalValue, 255);
    DcmSequenceOfItems* per_frame = nullptr;
    d.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, per_frame);
    std::vector<DcmItem*> items;
    while (per_frame->card() > 0) items.push_back(per_frame->remove(0UL));
    for (auto it = items.rbegin(); it != items.rend(); ++it) per_frame->append(*it);
  });
  DicomObject object = DicomObject::read_file(dir / "fractional.dcm");
  const Segmentation fractional = load_segmentation(object);
  EXPECT_EQ(fractional.segmentation_type, "FRACTIONAL");
  ASSERT_EQ(fractional.notes.size(), 1u);
  const SegmentMask& a = binary.segments.front();
  const SegmentMask& b = fractional.segments.front();
  EXPECT_GT(a.voxel_count(), 100u);
  EXPECT_EQ(b.inside, a.inside);
  EXPECT_NEAR(norm(b.origin - a.origin), 0.0, 1e-9);
}

// ---------------------------------------------------------------- other positions and forms

TEST_F(Loaders, HeadFirstProneCtReadsTheSameVoxelsAtTheSamePositions) {
  TempDir dir;
  const ImageSeries original = load_series(files_.plan.ct);
  const ImageSeries hfp = load_series(testing::reposition_series(files_.plan.ct, dir / "hfp", testing::PatientPosition::HFP));
  const auto direction = hfp.image->GetDirection();
  EXPECT_EQ(direction[0][0], -1.0);
  EXPECT_EQ(direction[1][1], -1.0);
  EXPECT_EQ(direction[2][2], 1.0);
  expect_same_voxels(original, hfp);
}

TEST_F(Loaders, FeetFirstSupineCtIsStackedAlongItsOwnNormal) {
  TempDir dir;
  const ImageSeries original = load_series(files_.plan.ct);
  const ImageSeries ffs = load_series(testing::reposition_series(files_.plan.ct, dir / "ffs", testing::PatientPosition::FFS));
  const auto direction = ffs.image->GetDirection();
  EXPECT_EQ(direction[0][0], -1.0);
  EXPECT_EQ(direction[1][1], 1.0);
  EXPECT_EQ(direction[2][2], -1.0);  // normal = row x column points to the feet
  EXPECT_GT(ffs.image->GetOrigin()[2], original.image->GetOrigin()[2]);  // first slice is the highest
  EXPECT_GT(ffs.image->GetSpacing()[2], 0);
  expect_same_voxels(original, ffs);
}

TEST_F(Loaders, ObliqueMrVoxelsSitWhereTheRotatedGeometrySays) {
  TempDir dir;
  // 20 degrees about x, then 15 about z: a double-oblique acquisition.
  const double a = 20 * M_PI / 180, b = 15 * M_PI / 180;
  const std::array<double, 9> rx{1, 0, 0, 0, std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a)};
  const std::array<double, 9> rz{std::cos(b), -std::sin(b), 0, std::sin(b), std::cos(b), 0, 0, 0, 1};
  std::array<double, 9> rotation{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) rotation[3 * i + j] += rz[3 * i + k] * rx[3 * k + j];
  const ImageSeries original = load_series(files_.followup.mr);
  const ImageSeries oblique = load_series(testing::rotate_series(files_.followup.mr, dir / "oblique", rotation));
  const auto direction = oblique.image->GetDirection();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(direction[i][j], rotation[3 * i + j], 1e-6);
  EXPECT_NEAR(oblique.image->GetSpacing()[2], spec_.mr_slice_spacing_mm, 1e-4);
  expect_same_voxels(original, oblique, rotation);
}

TEST_F(Loaders, JpegLsRleAndJpegLosslessSeriesReadToTheSameVoxels) {
  TempDir dir;
  const ImageSeries original = load_series(files_.plan.ct);
  for (const auto& tool : std::vector<std::vector<std::string>>{
           {"dcmcjpls", "--encode-lossless"}, {"dcmcrle"}, {"dcmcjpeg", "--encode-lossless-sv1"}}) {
    const auto compressed = testing::compress_series(files_.plan.ct, dir / tool.front(), tool);
    EXPECT_NE(testing::string_of(compressed.front(), DCM_TransferSyntaxUID), UID_LittleEndianExplicitTransferSyntax);
    const ImageSeries decoded = load_series(compressed);
    expect_same_voxels(original, decoded);
  }
}

TEST_F(Loaders, EnhancedMultiFrameMrReadsLikeItsSingleFrameSeries) {
  TempDir dir;
  std::vector<fs::path> frames = files_.followup.mr;
  std::rotate(frames.begin(), frames.begin() + 7, frames.end());  // frames out of order
  testing::write_enhanced_mr(frames, dir / "enhanced.dcm");
  const ImageSeries original = load_series(files_.followup.mr);
  const ImageSeries enhanced = load_series({dir / "enhanced.dcm"});
  EXPECT_EQ(enhanced.sop_instance_uids.size(), 1u);
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(enhanced.image->GetOrigin()[a], original.image->GetOrigin()[a], 1e-9);
  expect_same_voxels(original, enhanced);
}

TEST_F(Loaders, Monochrome1MrIsInvertedBackToBrightIsHigh) {
  TempDir dir;
  const ImageSeries original = load_series(files_.followup.mr);
  const ImageSeries inverted = load_series(testing::invert_to_monochrome1(files_.followup.mr, dir / "m1"));
  ASSERT_EQ(inverted.notes.size(), 1u);
  expect_same_voxels(original, inverted);
}

TEST_F(Loaders, AbsoluteAndDecreasingGridFrameOffsetsGiveTheSameGrid) {
  TempDir dir;
  DicomObject relative_object = DicomObject::read_file(files_.plan.rtdose);
  const DoseGrid relative = load_dose_grid(relative_object);
  testing::rewrite(files_.plan.rtdose, dir / "absolute.dcm", [&](DcmDataset& d) {
    std::string text;
    for (double offset : testing::numbers_of(d, DCM_GridFrameOffsetVector))
      text += (text.empty() ? "" : "\\") + std::to_string(offset + relative.origin.z);
    d.putAndInsertString(DCM_GridFrameOffsetVector, text.c_str());
  });
  DicomObject absolute_object = DicomObject::read_file(dir / "absolute.dcm");
  const DoseGrid absolute = load_dose_grid(absolute_object);
  ASSERT_EQ(absolute.frames(), relative.frames());
  for (std::size_t f = 0; f < relative.frames(); ++f)
    EXPECT_NEAR(absolute.frame_offsets[f], relative.frame_offsets[f], 1e-4);
  EXPECT_EQ(absolute.gy, relative.gy);

  // Frames written from the top down: origin at the last frame, offsets 0, -3, -6 ...
  testing::rewrite(files_.plan.rtdose, dir / "decreasing.dcm", [&](DcmDataset& d) {
    const std::size_t plane = relative.rows * relative.columns, frames = relative.frames();
    const Uint8* bytes = nullptr;
    d.findAndGetUint8Array(DCM_PixelData, bytes);
    const Uint32* values = reinterpret_cast<const Uint32*>(bytes);
    std::vector<Uint32> reversed(plane * frames);
    for (std::size_t f = 0; f < frames; ++f)
      std::copy(values + (frames - 1 - f) * plane, values + (frames - f) * plane, reversed.begin() + f * plane);
    d.putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16*>(reversed.data()),
                              static_cast<unsigned long>(reversed.size() * 2));
    std::string text;
    const double top = relative.frame_offsets.back();
    for (std::size_t f = 0; f < frames; ++f)
      text += (text.empty() ? "" : "\\") + std::to_string(relative.frame_offsets[frames - 1 - f] - top);
    d.putAndInsertString(DCM_GridFrameOffsetVector, text.c_str());
    const Vec3 o = relative.origin + top * relative.normal;
    d.putAndInsertString(DCM_ImagePositionPatient,
                         (std::to_string(o.x) + "\\" + std::to_string(o.y) + "\\" + std::to_string(o.z)).c_str());
  });
  DicomObject decreasing_object = DicomObject::read_file(dir / "decreasing.dcm");
  const DoseGrid decreasing = load_dose_grid(decreasing_object);
  EXPECT_NEAR(decreasing.origin.z, relative.origin.z, 1e-4);
  EXPECT_EQ(decreasing.gy, relative.gy);
}

TEST_F(Loaders, FractionDoseIsScaledByThePlansFractionsAndRelativeDoseIsRefused) {
  TempDir dir;
  DicomObject plan_object = DicomObject::read_file(files_.plan.rtplan);
  const RtPlan plan = load_rt_plan(plan_object);
  DicomObject plan_dose_object = DicomObject::read_file(files_.plan.rtdose);
  const DoseGrid plan_dose = load_dose_grid(plan_dose_object);
  testing::rewrite(files_.plan.rtdose, dir / "fraction.dcm", [&](DcmDataset& d) {
    d.putAndInsertString(DCM_DoseSummationType, "FRACTION");
    d.putAndInsertString(DCM_DoseGridScaling, "3.0303030303030303e-08");  // 1e-6 / 33
  });
  DicomObject fraction_object = DicomObject::read_file(dir / "fraction.dcm");
  const DoseGrid fraction = load_dose_grid(fraction_object);
  // Without a plan the stored values stay, and say they are one fraction's.
  const CourseDose alone = decide_course_dose(fraction, nullptr);
  EXPECT_TRUE(alone.interpretation.per_fraction);
  EXPECT_EQ(alone.interpretation.scaling, 1);
  EXPECT_EQ(decide_course_dose(fraction, nullptr, 33).interpretation.scaling, 33);
  // With its plan, a grid that really is one fraction is multiplied by the plan's 33 fractions.
  const CourseDose course_dose = decide_course_dose(fraction, &plan);
  EXPECT_EQ(course_dose.interpretation.scaling, 33);
  EXPECT_TRUE(course_dose.interpretation.warnings.empty());
  const DoseGrid& course = course_dose.grid;
  for (std::size_t i = 0; i < course.gy.size(); i += 97) ASSERT_NEAR(course.gy[i], plan_dose.gy[i], 1e-9);
  // The course dose labelled FRACTION (Pinnacle's way) is read as it is, with a warning.
  testing::rewrite(files_.plan.rtdose, dir / "mislabelled.dcm",
                   [&](DcmDataset& d) { d.putAndInsertString(DCM_DoseSummationType, "FRACTION"); });
  DicomObject mislabelled_object = DicomObject::read_file(dir / "mislabelled.dcm");
  const CourseDose mislabelled = decide_course_dose(load_dose_grid(mislabelled_object), &plan);
  EXPECT_EQ(mislabelled.interpretation.scaling, 1);
  ASSERT_EQ(mislabelled.interpretation.warnings.size(), 1u);
  EXPECT_NE(mislabelled.interpretation.warnings[0].find("the FRACTION label was not applied"), std::string::npos);
  for (std::size_t i = 0; i < course.gy.size(); i += 97) ASSERT_NEAR(mislabelled.grid.gy[i], plan_dose.gy[i], 1e-9);
  // Ten times the course is neither one fraction nor the course: refused with the figures.
  testing::rewrite(files_.plan.rtdose, dir / "tenfold.dcm", [&](DcmDataset& d) {
    d.putAndInsertString(DCM_DoseSummationType, "FRACTION");
    d.putAndInsertString(DCM_DoseGridScaling, "1e-05");
  });
  DicomObject tenfold_object = DicomObject::read_file(dir / "tenfold.dcm");
  try {
    decide_course_dose(load_dose_grid(tenfold_object), &plan);
    ADD_FAILURE() << "a FRACTION grid ten times its plan's course was not refused";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("neither one fraction nor the course"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("per fraction"), std::string::npos) << e.what();
  }
  // A PLAN dose ten times its prescription: refused by the plausibility check, both figures named.
  testing::rewrite(files_.plan.rtdose, dir / "tenfold_plan.dcm",
                   [&](DcmDataset& d) { d.putAndInsertString(DCM_DoseGridScaling, "1e-05"); });
  DicomObject tenfold_plan_object = DicomObject::read_file(dir / "tenfold_plan.dcm");
  const DoseGrid tenfold_plan = decide_course_dose(load_dose_grid(tenfold_plan_object), &plan).grid;
  try {
    check_dose_plausibility(tenfold_plan, *plan.highest_target_prescription_gy(), "RTPLAN", DosePlausibility{});
    ADD_FAILURE() << "a course dose ten times its prescription was not refused";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("the reference dose 70.00 Gy"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_dose_plausibility(plan_dose, *plan.highest_target_prescription_gy(), "RTPLAN", DosePlausibility{}));

  testing::rewrite(files_.plan.rtdose, dir / "relative.dcm",
                   [](DcmDataset& d) { d.putAndInsertString(DCM_DoseUnits, "RELATIVE"); });
  DicomObject relative = DicomObject::read_file(dir / "relative.dcm");
  try {
    load_dose_grid(relative);
    FAIL() << "a RELATIVE dose was accepted without a normalisation";
  } catch (const LoadError& e) {
    EXPECT_EQ(e.attribute(), "(3004,0002) DoseUnits");
    EXPECT_EQ(e.instance(), relative.sop_instance_uid());
  }
  EXPECT_NO_THROW(load_dose_grid(relative, DoseLoadOptions{0.7}));
}

// Sequential-boost doses summed on one grid: two halves give the whole; a grid that leaves nodes of the
// first uncovered is refused (their sum would be unknown, not zero).
TEST_F(Loaders, PlanDosesAreSummedOnTheFirstGridOrRefused) {
  TempDir dir;
  DicomObject whole_object = DicomObject::read_file(files_.plan.rtdose);
  const DoseGrid whole = load_dose_grid(whole_object);
  testing::rewrite(files_.plan.rtdose, dir / "half.dcm", [](DcmDataset& d) {
    d.putAndInsertString(DCM_DoseGridScaling, "5e-07");
    d.putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.10.1077.77");
  });
  DicomObject half_object = DicomObject::read_file(dir / "half.dcm");
  const DoseGrid half = load_dose_grid(half_object);
  const DoseGrid sum = sum_doses({half, half});
  ASSERT_EQ(sum.gy.size(), whole.gy.size());
  for (std::size_t i = 0; i < sum.gy.size(); i += 101) ASSERT_NEAR(sum.gy[i], whole.gy[i], 1e-9);
  EXPECT_EQ(sum.summation_type, "MULTI_PLAN");

  DoseGrid shifted = half;
  shifted.origin = shifted.origin + Vec3{10, 0, 0};
  try {
    sum_doses({half, shifted});
    FAIL() << "a dose that does not cover the first grid was summed";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("uncovered"), std::string::npos) << e.what();
  }
}

TEST_F(Loaders, PrescriptionFoundThroughTheFractionGroupWhenTheDoseReferenceHasNone) {
  TempDir dir;
  testing::rewrite(files_.plan.rtplan, dir / "plan.dcm", [](DcmDataset& d) {
    DcmItem* reference = nullptr;
    for (long i = 0; d.findAndGetSequenceItem(DCM_DoseReferenceSequence, reference, i).good(); ++i)
      delete reference->remove(DCM_TargetPrescriptionDose);
    DcmItem* group = nullptr;
    d.findAndGetSequenceItem(DCM_FractionGroupSequence, group, 0);
    DcmItem* referenced = nullptr;
    group->findOrCreateSequenceItem(DCM_ReferencedDoseReferenceSequence, referenced, 0);
    referenced->putAndInsertString(DCM_ReferencedDoseReferenceNumber, "1");
    referenced->putAndInsertString(DCM_TargetPrescriptionDose, "70");
  });
  DicomObject object = DicomObject::read_file(dir / "plan.dcm");
  const RtPlan plan = load_rt_plan(object);
  EXPECT_DOUBLE_EQ(*plan.highest_target_prescription_gy(), 70.0);
  EXPECT_NE(plan.prescriptions[0].dose_source.find("FractionGroupSequence"), std::string::npos);
  EXPECT_FALSE(plan.prescriptions[1].target_prescription_dose_gy.has_value());
}

TEST_F(Loaders, SeveralContoursOnOnePlaneAreAllKeptForTheEvenOddRule) {
  TempDir dir;
  testing::rewrite(files_.plan.rtstruct, dir / "hole.dcm", [](DcmDataset& d) {
    DcmItem* roi = nullptr;
    d.findAndGetSequenceItem(DCM_ROIContourSequence, roi, 0);
    delete roi->remove(DCM_ContourSequence);
    const char* squares[] = {"-20\\-20\\5\\20\\-20\\5\\20\\20\\5\\-20\\20\\5", "-8\\-8\\5\\8\\-8\\5\\8\\8\\5\\-8\\8\\5",
                             "1\\2\\5", "0\\0\\10\\4\\0\\10"};
    const char* types[] = {"CLOSED_PLANAR", "CLOSED_PLANAR", "CLOSED_PLANAR", "OPEN_PLANAR"};
    for (int i = 0; i < 4; ++i) {
      DcmItem* contour = nullptr;
      roi->findOrCreateSequenceItem(DCM_ContourSequence, contour, i);
      contour->putAndInsertString(DCM_ContourGeometricType, types[i]);
      contour->putAndInsertString(DCM_NumberOfContourPoints, i == 0 || i == 1 ? "4" : i == 2 ? "1" : "2");
      contour->putAndInsertString(DCM_ContourData, squares[i]);
    }
  });
  DicomObject object = DicomObject::read_file(dir / "hole.dcm");
  const StructureSet set = load_structure_set(object);
  const Roi& roi = set.rois.front();
  ASSERT_EQ(roi.contours.size(), 2u);
  EXPECT_EQ(roi.contours[0].plane_offset, 5.0);
  EXPECT_EQ(roi.contours[1].plane_offset, 5.0);
  EXPECT_EQ(roi.contours[1].points[2].x, 8.0);
  ASSERT_EQ(roi.non_area_contours.size(), 1u);
  EXPECT_EQ(roi.non_area_contours[0].geometric_type, "OPEN_PLANAR");
  ASSERT_EQ(roi.notes.size(), 1u);  // the one-point contour, skipped and said so
  EXPECT_NE(roi.notes[0].find("contour 3"), std::string::npos);
}

TEST_F(Loaders, DeformableRegistrationIsRecognisedWithItsPreDeformationMatrix) {
  TempDir dir;
  testing::rewrite(*files_.followup.reg, dir / "dsr.dcm", [](DcmDataset& d) {
    d.putAndInsertString(DCM_SOPClassUID, UID_DeformableSpatialRegistrationStorage);
    delete d.remove(DCM_RegistrationSequence);
    DcmItem* item = nullptr;
    d.findOrCreateSequenceItem(DCM_DeformableRegistrationSequence, item, 0);
    item->putAndInsertString(DCM_SourceFrameOfReferenceUID, "1.2.3.4");
    DcmItem* pre = nullptr;
    item->findOrCreateSequenceItem(DCM_PreDeformationMatrixRegistrationSequence, pre, 0);
    pre->putAndInsertString(DCM_FrameOfReferenceTransformationMatrix, "1\\0\\0\\5\\0\\1\\0\\-3\\0\\0\\1\\2\\0\\0\\0\\1");
    pre->putAndInsertString(DCM_FrameOfReferenceTransformationMatrixType, "RIGID");
  });
  DicomObject object = DicomObject::read_file(dir / "dsr.dcm");
  const SpatialRegistration reg = load_spatial_registration(object);
  EXPECT_TRUE(reg.deformable);
  ASSERT_EQ(reg.deformable_items.size(), 1u);
  EXPECT_EQ(reg.deformable_items[0].source_frame_of_reference_uid, "1.2.3.4");
  EXPECT_EQ(reg.deformable_items[0].pre_deformation.matrix[3], 5.0);
  EXPECT_EQ(reg.deformable_items[0].pre_deformation.matrix[7], -3.0);
  EXPECT_FALSE(reg.notes.empty());
}

// ---------------------------------------------------------------- refusals name instance and attribute

// Runs `load`, expects a LoadError, returns it.
template <typename Load>
LoadError refusal(Load load) {
  try {
    load();
  } catch (const LoadError& e) {
    return e;
  }
  ADD_FAILURE() << "no LoadError";
  return LoadError("", "", "");
}

TEST_F(Loaders, MissingSliceIsRefusedNamingTheGap) {
  std::vector<fs::path> files = files_.plan.ct;
  files.erase(files.begin() + 11);
  const LoadError e = refusal([&] { load_series(files); });
  EXPECT_EQ(e.attribute(), "(0020,0032) ImagePositionPatient");
  EXPECT_NE(e.problem().find("1 slice(s) missing"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("5.000 mm"), std::string::npos) << e.what();
}

TEST_F(Loaders, DuplicateTiltedAndMixedSeriesAreRefused) {
  TempDir dir;
  std::vector<fs::path> duplicate = files_.plan.ct;
  duplicate.push_back(files_.plan.ct[3]);
  EXPECT_NE(refusal([&] { load_series(duplicate); }).problem().find("same position"), std::string::npos);

  std::vector<fs::path> tilted;
  for (std::size_t k = 0; k < files_.plan.ct.size(); ++k) {
    tilted.push_back(dir / ("tilt" + std::to_string(k) + ".dcm"));
    testing::rewrite(files_.plan.ct[k], tilted.back(), [&](DcmDataset& d) {
      std::vector<double> ipp = testing::numbers_of(d, DCM_ImagePositionPatient);
      ipp[1] += 0.44 * ipp[2];  // ~24 degrees of gantry tilt
      d.putAndInsertString(DCM_ImagePositionPatient, (std::to_string(ipp[0]) + "\\" + std::to_string(ipp[1]) + "\\" +
                                                      std::to_string(ipp[2])).c_str());
    });
  }
  EXPECT_NE(refusal([&] { load_series(tilted); }).problem().find("gantry-tilted"), std::string::npos);

  std::vector<fs::path> mixed = files_.plan.ct;
  mixed[5] = dir / "other-series.dcm";
  testing::rewrite(files_.plan.ct[5], mixed[5], [](DcmDataset& d) { d.putAndInsertString(DCM_SeriesInstanceUID, "1.2.3.99"); });
  const LoadError e = refusal([&] { load_series(mixed); });
  EXPECT_EQ(e.attribute(), "(0020,000E) SeriesInstanceUID");
  EXPECT_NE(e.problem().find("mixed series"), std::string::npos);

  std::vector<fs::path> with_mr = files_.plan.ct;
  with_mr.push_back(files_.followup.mr.front());
  EXPECT_NE(refusal([&] { load_series(with_mr); }).problem().find("mixed series"), std::string::npos);
}

TEST_F(Loaders, ShortDosePixelDataIsRefused) {
  TempDir dir;
  testing::rewrite(files_.plan.rtdose, dir / "short.dcm", [](DcmDataset& d) {
    const Uint8* bytes = nullptr;
    unsigned long count = 0;
    d.findAndGetUint8Array(DCM_PixelData, bytes, &count);
    std::vector<Uint16> half(count / 4);
    std::memcpy(half.data(), bytes, half.size() * 2);
    d.putAndInsertUint16Array(DCM_PixelData, half.data(), static_cast<unsigned long>(half.size()));
  });
  DicomObject object = DicomObject::read_file(dir / "short.dcm");
  const LoadError e = refusal([&] { load_dose_grid(object); });
  EXPECT_EQ(e.attribute(), "(7FE0,0010) PixelData");
  EXPECT_EQ(e.instance(), object.sop_instance_uid());
  EXPECT_NE(e.problem().find("bytes where"), std::string::npos);
}

TEST_F(Loaders, RegMatrixDeclaredRigidThatShearsIsRefused) {
  TempDir dir;
  testing::rewrite(*files_.followup.reg, dir / "shear.dcm", [](DcmDataset& d) {
    DcmItem* item = nullptr;
    d.findAndGetSequenceItem(DCM_RegistrationSequence, item, 1);
    DcmItem* registration = nullptr;
    item->findAndGetSequenceItem(DCM_MatrixRegistrationSequence, registration, 0);
    DcmItem* matrix = nullptr;
    registration->findAndGetSequenceItem(DCM_MatrixSequence, matrix, 0);
    matrix->putAndInsertString(DCM_FrameOfReferenceTransformationMatrix, "1\\0.2\\0\\0\\0\\1\\0\\0\\0\\0\\1\\0\\0\\0\\0\\1");
  });
  DicomObject object = DicomObject::read_file(dir / "shear.dcm");
  const LoadError e = refusal([&] { load_spatial_registration(object); });
  EXPECT_EQ(e.attribute(), "(3006,00C6) FrameOfReferenceTransformationMatrix");
  EXPECT_NE(e.problem().find("shear"), std::string::npos);
}

TEST_F(Loaders, NotDicomAndWrongObjectTypesAreRefused) {
  TempDir dir;
  std::ofstream(dir / "notes.txt") << "not a DICOM file";
  EXPECT_THROW(DicomObject::read_file(dir / "notes.txt"), LoadError);
  DicomObject ct = DicomObject::read_file(files_.plan.ct.front());
  const LoadError e = refusal([&] { load_structure_set(ct); });
  EXPECT_EQ(e.attribute(), "(0008,0016) SOPClassUID");
  DicomObject structures = DicomObject::read_file(files_.plan.rtstruct);
  std::vector<DicomObject> objects;
  objects.push_back(std::move(structures));
  EXPECT_NE(refusal([&] { load_image_series(objects); }).problem().find("not an image"), std::string::npos);
}

}  // namespace
}  // namespace rtpof::pipeline
