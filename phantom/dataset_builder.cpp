#include "phantom/dataset_builder.hpp"

#include <dcmtk/dcmdata/dcsequen.h>

#include <cstdio>
#include <stdexcept>

namespace rtpof::phantom {
namespace {
void check(const OFCondition& status, const DcmTagKey& tag, const char* what) {
  if (status.bad())
    throw std::runtime_error(std::string("cannot ") + what + " " + DcmTag(tag).getTagName() + ": " + status.text());
}
}  // namespace

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value) {
  check(item.putAndInsertString(tag, value.c_str()), tag, "write");
}

std::string decimal(double value) {
  char text[32];
  for (int precision = 10; precision > 1; --precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::string(text).size() <= 16) break;
  }
  return text;
}

void put_numbers(DcmItem& item, const DcmTagKey& tag, const std::vector<double>& values) {
  std::string joined;
  for (std::size_t i = 0; i < values.size(); ++i) joined += (i ? "\\" : "") + decimal(values[i]);
  put(item, tag, joined);
}

void put_u16(DcmItem& item, const DcmTagKey& tag, Uint16 value) {
  check(item.putAndInsertUint16(tag, value), tag, "write");
}

void put_tag(DcmItem& item, const DcmTagKey& tag, const DcmTagKey& value) {
  check(item.putAndInsertTagKey(tag, value), tag, "write");
}

DcmItem& add_item(DcmItem& item, const DcmTagKey& sequence) {
  DcmItem* added = nullptr;
  check(item.findOrCreateSequenceItem(sequence, added, -2), sequence, "add an item to");
  return *added;
}

void save_part10(DcmFileFormat& file, const std::filesystem::path& path) {
  const OFCondition status = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) throw std::runtime_error("cannot write " + path.string() + ": " + status.text());
}

}  // namespace rtpof::phantom
