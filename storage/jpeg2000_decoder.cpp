#include "storage/jpeg2000_decoder.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcstack.h>
#include <dcmtk/dcmdata/dcvrpobw.h>

#include <openjpeg.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace rtpof::storage {
namespace {

const OFCondition kUnsupported = makeOFCondition(
    OFM_dcmdata, 0x7a01, OF_error, "JPEG 2000 pixel data of this layout are not decoded (only grey-scale, 8/16/32 bits)");
const OFCondition kCorrupt = makeOFCondition(OFM_dcmdata, 0x7a02, OF_error, "JPEG 2000 codestream could not be decoded");
const OFCondition kMismatch = makeOFCondition(
    OFM_dcmdata, 0x7a04, OF_error,
    "JPEG 2000 codestream's size, components or precision disagree with Rows, Columns, SamplesPerPixel, BitsAllocated");
const OFCondition kEncodeRefused = makeOFCondition(OFM_dcmdata, 0x7a03, OF_error, "rtpof does not encode JPEG 2000");


bool is_jpeg2000(E_TransferSyntax syntax) {
  return syntax == EXS_JPEG2000LosslessOnly || syntax == EXS_JPEG2000;
}

// The image layout the codestream must decode to, read from the data set that holds the pixel data.
struct FrameLayout {
  Uint16 rows = 0, columns = 0, samples = 1, bits_allocated = 0, bits_stored = 0, high_bit = 0, representation = 0;
  Sint32 frames = 1;
  std::size_t frame_bytes() const {
    return std::size_t{rows} * columns * samples * (bits_allocated / 8u);
  }
};

OFCondition read_layout(DcmItem* dataset, FrameLayout& layout) {
  if (!dataset) return EC_IllegalCall;
  if (dataset->findAndGetUint16(DCM_Rows, layout.rows).bad() ||
      dataset->findAndGetUint16(DCM_Columns, layout.columns).bad() ||
      dataset->findAndGetUint16(DCM_BitsAllocated, layout.bits_allocated).bad())
    return EC_TagNotFound;
  if (dataset->findAndGetUint16(DCM_SamplesPerPixel, layout.samples).bad()) layout.samples = 1;
  if (dataset->findAndGetUint16(DCM_BitsStored, layout.bits_stored).bad()) layout.bits_stored = layout.bits_allocated;
  if (dataset->findAndGetUint16(DCM_HighBit, layout.high_bit).bad())
    layout.high_bit = static_cast<Uint16>(layout.bits_stored - 1);
  if (dataset->findAndGetUint16(DCM_PixelRepresentation, layout.representation).bad()) layout.representation = 0;
  Sint32 frames = 1;
  if (dataset->findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 0) layout.frames = frames;
  const bool supported = layout.samples == 1 && layout.rows > 0 && layout.columns > 0 &&
                         (layout.bits_allocated == 8 || layout.bits_allocated == 16 || layout.bits_allocated == 32) &&
                         layout.bits_stored >= 1 && layout.bits_stored <= layout.bits_allocated;
  return supported ? EC_Normal : kUnsupported;
}

// The codestream of `frame`: its fragments, from `start` (updated to the next frame's first fragment).
// One frame takes every fragment; several frames take one fragment each unless the offset table splits them.
OFCondition frame_codestream(DcmPixelSequence* sequence, const FrameLayout& layout, Uint32 frame, Uint32& start,
                             std::string& codestream) {
  const unsigned long fragments = sequence->card();  // item 0 is the basic offset table
  if (fragments < 2) return kCorrupt;
  if (start == 0 && DcmCodec::determineStartFragment(frame, layout.frames, sequence, start).bad()) return kCorrupt;
  unsigned long end = fragments;  // one past the frame's last fragment
  if (layout.frames > 1 && static_cast<Sint32>(frame) + 1 < layout.frames) {
    Uint32 next = 0;
    if (DcmCodec::determineStartFragment(frame + 1, layout.frames, sequence, next).good() && next > start) end = next;
    else end = start + 1;
  }
  codestream.clear();
  for (unsigned long i = start; i < end && i < fragments; ++i) {
    DcmPixelItem* item = nullptr;
    Uint8* bytes = nullptr;
    if (sequence->getItem(item, i).bad() || !item) return kCorrupt;
    const Uint32 length = item->getLength();
    if (length == 0) continue;
    if (item->getUint8Array(bytes).bad() || !bytes) return kCorrupt;
    codestream.append(reinterpret_cast<const char*>(bytes), length);
  }
  start = static_cast<Uint32>(end);
  return codestream.empty() ? kCorrupt : EC_Normal;
}

std::uint32_t big_endian(const std::string& bytes, std::size_t at, int width) {
  std::uint32_t value = 0;
  for (int i = 0; i < width; ++i) value = value << 8 | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return value;
}

// Checks the codestream's image size, components and precision (SIZ, ITU-T T.800 A.5.1) against the
// data set before anything is decoded, so that a codestream of another image is refused unread.
bool codestream_matches(const std::string& codestream, const FrameLayout& layout) {
  // A bare codestream starts with SOC SIZ; a JP2 file (a known encoder error) holds one further in.
  static const std::string soc_siz("\xFF\x4F\xFF\x51", 4);
  const std::size_t soc = codestream.find(soc_siz);
  if (soc == std::string::npos || soc > 4096) return false;
  const std::size_t siz = soc + 4;  // after the SIZ marker: Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, ...
  if (codestream.size() < siz + 38) return false;
  const std::uint32_t x = big_endian(codestream, siz + 4, 4), y = big_endian(codestream, siz + 8, 4);
  const std::uint32_t x0 = big_endian(codestream, siz + 12, 4), y0 = big_endian(codestream, siz + 16, 4);
  const std::uint32_t components = big_endian(codestream, siz + 36, 2);
  if (x <= x0 || y <= y0 || x - x0 != layout.columns || y - y0 != layout.rows || components != layout.samples)
    return false;
  if (codestream.size() < siz + 38 + 3 * std::size_t{components}) return false;
  for (std::uint32_t c = 0; c < components; ++c) {
    const std::size_t at = siz + 38 + 3 * std::size_t{c};
    const unsigned precision = (big_endian(codestream, at, 1) & 0x7Fu) + 1;
    const unsigned container = precision <= 8 ? 8 : precision <= 16 ? 16 : 32;
    const bool subsampled = big_endian(codestream, at + 1, 1) != 1 || big_endian(codestream, at + 2, 1) != 1;
    if (container != layout.bits_allocated || subsampled) return false;
  }
  return true;
}

// Encoders (GDCM's among them) code 12-bit data at the container's 16-bit precision, and a lossy
// codestream then decodes to values that overshoot BitsStored at edges. Masked to BitsStored, as a
// reader of the stored values does, an overshoot would wrap to the other end of the range: a bright
// edge read as air. Values are clamped into the BitsStored range instead (lossless data are in range).
template <typename Unsigned, typename Signed>
void clamp_values(void* data, std::size_t count, unsigned bits_stored, bool is_signed) {
  const std::int64_t low = is_signed ? -(std::int64_t{1} << (bits_stored - 1)) : 0;
  const std::int64_t high = is_signed ? (std::int64_t{1} << (bits_stored - 1)) - 1 : (std::int64_t{1} << bits_stored) - 1;
  auto* values = static_cast<Unsigned*>(data);
  for (std::size_t i = 0; i < count; ++i) {
    const std::int64_t v = is_signed ? static_cast<std::int64_t>(static_cast<Signed>(values[i]))
                                     : static_cast<std::int64_t>(values[i]);
    const std::int64_t clamped = v < low ? low : v > high ? high : v;
    values[i] = static_cast<Unsigned>(static_cast<Signed>(clamped));
  }
}

void clamp_to_bits_stored(void* data, const FrameLayout& layout) {
  if (layout.bits_stored >= layout.bits_allocated) return;
  const std::size_t count = std::size_t{layout.rows} * layout.columns * layout.samples;
  const bool is_signed = layout.representation == 1;
  if (layout.bits_allocated == 8) clamp_values<std::uint8_t, std::int8_t>(data, count, layout.bits_stored, is_signed);
  else if (layout.bits_allocated == 16) clamp_values<std::uint16_t, std::int16_t>(data, count, layout.bits_stored, is_signed);
  else clamp_values<std::uint32_t, std::int32_t>(data, count, layout.bits_stored, is_signed);
}

// OpenJPEG reads the codestream from memory through these.
struct MemorySource {
  const std::string& bytes;
  std::size_t offset = 0;
};

OPJ_SIZE_T read_source(void* buffer, OPJ_SIZE_T size, void* user) {
  auto& source = *static_cast<MemorySource*>(user);
  const std::size_t left = source.bytes.size() - source.offset;
  if (left == 0) return static_cast<OPJ_SIZE_T>(-1);
  const std::size_t n = std::min<std::size_t>(size, left);
  std::memcpy(buffer, source.bytes.data() + source.offset, n);
  source.offset += n;
  return n;
}

OPJ_OFF_T skip_source(OPJ_OFF_T count, void* user) {
  auto& source = *static_cast<MemorySource*>(user);
  if (count < 0 || static_cast<std::size_t>(count) > source.bytes.size() - source.offset) return -1;
  source.offset += static_cast<std::size_t>(count);
  return count;
}

OPJ_BOOL seek_source(OPJ_OFF_T position, void* user) {
  auto& source = *static_cast<MemorySource*>(user);
  if (position < 0 || static_cast<std::size_t>(position) > source.bytes.size()) return OPJ_FALSE;
  source.offset = static_cast<std::size_t>(position);
  return OPJ_TRUE;
}

// OpenJPEG's messages go to the condition we return, not to stderr.
void keep_message(const char* message, void* user) {
  auto& last = *static_cast<std::string*>(user);
  last = message ? message : "";
  while (!last.empty() && (last.back() == '\n' || last.back() == ' ')) last.pop_back();
}
void drop_message(const char*, void*) {}

// Decodes one codestream with OpenJPEG into exactly layout.frame_bytes() bytes at `out`. Every size is
// checked against the data set twice: in the SIZ marker before decoding, and on the decoded image
// before a byte is copied.
OFCondition decode_codestream(const std::string& codestream, const FrameLayout& layout, void* out) {
  if (!codestream_matches(codestream, layout)) return kMismatch;
  static const std::string jp2_signature("\x00\x00\x00\x0C\x6A\x50\x20\x20\x0D\x0A\x87\x0A", 12);
  const bool jp2 = codestream.compare(0, jp2_signature.size(), jp2_signature) == 0;  // an encoder's error, read anyway
  std::unique_ptr<opj_codec_t, decltype(&opj_destroy_codec)> codec(opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K),
                                                                  &opj_destroy_codec);
  std::unique_ptr<opj_stream_t, decltype(&opj_stream_destroy)> stream(opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE),
                                                                     &opj_stream_destroy);
  if (!codec || !stream) return kCorrupt;
  std::string error;
  opj_set_error_handler(codec.get(), keep_message, &error);
  opj_set_warning_handler(codec.get(), drop_message, nullptr);
  opj_set_info_handler(codec.get(), drop_message, nullptr);
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  if (!opj_setup_decoder(codec.get(), &parameters)) return kCorrupt;
  MemorySource source{codestream};
  opj_stream_set_user_data(stream.get(), &source, nullptr);
  opj_stream_set_user_data_length(stream.get(), codestream.size());
  opj_stream_set_read_function(stream.get(), read_source);
  opj_stream_set_skip_function(stream.get(), skip_source);
  opj_stream_set_seek_function(stream.get(), seek_source);
  opj_image_t* raw_image = nullptr;
  const bool header = opj_read_header(stream.get(), codec.get(), &raw_image);
  std::unique_ptr<opj_image_t, decltype(&opj_image_destroy)> image(raw_image, &opj_image_destroy);
  auto failed = [&] {
    return makeOFCondition(OFM_dcmdata, 0x7a02, OF_error,
                           ("JPEG 2000 codestream could not be decoded" + (error.empty() ? "" : " (OpenJPEG: " + error + ")")).c_str());
  };
  if (!header || !image || !opj_decode(codec.get(), stream.get(), image.get()) ||
      !opj_end_decompress(codec.get(), stream.get()))
    return failed();
  const opj_image_comp_t& component = image->comps[0];
  if (image->numcomps != layout.samples || component.w != layout.columns || component.h != layout.rows ||
      component.factor != 0 || !component.data)
    return kMismatch;
  const std::size_t count = std::size_t{layout.rows} * layout.columns;
  const OPJ_INT32* values = component.data;
  // Stored as the container's two's complement: OpenJPEG gives signed samples as negative integers.
  switch (layout.bits_allocated) {
    case 8:
      for (std::size_t i = 0; i < count; ++i) static_cast<std::uint8_t*>(out)[i] = static_cast<std::uint8_t>(values[i]);
      break;
    case 16:
      for (std::size_t i = 0; i < count; ++i) static_cast<std::uint16_t*>(out)[i] = static_cast<std::uint16_t>(values[i]);
      break;
    default:
      for (std::size_t i = 0; i < count; ++i) static_cast<std::uint32_t*>(out)[i] = static_cast<std::uint32_t>(values[i]);
      break;
  }
  clamp_to_bits_stored(out, layout);
  return EC_Normal;
}

