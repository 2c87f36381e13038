#include "phantom/phantom_writer.hpp"

#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

#include "phantom/anatomy.hpp"
#include "phantom/contours.hpp"
#include "phantom/image_series_writer.hpp"
#include "phantom/phantom_case.hpp"
#include "phantom/planned_dose.hpp"
#include "phantom/reg_writer.hpp"
#include "phantom/rtdose_writer.hpp"
#include "phantom/rtplan_writer.hpp"
#include "phantom/rtstruct_writer.hpp"
#include "phantom/seg_writer.hpp"
#include "phantom/truth_report.hpp"
#include "phantom/uid_source.hpp"
#include "phantom/voxel_mask.hpp"

namespace fs = std::filesystem;

namespace rtpof::phantom {
namespace {

constexpr int structure_contour_points = 72;
constexpr int recurrence_contour_points = 90;

// What every object of the patient shares.
struct PatientContext {
  const PhantomSpec& spec;
  const CaseSpec& kase;
  UidSource uids;
  PatientInfo patient;
  StudyInfo planning;
  StudyInfo followup;
  std::string ct_frame;
  std::string mr_frame;
  std::array<double, 3> rotation_deg;
  Point3 translation_mm;
  RigidTransform mr_to_ct;

  PatientContext(const PhantomSpec& s, const CaseSpec& c)
      : spec(s), kase(c), uids(hash64("case:" + c.name, s.seed)) {
    std::string upper = c.name;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char ch) { return ch == '-' ? '_' : static_cast<char>(std::toupper(ch)); });
    patient.id = s.patient_id.empty() ? "RTPOF-" + upper + "-" + std::to_string(s.seed) : s.patient_id;
    patient.name = s.patient_name.empty() ? "PHANTOM^" + upper : s.patient_name;
    planning = {uids.uid("planning-study"), "20230314", "090000", "PLAN1", "RT planning (rtpof phantom)"};
    followup = {uids.uid("followup-study"), "20250611", "141500", "FU1", "Follow-up MR (rtpof phantom)"};
    ct_frame = uids.uid("planning-frame");
    mr_frame = uids.uid("followup-frame");
    rotation_deg = s.rotation_deg.value_or(std::array<double, 3>{c.rotation_deg[0], c.rotation_deg[1], c.rotation_deg[2]});
    // The CT frame's origin moves the planning objects, so MR -> CT gains that shift.
    translation_mm = s.translation_mm.value_or(c.translation_mm) + s.ct_origin_mm;
    mr_to_ct = RigidTransform::from_angles(rotation_deg[0], rotation_deg[1], rotation_deg[2], translation_mm);
  }
};

struct Planning {
  PlanningFiles files;
  SliceStack geometry;
  WrittenSeries ct;
  PlannedDose dose;
  std::vector<RoiContours> rois;
};

std::vector<RoiContours> planning_rois(const Anatomy& anatomy, const std::vector<double>& planes) {
  std::vector<RoiContours> rois;
  for (const auto& s : anatomy.structures()) {
    RoiContours roi{s.name, s.interpreted_type, s.colour, {}};
    roi.contours = s.is_body ? body_contours(planes, structure_contour_points, s.shape.centre)
                             : section_contours({s.shape, 0.0, 0.0}, planes, structure_contour_points);
    rois.push_back(std::move(roi));
  }
  return rois;
}

