#pragma once
// Predictions and spikes over ZeroMQ, for rigs and analysis processes that subscribe (Open
// Ephys, Bonsai, Python): an XPUB socket bound to an endpoint (tcp://host:port, ipc://path),
// one multipart message per frame and topic. The schema (docs/zmq.md), all little-endian:
//
//   "statenet/description"  [topic][JSON: schema_version, model, front_end, units, unit_ids,
//                            num_bands, frame_period_s, frame_rate_hz, sample_rate_hz, spikes,
//                            rate_conversion]; sent at start, to every new subscriber, and
//                            every description_period_s
//   "statenet/rates"        [topic][header][float32 × N]
//   "statenet/spikes"       [topic][header][count × {int32 unit, int64 sample, float64 time_s}]
//   header (32 bytes): uint32 schema_version, uint32 count, int64 frame, int64 end_sample (the
//   input sample index that closed the frame, exclusive), int64 publish_ns (CLOCK_MONOTONIC)
//
// A sink of the stream pipeline: it sends on the pipeline's sink thread, never on the
// processing thread, and never waits: a subscriber that falls behind its high-water mark costs
// counted drops (ZMQ_XPUB_NODROP with ZMQ_DONTWAIT), never a stall.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "stream/prediction_sink.h"

namespace statenet {

struct ZmqPublisherOptions {
  std::string endpoint;              ///< tcp://127.0.0.1:5556, ipc:///tmp/statenet, …
  int send_high_water_mark = 1000;   ///< messages queued per subscriber before drops
  int wait_for_subscribers = 0;      ///< begin() waits for this many subscriptions …
  int wait_timeout_ms = 5000;        ///< … at most this long (then throws)
  double description_period_s = 1.0; ///< re-send the description this often
  int linger_ms = 2000;              ///< at the end, wait this long at most for queued messages to leave
};

class ZmqPublisher final : public PredictionSink {
 public:
  static constexpr std::uint32_t kSchemaVersion = 1;

  /// Binds; throws std::runtime_error "<endpoint>: <reason>" (bad endpoint, address in use).
  explicit ZmqPublisher(ZmqPublisherOptions options);
  ~ZmqPublisher() override;
  ZmqPublisher(const ZmqPublisher&) = delete;
  ZmqPublisher& operator=(const ZmqPublisher&) = delete;

  void begin(const StreamInfo& info) override;
  void consume(const Prediction& p) override;
  void progress(const StreamProgress&) override;
  std::int64_t dropped() const override { return dropped_; }
  std::string name() const override { return "zmq"; }

  std::int64_t messages_sent() const { return sent_; }
  /// The endpoint actually bound (a tcp port of * resolved).
  const std::string& endpoint() const { return endpoint_; }

 private:
  bool send(const std::string& topic, const void* header, std::size_t header_bytes, const void* body, std::size_t body_bytes);
  void send_description();
  void read_subscriptions();  // new subscribers get the description at once

  ZmqPublisherOptions options_;
  void* context_ = nullptr;
  void* socket_ = nullptr;
  std::string endpoint_, description_;
  int units_ = 0;
  bool spikes_ = false;
  std::vector<char> records_;  // one frame's spike records
  std::int64_t sent_ = 0, dropped_ = 0;
  std::chrono::steady_clock::time_point last_description_;
};

}  // namespace statenet
