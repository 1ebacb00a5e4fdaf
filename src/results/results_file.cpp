#include "results/results_file.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "util/atomic_file.h"
#include "util/json_integer.h"

namespace statenet {
namespace {

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

double number_or_nan(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : NAN;
}

// A JSON integer that fits T; otherwise std::invalid_argument naming `key` (a float such as
// 1e20 must not reach a cast to int).
template <class T>
T checked_integer(const nlohmann::json& v, const std::string& key) {
  const JsonInteger fit = json_integer_fit<T>(v);
  if (fit == JsonInteger::kNotInteger) throw std::invalid_argument(key + ": expected an integer, found " + v.dump().substr(0, 40));
  if (fit == JsonInteger::kOutOfRange) throw std::invalid_argument(key + ": " + v.dump() + " is out of range");
  return v.is_number_unsigned() ? static_cast<T>(v.get<std::uint64_t>()) : static_cast<T>(v.get<std::int64_t>());
}

// Field `key` of object j as an integer, `fallback` when absent.
template <class T>
T integer_or(const nlohmann::json& j, const char* key, T fallback) {
  const auto it = j.find(key);
  return it == j.end() ? fallback : checked_integer<T>(*it, key);
}

// Field `key` of object j as a list of ints, empty when absent.
std::vector<int> integers_or_empty(const nlohmann::json& j, const char* key) {
  std::vector<int> out;
  const auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_array()) throw std::invalid_argument(std::string(key) + ": expected a list of integers");
  for (const nlohmann::json& v : *it) out.push_back(checked_integer<int>(v, key));
  return out;
}

}  // namespace

SeedSummary summarise_seeds(const std::vector<SeedResult>& runs) {
  std::map<int, std::pair<std::vector<double>, std::vector<double>>> by_seed;  // seed → finite (raw, norm) of its runs
  for (const SeedResult& r : runs) {
    auto& [raw, norm] = by_seed[r.seed];
    if (std::isfinite(r.mean_cc_raw)) raw.push_back(r.mean_cc_raw);
    if (std::isfinite(r.mean_cc_norm)) norm.push_back(r.mean_cc_norm);
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? NAN : s / v.size();
  };
  SeedSummary s;
  std::vector<double> seed_raw, seed_norm;
  for (const auto& [seed, values] : by_seed) {
    s.seeds.push_back(seed);
    seed_raw.push_back(mean(values.first));
    seed_norm.push_back(mean(values.second));
  }
  s.cc_raw = mean_and_sem(seed_raw);
  s.cc_norm = mean_and_sem(seed_norm);
  return s;
}

std::string results_label(const TrainReport& r) {
  const ModelConfig& m = r.model;
  std::string name = m.model_name();
  if (m.is_statenet() && m.first_layer != FirstLayer::kLocallyConnected) name += " (" + to_string(m.first_layer) + ")";
  if (m.output != Nonlinearity::kIdentity && (m.is_statenet() || m.architecture == Architecture::kL)) name += " + " + to_string(m.output);
  if (m.architecture == Architecture::kTransformer && !r.fit_input_to_data) name += " (raw input)";
  return name;
}

std::string results_to_json(const TrainReport& report) {
  nlohmann::json j;
  j["model"] = nlohmann::json::parse(report.model.to_json());
  j["parameters"] = report.parameters;
  j["training"] = {{"tbptt_k", report.tbptt_k}, {"tbptt_warmup", report.tbptt_warmup},
                   {"output_init", report.fit_output_to_data ? "training responses" : "generic"},
                   {"device", report.device},
                   {"fitting", report.population ? "population" : "unit-by-unit"},
                   {"batch_size", report.batch_size},
                   {"sizes", report.sizes}};
  if (report.model.architecture == Architecture::kTransformer)  // the only model with an input standardisation
    j["training"]["input_standardisation"] = report.fit_input_to_data ? "training cochleagrams" : "none";
  j["summary"] = {{"mean_cc_raw", report.mean_cc_raw}, {"sem_cc_raw", report.sem_cc_raw},
                  {"mean_cc_norm", report.mean_cc_norm}, {"sem_cc_norm", report.sem_cc_norm},
                  {"seconds", report.seconds}};
  for (const auto& r : report.runs) {
    nlohmann::json run = {{"seed", r.seed},
                          {"unit", r.unit},
                          {"split", {{"train", r.split.train}, {"validation", r.split.validation}, {"test", r.split.test}}},
                          {"epochs_run", r.epochs_run},
                          {"best_epoch", r.best_epoch},
                          {"best_validation_loss", r.best_validation_loss},
                          {"mean_cc_raw", number(r.mean_cc_raw)},
                          {"mean_cc_norm", number(r.mean_cc_norm)},
                          {"excluded_units", r.excluded_units},
                          {"seconds", r.seconds},
                          {"seconds_per_epoch", r.seconds_per_epoch},
                          {"train_pass_seconds", r.train_pass_seconds},
                          {"model", r.model_path},
                          {"train_loss", r.train_loss},
                          {"validation_loss", r.validation_loss}};
    nlohmann::json vcc = nlohmann::json::array();
    for (double v : r.validation_cc_norm) vcc.push_back(number(v));
    run["validation_cc_norm"] = vcc;
    nlohmann::json units = nlohmann::json::array();
    for (const auto& u : r.test_units)
      units.push_back({{"cc_raw", number(u.cc_raw)}, {"cc_norm", number(u.cc_norm)}, {"cc_max", number(u.cc_max)}});
    run["test_units"] = units;
    j["runs"].push_back(run);
  }
  if (!j.contains("runs")) j["runs"] = nlohmann::json::array();  // a report of no runs reads back as one
  return j.dump(1);
}

