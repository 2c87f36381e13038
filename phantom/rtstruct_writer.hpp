#pragma once
// Writes an RT Structure Set: CLOSED_PLANAR contours on the slices of one image series, each contour
// referencing the image it was drawn on, with RT ROI Observations.
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "phantom/contours.hpp"
#include "phantom/image_series_writer.hpp"
#include "phantom/patient_study.hpp"

namespace rtpof::phantom {

struct RoiContours {
  std::string name;
  std::string interpreted_type;  // GTV, CTV, PTV, EXTERNAL, ...
  std::array<int, 3> colour{255, 0, 0};
  std::vector<PlanarContour> contours;
};

struct RtstructRequest {
  PatientInfo patient;
  StudyInfo study;  // the study of the image series
  SeriesInfo series;
  std::string sop_uid;
  std::string label;
  std::string frame_uid;
  std::string image_series_uid;
  const WrittenSeries* images = nullptr;
  std::vector<RoiContours> rois;
};

void write_rtstruct(const RtstructRequest& request, const std::filesystem::path& path);

}  // namespace rtpof::phantom
