#pragma once
// Shared helpers for the GoogleTest suite.

#include <cstdint>
#include <string>
#include <vector>

namespace statenet::test {

// Directory of the committed golden files (tools/golden/make_goldens.py).
std::string golden_dir();
// The NS1 recordings ($STATENET_NS1_DIR, else ../shared/data/ns1 beside the checkout);
// empty when absent, so tests can GTEST_SKIP.
std::string ns1_dir();

struct Golden {
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};
// Loads golden `name` from manifest.json and its .f32 file; throws if missing.
Golden load_golden(const std::string& name);

// A fresh temporary directory, removed with its contents when the test process exits
// (kept when STATENET_KEEP_TEST_FILES is set).
std::string temp_dir();

// The whole file as bytes; empty when it cannot be read.
std::string read_file(const std::string& path);

// Runs a shell command; its exit code and stdout + stderr together.
struct Result {
  int exit_code;
  std::string output;
};
Result run_command(const std::string& command);

// Starts `args` (argv[0] the binary) in the background with stdout and stderr into `log`;
// returns its pid (wait for it with waitpid).
int start_process(const std::vector<std::string>& args, const std::string& log);

// Largest |a − b| and where it is, for failure messages.
struct MaxDiff {
  double value = 0.0;
  std::size_t index = 0;
};
MaxDiff max_abs_diff(const float* a, const float* b, std::size_t n);

}  // namespace statenet::test
