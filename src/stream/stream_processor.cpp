#include "stream/stream_processor.h"

#include <cmath>
#include <cstring>
#include <thread>

namespace statenet {

StreamProcessor::StreamProcessor(FrontEnd& front_end, StepModel& model, int capacity, bool wait_when_full)
    : front_end_(front_end), model_(model), bands_(model.num_bands()), units_(model.num_units()), wait_when_full_(wait_when_full),
      slots_(static_cast<std::size_t>(capacity) * (bands_ + units_)), slot_frame_(capacity), slot_latency_ns_(capacity),
      free_(capacity), filled_(capacity), scratch_(kScratchSamples), dropped_rates_(units_) {
  for (int i = 0; i < capacity; ++i) free_.enqueue(i);
}

void StreamProcessor::process(const float* samples, std::size_t n, std::int64_t arrival_ns) noexcept {
  arrival_ns_ = arrival_ns;
  // Copy through a fixed scratch block, zeroing non-finite samples (a broken device or file
  // must not poison the model's state).
  for (std::size_t done = 0; done < n;) {
    const std::size_t m = std::min(n - done, scratch_.size());
    std::int64_t bad = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const float x = samples[done + i];
      const bool finite = std::isfinite(x);
      bad += !finite;
      scratch_[i] = finite ? x : 0.0f;
    }
    if (bad) non_finite_.fetch_add(bad, std::memory_order_relaxed);
    front_end_.process(scratch_.data(), m, *this);
    done += m;
  }
}

void StreamProcessor::on_frame(std::int64_t frame_index, const float* bands) noexcept {
  int slot = -1;
  while (!free_.try_dequeue(slot) && wait_when_full_) std::this_thread::yield();
  // With no free slot the prediction is dropped (counted), but the model still steps: its
  // state must follow the audio so that later predictions stay exact.
  float* rates = dropped_rates_.data();
  if (slot >= 0) {
    float* dst = slots_.data() + static_cast<std::size_t>(slot) * (bands_ + units_);
    std::memcpy(dst, bands, sizeof(float) * bands_);
    rates = dst + bands_;
  }
  model_.step(bands, rates);
  const std::int64_t latency = steady_now_ns() - arrival_ns_;
  latency_.record(latency);
  frames_.fetch_add(1, std::memory_order_relaxed);
  if (slot < 0) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  slot_frame_[slot] = frame_index;
  slot_latency_ns_[slot] = latency;
  filled_.try_enqueue(slot);  // capacity = number of slots: never full
}

bool StreamProcessor::pop(Prediction& out) {
  if (held_ >= 0) release();
  int slot;
  if (!filled_.try_dequeue(slot)) return false;
  held_ = slot;
  const float* base = slots_.data() + static_cast<std::size_t>(slot) * (bands_ + units_);
  out.frame = slot_frame_[slot];
  out.latency_us = slot_latency_ns_[slot] / 1e3;
  out.bands = base;
  out.rates = base + bands_;
  return true;
}

void StreamProcessor::release() {
  if (held_ < 0) return;
  free_.try_enqueue(held_);
  held_ = -1;
}

}  // namespace statenet
