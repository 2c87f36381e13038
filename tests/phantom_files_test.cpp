// `rtpof phantom` as users run it: every object it writes is checked by other readers (dciodvfy,
// DCMTK's dcmrt, plastimatch), its cases land where their names say, and its output is reproducible.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmrt/drmdose.h>
#include <dcmtk/dcmrt/drtplan.h>
#include <dcmtk/dcmrt/drtstrct.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "phantom/anatomy.hpp"
#include "phantom/planned_dose.hpp"
#include "phantom/slice_stack.hpp"
#include "tests/support/dicom_files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace rtpof::testing {
namespace {

// Writes a phantom with the real command; returns its folder.
fs::path make_phantom(const TempDir& dir, const std::string& name, std::vector<std::string> flags) {
  const fs::path out = dir / name;
  std::vector<std::string> argv = {rtpof_binary().string(), "phantom", "--out", out.string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  const RunResult result = run(argv);
  if (result.exit_code != 0) throw std::runtime_error("rtpof phantom failed: " + result.output);
  return out;
}

json truth_of(const fs::path& phantom) {
  std::ifstream in(phantom / "truth.json");
  return json::parse(in);
}

DcmFileFormat load(const fs::path& file) {
  DcmFileFormat format;
  if (format.loadFile(file.c_str()).bad()) throw std::runtime_error("cannot load " + file.string());
  return format;
}

TEST(PhantomFiles, EveryObjectTypePassesDciodvfy) {
  TempDir dir;
  const fs::path with_rtstruct = make_phantom(dir, "a", {"--case", "two-sites", "--reg"});
  const fs::path with_seg = make_phantom(dir, "b", {"--case", "marginal", "--seg"});
  // dciodvfy (Debian 12) aborts on 32-bit pixel data: it checks a 16-bit re-encoding of the RTDOSE,
  // every other attribute unchanged.
  const fs::path dose16 = dir / "RTDOSE_16bit.dcm";
  EXPECT_LT(write_rtdose_16bit_copy(with_rtstruct / "plan/RTDOSE.dcm", dose16), 0.01);
  const std::vector<std::pair<fs::path, std::string>> objects = {
      {with_rtstruct / "plan/CT_0001.dcm", "CTImage"},
      {with_rtstruct / "plan/CT_0030.dcm", "CTImage"},
      {with_rtstruct / "plan/RTSTRUCT.dcm", "RTStructureSet"},
      {with_rtstruct / "plan/RTPLAN.dcm", "RTPlan"},
      {dose16, "RTDose"},
      {with_rtstruct / "followup/MR_0025.dcm", "MRImage"},
      {with_rtstruct / "followup/RTSTRUCT_RECURRENCE.dcm", "RTStructureSet"},
      {with_rtstruct / "followup/REG.dcm", "SpatialRegistration"},
      {with_seg / "followup/SEG_RECURRENCE.dcm", "Segmentation"}};
  for (const auto& [object, iod] : objects) {
    const RunResult result = run({"dciodvfy", object.string()});
    const auto errors = lines_starting(result.output, "Error");
    EXPECT_TRUE(errors.empty()) << object << ":\n" << result.output;
    for (const auto& warning : lines_starting(result.output, "Warning"))
      std::cout << "dciodvfy " << object.filename().string() << ": " << warning << "\n";
    // dciodvfy names the IOD it checked against on a line of its own: a wrong SOP class shows here.
    EXPECT_FALSE(lines_starting(result.output, iod).empty()) << object << " was not checked as " << iod << ":\n"
                                                             << result.output;
  }
}

TEST(PhantomFiles, DcmtkReadsThePlanningObjectsWithDcmrt) {
  TempDir dir;
  const fs::path phantom = make_phantom(dir, "p", {"--case", "in-field"});
  for (const auto* file : {"plan/CT_0010.dcm", "plan/RTSTRUCT.dcm", "plan/RTPLAN.dcm", "plan/RTDOSE.dcm",
                           "followup/MR_0010.dcm", "followup/RTSTRUCT_RECURRENCE.dcm"})
    EXPECT_EQ(run({"dcmdump", "-q", (phantom / file).string()}).exit_code, 0) << file;

  DcmFileFormat structures = load(phantom / "plan/RTSTRUCT.dcm");
  DRTStructureSetIOD rtstruct;
  ASSERT_TRUE(rtstruct.read(*structures.getDataset()).good());
  std::vector<std::string> names;
  auto& rois = rtstruct.getStructureSetROISequence();
  for (size_t i = 0; i < rois.getNumberOfItems(); ++i) {
    OFString name;
    rois.getItem(i).getROIName(name);
    names.push_back(name.c_str());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"BODY", "GTV_P", "GTV_N", "CTV_70", "CTV_59.4", "CTV_54", "PTV_70",
                                             "PTV_59.4", "PTV_54"}));

