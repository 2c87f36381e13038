#include "report/dataset_modules.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>

#include "report/report_writer.hpp"

namespace rtpof::report {

void put_text(DcmItem& item, const DcmTagKey& tag, const std::string& value, const std::string& object) {
  const OFCondition status = item.putAndInsertString(tag, value.c_str());
  if (status.bad())
    throw ReportError("building the " + object + ": " + DcmTag(tag).getTagName() + ": " + status.text());
}

void put_identity_patient_and_study(DcmItem& d, const std::string& sop_class_uid, const std::string& sop_instance_uid,
                                    const ReportSubject& s, const std::string& object) {
  put_text(d, DCM_SpecificCharacterSet, "ISO_IR 192", object);
  put_text(d, DCM_SOPClassUID, sop_class_uid, object);
  put_text(d, DCM_SOPInstanceUID, sop_instance_uid, object);
  put_text(d, DCM_PatientName, s.patient_name, object);
  put_text(d, DCM_PatientID, s.patient_id, object);
  if (!s.issuer_of_patient_id.empty()) put_text(d, DCM_IssuerOfPatientID, s.issuer_of_patient_id, object);
  put_text(d, DCM_PatientBirthDate, s.birth_date, object);
  put_text(d, DCM_PatientSex, s.sex, object);
  put_text(d, DCM_StudyInstanceUID, s.study_uid, object);
  put_text(d, DCM_StudyDate, s.study_date, object);
  put_text(d, DCM_StudyTime, s.study_time, object);
  put_text(d, DCM_StudyID, s.study_id, object);
  put_text(d, DCM_AccessionNumber, s.accession_number, object);
  put_text(d, DCM_ReferringPhysicianName, s.referring_physician, object);
}

}  // namespace rtpof::report
