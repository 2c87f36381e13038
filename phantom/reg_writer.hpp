#pragma once
// Writes the fusion of the follow-up MR to the planning CT as a Spatial Registration object, the way
// Eclipse or MIM exports it: the REG's own frame is the planning CT's; the CT item carries the identity
// and the MR item the matrix that maps MR patient coordinates into the CT frame (PS3.3 C.20.2).
#include <filesystem>
#include <string>

#include "phantom/image_series_writer.hpp"
#include "phantom/patient_study.hpp"
#include "phantom/rigid_transform.hpp"

namespace rtpof::phantom {

struct RegisteredSeries {
  std::string study_uid;
  std::string series_uid;
  std::string frame_uid;
  const WrittenSeries* images = nullptr;
};

struct RegRequest {
  PatientInfo patient;
  StudyInfo study;  // the follow-up study, where the fusion was made
  SeriesInfo series;
  std::string sop_uid;
  RegisteredSeries planning_ct;  // the REG's own frame
  RegisteredSeries followup_mr;
  RigidTransform mr_to_ct;
};

void write_reg(const RegRequest& request, const std::filesystem::path& path);

}  // namespace rtpof::phantom
