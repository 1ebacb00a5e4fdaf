// Disk full, for real: a small tmpfs mounted by the test (as root; skipped, saying why,
// elsewhere), filled to the last byte, then every writer pointed at it. Each must end with one
// line naming the file and exit 1 — not a crash (HDF5 once segfaulted at exit after a failed
// close) and not "wrote …" over an empty file — leave the earlier file at that path as it was,
// and leave no temporary behind.

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "audio/audio_file.h"
#include "audio/test_signals.h"
#include "support/test_support.h"

namespace statenet {
namespace {

class FullDisk {
 public:
  FullDisk() {
    dir_ = test::temp_dir() + "/full";
    std::filesystem::create_directory(dir_);
    if (::geteuid() != 0) {
      problem_ = "mounting a tmpfs needs root";
      return;
    }
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=128k") != 0) {
      problem_ = std::string("cannot mount a tmpfs here: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~FullDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  // Writes `text` to each earlier output, then fills the file system to the last byte.
  void fill_after(const std::vector<std::string>& earlier) {
    for (const auto& name : earlier) std::ofstream(dir_ + "/" + name) << "earlier " << name << "\n";
    std::ofstream filler(dir_ + "/filler", std::ios::binary);
    const std::string block(4096, 'x');
    while (filler.write(block.data(), block.size())) {
    }
    filler.clear();
    filler.close();
    std::ofstream tail(dir_ + "/filler-tail", std::ios::binary);  // the last partial block
    for (int i = 0; i < 4096 && tail.put('x'); ++i) {
    }
  }
  const std::string& dir() const { return dir_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string dir_, problem_;
  bool mounted_ = false;
};

TEST(DiskFull, everyWriterFailsWithOneLineKeepsTheEarlierFileAndLeavesNoTemporary) {
  FullDisk disk;
  if (!disk.problem().empty()) GTEST_SKIP() << disk.problem();
  const std::string d = disk.dir(), bin = STATENET_BINARY;
  const std::string tone = test::temp_dir() + "/tone.wav";  // on a disk with room
  write_wav_float(tone, make_tone(1000.0, 0.3, 1.0, 48828.0));
  struct Case {
    std::string output, command;
  };
  const std::vector<Case> cases = {
      {"sim.h5", "data simulate --preset tiny -o " + d + "/sim.h5"},                                  // HDF5
      {"cochleagram.png", "cochleagram " + tone + " -o " + d + "/cochleagram.png"},                          // PNG
      {"cochleagram.h5", "cochleagram " + tone + " -o " + d + "/cochleagram.h5"},                            // HDF5 array
      {"rates.csv", "stream --fast --view off --seconds 2 -o " + d + "/rates.csv"},                  // CSV
      {"rates.f32", "stream --fast --view off --seconds 2 -o " + d + "/rates.f32"},                  // raw + sidecar
      {"latency.json", "stream --fast --view off --seconds 2 --latency-json " + d + "/latency.json"},  // JSON
      {"spikes.csv", "stream --fast --view off --seconds 2 --spikes " + d + "/spikes.csv"},          // spikes
  };
  std::vector<std::string> outputs;
  for (const auto& c : cases) outputs.push_back(c.output);
  // Training (LibTorch builds): its first checkpoint meets the full disk; results.json from an
  // earlier run in that directory must survive.
  const bool can_train = test::run_command(bin + " train --help").exit_code == 0;
  const std::string data = test::temp_dir() + "/sim.h5";
  if (can_train) {
    ASSERT_EQ(test::run_command(bin + " data simulate --preset tiny --seconds 1 -o " + data).exit_code, 0);
    std::filesystem::create_directory(d + "/run");
    outputs.push_back("run/results.json");
  }
  disk.fill_after(outputs);
  if (can_train) {
    const auto r = test::run_command(bin + " train --data " + data + " --model l --window-bins 10 --seeds 1 --max-epochs 2 --threads 1 -o " +
                                     d + "/run");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(d + "/run/seed0"), std::string::npos) << r.output;
    // The model and protocol lines, then one error line (progress goes to a terminal only).
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 3) << r.output;
    EXPECT_EQ(r.output.find("statenet: error: "), r.output.rfind("statenet: error: ")) << r.output;
    EXPECT_EQ(test::read_file(d + "/run/results.json"), "earlier run/results.json\n");
    for (const auto& entry : std::filesystem::directory_iterator(d + "/run"))
      EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << "left behind: " << entry.path();
  }
  for (const auto& c : cases) {
    const auto r = test::run_command(bin + " " + c.command);
    EXPECT_EQ(r.exit_code, 1) << c.command << "\n" << r.output;  // 139 or 134 would be a crash
    EXPECT_NE(r.output.find(d + "/" + c.output + ":"), std::string::npos) << c.command << "\n" << r.output;
    EXPECT_EQ(r.output.find(".tmp-"), std::string::npos) << "names the temporary, not the output: " << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << c.command << "\n" << r.output;
    EXPECT_EQ(r.output.find("wrote"), std::string::npos) << c.command << "\n" << r.output;
    EXPECT_EQ(test::read_file(d + "/" + c.output), "earlier " + c.output + "\n") << c.command;
  }
  for (const auto& entry : std::filesystem::directory_iterator(d))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << "left behind: " << entry.path();
}

}  // namespace
}  // namespace statenet
