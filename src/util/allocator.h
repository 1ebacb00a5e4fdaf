#pragma once
// Process-wide allocator setting for batch work (training, interpretation, imports).
//
// glibc serves blocks above its mmap threshold (128 kB, adapting up to 32 MB) with mmap and
// hands them back with munmap when freed, so a LibTorch training step that allocates and frees
// the same large activations on every clip page-faults all of them in again each time. On the
// Transformer (NS1: 999 windows × 48 tokens per clip, attention maps of 37 MB) that was 80 % of
// an epoch (docs/benchmarks.md). After this call freed memory stays in the heap and is reused.
// Call once, at start-up, before any large allocation; a no-op without glibc.

namespace statenet {

void keep_freed_memory_for_reuse();

}  // namespace statenet
