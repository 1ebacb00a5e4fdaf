#pragma once
// A thin RAII layer over the HDF5 C API for our files: datasets addressed by path
// ("/stimuli/0000/cochleagram"), float32/float64 arrays, string lists, scalar
// attributes. Every failure throws std::runtime_error "<file>: <object>: <problem>".
// [main thread; HDF5's serial library is not thread-safe]

#include <cstdint>
#include <string>
#include <vector>

namespace statenet {

using Shape = std::vector<std::uint64_t>;

class H5File {
 public:
  // Creates (truncates) a file for writing.
  static H5File create(const std::string& path);
  // Opens an existing file read-only; throws "<path>: not an HDF5 file" etc.
  static H5File open(const std::string& path);
  H5File(H5File&& other) noexcept;
  H5File& operator=(H5File&&) = delete;
  H5File(const H5File&) = delete;
  ~H5File();
  // Flushes and closes; throws if HDF5 reports an error (disk full, …).
  void close();
  const std::string& path() const { return path_; }

  // --- writing
  void create_group(const std::string& name);
  // `compress`: chunked, byte-shuffled, deflate level 4 (for sparse spike counts).
  void write(const std::string& name, const Shape& shape, const float* data, bool compress = false);
  void write(const std::string& name, const Shape& shape, const double* data);
  void write_strings(const std::string& name, const std::vector<std::string>& values);
  void set_attribute(const std::string& object, const std::string& name, const std::string& value);
  void set_attribute(const std::string& object, const std::string& name, double value);

  // --- reading
  bool exists(const std::string& name) const;  ///< a link of that name (group or dataset)
  bool is_group(const std::string& name) const;
  // Child names of a group, in HDF5's name order.
  std::vector<std::string> children(const std::string& group) const;
  Shape shape(const std::string& dataset) const;
  std::vector<float> read_f32(const std::string& dataset, Shape* shape = nullptr) const;
  std::vector<double> read_f64(const std::string& dataset, Shape* shape = nullptr) const;
  std::vector<std::string> read_strings(const std::string& dataset) const;
  bool has_attribute(const std::string& object, const std::string& name) const;
  std::vector<std::string> attribute_names(const std::string& object) const;
  bool attribute_is_string(const std::string& object, const std::string& name) const;
  std::string string_attribute(const std::string& object, const std::string& name) const;
  double number_attribute(const std::string& object, const std::string& name) const;

  [[noreturn]] void fail(const std::string& object, const std::string& problem) const;

 private:
  H5File(std::int64_t id, std::string path) : id_(id), path_(std::move(path)) {}
  std::int64_t id_ = -1;  // hid_t
  std::string path_;
};

std::string shape_to_string(const Shape& shape);

}  // namespace statenet
