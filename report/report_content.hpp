#pragma once
// What a report needs besides the analysis' numbers: whose it is, which study it joins, which instances it
// was computed from, which registration it used, and its own identity. The caller (a node job or
// `rtpof analyze --sr`) fills it from the loaded objects; the writer only arranges it.
#include <optional>
#include <string>
#include <vector>

#include "pipeline/registration/registration.hpp"

namespace rtpof::report {

// The follow-up study's patient and study attributes, copied into the SR (it belongs to that study).
// UTF-8: the SR declares ISO_IR 192.
struct ReportSubject {
  std::string patient_name, patient_id, issuer_of_patient_id, birth_date, sex;
  std::string study_uid, study_date, study_time, study_id, accession_number, referring_physician;
};

struct SourceInstance {
  std::string sop_class_uid, sop_instance_uid, series_uid, study_uid, modality;
};

struct ReportDevice {
  std::string uid;  // stable per node: the observer context names the same device in every report
  std::string name = "rtpof";
  std::string manufacturer = "rtpof";
  std::string model = "rtpof";
  std::string version;
};

struct ReportIdentity {
  std::string sop_instance_uid;
  std::string series_uid;              // one rtpof series per follow-up study (see report_uid.hpp)
  std::string content_date, content_time;  // YYYYMMDD, HHMMSS
  unsigned instance_number = 1;        // the case version: a later report of the same case counts up
  std::optional<SourceInstance> predecessor;  // the report this one replaces, if any
};

struct ReportContext {
  ReportSubject subject;
  ReportDevice device;
  ReportIdentity identity;
  std::vector<SourceInstance> evidence;  // every instance the analysis read
  SourceInstance recurrence_object;      // the RTSTRUCT or SEG outlining the recurrences
  pipeline::RegistrationChoice registration;
  std::string dose_interpretation;  // what each RTDOSE was read as (pipeline/dosevolume/dose_meaning.hpp's describe)
};

}  // namespace rtpof::report
