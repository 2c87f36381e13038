#include "report/report_writer.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cstdio>
#include <string>

#include "report/report_codes.hpp"
#include "report/report_uid.hpp"
#include "rtpof_version.hpp"

namespace rtpof::report {
using namespace rtpof::pipeline;  // the analysis result types the report arranges

namespace {

using Report = TID1500_MeasurementReport;
using Group = TID1500_MeasurementReport::TID1501_Measurements;
using Value = Group::MeasurementValue;

void check(const OFCondition& status, const std::string& step) {
  if (status.bad()) throw ReportError("building the report: " + step + ": " + status.text());
}

// DS holds at most 16 characters; 10 significant digits keep every figure far below its uncertainty.
std::string ds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

// What a reader reads: figures rounded to what they mean (the NUMs keep 10 digits).
std::string one_decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}
std::string no_decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", value);
  return text;
}

// "Recurrence: marginal, V95 50.1 % (in-field ≥ 95, out-field < 20), not borderline"
std::string summary_line(const RecurrenceResult& r, const ClassificationRules& rules) {
  return r.roi + ": " + to_string(r.miss_class) + ", V95 " + one_decimal(r.v95_pct) + " % (in-field \u2265 " +
         no_decimal(rules.in_field_min_v95_pct) + ", out-field < " + no_decimal(rules.marginal_min_v95_pct) + "), " +
         (r.borderline ? "borderline: V95 " + one_decimal(r.v95_range_pct[0]) + " to " + one_decimal(r.v95_range_pct[1]) +
                             " % when placed 2 mm / 1\u00B0 otherwise"
                       : "not borderline");
}

const DSRCodedEntryValue& class_code(MissClass c) {
  static const DSRCodedEntryValue in = codes::in_field(), marginal = codes::marginal(), out = codes::out_field();
  switch (c) {
    case MissClass::InField: return in;
    case MissClass::Marginal: return marginal;
    case MissClass::OutField: break;
  }
  return out;
}

// One NUM in the group: concept, value, unit, and a derivation when it is not the plain quantity.
void add_measurement(Group& group, const DSRCodedEntryValue& concept, double value, const DSRCodedEntryValue& unit,
                     const DSRCodedEntryValue& derivation, const std::string& what) {
  check(group.addMeasurement(CID7469_GenericIntensityAndSizeMeasurements(concept),
                             Value(ds(value).c_str(), CID7181_AbstractMultiDimensionalImageModelComponentUnits(unit))),
        what);
  if (!derivation.isEmpty())
    check(group.getMeasurement().setDerivation(CID7464_GeneralRegionOfInterestMeasurementModifiers(derivation)),
          what + " derivation");
}

void add_dose(Group& group, double gy, const DSRCodedEntryValue& derivation, const std::string& what) {
  add_measurement(group, codes::absorbed_dose(), gy, codes::ucum("Gy", "Gy"), derivation, what);
}

void add_volume(Group& group, double cc, const std::string& what) {
  add_measurement(group, codes::volume(), cc, codes::ucum("cm3", "cm3"), DSRCodedEntryValue(), what);
}

// The template classes do not let content be added to a TID 1501 group or the report's evaluations,
// though both templates are extensible; the finished tree does. Below each recurrence group's container
// goes a reference to the object that outlined it; below Qualitative Evaluations, the REG used.
void add_composite_below(DSRDocumentTree& tree, std::size_t node, const DSRCodedEntryValue& concept,
                         const SourceInstance& target, const std::string& what) {
  if (tree.gotoNode(node) == 0) throw ReportError("building the report: " + what + ": node lost");
  check(tree.addChildContentItem(DSRTypes::RT_contains, DSRTypes::VT_Composite, concept), what);
  check(tree.getCurrentContentItem().setCompositeReference(
            DSRCompositeReferenceValue(target.sop_class_uid.c_str(), target.sop_instance_uid.c_str())),
        what + " reference");
}

void add_references(DSRDocumentTree& tree, const CaseResult& result, const ReportContext& context) {
  std::vector<std::size_t> recurrence_groups;
  std::size_t evaluations = 0;
  if (tree.gotoRoot() == 0) throw ReportError("building the report: the document tree is empty");
  do {
    const DSRContentItem& item = tree.getCurrentContentItem();
    const DSRCodedEntryValue& concept = item.getConceptName();
    if (item.getValueType() == DSRTypes::VT_Text && concept.getCodeValue() == "112039") {
      for (const RecurrenceResult& r : result.recurrences)
        if (item.getStringValue() == r.roi.c_str()) {
          const std::size_t here = tree.getNodeID();
          recurrence_groups.push_back(tree.goUp());
          tree.gotoNode(here);
        }
    } else if (item.getValueType() == DSRTypes::VT_Container && concept.getCodeValue() == "C0034375") {
      evaluations = tree.getNodeID();
    }
  } while (tree.iterate() != 0);
  for (std::size_t group : recurrence_groups)
    add_composite_below(tree, group, codes::source_of_measurement(), context.recurrence_object, "recurrence source");
  if (context.registration.source == "REG" && evaluations != 0) {
    SourceInstance reg;
    reg.sop_class_uid = UID_SpatialRegistrationStorage;
    reg.sop_instance_uid = context.registration.reg_uid;
    add_composite_below(tree, evaluations, codes::registration_reference(), reg, "registration reference");
  }
}

