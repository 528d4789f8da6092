// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* The slow half of test-rcu.c (suite "slow"): 1,000 seeds without the
 * mutation must all be clean. */
#define RCU_SLOW 1
#pragma GCC diagnostic ignored "-Wunused-function"
#include "test-rcu.c"
