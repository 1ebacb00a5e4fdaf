// results.json (read by `statenet results` and `--resume`): read_results_file on any bytes.
// Property: an accepted file writes back as JSON that reads again.

#include "fuzz_support.h"
#include "results/results_file.h"

using namespace statenet;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  TrainReport r;
  r.model = default_model_config(Architecture::kStateNet, 34, 2);
  r.parameters = 12345;
  r.tbptt_k = 20;
  for (int seed = 0; seed < 2; ++seed) {
    SeedResult s;
    s.seed = seed;
    s.unit = -1;
    s.epochs_run = 3;
    s.train_loss = s.validation_loss = {1.0, 0.8, 0.7};
    s.mean_cc_raw = 0.5 + 0.1 * seed;
    s.mean_cc_norm = 0.7;
    s.test_units.resize(2);
    r.runs.push_back(s);
  }
  fuzz::offer_seed("results.json", results_to_json(r));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_dir() + "/results.json";
  fuzz::write_bytes(path, data, size);
  TrainReport r;
  try {
    r = read_results_file(path);
  } catch (const std::exception&) {
    return 0;
  }
  fuzz::write_bytes(path, results_to_json(r));
  try {
    read_results_file(path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    FUZZ_CHECK(!"an accepted results.json must read back after writing");
  }
  return 0;
}
