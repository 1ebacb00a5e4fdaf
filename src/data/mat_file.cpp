#include "data/mat_file.h"

#include <matio.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include "util/checked_size.h"

namespace statenet {
namespace {

[[noreturn]] void fail(const MatFile& f, const std::string& where, const std::string& what) {
  throw std::runtime_error(f.path() + ": " + where + ": " + what);
}

// The data buffer must hold numel elements of data_size bytes: a file's dimensions and its
// stored bytes are read separately, and a crafted file can make them disagree.
void check_stored(const MatFile& f, const matvar_t* v, std::size_t n, const std::string& where) {
  const std::size_t element = static_cast<std::size_t>(v->data_size);
  if (element == 0 || n > v->nbytes / element)
    fail(f, where, std::to_string(n) + " elements of " + std::to_string(element) + " bytes declared, " +
                       std::to_string(v->nbytes) + " bytes stored");
}

}  // namespace

MatFile::MatFile(const std::string& path) : path_(path), reading_(path) {
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    throw std::runtime_error(path + ": no such file");
  }
  Mat_LogInit("statenet");  // matio logs to stderr on its own errors; we report ours
  mat_ = Mat_Open(path.c_str(), MAT_ACC_RDONLY);
  if (!mat_) throw std::runtime_error(path + ": not a readable MATLAB file (truncated or another format?)");
}

MatFile::~MatFile() {
  for (auto& [name, var] : read_) Mat_VarFree(var);
  if (mat_) Mat_Close(static_cast<mat_t*>(mat_));
}

const matvar_t* MatFile::variable(const std::string& name) {
  for (auto& [n, v] : read_)
    if (n == name) return v;
  matvar_t* v = Mat_VarRead(static_cast<mat_t*>(mat_), name.c_str());
  if (!v) throw std::runtime_error(path_ + ": variable '" + name + "' is missing or unreadable");
  read_.emplace_back(name, v);
  return v;
}

std::size_t mat_numel(const matvar_t* v) {
  if (v->rank < 0 || !v->dims) return 0;
  const std::optional<std::uint64_t> n = checked_product(std::vector<std::size_t>(v->dims, v->dims + v->rank), SIZE_MAX);
  if (!n) throw std::runtime_error(std::string("MAT variable '") + (v->name ? v->name : "?") + "': its dimensions overflow");
  return static_cast<std::size_t>(*n);
}

bool mat_is_struct(const matvar_t* v) { return v && v->class_type == MAT_C_STRUCT; }

const matvar_t* mat_field(const MatFile& file, const matvar_t* s, const char* name, std::size_t index,
                          const std::string& where) {
  const matvar_t* f = mat_optional_field(file, s, name, index, where);
  if (!f) fail(file, where + "." + name, "missing field");
  return f;
}

const matvar_t* mat_optional_field(const MatFile& file, const matvar_t* s, const char* name, std::size_t index,
                                   const std::string& where) {
  if (!mat_is_struct(s)) fail(file, where, "expected a struct");
  const std::size_t n = mat_numel(s);
  if (index >= n) fail(file, where, "index " + std::to_string(index) + " beyond " + std::to_string(n) + " elements");
  // libmatio trusts the file: check that the struct's field table holds numel × fields entries
  // and that every field has a name before looking one up.
  auto* var = const_cast<matvar_t*>(s);
  const std::size_t fields = Mat_VarGetNumberOfFields(var);
  char* const* names = Mat_VarGetStructFieldnames(var);
  const std::optional<std::uint64_t> entries = checked_product(std::vector<std::size_t>{n, fields}, SIZE_MAX / sizeof(matvar_t*));
  if (fields == 0 || !names || !s->data || !entries || s->nbytes / sizeof(matvar_t*) < *entries)
    fail(file, where, "malformed struct (" + std::to_string(fields) + " fields, " + std::to_string(s->nbytes) + " bytes of field table)");
  for (std::size_t k = 0; k < fields; ++k) {
    if (!names[k]) fail(file, where, "malformed struct (a field without a name)");
    if (std::strcmp(names[k], name) == 0) {
      const matvar_t* f = static_cast<matvar_t* const*>(s->data)[index * fields + k];
      if (!f) fail(file, where + "." + name, "missing value");
      return f;
    }
  }
  return nullptr;
}

std::string mat_string(const MatFile& file, const matvar_t* v, const std::string& where) {
  if (!v) fail(file, where, "no value");
  if (v->class_type != MAT_C_CHAR) fail(file, where, "expected text");
  const std::size_t n = mat_numel(v);
  std::string s;
  if (n == 0 || !v->data) return s;
  if (v->data_size != 1 && v->data_size != 2) fail(file, where, "text of " + std::to_string(v->data_size) + "-byte characters is not expected");
  check_stored(file, v, n, where);
  for (std::size_t i = 0; i < n; ++i) {
    unsigned c;
    if (v->data_size == 2) {
      std::uint16_t u;
      std::memcpy(&u, static_cast<const char*>(v->data) + 2 * i, 2);
      c = u;
    } else {
      c = static_cast<const unsigned char*>(v->data)[i];
    }
    s.push_back(c < 128 ? static_cast<char>(c) : '?');
  }
  return s;
}

std::vector<double> mat_numbers(const MatFile& file, const matvar_t* v, const std::string& where) {
  if (!v) fail(file, where, "no value");
  const std::size_t n = mat_numel(v);
  std::vector<double> out;
  if (n == 0) return out;
  if (v->isComplex) fail(file, where, "complex values are not expected");
  if (!v->data) fail(file, where, "no data");
  // Interpret the stored elements by their byte size and class (matio may report a
  // uint8 field's class as double: check the element size, not only the class).
  auto read = [&](auto tag) {
    using T = decltype(tag);
    if (static_cast<std::size_t>(v->data_size) != sizeof(T)) return false;
    check_stored(file, v, n, where);
    // One converting pass (no zero-filled vector first: a file may declare ~10⁸ elements).
    // libmatio allocates each variable's data on its own, so it is aligned for T.
    const T* stored = static_cast<const T*>(v->data);
    out.assign(stored, stored + n);
    return true;
  };
  bool ok = false;
  switch (v->class_type) {
    case MAT_C_DOUBLE: ok = read(double{}) || read(std::uint8_t{}); break;
    case MAT_C_SINGLE: ok = read(float{}); break;
    case MAT_C_INT8: ok = read(std::int8_t{}); break;
    case MAT_C_UINT8: ok = read(std::uint8_t{}); break;
    case MAT_C_INT16: ok = read(std::int16_t{}); break;
    case MAT_C_UINT16: ok = read(std::uint16_t{}); break;
    case MAT_C_INT32: ok = read(std::int32_t{}); break;
    case MAT_C_UINT32: ok = read(std::uint32_t{}); break;
    case MAT_C_INT64: ok = read(std::int64_t{}); break;
    case MAT_C_UINT64: ok = read(std::uint64_t{}); break;
    default: fail(file, where, "expected numbers");
  }
  if (!ok) fail(file, where, "unexpected element size " + std::to_string(v->data_size) + " for its class");
  return out;
}

}  // namespace statenet
