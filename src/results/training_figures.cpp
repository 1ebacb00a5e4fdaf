#include "results/training_figures.h"

#include <algorithm>
#include <cstdio>

#include "plot/image.h"
#include "plot/series.h"
#include "plot/text.h"

namespace statenet {

void write_learning_curve(const std::string& path, const SeedResult& r) {
  TextRenderer text;
  Image img(80 + 900 + 110, 44 + 220 + 56 + 20 + 180 + 56);
  text.draw(img, 80, 28, "seed " + std::to_string(r.seed) + (r.unit >= 0 ? ", unit " + std::to_string(r.unit) : "") +
                             ": best epoch " + std::to_string(r.best_epoch) + " of " + std::to_string(r.epochs_run),
            15, Rgb{30, 30, 30});
  Series train{std::vector<float>(r.train_loss.begin(), r.train_loss.end()), Rgb{31, 119, 180}, "train loss", 1};
  Series val{std::vector<float>(r.validation_loss.begin(), r.validation_loss.end()), Rgb{214, 39, 40}, "validation loss", 2};
  SeriesPanelOptions o;
  o.x_start = 1;
  o.x_label = "";
  o.y_label = "MSE";
  draw_series(img, PlotArea{80, 44, 900, 220}, {train, val}, o, text);
  Series cc{std::vector<float>(r.validation_cc_norm.begin(), r.validation_cc_norm.end()), Rgb{44, 160, 44}, "validation CC_norm", 2};
  o.x_label = "epoch";
  o.y_label = "CC_norm";
  draw_series(img, PlotArea{80, 44 + 220 + 40, 900, 180}, {cc}, o, text);
  write_png(path, img);
}

void write_prediction_plot(const std::string& path, const std::string& unit_id, double cc_norm, double dt_ms,
                           const std::vector<float>& recorded_values, const std::vector<float>& predicted_values) {
  TextRenderer text;
  Series recorded, predicted;
  recorded.label = "recorded PSTH";
  recorded.colour = Rgb{120, 120, 120};
  recorded.values = recorded_values;
  predicted.label = "prediction";
  predicted.colour = Rgb{214, 39, 40};
  predicted.width_px = 2;
  predicted.values = predicted_values;
  const int width = static_cast<int>(std::clamp<std::size_t>(recorded.values.size() / 2, 600, 1400));
  Image img(80 + width + 110, 44 + 260 + 56);
  char title[256];
  std::snprintf(title, sizeof title, "unit %s on the test clips: CC_norm %.3f", unit_id.c_str(), cc_norm);
  text.draw(img, 80, 28, title, 15, Rgb{30, 30, 30});
  SeriesPanelOptions o;
  o.x_step = dt_ms / 1000.0;
  o.y_label = "response per bin";
  o.x_label = "time (s), test clips concatenated";
  draw_series(img, PlotArea{80, 44, width, 260}, {recorded, predicted}, o, text);
  write_png(path, img);
}

}  // namespace statenet
