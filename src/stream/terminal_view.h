#pragma once
// A live terminal view for demos, plain ANSI (256 colours, works over SSH): a scrolling
// cochleagram (two bands per text row with '▀'), one bar per unit (eighth-block glyphs,
// scaled to each unit's running maximum) and a status line. [consumer thread; not RT]

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace statenet {

struct TerminalViewOptions {
  int history_columns = 64;   ///< frames of cochleagram shown (the newest on the right)
  int bar_rows = 8;           ///< height of the unit bars in text rows
  float level_low = -70.0f;   ///< cochleagram value drawn darkest
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

}  // namespace statenet
