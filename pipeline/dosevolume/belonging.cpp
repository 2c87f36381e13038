#include "pipeline/dosevolume/belonging.hpp"

#include <algorithm>

namespace rtpof::pipeline {

std::vector<std::string> why_not_together(const StructureSet& set, const std::string& structures_patient_id,
                                          const DoseGrid& dose, const std::string& dose_patient_id) {
  std::vector<std::string> problems;
  std::vector<std::string> frames = set.frame_of_reference_uids;
  for (const Roi& roi : set.rois)
    if (!roi.frame_of_reference_uid.empty() &&
        std::find(frames.begin(), frames.end(), roi.frame_of_reference_uid) == frames.end())
      frames.push_back(roi.frame_of_reference_uid);
  if (!frames.empty() && std::find(frames.begin(), frames.end(), dose.frame_of_reference_uid) == frames.end()) {
    std::string list;
    for (const auto& f : frames) list += (list.empty() ? "" : ", ") + f;
    problems.push_back("RTSTRUCT " + set.sop_instance_uid + " is in Frame of Reference " + list + " but RTDOSE " +
                       dose.sop_instance_uid + " is in " + dose.frame_of_reference_uid);
  }
  if (structures_patient_id != dose_patient_id)
    problems.push_back("RTSTRUCT " + set.sop_instance_uid + " and RTDOSE " + dose.sop_instance_uid +
                       " belong to different patients (their PatientIDs differ)");
  return problems;
}

}  // namespace rtpof::pipeline
