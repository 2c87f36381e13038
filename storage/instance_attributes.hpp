#pragma once
// What the index keeps of an instance: identity, patient/study/series, and for RT objects the UIDs
// they reference, so that matching never has to reopen a file.
#include <string>
#include <vector>

class DcmDataset;

namespace rtpof::storage {

struct ReferencedUid {
  std::string kind;  // "rtplan", "rtstruct", "rtdose", "series", "frame", "instance"
  std::string uid;
  bool operator==(const ReferencedUid& other) const { return kind == other.kind && uid == other.uid; }
};

struct InstanceAttributes {
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string patient_id;
  std::string issuer_of_patient_id;
  std::string study_instance_uid;
  std::string series_instance_uid;
  std::string modality;
  std::string frame_of_reference_uid;  // empty when the object has none (RTPLAN, SR)
  std::vector<ReferencedUid> references;
  // What matching weighs between candidates: an RTPLAN's ApprovalStatus, an RTDOSE's DoseSummationType.
  std::string rt_status;
  // For the audit trail only (never logged, not indexed): the patient's name and the study's
  // description, in the object's character set.
  std::string patient_name, study_description, specific_character_set;
};

// Reads and checks the attributes above. Throws IngestError naming the tag, keyword and instance
// when one is missing or a UID is malformed.
InstanceAttributes read_instance_attributes(DcmDataset& dataset);

}  // namespace rtpof::storage