void write_results_file(const std::string& path, const TrainReport& report) {
  write_file_atomically(path, results_to_json(report));
}

TrainReport read_results_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": no such file (is it a 'statenet train' output directory?)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const std::exception&) {
    throw std::runtime_error(path + ": not valid JSON");
  }
  TrainReport report;
  try {
    report.model = ModelConfig::from_json(j.at("model").dump());
    report.parameters = integer_or<std::int64_t>(j, "parameters", 0);
    const nlohmann::json training = j.value("training", nlohmann::json::object());
    report.tbptt_k = integer_or<int>(training, "tbptt_k", 0);
    report.tbptt_warmup = training.value("tbptt_warmup", true);
    report.fit_output_to_data = training.value("output_init", "training responses") != "generic";
    // Runs from before the input standardisation have no such field: raw input.
    report.fit_input_to_data = training.value("input_standardisation", "none") != "none";
    report.device = training.value("device", "cpu");
    report.population = training.value("fitting", "population") != "unit-by-unit";
    report.batch_size = integer_or<int>(training, "batch_size", 1);
    report.sizes = training.value("sizes", "");
    const nlohmann::json summary = j.value("summary", nlohmann::json::object());
    report.mean_cc_raw = number_or_nan(summary, "mean_cc_raw");
    report.sem_cc_raw = number_or_nan(summary, "sem_cc_raw");
    report.mean_cc_norm = number_or_nan(summary, "mean_cc_norm");
    report.sem_cc_norm = number_or_nan(summary, "sem_cc_norm");
    report.seconds = summary.value("seconds", 0.0);
    for (const nlohmann::json& run : j.at("runs")) {
      SeedResult r;
      r.seed = integer_or<int>(run, "seed", -1);
      r.unit = integer_or<int>(run, "unit", -1);
      const nlohmann::json split = run.value("split", nlohmann::json::object());
      r.split.train = integers_or_empty(split, "train");
      r.split.validation = integers_or_empty(split, "validation");
      r.split.test = integers_or_empty(split, "test");
      r.epochs_run = integer_or<int>(run, "epochs_run", 0);
      r.best_epoch = integer_or<int>(run, "best_epoch", 0);
      r.best_validation_loss = number_or_nan(run, "best_validation_loss");
      r.mean_cc_raw = number_or_nan(run, "mean_cc_raw");
      r.mean_cc_norm = number_or_nan(run, "mean_cc_norm");
      r.excluded_units = integer_or<int>(run, "excluded_units", 0);
      r.seconds = run.value("seconds", 0.0);
      r.seconds_per_epoch = run.value("seconds_per_epoch", 0.0);
      r.train_pass_seconds = run.value("train_pass_seconds", std::vector<double>{});
      r.model_path = run.value("model", "");
      r.train_loss = run.value("train_loss", std::vector<double>{});
      r.validation_loss = run.value("validation_loss", std::vector<double>{});
      for (const nlohmann::json& v : run.value("validation_cc_norm", nlohmann::json::array()))
        r.validation_cc_norm.push_back(v.is_number() ? v.get<double>() : NAN);
      for (const nlohmann::json& u : run.value("test_units", nlohmann::json::array())) {
        ResponseScores scores;
        scores.cc_raw = number_or_nan(u, "cc_raw");
        scores.cc_norm = number_or_nan(u, "cc_norm");
        scores.cc_max = number_or_nan(u, "cc_max");
        r.test_units.push_back(scores);
      }
      report.runs.push_back(std::move(r));
    }
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's text is "[json.exception.kind.N] what": keep what, which names the field.
    const std::string what = e.what();
    const auto bracket = what.find("] ");
    throw std::runtime_error(path + ": not a results file (" + (bracket == std::string::npos ? what : what.substr(bracket + 2)) + ")");
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return report;
}

}  // namespace statenet
