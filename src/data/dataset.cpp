#include "data/dataset.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "util/atomic_file.h"
#include "util/checked_size.h"
#include "util/reading_file.h"

namespace statenet {
namespace {

constexpr const char* kFormat = "statenet-dataset";
constexpr int kVersion = 1;

[[noreturn]] void bad(const std::string& context, const std::string& object, const std::string& problem) {
  throw std::runtime_error(context + ": " + object + ": " + problem);
}

std::string stimulus_path(std::size_t k) { return "/stimuli/" + stimulus_key(k); }

}  // namespace

std::string stimulus_key(std::size_t index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04zu", index);
  return buf;
}

bool Stimulus::heard_by(int unit) const {
  const float* r = unit_trials(unit);
  for (std::size_t i = 0; i < static_cast<std::size_t>(num_trials) * num_frames; ++i)
    if (!std::isnan(r[i])) return true;
  return false;
}

void validate_dataset(const Dataset& d, const std::string& ctx) {
  if (d.name.empty()) bad(ctx, "/", "attribute 'name' is empty");
  if (!(d.dt_ms > 0) || !std::isfinite(d.dt_ms)) bad(ctx, "/", "attribute 'dt_ms' must be positive, found " + std::to_string(d.dt_ms));
  if (d.freqs_hz.empty()) bad(ctx, "/freqs_hz", "no frequency bands");
  for (std::size_t f = 0; f < d.freqs_hz.size(); ++f) {
    if (!std::isfinite(d.freqs_hz[f]) || d.freqs_hz[f] < 0) bad(ctx, "/freqs_hz", "band " + std::to_string(f) + " is not a frequency");
  }
  if (d.unit_ids.empty()) bad(ctx, "/unit_ids", "no units");
  if (d.stimuli.empty()) bad(ctx, "/stimuli", "no stimuli");
  const std::size_t F = d.freqs_hz.size(), N = d.unit_ids.size();
  for (std::size_t k = 0; k < d.stimuli.size(); ++k) {
    const Stimulus& s = d.stimuli[k];
    const std::string p = stimulus_path(k);
    if (s.num_frames <= 0) bad(ctx, p, "has no time bins");
    if (s.num_trials <= 0) bad(ctx, p + "/responses", "has no trials");
    if (s.cochleagram.size() != F * static_cast<std::size_t>(s.num_frames)) {
      bad(ctx, p + "/cochleagram", "expected " + std::to_string(F) + " × " + std::to_string(s.num_frames) +
                                       " values, found " + std::to_string(s.cochleagram.size()));
    }
    for (std::size_t i = 0; i < s.cochleagram.size(); ++i) {
      if (!std::isfinite(s.cochleagram[i])) {
        bad(ctx, p + "/cochleagram", "non-finite value at band " + std::to_string(i / s.num_frames) + ", bin " +
                                         std::to_string(i % s.num_frames));
      }
    }
    const std::size_t expected = N * static_cast<std::size_t>(s.num_trials) * static_cast<std::size_t>(s.num_frames);
    if (s.responses.size() != expected) {
      bad(ctx, p + "/responses", "expected " + std::to_string(N) + " × " + std::to_string(s.num_trials) + " × " +
                                     std::to_string(s.num_frames) + " values, found " + std::to_string(s.responses.size()));
    }
    for (std::size_t i = 0; i < s.responses.size(); ++i) {
      if (std::isinf(s.responses[i])) bad(ctx, p + "/responses", "infinite value at flat index " + std::to_string(i));
    }
    if (!s.waveform.empty()) {
      if (!(s.waveform_rate_hz > 0)) bad(ctx, p + "/waveform", "attribute 'sample_rate' must be positive");
      for (float v : s.waveform)
        if (!std::isfinite(v)) bad(ctx, p + "/waveform", "non-finite sample");
    }
  }
  // Ground truth that readers index: per-stimulus arrays are [N, T_k] for a stimulus that
  // exists, the STRFs [N, F, L]; every array holds as many values as its shape says.
  for (const auto& [key, array] : d.truth) {
    const std::string where = "/truth/" + key;
    const std::optional<std::uint64_t> count = checked_product(array.shape);
    if (!count || *count != array.data.size()) bad(ctx, where, "shape " + shape_to_string(array.shape) + " does not match its values");
    const auto slash = key.rfind('/');
    if (slash != std::string::npos) {
      const std::string kind = key.substr(0, slash), stimulus = key.substr(slash + 1);
      std::size_t k = d.stimuli.size();
      for (std::size_t i = 0; i < d.stimuli.size(); ++i)
        if (stimulus_key(i) == stimulus) k = i;
      if (k == d.stimuli.size()) bad(ctx, where, "names no stimulus of the dataset");
      const Shape want = {N, static_cast<std::size_t>(d.stimuli[k].num_frames)};
      if (array.shape != want) bad(ctx, where, "expected shape " + shape_to_string(want) + ", found " + shape_to_string(array.shape));
    } else if (key == "strf") {
      if (array.shape.size() != 3 || array.shape[0] != N || array.shape[1] != F)
        bad(ctx, where, "expected shape [" + std::to_string(N) + ", " + std::to_string(F) + ", lags], found " + shape_to_string(array.shape));
    }
  }
}

void write_dataset(const std::string& path, const Dataset& d) {
  validate_dataset(d, path);
  AtomicFile out(path);
  H5File f = H5File::create(out.temp_path(), path);
  f.set_attribute("/", "format", kFormat);
  f.set_attribute("/", "version", kVersion);
  f.set_attribute("/", "name", d.name);
  f.set_attribute("/", "dt_ms", d.dt_ms);
  f.set_attribute("/", "cochleagram", d.cochleagram);
  for (const auto& [key, value] : d.attributes) f.set_attribute("/", key, value);
  f.write("/freqs_hz", {d.freqs_hz.size()}, d.freqs_hz.data());
  f.write_strings("/unit_ids", d.unit_ids);
  f.create_group("/stimuli");
  const std::uint64_t F = d.freqs_hz.size(), N = d.unit_ids.size();
  for (std::size_t k = 0; k < d.stimuli.size(); ++k) {
    const Stimulus& s = d.stimuli[k];
    const std::string p = stimulus_path(k);
    const std::uint64_t T = static_cast<std::uint64_t>(s.num_frames), R = static_cast<std::uint64_t>(s.num_trials);
    f.create_group(p);
    f.set_attribute(p, "name", s.name);
    f.write(p + "/cochleagram", {F, T}, s.cochleagram.data());
    f.write(p + "/responses", {N, R, T}, s.responses.data(), /*compress=*/true);
    if (!s.waveform.empty()) {
      f.write(p + "/waveform", {s.waveform.size()}, s.waveform.data(), /*compress=*/true);
      f.set_attribute(p + "/waveform", "sample_rate", s.waveform_rate_hz);
    }
  }
  if (!d.truth.empty() || !d.truth_attributes.empty()) {
    f.create_group("/truth");
    for (const auto& [key, value] : d.truth_attributes) f.set_attribute("/truth", key, value);
    for (const auto& [key, array] : d.truth) {
      // Create intermediate groups of "a/b/c".
      std::size_t pos = 0;
      while ((pos = key.find('/', pos)) != std::string::npos) {
        const std::string group = "/truth/" + key.substr(0, pos);
        if (!f.exists(group)) f.create_group(group);
        ++pos;
      }
      f.write("/truth/" + key, array.shape, array.data.data(), /*compress=*/true);
    }
  }
  f.close();
  out.commit();
}

namespace {

void read_truth(const H5File& f, const std::string& group, const std::string& prefix, Dataset& d) {
  for (const auto& child : f.children(group)) {
    const std::string path = group + "/" + child;
    const std::string key = prefix.empty() ? child : prefix + "/" + child;
    if (f.is_group(path)) {
      read_truth(f, path, key, d);
    } else {
      TruthArray a;
      a.data = f.read_f32(path, &a.shape);
      d.truth[key] = std::move(a);
    }
  }
}

}  // namespace

Dataset read_dataset(const std::string& path, const ReadOptions& options) {
  const ReadingFile reading(path);
  H5File f = H5File::open(path);
  Dataset d;
  if (!f.has_attribute("/", "format") || f.string_attribute("/", "format") != kFormat) {
    f.fail("/", std::string("not a statenet dataset (root attribute format must be \"") + kFormat + "\")");
  }
  const double version = f.number_attribute("/", "version");
  if (version != kVersion) {
    char found[32];  // any double the file holds (a cast to int of 1e308 or NaN is undefined)
    std::snprintf(found, sizeof found, "%g", version);
    f.fail("/", "format version " + std::string(found) + " is not supported (this statenet reads " + std::to_string(kVersion) + ")");
  }
  d.name = f.string_attribute("/", "name");
  d.dt_ms = f.number_attribute("/", "dt_ms");
  d.cochleagram = f.string_attribute("/", "cochleagram");
  for (const auto& key : f.attribute_names("/")) {
    if (key == "format" || key == "version" || key == "name" || key == "dt_ms" || key == "cochleagram") continue;
    if (f.attribute_is_string("/", key)) d.attributes[key] = f.string_attribute("/", key);
  }

  Shape shape;
  d.freqs_hz = f.read_f64("/freqs_hz", &shape);
  if (shape.size() != 1) f.fail("/freqs_hz", "expected rank 1 [F], found shape " + shape_to_string(shape));
  d.unit_ids = f.read_strings("/unit_ids");
  const std::uint64_t F = d.freqs_hz.size(), N = d.unit_ids.size();

  const auto keys = f.children("/stimuli");
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (keys[k] != stimulus_key(k)) {
      f.fail("/stimuli", "expected group " + stimulus_key(k) + " (zero-padded, in order), found " + keys[k]);
    }
    const std::string p = stimulus_path(k);
    Stimulus s;
    s.name = f.string_attribute(p, "name");
    s.cochleagram = f.read_f32(p + "/cochleagram", &shape);
    if (shape.size() != 2) f.fail(p + "/cochleagram", "expected rank 2 [F, T], found shape " + shape_to_string(shape));
    if (shape[0] != F) {
      f.fail(p + "/cochleagram", "has " + std::to_string(shape[0]) + " bands but /freqs_hz has " + std::to_string(F));
    }
    s.num_frames = static_cast<std::int64_t>(shape[1]);
    s.responses = f.read_f32(p + "/responses", &shape);
    if (shape.size() != 3) f.fail(p + "/responses", "expected rank 3 [N, R, T], found shape " + shape_to_string(shape));
    if (shape[0] != N) {
      f.fail(p + "/responses", "has " + std::to_string(shape[0]) + " units but /unit_ids has " + std::to_string(N));
    }
    if (static_cast<std::int64_t>(shape[2]) != s.num_frames) {
      f.fail(p + "/responses", "has " + std::to_string(shape[2]) + " time bins but the cochleagram has " +
                                   std::to_string(s.num_frames));
    }
    s.num_trials = static_cast<int>(shape[1]);
    if (options.waveforms && f.exists(p + "/waveform")) {
      s.waveform = f.read_f32(p + "/waveform", &shape);
      if (shape.size() != 1) f.fail(p + "/waveform", "expected rank 1, found shape " + shape_to_string(shape));
      s.waveform_rate_hz = f.number_attribute(p + "/waveform", "sample_rate");
    }
    d.stimuli.push_back(std::move(s));
  }
  if (options.truth && f.is_group("/truth")) {
    read_truth(f, "/truth", "", d);
    for (const auto& key : f.attribute_names("/truth"))
      if (f.attribute_is_string("/truth", key)) d.truth_attributes[key] = f.string_attribute("/truth", key);
  }
  validate_dataset(d, path);
  return d;
}

}  // namespace statenet
