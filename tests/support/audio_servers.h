#pragma once
// Real audio servers for tests, each started in a temporary folder by the test that needs it
// and stopped by its pid; problem() says why one could not start (the test then skips).

#include <string>

namespace statenet::test {

// PulseAudio with a null sink `vsink` (its monitor the default source) at `rate_hz`, reached
// by PortAudio through ALSA's `pulse` device.
class PulseAudioServer {
 public:
  PulseAudioServer(int rate_hz, int channels);
  ~PulseAudioServer();
  const std::string& problem() const { return problem_; }

 private:
  std::string runtime_dir_, problem_;
  int pid_ = -1;
};

// jackd with the dummy driver (no sound card) at `rate_hz` with `period` frames, under a server
// name of its own (JACK_DEFAULT_SERVER is set for this process and its children). PortAudio
// sees it as the device "system" of the JACK host API.
class JackServer {
 public:
  JackServer(int rate_hz, int period);
  ~JackServer();
  const std::string& problem() const { return problem_; }

 private:
  std::string dir_, problem_;
  int pid_ = -1;
};

}  // namespace statenet::test
