// The MATLAB reader every importer goes through (libmatio behind MatFile, mat_field,
// mat_string, mat_numbers): opens any bytes as a MAT file and walks the variables the
// importers read, every struct element and field down to six levels, through our accessors.

#include <matio.h>

#include "data/mat_file.h"
#include "fuzz_support.h"
#include "support/original_files.h"

using namespace statenet;

namespace {

void walk(const MatFile& f, const matvar_t* v, const std::string& where, int depth) {
  if (!v || depth > 6) return;
  if (mat_is_struct(v)) {
    const unsigned fields = Mat_VarGetNumberOfFields(const_cast<matvar_t*>(v));
    char* const* names = Mat_VarGetStructFieldnames(v);
    const std::size_t n = std::min<std::size_t>(mat_numel(v), 64);
    for (std::size_t i = 0; i < n; ++i)
      for (unsigned k = 0; k < fields && names; ++k) {
        if (!names[k]) continue;
        try {
          walk(f, mat_field(f, v, names[k], i, where), where + "." + names[k], depth + 1);
        } catch (const std::exception&) {
        }
      }
    return;
  }
  try {
    mat_string(f, v, where);
  } catch (const std::exception&) {
  }
  try {
    mat_numbers(f, v, where);
  } catch (const std::exception&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string seed = fuzz::scratch_dir() + "/seed.mat";
  test::write_mat(seed, {test::mat_structs("neuron", {{{"singleT", test::mat_text("Yes")}, {"depth", test::mat_numbers({120})},
                                                       {"path", test::mat_text("a/b.data.mat")}}}),
                         test::mat_structs("data", {{{"set", test::mat_structs(nullptr, {{{"repeats", test::mat_structs(nullptr, {{{"t", test::mat_numbers({1.5, 20, 300})}}})}}})}}}),
                         test::mat_structs("response", {{{"trace", test::mat_numbers({1, 2, 3, 4})}, {"scale", test::mat_numbers({0.1})}, {"sf", test::mat_numbers({4000})}}})});
  fuzz::offer_seed("structs.matv5", fuzz::read_bytes(seed));  // not .mat: a made-up file, not a recording
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_dir() + "/input.mat";
  fuzz::write_bytes(path, data, size);
  try {
    MatFile f(path);
    for (const char* name : {"neuron", "data", "response", "triggers", "stimulus", "param"}) {
      try {
        walk(f, f.variable(name), name, 0);
      } catch (const std::exception&) {
      }
    }
  } catch (const std::exception&) {
  }
  return 0;
}
