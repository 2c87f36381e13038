#pragma once
// What rtpof needs from an RTPLAN: which plan it is, whether it was approved, what it prescribed and
// in how many fractions, and which structure set and doses belong to it.
#include "pipeline/dicomrt/dicom_object.hpp"

#include <optional>
#include <string>
#include <vector>

namespace rtpof::pipeline {

struct Prescription {
  int dose_reference_number = 0;
  std::string type;         // DoseReferenceType: TARGET or ORGAN_AT_RISK
  std::string description;  // DoseReferenceDescription
  std::optional<double> target_prescription_dose_gy;
  std::string dose_source;  // where the dose was found (DoseReferenceSequence or a fraction group)
  std::optional<int> referenced_roi_number;
};

struct FractionGroup {
  int number = 0;
  std::optional<int> fractions_planned;
  std::vector<int> referenced_dose_reference_numbers;
  // Σ BeamDose (300A,0084) of the group's referenced beams: the dose of one fraction at the beams'
  // dose specification points. Empty when any beam lacks it.
  std::optional<double> beam_dose_sum_gy;
};

struct RtPlan {
  std::string sop_instance_uid, frame_of_reference_uid;
  std::string label, name, approval_status, plan_intent;  // approval: APPROVED, UNAPPROVED, REJECTED
  std::string referenced_structure_set_uid;
  std::vector<std::string> referenced_dose_uids;
  std::vector<Prescription> prescriptions;
  std::vector<FractionGroup> fraction_groups;
  std::vector<std::string> notes;

  // The highest target prescription: the reference dose by default (docs/architecture.md).
  std::optional<double> highest_target_prescription_gy() const;
  // The planned fractions of the plan's fraction group; empty when absent or when several groups disagree.
  std::optional<int> fractions_planned() const;
};

RtPlan load_rt_plan(DicomObject& object);

}  // namespace rtpof::pipeline
