#include "stream/stream_processor.h"

#include <time.h>

#include <cmath>
#include <cstring>
#include <thread>

#include "audio/audio_buffer.h"

namespace statenet {

StreamProcessor::StreamProcessor(FrontEnd& front_end, StepModel& model, int capacity, bool wait_when_full)
    : front_end_(front_end), model_(model), bands_(model.num_bands()), units_(model.num_units()), wait_when_full_(wait_when_full),
      slots_(static_cast<std::size_t>(capacity) * (bands_ + units_)), slot_frame_(capacity), slot_latency_ns_(capacity), slot_arrival_ns_(capacity),
      free_(capacity), filled_(capacity), scratch_(kScratchSamples), dropped_rates_(units_) {
  for (int i = 0; i < capacity; ++i) free_.enqueue(i);
  sem_init(&published_, 0, 0);
}

StreamProcessor::~StreamProcessor() { sem_destroy(&published_); }

void StreamProcessor::wait_for_prediction(std::chrono::microseconds timeout) {
  timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  const long long ns = deadline.tv_nsec + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  deadline.tv_sec += static_cast<time_t>(ns / 1000000000);
  deadline.tv_nsec = static_cast<long>(ns % 1000000000);
  if (sem_clockwait(&published_, CLOCK_MONOTONIC, &deadline) == 0)
    while (sem_trywait(&published_) == 0) {  // one wake-up takes every prediction waiting
    }
}

void StreamProcessor::generate_spikes(const SpikeGeneratorOptions& options) {
  spike_generator_ = std::make_unique<SpikeGenerator>(units_, options);
  rates_hz_.assign(units_, 0.0f);
  spikes_per_slot_ = spike_generator_->capacity();
  slot_spikes_.assign(slot_frame_.size() * spikes_per_slot_, Spike{});
  dropped_spikes_.assign(spikes_per_slot_, Spike{});
  slot_num_spikes_.assign(slot_frame_.size(), 0);
}

void StreamProcessor::process(const float* samples, std::size_t n, std::int64_t arrival_ns) noexcept {
  arrival_ns_ = arrival_ns;
  // Copy through a fixed scratch block, zeroing non-finite samples and those beyond ±10⁴
  // (kMaxAbsSample): a broken device or file must not poison the model's state.
  for (std::size_t done = 0; done < n;) {
    const std::size_t m = std::min(n - done, scratch_.size());
    std::int64_t bad = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const float x = samples[done + i];
      const bool usable = std::fabs(x) <= kMaxAbsSample;  // false for NaN and ±inf too
      bad += !usable;
      scratch_[i] = usable ? x : 0.0f;
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
  int num_spikes = 0;
  if (spike_generator_) {  // over response bin t: the hop that ends the frame
    const double fs = front_end_.sample_rate_hz(), hop = front_end_.hop_samples();
    const double start_s = frame_index > 0 ? frame_end_sample(frame_index - 1, hop) / fs : 0.0;
    const double end_s = frame_end_sample(frame_index, hop) / fs;
    const float per_second = static_cast<float>(fs / hop);
    for (int u = 0; u < units_; ++u) rates_hz_[u] = rates[u] * per_second;
    Spike* out = slot >= 0 ? slot_spikes_.data() + static_cast<std::size_t>(slot) * spikes_per_slot_ : dropped_spikes_.data();
    num_spikes = spike_generator_->process(rates_hz_.data(), start_s, end_s, fs, out);
    spikes_.fetch_add(num_spikes, std::memory_order_relaxed);
    spike_overflow_.store(spike_generator_->overflow(), std::memory_order_relaxed);
  }
  const std::int64_t latency = steady_now_ns() - arrival_ns_;
  latency_.record(latency);
  frames_.fetch_add(1, std::memory_order_relaxed);
  if (slot < 0) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  slot_frame_[slot] = frame_index;
  if (spike_generator_) slot_num_spikes_[slot] = num_spikes;
  slot_latency_ns_[slot] = latency;
  slot_arrival_ns_[slot] = arrival_ns_;
  filled_.try_enqueue(slot);  // capacity = number of slots: never full
  sem_post(&published_);
}

bool StreamProcessor::pop(Prediction& out) {
  if (held_ >= 0) release();
  int slot;
  if (!filled_.try_dequeue(slot)) return false;
  held_ = slot;
  const float* base = slots_.data() + static_cast<std::size_t>(slot) * (bands_ + units_);
  out.frame = slot_frame_[slot];
  out.end_sample = frame_end_sample(out.frame, front_end_.hop_samples());
  out.latency_us = slot_latency_ns_[slot] / 1e3;
  out.arrival_ns = slot_arrival_ns_[slot];
  out.bands = base;
  out.rates = base + bands_;
  out.spikes = spike_generator_ ? slot_spikes_.data() + static_cast<std::size_t>(slot) * spikes_per_slot_ : nullptr;
  out.num_spikes = spike_generator_ ? slot_num_spikes_[slot] : 0;
  return true;
}

void StreamProcessor::release() {
  if (held_ < 0) return;
  free_.try_enqueue(held_);
  held_ = -1;
}

}  // namespace statenet
