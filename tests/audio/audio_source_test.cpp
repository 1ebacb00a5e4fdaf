#include "audio/audio_source.h"

#include <gtest/gtest.h>

#include <chrono>

#include "audio/test_signals.h"

namespace statenet {
namespace {

TEST(FileSource, deliversEverySampleInOrderWhateverTheReadSizes) {
  const AudioBuffer tone = make_chirp(100, 5000, 0.5, 0.3, 16000.0);
  FileSource src(tone, Pacing::kAsFastAsPossible);
  EXPECT_EQ(src.sample_rate_hz(), 16000.0);
  std::vector<float> got, block(333);
  std::size_t n;
  int reads = 0;
  while ((n = src.read(block.data(), 1 + (reads++ * 37) % 333)) > 0) got.insert(got.end(), block.begin(), block.begin() + n);
  EXPECT_EQ(got, tone.samples);
  EXPECT_EQ(src.read(block.data(), 10), 0u) << "an ended source keeps returning 0";
}

TEST(FileSource, realTimePacingNeverRunsAheadOfTheClock) {
  // A property (a lower bound), not a speed goal: 0.2 s of audio cannot be delivered
  // in less than 0.2 s of wall time.
  const AudioBuffer tone = make_tone(440, 0.5, 0.2, 8000.0);
  FileSource src(tone, Pacing::kRealTime);
  std::vector<float> block(160);
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t total = 0, n;
  while ((n = src.read(block.data(), block.size())) > 0) total += n;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(total, tone.samples.size());
  EXPECT_GE(elapsed, 0.2 - 1e-3);
}

}  // namespace
}  // namespace statenet
