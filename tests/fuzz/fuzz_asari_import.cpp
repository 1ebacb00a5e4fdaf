// The Asari importer's readers (CRCNS ac-1, Asari's layout): a cell's MAT file (parameters,
// response trace, triggers with sequence descriptions) and the stimulus segments it names.

#include "data/crcns_ac1_import.h"
#include "importer_harness.h"
#include "support/original_files.h"

using namespace statenet;
using namespace statenet::test;

static fuzz::ImporterHarness harness;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness.src = fuzz::scratch_dir() + "/ac1";
  const std::string src = harness.src;
  const double fs = 97656.25;
  write_mat(src + "/asari/Stimuli/class6/3.mat",
            {mat_structs("stimulus", {{{"samples", mat_numbers(tone_samples(1000, 0.1, fs))}}}),
             mat_structs("param", {{{"sf", mat_numbers({fs})}}})});
  write_mat(src + "/asari/Stimuli/class6/4.mat",
            {mat_structs("stimulus", {{{"sample", mat_numbers(tone_samples(5000, 0.1, fs))}}}),
             mat_structs("param", {{{"sf", mat_numbers({fs})}}})});
  std::vector<double> trace(300);  // 0.3 s at 1 kHz
  for (std::size_t i = 0; i < trace.size(); ++i) trace[i] = -60 + 0.01 * i;
  write_mat(src + "/asari-results-1/20050101-ha1-001/a.mat",
            {mat_structs("param", {{{"stimulus", mat_structs(nullptr, {{{"file", mat_text("class6/3.mat")}}, {{"file", mat_text("class6\\4.mat")}}})},
                                    {"recording", mat_structs(nullptr, {{{"site", mat_text("auditory cortex")}, {"type", mat_text("whole-cell")}}})}}}),
             mat_structs("response", {{{"trace", mat_numbers(trace)}, {"scale", mat_numbers({1})}, {"sf", mat_numbers({1000})}}}),
             mat_structs("triggers", {{{"type", mat_text("naturalsound")},
                                       {"time", mat_numbers({1})},
                                       {"param", mat_structs(nullptr, {{{"description", mat_text("Sequence 1: 2 1")}, {"duration", mat_numbers({200})}}})}}})});
  harness.files = {"asari-results-1/20050101-ha1-001/a.mat", "asari/Stimuli/class6/3.mat"};
  harness.import = [](const std::string& src) { return import_asari(src); };
  harness.ready("asari");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  harness.run(data, size);
  return 0;
}
