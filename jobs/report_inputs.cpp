#include "jobs/report_inputs.hpp"

#include "pipeline/dosevolume/dose_meaning.hpp"

#include <unistd.h>

#include <array>
#include <ctime>

#include "pipeline/dosevolume/outline_cut.hpp"
#include "pipeline/dosevolume/section_sampler.hpp"
#include "report/report_uid.hpp"

#include <cmath>
#include <stdexcept>

namespace rtpof::jobs {

report::ReportIdentity new_report_identity(const AssembledCase& folder, unsigned case_version) {
  report::ReportIdentity identity;
  identity.sop_instance_uid = report::random_uid();
  // Every rtpof report of a study lands in the same series, whichever node or version wrote it.
  identity.series_uid = report::name_based_uid("rtpof report series/" + folder.subject.study_uid);
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::array<char, 16> date{}, time{};
  std::strftime(date.data(), date.size(), "%Y%m%d", &local);
  std::strftime(time.data(), time.size(), "%H%M%S", &local);
  identity.content_date = date.data();
  identity.content_time = time.data();
  identity.instance_number = case_version;
  return identity;
}

report::ReportContext report_context(const AssembledCase& folder, const report::ReportDevice& device,
                                       const report::ReportIdentity& identity) {
  report::ReportContext context;
  context.subject = folder.subject;
  context.device = device;
  context.identity = identity;
  context.evidence = folder.evidence;
  context.recurrence_object = folder.recurrence_object;
  context.registration = folder.registration;
  for (const pipeline::DoseInterpretation& dose : folder.dose_interpretations)
    context.dose_interpretation += (context.dose_interpretation.empty() ? "" : "; ") + pipeline::describe(dose);
  return context;
}

report::RegisteredFrames registered_frames(const AssembledCase& folder) {
  report::RegisteredFrames frames;
  frames.ct_frame_uid = folder.ct_frame_uid;
  frames.mr_frame_uid = folder.mr_frame_uid;
  for (const report::SourceInstance& source : folder.evidence) {
    if (source.modality == "CT") frames.ct_images.push_back(source);
    else if (source.modality == "MR") frames.mr_images.push_back(source);
  }
  return frames;
}

report::PlanningSeries planning_series(const AssembledCase& folder) {
  report::PlanningSeries series;
  series.study = folder.planning_subject;
  series.frame_uid = folder.ct_frame_uid;
  series.slices = folder.planning_ct_slices;
  if (!series.slices.empty()) series.series_uid = series.slices.front().series_uid;
  return series;
}

namespace {

// A drawn contour plane's slice, when it lies on one of the CT's planes (within 0.05 mm).
std::optional<std::size_t> slice_of(const pipeline::ContourStack& stack, double offset,
                                    const pipeline::SlicePlanes& planes) {
  if (std::abs(pipeline::dot(stack.normal, planes.normal)) < 0.9999 || planes.slice_spacing <= 0) return std::nullopt;
  const double along = pipeline::dot(stack.point(0, 0, offset) - planes.origin, planes.normal) / planes.slice_spacing;
  const double k = std::round(along);
  if (k < 0 || k >= static_cast<double>(planes.slices) || std::abs(along - k) * planes.slice_spacing > 0.05)
    return std::nullopt;
  return static_cast<std::size_t>(k);
}

report::OutlinedRoi copied(const pipeline::NamedStack& named, const std::string& type, std::array<int, 3> colour,
                           const pipeline::SlicePlanes& planes) {
  report::OutlinedRoi roi;
  roi.name = named.roi;
  roi.description = "copied from the planning structure set as drawn";
  roi.interpreted_type = type;
  roi.generation_algorithm = "MANUAL";
  roi.colour = colour;
  for (const pipeline::ContourPlane& plane : named.stack.planes)
    for (const pipeline::Polygon2& polygon : plane.polygons) {
      report::PlanarOutline outline;
      for (std::size_t i = 0; i < polygon.u.size(); ++i)
        outline.points.push_back(named.stack.point(polygon.u[i], polygon.v[i], plane.offset));
      outline.slice = slice_of(named.stack, plane.offset, planes);
      roi.contours.push_back(std::move(outline));
    }
  return roi;
}

std::array<int, 3> ctv_colour(const std::string& level) {
  if (level == "high") return {255, 0, 0};
  if (level == "intermediate") return {255, 140, 0};
  return {255, 255, 0};
}

}  // namespace

std::vector<report::OutlinedRoi> planning_outlines(const AssembledCase& folder) {
  if (!folder.planning_ct) throw std::runtime_error("the planning CT was not loaded: no RTSTRUCT can be cut on it");
  const pipeline::SlicePlanes planes = pipeline::slice_planes_of(*folder.planning_ct);
  std::vector<report::OutlinedRoi> rois;
  for (const pipeline::NamedRegion& recurrence : folder.inputs.recurrences) {
    if (!recurrence.shape) throw std::runtime_error("recurrence " + recurrence.roi + " has no outline to map");
    const std::vector<pipeline::Vec3>& extent =
        recurrence.region.boundary.empty() ? recurrence.region.points : recurrence.region.boundary;
    report::OutlinedRoi roi;
    roi.name = recurrence.roi.substr(0, 59) + "_onCT";
    roi.description = recurrence.roi + " of " + folder.recurrence_object.sop_instance_uid +
                      " mapped onto the planning CT (" + folder.registration.source + ") and cut on its slices";
    roi.interpreted_type = "GTV";
    roi.generation_algorithm = "AUTOMATIC";
    roi.colour = {255, 0, 255};
    for (const pipeline::SliceOutline& slice :
         pipeline::cut_on_slices(*recurrence.shape, folder.inputs.mr_to_ct, extent, planes))
      for (const std::vector<pipeline::Vec3>& contour : slice.contours) roi.contours.push_back({contour, slice.slice});
    if (roi.contours.empty())
      throw std::runtime_error("recurrence " + recurrence.roi + " mapped onto the planning CT crosses none of its slices");
    rois.push_back(std::move(roi));
  }
  for (const pipeline::NamedStack& ctv : folder.inputs.ctvs) rois.push_back(copied(ctv, "CTV", ctv_colour(ctv.level), planes));
  if (folder.inputs.gtv_primary) rois.push_back(copied(*folder.inputs.gtv_primary, "GTV", {0, 200, 255}, planes));
  if (folder.inputs.gtv_nodal) rois.push_back(copied(*folder.inputs.gtv_nodal, "GTV", {0, 120, 255}, planes));
  return rois;
}

std::string structure_set_description(const AssembledCase& folder) {
  std::string registration = folder.registration.source == "REG"
                                 ? "the Spatial Registration " + folder.registration.reg_uid
                                 : "rtpof's automatic rigid registration";
  return "Recurrences of " + folder.recurrence_object.sop_instance_uid + " (follow-up MR) mapped onto the planning CT "
         "through " + registration + " and re-cut on the CT's slice planes; the planning targets copied as drawn";
}

report::ReportPage report_page(const AssembledCase& folder, const pipeline::CaseResult& result,
                               const std::string& pseudonym, const std::string& version) {
  if (!folder.planning_ct) throw std::runtime_error("the planning CT was not loaded: no sections can be drawn");
  if (result.recurrences.empty()) throw std::runtime_error("no recurrence to draw");
  report::ReportPage page;
  page.pseudonym = pseudonym;
  const std::string& date = folder.subject.study_date;
  page.study_date = date.size() == 8 ? date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2) : date;
  page.software_version = version;
  page.registration = folder.registration.source == "REG"
                          ? "the case's Spatial Registration " + folder.registration.reg_uid
                          : "automatic rigid registration by rtpof; " +
                                (folder.registration.quality ? folder.registration.quality->summary : std::string()) +
                                (folder.registration.quality && folder.registration.quality->doubtful
                                     ? " DOUBTFUL: review the fusion before using these figures."
                                     : "");
  for (const pipeline::DoseInterpretation& dose : folder.dose_interpretations)
    page.dose_scaling += (page.dose_scaling.empty() ? "" : "; ") + pipeline::describe(dose);
  page.sections_about = result.recurrences.front().roi;
  page.sections = pipeline::sections_through(result.recurrences.front().centroid_ct, *folder.planning_ct, folder.inputs);
  return page;
}

}  // namespace rtpof::jobs
