#include "tests/support/sr_reader.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <stdexcept>

namespace rtpof::testing {
namespace {

std::string text(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  item.findAndGetOFStringArray(tag, value);
  return value.c_str();
}

std::string code_in(DcmItem& item, const DcmTagKey& sequence) {
  DcmItem* code = nullptr;
  if (item.findAndGetSequenceItem(sequence, code, 0).bad() || code == nullptr) return "";
  return text(*code, DCM_CodeValue);
}

std::vector<DcmItem*> children(DcmItem& item) {
  std::vector<DcmItem*> out;
  DcmSequenceOfItems* content = nullptr;
  if (item.findAndGetSequence(DCM_ContentSequence, content).good() && content != nullptr)
    for (unsigned long i = 0; i < content->card(); ++i) out.push_back(content->getItem(i));
  return out;
}

std::string referenced_instance(DcmItem& item) {
  DcmItem* sop = nullptr;
  if (item.findAndGetSequenceItem(DCM_ReferencedSOPSequence, sop, 0).bad() || sop == nullptr) return "";
  return text(*sop, DCM_ReferencedSOPInstanceUID);
}

// The SOP Instance UIDs of a study / series / instance reference sequence (evidence, predecessors).
std::vector<std::string> hierarchical_references(DcmItem& d, const DcmTagKey& tag) {
  std::vector<std::string> uids;
  DcmSequenceOfItems* studies = nullptr;
  if (d.findAndGetSequence(tag, studies).bad() || studies == nullptr) return uids;
  for (unsigned long s = 0; s < studies->card(); ++s) {
    DcmSequenceOfItems* series = nullptr;
    if (studies->getItem(s)->findAndGetSequence(DCM_ReferencedSeriesSequence, series).bad() || !series) continue;
    for (unsigned long r = 0; r < series->card(); ++r) {
      DcmSequenceOfItems* sops = nullptr;
      if (series->getItem(r)->findAndGetSequence(DCM_ReferencedSOPSequence, sops).bad() || !sops) continue;
      for (unsigned long i = 0; i < sops->card(); ++i) uids.push_back(text(*sops->getItem(i), DCM_ReferencedSOPInstanceUID));
    }
  }
  return uids;
}

// NUM, CODE, TEXT and COMPOSITE children of a container, as a group.
ReportGroup read_group(DcmItem& container) {
  ReportGroup group;
  for (DcmItem* item : children(container)) {
    const std::string type = text(*item, DCM_ValueType), concept = code_in(*item, DCM_ConceptNameCodeSequence);
    if (type == "TEXT" && concept == "112039") {
      group.tracking_id = text(*item, DCM_TextValue);
    } else if (type == "CODE" && concept == "121071") {
      DcmItem* code = nullptr;
      if (item->findAndGetSequenceItem(DCM_ConceptCodeSequence, code, 0).good())
        group.finding = text(*code, DCM_CodeValue) + "," + text(*code, DCM_CodingSchemeDesignator);
    } else if (type == "NUM") {
      std::string key = concept;
      for (DcmItem* modifier : children(*item))
        if (code_in(*modifier, DCM_ConceptNameCodeSequence) == "121401")
          key += "/" + code_in(*modifier, DCM_ConceptCodeSequence);
      DcmItem* measured = nullptr;
      if (item->findAndGetSequenceItem(DCM_MeasuredValueSequence, measured, 0).bad() || measured == nullptr)
        throw std::runtime_error("NUM " + key + " has no MeasuredValueSequence");
      group.numbers[key] = std::stod(text(*measured, DCM_NumericValue));
    } else if (type == "CODE") {
      group.evaluations[concept] = code_in(*item, DCM_ConceptCodeSequence);
    } else if (type == "TEXT") {
      group.evaluations[concept] = text(*item, DCM_TextValue);
    } else if (type == "COMPOSITE") {
      group.references.push_back(referenced_instance(*item));
    }
  }
  return group;
}

}  // namespace

const ReportGroup* ParsedReport::group(const std::string& tracking_id) const {
  for (const ReportGroup& g : groups)
    if (g.tracking_id == tracking_id) return &g;
  return nullptr;
}

ParsedReport read_report(const std::filesystem::path& file) {
  DcmFileFormat format;
  if (format.loadFile(file.c_str()).bad()) throw std::runtime_error("cannot read " + file.string());
  DcmDataset& d = *format.getDataset();
  ParsedReport report;
  report.sop_class_uid = text(d, DCM_SOPClassUID);
  report.sop_instance_uid = text(d, DCM_SOPInstanceUID);
  report.series_uid = text(d, DCM_SeriesInstanceUID);
  report.study_uid = text(d, DCM_StudyInstanceUID);
  report.patient_name = text(d, DCM_PatientName);
  report.character_set = text(d, DCM_SpecificCharacterSet);
  for (DcmItem* top : children(d)) {
    const std::string concept = code_in(*top, DCM_ConceptNameCodeSequence);
    if (concept == "126010") {  // Imaging Measurements
      for (DcmItem* group : children(*top)) report.groups.push_back(read_group(*group));
    } else if (concept == "C0034375") {  // Qualitative Evaluations
      const ReportGroup evaluations = read_group(*top);
      report.case_evaluations = evaluations.evaluations;
      report.case_references = evaluations.references;
    }
  }
  report.instance_number = text(d, DCM_InstanceNumber);
  report.evidence = hierarchical_references(d, DCM_CurrentRequestedProcedureEvidenceSequence);
  report.predecessors = hierarchical_references(d, DCM_PredecessorDocumentsSequence);
  DcmSequenceOfItems* schemes = nullptr;
  if (d.findAndGetSequence(DCM_CodingSchemeIdentificationSequence, schemes).good() && schemes)
    for (unsigned long i = 0; i < schemes->card(); ++i)
      report.declared_schemes.push_back(text(*schemes->getItem(i), DCM_CodingSchemeDesignator));
  return report;
}

}  // namespace rtpof::testing
