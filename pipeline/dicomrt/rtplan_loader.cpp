#include "pipeline/dicomrt/rt_plan.hpp"

#include "pipeline/dicomrt/attribute_reader.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <map>

namespace rtpof::pipeline {
namespace {

constexpr const char* kRtPlanClass = "1.2.840.10008.5.1.4.1.1.481.5";

std::optional<int> optional_int(const AttributeReader& item, const DcmTagKey& tag) {
  if (auto value = optional_integer_of(item, tag)) return static_cast<int>(*value);
  return std::nullopt;
}

}  // namespace

std::optional<double> RtPlan::highest_target_prescription_gy() const {
  std::optional<double> highest;
  for (const Prescription& p : prescriptions)
    if (p.type == "TARGET" && p.target_prescription_dose_gy && (!highest || *p.target_prescription_dose_gy > *highest))
      highest = p.target_prescription_dose_gy;
  return highest;
}

std::optional<int> RtPlan::fractions_planned() const {
  std::optional<int> fractions;
  for (const FractionGroup& group : fraction_groups) {
    if (!group.fractions_planned) continue;
    if (fractions && *fractions != *group.fractions_planned) return std::nullopt;
    fractions = group.fractions_planned;
  }
  return fractions;
}

RtPlan load_rt_plan(DicomObject& object) {
  const AttributeReader dataset(object.dataset(), object.label());
  if (object.sop_class_uid() != kRtPlanClass)
    dataset.fail(DCM_SOPClassUID, "is " + object.sop_class_uid() + ", not RT Plan Storage");
  RtPlan plan;
  plan.sop_instance_uid = object.sop_instance_uid();
  plan.frame_of_reference_uid = dataset.optional_string(DCM_FrameOfReferenceUID);
  plan.label = dataset.string(DCM_RTPlanLabel);
  plan.name = dataset.optional_string(DCM_RTPlanName);
  plan.approval_status = dataset.optional_string(DCM_ApprovalStatus, "UNAPPROVED");
  plan.plan_intent = dataset.optional_string(DCM_PlanIntent);
  if (auto structures = dataset.optional_item(DCM_ReferencedStructureSetSequence))
    plan.referenced_structure_set_uid = structures->string(DCM_ReferencedSOPInstanceUID);
  for (std::size_t i = 0; i < dataset.items(DCM_ReferencedDoseSequence); ++i)
    plan.referenced_dose_uids.push_back(
        dataset.item(DCM_ReferencedDoseSequence, i).string(DCM_ReferencedSOPInstanceUID));

  std::map<int, std::size_t> by_number;
  for (std::size_t i = 0; i < dataset.items(DCM_DoseReferenceSequence); ++i) {
    const AttributeReader item = dataset.item(DCM_DoseReferenceSequence, i);
    Prescription prescription;
    prescription.dose_reference_number = static_cast<int>(integer_of(item, DCM_DoseReferenceNumber));
    prescription.type = item.optional_string(DCM_DoseReferenceType);
    prescription.description = item.optional_string(DCM_DoseReferenceDescription);
    prescription.referenced_roi_number = optional_int(item, DCM_ReferencedROINumber);
    if (auto dose = item.optional_number(DCM_TargetPrescriptionDose)) {
      if (!(*dose > 0)) item.fail(DCM_TargetPrescriptionDose, "must be positive");
      prescription.target_prescription_dose_gy = dose;
      prescription.dose_source = "DoseReferenceSequence";
    }
    by_number[prescription.dose_reference_number] = plan.prescriptions.size();
    plan.prescriptions.push_back(prescription);
  }

  for (std::size_t g = 0; g < dataset.items(DCM_FractionGroupSequence); ++g) {
    const AttributeReader item = dataset.item(DCM_FractionGroupSequence, g);
    FractionGroup group;
    group.number = static_cast<int>(integer_of(item, DCM_FractionGroupNumber));
    group.fractions_planned = optional_int(item, DCM_NumberOfFractionsPlanned);
    if (group.fractions_planned && *group.fractions_planned < 1)
      item.fail(DCM_NumberOfFractionsPlanned, "must be at least 1");
    for (std::size_t r = 0; r < item.items(DCM_ReferencedDoseReferenceSequence); ++r) {
      const AttributeReader reference = item.item(DCM_ReferencedDoseReferenceSequence, r);
      const int number = static_cast<int>(integer_of(reference, DCM_ReferencedDoseReferenceNumber));
      group.referenced_dose_reference_numbers.push_back(number);
      // Some planning systems leave the Dose Reference's prescription empty and give it here.
      const auto found = by_number.find(number);
      const std::optional<double> dose = reference.optional_number(DCM_TargetPrescriptionDose);
      if (found != by_number.end() && dose && !plan.prescriptions[found->second].target_prescription_dose_gy) {
        plan.prescriptions[found->second].target_prescription_dose_gy = dose;
        plan.prescriptions[found->second].dose_source =
            "FractionGroupSequence " + std::to_string(group.number) + " > ReferencedDoseReferenceSequence";
        plan.notes.push_back("prescription of dose reference " + std::to_string(number) +
                             " taken from the fraction group, as written");
      }
    }
    const std::size_t beams = item.items(DCM_ReferencedBeamSequence);
    double beam_dose = 0;
    std::size_t with_dose = 0;
    for (std::size_t b = 0; b < beams; ++b)
      if (const auto d = item.item(DCM_ReferencedBeamSequence, b).optional_number(DCM_BeamDose)) {
        beam_dose += *d;
        ++with_dose;
      }
    if (beams > 0 && with_dose == beams) group.beam_dose_sum_gy = beam_dose;
    plan.fraction_groups.push_back(group);
  }
  return plan;
}

}  // namespace rtpof::pipeline
