#include "data/h5_file.h"

#include <hdf5.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include "util/checked_size.h"

namespace statenet {
namespace {

// Closes an HDF5 handle of any kind at scope exit.
struct Handle {
  hid_t id;
  explicit Handle(hid_t h) : id(h) {}
  ~Handle() {
    if (id >= 0) H5Idec_ref(id);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  operator hid_t() const { return id; }
};

void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

void H5File::fail(const std::string& object, const std::string& problem) const {
  throw std::runtime_error(shown_as_ + ": " + (object.empty() ? "" : object + ": ") + problem);
}

H5File H5File::create(const std::string& path, const std::string& shown_as) {
  silence_hdf5();
  // Can the path be written at all? Fail now, before the caller computes what it will hold.
  const std::string& name = shown_as.empty() ? path : shown_as;
  if (FILE* probe = std::fopen(path.c_str(), "wb")) std::fclose(probe);
  else throw std::runtime_error(name + ": cannot create HDF5 file (" + std::strerror(errno) + ")");
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_fapl_core(fapl, 16u << 20, /*backing_store=*/0);  // in memory, grown 16 MiB at a time
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (id < 0) throw std::runtime_error(name + ": cannot create HDF5 file in memory");
  return H5File(id, path, true, shown_as);
}

H5File H5File::open(const std::string& path) {
  silence_hdf5();
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error(path + ": no such file");
    std::fclose(f);
    throw std::runtime_error(path + ": not an HDF5 file (or truncated)");
  }
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw std::runtime_error(path + ": cannot open HDF5 file");
  return H5File(id, path, false);
}

H5File::H5File(H5File&& o) noexcept
    : id_(o.id_), path_(std::move(o.path_)), shown_as_(std::move(o.shown_as_)), in_memory_(o.in_memory_) {
  o.id_ = -1;
}

H5File::~H5File() {
  if (id_ >= 0) H5Fclose(id_);
}

void H5File::close() {
  if (id_ < 0) return;
  std::vector<char> image;
  if (in_memory_) {
    const hid_t id = id_;
    if (H5Fflush(id, H5F_SCOPE_GLOBAL) < 0) {
      H5Fclose(id), id_ = -1;
      fail("", "HDF5 error while finishing the file");
    }
    const ssize_t size = H5Fget_file_image(id, nullptr, 0);
    if (size > 0) {
      image.resize(static_cast<std::size_t>(size));
      if (H5Fget_file_image(id, image.data(), image.size()) != size) image.clear();
    }
    if (image.empty()) {
      H5Fclose(id), id_ = -1;
      fail("", "HDF5 could not give the file's image");
    }
  }
  const herr_t st = H5Fclose(id_);
  id_ = -1;
  if (st < 0) fail("", "HDF5 error while closing");
  if (!in_memory_) return;
  // One checked write; a partial file is removed.
  FILE* f = std::fopen(path_.c_str(), "wb");
  if (!f) fail("", std::string("cannot write (") + std::strerror(errno) + ")");
  const bool written = std::fwrite(image.data(), 1, image.size(), f) == image.size();
  const int write_errno = errno;
  const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int flush_errno = errno;
  const bool closed = std::fclose(f) == 0;
  if (!written || !flushed || !closed) {
    std::remove(path_.c_str());
    fail("", std::string("write failed (") + std::strerror(!written ? write_errno : flush_errno) + ")");
  }
}

void H5File::create_group(const std::string& name) {
  Handle g(H5Gcreate2(id_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (g < 0) fail(name, "cannot create group");
}

namespace {

void write_array(const H5File& f, hid_t file, const std::string& name, const Shape& shape, hid_t file_type,
                 hid_t mem_type, const void* data, bool compress) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Handle plist(H5Pcreate(H5P_DATASET_CREATE));
  std::size_t total = 1;
  for (auto d : shape) total *= d;
  if (compress && total > 0) {
    // Chunks of whole rows of the last axis, about 256 KB each.
    std::vector<hsize_t> chunk(dims);
    std::size_t bytes = 4;
    for (auto d : dims) bytes *= d;
    for (std::size_t i = 0; i + 1 < chunk.size() && bytes > (1u << 18); ++i) {
      const hsize_t keep = std::max<hsize_t>(1, chunk[i] * (1u << 18) / bytes);
      bytes = bytes / chunk[i] * keep;
      chunk[i] = keep;
    }
    H5Pset_chunk(plist, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_shuffle(plist);
    H5Pset_deflate(plist, 4);
  }
  Handle ds(H5Dcreate2(file, name.c_str(), file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT));
  if (ds < 0) f.fail(name, "cannot create dataset");
  if (total > 0 && H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) f.fail(name, "write failed");
}

}  // namespace

void H5File::write(const std::string& name, const Shape& shape, const float* data, bool compress) {
  write_array(*this, id_, name, shape, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data, compress);
}

void H5File::write(const std::string& name, const Shape& shape, const double* data) {
  write_array(*this, id_, name, shape, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data, false);
}

void H5File::write_strings(const std::string& name, const std::vector<std::string>& values) {
  // Variable-length UTF-8 strings (h5py reads them as str/bytes objects).
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle ds(H5Dcreate2(id_, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (ds < 0) fail(name, "cannot create dataset");
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) fail(name, "write failed");
}

void H5File::set_attribute(const std::string& object, const std::string& name, const std::string& value) {
  if (has_attribute(object, name)) H5Adelete_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT);
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr(H5Acreate_by_name(id_, object.c_str(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  const char* p = value.c_str();
  if (attr < 0 || H5Awrite(attr, type, &p) < 0) fail(object, "cannot write attribute '" + name + "'");
}

void H5File::set_attribute(const std::string& object, const std::string& name, double value) {
  if (has_attribute(object, name)) H5Adelete_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT);
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr(H5Acreate_by_name(id_, object.c_str(), name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                H5P_DEFAULT));
  if (attr < 0 || H5Awrite(attr, H5T_NATIVE_DOUBLE, &value) < 0) fail(object, "cannot write attribute '" + name + "'");
}

bool H5File::exists(const std::string& name) const {
  if (name == "/") return true;
  // Check each component so that a missing parent is not an error.
  std::size_t pos = 0;
  while ((pos = name.find('/', pos + 1)) != std::string::npos) {
    if (H5Lexists(id_, name.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return H5Lexists(id_, name.c_str(), H5P_DEFAULT) > 0;
}

bool H5File::is_group(const std::string& name) const {
  if (!exists(name)) return false;
  H5O_info_t info;
  if (H5Oget_info_by_name(id_, name.c_str(), &info, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_GROUP;
}

std::vector<std::string> H5File::children(const std::string& group) const {
  if (!is_group(group)) fail(group, "missing group");
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->push_back(name);
    return 0;
  };
  H5Literate_by_name(id_, group.c_str(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names, H5P_DEFAULT);
  return names;
}

Shape H5File::shape(const std::string& dataset) const {
  if (!exists(dataset)) fail(dataset, "missing dataset");
  Handle ds(H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT));
  if (ds < 0) fail(dataset, "not a dataset");
  Handle space(H5Dget_space(ds));
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return Shape(dims.begin(), dims.end());
}

namespace {

// How many elements of `element_bytes` a dataset may declare before anything is allocated: a
// small chunked file can declare any shape. A dataset holds at most what the file stores for
// it, expanded ≤ 1032× by deflate (or 1 MiB of fill values), and must fit this machine's memory.
std::uint64_t max_elements(hid_t ds, std::size_t element_bytes) {
  const std::uint64_t memory =
      static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGE_SIZE));
  const std::uint64_t stored = std::min<std::uint64_t>(H5Dget_storage_size(ds), memory);
  return std::min(memory, std::max<std::uint64_t>(1u << 20, stored * 1032)) / element_bytes;
}

template <class T>
std::vector<T> read_numeric(const H5File& f, hid_t file, const std::string& name, hid_t mem_type, Shape* out_shape) {
  const Shape shape = f.shape(name);
  Handle ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
  Handle type(H5Dget_type(ds));
  if (H5Tget_class(type) != H5T_FLOAT && H5Tget_class(type) != H5T_INTEGER) {
    f.fail(name, "expected a numeric array");
  }
  const std::optional<std::uint64_t> total = checked_product(shape, max_elements(ds, sizeof(T)));
  if (!total) f.fail(name, "shape " + shape_to_string(shape) + " holds more elements than the file stores or this machine's memory holds");
  std::vector<T> data(static_cast<std::size_t>(*total));
  if (*total > 0 && H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0) {
    f.fail(name, "read failed (truncated or corrupt file?)");
  }
  if (out_shape) *out_shape = shape;
  return data;
}

}  // namespace

std::vector<float> H5File::read_f32(const std::string& name, Shape* shape) const {
  return read_numeric<float>(*this, id_, name, H5T_NATIVE_FLOAT, shape);
}

std::vector<double> H5File::read_f64(const std::string& name, Shape* shape) const {
  return read_numeric<double>(*this, id_, name, H5T_NATIVE_DOUBLE, shape);
}

std::vector<std::string> H5File::read_strings(const std::string& name) const {
  const Shape shape = this->shape(name);
  if (shape.size() != 1) fail(name, "expected a 1-D list of strings, found shape " + shape_to_string(shape));
  Handle ds(H5Dopen2(id_, name.c_str(), H5P_DEFAULT));
  Handle type(H5Dget_type(ds));
  if (H5Tget_class(type) != H5T_STRING) fail(name, "expected strings");
  std::vector<std::string> out;
  const bool variable = H5Tis_variable_str(type) > 0;
  const std::size_t element_bytes = variable ? sizeof(char*) : std::max<std::size_t>(H5Tget_size(type), 1);
  if (shape[0] > max_elements(ds, element_bytes))
    fail(name, std::to_string(shape[0]) + " strings: more than the file stores or this machine's memory holds");
  if (variable) {
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    std::vector<char*> ptrs(shape[0], nullptr);
    if (!ptrs.empty() && H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
      for (char* p : ptrs) H5free_memory(p);  // a read that fails half-way keeps what it converted
      fail(name, "read failed");
    }
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    Handle space(H5Dget_space(ds));
    if (!ptrs.empty()) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, ptrs.data());
  } else {
    const std::size_t size = H5Tget_size(type);
    std::vector<char> buf(size * shape[0]);
    if (!buf.empty() && H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) fail(name, "read failed");
    for (std::size_t i = 0; i < shape[0]; ++i) {
      std::string s(buf.data() + i * size, size);
      out.push_back(s.substr(0, s.find('\0')));
    }
  }
  return out;
}

bool H5File::has_attribute(const std::string& object, const std::string& name) const {
  return exists(object) && H5Aexists_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::string> H5File::attribute_names(const std::string& object) const {
  if (!exists(object)) fail(object, "missing object");
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->push_back(name);
    return 0;
  };
  H5Aiterate_by_name(id_, object.c_str(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names, H5P_DEFAULT);
  return names;
}

bool H5File::attribute_is_string(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name)) return false;
  Handle attr(H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  Handle type(H5Aget_type(attr));
  return H5Tget_class(type) == H5T_STRING;
}

namespace {
// A scalar attribute is read into one value: its dataspace must hold exactly one element (an
// array attribute read into a scalar writes past it — a crafted file then controls the stack).
hssize_t attribute_elements(hid_t attr) {
  Handle space(H5Aget_space(attr));
  if (space < 0) return -1;
  const H5S_class_t kind = H5Sget_simple_extent_type(space);
  if (kind == H5S_SCALAR) return 1;
  if (kind == H5S_NULL) return 0;
  return H5Sget_simple_extent_npoints(space);
}
}  // namespace

std::string H5File::string_attribute(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name)) fail(object, "missing attribute '" + name + "'");
  Handle attr(H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (attr < 0) fail(object, "cannot open attribute '" + name + "'");
  const hssize_t elements = attribute_elements(attr);
  if (elements != 1)
    fail(object, "attribute '" + name + "' should be one string, found " + std::to_string(static_cast<long long>(elements)) + " elements");
  Handle type(H5Aget_type(attr));
  if (H5Tget_class(type) != H5T_STRING) fail(object, "attribute '" + name + "' should be a string");
  if (H5Tis_variable_str(type) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    char* p = nullptr;
    if (H5Aread(attr, mem, &p) < 0) {
      H5free_memory(p);  // a read that fails half-way may have allocated the string
      fail(object, "cannot read attribute '" + name + "'");
    }
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  const std::size_t bytes = H5Tget_size(type);
  if (bytes == 0 || bytes > (1u << 20)) fail(object, "attribute '" + name + "' has a string size of " + std::to_string(bytes) + " bytes");
  std::string s(bytes, '\0');
  if (H5Aread(attr, type, s.data()) < 0) fail(object, "cannot read attribute '" + name + "'");
  return s.substr(0, s.find('\0'));
}

double H5File::number_attribute(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name)) fail(object, "missing attribute '" + name + "'");
  Handle attr(H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (attr < 0) fail(object, "cannot open attribute '" + name + "'");
  const hssize_t elements = attribute_elements(attr);
  if (elements != 1)
    fail(object, "attribute '" + name + "' should be one number, found " + std::to_string(static_cast<long long>(elements)) + " elements");
  Handle type(H5Aget_type(attr));
  if (H5Tget_class(type) != H5T_FLOAT && H5Tget_class(type) != H5T_INTEGER) {
    fail(object, "attribute '" + name + "' should be a number");
  }
  double v = 0;
  if (H5Aread(attr, H5T_NATIVE_DOUBLE, &v) < 0) fail(object, "cannot read attribute '" + name + "'");
  return v;
}

}  // namespace statenet
