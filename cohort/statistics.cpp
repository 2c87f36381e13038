#include "cohort/statistics.hpp"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>

namespace rtpof::cohort {
namespace {

// Tables this close in probability to the observed one count as equally likely: the probabilities are
// computed through different sums of logarithms and differ in the last bits (scipy uses the same 1e-7).
constexpr double kRelativeTie = 1e-7;

struct Margins {
  std::vector<long> rows, columns;
  long total = 0;
};

Margins margins_of(const std::vector<std::vector<long>>& counts) {
  if (counts.size() < 2 || counts.front().size() < 2)
    throw std::invalid_argument("a contingency table needs at least 2 rows and 2 columns");
  Margins m;
  m.columns.assign(counts.front().size(), 0);
  for (const auto& row : counts) {
    if (row.size() != m.columns.size()) throw std::invalid_argument("the table's rows differ in length");
    long sum = 0;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (row[c] < 0) throw std::invalid_argument("a count is negative");
      sum += row[c];
      m.columns[c] += row[c];
    }
    m.rows.push_back(sum);
    m.total += sum;
  }
  for (long r : m.rows)
    if (r == 0) throw std::invalid_argument("a row of the table is empty");
  for (long c : m.columns)
    if (c == 0) throw std::invalid_argument("a column of the table is empty");
  return m;
}

double log_factorial(long n) { return std::lgamma(static_cast<double>(n) + 1.0); }

// log P(table | margins) = sum log r_i! + sum log c_j! - log N! - sum log n_ij!
double log_table_probability_constant(const Margins& m) {
  double constant = -log_factorial(m.total);
  for (long r : m.rows) constant += log_factorial(r);
  for (long c : m.columns) constant += log_factorial(c);
  return constant;
}

TestResult fisher_2x2(const std::vector<std::vector<long>>& counts, const Margins& m) {
  // The top-left cell follows the hypergeometric law: r = its column's total drawn... Boost's
  // hypergeometric(r, n, N): r "defective" items (first column), n drawn (first row), N in all.
  const boost::math::hypergeometric_distribution<double> law(
      static_cast<unsigned>(m.columns[0]), static_cast<unsigned>(m.rows[0]), static_cast<unsigned>(m.total));
  const auto [lowest, highest] = boost::math::range(law);
  const double observed = boost::math::pdf(law, static_cast<unsigned>(counts[0][0]));
  double p = 0;
  for (auto x = static_cast<unsigned>(lowest); x <= static_cast<unsigned>(highest); ++x) {
    const double probability = boost::math::pdf(law, x);
    if (probability <= observed * (1 + kRelativeTie)) p += probability;
  }
  TestResult result;
  result.test = "fisher-exact";
  result.statistic = observed;
  result.p_value = std::min(1.0, p);
  return result;
}

// Every r x c table with the given margins, column by column: each column's cells are filled top-down
// within what the rows still need.
class TableEnumerator {
 public:
  TableEnumerator(const Margins& m, double log_constant, double observed_log, long max_tables)
      : m_(m), constant_(log_constant), observed_(observed_log), max_tables_(max_tables),
        remaining_rows_(m.rows) {}

  double p_value() {
    fill(0, 0, m_.columns[0], 0.0);
    return std::min(1.0, p_);
  }

 private:
  void fill(std::size_t column, std::size_t row, long left_in_column, double log_cells) {
    const std::size_t rows = m_.rows.size();
    if (column == m_.columns.size()) {
      if (++tables_ > max_tables_)
        throw std::length_error("Fisher's exact test: more than " + std::to_string(max_tables_) +
                                " tables share these margins; the chi-square test is the one to read");
      const double log_p = constant_ - log_cells;
      if (log_p <= observed_ + std::log1p(kRelativeTie)) p_ += std::exp(log_p);
      return;
    }
    if (row + 1 == rows) {  // the last row takes what is left of the column
      if (left_in_column > remaining_rows_[row]) return;
      remaining_rows_[row] -= left_in_column;
      const std::size_t next = column + 1;
      fill(next, 0, next < m_.columns.size() ? m_.columns[next] : 0, log_cells + log_factorial(left_in_column));
      remaining_rows_[row] += left_in_column;
      return;
    }
    // What the rows below can still absorb bounds this cell from below.
    long below = 0;
    for (std::size_t r = row + 1; r < rows; ++r) below += remaining_rows_[r];
    const long lowest = std::max(0L, left_in_column - below);
    const long highest = std::min(left_in_column, remaining_rows_[row]);
    for (long n = lowest; n <= highest; ++n) {
      remaining_rows_[row] -= n;
      fill(column, row + 1, left_in_column - n, log_cells + log_factorial(n));
      remaining_rows_[row] += n;
    }
  }

