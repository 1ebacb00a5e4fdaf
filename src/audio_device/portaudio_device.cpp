#include "audio_device/portaudio_device.h"

#include <portaudio.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace statenet {

QuietStderr::QuietStderr() {
  std::fflush(stderr);
  saved_ = ::dup(2);
  const int null = ::open("/dev/null", O_WRONLY);
  if (null >= 0) {
    ::dup2(null, 2);
    ::close(null);
  }
}

QuietStderr::~QuietStderr() {
  if (saved_ >= 0) {
    ::dup2(saved_, 2);
    ::close(saved_);
  }
}

std::shared_ptr<void> portaudio_library() {
  PaError err;
  {
    QuietStderr quiet;
    err = Pa_Initialize();
  }
  if (err != paNoError) throw std::runtime_error(std::string("PortAudio could not start: ") + Pa_GetErrorText(err));
  return std::shared_ptr<void>(nullptr, [](void*) { Pa_Terminate(); });
}

std::vector<AudioDevice> list_audio_devices() {
  auto library = portaudio_library();
  std::vector<AudioDevice> devices;
  const PaDeviceIndex default_input = Pa_GetDefaultInputDevice(), default_output = Pa_GetDefaultOutputDevice();
  for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (!info) continue;
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    devices.push_back({i, info->name, api ? api->name : "?", info->maxInputChannels, info->maxOutputChannels, info->defaultSampleRate,
                       i == default_input, i == default_output});
  }
  return devices;
}

namespace {
bool usable(const AudioDevice& d, DeviceDirection direction) {
  switch (direction) {
    case DeviceDirection::kInput: return d.max_input_channels > 0;
    case DeviceDirection::kOutput: return d.max_output_channels > 0;
    case DeviceDirection::kDuplex: return d.max_input_channels > 0 && d.max_output_channels > 0;
  }
  return false;
}
const char* direction_name(DeviceDirection direction) {
  switch (direction) {
    case DeviceDirection::kInput: return "input";
    case DeviceDirection::kOutput: return "output";
    case DeviceDirection::kDuplex: return "full-duplex";
  }
  return "?";
}
}  // namespace

std::string describe_audio_devices(const std::vector<AudioDevice>& devices, DeviceDirection direction) {
  std::string s;
  for (const auto& d : devices) {
    if (!usable(d, direction)) continue;
    const std::string defaults = d.is_default_input && d.is_default_output ? " [default in, out]"
                                 : d.is_default_input                      ? " [default in]"
                                 : d.is_default_output                     ? " [default out]"
                                                                           : "";
    char line[512];
    std::snprintf(line, sizeof line, "  %2d  %s  (%s, %d in, %d out, %.0f Hz)%s\n", d.index, d.name.c_str(), d.host_api.c_str(),
                  d.max_input_channels, d.max_output_channels, d.default_rate_hz, defaults.c_str());
    s += line;
  }
  if (s.empty())
    s = std::string("  (no ") + direction_name(direction) + " devices: no sound card and no audio server is running)\n";
  return s;
}

AudioDevice find_audio_device(const std::string& name, DeviceDirection direction) {
  const std::vector<AudioDevice> devices = list_audio_devices();
  const AudioDevice* chosen = nullptr;
  if (name.empty()) {
    for (const auto& d : devices)
      if (usable(d, direction) && (direction == DeviceDirection::kOutput ? d.is_default_output : d.is_default_input)) chosen = &d;
    for (const auto& d : devices)
      if (!chosen && usable(d, direction)) chosen = &d;
  } else {
    for (const auto& d : devices)
      if (usable(d, direction) && (d.name == name || std::to_string(d.index) == name)) chosen = &d;
    if (!chosen) {
      int matches = 0;
      for (const auto& d : devices)
        if (usable(d, direction) && d.name.find(name) != std::string::npos) chosen = &d, ++matches;
      if (matches > 1) chosen = nullptr;
    }
  }
  if (!chosen) {  // one line: the usable devices by index and name
    std::string known;
    for (const auto& d : devices)
      if (usable(d, direction)) known += (known.empty() ? "" : ", ") + std::to_string(d.index) + " '" + d.name + "'";
    throw std::runtime_error((name.empty() ? std::string("no ") + direction_name(direction) + " device"
                                           : std::string("no ") + direction_name(direction) + " device '" + name + "'") +
                             (known.empty() ? std::string(" (none: no sound card and no audio server is running)")
                                            : " (there are: " + known + "; 'statenet devices' lists them)"));
  }
  return *chosen;
}

}  // namespace statenet
