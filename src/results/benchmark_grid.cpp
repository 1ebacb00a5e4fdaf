#include "results/benchmark_grid.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "plot/image.h"
#include "plot/text.h"
#include "results/results_file.h"

namespace statenet {
namespace fs = std::filesystem;

namespace {

// Grid names become folder names: letters, digits, '-', '_', '.', '+' only, and not "." or "..".
bool is_folder_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 100) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '+';
  });
}

}  // namespace

std::vector<std::string> split_arguments(const std::string& text) {
  std::vector<std::string> args;
  std::string current;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
      else current += c;
    } else if (c == '"' || c == '\'') {
      quote = c, in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) args.push_back(current), current.clear(), in_word = false;
    } else {
      current += c, in_word = true;
    }
  }
  if (quote) throw std::invalid_argument("unclosed quote in '" + text + "'");
  if (in_word) args.push_back(current);
  return args;
}

BenchmarkGrid read_benchmark_grid(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the grid file");
  nlohmann::ordered_json j;  // the file's order is the table's
  try {
    j = nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not JSON (" + std::string(e.what()).substr(0, 120) + ")");
  }
  const auto bad = [&](const std::string& field, const std::string& what) { return std::runtime_error(path + ": " + field + ": " + what); };
  if (!j.is_object()) throw bad("(top)", "expected an object with datasets and models");
  for (const auto& [key, value] : j.items())
    if (key != "datasets" && key != "models" && key != "seeds" && key != "first_seed" && key != "train_args")
      throw bad(key, "unknown field (datasets, models, seeds, first_seed, train_args)");
  BenchmarkGrid g;
  const fs::path base = fs::absolute(fs::path(path)).parent_path();
  const auto named_strings = [&](const char* field) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!j.contains(field) || !j[field].is_object() || j[field].empty()) throw bad(field, "expected a non-empty object of name: string");
    for (const auto& [name, value] : j[field].items()) {
      if (!is_folder_name(name)) throw bad(field, "'" + name + "' is not a usable name (letters, digits, - _ . + only)");
      if (!value.is_string()) throw bad(std::string(field) + "." + name, "expected a string");
      out.emplace_back(name, value.get<std::string>());
    }
    return out;
  };
  g.datasets = named_strings("datasets");
  for (auto& [name, file] : g.datasets) file = (fs::path(file).is_absolute() ? fs::path(file) : base / file).lexically_normal().string();
  g.models = named_strings("models");
  for (const auto& [name, args] : g.models) {
    try {
      for (const std::string& a : split_arguments(args))
        if (a == "--data" || a == "-o" || a == "--output-dir" || a == "--seeds" || a == "--first-seed" || a == "--resume")
          throw std::invalid_argument(a + " is set by the grid");
    } catch (const std::invalid_argument& e) {
      throw bad("models." + name, e.what());
    }
  }
  const auto count = [&](const char* field, int lo, int hi, int fallback) {
    if (!j.contains(field)) return fallback;
    if (!j[field].is_number_integer() || j[field].get<long long>() < lo || j[field].get<long long>() > hi)
      throw bad(field, "expected a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return j[field].get<int>();
  };
  g.seeds = count("seeds", 1, 1000, 10);
  g.first_seed = count("first_seed", 0, 1 << 30, 0);
  if (j.contains("train_args")) {
    if (!j["train_args"].is_string()) throw bad("train_args", "expected a string");
    g.train_args = j["train_args"].get<std::string>();
    try {
      split_arguments(g.train_args);
    } catch (const std::invalid_argument& e) {
      throw bad("train_args", e.what());
    }
  }
  return g;
}

std::string benchmark_grid_json(const BenchmarkGrid& g) {
  nlohmann::ordered_json j;
  j["datasets"] = nlohmann::ordered_json::object();
  for (const auto& [name, file] : g.datasets) j["datasets"][name] = file;
  j["models"] = nlohmann::ordered_json::object();
  for (const auto& [name, args] : g.models) j["models"][name] = args;
  j["seeds"] = g.seeds;
  j["first_seed"] = g.first_seed;
  j["train_args"] = g.train_args;
  return j.dump(2) + "\n";
}

