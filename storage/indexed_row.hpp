#pragma once
// One instance as the index describes it: enough to match reference chains without opening a file.
#include <string>
#include <vector>

#include "storage/instance_attributes.hpp"

namespace rtpof::storage {

struct IndexedRow {
  std::string sop_instance_uid, sop_class_uid;
  std::string study_instance_uid, series_instance_uid, modality, frame_of_reference_uid;
  std::vector<ReferencedUid> references;
  std::string received_at;     // ISO 8601, orders "latest"
  std::string content_digest;  // changes when the content does (size and hash): a corrected object
  std::string rt_status;       // RTPLAN ApprovalStatus, RTDOSE DoseSummationType; else empty
};

}  // namespace rtpof::storage
