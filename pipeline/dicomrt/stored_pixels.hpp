#pragma once
// The Image Pixel module's layout and the stored values it describes, decompressed through the codecs of
// storage/dicom_codecs.hpp (JPEG, JPEG-LS, RLE, JPEG 2000) when the object arrived compressed. Values are as stored: the Modality
// LUT (rescale, DoseGridScaling) is the caller's business.
#include "pipeline/dicomrt/attribute_reader.hpp"
#include "pipeline/dicomrt/dicom_object.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace rtpof::pipeline {

struct PixelLayout {
  std::size_t rows = 0, columns = 0, frames = 1;
  int bits_allocated = 0, bits_stored = 0;
  bool is_signed = false;
  std::string photometric;  // MONOCHROME1 or MONOCHROME2

  std::size_t pixels_per_frame() const { return rows * columns; }
  std::size_t pixel_count() const { return rows * columns * frames; }
};

// Reads and checks the layout of a single-sample grey-scale image (1, 8, 16 or 32 bits allocated).
PixelLayout read_pixel_layout(const AttributeReader& dataset);

class StoredPixels {
 public:
  // Throws LoadError when the transfer syntax cannot be decoded or the data are shorter than the layout.
  // `object` must outlive this view. Not for 1-bit data (see binary_frame_bits).
  StoredPixels(DicomObject& object, const PixelLayout& layout);

  std::size_t size() const { return count_; }
  double operator[](std::size_t i) const {
    std::uint32_t raw;
    switch (bytes_per_value_) {
      case 1: raw = data_[i]; break;
      case 2: raw = reinterpret_cast<const std::uint16_t*>(data_)[i]; break;
      default: raw = reinterpret_cast<const std::uint32_t*>(data_)[i]; break;
    }
    raw &= mask_;
    if (is_signed_ && (raw & sign_bit_)) return static_cast<double>(static_cast<std::int64_t>(raw) - (std::int64_t{mask_} + 1));
    return raw;
  }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t count_ = 0;
  int bytes_per_value_ = 2;
  std::uint32_t mask_ = 0, sign_bit_ = 0;
  bool is_signed_ = false;
};

// The raw bytes of 1-bit pixel data (SEG), uncompressed, checked to hold at least `bits` bits.
const std::uint8_t* binary_frame_bits(DicomObject& object, std::size_t bits);

}  // namespace rtpof::pipeline
