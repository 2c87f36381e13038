#pragma once
// Writes the planned dose as an RT Dose instance: PLAN summation, GY, 32-bit, relative
// GridFrameOffsetVector, referencing the RT Plan.
#include <filesystem>
#include <string>

#include "phantom/patient_study.hpp"
#include "phantom/planned_dose.hpp"

namespace rtpof::phantom {

struct RtdoseRequest {
  PatientInfo patient;
  StudyInfo study;
  SeriesInfo series;
  std::string sop_uid;
  std::string frame_uid;
  std::string rtplan_uid;
  const PlannedDose* dose = nullptr;
};

void write_rtdose(const RtdoseRequest& request, const std::filesystem::path& path);

}  // namespace rtpof::phantom
