#include "tests/support/dicom_files.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

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

void write_corrected_recurrence(const std::filesystem::path& in, const std::filesystem::path& out) {
  std::filesystem::create_directories(out.parent_path());
  rewrite(in, out, [](DcmDataset& d) {
    OFString uid;
    d.findAndGetOFString(DCM_SOPInstanceUID, uid);
    d.putAndInsertString(DCM_SOPInstanceUID, (std::string(uid.c_str()) + ".2").c_str());
    d.putAndInsertString(DCM_StructureSetLabel, "RECURRENCE_V2");
  });
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

double write_rtdose_16bit_copy(const std::filesystem::path& in, const std::filesystem::path& out) {
  double largest_error = 0;
  rewrite(in, out, [&](DcmDataset& d) {
    Uint16 bits = 0;
    const Uint8* bytes = nullptr;
    unsigned long count = 0;
    Float64 scaling = 0;
    if (d.findAndGetUint16(DCM_BitsAllocated, bits).bad() || bits != 32 ||
        d.findAndGetUint8Array(DCM_PixelData, bytes).bad() ||
        d.findAndGetFloat64(DCM_DoseGridScaling, scaling).bad())
      throw std::runtime_error("not a 32-bit RTDOSE with DoseGridScaling");
    DcmElement* pixels = nullptr;
    d.findAndGetElement(DCM_PixelData, pixels);
    count = pixels->getLength() / 4;
    std::vector<Uint32> values(count);
    std::memcpy(values.data(), bytes, count * 4);  // little endian on the machines the tests run on
    const Uint32 top = std::max<Uint32>(1, *std::max_element(values.begin(), values.end()));
    const double new_scaling = scaling * top / 65535.0;
    std::vector<Uint16> narrowed(count);
    for (unsigned long i = 0; i < count; ++i) {
      narrowed[i] = static_cast<Uint16>(std::lround(values[i] * scaling / new_scaling));
      largest_error = std::max(largest_error, std::abs(narrowed[i] * new_scaling - values[i] * scaling));
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.10g", new_scaling);
    d.putAndInsertString(DCM_DoseGridScaling, text);
    d.putAndInsertUint16(DCM_BitsAllocated, 16);
    d.putAndInsertUint16(DCM_BitsStored, 16);
    d.putAndInsertUint16(DCM_HighBit, 15);
    d.putAndInsertUint16Array(DCM_PixelData, narrowed.data(), count);
  });
  return largest_error;
}

std::vector<double> numbers_of(DcmItem& item, const DcmTagKey& tag) {
  DcmElement* element = nullptr;
  std::vector<double> values;
  if (item.findAndGetElement(tag, element).bad()) return values;
  for (unsigned long i = 0, n = element->getVM(); i < n; ++i) {
    Float64 v = 0;
    if (element->getFloat64(v, i).bad()) throw std::runtime_error(std::string("not numeric: ") + DcmTag(tag).getTagName());
    values.push_back(v);
  }
  return values;
}

std::string string_of(const std::filesystem::path& file, const DcmTagKey& tag) {
  DcmFileFormat format;
  if (format.loadFile(file.c_str()).bad()) throw std::runtime_error("cannot load " + file.string());
  OFString value;
  format.getDataset()->findAndGetOFStringArray(tag, value);
  return value.c_str();
}

}  // namespace rtpof::testing
