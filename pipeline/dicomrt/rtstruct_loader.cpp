#include "pipeline/dicomrt/structure_set.hpp"

#include "pipeline/dicomrt/attribute_reader.hpp"
#include "pipeline/dicomrt/load_error.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace rtpof::pipeline {
namespace {

constexpr const char* kRtStructClass = "1.2.840.10008.5.1.4.1.1.481.3";
// Contour coordinates are DS strings, usually with 2-3 decimals: points of one plane agree to well
// under this; a point further off is a broken contour, not rounding.
constexpr double kPlanarityTolerance = 0.1;

// Newell's normal: robust for any simple polygon, convex or not. Zero for a degenerate one.
Vec3 newell_normal(const std::vector<Vec3>& points) {
  Vec3 n;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Vec3& a = points[i];
    const Vec3& b = points[(i + 1) % points.size()];
    n.x += (a.y - b.y) * (a.z + b.z);
    n.y += (a.z - b.z) * (a.x + b.x);
    n.z += (a.x - b.x) * (a.y + b.y);
  }
  return n;
}

Vec3 canonical(Vec3 n) {
  const double largest = std::abs(n.x) >= std::abs(n.y) && std::abs(n.x) >= std::abs(n.z) ? n.x
                         : std::abs(n.y) >= std::abs(n.z)                                 ? n.y
                                                                                          : n.z;
  return (largest < 0 ? -1.0 : 1.0) / norm(n) * n;
}

std::vector<Vec3> contour_points(const AttributeReader& contour) {
  const std::vector<double> data = contour.numbers(DCM_ContourData);
  if (data.size() % 3 != 0)
    contour.fail(DCM_ContourData, "has " + std::to_string(data.size()) + " values, not a multiple of 3");
  const std::size_t count = data.size() / 3;
  if (auto declared = optional_integer_of(contour, DCM_NumberOfContourPoints); declared && *declared != static_cast<long>(count))
    contour.fail(DCM_NumberOfContourPoints, "says " + std::to_string(*declared) + " points but ContourData holds " +
                                                std::to_string(count));
  std::vector<Vec3> points;
  points.reserve(count);
  for (std::size_t i = 0; i < count; ++i) points.push_back({data[3 * i], data[3 * i + 1], data[3 * i + 2]});
  return points;
}

// Empty when the contour encloses no area; else the contour with its plane.
std::optional<PlanarContour> planar_contour(const AttributeReader& contour, std::vector<Vec3> points,
                                            const std::string& where) {
  if (points.size() > 1 && norm(points.front() - points.back()) < 1e-9) points.pop_back();
  if (points.size() < 3) return std::nullopt;
  const Vec3 newell = newell_normal(points);
  if (norm(newell) < 1e-9) return std::nullopt;
  PlanarContour planar;
  planar.normal = canonical(newell);
  double sum = 0;
  for (const Vec3& p : points) sum += dot(p, planar.normal);
  planar.plane_offset = sum / static_cast<double>(points.size());
  for (const Vec3& p : points) {
    const double off = std::abs(dot(p, planar.normal) - planar.plane_offset);
    if (off > kPlanarityTolerance)
      contour.fail(DCM_ContourData, where + " is CLOSED_PLANAR but its points leave its plane by " +
                                        std::to_string(off) + " mm; fix the contour in the planning system");
  }
  planar.points = std::move(points);
  if (auto image = contour.optional_item(DCM_ContourImageSequence))
    planar.referenced_image_uid = image->optional_string(DCM_ReferencedSOPInstanceUID);
  return planar;
}

}  // namespace

const Roi* StructureSet::find(const std::string& name) const {
  for (const Roi& roi : rois)
    if (roi.name == name) return &roi;
  return nullptr;
}

