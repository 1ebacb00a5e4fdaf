// `statenet data simulate`: a ground-truth population (src/data/simulator.h).

#include <cstdio>

#include "commands.h"
#include "data/simulator.h"
#include "progress.h"

namespace statenet {

void add_data_simulate_command(CLI::App& data) {
  auto* cmd = data.add_subcommand(
      "simulate",
      "Simulate a population of neurons with known parameters (linear STRF, adapting, ON/OFF,\n"
      "recurrent with multi-second memory) hearing synthesised natural-like sounds and DRCs;\n"
      "Poisson trials binned like NS1; the truth (rates, STRFs, states) under /truth.");
  auto preset = std::make_shared<std::string>("default");
  auto out = std::make_shared<std::string>();
  auto seed = std::make_shared<std::uint64_t>(1);
  auto stimuli = std::make_shared<int>(0);
  auto seconds = std::make_shared<double>(0.0);
  auto trials = std::make_shared<int>(0);
  auto per_kind = std::make_shared<int>(0);
  auto cochleagram = std::make_shared<std::string>("ns1");
  auto waveforms = std::make_shared<bool>(false);
  auto kinds = std::make_shared<std::vector<std::string>>();
  auto fitting = std::make_shared<std::string>("population");
  cmd->add_option("--preset", *preset, "Population preset: tiny (tests), default (NS1-like), long-memory")
      ->capture_default_str()
      ->check(CLI::IsMember(simulation_preset_names()));
  cmd->add_option("-o,--output", *out, "Dataset file to write (.h5)")->required();
  cmd->add_option("--seed", *seed, "Random seed (stimuli, neurons, trials)")->capture_default_str();
  cmd->add_option("--stimuli", *stimuli, "Override the preset's number of stimuli")->check(CLI::Range(1, 100000));
  cmd->add_option("--seconds", *seconds, "Override the preset's stimulus length (s)")->check(CLI::Range(0.05, 3600.0));
  cmd->add_option("--trials", *trials, "Override the preset's trials per stimulus")->check(CLI::Range(1, 100000));
  cmd->add_option("--units-per-kind", *per_kind, "Override the preset's units per kind (4 kinds)")->check(CLI::Range(1, 10000));
  cmd->add_option("--cochleagram", *cochleagram, "Front-end preset")->capture_default_str();
  cmd->add_flag("--waveforms", *waveforms, "Store the synthesised waveforms");
  cmd->add_option("--kinds", *kinds, "Neuron kinds to simulate (strf adapting onoff recurrent; default all)")->delimiter(',');
  cmd->add_option("--fitting", *fitting,
                  "How the file says its units are fitted: population (one model, default) or unit-by-unit (one model per "
                  "unit, as Wehr and Asari)")
      ->capture_default_str()
      ->check(CLI::IsMember({"population", "unit-by-unit"}));
  cmd->callback([=] {
    SimulationOptions o = simulation_preset(*preset);
    o.seed = *seed;
    if (*stimuli > 0) o.num_stimuli = *stimuli;
    if (*seconds > 0) o.stimulus_s = *seconds;
    if (*trials > 0) o.trials = *trials;
    if (*per_kind > 0) o.units_per_kind = *per_kind;
    o.cochleagram_preset = *cochleagram;
    o.store_waveforms = *waveforms;
    if (!kinds->empty()) o.kinds = *kinds;
    Progress progress("simulating");
    Dataset d = simulate_dataset(o, [&](int done, int total, const std::string& what) { progress.update(done, total, what); });
    d.attributes["fitting"] = *fitting;
    write_dataset(*out, d);
    progress.finish();
    std::printf("simulated: %zu stimuli × %.1f s, %d units, %d trials, F = %d, dt = %g ms → %s (%.1f s)\n",
                d.stimuli.size(), o.stimulus_s, d.num_units(), o.trials, d.num_bands(), d.dt_ms, out->c_str(),
                progress.elapsed_s());
  });
}

}  // namespace statenet
