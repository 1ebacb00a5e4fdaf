#pragma once
// PortAudio's devices: listing them, finding one by name or index, and the library reference
// that keeps PortAudio initialised while a stream is open. Shared by Microphone and AudioOutput.

#include <memory>
#include <string>
#include <vector>

namespace statenet {

struct AudioDevice {
  int index = -1;
  std::string name, host_api;
  int max_input_channels = 0;
  int max_output_channels = 0;
  double default_rate_hz = 0.0;
  bool is_default_input = false;
  bool is_default_output = false;
};

enum class DeviceDirection { kInput, kOutput, kDuplex };

// Every device PortAudio sees; throws std::runtime_error when PortAudio cannot start.
std::vector<AudioDevice> list_audio_devices();
// "  0  pulse  (ALSA, 32 in, 32 out, 44100 Hz) [default in, out]" lines, for messages and
// `statenet devices`; only the devices usable in `direction`.
std::string describe_audio_devices(const std::vector<AudioDevice>& devices, DeviceDirection direction);
// The device called `name` (exact name, index, or a unique part of the name; empty = the default
// one) with channels in `direction`. Throws std::runtime_error naming it and, on the same line,
// the devices there are when there is no such device.
AudioDevice find_audio_device(const std::string& name, DeviceDirection direction);

// One Pa_Initialize per holder, undone (Pa_Terminate) when the last holder goes; its probes'
// noise on stderr (ALSA cards, "jack server is not running") is silenced.
std::shared_ptr<void> portaudio_library();

// Silences stderr (fd 2) for its lifetime: PortAudio's host APIs print pages of noise when they
// probe or open devices.
class QuietStderr {
 public:
  QuietStderr();
  ~QuietStderr();
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  int saved_ = -1;
};

}  // namespace statenet
