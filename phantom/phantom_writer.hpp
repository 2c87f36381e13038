#pragma once
// Writes the phantom patient as Eclipse would send it: plan/ holds a CT series, an RTSTRUCT on it,
// an RTPLAN and an RTDOSE, all valid Part 10 files, UIDs derived from the seed.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rtpof::phantom {

struct PhantomSpec {
  std::uint64_t seed = 1;
  int columns = 128;
  int rows = 128;
  int slices = 60;
  double pixel_spacing_mm = 2.0;
  double slice_spacing_mm = 2.5;
  double noise_hu = 8.0;
  std::string patient_name = "PHANTOM^RTPOF";
  std::string patient_id;  // empty: derived from the seed

  static PhantomSpec small(std::uint64_t seed);     // 128 x 128 x 60, 2 x 2 x 2.5 mm
  static PhantomSpec standard(std::uint64_t seed);  // 512 x 512 x 120, 0.5 x 0.5 x 2.5 mm
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

// Writes <out_dir>/plan/{CT_0001.dcm..., RTSTRUCT.dcm, RTPLAN.dcm, RTDOSE.dcm}. Throws
// std::runtime_error naming the file when DCMTK cannot write it.
PlanningFiles write_planning_objects(const PhantomSpec& spec, const std::filesystem::path& out_dir);

}  // namespace rtpof::phantom