void start_group(Report& report, const std::string& tracking_id, const std::string& tracking_uid,
                 const DSRCodedEntryValue& finding) {
  check(report.addIndividualMeasurements(), "measurement group " + tracking_id);
  Group& group = report.getIndividualMeasurements();
  check(group.setTrackingIdentifier(tracking_id.c_str()), "tracking identifier " + tracking_id);
  check(group.setTrackingUniqueIdentifier(tracking_uid.c_str()), "tracking UID of " + tracking_id);
  check(group.setFinding(finding), "finding of " + tracking_id);
}

void add_recurrence(Report& report, const RecurrenceResult& r, const CaseResult& result,
                    const std::string& tracking_uid) {
  const std::string what = "recurrence " + r.roi;
  start_group(report, r.roi, tracking_uid, codes::recurrence());
  Group& group = report.getIndividualMeasurements();
  add_volume(group, r.volume_cc, what + " volume");
  add_measurement(group, codes::v95(), r.v95_pct, codes::ucum("%", "%"), DSRCodedEntryValue(), what + " V95");
  check(group.getMeasurement().addDerivationParameter(
            codes::reference_dose(), CMR_SRNumericMeasurementValue(ds(result.reference_dose_gy).c_str(), codes::ucum("Gy", "Gy"))),
        what + " reference dose");
  check(group.getMeasurement().addDerivationParameter(
            codes::dose_threshold(),
            CMR_SRNumericMeasurementValue(ds(0.95 * result.reference_dose_gy).c_str(), codes::ucum("Gy", "Gy"))),
        what + " dose threshold");
  add_dose(group, r.d100_gy, codes::minimum(), what + " D100");
  add_dose(group, r.d98_gy, codes::d98(), what + " D98");
  add_dose(group, r.d95_gy, codes::d95(), what + " D95");
  add_dose(group, r.dmean_gy, codes::mean(), what + " Dmean");
  add_dose(group, r.dmax_gy, codes::maximum(), what + " Dmax");
  if (r.centroid_dose_gy) add_dose(group, *r.centroid_dose_gy, codes::at_centroid(), what + " centroid dose");
  add_measurement(group, codes::v95(), r.v95_range_pct[0], codes::ucum("%", "%"), codes::lowest_placement(),
                  what + " V95 range");
  add_measurement(group, codes::v95(), r.v95_range_pct[1], codes::ucum("%", "%"), codes::highest_placement(),
                  what + " V95 range");
  add_measurement(group, codes::coverage(), r.coverage_pct, codes::ucum("%", "%"), DSRCodedEntryValue(),
                  what + " coverage");
  check(group.addQualitativeEvaluation(codes::miss_class(), class_code(r.miss_class)), what + " class");
  check(group.addQualitativeEvaluation(codes::borderline(), r.borderline ? codes::yes() : codes::no()),
        what + " borderline flag");
  if (r.centroid_in) check(group.addQualitativeEvaluation(codes::centroid_in(), r.centroid_in->c_str()), what + " centroid CTV");
  if (!r.percent_in_ctv.empty()) {
    std::string inside;
    for (const auto& [ctv, pct] : r.percent_in_ctv) inside += (inside.empty() ? "" : "; ") + ctv + " " + one_decimal(pct) + " %";
    check(group.addQualitativeEvaluation(codes::inside_ctvs(), inside.c_str()), what + " inside CTVs");
  }
}

void add_ctv(Report& report, const CtvResult& c, const std::string& tracking_uid) {
  const std::string what = "CTV " + c.roi;
  start_group(report, c.roi, tracking_uid, codes::ctv());
  Group& group = report.getIndividualMeasurements();
  add_volume(group, c.volume_cc, what + " volume");
  add_dose(group, c.d95_gy, codes::d95(), what + " D95");
  add_dose(group, c.d98_gy, codes::d98(), what + " D98");
  add_measurement(group, codes::coverage(), c.coverage_pct, codes::ucum("%", "%"), DSRCodedEntryValue(),
                  what + " coverage");
  if (!c.level.empty()) check(group.addQualitativeEvaluation(codes::dose_level(), c.level.c_str()), what + " level");
}

