#include "stream/terminal_view.h"

#include <algorithm>
#include <cmath>

namespace statenet {

namespace {
// 24 steps of the xterm-256 colour cube from black through blue and magenta to yellow-white.
int colour_of(float v, float lo, float hi) {
  static const int ramp[] = {16, 17, 18, 19, 20, 56, 92, 128, 164, 200, 199, 198, 197, 203, 209, 215, 221, 227, 228, 229, 230, 231, 231, 231};
  const float x = std::clamp((v - lo) / (hi - lo), 0.0f, 1.0f);
  return ramp[static_cast<int>(x * 23.0f + 0.5f)];
}
}  // namespace

TerminalView::TerminalView(int num_bands, int num_units, TerminalViewOptions options, std::FILE* out)
    : bands_(num_bands), units_(num_units), o_(std::move(options)), out_(out),
      history_(static_cast<std::size_t>(o_.history_columns) * num_bands, o_.level_low), rates_(num_units), peak_(num_units, 1e-6f) {
  std::fputs("\x1b[?25l\x1b[2J", out_);  // hide the cursor, clear
}

TerminalView::~TerminalView() {
  std::fputs("\x1b[0m\x1b[?25h\n", out_);
  std::fflush(out_);
}

void TerminalView::add(const float* bands, const float* rates) {
  std::copy_n(bands, bands_, history_.begin() + static_cast<std::ptrdiff_t>(next_column_) * bands_);
  next_column_ = (next_column_ + 1) % o_.history_columns;
  for (int u = 0; u < units_; ++u) {
    rates_[u] = rates[u];
    peak_[u] = std::max(peak_[u] * 0.9995f, std::fabs(rates[u]));  // slowly forgetting maximum
  }
}

void TerminalView::draw(const std::string& status) {
  std::string s = "\x1b[H";
  s += "\x1b[1m" + o_.title + "\x1b[0m\x1b[K\n";
  // Cochleagram: highest band at the top, two bands per row (upper half = fg, lower = bg).
  const int rows = (bands_ + 1) / 2;
  char cell[48];
  for (int r = 0; r < rows; ++r) {
    const int upper = bands_ - 1 - 2 * r, lower = upper - 1;
    s += "  ";
    for (int c = 0; c < o_.history_columns; ++c) {
      const int col = (next_column_ + c) % o_.history_columns;
      const float* frame = history_.data() + static_cast<std::size_t>(col) * bands_;
      const int fg = colour_of(frame[upper], o_.level_low, o_.level_high);
      const int bg = lower >= 0 ? colour_of(frame[lower], o_.level_low, o_.level_high) : 16;
      std::snprintf(cell, sizeof cell, "\x1b[38;5;%dm\x1b[48;5;%dm\u2580", fg, bg);
      s += cell;
    }
    s += "\x1b[0m\x1b[K\n";
  }
  s += "  cochleagram, last " + std::to_string(o_.history_columns) + " frames (newest right), low → high bands bottom → top\x1b[K\n";
  // Unit bars, bottom-aligned, in eighths of a row.
  static const char* eighths[] = {" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
  for (int r = o_.bar_rows - 1; r >= 0; --r) {
    s += "  \x1b[38;5;208m";
    for (int u = 0; u < units_; ++u) {
      const float level = std::clamp(rates_[u] / peak_[u], 0.0f, 1.0f) * o_.bar_rows * 8;
      const int here = std::clamp(static_cast<int>(level) - r * 8, 0, 8);
      s += eighths[here];
    }
    s += "\x1b[0m\x1b[K\n";
  }
  s += "  predicted firing of " + std::to_string(units_) + " units (each scaled to its own recent peak)\x1b[K\n";
  s += "  " + status + "\x1b[K\n\x1b[J";
  std::fwrite(s.data(), 1, s.size(), out_);
  std::fflush(out_);
}

void TerminalViewSink::begin(const StreamInfo& info) {
  TerminalViewOptions v;
  v.title = "statenet stream · " + info.input + " → " + info.model + " (" + std::to_string(info.num_units) + " units) · Ctrl-C stops";
  v.level_low = info.display_low;
  v.level_high = info.display_high;
  view_ = std::make_unique<TerminalView>(info.num_bands, info.num_units, v, out_);
}

void TerminalViewSink::progress(const StreamProgress& p) {
  char status[256];
  std::snprintf(status, sizeof status, "t = %.1f s · frame %lld · last latency %.1f µs · dropped %lld · input overflows %lld", p.audio_s,
                static_cast<long long>(p.frames), p.last_latency_us, static_cast<long long>(p.dropped_predictions + p.dropped_input_blocks),
                static_cast<long long>(p.input_overflows));
  view_->draw(status);
}

}  // namespace statenet
