// rtpof dvh: the dose-volume figures of an RTSTRUCT's ROIs on an RTDOSE, a physicist's everyday check.
// JSON as shared/INTERFACE.md fixes it; the same sampling and metrics as the analysis.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/case_folder.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/dcmtk_runtime.hpp"
#include "pipeline/dicom_object.hpp"
#include "pipeline/dose_sampler.hpp"
#include "pipeline/dose_volume.hpp"
#include "pipeline/image_series.hpp"
#include "pipeline/load_error.hpp"
#include "pipeline/parallel.hpp"
#include "pipeline/rt_plan.hpp"
#include "pipeline/structure_set.hpp"

namespace rtpof::app {
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

}  // namespace

int dvh_command(const Arguments& args) {
  const CommandLine cl(args, {"--rtstruct", "--dose", "--images", "--roi", "--reference-dose", "--curve"}, {"--json"});
  const double curve_step = cl.number("--curve", 0.01, 100, 0);
  initialise_dcmtk();
  quiet_dcmtk_parser();
  const auto rtstruct_file = cl.value("--rtstruct");
  const auto dose_file = cl.value("--dose");
  if (!rtstruct_file || !dose_file) throw UsageError("--rtstruct FILE and --dose FILE are required");
  DicomObject structures_object = DicomObject::read_file(*rtstruct_file);
  const StructureSet set = load_structure_set(structures_object);
  DicomObject dose_object = DicomObject::read_file(*dose_file);
  DoseGrid raw_dose = load_dose_grid(dose_object);
  const std::optional<RtPlan> plan = plan_beside(*dose_file, raw_dose);
  const DoseGrid dose = to_course_dose(std::move(raw_dose), plan ? &*plan : nullptr);

  std::optional<double> reference;
  if (cl.has("--reference-dose")) reference = cl.number("--reference-dose", 0.01, 1000, 0);
  else if (plan) reference = plan->highest_target_prescription_gy();
  std::optional<double> image_spacing;
  if (const auto images = cl.value("--images")) {
    image_spacing = series_spacing(*images, set);
    if (!image_spacing) throw UsageError("--images: no image series of the RTSTRUCT in " + *images);
  }
  // Without images: each ROI's most common plane spacing, else the most common one of all ROIs.
  std::optional<double> fallback;
  {
    Roi all;
    for (const Roi& roi : set.rois) all.contours.insert(all.contours.end(), roi.contours.begin(), roi.contours.end());
    fallback = most_common_plane_spacing(all);
  }

  std::vector<const Roi*> rois;
  const std::vector<std::string> wanted = cl.values("--roi");
  for (const std::string& name : wanted) {
    const Roi* roi = set.find(name);
    if (!roi) throw UsageError("--roi: the RTSTRUCT has no ROI named \"" + name + "\"");
    rois.push_back(roi);
  }
  if (wanted.empty())
    for (const Roi& roi : set.rois)
      if (!roi.contours.empty()) rois.push_back(&roi);

  const DoseSampler sampler(dose);
  json out = {{"rois", json::array()}};
  std::FILE* text = cl.has("--json") ? stderr : stdout;
  std::fprintf(text, "%-16s %10s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %10s %7s\n", "ROI", "volume cc",
               "cover %", "Dmin", "Dmax", "Dmean", "D99", "D98", "D95", "D50", "D5", "D2", "D1", "D0.03cc",
               "V95 %", "slab mm");
  // Slabs first (errors before any work), then the ROIs on two workers: each ROI's points are freed
  // as soon as its distribution is made, so memory stays at two ROIs' worth.
  std::vector<double> slabs;
  for (const Roi* roi : rois) {
    const std::optional<double> own = most_common_plane_spacing(*roi);
    const std::optional<double> slab = image_spacing ? image_spacing : own ? own : fallback;
    if (!slab)
      throw LoadError(set.sop_instance_uid, "",
                      "ROI \"" + roi->name + "\" lies on one plane and no slice spacing is known; pass --images DIR");
    slabs.push_back(*slab);
  }
  std::vector<std::optional<DoseDistribution>> distributions(rois.size());
  rethrow_first(for_each_index(rois.size(), 2, [&](std::size_t i) {
    distributions[i].emplace(
        dose_region(sample_region(make_contour_stack(*rois[i], slabs[i], set.sop_instance_uid)), sampler));
  }));

  for (std::size_t i = 0; i < rois.size(); ++i) {
    const Roi* roi = rois[i];
    const DoseDistribution& d = *distributions[i];
    const double slab = slabs[i];
    json row = {{"name", roi->name},         {"volume_cc", d.total_cc()},
                {"coverage_pct", d.coverage_pct()},
                {"dmin_gy", d.min_gy()},     {"dmax_gy", d.max_gy()},
                {"dmean_gy", d.mean_gy()},   {"d99_gy", d.dose_covering_percent(99)},
                {"d98_gy", d.dose_covering_percent(98)}, {"d95_gy", d.dose_covering_percent(95)},
                {"d50_gy", d.dose_covering_percent(50)}, {"d5_gy", d.dose_covering_percent(5)},
                {"d2_gy", d.dose_covering_percent(2)},   {"d1_gy", d.dose_covering_percent(1)},
                {"d0_03cc_gy", d.dose_covering_cc(0.03)}};
    if (reference) row["v95_pct"] = d.percent_receiving(0.95 * *reference);
    if (curve_step > 0) row["cumulative_dvh"] = d.cumulative_curve(curve_step);  // [[Gy, % volume], ...]
    std::fprintf(text, "%-16s %10.3f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %10s %7.2f\n",
                 roi->name.c_str(), d.total_cc(), d.coverage_pct(), d.min_gy(), d.max_gy(), d.mean_gy(),
                 d.dose_covering_percent(99), d.dose_covering_percent(98), d.dose_covering_percent(95),
                 d.dose_covering_percent(50), d.dose_covering_percent(5), d.dose_covering_percent(2),
                 d.dose_covering_percent(1), d.dose_covering_cc(0.03),
                 reference ? std::to_string(d.percent_receiving(0.95 * *reference)).substr(0, 7).c_str() : "-", slab);
    out["rois"].push_back(row);
  }
  if (cl.has("--json")) std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace rtpof::app
