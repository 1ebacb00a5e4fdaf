#pragma once
// Writes that never leave a half-written file: write to `<path>.tmp-<pid>` in the
// same directory, then rename over `path` (atomic on POSIX file systems). Only a regular file
// or a new path is replaced: a path that is a symlink, a device, a directory or a pipe is
// refused (std::runtime_error naming it) at construction and again at commit.
//
//   AtomicFile out(path);            // [main thread]
//   write_everything(out.temp_path());
//   out.commit();                    // renames; without commit the temp file is removed

#include <string>

namespace statenet {

class AtomicFile {
 public:
  explicit AtomicFile(std::string final_path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  // Renames the temporary file over the final path. Throws std::runtime_error
  // naming both paths when the rename fails.
  void commit();

 private:
  std::string final_path_;
  std::string temp_path_;
  bool committed_ = false;
};

// Writes `text` to `path` through an AtomicFile; throws std::runtime_error naming the path
// when the write fails (disk full) or the rename does.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace statenet
