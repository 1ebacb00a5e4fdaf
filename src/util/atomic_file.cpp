#include "util/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace statenet {

AtomicFile::AtomicFile(std::string final_path)
    : final_path_(std::move(final_path)),
      temp_path_(final_path_ + ".tmp-" + std::to_string(::getpid())) {}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_path_.c_str());
}

void AtomicFile::commit() {
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temp_path_.c_str());
    throw std::runtime_error(final_path_ + ": cannot write (rename from " + temp_path_ +
                             " failed: " + why + ")");
  }
  committed_ = true;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  AtomicFile out(path);
  std::ofstream f(out.temp_path(), std::ios::binary);
  f << text;
  f.close();
  if (!f) throw std::runtime_error(path + ": write failed (disk full?)");
  out.commit();
}

}  // namespace statenet