DcmItem* dataset_of(const DcmStack& stack) {
  DcmStack copy(stack);
  copy.pop();  // the pixel data element; below it the data set (or item) that holds it
  DcmObject* holder = copy.top();
  return holder && (holder->ident() == EVR_dataset || holder->ident() == EVR_item) ? static_cast<DcmItem*>(holder)
                                                                                    : nullptr;
}

}  // namespace

OFCondition Jpeg2000Decoder::decode(const DcmRepresentationParameter*, DcmPixelSequence* sequence,
                                    DcmPolymorphOBOW& uncompressed, const DcmCodecParameter*, const DcmStack& stack,
                                    OFBool& remove_old_representation) const {
  remove_old_representation = OFFalse;
  if (!sequence) return EC_IllegalCall;
  FrameLayout layout;
  const OFCondition read = read_layout(dataset_of(stack), layout);
  if (read.bad()) return read;
  const std::size_t total = layout.frame_bytes() * static_cast<std::size_t>(layout.frames);
  if (total == 0 || total > 0xFFFFFFF0u) return kUnsupported;  // an uncompressed element holds < 4 GiB
  Uint16* words = nullptr;
  const OFCondition created = uncompressed.createUint16Array(static_cast<Uint32>((total + 1) / 2), words);
  if (created.bad()) return created;
  Uint32 start = 0;
  std::string codestream;
  for (Sint32 frame = 0; frame < layout.frames; ++frame) {
    OFCondition status = frame_codestream(sequence, layout, static_cast<Uint32>(frame), start, codestream);
    if (status.good())
      status = decode_codestream(codestream, layout,
                                 reinterpret_cast<Uint8*>(words) + layout.frame_bytes() * static_cast<std::size_t>(frame));
    if (status.bad()) return status;
  }
  // 8-bit pixels are bytes, not words: DCMTK keeps them as OB.
  if (layout.bits_allocated == 8) uncompressed.setVR(EVR_OB);
  return EC_Normal;
}

