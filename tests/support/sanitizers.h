#pragma once
// STATENET_SANITIZED is 1 in an ASan or TSan build (`make sanitize`), else 0: tests that
// measure the allocator or wall time say so and skip there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STATENET_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define STATENET_SANITIZED 1
#endif
#endif
#ifndef STATENET_SANITIZED
#define STATENET_SANITIZED 0
#endif
