#include "audio_device/microphone.h"

#include <portaudio.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "audio_device/portaudio_device.h"
#include "audio_device/play_time.h"
#include "util/steady_clock.h"

namespace statenet {

// PortAudio's stream and the library reference that keeps it initialised.
struct Microphone::Device {
  std::shared_ptr<void> library = portaudio_library();
  PaStream* stream = nullptr;
  int input_channels = 1, output_channels = 0;
  static int callback(const void* input, void* output, unsigned long frames, const PaStreamCallbackTimeInfo* time,
                      PaStreamCallbackFlags flags, void* self) noexcept;
};

Microphone::Microphone(const MicrophoneOptions& o)
    : options_(o), device_(std::make_unique<Device>()), queue_(static_cast<std::size_t>(std::max(o.queue_blocks, 2))) {
  if (o.block_samples < 1 || o.block_samples > AudioBlock::kMaxSamples)
    throw std::invalid_argument("microphone block of " + std::to_string(o.block_samples) + " samples: expected 1–" +
                                std::to_string(AudioBlock::kMaxSamples));
  if (o.input_channels < 1) throw std::invalid_argument("microphone: " + std::to_string(o.input_channels) + " input channels: expected ≥ 1");
  if (o.output_channels < 0 || (o.output_channels > 0) != (o.renderer != nullptr))
    throw std::invalid_argument("microphone: full duplex needs both output channels (> 0) and a renderer");
  const bool duplex = o.output_channels > 0;
  const AudioDevice chosen = find_audio_device(o.device, duplex ? DeviceDirection::kDuplex : DeviceDirection::kInput);
  if (o.input_channels > chosen.max_input_channels || o.output_channels > chosen.max_output_channels)
    throw std::runtime_error("device '" + chosen.name + "' has " + std::to_string(chosen.max_input_channels) + " input and " +
                             std::to_string(chosen.max_output_channels) + " output channels: asked for " +
                             std::to_string(o.input_channels) + " and " + std::to_string(o.output_channels));
  device_name_ = chosen.name;
  host_api_ = chosen.host_api;
  name_ = "microphone '" + device_name_ + "'";
  rate_hz_ = o.sample_rate_hz;
  device_->input_channels = o.input_channels;
  device_->output_channels = o.output_channels;
  PaStreamParameters in{};
  in.device = chosen.index;
  in.channelCount = o.input_channels;
  in.sampleFormat = paFloat32;
  in.suggestedLatency = o.suggested_latency_s > 0 ? o.suggested_latency_s : Pa_GetDeviceInfo(chosen.index)->defaultLowInputLatency;
  PaStreamParameters out = in;
  out.channelCount = o.output_channels;
  out.suggestedLatency = o.suggested_latency_s > 0 ? o.suggested_latency_s : Pa_GetDeviceInfo(chosen.index)->defaultLowOutputLatency;
  PaError err;
  {
    QuietStderr quiet;
    err = Pa_OpenStream(&device_->stream, &in, duplex ? &out : nullptr, rate_hz_, static_cast<unsigned long>(o.block_samples),
                        paNoFlag, &Device::callback, this);
  }
  if (err != paNoError)
    throw std::runtime_error("cannot open " + std::string(duplex ? "full-duplex" : "input") + " device '" + device_name_ + "' at " +
                             std::to_string(static_cast<long>(rate_hz_)) + " Hz: " + Pa_GetErrorText(err));
}

Microphone::~Microphone() {
  if (device_->stream) {
    Pa_AbortStream(device_->stream);
    Pa_CloseStream(device_->stream);
  }
}

void Microphone::start() {
  const PaError err = Pa_StartStream(device_->stream);
  if (err != paNoError) throw std::runtime_error("cannot start input device '" + device_name_ + "': " + Pa_GetErrorText(err));
}

void Microphone::stop() {
  if (device_->stream && Pa_IsStreamActive(device_->stream) == 1) Pa_StopStream(device_->stream);
}

double Microphone::input_latency_s() const {
  const PaStreamInfo* info = device_->stream ? Pa_GetStreamInfo(device_->stream) : nullptr;
  return info ? info->inputLatency : 0.0;
}

double Microphone::output_latency_s() const {
  const PaStreamInfo* info = device_->stream && device_->output_channels > 0 ? Pa_GetStreamInfo(device_->stream) : nullptr;
  return info ? info->outputLatency : 0.0;
}

SourceHealth Microphone::health() const {
  return {dropped_.load(std::memory_order_relaxed), overflows_.load(std::memory_order_relaxed), input_latency_s()};
}

std::size_t Microphone::read(float* out, std::size_t max_samples) {
  if (current_offset_ >= current_.num_samples) {  // the block in hand is spent: wait for the next
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.read_timeout_ms);
    while (!queue_.try_dequeue(current_)) {  // the queue is wait-free and never signals: poll
      if (std::chrono::steady_clock::now() >= give_up) return 0;
      std::this_thread::sleep_for(std::chrono::microseconds(options_.read_wait_us));
    }
    current_offset_ = 0;
  }
  const std::size_t n = std::min<std::size_t>(max_samples, static_cast<std::size_t>(current_.num_samples - current_offset_));
  std::copy_n(current_.samples + current_offset_, n, out);
  current_offset_ += static_cast<int>(n);
  last_arrival_ns_ = current_.arrival_ns;
  return n;
}

int Microphone::Device::callback(const void* input, void* output, unsigned long frames, const PaStreamCallbackTimeInfo* time,
                                 PaStreamCallbackFlags flags, void* self_ptr) noexcept {
  auto& self = *static_cast<Microphone*>(self_ptr);
  const Device& device = *self.device_;
  const std::int64_t arrival = steady_now_ns();
  const std::int64_t first = self.next_sample_;
  self.next_sample_ += static_cast<std::int64_t>(frames);
  if (flags & paInputOverflow) self.overflows_.fetch_add(1, std::memory_order_relaxed);
  if (flags & paOutputUnderflow) self.underflows_.fetch_add(1, std::memory_order_relaxed);
  const float* x = static_cast<const float*>(input);
  const int channels = device.input_channels;
  if (self.options_.tap && x) self.options_.tap->capture(x, static_cast<int>(frames), channels, first, arrival);
  for (unsigned long done = 0; done < frames;) {
    const int n = static_cast<int>(std::min<unsigned long>(frames - done, AudioBlock::kMaxSamples));
    self.staging_.num_samples = n;
    self.staging_.arrival_ns = arrival;
    for (int i = 0; i < n; ++i) self.staging_.samples[i] = x ? x[(done + i) * channels] : 0.0f;  // channel 0
    if (self.queue_.try_enqueue(self.staging_)) self.blocks_.fetch_add(1, std::memory_order_relaxed);
    else self.dropped_.fetch_add(1, std::memory_order_relaxed);
    done += n;
  }
  if (output) {
    float* y = static_cast<float*>(output);
    std::fill_n(y, frames * static_cast<unsigned long>(device.output_channels), 0.0f);
    self.options_.renderer->render(y, static_cast<int>(frames), device.output_channels, first, play_time_ns(arrival, time));
  }
  return paContinue;
}

}  // namespace statenet
