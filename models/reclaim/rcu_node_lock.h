// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The raw spinlock the Linux RCU family keeps inside the line it
 * protects (rcu_node ->lock, srcu_node/srcu_data ->lock, classic RCU's
 * global lock), with its contention counters.
 *
 * SOURCE: kernel/rcu/rcu.h raw_spin_lock_rcu_node(); the lock itself is
 * a spinlock_t of the scheme's locking context (models/lock/klock.h:
 * qspinlock by default, the ticket lock with "locking": {"spinlock":
 * "ticket"}).
 */
#ifndef SIM_RCU_NODE_LOCK_H
#define SIM_RCU_NODE_LOCK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "klock.h"

/*
 * The lock is a spinlock_t in a line that also holds the data it
 * protects, as the kernel puts rcu_node ->lock in the node's first cache
 * line (structures keep a 32-bit pad after it so their 64-bit fields stay
 * where they were).  Ticket waiters spin on that line, so every handoff
 * also moves the protected data; qspinlock waiters after the first spin
 * on their own MCS node.  Cost: spinlock_t's (klock.h).
 */
struct rcu_lockstat {
	uint64_t acquired;
	uint64_t contended;         /* acquisitions that had to wait */
	uint64_t wait_cycles;       /* cycles spent waiting */
	uint64_t trylock_failed;
};

/* rcu_raw_lock - take *lock, counting into st (waits under cause
 * lock_wait).  rcu_raw_trylock - take it only if free now; return: true
 * if taken.  rcu_raw_unlock - release it.  Context: simulated CPU;
 * rcu_raw_lock may yield while it waits.  Cost: see above. */
void rcu_raw_lock(struct klock *kl, spinlock_t *lock, struct rcu_lockstat *st);
bool rcu_raw_trylock(struct klock *kl, spinlock_t *lock, struct rcu_lockstat *st);
void rcu_raw_unlock(struct klock *kl, spinlock_t *lock);
/* For invariant checks (host, no cost): is the lock free? */
bool rcu_raw_lock_is_free(const struct klock *kl, const spinlock_t *lock);

/* rcu_lockstat_emit - st's counters under out, and with per > 0 (the
 * grace periods of the run) acquisitions and wait cycles per grace
 * period.  Context: host, end of run. */
void rcu_lockstat_emit(const struct rcu_lockstat *st, uint64_t per, cJSON *out);

#endif
