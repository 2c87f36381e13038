#include "cohort/summary.hpp"

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "cohort/statistics.hpp"

namespace rtpof::cohort {
namespace {

using nlohmann::json;

const std::vector<std::string> kClasses = {"in-field", "marginal", "out-field"};

struct Figure {
  const char* name;
  std::function<std::optional<double>(const Table2Row&)> value;
  bool tested;  // V95 and D100 define the class: testing them against it would be circular
};

const std::vector<Figure>& figures() {
  static const std::vector<Figure> all = {
      {"v95_pct", [](const Table2Row& r) { return std::optional<double>(r.v95_pct); }, false},
      {"d100_gy", [](const Table2Row& r) { return std::optional<double>(r.d100_gy); }, false},
      {"recurrence_volume_cc", [](const Table2Row& r) { return std::optional<double>(r.recurrence_volume_cc); }, true},
      {"gtv_p_cc", [](const Table2Row& r) { return r.gtv_p_cc; }, true},
      {"gtv_n_cc", [](const Table2Row& r) { return r.gtv_n_cc; }, true},
      {"ctv_high_d98_gy", [](const Table2Row& r) { return r.ctv_high_d98_gy; }, true},
      {"ctv_intermediate_d95_gy", [](const Table2Row& r) { return r.ctv_intermediate_d95_gy; }, true},
      {"ctv_low_d95_gy", [](const Table2Row& r) { return r.ctv_low_d95_gy; }, true},
  };
  return all;
}

json description_json(const std::vector<double>& values) {
  const Description d = describe(values);
  if (d.n == 0) return {{"n", 0}, {"mean", nullptr}, {"sd", nullptr}, {"min", nullptr}, {"max", nullptr}};
  return {{"n", d.n}, {"mean", d.mean}, {"sd", d.n > 1 ? json(d.sd) : json(nullptr)}, {"min", d.min}, {"max", d.max}};
}

json test_json(const TestResult& t) {
  json j = {{"test", t.test}, {"statistic", t.statistic}, {"p_value", t.p_value}, {"significant", t.p_value < kSignificance}};
  if (t.test == "anova") j["df"] = {t.df, t.df2};
  else if (t.test != "fisher-exact") j["df"] = t.df;
  return j;
}

// A continuous column against the class: Student's t for two classes present, one-way ANOVA for three.
json continuous_association(const std::string& column, const std::vector<std::optional<double>>& values,
                            const std::vector<Table2Row>& rows) {
  json j = {{"column", column}, {"kind", "continuous"}};
  std::vector<std::vector<double>> groups;
  json sizes = json::array();
  for (const std::string& c : kClasses) {
    std::vector<double> group;
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (rows[i].miss_class == c && values[i]) group.push_back(*values[i]);
    if (!group.empty()) {
      groups.push_back(group);
      sizes.push_back({{"class", c}, {"n", group.size()}});
    }
  }
  j["groups"] = sizes;
  try {
    if (groups.size() < 2) throw std::invalid_argument("fewer than two classes have a value");
    j.update(test_json(groups.size() == 2 ? t_test(groups[0], groups[1]) : anova(groups)));
  } catch (const std::invalid_argument& e) {
    j["test"] = "none";
    j["why"] = e.what();
  }
  return j;
}

// A categorical column against the class: its values (rows) by class (columns); chi-square, or Fisher's
// exact test when an expected count is below 5.
json categorical_association(const std::string& column, const std::vector<std::string>& values,
                             const std::vector<Table2Row>& rows) {
  json j = {{"column", column}, {"kind", "categorical"}};
  std::set<std::string> levels;
  std::set<std::string> present;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (!values[i].empty()) {
      levels.insert(values[i]);
      present.insert(rows[i].miss_class);
    }
  std::vector<std::string> columns;
  for (const std::string& c : kClasses)
    if (present.count(c)) columns.push_back(c);
  std::vector<std::vector<long>> counts;
  for (const std::string& level : levels) {
    std::vector<long> row(columns.size(), 0);
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (values[i] == level)
        for (std::size_t c = 0; c < columns.size(); ++c)
          if (rows[i].miss_class == columns[c]) ++row[c];
    counts.push_back(row);
  }
  j["table"] = {{"rows", std::vector<std::string>(levels.begin(), levels.end())}, {"columns", columns}, {"counts", counts}};
  try {
    const double smallest = smallest_expected_count(counts);
    j["smallest_expected_count"] = smallest;
    j.update(test_json(smallest < kSmallestExpectedForChiSquare ? fisher_exact(counts) : chi_square(counts)));
  } catch (const std::exception& e) {  // invalid_argument (too small a table), length_error (too many tables)
    j["test"] = "none";
    j["why"] = e.what();
  }
  return j;
}

bool is_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(value);
}

std::string format(const char* f, double v) {
  char text[64];
  std::snprintf(text, sizeof text, f, v);
  return text;
}

std::string p_text(double p) { return p < 0.0001 ? "< 0.0001" : format("%.4f", p); }

std::string number_or_dash(const json& v, const char* f) { return v.is_null() ? "-" : format(f, v.get<double>()); }

}  // namespace

