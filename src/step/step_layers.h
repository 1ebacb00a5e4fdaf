#pragma once
// Building blocks shared by the step engine's architectures (internal to src/stream):
// checked tensor lookup, batch-norm folding, the per-unit output nonlinearity, frame histories
// and the AdapTrans prefilter.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "model_format/model_config.h"
#include "model_format/safetensors.h"
#include "step/step_model.h"

namespace statenet::step {

// The tensors of one model file; every tensor must be taken exactly once, with the
// expected shape. Errors name the source, the tensor and both shapes.
class TensorTable {
 public:
  TensorTable(const std::map<std::string, NamedTensor>& tensors, std::string source);
  /// The row-major data of `name`; throws std::runtime_error if it is missing or its shape
  /// is not `shape`.
  const std::vector<float>& take(const std::string& name, const std::vector<std::int64_t>& shape);
  bool has(const std::string& name) const { return tensors_.count(name) > 0; }
  /// Throws std::runtime_error naming the first tensor nobody took.
  void expect_all_taken() const;
  const std::string& source() const { return source_; }

 private:
  const std::map<std::string, NamedTensor>& tensors_;
  std::string source_;
  std::set<std::string> taken_;
};

// BatchNorm in evaluation mode as y·scale + shift per channel (eps 1e-5, PyTorch's default).
struct BatchNormFold {
  std::vector<float> scale, shift;
};
BatchNormFold fold_batch_norm(TensorTable& t, const std::string& prefix, int channels);

// The per-unit output nonlinearity (docs/models.md, "Output nonlinearities"), parameters precomputed:
//   double exponential a·exp(−exp(k·y − s)) + b with a, b already softplus'ed;
//   sigmoid b·σ((y − c)/d); identity.
class OutputStage {
 public:
  OutputStage(TensorTable& t, const ModelConfig& config);
  void apply(float* y, int n) const noexcept;  // [RT]
  /// [4, n]: double exponential (a, b, k, s) with a, b softplus'ed; sigmoid (b, c, d, 0);
  /// identity: zeros.
  std::vector<float> packed_parameters(int n) const;

 private:
  enum class Kind { kIdentity, kDoubleExponential, kSigmoid } kind_ = Kind::kIdentity;
  std::vector<float> p0_, p1_, p2_, p3_;
};

std::unique_ptr<StepModel> make_statenet_step(const ModelConfig& config, TensorTable& t);
GruStepWeights make_gru_step_weights(const ModelConfig& config, TensorTable& t);
std::unique_ptr<StepModel> make_strf_step(const ModelConfig& config, TensorTable& t);         // l, ln, nrf, dnet
std::unique_ptr<StepModel> make_cnn2d_step(const ModelConfig& config, TensorTable& t);
std::unique_ptr<StepModel> make_transformer_step(const ModelConfig& config, TensorTable& t);

// A ring of the last `rows` rows of `width` floats, stored twice so that the window is
// always contiguous, oldest row first. [RT after construction]
class RowHistory {
 public:
  RowHistory(int rows, int width) : rows_(rows), width_(width), data_(static_cast<std::size_t>(2) * rows * width, 0.0f) {}
  /// Sets every row to `row` (or zeros when null).
  void fill(const float* row) noexcept;
  /// Appends a row, dropping the oldest.
  void push(const float* row) noexcept;
  /// The last rows() rows, oldest first: rows() × width() floats.
  const float* window() const noexcept { return data_.data() + static_cast<std::size_t>(next_) * width_; }
  int rows() const { return rows_; }
  int width() const { return width_; }

 private:
  int rows_, width_, next_ = 0;  // next_: the slot the next row goes to (the oldest row)
  std::vector<float> data_;
};


// AdapTrans (docs/models.md) in front of any architecture's first layer: per band the FIRs of
// its ON and OFF channels over the last K frames, computed once from (d_on, d_off, p) of the
// tensors "adaptrans.*". Each band keeps its last K values twice over in a 2K buffer (written
// at i and i + K), so the window is one contiguous run; the first frame after reset() fills
// the whole past (replicate padding, as in training).
class AdapTransStep {
 public:
  AdapTransStep(TensorTable& t, int num_bands, int taps);
  void reset() noexcept { fresh_ = true; }
  /// frame: F values; out: 2F, the ON bands then the OFF bands (channel-major c·F + f). [RT]
  void step(const float* frame, float* out) noexcept;

 private:
  int F_, K_;
  std::vector<float> on_, off_, history_;  // on_, off_: [F, K] oldest tap first
  std::size_t position_ = 0;
  bool fresh_ = true;
};

}  // namespace statenet::step
