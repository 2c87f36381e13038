// rtpof dvh: the dose-volume figures of an RTSTRUCT's ROIs on an RTDOSE, a physicist's everyday check.
// JSON as docs/interface.md fixes it; the same sampling and metrics as the analysis.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <iostream>
#include <nlohmann/json.hpp>

#include "jobs/case_assembly.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/dcmtk_runtime.hpp"
#include "pipeline/dicomrt/dicom_object.hpp"
#include "jobs/analysis_json.hpp"
#include "pipeline/dosevolume/belonging.hpp"
#include "pipeline/dosevolume/dose_meaning.hpp"
#include "pipeline/dosevolume/dose_sampler.hpp"
#include "pipeline/dosevolume/dose_volume.hpp"
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/parallel.hpp"
#include "pipeline/dicomrt/rt_plan.hpp"
#include "pipeline/dicomrt/structure_set.hpp"

namespace rtpof::app {

using namespace rtpof::jobs;  // app/ wires the jobs layer
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace rtpof::pipeline;

// The slab of each plane: the spacing of the image series the RTSTRUCT references, when given.
std::optional<double> series_spacing(const fs::path& images, const StructureSet& set) {
  std::vector<LoadError> unreadable;
  std::vector<DicomObject> objects = read_dicom_files(files_under(images), &unreadable);
  std::vector<DicomObject*> members;
  for (DicomObject& object : objects) {
    if (kind_of(object) != ObjectKind::Image) continue;
    OFString series;
    object.dataset().findAndGetOFString(DCM_SeriesInstanceUID, series);
    if (set.referenced_series_uids.empty() ||
        std::find(set.referenced_series_uids.begin(), set.referenced_series_uids.end(), series.c_str()) !=
            set.referenced_series_uids.end())
      members.push_back(&object);
  }
  if (members.empty()) return std::nullopt;
  return load_image_series(members).image->GetSpacing()[2];
}

// The plan beside the dose (same folder) that the dose references, for the reference dose and fractions.
std::optional<RtPlan> plan_beside(const fs::path& dose_file, const DoseGrid& dose) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dose_file.parent_path().empty() ? "." : dose_file.parent_path()))
    if (entry.is_regular_file() && media_storage_sop_class(entry.path()) == "1.2.840.10008.5.1.4.1.1.481.5")
      files.push_back(entry.path());
  std::vector<LoadError> unreadable;
  for (DicomObject& object : read_dicom_files(files, &unreadable))
    if (kind_of(object) == ObjectKind::Plan &&
        (dose.referenced_plan_uid.empty() || object.sop_instance_uid() == dose.referenced_plan_uid))
      return load_rt_plan(object);
  return std::nullopt;
}

std::string patient_id_of(DicomObject& object) {
  OFString id;
  object.dataset().findAndGetOFString(DCM_PatientID, id);
  return id.c_str();
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// --roi NAME matches case-insensitively, as the analysis's ROI patterns do.
const Roi* find_roi(const StructureSet& set, const std::string& name) {
  for (const Roi& roi : set.rois)
    if (lower(roi.name) == lower(name)) return &roi;
  return nullptr;
}

// A structure set and a dose are combined only within one Frame of Reference and one patient; with
// --allow-mismatch (a phantom's own files) they are, saying so.
void check_belong_together(const StructureSet& set, DicomObject& structures, const DoseGrid& dose, DicomObject& dose_object,
                           bool allowed, std::FILE* text) {
  const auto problems = why_not_together(set, patient_id_of(structures), dose, patient_id_of(dose_object));
  if (problems.empty()) return;
  std::string all;
  for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
  if (!allowed)
    throw LoadError(dose.sop_instance_uid, "",
                    all + ": they cannot be combined (a phantom's own files may be, with --allow-mismatch)");
  std::fprintf(text, "WARNING --allow-mismatch: %s; combined as if they belonged together\n", all.c_str());
}

}  // namespace

