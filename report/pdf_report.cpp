#include "report/pdf_report.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "pipeline/dosevolume/dvh_curve.hpp"
#include "report/report_writer.hpp"

namespace rtpof::report {
namespace {

// A4 portrait in points.
constexpr double kPageW = 595.0, kPageH = 842.0, kMargin = 36.0;

struct Rgb {
  double r, g, b;
};

using Cairo = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;
using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;

Rgb class_colour(pipeline::MissClass c) {
  switch (c) {
    case pipeline::MissClass::InField: return {0.70, 0.05, 0.05};
    case pipeline::MissClass::Marginal: return {0.85, 0.45, 0.00};
    case pipeline::MissClass::OutField: return {0.05, 0.30, 0.70};
  }
  return {0, 0, 0};
}

Rgb level_colour(const std::string& level) {
  if (level == "high") return {0.85, 0.0, 0.0};
  if (level == "intermediate") return {0.95, 0.55, 0.0};
  if (level == "recurrence") return {1.0, 0.0, 1.0};
  return {0.80, 0.75, 0.0};
}

// A dose colour scale from blue (low) through green and yellow to red (high), t in [0, 1].
Rgb wash(double t) {
  t = std::clamp(t, 0.0, 1.0);
  const double r = std::clamp(1.5 - std::abs(4 * t - 3), 0.0, 1.0);
  const double g = std::clamp(1.5 - std::abs(4 * t - 2), 0.0, 1.0);
  const double b = std::clamp(1.5 - std::abs(4 * t - 1), 0.0, 1.0);
  return {r, g, b};
}

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

void set(cairo_t* cr, Rgb c, double alpha = 1.0) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

void text(cairo_t* cr, double x, double y, const std::string& s, double size, bool bold = false, Rgb c = {0, 0, 0}) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  set(cr, c);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, s.c_str());
}

double text_width(cairo_t* cr, const std::string& s, double size) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, s.c_str(), &extents);
  return extents.x_advance;
}

// Words wrapped into lines no wider than `width`; returns the y below the last line.
double paragraph(cairo_t* cr, double x, double y, double width, const std::string& s, double size) {
  std::string line, word;
  auto flush = [&] {
    text(cr, x, y, line, size);
    y += size * 1.3;
    line.clear();
  };
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ' ') {
      const std::string candidate = line.empty() ? word : line + " " + word;
      cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
      if (!line.empty() && text_width(cr, candidate, size) > width) {
        flush();
        line = word;
      } else {
        line = candidate;
      }
      word.clear();
    } else {
      word += s[i];
    }
  }
  if (!line.empty()) flush();
  return y;
}

