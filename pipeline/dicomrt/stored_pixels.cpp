#include "pipeline/dicomrt/stored_pixels.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include "storage/dicom_codecs.hpp"

namespace rtpof::pipeline {
namespace {

// Lifts the limits a malformed header could use to make us allocate or index absurdly.
constexpr std::size_t kMaxPixels = std::size_t{1} << 31;

// The uncompressed pixel bytes of `object`, decoding them first if they arrived compressed.
std::pair<const std::uint8_t*, std::size_t> uncompressed_pixel_bytes(DicomObject& object, int bits_allocated) {
  storage::register_dicom_decoders();
  DcmDataset& dataset = object.dataset();
  const AttributeReader reader(dataset, object.label());
  const DcmXfer original(dataset.getOriginalXfer());
  if (original.isEncapsulated()) {
    const OFCondition status = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (status.bad() || !dataset.canWriteXfer(EXS_LittleEndianExplicit))
      reader.fail(DCM_PixelData, std::string("cannot be decoded from ") + original.getXferName() + " (" +
                                     status.text() + ")");
  } else if (original.getByteOrder() == EBO_BigEndian && bits_allocated != 16) {
    reader.fail(DCM_PixelData, std::string("holds ") + std::to_string(bits_allocated) +
                                   "-bit pixels in the retired big-endian transfer syntax; send it little endian");
  }
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element, OFFalse).bad() || !element)
    reader.fail(DCM_PixelData, "is missing");
  const std::size_t length = element->getLength();
  const std::uint8_t* bytes = nullptr;
  if (element->ident() == EVR_OW) {
    Uint16* words = nullptr;
    if (element->getUint16Array(words).good()) bytes = reinterpret_cast<const std::uint8_t*>(words);
  } else {
    Uint8* raw = nullptr;
    if (element->getUint8Array(raw).good()) bytes = raw;
  }
  if (!bytes && length > 0) reader.fail(DCM_PixelData, "could not be read as native pixel data");
  return {bytes, length};
}

}  // namespace

PixelLayout read_pixel_layout(const AttributeReader& dataset) {
  PixelLayout layout;
  const long rows = integer_of(dataset, DCM_Rows);
  const long columns = integer_of(dataset, DCM_Columns);
  if (rows < 1 || rows > 65535) dataset.fail(DCM_Rows, "must be between 1 and 65535, is " + std::to_string(rows));
  if (columns < 1 || columns > 65535)
    dataset.fail(DCM_Columns, "must be between 1 and 65535, is " + std::to_string(columns));
  const long frames = optional_integer_of(dataset, DCM_NumberOfFrames).value_or(1);
  if (frames < 1) dataset.fail(DCM_NumberOfFrames, "must be at least 1, is " + std::to_string(frames));
  layout.rows = static_cast<std::size_t>(rows);
  layout.columns = static_cast<std::size_t>(columns);
  layout.frames = static_cast<std::size_t>(frames);
  if (layout.pixel_count() > kMaxPixels) dataset.fail(DCM_NumberOfFrames, "gives an implausible number of pixels");

  const long samples = optional_integer_of(dataset, DCM_SamplesPerPixel).value_or(1);
  if (samples != 1) dataset.fail(DCM_SamplesPerPixel, "must be 1 (grey-scale), is " + std::to_string(samples));
  layout.photometric = dataset.optional_string(DCM_PhotometricInterpretation, "MONOCHROME2");
  if (layout.photometric != "MONOCHROME1" && layout.photometric != "MONOCHROME2")
    dataset.fail(DCM_PhotometricInterpretation, "is " + layout.photometric + "; only MONOCHROME1/2 images are read");

  layout.bits_allocated = static_cast<int>(integer_of(dataset, DCM_BitsAllocated));
  if (layout.bits_allocated != 1 && layout.bits_allocated != 8 && layout.bits_allocated != 16 &&
      layout.bits_allocated != 32)
    dataset.fail(DCM_BitsAllocated, "must be 1, 8, 16 or 32, is " + std::to_string(layout.bits_allocated));
  layout.bits_stored = static_cast<int>(optional_integer_of(dataset, DCM_BitsStored).value_or(layout.bits_allocated));
  if (layout.bits_stored < 1 || layout.bits_stored > layout.bits_allocated)
    dataset.fail(DCM_BitsStored, "must be between 1 and BitsAllocated, is " + std::to_string(layout.bits_stored));
  const long high_bit = optional_integer_of(dataset, DCM_HighBit).value_or(layout.bits_stored - 1);
  if (high_bit != layout.bits_stored - 1)
    dataset.fail(DCM_HighBit, "must be BitsStored - 1 (" + std::to_string(layout.bits_stored - 1) + "), is " +
                                  std::to_string(high_bit));
  const long representation = optional_integer_of(dataset, DCM_PixelRepresentation).value_or(0);
  if (representation != 0 && representation != 1)
    dataset.fail(DCM_PixelRepresentation, "must be 0 or 1, is " + std::to_string(representation));
  layout.is_signed = representation == 1;
  return layout;
}

StoredPixels::StoredPixels(DicomObject& object, const PixelLayout& layout)
    : count_(layout.pixel_count()), bytes_per_value_(layout.bits_allocated / 8), is_signed_(layout.is_signed) {
  const AttributeReader reader(object.dataset(), object.label());
  if (layout.bits_allocated < 8) reader.fail(DCM_BitsAllocated, "1-bit data are not an image to sample");
  const auto [bytes, length] = uncompressed_pixel_bytes(object, layout.bits_allocated);
  const std::size_t needed = count_ * static_cast<std::size_t>(bytes_per_value_);
  if (length < needed)
    reader.fail(DCM_PixelData, "holds " + std::to_string(length) + " bytes where " + std::to_string(layout.rows) +
                                   " rows x " + std::to_string(layout.columns) + " columns x " +
                                   std::to_string(layout.frames) + " frames of " +
                                   std::to_string(layout.bits_allocated) + " bits need " + std::to_string(needed));
  data_ = bytes;
  mask_ = layout.bits_stored >= 32 ? 0xFFFFFFFFu : ((std::uint32_t{1} << layout.bits_stored) - 1);
  sign_bit_ = std::uint32_t{1} << (layout.bits_stored - 1);
}

const std::uint8_t* binary_frame_bits(DicomObject& object, std::size_t bits) {
  const auto [bytes, length] = uncompressed_pixel_bytes(object, 1);
  if (length * 8 < bits)
    AttributeReader(object.dataset(), object.label())
        .fail(DCM_PixelData, "holds " + std::to_string(length) + " bytes where the frames need " +
                                 std::to_string((bits + 7) / 8));
  return bytes;
}

}  // namespace rtpof::pipeline