  const Margins& m_;
  double constant_, observed_;
  long max_tables_;
  std::vector<long> remaining_rows_;
  long tables_ = 0;
  double p_ = 0;
};

double sum_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

// Exactly equal values: a sum of squared deviations from a mean computed in floating point is then a
// rounding residue, not a variance, and a statistic made from it would look like a real one.
bool constant(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

double squared_deviations(const std::vector<double>& v, double mean) {
  double s = 0;
  for (double x : v) s += (x - mean) * (x - mean);
  return s;
}

}  // namespace

Description describe(const std::vector<double>& values) {
  Description d;
  d.n = values.size();
  if (values.empty()) return d;
  d.mean = sum_of(values) / static_cast<double>(d.n);
  if (d.n > 1) d.sd = std::sqrt(squared_deviations(values, d.mean) / static_cast<double>(d.n - 1));
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  d.min = *lo;
  d.max = *hi;
  return d;
}

double smallest_expected_count(const std::vector<std::vector<long>>& counts) {
  const Margins m = margins_of(counts);
  double smallest = HUGE_VAL;
  for (long r : m.rows)
    for (long c : m.columns)
      smallest = std::min(smallest, static_cast<double>(r) * static_cast<double>(c) / static_cast<double>(m.total));
  return smallest;
}

TestResult chi_square(const std::vector<std::vector<long>>& counts) {
  const Margins m = margins_of(counts);
  double chi2 = 0;
  for (std::size_t r = 0; r < m.rows.size(); ++r)
    for (std::size_t c = 0; c < m.columns.size(); ++c) {
      const double expected =
          static_cast<double>(m.rows[r]) * static_cast<double>(m.columns[c]) / static_cast<double>(m.total);
      const double d = static_cast<double>(counts[r][c]) - expected;
      chi2 += d * d / expected;
    }
  TestResult result;
  result.test = "chi-square";
  result.statistic = chi2;
  result.df = static_cast<double>((m.rows.size() - 1) * (m.columns.size() - 1));
  result.p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(result.df), chi2));
  return result;
}

TestResult fisher_exact(const std::vector<std::vector<long>>& counts, long max_tables) {
  const Margins m = margins_of(counts);
  if (m.rows.size() == 2 && m.columns.size() == 2) return fisher_2x2(counts, m);
  const double constant = log_table_probability_constant(m);
  double observed_cells = 0;
  for (const auto& row : counts)
    for (long n : row) observed_cells += log_factorial(n);
  const double observed = constant - observed_cells;
  TestResult result;
  result.test = "fisher-exact";
  result.statistic = std::exp(observed);
  result.p_value = TableEnumerator(m, constant, observed, max_tables).p_value();
  return result;
}

TestResult t_test(const std::vector<double>& a, const std::vector<double>& b) {
  const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size());
  if (a.empty() || b.empty() || a.size() + b.size() < 3)
    throw std::invalid_argument("a t-test needs two groups with at least three values in all");
  const double m1 = sum_of(a) / n1, m2 = sum_of(b) / n2;
  const double df = n1 + n2 - 2;
  const double pooled = (squared_deviations(a, m1) + squared_deviations(b, m2)) / df;
  if ((constant(a) && constant(b)) || !(pooled > 0)) throw std::invalid_argument("a t-test needs values that vary within the groups");
  TestResult result;
  result.test = "t-test";
  result.statistic = (m1 - m2) / std::sqrt(pooled * (1 / n1 + 1 / n2));
  result.df = df;
  result.p_value = 2 * boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<double>(df),
                                                                 std::fabs(result.statistic)));
  return result;
}

TestResult anova(const std::vector<std::vector<double>>& groups) {
  if (groups.size() < 2) throw std::invalid_argument("an ANOVA needs at least two groups");
  double total_n = 0, grand_sum = 0;
  for (const auto& g : groups) {
    if (g.empty()) throw std::invalid_argument("an ANOVA group is empty");
    total_n += static_cast<double>(g.size());
    grand_sum += sum_of(g);
  }
  const double grand_mean = grand_sum / total_n;
  const double k = static_cast<double>(groups.size());
  double between = 0, within = 0;
  for (const auto& g : groups) {
    const double mean = sum_of(g) / static_cast<double>(g.size());
    between += static_cast<double>(g.size()) * (mean - grand_mean) * (mean - grand_mean);
    within += squared_deviations(g, mean);
  }
  const double df1 = k - 1, df2 = total_n - k;
  if (df2 < 1) throw std::invalid_argument("an ANOVA needs more values than groups");
  if (std::all_of(groups.begin(), groups.end(), [](const std::vector<double>& g) { return constant(g); }) || !(within > 0))
    throw std::invalid_argument("an ANOVA needs values that vary within the groups");
  TestResult result;
  result.test = "anova";
  result.statistic = (between / df1) / (within / df2);
  result.df = df1;
  result.df2 = df2;
  result.p_value =
      boost::math::cdf(boost::math::complement(boost::math::fisher_f_distribution<double>(df1, df2), result.statistic));
  return result;
}

}  // namespace rtpof::cohort
