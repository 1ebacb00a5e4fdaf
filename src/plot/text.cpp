#include "plot/text.h"

#include <stb_truetype.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

namespace statenet {
namespace {

// Decodes UTF-8 into code points (invalid bytes become '?').
std::vector<int> code_points(const std::string& text) {
  std::vector<int> out;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + extra >= text.size() + (extra == 0 ? 1 : 0)) {
      out.push_back('?');
      ++i;
      continue;
    }
    int cp = extra == 0 ? c : c & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

}  // namespace

struct TextRenderer::Font {
  std::vector<unsigned char> bytes;
  stbtt_fontinfo info{};
};

TextRenderer::TextRenderer() {
  const char* env = std::getenv("STATENET_FONT");
  std::ifstream f(env ? env : STATENET_FONT_PATH, std::ios::binary);
  if (!f) return;
  auto* font = new Font;
  font->bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  if (font->bytes.empty() || !stbtt_InitFont(&font->info, font->bytes.data(), 0)) {
    delete font;
    return;
  }
  font_ = font;
}

TextRenderer::~TextRenderer() { delete font_; }

int TextRenderer::width(const std::string& text, float size_px) const {
  if (!font_) return 0;
  const float scale = stbtt_ScaleForPixelHeight(&font_->info, size_px);
  int w = 0;
  for (int ch : code_points(text)) {
    int advance = 0, lsb = 0;
    stbtt_GetCodepointHMetrics(&font_->info, ch, &advance, &lsb);
    w += static_cast<int>(std::lround(advance * scale));
  }
  return w;
}

namespace {

// Renders `text` into a coverage bitmap (w × h) with the baseline at row `baseline`.
std::vector<float> rasterise(const stbtt_fontinfo& info, const std::string& text, float size_px, int& w,
                             int& h, int& baseline) {
  const float scale = stbtt_ScaleForPixelHeight(&info, size_px);
  int ascent = 0, descent = 0, gap = 0;
  stbtt_GetFontVMetrics(&info, &ascent, &descent, &gap);
  baseline = static_cast<int>(std::ceil(ascent * scale));
  h = baseline + static_cast<int>(std::ceil(-descent * scale)) + 1;
  w = 1;
  for (int ch : code_points(text)) {
    int advance = 0, lsb = 0;
    stbtt_GetCodepointHMetrics(&info, ch, &advance, &lsb);
    w += static_cast<int>(std::lround(advance * scale));
  }
  std::vector<float> cov(static_cast<std::size_t>(w) * h, 0.0f);
  int pen = 0;
  for (int ch : code_points(text)) {
    int advance = 0, lsb = 0, x0, y0, x1, y1;
    stbtt_GetCodepointHMetrics(&info, ch, &advance, &lsb);
    stbtt_GetCodepointBitmapBox(&info, ch, scale, scale, &x0, &y0, &x1, &y1);
    int gw = 0, gh = 0, xo = 0, yo = 0;
    unsigned char* glyph = stbtt_GetCodepointBitmap(&info, scale, scale, ch, &gw, &gh, &xo, &yo);
    for (int y = 0; y < gh; ++y)
      for (int x = 0; x < gw; ++x) {
        const int px = pen + xo + x, py = baseline + yo + y;
        if (px >= 0 && px < w && py >= 0 && py < h)
          cov[static_cast<std::size_t>(py) * w + px] = std::max(cov[static_cast<std::size_t>(py) * w + px], glyph[y * gw + x] / 255.0f);
      }
    stbtt_FreeBitmap(glyph, nullptr);
    pen += static_cast<int>(std::lround(advance * scale));
  }
  return cov;
}

}  // namespace

void TextRenderer::draw(Image& image, int x, int y, const std::string& text, float size_px, Rgb colour,
                        Align align) const {
  if (!font_ || text.empty()) return;
  int w = 0, h = 0, baseline = 0;
  const auto cov = rasterise(font_->info, text, size_px, w, h, baseline);
  const int left = align == Align::kLeft ? x : align == Align::kCentre ? x - w / 2 : x - w;
  for (int j = 0; j < h; ++j)
    for (int i = 0; i < w; ++i) image.blend(left + i, y - baseline + j, colour, cov[static_cast<std::size_t>(j) * w + i]);
}

void TextRenderer::draw_vertical(Image& image, int x, int y, const std::string& text, float size_px,
                                 Rgb colour) const {
  if (!font_ || text.empty()) return;
  int w = 0, h = 0, baseline = 0;
  const auto cov = rasterise(font_->info, text, size_px, w, h, baseline);
  // Rotate 90° anticlockwise: bitmap column i goes to image row y + w/2 − i.
  for (int j = 0; j < h; ++j)
    for (int i = 0; i < w; ++i)
      image.blend(x - baseline + j, y + w / 2 - i, colour, cov[static_cast<std::size_t>(j) * w + i]);
}

}  // namespace statenet
