// The list-valued command-line options: --stimuli / --test-stimuli / --units
// (parse_index_list), --pulse-units (parse_unit_channel_map) and --pulse-delay-ms
// (parse_pulse_delay_ms). The first byte picks the parser; the rest is the text.
// Properties: a channel map only names channels and units in range; a delay is finite and ≥ 0.

#include <cmath>

#include "fuzz_support.h"
#include "stream/pulse_train.h"
#include "util/index_list.h"

using namespace statenet;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::offer_seed("index_list", std::string("\x00", 1) + "3,6,9,19");
  fuzz::offer_seed("channel_map", std::string("\x01", 1) + "0:1,5:1,7:2");
  fuzz::offer_seed("channel_map_all", std::string("\x01", 1) + "all:1");
  fuzz::offer_seed("delay", std::string("\x02", 1) + "12.5");
  fuzz::offer_seed("delay_auto", std::string("\x02", 1) + "auto");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 3) {
      case 0:
        parse_index_list(text, "--stimuli");
        break;
      case 1: {
        constexpr int kUnits = 73, kChannels = 4;
        const std::vector<int> map = parse_unit_channel_map(text, kUnits, kChannels);
        FUZZ_CHECK(map.size() == static_cast<std::size_t>(kUnits));
        for (int c : map) FUZZ_CHECK(c >= -1 && c < kChannels);
        break;
      }
      case 2: {
        const double ms = parse_pulse_delay_ms(text, 7.0);
        FUZZ_CHECK(std::isfinite(ms) && ms >= 0);
        break;
      }
    }
  } catch (const std::exception&) {
  }
  return 0;
}
