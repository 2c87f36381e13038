#include "cohort/cohort_figure.hpp"

#include "pipeline/dosevolume/dvh_curve.hpp"

#include <algorithm>
#include <array>
#include <cairo-pdf.h>
#include <cairo.h>
#include <memory>
#include <stdexcept>
#include <string>

namespace rtpof::cohort {
namespace {

using nlohmann::json;
using Cairo = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;
using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;

constexpr double kWidth = 842, kHeight = 420;  // points: an A4 width, half its height
const std::array<const char*, 3> kClasses = {"in-field", "marginal", "out-field"};
const std::array<std::array<double, 3>, 3> kColours = {{{0.80, 0.10, 0.10}, {0.95, 0.55, 0.00}, {0.15, 0.35, 0.80}}};

struct Recurrence {
  int miss_class = 0;
  double v95 = 0;
  std::vector<std::pair<double, double>> dvh_percent;  // (% of reference dose, % volume)
};

struct Cohort {
  std::vector<Recurrence> recurrences;
  double in_field_min = 95, marginal_min = 20;
};

int class_index(const std::string& name) {
  for (int i = 0; i < 3; ++i)
    if (name == kClasses[static_cast<std::size_t>(i)]) return i;
  throw std::invalid_argument("unknown class " + name);
}

Cohort cohort_of(const std::vector<PatientOutcome>& outcomes) {
  Cohort c;
  for (const PatientOutcome& o : outcomes) {
    if (!o.analysis) continue;
    const json& a = *o.analysis;
    const double reference = a.at("reference_dose_gy").get<double>();
    const json& rules = a.value("classification", json::object());
    c.in_field_min = rules.value("in_field_min_v95_pct", c.in_field_min);
    c.marginal_min = rules.value("marginal_min_v95_pct", c.marginal_min);
    for (const json& r : a.at("recurrences")) {
      Recurrence rec;
      rec.miss_class = class_index(r.at("class").get<std::string>());
      rec.v95 = r.at("v95_pct").get<double>();
      for (const json& point : r.value("cumulative_dvh", json::array()))
        rec.dvh_percent.push_back({100.0 * point.at(0).get<double>() / reference, point.at(1).get<double>()});
      c.recurrences.push_back(rec);
    }
  }
  return c;
}

void colour(cairo_t* cr, int c, double alpha = 1) {
  const auto& rgb = kColours[static_cast<std::size_t>(c)];
  cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
}

void text(cairo_t* cr, double x, double y, const std::string& s, double size, bool centred = false) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, centred ? x - e.width / 2 - e.x_bearing : x, y);
  cairo_show_text(cr, s.c_str());
}

struct Panel {
  double x, y, w, h;  // the plotting area, points
  double x_max, y_max;
  double px(double v) const { return x + w * v / x_max; }
  double py(double v) const { return y + h - h * v / y_max; }
};

void axes(cairo_t* cr, const Panel& p, const std::string& x_label, const std::string& y_label, double y_step) {
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, p.x, p.y, p.w, p.h);
  cairo_stroke(cr);
  for (double v = 0; v <= p.y_max + 1e-9; v += y_step) {
    cairo_move_to(cr, p.x - 3, p.py(v));
    cairo_line_to(cr, p.x, p.py(v));
    cairo_stroke(cr);
    text(cr, p.x - 24, p.py(v) + 3, std::to_string(static_cast<int>(v)), 8);
  }
  text(cr, p.x + p.w / 2, p.y + p.h + 28, x_label, 9, true);
  cairo_save(cr);
  cairo_translate(cr, p.x - 30, p.y + p.h / 2);
  cairo_rotate(cr, -1.5707963267948966);
  text(cr, 0, 0, y_label, 9, true);
  cairo_restore(cr);
}

void dashed_line(cairo_t* cr, double x0, double y0, double x1, double y1) {
  const double dash[] = {4, 3};
  cairo_set_dash(cr, dash, 2, 0);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
}

