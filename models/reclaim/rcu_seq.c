// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * rcu_seq_start / rcu_seq_end on simulated words (see rcu_seq.h).
 * SOURCE: torvalds/linux kernel/rcu/rcu.h.
 */
#include "engine.h"
#include "rcu_seq.h"

void
rcu_seq_start(uint64_t *sp)
{
	sim_store64(sp, sim_load64(sp) + 1);
	sim_fence_full();   /* the GP's updates are ordered after the increment */
}

void
rcu_seq_end(uint64_t *sp)
{
	sim_fence_full();   /* ... and before the end value */
	sim_store64(sp, rcu_seq_endval(sim_load64(sp)));
}
