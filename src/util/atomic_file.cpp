#include "util/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace statenet {

namespace {
// Only a regular file (or nothing) may be replaced by rename: a symlink, a device such as
// /dev/stdout, a directory or a pipe would be swapped for a regular file (as root, a system
// entry clobbered).
void require_replaceable(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return;  // absent: a new file
  if (S_ISREG(st.st_mode)) return;
  const char* what = S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ? "a directory"
                     : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : S_ISFIFO(st.st_mode) ? "a pipe" : "not a regular file";
  throw std::runtime_error(path + ": is " + std::string(what) +
                           "; statenet writes a new file beside it and renames it into place, which would replace it: "
                           "give the path of a regular file");
}
}  // namespace

AtomicFile::AtomicFile(std::string final_path)
    : final_path_(std::move(final_path)),
      temp_path_(final_path_ + ".tmp-" + std::to_string(::getpid())) {
  require_replaceable(final_path_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_path_.c_str());
}

void AtomicFile::commit() {
  try {
    require_replaceable(final_path_);  // again: it may have appeared while we wrote
  } catch (...) {
    std::remove(temp_path_.c_str());
    throw;
  }
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
