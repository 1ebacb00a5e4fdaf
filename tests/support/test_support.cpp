#include "support/test_support.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace statenet::test {

std::string golden_dir() { return STATENET_GOLDEN_DIR; }

std::string ns1_dir() {
  const char* env = std::getenv("STATENET_NS1_DIR");
  const std::string dir = env ? env : STATENET_NS1_DIR;
  return std::filesystem::exists(dir + "/MetadataSHEnCneurons.mat") ? dir : std::string();
}

Golden load_golden(const std::string& name) {
  std::ifstream m(golden_dir() + "/manifest.json");
  if (!m) throw std::runtime_error("missing " + golden_dir() + "/manifest.json");
  const auto manifest = nlohmann::json::parse(m);
  for (const auto& e : manifest["entries"]) {
    if (e["name"] != name) continue;
    Golden g;
    std::int64_t count = 1;
    for (const auto& d : e["shape"]) {
      g.shape.push_back(d.get<std::int64_t>());
      count *= g.shape.back();
    }
    g.values.resize(static_cast<std::size_t>(count));
    std::ifstream f(golden_dir() + "/" + name + ".f32", std::ios::binary);
    f.read(reinterpret_cast<char*>(g.values.data()), count * 4);
    if (!f) throw std::runtime_error("golden " + name + ": short or missing .f32 file");
    return g;
  }
  throw std::runtime_error("golden " + name + " not in the manifest");
}

namespace {
// Removes every directory temp_dir() made when the test process ends (ctest runs each
// test in its own process); set STATENET_KEEP_TEST_FILES=1 to keep them for a post-mortem.
struct TempDirs {
  std::vector<std::string> paths;
  ~TempDirs() {
    if (std::getenv("STATENET_KEEP_TEST_FILES")) return;
    std::error_code ignored;
    for (const auto& p : paths) std::filesystem::remove_all(p, ignored);
  }
};
TempDirs& temp_dirs() {
  static TempDirs dirs;
  return dirs;
}
}  // namespace

std::string temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "statenet-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  temp_dirs().paths.push_back(pattern);
  return pattern;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

Result run_command(const std::string& command) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  Result r{-1, ""};
  if (!p) return r;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) r.output += buf;
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

MaxDiff max_abs_diff(const float* a, const float* b, std::size_t n) {
  MaxDiff d;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = std::fabs(static_cast<double>(a[i]) - b[i]);
    if (v > d.value || std::isnan(v)) {
      d.value = std::isnan(v) ? INFINITY : v;
      d.index = i;
    }
  }
  return d;
}

int start_process(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(log.c_str(), "w", stdout) || dup2(fileno(stdout), 2) < 0) _exit(127);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace statenet::test
