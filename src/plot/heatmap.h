#pragma once
// A labelled heat map figure: a matrix drawn with time (or any linear quantity) on x,
// rows on y labelled at chosen values (e.g. band centre frequencies in Hz, on a log
// axis), a colour bar, a title. Used for cochleagrams, GradMaps, Dreams and true STRFs.

#include <string>
#include <vector>

#include "plot/colormap.h"
#include "plot/image.h"

namespace statenet {

struct HeatmapOptions {
  std::string title;
  std::string x_label = "time (s)";
  std::string y_label = "frequency (Hz)";
  std::string colour_label;
  double x_start = 0.0;             ///< x value at the left edge of column 0
  double x_step = 1.0;              ///< x units per column
  std::vector<double> row_values;   ///< y value of each row (e.g. band centre in Hz); may be empty
  bool log_rows = true;             ///< row_values grow geometrically: tick at 1-2-5 × 10^k
  Colormap colormap = Colormap::kViridis;
  bool symmetric = false;           ///< colour range ±max|v| centred on 0 (diverging maps)
  int max_plot_width_px = 1400;     ///< columns beyond this are averaged
  int min_plot_width_px = 500;      ///< fewer columns are stretched
  int row_height_px = 0;            ///< 0 = automatic (plot height 200–520 px)
};

// values: row-major [rows][cols], row 0 drawn at the BOTTOM (lowest frequency).
Image render_heatmap(const float* values, int rows, long cols, const HeatmapOptions& options);

// The plot area of a panel in pixels; axes, ticks and labels are drawn around it
// (80 px on the left, a colour bar within 110 px on the right, 56 px below).
struct PlotArea {
  int left = 0, top = 0, width = 0, height = 0;
};
class TextRenderer;
// Draws a heat map panel (with its axes and colour bar) into an existing image.
void draw_heatmap(Image& image, const PlotArea& area, const float* values, int rows, long cols,
                  const HeatmapOptions& options, const TextRenderer& text);

// "500", "1k", "2.5k", "16k": a compact frequency label.
std::string format_hz_label(double hz);

}  // namespace statenet
