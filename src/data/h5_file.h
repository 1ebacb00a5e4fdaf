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
  // Creates (truncates) a file for writing. The file is built in memory and written by close()
  // in one checked write: a full disk is an error there, never a half-closed HDF5 file (whose
  // library then crashed at exit).
  // `shown_as`: the path errors name (an AtomicFile's final path when `path` is its temporary).
  static H5File create(const std::string& path, const std::string& shown_as = {});
  // Opens an existing file read-only; throws "<path>: not an HDF5 file" etc.
  static H5File open(const std::string& path);
  H5File(H5File&& other) noexcept;
  H5File& operator=(H5File&&) = delete;
  H5File(const H5File&) = delete;
  ~H5File();
  // Closes; a created file is written out here. Throws naming the path when HDF5 reports an
  // error or the write fails (disk full: the partial file is removed). Without close() a
  // created file is never written.
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
  H5File(std::int64_t id, std::string path, bool in_memory, std::string shown_as = {})
      : id_(id), path_(std::move(path)), shown_as_(shown_as.empty() ? path_ : std::move(shown_as)), in_memory_(in_memory) {}
  std::int64_t id_ = -1;  // hid_t
  std::string path_, shown_as_;
  bool in_memory_ = false;  // created: the image goes to path_ at close()
};

std::string shape_to_string(const Shape& shape);

}  // namespace statenet
