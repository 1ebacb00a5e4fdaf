#pragma once
// Reading MATLAB v5 (and v7.3) files with libmatio: variables, struct fields, strings
// and numeric arrays of any class, with errors that name the file and the field path.

#include <memory>
#include <string>
#include <vector>

#include "util/reading_file.h"

struct matvar_t;

namespace statenet {

class MatFile {
 public:
  // Throws "<path>: no such file" / "<path>: not a MATLAB file".
  explicit MatFile(const std::string& path);
  ~MatFile();
  MatFile(const MatFile&) = delete;
  MatFile& operator=(const MatFile&) = delete;
  const std::string& path() const { return path_; }
  // Reads a whole variable (structs included); throws if it is missing.
  const matvar_t* variable(const std::string& name);

 private:
  std::string path_;
  ReadingFile reading_;  // named in a crash report while this file is open
  void* mat_ = nullptr;  // mat_t*
  std::vector<std::pair<std::string, matvar_t*>> read_;
};

// Views on a variable, each check naming `where` (e.g. "neuron(5).depth") in errors.
std::size_t mat_numel(const matvar_t* v);
bool mat_is_struct(const matvar_t* v);
// Field `name` of struct element `index`; throws if the field is missing.
const matvar_t* mat_field(const MatFile& file, const matvar_t* s, const char* name, std::size_t index,
                          const std::string& where);
// The same, or nullptr when the struct has no such field (a malformed struct still throws).
const matvar_t* mat_optional_field(const MatFile& file, const matvar_t* s, const char* name, std::size_t index,
                                   const std::string& where);
// A char array as a string; throws if it is not text.
std::string mat_string(const MatFile& file, const matvar_t* v, const std::string& where);
// Any real numeric array (double, single, integers; an empty array of any class) as doubles.
std::vector<double> mat_numbers(const MatFile& file, const matvar_t* v, const std::string& where);

}  // namespace statenet
