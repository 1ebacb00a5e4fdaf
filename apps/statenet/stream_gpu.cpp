// `statenet stream --gpu`: many files through one StateNet-GRU at once, one GPU step per
// frame index for all of them (GpuGruStep). Each file has its own front end on the CPU and
// its own hidden state on the GPU; files that end early are fed their front end's silence
// until the longest ends, and only their own frames are written.

#include "stream_gpu.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "cochlea/presets.h"
#include "stream/file_input.h"
#include "stream/prediction_writers.h"
#include "util/atomic_file.h"
#ifdef STATENET_WITH_GPU
#include "gpu/gpu_gru_step.h"
#endif

namespace statenet {
namespace {

void check_options(const GpuStreamOptions& o) {
  if (o.inputs.empty()) throw std::runtime_error("--gpu: give the files to stream with --inputs a.wav,b.wav,…");
  if (o.copies < 1) throw std::runtime_error("--copies " + std::to_string(o.copies) + ": expected at least 1");
  // One output file per input, named after it: two inputs must not share a name.
  for (std::size_t i = 0; i < o.inputs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (std::filesystem::path(o.inputs[i]).stem() == std::filesystem::path(o.inputs[j]).stem())
        throw std::runtime_error("--inputs: " + o.inputs[j] + " and " + o.inputs[i] + " would write the same output " +
                                 std::filesystem::path(o.inputs[i]).stem().string() + ".f32");
}

}  // namespace

#ifdef STATENET_WITH_GPU
namespace {

// Collects the frames one front end completes during one process() call.
struct FrameCollector final : FrameSink {
  std::vector<float> frames;  // appended rows of F
  int bands = 0;
  void on_frame(std::int64_t, const float* b) noexcept override { frames.insert(frames.end(), b, b + bands); }
};

}  // namespace

void run_stream_gpu(const GpuStreamOptions& o, const CochleagramPreset& preset) {
  check_options(o);
  const GruStepWeights weights = read_gru_step_weights(o.model);
  // Every file's whole cochleagram first (the front end is the CPU's part, as in `stream`).
  std::vector<std::vector<float>> frames;  // per input: [T_i, F] frame-major
  const int F = weights.num_bands, N = weights.num_units;
  double hop_s = 0;
  for (const std::string& path : o.inputs) {
    const AudioBuffer audio = load_for_preset(path, preset);
    auto front_end = make_front_end(preset);
    hop_s = front_end->hop_samples() / front_end->sample_rate_hz();
    FrameCollector c;
    c.bands = F;
    front_end->process(audio.samples.data(), audio.samples.size(), c);
    frames.push_back(std::move(c.frames));
  }
  const int files = static_cast<int>(o.inputs.size()), B = files * o.copies;
  GpuGruStep gpu(weights, B);
  std::int64_t longest = 0;
  for (const auto& f : frames) longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(f.size() / F));
  const float silence = make_front_end(preset)->silence_value();
  float* x = gpu.frames_buffer();       // [B, F], pinned: written here, read by the GPU
  const float* y = gpu.rates_buffer();  // [B, N]
  std::vector<std::vector<float>> rates(files);  // per file (first copy): [T_i, N]
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t t = 0; t < longest; ++t) {
    for (int s = 0; s < B; ++s) {
      const auto& f = frames[s % files];
      float* dst = x + static_cast<std::size_t>(s) * F;
      if (static_cast<std::int64_t>(f.size() / F) > t) std::copy_n(f.data() + static_cast<std::size_t>(t) * F, F, dst);
      else std::fill_n(dst, F, silence);
    }
    gpu.step();
    for (int i = 0; i < files; ++i)
      if (static_cast<std::int64_t>(frames[i].size() / F) > t)
        rates[i].insert(rates[i].end(), y + static_cast<std::size_t>(i) * N, y + static_cast<std::size_t>(i + 1) * N);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!o.output_dir.empty()) {
    std::filesystem::create_directories(o.output_dir);
    for (int i = 0; i < files; ++i) {
      const std::string stem = o.output_dir + "/" + std::filesystem::path(o.inputs[i]).stem().string();
      AtomicFile out(stem + ".f32");
      std::ofstream f(out.temp_path(), std::ios::binary);
      f.write(reinterpret_cast<const char*>(rates[i].data()), static_cast<std::streamsize>(rates[i].size() * sizeof(float)));
      f.close();
      if (!f) throw std::runtime_error(stem + ".f32: write failed");
      out.commit();
      write_f32_sidecar(stem + ".f32", static_cast<std::int64_t>(rates[i].size() / N), N, hop_s);
    }
  }
  std::printf("streamed %d file(s) × %d cop%s = %d streams, %lld frames each, on %s in %.3f s: %.3g stream-steps/s, %.1f µs per step\n",
              files, o.copies, o.copies == 1 ? "y" : "ies", B, static_cast<long long>(longest), gpu.device_name().c_str(), wall,
              static_cast<double>(B) * longest / wall, wall / std::max<std::int64_t>(longest, 1) * 1e6);
  if (!o.output_dir.empty()) std::printf("wrote %d prediction files (.f32 + .json) to %s\n", files, o.output_dir.c_str());
}

#else

void run_stream_gpu(const GpuStreamOptions& o, const CochleagramPreset&) {
  check_options(o);
  throw std::runtime_error("--gpu: this build has no CUDA (configure where nvcc is found; docs/gpu.md)");
}

#endif

}  // namespace statenet
