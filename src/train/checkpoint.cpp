#include "train/checkpoint.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/atomic_file.h"

namespace statenet {

State model_state(ResponseModel& m) {
  State s;
  for (const auto& p : m.named_parameters()) s.emplace_back("p." + p.key(), p.value());
  for (const auto& b : m.named_buffers()) s.emplace_back("b." + b.key(), b.value());
  return s;
}
State clone_state(ResponseModel& m) {
  State s = model_state(m);
  for (auto& [k, v] : s) v = v.detach().clone();
  return s;
}
void load_state(ResponseModel& m, const State& s) {
  torch::NoGradGuard no_grad;
  State dst = model_state(m);
  for (std::size_t i = 0; i < dst.size(); ++i) dst[i].second.copy_(s[i].second);
}


void save_checkpoint(const std::string& path, ResponseModel& model, torch::optim::AdamW& opt, const State& best,
                     const Checkpoint& c) {
  torch::serialize::OutputArchive a;
  for (const auto& [k, v] : model_state(model)) a.write("model." + k, v.detach());
  for (const auto& [k, v] : best) a.write("best." + k, v);
  torch::serialize::OutputArchive o;
  opt.save(o);
  a.write("optimizer", o);
  a.write("epoch", torch::tensor(static_cast<std::int64_t>(c.epoch)));
  a.write("best_epoch", torch::tensor(static_cast<std::int64_t>(c.best_epoch)));
  a.write("best_loss", torch::tensor(c.best_loss, torch::kFloat64));
  a.write("finished", torch::tensor(static_cast<std::int64_t>(c.finished)));
  auto doubles = [](const std::vector<double>& v) {
    return torch::from_blob(const_cast<double*>(v.data()), {static_cast<std::int64_t>(v.size())}, torch::kFloat64).clone();
  };
  a.write("train_loss", doubles(c.train_loss));
  a.write("val_loss", doubles(c.val_loss));
  a.write("val_cc", doubles(c.val_cc));
  a.write("pass_seconds", doubles(c.pass_seconds));
  a.write("train_seconds", torch::tensor(c.train_seconds, torch::kFloat64));
  a.write("run", torch::from_blob(const_cast<char*>(c.run.data()), {static_cast<std::int64_t>(c.run.size())}, torch::kUInt8).clone());
  // Serialised in memory, then one checked write: LibTorch's own file writer, on a full disk,
  // throws again from its destructor and aborts the process.
  std::ostringstream bytes;
  a.save_to(bytes);
  const std::string image = bytes.str();
  AtomicFile out(path);
  {
    std::ofstream f(out.temp_path(), std::ios::binary);
    f.write(image.data(), static_cast<std::streamsize>(image.size()));
    f.close();
    if (!f) throw std::runtime_error(path + ": cannot write the checkpoint (disk full?)");  // `out` removes the temporary
  }
  out.commit();
}

bool load_checkpoint(const std::string& path, ResponseModel& model, torch::optim::AdamW& opt, State& best, Checkpoint& c) {
  if (!std::filesystem::exists(path)) return false;
  torch::serialize::InputArchive a;
  try {
    a.load_from(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": unreadable checkpoint (" + std::string(e.what()).substr(0, 120) + ")");
  }
  torch::NoGradGuard no_grad;
  try {
    for (auto& [k, v] : model_state(model)) {
      torch::Tensor t;
      a.read("model." + k, t);
      v.copy_(t);
    }
    for (auto& [k, v] : best) {
      torch::Tensor t;
      a.read("best." + k, t);
      v.copy_(t);
    }
    torch::serialize::InputArchive o;
    a.read("optimizer", o);
    opt.load(o);
  } catch (const c10::Error&) {
    throw std::runtime_error(path + ": checkpoint of another model or run (remove it, or train into another directory)");
  }
  // A fresh tensor per read: InputArchive::read into a defined tensor keeps its dtype.
  auto read = [&](const char* key) {
    torch::Tensor t;
    a.read(key, t);
    return t.to(torch::kFloat64).contiguous();
  };
  auto vec = [&](const char* key) {
    const torch::Tensor t = read(key);
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
  };
  c.epoch = static_cast<int>(read("epoch").item<double>());
  c.best_epoch = static_cast<int>(read("best_epoch").item<double>());
  c.best_loss = read("best_loss").item<double>();
  c.finished = read("finished").item<double>() != 0;
  try {  // checkpoints written before timings were kept have none
    c.train_seconds = read("train_seconds").item<double>();
    c.pass_seconds = vec("pass_seconds");
  } catch (const c10::Error&) {
  }
  c.train_loss = vec("train_loss"), c.val_loss = vec("val_loss"), c.val_cc = vec("val_cc");
  try {  // checkpoints written before runs were described have none
    torch::Tensor t;
    a.read("run", t);
    t = t.contiguous();
    c.run.assign(reinterpret_cast<const char*>(t.data_ptr<std::uint8_t>()), static_cast<std::size_t>(t.numel()));
  } catch (const c10::Error&) {
    c.run.clear();
  }
  return true;
}

}  // namespace statenet
