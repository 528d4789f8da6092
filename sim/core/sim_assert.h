// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The engine's own assertions.  Nothing outside sim/core includes this
 * file: models and workloads check their callers' input with g_assert.
 */
#ifndef SIM_SIM_ASSERT_H
#define SIM_SIM_ASSERT_H

#include <glib.h>

/*
 * SIM_ASSERT - an engine invariant: a condition the engine's own code
 * guarantees (not a check of a caller's input).  Checked like g_assert in
 * debug builds -- the default build, which the test suite runs on, as do
 * the invariant checkers (inv.c) -- and compiled out under NDEBUG
 * (--buildtype=release sets it through b_ndebug=if-release), where
 * g_assert would stay on: in the per-access path they cost a few percent
 * of a release run's host instructions (faa at 4,096 CPUs: 49 M of
 * 1,821 M in the running-CPU check of every accessor alone).  expr must
 * have no side effect: a release build does not evaluate it.  Checks of
 * a caller's input (a workload's, a model's) stay g_assert.
 */
#ifdef NDEBUG
#define SIM_ASSERT(expr) ((void)sizeof(!(expr)))
#else
#define SIM_ASSERT(expr) g_assert(expr)
#endif

#endif
