#include "cochleagram_io.h"

#include <stdexcept>

#include "data/h5_file.h"
#include "plot/heatmap.h"
#include "util/atomic_file.h"

namespace statenet {

void write_cochleagram_png(const std::string& path, const Cochleagram& c, const CochleagramInfo& info) {
  HeatmapOptions o;
  o.title = info.source + "  —  preset " + info.preset;
  o.x_step = 1.0 / c.frame_rate_hz;
  o.row_values = c.centre_frequencies_hz;
  o.colour_label = info.value_label.empty() ? "compressed level" : info.value_label;
  write_png(path, render_heatmap(c.values.data(), c.num_bands, static_cast<long>(c.num_frames), o));
}

void write_cochleagram_h5(const std::string& path, const Cochleagram& c, const CochleagramInfo& info) {
  AtomicFile out(path);
  H5File f = H5File::create(out.temp_path(), out.final_path());
  f.write("/cochleagram", {static_cast<std::uint64_t>(c.num_bands), static_cast<std::uint64_t>(c.num_frames)}, c.values.data());
  f.write("/freqs_hz", {c.centre_frequencies_hz.size()}, c.centre_frequencies_hz.data());
  f.set_attribute("/", "format", "statenet-cochleagram");
  f.set_attribute("/", "version", 1.0);
  f.set_attribute("/", "preset", info.preset);
  f.set_attribute("/", "front_end", info.front_end);
  f.set_attribute("/", "source", info.source);
  f.set_attribute("/", "sample_rate_hz", info.sample_rate_hz);
  f.set_attribute("/", "hop_samples", info.hop_samples);
  f.set_attribute("/", "frame_rate_hz", c.frame_rate_hz);
  f.close();
  out.commit();
}

}  // namespace statenet