double header(cairo_t* cr, const pipeline::CaseResult& result, const ReportPage& page, DrawingRecord& record) {
  text(cr, kMargin, 48, "Recurrence dose analysis", 16, true);
  const std::string who = "patient " + page.pseudonym + "   follow-up study " + page.study_date;
  text(cr, kPageW - kMargin - text_width(cr, who, 8.5), 46, who, 8.5);
  double y = 84;
  const pipeline::ClassificationRules& rules = result.rules;
  for (const pipeline::RecurrenceResult& r : result.recurrences) {
    const double v95 = std::round(r.v95_pct * 10) / 10;
    std::string label = pipeline::to_string(r.miss_class);
    std::transform(label.begin(), label.end(), label.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    text(cr, kMargin, y, label, 26, true, class_colour(r.miss_class));
    const double after = kMargin + text_width(cr, label, 26) + 14;
    text(cr, after, y - 12, r.roi + ":  V95 " + fixed(v95, 1) + " %", 12, true);
    text(cr, after, y + 1,
         "in-field V95 \u2265 " + fixed(rules.in_field_min_v95_pct, 0) + " %, marginal " +
             fixed(rules.marginal_min_v95_pct, 0) + "\u2013" + fixed(rules.in_field_min_v95_pct, 0) +
             " %, out-field < " + fixed(rules.marginal_min_v95_pct, 0) + " %",
         8.5);
    text(cr, after, y + 12,
         "V95 with the recurrence moved \u00b1" + fixed(rules.borderline_shift_mm, 0) + " mm or turned \u00b1" +
             fixed(rules.borderline_rotation_deg, 0) + "\u00b0: " + fixed(r.v95_range_pct[0], 1) + "\u2013" +
             fixed(r.v95_range_pct[1], 1) + " %, " + (r.borderline ? "BORDERLINE (the class could change)" : "not borderline"),
         8.5, r.borderline);
    record.recurrences.push_back({r.roi, pipeline::to_string(r.miss_class), v95,
                                  pipeline::volume_at(r.cumulative_dvh, 0.95 * result.reference_dose_gy), r.borderline});
    y += 42;
  }
  return y;
}

double figures_table(cairo_t* cr, const pipeline::CaseResult& result, double y) {
  const double cols[] = {kMargin, 150, 200, 245, 290, 335, 380, 425, 470};
  const char* heads[] = {"ROI", "vol cc", "V95 %", "D100", "D98", "D95", "Dmean", "Dmax", "centroid"};
  for (int i = 0; i < 9; ++i) text(cr, cols[i], y, heads[i], 8, true);
  text(cr, cols[8] + 45, y, "(Gy)", 8);
  y += 12;
  for (const pipeline::RecurrenceResult& r : result.recurrences) {
    const std::string values[] = {r.roi, fixed(r.volume_cc, 2), fixed(r.v95_pct, 1), fixed(r.d100_gy, 1),
                                  fixed(r.d98_gy, 1), fixed(r.d95_gy, 1), fixed(r.dmean_gy, 1), fixed(r.dmax_gy, 1),
                                  r.centroid_dose_gy ? fixed(*r.centroid_dose_gy, 1) : "-"};
    for (int i = 0; i < 9; ++i) text(cr, cols[i], y, values[i], 8);
    y += 11;
    std::string inside = "    inside:";
    for (const auto& [ctv, pct] : r.percent_in_ctv) inside += "  " + ctv + " " + fixed(pct, 1) + " %";
    text(cr, kMargin, y, inside, 7.5);
    y += 12;
  }
  for (const pipeline::CtvResult& c : result.ctvs) {
    text(cr, kMargin, y, c.roi + " (" + c.level + ")", 8);
    text(cr, cols[6], y, "CTV D98, D95", 7, false, {0.4, 0.4, 0.4});
    text(cr, cols[1], y, fixed(c.volume_cc, 1), 8);
    text(cr, cols[4], y, fixed(c.d98_gy, 1), 8);
    text(cr, cols[5], y, fixed(c.d95_gy, 1), 8);
    y += 11;
  }
  return y;
}

void dvh_plot(cairo_t* cr, const pipeline::CaseResult& result, double x0, double y0, double w, double h, DrawingRecord& record) {
  double max_gy = result.reference_dose_gy * 1.1;
  for (const auto& r : result.recurrences) max_gy = std::max(max_gy, r.dmax_gy * 1.02);
  const auto px = [&](double gy) { return x0 + w * gy / max_gy; };
  const auto py = [&](double pct) { return y0 + h * (1 - pct / 100); };
  cairo_set_line_width(cr, 0.6);
  set(cr, {0, 0, 0});
  cairo_rectangle(cr, x0, y0, w, h);
  cairo_stroke(cr);
  for (int pct = 0; pct <= 100; pct += 20) {
    text(cr, x0 - 18, py(pct) + 3, std::to_string(pct), 7);
    set(cr, {0.85, 0.85, 0.85});
    cairo_move_to(cr, x0, py(pct));
    cairo_line_to(cr, x0 + w, py(pct));
    cairo_stroke(cr);
  }
  for (int gy = 0; gy <= max_gy; gy += 10) text(cr, px(gy) - 5, y0 + h + 10, std::to_string(gy), 7);
  text(cr, x0 + w / 2 - 15, y0 + h + 20, "dose (Gy)", 7.5);
  text(cr, x0 - 18, y0 - 6, "% volume", 7.5);
  // The class thresholds (on V95) and the 95 % of the reference dose.
  const double reference95 = 0.95 * result.reference_dose_gy;
  const double dash[] = {3.0, 2.0};
  cairo_set_dash(cr, dash, 2, 0);
  set(cr, {0.3, 0.3, 0.3});
  cairo_move_to(cr, px(reference95), y0);
  cairo_line_to(cr, px(reference95), y0 + h);
  cairo_stroke(cr);
  for (const double threshold : {result.rules.in_field_min_v95_pct, result.rules.marginal_min_v95_pct}) {
    cairo_move_to(cr, px(reference95) - 12, py(threshold));
    cairo_line_to(cr, px(reference95) + 12, py(threshold));
    cairo_stroke(cr);
    text(cr, px(reference95) + 14, py(threshold) + 3, fixed(threshold, 0) + " %", 6.5, false, {0.3, 0.3, 0.3});
  }
  cairo_set_dash(cr, nullptr, 0, 0);
  text(cr, px(reference95) - 66, y0 + h - 4, "95 % of " + fixed(result.reference_dose_gy, 1) + " Gy", 6.5, false, {0.3, 0.3, 0.3});
  auto curve = [&](const std::vector<std::pair<double, double>>& points, Rgb colour, double width, const std::string& roi) {
    if (points.empty()) return;
    set(cr, colour);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, px(points.front().first), py(points.front().second));
    for (const auto& [gy, pct] : points) cairo_line_to(cr, px(std::min(gy, max_gy)), py(pct));
    cairo_stroke(cr);
    record.curves.push_back(roi);
  };
  double legend_y = y0 + h - 6 - 9.0 * static_cast<double>(result.ctvs.size() + result.recurrences.size());
  for (const auto& c : result.ctvs) {
    curve(c.cumulative_dvh, level_colour(c.level), 1.0, c.roi);
    text(cr, x0 + 6, legend_y += 9, c.roi, 7, false, level_colour(c.level));
  }
  for (const auto& r : result.recurrences) {
    curve(r.cumulative_dvh, level_colour("recurrence"), 2.0, r.roi);
    text(cr, x0 + 6, legend_y += 9, r.roi, 7, true, level_colour("recurrence"));
  }
}