std::string example_benchmark_grid() {
  return R"({
  "datasets": {
    "ns1": "ns1.h5"
  },
  "models": {
    "statenet-gru": "--model statenet --core gru",
    "statenet-lstm": "--model statenet --core lstm",
    "statenet-s4": "--model statenet --core s4",
    "transformer": "--model transformer",
    "cnn2d": "--model cnn2d",
    "dnet": "--model dnet",
    "nrf": "--model nrf",
    "ln": "--model ln",
    "l": "--model l"
  },
  "seeds": 10,
  "train_args": "--threads 1"
}
)";
}

std::vector<GridPoint> grid_points(const BenchmarkGrid& grid, const std::string& out_dir) {
  std::vector<GridPoint> points;
  for (int s = grid.first_seed; s < grid.first_seed + grid.seeds; ++s)
    for (const auto& [dataset, file] : grid.datasets)
      for (const auto& [model, args] : grid.models)
        points.push_back({dataset, model, s, out_dir + "/" + dataset + "/" + model + "/seed" + std::to_string(s)});
  return points;
}

std::string point_name(const GridPoint& p) { return p.dataset + "/" + p.model + "/seed" + std::to_string(p.seed); }

const GridPoint& find_point(const std::vector<GridPoint>& points, const std::string& name) {
  for (const GridPoint& p : points)
    if (point_name(p) == name) return p;
  throw std::invalid_argument("no grid point '" + name + "' in the grid (points are named <dataset>/<model>/seed<S>)");
}

const char* to_string(PointState state) {
  switch (state) {
    case PointState::kPending: return "pending";
    case PointState::kStarted: return "started";
    case PointState::kFailed: return "failed";
    case PointState::kDone: return "done";
  }
  return "?";
}

PointState point_state(const GridPoint& p) {
  std::error_code ec;
  if (fs::exists(p.dir + "/results.json", ec)) {
    try {
      const TrainReport r = read_results_file(p.dir + "/results.json");
      if (std::any_of(r.runs.begin(), r.runs.end(), [&](const SeedResult& run) { return run.seed == p.seed; })) {
        // Unit by unit, the seed is done when all its units are (results.json is written per seed).
        return PointState::kDone;
      }
    } catch (const std::exception&) {
      // unreadable: run it again (with --resume, from its checkpoints)
    }
  }
  if (fs::exists(fs::path(p.dir) / kFailedMarker, ec)) return PointState::kFailed;
  if (fs::exists(p.dir, ec) && !fs::is_empty(p.dir, ec)) return PointState::kStarted;
  return PointState::kPending;
}

std::vector<std::string> train_arguments(const BenchmarkGrid& grid, const GridPoint& p, bool resume) {
  std::vector<std::string> args = {"train"};
  for (const auto& [name, file] : grid.datasets)
    if (name == p.dataset) args.insert(args.end(), {"--data", file});
  for (const auto& [name, model_args] : grid.models)
    if (name == p.model)
      for (std::string& a : split_arguments(model_args)) args.push_back(std::move(a));
  for (std::string& a : split_arguments(grid.train_args)) args.push_back(std::move(a));
  args.insert(args.end(), {"--seeds", "1", "--first-seed", std::to_string(p.seed), "-o", p.dir});
  if (resume) args.push_back("--resume");
  return args;
}

