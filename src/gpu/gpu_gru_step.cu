// The batched StateNet-GRU step on a CUDA GPU (see gpu_gru_step.h).
// Layout: a block of 256 threads advances S streams (1, 8, 16 or 32); a thread owns one row
// (hidden unit, gate row, output unit) for all S of them, so a warp reads 32 adjacent rows of
// the transposed weights (W^T[k][row]) in one load and each weight feeds S accumulators.
// Arithmetic in float32 with accurate expf/tanhf.

#include "gpu/gpu_gru_step.h"

#include <cuda_runtime.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace statenet {
namespace {

// Streams per block beyond 4096 streams, where 8 sharing each weight read was the faster on an
// H200; up to 4096 every stream gets a block of its own (more blocks, shorter per-thread work).
constexpr int kStreamsPerBlock = 8;
constexpr int kThreadsPerBlock = 256;

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(status));
}

enum OutputKind : int { kIdentity = 0, kDoubleExponential = 1, kSigmoid = 2 };

struct DeviceWeights {
  const float* first_t;    // [F][H]
  const float* first_b;    // [H]
  const float* ih_t;       // [H][3H]
  const float* ih_b;       // [3H]
  const float* hh_t;       // [H][3H]
  const float* hh_b;       // [3H]
  const float* readout_t;  // [H][N]
  const float* readout_b;  // [N]
  const float* output;     // [4][N]
  int F, H, N, output_kind;
};

__host__ __device__ __forceinline__ float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

// A read-only weight: through the read-only data cache on the GPU, a plain load on the host.
__host__ __device__ __forceinline__ float weight(const float* p) {
#ifdef __CUDA_ARCH__
  return __ldg(p);
#else
  return *p;
#endif
}

constexpr int kPhases = 5;
constexpr int kSharedPad = 4;  // floats after each shared array (block_phase)

// Shared memory of one block, in floats: x, u, h, gi, gh for S streams, each padded.
size_t shared_floats(int S, int F, int H) { return static_cast<size_t>(S) * (F + 8 * H) + 5 * kSharedPad; }

