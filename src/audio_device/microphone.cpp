#include "audio_device/microphone.h"

#include <portaudio.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "util/steady_clock.h"

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

// PortAudio's stream and the library reference that keeps it initialised.
struct Microphone::Device {
  std::shared_ptr<void> library = portaudio();
  PaStream* stream = nullptr;
  static int callback(const void* input, void* output, unsigned long frames, const PaStreamCallbackTimeInfo* time,
                      PaStreamCallbackFlags flags, void* self) noexcept;
};

Microphone::Microphone(const MicrophoneOptions& o)
    : options_(o), device_(std::make_unique<Device>()), queue_(static_cast<std::size_t>(std::max(o.queue_blocks, 2))) {
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
  name_ = "microphone '" + device_name_ + "'";
  rate_hz_ = o.sample_rate_hz;
  PaStreamParameters in{};
  in.device = chosen->index;
  in.channelCount = 1;
  in.sampleFormat = paFloat32;
  in.suggestedLatency = Pa_GetDeviceInfo(chosen->index)->defaultLowInputLatency;
  PaError err;
  {
    QuietStderr quiet;
    err = Pa_OpenStream(&device_->stream, &in, nullptr, rate_hz_, static_cast<unsigned long>(o.block_samples), paNoFlag, &Device::callback, this);
  }
  if (err != paNoError)
    throw std::runtime_error("cannot open input device '" + device_name_ + "' at " + std::to_string(rate_hz_) + " Hz: " + Pa_GetErrorText(err));
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

SourceHealth Microphone::health() const {
  const PaStreamInfo* info = device_->stream ? Pa_GetStreamInfo(device_->stream) : nullptr;
  return {dropped_.load(std::memory_order_relaxed), overflows_.load(std::memory_order_relaxed), info ? info->inputLatency : 0.0};
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

int Microphone::Device::callback(const void* input, void*, unsigned long frames, const PaStreamCallbackTimeInfo*,
                                 PaStreamCallbackFlags flags, void* self_ptr) noexcept {
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
