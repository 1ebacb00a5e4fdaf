#include "support/nat4_layout.h"

#include <filesystem>
#include <vector>

#include "data/h5_file.h"
#include "support/original_files.h"

namespace statenet::test {

void write_nat4_layout(const std::string& src, int sound_bins, int estimation_sounds) {
  const std::string rec = "A1_NAT4_ozgf.fs100.ch18", base = src + "/" + rec + "/" + rec;
  const int bins = sound_bins * (1 + estimation_sounds);
  const double sound_s = sound_bins / 100.0;
  std::string resp, stim;
  for (int t = 0; t < bins; ++t) {
    resp += std::to_string(t % 7) + ".0," + std::to_string(t * 0.5) + ",nan\n";
    for (int f = 0; f < 18; ++f) stim += std::to_string(0.01 * ((t * 7 + f * 3) % 23)) + (f < 17 ? "," : "\n");
  }
  const auto epoch = [&](const std::string& name, int k) {
    return name + "," + std::to_string(k * sound_s) + "," + std::to_string((k + 1) * sound_s) + "\n";
  };
  std::string epochs = "name,start,end\n" + epoch("STIM_00catA", 0);
  for (int k = 1; k <= estimation_sounds; ++k) epochs += epoch("STIM_cat" + std::to_string(k), k);
  epochs += "PreStimSilence,0.0,0.05\n";
  std::string chans = "[";
  for (int f = 0; f < 18; ++f) chans += std::string(f ? "," : "") + "\"" + std::to_string(f) + "\"";
  write_text(base + ".resp.csv", resp);
  write_text(base + ".resp.json", R"({"chans": ["SITE01a-01-1", "SITE01a-02-1", "SITE01a-03-2"], "fs": 100})");
  write_text(base + ".resp.epoch.csv", epochs);
  write_text(base + ".stim.csv", stim);
  write_text(base + ".stim.json", "{\"chans\": " + chans + "]}");
  write_text(src + "/A1_pred_correlation.csv", "cellid,r_test,sig_auditory\nSITE01a-01-1,0.3,True\nSITE01a-02-1,0.2,True\nSITE01a-03-2,0.0,False\n");
  std::filesystem::create_directories(src + "/SITE01a");
  H5File f = H5File::create(src + "/SITE01a/SITE01a.resp.h5");
  const std::vector<double> u1 = {0.0005, 0.0015, 0.0125, 1.0105, 2.0 + sound_s - 0.0001}, u2 = {1.05};
  f.write("/SITE01a-1-1", {u1.size()}, u1.data());
  f.write("/SITE01a-2-1", {u2.size()}, u2.data());
  f.close();
  const auto repeat = [&](int r) {
    return "STIM_00catA," + std::to_string(r * 1.0) + "," + std::to_string(r + sound_s) + "\n";
  };
  write_text(src + "/SITE01a/SITE01a.resp.epoch.csv", "name,start,end\n" + repeat(0) + repeat(1) + repeat(2));
}

}  // namespace statenet::test
