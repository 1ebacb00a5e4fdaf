#pragma once
// A small NAT4 source folder in the NEMS layout (docs/datasets.md, NAT4): the A1 recording's
// population response and stimulus CSVs with their JSON and epoch tables, the correlation
// table, and one site's per-unit spike times (HDF5) for the validation sound's 3 repeats.
// Used by the importer test, the train command's test and the NAT4 fuzz harness.

#include <string>

namespace statenet::test {

// Sound k covers bins [k·sound_bins, (k + 1)·sound_bins) at 100 Hz: sound 0 is the validation
// sound STIM_00catA, sounds 1 … estimation_sounds are estimation sounds. Three units, the
// third not auditory; the population response of unit 0 is t % 7, of unit 1 t·0.5 (t in
// bins), of unit 2 NaN. Site SITE01a holds spikes of units 0 and 1 at 0.5, 1.5 and 12.5 ms
// of the first repeat, 10.5 ms into the second and 0.1 ms before the end of the third.
void write_nat4_layout(const std::string& src, int sound_bins, int estimation_sounds);

}  // namespace statenet::test
