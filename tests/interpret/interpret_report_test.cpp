// The interpretation report in-process, from maps with a known energy profile (no LibTorch):
// the arrays in interpret.h5 are the maps, summary.json's memory figures are those of
// memory_length_bins / energy_extent_bins in ms, the page links every picture it names, a
// true STRF of the wrong shape is refused before anything is written, and a front end that is
// no preset of this build is said, not silently replaced.

#include "interpret/interpret_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cochlea/presets.h"
#include "data/h5_file.h"
#include "support/test_support.h"

namespace statenet {
namespace {

// Two units over 34 bands and 40 bins: unit 0's map decays with latency as e^{−ℓ/3}, unit 1's
// as e^{−ℓ/10} (energy ∝ e^{−2ℓ/τ}).
InterpretMaps decaying_maps(const std::string& cochleagram) {
  InterpretMaps m;
  m.config = default_model_config(Architecture::kL, 34, 2);
  m.config.cochleagram = cochleagram;
  m.config.dt_ms = 5.0;
  m.units = {0, 1};
  m.num_bands = 34;
  m.length_bins = 40;
  m.maps.resize(2 * 34 * 40);
  m.energy.resize(2 * 40);
  for (int u = 0; u < 2; ++u) {
    const double tau = u == 0 ? 3.0 : 10.0;
    for (int l = 0; l < 40; ++l) {
      const float g = static_cast<float>(std::exp(-l / tau));
      for (int f = 0; f < 34; ++f) m.maps[(static_cast<std::size_t>(u) * 34 + f) * 40 + (39 - l)] = (f % 2 ? g : -g);
      m.energy[u * 40 + l] = g * g;
    }
  }
  return m;
}

TEST(InterpretReport, filesHoldTheMapsAndTheirMemoryFigures) {
  const std::string dir = test::temp_dir() + "/report";
  const std::string ns1 = front_end_description("ns1", *make_front_end(cochleagram_preset("ns1")));
  const InterpretMaps m = decaying_maps(ns1);
  InterpretReportOptions o;
  o.model_path = "m.safetensors";
  const InterpretReport r = write_interpret_report(dir, {{"gradmap", m}}, o);
  EXPECT_EQ(r.band_axis_note, "") << "ns1 is a preset: bands get their frequencies";

  Shape shape;
  const std::vector<float> stored = H5File::open(dir + "/interpret.h5").read_f32("/gradmap", &shape);
  EXPECT_EQ(shape, (Shape{2, 34, 40}));
  EXPECT_EQ(test::max_abs_diff(stored.data(), m.maps.data(), m.maps.size()).value, 0.0);

  const nlohmann::json summary = nlohmann::json::parse(test::read_file(dir + "/summary.json"));
  const std::vector<int> memory = memory_length_bins(m), extent = energy_extent_bins(m);
  ASSERT_EQ(r.kinds.size(), 1u);
  const auto ms = summary["gradmap"]["memory_length_ms_95"].get<std::vector<double>>();
  for (int u = 0; u < 2; ++u) EXPECT_EQ(ms[u], memory[u] * 5.0) << "unit " << u;
  EXPECT_LT(memory[0], memory[1]) << "the slower decay has the longer memory";
  EXPECT_EQ(r.kinds[0].second.max_memory_ms, std::max(memory[0], memory[1]) * 5.0);
  EXPECT_EQ(r.kinds[0].second.max_extent_ms, std::max(extent[0], extent[1]) * 5.0);
  EXPECT_EQ(r.kinds[0].second.length_ms, 200.0);

  const std::string html = test::read_file(dir + "/index.html");
  for (const char* png : {"gradmap_energy.png", "gradmap_memory.png", "gradmap_all.png", "gradmap_unit0.png", "gradmap_unit1.png"}) {
    EXPECT_NE(html.find(png), std::string::npos) << png;
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + png)) << png;
  }
}

TEST(InterpretReport, aTrueStrfOfTheWrongShapeIsRefusedBeforeAnythingIsWritten) {
  const std::string dir = test::temp_dir() + "/refused";
  TruthArray wrong;
  wrong.shape = {3, 34, 10};
  wrong.data.assign(3 * 34 * 10, 0.0f);
  InterpretReportOptions o;
  o.true_strf = &wrong;
  o.true_strf_source = "sim.h5";
  try {
    write_interpret_report(dir, {{"gradmap", decaying_maps("ns1: x")}}, o);
    ADD_FAILURE() << "accepted a true STRF of 3 units for a model of 2";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "sim.h5: /truth/strf holds 3 units × 34 bands, the model predicts 2 units from 34 bands");
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(InterpretReport, aFrontEndThatIsNoPresetIsSaidNotSilentlyReplaced) {
  const std::string dir = test::temp_dir() + "/shipped";
  const InterpretReport r = write_interpret_report(dir, {{"gradmap", decaying_maps("nat4 shipped 'ozgf' 18-channel")}}, {});
  EXPECT_NE(r.band_axis_note.find("is no preset of this build"), std::string::npos) << r.band_axis_note;
  EXPECT_TRUE(std::filesystem::exists(dir + "/index.html"));
}

}  // namespace
}  // namespace statenet
