// The statenet command as a user runs it: outputs, one-line errors, exit codes, and
// files already written never corrupted.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>
#include <chrono>
#include <csignal>
#include <cstring>
#include <random>
#include <sstream>
#include <thread>

#include "audio/audio_file.h"
#include "audio/test_signals.h"
#include "model_format/safetensors.h"
#include "support/nat4_layout.h"
#include "support/original_files.h"
#include "support/test_support.h"

namespace statenet {
namespace {

using test::Result;
Result run(const std::string& args) { return test::run_command(std::string(STATENET_BINARY) + " " + args); }

std::string read_bytes(const std::string& path, std::size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::string s(n, '\0');
  f.read(s.data(), static_cast<std::streamsize>(n));
  return s.substr(0, static_cast<std::size_t>(f.gcount()));
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    wav = dir + "/call.wav";
    write_wav_float(wav, make_demo_sound(48000.0));
  }
  std::string dir = test::temp_dir();
  std::string wav;
};

TEST_F(Cli, cochleagramWritesAPicture) {
  const Result r = run("cochleagram " + wav + " --preset ns1 -o " + dir + "/c.png");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_bytes(dir + "/c.png", 8), "\x89PNG\r\n\x1a\n");
  EXPECT_NE(r.output.find("34 bands"), std::string::npos) << r.output;
}

TEST_F(Cli, cochleagramWritesAnHdf5ArrayWithItsDescription) {
  const Result r = run("cochleagram " + wav + " -p gammatone64 -o " + dir + "/c.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const hid_t f = H5Fopen((dir + "/c.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t ds = H5Dopen2(f, "cochleagram", H5P_DEFAULT);
  const hid_t space = H5Dget_space(ds);
  hsize_t dims[2] = {};
  ASSERT_EQ(H5Sget_simple_extent_ndims(space), 2);
  H5Sget_simple_extent_dims(space, dims, nullptr);
  EXPECT_EQ(dims[0], 64u);
  EXPECT_EQ(dims[1], 600u);  // 3 s at 5 ms
  EXPECT_GT(H5Aexists(f, "front_end"), 0);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
}

TEST_F(Cli, badInputsPrintOneLineAndExitNonZero) {
  const std::string missing = dir + "/nothing.wav";
  Result r = run("cochleagram " + missing + " -o " + dir + "/x.png");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "statenet: error: " + missing + ": no such file\n");

  r = run("cochleagram " + wav + " --preset ns9 -o " + dir + "/x.png");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unknown cochleagram preset 'ns9' (known: ns1, ns1-mel"), std::string::npos) << r.output;

  // A 16 kHz file cannot feed the ns1 preset's 22.6 kHz top band.
  const std::string low = dir + "/low.wav";
  write_wav_float(low, make_tone(440, 0.1, 0.5, 16000.0));
  r = run("cochleagram " + low + " -o " + dir + "/x.png");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("is too low"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST_F(Cli, aFailedRunNeverCorruptsAFileAlreadyWritten) {
  const std::string png = dir + "/keep.png";
  ASSERT_EQ(run("cochleagram " + wav + " -o " + png).exit_code, 0);
  const std::string before = read_bytes(png, 1 << 24);
  const std::string text = dir + "/text.wav";
  std::ofstream(text) << "not audio";
  EXPECT_EQ(run("cochleagram " + text + " -o " + png).exit_code, 1);
  EXPECT_EQ(run("cochleagram " + wav + " -o " + dir + "/no/such/dir/x.png").exit_code, 1);
  EXPECT_EQ(read_bytes(png, 1 << 24), before);
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << "left behind: " << e.path();
}

TEST_F(Cli, demoRunsOnTheBuiltInSound) {
  const Result r = run("demo -o " + dir + "/demo");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir + "/demo/demo_sound.wav"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/demo/cochleagram_ns1.png"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/demo/cochleagram_gammatone64.png"));
#ifdef STATENET_WITH_TRAINING
  EXPECT_TRUE(std::filesystem::exists(dir + "/demo/predicted_firing.png"));
  EXPECT_NE(r.output.find("73 units predicted by ns1-statenet-gru.safetensors"), std::string::npos) << r.output;
#endif
}

TEST_F(Cli, pulseLineOptionsAreCheckedBeforeAnythingStreams) {
  // An unknown device names itself; a bad unit map names the entry; --fast cannot play.
  Result r = run("stream --seconds 1 --view off --pulse-out no-such-device");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no output device 'no-such-device'"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  r = run("stream --seconds 1 --view off --pulse-out default --pulse-units 99:0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("entry '99:0': unit 99 outside the model's 73 units"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  r = run("stream --fast --view off --pulse-out default");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("--pulse-out plays in real time"), std::string::npos) << r.output;
  r = run("stream --seconds 1 --view off --pulse-out default --pulse-width-ms 0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("pulse width 0"), std::string::npos) << r.output;
}

TEST_F(Cli, numericOptionsOutOfRangeAreRefusedOnOneLine) {
  // A value that makes no sense is named, never silently replaced by a default.
  for (const char* args : {"stream --seconds -1", "data simulate --stimuli 0 -o x.h5", "data simulate --trials -3 -o x.h5",
                           "loop-test --clicks 1", "stream --copies 0 --gpu"}) {
    const Result r = run(args);
    EXPECT_NE(r.exit_code, 0) << args;
    const std::string option = std::string(args).substr(std::string(args).find("--"), std::string(args).find(' ', std::string(args).find("--")) -
                                                                                        std::string(args).find("--"));
    EXPECT_NE(r.output.find(option), std::string::npos) << args << ": " << r.output;
    EXPECT_NE(r.output.find("not in range"), std::string::npos) << args << ": " << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << args << ": " << r.output;
  }
  const Result unknown = run("strem --fast");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("strem"), std::string::npos) << "the unknown command is named: " << unknown.output;
}

TEST_F(Cli, helpExplainsEveryCommand) {
  const Result r = run("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"cochleagram", "presets", "demo"}) EXPECT_NE(r.output.find(cmd), std::string::npos) << cmd;
  EXPECT_EQ(run("").exit_code, 106) << "no command is a usage error";
}

}  // namespace
}  // namespace statenet

