#pragma once
// The interpretation report of `statenet interpret`, torch-free: from computed GradMaps and
// Dreams (interpret_maps.h), a folder with
//   interpret.h5     /gradmap, /dream [U, F, T], their energies [U, T], /dream_loss
//   summary.json     per kind the 95 %-energy memory length and the −60 dB energy extent of
//                    every unit (ms), their medians and maxima; GradMap-vs-true-STRF CCs
//   index.html       the pictures below, with the figures in words
//   *.png            energy by latency, memory distributions, a contact sheet of all units,
//                    one map per unit, and beside each true STRF when one is given
// Every file is written atomically.

#include <string>
#include <utility>
#include <vector>

#include "data/dataset.h"
#include "interpret/interpret_maps.h"

namespace statenet {

struct InterpretReportOptions {
  std::string model_path;   ///< named in the files
  bool energy = true;       ///< energy and memory pictures
  bool map_pictures = true; ///< GradMap pictures (Dream pictures are always drawn)
  const TruthArray* true_strf = nullptr;  ///< a simulation's /truth/strf [N, F, L], or none
  std::string true_strf_source;           ///< its file, for messages
};

struct MemoryFigures {
  double median_memory_ms = 0, max_memory_ms = 0;  ///< 95 % of the energy within
  double median_extent_ms = 0, max_extent_ms = 0;  ///< energy above −60 dB of its peak until
  double length_ms = 0;                            ///< of the null stimulus
};

struct InterpretReport {
  std::vector<std::pair<std::string, MemoryFigures>> kinds;  ///< "gradmap" and/or "dream"
  std::vector<double> gradmap_vs_true_strf_cc;               ///< per unit, when a true STRF was given
  std::string band_axis_note;  ///< why bands are labelled by index, when the front end is not a preset
};

// `results`: ("gradmap", maps) and/or ("dream", maps) of the same units. Checks the true
// STRF's shape before anything is written (std::runtime_error naming both shapes).
InterpretReport write_interpret_report(const std::string& dir, const std::vector<std::pair<std::string, InterpretMaps>>& results,
                                       const InterpretReportOptions& options);

// A labelled M × M similarity matrix (gradmap_similarity), the value printed in each cell.
void write_similarity_png(const std::string& path, const std::vector<std::string>& names, const std::vector<double>& similarity);

}  // namespace statenet
