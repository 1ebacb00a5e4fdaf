#include "net/osc_sender.h"

#include <lo/lo.h>
#include <netdb.h>
#include <sys/socket.h>

#include <regex>
#include <stdexcept>

#include "util/steady_clock.h"

namespace statenet {

OscSender::OscSender(const std::string& url) : url_(url) {
  std::smatch m;
  static const std::regex kUdp(R"(udp://([^:/]+):([0-9]{1,5}))");
  if (!std::regex_match(url, m, kUdp)) throw std::runtime_error(url + ": expected udp://HOST:PORT, e.g. udp://127.0.0.1:9000");
  const int port = std::stoi(m[2].str());
  if (port < 1 || port > 65535) throw std::runtime_error(url + ": port " + m[2].str() + " is outside 1–65535");
  // Resolve now, so that an unknown host fails before streaming (liblo resolves lazily).
  addrinfo hints{}, *found = nullptr;
  hints.ai_socktype = SOCK_DGRAM;
  if (const int e = getaddrinfo(m[1].str().c_str(), m[2].str().c_str(), &hints, &found); e != 0)
    throw std::runtime_error(url + ": cannot resolve " + m[1].str() + " (" + gai_strerror(e) + ")");
  freeaddrinfo(found);
  address_ = lo_address_new_with_proto(LO_UDP, m[1].str().c_str(), m[2].str().c_str());
  if (!address_) throw std::runtime_error(url + ": cannot make an OSC address");
}

OscSender::~OscSender() {
  if (address_) lo_address_free(static_cast<lo_address>(address_));
}

void OscSender::consume(const Prediction& p) {
  const lo_address a = static_cast<lo_address>(address_);
  lo_message rates = lo_message_new();
  lo_message_add_int64(rates, p.frame);
  lo_message_add_int64(rates, steady_now_ns());  // publication, CLOCK_MONOTONIC (as ZeroMQ's header)
  for (int u = 0; u < units_; ++u) lo_message_add_float(rates, p.rates[u]);
  (lo_send_message(a, "/statenet/rates", rates) < 0 ? dropped_ : sent_)++;
  lo_message_free(rates);
  for (int i = 0; i < p.num_spikes; ++i) {
    lo_message spike = lo_message_new();
    lo_message_add_int32(spike, p.spikes[i].unit);
    lo_message_add_double(spike, p.spikes[i].time_s);
    lo_message_add_int64(spike, p.spikes[i].sample);
    (lo_send_message(a, "/statenet/spike", spike) < 0 ? dropped_ : sent_)++;
    lo_message_free(spike);
  }
}

}  // namespace statenet
