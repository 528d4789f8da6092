// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The raw spinlock the Linux RCU family keeps inside the line it
 * protects (rcu_node ->lock, srcu_node/srcu_data ->lock, classic RCU's
 * global lock), with its contention counters.
 *
 * SOURCE: torvalds/linux arch/x86 ticket spinlocks before qspinlock
 * (arch_spin_lock: xadd the tail, spin until head == ticket),
 * kernel/rcu/rcu.h raw_spin_lock_rcu_node().
 *
 * Invariant: head <= tail (mod 2^32); the lock is free iff head == tail.
 */
#ifndef SIM_RCU_NODE_LOCK_H
#define SIM_RCU_NODE_LOCK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A ticket spinlock (Linux x86 arch_spinlock_t before qspinlock: head in
 * the low 32 bits, tail in the high 32) stored in one 64-bit word of a
 * line that also holds the data it protects, as the kernel puts rcu_node
 * ->lock in the node's first cache line.  Waiters spin on that line, so
 * every handoff also moves the protected data.
 * MODEL: qspinlock would queue waiters on per-CPU MCS nodes instead, so
 * under contention the line moves less than here.  Cost: lock = one FAA +
 * one load (+ spinning); unlock = load + release store.
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
void rcu_raw_lock(uint64_t *lock, struct rcu_lockstat *st);
bool rcu_raw_trylock(uint64_t *lock, struct rcu_lockstat *st);
void rcu_raw_unlock(uint64_t *lock);
/* For invariant checks (host): is the lock free? */
bool rcu_raw_lock_is_free(const uint64_t *lock);

/* rcu_lockstat_emit - st's counters under out, and with per > 0 (the
 * grace periods of the run) acquisitions and wait cycles per grace
 * period.  Context: host, end of run. */
void rcu_lockstat_emit(const struct rcu_lockstat *st, uint64_t per, cJSON *out);

#endif
