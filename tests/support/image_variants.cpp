#include "tests/support/image_variants.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <stdexcept>
#include <string>

#include "tests/support/dicom_files.hpp"
#include "tests/support/process.hpp"

namespace rtpof::testing {
namespace {

std::vector<Uint16> pixels_of(DcmDataset& d) {
  const Uint16* words = nullptr;
  unsigned long count = 0;
  if (d.findAndGetUint16Array(DCM_PixelData, words, &count).bad()) throw std::runtime_error("no 16-bit pixel data");
  return std::vector<Uint16>(words, words + count);
}

void put_numbers(DcmItem& item, const DcmTagKey& tag, const std::vector<double>& values) {
  std::string text;
  char buffer[64];
  for (double v : values) {
    std::snprintf(buffer, sizeof buffer, "%.10g", v);
    text += (text.empty() ? "" : "\\") + std::string(buffer);
  }
  if (item.putAndInsertString(tag, text.c_str()).bad()) throw std::runtime_error("cannot write a DS value");
}

std::filesystem::path out_path(const std::filesystem::path& out_dir, const std::filesystem::path& in) {
  std::filesystem::create_directories(out_dir);
  return out_dir / in.filename();
}

}  // namespace

std::vector<std::filesystem::path> reposition_series(const std::vector<std::filesystem::path>& files,
                                                     const std::filesystem::path& out_dir, PatientPosition position) {
  std::vector<std::filesystem::path> written;
  for (std::size_t k = 0; k < files.size(); ++k) {
    const auto out = out_path(out_dir, files[k]);
    rewrite(files[k], out, [&](DcmDataset& d) {
      Uint16 rows = 0, columns = 0;
      d.findAndGetUint16(DCM_Rows, rows);
      d.findAndGetUint16(DCM_Columns, columns);
      const std::vector<double> ipp = numbers_of(d, DCM_ImagePositionPatient);
      const std::vector<double> spacing = numbers_of(d, DCM_PixelSpacing);  // between rows, between columns
      std::vector<Uint16> in = pixels_of(d), flipped(in.size());
      const bool flip_rows = position == PatientPosition::HFP;
      for (Uint16 r = 0; r < rows; ++r)
        for (Uint16 c = 0; c < columns; ++c) {
          const std::size_t from_r = flip_rows ? rows - 1u - r : r;
          flipped[static_cast<std::size_t>(r) * columns + c] = in[from_r * columns + (columns - 1u - c)];
        }
      d.putAndInsertUint16Array(DCM_PixelData, flipped.data(), static_cast<unsigned long>(flipped.size()));
      const double x = ipp[0] + (columns - 1) * spacing[1];
      const double y = flip_rows ? ipp[1] + (rows - 1) * spacing[0] : ipp[1];
      put_numbers(d, DCM_ImagePositionPatient, {x, y, ipp[2]});
      put_numbers(d, DCM_ImageOrientationPatient, flip_rows ? std::vector<double>{-1, 0, 0, 0, -1, 0}
                                                            : std::vector<double>{-1, 0, 0, 0, 1, 0});
      d.putAndInsertString(DCM_PatientPosition, flip_rows ? "HFP" : "FFS");
      d.putAndInsertString(DCM_InstanceNumber, std::to_string(files.size() - k).c_str());
    });
    written.push_back(out);
  }
  return written;
}

std::vector<std::filesystem::path> rotate_series(const std::vector<std::filesystem::path>& files,
                                                 const std::filesystem::path& out_dir,
                                                 const std::array<double, 9>& m) {
  auto apply = [&](double x, double y, double z) {
    return std::vector<double>{m[0] * x + m[1] * y + m[2] * z, m[3] * x + m[4] * y + m[5] * z,
                               m[6] * x + m[7] * y + m[8] * z};
  };
  std::vector<std::filesystem::path> written;
  for (const auto& file : files) {
    const auto out = out_path(out_dir, file);
    rewrite(file, out, [&](DcmDataset& d) {
      const std::vector<double> ipp = numbers_of(d, DCM_ImagePositionPatient);
      const std::vector<double> iop = numbers_of(d, DCM_ImageOrientationPatient);
      put_numbers(d, DCM_ImagePositionPatient, apply(ipp[0], ipp[1], ipp[2]));
      std::vector<double> row = apply(iop[0], iop[1], iop[2]), column = apply(iop[3], iop[4], iop[5]);
      row.insert(row.end(), column.begin(), column.end());
      put_numbers(d, DCM_ImageOrientationPatient, row);
    });
    written.push_back(out);
  }
  return written;
}

std::vector<std::filesystem::path> invert_to_monochrome1(const std::vector<std::filesystem::path>& files,
                                                         const std::filesystem::path& out_dir) {
  std::vector<std::filesystem::path> written;
  for (const auto& file : files) {
    const auto out = out_path(out_dir, file);
    rewrite(file, out, [&](DcmDataset& d) {
      Uint16 bits_stored = 0;
      d.findAndGetUint16(DCM_BitsStored, bits_stored);
      const unsigned top = (1u << bits_stored) - 1u;
      std::vector<Uint16> values = pixels_of(d);
      for (Uint16& v : values) v = static_cast<Uint16>(top - v);
      d.putAndInsertUint16Array(DCM_PixelData, values.data(), static_cast<unsigned long>(values.size()));
      d.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME1");
    });
    written.push_back(out);
  }
  return written;
}

void write_enhanced_mr(const std::vector<std::filesystem::path>& files, const std::filesystem::path& out) {
  DcmFileFormat first;
  if (first.loadFile(files.front().c_str()).bad()) throw std::runtime_error("cannot load " + files.front().string());
  DcmDataset& d = *first.getDataset();
  char uid[100];
  d.putAndInsertString(DCM_SOPClassUID, UID_EnhancedMRImageStorage);
  d.putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, "1.2.826.0.1.3680043.10.1077.9"));
  d.putAndInsertString(DCM_NumberOfFrames, std::to_string(files.size()).c_str());
  d.putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\M\\NONE");
  std::vector<double> iop = numbers_of(d, DCM_ImageOrientationPatient);
  std::vector<double> spacing = numbers_of(d, DCM_PixelSpacing);
  std::vector<double> thickness = numbers_of(d, DCM_SliceThickness);
  for (const DcmTagKey& tag : {DCM_ImageOrientationPatient, DCM_ImagePositionPatient, DCM_PixelSpacing,
                               DCM_SliceThickness, DCM_SliceLocation, DCM_InstanceNumber})
    delete d.remove(tag);

  DcmItem* shared = nullptr;
  d.findOrCreateSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0);
  DcmItem* measures = nullptr;
  shared->findOrCreateSequenceItem(DCM_PixelMeasuresSequence, measures, 0);
  put_numbers(*measures, DCM_PixelSpacing, spacing);
  if (!thickness.empty()) put_numbers(*measures, DCM_SliceThickness, thickness);
  DcmItem* orientation = nullptr;
  shared->findOrCreateSequenceItem(DCM_PlaneOrientationSequence, orientation, 0);
  put_numbers(*orientation, DCM_ImageOrientationPatient, iop);

  std::vector<Uint16> all;
  for (std::size_t f = 0; f < files.size(); ++f) {
    DcmFileFormat slice;
    if (slice.loadFile(files[f].c_str()).bad()) throw std::runtime_error("cannot load " + files[f].string());
    DcmItem* frame = nullptr;
    d.findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, static_cast<signed long>(f));
    DcmItem* position = nullptr;
    frame->findOrCreateSequenceItem(DCM_PlanePositionSequence, position, 0);
    put_numbers(*position, DCM_ImagePositionPatient, numbers_of(*slice.getDataset(), DCM_ImagePositionPatient));
    DcmItem* content = nullptr;
    frame->findOrCreateSequenceItem(DCM_FrameContentSequence, content, 0);
    content->putAndInsertString(DCM_StackID, "1");
    const std::vector<Uint16> pixels = pixels_of(*slice.getDataset());
    all.insert(all.end(), pixels.begin(), pixels.end());
  }
  d.putAndInsertUint16Array(DCM_PixelData, all.data(), static_cast<unsigned long>(all.size()));
  if (first.saveFile(out.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0,
                     EWM_updateMeta)
          .bad())
    throw std::runtime_error("cannot write " + out.string());
}

std::vector<std::filesystem::path> compress_series(const std::vector<std::filesystem::path>& files,
                                                   const std::filesystem::path& out_dir,
                                                   const std::vector<std::string>& tool_and_flags) {
  std::vector<std::filesystem::path> written;
  for (const auto& file : files) {
    const auto out = out_path(out_dir, file);
    std::vector<std::string> argv = tool_and_flags;
    argv.push_back(file.string());
    argv.push_back(out.string());
    const RunResult result = run(argv);
    if (result.exit_code != 0) throw std::runtime_error(tool_and_flags.front() + " failed: " + result.output);
    written.push_back(out);
  }
  return written;
}

}  // namespace rtpof::testing