  DcmFileFormat plan_file = load(phantom / "plan/RTPLAN.dcm");
  DRTPlanIOD plan;
  ASSERT_TRUE(plan.read(*plan_file.getDataset()).good());
  std::vector<double> prescriptions;
  auto& references = plan.getDoseReferenceSequence();
  for (size_t i = 0; i < references.getNumberOfItems(); ++i) {
    Float64 dose = 0;
    references.getItem(i).getTargetPrescriptionDose(dose);
    prescriptions.push_back(dose);
  }
  EXPECT_EQ(prescriptions, (std::vector<double>{70.0, 59.4, 54.0}));

  // The RTDOSE holds, value for value, the grid the truth integrates.
  DRTDose dose;
  ASSERT_TRUE(dose.loadFile((phantom / "plan/RTDOSE.dcm").c_str()).good());
  OFVector<OFVector<double>> frames;
  ASSERT_TRUE(dose.getDoseImages(frames).good());
  const phantom::PlannedDose expected =
      phantom::PlannedDose::sample(phantom::Anatomy(), phantom::SliceStack::centred(128, 128, 60, 2.0, 2.5));
  ASSERT_EQ(frames.size(), static_cast<size_t>(expected.frames));
  double largest = 0;
  for (int f = 0; f < expected.frames; ++f)
    for (int r = 0; r < expected.rows; ++r)
      for (int c = 0; c < expected.columns; ++c) {
        const double read = frames[static_cast<size_t>(f)][static_cast<size_t>(r * expected.columns + c)];
        largest = std::max(largest, std::abs(read - expected.stored_gy(c, r, f)));
      }
  EXPECT_LT(largest, 1e-9);
}

// plastimatch's "stats" line: MIN a AVE b MAX c NONZERO n NUMVOX m.
std::map<std::string, double> plastimatch_stats(const fs::path& image) {
  const RunResult result = run({"plastimatch", "stats", image.string()});
  std::smatch m;
  const std::regex line(R"(MIN (\S+) AVE (\S+) MAX (\S+) NONZERO (\d+) NUMVOX (\d+))");
  if (result.exit_code != 0 || !std::regex_search(result.output, m, line))
    throw std::runtime_error("plastimatch stats " + image.string() + ": " + result.output);
  return {{"min", std::stod(m[1])}, {"max", std::stod(m[3])}, {"nonzero", std::stod(m[4])}};
}

// The contours (x, y, z triples) of one ROI, read from the RTSTRUCT with dcmdata.
std::vector<std::vector<double>> contours_of(const fs::path& rtstruct, const std::string& roi_name) {
  DcmFileFormat file = load(rtstruct);
  DcmDataset& d = *file.getDataset();
  std::string number;
  DcmItem* item = nullptr;
  for (unsigned long i = 0; d.findAndGetSequenceItem(DCM_StructureSetROISequence, item, static_cast<int>(i)).good(); ++i) {
    OFString name, n;
    item->findAndGetOFString(DCM_ROIName, name);
    item->findAndGetOFString(DCM_ROINumber, n);
    if (name == roi_name.c_str()) number = n.c_str();
  }
  std::vector<std::vector<double>> contours;
  for (unsigned long i = 0; d.findAndGetSequenceItem(DCM_ROIContourSequence, item, static_cast<int>(i)).good(); ++i) {
    OFString n;
    item->findAndGetOFString(DCM_ReferencedROINumber, n);
    if (number != n.c_str()) continue;
    DcmItem* contour = nullptr;
    for (unsigned long k = 0; item->findAndGetSequenceItem(DCM_ContourSequence, contour, static_cast<int>(k)).good(); ++k)
      contours.push_back(numbers_of(*contour, DCM_ContourData));
  }
  return contours;
}

double perimeter_of(const std::vector<double>& xyz) {
  double perimeter = 0;
  for (std::size_t p = 0, points = xyz.size() / 3; p < points; ++p) {
    const std::size_t q = (p + 1) % points;
    perimeter += std::hypot(xyz[3 * q] - xyz[3 * p], xyz[3 * q + 1] - xyz[3 * p + 1]);
  }
  return perimeter;
}

