#pragma once
// Which file the program is reading, kept where a supervising parent process can read it
// after a crash (statenet's main runs each command in a child: apps/statenet/supervisor.h).
// A library that crashes on a corrupt file (libhdf5, libmatio, libsndfile) then gives one line
// naming the file instead of a bare signal.
//
//   ReadingFile reading(path);   // for as long as `path` is being read; nests
//
// Without a note area (tests, library users) it does nothing. Not thread-safe: readers run on
// the main thread.

#include <cstddef>
#include <string>

namespace statenet {

// The shared memory the notes go to (set once, in the child, before any reading).
void set_reading_note_area(char* area, std::size_t bytes);
// The note in `area`: the innermost file being read, or "" when none.
std::string reading_note(const char* area, std::size_t bytes);

class ReadingFile {
 public:
  explicit ReadingFile(const std::string& path);
  ~ReadingFile();
  ReadingFile(const ReadingFile&) = delete;
  ReadingFile& operator=(const ReadingFile&) = delete;

 private:
  std::string previous_;
};

}  // namespace statenet
