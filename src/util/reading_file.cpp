#include "util/reading_file.h"

#include <algorithm>
#include <cstring>

namespace statenet {
namespace {
char* g_area = nullptr;
std::size_t g_bytes = 0;

void write_note(const std::string& text) {
  if (!g_area || g_bytes == 0) return;
  const std::size_t n = std::min(text.size(), g_bytes - 1);
  std::memcpy(g_area, text.data(), n);
  g_area[n] = '\0';
}
}  // namespace

void set_reading_note_area(char* area, std::size_t bytes) {
  g_area = area;
  g_bytes = bytes;
  write_note("");
}

std::string reading_note(const char* area, std::size_t bytes) { return std::string(area, strnlen(area, bytes)); }

ReadingFile::ReadingFile(const std::string& path) {
  if (!g_area) return;
  previous_ = std::string(g_area, strnlen(g_area, g_bytes));
  write_note(path);
}

ReadingFile::~ReadingFile() { write_note(previous_); }

}  // namespace statenet
