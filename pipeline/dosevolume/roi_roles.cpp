#include "pipeline/dosevolume/roi_roles.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>

namespace rtpof::pipeline {
namespace {

double dose_level_of(const std::string& name) {
  const auto digit = std::find_if(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); });
  return digit == name.end() ? 0.0 : std::strtod(&*digit, nullptr);
}

}  // namespace

bool name_matches(const std::string& name, const std::string& pattern) {
  return std::regex_match(name, std::regex(pattern, std::regex::ECMAScript | std::regex::icase));
}

std::vector<CtvRole> ctv_roles(const StructureSet& set, const RoiPatterns& patterns) {
  std::vector<const Roi*> ctvs;
  for (const Roi& roi : set.rois)
    if (!roi.contours.empty() && name_matches(roi.name, patterns.ctv)) ctvs.push_back(&roi);
  std::stable_sort(ctvs.begin(), ctvs.end(),
                   [](const Roi* a, const Roi* b) { return dose_level_of(a->name) > dose_level_of(b->name); });
  std::vector<CtvRole> roles;
  for (std::size_t i = 0; i < ctvs.size(); ++i)
    roles.push_back({ctvs[i], i == 0 ? "high" : i + 1 == ctvs.size() ? "low" : "intermediate"});
  return roles;
}

const Roi* first_matching(const StructureSet& set, const std::string& pattern) {
  for (const Roi& roi : set.rois)
    if (!roi.contours.empty() && name_matches(roi.name, pattern)) return &roi;
  return nullptr;
}

std::vector<const Roi*> recurrence_rois(const StructureSet& set, const RoiPatterns& patterns) {
  std::vector<const Roi*> matching, contoured;
  for (const Roi& roi : set.rois) {
    if (roi.contours.empty()) continue;
    contoured.push_back(&roi);
    if (name_matches(roi.name, patterns.recurrence)) matching.push_back(&roi);
  }
  return matching.empty() ? contoured : matching;
}

}  // namespace rtpof::pipeline