void section_panel(cairo_t* cr, const pipeline::Section& s, double reference_gy, double x0, double y0, double size) {
  const int n = static_cast<int>(s.width);
  Surface image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, n, static_cast<int>(s.height)), cairo_surface_destroy);
  cairo_surface_flush(image.get());
  unsigned char* data = cairo_image_surface_get_data(image.get());
  const int stride = cairo_image_surface_get_stride(image.get());
  for (std::size_t row = 0; row < s.height; ++row)
    for (std::size_t col = 0; col < s.width; ++col) {
      const float hu = s.ct_hu[row * s.width + col];
      double grey = std::isnan(hu) ? 0.0 : std::clamp((hu + 160.0) / 400.0, 0.0, 1.0);  // soft-tissue window
      Rgb c{grey, grey, grey};
      const float gy = s.dose_gy[row * s.width + col];
      // The colour-wash from half the reference dose: 50 % (blue) to 110 % (red), 45 % opaque.
      if (!std::isnan(gy) && gy >= 0.5 * reference_gy) {
        const Rgb w = wash((gy / reference_gy - 0.5) / 0.6);
        c = {0.55 * c.r + 0.45 * w.r, 0.55 * c.g + 0.45 * w.g, 0.55 * c.b + 0.45 * w.b};
      }
      unsigned char* p = data + static_cast<std::ptrdiff_t>(row) * stride + static_cast<std::ptrdiff_t>(col) * 4;
      p[0] = static_cast<unsigned char>(c.b * 255);
      p[1] = static_cast<unsigned char>(c.g * 255);
      p[2] = static_cast<unsigned char>(c.r * 255);
    }
  cairo_surface_mark_dirty(image.get());
  const double scale = size / static_cast<double>(s.width);
  cairo_save(cr);
  cairo_translate(cr, x0, y0);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, image.get(), 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
  cairo_paint(cr);
  cairo_restore(cr);
  for (const pipeline::SectionOutline& outline : s.outlines) {
    set(cr, level_colour(outline.role));
    cairo_set_line_width(cr, outline.role == "recurrence" ? 1.4 : 0.8);
    for (const auto& line : outline.lines) {
      for (std::size_t i = 0; i < line.size(); ++i) {
        const double x = x0 + (line[i].first + 0.5) * scale, y = y0 + (line[i].second + 0.5) * scale;
        if (i == 0) cairo_move_to(cr, x, y);
        else cairo_line_to(cr, x, y);
      }
      cairo_close_path(cr);
      cairo_stroke(cr);
    }
  }
  const Rgb white{1, 1, 1};
  set(cr, {0, 0, 0}, 0.6);
  cairo_rectangle(cr, x0, y0, text_width(cr, s.name, 7.5) + 6, 13);
  cairo_fill(cr);
  text(cr, x0 + 3, y0 + 10, s.name, 7.5, true, white);
  text(cr, x0 + size - 8, y0 + size / 2, s.right_label, 7, true, white);
  text(cr, x0 + 3, y0 + size / 2, s.left_label, 7, true, white);
  text(cr, x0 + size / 2, y0 + 10, s.top_label, 7, true, white);
  text(cr, x0 + size / 2, y0 + size - 3, s.bottom_label, 7, true, white);
}

