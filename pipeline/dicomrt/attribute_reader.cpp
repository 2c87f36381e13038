#include "pipeline/dicomrt/attribute_reader.hpp"

#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dctag.h>
#include <dcmtk/dcmdata/dcvrds.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rtpof::pipeline {
namespace {

std::string trimmed(const OFString& value) {
  std::string text = value.c_str();
  const auto keep = [](unsigned char c) { return c != ' ' && c != '\0'; };
  text.erase(std::find_if(text.rbegin(), text.rend(), keep).base(), text.end());
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), keep));
  return text;
}

// One value of a numeric element, whatever its VR; nullopt when the VR is not numeric.
std::optional<double> numeric_value(DcmElement& element, unsigned long index) {
  OFCondition status = EC_IllegalCall;
  switch (element.ident()) {
    case EVR_DS:
    case EVR_FD:
    case EVR_OD: {
      Float64 v = 0;
      status = element.getFloat64(v, index);
      if (status.good()) return v;
      break;
    }
    case EVR_FL:
    case EVR_OF: {
      Float32 v = 0;
      status = element.getFloat32(v, index);
      if (status.good()) return v;
      break;
    }
    case EVR_IS:
    case EVR_SL: {
      Sint32 v = 0;
      status = element.getSint32(v, index);
      if (status.good()) return v;
      break;
    }
    case EVR_UL: {
      Uint32 v = 0;
      status = element.getUint32(v, index);
      if (status.good()) return v;
      break;
    }
    case EVR_US: {
      Uint16 v = 0;
      status = element.getUint16(v, index);
      if (status.good()) return v;
      break;
    }
    case EVR_SS: {
      Sint16 v = 0;
      status = element.getSint16(v, index);
      if (status.good()) return v;
      break;
    }
    default:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::string describe_tag(const DcmTagKey& tag) {
  char code[16];
  std::snprintf(code, sizeof code, "(%04X,%04X)", tag.getGroup(), tag.getElement());
  DcmTag known(tag);
  const char* name = known.getTagName();
  return name && std::string(name) != "Unknown Tag & Data" ? std::string(code) + " " + name : std::string(code);
}

bool AttributeReader::has(const DcmTagKey& tag) const {
  DcmElement* element = nullptr;
  return item_->findAndGetElement(tag, element, OFFalse).good() && element && element->getLength() > 0;
}

std::size_t AttributeReader::items(const DcmTagKey& sequence) const {
  DcmSequenceOfItems* found = nullptr;
  if (item_->findAndGetSequence(sequence, found, OFFalse).bad() || !found) return 0;
  return found->card();
}

std::optional<AttributeReader> AttributeReader::optional_item(const DcmTagKey& sequence, std::size_t index) const {
  DcmItem* found = nullptr;
  if (item_->findAndGetSequenceItem(sequence, found, static_cast<signed long>(index), OFFalse).bad() || !found)
    return std::nullopt;
  return AttributeReader(*found, instance_);
}

AttributeReader AttributeReader::item(const DcmTagKey& sequence, std::size_t index) const {
  if (auto found = optional_item(sequence, index)) return *found;
  if (index == 0) fail(sequence, "is missing or has no item");
  fail(sequence, "has no item " + std::to_string(index + 1));
}

std::string AttributeReader::string(const DcmTagKey& tag) const {
  std::string value = optional_string(tag);
  if (value.empty()) fail(tag, has(tag) ? "is empty" : "is missing");
  return value;
}

std::string AttributeReader::optional_string(const DcmTagKey& tag, const std::string& fallback) const {
  OFString value;
  if (item_->findAndGetOFStringArray(tag, value, OFFalse).bad()) return fallback;
  std::string text = trimmed(value);
  return text.empty() ? fallback : text;
}

std::vector<std::string> AttributeReader::strings(const DcmTagKey& tag) const {
  DcmElement* element = nullptr;
  std::vector<std::string> values;
  if (item_->findAndGetElement(tag, element, OFFalse).bad() || !element) return values;
  for (unsigned long i = 0; i < element->getVM(); ++i) {
    OFString value;
    if (element->getOFString(value, i).good()) values.push_back(trimmed(value));
  }
  return values;
}

std::vector<double> AttributeReader::optional_numbers(const DcmTagKey& tag) const {
  DcmElement* element = nullptr;
  std::vector<double> values;
  if (item_->findAndGetElement(tag, element, OFFalse).bad() || !element || element->getLength() == 0) return values;
  const unsigned long count = element->getVM();
  values.reserve(count);
  // Long DS arrays (ContourData) are parsed in one pass; value-by-value access rescans the string.
  if (auto* decimal = dynamic_cast<DcmDecimalString*>(element)) {
    OFVector<Float64> parsed;
    if (decimal->getFloat64Vector(parsed).good() && parsed.size() == count) {
      for (std::size_t i = 0; i < parsed.size(); ++i) {
        if (!std::isfinite(parsed[i])) fail(tag, "value " + std::to_string(i + 1) + " is not finite");
        values.push_back(parsed[i]);
      }
      return values;
    }
    values.clear();
  }
  for (unsigned long i = 0; i < count; ++i) {
    const std::optional<double> value = numeric_value(*element, i);
    if (!value) {
      OFString text;
      element->getOFString(text, i);
      fail(tag, "value " + std::to_string(i + 1) + " (\"" + trimmed(text) + "\") is not a number of VR " +
                    DcmVR(element->ident()).getVRName());
    }
    if (!std::isfinite(*value)) fail(tag, "value " + std::to_string(i + 1) + " is not finite");
    values.push_back(*value);
  }
  return values;
}

std::vector<double> AttributeReader::numbers(const DcmTagKey& tag, std::size_t expected_count) const {
  std::vector<double> values = optional_numbers(tag);
  if (values.empty()) fail(tag, has(tag) ? "is empty" : "is missing");
  if (expected_count && values.size() != expected_count)
    fail(tag, "has " + std::to_string(values.size()) + " values, expected " + std::to_string(expected_count));
  return values;
}

double AttributeReader::number(const DcmTagKey& tag) const { return numbers(tag, 1).front(); }

std::optional<double> AttributeReader::optional_number(const DcmTagKey& tag) const {
  if (!has(tag)) return std::nullopt;
  return number(tag);
}

long integer_of(const AttributeReader& reader, const DcmTagKey& tag) {
  const double value = reader.number(tag);
  if (value != std::floor(value) || std::abs(value) > 2147483647.0) reader.fail(tag, "is not a whole number");
  return static_cast<long>(value);
}

std::optional<long> optional_integer_of(const AttributeReader& reader, const DcmTagKey& tag) {
  if (!reader.has(tag)) return std::nullopt;
  return integer_of(reader, tag);
}

void AttributeReader::fail(const DcmTagKey& tag, const std::string& problem) const {
  throw LoadError(instance_, describe_tag(tag), problem);
}

void AttributeReader::fail(const std::string& problem) const { throw LoadError(instance_, "", problem); }

}  // namespace rtpof::pipeline
