// The dataset file: round trips, and every malformed file rejected with its message.

#include "data/dataset.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <tuple>

#include "data/simulator.h"
#include "support/test_support.h"

namespace statenet {
namespace {

bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
  // Bitwise, so NaN positions must match too.
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

Dataset small_dataset() {
  SimulationOptions o = simulation_preset("tiny");
  o.num_stimuli = 3;
  o.stimulus_s = 0.5;
  o.store_waveforms = true;
  Dataset d = simulate_dataset(o);
  // A unit that did not hear stimulus 1, and a stimulus with a missing trial.
  Stimulus& s = d.stimuli[1];
  for (int m = 0; m < s.num_trials; ++m)
    for (std::int64_t t = 0; t < s.num_frames; ++t) s.unit_trials(2)[m * s.num_frames + t] = NAN;
  return d;
}

TEST(Dataset, simulateWriteReadGivesIdenticalArrays) {
  const std::string path = test::temp_dir() + "/sim.h5";
  const Dataset d = small_dataset();
  write_dataset(path, d);
  const Dataset r = read_dataset(path);
  EXPECT_EQ(r.name, d.name);
  EXPECT_EQ(r.dt_ms, d.dt_ms);
  EXPECT_EQ(r.cochleagram, d.cochleagram);
  EXPECT_EQ(r.freqs_hz, d.freqs_hz);
  EXPECT_EQ(r.unit_ids, d.unit_ids);
  EXPECT_EQ(r.attributes, d.attributes);
  ASSERT_EQ(r.stimuli.size(), d.stimuli.size());
  for (std::size_t k = 0; k < d.stimuli.size(); ++k) {
    SCOPED_TRACE("stimulus " + std::to_string(k));
    EXPECT_EQ(r.stimuli[k].name, d.stimuli[k].name);
    EXPECT_EQ(r.stimuli[k].num_trials, d.stimuli[k].num_trials);
    EXPECT_TRUE(same_floats(r.stimuli[k].cochleagram, d.stimuli[k].cochleagram));
    EXPECT_TRUE(same_floats(r.stimuli[k].responses, d.stimuli[k].responses));
    EXPECT_TRUE(same_floats(r.stimuli[k].waveform, d.stimuli[k].waveform));
    EXPECT_EQ(r.stimuli[k].waveform_rate_hz, d.stimuli[k].waveform_rate_hz);
  }
  EXPECT_FALSE(r.stimuli[1].heard_by(2));
  EXPECT_TRUE(r.stimuli[0].heard_by(2));
  ASSERT_EQ(r.truth.size(), d.truth.size());
  for (const auto& [key, a] : d.truth) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(r.truth.count(key));
    EXPECT_EQ(r.truth.at(key).shape, a.shape);
    EXPECT_TRUE(same_floats(r.truth.at(key).data, a.data));
  }
  EXPECT_EQ(r.truth_attributes, d.truth_attributes);
}

TEST(Dataset, isReadableFromPythonH5py) {
  if (std::system("/usr/bin/python3 -c 'import h5py' 2>/dev/null") != 0) GTEST_SKIP() << "python3-h5py not installed";
  const std::string dir = test::temp_dir();
  write_dataset(dir + "/d.h5", small_dataset());
  const std::string script = dir + "/read.py";
  std::ofstream(script) << "import h5py, numpy as np, sys\n"
                           "f = h5py.File(sys.argv[1], 'r')\n"
                           "assert f.attrs['format'] == 'statenet-dataset' and f.attrs['version'] == 1\n"
                           "F = f['freqs_hz'].shape[0]; N = len(f['unit_ids'])\n"
                           "ids = [u.decode() if isinstance(u, bytes) else u for u in f['unit_ids'][...]]\n"
                           "s = f['stimuli/0001']\n"
                           "assert s['cochleagram'].shape[0] == F and s['responses'].shape[0] == N\n"
                           "assert np.isnan(s['responses'][2]).all() and not np.isnan(s['responses'][0]).any()\n"
                           "assert s['waveform'].attrs['sample_rate'] > 0\n"
                           "print('ok', F, N, ids[0], f['truth/strf'].shape)\n";
  FILE* p = popen(("/usr/bin/python3 " + script + " " + dir + "/d.h5 2>&1").c_str(), "r");
  char buf[512] = {};
  const std::string out = fgets(buf, sizeof buf, p) ? buf : "";
  EXPECT_EQ(pclose(p), 0) << out;
  EXPECT_EQ(out.rfind("ok 34 4 strf-0", 0), 0u) << out;
}

// Writes a dataset file by hand, letting `corrupt` change it, and returns the reader's error.
std::string error_reading(const std::function<void(H5File&)>& corrupt, bool skip_stimuli = false) {
  const std::string path = test::temp_dir() + "/bad.h5";
  {
    H5File f = H5File::create(path);
    f.set_attribute("/", "format", "statenet-dataset");
    f.set_attribute("/", "version", 1.0);
    f.set_attribute("/", "name", "bad");
    f.set_attribute("/", "dt_ms", 5.0);
    f.set_attribute("/", "cochleagram", "test");
    const std::vector<double> freqs = {500, 1000, 2000};
    f.write("/freqs_hz", {3}, freqs.data());
    f.write_strings("/unit_ids", {"a", "b"});
    if (!skip_stimuli) {
      f.create_group("/stimuli");
      f.create_group("/stimuli/0000");
      f.set_attribute("/stimuli/0000", "name", "s0");
      const std::vector<float> c(3 * 4, 1.0f), r(2 * 2 * 4, 0.0f);
      f.write("/stimuli/0000/cochleagram", {3, 4}, c.data());
      f.write("/stimuli/0000/responses", {2, 2, 4}, r.data());
    }
    corrupt(f);
    f.close();
  }
  try {
    read_dataset(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(accepted)";
}

void expect_error(const std::string& error, const std::string& fragment) {
  EXPECT_NE(error.find(fragment), std::string::npos) << "error was: " << error;
}

// Replaces the root attribute `name` of a closed file by an array of `count` elements of `type`.
void make_attribute_an_array(const std::string& path, const char* name, hid_t type, int count) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  H5Adelete(file, name);
  const hsize_t dims[1] = {static_cast<hsize_t>(count)};
  const hid_t space = H5Screate_simple(1, dims, nullptr);
  const hid_t attr = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<char> bytes(H5Tget_size(type) * count, 'A');  // what the reader must never copy onto its stack
  H5Awrite(attr, type, bytes.data());
  H5Aclose(attr);
  H5Sclose(space);
  H5Fclose(file);
}

TEST(Dataset, aScalarAttributeStoredAsAnArrayIsRefusedNotReadPastItsEnd) {
  // A crafted file once wrote 64 doubles into one (stack-buffer-overflow under ASan).
  for (const auto& [name, type, count] : std::vector<std::tuple<const char*, hid_t, int>>{
           {"dt_ms", H5T_NATIVE_DOUBLE, 64}, {"version", H5T_NATIVE_INT64, 4}, {"dt_ms", H5T_NATIVE_DOUBLE, 0}}) {
    const std::string path = test::temp_dir() + "/array.h5";
    write_dataset(path, simulate_dataset(simulation_preset("tiny")));
    if (count == 0) {  // an empty dataspace: no element to read
      const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      H5Adelete(file, name);
      const hid_t space = H5Screate(H5S_NULL);
      H5Aclose(H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT));
      H5Sclose(space);
      H5Fclose(file);
    } else {
      make_attribute_an_array(path, name, type, count);
    }
    try {
      read_dataset(path);
      ADD_FAILURE() << name << " as " << count << " elements was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("attribute '" + std::string(name) + "' should be one number, found " + std::to_string(count) +
                                           " elements"),
                std::string::npos)
          << e.what();
    }
  }
  const std::string path = test::temp_dir() + "/array.h5";
  write_dataset(path, simulate_dataset(simulation_preset("tiny")));
  const hid_t str = H5Tcopy(H5T_C_S1);
  H5Tset_size(str, 8);
  make_attribute_an_array(path, "name", str, 16);
  H5Tclose(str);
  try {
    read_dataset(path);
    ADD_FAILURE() << "a name of 16 strings was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("attribute 'name' should be one string, found 16 elements"), std::string::npos) << e.what();
  }
}

