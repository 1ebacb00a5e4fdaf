#pragma once
// Predictions and spikes as OSC messages over UDP, for Bonsai, Max, Pure Data and
// SuperCollider (liblo). Per frame:
//   /statenet/rates  ,h f…f   the frame index (int64), then each unit's rate (float32)
//   /statenet/spike  ,idh     per spike: unit (int32), time in seconds from the start of the
//                             stream (float64), input sample index (int64)
// A sink of the stream pipeline: it sends on the sink thread, never on the processing thread.
// UDP does not wait for a receiver; a datagram the kernel refuses is counted as dropped.

#include <cstdint>
#include <string>

#include "stream/prediction_sink.h"

namespace statenet {

class OscSender final : public PredictionSink {
 public:
  /// `url`: udp://HOST:PORT. Throws std::runtime_error "<url>: …" for a malformed URL or a host
  /// that does not resolve.
  explicit OscSender(const std::string& url);
  ~OscSender() override;
  OscSender(const OscSender&) = delete;
  OscSender& operator=(const OscSender&) = delete;

  void begin(const StreamInfo& info) override { units_ = info.num_units; }
  void consume(const Prediction& p) override;
  std::int64_t dropped() const override { return dropped_; }
  std::string name() const override { return "osc"; }
  std::int64_t messages_sent() const { return sent_; }

 private:
  void* address_ = nullptr;  // lo_address
  std::string url_;
  int units_ = 0;
  std::int64_t sent_ = 0, dropped_ = 0;
};

}  // namespace statenet
