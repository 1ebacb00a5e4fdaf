// The NS1 importer's readers: the metadata MAT file (the unit table) and a unit's spike MAT
// file (sets of repeats of spike times), beside 20 short stimulus WAVs.

#include <filesystem>

#include "audio/audio_file.h"
#include "audio/test_signals.h"
#include "data/ns1_import.h"
#include "importer_harness.h"
#include "support/original_files.h"

using namespace statenet;
using namespace statenet::test;

static fuzz::ImporterHarness harness;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness.src = fuzz::scratch_dir() + "/ns1";
  const std::string src = harness.src;
  write_mat(src + "/MetadataSHEnCneurons.mat",
            {mat_structs("neuron", {{{"singleT", mat_text("Yes")}, {"depth", mat_numbers({300})}, {"path", mat_text("u1.data.mat")}},
                                    {{"singleT", mat_text("No")}, {"depth", mat_numbers({300})}, {"path", mat_text("u2.data.mat")}}})});
  std::vector<MatFields> sets;
  for (int s = 0; s < 20; ++s)
    sets.push_back({{"repeats", mat_structs(nullptr, {{{"t", mat_numbers({1.0 + s, 250.5, 4990})}}, {{"t", mat_numbers({})}}})}});
  write_mat(src + "/spikesandwav/u1.data.mat", {mat_structs("data", {{{"set", mat_structs(nullptr, sets)}}})});
  const AudioBuffer tone = make_tone(1000, 0.5, 0.05, 48828);
  std::filesystem::create_directories(src + "/spikesandwav/SH.En.C");
  for (int s = 0; s < 20; ++s) {
    const bool first = s < 12;
    write_wav_float(src + "/spikesandwav/SH.En.C/source." + (first ? "1" : "2") + ".sound.0.snr.0.token.0.fw." +
                        (first ? "2" : "1") + ".frozen." + std::to_string(first ? s + 1 : s - 11),
                    tone);
  }
  harness.files = {"MetadataSHEnCneurons.mat", "spikesandwav/u1.data.mat"};
  harness.import = [](const std::string& src) {
    Ns1ImportOptions o;  // NS1's mel variant: the same files, and FFTW keeps each import fast here
    o.cochleagram_preset = "ns1-mel";
    return import_ns1(src, o);
  };
  harness.ready("ns1");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  harness.run(data, size);
  return 0;
}