// CT pixel centres (128 x 128, 2 mm, first at -127 mm) inside a contour, by ray crossing.
std::size_t pixel_centres_inside(const std::vector<double>& xyz) {
  std::size_t count = 0;
  const std::size_t n = xyz.size() / 3;
  for (int r = 0; r < 128; ++r)
    for (int c = 0; c < 128; ++c) {
      const double x = -127.0 + 2.0 * c, y = -127.0 + 2.0 * r;
      bool inside = false;
      for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        const double xi = xyz[3 * i], yi = xyz[3 * i + 1], xj = xyz[3 * j], yj = xyz[3 * j + 1];
        if ((yi > y) != (yj > y) && x < xi + (y - yi) * (xj - xi) / (yj - yi)) inside = !inside;
      }
      count += inside ? 1 : 0;
    }
  return count;
}

TEST(PhantomFiles, PlastimatchReadsTheCaseAndItsVolumesAgreeWithTheTruth) {
  TempDir dir;
  const fs::path phantom = make_phantom(dir, "p", {"--case", "marginal"});
  const json truth = truth_of(phantom);
  const fs::path masks = dir / "masks";
  ASSERT_EQ(run({"plastimatch", "convert", "--input", (phantom / "plan/RTSTRUCT.dcm").string(), "--referenced-ct",
                 (phantom / "plan").string(), "--output-prefix", masks.string(), "--prefix-format", "nrrd"})
                .exit_code,
            0);
  // plastimatch sets the CT voxels whose centres fall inside each contour. Its volume then differs from
  // the contour stack's by at most the area of the band of half a pixel diagonal (r) around each
  // contour: perimeter * r + pi * r^2 per slice (Steiner's formula), times the slice spacing.
  const double pixel = 2.0, slice = 2.5, r = pixel * std::sqrt(2.0) / 2.0;
  std::map<std::string, double> expected_cc;
  for (const auto& ctv : truth["ctvs"]) expected_cc[ctv["roi"]] = ctv["volume_cc"];
  expected_cc["GTV_P"] = truth["gtv"]["primary_cc"];
  expected_cc["GTV_N"] = truth["gtv"]["nodal_cc"];
  for (const auto& [roi, truth_cc] : expected_cc) {
    const double voxels = plastimatch_stats(masks / (roi + ".nrrd")).at("nonzero");
    const double plastimatch_cc = voxels * pixel * pixel * slice / 1000.0;
    double bound_mm3 = 0;
    std::size_t centres = 0;
    for (const auto& contour : contours_of(phantom / "plan/RTSTRUCT.dcm", roi)) {
      bound_mm3 += (perimeter_of(contour) * r + 3.14159265358979 * r * r) * slice;
      centres += pixel_centres_inside(contour);
    }
    // First, plastimatch read the contours as written: it sets the voxels our own count finds.
    EXPECT_NEAR(voxels, static_cast<double>(centres), 2.0) << roi;
    std::cout << roi << ": truth " << truth_cc << " cc, plastimatch " << plastimatch_cc << " cc ("
              << 100.0 * (plastimatch_cc - truth_cc) / truth_cc << " %), bound " << bound_mm3 / 1000.0 << " cc\n";
    EXPECT_LE(std::abs(plastimatch_cc - truth_cc), bound_mm3 / 1000.0) << roi;
    EXPECT_LT(std::abs(plastimatch_cc - truth_cc) / truth_cc, 0.05) << roi << ": beyond what 2 mm pixels explain";
  }

  // plastimatch reads the 32-bit dose with its scaling: its maximum is the stored maximum.
  const fs::path dose_image = dir / "dose.nrrd";
  ASSERT_EQ(run({"plastimatch", "convert", "--input", (phantom / "plan").string(), "--output-dose-img",
                 dose_image.string()})
                .exit_code,
            0);
  DRTDose dose;
  ASSERT_TRUE(dose.loadFile((phantom / "plan/RTDOSE.dcm").c_str()).good());
  OFVector<OFVector<double>> frames;
  ASSERT_TRUE(dose.getDoseImages(frames).good());
  double stored_max = 0;
  for (const auto& frame : frames)
    for (const double v : frame) stored_max = std::max(stored_max, v);
  EXPECT_NEAR(plastimatch_stats(dose_image).at("max"), stored_max, 1e-4);
  EXPECT_GT(stored_max, 70.0);

  // ...and the CT in Hounsfield units: air at -1000, bone near 950.
  const fs::path ct_image = dir / "ct.nrrd";
  ASSERT_EQ(run({"plastimatch", "convert", "--input", (phantom / "plan").string(), "--output-img", ct_image.string()})
                .exit_code,
            0);
  const auto ct = plastimatch_stats(ct_image);
  EXPECT_NEAR(ct.at("min"), -1000.0, 30.0);
  EXPECT_NEAR(ct.at("max"), 950.0, 60.0);
}

