#include "cochleagram_io.h"

#include <hdf5.h>

#include <stdexcept>

#include "plot/heatmap.h"
#include "util/atomic_file.h"

namespace statenet {
namespace {

void check(herr_t status, const std::string& path, const char* what) {
  if (status < 0) throw std::runtime_error(path + ": HDF5 error while writing " + what);
}

void string_attribute(hid_t loc, const char* name, const std::string& value, const std::string& path) {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, value.empty() ? 1 : value.size());
  H5Tset_cset(type, H5T_CSET_UTF8);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  const herr_t st = H5Awrite(attr, type, value.empty() ? "" : value.c_str());
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  check(st, path, name);
}

void double_attribute(hid_t loc, const char* name, double value, const std::string& path) {
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  const herr_t st = H5Awrite(attr, H5T_NATIVE_DOUBLE, &value);
  H5Aclose(attr);
  H5Sclose(space);
  check(st, path, name);
}

}  // namespace

void write_cochleagram_png(const std::string& path, const Cochleagram& c, const CochleagramInfo& info) {
  HeatmapOptions o;
  o.title = info.source + "  —  preset " + info.preset;
  o.x_step = 1.0 / c.frame_rate_hz;
  o.row_values = c.centre_frequencies_hz;
  o.colour_label = info.value_label.empty() ? "compressed level" : info.value_label;
  write_png(path, render_heatmap(c.values.data(), c.num_bands, static_cast<long>(c.num_frames), o));
}

void write_cochleagram_h5(const std::string& path, const Cochleagram& c, const CochleagramInfo& info) {
  AtomicFile out(path);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t file = H5Fcreate(out.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) throw std::runtime_error(path + ": cannot create HDF5 file (directory missing?)");
  try {
    const hsize_t dims[2] = {static_cast<hsize_t>(c.num_bands), static_cast<hsize_t>(c.num_frames)};
    hid_t space = H5Screate_simple(2, dims, nullptr);
    hid_t ds = H5Dcreate2(file, "cochleagram", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.values.data());
    H5Dclose(ds);
    H5Sclose(space);
    check(st, path, "/cochleagram");
    const hsize_t fdims[1] = {static_cast<hsize_t>(c.num_bands)};
    space = H5Screate_simple(1, fdims, nullptr);
    ds = H5Dcreate2(file, "freqs_hz", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    st = H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.centre_frequencies_hz.data());
    H5Dclose(ds);
    H5Sclose(space);
    check(st, path, "/freqs_hz");
    string_attribute(file, "format", "statenet-cochleagram", path);
    double_attribute(file, "version", 1, path);
    string_attribute(file, "preset", info.preset, path);
    string_attribute(file, "front_end", info.front_end, path);
    string_attribute(file, "source", info.source, path);
    double_attribute(file, "sample_rate_hz", info.sample_rate_hz, path);
    double_attribute(file, "hop_samples", info.hop_samples, path);
    double_attribute(file, "frame_rate_hz", c.frame_rate_hz, path);
  } catch (...) {
    H5Fclose(file);
    throw;
  }
  if (H5Fclose(file) < 0) throw std::runtime_error(path + ": HDF5 error while closing");
  out.commit();
}

}  // namespace statenet
