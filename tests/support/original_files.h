#pragma once
// Writers for small files in the datasets' original formats (text, 16-bit WAV, MATLAB v5),
// used by the importer tests and the importer fuzz harnesses to lay out source folders.

#include <matio.h>

#include <string>
#include <utility>
#include <vector>

#include "audio/audio_buffer.h"

namespace statenet::test {

// Creates the parent folders, then writes the file.
void write_text(const std::string& path, const std::string& text);
void write_pcm16(const std::string& path, const AudioBuffer& audio);

// MATLAB values (owned by the caller until given to mat_structs or write_mat).
matvar_t* mat_numbers(std::vector<double> v);  ///< a 1×n double row
matvar_t* mat_text(const std::string& s);      ///< a 1×n char row
using MatFields = std::vector<std::pair<std::string, matvar_t*>>;
// A 1×K struct array named `name` (nullptr inside another struct); every element has the
// same field names. Takes ownership of the field values.
matvar_t* mat_structs(const char* name, const std::vector<MatFields>& elements);
// A MATLAB v5 file holding `vars` (freed); throws std::runtime_error when it cannot be created.
void write_mat(const std::string& path, const std::vector<matvar_t*>& vars);

// 0.1·sin(2πft) sampled at fs for `seconds`.
std::vector<double> tone_samples(double f_hz, double seconds, double fs_hz);

}  // namespace statenet::test