BenchmarkTable benchmark_table(const BenchmarkGrid& grid, const std::string& out_dir) {
  BenchmarkTable t;
  const std::vector<GridPoint> points = grid_points(grid, out_dir);
  for (const auto& [dataset, file] : grid.datasets) {
    std::vector<ModelSummary> rows;
    for (const auto& [model, args] : grid.models) {
      std::vector<std::string> done;
      for (const GridPoint& p : points)
        if (p.dataset == dataset && p.model == model && point_state(p) == PointState::kDone) done.push_back(p.dir);
      if (static_cast<int>(done.size()) < grid.seeds)
        t.missing.push_back(dataset + " " + model + ": " + std::to_string(done.size()) + " of " + std::to_string(grid.seeds) + " seeds");
      if (done.empty()) continue;
      ModelSummary m = summarise_runs(done);
      m.name = model;
      rows.push_back(m);
    }
    // The top three by mean CC_norm (NaN last).
    std::vector<std::size_t> order(rows.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const double x = rows[a].cc_norm.mean, y = rows[b].cc_norm.mean;
      return std::isnan(y) ? !std::isnan(x) : (!std::isnan(x) && x > y);
    });
    std::vector<std::string> rank(rows.size());
    const char* places[] = {"**1st**", "2nd", "3rd"};
    for (std::size_t k = 0; k < order.size() && k < 3; ++k)
      if (!std::isnan(rows[order[k]].cc_norm.mean)) rank[order[k]] = places[k];
    t.markdown += "### " + dataset + "\n\n| model | parameters | seeds | CC_raw | CC_norm | rank |\n|---|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const ModelSummary& m = rows[i];
      char line[512];
      std::snprintf(line, sizeof line, "| %s | %lld | %zu | %.3f ± %.3f | %.3f ± %.3f | %s |\n", m.name.c_str(), m.parameters, m.seeds,
                    m.cc_raw.mean, m.cc_raw.sem, m.cc_norm.mean, m.cc_norm.sem, rank[i].c_str());
      t.markdown += line;
    }
    if (rows.empty()) t.markdown += "| (no finished run) | | | | | |\n";
    t.markdown += "\n";
    t.rows.emplace_back(dataset, std::move(rows));
  }
  if (!t.missing.empty()) {
    t.markdown += "Not finished:";
    for (const std::string& m : t.missing) t.markdown += " " + m + ";";
    t.markdown.back() = '.';
    t.markdown += "\n";
  }
  return t;
}

void write_benchmark_figure(const std::string& path, const BenchmarkTable& table) {
  TextRenderer text;
  constexpr int kLeft = 200, kBarWidth = 560, kRow = 22, kHead = 34, kGap = 46;
  int height = 20;
  for (const auto& [dataset, rows] : table.rows) height += kHead + std::max<int>(1, static_cast<int>(rows.size())) * kRow + kGap;
  Image img(kLeft + kBarWidth + 150, height);
  const Rgb grey{170, 170, 170}, ink{30, 30, 30}, podium[3] = {{214, 39, 40}, {255, 127, 14}, {44, 160, 44}};
  int y = 20;
  for (const auto& [dataset, rows] : table.rows) {
    text.draw(img, 10, y + 18, dataset + ": test CC_norm, mean ± s.e.m. over seeds", 15, ink);
    y += kHead;
    std::vector<double> sorted;
    for (const ModelSummary& m : rows) sorted.push_back(std::isnan(m.cc_norm.mean) ? -1.0 : m.cc_norm.mean);
    std::sort(sorted.rbegin(), sorted.rend());
    for (int tick = 0; tick <= 10; tick += 2) {  // CC_norm 0 … 1
      const int x = kLeft + kBarWidth * tick / 10;
      img.vline(x, y - 4, y + static_cast<int>(rows.size()) * kRow, Rgb{225, 225, 225});
      char label[8];
      std::snprintf(label, sizeof label, "%.1f", tick / 10.0);
      text.draw(img, x, y + static_cast<int>(rows.size()) * kRow + 14, label, 11, ink, Align::kCentre);
    }
    for (const ModelSummary& m : rows) {
      const double v = m.cc_norm.mean;
      int place = -1;
      for (int k = 0; k < 3 && k < static_cast<int>(sorted.size()); ++k)
        if (!std::isnan(v) && v == sorted[k]) place = k;
      text.draw(img, kLeft - 8, y + kRow - 7, m.name, 13, ink, Align::kRight);
      if (!std::isnan(v)) {
        const auto to_x = [&](double c) { return kLeft + static_cast<int>(std::lround(std::clamp(c, 0.0, 1.0) * kBarWidth)); };
        img.fill_rect(kLeft, y + 4, to_x(v), y + kRow - 4, place >= 0 ? podium[place] : grey);
        img.hline(to_x(v - m.cc_norm.sem), to_x(v + m.cc_norm.sem) + 1, y + kRow / 2, ink);
        char value[32];
        std::snprintf(value, sizeof value, "%.3f", v);
        text.draw(img, to_x(v + m.cc_norm.sem) + 6, y + kRow - 7, value, 12, ink);
      }
      y += kRow;
    }
    y += kGap;
  }
  write_png(path, img);
}

}  // namespace statenet
