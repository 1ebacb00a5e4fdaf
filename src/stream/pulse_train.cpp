#include "stream/pulse_train.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace statenet {

double automatic_pulse_delay_ms(double hop_s, int block_samples, double sample_rate_hz, double other_clock_output_latency_s) {
  return 1e3 * (hop_s + 2.0 * block_samples / sample_rate_hz + other_clock_output_latency_s) + 5.0;
}

double parse_pulse_delay_ms(const std::string& text, double automatic_ms) {
  if (text == "auto") return automatic_ms;
  char* end = nullptr;
  const double ms = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(ms) || ms < 0)
    throw std::invalid_argument("--pulse-delay-ms '" + text + "': expected auto or a number of milliseconds ≥ 0");
  return ms;
}

std::vector<int> parse_unit_channel_map(const std::string& text, int num_units, int num_channels) {
  std::vector<int> map(static_cast<std::size_t>(num_units), -1);
  std::stringstream entries(text);
  std::string entry;
  bool any = false;
  while (std::getline(entries, entry, ',')) {
    const auto colon = entry.find(':');
    const auto bad = [&](const std::string& why) {
      return std::invalid_argument("unit→channel map entry '" + entry + "': " + why);
    };
    if (colon == std::string::npos) throw bad("expected UNIT:CHANNEL (e.g. 3:0) or all:CHANNEL");
    const std::string unit_text = entry.substr(0, colon), channel_text = entry.substr(colon + 1);
    const auto whole_number = [&](const std::string& s, const char* what) {
      if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
        throw bad(std::string("the ") + what + " is not a whole number");
      return std::stoi(s);
    };
    const int channel = whole_number(channel_text, "channel");
    if (channel >= num_channels)
      throw bad("channel " + std::to_string(channel) + " outside the output's " + std::to_string(num_channels) + " channel(s)");
    if (unit_text == "all") {
      std::fill(map.begin(), map.end(), channel);
    } else {
      const int unit = whole_number(unit_text, "unit");
      if (unit >= num_units) throw bad("unit " + std::to_string(unit) + " outside the model's " + std::to_string(num_units) + " units");
      map[static_cast<std::size_t>(unit)] = channel;
    }
    any = true;
  }
  if (!any) throw std::invalid_argument("unit→channel map '" + text + "' is empty: expected UNIT:CHANNEL,… or all:CHANNEL");
  return map;
}

PulseTrain::PulseTrain(const PulseTrainOptions& o, int num_units, double sample_rate_hz)
    : clock_(o.clock), amplitude_(o.amplitude), sample_rate_hz_(sample_rate_hz), num_channels_(o.num_channels), queue_(static_cast<std::size_t>(std::max(o.queue_pulses, 2))) {
  if (!(sample_rate_hz > 0) || !std::isfinite(sample_rate_hz))
    throw std::invalid_argument("pulse output: sample rate " + std::to_string(sample_rate_hz) + " Hz: expected > 0");
  if (!(o.width_ms > 0) || !std::isfinite(o.width_ms) || o.width_ms > 1000)
    throw std::invalid_argument("pulse width " + std::to_string(o.width_ms) + " ms: expected > 0 and ≤ 1000");
  if (!(o.amplitude > 0.0f && o.amplitude <= 1.0f))
    throw std::invalid_argument("pulse amplitude " + std::to_string(o.amplitude) + ": expected in (0, 1] (full scale 1)");
  if (o.num_channels < 1) throw std::invalid_argument("pulse output: " + std::to_string(o.num_channels) + " channels: expected ≥ 1");
  width_samples_ = std::max(1, static_cast<int>(std::lround(o.width_ms * 1e-3 * sample_rate_hz)));
  set_delay_ms(o.delay_ms);
  channel_of_unit_ = o.channel_of_unit.empty() ? std::vector<int>(static_cast<std::size_t>(num_units), 0) : o.channel_of_unit;
  if (static_cast<int>(channel_of_unit_.size()) != num_units)
    throw std::invalid_argument("pulse unit→channel map has " + std::to_string(channel_of_unit_.size()) + " entries: expected " +
                                std::to_string(num_units) + " (one per unit)");
  for (int c : channel_of_unit_)
    if (c >= o.num_channels) throw std::invalid_argument("pulse channel " + std::to_string(c) + " outside the output's " +
                                                         std::to_string(o.num_channels) + " channel(s)");
}

