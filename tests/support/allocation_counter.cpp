#include "support/allocation_counter.h"

#include <cstdlib>
#include <new>

#include "support/sanitizers.h"

namespace {
thread_local bool t_counting = false;
thread_local long t_allocations = 0;
}  // namespace

#if STATENET_SANITIZED
// In a sanitizer build the runtime owns operator new (TSan's cannot be replaced): every
// allocation, malloc and new alike, is counted through the runtime's allocation hook instead.
#include <sanitizer/allocator_interface.h>

namespace {
void on_allocation(const volatile void*, std::size_t) {
  if (t_counting) ++t_allocations;
}
void on_free(const volatile void*) {}
const int g_hooks_installed = __sanitizer_install_malloc_and_free_hooks(on_allocation, on_free);
}  // namespace

#else
namespace {

void* counted_alloc(std::size_t n) {
  if (t_counting) ++t_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}

void* counted_aligned_alloc(std::size_t n, std::align_val_t a) {
  if (t_counting) ++t_allocations;
  const std::size_t align = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
}  // namespace

// Every allocation goes through these; the aligned and nothrow forms too.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#endif

namespace statenet::test {

void start_counting_allocations() {
  t_allocations = 0;
  t_counting = true;
}

long stop_counting_allocations() {
  t_counting = false;
  return t_allocations;
}

CountAllocations::CountAllocations() { start_counting_allocations(); }
CountAllocations::~CountAllocations() { t_counting = false; }
long CountAllocations::allocations() const { return t_allocations; }

}  // namespace statenet::test
