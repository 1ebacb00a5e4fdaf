#pragma once
#include <string>

#include "plot/image.h"

namespace statenet {

enum class Colormap {
  kViridis,   ///< perceptually uniform, for magnitudes (cochleagrams, energies)
  kDiverging, ///< blue–white–red, centred on zero (GradMaps, Dreams)
};

// Colour of u ∈ [0, 1] (clamped).
Rgb colormap(Colormap map, double u);

}  // namespace statenet
