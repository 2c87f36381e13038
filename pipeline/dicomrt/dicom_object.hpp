#pragma once
// One parsed DICOM object (a Part 10 file, or its bytes) and the names errors use for it.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace rtpof::pipeline {

class DicomObject {
 public:
  // Throws LoadError when the file cannot be read or is not DICOM; all values are read into memory.
  static DicomObject read_file(const std::filesystem::path& file);
  // The same from bytes already in memory (a Part 10 file's content); `source` names them in errors.
  static DicomObject parse(const std::vector<char>& bytes, const std::string& source);

  DcmDataset& dataset() { return *file_->getDataset(); }
  const std::string& source() const { return source_; }
  const std::string& sop_instance_uid() const { return sop_instance_uid_; }
  const std::string& sop_class_uid() const { return sop_class_uid_; }
  // What errors call this object: its SOP Instance UID, or its source when it has none.
  const std::string& label() const { return sop_instance_uid_.empty() ? source_ : sop_instance_uid_; }

 private:
  DicomObject(std::unique_ptr<DcmFileFormat> file, std::string source);

  std::unique_ptr<DcmFileFormat> file_;
  std::string source_, sop_instance_uid_, sop_class_uid_;
};

class LoadError;

// Reads the files on all cores, in the given order. Without `unreadable` the first file that is not
// readable DICOM throws; with it, such files are skipped and their errors collected there.
std::vector<DicomObject> read_dicom_files(const std::vector<std::filesystem::path>& files,
                                          std::vector<LoadError>* unreadable = nullptr);

// The SOP Class UID in a file's meta header, read without the dataset; empty for files that are not
// Part 10 DICOM. For picking one object out of a folder of large images.
std::string media_storage_sop_class(const std::filesystem::path& file);

// What an object is, by its SOP class, as far as rtpof's loaders are concerned.
enum class ObjectKind { Image, StructureSet, Dose, Plan, Registration, Segmentation, Other };
ObjectKind kind_of(const DicomObject& object);
const char* to_string(ObjectKind kind);

}  // namespace rtpof::pipeline