std::map<std::string, std::string> file_bytes(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) files[fs::relative(entry.path(), root).string()] = read_text(entry.path());
  return files;
}

TEST(PhantomFiles, SameSeedWritesIdenticalBytesAndCasesAreDifferentPatients) {
  TempDir dir;
  const auto first = file_bytes(make_phantom(dir, "a", {"--case", "two-sites", "--seed", "7", "--reg"}));
  const auto second = file_bytes(make_phantom(dir, "b", {"--case", "two-sites", "--seed", "7", "--reg"}));
  EXPECT_EQ(first.size(), 63u + 52u + 1u);  // plan (60 CT, RTSTRUCT, RTPLAN, RTDOSE), followup (50 MR, RTSTRUCT, REG), truth
  ASSERT_EQ(first.size(), second.size());
  for (const auto& [name, bytes] : first) EXPECT_TRUE(second.at(name) == bytes) << name << " differs between runs";

  const fs::path other_seed = make_phantom(dir, "c", {"--case", "two-sites", "--seed", "8"});
  const fs::path other_case = make_phantom(dir, "d", {"--case", "marginal", "--seed", "7"});
  const fs::path a = dir / "a";
  const auto id = [](const fs::path& p) { return string_of(p / "plan/RTPLAN.dcm", DCM_PatientID); };
  const auto study = [](const fs::path& p) { return string_of(p / "plan/RTPLAN.dcm", DCM_StudyInstanceUID); };
  EXPECT_NE(id(a), id(other_case));
  EXPECT_NE(study(a), study(other_case));
  EXPECT_NE(study(a), study(other_seed));
  EXPECT_NE(string_of(a / "followup/MR_0001.dcm", DCM_FrameOfReferenceUID),
            string_of(a / "plan/CT_0001.dcm", DCM_FrameOfReferenceUID));
  // A seed changes identities and noise, never the figures of a case.
  EXPECT_EQ(truth_of(a)["recurrences"], truth_of(other_seed)["recurrences"]);
}

TEST(PhantomFiles, CasesLandWhereTheirNamesSay) {
  TempDir dir;
  const std::map<std::string, std::pair<double, double>> v95_band = {
      {"in-field", {99.0, 100.0}},   {"marginal", {40.0, 60.0}},    {"out-field", {0.0, 5.0}},
      {"marginal-93", {91.0, 94.5}}, {"marginal-22", {20.5, 24.0}}, {"two-sites", {0.0, 100.0}}};
  for (const auto& [name, band] : v95_band) {
    const json truth = truth_of(make_phantom(dir, name, {"--case", name}));
    ASSERT_EQ(truth["recurrences"].size(), name == "two-sites" ? 2u : 1u) << name;
    for (const auto& r : truth["recurrences"]) {
      EXPECT_EQ(r["class"], r["intended_class"]) << name << " " << r["roi"];
      EXPECT_DOUBLE_EQ(r["coverage_pct"].get<double>(), 100.0) << name;
      const double v95 = r["v95_pct"];
      EXPECT_GE(v95, band.first) << name;
      EXPECT_LE(v95, band.second) << name;
      EXPECT_GT(r["volume_cc"].get<double>(), 1.0) << name;
    }
    const auto rot = truth["transform"]["rotation_deg"], shift = truth["transform"]["translation_mm"];
    for (int i = 0; i < 3; ++i) {
      EXPECT_LE(std::abs(rot[i].get<double>()), 10.0) << name;
      EXPECT_LE(std::abs(shift[i].get<double>()), 20.0) << name;
    }
  }
}

