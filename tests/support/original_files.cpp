#include "support/original_files.h"

#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace statenet::test {
namespace fs = std::filesystem;

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

void write_pcm16(const std::string& path, const AudioBuffer& a) {
  fs::create_directories(fs::path(path).parent_path());
  SF_INFO info{};
  info.channels = 1;
  info.samplerate = static_cast<int>(a.sample_rate_hz);
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) throw std::runtime_error(path + ": cannot create");
  sf_writef_float(f, a.samples.data(), static_cast<sf_count_t>(a.samples.size()));
  sf_close(f);
}

matvar_t* mat_numbers(std::vector<double> v) {
  size_t dims[2] = {1, v.size()};
  return Mat_VarCreate(nullptr, MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims, v.data(), 0);
}

matvar_t* mat_text(const std::string& s) {
  size_t dims[2] = {1, s.size()};
  return Mat_VarCreate(nullptr, MAT_C_CHAR, MAT_T_UINT8, 2, dims, const_cast<char*>(s.data()), 0);
}

matvar_t* mat_structs(const char* name, const std::vector<MatFields>& elements) {
  std::vector<const char*> names;
  for (const auto& f : elements.front()) names.push_back(f.first.c_str());
  size_t dims[2] = {1, elements.size()};
  matvar_t* s = Mat_VarCreateStruct(name, 2, dims, names.data(), static_cast<unsigned>(names.size()));
  for (std::size_t k = 0; k < elements.size(); ++k)
    for (const auto& [field, value] : elements[k]) Mat_VarSetStructFieldByName(s, field.c_str(), k, value);
  return s;
}

void write_mat(const std::string& path, const std::vector<matvar_t*>& vars) {
  fs::create_directories(fs::path(path).parent_path());
  mat_t* m = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  if (!m) throw std::runtime_error(path + ": cannot create a MAT file");
  for (matvar_t* v : vars) {
    Mat_VarWrite(m, v, MAT_COMPRESSION_NONE);
    Mat_VarFree(v);
  }
  Mat_Close(m);
}

std::vector<double> tone_samples(double f, double seconds, double fs) {
  std::vector<double> x(static_cast<std::size_t>(seconds * fs));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.1 * std::sin(2 * M_PI * f * i / fs);
  return x;
}

}  // namespace statenet::test