namespace statenet {
namespace {

class DataCli : public ::testing::Test {
 protected:
  std::string dir = test::temp_dir();
};

TEST_F(DataCli, simulateInfoAndPlot) {
  Result r = run("data simulate --preset tiny --seed 3 -o " + dir + "/sim.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("4 units"), std::string::npos) << r.output;
  r = run("data info " + dir + "/sim.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* s : {"N = 4 (population fitting, the dataset)", "stimuli        6", "trials         5–5", "reliability", "ground truth"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s << "\n" << r.output;
  r = run("data plot " + dir + "/sim.h5 --stimulus 1 --unit adapting-0 -o " + dir + "/p.png");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_bytes(dir + "/p.png", 4), "\x89PNG");
  r = run("data plot " + dir + "/sim.h5 --stimulus 9 -o " + dir + "/p.png");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no stimulus 9 (the file has 6)"), std::string::npos) << r.output;
  r = run("data plot " + dir + "/sim.h5 --unit nobody -o " + dir + "/p.png");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no unit 'nobody'"), std::string::npos) << r.output;
  r = run("data info " + dir + "/missing.h5");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "statenet: error: " + dir + "/missing.h5: no such file\n");
}

TEST_F(DataCli, importFlagsMeantForAnotherKindAreRefused) {
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {"wehr --signal spikes", "--signal applies to asari, not wehr"},
           {"asari --all-cells", "--all-cells applies to wehr, not asari"},
           {"nat4 --cochleagram ns1", "--cochleagram applies to ns1, aa1, wehr, asari, not nat4"},
           {"ns1 --area A1", "--area applies to aa1, nat4, asari, not ns1"}}) {
    const Result r = run("data import " + args + " --src " + dir + " -o " + dir + "/x.h5");
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_EQ(r.output, "statenet: error: " + message + "\n") << args;
  }
  const Result r = run("data import asari --signal both --src " + dir + " -o " + dir + "/x.h5");
  EXPECT_EQ(r.output, "statenet: error: asari signal must be vm or spikes, got 'both'\n");
}

TEST_F(DataCli, importsNs1AndPrintsTheAcceptanceNumbers) {
  if (test::ns1_dir().empty()) GTEST_SKIP() << "SKIPPED: NS1 data not found at ../shared/data/ns1";
  Result r = run("data import ns1 --src " + test::ns1_dir() + " --no-waveforms -o " + dir + "/ns1.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ns1: 20 stimuli, 73 units, F = 34, dt = 5 ms"), std::string::npos) << r.output;
  r = run("data info " + dir + "/ns1.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* s : {"T = 999–999", "trials         20–20", "N = 73 (population fitting, the dataset)",
                        "mean rate      1.3 / 10.8 / 45.6 per second", "median 0.745"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s << "\n" << r.output;
  r = run("data import ns1 --src " + dir + " -o " + dir + "/x.h5");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("MetadataSHEnCneurons.mat: no such file"), std::string::npos) << r.output;
}

// tests/data/corrupt/global-heap-loop.h5 (a fuzzer's mutation of a made-up dataset) makes
// libhdf5 1.10 loop for ever in its global heap while reading an attribute. The supervisor
// stops a read that uses CPU without reading a byte for STATENET_READ_STALL_S seconds: one line
// naming the file, exit status 70.
TEST(Supervisor, aLibraryLoopingOnACorruptFileIsStoppedWithOneLineNamingIt) {
  const std::string file = std::string(STATENET_SOURCE_DIR) + "/tests/data/corrupt/global-heap-loop.h5";
  const auto r = test::run_command("STATENET_READ_STALL_S=2 " + std::string(STATENET_BINARY) + " data info " + file);
  if (r.exit_code == 1) GTEST_SKIP() << "this libhdf5 refuses the file instead of looping: " << r.output;
  EXPECT_EQ(r.exit_code, 70) << r.output;
  EXPECT_EQ(r.output, "statenet: error: " + file +
                          ": stopped after 2 s of CPU without reading a byte of this file: a library is looping on it (the file "
                          "is corrupt); STATENET_READ_STALL_S sets the limit\n");
}

}  // namespace
}  // namespace statenet

