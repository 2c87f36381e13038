#include "storage/content_hash.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "storage/dataset_nesting.hpp"
#include "storage/dicom_codecs.hpp"

namespace rtpof::storage {
namespace {

// Offset of the first byte after the meta header: 128-byte preamble, "DICM", then (0002,0000) UL
// holding the group's length. Files without that layout are hashed whole.
std::streamoff dataset_offset(std::ifstream& in) {
  std::array<unsigned char, 144> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const bool complete = in.gcount() == static_cast<std::streamsize>(head.size());
  in.clear();
  in.seekg(0);
  if (!complete || std::memcmp(head.data() + 128, "DICM", 4) != 0) return 0;
  const unsigned char* e = head.data() + 132;
  const bool group_length = e[0] == 0x02 && e[1] == 0x00 && e[2] == 0x00 && e[3] == 0x00 && e[4] == 'U' && e[5] == 'L';
  if (!group_length) return 0;
  const std::uint32_t length = static_cast<std::uint32_t>(e[8]) | static_cast<std::uint32_t>(e[9]) << 8 |
                               static_cast<std::uint32_t>(e[10]) << 16 | static_cast<std::uint32_t>(e[11]) << 24;
  return 144 + static_cast<std::streamoff>(length);
}

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext new_sha256() {
  DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("cannot initialise SHA-256");
  return context;
}

std::string hex_digest(EVP_MD_CTX* context) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, digest, &length);
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace

std::string canonical_content_sha256(const std::filesystem::path& part10_file) {
  const std::string name = part10_file.string();
  // DCMTK's reader recurses per sequence level (storage/dataset_nesting.hpp): scanned first.
  const NestingScan scan = scan_sequence_nesting(part10_file);
  if (scan.depth > max_sequence_nesting || !scan.overrun.empty())
    throw std::runtime_error(name + ": nested too deep or truncated; not hashed");
  register_dicom_decoders();
  DcmFileFormat file;
  if (file.loadFile(part10_file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect).bad())
    throw std::runtime_error(name + " is not a readable DICOM file");
  DcmDataset& dataset = *file.getDataset();
  const E_TransferSyntax original = dataset.getOriginalXfer();
  if (DcmXfer(original).isEncapsulated()) {
    const OFCondition decoded = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (decoded.bad() || !dataset.canWriteXfer(EXS_LittleEndianImplicit))
      throw std::runtime_error(name + ": pixel data in " + DcmXfer(original).getXferName() +
                               " cannot be decoded (" + decoded.text() + ")");
  }
  // Derivation Description is where lossless compressors (DCMTK's dcmcjpeg, for one) write that they
  // compressed: a note on the encoding, not on the instance, so it is not part of its identity.
  dataset.findAndDeleteElement(DCM_DerivationDescription);
  DigestContext context = new_sha256();
  // Written in slices through a fixed buffer: DCMTK asks for the buffer to be emptied when it is full.
  std::vector<char> buffer(1 << 20);
  DcmOutputBufferStream out(buffer.data(), static_cast<offile_off_t>(buffer.size()));
  auto drain = [&] {
    void* bytes = nullptr;
    offile_off_t length = 0;
    out.flushBuffer(bytes, length);
    if (length > 0) EVP_DigestUpdate(context.get(), bytes, static_cast<std::size_t>(length));
  };
  dataset.transferInit();
  OFCondition status = EC_Normal;
  do {
    // Implicit VR: a VR is how a file spells a value, not the value (OB or OW pixel data, US or SS), and
    // an Implicit VR original gets its VRs from the dictionary.
    status = dataset.write(out, EXS_LittleEndianImplicit, EET_ExplicitLength, nullptr, EGL_withoutGL);
    drain();
  } while (status == EC_StreamNotifyClient);
  dataset.transferEnd();
  if (status.bad()) throw std::runtime_error(name + ": cannot encode the data set for hashing (" + status.text() + ")");
  return hex_digest(context.get());
}

std::string dataset_sha256(const std::filesystem::path& part10_file) {
  std::ifstream in(part10_file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + part10_file.string());
  in.seekg(dataset_offset(in));
  DigestContext context = new_sha256();
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    if (in.gcount() > 0) EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error("read error in " + part10_file.string());
  return hex_digest(context.get());
}

}  // namespace rtpof::storage
