// The batched StateNet-GRU step on a CUDA GPU (see gpu_gru_step.h).
// Layout: a block advances S streams (8; 1 when there are fewer than 8, so that one stream has
// all 256 threads); thread i works on stream i mod S and
// row i / S, so the threads of a warp share weight rows and read them contiguously from the
// transposed matrices (W^T[k][row]). Arithmetic in float32 with accurate expf/tanhf.

#include "gpu/gpu_gru_step.h"

#include <cuda_runtime.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace statenet {
namespace {

// Streams per block: 8 share each weight read; a single stream (or a few) gets a block of its own
// so that all 256 threads work on its rows (the latency case).
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

// Phase `phase` of one block's step, as thread `tid` of `threads` runs it: the kernel runs the
// phases with a barrier between them; emulate_gpu_gru_step runs each phase for every thread
// in turn on the CPU. Streams [block·S, +S): frames [B][F] → hidden [B][H] (in place) → rates [B][N].
template <int S>
__host__ __device__ void block_phase(int phase, const DeviceWeights& w, const float* __restrict__ frames, float* __restrict__ hidden,
                                     float* __restrict__ rates, int streams, int block, int tid, int threads, float* shared) {
  const int F = w.F, H = w.H, N = w.N, G = 3 * H;
  const int first_stream = block * S;
  const int count = min(S, streams - first_stream);
  float* x = shared;       // [S][F]
  float* u = x + S * F;    // [S][H]
  float* h = u + S * H;    // [S][H]
  float* gi = h + S * H;   // [S][3H]
  float* gh = gi + S * G;  // [S][3H]
  switch (phase) {
    case 0:  // this block's frames and hidden states into shared memory
      for (int i = tid; i < count * F; i += threads) x[i] = frames[static_cast<size_t>(first_stream) * F + i];
      for (int i = tid; i < count * H; i += threads) h[i] = hidden[static_cast<size_t>(first_stream) * H + i];
      return;
    case 1:  // u = σ(W₁x + b₁): LC/FC/CONV with batch norm folded, then the paper's sigmoid
      for (int i = tid; i < H * S; i += threads) {
        const int s = i % S, j = i / S;
        if (s >= count) continue;
        float acc = w.first_b[j];
        for (int f = 0; f < F; ++f) acc = fmaf(weight(w.first_t + f * H + j), x[s * F + f], acc);
        u[s * H + j] = sigmoid(acc);
      }
      return;
    case 2:  // gate pre-activations: gi = W_ih u + b_ih, gh = W_hh h + b_hh (rows r, z, n)
      for (int i = tid; i < G * S; i += threads) {
        const int s = i % S, r = i / S;
        if (s >= count) continue;
        float a = w.ih_b[r], b = w.hh_b[r];
        for (int k = 0; k < H; ++k) {
          a = fmaf(weight(w.ih_t + k * G + r), u[s * H + k], a);
          b = fmaf(weight(w.hh_t + k * G + r), h[s * H + k], b);
        }
        gi[s * G + r] = a;
        gh[s * G + r] = b;
      }
      return;
    case 3:  // PyTorch's GRU: r, z = σ(·), n = tanh(gi_n + r ⊙ gh_n), h ← n + z ⊙ (h − n)
      for (int i = tid; i < H * S; i += threads) {
        const int s = i % S, j = i / S;
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
      for (int i = tid; i < N * S; i += threads) {
        const int s = i % S, k = i / S;
        if (s >= count) continue;
        float y = w.readout_b[k];
        for (int j = 0; j < H; ++j) y = fmaf(weight(w.readout_t + j * N + k), h[s * H + j], y);
        const float p0 = w.output[k], p1 = w.output[N + k], p2 = w.output[2 * N + k], p3 = w.output[3 * N + k];
        if (w.output_kind == kDoubleExponential) y = p0 * expf(-expf(p2 * y - p3)) + p1;  // paper eq. 1
        else if (w.output_kind == kSigmoid) y = p0 / (1.0f + expf(-(y - p1) / p2));
        rates[static_cast<size_t>(first_stream + s) * N + k] = y;
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

int streams_per_block(int streams) { return streams < kStreamsPerBlock ? 1 : kStreamsPerBlock; }

}  // namespace

void emulate_gpu_gru_step(const GruStepWeights& w, int streams, const float* frames, float* hidden, float* rates) {
  const std::vector<std::vector<float>> arrays = kernel_arrays(w);
  std::vector<const float*> where;
  for (const auto& a : arrays) where.push_back(a.data());
  const DeviceWeights view = view_of(where, w);
  const int S = streams_per_block(streams), blocks = (streams + S - 1) / S;
  std::vector<float> shared(static_cast<size_t>(S) * (w.num_bands + 8 * w.hidden));
  for (int block = 0; block < blocks; ++block)
    for (int phase = 0; phase < kPhases; ++phase)
      for (int tid = 0; tid < kThreadsPerBlock; ++tid) {
        if (S == 1) block_phase<1>(phase, view, frames, hidden, rates, streams, block, tid, kThreadsPerBlock, shared.data());
        else block_phase<kStreamsPerBlock>(phase, view, frames, hidden, rates, streams, block, tid, kThreadsPerBlock, shared.data());
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

GpuGruStep::GpuGruStep(const GruStepWeights& w, int streams) : state_(std::make_unique<State>()) {
  const std::string problem = device_problem();
  if (!problem.empty()) throw std::runtime_error("GPU step: " + problem);
  if (streams < 1) throw std::runtime_error("GPU step: streams must be at least 1, got " + std::to_string(streams));
  State& st = *state_;
  st.streams = streams;
  st.F = w.num_bands;
  st.H = w.hidden;
  st.N = w.num_units;
  const int F = st.F, H = st.H, N = st.N, G = 3 * H;
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
  check(cudaMalloc(&st.frames, B * F * sizeof(float)), "cudaMalloc (frames)");
  check(cudaMalloc(&st.hidden, B * H * sizeof(float)), "cudaMalloc (hidden states)");
  check(cudaMalloc(&st.rates, B * N * sizeof(float)), "cudaMalloc (rates)");
  check(cudaMallocHost(&st.frames_host, B * F * sizeof(float)), "cudaMallocHost (frames)");
  check(cudaMallocHost(&st.rates_host, B * N * sizeof(float)), "cudaMallocHost (rates)");
  check(cudaMemset(st.hidden, 0, B * H * sizeof(float)), "cudaMemset");

  const int per_block = streams_per_block(streams);
  st.shared_bytes = static_cast<size_t>(per_block) * (F + 2 * H + 2 * G) * sizeof(float);
  int max_shared = 0;
  check(cudaDeviceGetAttribute(&max_shared, cudaDevAttrMaxSharedMemoryPerBlockOptin, st.device), "cudaDeviceGetAttribute");
  if (st.shared_bytes > static_cast<size_t>(max_shared))
    throw std::runtime_error("GPU step: hidden size " + std::to_string(H) + " needs " + std::to_string(st.shared_bytes) +
                             " bytes of shared memory per block, the device has " + std::to_string(max_shared));
  const auto kernel = per_block == 1 ? gru_step_kernel<1> : gru_step_kernel<kStreamsPerBlock>;
  check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(st.shared_bytes)),
        "cudaFuncSetAttribute");

  // One graph per step: frames in, the fused kernel, rates out.
  check(cudaStreamCreateWithFlags(&st.stream, cudaStreamNonBlocking), "cudaStreamCreate");
  const int blocks = (streams + per_block - 1) / per_block;
  check(cudaStreamBeginCapture(st.stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
  cudaMemcpyAsync(st.frames, st.frames_host, B * F * sizeof(float), cudaMemcpyHostToDevice, st.stream);
  kernel<<<blocks, kThreadsPerBlock, st.shared_bytes, st.stream>>>(st.view, st.frames, st.hidden, st.rates, streams);
  cudaMemcpyAsync(st.rates_host, st.rates, B * N * sizeof(float), cudaMemcpyDeviceToHost, st.stream);
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

void GpuGruStep::step(const float* frames, float* rates) {
  State& st = *state_;
  const size_t B = static_cast<size_t>(st.streams);
  std::memcpy(st.frames_host, frames, B * st.F * sizeof(float));
  check(cudaGraphLaunch(st.graph_exec, st.stream), "cudaGraphLaunch");
  check(cudaStreamSynchronize(st.stream), "step");
  std::memcpy(rates, st.rates_host, B * st.N * sizeof(float));
}

std::string GpuGruStep::device_name() const {
  cudaDeviceProp p{};
  check(cudaGetDeviceProperties(&p, state_->device), "cudaGetDeviceProperties");
  return p.name;
}

}  // namespace statenet
