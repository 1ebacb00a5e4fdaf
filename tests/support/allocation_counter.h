#pragma once
// Counts heap allocations made by the current thread, for tests of the real-time contract
// ("allocates nothing"). A test binary that links allocation_counter.cpp replaces the global
// operator new (every form) — in a sanitizer build it counts through the sanitizer runtime's
// allocation hook instead, which also sees malloc; counting is off until a CountAllocations is
// alive on the thread.
//
//   test::CountAllocations count;
//   front_end->process(x, n, sink);
//   EXPECT_EQ(count.allocations(), 0);

namespace statenet::test {

class CountAllocations {
 public:
  CountAllocations();   ///< starts counting on this thread, from zero
  ~CountAllocations();  ///< stops
  CountAllocations(const CountAllocations&) = delete;
  CountAllocations& operator=(const CountAllocations&) = delete;
  long allocations() const;
};

// Starts or stops counting on the calling thread by hand (for code that runs on a thread the
// test does not own, such as a pipeline's processing thread), and reads that thread's count.
void start_counting_allocations();
long stop_counting_allocations();

}  // namespace statenet::test
