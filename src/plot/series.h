#pragma once
// Line and raster panels sharing a time axis with heat maps (see heatmap.h's PlotArea).

#include <string>
#include <vector>

#include "plot/heatmap.h"
#include "plot/text.h"

namespace statenet {

struct Series {
  std::vector<float> values;  ///< y per column (NaN = gap)
  Rgb colour{31, 119, 180};
  std::string label;
  int width_px = 1;
};

struct SeriesPanelOptions {
  std::string x_label = "time (s)";
  std::string y_label;
  double x_start = 0.0, x_step = 1.0;  ///< x of column 0, x units per column
  bool log_x = false;                  ///< x = x_start·… on a log axis (x must be > 0)
  bool log_y = false;
};

// Lines (with a legend when labels are given), y range from the data, x ticks.
void draw_series(Image& image, const PlotArea& area, const std::vector<Series>& series,
                 const SeriesPanelOptions& options, const TextRenderer& text);

// Spike raster: one row per trial (trial 0 at the top), a tick where the count > 0
// (darker for more), NaN trials left blank.
void draw_raster(Image& image, const PlotArea& area, const float* trials, int num_trials, long num_bins,
                 const SeriesPanelOptions& options, const TextRenderer& text);

}  // namespace statenet
