#include "model_format/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "util/atomic_file.h"
#include "util/checked_size.h"
#include "util/reading_file.h"

namespace statenet {

void write_safetensors(const std::string& path, const SafetensorsFile& file) {
  nlohmann::json header = nlohmann::json::object();
  std::uint64_t offset = 0;
  for (const auto& [name, t] : file.tensors) {
    if (static_cast<std::int64_t>(t.data.size()) != t.numel())
      throw std::runtime_error(path + ": tensor " + name + " has " + std::to_string(t.data.size()) + " values for its shape");
    const std::uint64_t bytes = t.data.size() * sizeof(float);
    header[name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::string text = header.dump();
  while ((8 + text.size()) % 8) text.push_back(' ');  // align the data block to 8 bytes
  AtomicFile out(path);
  {
    std::ofstream f(out.temp_path(), std::ios::binary);
    const std::uint64_t n = text.size();
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
    f.write(reinterpret_cast<const char*>(len), 8);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& [name, t] : file.tensors)
      f.write(reinterpret_cast<const char*>(t.data.data()), static_cast<std::streamsize>(t.data.size() * sizeof(float)));
    if (!f) throw std::runtime_error(path + ": cannot write (disk full or directory missing?)");
  }
  out.commit();
}

SafetensorsFile read_safetensors(const std::string& path) {
  const ReadingFile reading(path);
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": no such file");
  f.seekg(0, std::ios::end);
  const std::uint64_t size = static_cast<std::uint64_t>(f.tellg());
  f.seekg(0);
  if (size < 8) throw std::runtime_error(path + ": not a safetensors file (shorter than its 8-byte header length)");
  unsigned char len[8];
  f.read(reinterpret_cast<char*>(len), 8);
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(len[i]) << (8 * i);
  if (n > size - 8 || n > (100u << 20)) throw std::runtime_error(path + ": not a safetensors file (header length " + std::to_string(n) + " exceeds the file)");
  std::string text(n, '\0');
  f.read(text.data(), static_cast<std::streamsize>(n));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const std::exception&) {
    throw std::runtime_error(path + ": not a safetensors file (header is not JSON)");
  }
  if (!header.is_object()) throw std::runtime_error(path + ": not a safetensors file (header is not a JSON object)");
  const std::uint64_t data_size = size - 8 - n;
  SafetensorsFile out;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      if (!info.is_object()) throw std::runtime_error(path + ": __metadata__ is not an object");
      for (const auto& [k, v] : info.items()) {
        if (!v.is_string()) throw std::runtime_error(path + ": __metadata__." + k + " is not a string");
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    try {
      const std::string dtype = info.at("dtype").get<std::string>();
      if (dtype != "F32") throw std::runtime_error(path + ": tensor " + name + " has dtype " + dtype + " (statenet reads F32)");
      NamedTensor t;
      t.shape = info.at("shape").get<std::vector<std::int64_t>>();
      const auto offsets = info.at("data_offsets").get<std::vector<std::uint64_t>>();
      if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size)
        throw std::runtime_error(path + ": tensor " + name + " has data offsets outside the file (truncated?)");
      const std::optional<std::uint64_t> elements = checked_product(t.shape, data_size / 4);
      if (!elements) throw std::runtime_error(path + ": tensor " + name + " has a shape with a negative extent or more elements than the file holds");
      if (offsets[1] - offsets[0] != *elements * 4)
        throw std::runtime_error(path + ": tensor " + name + " has " + std::to_string(offsets[1] - offsets[0]) +
                                 " bytes for its shape");
      t.data.resize(static_cast<std::size_t>(*elements));
      f.seekg(static_cast<std::streamoff>(8 + n + offsets[0]));
      f.read(reinterpret_cast<char*>(t.data.data()), static_cast<std::streamsize>(offsets[1] - offsets[0]));
      if (!f) throw std::runtime_error(path + ": tensor " + name + ": read failed (truncated?)");
      for (std::size_t i = 0; i < t.data.size(); ++i)  // NaN or ±inf weights would stream NaN for every unit
        if (!std::isfinite(t.data[i]))
          throw std::runtime_error(path + ": tensor " + name + " holds " + (std::isnan(t.data[i]) ? "NaN" : "an infinite value") +
                                   " at flat index " + std::to_string(i));
      ranges.emplace_back(offsets[0], offsets[1]);
      out.tensors[name] = std::move(t);
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error(path + ": tensor " + name + ": malformed header entry");
    }
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second) throw std::runtime_error(path + ": tensors overlap in the data block");
  return out;
}

}  // namespace statenet