Planning write_planning(const PatientContext& ctx, const fs::path& out_dir) {
  const PhantomSpec& spec = ctx.spec;
  const Anatomy anatomy(spec.ct_origin_mm);
  const fs::path dir = out_dir / "plan";
  fs::create_directories(dir);
  Planning p;
  const Point3& o = spec.ct_origin_mm;
  p.geometry = SliceStack::centred_on(o.x, o.y, o.z, spec.columns, spec.rows, spec.slices, spec.pixel_spacing_mm,
                                      spec.slice_spacing_mm);

  const SeriesInfo ct_series{ctx.uids.uid("ct-series"), "CT", 1, "Planning CT"};
  ImageSeriesRequest ct{ctx.patient, ctx.planning, ct_series, ctx.ct_frame, p.geometry, dir, "CT", &ctx.uids,
                        spec.noise_hu, hash64("ct", spec.seed)};
  p.ct = write_ct_series(ct, anatomy);

  RtstructRequest rs;
  rs.patient = ctx.patient;
  rs.study = ctx.planning;
  rs.series = {ctx.uids.uid("rtstruct-series"), "RTSTRUCT", 2, "Planning structures"};
  rs.sop_uid = ctx.uids.uid("rtstruct");
  rs.label = "PLAN_STRUCTURES";
  rs.frame_uid = ctx.ct_frame;
  rs.image_series_uid = ct_series.uid;
  rs.images = &p.ct;
  rs.rois = planning_rois(anatomy, p.ct.slice_z);
  p.files.rtstruct = dir / "RTSTRUCT.dcm";
  write_rtstruct(rs, p.files.rtstruct);
  p.rois = rs.rois;

  RtplanRequest plan;
  plan.patient = ctx.patient;
  plan.study = ctx.planning;
  plan.series = {ctx.uids.uid("rtplan-series"), "RTPLAN", 3, "Plan"};
  plan.sop_uid = ctx.uids.uid("rtplan");
  plan.frame_uid = ctx.ct_frame;
  plan.rtstruct_uid = rs.sop_uid;
  plan.isocentre = anatomy.structure("PTV_70").shape.centre;
  const auto& structures = anatomy.structures();
  for (const auto& level : anatomy.prescriptions()) {
    const auto at = std::find_if(structures.begin(), structures.end(),
                                 [&](const StructureSpec& s) { return s.name == level.target_name; });
    plan.targets.push_back({static_cast<int>(at - structures.begin()) + 1, level.target_name, level.dose_gy,
                            ctx.uids.uid("dose-reference-" + level.target_name)});
  }
  p.files.rtplan = dir / "RTPLAN.dcm";
  write_rtplan(plan, p.files.rtplan);

  p.dose = PlannedDose::sample(anatomy, p.geometry);
  RtdoseRequest dose{ctx.patient, ctx.planning, {ctx.uids.uid("rtdose-series"), "RTDOSE", 4, "Plan dose"},
                     ctx.uids.uid("rtdose"), ctx.ct_frame, plan.sop_uid, &p.dose};
  p.files.rtdose = dir / "RTDOSE.dcm";
  write_rtdose(dose, p.files.rtdose);

  p.files.ct = p.ct.files;
  p.files.patient_id = ctx.patient.id;
  p.files.study_instance_uid = ctx.planning.uid;
  p.files.ct_series_instance_uid = ct_series.uid;
  p.files.frame_of_reference_uid = ctx.ct_frame;
  return p;
}

double contour_stack_cc(const RoiContours& roi, double slab_mm) {
  double mm3 = 0;
  for (const auto& c : roi.contours) mm3 += polygon_area(c) * slab_mm;
  return mm3 / 1000.0;
}

const RoiContours& roi_named(const std::vector<RoiContours>& rois, const std::string& name) {
  const auto at = std::find_if(rois.begin(), rois.end(), [&](const RoiContours& r) { return r.name == name; });
  if (at == rois.end()) throw std::logic_error("the phantom has no ROI " + name);
  return *at;
}

}  // namespace

PhantomSpec PhantomSpec::small(std::uint64_t seed) {
  PhantomSpec s;
  s.seed = seed;
  return s;
}

PhantomSpec PhantomSpec::standard(std::uint64_t seed) {
  PhantomSpec s;
  s.seed = seed;
  s.size = "standard";
  s.columns = s.rows = 512;
  s.pixel_spacing_mm = 0.5;
  s.slices = 120;
  s.mr_columns = s.mr_rows = 256;
  s.mr_slices = 100;
  s.mr_pixel_spacing_mm = 1.0;
  s.mr_slice_spacing_mm = 2.0;
  return s;
}

PlanningFiles write_planning_objects(const PhantomSpec& spec, const fs::path& out_dir) {
  const PatientContext ctx(spec, find_case(spec.case_name));
  return write_planning(ctx, out_dir).files;
}

