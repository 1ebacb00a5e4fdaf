#include "data/simulator.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "audio/audio_buffer.h"
#include "cochlea/presets.h"

namespace statenet {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

double softplus(double x) { return x > 30 ? x : std::log1p(std::exp(x)); }

// --- Stimuli ----------------------------------------------------------------------

// Natural-like: harmonic calls with wandering f0, noise bursts in random bands,
// formant-vowel sequences on a pulse train; events placed at random.
std::vector<float> natural_like(double seconds, double fs, std::mt19937_64& rng) {
  std::vector<double> x(static_cast<std::size_t>(seconds * fs), 0.0);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  double t0 = 0.05 + 0.2 * U(rng);
  while (t0 < seconds - 0.3) {
    const double kind = U(rng), dur = 0.15 + 0.6 * U(rng);
    const std::size_t a = static_cast<std::size_t>(t0 * fs);
    const std::size_t b = std::min(x.size(), static_cast<std::size_t>((t0 + dur) * fs));
    const double level = std::pow(10.0, -1.5 * U(rng));
    if (kind < 0.4) {  // harmonic call
      const double f_start = 200 + 1200 * U(rng), f_end = 200 + 1200 * U(rng), bend = 600 * (U(rng) - 0.5);
      const int harmonics = 3 + static_cast<int>(6 * U(rng));
      double phase = 0;
      for (std::size_t i = a; i < b; ++i) {
        const double u = static_cast<double>(i - a) / (b - a);
        const double f0 = f_start + (f_end - f_start) * u + bend * std::sin(M_PI * u);
        phase += kTwoPi * f0 / fs;
        const double env = std::sin(M_PI * u);
        for (int k = 1; k <= harmonics && k * f0 < fs / 2.2; ++k) x[i] += level * env * std::sin(k * phase) / k;
      }
    } else if (kind < 0.7) {  // band noise burst (one-pole band-pass from two low-passes)
      const double fc = 300 * std::pow(2.0, 6 * U(rng)), bw = fc * (0.3 + U(rng));
      const double a_lo = std::exp(-kTwoPi * std::max(20.0, fc - bw / 2) / fs), a_hi = std::exp(-kTwoPi * std::min(fs / 2.5, fc + bw / 2) / fs);
      double lo = 0, hi = 0;
      for (std::size_t i = a; i < b; ++i) {
        const double n = normal(rng);
        hi = (1 - a_hi) * n + a_hi * hi;
        lo = (1 - a_lo) * n + a_lo * lo;
        const double u = static_cast<double>(i - a) / (b - a);
        x[i] += 3 * level * (hi - lo) * std::min(1.0, std::min(u, 1 - u) * 20);
      }
    } else {  // formant vowels on a pulse train
      const double f0 = 90 + 150 * U(rng);
      double pulse = 0, s1[3] = {}, s2[3] = {};
      double formants[3] = {300 + 600 * U(rng), 900 + 1500 * U(rng), 2200 + 1000 * U(rng)};
      for (std::size_t i = a; i < b; ++i) {
        if ((i - a) % static_cast<std::size_t>(0.12 * fs) == 0) formants[0] = 300 + 600 * U(rng), formants[1] = 900 + 1500 * U(rng);
        pulse += f0 / fs;
        const double e = pulse >= 1 ? (pulse -= 1, 1.0) : 0.0;
        double y = 0;
        for (int r = 0; r < 3; ++r) {
          const double rad = std::exp(-M_PI * (70 + 40 * r) / fs);
          const double out = e + 2 * rad * std::cos(kTwoPi * formants[r] / fs) * s1[r] - rad * rad * s2[r];
          s2[r] = s1[r];
          s1[r] = out;
          y += out * (1 - rad) / (r + 1);
        }
        x[i] += 4 * level * y;
      }
    }
    t0 += dur + 0.05 + 0.5 * U(rng);
  }
  return std::vector<float>(x.begin(), x.end());
}

// Dynamic random chords: 25-ms chords of tones at the band centres, each tone on with
// probability 0.3 at a level drawn from 40 dB in 5-dB steps, 5-ms ramps.
std::vector<float> drc(double seconds, double fs, const std::vector<double>& freqs, std::mt19937_64& rng) {
  std::vector<double> x(static_cast<std::size_t>(seconds * fs), 0.0);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const std::size_t chord = static_cast<std::size_t>(0.025 * fs), ramp = static_cast<std::size_t>(0.005 * fs);
  for (std::size_t start = 0; start < x.size(); start += chord) {
    for (double f : freqs) {
      if (f >= 0.49 * fs || U(rng) > 0.3) continue;  // every band below Nyquist
      const double amp = 0.02 * std::pow(10.0, -5.0 * std::floor(8 * U(rng)) / 20.0);
      const double phase = kTwoPi * U(rng);
      for (std::size_t i = start; i < std::min(x.size(), start + chord); ++i) {
        const std::size_t j = i - start;
        const double env = std::min(1.0, std::min(static_cast<double>(j) / ramp, static_cast<double>(chord - j) / ramp));
        x[i] += amp * env * std::sin(kTwoPi * f * i / fs + phase);
      }
    }
  }
  return std::vector<float>(x.begin(), x.end());
}

// --- Neurons ----------------------------------------------------------------------

struct Unit {
  std::string id, kind;
  std::vector<float> strf;  // [F, L]
  std::vector<float> spectral;  // onoff: w_f
  double tau_s = 0;  // adaptation or memory time constant
  double a = 1.5, b = -1.0, k = 0, c_on = 0, c_off = 0, beta = 0;
  double r0 = 1;     // spikes/s scale, calibrated
  double drive_mean = 0, drive_sd = 1;  // standardisation of u, calibrated
};

std::vector<float> make_strf(int F, int L, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const double f0 = (0.15 + 0.7 * U(rng)) * (F - 1), sf = 1.0 + 2.5 * U(rng);
  const double l0 = 1.5 + 3 * U(rng), sl = 1.0 + 1.5 * U(rng);
  const double inhib_shift = (U(rng) < 0.5 ? -1 : 1) * (1.5 + 3 * U(rng)), inhib_lag = 2 + 4 * U(rng), inhib = 0.3 + 0.5 * U(rng);
  std::vector<float> w(static_cast<std::size_t>(F) * L);
  double norm = 0;
  for (int f = 0; f < F; ++f)
    for (int l = 0; l < L; ++l) {
      const double e = std::exp(-0.5 * (std::pow((f - f0) / sf, 2) + std::pow((l - l0) / sl, 2)));
      const double i = std::exp(-0.5 * (std::pow((f - f0 - inhib_shift) / (1.5 * sf), 2) + std::pow((l - l0 - inhib_lag) / (1.5 * sl), 2)));
      w[f * L + l] = static_cast<float>(e - inhib * i);
      norm += w[f * L + l] * w[f * L + l];
    }
  for (auto& v : w) v = static_cast<float>(v / std::sqrt(norm));
  return w;
}

// Linear drive of an STRF on the standardised cochleagram z [F, T] (causal, zero before 0).
std::vector<double> strf_drive(const std::vector<float>& w, int F, int L, const std::vector<float>& z, std::int64_t T) {
  std::vector<double> u(static_cast<std::size_t>(T), 0.0);
  for (int f = 0; f < F; ++f)
    for (int l = 0; l < L; ++l) {
      const double wf = w[f * L + l];
      if (wf == 0) continue;
      const float* zf = z.data() + f * T;
      for (std::int64_t t = l; t < T; ++t) u[t] += wf * zf[t - l];
    }
  return u;
}

struct Trace {
  std::vector<double> rate_hz, state;  // state: adaptation a[t] or memory h[t]
};

Trace run_unit(const Unit& n, int F, int L, const std::vector<float>& z, std::int64_t T, double dt_s) {
  Trace tr;
  tr.rate_hz.resize(static_cast<std::size_t>(T));
  tr.state.assign(static_cast<std::size_t>(T), 0.0);
  std::vector<double> u;
  if (n.kind == "onoff") {
    u.assign(static_cast<std::size_t>(T), 0.0);
    for (int f = 0; f < F; ++f)
      for (std::int64_t t = 0; t < T; ++t) u[t] += n.spectral[f] * z[f * T + t];
  } else {
    u = strf_drive(n.strf, F, L, z, T);
  }
  for (auto& v : u) v = (v - n.drive_mean) / n.drive_sd;
  double a = 0, h = 0, prev = u.empty() ? 0 : u[0];
  const double rho = n.tau_s > 0 ? std::exp(-dt_s / n.tau_s) : 0;
  for (std::int64_t t = 0; t < T; ++t) {
    double x;
    if (n.kind == "strf") {
      x = n.a * u[t] + n.b;
    } else if (n.kind == "adapting") {
      a += (1 - rho) * (std::max(0.0, u[t]) - a);
      tr.state[t] = a;
      x = n.a * u[t] - n.k * a + n.b;
    } else if (n.kind == "onoff") {
      x = n.c_on * std::max(0.0, u[t] - prev) + n.c_off * std::max(0.0, prev - u[t]) + n.b;
      prev = u[t];
    } else {  // recurrent
      h = rho * h + (1 - rho) * std::tanh(u[t]);
      tr.state[t] = h;
      x = n.a * u[t] + n.beta * h + n.b;
    }
    tr.rate_hz[t] = n.r0 * softplus(x);
  }
  return tr;
}

std::string describe(const Unit& n) {
  std::ostringstream s;
  s.precision(6);
  s << "{\"id\": \"" << n.id << "\", \"kind\": \"" << n.kind << "\", \"r0_hz\": " << n.r0 << ", \"a\": " << n.a
    << ", \"b\": " << n.b << ", \"drive_mean\": " << n.drive_mean << ", \"drive_sd\": " << n.drive_sd;
  if (n.kind == "adapting") s << ", \"k\": " << n.k << ", \"tau_s\": " << n.tau_s;
  if (n.kind == "recurrent") s << ", \"beta\": " << n.beta << ", \"tau_s\": " << n.tau_s;
  if (n.kind == "onoff") s << ", \"c_on\": " << n.c_on << ", \"c_off\": " << n.c_off;
  s << "}";
  return s.str();
}

}  // namespace

