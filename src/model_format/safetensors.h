#pragma once
// The safetensors file format (docs/models.md, "Model files"; huggingface/safetensors), torch-free: an 8-byte little-endian header
// length n, n bytes of JSON {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}},
// then the raw little-endian data. We write and read float32 tensors only.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace statenet {

struct NamedTensor {
  std::vector<std::int64_t> shape;
  std::vector<float> data;
  std::int64_t numel() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
};

struct SafetensorsFile {
  std::map<std::string, NamedTensor> tensors;
  std::map<std::string, std::string> metadata;
};

// Writes atomically (temporary file + rename). Throws std::runtime_error naming the path.
void write_safetensors(const std::string& path, const SafetensorsFile& file);
// Reads and checks the structure (header length, JSON, dtypes, offsets inside the data
// block, no overlaps); throws std::runtime_error "<path>: <problem>".
SafetensorsFile read_safetensors(const std::string& path);

}  // namespace statenet