json cohort_summary(const std::vector<PatientOutcome>& outcomes, const std::vector<Table2Row>& rows,
                    const std::vector<std::string>& clinical_columns) {
  json s;
  s["unit"] = "recurrence";
  std::size_t analysed = 0;
  std::set<std::pair<double, double>> rules;
  for (const PatientOutcome& o : outcomes)
    if (o.analysis) {
      ++analysed;
      const json& c = o.analysis->value("classification", json::object());
      rules.insert({c.value("in_field_min_v95_pct", 95.0), c.value("marginal_min_v95_pct", 20.0)});
    }
  s["patients"] = {{"listed", outcomes.size()}, {"analysed", analysed}, {"not_analysed", outcomes.size() - analysed}};
  s["recurrences"] = rows.size();
  // Analyses made under different thresholds (a node whose rules changed) do not add up to one table.
  s["classification_rules"] = json::array();
  for (const auto& [in_field, marginal] : rules)
    s["classification_rules"].push_back({{"in_field_min_v95_pct", in_field}, {"marginal_min_v95_pct", marginal}});
  json classes = json::array();
  for (const std::string& c : kClasses) {
    std::size_t n = 0;
    for (const Table2Row& r : rows) n += r.miss_class == c;
    classes.push_back({{"class", c}, {"count", n},
                       {"percent", rows.empty() ? json(nullptr) : json(100.0 * static_cast<double>(n) / static_cast<double>(rows.size()))}});
  }
  s["classes"] = classes;
  json described = json::array();
  json associations = json::array();
  for (const Figure& f : figures()) {
    std::vector<std::optional<double>> values;
    for (const Table2Row& r : rows) values.push_back(f.value(r));
    json entry = {{"figure", f.name}};
    std::vector<double> all;
    for (const auto& v : values)
      if (v) all.push_back(*v);
    entry["overall"] = description_json(all);
    for (const std::string& c : kClasses) {
      std::vector<double> of_class;
      for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].miss_class == c && values[i]) of_class.push_back(*values[i]);
      entry[c] = description_json(of_class);
    }
    described.push_back(entry);
    if (f.tested) associations.push_back(continuous_association(f.name, values, rows));
  }
  s["figures"] = described;
  // A manifest column is continuous when every value given is a number and there are at least three
  // distinct ones; otherwise (stages, yes/no, 0/1 codes) it is categorical.
  for (std::size_t c = 0; c < clinical_columns.size(); ++c) {
    std::vector<std::string> texts;
    std::vector<std::optional<double>> numbers;
    std::set<double> distinct;
    bool numeric = true;
    for (const Table2Row& r : rows) {
      const std::string text = c < r.clinical.size() ? r.clinical[c] : std::string();
      texts.push_back(text);
      double value = 0;
      if (text.empty()) {
        numbers.push_back(std::nullopt);
      } else if (is_number(text, value)) {
        numbers.push_back(value);
        distinct.insert(value);
      } else {
        numeric = false;
        numbers.push_back(std::nullopt);
      }
    }
    associations.push_back(numeric && distinct.size() >= 3
                               ? continuous_association(clinical_columns[c], numbers, rows)
                               : categorical_association(clinical_columns[c], texts, rows));
    associations.back()["source"] = "manifest";
  }
  for (auto& a : associations)
    if (!a.contains("source")) a["source"] = "table2";
  s["associations"] = associations;
  return s;
}

