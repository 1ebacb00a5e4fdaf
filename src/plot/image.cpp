#include "plot/image.h"

#include <stb_image_write.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "util/atomic_file.h"

namespace statenet {

Image::Image(int w, int h, Rgb bg) : width(w), height(h), rgb(static_cast<std::size_t>(w) * h * 3) {
  for (std::size_t i = 0; i < rgb.size(); i += 3) {
    rgb[i] = bg.r;
    rgb[i + 1] = bg.g;
    rgb[i + 2] = bg.b;
  }
}

void Image::blend(int x, int y, Rgb c, float a) {
  if (x < 0 || y < 0 || x >= width || y >= height || a <= 0.0f) return;
  a = std::min(a, 1.0f);
  std::uint8_t* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
  p[0] = static_cast<std::uint8_t>(p[0] + (c.r - p[0]) * a + 0.5f);
  p[1] = static_cast<std::uint8_t>(p[1] + (c.g - p[1]) * a + 0.5f);
  p[2] = static_cast<std::uint8_t>(p[2] + (c.b - p[2]) * a + 0.5f);
}

void Image::fill_rect(int x0, int y0, int x1, int y1, Rgb c) {
  for (int y = std::max(0, y0); y < std::min(height, y1); ++y)
    for (int x = std::max(0, x0); x < std::min(width, x1); ++x) set(x, y, c);
}
void Image::hline(int x0, int x1, int y, Rgb c) { fill_rect(x0, y, x1, y + 1, c); }
void Image::vline(int x, int y0, int y1, Rgb c) { fill_rect(x, y0, x + 1, y1, c); }

void write_png(const std::string& path, const Image& image) {
  std::vector<unsigned char> bytes;
  auto append = [](void* ctx, void* data, int size) {
    auto* v = static_cast<std::vector<unsigned char>*>(ctx);
    v->insert(v->end(), static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + size);
  };
  if (!stbi_write_png_to_func(append, &bytes, image.width, image.height, 3, image.rgb.data(),
                              image.width * 3)) {
    throw std::runtime_error(path + ": PNG encoding failed");
  }
  AtomicFile out(path);
  {
    std::ofstream f(out.temp_path(), std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw std::runtime_error(path + ": cannot write (disk full or directory missing?)");
  }
  out.commit();
}

}  // namespace statenet
