// Reading audio files: formats, down-mixing, resampling, and every bad input.

#include "audio/audio_file.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unistd.h>

#include "audio/test_signals.h"
#include "support/test_support.h"

namespace statenet {
namespace {

// Writes a canonical 44-byte-header IEEE-float mono WAV like NS1's: integer header
// rate, byte rate given separately, no file extension.
void write_ns1_style_wav(const std::string& path, const std::vector<float>& x, std::uint32_t header_rate,
                         std::uint32_t byte_rate) {
  std::ofstream f(path, std::ios::binary);
  auto u32 = [&](std::uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  const std::uint32_t data_bytes = static_cast<std::uint32_t>(x.size() * 4);
  f.write("RIFF", 4);
  u32(36 + data_bytes);
  f.write("WAVEfmt ", 8);
  u32(16);
  u16(3);  // IEEE float
  u16(1);
  u32(header_rate);
  u32(byte_rate);
  u16(4);
  u16(32);
  f.write("data", 4);
  u32(data_bytes);
  f.write(reinterpret_cast<const char*>(x.data()), data_bytes);
}

void write_with_sndfile(const std::string& path, int format, int channels, int rate, const std::vector<float>& interleaved) {
  SF_INFO info{};
  info.channels = channels;
  info.samplerate = rate;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
  sf_writef_float(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
  sf_close(f);
}

std::string error_of(const std::string& path, const AudioReadOptions& o = {}) {
  try {
    read_audio_file(path, o);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

class AudioFileTest : public ::testing::Test {
 protected:
  std::string dir = test::temp_dir();
};

TEST_F(AudioFileTest, readsFloatWavWithoutExtensionUnclipped) {
  std::vector<float> x = {0.0f, 14.0f, -13.5f, 0.25f, 1.5f};
  const std::string path = dir + "/source.1.frozen.1";
  write_ns1_style_wav(path, x, 48828, 195313);
  const AudioBuffer a = read_audio_file(path);
  EXPECT_EQ(a.sample_rate_hz, 48828.0);
  ASSERT_EQ(a.samples.size(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(a.samples[i], x[i]) << "sample " << i;
}

TEST_F(AudioFileTest, integerHeaderRateWithinTolerateIsTakenAsTheFractionalRate) {
  const std::vector<float> x(1000, 0.5f);
  const std::string path = dir + "/ns1";
  write_ns1_style_wav(path, x, 48828, 195313);
  AudioReadOptions o;
  o.target_sample_rate_hz = 48828.125;
  const AudioBuffer a = read_audio_file(path, o);
  EXPECT_EQ(a.sample_rate_hz, 48828.125);
  EXPECT_EQ(a.samples, x) << "a 2.6 ppm header rounding must not trigger resampling";
}

TEST_F(AudioFileTest, downmixesStereoToTheMeanOfChannels) {
  std::vector<float> st;
  for (int i = 0; i < 100; ++i) {
    st.push_back(0.5f);
    st.push_back(i % 2 ? -0.25f : 0.25f);
  }
  const std::string path = dir + "/stereo.wav";
  write_with_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, 16000, st);
  const AudioBuffer a = read_audio_file(path);
  ASSERT_EQ(a.samples.size(), 100u);
  EXPECT_FLOAT_EQ(a.samples[0], 0.375f);
  EXPECT_FLOAT_EQ(a.samples[1], 0.125f);
}

TEST_F(AudioFileTest, readsFlacOggAndAiff) {
  const AudioBuffer tone = make_tone(440.0, 0.5, 0.5, 44100.0);
  struct Case {
    const char* name;
    int format;
    double tolerance;  // lossless 16-bit: 1 LSB; Vorbis: lossy
  } cases[] = {{"t.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1.0 / 32768 + 1e-6},
               {"t.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1.0 / 32768 + 1e-6},
               {"t.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0.05}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = dir + "/" + c.name;
    write_with_sndfile(path, c.format, 1, 44100, tone.samples);
    const AudioBuffer a = read_audio_file(path);
    EXPECT_EQ(a.sample_rate_hz, 44100.0);
    ASSERT_EQ(a.samples.size(), tone.samples.size());
    const auto d = test::max_abs_diff(a.samples.data(), tone.samples.data(), a.samples.size());
    EXPECT_LE(d.value, c.tolerance) << "largest difference at sample " << d.index;
  }
}

TEST_F(AudioFileTest, resamplesToTheRequestedRateKeepingFrequencyAndLevel) {
  const AudioBuffer tone = make_tone(1000.0, 0.5, 1.0, 44100.0);
  const std::string path = dir + "/tone.wav";
  write_with_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 44100, tone.samples);
  AudioReadOptions o;
  o.target_sample_rate_hz = 48000.0;
  const AudioBuffer a = read_audio_file(path, o);
  EXPECT_EQ(a.sample_rate_hz, 48000.0);
  ASSERT_EQ(a.samples.size(), 48000u);
  const AudioBuffer ideal = make_tone(1000.0, 0.5, 1.0, 48000.0);
  // Away from the edges (filter transients), the resampled tone is the ideal tone.
  const auto d = test::max_abs_diff(a.samples.data() + 2000, ideal.samples.data() + 2000, 44000);
  EXPECT_LE(d.value, 1e-3) << "largest difference at sample " << 2000 + d.index;
}

TEST_F(AudioFileTest, badInputsGiveOneLineNamingTheFileAndTheProblem) {
  const std::string missing = dir + "/missing.wav";
  EXPECT_NE(error_of(missing).find(missing + ": no such file"), std::string::npos) << error_of(missing);
  EXPECT_NE(error_of(dir).find("is a directory"), std::string::npos);

  const std::string empty = dir + "/empty.wav";
  std::ofstream(empty).close();
  EXPECT_NE(error_of(empty).find("empty file"), std::string::npos) << error_of(empty);

  const std::string text = dir + "/notes.wav";
  std::ofstream(text) << "these are not the samples you are looking for\n";
  EXPECT_NE(error_of(text).find(text + ": not a readable audio file"), std::string::npos) << error_of(text);

  // A header cut short: the first 20 of its 44 bytes.
  const std::string good = dir + "/good.wav";
  write_ns1_style_wav(good, std::vector<float>(100, 0.1f), 48000, 192000);
  std::ifstream in(good, std::ios::binary);
  std::vector<char> bytes(20);
  in.read(bytes.data(), 20);
  const std::string cut = dir + "/cut.wav";
  std::ofstream(cut, std::ios::binary).write(bytes.data(), 20);
  EXPECT_NE(error_of(cut).find(cut + ": not a readable audio file"), std::string::npos) << error_of(cut);

  const std::string zero = dir + "/zero.wav";
  write_ns1_style_wav(zero, {}, 48000, 192000);
  EXPECT_NE(error_of(zero).find("zero samples"), std::string::npos) << error_of(zero);

  const std::string nan = dir + "/nan.wav";
  write_ns1_style_wav(nan, {0.0f, 0.1f, std::numeric_limits<float>::quiet_NaN()}, 48000, 192000);
  EXPECT_NE(error_of(nan).find("NaN sample at index 2"), std::string::npos) << error_of(nan);

  const std::string inf = dir + "/inf.wav";
  write_ns1_style_wav(inf, {0.0f, std::numeric_limits<float>::infinity()}, 48000, 192000);
  EXPECT_NE(error_of(inf).find("infinite sample at index 1"), std::string::npos) << error_of(inf);

  const std::string low = dir + "/low.wav";
  write_ns1_style_wav(low, std::vector<float>(800, 0.1f), 8000, 32000);
  AudioReadOptions o;
  o.target_sample_rate_hz = 48828.125;
  o.highest_analysed_hz = 22627.0;
  const std::string e = error_of(low, o);
  EXPECT_NE(e.find("sample rate 8000 Hz is too low"), std::string::npos) << e;
  EXPECT_NE(e.find("22627"), std::string::npos) << e;
}

TEST_F(AudioFileTest, aWavWhoseHeaderAnnouncesMoreThanTheFileHoldsIsTruncated) {
  // A header announcing 1000 samples followed by only 10: libsndfile clamps the frame count to
  // what the file holds and would hand back 10 samples as if that were the whole file.
  const std::string path = dir + "/short.wav";
  write_ns1_style_wav(path, std::vector<float>(1000, 0.25f), 48000, 192000);
  const std::uint64_t header = std::filesystem::file_size(path) - 1000 * 4;
  std::filesystem::resize_file(path, header + 10 * 4);
  const std::string e = error_of(path, {});
  EXPECT_NE(e.find("truncated: the WAV header announces 4000 bytes of audio, the file holds 40"), std::string::npos) << e;
  // The whole file reads.
  write_ns1_style_wav(path, std::vector<float>(1000, 0.25f), 48000, 192000);
  EXPECT_EQ(read_audio_file(path).samples.size(), 1000u);
}

TEST_F(AudioFileTest, writesFloatWavThatReadsBackExactly) {
  AudioBuffer b = make_white_noise(2.0, 0.1, 32000.0, 3);  // values beyond ±1 kept
  const std::string path = dir + "/out.wav";
  write_wav_float(path, b);
  const AudioBuffer a = read_audio_file(path);
  EXPECT_EQ(a.samples, b.samples);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp-" + std::to_string(::getpid())));
}

}  // namespace
}  // namespace statenet
