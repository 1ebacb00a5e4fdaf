// The transport latency of `statenet stream --zmq`, measured where it matters: in another
// process. Subscribes to ENDPOINT, stamps every statenet/rates message with CLOCK_MONOTONIC on
// arrival, subtracts the publisher's stamp in the header (docs/zmq.md) and prints the
// percentiles once nothing has arrived for a second (or after FRAMES messages).
//
//   build/bench/zmq_receiver tcp://127.0.0.1:5599 [FRAMES [spin]] &
// "spin" polls without sleeping (one core busy), which takes this process's own wake-up out of
// the figure.
//   build/statenet stream --seconds 20 --view off --zmq tcp://127.0.0.1:5599 --zmq-wait-subscribers 1

#include <zmq.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "stream/latency_histogram.h"
#include "util/steady_clock.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: zmq_receiver ENDPOINT [FRAMES]\n");
    return 2;
  }
  const long frames = argc > 2 ? std::atol(argv[2]) : -1;
  const bool spin = argc > 3 && std::strcmp(argv[3], "spin") == 0;
  void* context = zmq_ctx_new();
  void* sub = zmq_socket(context, ZMQ_SUB);
  zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "statenet/rates", 14);
  if (zmq_connect(sub, argv[1]) != 0) {
    std::fprintf(stderr, "zmq_receiver: %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
    return 1;
  }
  statenet::LatencyHistogram latency;
  char topic[64], header[32];
  static char body[1 << 16];
  long received = 0, last_frame = -1, out_of_order = 0;
  zmq_pollitem_t item{sub, 0, ZMQ_POLLIN, 0};
  const std::int64_t idle_ns = 1000000000;
  std::int64_t last = statenet::steady_now_ns();
  while (frames < 0 || received < frames) {
    if (spin) {
      if (zmq_poll(&item, 1, 0) <= 0) {
        if (received && statenet::steady_now_ns() - last > idle_ns) break;
        continue;
      }
    } else if (zmq_poll(&item, 1, received ? 1000 : 30000) <= 0) {
      break;
    }
    last = statenet::steady_now_ns();
    zmq_recv(sub, topic, sizeof topic, 0);
    zmq_recv(sub, header, sizeof header, 0);
    const std::int64_t arrived = statenet::steady_now_ns();  // CLOCK_MONOTONIC, as the publisher's
    zmq_recv(sub, body, sizeof body, 0);
    std::int64_t frame, publish_ns;
    std::memcpy(&frame, header + 8, 8);
    std::memcpy(&publish_ns, header + 24, 8);
    latency.record(arrived - publish_ns);
    out_of_order += frame <= last_frame;
    last_frame = frame;
    ++received;
  }
  std::printf("%ld messages, %ld out of order; publish → received (another process): %s\n", received, out_of_order,
              latency.summary().c_str());
  zmq_close(sub);
  zmq_ctx_term(context);
  return 0;
}