std::string summary_markdown(const json& s) {
  std::string md = "# Cohort summary\n\n";
  const json& p = s.at("patients");
  md += "Patients listed " + std::to_string(p.at("listed").get<std::size_t>()) + ", analysed " +
        std::to_string(p.at("analysed").get<std::size_t>()) + ", not analysed " +
        std::to_string(p.at("not_analysed").get<std::size_t>()) + " (errors.csv says why); recurrences " +
        std::to_string(s.at("recurrences").get<std::size_t>()) + ". The unit of every figure and test below is the recurrence.\n\n";
  const json& rules = s.at("classification_rules");
  if (rules.size() > 1)
    md += "**WARNING: the analyses were classified under different thresholds; their classes do not add up to one table.**\n\n";
  for (const json& r : rules)
    md += "Classes by V95: in-field >= " + format("%g", r.at("in_field_min_v95_pct").get<double>()) + " %, marginal " +
          format("%g", r.at("marginal_min_v95_pct").get<double>()) + "-" +
          format("%g", r.at("in_field_min_v95_pct").get<double>()) + " %, out-field below.\n\n";
  md += "## Classes\n\n| class | recurrences | % |\n| --- | ---: | ---: |\n";
  for (const json& c : s.at("classes"))
    md += "| " + c.at("class").get<std::string>() + " | " + std::to_string(c.at("count").get<std::size_t>()) + " | " +
          number_or_dash(c.at("percent"), "%.1f") + " |\n";
  md += "\n## Figures: mean ± SD (min-max), n\n\n| figure | all | in-field | marginal | out-field |\n| --- | --- | --- | --- | --- |\n";
  for (const json& f : s.at("figures")) {
    md += "| " + f.at("figure").get<std::string>();
    for (const char* group : {"overall", "in-field", "marginal", "out-field"}) {
      const json& d = f.at(group);
      md += " | ";
      if (d.at("n").get<std::size_t>() == 0) {
        md += "-";
        continue;
      }
      md += number_or_dash(d.at("mean"), "%.2f") + " ± " + number_or_dash(d.at("sd"), "%.2f") + " (" +
            number_or_dash(d.at("min"), "%.2f") + "-" + number_or_dash(d.at("max"), "%.2f") + "), " +
            std::to_string(d.at("n").get<std::size_t>());
    }
    md += " |\n";
  }
  md += "\n## Associations with the class (p < 0.05 significant)\n\n"
        "Continuous columns: Student's t-test (two classes present) or one-way ANOVA (three). Categorical columns: "
        "Pearson's chi-square without continuity correction, or Fisher's exact test (two-sided; Freeman-Halton beyond "
        "2x2) where an expected count is below 5. V95 and D100 define the class and are not tested against it.\n\n"
        "| column | from | test | statistic | df | p | significant |\n| --- | --- | --- | ---: | --- | ---: | --- |\n";
  for (const json& a : s.at("associations")) {
    md += "| " + a.at("column").get<std::string>() + " | " + a.at("source").get<std::string>() + " | ";
    if (a.at("test") == "none") {
      md += "none: " + a.at("why").get<std::string>() + " | | | | |\n";
      continue;
    }
    std::string df;
    if (a.contains("df")) df = a["df"].is_array() ? format("%g", a["df"][0].get<double>()) + ", " + format("%g", a["df"][1].get<double>())
                                                  : format("%g", a["df"].get<double>());
    md += a.at("test").get<std::string>() + " | " + format("%.4g", a.at("statistic").get<double>()) + " | " + df + " | " +
          p_text(a.at("p_value").get<double>()) + " | " + (a.at("significant").get<bool>() ? "yes" : "no") + " |\n";
  }
  return md;
}

}  // namespace rtpof::cohort
