#pragma once
// Anti-aliased text for figure labels, from a TrueType font (Debian's
// fonts-dejavu-core). When the font file is missing, text is silently not drawn:
// the figure itself is still right.

#include <string>

#include "plot/image.h"

namespace statenet {

enum class Align { kLeft, kCentre, kRight };

class TextRenderer {
 public:
  // Loads STATENET_FONT_PATH (or $STATENET_FONT). [main thread]
  TextRenderer();
  ~TextRenderer();
  TextRenderer(const TextRenderer&) = delete;
  TextRenderer& operator=(const TextRenderer&) = delete;
  bool available() const { return font_ != nullptr; }

  // Draws `text` with its baseline at y, horizontally aligned at x.
  void draw(Image& image, int x, int y, const std::string& text, float size_px, Rgb colour,
            Align align = Align::kLeft) const;
  // Draws `text` rotated 90° anticlockwise (reading bottom to top), centred on
  // (x, y), the baseline to the right of x.
  void draw_vertical(Image& image, int x, int y, const std::string& text, float size_px, Rgb colour) const;
  int width(const std::string& text, float size_px) const;

 private:
  struct Font;
  Font* font_ = nullptr;
};

}  // namespace statenet
