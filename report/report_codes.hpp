#pragma once
// The codes of the report. Standard ones where DICOM, SNOMED CT or UCUM has the concept; the rest in
// rtpof's private scheme 99RTPOF (declared in the SR's Coding Scheme Identification Sequence).
// docs/report.md lists them; scripts that read the reports match on these code values.
#include <dcmtk/dcmsr/dsrcodvl.h>

namespace rtpof::report::codes {

inline constexpr const char* private_scheme = "99RTPOF";
inline constexpr const char* private_scheme_name = "rtpof recurrence analysis codes";

inline DSRCodedEntryValue rtpof(const char* value, const char* meaning) {
  return DSRCodedEntryValue(value, private_scheme, meaning);
}
inline DSRCodedEntryValue dcm(const char* value, const char* meaning) { return DSRCodedEntryValue(value, "DCM", meaning); }
inline DSRCodedEntryValue sct(const char* value, const char* meaning) { return DSRCodedEntryValue(value, "SCT", meaning); }
inline DSRCodedEntryValue ucum(const char* value, const char* meaning) { return DSRCodedEntryValue(value, "UCUM", meaning); }

// Concepts of the measurements
inline DSRCodedEntryValue volume() { return sct("118565006", "Volume"); }
inline DSRCodedEntryValue absorbed_dose() { return dcm("128513", "Absorbed Dose"); }
inline DSRCodedEntryValue v95() { return rtpof("V95", "Percent volume receiving 95 % of the reference dose"); }
inline DSRCodedEntryValue summary() { return rtpof("SUMMARY", "Recurrence classification summary"); }
inline DSRCodedEntryValue class_thresholds() { return rtpof("THRESHOLDS", "Classification thresholds"); }
inline DSRCodedEntryValue inside_ctvs() { return rtpof("INCTV", "Percent of the volume inside each CTV"); }
inline DSRCodedEntryValue coverage() { return rtpof("COVERAGE", "Percent volume inside the dose grid"); }
inline DSRCodedEntryValue reference_dose() { return dcm("130009", "Prescription Radiation Dose"); }
inline DSRCodedEntryValue dose_threshold() { return dcm("130019", "Specified Radiation Dose"); }

// Derivations (CID 7464 is extensible)
inline DSRCodedEntryValue minimum() { return sct("255605001", "Minimum"); }  // D100
inline DSRCodedEntryValue maximum() { return sct("56851009", "Maximum"); }
inline DSRCodedEntryValue mean() { return sct("373098007", "Mean"); }
inline DSRCodedEntryValue d98() { return rtpof("D98", "Minimum dose to the hottest 98 % of the volume"); }
inline DSRCodedEntryValue d95() { return rtpof("D95", "Minimum dose to the hottest 95 % of the volume"); }
inline DSRCodedEntryValue at_centroid() { return rtpof("CENTROID", "At the centroid"); }
inline DSRCodedEntryValue lowest_placement() { return rtpof("V95LOW", "Lowest over the placement perturbations"); }
inline DSRCodedEntryValue highest_placement() { return rtpof("V95HIGH", "Highest over the placement perturbations"); }

// Findings
inline DSRCodedEntryValue recurrence() { return dcm("111338", "Recurrent malignancy"); }
inline DSRCodedEntryValue ctv() { return sct("228792002", "Clinical target volume"); }
inline DSRCodedEntryValue gtv_primary() { return dcm("130052", "GTV Primary"); }
inline DSRCodedEntryValue gtv_nodal() { return dcm("130051", "GTV Nodal"); }

// Qualitative evaluations
inline DSRCodedEntryValue miss_class() { return rtpof("MISSCLASS", "Recurrence location relative to the high-dose region"); }
inline DSRCodedEntryValue in_field() { return rtpof("IN-FIELD", "In-field"); }
inline DSRCodedEntryValue marginal() { return rtpof("MARGINAL", "Marginal"); }
inline DSRCodedEntryValue out_field() { return rtpof("OUT-FIELD", "Out-field"); }
inline DSRCodedEntryValue borderline() { return rtpof("BORDERLINE", "Class changes under small placement errors"); }
inline DSRCodedEntryValue yes() { return sct("373066001", "Yes"); }
inline DSRCodedEntryValue no() { return sct("373067005", "No"); }
inline DSRCodedEntryValue centroid_in() { return rtpof("CENTROIDIN", "Highest CTV holding the centroid"); }
inline DSRCodedEntryValue dose_level() { return rtpof("DOSELEVEL", "Dose level"); }
inline DSRCodedEntryValue reference_dose_source() { return rtpof("REFSOURCE", "Source of the reference dose"); }
inline DSRCodedEntryValue dose_interpretation() { return rtpof("DOSEREAD", "Dose interpretation"); }
inline DSRCodedEntryValue source_of_measurement() { return dcm("121112", "Source of Measurement"); }
inline DSRCodedEntryValue registration_method() { return dcm("128446", "Registration Method"); }
inline DSRCodedEntryValue content_based_alignment() { return dcm("125024", "Image Content-based Alignment"); }
inline DSRCodedEntryValue registration_object() { return rtpof("REGOBJECT", "Spatial Registration object"); }
inline DSRCodedEntryValue registration_reference() { return dcm("128444", "Spatial Registration Reference"); }
inline DSRCodedEntryValue registration_quality() { return rtpof("REGQUALITY", "Registration quality"); }
inline DSRCodedEntryValue registration_doubtful() { return rtpof("REGDOUBT", "Registration doubtful"); }

}  // namespace rtpof::report::codes