TEST(PhantomFiles, SegHoldsExactlyTheVoxelsTheTruthMeasures) {
  TempDir dir;
  const fs::path phantom = make_phantom(dir, "p", {"--case", "two-sites", "--seg"});
  const json truth = truth_of(phantom);
  DcmFileFormat file = load(phantom / "followup/SEG_RECURRENCE.dcm");
  DcmDataset& d = *file.getDataset();
  Uint16 rows = 0, columns = 0;
  Sint32 frames = 0;
  d.findAndGetUint16(DCM_Rows, rows);
  d.findAndGetUint16(DCM_Columns, columns);
  d.findAndGetSint32(DCM_NumberOfFrames, frames);
  EXPECT_NE((rows * columns) % 8, 0) << "the small MR is meant to exercise unpadded bit packing";
  const Uint8* bits = nullptr;
  ASSERT_TRUE(d.findAndGetUint8Array(DCM_PixelData, bits).good());
  DcmItem* shared = nullptr;
  ASSERT_TRUE(d.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared).good());
  Float64 pixel = 0, thickness = 0;
  DcmItem* measures = nullptr;
  shared->findAndGetSequenceItem(DCM_PixelMeasuresSequence, measures);
  measures->findAndGetFloat64(DCM_PixelSpacing, pixel);
  measures->findAndGetFloat64(DCM_SliceThickness, thickness);
  // Unpack here, independently: pixel p of frame f is bit f * rows * columns + p, LSB first.
  std::map<int, std::size_t> voxels_per_segment;
  for (int f = 0; f < frames; ++f) {
    DcmItem* per_frame = nullptr;
    DcmItem* identification = nullptr;
    ASSERT_TRUE(d.findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, per_frame, f).good());
    per_frame->findAndGetSequenceItem(DCM_SegmentIdentificationSequence, identification);
    Uint16 segment = 0;
    identification->findAndGetUint16(DCM_ReferencedSegmentNumber, segment);
    for (std::size_t p = 0, n = static_cast<std::size_t>(rows) * columns; p < n; ++p) {
      const std::size_t bit = static_cast<std::size_t>(f) * n + p;
      if (bits[bit / 8] & (1u << (bit % 8))) ++voxels_per_segment[segment];
    }
  }
  ASSERT_EQ(voxels_per_segment.size(), 2u);
  for (int s = 1; s <= 2; ++s) {
    const double cc = voxels_per_segment[s] * pixel * pixel * thickness / 1000.0;
    EXPECT_NEAR(cc, truth["recurrences"][s - 1]["volume_cc"].get<double>(), 1e-9) << "segment " << s;
    EXPECT_EQ(truth["recurrences"][s - 1]["representation"], "SEG");
  }
}

TEST(PhantomFiles, RegHoldsTheTruthTransformInTheDirectionPs33Defines) {
  TempDir dir;
  const fs::path phantom = make_phantom(dir, "p", {"--case", "marginal", "--reg"});
  const json truth = truth_of(phantom);
  DcmFileFormat file = load(phantom / "followup/REG.dcm");
  DcmDataset& d = *file.getDataset();
  OFString reg_frame;
  d.findAndGetOFString(DCM_FrameOfReferenceUID, reg_frame);
  EXPECT_EQ(reg_frame.c_str(), truth["uids"]["planning_frame"].get<std::string>());
  int items = 0;
  DcmItem* registration = nullptr;
  for (int i = 0; d.findAndGetSequenceItem(DCM_RegistrationSequence, registration, i).good(); ++i, ++items) {
    OFString frame;
    registration->findAndGetOFString(DCM_FrameOfReferenceUID, frame);
    DcmItem* matrix_registration = nullptr;
    DcmItem* matrix = nullptr;
    registration->findAndGetSequenceItem(DCM_MatrixRegistrationSequence, matrix_registration);
    matrix_registration->findAndGetSequenceItem(DCM_MatrixSequence, matrix);
    const std::vector<double> m = numbers_of(*matrix, DCM_FrameOfReferenceTransformationMatrix);
    ASSERT_EQ(m.size(), 16u);
    const bool is_mr = frame == truth["uids"]["mr_frame"].get<std::string>().c_str();
    for (int k = 0; k < 16; ++k) {
      const double expected = is_mr ? truth["transform"]["mr_to_ct"][k / 4][k % 4].get<double>() : (k % 5 == 0 ? 1.0 : 0.0);
      EXPECT_NEAR(m[k], expected, 1e-9) << (is_mr ? "MR" : "CT") << " item, element " << k;
    }
  }
  EXPECT_EQ(items, 2);
}

}  // namespace
}  // namespace rtpof::testing
