#pragma once
// A live terminal view for demos, plain ANSI (256 colours, works over SSH): a scrolling
// cochleagram (two bands per text row with '▀'), one bar per unit (eighth-block glyphs,
// scaled to each unit's running maximum) and a status line. [consumer thread; not RT]

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "stream/prediction_sink.h"

namespace statenet {

struct TerminalViewOptions {
  int history_columns = 64;   ///< frames of cochleagram shown (the newest on the right)
  int bar_rows = 8;           ///< height of the unit bars in text rows
  float level_low = -70.0f;   ///< cochleagram value drawn darkest (the front end's floor)
  float level_high = 0.0f;    ///< cochleagram value drawn brightest
  std::string title;
};

class TerminalView {
 public:
  TerminalView(int num_bands, int num_units, TerminalViewOptions options, std::FILE* out = stdout);
  ~TerminalView();  // shows the cursor again
  /// Adds one frame; cheap (no drawing).
  void add(const float* bands, const float* rates);
  /// Redraws the whole view with `status` under it.
  void draw(const std::string& status);

 private:
  int bands_, units_;
  TerminalViewOptions o_;
  std::FILE* out_;
  std::vector<float> history_;      // history_columns × bands, ring
  int next_column_ = 0;
  std::vector<float> rates_, peak_;  // latest rates and each unit's running max
};

// The view as a stream sink: opened at begin() with the front end's display range, one frame
// per prediction, redrawn at every progress report, closed (cursor shown again) at end() or
// when destroyed after a failed stream.
class TerminalViewSink final : public PredictionSink {
 public:
  explicit TerminalViewSink(std::FILE* out = stdout) : out_(out) {}
  void begin(const StreamInfo& info) override;
  void consume(const Prediction& p) override { view_->add(p.bands, p.rates); }
  void progress(const StreamProgress& progress) override;
  void end(const StreamSummary&) override { view_.reset(); }

 private:
  std::FILE* out_;
  std::unique_ptr<TerminalView> view_;
};

}  // namespace statenet
