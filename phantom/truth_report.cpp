#include "phantom/truth_report.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "phantom/truth_figures.hpp"

namespace rtpof::phantom {
namespace {

using Json = nlohmann::ordered_json;

Json matrix_json(const RigidTransform& t) {
  const auto m = t.matrix();
  Json rows = Json::array();
  for (int r = 0; r < 4; ++r) rows.push_back({m[r * 4], m[r * 4 + 1], m[r * 4 + 2], m[r * 4 + 3]});
  return rows;
}

std::string classify(double v95) { return v95 >= 95.0 ? "in-field" : v95 >= 20.0 ? "marginal" : "out-field"; }

// Each structure is measured twice, at the chosen spacing h and at 2h (one eighth of the points). With
// an error that shrinks at least linearly in h, |fine - coarse| bounds the fine figure's error; that
// difference is what "uncertainty" states, figure by figure.
Json figures_json(const TruthStructure& s, const TruthInputs& in, const std::vector<TruthStructure>* ctvs) {
  const double h = spacing_for(s.region->volume_mm3(), in.points_per_structure);
  const TruthFigures fine = measure_truth(*s.region, s.to_ct, *in.dose, in.reference_dose_gy, h);
  const TruthFigures coarse = measure_truth(*s.region, s.to_ct, *in.dose, in.reference_dose_gy, 2 * h);
  Json j;
  j["roi"] = s.roi;
  j["representation"] = s.representation;
  j["volume_cc"] = fine.volume_cc;
  j["coverage_pct"] = fine.coverage_pct;
  j["v95_pct"] = fine.v95_pct;
  j["d100_gy"] = fine.d100_gy;
  j["d98_gy"] = fine.d98_gy;
  j["d95_gy"] = fine.d95_gy;
  j["dmean_gy"] = fine.dmean_gy;
  j["dmax_gy"] = fine.dmax_gy;
  j["centroid_ct_mm"] = {fine.centroid_ct.x, fine.centroid_ct.y, fine.centroid_ct.z};
  j["centroid_dose_gy"] = fine.centroid_dose_gy ? Json(*fine.centroid_dose_gy) : Json(nullptr);
  if (ctvs) {
    Json inside = nullptr;
    for (const auto& ctv : *ctvs)
      if (ctv.region->contains(fine.centroid_ct)) {
        inside = ctv.roi;
        break;
      }
    j["centroid_in"] = inside;
    j["class"] = classify(fine.v95_pct);
    j["intended_class"] = s.intended_class;
    j["site"] = s.kind;
  } else {
    j["level"] = s.kind;
  }
  j["uncertainty"] = {{"v95_pct", std::abs(fine.v95_pct - coarse.v95_pct)},
                      {"d100_gy", std::abs(fine.d100_gy - coarse.d100_gy)},
                      {"d98_gy", std::abs(fine.d98_gy - coarse.d98_gy)},
                      {"d95_gy", std::abs(fine.d95_gy - coarse.d95_gy)},
                      {"dmean_gy", std::abs(fine.dmean_gy - coarse.dmean_gy)},
                      {"dmax_gy", std::abs(fine.dmax_gy - coarse.dmax_gy)},
                      {"volume_cc", 0.0}};
  j["quadrature"] = {{"spacing_mm", fine.spacing_mm}, {"points", fine.points}};
  return j;
}

}  // namespace

void write_truth_json(const TruthInputs& in, const std::filesystem::path& path) {
  Json j;
  j["generator"] = "rtpof phantom";
  j["case"] = in.case_name;
  j["description"] = in.case_description;
  j["size"] = in.size;
  j["seed"] = in.seed;
  j["patient"] = {{"id", in.patient_id}};
  j["uids"] = {{"planning_frame", in.planning_frame_uid},
               {"mr_frame", in.mr_frame_uid},
               {"ct_series", in.ct_series_uid},
               {"mr_series", in.mr_series_uid}};
  j["conventions"] = {
      {"coordinates", "DICOM patient coordinates (LPS), mm"},
      {"transform", "mr_to_ct maps MR patient coordinates to planning-CT patient coordinates, row-major 4x4"},
      {"volume", "contour stack: each CLOSED_PLANAR contour a slab of +/- half the slice spacing of its image "
                 "series, no end-capping; a SEG voxel is a box of pixel spacing x slice spacing"},
      {"dose", "trilinear interpolation of the stored RTDOSE grid (stored value x DoseGridScaling)"},
      {"dx", "Dx: minimum dose of the hottest x % of the volume; D100 is the minimum, Dmax the maximum"},
      {"uncertainty", "|figure at quadrature spacing h - figure at 2h|, a bound on the error of the figure"}};
  j["transform"] = {{"rotation_deg", {in.rotation_deg[0], in.rotation_deg[1], in.rotation_deg[2]}},
                    {"rotation_order", "R = Rz * Ry * Rx"},
                    {"translation_mm", {in.translation_mm.x, in.translation_mm.y, in.translation_mm.z}},
                    {"mr_to_ct", matrix_json(in.mr_to_ct)},
                    {"ct_to_mr", matrix_json(in.mr_to_ct.inverse())}};
  j["reference_dose_gy"] = in.reference_dose_gy;
  j["reference_dose_source"] = "RTPLAN highest target prescription";
  j["thresholds_pct"] = {{"in_field_v95_at_least", 95.0}, {"out_field_v95_below", 20.0}};
  // Structures are measured independently, on as many threads as the machine has; each result goes to
  // its own slot, so the output does not depend on the order they finish in.
  std::vector<const TruthStructure*> work;
  for (const auto& r : in.recurrences) work.push_back(&r);
  for (const auto& c : in.ctvs) work.push_back(&c);
  std::vector<Json> results(work.size());
  std::vector<std::exception_ptr> failures(work.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i; (i = next++) < work.size();) {
      try {
        results[i] = figures_json(*work[i], in, i < in.recurrences.size() ? &in.ctvs : nullptr);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  const unsigned count = std::max(1u, std::min(std::thread::hardware_concurrency(), static_cast<unsigned>(work.size())));
  for (unsigned t = 0; t < count; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  for (const auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
  j["recurrences"] = Json(std::vector<Json>(results.begin(), results.begin() + static_cast<std::ptrdiff_t>(in.recurrences.size())));
  j["ctvs"] = Json(std::vector<Json>(results.begin() + static_cast<std::ptrdiff_t>(in.recurrences.size()), results.end()));
  j["gtv"] = {{"primary_cc", in.gtv_primary_cc}, {"nodal_cc", in.gtv_nodal_cc}};

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace rtpof::phantom
