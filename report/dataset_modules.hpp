#pragma once
// The attributes every object rtpof writes with DCMTK's dcmdata shares (the REG, the Encapsulated PDF):
// one checked put, and the SOP Common, Patient and General Study modules from the report's subject.
#include <string>

#include "report/report_content.hpp"

class DcmItem;
class DcmTagKey;

namespace rtpof::report {

// Puts a string attribute; throws ReportError ("building the <object>: <attribute>: <why>").
void put_text(DcmItem& item, const DcmTagKey& tag, const std::string& value, const std::string& object);

// Specific Character Set (ISO_IR 192: the subject is UTF-8), SOP Class and Instance UIDs, the Patient
// module and the General Study module.
void put_identity_patient_and_study(DcmItem& dataset, const std::string& sop_class_uid, const std::string& sop_instance_uid,
                                    const ReportSubject& subject, const std::string& object);

}  // namespace rtpof::report
