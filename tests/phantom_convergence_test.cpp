// Done-when 3 of the phantom: the truth's figures are converged. Each case is written twice, the
// second time with eight times the quadrature points (half the spacing along every axis); no figure
// may move by more than 0.1 % (doses and volumes relative, V95 in percentage points of the volume).
// The uncertainty truth.json states for each figure must also stay below that.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "phantom/phantom_writer.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

nlohmann::json truth_with(phantom::PhantomSpec spec, const std::filesystem::path& out) {
  phantom::write_phantom(spec, out);
  std::ifstream in(out / "truth.json");
  return nlohmann::json::parse(in);
}

void expect_converged(const nlohmann::json& coarse, const nlohmann::json& fine, const std::string& what,
                      double& worst_dose_pct, double& worst_v95_points) {
  for (const char* key : {"volume_cc", "d100_gy", "d98_gy", "d95_gy", "dmean_gy", "dmax_gy"}) {
    const double a = coarse[key], b = fine[key];
    const double change_pct = 100.0 * std::abs(a - b) / std::abs(b);
    worst_dose_pct = std::max(worst_dose_pct, change_pct);
    EXPECT_LT(change_pct, 0.1) << what << " " << key << ": " << a << " -> " << b;
    if (std::string(key) != "volume_cc") {
      const double stated_pct = 100.0 * coarse["uncertainty"][key].get<double>() / std::abs(a);
      EXPECT_LT(stated_pct, 0.1) << what << " " << key << ": stated uncertainty";
    }
  }
  const double v95_change = std::abs(coarse["v95_pct"].get<double>() - fine["v95_pct"].get<double>());
  worst_v95_points = std::max(worst_v95_points, v95_change);
  EXPECT_LT(v95_change, 0.1) << what << " v95_pct";
  EXPECT_LT(coarse["uncertainty"]["v95_pct"].get<double>(), 0.1) << what << " v95_pct: stated uncertainty";
}

struct ConvergenceCase {
  const char* name;
  bool seg;
};

void PrintTo(const ConvergenceCase& c, std::ostream* out) { *out << c.name << (c.seg ? " (SEG)" : " (RTSTRUCT)"); }

class TruthConvergence : public ::testing::TestWithParam<ConvergenceCase> {};

TEST_P(TruthConvergence, DoublingTheSamplingMovesNoFigureByMoreThanATenthOfAPercent) {
  TempDir dir;
  phantom::PhantomSpec spec = phantom::PhantomSpec::small(3);
  spec.case_name = GetParam().name;
  spec.seg = GetParam().seg;
  const auto normal = truth_with(spec, dir / "normal");
  spec.truth_points *= 8;
  const auto fine = truth_with(spec, dir / "fine");
  double worst_dose_pct = 0, worst_v95 = 0;
  for (const char* group : {"recurrences", "ctvs"})
    for (std::size_t i = 0; i < normal[group].size(); ++i)
      expect_converged(normal[group][i], fine[group][i], std::string(GetParam().name) + " " +
                                                              normal[group][i]["roi"].get<std::string>(),
                       worst_dose_pct, worst_v95);
  std::cout << GetParam().name << (GetParam().seg ? " (SEG)" : "") << ": largest change " << worst_dose_pct
            << " % (doses, volumes), " << worst_v95 << " points (V95)\n";
}

INSTANTIATE_TEST_SUITE_P(Cases, TruthConvergence,
                         ::testing::Values(ConvergenceCase{"marginal", false}, ConvergenceCase{"marginal-22", false},
                                           ConvergenceCase{"marginal-22", true},
                                           ConvergenceCase{"two-sites", false}, ConvergenceCase{"marginal-93", false}),
                         [](const auto& info) {
                           std::string name = std::string(info.param.name) + (info.param.seg ? "_seg" : "");
                           for (auto& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace rtpof::testing
