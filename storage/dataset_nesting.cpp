#include "storage/dataset_nesting.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcdicent.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvr.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace rtpof::storage {
namespace {

constexpr std::uint32_t undefined_length = 0xFFFFFFFF;

class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      void* data = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (data != MAP_FAILED) {
        data_ = static_cast<const unsigned char*>(data);
        size_ = static_cast<std::size_t>(st.st_size);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

struct Reader {
  const unsigned char* p;
  std::size_t size;
  bool big_endian = false;
  std::uint16_t u16(std::size_t at) const {
    return big_endian ? static_cast<std::uint16_t>(p[at] << 8 | p[at + 1]) : static_cast<std::uint16_t>(p[at] | p[at + 1] << 8);
  }
  std::uint32_t u32(std::size_t at) const {
    return big_endian ? (std::uint32_t{p[at]} << 24 | std::uint32_t{p[at + 1]} << 16 | std::uint32_t{p[at + 2]} << 8 | p[at + 3])
                      : (std::uint32_t{p[at]} | std::uint32_t{p[at + 1]} << 8 | std::uint32_t{p[at + 2]} << 16 |
                         std::uint32_t{p[at + 3]} << 24);
  }
};

// DCMTK's own table of which VRs carry a 32-bit length in explicit VR.
bool has_long_length(const char vr[2]) {
  const char name[3] = {vr[0], vr[1], '\0'};
  return DcmVR(name).usesExtendedLengthEncoding();
}

bool dictionary_says_sequence(std::uint16_t group, std::uint16_t element) {
  const DcmDataDictionary& dictionary = dcmDataDict.rdlock();
  const DcmDictEntry* entry = dictionary.findEntry(DcmTagKey(group, element), nullptr);
  const bool sequence = entry != nullptr && entry->getEVR() == EVR_SQ;
  dcmDataDict.rdunlock();
  return sequence;
}

struct Frame {
  bool sequence;     // a sequence (holds items) or an item / the data set (holds elements)
  std::size_t end;   // SIZE_MAX: undefined length, ended by a delimiter
  bool pixels = false;  // encapsulated pixel data: its items hold fragments, not elements
};

std::string overrun_text(std::uint16_t group, std::uint16_t element, std::size_t length, std::size_t left) {
  char text[160];
  std::snprintf(text, sizeof text, "element (%04X,%04X) declares %zu bytes where %zu remain", group, element, length,
                left);
  return text;
}

}  // namespace

NestingScan scan_sequence_nesting(const std::filesystem::path& file, std::size_t stop_past) {
  const MappedFile mapped(file);
  return scan_sequence_nesting(mapped.data(), mapped.size(), stop_past);
}

NestingScan scan_sequence_nesting(const unsigned char* p, std::size_t size, std::size_t stop_past) {
  NestingScan scan;
  if (!p || size < 8) {
    scan.complete = false;
    return scan;
  }
  Reader meta{p, size};
  std::size_t at = 132;
  std::string transfer_syntax;
  if (size < 132 + 12 || std::memcmp(p + 128, "DICM", 4) != 0) {
    // A bare data set (DCMTK reads those too): little endian, explicit VR when bytes 4–5 spell one.
    at = 0;
    const bool explicit_vr = std::isupper(p[4]) && std::isupper(p[5]);
    transfer_syntax = explicit_vr ? UID_LittleEndianExplicitTransferSyntax : UID_LittleEndianImplicitTransferSyntax;
  }
  // Meta header: explicit VR little endian, group 0002.
  while (at >= 132 && at + 8 <= size && meta.u16(at) == 0x0002) {
    const std::uint16_t element = meta.u16(at + 2);
    const char vr[2] = {static_cast<char>(p[at + 4]), static_cast<char>(p[at + 5])};
    std::size_t header = 8, length = meta.u16(at + 6);
    if (has_long_length(vr)) {
      if (at + 12 > size) break;
      header = 12;
      length = meta.u32(at + 8);
    }
    if (length != undefined_length && at + header + length > size) {
      scan.overrun = overrun_text(0x0002, element, length, size - at - std::min(size - at, header));
      return scan;
    }
    if (length == undefined_length) {
      scan.complete = false;
      return scan;
    }
    if (element == 0x0010) transfer_syntax.assign(reinterpret_cast<const char*>(p + at + header), length);
    at += header + length;
  }
  while (!transfer_syntax.empty() && (transfer_syntax.back() == '\0' || transfer_syntax.back() == ' '))
    transfer_syntax.pop_back();
  const bool implicit = transfer_syntax == UID_LittleEndianImplicitTransferSyntax;
  Reader r{p, size, transfer_syntax == UID_BigEndianExplicitTransferSyntax};
  if (transfer_syntax == UID_DeflatedExplicitVRLittleEndianTransferSyntax) {
    scan.complete = false;  // not inflated here; the node's transfer syntaxes keep deflate for small objects
    return scan;
  }

  std::vector<Frame> stack{{false, size}};
  std::size_t sequences_open = 0;
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (at >= top.end || at >= size) {
      if (top.end != SIZE_MAX || stack.size() == 1) {
        if (top.sequence) --sequences_open;
        stack.pop_back();
        if (stack.empty() || at >= size) break;
        continue;
      }
      break;  // an undefined length that never ends: truncated
    }
    if (at + 8 > size) {
      scan.complete = false;
      break;
    }
    const std::uint16_t group = r.u16(at), element = r.u16(at + 2);
    if (group == 0xFFFE) {  // item, item delimitation, sequence delimitation: tag and 32-bit length
      const std::uint32_t length = r.u32(at + 4);
      at += 8;
      if (length != undefined_length && length > size - at) {
        scan.overrun = overrun_text(group, element, length, size - at);
        break;
      }
      if (element == 0xE000 && top.sequence && top.pixels) {
        if (length == undefined_length) {
          scan.complete = false;
          break;
        }
        at += length;  // a fragment of compressed pixels: bytes, not elements
      } else if (element == 0xE000 && top.sequence) {
        stack.push_back({false, length == undefined_length ? SIZE_MAX : at + length});
      } else if ((element == 0xE00D && !top.sequence) || (element == 0xE0DD && top.sequence)) {
        if (top.sequence) --sequences_open;
        stack.pop_back();
      } else {
        scan.complete = false;
        break;
      }
      continue;
    }
    if (top.sequence) {  // anything but an item inside a sequence: malformed, DCMTK will say so
      scan.complete = false;
      break;
    }
    std::size_t header = 8;
    std::uint32_t length = 0;
    bool is_sequence = false;
    if (implicit) {
      length = r.u32(at + 4);
      is_sequence = length == undefined_length || dictionary_says_sequence(group, element);
    } else {
      const char vr[2] = {static_cast<char>(p[at + 4]), static_cast<char>(p[at + 5])};
      if (has_long_length(vr)) {
        if (at + 12 > size) {
          scan.complete = false;
          break;
        }
        header = 12;
        length = r.u32(at + 8);
      } else {
        length = r.u16(at + 6);
      }
      is_sequence = (vr[0] == 'S' && vr[1] == 'Q') || (vr[0] == 'U' && vr[1] == 'N' && length == undefined_length);
    }
    at += header;
    if (length != undefined_length && length > size - at) {
      scan.overrun = overrun_text(group, element, length, size - at);
      break;
    }
    const bool encapsulated_pixels = group == 0x7FE0 && element == 0x0010 && length == undefined_length;
    if (is_sequence || encapsulated_pixels) {
      // Encapsulated pixel data is a sequence of fragments one level deep: counted like a sequence.
      stack.push_back({true, length == undefined_length ? SIZE_MAX : at + length, encapsulated_pixels});
      ++sequences_open;
      if (sequences_open > scan.depth) scan.depth = sequences_open;
      if (scan.depth > stop_past) break;
      continue;
    }
    if (length == undefined_length) {
      scan.complete = false;
      break;
    }
    at += length;
  }
  return scan;
}

}  // namespace rtpof::storage
