#pragma once
// The events rtpof reports to a hospital's audit record repository, in the terms of DICOM PS3.15 A.5.3
// (docs/operations.md "Audit trail" lists when each is sent). Text here is UTF-8: names read from DICOM
// objects are converted by dicom_text_to_utf8 first. These events name patients by ID and name, as the
// standard requires, so they go to the audit trail only, never into the operational log.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace rtpof::audit {

// An application entity taking part: its AE title and where it is (host name or IP address).
struct Participant {
  std::string ae_title;
  std::string address;  // empty: unknown
};

struct StudyObject {
  std::string study_uid;
  std::string description;                                     // empty: none
  std::map<std::string, std::uint64_t> instances_by_sop_class;  // SOP Class UID -> instances
  std::vector<std::string> instance_uids;                       // listed for an export only
};

struct PatientObject {
  std::string id, name;
};

// A.5.3.1 Application Activity: the node started or stopped.
struct ApplicationActivity {
  bool started = true;
  std::string launcher;  // the operating-system user that runs the node
};

// A.5.3.7 DICOM Instances Transferred, as the receiver: one per association that brought instances.
struct InstancesReceived {
  Participant source, destination;
  char action = 'C';               // C: new to rtpof; R: only copies it held; U: some corrected
  bool some_refused = false;       // minor failure: some C-STOREs were refused
  std::string outcome_description;  // counts, and why some were refused
  std::vector<StudyObject> studies;
  std::vector<PatientObject> patients;
};

// A.5.3.4 Data Export (EventID 110106 "Export"): a report object left rtpof for a destination, which acknowledged it.
struct ReportExported {
  Participant source, destination;
  StudyObject study;
  PatientObject patient;
};

// A.5.3.11 Security Alert: an association refused, or a TLS handshake that failed.
struct SecurityAlert {
  enum class Kind { node_authentication, association_refused };
  Kind kind = Kind::association_refused;
  Participant requestor;  // the peer; its AE title is empty when its request could not be read
  Participant node;       // rtpof
  std::string reason;
};

using AuditEvent = std::variant<ApplicationActivity, InstancesReceived, ReportExported, SecurityAlert>;

// Who reports: the AuditSourceIdentification and rtpof's own participant.
struct AuditSource {
  std::string source_id;        // AuditSourceID
  std::string enterprise_site;  // AuditEnterpriseSiteID; empty: left out
  std::string ae_title;         // rtpof's AE title
  std::string host_name;        // this machine
  long process_id = 0;
};

}  // namespace rtpof::audit