// Phase `phase` of one block's step, as thread `tid` of `threads` runs it: the kernel runs the
// phases with a barrier between them; emulate_gpu_gru_step runs each phase for every thread
// in turn on the CPU. Streams [block·S, +S): frames [B][F] → hidden [B][H] (in place) → rates [B][N].
// A thread owns one row (hidden unit, gate row or output unit) for all S streams of its block:
// each weight is read once per block and feeds S independent accumulators; the S inputs it
// meets are the same for the whole warp (a shared-memory broadcast). Every sum runs over its
// index in order from the bias, as in the CPU engine.
template <int S>
__host__ __device__ void block_phase(int phase, const DeviceWeights& w, const float* __restrict__ frames, float* __restrict__ hidden,
                                     float* __restrict__ rates, int streams, int block, int tid, int threads, float* shared) {
  const int F = w.F, H = w.H, N = w.N, G = 3 * H;
  const int first_stream = block * S;
  const int count = min(S, streams - first_stream);
  // Each array is followed by kSharedPad floats: the compiler may load a few elements past the
  // end of an unrolled loop and drop them, and such a load must not touch the next array
  // while another thread writes it (compute-sanitizer's racecheck reported exactly that for
  // x → u in phase 1 before the padding).
  float* x = shared;                // [S][F]
  float* u = x + S * F + kSharedPad;   // [S][H]
  float* h = u + S * H + kSharedPad;   // [S][H]
  float* gi = h + S * H + kSharedPad;  // [S][3H]
  float* gh = gi + S * G + kSharedPad; // [S][3H]
  switch (phase) {
    case 0:  // this block's frames and hidden states into shared memory (zeros past the last stream)
      for (int i = tid; i < S * F; i += threads) x[i] = i < count * F ? frames[static_cast<size_t>(first_stream) * F + i] : 0.0f;
      for (int i = tid; i < S * H; i += threads) h[i] = i < count * H ? hidden[static_cast<size_t>(first_stream) * H + i] : 0.0f;
      return;
    case 1:  // u = σ(W₁x + b₁): LC/FC/CONV with batch norm folded, then the paper's sigmoid
      for (int j = tid; j < H; j += threads) {
        float acc[S];
        for (int s = 0; s < S; ++s) acc[s] = w.first_b[j];
#ifdef __CUDA_ARCH__
#pragma unroll 4
#endif
        for (int f = 0; f < F; ++f) {
          const float wf = weight(w.first_t + f * H + j);
          for (int s = 0; s < S; ++s) acc[s] = fmaf(wf, x[s * F + f], acc[s]);
        }
        for (int s = 0; s < S; ++s) u[s * H + j] = sigmoid(acc[s]);  // past the last stream too: phase 2 reads all S
      }
      return;
    case 2:  // gate pre-activations: gi = W_ih u + b_ih, gh = W_hh h + b_hh (rows r, z, n)
      for (int r = tid; r < G; r += threads) {
        float a[S], b[S];
        for (int s = 0; s < S; ++s) {
          a[s] = w.ih_b[r];
          b[s] = w.hh_b[r];
        }
#ifdef __CUDA_ARCH__
#pragma unroll 4
#endif
        for (int k = 0; k < H; ++k) {
          const float wi = weight(w.ih_t + k * G + r), wh = weight(w.hh_t + k * G + r);
          for (int s = 0; s < S; ++s) {
            a[s] = fmaf(wi, u[s * H + k], a[s]);
            b[s] = fmaf(wh, h[s * H + k], b[s]);
          }
        }
        for (int s = 0; s < count; ++s) {
          gi[s * G + r] = a[s];
          gh[s * G + r] = b[s];
        }
      }
      return;
    case 3:  // PyTorch's GRU: r, z = σ(·), n = tanh(gi_n + r ⊙ gh_n), h ← n + z ⊙ (h − n)
      for (int i = tid; i < H * S; i += threads) {
        const int s = i / H, j = i % H;
        if (s >= count) continue;
        const float* a = gi + s * G;
        const float* b = gh + s * G;
        const float r = sigmoid(a[j] + b[j]);
        const float z = sigmoid(a[H + j] + b[H + j]);
        const float n = tanhf(a[2 * H + j] + r * b[2 * H + j]);
        const float next = n + z * (h[s * H + j] - n);
        h[s * H + j] = next;
        hidden[static_cast<size_t>(first_stream + s) * H + j] = next;
      }
      return;
    case 4:  // y = R h + b_R, then the per-unit output nonlinearity
      for (int k = tid; k < N; k += threads) {
        float y[S];
        for (int s = 0; s < S; ++s) y[s] = w.readout_b[k];
#ifdef __CUDA_ARCH__
#pragma unroll 4
#endif
        for (int j = 0; j < H; ++j) {
          const float wr = weight(w.readout_t + j * N + k);
          for (int s = 0; s < S; ++s) y[s] = fmaf(wr, h[s * H + j], y[s]);
        }
        const float p0 = w.output[k], p1 = w.output[N + k], p2 = w.output[2 * N + k], p3 = w.output[3 * N + k];
        for (int s = 0; s < count; ++s) {
          float v = y[s];
          if (w.output_kind == kDoubleExponential) v = p0 * expf(-expf(p2 * v - p3)) + p1;  // paper eq. 1
          else if (w.output_kind == kSigmoid) v = p0 / (1.0f + expf(-(v - p1) / p2));
          rates[static_cast<size_t>(first_stream + s) * N + k] = v;
        }
      }
      return;
  }
}

template <int S>
__global__ void __launch_bounds__(kThreadsPerBlock) gru_step_kernel(DeviceWeights w, const float* __restrict__ frames,
                                                                     float* __restrict__ hidden, float* __restrict__ rates, int streams) {
  extern __shared__ float shared[];
  for (int phase = 0; phase < kPhases; ++phase) {
    block_phase<S>(phase, w, frames, hidden, rates, streams, blockIdx.x, threadIdx.x, blockDim.x, shared);
    __syncthreads();
  }
}

// Row-major [rows][cols] → [cols][rows].
std::vector<float> transposed(const std::vector<float>& m, int rows, int cols) {
  std::vector<float> t(m.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) t[static_cast<size_t>(c) * rows + r] = m[static_cast<size_t>(r) * cols + c];
  return t;
}

// The weight arrays in the kernel's layout, transposed so that a warp's rows are adjacent.
std::vector<std::vector<float>> kernel_arrays(const GruStepWeights& w) {
  const int F = w.num_bands, H = w.hidden, N = w.num_units, G = 3 * H;
  return {transposed(w.first_weight, H, F), w.first_bias, transposed(w.weight_ih, G, H), w.bias_ih, transposed(w.weight_hh, G, H),
          w.bias_hh, transposed(w.readout_weight, N, H), w.readout_bias, w.output_params};
}

DeviceWeights view_of(const std::vector<const float*>& where, const GruStepWeights& w) {
  const int kind = w.output == Nonlinearity::kDoubleExponential ? kDoubleExponential : w.output == Nonlinearity::kSigmoid ? kSigmoid : kIdentity;
  return DeviceWeights{where[0], where[1], where[2], where[3], where[4], where[5], where[6], where[7], where[8],
                       w.num_bands, w.hidden, w.num_units, kind};
}

