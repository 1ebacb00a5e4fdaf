#pragma once
// Real-time contract helpers, shared by every module on the audio path.
//
// Functions marked SN_REALTIME are noexcept, never allocate, lock or make system
// calls. SN_ASSERT checks a contract in debug builds and compiles out in release,
// so the real-time path never throws and never logs.

#include <cassert>

#define SN_REALTIME

#ifdef NDEBUG
#define SN_ASSERT(cond) ((void)0)
#else
#define SN_ASSERT(cond) assert(cond)
#endif