TEST(Dataset, anArrayLargerThanMemoryOrItsStorageIsRefusedBeforeAnythingIsAllocated) {
  // A chunked dataset may declare any extent in a tiny file: [4, 2^62] (2^64 floats, an
  // overflow in bytes) and [4, 2^26] (1 GB, which would fit in memory, but the file stores no
  // chunk of it). The reader refuses both by name instead of allocating or wrapping.
  for (const hsize_t columns : {hsize_t{1} << 62, hsize_t{1} << 26}) {
    const std::string path = test::temp_dir() + "/huge.h5";
    {
      const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      const hsize_t dims[2] = {4, columns}, chunk[2] = {4, 16};
      const hid_t space = H5Screate_simple(2, dims, nullptr);
      const hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
      H5Pset_chunk(plist, 2, chunk);
      H5Dclose(H5Dcreate2(file, "/huge", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, plist, H5P_DEFAULT));
      H5Pclose(plist);
      H5Sclose(space);
      H5Fclose(file);
    }
    EXPECT_LT(std::filesystem::file_size(path), 1u << 16);
    H5File f = H5File::open(path);
    try {
      f.read_f32("/huge");
      ADD_FAILURE() << "a [4, " << columns << "] array was read";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("/huge: shape [4, " + std::to_string(columns) +
                                           "] holds more elements than the file stores or this machine's memory holds"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(Dataset, theHandWrittenBaseFileIsValid) { EXPECT_EQ(error_reading([](H5File&) {}), "(accepted)"); }

TEST(Dataset, malformedFilesAreRejectedNamingTheObject) {
  const std::vector<float> c34(3 * 4, 1.0f), c24(2 * 4, 1.0f), r(2 * 2 * 4, 0.0f), r3(3 * 2 * 4, 0.0f), r5(2 * 2 * 5, 0.0f);
  expect_error(error_reading([](H5File&) {}, true), "/stimuli: missing group");
  // Ground truth a reader indexes must have the shape it will be indexed with.
  const std::vector<float> t6(6, 0.0f), t8(8, 0.0f);
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/truth");
                 f.create_group("/truth/rates");
                 f.write("/truth/rates/0000", {2, 3}, t6.data());
               }),
               "/truth/rates/0000: expected shape [2, 4], found [2, 3]");
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/truth");
                 f.create_group("/truth/rates");
                 f.write("/truth/rates/0007", {2, 4}, t8.data());
               }),
               "/truth/rates/0007: names no stimulus of the dataset");
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/truth");
                 f.write("/truth/strf", {2, 4}, t8.data());
               }),
               "/truth/strf: expected shape [2, 3, lags], found [2, 4]");
  expect_error(error_reading([](H5File& f) { f.set_attribute("/", "format", "something-else"); }), "not a statenet dataset");
  expect_error(error_reading([](H5File& f) { f.set_attribute("/", "version", 2.0); }), "format version 2 is not supported");
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/stimuli/0002");
               }),
               "expected group 0001");
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/stimuli/0001");
                 f.set_attribute("/stimuli/0001", "name", "s1");
                 f.write("/stimuli/0001/cochleagram", {12}, c34.data());
               }),
               "/stimuli/0001/cochleagram: expected rank 2 [F, T], found shape [12]");
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/stimuli/0001");
                 f.set_attribute("/stimuli/0001", "name", "s1");
                 f.write("/stimuli/0001/cochleagram", {2, 4}, c24.data());
               }),
               "/stimuli/0001/cochleagram: has 2 bands but /freqs_hz has 3");
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/stimuli/0001");
                 f.set_attribute("/stimuli/0001", "name", "s1");
                 f.write("/stimuli/0001/cochleagram", {3, 4}, c34.data());
                 f.write("/stimuli/0001/responses", {3, 2, 4}, r3.data());
               }),
               "/stimuli/0001/responses: has 3 units but /unit_ids has 2");
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/stimuli/0001");
                 f.set_attribute("/stimuli/0001", "name", "s1");
                 f.write("/stimuli/0001/cochleagram", {3, 4}, c34.data());
                 f.write("/stimuli/0001/responses", {2, 2, 5}, r5.data());
               }),
               "/stimuli/0001/responses: has 5 time bins but the cochleagram has 4");
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/stimuli/0001");
                 f.set_attribute("/stimuli/0001", "name", "s1");
                 f.write("/stimuli/0001/cochleagram", {3, 4}, c34.data());
               }),
               "/stimuli/0001/responses: missing dataset");
  expect_error(error_reading([&](H5File& f) {
                 std::vector<float> bad = c34;
                 bad[5] = NAN;
                 f.create_group("/stimuli/0001");
                 f.set_attribute("/stimuli/0001", "name", "s1");
                 f.write("/stimuli/0001/cochleagram", {3, 4}, bad.data());
                 f.write("/stimuli/0001/responses", {2, 2, 4}, r.data());
               }),
               "/stimuli/0001/cochleagram: non-finite value at band 1, bin 1");
  expect_error(error_reading([&](H5File& f) {
                 std::vector<float> bad = r;
                 bad[3] = INFINITY;
                 f.create_group("/stimuli/0001");
                 f.set_attribute("/stimuli/0001", "name", "s1");
                 f.write("/stimuli/0001/cochleagram", {3, 4}, c34.data());
                 f.write("/stimuli/0001/responses", {2, 2, 4}, bad.data());
               }),
               "/stimuli/0001/responses: infinite value");
  expect_error(error_reading([&](H5File& f) {
                 f.create_group("/stimuli/0001");
                 f.write("/stimuli/0001/cochleagram", {3, 4}, c34.data());
                 f.write("/stimuli/0001/responses", {2, 2, 4}, r.data());
               }),
               "/stimuli/0001: missing attribute 'name'");
  expect_error(error_reading([&](H5File& f) {
                 const std::vector<double> w(10, 0.0);
                 f.write("/stimuli/0000/waveform", {10}, w.data());
               }),
               "/stimuli/0000/waveform: missing attribute 'sample_rate'");
}

