// The transport latency of `statenet stream --osc`, measured in another process: a liblo server
// on PORT stamps every /statenet/rates message with CLOCK_MONOTONIC on arrival, subtracts the
// publisher's stamp (its second argument, docs/osc.md) and prints the percentiles once nothing
// has arrived for a second (or after FRAMES messages).
//
//   build/bench/osc_receiver 9000 [FRAMES] &
//   build/statenet stream --seconds 20 --view off --osc udp://127.0.0.1:9000

#include <lo/lo.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "stream/latency_histogram.h"
#include "util/steady_clock.h"

namespace {
struct State {
  statenet::LatencyHistogram latency;
  long received = 0, out_of_order = 0, last_frame = -1;
};

int on_rates(const char*, const char* types, lo_arg** argv, int argc, lo_message, void* user) {
  const std::int64_t arrived = statenet::steady_now_ns();  // CLOCK_MONOTONIC, as the publisher's
  auto& s = *static_cast<State*>(user);
  if (argc < 2 || types[0] != 'h' || types[1] != 'h') return 0;
  s.latency.record(arrived - argv[1]->h);
  s.out_of_order += argv[0]->h <= s.last_frame;
  s.last_frame = static_cast<long>(argv[0]->h);
  ++s.received;
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: osc_receiver PORT [FRAMES]\n");
    return 2;
  }
  const long frames = argc > 2 ? std::atol(argv[2]) : -1;
  lo_server server = lo_server_new_with_proto(argv[1], LO_UDP, nullptr);
  if (!server) {
    std::fprintf(stderr, "osc_receiver: cannot listen on UDP port %s\n", argv[1]);
    return 1;
  }
  State state;
  lo_server_add_method(server, "/statenet/rates", nullptr, on_rates, &state);
  // Wait up to 30 s for the first message, then stop after a second of silence.
  while (frames < 0 || state.received < frames)
    if (lo_server_recv_noblock(server, state.received ? 1000 : 30000) == 0) break;
  std::printf("%ld messages, %ld out of order; publish → received (another process): %s\n", state.received, state.out_of_order,
              state.latency.summary().c_str());
  lo_server_free(server);
  return 0;
}
