#pragma once
// An RTSTRUCT as geometry: each ROI's closed planar contours as polygons in patient coordinates with the
// plane they lie on. Contours that enclose no area (POINT, OPEN_*) are kept apart, not mixed in.
#include "pipeline/dicomrt/dicom_object.hpp"
#include "pipeline/vec3.hpp"

#include <string>
#include <vector>

namespace rtpof::pipeline {

struct PlanarContour {
  std::vector<Vec3> points;  // in order, the closing point not repeated
  Vec3 normal;               // unit normal of the contour's plane, its largest component positive
  double plane_offset = 0;   // dot(point, normal) for every point of the plane (mm)
  std::string referenced_image_uid;  // ContourImageSequence's first SOP Instance UID, when given
};

struct NonAreaContour {
  std::string geometric_type;  // POINT, OPEN_PLANAR, OPEN_NONPLANAR
  std::vector<Vec3> points;
};

struct Roi {
  int number = 0;
  std::string name;
  std::string frame_of_reference_uid;
  std::string interpreted_type;  // from RTROIObservationsSequence (GTV, CTV, PTV, ORGAN, EXTERNAL...); may be empty
  // Several contours on one plane are all kept: holes are decided later by the even-odd rule.
  std::vector<PlanarContour> contours;
  std::vector<NonAreaContour> non_area_contours;
  std::vector<std::string> notes;  // contours that were skipped, and why
};

struct StructureSet {
  std::string sop_instance_uid, study_instance_uid, series_instance_uid;
  std::string label;
  std::vector<std::string> frame_of_reference_uids;  // ReferencedFrameOfReferenceSequence
  std::vector<std::string> referenced_series_uids;   // the image series the contours were drawn on
  std::vector<Roi> rois;

  const Roi* find(const std::string& name) const;
};

// Throws LoadError for a malformed structure set or contour (non-planar CLOSED_PLANAR data, a point
// count that disagrees with ContourData, an ROI without a frame of reference). A contour of fewer than
// three distinct points encloses nothing: it is skipped with a note on its ROI.
StructureSet load_structure_set(DicomObject& object);

}  // namespace rtpof::pipeline
