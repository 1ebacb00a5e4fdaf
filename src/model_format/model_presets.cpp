#include "model_format/model_presets.h"

namespace statenet {
namespace {

// One row of the table in the header: the published sizes of one dataset (and area).
struct PaperSizes {
  const char* kind;
  const char* area;  ///< "" = every area of the kind
  int lc_kernel, lc_stride, lc_channels;
  RecurrentCore best_core;
  int cnn_kernel_f, cnn_kernel_t;
  int nrf_window, dnet_window;
};

constexpr PaperSizes kPaper[] = {
    {"ns1", "", 7, 3, 7, RecurrentCore::kGru, 6, 15, 41, 41},
    {"nat4", "", 5, 2, 10, RecurrentCore::kLstm, 3, 7, 41, 41},
    {"aa1", "MLd", 7, 3, 7, RecurrentCore::kMamba, 6, 15, 41, 41},
    {"aa1", "Field_L", 7, 3, 7, RecurrentCore::kS4, 6, 9, 41, 41},
    {"wehr", "", 9, 4, 5, RecurrentCore::kS4, 6, 15, 41, 11},
    {"asari", "A1", 9, 4, 5, RecurrentCore::kGru, 6, 15, 41, 41},
    {"asari", "MGB", 9, 4, 5, RecurrentCore::kGru, 6, 15, 41, 1},
};

const PaperSizes* paper_sizes(const DatasetIdentity& d) {
  for (const PaperSizes& p : kPaper)
    if (d.kind == p.kind && (*p.area == '\0' || d.area == p.area)) return &p;
  return nullptr;
}

}  // namespace

ModelPreset preset_model_config(Architecture architecture, const DatasetIdentity& dataset, int F, int N) {
  ModelPreset preset;
  ModelConfig& c = preset.config;
  c = default_model_config(architecture, F, N);
  const PaperSizes* p = paper_sizes(dataset);
  if (!p) {
    preset.source = dataset.kind.empty() ? "generic defaults (the dataset does not say what it is)"
                                         : "generic defaults (no published model for " + dataset.kind + " data)";
    return preset;
  }
  c.lc_kernel = p->lc_kernel, c.lc_stride = p->lc_stride, c.lc_channels = p->lc_channels;
  c.core = p->best_core;
  c.cnn_kernel_f = p->cnn_kernel_f, c.cnn_kernel_t = p->cnn_kernel_t;
  if (architecture == Architecture::kCnn2d) c.window_bins = 3 * (c.cnn_kernel_t - 1) + 1;
  if (architecture == Architecture::kNrf) c.window_bins = p->nrf_window;
  if (architecture == Architecture::kDnet) c.window_bins = p->dnet_window;
  preset.source = "the paper's sizes for " + dataset.kind + (*p->area ? std::string(" ") + p->area : std::string());
  return preset;
}

std::string describe_sizes(const ModelConfig& c) {
  const auto n = [](int v) { return std::to_string(v); };
  std::string s;
  switch (c.architecture) {
    case Architecture::kStateNet:
      s = to_string(c.first_layer) + " K " + n(c.lc_kernel) + " S " + n(c.lc_stride) + " C " + n(c.lc_channels) + " → H " +
          n(c.statenet_hidden()) + ", " + to_string(c.core);
      break;
    case Architecture::kL:
    case Architecture::kLn:
      s = "window " + n(c.window_bins);
      break;
    case Architecture::kNrf:
      s = "window " + n(c.window_bins) + ", hidden " + n(c.hidden);
      break;
    case Architecture::kDnet:
      s = "window " + n(c.window_bins) + ", hidden " + n(c.hidden) + ", decay " + to_string(c.dnet_decay);
      break;
    case Architecture::kCnn2d:
      s = "kernel " + n(c.cnn_kernel_f) + "×" + n(c.cnn_kernel_t) + ", " + n(c.cnn_channels) + " channels, hidden " + n(c.cnn_hidden) +
          (c.adaptrans ? ", AdapTrans " + n(c.adaptrans_taps) + " taps" : "");
      break;
    case Architecture::kTransformer:
      s = "E " + n(c.embed) + ", " + n(c.heads) + " heads, d_ff " + n(c.ff) + ", window " + n(c.window_bins);
      break;
  }
  return s + ", output " + to_string(c.output);
}

}  // namespace statenet
