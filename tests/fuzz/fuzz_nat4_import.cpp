// The NAT4 importer's readers (NEMS recordings): the population response and stimulus CSVs,
// their JSON descriptions, the epoch tables, the correlation table and a site's spike-time
// HDF5 file.

#include "data/nat4_import.h"
#include "importer_harness.h"
#include "support/nat4_layout.h"

using namespace statenet;
using namespace statenet::test;

static fuzz::ImporterHarness harness;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness.src = fuzz::scratch_dir() + "/nat4";
  const std::string src = harness.src, rec = "A1_NAT4_ozgf.fs100.ch18", base = rec + "/" + rec;
  write_nat4_layout(src, 10, 2);  // a validation sound 0–0.1 s, estimation sounds 0.1–0.2, 0.2–0.3 s
  harness.files = {base + ".resp.csv", base + ".resp.json", base + ".resp.epoch.csv", base + ".stim.csv",
                   base + ".stim.json", "A1_pred_correlation.csv", "SITE01a/SITE01a.resp.epoch.csv", "SITE01a/SITE01a.resp.h5"};
  harness.import = [](const std::string& src) { return import_nat4(src); };
  harness.ready("nat4");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  harness.run(data, size);
  return 0;
}
