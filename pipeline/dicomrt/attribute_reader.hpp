#pragma once
// Typed reads of one dataset or sequence item. A missing or malformed required value throws a LoadError
// that names the instance, the tag and its keyword — the loaders never report a bare "bad file".
#include "pipeline/dicomrt/load_error.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rtpof::pipeline {

// "(gggg,eeee) Keyword", the form every error uses.
std::string describe_tag(const DcmTagKey& tag);

class AttributeReader {
 public:
  AttributeReader(DcmItem& item, std::string instance) : item_(&item), instance_(std::move(instance)) {}

  const std::string& instance() const { return instance_; }

  bool has(const DcmTagKey& tag) const;
  std::size_t items(const DcmTagKey& sequence) const;  // 0 when absent or empty
  AttributeReader item(const DcmTagKey& sequence, std::size_t index) const;  // throws when absent
  std::optional<AttributeReader> optional_item(const DcmTagKey& sequence, std::size_t index = 0) const;

  // Strings lose trailing spaces and NULs; a required one must be present and non-empty.
  std::string string(const DcmTagKey& tag) const;
  std::string optional_string(const DcmTagKey& tag, const std::string& fallback = {}) const;
  std::vector<std::string> strings(const DcmTagKey& tag) const;  // all values; empty when absent

  // Numbers from any numeric VR (DS, IS, FD, FL, US, SS, UL, SL); each must be finite.
  std::vector<double> numbers(const DcmTagKey& tag, std::size_t expected_count = 0) const;  // 0: any, >= 1
  double number(const DcmTagKey& tag) const;
  std::optional<double> optional_number(const DcmTagKey& tag) const;

  [[noreturn]] void fail(const DcmTagKey& tag, const std::string& problem) const;
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  std::vector<double> optional_numbers(const DcmTagKey& tag) const;  // empty when absent

  DcmItem* item_;
  std::string instance_;
};

// A number that must be whole (and fit 32 bits); the optional one is nullopt when absent.
long integer_of(const AttributeReader& reader, const DcmTagKey& tag);
std::optional<long> optional_integer_of(const AttributeReader& reader, const DcmTagKey& tag);

}  // namespace rtpof::pipeline
