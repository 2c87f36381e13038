#pragma once
// Writes the phantom's image series: the planning CT (Hounsfield units) and the follow-up MR
// (T1-like signal, sampled through the MR -> CT transform, with the recurrences enhancing).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "phantom/anatomy.hpp"
#include "phantom/contours.hpp"
#include "phantom/patient_study.hpp"
#include "phantom/rigid_transform.hpp"
#include "phantom/slice_stack.hpp"
#include "phantom/uid_source.hpp"

namespace rtpof::phantom {

struct ImageSeriesRequest {
  PatientInfo patient;
  StudyInfo study;
  SeriesInfo series;
  std::string frame_uid;
  SliceStack geometry;
  std::filesystem::path dir;
  std::string file_prefix;  // files are <prefix>_0001.dcm, ...
  const UidSource* uids = nullptr;
  double noise_sd = 0;
  std::uint64_t noise_seed = 1;
};

struct WrittenSeries {
  std::string sop_class_uid;
  std::vector<std::string> sop_uids;
  std::vector<std::filesystem::path> files;
  std::vector<double> slice_z;  // plane of each file, as written
};

// One item per image of `images` in `sequence` (created when absent): Referenced SOP Class and Instance
// UID, as the Contour Image, Referenced Image and Referenced Instance sequences all hold them.
void add_image_references(DcmItem& parent, const DcmTagKey& sequence, const WrittenSeries& images);

WrittenSeries write_ct_series(const ImageSeriesRequest& request, const Anatomy& anatomy);
WrittenSeries write_mr_series(const ImageSeriesRequest& request, const Anatomy& anatomy,
                              const RigidTransform& mr_to_ct, const std::vector<LobulatedEllipsoid>& lesions_mr);

}  // namespace rtpof::phantom
