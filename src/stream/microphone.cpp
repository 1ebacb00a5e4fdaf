#include "stream/microphone.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "stream/latency_histogram.h"

namespace statenet {

namespace {

// PortAudio's ALSA and JACK probes print pages of noise to stderr ("jack server is not
// running", unknown PCM cards); silence stderr while it initialises.
class QuietStderr {
 public:
  QuietStderr() {
    std::fflush(stderr);
    saved_ = ::dup(2);
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) {
      ::dup2(null, 2);
      ::close(null);
    }
  }
  ~QuietStderr() {
    if (saved_ >= 0) {
      ::dup2(saved_, 2);
      ::close(saved_);
    }
  }

 private:
  int saved_ = -1;
};

// One Pa_Initialize per user of the library, undone by the last one.
std::shared_ptr<void> portaudio() {
  PaError err;
  {
    QuietStderr quiet;
    err = Pa_Initialize();
  }
  if (err != paNoError) throw std::runtime_error(std::string("PortAudio could not start: ") + Pa_GetErrorText(err));
  return std::shared_ptr<void>(nullptr, [](void*) { Pa_Terminate(); });
}

}  // namespace

std::vector<InputDevice> list_input_devices() {
  auto library = portaudio();
  std::vector<InputDevice> devices;
  const PaDeviceIndex default_input = Pa_GetDefaultInputDevice();
  for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (!info || info->maxInputChannels < 1) continue;
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    devices.push_back({i, info->name, api ? api->name : "?", info->maxInputChannels, info->defaultSampleRate, i == default_input});
  }
  return devices;
}

std::string describe_input_devices(const std::vector<InputDevice>& devices) {
  if (devices.empty()) return "  (no input devices: no sound card and no audio server is running)\n";
  std::string s;
  for (const auto& d : devices) {
    char line[512];
    std::snprintf(line, sizeof line, "  %2d  %s  (%s, %d ch, %.0f Hz)%s\n", d.index, d.name.c_str(), d.host_api.c_str(),
                  d.max_input_channels, d.default_rate_hz, d.is_default ? " [default]" : "");
    s += line;
  }
  return s;
}

Microphone::Microphone(const MicrophoneOptions& o)
    : library_(portaudio()), queue_(static_cast<std::size_t>(std::max(o.queue_blocks, 2))) {
  if (o.block_samples < 1 || o.block_samples > AudioBlock::kMaxSamples)
    throw std::runtime_error("microphone block of " + std::to_string(o.block_samples) + " samples: expected 1–" +
                             std::to_string(AudioBlock::kMaxSamples));
  const std::vector<InputDevice> devices = list_input_devices();
  const InputDevice* chosen = nullptr;
  if (o.device.empty()) {
    for (const auto& d : devices)
      if (d.is_default) chosen = &d;
    if (!chosen && !devices.empty()) chosen = &devices.front();
  } else {
    for (const auto& d : devices)
      if (d.name == o.device || std::to_string(d.index) == o.device) chosen = &d;
    if (!chosen) {
      int matches = 0;
      for (const auto& d : devices)
        if (d.name.find(o.device) != std::string::npos) chosen = &d, ++matches;
      if (matches > 1) chosen = nullptr;
    }
  }
  if (!chosen)
    throw std::runtime_error((o.device.empty() ? std::string("no input device") : "no input device '" + o.device + "'") +
                             "; the devices are:\n" + describe_input_devices(devices));
  device_name_ = chosen->name;
  rate_hz_ = o.sample_rate_hz;
  PaStreamParameters in{};
  in.device = chosen->index;
  in.channelCount = 1;
  in.sampleFormat = paFloat32;
  in.suggestedLatency = Pa_GetDeviceInfo(chosen->index)->defaultLowInputLatency;
  PaError err;
  {
    QuietStderr quiet;
    err = Pa_OpenStream(&stream_, &in, nullptr, rate_hz_, static_cast<unsigned long>(o.block_samples), paNoFlag, &Microphone::callback, this);
  }
  if (err != paNoError)
    throw std::runtime_error("cannot open input device '" + device_name_ + "' at " + std::to_string(rate_hz_) + " Hz: " + Pa_GetErrorText(err));
}

Microphone::~Microphone() {
  if (stream_) {
    Pa_AbortStream(stream_);
    Pa_CloseStream(stream_);
  }
}

void Microphone::start() {
  const PaError err = Pa_StartStream(stream_);
  if (err != paNoError) throw std::runtime_error("cannot start input device '" + device_name_ + "': " + Pa_GetErrorText(err));
}

void Microphone::stop() {
  if (stream_ && Pa_IsStreamActive(stream_) == 1) Pa_StopStream(stream_);
}

double Microphone::input_latency_s() const {
  const PaStreamInfo* info = stream_ ? Pa_GetStreamInfo(stream_) : nullptr;
  return info ? info->inputLatency : 0.0;
}

int Microphone::callback(const void* input, void*, unsigned long frames, const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags flags,
                         void* self_ptr) noexcept {
  auto& self = *static_cast<Microphone*>(self_ptr);
  const std::int64_t arrival = steady_now_ns();
  if (flags & paInputOverflow) self.overflows_.fetch_add(1, std::memory_order_relaxed);
  const float* x = static_cast<const float*>(input);
  for (unsigned long done = 0; done < frames;) {
    const int n = static_cast<int>(std::min<unsigned long>(frames - done, AudioBlock::kMaxSamples));
    self.staging_.num_samples = n;
    self.staging_.arrival_ns = arrival;
    for (int i = 0; i < n; ++i) self.staging_.samples[i] = x ? x[done + i] : 0.0f;
    if (self.queue_.try_enqueue(self.staging_)) self.blocks_.fetch_add(1, std::memory_order_relaxed);
    else self.dropped_.fetch_add(1, std::memory_order_relaxed);
    done += n;
  }
  return paContinue;
}

}  // namespace statenet
