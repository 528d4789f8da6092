// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The optimistic spin queue (OSQ): an MCS-style queue that the optimistic
 * spinners of one mutex join, so that only its head spins on the lock's
 * owner field and the others spin on their own node.
 *
 * SOURCE: torvalds/linux v6.6 kernel/locking/osq_lock.c osq_lock(),
 * osq_unlock(), osq_wait_next().
 *
 * Layout: the lock's `osq` word (u32 tail: encoded CPU + 1 of the last
 * node, 0 = empty) sits in the caller's lock; each CPU's node is line 2
 * of its struct klock_task (klock_impl.h): next and prev written by the
 * neighbours, locked by the predecessor.
 *
 * Invariants: tail == 0 iff the queue is empty; the node named by tail
 * has next == NULL.
 *
 * Cost: uncontended osq_lock = 3 stores to the own node + one xchg of
 * the lock's line; osq_unlock = one cmpxchg of it.  A queued spinner
 * stores into its predecessor's node and is released by one store into
 * its own.
 *
 * MODEL: no need_resched() and no preempted vCPUs, so a queued spinner
 * never unqueues (the long unqueue path of osq_lock() is not modelled).
 */
#include <glib.h>

#include "engine.h"
#include "klock_impl.h"

#define OSQ_UNLOCKED_VAL 0u

static inline uint32_t
encode_cpu(uint32_t cpu)
{
	return cpu + 1;
}

static inline struct optimistic_spin_node *
decode_cpu(struct klock *kl, uint32_t val)
{
	g_assert(val >= 1 && val <= kl->ncpus);
	return &kl->tasks[val - 1].osn;
}

/* SOURCE: osq_wait_next(): become the tail's predecessor's successor, or
 * leave an empty queue. */
static struct optimistic_spin_node *
osq_wait_next(struct klock *kl, uint32_t *osq, struct optimistic_spin_node *node,
	      uint32_t old_cpu)
{
	uint32_t curr = encode_cpu(sim_cpu_id());
	for (;;) {
		if (sim_load32(osq) == curr && sim_cas32(osq, curr, old_cpu) == curr)
			return NULL;
		struct optimistic_spin_node *next = sim_loadp((void *const *)&node->next);
		if (next) {
			next = sim_xchgp((void **)&node->next, NULL);
			if (next)
				return next;
		}
		sim_work(kl->pause);
	}
}

/* SOURCE: osq_lock() (the need_resched unqueue path left out). */
bool
osq_lock(struct klock *kl, uint32_t *osq)
{
	struct optimistic_spin_node *node = &klock_current(kl)->osn;
	uint32_t curr = encode_cpu(sim_cpu_id());
	sim_store32((uint32_t *)&node->locked, 0);
	sim_storep((void **)&node->next, NULL);
	sim_store32((uint32_t *)&node->cpu, curr);
	uint32_t old = sim_xchg32(osq, curr);
	if (old == OSQ_UNLOCKED_VAL)
		return true;
	struct optimistic_spin_node *prev = decode_cpu(kl, old);
	sim_storep((void **)&node->prev, prev);
	sim_fence_release();                /* smp_wmb() */
	sim_storep((void **)&prev->next, node);
	/* smp_cond_load_relaxed(&node->locked, VAL || need_resched() ...) */
	uint32_t v = sim_load32((const uint32_t *)&node->locked);
	while (v == 0)
		v = sim_spin_while_eq32(&node->locked, 0);
	return true;
}

/* SOURCE: osq_unlock(). */
void
osq_unlock(struct klock *kl, uint32_t *osq)
{
	uint32_t curr = encode_cpu(sim_cpu_id());
	/* Fast path for the uncontended case. */
	if (sim_cas32(osq, curr, OSQ_UNLOCKED_VAL) == curr)
		return;
	/* Second most likely case. */
	struct optimistic_spin_node *node = &klock_current(kl)->osn;
	struct optimistic_spin_node *next = sim_xchgp((void **)&node->next, NULL);
	if (next == NULL)
		next = osq_wait_next(kl, osq, node, OSQ_UNLOCKED_VAL);
	if (next)
		sim_store32((uint32_t *)&next->locked, 1);
}
