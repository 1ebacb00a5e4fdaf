#include "audio/audio_file.h"

#include <sndfile.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "audio/resample.h"
#include "util/atomic_file.h"
#include "util/reading_file.h"

namespace statenet {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

std::string format_hz(double hz) {
  std::ostringstream s;
  s.precision(10);
  s << hz << " Hz";
  return s.str();
}

// libsndfile reads a RIFF/WAVE file whose data chunk claims more bytes than the file holds as
// if it were complete (it trims the frame count to what is there). Reads the chunk headers
// itself and says so. Files of other formats, and WAVs streamed with an unknown length (data
// size 0 or 0xFFFFFFFF), pass.
void check_wav_data_length(const std::string& path, std::uint64_t file_size) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return;
  unsigned char h[12];
  const bool riff = std::fread(h, 1, 12, f) == 12 && std::memcmp(h, "RIFF", 4) == 0 && std::memcmp(h + 8, "WAVE", 4) == 0;
  std::uint64_t at = 12;
  while (riff) {
    unsigned char c[8];
    if (std::fread(c, 1, 8, f) != 8) break;
    const std::uint32_t size = c[4] | (c[5] << 8) | (c[6] << 16) | (static_cast<std::uint32_t>(c[7]) << 24);
    at += 8;
    if (std::memcmp(c, "data", 4) == 0) {
      std::fclose(f);
      if (size != 0 && size != 0xFFFFFFFFu && at + size > file_size)
        fail(path, "truncated: the WAV header announces " + std::to_string(size) + " bytes of audio, the file holds " +
                       std::to_string(file_size - at));
      return;
    }
    at += size + (size & 1);  // chunks are padded to even sizes
    if (at >= file_size || std::fseek(f, static_cast<long>(at), SEEK_SET) != 0) break;
  }
  std::fclose(f);
}

}  // namespace

AudioBuffer read_audio_file(const std::string& path, const AudioReadOptions& options) {
  const ReadingFile reading(path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail(path, "no such file");
  if (S_ISDIR(st.st_mode)) fail(path, "is a directory, not an audio file");
  if (st.st_size == 0) fail(path, "empty file (0 bytes), not audio");
  check_wav_data_length(path, static_cast<std::uint64_t>(st.st_size));

  SF_INFO info{};
  SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) {
    // libsndfile's own words say which: unknown format, malformed or truncated header.
    fail(path, std::string("not a readable audio file (") + sf_strerror(nullptr) + ")");
  }
  if (info.channels <= 0 || info.samplerate <= 0) {
    fail(path, "audio header has " + std::to_string(info.channels) + " channels at " +
                   std::to_string(info.samplerate) + " Hz");
  }
  if (info.frames <= 0) fail(path, "holds zero samples");

  // Float files are read as stored (no clipping, no normalisation); integer PCM is
  // scaled to [-1, 1).
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> interleaved(static_cast<std::size_t>(info.frames) * channels);
  const sf_count_t got = sf_readf_float(file.get(), interleaved.data(), info.frames);
  if (got <= 0) fail(path, "holds zero readable samples");
  if (got < info.frames) {
    fail(path, "truncated: the header announces " + std::to_string(info.frames) +
                   " frames but only " + std::to_string(got) + " could be read");
  }

  AudioBuffer out;
  out.origin = path;
  out.sample_rate_hz = info.samplerate;
  out.samples.resize(static_cast<std::size_t>(got));
  for (std::size_t i = 0; i < out.samples.size(); ++i) {
    double sum = 0.0;
    for (std::size_t c = 0; c < channels; ++c) {
      const float v = interleaved[i * channels + c];
      if (!std::isfinite(v) || std::fabs(v) > kMaxAbsSample) {
        char value[32];
        std::snprintf(value, sizeof value, "%g", static_cast<double>(v));
        fail(path, std::string(std::isnan(v) ? "NaN" : std::isinf(v) ? "infinite" : std::string("out-of-range (") + value + ", beyond ±10⁴)") +
                       " sample at index " + std::to_string(i) + " (channel " + std::to_string(c) + ", at " +
                       std::to_string(static_cast<double>(i) / info.samplerate) + " s)");
      }
      sum += v;
    }
    out.samples[i] = static_cast<float>(sum / static_cast<double>(channels));
  }

  if (options.highest_analysed_hz > 0 && out.sample_rate_hz / 2 <= options.highest_analysed_hz) {
    fail(path, "sample rate " + format_hz(out.sample_rate_hz) + " is too low: its Nyquist " +
                   format_hz(out.sample_rate_hz / 2) + " is below the top band at " +
                   format_hz(options.highest_analysed_hz));
  }

  const double target = options.target_sample_rate_hz;
  if (target > 0 && target != out.sample_rate_hz) {
    const double ppm = std::abs(out.sample_rate_hz - target) / target * 1e6;
    if (ppm <= options.header_rate_tolerance_ppm) {
      out.sample_rate_hz = target;  // an integer header rate rounding a fractional rate
    } else {
      out.samples = resample(out.samples.data(), out.samples.size(), out.sample_rate_hz, target);
      out.sample_rate_hz = target;
    }
  }
  return out;
}

void write_wav_float(const std::string& path, const AudioBuffer& audio) {
  if (!(audio.sample_rate_hz > 0)) fail(path, "cannot write audio with a non-positive rate");
  AtomicFile out(path);
  SF_INFO info{};
  info.channels = 1;
  info.samplerate = static_cast<int>(std::lround(audio.sample_rate_hz));
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  {
    SndfilePtr file(sf_open(out.temp_path().c_str(), SFM_WRITE, &info));
    if (!file) fail(path, std::string("cannot create audio file (") + sf_strerror(nullptr) + ")");
    const auto n = static_cast<sf_count_t>(audio.samples.size());
    if (sf_writef_float(file.get(), audio.samples.data(), n) != n) {
      fail(path, std::string("write failed (") + sf_strerror(file.get()) + ")");
    }
  }
  out.commit();
}

}  // namespace statenet
