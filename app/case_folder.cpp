#include "app/case_folder.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <map>

#include "pipeline/automatic_registration.hpp"
#include "pipeline/dicom_object.hpp"
#include "pipeline/image_series.hpp"
#include "pipeline/load_error.hpp"
#include "pipeline/rt_plan.hpp"
#include "pipeline/segmentation.hpp"
#include "pipeline/spatial_registration.hpp"
#include "pipeline/structure_set.hpp"

namespace rtpof::app {
namespace {

namespace fs = std::filesystem;
using namespace rtpof::pipeline;

std::string join(const std::vector<std::string>& lines) {
  std::string text = "the case is incomplete:";
  for (const auto& line : lines) text += "\n  - " + line;
  return text;
}

std::string string_of(DicomObject& object, const DcmTagKey& tag) {
  OFString value;
  object.dataset().findAndGetOFString(tag, value);
  return value.c_str();
}

struct Series {
  std::string frame, modality;
  std::vector<DicomObject*> objects;
};

}  // namespace

IncompleteCase::IncompleteCase(const std::vector<std::string>& missing) : std::runtime_error(join(missing)) {}

std::vector<fs::path> files_under(const fs::path& folder) {
  std::vector<fs::path> files;
  if (fs::is_regular_file(folder)) return {folder};
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

void assemble_case(const fs::path& folder, const FolderOptions& options, FolderCase& out) {
  std::vector<LoadError> unreadable;
  std::vector<DicomObject> objects = read_dicom_files(files_under(folder), &unreadable);
  out.skipped_files = unreadable.size();

  std::vector<DicomObject*> doses, plans, structure_sets, registrations, segmentations;
  std::map<std::string, Series> series;
  for (DicomObject& object : objects) {
    switch (kind_of(object)) {
      case ObjectKind::Dose: doses.push_back(&object); break;
      case ObjectKind::Plan: plans.push_back(&object); break;
      case ObjectKind::StructureSet: structure_sets.push_back(&object); break;
      case ObjectKind::Registration: registrations.push_back(&object); break;
      case ObjectKind::Segmentation: segmentations.push_back(&object); break;
      case ObjectKind::Image: {
        Series& s = series[string_of(object, DCM_SeriesInstanceUID)];
        s.frame = string_of(object, DCM_FrameOfReferenceUID);
        s.modality = string_of(object, DCM_Modality);
        s.objects.push_back(&object);
        break;
      }
      case ObjectKind::Other: break;
    }
    if (out.patient_id.empty()) {
      out.patient_id = string_of(object, DCM_PatientID);
      out.issuer = string_of(object, DCM_IssuerOfPatientID);
    }
  }

  std::vector<std::string> missing;
  if (doses.empty()) throw IncompleteCase({"no RTDOSE in " + folder.string()});
  // A MULTI_PLAN dose is the whole course; otherwise exactly one PLAN (or FRACTION) dose.
  std::vector<DoseGrid> grids;
  for (DicomObject* dose : doses) grids.push_back(load_dose_grid(*dose));
  auto chosen = std::find_if(grids.begin(), grids.end(), [](const DoseGrid& g) { return g.summation_type == "MULTI_PLAN"; });
  if (chosen == grids.end()) {
    if (grids.size() > 1)
      throw IncompleteCase({std::to_string(grids.size()) + " RTDOSE objects and none of type MULTI_PLAN: rtpof does not "
                            "sum plan doses yet; export the course's total dose"});
    chosen = grids.begin();
  }

  std::optional<RtPlan> plan;
  for (DicomObject* object : plans)
    if (chosen->referenced_plan_uid.empty() || object->sop_instance_uid() == chosen->referenced_plan_uid)
      plan = load_rt_plan(*object);
  if (!plan && !chosen->referenced_plan_uid.empty())
    missing.push_back("RTDOSE " + chosen->sop_instance_uid + " references RTPLAN " + chosen->referenced_plan_uid +
                      ", which is not in the folder");
  out.dose = to_course_dose(std::move(*chosen), plan ? &*plan : nullptr);
  const std::string ct_frame = out.dose.frame_of_reference_uid;

  std::optional<StructureSet> planning, followup;
  for (DicomObject* object : structure_sets) {
    StructureSet set = load_structure_set(*object);
    const bool on_ct = std::find(set.frame_of_reference_uids.begin(), set.frame_of_reference_uids.end(), ct_frame) !=
                       set.frame_of_reference_uids.end();
    if (on_ct && (!plan || plan->referenced_structure_set_uid.empty() ||
                  plan->referenced_structure_set_uid == set.sop_instance_uid))
      planning = std::move(set);
    else if (!on_ct)
      followup = std::move(set);
  }
  if (!planning)
    missing.push_back(plan && !plan->referenced_structure_set_uid.empty()
                          ? "RTPLAN " + plan->sop_instance_uid + " references RTSTRUCT " +
                                plan->referenced_structure_set_uid + ", which is not in the folder"
                          : "no RTSTRUCT in the planning frame " + ct_frame);

  Series* ct = nullptr;
  Series* mr = nullptr;
  for (auto& [uid, s] : series) {
    if (s.frame == ct_frame && (!ct || s.modality == "CT")) ct = &s;
    if (s.frame != ct_frame && (!mr || s.modality == "MR")) mr = &s;
  }
  if (!ct) missing.push_back("no image series in the planning frame " + ct_frame + " (the planning CT)");
  if (!mr) missing.push_back("no follow-up image series (MR) in a frame other than the planning CT's");
  std::optional<Segmentation> seg;
  if (!followup && !segmentations.empty()) seg = load_segmentation(*segmentations.front());
  if (!followup && !seg) missing.push_back("no recurrence: neither a follow-up RTSTRUCT nor a SEG");
  if (!missing.empty()) throw IncompleteCase(missing);

  const std::string mr_frame = mr->frame;
  const ImageSeries ct_series = load_image_series(ct->objects);
  const ImageSeries mr_series = load_image_series(mr->objects);
  const double ct_spacing = ct_series.image->GetSpacing()[2];
  const double mr_spacing = mr_series.image->GetSpacing()[2];
  std::optional<RegistrationChoice> registration;
  for (DicomObject* object : registrations) {
    const SpatialRegistration reg = load_spatial_registration(*object);
    registration = mr_to_ct_from_reg(reg, mr_frame, ct_frame);
  }
  if (!registration) {
    registration = register_mr_to_ct(*mr_series.image, *ct_series.image, options.registration);
    out.notes.push_back("no Spatial Registration: MR registered to CT automatically; " + registration->quality->summary);
  }
  out.registration = *registration;

  CaseInputs& inputs = out.inputs;
  inputs.dose = &out.dose;
  inputs.mr_to_ct = registration->mr_to_ct;
  if (options.reference_dose_gy) {
    inputs.reference_dose_gy = *options.reference_dose_gy;
    inputs.reference_dose_source = "given on the command line";
  } else if (plan && plan->highest_target_prescription_gy()) {
    inputs.reference_dose_gy = *plan->highest_target_prescription_gy();
    inputs.reference_dose_source = "RTPLAN highest target prescription";
  } else {
    throw IncompleteCase({"no reference dose: the RTPLAN gives no target prescription; pass --reference-dose GY"});
  }

  const std::string& planning_uid = planning->sop_instance_uid;
  for (const CtvRole& role : ctv_roles(*planning, options.patterns))
    inputs.ctvs.push_back({role.roi->name, role.level, make_contour_stack(*role.roi, ct_spacing, planning_uid)});
  if (const Roi* gtv = first_matching(*planning, options.patterns.gtv_primary))
    inputs.gtv_primary = NamedStack{gtv->name, "", make_contour_stack(*gtv, ct_spacing, planning_uid)};
  if (const Roi* gtv = first_matching(*planning, options.patterns.gtv_nodal))
    inputs.gtv_nodal = NamedStack{gtv->name, "", make_contour_stack(*gtv, ct_spacing, planning_uid)};

  if (followup) {
    for (const Roi* roi : recurrence_rois(*followup, options.patterns))
      inputs.recurrences.push_back(
          {roi->name, sample_region(make_contour_stack(*roi, mr_spacing, followup->sop_instance_uid),
                                    options.points_per_structure)});
  } else {
    for (const SegmentMask& segment : seg->segments)
      inputs.recurrences.push_back({segment.label, sample_region(segment, options.points_per_structure)});
  }
  if (inputs.recurrences.empty()) throw IncompleteCase({"the follow-up objects outline no recurrence"});
}

}  // namespace rtpof::app
