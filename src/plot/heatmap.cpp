#include "plot/heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "plot/text.h"
#include "plot/ticks.h"

namespace statenet {
namespace {

constexpr Rgb kGrey{110, 110, 110};



}  // namespace

std::string format_hz_label(double hz) {
  char buf[32];
  if (hz >= 1000) {
    const double k = hz / 1000;
    std::snprintf(buf, sizeof buf, std::fabs(k - std::round(k)) < 1e-6 ? "%.0fk" : "%.1fk", k);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", hz);
  }
  return buf;
}

Image render_heatmap(const float* values, int rows, long cols, const HeatmapOptions& o) {
  const TextRenderer text;
  const int plot_w = static_cast<int>(std::clamp<long>(cols, o.min_plot_width_px, o.max_plot_width_px));
  const int row_h = o.row_height_px > 0 ? o.row_height_px : std::clamp(400 / std::max(rows, 1), 1, 12);
  const int plot_h = std::clamp(rows * row_h, 200, 520);
  const PlotArea area{80, o.title.empty() ? 20 : 44, plot_w, plot_h};
  Image img(area.left + plot_w + 110, area.top + plot_h + 56);
  draw_heatmap(img, area, values, rows, cols, o, text);
  if (!o.title.empty()) text.draw(img, area.left, 28, o.title, 15, kInk);
  return img;
}

void draw_heatmap(Image& img, const PlotArea& area, const float* values, int rows, long cols, const HeatmapOptions& o,
                  const TextRenderer& text) {
  const int left = area.left, top = area.top, plot_w = area.width, plot_h = area.height;
  // Colour range over finite values.
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (long i = 0; i < rows * cols; ++i)
    if (std::isfinite(values[i])) {
      lo = std::min(lo, values[i]);
      hi = std::max(hi, values[i]);
    }
  if (!(hi >= lo)) lo = hi = 0.0f;
  if (o.symmetric) {
    const float m = std::max(std::fabs(lo), std::fabs(hi));
    lo = -m;
    hi = m;
  }
  const float span = hi > lo ? hi - lo : 1.0f;

  // Plot area: each pixel column averages the data columns it covers.
  for (int px = 0; px < plot_w; ++px) {
    const long c0 = static_cast<long>(static_cast<double>(px) * cols / plot_w);
    const long c1 = std::max(c0 + 1, static_cast<long>(static_cast<double>(px + 1) * cols / plot_w));
    for (int py = 0; py < plot_h; ++py) {
      const int r = rows - 1 - static_cast<int>(static_cast<long>(py) * rows / plot_h);
      double sum = 0.0;
      int n = 0;
      for (long c = c0; c < std::min(c1, cols); ++c) {
        const float v = values[static_cast<long>(r) * cols + c];
        if (std::isfinite(v)) {
          sum += v;
          ++n;
        }
      }
      const Rgb colour = n ? colormap(o.colormap, (sum / n - lo) / span) : Rgb{200, 200, 200};
      img.set(left + px, top + py, colour);
    }
  }
  // Frame.
  img.hline(left - 1, left + plot_w + 1, top - 1, kInk);
  img.hline(left - 1, left + plot_w + 1, top + plot_h, kInk);
  img.vline(left - 1, top - 1, top + plot_h + 1, kInk);
  img.vline(left + plot_w, top - 1, top + plot_h + 1, kInk);

  // x ticks.
  const double x_end = o.x_start + o.x_step * cols;
  const double step = nice_tick_step(x_end - o.x_start, 8);
  for (double v = std::ceil(o.x_start / step) * step; v <= x_end + 1e-9; v += step) {
    const int px = left + static_cast<int>(std::lround((v - o.x_start) / (x_end - o.x_start) * plot_w));
    img.vline(px, top + plot_h, top + plot_h + 5, kInk);
    text.draw(img, px, top + plot_h + 19, format_tick(v, step), 12, kInk, Align::kCentre);
  }
  if (!o.x_label.empty()) text.draw(img, left + plot_w / 2, top + plot_h + 42, o.x_label, 13, kInk, Align::kCentre);

  // y ticks: at 1-2-5 values inside the row range, placed by interpolating the row values.
  if (static_cast<int>(o.row_values.size()) == rows && rows >= 2) {
    auto row_pos = [&](double value) {  // fractional row index of `value`, or NaN
      for (int r = 0; r + 1 < rows; ++r) {
        const double a = o.row_values[r], b = o.row_values[r + 1];
        if ((value - a) * (value - b) <= 0 && a != b) {
          const double f = o.log_rows ? std::log(value / a) / std::log(b / a) : (value - a) / (b - a);
          return r + f;
        }
      }
      return std::numeric_limits<double>::quiet_NaN();
    };
    std::vector<double> ticks;
    if (o.log_rows) {
      for (double decade = 1; decade < 1e6; decade *= 10)
        for (double m : {1.0, 2.0, 5.0}) ticks.push_back(m * decade);
    } else {
      const double s = nice_tick_step(o.row_values.back() - o.row_values.front(), 6);
      for (double v = std::ceil(o.row_values.front() / s) * s; v <= o.row_values.back(); v += s) ticks.push_back(v);
    }
    for (double v : ticks) {
      const double r = row_pos(v);
      if (!std::isfinite(r)) continue;
      const int py = top + plot_h - static_cast<int>(std::lround((r + 0.5) / rows * plot_h));
      img.hline(left - 6, left - 1, py, kInk);
      text.draw(img, left - 9, py + 4, o.log_rows ? format_hz_label(v) : format_tick(v, 1), 12, kInk, Align::kRight);
    }
  }
  text.draw_vertical(img, left - 64, top + plot_h / 2, o.y_label, 13, kInk);

  // Colour bar.
  const int bar_x = left + plot_w + 22, bar_w = 16;
  for (int py = 0; py < plot_h; ++py) {
    const Rgb c = colormap(o.colormap, 1.0 - static_cast<double>(py) / (plot_h - 1));
    img.fill_rect(bar_x, top + py, bar_x + bar_w, top + py + 1, c);
  }
  const double bar_step = nice_tick_step(span, 5);
  for (double v = std::ceil(lo / bar_step) * bar_step; v <= hi + 1e-9; v += bar_step) {
    const int py = top + plot_h - 1 - static_cast<int>(std::lround((v - lo) / span * (plot_h - 1)));
    img.hline(bar_x + bar_w, bar_x + bar_w + 4, py, kInk);
    text.draw(img, bar_x + bar_w + 6, py + 4, format_tick(v, bar_step), 11, kInk);
  }
  if (!o.colour_label.empty()) text.draw_vertical(img, bar_x + bar_w + 62, top + plot_h / 2, o.colour_label, 12, kGrey);
}

}  // namespace statenet
