// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The RCU family's raw spinlock (see rcu_node_lock.h): spinlock_t with
 * contention counters.
 */
#include "engine.h"
#include "rcu_node_lock.h"

void
rcu_raw_lock(struct klock *kl, spinlock_t *lock, struct rcu_lockstat *st)
{
	sim_time_t t0 = sim_now();
	if (spin_lock_waited(kl, lock)) {
		st->contended++;
		st->wait_cycles += sim_now() - t0;
	}
	st->acquired++;
}

bool
rcu_raw_trylock(struct klock *kl, spinlock_t *lock, struct rcu_lockstat *st)
{
	if (!spin_trylock(kl, lock)) {
		st->trylock_failed++;
		return false;
	}
	st->acquired++;
	return true;
}

void
rcu_raw_unlock(struct klock *kl, spinlock_t *lock)
{
	spin_unlock(kl, lock);
}

bool
rcu_raw_lock_is_free(const struct klock *kl, const spinlock_t *lock)
{
	return !spin_is_locked_peek(kl, lock);
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
