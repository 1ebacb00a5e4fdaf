// The Wehr importer's readers (CRCNS ac-1, Wehr's layout): a cell's trial MAT file
// (response trace and triggers) and the stimulus fragment it names.

#include "data/crcns_ac1_import.h"
#include "importer_harness.h"
#include "support/original_files.h"

using namespace statenet;
using namespace statenet::test;

static fuzz::ImporterHarness harness;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness.src = fuzz::scratch_dir() + "/ac1";
  const std::string root = harness.src + "/wehr";
  const double fs = 97656.25;
  write_mat(root + "/Stimuli/fragments/1.mat",
            {mat_structs("stimulus", {{{"samples", mat_numbers(tone_samples(1000, 0.05, fs))},
                                       {"param", mat_structs(nullptr, {{{"sf", mat_numbers({fs})}, {"description", mat_text("fragment")}}})}}})});
  std::vector<double> trace(400);
  for (std::size_t i = 0; i < trace.size(); ++i) trace[i] = static_cast<double>(i % 17);
  auto trigger = [&](const std::string& type, double time) {
    return MatFields{{"type", mat_text(type)},
                     {"time", mat_numbers({time})},
                     {"param", mat_structs(nullptr, {{{"description", mat_text("fragment 1")}, {"duration", mat_numbers({50})}}})},
                     {"file", mat_text("C:\\stimuli\\fragments\\1.mat")}};
  };
  write_mat(root + "/Results/20030101-mw-001/20030101-mw-001-001.mat",
            {mat_structs("response", {{{"trace", mat_numbers(trace)}, {"scale", mat_numbers({0.1})}, {"sf", mat_numbers({4000})}}}),
             mat_structs("triggers", {trigger("tone", 1), trigger("naturalsound", 20)})});
  harness.files = {"wehr/Results/20030101-mw-001/20030101-mw-001-001.mat", "wehr/Stimuli/fragments/1.mat"};
  harness.import = [](const std::string& src) {
    WehrImportOptions o;
    o.all_cells = true;
    return import_wehr(src, o);
  };
  harness.ready("wehr");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  harness.run(data, size);
  return 0;
}
