// The dataset reader (HDF5, docs/dataset-format.md): read_dataset on any bytes, then what
// `statenet data info` does with it. Property: what read_dataset returns passes validation.

#include <stdexcept>
#include <string>

#include "data/dataset.h"
#include "data/dataset_summary.h"
#include "data/simulator.h"
#include "fuzz_support.h"

using namespace statenet;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  SimulationOptions o;  // a tiny simulated dataset: 2 stimuli × 0.1 s, 4 units, waveforms and truth
  o.num_stimuli = 2;
  o.stimulus_s = 0.1;
  o.trials = 2;
  o.units_per_kind = 1;
  o.strf_lags = 4;
  o.store_waveforms = true;
  const std::string seed = fuzz::scratch_dir() + "/seed.h5";
  write_dataset(seed, simulate_dataset(o));
  fuzz::offer_seed("simulated.h5", fuzz::read_bytes(seed));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_dir() + "/input.h5";
  fuzz::write_bytes(path, data, size);
  Dataset d;
  try {
    d = read_dataset(path);
  } catch (const std::exception&) {
    return 0;
  }
  try {
    validate_dataset(d, path);
  } catch (const std::exception&) {
    FUZZ_CHECK(!"read_dataset returned a dataset that does not validate");
  }
  try {
    // The protocol attributes (fitting, test_stimuli, …) are read here, not by read_dataset: a
    // bad one is refused with its one-line reason (`data info` prints it and exits 1).
    describe_dataset(path, d, summarise_dataset(d));
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string(e.what()).find('\n') == std::string::npos);
  }
  return 0;
}
