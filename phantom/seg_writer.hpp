#pragma once
// Writes recurrences as a binary DICOM Segmentation on the follow-up MR series: one segment per
// recurrence, one frame per non-empty slice and segment. Written with dcmdata rather than dcmseg so
// that every byte is reproducible from the seed (dcmseg stamps its own UIDs and times) and so that the
// bits are packed correctly whatever rows x columns is (dcmseg 3.6.7 packs wrongly when rows x columns
// is not a multiple of 8; the small phantom's MR is such a case on purpose).
#include <filesystem>
#include <string>
#include <vector>

#include "phantom/image_series_writer.hpp"
#include "phantom/patient_study.hpp"
#include "phantom/voxel_mask.hpp"

namespace rtpof::phantom {

struct SegSegment {
  std::string label;
  const VoxelMask* mask = nullptr;
};

struct SegRequest {
  PatientInfo patient;
  StudyInfo study;
  SeriesInfo series;
  std::string sop_uid;
  std::string frame_uid;
  std::string dimension_organization_uid;
  std::string image_series_uid;
  const WrittenSeries* images = nullptr;
  std::vector<SegSegment> segments;
};

void write_seg(const SegRequest& request, const std::filesystem::path& path);

}  // namespace rtpof::phantom