void PulseTrain::set_delay_ms(double delay_ms) {
  if (!(delay_ms >= 0) || !std::isfinite(delay_ms) || delay_ms > 60e3)
    throw std::invalid_argument("pulse delay " + std::to_string(delay_ms) + " ms: expected ≥ 0 and ≤ 60 000");
  delay_samples_ = std::llround(delay_ms * 1e-3 * sample_rate_hz_);
}

void PulseTrain::consume(const Prediction& p) {
  for (int i = 0; i < p.num_spikes; ++i) {
    const Spike& s = p.spikes[i];
    if (s.unit < 0 || s.unit >= static_cast<int>(channel_of_unit_.size())) continue;
    const int channel = channel_of_unit_[static_cast<std::size_t>(s.unit)];
    if (channel < 0) continue;
    Pulse pulse{s.sample + delay_samples_, channel};
    if (clock_ == PulseClock::kHost)  // the spike's host time + the delay, in ns
      pulse.start = p.arrival_ns + std::llround((delay_samples_ - (p.end_sample - s.sample)) * 1e9 / sample_rate_hz_);
    if (!queue_.try_enqueue(pulse)) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    scheduled_.fetch_add(1, std::memory_order_relaxed);
    const std::int64_t slack = clock_ == PulseClock::kSample
                                   ? pulse.start - written_until_.load(std::memory_order_acquire)
                                   : std::llround((pulse.start - played_until_ns_.load(std::memory_order_acquire)) * sample_rate_hz_ / 1e9);
    if (slack < min_slack_.load(std::memory_order_relaxed)) min_slack_.store(slack, std::memory_order_relaxed);
  }
}

void PulseTrain::render(float* out, int frames, int channels, std::int64_t first, std::int64_t first_play_ns) noexcept {
  const std::int64_t end = first + frames;
  if (clock_ == PulseClock::kHost) {
    // This block's own estimate of (output sample − host time); jumps of more than 20 ms (a
    // device that restarted or stalled) are taken at once, the rest smoothed over ~64 blocks.
    const double offset = static_cast<double>(first) - static_cast<double>(first_play_ns) * sample_rate_hz_ / 1e9;
    if (!have_offset_ || std::abs(offset - sample_offset_) > 0.02 * sample_rate_hz_) sample_offset_ = offset;
    else sample_offset_ += (offset - sample_offset_) / 64.0;
    have_offset_ = true;
    played_until_ns_.store(first_play_ns + static_cast<std::int64_t>(frames * 1e9 / sample_rate_hz_), std::memory_order_release);
  }
  // Pulses arrive in time order (spikes are, and the delay is fixed): take them until the first
  // that starts after this block, which waits in held_.
  for (;;) {
    Pulse p;
    if (holding_) p = held_;
    else if (!queue_.try_dequeue(p)) break;
    else if (clock_ == PulseClock::kHost) p.start = std::llround(static_cast<double>(p.start) * sample_rate_hz_ / 1e9 + sample_offset_);
    if (p.start >= end || num_active_ == kMaxActive) {
      held_ = p;
      holding_ = true;
      break;
    }
    holding_ = false;
    if (p.start < first) {
      const std::int64_t lateness = first - p.start;
      late_.fetch_add(1, std::memory_order_relaxed);
      if (lateness > max_lateness_.load(std::memory_order_relaxed)) max_lateness_.store(lateness, std::memory_order_relaxed);
      p.start = first;
    }
    active_[static_cast<std::size_t>(num_active_++)] = p;
  }
  for (int i = 0; i < num_active_;) {
    const Pulse& p = active_[static_cast<std::size_t>(i)];
    const std::int64_t from = std::max(p.start, first), to = std::min(p.start + width_samples_, end);
    if (p.channel < channels)
      for (std::int64_t n = from; n < to; ++n) out[(n - first) * channels + p.channel] = amplitude_;
    if (p.start + width_samples_ <= end) {  // finished: retire it
      rendered_.fetch_add(1, std::memory_order_relaxed);
      active_[static_cast<std::size_t>(i)] = active_[static_cast<std::size_t>(--num_active_)];
    } else {
      ++i;
    }
  }
  written_until_.store(end, std::memory_order_release);
}

}  // namespace statenet
