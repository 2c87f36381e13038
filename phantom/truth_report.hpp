#pragma once
// truth.json: what a correct analysis of the phantom must find, with the uncertainty of each figure.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "phantom/planned_dose.hpp"
#include "phantom/rigid_transform.hpp"
#include "phantom/truth_region.hpp"

namespace rtpof::phantom {

struct TruthStructure {
  std::string roi;
  std::string kind;            // recurrence: "local" / "nodal"; CTV: "high" / "intermediate" / "low"
  std::string representation;  // "RTSTRUCT" or "SEG"
  std::string intended_class;  // recurrences only
  std::unique_ptr<TruthRegion> region;
  RigidTransform to_ct;        // identity for planning structures
};

struct TruthInputs {
  std::string case_name, case_description, size;
  unsigned long long seed = 0;
  std::string patient_id;
  std::string planning_frame_uid, mr_frame_uid, ct_series_uid, mr_series_uid;
  std::array<double, 3> rotation_deg{};
  Point3 translation_mm;
  RigidTransform mr_to_ct;
  double reference_dose_gy = 0;
  const PlannedDose* dose = nullptr;
  std::vector<TruthStructure> recurrences;
  std::vector<TruthStructure> ctvs;
  double gtv_primary_cc = 0, gtv_nodal_cc = 0;
  double points_per_structure = 3e6;
};

void write_truth_json(const TruthInputs& inputs, const std::filesystem::path& path);

}  // namespace rtpof::phantom
