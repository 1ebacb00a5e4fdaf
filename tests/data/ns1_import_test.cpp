// NS1: binning rules, smoothing, the acceptance numbers on the real recordings (when
// ../shared/data/ns1 is present), and clean failures on broken source files.

#include "data/ns1_import.h"

#include <gtest/gtest.h>
#include <matio.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "data/dataset_api.h"
#include "support/test_support.h"

namespace statenet {
namespace {

TEST(Ns1Import, binsA1msIndicatorIntoFiveMsBins) {
  // 2.5 → 2 (half to even), 7.5 → 8, 3.2 and 3.4 share ms 3 (counted once),
  // −0.4 → 0 kept, −0.6 → −1 dropped, 4994.4 → 4994 kept (last bin), 4994.5 → 4994, 4995 dropped.
  const auto b = ns1_bin_trial({2.5, 7.5, 3.2, 3.4, -0.4, -0.6, 4994.4, 4994.5, 4995.0});
  ASSERT_EQ(b.size(), 999u);
  EXPECT_EQ(b[0], 3.0f);  // ms 0, 2, 3
  EXPECT_EQ(b[1], 1.0f);  // ms 8
  EXPECT_EQ(b[998], 1.0f);
  float total = 0;
  for (float v : b) total += v;
  EXPECT_EQ(total, 5.0f);
}

TEST(Ns1Import, smoothingKernelIsTheRawHannOfDatasetsMd) {
  EXPECT_EQ(hann_smoothing_kernel(21, 5), (std::vector<float>{0.0f, 0.5f, 1.0f, 0.5f, 0.0f}));
  EXPECT_EQ(hann_smoothing_kernel(21, 1).size(), 21u);
  const auto y = smooth({0, 0, 1, 0, 0, 0}, {0.0f, 0.5f, 1.0f, 0.5f, 0.0f});
  EXPECT_EQ(y, (std::vector<float>{0, 0.5f, 1, 0.5f, 0, 0}));
}

TEST(Ns1Import, realRecordingsGiveThePapersDatasetShapeRatesAndReliability) {
  if (test::ns1_dir().empty()) GTEST_SKIP() << "SKIPPED: NS1 data not found at ../shared/data/ns1 (or $STATENET_NS1_DIR)";
  Ns1ImportOptions o;
  o.store_waveforms = false;
  const Dataset d = import_ns1(test::ns1_dir(), o);
  EXPECT_EQ(d.stimuli.size(), 20u);
  EXPECT_EQ(d.num_units(), 73);
  EXPECT_EQ(d.num_bands(), 34);
  EXPECT_EQ(d.dt_ms, 5.0);
  EXPECT_EQ(d.unit_ids.front(), "exp45_1x32/P10-SH.En.C.D/cluster.01");
  double spikes = 0, first_unit_stim0 = 0;
  for (const auto& s : d.stimuli) {
    EXPECT_EQ(s.num_frames, 999);
    EXPECT_EQ(s.num_trials, 20);
    for (float v : s.responses) {
      ASSERT_FALSE(std::isnan(v)) << "every valid unit has 20 trials of every natural sound";
      spikes += v;
    }
  }
  for (int i = 0; i < 20 * 999; ++i) first_unit_stim0 += d.stimuli[0].unit_trials(0)[i];
  EXPECT_EQ(spikes, 1755385.0) << "spikes kept in the trial tensor (docs/datasets.md)";
  EXPECT_EQ(first_unit_stim0, 1207.0);
  // Mean rates within 1–50 spikes/s; reliability median near 0.745.
  for (int u = 0; u < d.num_units(); ++u) {
    double sum = 0;
    for (const auto& s : d.stimuli)
      for (int i = 0; i < 20 * 999; ++i) sum += s.unit_trials(u)[i];
    const double rate = sum / (20.0 * 20 * 999) * 200.0;
    EXPECT_GT(rate, 1.0) << d.unit_ids[u];
    EXPECT_LT(rate, 50.0) << d.unit_ids[u];
  }
  auto cc = unit_cc_max(d, all_stimuli(d));
  std::sort(cc.begin(), cc.end());
  const double median = (cc[36]);
  EXPECT_NEAR(median, 0.745, 0.01);
  EXPECT_NEAR(cc.front(), 0.587, 0.01);
  EXPECT_NEAR(cc.back(), 0.913, 0.01);
}

std::string import_error(const std::string& dir) {
  try {
    import_ns1(dir);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Ns1Import, brokenSourcesFailWithTheFileAndTheField) {
  const std::string dir = test::temp_dir();
  EXPECT_NE(import_error(dir).find(dir + "/MetadataSHEnCneurons.mat: no such file"), std::string::npos) << import_error(dir);

  std::ofstream(dir + "/MetadataSHEnCneurons.mat") << "not a mat file at all";
  EXPECT_NE(import_error(dir).find("not a readable MATLAB file"), std::string::npos) << import_error(dir);

  // A real MAT file whose `neuron` is a number, not the unit table.
  std::filesystem::remove(dir + "/MetadataSHEnCneurons.mat");
  mat_t* mat = Mat_CreateVer((dir + "/MetadataSHEnCneurons.mat").c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(mat, nullptr);
  double value = 3.0;
  size_t dims[2] = {1, 1};
  matvar_t* v = Mat_VarCreate("neuron", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims, &value, 0);
  Mat_VarWrite(mat, v, MAT_COMPRESSION_NONE);
  Mat_VarFree(v);
  Mat_Close(mat);
  EXPECT_NE(import_error(dir).find("neuron: expected a struct array"), std::string::npos) << import_error(dir);

  if (test::ns1_dir().empty()) return;
  // A truncated copy of the real metadata.
  std::filesystem::remove(dir + "/MetadataSHEnCneurons.mat");
  std::filesystem::copy_file(test::ns1_dir() + "/MetadataSHEnCneurons.mat", dir + "/MetadataSHEnCneurons.mat");
  std::filesystem::resize_file(dir + "/MetadataSHEnCneurons.mat", 3000);
  const std::string e = import_error(dir);
  EXPECT_NE(e.find(dir + "/MetadataSHEnCneurons.mat"), std::string::npos) << e;
  EXPECT_EQ(e.find("(no error)"), std::string::npos);
}

}  // namespace
}  // namespace statenet