StructureSet load_structure_set(DicomObject& object) {
  const AttributeReader dataset(object.dataset(), object.label());
  if (object.sop_class_uid() != kRtStructClass)
    dataset.fail(DCM_SOPClassUID, "is " + object.sop_class_uid() + ", not RT Structure Set Storage");
  StructureSet set;
  set.sop_instance_uid = object.sop_instance_uid();
  set.study_instance_uid = dataset.optional_string(DCM_StudyInstanceUID);
  set.series_instance_uid = dataset.optional_string(DCM_SeriesInstanceUID);
  set.label = dataset.optional_string(DCM_StructureSetLabel);

  for (std::size_t f = 0; f < dataset.items(DCM_ReferencedFrameOfReferenceSequence); ++f) {
    const AttributeReader frame = dataset.item(DCM_ReferencedFrameOfReferenceSequence, f);
    set.frame_of_reference_uids.push_back(frame.string(DCM_FrameOfReferenceUID));
    for (std::size_t s = 0; s < frame.items(DCM_RTReferencedStudySequence); ++s) {
      const AttributeReader study = frame.item(DCM_RTReferencedStudySequence, s);
      for (std::size_t r = 0; r < study.items(DCM_RTReferencedSeriesSequence); ++r)
        set.referenced_series_uids.push_back(
            study.item(DCM_RTReferencedSeriesSequence, r).string(DCM_SeriesInstanceUID));
    }
  }

  std::map<long, std::size_t> by_number;
  for (std::size_t i = 0; i < dataset.items(DCM_StructureSetROISequence); ++i) {
    const AttributeReader item = dataset.item(DCM_StructureSetROISequence, i);
    Roi roi;
    roi.number = static_cast<int>(integer_of(item, DCM_ROINumber));
    roi.name = item.optional_string(DCM_ROIName);
    roi.frame_of_reference_uid = item.string(DCM_ReferencedFrameOfReferenceUID);
    if (!by_number.emplace(roi.number, set.rois.size()).second)
      item.fail(DCM_ROINumber, "ROI number " + std::to_string(roi.number) + " is used twice");
    set.rois.push_back(std::move(roi));
  }
  if (set.rois.empty()) dataset.fail(DCM_StructureSetROISequence, "holds no ROI");

  for (std::size_t i = 0; i < dataset.items(DCM_RTROIObservationsSequence); ++i) {
    const AttributeReader item = dataset.item(DCM_RTROIObservationsSequence, i);
    const auto found = by_number.find(integer_of(item, DCM_ReferencedROINumber));
    if (found != by_number.end())
      set.rois[found->second].interpreted_type = item.optional_string(DCM_RTROIInterpretedType);
  }

  for (std::size_t i = 0; i < dataset.items(DCM_ROIContourSequence); ++i) {
    const AttributeReader item = dataset.item(DCM_ROIContourSequence, i);
    const long number = integer_of(item, DCM_ReferencedROINumber);
    const auto found = by_number.find(number);
    if (found == by_number.end())
      item.fail(DCM_ReferencedROINumber, "refers to ROI " + std::to_string(number) +
                                             ", which StructureSetROISequence does not define");
    Roi& roi = set.rois[found->second];
    for (std::size_t c = 0; c < item.items(DCM_ContourSequence); ++c) {
      const AttributeReader contour = item.item(DCM_ContourSequence, c);
      const std::string where = "contour " + std::to_string(c + 1) + " of ROI \"" + roi.name + "\"";
      const std::string type = contour.string(DCM_ContourGeometricType);
      std::vector<Vec3> points = contour_points(contour);
      if (type == "CLOSED_PLANAR" || type == "CLOSEDPLANAR_XOR") {
        if (auto planar = planar_contour(contour, std::move(points), where))
          roi.contours.push_back(std::move(*planar));
        else
          roi.notes.push_back(where + " encloses no area (fewer than three distinct points) and was skipped");
      } else if (type == "POINT" || type == "OPEN_PLANAR" || type == "OPEN_NONPLANAR") {
        roi.non_area_contours.push_back({type, std::move(points)});
      } else {
        contour.fail(DCM_ContourGeometricType, "is \"" + type + "\", not a defined contour type");
      }
    }
  }
  for (Roi& roi : set.rois)
    if (roi.contours.empty() && roi.non_area_contours.empty()) roi.notes.push_back("the ROI has no contours");
  return set;
}

}  // namespace rtpof::pipeline
