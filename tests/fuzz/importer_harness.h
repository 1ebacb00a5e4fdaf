#pragma once
// An importer harness: a valid source folder in the dataset's original layout is written
// once; each input replaces one of its files (the first byte picks which, the rest are the
// file's bytes), the importer runs on the folder, and the valid file is put back.

#include <functional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "fuzz_support.h"

namespace statenet::fuzz {

struct ImporterHarness {
  std::string src;                  ///< the source folder
  std::vector<std::string> files;   ///< paths (under src) of the files inputs replace
  std::function<Dataset(const std::string& src)> import;
  std::vector<std::string> valid;   ///< their valid bytes

  // Call after the layout is written: keeps the valid files, checks the importer accepts the
  // layout (a harness that never reaches the importer's end would test little) and offers
  // one seed per file.
  void ready(const std::string& seed_prefix) {
    for (const auto& f : files) valid.push_back(read_bytes(src + "/" + f));
    try {
      import(src);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "the harness's valid layout is refused: %s\n", e.what());
      std::abort();
    }
    for (std::size_t k = 0; k < files.size(); ++k)
      offer_seed(seed_prefix + "-" + std::to_string(k), std::string(1, static_cast<char>(k)) + valid[k]);
  }

  void run(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    const std::size_t k = data[0] % files.size();
    write_bytes(src + "/" + files[k], data + 1, size - 1);
    try {
      import(src);
    } catch (const std::exception&) {
    }
    write_bytes(src + "/" + files[k], valid[k]);
  }
};

}  // namespace statenet::fuzz
