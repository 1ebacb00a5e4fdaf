// The AA1 importer's readers (CRCNS aa-1 text layout): the per-cell stimulus and spike
// files of a small MLd folder.

#include "audio/test_signals.h"
#include "data/aa1_import.h"
#include "importer_harness.h"
#include "support/original_files.h"

using namespace statenet;

static fuzz::ImporterHarness harness;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness.src = fuzz::scratch_dir() + "/aa1";
  test::write_pcm16(harness.src + "/all_stims/conspecific/A.wav", make_tone(2000, 0.3, 0.1, 32000));
  const std::string cell = "MLd_cells/bird1_1/conspecific/";
  test::write_text(harness.src + "/" + cell + "stim1", "A.wav\n");
  test::write_text(harness.src + "/" + cell + "spike1", "10.5 20 -5 \n30 \n\n");
  harness.files = {cell + "spike1", cell + "stim1"};
  harness.import = [](const std::string& src) { return import_aa1(src); };
  harness.ready("aa1");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  harness.run(data, size);
  return 0;
}