PhantomFiles write_phantom(const PhantomSpec& spec, const fs::path& out_dir) {
  const PatientContext ctx(spec, find_case(spec.case_name));
  const Anatomy anatomy(spec.ct_origin_mm);
  Planning planning = write_planning(ctx, out_dir);
  PhantomFiles files;
  files.plan = planning.files;

  // Follow-up MR: the recurrences, placed in the planning frame, are drawn in the MR frame.
  const fs::path dir = out_dir / "followup";
  fs::create_directories(dir);
  const RigidTransform ct_to_mr = ctx.mr_to_ct.inverse();
  std::vector<LobulatedEllipsoid> lesions;
  for (const auto& r : ctx.kase.recurrences)
    lesions.push_back(recurrence_shape_in_mr(r, ct_to_mr.apply(r.centre_ct + spec.ct_origin_mm)));
  const SliceStack mr_geometry = SliceStack::centred(spec.mr_columns, spec.mr_rows, spec.mr_slices,
                                                     spec.mr_pixel_spacing_mm, spec.mr_slice_spacing_mm);
  const SeriesInfo mr_series{ctx.uids.uid("mr-series"), "MR", 1, "T1 post-contrast axial"};
  ImageSeriesRequest mr{ctx.patient, ctx.followup, mr_series, ctx.mr_frame, mr_geometry, dir, "MR", &ctx.uids,
                        spec.mr_noise, hash64("mr", spec.seed)};
  const WrittenSeries mr_images = write_mr_series(mr, anatomy, ctx.mr_to_ct, lesions);
  files.followup.mr = mr_images.files;
  files.followup.study_instance_uid = ctx.followup.uid;
  files.followup.mr_series_instance_uid = mr_series.uid;
  files.followup.frame_of_reference_uid = ctx.mr_frame;

  std::vector<RoiContours> recurrence_rois;
  for (std::size_t i = 0; i < lesions.size(); ++i)
    recurrence_rois.push_back({ctx.kase.recurrences[i].roi_name, "GTV", {255, 0, 255},
                               section_contours(lesions[i], mr_images.slice_z, recurrence_contour_points)});
  std::vector<VoxelMask> masks;
  if (spec.seg) {
    for (const auto& roi : recurrence_rois) masks.push_back(VoxelMask::from_contours(mr_geometry, roi.contours));
    SegRequest seg{ctx.patient, ctx.followup, {ctx.uids.uid("seg-series"), "SEG", 2, "Recurrence segmentation"},
                   ctx.uids.uid("seg"), ctx.mr_frame, ctx.uids.uid("seg-dimensions"), mr_series.uid, &mr_images, {}};
    for (std::size_t i = 0; i < masks.size(); ++i) seg.segments.push_back({recurrence_rois[i].name, &masks[i]});
    files.followup.recurrence = dir / "SEG_RECURRENCE.dcm";
    write_seg(seg, files.followup.recurrence);
  } else {
    RtstructRequest rs;
    rs.patient = ctx.patient;
    rs.study = ctx.followup;
    rs.series = {ctx.uids.uid("recurrence-rtstruct-series"), "RTSTRUCT", 2, "Recurrence contours"};
    rs.sop_uid = ctx.uids.uid("recurrence-rtstruct");
    rs.label = "RECURRENCE";
    rs.frame_uid = ctx.mr_frame;
    rs.image_series_uid = mr_series.uid;
    rs.images = &mr_images;
    rs.rois = recurrence_rois;
    files.followup.recurrence = dir / "RTSTRUCT_RECURRENCE.dcm";
    write_rtstruct(rs, files.followup.recurrence);
  }
  if (spec.reg) {
    RegRequest reg{ctx.patient, ctx.followup, {ctx.uids.uid("reg-series"), "REG", 3, "MR to planning CT fusion"},
                   ctx.uids.uid("reg"),
                   {ctx.planning.uid, planning.files.ct_series_instance_uid, ctx.ct_frame, &planning.ct},
                   {ctx.followup.uid, mr_series.uid, ctx.mr_frame, &mr_images}, ctx.mr_to_ct};
    files.followup.reg = dir / "REG.dcm";
    write_reg(reg, *files.followup.reg);
  }

  TruthInputs truth;
  truth.case_name = ctx.kase.name;
  truth.case_description = ctx.kase.description;
  truth.size = spec.size;
  truth.seed = spec.seed;
  truth.patient_id = ctx.patient.id;
  truth.planning_frame_uid = ctx.ct_frame;
  truth.mr_frame_uid = ctx.mr_frame;
  truth.ct_series_uid = planning.files.ct_series_instance_uid;
  truth.mr_series_uid = mr_series.uid;
  truth.rotation_deg = ctx.rotation_deg;
  truth.translation_mm = ctx.translation_mm;
  truth.mr_to_ct = ctx.mr_to_ct;
  double reference = 0;
  for (const auto& level : anatomy.prescriptions()) reference = std::max(reference, level.dose_gy);
  truth.reference_dose_gy = reference;
  truth.dose = &planning.dose;
  truth.points_per_structure = spec.truth_points;
  for (std::size_t i = 0; i < recurrence_rois.size(); ++i) {
    TruthStructure s;
    s.roi = recurrence_rois[i].name;
    s.kind = ctx.kase.recurrences[i].site;
    s.intended_class = ctx.kase.recurrences[i].intended_class;
    s.to_ct = ctx.mr_to_ct;
    if (spec.seg) {
      s.representation = "SEG";
      s.region = std::make_unique<VoxelMaskRegion>(masks[i]);
    } else {
      s.representation = "RTSTRUCT";
      s.region = std::make_unique<ContourStackRegion>(recurrence_rois[i].contours, mr_geometry.slice_mm);
    }
    truth.recurrences.push_back(std::move(s));
  }
  for (const auto& [name, level] : {std::pair<const char*, const char*>{"CTV_70", "high"},
                                    {"CTV_59.4", "intermediate"},
                                    {"CTV_54", "low"}}) {
    TruthStructure s;
    s.roi = name;
    s.kind = level;
    s.representation = "RTSTRUCT";
    s.region = std::make_unique<ContourStackRegion>(roi_named(planning.rois, name).contours, planning.geometry.slice_mm);
    truth.ctvs.push_back(std::move(s));
  }
  truth.gtv_primary_cc = contour_stack_cc(roi_named(planning.rois, "GTV_P"), planning.geometry.slice_mm);
  truth.gtv_nodal_cc = contour_stack_cc(roi_named(planning.rois, "GTV_N"), planning.geometry.slice_mm);
  files.truth = out_dir / "truth.json";
  write_truth_json(truth, files.truth);
  return files;
}

}  // namespace rtpof::phantom