void add_gtv(Report& report, const std::string& name, double cc, const DSRCodedEntryValue& finding,
             const std::string& uid) {
  start_group(report, name, uid, finding);
  add_volume(report.getIndividualMeasurements(), cc, "GTV " + name + " volume");
}

// Report-level evaluations: where the reference dose came from, what the dose grid was read as, and
// which registration placed the MR.
void add_case_evaluations(Report& report, const CaseResult& result, const ReportContext& context) {
  // First what the physicist came for: one rounded line per recurrence, then the rules that made it.
  for (const RecurrenceResult& r : result.recurrences)
    check(report.addQualitativeEvaluation(codes::summary(), summary_line(r, result.rules).c_str()), "summary of " + r.roi);
  const ClassificationRules& rules = result.rules;
  check(report.addQualitativeEvaluation(
            codes::class_thresholds(),
            ("in-field: V95 \u2265 " + one_decimal(rules.in_field_min_v95_pct) + " %; marginal: " +
             one_decimal(rules.marginal_min_v95_pct) + " % \u2264 V95 < " + one_decimal(rules.in_field_min_v95_pct) +
             " %; out-field: V95 < " + one_decimal(rules.marginal_min_v95_pct) +
             " %; V95 is the percent of the recurrence receiving at least 95 % of the reference dose")
                .c_str()),
        "classification thresholds");
  check(report.addQualitativeEvaluation(codes::reference_dose_source(),
                                        (ds(result.reference_dose_gy) + " Gy, " + result.reference_dose_source).c_str()),
        "reference dose source");
  if (!context.dose_interpretation.empty())
    check(report.addQualitativeEvaluation(codes::dose_interpretation(), context.dose_interpretation.c_str()),
          "dose interpretation");
  const RegistrationChoice& reg = context.registration;
  if (reg.source == "REG") {
    check(report.addQualitativeEvaluation(codes::registration_method(), codes::registration_object()),
          "registration method");
  } else {
    check(report.addQualitativeEvaluation(codes::registration_method(), codes::content_based_alignment()),
          "registration method");
    if (reg.quality) {
      check(report.addQualitativeEvaluation(codes::registration_quality(), reg.quality->summary.c_str()),
            "registration quality");
      check(report.addQualitativeEvaluation(codes::registration_doubtful(), reg.quality->doubtful ? codes::yes() : codes::no()),
            "registration doubt");
    }
  }
}

void set_document_attributes(DSRDocument& doc, const ReportContext& context) {
  const ReportSubject& s = context.subject;
  check(doc.setSpecificCharacterSetType(DSRTypes::CS_UTF8), "character set");
  check(doc.setPatientName(s.patient_name.c_str(), false), "PatientName");
  check(doc.setPatientID(s.patient_id.c_str(), false), "PatientID");
  if (!s.issuer_of_patient_id.empty()) check(doc.setIssuerOfPatientID(s.issuer_of_patient_id.c_str(), false), "IssuerOfPatientID");
  check(doc.setPatientBirthDate(s.birth_date.c_str(), false), "PatientBirthDate");
  check(doc.setPatientSex(s.sex.c_str(), false), "PatientSex");
  check(doc.createNewSeriesInStudy(s.study_uid.c_str()), "StudyInstanceUID");
  check(doc.setStudyDate(s.study_date.c_str(), false), "StudyDate");
  check(doc.setStudyTime(s.study_time.c_str(), false), "StudyTime");
  check(doc.setStudyID(s.study_id.c_str(), false), "StudyID");
  check(doc.setAccessionNumber(s.accession_number.c_str(), false), "AccessionNumber");
  check(doc.setReferringPhysicianName(s.referring_physician.c_str(), false), "ReferringPhysicianName");
  check(doc.setSeriesDescription("rtpof recurrence dose analysis"), "SeriesDescription");
  check(doc.setSeriesNumber("9750"), "SeriesNumber");
  check(doc.setInstanceNumber(std::to_string(context.identity.instance_number).c_str()), "InstanceNumber");
  check(doc.setManufacturer(context.device.manufacturer.c_str()), "Manufacturer");
  check(doc.setManufacturerModelName(context.device.model.c_str()), "ManufacturerModelName");
  check(doc.setSoftwareVersions(context.device.version.c_str()), "SoftwareVersions");
  check(doc.setContentDate(context.identity.content_date.c_str()), "ContentDate");
  check(doc.setContentTime(context.identity.content_time.c_str()), "ContentTime");
  check(doc.setSeriesDate(context.identity.content_date.c_str()), "SeriesDate");
  check(doc.setSeriesTime(context.identity.content_time.c_str()), "SeriesTime");
  check(doc.completeDocument(), "completion flag");

  DSRCodingSchemeIdentificationList& schemes = doc.getCodingSchemeIdentification();
  check(schemes.addItem(codes::private_scheme), "coding scheme");
  check(schemes.setCodingSchemeName(codes::private_scheme_name), "coding scheme name");
  check(schemes.setCodingSchemeResponsibleOrganization("rtpof project"), "coding scheme organization");
  for (const char* standard : {"DCM", "SCT", "UCUM"}) check(schemes.addItem(standard), "coding scheme " + std::string(standard));

  for (const SourceInstance& source : context.evidence)
    check(doc.getCurrentRequestedProcedureEvidence().addItem(source.study_uid.c_str(), source.series_uid.c_str(),
                                                             source.sop_class_uid.c_str(), source.sop_instance_uid.c_str()),
          "evidence " + source.sop_instance_uid);
  if (const auto& p = context.identity.predecessor)
    check(doc.getPredecessorDocuments().addItem(p->study_uid.c_str(), p->series_uid.c_str(), p->sop_class_uid.c_str(),
                                               p->sop_instance_uid.c_str()),
          "predecessor document");
}

}  // namespace

