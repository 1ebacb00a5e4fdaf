// Audio file loading (libsndfile by content, down-mix, sample checks, libsoxr resampling):
// read_audio_file on any bytes. Property: an accepted file holds only usable samples.

#include <cmath>

#include "audio/audio_file.h"
#include "audio/test_signals.h"
#include "fuzz_support.h"
#include "support/original_files.h"

using namespace statenet;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string dir = fuzz::scratch_dir();
  const AudioBuffer tone = make_tone(1000, 0.5, 0.01, 16000);  // 160 samples
  write_wav_float(dir + "/seed.wav", tone);
  fuzz::offer_seed("float.wav", fuzz::read_bytes(dir + "/seed.wav"));
  test::write_pcm16(dir + "/seed16.wav", tone);
  fuzz::offer_seed("pcm16.wav", fuzz::read_bytes(dir + "/seed16.wav"));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_dir() + "/input";
  fuzz::write_bytes(path, data, size);
  try {
    const AudioBuffer a = read_audio_file(path);
    FUZZ_CHECK(a.sample_rate_hz > 0 && !a.samples.empty());
    for (float x : a.samples) FUZZ_CHECK(std::isfinite(x) && std::fabs(x) <= kMaxAbsSample);
    AudioReadOptions o;  // the resampling path, to a preset's rate
    o.target_sample_rate_hz = 16000;
    const AudioBuffer r = read_audio_file(path, o);
    FUZZ_CHECK(r.sample_rate_hz == 16000);
    for (float x : r.samples) FUZZ_CHECK(std::isfinite(x));
  } catch (const std::exception&) {
  }
  return 0;
}