std::vector<std::string> simulation_preset_names() { return {"tiny", "default", "long-memory"}; }

SimulationOptions simulation_preset(const std::string& name) {
  SimulationOptions o;
  if (name == "default") return o;
  if (name == "tiny") {
    o.num_stimuli = 6;
    o.stimulus_s = 2.0;
    o.trials = 5;
    o.units_per_kind = 1;
    return o;
  }
  if (name == "long-memory") {
    o.num_stimuli = 12;
    o.stimulus_s = 8.0;
    o.units_per_kind = 2;
    return o;
  }
  throw std::invalid_argument("unknown simulation preset '" + name + "' (known: tiny, default, long-memory)");
}

Dataset simulate_dataset(const SimulationOptions& o, const ImportProgress& progress) {
  if (o.kinds.empty()) throw std::invalid_argument("simulation options: no neuron kind");
  if (o.num_stimuli < 1 || o.trials < 1 || o.units_per_kind < 1 || !(o.stimulus_s > 0) || o.strf_lags < 1) {
    throw std::invalid_argument("simulation options: stimuli, trials, units_per_kind, stimulus_s and strf_lags must be positive");
  }
  std::mt19937_64 rng(o.seed);
  const CochleagramPreset preset = cochleagram_preset(o.cochleagram_preset);
  auto fe = make_front_end(preset);
  const double fs = fe->sample_rate_hz();
  const double dt_ms = fe->hop_samples() * 1000.0 / fs;
  const int F = fe->num_bands(), L = o.strf_lags;
  const std::int64_t T = static_cast<std::int64_t>(std::floor(o.stimulus_s * 1000.0 / dt_ms + 1e-9));

  Dataset d;
  d.name = "simulated";
  d.dt_ms = dt_ms;
  d.cochleagram = front_end_description(preset.name, *fe);
  d.freqs_hz = fe->centre_frequencies_hz();
  const int total_steps = o.num_stimuli * 2;

  // 1. Stimuli and cochleagrams.
  for (int k = 0; k < o.num_stimuli; ++k) {
    if (progress) progress(k, total_steps, "stimulus " + std::to_string(k));
    const bool natural = k % 2 == 0;
    std::vector<float> wave = natural ? natural_like(o.stimulus_s, fs, rng) : drc(o.stimulus_s, fs, d.freqs_hz, rng);
    Stimulus s;
    s.name = (natural ? "natural-" : "drc-") + stimulus_key(k);
    s.num_frames = T;
    s.cochleagram = compute_cochleagram(*fe, wave.data(), wave.size(), T).values;
    if (o.store_waveforms) {
      s.waveform = std::move(wave);
      s.waveform_rate_hz = fs;
    }
    d.stimuli.push_back(std::move(s));
  }
  // Standardisation constants over all stimuli (what the neurons "hear").
  double mu = 0, var = 0;
  std::size_t count = 0;
  for (const auto& s : d.stimuli)
    for (float v : s.cochleagram) mu += v, ++count;
  mu /= count;
  for (const auto& s : d.stimuli)
    for (float v : s.cochleagram) var += (v - mu) * (v - mu);
  const double sd = std::sqrt(var / count);
  std::vector<std::vector<float>> z;
  for (const auto& s : d.stimuli) {
    std::vector<float> zz(s.cochleagram.size());
    for (std::size_t i = 0; i < zz.size(); ++i) zz[i] = static_cast<float>((s.cochleagram[i] - mu) / sd);
    z.push_back(std::move(zz));
  }

  // 2. Units with known parameters.
  std::uniform_real_distribution<double> U(0.0, 1.0);
  std::vector<Unit> units;
  auto wanted = [&](const char* kind) { return std::find(o.kinds.begin(), o.kinds.end(), kind) != o.kinds.end(); };
  for (const auto& k : o.kinds)
    if (k != "strf" && k != "adapting" && k != "onoff" && k != "recurrent")
      throw std::invalid_argument("simulation options: unknown neuron kind '" + k + "' (strf, adapting, onoff, recurrent)");
  for (int i = 0; i < o.units_per_kind && wanted("strf"); ++i) {
    Unit s;
    s.kind = "strf";
    s.id = "strf-" + std::to_string(i);
    s.strf = make_strf(F, L, rng);
    units.push_back(s);
  }
  for (int i = 0; i < o.units_per_kind && wanted("adapting"); ++i) {
    Unit s;
    s.kind = "adapting";
    // Time constants log-spaced from 50 ms to 4 s (a single unit: 1.5 s).
    s.tau_s = o.units_per_kind == 1 ? 1.5 : 0.05 * std::pow(80.0, static_cast<double>(i) / (o.units_per_kind - 1));
    s.k = 1.5 + U(rng);
    s.id = "adapting-" + std::to_string(i);
    s.strf = make_strf(F, L, rng);
    units.push_back(s);
  }
  for (int i = 0; i < o.units_per_kind && wanted("onoff"); ++i) {
    Unit s;
    s.kind = "onoff";
    s.id = "onoff-" + std::to_string(i);
    const double f0 = (0.2 + 0.6 * U(rng)) * (F - 1), width = 2 + 4 * U(rng);
    s.spectral.resize(F);
    for (int f = 0; f < F; ++f) s.spectral[f] = static_cast<float>(std::exp(-0.5 * std::pow((f - f0) / width, 2)));
    s.c_on = i % 2 == 0 ? 4.0 : 1.0;
    s.c_off = i % 2 == 0 ? 1.0 : 4.0;
    s.strf.assign(static_cast<std::size_t>(F) * L, 0.0f);  // its linear part: +w at lag 0, −w at lag 1
    for (int f = 0; f < F; ++f) {
      s.strf[f * L + 0] = s.spectral[f];
      if (L > 1) s.strf[f * L + 1] = -s.spectral[f];
    }
    units.push_back(s);
  }
  for (int i = 0; i < o.units_per_kind && wanted("recurrent"); ++i) {
    Unit s;
    s.kind = "recurrent";
    s.id = "recurrent-" + std::to_string(i);
    s.tau_s = 2.0 + U(rng);
    s.beta = 2.0 + U(rng);
    s.strf = make_strf(F, L, rng);
    units.push_back(s);
  }

  // 3. Calibrate: standardise each unit's drive over all stimuli, then set r0 so the
  // mean rate is the target.
  const double dt_s = dt_ms / 1000.0;
  for (auto& n : units) {
    double s1 = 0, s2 = 0;
    std::size_t c = 0;
    for (std::size_t k = 0; k < d.stimuli.size(); ++k) {
      std::vector<double> u;
      if (n.kind == "onoff") {
        u.assign(static_cast<std::size_t>(T), 0.0);
        for (int f = 0; f < F; ++f)
          for (std::int64_t t = 0; t < T; ++t) u[t] += n.spectral[f] * z[k][f * T + t];
      } else {
        u = strf_drive(n.strf, F, L, z[k], T);
      }
      for (double v : u) s1 += v, s2 += v * v, ++c;
    }
    n.drive_mean = s1 / c;
    n.drive_sd = std::sqrt(std::max(1e-12, s2 / c - n.drive_mean * n.drive_mean));
    n.r0 = 1.0;
    double mean_rate = 0;
    for (std::size_t k = 0; k < d.stimuli.size(); ++k) {
      const Trace tr = run_unit(n, F, L, z[k], T, dt_s);
      for (double r : tr.rate_hz) mean_rate += r;
    }
    mean_rate /= static_cast<double>(d.stimuli.size() * T);
    n.r0 = o.mean_rate_hz / std::max(mean_rate, 1e-9);
  }

  // 4. Rates and Poisson trials (1-ms indicator, summed per bin, as NS1).
  const int N = static_cast<int>(units.size());
  for (const auto& n : units) d.unit_ids.push_back(n.id);
  const int sub = std::max(1, static_cast<int>(std::lround(dt_ms)));  // 1-ms sub-bins per bin
  TruthArray strf{{static_cast<std::uint64_t>(N), static_cast<std::uint64_t>(F), static_cast<std::uint64_t>(L)}, {}};
  for (const auto& n : units) strf.data.insert(strf.data.end(), n.strf.begin(), n.strf.end());
  d.truth["strf"] = strf;
  for (std::size_t k = 0; k < d.stimuli.size(); ++k) {
    if (progress) progress(o.num_stimuli + static_cast<int>(k), total_steps, "trials of stimulus " + std::to_string(k));
    Stimulus& s = d.stimuli[k];
    s.num_trials = o.trials;
    s.responses.assign(static_cast<std::size_t>(N) * o.trials * T, 0.0f);
    TruthArray rates{{static_cast<std::uint64_t>(N), static_cast<std::uint64_t>(T)}, {}};
    TruthArray states{{static_cast<std::uint64_t>(N), static_cast<std::uint64_t>(T)}, {}};
    for (int u = 0; u < N; ++u) {
      const Trace tr = run_unit(units[u], F, L, z[k], T, dt_s);
      for (std::int64_t t = 0; t < T; ++t) {
        const double lambda_ms = tr.rate_hz[t] * dt_s / sub;  // expected spikes per sub-bin
        rates.data.push_back(static_cast<float>(sub * (1.0 - std::exp(-lambda_ms))));  // E[binned count]
        states.data.push_back(static_cast<float>(tr.state[t]));
        for (int m = 0; m < o.trials; ++m) {
          int c = 0;
          for (int j = 0; j < sub; ++j) c += std::poisson_distribution<int>(lambda_ms)(rng) > 0;
          s.responses[(static_cast<std::size_t>(u) * o.trials + m) * T + t] = static_cast<float>(c);
        }
      }
    }
    d.truth["rates/" + stimulus_key(k)] = std::move(rates);
    d.truth["states/" + stimulus_key(k)] = std::move(states);
  }
  if (progress) progress(total_steps, total_steps, "done");

  std::string desc = "[";
  for (std::size_t i = 0; i < units.size(); ++i) desc += (i ? ", " : "") + describe(units[i]);
  d.truth_attributes["units"] = desc + "]";
  d.truth_attributes["cochleagram_standardisation"] =
      "z = (cochleagram - " + std::to_string(mu) + ") / " + std::to_string(sd);
  d.truth_attributes["rates"] = "expected spikes per bin of the binned trials (1-ms indicator), [N, T_k]";
  d.truth_attributes["states"] = "adaptation a[t] (adapting) or memory h[t] (recurrent) per unit, else 0, [N, T_k]";
  d.truth_attributes["strf"] = "[N, F, L]: weight of z[f, t - l] in the unit's linear drive (onoff: +w at lag 0, -w at lag 1)";
  d.attributes["source"] = "statenet simulator, seed " + std::to_string(o.seed);
  char unit[64];
  std::snprintf(unit, sizeof unit, "spikes per %g-ms bin (1-ms indicator)", dt_ms);
  d.attributes["response_unit"] = unit;
  d.attributes["smoothing"] = "none";
  d.attributes["alignment"] = "causal: cochleagram frame t ends on the last sample of response bin t";
  d.attributes["kind"] = "simulated";
  d.attributes["fitting"] = "population";
  d.attributes["simulated"] = "yes";
  return d;
}

}  // namespace statenet