FigureRecord draw(cairo_t* cr, const Cohort& c) {
  FigureRecord record;
  record.bands.assign(3, 0);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(cr, 40, 28, "Recurrences by V95 (n = " + std::to_string(c.recurrences.size()) + ")", 12);
  text(cr, 460, 28, "Cumulative DVH per class (band: lowest to highest; line: median)", 11);

  // Left: V95 per recurrence, one column per class, the thresholds dashed.
  const Panel left{70, 50, 330, 300, 3, 100};
  axes(cr, left, "class", "V95 (% of the recurrence)", 20);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr, 0.8);
  for (double threshold : {c.in_field_min, c.marginal_min}) {
    dashed_line(cr, left.x, left.py(threshold), left.x + left.w, left.py(threshold));
    text(cr, left.x + left.w + 4, left.py(threshold) + 3, std::to_string(static_cast<int>(threshold)) + " %", 8);
  }
  for (int k = 0; k < 3; ++k) {
    std::vector<double> v95;
    for (const Recurrence& r : c.recurrences)
      if (r.miss_class == k) v95.push_back(r.v95);
    colour(cr, k);
    text(cr, left.px(k + 0.5), left.y + left.h + 14, std::string(kClasses[static_cast<std::size_t>(k)]) + " (" +
                                                         std::to_string(v95.size()) + ")", 9, true);
    // Points spread evenly across the column in table order: no random jitter, so the bytes repeat.
    for (std::size_t i = 0; i < v95.size(); ++i) {
      const double spread = v95.size() > 1 ? 0.5 * (static_cast<double>(i) / static_cast<double>(v95.size() - 1) - 0.5) : 0;
      cairo_arc(cr, left.px(k + 0.5 + spread), left.py(std::clamp(v95[i], 0.0, 100.0)), 4, 0, 6.283185307179586);
      cairo_fill(cr);
      ++record.points;
    }
  }

  // Right: DVH bands on a common grid of dose in % of the reference dose.
  const Panel right{460, 50, 330, 300, 120, 100};
  axes(cr, right, "dose (% of the reference dose)", "volume (%)", 20);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int d = 0; d <= 120; d += 20) text(cr, right.px(d), right.y + right.h + 12, std::to_string(d), 8, true);
  for (int k = 0; k < 3; ++k) {
    std::vector<const Recurrence*> members;
    for (const Recurrence& r : c.recurrences)
      if (r.miss_class == k && !r.dvh_percent.empty()) members.push_back(&r);
    record.bands[static_cast<std::size_t>(k)] = members.size();
    if (members.empty()) continue;
    std::vector<double> grid, low, high, median;
    for (double d = 0; d <= 120.0 + 1e-9; d += 0.5) {
      std::vector<double> v;
      for (const Recurrence* r : members) v.push_back(pipeline::volume_at(r->dvh_percent, d));
      std::sort(v.begin(), v.end());
      grid.push_back(d);
      low.push_back(v.front());
      high.push_back(v.back());
      median.push_back(v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2);
    }
    colour(cr, k, 0.25);
    cairo_move_to(cr, right.px(grid[0]), right.py(high[0]));
    for (std::size_t i = 1; i < grid.size(); ++i) cairo_line_to(cr, right.px(grid[i]), right.py(high[i]));
    for (std::size_t i = grid.size(); i-- > 0;) cairo_line_to(cr, right.px(grid[i]), right.py(low[i]));
    cairo_close_path(cr);
    cairo_fill(cr);
    colour(cr, k);
    cairo_set_line_width(cr, 1.5);
    cairo_move_to(cr, right.px(grid[0]), right.py(median[0]));
    for (std::size_t i = 1; i < grid.size(); ++i) cairo_line_to(cr, right.px(grid[i]), right.py(median[i]));
    cairo_stroke(cr);
    text(cr, right.x + 8, right.y + right.h - 40 + 12.0 * k,
         std::string(kClasses[static_cast<std::size_t>(k)]) + " (" + std::to_string(members.size()) + ")", 9);
  }
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr, 0.8);
  dashed_line(cr, right.px(95), right.y, right.px(95), right.y + right.h);
  text(cr, right.px(95) + 2, right.y + right.h - 4, "95 %", 8);
  return record;
}

void check(cairo_status_t status, const std::filesystem::path& file) {
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error("cannot write " + file.string() + ": " + cairo_status_to_string(status));
}

}  // namespace

FigureRecord write_cohort_figure(const std::vector<PatientOutcome>& outcomes, const std::filesystem::path& pdf,
                                 const std::filesystem::path& png) {
  const Cohort c = cohort_of(outcomes);
  FigureRecord record;
  {
    Surface surface(cairo_pdf_surface_create(pdf.c_str(), kWidth, kHeight), cairo_surface_destroy);
    // A fixed date: the figure of the same rows must be the same bytes (docs/cohort.md).
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, "rtpof cohort: recurrences by class");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "rtpof cohort");
    Cairo cr(cairo_create(surface.get()), cairo_destroy);
    record = draw(cr.get(), c);
    cairo_show_page(cr.get());
    check(cairo_status(cr.get()), pdf);
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()), pdf);
  }
  {
    constexpr double kScale = 2;  // 1684 x 840 pixels
    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(kWidth * kScale),
                                               static_cast<int>(kHeight * kScale)),
                    cairo_surface_destroy);
    Cairo cr(cairo_create(surface.get()), cairo_destroy);
    cairo_scale(cr.get(), kScale, kScale);
    draw(cr.get(), c);
    check(cairo_status(cr.get()), png);
    check(cairo_surface_write_to_png(surface.get(), png.c_str()), png);
  }
  return record;
}

}  // namespace rtpof::cohort
