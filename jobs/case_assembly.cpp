#include "jobs/case_assembly.hpp"

#include <malloc.h>

#include "pipeline/dosevolume/dose_meaning.hpp"

#include <algorithm>
#include <map>

#include <dcmtk/dcmdata/dcdeftag.h>

#include "pipeline/registration/automatic_registration.hpp"
#include "pipeline/dicomrt/dicom_object.hpp"
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/dicomrt/rt_plan.hpp"
#include "pipeline/dicomrt/segmentation.hpp"
#include "pipeline/dicomrt/spatial_registration.hpp"
#include "pipeline/dicomrt/structure_set.hpp"
#include "report/registration_writer.hpp"
#include "rules/case_matcher.hpp"
#include "storage/ingest_error.hpp"
#include "storage/instance_attributes.hpp"

namespace rtpof::jobs {
namespace {

namespace fs = std::filesystem;
using namespace rtpof::pipeline;
using report::ReportSubject;
using report::SourceInstance;

// ROI names and the patient's name go into a report that declares UTF-8; DCMTK converts from the
// object's own Specific Character Set (GB18030, Latin-1, ...). An object it cannot convert keeps its bytes.
void convert_to_utf8(DicomObject& object, std::vector<std::string>& notes) {
  const OFCondition status = object.dataset().convertToUTF8();
  if (status.bad())
    notes.push_back("instance " + object.label() + ": text kept unconverted (" + status.text() +
                    "); names in its report may show wrong characters");
}

std::string text_of(DcmDataset& dataset, const DcmTagKey& tag) {
  OFString value;
  dataset.findAndGetOFStringArray(tag, value);
  return value.c_str();
}

ReportSubject subject_of(DcmDataset& d) {
  return {text_of(d, DCM_PatientName), text_of(d, DCM_PatientID), text_of(d, DCM_IssuerOfPatientID),
          text_of(d, DCM_PatientBirthDate), text_of(d, DCM_PatientSex), text_of(d, DCM_StudyInstanceUID),
          text_of(d, DCM_StudyDate), text_of(d, DCM_StudyTime), text_of(d, DCM_StudyID),
          text_of(d, DCM_AccessionNumber), text_of(d, DCM_ReferringPhysicianName)};
}

std::string join(const std::vector<std::string>& lines) {
  std::string text = "the case is incomplete:";
  for (const auto& line : lines) text += "\n  - " + line;
  return text;
}

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

namespace {

// The objects of the case by SOP Instance UID, as read; every recorded input must be among them.
using ObjectsByUid = std::map<std::string, DicomObject*>;

DicomObject& object_of(const ObjectsByUid& objects, const std::string& uid, const std::string& role) {
  const auto it = objects.find(uid);
  if (it == objects.end())
    throw std::runtime_error("the case's " + role + " input " + uid + " could not be read from the store");
  return *it->second;
}

SourceInstance source_of(DicomObject& object) {
  DcmDataset& d = object.dataset();
  return {text_of(d, DCM_SOPClassUID), text_of(d, DCM_SOPInstanceUID), text_of(d, DCM_SeriesInstanceUID),
          text_of(d, DCM_StudyInstanceUID), text_of(d, DCM_Modality)};
}

// The analysis' inputs from the objects the roles name, and nothing else.
void tell(const AssemblyOptions& options, const std::string& stage) {
  if (options.progress) options.progress(stage);
}

void assemble_from(const ObjectsByUid& objects, const CaseRoles& roles, const AssemblyOptions& options,
                   AssembledCase& out);

}  // namespace

namespace {

// The files' parsed objects are gone once a case is assembled: their pages go back to the system
// before the analysis allocates its own (app/memory_policy keeps free memory otherwise).
struct ReturnFreeMemory {
  ~ReturnFreeMemory() { malloc_trim(0); }
};

}  // namespace

void assemble_case(const fs::path& folder, const AssemblyOptions& options, AssembledCase& out) {
  const ReturnFreeMemory on_return;
  std::vector<LoadError> unreadable;
  const std::vector<fs::path> files = files_under(folder);
  tell(options, "reading " + std::to_string(files.size()) + " files");
  std::vector<DicomObject> objects = read_dicom_files(files, &unreadable);
  out.skipped_files = unreadable.size();

  // The node's matcher decides which objects form the case, from the attributes the index would hold;
  // it runs once, and the case is then assembled from its roles as a node job's would be.
  std::vector<rules::IndexedInstance> rows;
  ObjectsByUid by_uid;
  for (DicomObject& object : objects) {
    try {
      const storage::InstanceAttributes a = storage::read_instance_attributes(object.dataset());
      rows.push_back({a.sop_instance_uid, a.sop_class_uid, a.study_instance_uid, a.series_instance_uid, a.modality,
                      a.frame_of_reference_uid, a.references, "", "", a.rt_status});
      by_uid[a.sop_instance_uid] = &object;
    } catch (const storage::IngestError& e) {
      out.notes.push_back(std::string("skipped: ") + e.what());
    }
  }
  const rules::CaseMatch match = rules::match_case(rows, options.match);
  if (!match.complete) throw IncompleteCase(match.missing);
  out.notes.insert(out.notes.end(), match.notes.begin(), match.notes.end());
  assemble_from(by_uid, roles_of(match), options, out);
}

void assemble_recorded_case(const CaseRoles& roles, const std::vector<fs::path>& files, const AssemblyOptions& options,
                            AssembledCase& out) {
  const ReturnFreeMemory on_return;
  std::vector<LoadError> unreadable;
  std::vector<DicomObject> objects = read_dicom_files(files, &unreadable);
  if (!unreadable.empty()) throw unreadable.front();
  ObjectsByUid by_uid;
  for (DicomObject& object : objects) by_uid[text_of(object.dataset(), DCM_SOPInstanceUID)] = &object;
  assemble_from(by_uid, roles, options, out);
}

namespace {

void assemble_from(const ObjectsByUid& by_uid, const CaseRoles& roles, const AssemblyOptions& options,
                   AssembledCase& out) {
  auto object = [&](const std::string& role) -> DicomObject& { return object_of(by_uid, single_uid(roles, role), role); };
  auto objects_with = [&](const std::string& role) {
    std::vector<DicomObject*> chosen;
    for (const std::string& uid : uids_with_role(roles, role)) chosen.push_back(&object_of(by_uid, uid, role));
    return chosen;
  };
  for (const CaseInput& input : roles)
    out.evidence.push_back(source_of(object_of(by_uid, input.sop_instance_uid, input.role)));
  std::sort(out.evidence.begin(), out.evidence.end(),
            [](const SourceInstance& a, const SourceInstance& b) { return a.sop_instance_uid < b.sop_instance_uid; });
  DicomObject& recurrence = object("recurrence");
  out.recurrence_object = source_of(recurrence);
  {
    const storage::InstanceAttributes a = storage::read_instance_attributes(recurrence.dataset());
    out.patient_id = a.patient_id;
    out.issuer = a.issuer_of_patient_id;
  }

  const RtPlan plan = load_rt_plan(object("rtplan"));
  std::vector<DoseGrid> doses;
  std::vector<DicomObject*> dose_objects = {&object("rtdose")};
  for (DicomObject* summed : objects_with("rtdose_summed")) dose_objects.push_back(summed);
  for (DicomObject* dose_object : dose_objects) {
    CourseDose course = decide_course_dose(load_dose_grid(*dose_object), &plan);
    out.dose_interpretations.push_back(std::move(course.interpretation));
    doses.push_back(std::move(course.grid));
  }
  out.dose = sum_doses(doses);
  convert_to_utf8(object("rtstruct"), out.notes);
  convert_to_utf8(recurrence, out.notes);
  out.subject = subject_of(recurrence.dataset());
  const StructureSet planning = load_structure_set(object("rtstruct"));
  std::optional<StructureSet> followup;
  std::optional<Segmentation> seg;
  if (kind_of(recurrence) == ObjectKind::Segmentation) seg = load_segmentation(recurrence);
  else followup = load_structure_set(recurrence);

  tell(options, "loading the CT and MR series, the structures, the plan and the dose");
  const ImageSeries ct_series = load_image_series(objects_with("ct"));
  const ImageSeries mr_series = load_image_series(objects_with("mr"));
  // The series are images now; their objects' pixel data (and any decompressed copy) would only
  // raise the job's peak memory through registration and analysis. Their attributes stay.
  for (const char* role : {"ct", "mr"})
    for (DicomObject* image : objects_with(role)) image->dataset().findAndDeleteElement(DCM_PixelData);
  const double ct_spacing = ct_series.image->GetSpacing()[2];
  const double mr_spacing = mr_series.image->GetSpacing()[2];
  out.mr_frame_uid = text_of(objects_with("mr").front()->dataset(), DCM_FrameOfReferenceUID);
  out.ct_frame_uid = text_of(objects_with("ct").front()->dataset(), DCM_FrameOfReferenceUID);
  out.planning_ct = ct_series.image;
  convert_to_utf8(*objects_with("ct").front(), out.notes);
  out.planning_subject = subject_of(objects_with("ct").front()->dataset());
  {
    std::map<std::string, SourceInstance> ct_by_uid;
    for (DicomObject* ct : objects_with("ct")) {
      SourceInstance source = source_of(*ct);
      ct_by_uid[source.sop_instance_uid] = source;
    }
    for (const std::string& uid : ct_series.sop_instance_uids) out.planning_ct_slices.push_back(ct_by_uid.at(uid));
  }
  std::optional<RegistrationChoice> registration;
  if (!uids_with_role(roles, "reg").empty()) {
    const SpatialRegistration reg = load_spatial_registration(object("reg"));
    if (reg.content_label == report::own_fusion_label)
      // A fusion rtpof itself computed for an earlier report, forwarded back: its quality was checked
      // then, for that case; registering again checks it now and says "auto", as it is.
      out.notes.push_back("REG " + reg.sop_instance_uid + " is rtpof's own automatic fusion (" +
                          report::own_fusion_label + "), not a physicist's: not used as a REG");
    else
      registration = mr_to_ct_from_reg(reg, out.mr_frame_uid, out.ct_frame_uid);
  }
  if (!registration) {
    tell(options, "no Spatial Registration: registering the MR to the CT automatically (the longest stage)");
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
  } else if (plan.highest_target_prescription_gy()) {
    inputs.reference_dose_gy = *plan.highest_target_prescription_gy();
    inputs.reference_dose_source = "RTPLAN highest target prescription";
  } else {
    throw IncompleteCase({"no reference dose: the RTPLAN gives no target prescription; pass --reference-dose GY"});
  }
  check_dose_plausibility(out.dose, inputs.reference_dose_gy, inputs.reference_dose_source, options.dose_bounds);

  const std::string& planning_uid = planning.sop_instance_uid;
  for (const CtvRole& role : ctv_roles(planning, options.patterns))
    inputs.ctvs.push_back({role.roi->name, role.level, make_contour_stack(*role.roi, ct_spacing, planning_uid)});
  if (const Roi* gtv = first_matching(planning, options.patterns.gtv_primary))
    inputs.gtv_primary = NamedStack{gtv->name, "", make_contour_stack(*gtv, ct_spacing, planning_uid)};
  if (const Roi* gtv = first_matching(planning, options.patterns.gtv_nodal))
    inputs.gtv_nodal = NamedStack{gtv->name, "", make_contour_stack(*gtv, ct_spacing, planning_uid)};

  if (followup) {
    for (const Roi* roi : recurrence_rois(*followup, options.patterns)) {
      ContourStack stack = make_contour_stack(*roi, mr_spacing, followup->sop_instance_uid);
      SampledRegion region = sample_region(stack, options.points_per_structure);
      inputs.recurrences.push_back({roi->name, std::move(region), RegionShape{std::move(stack)}});
    }
  } else {
    for (SegmentMask& segment : seg->segments) {
      SampledRegion region = sample_region(segment, options.points_per_structure);
      inputs.recurrences.push_back({segment.label, std::move(region), RegionShape{std::move(segment)}});
    }
  }
  if (inputs.recurrences.empty()) throw IncompleteCase({"the follow-up objects outline no recurrence"});
}

}  // namespace

}  // namespace rtpof::jobs