OFCondition Jpeg2000Decoder::decodeFrame(const DcmRepresentationParameter*, DcmPixelSequence* sequence,
                                         const DcmCodecParameter*, DcmItem* dataset, Uint32 frame,
                                         Uint32& start_fragment, void* buffer, Uint32 buffer_size,
                                         OFString& decompressed_color_model) const {
  if (!sequence || !buffer) return EC_IllegalCall;
  FrameLayout layout;
  const OFCondition read = read_layout(dataset, layout);
  if (read.bad()) return read;
  if (buffer_size < layout.frame_bytes() || static_cast<Sint32>(frame) >= layout.frames) return EC_IllegalCall;
  std::string codestream;
  OFCondition status = frame_codestream(sequence, layout, frame, start_fragment, codestream);
  if (status.good()) status = decode_codestream(codestream, layout, buffer);
  if (status.good()) dataset->findAndGetOFString(DCM_PhotometricInterpretation, decompressed_color_model);
  return status;
}

OFCondition Jpeg2000Decoder::encode(const Uint16*, const Uint32, const DcmRepresentationParameter*, DcmPixelSequence*&,
                                    const DcmCodecParameter*, DcmStack&, OFBool&) const {
  return kEncodeRefused;
}

OFCondition Jpeg2000Decoder::encode(const E_TransferSyntax, const DcmRepresentationParameter*, DcmPixelSequence*,
                                    const DcmRepresentationParameter*, DcmPixelSequence*&, const DcmCodecParameter*,
                                    DcmStack&, OFBool&) const {
  return kEncodeRefused;
}

OFBool Jpeg2000Decoder::canChangeCoding(const E_TransferSyntax from, const E_TransferSyntax to) const {
  const DcmXfer target(to);
  return is_jpeg2000(from) && !target.isEncapsulated();
}

OFCondition Jpeg2000Decoder::determineDecompressedColorModel(const DcmRepresentationParameter*, DcmPixelSequence*,
                                                             const DcmCodecParameter*, DcmItem* dataset,
                                                             OFString& color_model) const {
  if (!dataset) return EC_IllegalCall;
  return dataset->findAndGetOFString(DCM_PhotometricInterpretation, color_model);
}

}  // namespace rtpof::storage
