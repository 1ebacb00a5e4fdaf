#include "audio_device/audio_output.h"

#include <portaudio.h>

#include <algorithm>
#include <stdexcept>

#include "audio_device/portaudio_device.h"
#include "audio_device/play_time.h"
#include "util/steady_clock.h"

namespace statenet {

struct AudioOutput::Device {
  std::shared_ptr<void> library = portaudio_library();
  PaStream* stream = nullptr;
  static int callback(const void*, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags flags,
                      void* self) noexcept;
};

AudioOutput::AudioOutput(const AudioOutputOptions& o, OutputRenderer& renderer)
    : renderer_(renderer), channels_(o.channels), device_(std::make_unique<Device>()) {
  if (o.channels < 1) throw std::invalid_argument("audio output: " + std::to_string(o.channels) + " channels: expected ≥ 1");
  if (o.block_samples < 1 || o.block_samples > 8192)
    throw std::invalid_argument("audio output block of " + std::to_string(o.block_samples) + " samples: expected 1–8192");
  const AudioDevice chosen = find_audio_device(o.device, DeviceDirection::kOutput);
  if (o.channels > chosen.max_output_channels)
    throw std::runtime_error("output device '" + chosen.name + "' has " + std::to_string(chosen.max_output_channels) +
                             " channels: asked for " + std::to_string(o.channels));
  device_name_ = chosen.name;
  PaStreamParameters out{};
  out.device = chosen.index;
  out.channelCount = o.channels;
  out.sampleFormat = paFloat32;
  out.suggestedLatency = o.suggested_latency_s > 0 ? o.suggested_latency_s : Pa_GetDeviceInfo(chosen.index)->defaultLowOutputLatency;
  PaError err;
  {
    QuietStderr quiet;
    err = Pa_OpenStream(&device_->stream, nullptr, &out, o.sample_rate_hz, static_cast<unsigned long>(o.block_samples), paNoFlag,
                        &Device::callback, this);
  }
  if (err != paNoError)
    throw std::runtime_error("cannot open output device '" + device_name_ + "' at " + std::to_string(static_cast<long>(o.sample_rate_hz)) +
                             " Hz: " + Pa_GetErrorText(err));
}

AudioOutput::~AudioOutput() {
  if (device_->stream) {
    Pa_AbortStream(device_->stream);
    Pa_CloseStream(device_->stream);
  }
}

void AudioOutput::start() {
  const PaError err = Pa_StartStream(device_->stream);
  if (err != paNoError) throw std::runtime_error("cannot start output device '" + device_name_ + "': " + Pa_GetErrorText(err));
}

void AudioOutput::stop() {
  if (device_->stream && Pa_IsStreamActive(device_->stream) == 1) Pa_StopStream(device_->stream);
}

double AudioOutput::output_latency_s() const {
  const PaStreamInfo* info = device_->stream ? Pa_GetStreamInfo(device_->stream) : nullptr;
  return info ? info->outputLatency : 0.0;
}

int AudioOutput::Device::callback(const void*, void* output, unsigned long frames, const PaStreamCallbackTimeInfo* time,
                                  PaStreamCallbackFlags flags, void* self_ptr) noexcept {
  auto& self = *static_cast<AudioOutput*>(self_ptr);
  if (flags & paOutputUnderflow) self.underflows_.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t first = self.next_sample_.load(std::memory_order_relaxed);
  float* y = static_cast<float*>(output);
  std::fill_n(y, frames * static_cast<unsigned long>(self.channels_), 0.0f);
  self.renderer_.render(y, static_cast<int>(frames), self.channels_, first, play_time_ns(steady_now_ns(), time));
  self.next_sample_.store(first + static_cast<std::int64_t>(frames), std::memory_order_relaxed);
  return paContinue;
}

}  // namespace statenet