void write_report(const CaseResult& result, const ReportContext& context, DcmFileFormat& out) {
  Report report(CID7021_MeasurementReportDocumentTitles::OncologyMeasurementReport);
  // CID 5000's meaning for en-US; DCMTK 3.6.7 writes a shorter one that PixelMed flags.
  check(report.getLanguage().setLanguage(
            CID5000_Languages(DSRCodedEntryValue("en-US", "RFC5646", "English (United States)"))),
        "language");
  const ReportDevice& device = context.device;
  check(report.getObservationContext().addDeviceObserver(device.uid.c_str(), device.name.c_str(),
                                                         device.manufacturer.c_str(), device.model.c_str()),
        "device observer");
  check(report.addProcedureReported(CID100_QuantitativeDiagnosticImagingProcedures::MRIUnspecifiedBodyRegion),
        "procedure reported");
  // TID 1600's Image Library is required, its groups are not (1-n, user option). Listing every CT and MR
  // slice put 110 image links before the first figure; the images are in the evidence, and each group
  // references the object it measured, so the library stays an empty container.
  check(report.getImageLibrary().createNewImageLibrary(), "image library");

  // Tracking UIDs follow the object and the name, so a later report of the same ROI tracks the same finding.
  const std::string tracking_root = context.recurrence_object.sop_instance_uid + "/";
  for (const RecurrenceResult& r : result.recurrences)
    add_recurrence(report, r, result, name_based_uid(tracking_root + r.roi));
  for (const CtvResult& c : result.ctvs) add_ctv(report, c, name_based_uid(context.subject.study_uid + "/ctv/" + c.roi));
  // A GTV's tracking identifier is its ROI name, as the recurrences' and CTVs' are; the finding says
  // primary or nodal.
  if (result.gtv_primary_cc)
    add_gtv(report, result.gtv_primary_roi.empty() ? "GTV primary" : result.gtv_primary_roi, *result.gtv_primary_cc,
            codes::gtv_primary(), name_based_uid(context.subject.study_uid + "/gtv/primary"));
  if (result.gtv_nodal_cc)
    add_gtv(report, result.gtv_nodal_roi.empty() ? "GTV nodal" : result.gtv_nodal_roi, *result.gtv_nodal_cc,
            codes::gtv_nodal(), name_based_uid(context.subject.study_uid + "/gtv/nodal"));
  add_case_evaluations(report, result, context);
  if (!report.isValid()) throw ReportError("building the report: TID 1500 is incomplete");

  DSRDocument doc(DSRTypes::DT_EnhancedSR);
  check(doc.setTreeFromRootTemplate(report, OFTrue), "document tree");
  add_references(doc.getTree(), result, context);
  set_document_attributes(doc, context);

  out.clear();
  DcmDataset& dataset = *out.getDataset();
  check(doc.write(dataset), "writing the dataset");
  // DSRDocument makes its own UIDs; the report's are the caller's, so a re-send carries the same one.
  check(dataset.putAndInsertString(DCM_SOPInstanceUID, context.identity.sop_instance_uid.c_str()), "SOPInstanceUID");
  check(dataset.putAndInsertString(DCM_SeriesInstanceUID, context.identity.series_uid.c_str()), "SeriesInstanceUID");
}

void write_report_file(const CaseResult& result, const ReportContext& context, const std::filesystem::path& file) {
  DcmFileFormat report;
  write_report(result, context, report);
  const OFCondition status = report.saveFile(file.c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) throw std::runtime_error("cannot write the report " + file.string() + ": " + status.text());
}

ReportDevice report_device(const std::string& node_name) {
  ReportDevice device;
  device.uid = name_based_uid("rtpof device/" + node_name);
  device.version = rtpof::version;
  return device;
}

}  // namespace rtpof::report
