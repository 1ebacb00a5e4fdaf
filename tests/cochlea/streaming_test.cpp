// Streaming == offline, bit for bit, for every preset and many block sizes
// (docs/cochleagram.md, "How they are checked").

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "audio/test_signals.h"
#include "cochlea/presets.h"
#include "support/allocation_counter.h"

namespace statenet {
namespace {

class RecordingSink final : public FrameSink {
 public:
  explicit RecordingSink(int bands) : bands_(bands) {}
  void on_frame(std::int64_t index, const float* bands) noexcept override {
    indices.push_back(index);
    values.insert(values.end(), bands, bands + bands_);
  }
  std::vector<std::int64_t> indices;
  std::vector<float> values;

 private:
  int bands_;
};

RecordingSink stream(FrontEnd& fe, const std::vector<float>& x, const std::vector<std::size_t>& blocks) {
  fe.reset();
  RecordingSink sink(fe.num_bands());
  std::size_t pos = 0, k = 0;
  while (pos < x.size()) {
    const std::size_t n = std::min(blocks[k++ % blocks.size()], x.size() - pos);
    fe.process(x.data() + pos, n, sink);
    pos += n;
  }
  return sink;
}

class StreamingTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StreamingTest, anyBlockSizesGiveTheWholeSignalOutputBitForBit) {
  auto fe = make_front_end(cochleagram_preset(GetParam()));
  const AudioBuffer s2 = make_mixture_s2(1.0, fe->sample_rate_hz());
  const RecordingSink whole = stream(*fe, s2.samples, {s2.samples.size()});
  ASSERT_GT(whole.indices.size(), 50u);
  for (std::size_t i = 0; i < whole.indices.size(); ++i) ASSERT_EQ(whole.indices[i], static_cast<std::int64_t>(i));

  std::mt19937 rng(42);
  std::vector<std::size_t> random_blocks;
  for (int i = 0; i < 500; ++i) random_blocks.push_back(1 + rng() % 2000);
  const std::vector<std::vector<std::size_t>> schedules = {
      {1}, {7}, {16}, {static_cast<std::size_t>(fe->hop_samples())}, {441}, {4096}, random_blocks};
  for (const auto& blocks : schedules) {
    SCOPED_TRACE("first block size " + std::to_string(blocks[0]) + (blocks.size() > 1 ? " (random)" : ""));
    const RecordingSink s = stream(*fe, s2.samples, blocks);
    ASSERT_EQ(s.indices, whole.indices);
    ASSERT_EQ(0, std::memcmp(s.values.data(), whole.values.data(), whole.values.size() * sizeof(float)))
        << "streamed frames differ from the whole-signal frames";
  }
  EXPECT_EQ(fe->samples_consumed(), static_cast<std::int64_t>(s2.samples.size()));
}

TEST_P(StreamingTest, resetStartsANewSignal) {
  auto fe = make_front_end(cochleagram_preset(GetParam()));
  const AudioBuffer a = make_white_noise(0.3, 0.3, fe->sample_rate_hz(), 1);
  const AudioBuffer b = make_mixture_s2(0.3, fe->sample_rate_hz());
  const RecordingSink b_fresh = stream(*fe, b.samples, {b.samples.size()});
  stream(*fe, a.samples, {333});
  const RecordingSink b_after_a = stream(*fe, b.samples, {b.samples.size()});  // stream() resets
  EXPECT_EQ(b_after_a.values, b_fresh.values);
}

INSTANTIATE_TEST_SUITE_P(EveryPreset, StreamingTest, ::testing::ValuesIn(cochleagram_preset_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace statenet

namespace statenet {
namespace {

// A sink that keeps nothing (so the count below is the front end's own).
struct CountingFrameSink final : FrameSink {
  std::int64_t frames = 0;
  float checksum = 0.0f;
  void on_frame(std::int64_t, const float* bands) noexcept override {
    ++frames;
    checksum += bands[0];
  }
};

// The real-time contract of FrontEnd::process and reset: no heap allocation, for every preset,
// whatever the block size (including blocks that complete several frames at once).
TEST(Streaming, processAndResetAllocateNothingForEveryPreset) {
  {  // the counter sees allocations (so zero below means none)
    test::CountAllocations count;
    std::vector<float> probe(10, 1.0f);
    ASSERT_EQ(count.allocations(), 1) << probe[0];
  }
  for (const std::string& name : cochleagram_preset_names()) {
    SCOPED_TRACE(name);
    auto fe = make_front_end(cochleagram_preset(name));
    const AudioBuffer demo = make_demo_sound(fe->sample_rate_hz());
    const std::size_t n = std::min<std::size_t>(demo.samples.size(), static_cast<std::size_t>(fe->sample_rate_hz() / 2));
    CountingFrameSink sink;
    test::CountAllocations count;
    for (std::size_t block : {1, 97, 4096}) {
      fe->reset();
      for (std::size_t i = 0; i < n; i += block) fe->process(demo.samples.data() + i, std::min(block, n - i), sink);
    }
    EXPECT_EQ(count.allocations(), 0) << "over " << sink.frames << " frames";
    EXPECT_GT(sink.frames, 0);
  }
}

}  // namespace
}  // namespace statenet
