#pragma once
// A small RGB raster for figures, and its atomic PNG writer.

#include <cstdint>
#include <string>
#include <vector>

namespace statenet {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  ///< row-major, 3 bytes per pixel

  Image(int w, int h, Rgb background = {255, 255, 255});
  void set(int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    std::uint8_t* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
  }
  // Alpha-blends colour c with coverage a ∈ [0, 1].
  void blend(int x, int y, Rgb c, float a);
  void fill_rect(int x0, int y0, int x1, int y1, Rgb c);  ///< [x0, x1) × [y0, y1)
  void hline(int x0, int x1, int y, Rgb c);
  void vline(int x, int y0, int y1, Rgb c);
};

// Writes `image` as PNG through a temporary file and a rename. Throws
// std::runtime_error naming the path on failure.
void write_png(const std::string& path, const Image& image);

}  // namespace statenet
