#include "cohort/table2.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "cohort/csv.hpp"

namespace rtpof::cohort {
namespace {

using nlohmann::json;

std::optional<double> optional_number(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return to_hundredths(j[key].get<double>());
}

// The first CTV of a level (high, intermediate, low), as the analysis ordered them.
std::optional<double> ctv_dose(const json& analysis, const std::string& level, const char* figure) {
  for (const json& ctv : analysis.value("ctvs", json::array()))
    if (ctv.value("level", "") == level) return optional_number(ctv, figure);
  return std::nullopt;
}

std::string registration_quality(const json& analysis) {
  const json& registration = analysis.at("registration");
  const json& quality = registration.value("quality", json::object());
  std::string text;
  if (registration.value("source", "") == "REG") {
    text = "REG " + quality.value("reg_instance_uid", std::string("?"));
  } else if (quality.contains("final_metric")) {
    // The figures of the automatic registration's check, not its summary: that also says how many
    // seconds it took, which would make the same inputs give different tables.
    char figures[160];
    std::snprintf(figures, sizeof figures, "Mattes MI %.4f after %d iterations; perturbed starts agree within %.2f mm",
                  quality.value("final_metric", 0.0), quality.value("iterations", 0), quality.value("restart_spread_mm", 0.0));
    text = figures;
  }
  if (registration.value("doubtful", false)) text += " (DOUBTFUL: review the fusion)";
  return text;
}

std::string dose_scaling(const json& analysis) {
  std::string text;
  for (const json& grid : analysis.at("dose").value("grids", json::array())) {
    char scaling[64];
    std::snprintf(scaling, sizeof scaling, "%g", grid.value("scaling", 1.0));
    if (!text.empty()) text += "; ";
    text += grid.value("summation_type", std::string("?")) + " x" + scaling;
    if (grid.value("per_fraction", false)) text += " (per fraction)";
  }
  return text;
}

std::string optional_text(const std::optional<double>& value) { return value ? hundredths_text(*value) : std::string(); }

}  // namespace

double to_hundredths(double value) { return std::round(value * 100.0) / 100.0; }

std::string hundredths_text(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", to_hundredths(value));
  return std::string(text) == "-0.00" ? "0.00" : text;
}

std::vector<std::string> table2_header(const std::vector<std::string>& clinical_columns) {
  std::vector<std::string> header = {"patient", "gtv_p_cc", "gtv_n_cc", "ctv_high_d98_gy", "ctv_intermediate_d95_gy",
                                     "ctv_low_d95_gy", "recurrence_volume_cc", "v95_pct", "d100_gy", "class",
                                     "recurrence_roi", "d95_gy", "d98_gy", "dmean_gy", "borderline",
                                     "registration_source", "registration_quality", "dose_scaling", "reference_dose_gy"};
  header.insert(header.end(), clinical_columns.begin(), clinical_columns.end());
  return header;
}

std::vector<Table2Row> table2_rows(const std::vector<PatientOutcome>& outcomes) {
  std::vector<Table2Row> rows;
  for (const PatientOutcome& outcome : outcomes) {
    if (!outcome.analysis) continue;
    const json& a = *outcome.analysis;
    const std::string name = patient_name(outcome);
    try {
      for (const json& r : a.at("recurrences")) {
        Table2Row row;
        row.patient = name;
        row.gtv_p_cc = optional_number(a.at("gtv"), "primary_cc");
        row.gtv_n_cc = optional_number(a.at("gtv"), "nodal_cc");
        row.ctv_high_d98_gy = ctv_dose(a, "high", "d98_gy");
        row.ctv_intermediate_d95_gy = ctv_dose(a, "intermediate", "d95_gy");
        row.ctv_low_d95_gy = ctv_dose(a, "low", "d95_gy");
        row.recurrence_volume_cc = to_hundredths(r.at("volume_cc").get<double>());
        row.v95_pct = to_hundredths(r.at("v95_pct").get<double>());
        row.d100_gy = to_hundredths(r.at("d100_gy").get<double>());
        row.miss_class = r.at("class").get<std::string>();
        row.recurrence_roi = r.at("roi").get<std::string>();
        row.d95_gy = to_hundredths(r.at("d95_gy").get<double>());
        row.d98_gy = to_hundredths(r.at("d98_gy").get<double>());
        row.dmean_gy = to_hundredths(r.at("dmean_gy").get<double>());
        row.borderline = r.value("borderline", false);
        row.registration_source = a.at("registration").value("source", std::string());
        row.registration_quality = registration_quality(a);
        row.dose_scaling = dose_scaling(a);
        row.reference_dose_gy = to_hundredths(a.at("reference_dose_gy").get<double>());
        row.clinical = outcome.patient.clinical;
        rows.push_back(row);
      }
    } catch (const json::exception& e) {
      throw std::invalid_argument("the analysis of " + name + " (" + outcome.patient.folder +
                                  ") lacks a figure of Table 2: " + e.what());
    }
  }
  return rows;
}

std::string table2_csv(const std::vector<Table2Row>& rows, const std::vector<std::string>& clinical_columns) {
  std::string csv = csv_line(table2_header(clinical_columns));
  for (const Table2Row& r : rows) {
    std::vector<std::string> fields = {r.patient,
                                       optional_text(r.gtv_p_cc),
                                       optional_text(r.gtv_n_cc),
                                       optional_text(r.ctv_high_d98_gy),
                                       optional_text(r.ctv_intermediate_d95_gy),
                                       optional_text(r.ctv_low_d95_gy),
                                       hundredths_text(r.recurrence_volume_cc),
                                       hundredths_text(r.v95_pct),
                                       hundredths_text(r.d100_gy),
                                       r.miss_class,
                                       r.recurrence_roi,
                                       hundredths_text(r.d95_gy),
                                       hundredths_text(r.d98_gy),
                                       hundredths_text(r.dmean_gy),
                                       r.borderline ? "yes" : "no",
                                       r.registration_source,
                                       r.registration_quality,
                                       r.dose_scaling,
                                       hundredths_text(r.reference_dose_gy)};
    fields.insert(fields.end(), r.clinical.begin(), r.clinical.end());
    csv += csv_line(fields);
  }
  return csv;
}

std::string errors_csv(const std::vector<PatientOutcome>& outcomes) {
  std::string csv = csv_line({"folder", "patient", "reason"});
  for (const PatientOutcome& o : outcomes)
    if (!o.analysis) csv += csv_line({o.patient.folder, o.patient.label, o.error});
  return csv;
}

}  // namespace rtpof::cohort
