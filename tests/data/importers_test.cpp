// AA1, Wehr, Asari and NAT4 importers, end to end on small files written here in each
// dataset's original layout (the real files are not available to the project).

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

#include "audio/test_signals.h"
#include "data/aa1_import.h"
#include "data/crcns_ac1_import.h"
#include "data/dataset_api.h"
#include "data/h5_file.h"
#include "data/import_common.h"
#include "data/nat4_import.h"
#include "support/nat4_layout.h"
#include "support/original_files.h"
#include "support/test_support.h"

namespace statenet {
namespace {
namespace fs = std::filesystem;
using test::mat_numbers;
using test::mat_structs;
using test::mat_text;
using test::tone_samples;
using test::write_mat;
using test::write_pcm16;
using test::write_text;
using Fields = test::MatFields;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// ---------------------------------------------------------------------------- AA1

TEST(Aa1Import, readsTheCrcnsTextLayout) {
  const std::string src = test::temp_dir();
  write_pcm16(src + "/all_stims/conspecific/A.wav", make_tone(2000, 0.3, 0.5, 32000));
  write_pcm16(src + "/all_stims/conspecific/B.wav", make_chirp(500, 8000, 0.3, 0.4, 32000));
  const std::string c1 = src + "/MLd_cells/bird1_1/conspecific/", c2 = src + "/MLd_cells/bird2_1/conspecific/";
  write_text(c1 + "stim1", "A.wav\n");
  write_text(c1 + "spike1", "10.5 20 -5 \n300 \n\n");  // 3 trials, one without spikes
  write_text(c1 + "stim2", "B.wav\n");
  write_text(c1 + "spike2", "1 2 3 \n");
  write_text(c2 + "stim1", "B.wav\n");
  write_text(c2 + "spike1", "7 \n8 \n9 \n10 \n");
  write_text(c2 + "stim2", "A.wav\n");  // no spike2: not heard
  write_text(src + "/MLd_cells/bird3_1/flatrip/stim1", "A.wav\n");  // no conspecific responses
  Aa1ImportOptions o;
  o.smooth_ms = 0;
  const Dataset d = import_aa1(src, o);
  EXPECT_EQ(d.unit_ids, (std::vector<std::string>{"MLd/bird1_1", "MLd/bird2_1"}));
  ASSERT_EQ(d.stimuli.size(), 2u);
  EXPECT_EQ(d.stimuli[0].name, "A.wav");
  EXPECT_EQ(d.num_bands(), 32);
  EXPECT_EQ(d.stimuli[0].num_frames, 100);  // 0.5 s at 5 ms
  EXPECT_EQ(d.stimuli[0].num_trials, 3);
  EXPECT_EQ(d.stimuli[1].num_trials, 4);
  EXPECT_EQ(d.stimuli[0].response(0, 0, 2), 1.0f);   // 10.5 ms → bin 2
  EXPECT_EQ(d.stimuli[0].response(0, 0, 4), 1.0f);   // 20 ms → bin 4
  EXPECT_EQ(d.stimuli[0].response(0, 1, 60), 1.0f);  // 300 ms → bin 60
  float total = 0;
  for (int m = 0; m < 3; ++m)
    for (int t = 0; t < 100; ++t) total += d.stimuli[0].response(0, m, t);
  EXPECT_EQ(total, 3.0f) << "the negative time is dropped";
  EXPECT_FALSE(d.stimuli[0].heard_by(1));
  EXPECT_TRUE(std::isnan(d.stimuli[1].response(0, 3, 0))) << "unit 0 has 1 trial of B, unit 1 has 4";
  EXPECT_FALSE(is_population(d));
  // Fitted as a population all the same (the paper's protocol): unit 1 is masked on song A.
  const DatasetProtocol p = dataset_protocol(d);
  EXPECT_EQ(p.kind, "aa1");
  EXPECT_EQ(p.area, "MLd");
  EXPECT_TRUE(p.population);
  EXPECT_TRUE(p.test_stimuli.empty());
  EXPECT_EQ(d.stimuli[0].waveform_rate_hz, 32000.0);

  // Default smoothing: the paper's 21-ms Hann (5 taps at 5 ms) spreads each spike.
  const Dataset smoothed = import_aa1(src);
  EXPECT_EQ(smoothed.stimuli[0].response(0, 0, 1), 0.5f);
  EXPECT_EQ(smoothed.stimuli[0].response(0, 0, 2), 1.0f);

  write_text(c1 + "spike2", "1 2 x3 \n");
  EXPECT_NE(error_of([&] { import_aa1(src, o); }).find(c1 + "spike2: line 1: 'x3' is not a spike time"), std::string::npos);
  write_text(c1 + "spike2", "1 2 3 \n");
  write_text(c1 + "stim2", "missing.wav\n");
  EXPECT_NE(error_of([&] { import_aa1(src, o); }).find("missing.wav: no such file"), std::string::npos);
  EXPECT_NE(error_of([&] { import_aa1(src + "/nowhere", o); }).find("no such directory"), std::string::npos);
}

TEST(ImportCommon, spikeTimesBeyondAnyBinAreDroppedNotConverted) {
  // Found by fuzzing the AA1 importer: a spike time of 3·10²² ms was converted to an integer bin
  // (undefined behaviour).
  const std::vector<float> bins = bin_spike_counts({1e300, 3.3e22, std::nan(""), 12.0, -1.0}, 5.0, 10);
  EXPECT_EQ(bins[2], 1.0f);
  EXPECT_EQ(std::accumulate(bins.begin(), bins.end(), 0.0f), 1.0f);
  EXPECT_FALSE(floor_index(1e300).has_value());
  EXPECT_FALSE(floor_index(std::nan("")).has_value());
  EXPECT_EQ(floor_index(-3.5), -4);
}

// --------------------------------------------------------------------------- Wehr

void write_wehr_trial(const std::string& path, const std::string& description, const std::string& stim_file,
                      double offset_mv) {
  std::vector<double> trace(2000);
  for (std::size_t i = 0; i < trace.size(); ++i) trace[i] = (offset_mv + 5 * std::sin(i * 0.01)) / 0.1;
  matvar_t* response = mat_structs("response", {{{"trace", mat_numbers(trace)}, {"scale", mat_numbers({0.1})}, {"sf", mat_numbers({4000})}}});
  auto trigger = [&](const std::string& type, double time) {
    return Fields{{"type", mat_text(type)},
                  {"time", mat_numbers({time})},
                  {"param", mat_structs(nullptr, {{{"description", mat_text(description)}, {"duration", mat_numbers({100})}}})},
                  {"file", mat_text(stim_file)}};
  };
  write_mat(path, {response, mat_structs("triggers", {trigger("tone", 1), trigger("nauralsound", 101)})});
}

TEST(WehrImport, readsTrialFilesGroupsRepeatsAndNormalisesPerCell) {
  const std::string src = test::temp_dir(), root = src + "/wehr";
  const double fs = 97656.25;
  for (const char* idx : {"1", "2"}) {
    write_mat(root + "/Stimuli/fragments/" + std::string(idx) + ".mat",
              {mat_structs("stimulus", {{{"samples", mat_numbers(tone_samples(idx[0] == '1' ? 1000 : 3000, 0.1, fs))},
                                         {"param", mat_structs(nullptr, {{{"sf", mat_numbers({fs})}, {"description", mat_text("fragment")}}})}}})});
  }
  const std::string cell0 = root + "/Results/20030101-mw-001/", cell1 = root + "/Results/20030102-mw-002/";
  write_wehr_trial(cell0 + "20030101-mw-001-001.mat", "fragment 1", "C:\\stimuli\\fragments\\1.mat", 0);
  write_wehr_trial(cell0 + "20030101-mw-001-002.mat", "fragment 1", "C:\\stimuli\\fragments\\1.mat", 3);
  write_wehr_trial(cell1 + "20030102-mw-002-001.mat", "fragment 2", "D:/x/fragments/2.mat", 0);
  WehrImportOptions o;
  o.all_cells = true;
  const Dataset d = import_wehr(src, o);
  EXPECT_EQ(d.unit_ids, (std::vector<std::string>{"wehr/20030101-mw-001", "wehr/20030102-mw-002"}));
  EXPECT_EQ(dataset_protocol(d).kind, "wehr");
  EXPECT_FALSE(dataset_protocol(d).population) << "one model per cell";
  ASSERT_EQ(d.stimuli.size(), 2u);
  EXPECT_EQ(d.stimuli[0].name, "fragment 1");
  EXPECT_EQ(d.num_bands(), 49);
  EXPECT_EQ(d.stimuli[0].num_frames, 19);  // 100 ms: the 20th frame would end past the last sample
  EXPECT_EQ(d.stimuli[0].num_trials, 2);
  EXPECT_FALSE(d.stimuli[0].heard_by(1));
  EXPECT_FALSE(d.stimuli[1].heard_by(0));
  EXPECT_FALSE(is_population(d));
  // Min–max per cell: the trial offset by +3 mV holds the maximum.
  float lo = 1, hi = 0;
  for (int m = 0; m < 2; ++m)
    for (int t = 0; t < 19; ++t) lo = std::min(lo, d.stimuli[0].response(0, m, t)), hi = std::max(hi, d.stimuli[0].response(0, m, t));
  EXPECT_FLOAT_EQ(lo, 0.0f);
  EXPECT_FLOAT_EQ(hi, 1.0f);
  EXPECT_GT(d.stimuli[0].response(0, 1, 10), d.stimuli[0].response(0, 0, 10));
  // The paper's cell selection drops cell index 1 (of 0–24) by default.
  EXPECT_EQ(import_wehr(src).num_units(), 1);
  // A trigger past the end of the trace is an error naming the file and trigger.
  write_wehr_trial(cell1 + "20030102-mw-002-002.mat", "fragment 2", "fragments/2.mat", 0);
  {
    std::vector<double> trace(100, 0.0);
    write_mat(cell1 + "20030102-mw-002-003.mat",
              {mat_structs("response", {{{"trace", mat_numbers(trace)}, {"scale", mat_numbers({1})}, {"sf", mat_numbers({4000})}}}),
               mat_structs("triggers", {{{"type", mat_text("naturalsound")},
                                         {"time", mat_numbers({50})},
                                         {"param", mat_structs(nullptr, {{{"description", mat_text("fragment 2")}, {"duration", mat_numbers({100})}}})},
                                         {"file", mat_text("fragments/2.mat")}}})});
  }
  const std::string e = error_of([&] { import_wehr(src, o); });
  EXPECT_NE(e.find("20030102-mw-002-003.mat: triggers(1): the response window"), std::string::npos) << e;
}

// -------------------------------------------------------------------------- Asari

// The authors' per-cell split table and cell-12 fix, on 13 sessions (indices 1, 2, 4 and 8
// dropped): cell 7 has the table's 3 clips (1/1/1), cell 12 has 12 clips of which clip 11 is
// dropped and clip 10 keeps its first half; the other cells do not match the table ("-").
TEST(WehrImport, appliesThePapersCell12FixAndPerCellSplitTable) {
  const std::string src = test::temp_dir(), root = src + "/wehr";
  const double fs = 97656.25;
  for (int k = 0; k < 12; ++k)
    write_mat(root + "/Stimuli/fragments/" + std::to_string(k) + ".mat",
              {mat_structs("stimulus", {{{"samples", mat_numbers(tone_samples(500.0 * (k + 1), 0.1, fs))},
                                         {"param", mat_structs(nullptr, {{{"sf", mat_numbers({fs})}, {"description", mat_text("fragment")}}})}}})});
  for (int c = 0; c < 13; ++c) {
    char session[32];
    std::snprintf(session, sizeof session, "20030101-mw-%03d", c);
    const int clips = c == 12 ? 12 : c == 7 ? 3 : 1;
    for (int k = 0; k < clips; ++k) {
      char trial[64];
      std::snprintf(trial, sizeof trial, "/%s-%03d.mat", session, k);
      // Clip k of every cell is fragment k; the order the importer meets them is the files' order.
      write_wehr_trial(root + "/Results/" + session + trial, "fragment " + std::to_string(100 + k),
                       "C:\\stimuli\\fragments\\" + std::to_string(k) + ".mat", k);
    }
  }
  const Dataset d = import_wehr(src);
  ASSERT_EQ(d.num_units(), 9);  // 13 sessions less 1, 2, 4 and 8
  EXPECT_EQ(d.unit_ids[8], "wehr/20030101-mw-012");
  ASSERT_EQ(d.stimuli.size(), 12u);
  const Stimulus& cut = d.stimuli[10];
  EXPECT_EQ(cut.name, "fragment 110");
  for (std::int64_t t = 0; t < cut.num_frames; ++t)
    EXPECT_EQ(std::isnan(cut.response(8, 0, t)), t >= cut.num_frames / 2) << "bin " << t << " of " << cut.num_frames;
  EXPECT_FALSE(d.stimuli[11].heard_by(8)) << "clip 11 of cell 12 is dropped";
  EXPECT_TRUE(d.stimuli[9].heard_by(8));
  EXPECT_EQ(d.attributes.at("paper_fixes"), "cell 12: clip 'fragment 111' dropped, clip 'fragment 110' cut to its first half");
  EXPECT_EQ(d.attributes.at("unit_splits"), "- - - - 1/1/1 - - - -");  // units: sessions 0 3 5 6 7 9 10 11 12
  EXPECT_NE(d.attributes.at("unit_splits_unmatched").find("wehr/20030101-mw-012 has 11 clips, the table 10"), std::string::npos)
      << d.attributes.at("unit_splits_unmatched");
  const DatasetProtocol p = dataset_protocol(d);
  ASSERT_EQ(p.unit_splits.size(), 9u);
  EXPECT_EQ(p.unit_splits[4], (std::array<int, 3>{1, 1, 1}));
  EXPECT_EQ(p.unit_splits[0], (std::array<int, 3>{0, 0, 0}));
  WehrImportOptions raw;
  raw.paper_fixes = false;
  const Dataset unfixed = import_wehr(src, raw);
  EXPECT_TRUE(unfixed.stimuli[11].heard_by(8));
  EXPECT_EQ(unfixed.attributes.count("unit_splits"), 0u);
}

TEST(AsariImport, buildsSequencesFromSegmentsAndRemovesDrift) {
  const std::string src = test::temp_dir();
  const double fs = 97656.25;
  write_mat(src + "/asari/Stimuli/class6/3.mat",
            {mat_structs("stimulus", {{{"samples", mat_numbers(tone_samples(1000, 1.0, fs))}}}),
             mat_structs("param", {{{"sf", mat_numbers({fs})}}})});
  write_mat(src + "/asari/Stimuli/class6/4.mat",
            {mat_structs("stimulus", {{{"sample", mat_numbers(tone_samples(5000, 1.0, fs))}}}),
             mat_structs("param", {{{"sf", mat_numbers({fs})}}})});
  std::vector<double> trace(20000);  // 2 s at 10 kHz
  for (std::size_t i = 0; i < trace.size(); ++i) trace[i] = -60 + 0.0005 * i;  // a slow drift (5 mV/s) only
  auto cell_file = [&](const std::string& site) {
    return std::vector<matvar_t*>{
        mat_structs("param", {{{"stimulus", mat_structs(nullptr, {{{"file", mat_text("class6/3.mat")}}, {{"file", mat_text("class6\\4.mat")}}})},
                               {"recording", mat_structs(nullptr, {{{"site", mat_text(site)}, {"type", mat_text("whole-cell")}}})}}}),
        mat_structs("response", {{{"trace", mat_numbers(trace)}, {"scale", mat_numbers({1})}, {"sf", mat_numbers({10000})}}}),
        mat_structs("triggers", {{{"type", mat_text("naturalsound")},
                                  {"time", mat_numbers({1})},
                                  {"param", mat_structs(nullptr, {{{"description", mat_text("Sequence 1: 2 1")}, {"duration", mat_numbers({2000})}}})}}})};
  };
  write_mat(src + "/asari-results-1/20050101-ha1-001/a.mat", cell_file("auditory cortex"));
  write_mat(src + "/asari-results-2/20050102-ha2-001/a.mat", cell_file("MGB"));
  const Dataset a1 = import_asari(src);
  EXPECT_EQ(a1.unit_ids, (std::vector<std::string>{"asari/20050101-ha1-001"}));
  EXPECT_EQ(dataset_protocol(a1).area, "A1");
  EXPECT_FALSE(dataset_protocol(a1).population) << "one model per cell";
  ASSERT_EQ(a1.stimuli.size(), 1u);
  EXPECT_EQ(a1.stimuli[0].name, "class6/4.mat + class6/3.mat");
  EXPECT_EQ(a1.num_bands(), 54);
  EXPECT_EQ(a1.stimuli[0].num_frames, 400);  // 2 × 97 656 samples; frame 399 ends at round(400·488.28125) = 195 312
  EXPECT_EQ(a1.stimuli[0].waveform.size(), 2 * static_cast<std::size_t>(1.0 * fs));
  // MedGauss removes a linear drift (10 mV over the clip) away from the 250-ms edges.
  for (int t = 60; t < 340; ++t) ASSERT_NEAR(a1.stimuli[0].response(0, 0, t), 0.0, 0.01) << t;
  AsariImportOptions mgb;
  mgb.area = "MGB";
  EXPECT_EQ(import_asari(src, mgb).unit_ids, (std::vector<std::string>{"asari/20050102-ha2-001"}));
  EXPECT_NE(error_of([&] { import_asari(src + "/x"); }).find("no asari-results-1/ or asari-results-2/ folder"), std::string::npos);
}

// The cell-attached branch: 1-ms spikes of 20 mV on a slow drift and small noise are found
// where they are and nowhere else, each spread by the 21-sample Hann window around it.
TEST(AsariImport, spikeBranchFindsSpikesAndSmoothsThemWithAHannWindow) {
  std::vector<double> trace(5000);
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0.0, 0.2);
  for (std::size_t i = 0; i < trace.size(); ++i) trace[i] = -60 + 0.002 * i + noise(rng);
  const std::vector<int> at = {800, 2100, 4000};
  for (int i : at) trace[i] += 20, trace[i + 1] += 12;  // a spike over two samples at 10 kHz
  const std::vector<double> psth = spikes_from_trace(trace);
  ASSERT_EQ(psth.size(), trace.size());
  double total = 0;
  for (double v : psth) total += v;
  // Each detected sample adds the window's sum, 10 (0.5·21 − 0.5·Σcos = 10.5 − 0.5); two per spike.
  EXPECT_NEAR(total, at.size() * 2 * 10.0, 1e-9) << "six samples above threshold, no more";
  for (int i : at) {
    EXPECT_NEAR(psth[i], 1.0 + 0.5 - 0.5 * std::cos(2 * M_PI * 9 / 20), 1e-9) << "centre of its own window plus its neighbour's";
    EXPECT_EQ(psth[i - 11], 0.0);
    EXPECT_EQ(psth[i + 12], 0.0);
  }
}

TEST(AsariImport, medGaussPiecesBehave) {
  EXPECT_EQ(running_median({1, 9, 2, 8, 3}, 3), (std::vector<double>{5, 2, 8, 3, 5.5}));
  const auto g = gaussian_filter(std::vector<double>(50, 2.0), 3.0);
  for (double v : g) EXPECT_NEAR(v, 2.0, 1e-12);
  EXPECT_EQ(average_pool({1, 3, 5, 7, 9}, 2), (std::vector<double>{2, 6}));
}

// --------------------------------------------------------------------------- NAT4

TEST(Nat4Import, readsNemsRecordingsAndPerSiteSpikes) {
  const std::string src = test::temp_dir();
  // 60 samples at 100 Hz: validation sound 0–0.2 s, estimation sounds 0.2–0.4, 0.4–0.6 s.
  test::write_nat4_layout(src, 20, 2);
  const std::string rec = "A1_NAT4_ozgf.fs100.ch18", base = src + "/" + rec + "/" + rec;
  const Dataset d = import_nat4(src);
  EXPECT_EQ(d.unit_ids, (std::vector<std::string>{"SITE01a-01-1", "SITE01a-02-1"}));
  EXPECT_EQ(d.dt_ms, 10.0);
  EXPECT_EQ(d.num_bands(), 18);
  ASSERT_EQ(d.stimuli.size(), 3u);
  EXPECT_EQ(d.stimuli[0].name, "STIM_00catA");
  EXPECT_EQ(d.stimuli[0].num_trials, 3);
  EXPECT_EQ(d.stimuli[1].num_trials, 1);
  EXPECT_EQ(d.stimuli[0].num_frames, 20);
  // Unit 0's population response is t % 7 (min 0, max 6): validation counts are scaled by 1/6.
  EXPECT_FLOAT_EQ(d.stimuli[0].response(0, 0, 0), 2.0f / 6);  // spikes at 0.5 and 1.5 ms → bin 0
  EXPECT_FLOAT_EQ(d.stimuli[0].response(0, 0, 1), 1.0f / 6);  // 12.5 ms
  EXPECT_FLOAT_EQ(d.stimuli[0].response(0, 1, 1), 1.0f / 6);  // 1.0105 s in the repeat at 1 s
  EXPECT_FLOAT_EQ(d.stimuli[0].response(0, 2, 19), 1.0f / 6); // 2.1999 s
  // Estimation: the normalised population signal, one trial.
  EXPECT_FLOAT_EQ(d.stimuli[1].response(0, 0, 0), (20 % 7) / 6.0f);
  EXPECT_FLOAT_EQ(d.stimuli[1].response(1, 0, 0), 10.0f / 29.5f);  // (t·0.5 − 0) / 29.5 at t = 20
  for (float v : d.stimuli[2].cochleagram) {
    EXPECT_GE(v, 0.0f);
    EXPECT_LE(v, 1.0f);
  }
  EXPECT_EQ(normalise_nat4_unit_id("ARM029a-01-1"), "ARM029a-1-1");
  // The paper's protocol, as the file says: a population, tested on the validation sound,
  // 80 / 20 of the estimation sounds for training / validation, batch 16.
  const DatasetProtocol p = dataset_protocol(d);
  EXPECT_EQ(p.kind, "nat4");
  EXPECT_EQ(p.area, "A1");
  EXPECT_TRUE(p.population);
  EXPECT_EQ(p.fitting_from, "the dataset");
  EXPECT_EQ(p.test_stimuli, std::vector<int>{0});
  EXPECT_EQ(p.validation_share, 0.2);
  EXPECT_EQ(p.batch_size, 16);
  // A malformed row names the file and the row.
  write_text(base + ".resp.csv", "1.0,2.0\n");
  EXPECT_NE(error_of([&] { import_nat4(src); }).find(".resp.csv: row 1 has 2 columns, expected 3"), std::string::npos);
  EXPECT_NE(error_of([&] { import_nat4(test::temp_dir()); }).find("no A1_NAT4_* recording folder"), std::string::npos);
}

}  // namespace
}  // namespace statenet
