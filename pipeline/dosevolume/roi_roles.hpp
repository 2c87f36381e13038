#pragma once
// Which ROI plays which part (recurrence, CTV levels, GTV_P, GTV_N), by name patterns that the rules set.
// The defaults follow Eclipse's usual naming (CTV_70, CTV_59.4, GTV_P, GTV_N, "Recurrence").
#include "pipeline/dicomrt/structure_set.hpp"

#include <string>
#include <vector>

namespace rtpof::pipeline {

struct RoiPatterns {  // ECMAScript regular expressions, matched case-insensitively against the whole name
  std::string recurrence = "(recurren|recidiv|relapse|rtv|gtv[_ ]?r).*";
  std::string ctv = "ctv.*";
  std::string gtv_primary = "gtv[_ ]?(p|t|primary).*";
  std::string gtv_nodal = "gtv[_ ]?(n|ln|node|nodal).*";
};

struct CtvRole {
  const Roi* roi = nullptr;
  std::string level;  // high, intermediate, low
};

// CTVs ordered from the highest dose level down, by the first number in their names (CTV_70 > CTV_59.4 >
// CTV_54); the first is "high", the last "low", any between "intermediate". CTVs without closed contours
// are left out.
std::vector<CtvRole> ctv_roles(const StructureSet& set, const RoiPatterns& patterns);
const Roi* first_matching(const StructureSet& set, const std::string& pattern);
// The recurrence ROIs of a follow-up structure set: those matching the pattern, else every ROI with
// closed contours (a follow-up RTSTRUCT exists to outline the recurrence).
std::vector<const Roi*> recurrence_rois(const StructureSet& set, const RoiPatterns& patterns);
bool name_matches(const std::string& name, const std::string& pattern);

}  // namespace rtpof::pipeline
