#include "plot/series.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "plot/ticks.h"

namespace statenet {
namespace {

constexpr Rgb kGridGrey{225, 225, 225};



// Frame and x ticks (linear or log) shared by both panels.
void draw_x_axis(Image& img, const PlotArea& a, long cols, const SeriesPanelOptions& o, const TextRenderer& text) {
  img.hline(a.left - 1, a.left + a.width + 1, a.top - 1, kInk);
  img.hline(a.left - 1, a.left + a.width + 1, a.top + a.height, kInk);
  img.vline(a.left - 1, a.top - 1, a.top + a.height + 1, kInk);
  img.vline(a.left + a.width, a.top - 1, a.top + a.height + 1, kInk);
  const double x0 = o.x_start, x1 = o.x_start + o.x_step * cols;
  if (o.log_x) {
    for (double decade = 1e-6; decade < 1e9; decade *= 10)
      for (double m : {1.0, 2.0, 5.0}) {
        const double v = m * decade;
        if (v < x0 || v > x1) continue;
        const int px = a.left + static_cast<int>(std::lround(std::log(v / x0) / std::log(x1 / x0) * a.width));
        img.vline(px, a.top + a.height, a.top + a.height + 5, kInk);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        text.draw(img, px, a.top + a.height + 19, buf, 12, kInk, Align::kCentre);
      }
  } else {
    const double step = nice_tick_step(x1 - x0, 8);
    for (double v = std::ceil(x0 / step) * step; v <= x1 + 1e-9; v += step) {
      const int px = a.left + static_cast<int>(std::lround((v - x0) / (x1 - x0) * a.width));
      img.vline(px, a.top + a.height, a.top + a.height + 5, kInk);
      text.draw(img, px, a.top + a.height + 19, format_tick(v, step), 12, kInk, Align::kCentre);
    }
  }
  if (!o.x_label.empty()) text.draw(img, a.left + a.width / 2, a.top + a.height + 42, o.x_label, 13, kInk, Align::kCentre);
  if (!o.y_label.empty()) text.draw_vertical(img, a.left - 64, a.top + a.height / 2, o.y_label, 13, kInk);
}

}  // namespace

void draw_series(Image& img, const PlotArea& a, const std::vector<Series>& series, const SeriesPanelOptions& o,
                 const TextRenderer& text) {
  long cols = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& s : series) {
    cols = std::max<long>(cols, static_cast<long>(s.values.size()));
    for (float v : s.values)
      if (std::isfinite(v) && (!o.log_y || v > 0)) lo = std::min<double>(lo, v), hi = std::max<double>(hi, v);
  }
  if (!(hi >= lo)) lo = 0, hi = 1;
  if (hi == lo) hi = lo + 1;
  if (!o.log_y && lo > 0 && lo < 0.3 * hi) lo = 0;
  auto y_px = [&](double v) {
    const double u = o.log_y ? std::log(v / lo) / std::log(hi / lo) : (v - lo) / (hi - lo);
    return a.top + a.height - 1 - static_cast<int>(std::lround(u * (a.height - 1)));
  };
  // y ticks and light grid.
  if (o.log_y) {
    for (double decade = 1e-12; decade < 1e12; decade *= 10) {
      if (decade < lo || decade > hi) continue;
      const int py = y_px(decade);
      img.hline(a.left, a.left + a.width, py, kGridGrey);
      img.hline(a.left - 6, a.left - 1, py, kInk);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", decade);
      text.draw(img, a.left - 9, py + 4, buf, 12, kInk, Align::kRight);
    }
  } else {
    const double step = nice_tick_step(hi - lo, 4);
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-12; v += step) {
      const int py = y_px(v);
      img.hline(a.left, a.left + a.width, py, kGridGrey);
      img.hline(a.left - 6, a.left - 1, py, kInk);
      text.draw(img, a.left - 9, py + 4, format_tick(v, step), 12, kInk, Align::kRight);
    }
  }
  auto x_px = [&](long c) {
    if (o.log_x) {
      const double x = o.x_start + o.x_step * c, x0 = o.x_start, x1 = o.x_start + o.x_step * cols;
      return a.left + static_cast<int>(std::lround(std::log(std::max(x, x0) / x0) / std::log(x1 / x0) * a.width));
    }
    return a.left + static_cast<int>(std::lround((c + 0.5) * a.width / std::max<long>(cols, 1)));
  };
  for (const auto& s : series) {
    int px_prev = -1, py_prev = -1;
    for (long c = 0; c < static_cast<long>(s.values.size()); ++c) {
      const float v = s.values[c];
      if (!std::isfinite(v) || (o.log_y && v <= 0)) {
        px_prev = -1;
        continue;
      }
      const int px = x_px(c), py = std::clamp(y_px(v), a.top, a.top + a.height - 1);
      if (px_prev >= 0) {
        // Bresenham-free: vertical span per pixel column between consecutive points.
        const int steps = std::max(1, std::abs(px - px_prev));
        for (int k = 0; k <= steps; ++k) {
          const int x = px_prev + (px - px_prev) * k / steps;
          const int y = py_prev + (py - py_prev) * k / steps;
          const int y_next = py_prev + (py - py_prev) * std::min(k + 1, steps) / steps;
          for (int yy = std::min(y, y_next); yy <= std::max(y, y_next); ++yy)
            for (int w = 0; w < s.width_px; ++w) img.set(x, yy + w, s.colour);
        }
      } else {
        img.set(px, py, s.colour);
      }
      px_prev = px;
      py_prev = py;
    }
  }
  // Legend: a 20 px swatch and the label per labelled series, 16 px a row, in the
  // corner of the panel where the fewest data points would lie under it.
  int rows = 0, label_px = 0;
  for (const auto& s : series)
    if (!s.label.empty()) ++rows, label_px = std::max(label_px, text.width(s.label, 12));
  if (rows > 0) {
    const int box_w = 25 + std::max(label_px, 100) + 10, box_h = 16 * rows + 8;
    const int lefts[2] = {a.left + a.width - box_w, a.left + 10};
    const int tops[2] = {a.top + 4, a.top + a.height - box_h - 4};
    int best_x = lefts[0], best_y = tops[0];
    long best_hits = std::numeric_limits<long>::max();
    for (int y0 : tops)
      for (int x0 : lefts) {  // top right, top left, bottom right, bottom left
        long hits = 0;
        for (const auto& s : series)
          for (long c = 0; c < static_cast<long>(s.values.size()); ++c) {
            const float v = s.values[c];
            if (!std::isfinite(v) || (o.log_y && v <= 0)) continue;
            const int px = x_px(c), py = y_px(v);
            hits += px >= x0 && px < x0 + box_w && py >= y0 && py < y0 + box_h;
          }
        if (hits < best_hits) best_hits = hits, best_x = x0, best_y = y0;
      }
    int legend_y = best_y + 16;
    for (const auto& s : series) {
      if (s.label.empty()) continue;
      img.fill_rect(best_x, legend_y - 5, best_x + 20, legend_y - 3, s.colour);
      text.draw(img, best_x + 25, legend_y, s.label, 12, kInk);
      legend_y += 16;
    }
  }
  draw_x_axis(img, a, cols, o, text);
}

void draw_raster(Image& img, const PlotArea& a, const float* trials, int R, long T, const SeriesPanelOptions& o,
                 const TextRenderer& text) {
  for (int m = 0; m < R; ++m) {
    const int y0 = a.top + m * a.height / R, y1 = std::max(y0 + 1, a.top + (m + 1) * a.height / R - 1);
    for (long t = 0; t < T; ++t) {
      const float v = trials[static_cast<long>(m) * T + t];
      if (!(v > 0)) continue;
      const int x = a.left + static_cast<int>(static_cast<double>(t) * a.width / T);
      const int shade = std::max(0, 90 - static_cast<int>(30 * (v - 1)));
      img.fill_rect(x, y0, x + 1, y1, Rgb{static_cast<std::uint8_t>(shade), static_cast<std::uint8_t>(shade),
                                           static_cast<std::uint8_t>(shade)});
    }
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d", R);
  text.draw(img, a.left - 9, a.top + a.height - 2, buf, 12, kInk, Align::kRight);
  text.draw(img, a.left - 9, a.top + 12, "1", 12, kInk, Align::kRight);
  draw_x_axis(img, a, T, o, text);
}

}  // namespace statenet
