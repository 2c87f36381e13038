#include "pipeline/dicomrt/dicom_object.hpp"
#include "pipeline/dicomrt/attribute_reader.hpp"
#include "storage/dataset_nesting.hpp"

#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/parallel.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <algorithm>
#include <exception>
#include <optional>

namespace rtpof::pipeline {
namespace {

std::string string_value(DcmDataset& dataset, const DcmTagKey& tag) {
  OFString value;
  if (dataset.findAndGetOFString(tag, value).bad()) return {};
  std::string text = value.c_str();
  text.erase(std::find_if(text.rbegin(), text.rend(), [](unsigned char c) { return c != ' ' && c != '\0'; }).base(),
             text.end());
  return text;
}

// DCMTK's reader recurses per sequence level: a hostile file nested thousands deep would overflow the
// stack before any loader could refuse it (storage/dataset_nesting.hpp).
void refuse_deep_nesting(const storage::NestingScan& scan, const std::string& source) {
  if (scan.depth > storage::max_sequence_nesting)
    throw LoadError(source, "", "sequences nested more than " + std::to_string(storage::max_sequence_nesting) +
                                    " levels deep; real DICOM objects nest a few levels, so it is refused unread");
  if (!scan.overrun.empty())
    throw LoadError(source, "", "truncated or corrupt: " + scan.overrun + "; refused unread");
}

}  // namespace

DicomObject::DicomObject(std::unique_ptr<DcmFileFormat> file, std::string source)
    : file_(std::move(file)), source_(std::move(source)) {
  sop_instance_uid_ = string_value(dataset(), DCM_SOPInstanceUID);
  sop_class_uid_ = string_value(dataset(), DCM_SOPClassUID);
}

DicomObject DicomObject::read_file(const std::filesystem::path& file) {
  refuse_deep_nesting(storage::scan_sequence_nesting(file), file.string());
  auto format = std::make_unique<DcmFileFormat>();
  // Read every value now: lazily loaded values would re-open the file later, outside our error handling.
  const OFCondition status = format->loadFile(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
  if (status.bad())
    throw LoadError(file.string(), "", std::string("not a readable DICOM file (") + status.text() + ")");
  if (format->loadAllDataIntoMemory().bad())
    throw LoadError(file.string(), "", "the file's values could not be read into memory");
  // A data set encoded otherwise than its transfer syntax says (implicit VR under an explicit-VR
  // syntax, say) parses into garbage that still looks like elements: its SOP Class UID then disagrees
  // with the meta header's. Such a file is refused, not read as some other object.
  OFString declared_value;
  format->getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, declared_value);
  const std::string declared = declared_value.c_str();
  const std::string found = string_value(*format->getDataset(), DCM_SOPClassUID);
  if (!declared.empty() && declared != found) {
    OFString syntax;
    format->getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, syntax);
    throw LoadError(file.string(), describe_tag(DCM_SOPClassUID),
                    "reads \"" + found + "\" where the meta header says " + declared +
                        ": the data set is not encoded as its transfer syntax " + syntax.c_str() +
                        " declares (a malformed file); export it again");
  }
  return DicomObject(std::move(format), file.string());
}

DicomObject DicomObject::parse(const std::vector<char>& bytes, const std::string& source) {
  refuse_deep_nesting(
      storage::scan_sequence_nesting(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()), source);
  auto format = std::make_unique<DcmFileFormat>();
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  format->transferInit();
  const OFCondition status = format->read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  format->transferEnd();
  if (status.bad()) throw LoadError(source, "", std::string("not a readable DICOM object (") + status.text() + ")");
  return DicomObject(std::move(format), source);
}

std::vector<DicomObject> read_dicom_files(const std::vector<std::filesystem::path>& files,
                                          std::vector<LoadError>* unreadable) {
  std::vector<std::optional<DicomObject>> slots(files.size());
  const unsigned threads = std::min<unsigned>(core_count(), static_cast<unsigned>(files.size() / 4 + 1));
  const std::vector<std::exception_ptr> errors =
      for_each_index(files.size(), threads, [&](std::size_t i) { slots[i].emplace(DicomObject::read_file(files[i])); });
  std::vector<DicomObject> objects;
  objects.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!errors[i]) {
      objects.push_back(std::move(*slots[i]));
      continue;
    }
    try {
      std::rethrow_exception(errors[i]);
    } catch (const LoadError& e) {
      if (!unreadable) throw;
      unreadable->push_back(e);
    }
  }
  return objects;
}

std::string media_storage_sop_class(const std::filesystem::path& file) {
  DcmMetaInfo meta;
  if (meta.loadFile(file.c_str()).bad()) return {};
  OFString value;
  meta.findAndGetOFString(DCM_MediaStorageSOPClassUID, value);
  return value.c_str();
}

ObjectKind kind_of(const DicomObject& object) {
  const std::string& sop_class = object.sop_class_uid();
  if (sop_class == "1.2.840.10008.5.1.4.1.1.481.3") return ObjectKind::StructureSet;
  if (sop_class == "1.2.840.10008.5.1.4.1.1.481.2") return ObjectKind::Dose;
  if (sop_class == "1.2.840.10008.5.1.4.1.1.481.5") return ObjectKind::Plan;
  if (sop_class == "1.2.840.10008.5.1.4.1.1.66.1" || sop_class == "1.2.840.10008.5.1.4.1.1.66.3")
    return ObjectKind::Registration;
  if (sop_class == "1.2.840.10008.5.1.4.1.1.66.4") return ObjectKind::Segmentation;
  // CT, MR (classic and enhanced), PET and the other cross-sectional image storage classes.
  static const char* const images[] = {"1.2.840.10008.5.1.4.1.1.2",   "1.2.840.10008.5.1.4.1.1.2.1",
                                       "1.2.840.10008.5.1.4.1.1.4",   "1.2.840.10008.5.1.4.1.1.4.1",
                                       "1.2.840.10008.5.1.4.1.1.128", "1.2.840.10008.5.1.4.1.1.130"};
  for (const char* image : images)
    if (sop_class == image) return ObjectKind::Image;
  return ObjectKind::Other;
}

const char* to_string(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Image: return "image";
    case ObjectKind::StructureSet: return "RTSTRUCT";
    case ObjectKind::Dose: return "RTDOSE";
    case ObjectKind::Plan: return "RTPLAN";
    case ObjectKind::Registration: return "REG";
    case ObjectKind::Segmentation: return "SEG";
    case ObjectKind::Other: break;
  }
  return "other";
}

}  // namespace rtpof::pipeline
