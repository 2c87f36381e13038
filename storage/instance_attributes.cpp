#include "storage/instance_attributes.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>

#include "storage/ingest_error.hpp"
#include "storage/printable.hpp"
#include "storage/uid.hpp"

namespace rtpof::storage {
namespace {

std::string describe(const DcmTagKey& key) {
  char tag[16];
  std::snprintf(tag, sizeof tag, "(%04X,%04X)", key.getGroup(), key.getElement());
  DcmTag named(key);
  return std::string(tag) + " " + named.getTagName();
}

std::string get_string(DcmItem& item, const DcmTagKey& key) {
  OFString value;
  if (item.findAndGetOFStringArray(key, value).bad()) return {};
  std::string out(value.c_str());
  // UI values are padded with NUL, text values with spaces; neither is part of the value.
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  return out;
}

// Follows a path of sequences and collects the leaf attribute from every item reached.
void collect(DcmItem& item, const DcmTagKey* path, std::size_t depth, const DcmTagKey& leaf,
             std::vector<std::string>& out) {
  if (depth == 0) {
    std::string value = get_string(item, leaf);
    if (!value.empty()) out.push_back(std::move(value));
    return;
  }
  DcmSequenceOfItems* sequence = nullptr;
  if (item.findAndGetSequence(*path, sequence).bad() || sequence == nullptr) return;
  for (unsigned long i = 0; i < sequence->card(); ++i) collect(*sequence->getItem(i), path + 1, depth - 1, leaf, out);
}

class Reader {
 public:
  Reader(DcmDataset& dataset, std::string sop_instance_uid)
      : dataset_(dataset), sop_instance_uid_(std::move(sop_instance_uid)) {}

  std::string required(const DcmTagKey& key, IngestError::Kind kind = IngestError::Kind::does_not_match_sop_class) {
    std::string value = get_string(dataset_, key);
    if (value.empty()) fail(kind, describe(key) + " is missing or empty");
    return value;
  }

  // A UID is read whole, not up to its first NUL: "1.2.3\0junk" is not the UID 1.2.3. Only the padding
  // (a trailing NUL, or spaces some writers use) is dropped.
  std::string required_uid(const DcmTagKey& key) {
    OFString raw;
    if (dataset_.findAndGetOFStringArray(key, raw).bad() || raw.empty()) fail(IngestError::Kind::does_not_match_sop_class, describe(key) + " is missing or empty");
    std::string value(raw.c_str(), raw.length());
    while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
    check_uid(value, describe(key));
    return value;
  }

  // Modality is a code string (PS3.5 6.2 CS): capitals, digits, space and underscore, 16 at most.
  std::string required_code_string(const DcmTagKey& key) {
    std::string value = required(key);
    const bool valid = value.size() <= 16 && std::all_of(value.begin(), value.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '_';
    });
    if (!valid)
      fail(IngestError::Kind::cannot_understand,
           describe(key) + " holds \"" + printable(value.substr(0, 32)) + "\", which is not a code string (PS3.5 6.2)");
    return value;
  }

  void check_uid(const std::string& value, const std::string& where) const {
    if (!is_valid_uid(value))
      fail(IngestError::Kind::cannot_understand,
           where + " holds \"" + printable(value.substr(0, 80)) + "\", which is not a valid UID (PS3.5 9.1)");
  }

  void add_references(std::vector<ReferencedUid>& out, const char* kind, std::initializer_list<DcmTagKey> path,
                      const DcmTagKey& leaf) {
    std::vector<std::string> values;
    collect(dataset_, path.begin(), path.size(), leaf, values);
    for (auto& value : values) {
      check_uid(value, std::string("referenced ") + kind + " UID " + describe(leaf));
      ReferencedUid ref{kind, std::move(value)};
      if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(std::move(ref));
    }
  }

  [[noreturn]] void fail(IngestError::Kind kind, const std::string& what) const {
    throw IngestError(kind, "instance " + (sop_instance_uid_.empty() ? std::string("?") : sop_instance_uid_) +
                                ": " + what);
  }

