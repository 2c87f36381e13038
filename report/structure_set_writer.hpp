#pragma once
// The recurrence on the planning CT, as an RT Structure Set (PS3.3 A.19) the planning system opens on the
// planning CT and the dose: each recurrence cut on the CT's slice planes after mapping through the
// registration the analysis used, and, so that the set stands on its own, copies of the planning targets.
// It joins the planning CT's study, references every CT slice, and says in its description what was
// mapped through what. Written with DCMTK's dcmrt (DRTStructureSetIOD). Pure: the same inputs give the
// same dataset.
#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/vec3.hpp"
#include "report/report_content.hpp"

class DcmFileFormat;

namespace rtpof::report {

// One closed contour; `slice` indexes PlanningSeries::slices when the contour lies on that slice's plane.
struct PlanarOutline {
  std::vector<pipeline::Vec3> points;
  std::optional<std::size_t> slice;
};

struct OutlinedRoi {
  std::string name;                 // LO: at most 64 characters
  std::string description;          // how it was made
  std::string interpreted_type;     // RT ROI Interpreted Type (GTV, CTV...)
  std::string generation_algorithm; // AUTOMATIC (mapped by rtpof) or MANUAL (copied as drawn)
  std::array<int, 3> colour{255, 0, 255};
  std::vector<PlanarOutline> contours;
};

struct PlanningSeries {
  ReportSubject study;  // the planning CT's patient and study: the set joins that study
  std::string frame_uid, series_uid;
  std::vector<SourceInstance> slices;  // in slice order
};

// The RTSTRUCT's SOP Instance UID for the report whose context is given: name-based, like the REG's.
std::string structure_set_uid(const ReportContext& context);
// The rtpof RTSTRUCT series of the planning study: one per study, whichever report wrote into it.
std::string structure_set_series_uid(const std::string& study_uid);

// Fills `out`; `description` is the StructureSetDescription (what was mapped, through which registration).
// Throws ReportError (report/report_writer.hpp) naming the attribute DCMTK refused.
void write_structure_set(const std::vector<OutlinedRoi>& rois, const PlanningSeries& planning,
                         const std::string& description, const ReportContext& context, DcmFileFormat& out);
void write_structure_set_file(const std::vector<OutlinedRoi>& rois, const PlanningSeries& planning,
                              const std::string& description, const ReportContext& context,
                              const std::filesystem::path& file);

}  // namespace rtpof::report
