// The cohort's statistics against scipy (Debian's python3-scipy, run here as an independent peer), and
// the descriptive figures against the reference study's own Table 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cohort/statistics.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::cohort {
namespace {

using nlohmann::json;
using testing::run;

// Tolerance the issue states for p-values and statistics against the peer.
constexpr double kTolerance = 1e-6;

json scipy(const std::string& program) {
  const auto result = run({"/usr/bin/python3", "-c", "import json, math, scipy.stats as s\n" + program});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return json::parse(result.output);
}

TEST(CohortStatistics, ChiSquareEqualsScipysWithoutContinuityCorrection) {
  const std::vector<std::vector<long>> table = {{12, 9, 7}, {5, 14, 11}};
  const TestResult ours = chi_square(table);
  const json theirs = scipy("r = s.chi2_contingency([[12,9,7],[5,14,11]], correction=False)\n"
                            "print(json.dumps([r[0], r[1], int(r[2])]))");
  EXPECT_NEAR(ours.statistic, theirs[0].get<double>(), kTolerance);
  EXPECT_NEAR(ours.p_value, theirs[1].get<double>(), kTolerance);
  EXPECT_EQ(ours.df, theirs[2].get<double>());
  // A 2x2 too: scipy would apply Yates' correction unless told not to; we never do.
  const TestResult two = chi_square({{20, 10}, {8, 22}});
  const json two_theirs = scipy("r = s.chi2_contingency([[20,10],[8,22]], correction=False)\nprint(json.dumps([r[0], r[1]]))");
  EXPECT_NEAR(two.statistic, two_theirs[0].get<double>(), kTolerance);
  EXPECT_NEAR(two.p_value, two_theirs[1].get<double>(), kTolerance);
}

TEST(CohortStatistics, FisherTwoByTwoEqualsScipysTwoSidedTest) {
  const std::vector<std::vector<std::vector<long>>> tables = {
      {{3, 1}, {1, 3}}, {{6, 0}, {1, 3}}, {{2, 7}, {8, 2}}, {{0, 5}, {5, 0}}, {{4, 4}, {4, 4}}, {{1, 9}, {11, 3}}};
  std::string program = "print(json.dumps([s.fisher_exact(t)[1] for t in [";
  for (const auto& t : tables)
    program += "[[" + std::to_string(t[0][0]) + "," + std::to_string(t[0][1]) + "],[" + std::to_string(t[1][0]) + "," +
               std::to_string(t[1][1]) + "]],";
  program += "]]))";
  const json theirs = scipy(program);
  for (std::size_t i = 0; i < tables.size(); ++i)
    EXPECT_NEAR(fisher_exact(tables[i]).p_value, theirs[i].get<double>(), kTolerance) << "table " << i;
}

// scipy 1.10 has no Fisher test beyond 2x2: the peer sums, with exact fractions, the probability of
// every table with the observed margins that is no more likely than the observed one.
TEST(CohortStatistics, FisherBeyondTwoByTwoEqualsAnExactEnumeration) {
  const std::vector<std::vector<std::vector<long>>> tables = {
      {{3, 1, 0}, {1, 2, 1}}, {{2, 0, 1}, {0, 3, 0}, {1, 0, 2}}, {{4, 2, 1}, {1, 3, 2}}};
  const auto result = run({"/usr/bin/python3", "-c",
                           "import sys, json\nsys.path.insert(0, '" + (testing::source_dir() / "tests/cohort").string() +
                               "')\nimport check_summary as c\n"
                               "print(json.dumps([c.fisher_rxc(t)[1] for t in [[[3,1,0],[1,2,1]], "
                               "[[2,0,1],[0,3,0],[1,0,2]], [[4,2,1],[1,3,2]]]]))"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const json theirs = json::parse(result.output);
  for (std::size_t i = 0; i < tables.size(); ++i)
    EXPECT_NEAR(fisher_exact(tables[i]).p_value, theirs[i].get<double>(), kTolerance) << "table " << i;
  EXPECT_THROW(fisher_exact({{30, 30, 30}, {30, 30, 30}, {30, 30, 30}}, 1000), std::length_error);
}

TEST(CohortStatistics, TTestAndAnovaEqualScipys) {
  const std::vector<double> a = {68.6, 68.2, 69.2, 68.9, 68.3, 69.0}, b = {68.7, 68.0, 68.1}, c = {68.3, 67.9};
  const TestResult t = t_test(a, b);
  const TestResult f = anova({a, b, c});
  const json theirs = scipy(
      "a=[68.6,68.2,69.2,68.9,68.3,69.0]; b=[68.7,68.0,68.1]; c=[68.3,67.9]\n"
      "t=s.ttest_ind(a,b,equal_var=True); f=s.f_oneway(a,b,c)\n"
      "print(json.dumps([t.statistic, t.pvalue, f.statistic, f.pvalue]))");
  EXPECT_NEAR(t.statistic, theirs[0].get<double>(), kTolerance);
  EXPECT_NEAR(t.p_value, theirs[1].get<double>(), kTolerance);
  EXPECT_EQ(t.df, 7);
  EXPECT_NEAR(f.statistic, theirs[2].get<double>(), kTolerance);
  EXPECT_NEAR(f.p_value, theirs[3].get<double>(), kTolerance);
  EXPECT_EQ(f.df, 2);
  EXPECT_EQ(f.df2, 8);
  EXPECT_THROW(t_test({1.0}, {1.0}), std::invalid_argument);
  EXPECT_THROW(anova({{2.0, 2.0}, {3.0, 3.0}}), std::invalid_argument);  // no variance within groups
  EXPECT_THROW(chi_square({{1, 2}}), std::invalid_argument);
  EXPECT_THROW(chi_square({{0, 0}, {1, 2}}), std::invalid_argument);
}

// The study's text gives the in-field recurrences' V95 as 97.42 ± 1.92 %: the same figures follow from
// its Table 2's six in-field rows, so "mean ± SD" is the sample SD, as describe() computes it.
TEST(CohortStatistics, ThePapersInFieldV95FollowsFromItsTable2) {
  const Description d = describe({96, 100, 95.1, 96.3, 98, 99.1});
  EXPECT_NEAR(d.mean, 97.42, 0.005);
  EXPECT_NEAR(d.sd, 1.92, 0.005);
  EXPECT_EQ(d.min, 95.1);
  EXPECT_EQ(d.max, 100);
  EXPECT_EQ(describe({}).n, 0u);
  EXPECT_EQ(describe({3.0}).sd, 0);
}

}  // namespace
}  // namespace rtpof::cohort