// One stream per block up to 4096 streams, 8 beyond: the faster on an H200 (docs/gpu.md).
int streams_per_block(int streams) { return streams <= 4096 ? 1 : kStreamsPerBlock; }

}  // namespace

void emulate_gpu_gru_step(const GruStepWeights& w, int streams, const float* frames, float* hidden, float* rates, int per_block) {
  const std::vector<std::vector<float>> arrays = kernel_arrays(w);
  std::vector<const float*> where;
  for (const auto& a : arrays) where.push_back(a.data());
  const DeviceWeights view = view_of(where, w);
  const int S = per_block != 0 ? per_block : streams_per_block(streams), blocks = (streams + S - 1) / S;
  if (S != 1 && S != 8 && S != 16 && S != 32) throw std::runtime_error("emulate_gpu_gru_step: streams per block " + std::to_string(S));
  std::vector<float> shared(shared_floats(S, w.num_bands, w.hidden));
  for (int block = 0; block < blocks; ++block)
    for (int phase = 0; phase < kPhases; ++phase)
      for (int tid = 0; tid < kThreadsPerBlock; ++tid) {
        float* sh = shared.data();
        if (S == 1) block_phase<1>(phase, view, frames, hidden, rates, streams, block, tid, kThreadsPerBlock, sh);
        else if (S == 8) block_phase<8>(phase, view, frames, hidden, rates, streams, block, tid, kThreadsPerBlock, sh);
        else if (S == 16) block_phase<16>(phase, view, frames, hidden, rates, streams, block, tid, kThreadsPerBlock, sh);
        else block_phase<32>(phase, view, frames, hidden, rates, streams, block, tid, kThreadsPerBlock, sh);
      }
}

struct GpuGruStep::State {
  int streams = 0, F = 0, H = 0, N = 0, device = 0;
  size_t shared_bytes = 0;
  float* weights = nullptr;  // every weight array, one allocation
  DeviceWeights view{};
  float *frames = nullptr, *hidden = nullptr, *rates = nullptr;       // device
  float *frames_host = nullptr, *rates_host = nullptr;                // pinned
  cudaStream_t stream = nullptr;
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t graph_exec = nullptr;

  ~State() {
    if (graph_exec) cudaGraphExecDestroy(graph_exec);
    if (graph) cudaGraphDestroy(graph);
    if (stream) cudaStreamDestroy(stream);
    cudaFree(weights);
    cudaFree(frames);
    cudaFree(hidden);
    cudaFree(rates);
    cudaFreeHost(frames_host);
    cudaFreeHost(rates_host);
  }
};

std::string GpuGruStep::device_problem() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) return std::string("no usable CUDA device (") + cudaGetErrorString(status) + ")";
  if (count == 0) return "no CUDA device";
  return "";
}

