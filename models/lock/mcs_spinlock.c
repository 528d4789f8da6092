// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The MCS lock primitive (Mellor-Crummey and Scott, TOCS 1991) as
 * Linux's kernel/locking/mcs_spinlock.h writes it, with the caller's
 * queue node: a tail pointer; a waiter links behind its predecessor and
 * spins on its *own* node, so a handoff moves one line to one CPU.
 * qspinlock builds its queue from the same struct mcs_spinlock
 * (spinlock_queued.c); the "mcs" updater lock (lock_mcs.c) is this
 * primitive with one node per CPU.
 *
 * SOURCE: torvalds/linux kernel/locking/mcs_spinlock.h mcs_spin_lock(),
 * mcs_spin_unlock(), arch_mcs_spin_lock_contended(),
 * arch_mcs_spin_unlock_contended().
 *
 * Layout: *lock is the tail (a pointer in the caller's line: xchg by
 * lockers, cmpxchg by an unlocker without successor); each node's next
 * is written by its successor and locked by its predecessor.
 *
 * Invariants: the queue from the holder to *lock is acyclic; *lock ==
 * NULL iff nobody holds or waits.
 *
 * Cost: uncontended lock = 2 stores to the own node + 1 xchg of the lock
 * line; unlock = 1 load of the own node + 1 cmpxchg of the lock line.
 */
#include "engine.h"
#include "klock_impl.h"

bool
mcs_spin_lock(struct mcs_spinlock **lock, struct mcs_spinlock *node)
{
	sim_store32((uint32_t *)&node->locked, 0);
	sim_storep((void **)&node->next, NULL);
	struct mcs_spinlock *prev = sim_xchgp((void **)lock, node);
	if (prev == NULL)
		return false;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	sim_storep((void **)&prev->next, node);
	/* arch_mcs_spin_lock_contended: smp_cond_load_acquire(&node->locked, VAL) */
	uint32_t v = sim_load32(&node->locked);
	while (v == 0)
		v = sim_spin_while_eq32(&node->locked, 0);
	sim_fence_acquire();
	sim_cause_pop(c);
	return true;
}

bool
mcs_spin_unlock(struct mcs_spinlock **lock, struct mcs_spinlock *node)
{
	bool waited = false;
	struct mcs_spinlock *next = sim_loadp((void *const *)&node->next);
	if (next == NULL) {
		if (sim_casp((void **)lock, node, NULL) == node)
			return false;
		/* A successor swapped the tail but has not linked in yet. */
		waited = true;
		while ((next = sim_loadp((void *const *)&node->next)) == NULL)
			(void)sim_spin_while_eq64(&node->next, 0);
	}
	/* arch_mcs_spin_unlock_contended: smp_store_release(&next->locked, 1) */
	sim_store32_rel(&next->locked, 1);
	return waited;
}
