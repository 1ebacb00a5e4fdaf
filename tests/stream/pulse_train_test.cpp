// The pulse line's renderer. Against an independent reference (pulses drawn straight into one
// long buffer at spike sample + delay): rendering in blocks of odd, varying sizes gives the same
// samples exactly, on the mapped channels only, whatever the block boundaries. Also: a pulse
// queued after its start was played is late, drawn at once, counted with its lateness; a full
// queue drops and counts; the host clock places pulses through the device's play times;
// render() allocates nothing; the unit→channel map refuses bad entries by name.

#include "stream/pulse_train.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "support/allocation_counter.h"

namespace statenet {
namespace {

constexpr double kFs = 48000.0;

Prediction frame_with(const std::vector<Spike>& spikes, std::int64_t end_sample, std::int64_t arrival_ns = 0) {
  Prediction p;
  p.end_sample = end_sample;
  p.arrival_ns = arrival_ns;
  p.spikes = spikes.data();
  p.num_spikes = static_cast<int>(spikes.size());
  return p;
}

// Renders [0, total) in blocks of the given sizes, cycling.
std::vector<float> render_in_blocks(PulseTrain& train, std::int64_t total, int channels, const std::vector<int>& sizes) {
  std::vector<float> out(static_cast<std::size_t>(total * channels), 0.0f);
  std::int64_t at = 0;
  for (std::size_t i = 0; at < total; ++i) {
    const int n = static_cast<int>(std::min<std::int64_t>(sizes[i % sizes.size()], total - at));
    train.render(out.data() + at * channels, n, channels, at, 0);
    at += n;
  }
  return out;
}

TEST(PulseTrain, blocksOfAnySizeDrawEveryPulseAtSpikePlusDelayOnItsChannel) {
  // Units 0 and 2 on channels 1 and 0; unit 1 not sent. Spikes in time order, as the
  // generator gives them, some close enough that pulses on one channel merge.
  PulseTrainOptions o;
  o.width_ms = 1.0;  // 48 samples
  o.amplitude = 0.7f;
  o.delay_ms = 10.0;  // 480 samples
  o.num_channels = 2;
  o.channel_of_unit = parse_unit_channel_map("0:1,2:0", 3, 2);
  PulseTrain train(o, 3, kFs);
  std::vector<Spike> spikes;
  for (std::int64_t s = 3; s < 40000; s += 37 + (s * 7919) % 911) spikes.push_back({static_cast<std::int32_t>(s % 3), s, s / kFs});
  // Handed out per 240-sample frame, before any rendering (the delay covers it).
  for (std::int64_t end = 240, i = 0; end <= 40240; end += 240) {
    std::vector<Spike> frame;
    while (i < static_cast<std::int64_t>(spikes.size()) && spikes[static_cast<std::size_t>(i)].sample < end) frame.push_back(spikes[static_cast<std::size_t>(i++)]);
    train.consume(frame_with(frame, end));
  }
  const std::int64_t total = 41000;
  std::vector<float> reference(static_cast<std::size_t>(total * 2), 0.0f);
  int sent = 0;
  for (const Spike& s : spikes) {
    const int channel = s.unit == 0 ? 1 : s.unit == 2 ? 0 : -1;
    if (channel < 0) continue;
    ++sent;
    for (std::int64_t n = s.sample + 480; n < s.sample + 480 + 48; ++n) reference[static_cast<std::size_t>(n * 2 + channel)] = 0.7f;
  }
  const std::vector<float> out = render_in_blocks(train, total, 2, {256, 1, 97, 480, 13, 1024});
  double largest = 0.0;
  std::int64_t where = -1;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (std::fabs(out[i] - reference[i]) > largest) largest = std::fabs(out[i] - reference[i]), where = static_cast<std::int64_t>(i);
  EXPECT_EQ(largest, 0.0) << "largest difference " << largest << " at sample " << where / 2 << ", channel " << where % 2;
  EXPECT_EQ(train.scheduled(), sent);
  EXPECT_EQ(train.rendered(), sent);
  EXPECT_EQ(train.late(), 0);
  EXPECT_EQ(train.dropped(), 0);
  EXPECT_GT(train.min_slack_samples(), 0);
}

TEST(PulseTrain, aPulseQueuedAfterItsTimeIsLateDrawnAtOnceAndCounted) {
  PulseTrainOptions o;
  o.delay_ms = 1.0;  // 48 samples
  PulseTrain train(o, 1, kFs);
  std::vector<float> block(256, 0.0f);
  train.render(block.data(), 256, 1, 0, 0);  // [0, 256) played
  const std::vector<Spike> spike = {{0, 100, 100 / kFs}};  // due at 148: already played
  train.consume(frame_with(spike, 240));
  std::fill(block.begin(), block.end(), 0.0f);
  train.render(block.data(), 256, 1, 256, 0);
  EXPECT_EQ(train.late(), 1);
  EXPECT_EQ(train.max_lateness_samples(), 256 - 148);
  EXPECT_LT(train.min_slack_samples(), 0);
  for (int i = 0; i < 48; ++i) ASSERT_EQ(block[static_cast<std::size_t>(i)], o.amplitude) << "sample " << i;
  EXPECT_EQ(block[48], 0.0f);
}

TEST(PulseTrain, aFullQueueDropsAndCountsInsteadOfWaiting) {
  PulseTrainOptions o;
  o.queue_pulses = 4;
  PulseTrain train(o, 1, kFs);
  std::vector<Spike> spikes;
  for (int i = 0; i < 100; ++i) spikes.push_back({0, i * 100, i * 100 / kFs});
  train.consume(frame_with(spikes, 10000));
  EXPECT_GE(train.dropped(), 100 - 8);  // the queue holds its capacity rounded up
  EXPECT_EQ(train.scheduled() + train.dropped(), 100);
}

TEST(PulseTrain, hostClockPlacesThePulseThroughTheDevicesPlayTimes) {
  // The spike's frame closed at sample 480, whose block arrived at t = 1 s; the spike is 120
  // samples before: 2.5 ms earlier. With a 10-ms delay it plays at 1.0075 s. The device says
  // its block starting at output sample 1000 plays at 1.000 s: the pulse is at 1000 + 0.0075·fs.
  PulseTrainOptions o;
  o.clock = PulseClock::kHost;
  o.delay_ms = 10.0;
  PulseTrain train(o, 1, kFs);
  const std::int64_t t0 = 1'000'000'000;
  const std::vector<Spike> spike = {{0, 360, 360 / kFs}};
  train.consume(frame_with(spike, 480, t0));
  std::vector<float> out(2000, 0.0f);
  for (std::int64_t first = 1000; first < 3000; first += 250)
    train.render(out.data() + (first - 1000), 250, 1, first, t0 + static_cast<std::int64_t>((first - 1000) * 1e9 / kFs));
  const auto onset = std::find(out.begin(), out.end(), o.amplitude) - out.begin();
  EXPECT_EQ(onset, 360);  // 0.0075 s · 48 kHz
  EXPECT_EQ(train.late(), 0);
}

TEST(PulseTrain, renderAllocatesNothing) {
  PulseTrainOptions o;
  PulseTrain train(o, 2, kFs);
  std::vector<Spike> spikes;
  for (int i = 0; i < 300; ++i) spikes.push_back({i % 2, 10 + i * 40, 0.0});
  train.consume(frame_with(spikes, 12100));
  std::vector<float> block(128, 0.0f);
  test::CountAllocations count;
  for (std::int64_t first = 0; first < 20000; first += 128) train.render(block.data(), 128, 1, first, 0);
  EXPECT_EQ(count.allocations(), 0);
  EXPECT_EQ(train.rendered(), 300);
}

TEST(PulseTrain, theUnitChannelMapRefusesBadEntriesByName) {
  EXPECT_EQ(parse_unit_channel_map("all:1", 3, 2), (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(parse_unit_channel_map("2:0", 3, 1), (std::vector<int>{-1, -1, 0}));
  for (const char* bad : {"", "3", "x:0", "0:y", "5:0", "0:2", "-1:0"}) {
    try {
      parse_unit_channel_map(bad, 3, 2);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("map"), std::string::npos) << e.what();
    }
  }
  PulseTrainOptions o;
  o.amplitude = 1.5f;
  EXPECT_THROW(PulseTrain(o, 1, kFs), std::invalid_argument);
  o = {};
  o.width_ms = 0.0;
  EXPECT_THROW(PulseTrain(o, 1, kFs), std::invalid_argument);
  o = {};
  o.channel_of_unit = {0, 1};
  EXPECT_THROW(PulseTrain(o, 2, kFs), std::invalid_argument);  // channel 1 of a 1-channel output
}

}  // namespace
}  // namespace statenet
