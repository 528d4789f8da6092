// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * T_ASAN: 1 in a build under AddressSanitizer (GCC's or clang's flag),
 * else 0. A header of its own, with no includes, so that test-coro.c,
 * which scripts/check-coro-aarch64 cross-builds without GLib or the
 * engine, can use it without harness.h.
 */
#ifndef SIM_TEST_T_ASAN_H
#define SIM_TEST_T_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN 1
#endif
#endif
#ifndef T_ASAN
#define T_ASAN 0
#endif

#endif
