#pragma once
// Writes the phantom patient as Eclipse and a PACS would send it, and its truth:
//   plan/      CT series, RTSTRUCT on it, RTPLAN, RTDOSE
//   followup/  MR series in its own frame, the recurrence(s) as RTSTRUCT or SEG, optionally a REG
//   truth.json the transform and the dose-volume figures, computed independently of the pipeline
// All files are valid Part 10, UIDs derived from the seed and the case, byte-identical run to run.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "phantom/point3.hpp"

namespace rtpof::phantom {

struct PhantomSpec {
  std::uint64_t seed = 1;
  std::string case_name = "marginal";
  std::string size = "small";
  // Planning CT
  int columns = 128, rows = 128, slices = 60;
  double pixel_spacing_mm = 2.0, slice_spacing_mm = 2.5;
  double noise_hu = 8.0;
  // Follow-up MR
  int mr_columns = 110, mr_rows = 110, mr_slices = 50;  // 110 x 110: rows x columns not a multiple of 8
  double mr_pixel_spacing_mm = 2.2, mr_slice_spacing_mm = 3.0;
  double mr_noise = 18.0;
  // Where the body's centre lies in the planning CT's frame (mm): (0, 0, 0), or couch coordinates such as
  // (0, -120, -420). The CT is centred on it; the MR frame is not moved.
  Point3 ct_origin_mm;
  bool reg = false;  // write a Spatial Registration object
  bool seg = false;  // the recurrence as a SEG instead of an RTSTRUCT
  // Overrides of the case's MR -> CT transform
  std::optional<std::array<double, 3>> rotation_deg;
  std::optional<Point3> translation_mm;
  std::string patient_name;  // empty: derived from the case
  std::string patient_id;    // empty: derived from the case and the seed
  double truth_points = 3e6;  // quadrature points per structure

  static PhantomSpec small(std::uint64_t seed);     // CT 128 x 128 x 60 (2 x 2 x 2.5 mm), MR 110 x 110 x 50
  static PhantomSpec standard(std::uint64_t seed);  // CT 512 x 512 x 120 (0.5 x 0.5 x 2.5 mm), MR 256 x 256 x 100
};

struct PlanningFiles {
  std::vector<std::filesystem::path> ct;
  std::filesystem::path rtstruct;
  std::filesystem::path rtplan;
  std::filesystem::path rtdose;
  std::string patient_id;
  std::string study_instance_uid;
  std::string ct_series_instance_uid;
  std::string frame_of_reference_uid;
};

struct FollowupFiles {
  std::vector<std::filesystem::path> mr;
  std::filesystem::path recurrence;  // RTSTRUCT or SEG
  std::optional<std::filesystem::path> reg;
  std::string study_instance_uid;
  std::string mr_series_instance_uid;
  std::string frame_of_reference_uid;
};

struct PhantomFiles {
  PlanningFiles plan;
  FollowupFiles followup;
  std::filesystem::path truth;
};

// Writes only plan/ (what the storage tests need, fast). Throws std::runtime_error naming the file
// when DCMTK cannot write it, std::invalid_argument for an unknown case.
PlanningFiles write_planning_objects(const PhantomSpec& spec, const std::filesystem::path& out_dir);
// Writes plan/, followup/ and truth.json.
PhantomFiles write_phantom(const PhantomSpec& spec, const std::filesystem::path& out_dir);

}  // namespace rtpof::phantom