void dose_legend(cairo_t* cr, double reference_gy, double x0, double y0, double w) {
  for (int i = 0; i < 60; ++i) {
    set(cr, wash(i / 59.0));
    cairo_rectangle(cr, x0 + w * i / 60.0, y0, w / 60.0 + 0.3, 8);
    cairo_fill(cr);
  }
  for (const double fraction : {0.5, 0.8, 0.95, 1.1}) {
    const double x = x0 + w * (fraction - 0.5) / 0.6;
    text(cr, x - 10, y0 + 17, fixed(fraction * reference_gy, 1) + " Gy", 6.5);
  }
  text(cr, x0 + w + 8, y0 + 7, "dose colour-wash (50-110 % of the reference dose)", 6.5);
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<std::vector<unsigned char>*>(closure);
  out->insert(out->end(), data, data + length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

DrawingRecord draw_report_pdf(const pipeline::CaseResult& result, const ReportPage& page, std::vector<unsigned char>& pdf) {
  pdf.clear();
  DrawingRecord record;
  {
    Surface surface(cairo_pdf_surface_create_for_stream(append_bytes, &pdf, kPageW, kPageH), cairo_surface_destroy);
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, "rtpof recurrence dose analysis");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, ("rtpof " + page.software_version).c_str());
    Cairo cr(cairo_create(surface.get()), cairo_destroy);
    double y = header(cr.get(), result, page, record);
    y = figures_table(cr.get(), result, y + 4);
    const double plot_top = y + 16;
    dvh_plot(cr.get(), result, kMargin + 22, plot_top, 250, 170, record);
    // Beside the DVH: what the numbers rest on.
    double note_y = plot_top + 4;
    text(cr.get(), 330, note_y, "What these figures rest on", 8.5, true);
    note_y = paragraph(cr.get(), 330, note_y + 13, kPageW - kMargin - 330,
                       "Reference dose " + fixed(result.reference_dose_gy, 2) + " Gy (" + result.reference_dose_source + ").",
                       7.5);
    note_y = paragraph(cr.get(), 330, note_y + 2, kPageW - kMargin - 330, "Registration: " + page.registration, 7.5);
    note_y = paragraph(cr.get(), 330, note_y + 2, kPageW - kMargin - 330, "Dose: " + page.dose_scaling, 7.5);
    paragraph(cr.get(), 330, note_y + 2, kPageW - kMargin - 330,
              "Sections through the centroid of " + page.sections_about +
                  " on the planning CT; outlines: CTVs by level, the recurrence (magenta) mapped through the "
                  "registration above.",
              7.5);
    const double panel = (kPageW - 2 * kMargin - 2 * 8) / 3;
    const double panels_top = plot_top + 170 + 34;
    for (int i = 0; i < 3; ++i)
      section_panel(cr.get(), page.sections[static_cast<std::size_t>(i)], result.reference_dose_gy,
                    kMargin + i * (panel + 8), panels_top, panel);
    dose_legend(cr.get(), result.reference_dose_gy, kMargin, panels_top + panel + 8, 200);
    text(cr.get(), kMargin, kPageH - 28,
         "rtpof " + page.software_version + ". Computed automatically; check against the planning system before "
         "clinical use.",
         7, false, {0.35, 0.35, 0.35});
    cairo_show_page(cr.get());
    record.pages = 1;
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
      throw ReportError(std::string("drawing the PDF: ") + cairo_status_to_string(cairo_status(cr.get())));
  }
  if (pdf.empty()) throw ReportError("drawing the PDF: cairo wrote nothing");
  return record;
}

DrawingRecord write_report_pdf_file(const pipeline::CaseResult& result, const ReportPage& page,
                                    const std::filesystem::path& file) {
  std::vector<unsigned char> pdf;
  DrawingRecord record = draw_report_pdf(result, page, pdf);
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(pdf.data()), static_cast<std::streamsize>(pdf.size()));
  if (!out) throw std::runtime_error("cannot write the PDF " + file.string());
  return record;
}

}  // namespace rtpof::report