TEST(Dataset, notADatasetFileGivesOneLine) {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/text.h5") << "hello";
  try {
    read_dataset(dir + "/text.h5");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), dir + "/text.h5: not an HDF5 file (or truncated)");
  }
  EXPECT_THROW(read_dataset(dir + "/missing.h5"), std::runtime_error);
  // A truncated copy of a valid file.
  write_dataset(dir + "/ok.h5", small_dataset());
  std::filesystem::copy_file(dir + "/ok.h5", dir + "/cut.h5");
  std::filesystem::resize_file(dir + "/cut.h5", std::filesystem::file_size(dir + "/ok.h5") / 2);
  EXPECT_THROW(read_dataset(dir + "/cut.h5"), std::runtime_error);
}

TEST(Dataset, writingAnInvalidDatasetLeavesTheExistingFileIntact) {
  const std::string dir = test::temp_dir(), path = dir + "/d.h5";
  const Dataset good = small_dataset();
  write_dataset(path, good);
  const auto size = std::filesystem::file_size(path);
  Dataset bad = good;
  bad.stimuli[0].cochleagram[7] = NAN;
  try {
    write_dataset(path, bad);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/stimuli/0000/cochleagram: non-finite value"), std::string::npos) << e.what();
  }
  EXPECT_EQ(std::filesystem::file_size(path), size);
  EXPECT_NO_THROW(read_dataset(path));
  for (const auto& e : std::filesystem::directory_iterator(dir)) EXPECT_EQ(e.path().filename(), "d.h5");
}

}  // namespace
}  // namespace statenet
