#include "jobs/analysis_json.hpp"

namespace rtpof::jobs {
namespace {

using nlohmann::json;
using namespace rtpof::pipeline;

nlohmann::json matrix_json(const Matrix4& m) {
  json rows = json::array();
  for (int r = 0; r < 4; ++r) rows.push_back({m[4 * r], m[4 * r + 1], m[4 * r + 2], m[4 * r + 3]});
  return rows;
}

}  // namespace

nlohmann::json dose_json(const std::vector<DoseInterpretation>& interpretations) {
  json grids = json::array();
  bool per_fraction = false;
  for (const DoseInterpretation& i : interpretations) {
    per_fraction = per_fraction || i.per_fraction;
    grids.push_back({{"rtdose_uid", i.rtdose_uid},
                     {"summation_type", i.stored_summation_type},
                     {"scaling", i.scaling},
                     {"per_fraction", i.per_fraction},
                     {"why", i.reason},
                     {"warnings", i.warnings}});
  }
  return {{"per_fraction", per_fraction}, {"grids", grids}};
}

nlohmann::json analysis_json(const AssembledCase& folder, const CaseResult& result, const std::string& pseudonym) {
  json out;
  out["patient"] = {{"pseudonym", pseudonym}};
  out["reference_dose_gy"] = result.reference_dose_gy;
  out["reference_dose_source"] = result.reference_dose_source;
  out["classification"] = {{"in_field_min_v95_pct", result.rules.in_field_min_v95_pct},
                           {"marginal_min_v95_pct", result.rules.marginal_min_v95_pct}};
  out["dose"] = dose_json(folder.dose_interpretations);
  json quality = json::object();
  if (folder.registration.source == "REG") quality["reg_instance_uid"] = folder.registration.reg_uid;
  if (const auto& q = folder.registration.quality)
    quality = {{"final_metric", q->final_metric}, {"iterations", q->iterations}, {"seconds", q->seconds},
               {"restart_spread_mm", q->spread_mm}, {"summary", q->summary}};
  out["registration"] = {{"source", folder.registration.source},
                         {"mr_to_ct", matrix_json(folder.registration.mr_to_ct.matrix)},
                         {"quality", quality},
                         {"doubtful", folder.registration.quality && folder.registration.quality->doubtful}};
  out["recurrences"] = json::array();
  for (const RecurrenceResult& r : result.recurrences) {
    json in_ctv = json::object();
    for (const auto& [roi, pct] : r.percent_in_ctv) in_ctv[roi] = pct;
    out["recurrences"].push_back({{"roi", r.roi},
                                  {"volume_cc", r.volume_cc},
                                  {"coverage_pct", r.coverage_pct},
                                  {"v95_pct", r.v95_pct},
                                  {"d100_gy", r.d100_gy},
                                  {"d98_gy", r.d98_gy},
                                  {"d95_gy", r.d95_gy},
                                  {"dmean_gy", r.dmean_gy},
                                  {"dmax_gy", r.dmax_gy},
                                  {"centroid_dose_gy", r.centroid_dose_gy ? json(*r.centroid_dose_gy) : json(nullptr)},
                                  {"centroid_in", r.centroid_in ? json(*r.centroid_in) : json(nullptr)},
                                  {"percent_in_ctv", in_ctv},
                                  {"class", to_string(r.miss_class)},
                                  {"borderline", r.borderline},
                                  {"v95_range_pct", {r.v95_range_pct[0], r.v95_range_pct[1]}},
                                  {"cumulative_dvh", r.cumulative_dvh}});
  }
  out["ctvs"] = json::array();
  for (const CtvResult& c : result.ctvs)
    out["ctvs"].push_back({{"roi", c.roi}, {"level", c.level}, {"volume_cc", c.volume_cc}, {"d95_gy", c.d95_gy},
                           {"d98_gy", c.d98_gy}, {"coverage_pct", c.coverage_pct}});
  out["gtv"] = {{"primary_cc", result.gtv_primary_cc ? json(*result.gtv_primary_cc) : json(nullptr)},
                {"nodal_cc", result.gtv_nodal_cc ? json(*result.gtv_nodal_cc) : json(nullptr)},
                {"primary_roi", result.gtv_primary_cc ? json(result.gtv_primary_roi) : json(nullptr)},
                {"nodal_roi", result.gtv_nodal_cc ? json(result.gtv_nodal_roi) : json(nullptr)}};
  return out;
}

}  // namespace rtpof::jobs
