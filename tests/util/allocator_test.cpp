// After keep_freed_memory_for_reuse(), large blocks come from the heap (not fresh mappings that
// are page-faulted in on every use) and a freed block is reused.

#include "util/allocator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "support/sanitizers.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace statenet {
namespace {

TEST(Allocator, largeBlocksComeFromTheHeapAndAreReused) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "glibc only";
#elif STATENET_SANITIZED
  GTEST_SKIP() << "a sanitizer replaces malloc (quarantine, its own mappings): this test measures glibc's "
                  "allocator and runs in the plain build";
#else
  keep_freed_memory_for_reuse();
  const std::size_t bytes = 64u << 20;  // above glibc's largest mmap threshold (32 MB)
  const std::size_t mapped_before = mallinfo2().hblkhd;
  void* first = std::malloc(bytes);
  ASSERT_NE(first, nullptr);
  std::memset(first, 1, bytes);
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before) << "the 64-MB block was mmapped";
  std::free(first);
  void* second = std::malloc(bytes);
  EXPECT_EQ(second, first) << "the freed block was not reused";
  std::free(second);
#endif
}

}  // namespace
}  // namespace statenet