GpuGruStep::GpuGruStep(const GruStepWeights& w, int streams, GpuGruStepOptions options) : state_(std::make_unique<State>()) {
  const std::string problem = device_problem();
  if (!problem.empty()) throw std::runtime_error("GPU step: " + problem);
  if (streams < 1) throw std::runtime_error("GPU step: streams must be at least 1, got " + std::to_string(streams));
  const int S_asked = options.streams_per_block;
  if (S_asked != 0 && S_asked != 1 && S_asked != 8 && S_asked != 16 && S_asked != 32)
    throw std::runtime_error("GPU step: streams per block must be 0 (automatic), 1, 8, 16 or 32, got " + std::to_string(S_asked));
  State& st = *state_;
  st.streams = streams;
  st.F = w.num_bands;
  st.H = w.hidden;
  st.N = w.num_units;
  const int F = st.F, H = st.H, N = st.N;
  check(cudaGetDevice(&st.device), "cudaGetDevice");

  const std::vector<std::vector<float>> arrays = kernel_arrays(w);
  size_t total = 0;
  for (const auto& a : arrays) total += a.size();
  check(cudaMalloc(&st.weights, total * sizeof(float)), "cudaMalloc (weights)");
  std::vector<const float*> where;
  size_t offset = 0;
  for (const auto& a : arrays) {
    check(cudaMemcpy(st.weights + offset, a.data(), a.size() * sizeof(float), cudaMemcpyHostToDevice), "cudaMemcpy (weights)");
    where.push_back(st.weights + offset);
    offset += a.size();
  }
  st.view = view_of(where, w);

  const size_t B = static_cast<size_t>(streams);
  if (!options.zero_copy) check(cudaMalloc(&st.frames, B * F * sizeof(float)), "cudaMalloc (frames)");
  check(cudaMalloc(&st.hidden, B * H * sizeof(float)), "cudaMalloc (hidden states)");
  if (!options.zero_copy) check(cudaMalloc(&st.rates, B * N * sizeof(float)), "cudaMalloc (rates)");
  // Pinned host buffers; mapped into the device's address space for the zero-copy kernel.
  const unsigned host_flags = options.zero_copy ? cudaHostAllocMapped : cudaHostAllocDefault;
  check(cudaHostAlloc(&st.frames_host, B * F * sizeof(float), host_flags), "cudaHostAlloc (frames)");
  check(cudaHostAlloc(&st.rates_host, B * N * sizeof(float), host_flags), "cudaHostAlloc (rates)");
  float* kernel_frames = st.frames;
  float* kernel_rates = st.rates;
  if (options.zero_copy) {
    check(cudaHostGetDevicePointer(reinterpret_cast<void**>(&kernel_frames), st.frames_host, 0), "cudaHostGetDevicePointer (frames)");
    check(cudaHostGetDevicePointer(reinterpret_cast<void**>(&kernel_rates), st.rates_host, 0), "cudaHostGetDevicePointer (rates)");
  }
  check(cudaMemset(st.hidden, 0, B * H * sizeof(float)), "cudaMemset");

  const int per_block = options.streams_per_block != 0 ? options.streams_per_block : streams_per_block(streams);
  st.shared_bytes = shared_floats(per_block, F, H) * sizeof(float);
  int max_shared = 0;
  check(cudaDeviceGetAttribute(&max_shared, cudaDevAttrMaxSharedMemoryPerBlockOptin, st.device), "cudaDeviceGetAttribute");
  if (st.shared_bytes > static_cast<size_t>(max_shared))
    throw std::runtime_error("GPU step: hidden size " + std::to_string(H) + " needs " + std::to_string(st.shared_bytes) +
                             " bytes of shared memory per block, the device has " + std::to_string(max_shared));
  const auto kernel = per_block == 1 ? gru_step_kernel<1>
                      : per_block == 8  ? gru_step_kernel<8>
                      : per_block == 16 ? gru_step_kernel<16>
                                        : gru_step_kernel<32>;
  check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(st.shared_bytes)),
        "cudaFuncSetAttribute");

  // One graph per step: (frames in,) the fused kernel(, rates out).
  check(cudaStreamCreateWithFlags(&st.stream, cudaStreamNonBlocking), "cudaStreamCreate");
  const int blocks = (streams + per_block - 1) / per_block;
  check(cudaStreamBeginCapture(st.stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
  if (!options.zero_copy) cudaMemcpyAsync(st.frames, st.frames_host, B * F * sizeof(float), cudaMemcpyHostToDevice, st.stream);
  kernel<<<blocks, kThreadsPerBlock, st.shared_bytes, st.stream>>>(st.view, kernel_frames, st.hidden, kernel_rates, streams);
  if (!options.zero_copy) cudaMemcpyAsync(st.rates_host, st.rates, B * N * sizeof(float), cudaMemcpyDeviceToHost, st.stream);
  check(cudaStreamEndCapture(st.stream, &st.graph), "cudaStreamEndCapture");
  check(cudaGraphInstantiate(&st.graph_exec, st.graph, 0), "cudaGraphInstantiate");
}

GpuGruStep::~GpuGruStep() = default;

int GpuGruStep::streams() const { return state_->streams; }
int GpuGruStep::num_bands() const { return state_->F; }
int GpuGruStep::num_units() const { return state_->N; }

void GpuGruStep::reset() {
  check(cudaMemsetAsync(state_->hidden, 0, static_cast<size_t>(state_->streams) * state_->H * sizeof(float), state_->stream), "cudaMemset");
  check(cudaStreamSynchronize(state_->stream), "cudaStreamSynchronize");
}

void GpuGruStep::step() {
  State& st = *state_;
  check(cudaGraphLaunch(st.graph_exec, st.stream), "cudaGraphLaunch");
  check(cudaStreamSynchronize(st.stream), "step");
}

void GpuGruStep::step(const float* frames, float* rates) {
  State& st = *state_;
  const size_t B = static_cast<size_t>(st.streams);
  std::memcpy(st.frames_host, frames, B * st.F * sizeof(float));
  step();
  std::memcpy(rates, st.rates_host, B * st.N * sizeof(float));
}

float* GpuGruStep::frames_buffer() { return state_->frames_host; }
const float* GpuGruStep::rates_buffer() const { return state_->rates_host; }

std::string GpuGruStep::device_name() const {
  cudaDeviceProp p{};
  check(cudaGetDeviceProperties(&p, state_->device), "cudaGetDeviceProperties");
  return p.name;
}

}  // namespace statenet
