#pragma once
// The tests the reference study used to relate clinical and dosimetric factors to the recurrence class,
// and the descriptive figures of its Table 2 (docs/cohort.md says which test is chosen when). The
// distributions are Boost.Math's; nothing here approximates a special function of its own.
#include <optional>
#include <string>
#include <vector>

namespace rtpof::cohort {

// n, mean, sample standard deviation (n - 1 in the denominator, as the study's "mean ± SD"), range.
struct Description {
  std::size_t n = 0;
  double mean = 0, sd = 0, min = 0, max = 0;  // sd is 0 when n < 2
};
Description describe(const std::vector<double>& values);

struct TestResult {
  std::string test;       // "chi-square", "fisher-exact", "t-test", "anova"
  double statistic = 0;   // chi², the observed table's probability (Fisher), t, F
  double df = 0;          // degrees of freedom (ANOVA: between groups; df2 holds within)
  double df2 = 0;
  double p_value = 1;     // two-sided
};

// A contingency table: counts[row][column]. Pearson's chi-square without continuity correction.
// Throws std::invalid_argument when the table is smaller than 2x2 or a row or column sums to 0.
TestResult chi_square(const std::vector<std::vector<long>>& counts);
// Fisher's exact test, two-sided: the probability under the hypergeometric law (fixed margins) of every
// table no more likely than the observed one. 2x2 from Boost.Math's hypergeometric distribution; larger
// tables by enumerating every table with the observed margins (Freeman-Halton), each table's probability
// from the margins' factorials (std::lgamma). Throws std::invalid_argument as chi_square, and
// std::length_error when the enumeration would exceed `max_tables`.
TestResult fisher_exact(const std::vector<std::vector<long>>& counts, long max_tables = 20'000'000);
// The smallest expected count of the table under independence (row sum x column sum / total).
double smallest_expected_count(const std::vector<std::vector<long>>& counts);

// Student's two-sample t-test with pooled variance (equal variances assumed, as an "independent t-test").
// Throws std::invalid_argument when n1 + n2 < 3 or the pooled variance is 0.
TestResult t_test(const std::vector<double>& a, const std::vector<double>& b);
// One-way ANOVA over k >= 2 groups. Throws std::invalid_argument when N - k < 1 or the within-group
// variance is 0.
TestResult anova(const std::vector<std::vector<double>>& groups);

}  // namespace rtpof::cohort
