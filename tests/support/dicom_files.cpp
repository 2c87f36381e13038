#include "tests/support/dicom_files.hpp"

#include <dcmtk/dcmdata/dcfilefo.h>

#include <stdexcept>

#include "storage/content_hash.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {

void rewrite(const std::filesystem::path& in, const std::filesystem::path& out,
             const std::function<void(DcmDataset&)>& edit) {
  DcmFileFormat file;
  if (file.loadFile(in.c_str()).bad()) throw std::runtime_error("cannot load " + in.string());
  edit(*file.getDataset());
  // Let DCMTK rebuild the meta header from the edited dataset.
  if (file.saveFile(out.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0,
                    EWM_updateMeta)
          .bad())
    throw std::runtime_error("cannot write " + out.string());
}

std::string canonical_dataset_sha256(const std::filesystem::path& file) {
  TempDir dir;
  DcmFileFormat format;
  if (format.loadFile(file.c_str()).bad()) throw std::runtime_error("cannot load " + file.string());
  const auto copy = dir / "canonical.dcm";
  if (format.saveFile(copy.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL).bad())
    throw std::runtime_error("cannot re-encode " + file.string());
  return storage::dataset_sha256(copy);
}

std::string string_of(const std::filesystem::path& file, const DcmTagKey& tag) {
  DcmFileFormat format;
  if (format.loadFile(file.c_str()).bad()) throw std::runtime_error("cannot load " + file.string());
  OFString value;
  format.getDataset()->findAndGetOFStringArray(tag, value);
  return value.c_str();
}

}  // namespace rtpof::testing
