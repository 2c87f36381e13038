#pragma once
// Writes an approved RT Plan of a simultaneous-integrated-boost head-and-neck treatment: one dose
// reference per target level, 33 fractions, one arc beam (a minimal valid Beam Sequence).
#include <filesystem>
#include <string>
#include <vector>

#include "phantom/patient_study.hpp"
#include "phantom/point3.hpp"

namespace rtpof::phantom {

struct PlanTarget {
  int roi_number = 0;  // in the referenced structure set
  std::string roi_name;
  double prescription_gy = 0;
  std::string dose_reference_uid;
};

struct RtplanRequest {
  PatientInfo patient;
  StudyInfo study;
  SeriesInfo series;
  std::string sop_uid;
  std::string frame_uid;
  std::string rtstruct_uid;
  std::vector<PlanTarget> targets;
  int fractions = 33;
  Point3 isocentre{2, 12, 5};  // the primary PTV's centre, in the planning frame
};

void write_rtplan(const RtplanRequest& request, const std::filesystem::path& path);

}  // namespace rtpof::phantom
