#include "net/zmq_publisher.h"

#include <zmq.h>

#include <cstring>
#include <sstream>
#include <stdexcept>

#include "util/steady_clock.h"

namespace statenet {
namespace {

struct Header {
  std::uint32_t schema_version, count;
  std::int64_t frame, end_sample, publish_ns;
};
static_assert(sizeof(Header) == 32, "the documented 32-byte header");

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

ZmqPublisher::ZmqPublisher(ZmqPublisherOptions options) : options_(std::move(options)) {
  auto fail = [&](const std::string& what) {
    const std::string reason = zmq_strerror(zmq_errno());
    if (socket_) zmq_close(socket_);
    if (context_) zmq_ctx_term(context_);
    socket_ = context_ = nullptr;
    throw std::runtime_error(options_.endpoint + ": " + what + " (" + reason + ")");
  };
  context_ = zmq_ctx_new();
  if (!context_) fail("cannot create a ZeroMQ context");
  socket_ = zmq_socket(context_, ZMQ_XPUB);
  if (!socket_) fail("cannot create a ZeroMQ socket");
  // Closing waits up to linger_ms for queued messages to reach subscribers that are behind
  // (with 0 a slow subscriber lost the stream's tail while the summary said nothing was dropped).
  const int linger = options_.linger_ms, no_drop = 1, verbose = 1;
  zmq_setsockopt(socket_, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(socket_, ZMQ_SNDHWM, &options_.send_high_water_mark, sizeof(int));
  zmq_setsockopt(socket_, ZMQ_XPUB_NODROP, &no_drop, sizeof no_drop);   // full → EAGAIN, counted
  zmq_setsockopt(socket_, ZMQ_XPUB_VERBOSE, &verbose, sizeof verbose);  // every subscription, for the description
  if (zmq_bind(socket_, options_.endpoint.c_str()) != 0) fail("cannot bind");
  char bound[256];
  std::size_t size = sizeof bound;
  endpoint_ = zmq_getsockopt(socket_, ZMQ_LAST_ENDPOINT, bound, &size) == 0 ? std::string(bound) : options_.endpoint;
}

ZmqPublisher::~ZmqPublisher() {
  if (socket_) zmq_close(socket_);
  if (context_) zmq_ctx_term(context_);
}

bool ZmqPublisher::send(const std::string& topic, const void* header, std::size_t header_bytes, const void* body,
                        std::size_t body_bytes) {
  if (zmq_send(socket_, topic.data(), topic.size(), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
    ++dropped_;
    return false;
  }
  zmq_send(socket_, header, header_bytes, ZMQ_DONTWAIT | (body ? ZMQ_SNDMORE : 0));
  if (body) zmq_send(socket_, body, body_bytes, ZMQ_DONTWAIT);
  ++sent_;
  return true;
}

void ZmqPublisher::send_description() {
  send("statenet/description", description_.data(), description_.size(), nullptr, 0);
  last_description_ = std::chrono::steady_clock::now();
}

void ZmqPublisher::read_subscriptions() {
  char buf[256];
  bool subscribed = false;
  for (int n; (n = zmq_recv(socket_, buf, sizeof buf, ZMQ_DONTWAIT)) > 0;) subscribed |= buf[0] == 1;
  if (subscribed) send_description();
}

void ZmqPublisher::begin(const StreamInfo& info) {
  units_ = info.num_units;
  spikes_ = info.spikes;
  std::ostringstream j;
  j.precision(17);
  j << "{\"schema_version\": " << kSchemaVersion << ", \"model\": " << json_string(info.model) << ", \"front_end\": " << json_string(info.front_end)
    << ", \"input\": " << json_string(info.input) << ", \"num_units\": " << info.num_units << ", \"num_bands\": " << info.num_bands
    << ", \"unit_ids\": [";
  for (std::size_t u = 0; u < info.unit_names.size(); ++u) j << (u ? ", " : "") << json_string(info.unit_names[u]);
  j << "], \"frame_period_s\": " << info.frame_period_s << ", \"frame_rate_hz\": " << 1.0 / info.frame_period_s
    << ", \"sample_rate_hz\": " << info.sample_rate_hz << ", \"spikes\": " << (info.spikes ? "true" : "false")
    << ", \"rate_conversion\": \"spikes/s = max(0, rate)/frame_period_s\", \"topics\": [\"statenet/description\", \"statenet/rates\", "
       "\"statenet/spikes\"]}";
  description_ = j.str();
  if (options_.wait_for_subscribers > 0) {
    int subscribers = 0;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.wait_timeout_ms);
    while (subscribers < options_.wait_for_subscribers) {
      zmq_pollitem_t item{socket_, 0, ZMQ_POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now()).count();
      if (left <= 0 || zmq_poll(&item, 1, static_cast<long>(left)) <= 0)
        throw std::runtime_error(endpoint_ + ": " + std::to_string(subscribers) + " of " + std::to_string(options_.wait_for_subscribers) +
                                 " subscribers after " + std::to_string(options_.wait_timeout_ms) + " ms");
      char buf[256];
      const int n = zmq_recv(socket_, buf, sizeof buf, ZMQ_DONTWAIT);
      if (n > 0 && buf[0] == 1) ++subscribers;
    }
  }
  send_description();
}

void ZmqPublisher::consume(const Prediction& p) {
  Header h{kSchemaVersion, static_cast<std::uint32_t>(units_), p.frame, p.end_sample, steady_now_ns()};
  send("statenet/rates", &h, sizeof h, p.rates, sizeof(float) * units_);
  if (!spikes_) return;
  // Records packed as in the spike file: int32 unit, int64 sample, float64 time_s.
  records_.resize(static_cast<std::size_t>(p.num_spikes) * 20);
  for (int i = 0; i < p.num_spikes; ++i) {
    char* r = records_.data() + 20 * i;
    std::memcpy(r, &p.spikes[i].unit, 4);
    std::memcpy(r + 4, &p.spikes[i].sample, 8);
    std::memcpy(r + 12, &p.spikes[i].time_s, 8);
  }
  h.count = static_cast<std::uint32_t>(p.num_spikes);
  h.publish_ns = steady_now_ns();
  send("statenet/spikes", &h, sizeof h, records_.data(), records_.size());
}

void ZmqPublisher::progress(const StreamProgress&) {
  read_subscriptions();
  if (std::chrono::steady_clock::now() - last_description_ >= std::chrono::duration<double>(options_.description_period_s)) send_description();
}

}  // namespace statenet
