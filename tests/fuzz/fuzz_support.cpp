#include "fuzz_support.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace statenet::fuzz {
namespace fs = std::filesystem;

namespace {
struct Scratch {
  std::string path;
  Scratch() {
    const std::string base = fs::is_directory("/dev/shm") ? "/dev/shm" : fs::temp_directory_path().string();
    // A harness that crashed left its folder: remove those of processes that are gone.
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(base, ec)) {
      const std::string name = e.path().filename().string(), prefix = "statenet-fuzz-";
      if (name.rfind(prefix, 0) != 0) continue;
      const long pid = std::atol(name.c_str() + prefix.size());
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
    }
    path = base + "/statenet-fuzz-" + std::to_string(::getpid());
    fs::create_directories(path);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
}  // namespace

const std::string& scratch_dir() {
  static Scratch scratch;
  return scratch.path;
}

void write_bytes(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {  // not the reader's fault, but it must not pass unnoticed
    std::fprintf(stderr, "%s: cannot write the fuzz input\n", path.c_str());
    std::abort();
  }
}

void write_bytes(const std::string& path, const std::string& bytes) {
  write_bytes(path, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void offer_seed(const std::string& name, const std::string& bytes) {
  const char* dir = std::getenv("STATENET_FUZZ_WRITE_SEEDS");
  if (!dir || !*dir) return;
  fs::create_directories(dir);
  write_bytes(std::string(dir) + "/" + name, bytes);
}

}  // namespace statenet::fuzz