 private:
  DcmDataset& dataset_;
  std::string sop_instance_uid_;
};

}  // namespace

InstanceAttributes read_instance_attributes(DcmDataset& dataset) {
  Reader reader(dataset, get_string(dataset, DCM_SOPInstanceUID));
  InstanceAttributes a;
  a.sop_instance_uid = reader.required_uid(DCM_SOPInstanceUID);
  a.sop_class_uid = reader.required_uid(DCM_SOPClassUID);
  a.patient_id = reader.required(DCM_PatientID);
  a.issuer_of_patient_id = get_string(dataset, DCM_IssuerOfPatientID);
  a.patient_name = get_string(dataset, DCM_PatientName);
  a.study_description = get_string(dataset, DCM_StudyDescription);
  a.specific_character_set = get_string(dataset, DCM_SpecificCharacterSet);
  a.study_instance_uid = reader.required_uid(DCM_StudyInstanceUID);
  a.series_instance_uid = reader.required_uid(DCM_SeriesInstanceUID);
  a.modality = reader.required_code_string(DCM_Modality);
  a.frame_of_reference_uid = get_string(dataset, DCM_FrameOfReferenceUID);
  if (!a.frame_of_reference_uid.empty()) reader.check_uid(a.frame_of_reference_uid, describe(DCM_FrameOfReferenceUID));

  auto& refs = a.references;
  const std::string& sop = a.sop_class_uid;
  if (sop == UID_RTDoseStorage) {
    reader.add_references(refs, "rtplan", {DCM_ReferencedRTPlanSequence}, DCM_ReferencedSOPInstanceUID);
    reader.add_references(refs, "rtstruct", {DCM_ReferencedStructureSetSequence}, DCM_ReferencedSOPInstanceUID);
    a.rt_status = get_string(dataset, DCM_DoseSummationType);
  } else if (sop == UID_RTPlanStorage || sop == UID_RTIonPlanStorage) {
    a.rt_status = get_string(dataset, DCM_ApprovalStatus);
    reader.add_references(refs, "rtstruct", {DCM_ReferencedStructureSetSequence}, DCM_ReferencedSOPInstanceUID);
    reader.add_references(refs, "rtdose", {DCM_ReferencedDoseSequence}, DCM_ReferencedSOPInstanceUID);
  } else if (sop == UID_RTStructureSetStorage) {
    reader.add_references(refs, "frame", {DCM_ReferencedFrameOfReferenceSequence}, DCM_FrameOfReferenceUID);
    reader.add_references(refs, "frame", {DCM_StructureSetROISequence}, DCM_ReferencedFrameOfReferenceUID);
    reader.add_references(refs, "series",
                          {DCM_ReferencedFrameOfReferenceSequence, DCM_RTReferencedStudySequence,
                           DCM_RTReferencedSeriesSequence},
                          DCM_SeriesInstanceUID);
  } else if (sop == UID_SpatialRegistrationStorage) {
    reader.add_references(refs, "frame", {DCM_RegistrationSequence}, DCM_FrameOfReferenceUID);
    reader.add_references(refs, "series", {DCM_ReferencedSeriesSequence}, DCM_SeriesInstanceUID);
    reader.add_references(refs, "series", {DCM_StudiesContainingOtherReferencedInstancesSequence,
                                           DCM_ReferencedSeriesSequence},
                          DCM_SeriesInstanceUID);
  } else if (sop == UID_DeformableSpatialRegistrationStorage) {
    reader.add_references(refs, "frame", {DCM_DeformableRegistrationSequence}, DCM_SourceFrameOfReferenceUID);
    reader.add_references(refs, "series", {DCM_ReferencedSeriesSequence}, DCM_SeriesInstanceUID);
  } else if (sop == UID_SegmentationStorage) {
    reader.add_references(refs, "series", {DCM_ReferencedSeriesSequence}, DCM_SeriesInstanceUID);
  }
  return a;
}

}  // namespace rtpof::storage