#ifdef STATENET_WITH_TRAINING
namespace statenet {
namespace {

TEST(TrainCli, trainEvalAndResultsEndToEnd) {
  const std::string dir = test::temp_dir();
  ASSERT_EQ(run("data simulate --preset tiny --seconds 1 -o " + dir + "/sim.h5").exit_code, 0);
  // L with a 10-bin window for 4 units: 4·(34·10 + 1) + 2·4 (BN) = 1372 parameters.
  Result r = run("train --data " + dir + "/sim.h5 --model l --window-bins 10 --seeds 2 --max-epochs 3 --threads 1 -o " + dir + "/run");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("l on simulated: 1372 parameters, 2 runs"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("mean over 2 seeds"), std::string::npos) << r.output;
  r = run("eval --model " + dir + "/run/seed0.safetensors --data " + dir + "/sim.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("over 4 units"), std::string::npos) << r.output;
  // Indices from the command line are range-checked (a huge one once read far out of bounds).
  r = run("eval --model " + dir + "/run/seed0.safetensors --data " + dir + "/sim.h5 --stimuli 1,99999999");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("stimulus 99999999: dataset 'simulated' has 6 stimuli (0–5)"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  r = run("results " + dir + "/run");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| l | 1372 | 2 |"), std::string::npos) << r.output;
  {  // the last column: the seeds' mean training wall time in minutes, from results.json
    std::ifstream in(dir + "/run/results.json");
    double seconds = 0;
    const nlohmann::json results = nlohmann::json::parse(in);  // kept: the loop below walks into it
    for (const auto& run : results.at("runs")) seconds += run.at("seconds").get<double>();
    char cell[32];
    std::snprintf(cell, sizeof cell, "| %.1f |\n", seconds / 2 / 60);
    EXPECT_NE(r.output.find("min/seed |"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(cell), std::string::npos) << r.output << " lacks " << cell;
  }
  // The Transformer's input standardisation is recorded, and shown when it is off.
  r = run("train --data " + dir + "/sim.h5 --model transformer --raw-input --seeds 1 --max-epochs 1 --threads 1 -o " +
          dir + "/transformer");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream json(dir + "/transformer/results.json");
  EXPECT_EQ(nlohmann::json::parse(json).at("training").value("input_standardisation", ""), "none");
  r = run("results " + dir + "/run " + dir + "/transformer");
  EXPECT_NE(r.output.find("| transformer (raw input) |"), std::string::npos) << r.output;
  // Seeds split over two directories pool into one row, its mean and s.e.m. over the three
  // seeds' per-seed means; the same seed twice, or two models, is refused.
  ASSERT_EQ(run("train --data " + dir + "/sim.h5 --model l --window-bins 10 --first-seed 2 --seeds 1 --max-epochs 3 "
                "--threads 1 -o " + dir + "/run2").exit_code, 0);
  r = run("results " + dir + "/run," + dir + "/run2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  {
    std::vector<double> norm;
    for (const char* d : {"/run", "/run2"}) {
      std::ifstream in(dir + d + "/results.json");
      const nlohmann::json results = nlohmann::json::parse(in);
      for (const auto& run : results.at("runs")) norm.push_back(run.at("mean_cc_norm").get<double>());
    }
    ASSERT_EQ(norm.size(), 3u);
    const double mean = (norm[0] + norm[1] + norm[2]) / 3;
    double ss = 0;
    for (double x : norm) ss += (x - mean) * (x - mean);
    char cell[64];
    std::snprintf(cell, sizeof cell, "| l | 1372 | 3 | ");
    EXPECT_NE(r.output.find(cell), std::string::npos) << r.output;
    std::snprintf(cell, sizeof cell, "| %.3f ± %.3f |", mean, std::sqrt(ss / 2 / 3));
    EXPECT_NE(r.output.find(cell), std::string::npos) << r.output << " lacks " << cell;
  }
  r = run("results " + dir + "/run," + dir + "/run");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("seed 0 is also in"), std::string::npos) << r.output;
  r = run("results " + dir + "/run," + dir + "/transformer");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("only runs of one model pool into a row"), std::string::npos) << r.output;
  // Bad input: a model whose bands do not match the data; a missing run directory.
  ASSERT_EQ(run("data simulate --preset tiny --seconds 1 --cochleagram nat4 -o " + dir + "/nat4.h5").exit_code, 0);
  r = run("eval --model " + dir + "/run/seed0.safetensors --data " + dir + "/nat4.h5");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("the model expects 34 frequency bands, the dataset 'simulated' has 18"), std::string::npos) << r.output;
  r = run("results " + dir + "/nowhere");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("results.json: no such file"), std::string::npos) << r.output;
  // A structurally wrong results.json beside a good one: one line naming it, no half table.
  std::filesystem::create_directory(dir + "/broken");
  std::ofstream(dir + "/broken/results.json") << R"({"runs": 5})";
  r = run("results " + dir + "/run " + dir + "/broken");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output.rfind("statenet: error: " + dir + "/broken/results.json: ", 0), 0u) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

nlohmann::json results_json(const std::string& run_dir) {
  std::ifstream in(run_dir + "/results.json");
  return nlohmann::json::parse(in);
}

// Sizes come from the dataset (here: a simulation, so the generic defaults), every size has a
// flag, the flags that changed them are recorded, and a flag that does not apply is refused.
TEST(TrainCli, sizesFollowTheDatasetAndFlagsOverrideThemOrAreRefused) {
  const std::string dir = test::temp_dir();
  ASSERT_EQ(run("data simulate --preset tiny --seconds 1 -o " + dir + "/sim.h5").exit_code, 0);
  const std::string train = "train --data " + dir + "/sim.h5 --seeds 1 --max-epochs 1 --threads 1 ";
  Result r = run(train + "--lc-channels 5 --core rnn -o " + dir + "/sn");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("statenet-rnn: lc K 7 S 3 C 5 → H 50, rnn, output identity; generic defaults (no published model for "
                          "simulated data); changed by --core rnn --lc-channels 5\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("protocol: population fitting (the dataset), split 70/10/20 per seed, batch 1\n"), std::string::npos) << r.output;
  // LC 5·7·10 + 50, BN 10, RNN 2·50² + 2·50, readout 4·51.
  EXPECT_NE(r.output.find("statenet-rnn on simulated: " + std::to_string(350 + 50 + 10 + 5000 + 100 + 204) + " parameters"),
            std::string::npos)
      << r.output;
  const nlohmann::json training = results_json(dir + "/sn").at("training");
  EXPECT_EQ(training.at("sizes"), "generic defaults (no published model for simulated data); changed by --core rnn --lc-channels 5");
  EXPECT_EQ(training.at("fitting"), "population");
  EXPECT_EQ(results_json(dir + "/sn").at("model").at("lc_channels"), 5);
  r = run(train + "--model cnn2d --cnn-kernel 3x7 --cnn-hidden 30 -o " + dir + "/cnn");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cnn2d: kernel 3×7, 10 channels, hidden 30, output double_exponential;"), std::string::npos) << r.output;
  EXPECT_EQ(results_json(dir + "/cnn").at("model").at("window_bins"), 19) << "3·(7 − 1) + 1";
  for (const auto& [flags, message] : std::vector<std::pair<std::string, std::string>>{
           {"--model cnn2d --window-bins 20", "--window-bins applies to --model l, ln, nrf, dnet, transformer, not cnn2d"},
           {"--model nrf --core lstm", "--core applies to --model statenet, not nrf"},
           {"--model statenet --heads 2", "--heads applies to --model transformer, not statenet"},
           {"--model l --raw-input", "--raw-input applies to --model transformer, not l"},
           {"--model cnn2d --cnn-kernel 6by15", "--cnn-kernel '6by15': expected bands x bins, e.g. 6x15"},
           {"--model statenet --lc-kernel 40", "model config 'lc_kernel': 40 exceeds the 34 bands"},
           {"--fitting both", "--fitting 'both': expected population or unit"}}) {
    r = run(train + flags + " -o " + dir + "/refused");
    EXPECT_EQ(r.exit_code, 1) << flags << "\n" << r.output;
    EXPECT_EQ(r.output, "statenet: error: " + message + "\n") << flags;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/refused")) << "nothing is trained or written for a refused command";
}

// AA1 from its original files: the importer says population, so the cells are fitted as one
// model although one of them did not hear every song (masked in the loss); MLd gets the
// paper's StateNet-Mamba (K 7, S 3, C 7 → H 63). --fitting unit overrides it: one model per
// cell, trained on both cores at once.
TEST(TrainCli, aa1ImportedFromItsOriginalFilesTrainsAsAPopulationWithThePapersModel) {
  const std::string dir = test::temp_dir(), src = dir + "/aa1";
  const std::vector<std::string> songs = {"A", "B", "C", "D", "E", "F"};
  for (std::size_t k = 0; k < songs.size(); ++k)
    test::write_pcm16(src + "/all_stims/conspecific/" + songs[k] + ".wav", make_tone(800.0 * (k + 1), 0.3, 0.4, 32000));
  std::mt19937 rng(5);
  for (int cell = 0; cell < 3; ++cell) {
    const std::string c = src + "/MLd_cells/bird" + std::to_string(cell) + "_1/conspecific/";
    for (std::size_t k = 0; k < songs.size(); ++k) {
      test::write_text(c + "stim" + std::to_string(k + 1), songs[k] + ".wav\n");
      if (cell == 2 && k >= 4) continue;  // cell 2 did not hear songs E and F
      std::string trials;
      for (int m = 0; m < 4; ++m) {
        for (int spike = 0; spike < 12; ++spike) trials += std::to_string(std::uniform_real_distribution<double>(0, 400)(rng)) + " ";
        trials += "\n";
      }
      test::write_text(c + "spike" + std::to_string(k + 1), trials);
    }
  }
  Result r = run("data import aa1 --src " + src + " -o " + dir + "/aa1.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run("train --data " + dir + "/aa1.h5 --seeds 1 --max-epochs 2 -o " + dir + "/run");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("statenet-mamba: lc K 7 S 3 C 7 → H 63, mamba, output identity; the paper's sizes for aa1 MLd\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("protocol: population fitting (the dataset)"), std::string::npos) << r.output;
  // The published 32,334 for one cell, plus a readout row (H + 1) per further cell.
  EXPECT_NE(r.output.find("statenet-mamba on aa1-MLd: " + std::to_string(32334 + 2 * 64) + " parameters, 1 runs"), std::string::npos)
      << r.output;
  const nlohmann::json population = results_json(dir + "/run");
  EXPECT_EQ(population.at("model").at("num_units"), 3);
  EXPECT_EQ(population.at("training").at("sizes"), "the paper's sizes for aa1 MLd");
  EXPECT_TRUE(population.at("runs").at(0).at("mean_cc_raw").is_number()) << population.at("runs").at(0).dump();
  r = run("train --data " + dir + "/aa1.h5 --model dnet --fitting unit --seeds 1 --max-epochs 2 -o " + dir + "/units");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("protocol: unit-by-unit fitting (--fitting)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("dnet on aa1-MLd: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" parameters, 3 runs"), std::string::npos) << r.output;
  const nlohmann::json units = results_json(dir + "/units");
  EXPECT_EQ(units.at("training").at("fitting"), "unit-by-unit");
  ASSERT_EQ(units.at("runs").size(), 3u);
  EXPECT_EQ(units.at("runs").at(2).at("split").at("train").size() + units.at("runs").at(2).at("split").at("validation").size() +
                units.at("runs").at(2).at("split").at("test").size(),
            4u)
      << "cell 2 is fitted on the 4 songs it heard";
}

// `statenet benchmark`: a small grid (2 models × 2 seeds, 2 at a time; one model first with
// --models) trains each point in its own directory and writes the table; a second run trains nothing; a point whose result is
// lost but whose checkpoint survives is continued with --resume, not restarted.
TEST(BenchmarkCli, aGridTrainsEachPointOnceResumesTheRestAndWritesTheTable) {
  const std::string dir = test::temp_dir();
  ASSERT_EQ(run("data simulate --preset tiny --seconds 1 --fitting unit-by-unit -o " + dir + "/units.h5").exit_code, 0);
  std::ofstream(dir + "/grid.json") << R"({"datasets": {"units": "units.h5"},
    "models": {"ln": "--model ln --window-bins 10", "statenet-rnn": "--model statenet --core rnn"},
    "seeds": 2, "train_args": "--threads 1 --max-epochs 3"})";
  // --models: only those rows train (a name not in the grid is refused, naming the grid's).
  Result r = run("benchmark " + dir + "/grid.json -o " + dir + "/runs --models ln,nope");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--models: no model 'nope' in " + dir + "/grid.json (its models: ln, statenet-rnn)"), std::string::npos) << r.output;
  r = run("benchmark " + dir + "/grid.json -o " + dir + "/runs -j 2 --models ln");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("benchmark: 4 grid points (1 datasets × 2 models × 2 seeds), 0 done, 2 to run (--models ln)"), std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/runs/units/statenet-rnn")) << "only the picked model trains";
  r = run("benchmark " + dir + "/grid.json -o " + dir + "/runs -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("benchmark: 4 grid points (1 datasets × 2 models × 2 seeds), 2 done, 2 to run"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| model | parameters | seeds | CC_raw | CC_norm | rank |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| ln | 347 | 2 | "), std::string::npos) << "one unit's LN: 34·10 + 1, BN 2, DE 4\n" << r.output;
  EXPECT_NE(r.output.find("**1st**"), std::string::npos) << r.output;
  EXPECT_EQ(test::read_file(dir + "/runs/table.md").rfind("### units\n", 0), 0u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/runs/table.png"));
  const nlohmann::json units = results_json(dir + "/runs/units/ln/seed1");
  EXPECT_EQ(units.at("training").at("fitting"), "unit-by-unit") << "the simulated file says unit by unit";
  EXPECT_EQ(units.at("runs").size(), 4u) << "one run per unit";
  r = run("benchmark " + dir + "/grid.json -o " + dir + "/runs -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("4 done, 0 to run"), std::string::npos) << r.output;
  std::filesystem::remove(dir + "/runs/units/statenet-rnn/seed0/results.json");
  r = run("benchmark " + dir + "/grid.json -o " + dir + "/runs -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("3 done, 1 to run"), std::string::npos) << r.output;
  EXPECT_NE(test::read_file(dir + "/runs/units/statenet-rnn/seed0/train.log").find("resumed at epoch 3"), std::string::npos)
      << test::read_file(dir + "/runs/units/statenet-rnn/seed0/train.log");
  // A grid point that fails keeps its log and fails the command, after the others ran.
  std::ofstream(dir + "/bad.json") << R"({"datasets": {"units": "units.h5"}, "models": {"l": "--model l --lc-channels 3"}, "seeds": 1})";
  r = run("benchmark " + dir + "/bad.json -o " + dir + "/bad");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("statenet: error: 1 grid point(s) failed (their train.log is kept): units l seed 0"), std::string::npos) << r.output;
  EXPECT_NE(test::read_file(dir + "/bad/units/l/seed0/train.log").find("--lc-channels applies to --model statenet, not l"), std::string::npos);
  // --status reads the grid the run kept (OUT/grid.json): the failure with its reason, the
  // finished grid as done.
  r = run("benchmark --status " + dir + "/bad");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(": 0 done, 0 running, 0 started (continue on the next run), 1 failed, 0 pending"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("failed  units/l/seed0: exit status 1: statenet: error: --lc-channels applies to --model statenet, not l"),
            std::string::npos)
      << r.output;
  r = run("benchmark --status " + dir + "/runs");
  EXPECT_NE(r.output.find(": 4 done, 0 running"), std::string::npos) << r.output;
  EXPECT_NE(run("benchmark --status " + dir + "/runs/units").output.find("holds no grid run by statenet benchmark"), std::string::npos);
}

// NAT4: the importer's protocol is used as it stands — test on the repeated validation sound,
// train / validation 80 / 20 of the estimation sounds, batch 16 — and the paper's
// StateNet-LSTM sizes (K 5, S 2, C 10 → H 70).
TEST(TrainCli, nat4TrainsWithItsOwnTestSetSplitAndBatch) {
  const std::string dir = test::temp_dir();
  test::write_nat4_layout(dir + "/nat4", 30, 10);
  Result r = run("data import nat4 --src " + dir + "/nat4 -o " + dir + "/nat4.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run("train --data " + dir + "/nat4.h5 --seeds 2 --max-epochs 1 -o " + dir + "/run");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("statenet-lstm: lc K 5 S 2 C 10 → H 70, lstm, output identity; the paper's sizes for nat4\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("protocol: population fitting (the dataset), test the dataset's 1 stimuli, batch 16\n"), std::string::npos)
      << r.output;
  const nlohmann::json results = results_json(dir + "/run");
  EXPECT_EQ(results.at("training").at("batch_size"), 16);
  for (const auto& run : results.at("runs")) {
    EXPECT_EQ(run.at("split").at("test"), nlohmann::json::array({0}));
    EXPECT_EQ(run.at("split").at("train").size(), 8u) << "10 estimation sounds: 8 train, 2 validation";
    EXPECT_EQ(run.at("split").at("validation").size(), 2u);
  }
  r = run("train --data " + dir + "/nat4.h5 --seeds 1 --max-epochs 1 --batch 2 --test-stimuli 1,2 -o " + dir + "/mine");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("test --test-stimuli, batch 2\n"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace statenet
#endif

namespace statenet {
namespace {

// ------------------------------------------------- signals and crashes, any build

using test::start_process;

TEST(SignalCli, sigtermEndsAStreamCleanlyWithItsOutputsCommitted) {
  const std::string dir = test::temp_dir(), bin = STATENET_BINARY;
  const pid_t pid = start_process({bin, "stream", "--seconds", "30", "--view", "off", "-o", dir + "/rates.csv"}, dir + "/stream.log");
  ASSERT_GT(pid, 0);
  // Signal it once it has streamed a while: its temporary CSV (beside rates.csv) holds 64 KB,
  // about 90 rows (a loaded machine starts slowly, so wait on the file, not the clock).
  auto temporary_bytes = [&] {
    std::uintmax_t bytes = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
      if (e.path().filename().string().rfind("rates.csv.tmp-", 0) == 0) bytes = std::max(bytes, e.file_size(ec));
    return bytes;
  };
  for (int i = 0; i < 300 && temporary_bytes() < (64u << 10); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const std::string log = test::read_file(dir + "/stream.log");
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 0) << log;
  EXPECT_NE(log.find("wrote " + dir + "/rates.csv"), std::string::npos) << log;
  const std::string csv = test::read_file(dir + "/rates.csv");
  EXPECT_GT(std::count(csv.begin(), csv.end(), '\n'), 50) << "64 KB of rows (about 90) were written before the signal";
}

// A library that crashes on a corrupt file (libhdf5 does on some: docs/reliability.md) is stood
// in for by a SIGSEGV sent to the command while it is blocked opening a FIFO as a dataset: the
// command's supervising parent reports one line naming the file, exit status 70. A crash with
// no file being read is reported as a bug.
TEST(Supervisor, aCrashInsideALibraryIsOneLineNamingTheFileBeingRead) {
  const std::string dir = test::temp_dir(), bin = STATENET_BINARY, fifo = dir + "/stuck.h5";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // In a sanitizer build the runtime would catch the SIGSEGV itself (a report, exit 1).
  for (const char* name : {"ASAN_OPTIONS", "TSAN_OPTIONS"}) {
    const char* old = std::getenv(name);
    setenv(name, ((old ? std::string(old) + ":" : std::string()) + "handle_segv=0").c_str(), 1);
  }
  auto crash_child = [&](const std::vector<std::string>& args, const std::string& log) {
    const pid_t pid = test::start_process(args, log);
    const std::string children = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
    pid_t child = 0;
    for (int i = 0; i < 200 && child <= 0; ++i) {
      std::ifstream(children) >> child;
      if (child <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into the read
    EXPECT_GT(child, 0) << "the command runs in a child process";
    if (child > 0) kill(child, SIGSEGV);
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  };
  int status = crash_child({bin, "data", "info", fifo}, dir + "/info.log");
  std::string log = test::read_file(dir + "/info.log");
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 70) << log;
  EXPECT_EQ(log, "statenet: error: " + fifo +
                     ": crashed (SIGSEGV) while reading this file, inside a library: the file is corrupt or not what it claims to be\n");
  status = crash_child({bin, "stream", "--seconds", "30", "--view", "off"}, dir + "/stream.log");
  log = test::read_file(dir + "/stream.log");
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 70) << log;
  EXPECT_NE(log.find("statenet: error: the command crashed (SIGSEGV): a bug in statenet"), std::string::npos) << log;
}

}  // namespace
}  // namespace statenet

#ifdef STATENET_WITH_TRAINING
namespace statenet {
namespace {

using test::start_process;

TEST(SignalCli, sigtermStopsTrainingAfterItsEpochsCheckpointAndResumeFinishesTheRun) {
  const std::string dir = test::temp_dir(), bin = STATENET_BINARY;
  if (run(std::string("train --help")).exit_code != 0) GTEST_SKIP() << "this build has no training (LibTorch)";
  ASSERT_EQ(run("data simulate --preset tiny --seconds 1 -o " + dir + "/sim.h5").exit_code, 0);
  const pid_t pid = start_process({bin, "train", "--data", dir + "/sim.h5", "--seeds", "1", "--max-epochs", "500", "--patience", "500",
                                   "--threads", "1", "-o", dir + "/run"},
                                  dir + "/train.log");
  ASSERT_GT(pid, 0);
  for (int i = 0; i < 600 && !std::filesystem::exists(dir + "/run/seed0.ckpt"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(std::filesystem::exists(dir + "/run/seed0.ckpt")) << test::read_file(dir + "/train.log");
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const std::string log = test::read_file(dir + "/train.log");
  ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of stopping: " << log;
  EXPECT_EQ(WEXITSTATUS(status), 1) << log;
  EXPECT_NE(log.find("training stopped by a signal after epoch"), std::string::npos) << log;
  EXPECT_NE(log.find("seed0.ckpt is written: run the same command with --resume to continue"), std::string::npos) << log;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/run"))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << "left behind: " << entry.path();
  // Resumed with a near bound on epochs, it finishes and writes its results.
  const auto resumed = run("train --data " + dir + "/sim.h5 --seeds 1 --max-epochs 3 --patience 500 --threads 1 --resume -o " + dir + "/run");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(std::filesystem::exists(dir + "/run/results.json"));
}

// SIGKILL at random moments (mid-epoch, mid-checkpoint-write, at start-up), each time resumed
// with --resume, then run to the end: the weights equal an uninterrupted run's bit for bit, and
// no temporary file is left behind.
TEST(SignalCli, trainingKilledAtRandomMomentsResumesToTheSameWeights) {
  const std::string dir = test::temp_dir(), bin = STATENET_BINARY;
  if (run(std::string("train --help")).exit_code != 0) GTEST_SKIP() << "this build has no training (LibTorch)";
  ASSERT_EQ(run("data simulate --preset tiny --seconds 1 -o " + dir + "/sim.h5").exit_code, 0);
  const std::vector<std::string> train = {bin, "train", "--data", dir + "/sim.h5", "--seeds", "1", "--max-epochs", "300",
                                          "--patience", "1000", "--threads", "1", "--resume", "-o"};
  auto args_for = [&](const std::string& out) {
    std::vector<std::string> a = train;
    a.push_back(out);
    return a;
  };
  auto wait_exit = [](pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  };
  // The uninterrupted run.
  const int reference_status = wait_exit(start_process(args_for(dir + "/reference"), dir + "/reference.log"));
  ASSERT_TRUE(WIFEXITED(reference_status) && WEXITSTATUS(reference_status) == 0) << test::read_file(dir + "/reference.log");

  // Odd trials kill at a random moment of start-up (0–1 500 ms in); even ones wait until the
  // process has checkpointed an epoch of its own, then kill at a random moment of the next
  // 200 ms (mid-epoch, mid-checkpoint): progress, however slow the machine.
  const std::string checkpoint = dir + "/killed/seed0.ckpt";
  auto checkpoint_stamp = [&] {
    std::error_code ec;
    const auto t = std::filesystem::last_write_time(checkpoint, ec);
    return ec ? std::filesystem::file_time_type::min() : t;
  };
  std::mt19937 random(20261203);
  std::uniform_int_distribution<int> startup_ms(0, 1500), in_training_ms(0, 200);
  int kills = 0, finished_early = 0;
  for (; kills < 20; ++kills) {
    const auto before = checkpoint_stamp();
    const pid_t pid = start_process(args_for(dir + "/killed"), dir + "/killed.log");
    ASSERT_GT(pid, 0);
    if (kills % 2 == 0) {
      auto running = [pid] {  // without reaping it
        siginfo_t info{};
        return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0;
      };
      for (int i = 0; i < 6000 && checkpoint_stamp() == before && running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::this_thread::sleep_for(std::chrono::milliseconds(in_training_ms(random)));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(startup_ms(random)));
    }
    kill(pid, SIGKILL);
    const int status = wait_exit(pid);
    if (WIFEXITED(status)) {  // it finished before the kill: start over so that every trial kills
      ASSERT_EQ(WEXITSTATUS(status), 0) << test::read_file(dir + "/killed.log");
      ++finished_early;
      std::filesystem::remove_all(dir + "/killed");
      continue;
    }
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  }
  const int final_status = wait_exit(start_process(args_for(dir + "/killed"), dir + "/killed.log"));
  ASSERT_TRUE(WIFEXITED(final_status) && WEXITSTATUS(final_status) == 0) << test::read_file(dir + "/killed.log");
  EXPECT_LT(finished_early, kills / 2) << "most runs ended before their kill: the trials test little";
  const std::string final_log = test::read_file(dir + "/killed.log");
  EXPECT_NE(final_log.find(", resumed at epoch "), std::string::npos) << "the last run started afresh: " << final_log;

  const SafetensorsFile a = read_safetensors(dir + "/reference/seed0.safetensors"), b = read_safetensors(dir + "/killed/seed0.safetensors");
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, t] : a.tensors) {
    ASSERT_TRUE(b.tensors.count(name)) << name;
    ASSERT_EQ(t.data.size(), b.tensors.at(name).data.size()) << name;
    EXPECT_EQ(std::memcmp(t.data.data(), b.tensors.at(name).data.data(), t.data.size() * sizeof(float)), 0)
        << name << " differs after " << kills << " kills";
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/killed"))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << "left behind: " << entry.path();
}

TEST(InterpretCli, writesPicturesArraysAndAPage) {
  const std::string dir = test::temp_dir();
  Result r = run(std::string("interpret --model ") + STATENET_DEMO_MODEL_PATH +
                 " --units 0,3 --what gradmap,dream,energy --iterations 20 --length 40 -o " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"index.html", "interpret.h5", "summary.json", "gradmap_unit0.png", "gradmap_unit3.png",
                        "dream_unit3.png", "gradmap_energy.png", "gradmap_memory.png", "gradmap_all.png", "dream_all.png"})
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f;
  EXPECT_NE(r.output.find("gradmap: 95 % of the energy within"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("above -60 dB until"), std::string::npos) << r.output;
  r = run(std::string("interpret --model ") + STATENET_DEMO_MODEL_PATH + " --units 0,99 -o " + dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unit 99 does not exist (the model has units 0–72)"), std::string::npos) << r.output;
}

// --truth: a model fitted to simulated linear-STRF neurons, its GradMaps against the true STRFs.
TEST(InterpretCli, comparesGradMapsWithASimulationsTrueStrfs) {
  const std::string dir = test::temp_dir();
  ASSERT_EQ(run("data simulate --preset tiny --kinds strf --units-per-kind 2 --trials 20 --stimuli 12 -o " + dir + "/sim.h5").exit_code, 0);
  Result r = run("train --data " + dir + "/sim.h5 --model ln --seeds 1 --threads 1 --patience 5 --max-epochs 60 -o " + dir + "/run");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run("interpret --model " + dir + "/run/seed0.safetensors --truth " + dir + "/sim.h5 -o " + dir + "/interp");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("GradMap vs true STRF (Pearson CC): unit 0 "), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir + "/interp/truth_unit1.png"));
  std::ifstream summary(dir + "/interp/summary.json");
  const auto j = nlohmann::json::parse(summary);
  ASSERT_EQ(j.at("gradmap_vs_true_strf_cc").size(), 2u);
  // Even this short fit (24 s of sound) recovers the STRF's structure: 0.43–0.45 here, where an
  // unrelated map of 34 × 20 values gives |CC| ≲ 0.1 (the full-size runs: docs/results.md).
  for (const auto& cc : j.at("gradmap_vs_true_strf_cc")) EXPECT_GT(cc.get<double>(), 0.3) << r.output;
  // The model's units must be the simulation's.
  r = run(std::string("interpret --model ") + STATENET_DEMO_MODEL_PATH + " --truth " + dir + "/sim.h5 -o " + dir + "/bad");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("/truth/strf holds 2 units × 34 bands, the model predicts 73 units from 34 bands"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace statenet
#endif