int dvh_command(const Arguments& args) {
  const CommandLine cl(args, {"--rtstruct", "--dose", "--images", "--roi", "--reference-dose", "--curve", "--fractions"},
                       {"--json", "--allow-mismatch"});
  const double curve_step = cl.number("--curve", 0.01, 100, 0);
  initialise_dcmtk();
  quiet_dcmtk_parser();
  const auto rtstruct_file = cl.value("--rtstruct");
  const auto dose_file = cl.value("--dose");
  if (!rtstruct_file || !dose_file) throw UsageError("--rtstruct FILE and --dose FILE are required");
  std::optional<int> fractions;
  if (cl.has("--fractions")) fractions = static_cast<int>(cl.number("--fractions", 1, 1000, 1));
  std::FILE* text = cl.has("--json") ? stderr : stdout;
  DicomObject structures_object = DicomObject::read_file(*rtstruct_file);
  const StructureSet set = load_structure_set(structures_object);
  DicomObject dose_object = DicomObject::read_file(*dose_file);
  DoseGrid raw_dose = load_dose_grid(dose_object);
  check_belong_together(set, structures_object, raw_dose, dose_object, cl.has("--allow-mismatch"), text);
  const std::optional<RtPlan> plan = plan_beside(*dose_file, raw_dose);
  CourseDose course = decide_course_dose(std::move(raw_dose), plan ? &*plan : nullptr, fractions);
  const DoseGrid& dose = course.grid;
  const DoseInterpretation& meaning = course.interpretation;
  std::fprintf(text, "dose: %s\n", describe(meaning).c_str());
  for (const std::string& warning : meaning.warnings) std::fprintf(text, "WARNING: %s\n", warning.c_str());

  std::optional<double> reference;
  std::string reference_source = "none: no --reference-dose and no RTPLAN prescription beside the dose";
  if (cl.has("--reference-dose")) {
    reference = cl.number("--reference-dose", 0.01, 1000, 0);
    reference_source = "given on the command line";
  } else if (plan && plan->highest_target_prescription_gy()) {
    reference = plan->highest_target_prescription_gy();
    reference_source = "RTPLAN highest target prescription";
    if (meaning.per_fraction) {
      reference = std::nullopt;
      reference_source = "none: the figures are per fraction";
    }
  }
  std::optional<double> image_spacing;
  if (const auto images = cl.value("--images")) {
    image_spacing = series_spacing(*images, set);
    if (!image_spacing) throw UsageError("--images: no image series of the RTSTRUCT in " + *images);
  }
  // Without images: the whole structure set's most common plane spacing, the slice spacing its ROIs
  // were drawn on; an ROI drawn on every second plane still represents slabs of one slice each.
  std::optional<double> set_spacing;
  {
    Roi all;
    for (const Roi& roi : set.rois) all.contours.insert(all.contours.end(), roi.contours.begin(), roi.contours.end());
    set_spacing = most_common_plane_spacing(all);
  }

  std::vector<const Roi*> rois;
  const std::vector<std::string> wanted = cl.values("--roi");
  for (const std::string& name : wanted) {
    const Roi* roi = find_roi(set, name);
    if (!roi) throw UsageError("--roi: the RTSTRUCT has no ROI named \"" + name + "\"");
    rois.push_back(roi);
  }
  if (wanted.empty())
    for (const Roi& roi : set.rois)
      if (!roi.contours.empty()) rois.push_back(&roi);

  const DoseSampler sampler(dose);
  json out = {{"rois", json::array()},
              {"reference_dose_gy", reference ? json(*reference) : json(nullptr)},
              {"reference_dose_source", reference_source},
              {"dose", dose_json({meaning})}};
  std::fprintf(text, "%-16s %10s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %10s %7s\n", "ROI", "volume cc",
               "cover %", "Dmin", "Dmax", "Dmean", "D99", "D98", "D95", "D50", "D5", "D2", "D1", "D0.03cc",
               "V95 %", "slab mm");
  // Slabs first (errors before any work), then the ROIs on two workers: each ROI's points are freed
  // as soon as its distribution is made, so memory stays at two ROIs' worth.
  std::vector<std::optional<double>> slabs;
  std::vector<std::vector<std::string>> notes(rois.size());
  for (std::size_t i = 0; i < rois.size(); ++i) {
    const Roi* roi = rois[i];
    if (roi->contours.empty()) {
      slabs.push_back(std::nullopt);
      notes[i].push_back("no closed contours (a point or marker ROI): no volume, no dose figures");
      continue;
    }
    const std::optional<double> own = most_common_plane_spacing(*roi);
    const std::optional<double> slab = image_spacing ? image_spacing : set_spacing ? set_spacing : own;
    if (!slab)
      throw LoadError(set.sop_instance_uid, "",
                      "ROI \"" + roi->name + "\" lies on one plane and no slice spacing is known; pass --images DIR");
    if (own && std::abs(*own - *slab) > 0.01)
      notes[i].push_back("drawn on planes " + std::to_string(*own).substr(0, 5) + " mm apart; each plane taken as a " +
                         std::to_string(*slab).substr(0, 5) + " mm slab, the " +
                         (image_spacing ? "image series'" : "structure set's") + " spacing");
    slabs.push_back(slab);
  }
  std::vector<std::optional<DoseDistribution>> distributions(rois.size());
  rethrow_first(for_each_index(rois.size(), 2, [&](std::size_t i) {
    if (!slabs[i]) return;
    distributions[i].emplace(
        dose_region(sample_region(make_contour_stack(*rois[i], *slabs[i], set.sop_instance_uid)), sampler));
  }));

  static const std::map<double, const char*> percent_keys = {{99.0, "d99_gy"}, {98.0, "d98_gy"}, {95.0, "d95_gy"},
                                                             {50.0, "d50_gy"}, {5.0, "d5_gy"},   {2.0, "d2_gy"},
                                                             {1.0, "d1_gy"}};
  std::size_t covered = 0, with_volume = 0;
  for (std::size_t i = 0; i < rois.size(); ++i) {
    const Roi* roi = rois[i];
    json row = {{"name", roi->name}};
    const std::optional<DoseDistribution>& d = distributions[i];
    if (d) ++with_volume;
    if (d && d->coverage_pct() == 0) notes[i].push_back("outside the dose grid: no dose figures");
    const bool figures = d && d->coverage_pct() > 0;
    if (figures) ++covered;
    // The dose figures, in the text table's column order; null (text "-") without covered volume.
    using Figure = std::function<double(const DoseDistribution&)>;
    std::vector<std::pair<const char*, Figure>> columns = {
        {"dmin_gy", [](const DoseDistribution& x) { return x.min_gy(); }},
        {"dmax_gy", [](const DoseDistribution& x) { return x.max_gy(); }},
        {"dmean_gy", [](const DoseDistribution& x) { return x.mean_gy(); }}};
    for (const double percent : {99.0, 98.0, 95.0, 50.0, 5.0, 2.0, 1.0})
      columns.emplace_back(percent_keys.at(percent), [percent](const DoseDistribution& x) { return x.dose_covering_percent(percent); });
    columns.emplace_back("d0_03cc_gy", [](const DoseDistribution& x) { return x.dose_covering_cc(0.03); });
    if (reference) columns.emplace_back("v95_pct", [&](const DoseDistribution& x) { return x.percent_receiving(0.95 * *reference); });
    row["volume_cc"] = d ? json(d->total_cc()) : json(nullptr);
    row["coverage_pct"] = d ? json(d->coverage_pct()) : json(nullptr);
    std::string cells;
    char cell[32];
    if (d) std::snprintf(cell, sizeof cell, " %8.2f", d->coverage_pct());
    else std::snprintf(cell, sizeof cell, " %8s", "-");
    cells += cell;
    for (const auto& [key, figure] : columns) {
      row[key] = figures ? json(figure(*d)) : json(nullptr);
      if (figures) std::snprintf(cell, sizeof cell, " %*.2f", std::string(key) == "v95_pct" ? 10 : 8, figure(*d));
      else std::snprintf(cell, sizeof cell, " %*s", std::string(key) == "v95_pct" ? 10 : 8, "-");
      cells += cell;
    }
    if (!reference) cells += "          -";
    if (curve_step > 0 && figures) row["cumulative_dvh"] = d->cumulative_curve(curve_step);  // [[Gy, % volume], ...]
    row["notes"] = notes[i];
    char volume[32] = "-";
    if (d) std::snprintf(volume, sizeof volume, "%.3f", d->total_cc());
    std::fprintf(text, "%-16s %10s%s %7s\n", roi->name.c_str(), volume, cells.c_str(),
                 slabs[i] ? std::to_string(*slabs[i]).substr(0, 5).c_str() : "-");
    for (const std::string& note : notes[i]) std::fprintf(text, "  %s: %s\n", roi->name.c_str(), note.c_str());
    out["rois"].push_back(row);
  }
  if (meaning.per_fraction)
    std::fprintf(text, "doses are PER FRACTION (FRACTION dose, no RTPLAN beside it): --fractions N gives the course\n");
  if (with_volume > 0 && covered == 0)
    throw LoadError(dose.sop_instance_uid, "",
                    "no ROI of RTSTRUCT " + set.sop_instance_uid + " overlaps the dose grid: check that they belong together");
  if (cl.has("--json")) std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace rtpof::app
