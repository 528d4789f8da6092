// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The in-line ticket spinlock of the RCU family (see rcu_node_lock.h).
 */
#include "engine.h"
#include "rcu_node_lock.h"

void
rcu_raw_lock(uint64_t *lock, struct rcu_lockstat *st)
{
	uint32_t *w = (uint32_t *)lock;     /* [0] head, [1] tail (little-endian halves) */
	uint32_t me = sim_faa32(&w[1], 1);
	uint32_t head = sim_load32(&w[0]);
	if (head != me) {
		sim_time_t t0 = sim_now();
		enum sim_cause prev = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
		st->contended++;
		while (head != me)
			head = sim_spin_while_eq32(&w[0], head);
		sim_cause_pop(prev);
		st->wait_cycles += sim_now() - t0;
	}
	sim_fence_acquire();
	st->acquired++;
}

bool
rcu_raw_trylock(uint64_t *lock, struct rcu_lockstat *st)
{
	uint64_t v = sim_load64(lock);
	uint32_t head = (uint32_t)v, tail = (uint32_t)(v >> 32);
	if (head != tail || sim_cas64(lock, v, v + (UINT64_C(1) << 32)) != v) {
		st->trylock_failed++;
		return false;
	}
	st->acquired++;
	return true;
}

void
rcu_raw_unlock(uint64_t *lock)
{
	uint32_t *w = (uint32_t *)lock;
	uint32_t head = sim_load32(&w[0]);
	sim_store32_rel(&w[0], head + 1);
}

bool
rcu_raw_lock_is_free(const uint64_t *lock)
{
	return (uint32_t)*lock == (uint32_t)(*lock >> 32);
}

void
rcu_lockstat_emit(const struct rcu_lockstat *st, uint64_t per, cJSON *out)
{
	cJSON_AddNumberToObject(out, "acquired", (double)st->acquired);
	cJSON_AddNumberToObject(out, "contended", (double)st->contended);
	cJSON_AddNumberToObject(out, "trylock_failed", (double)st->trylock_failed);
	cJSON_AddNumberToObject(out, "wait_cycles", (double)st->wait_cycles);
	cJSON_AddNumberToObject(out, "wait_cycles_per_acquisition",
				st->acquired ? (double)st->wait_cycles / (double)st->acquired : 0.0);
	if (per) {
		cJSON_AddNumberToObject(out, "acquired_per_gp", (double)st->acquired / (double)per);
		cJSON_AddNumberToObject(out, "wait_cycles_per_gp",
					(double)st->wait_cycles / (double)per);
	}
}
