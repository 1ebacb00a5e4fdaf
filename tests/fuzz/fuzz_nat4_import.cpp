// The NAT4 importer's readers (NEMS recordings): the population response and stimulus CSVs,
// their JSON descriptions, the epoch tables, the correlation table and a site's spike-time
// HDF5 file.

#include <filesystem>

#include "data/h5_file.h"
#include "data/nat4_import.h"
#include "importer_harness.h"
#include "support/original_files.h"

using namespace statenet;
using namespace statenet::test;

static fuzz::ImporterHarness harness;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness.src = fuzz::scratch_dir() + "/nat4";
  const std::string src = harness.src, rec = "A1_NAT4_ozgf.fs100.ch18", base = rec + "/" + rec;
  std::string resp, stim;  // 30 samples at 100 Hz: a validation sound 0–0.1 s, estimation sounds 0.1–0.2, 0.2–0.3 s
  for (int t = 0; t < 30; ++t) {
    resp += std::to_string(t % 7) + ".0," + std::to_string(t * 0.5) + ",nan\n";
    for (int f = 0; f < 18; ++f) stim += std::to_string(0.01 * (t + f)) + (f < 17 ? "," : "\n");
  }
  std::string chans = "[";
  for (int f = 0; f < 18; ++f) chans += std::string(f ? "," : "") + "\"" + std::to_string(f) + "\"";
  write_text(src + "/" + base + ".resp.csv", resp);
  write_text(src + "/" + base + ".resp.json", R"({"chans": ["SITE01a-01-1", "SITE01a-02-1", "SITE01a-03-2"], "fs": 100})");
  write_text(src + "/" + base + ".resp.epoch.csv", "name,start,end\nSTIM_00catA,0.0,0.1\nSTIM_catB,0.1,0.2\nSTIM_catC,0.2,0.3\nPreStimSilence,0.0,0.05\n");
  write_text(src + "/" + base + ".stim.csv", stim);
  write_text(src + "/" + base + ".stim.json", "{\"chans\": " + chans + "]}");
  write_text(src + "/A1_pred_correlation.csv", "cellid,r_test,sig_auditory\nSITE01a-01-1,0.3,True\nSITE01a-02-1,0.2,True\nSITE01a-03-2,0.0,False\n");
  std::filesystem::create_directories(src + "/SITE01a");
  {
    H5File f = H5File::create(src + "/SITE01a/SITE01a.resp.h5");
    const std::vector<double> u1 = {0.0005, 0.0015, 0.0125, 1.0105, 2.0999}, u2 = {1.05};
    f.write("/SITE01a-1-1", {u1.size()}, u1.data());
    f.write("/SITE01a-2-1", {u2.size()}, u2.data());
    f.close();
  }
  write_text(src + "/SITE01a/SITE01a.resp.epoch.csv", "name,start,end\nSTIM_00catA,0.0,0.1\nSTIM_00catA,1.0,1.1\nSTIM_00catA,2.0,2.1\n");
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
