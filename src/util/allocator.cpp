#include "util/allocator.h"

#include <climits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace statenet {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);                // every block from the heap, none mapped and unmapped per use
  mallopt(M_TRIM_THRESHOLD, INT_MAX);    // never give the heap's free top back to the kernel
  mallopt(M_TOP_PAD, 256 * 1024 * 1024);  // grow the heap in large steps
#endif
}

}  // namespace statenet
