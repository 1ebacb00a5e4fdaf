#pragma once
// What every fuzz harness shares: a scratch folder of its own (in /dev/shm when there is one,
// removed at exit), writing the fuzzer's bytes to a file there, and seeds written on request.
//
// A harness calls a reader on the bytes and catches std::exception: a clean error is the
// expected outcome for almost every input. Anything else — a signal, a sanitizer report, an
// exception of another type, a leak, an allocation beyond libFuzzer's -malloc_limit_mb, a
// broken property checked with FUZZ_CHECK — is a finding.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace statenet::fuzz {

// The harness's scratch folder, created on first use.
const std::string& scratch_dir();
// Writes the bytes to `path` (replacing it).
void write_bytes(const std::string& path, const std::uint8_t* data, std::size_t size);
void write_bytes(const std::string& path, const std::string& bytes);
std::string read_bytes(const std::string& path);
// When $STATENET_FUZZ_WRITE_SEEDS names a folder, copies `bytes` there as `name` (how the
// committed seed corpora in tests/fuzz/seeds/ were made).
void offer_seed(const std::string& name, const std::string& bytes);

}  // namespace statenet::fuzz

// A property every input must keep; prints it and aborts (a finding) when broken.
#define FUZZ_CHECK(condition)                                                        \
  do {                                                                               \
    if (!(condition)) {                                                              \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
