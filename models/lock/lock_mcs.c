// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * MCS queue spinlock (Mellor-Crummey and Scott, TOCS 1991), as Linux's
 * kernel/locking/mcs_spinlock.h writes it: a tail pointer, one queue node
 * per waiter; a waiter spins on its *own* node, so a handoff moves one
 * line to one CPU instead of invalidating every waiter (the ticket
 * lock's O(waiters) traffic).
 *
 * SOURCE: torvalds/linux kernel/locking/mcs_spinlock.h mcs_spin_lock(),
 * mcs_spin_unlock().
 *
 * Layout (simulated lines):
 *
 *   lock line:        [ tail (struct mcs_spinlock *) ]   xchg by lock(), cmpxchg by
 *                                                         an unlock() with no successor
 *   node line, CPU i: [ next | locked ]                  written by CPU i (init) and by
 *                                                         its predecessor (next's store of
 *                                                         ->next, the handoff's ->locked);
 *                                                         spun on by CPU i only
 *
 * Each CPU's node is on its own line, homed on (primed by) that CPU, so
 * the initialization stores of an uncontended acquire hit.  One node per
 * CPU per lock: a CPU holds one instance of a given lock at a time.
 *
 * Invariants: the queue from the first waiter to *tail is acyclic; at most
 * one node has been granted (locked == 1) and not yet released; tail ==
 * NULL iff nobody holds or waits.
 *
 * Cost: uncontended lock = 2 stores to the own node + 1 xchg of the lock
 * line; unlock = 1 load of the own node + 1 cmpxchg of the lock line.
 * Contended: the waiter stores into its predecessor's node (one transfer)
 * and is woken by one store into its own node (one transfer).
 */
#include <glib.h>

#include "engine.h"
#include "lock.h"

struct mcs_params {
	uint32_t unused;
};

static const struct sim_param mcs_params[] = { SIM_P_END };

/* Simulated: one per CPU, padded to a line. */
struct mcs_spinlock {
	struct mcs_spinlock *next;  /* node line: written by the successor */
	uint32_t locked;            /* node line: written by the predecessor (handoff) */
	uint32_t pad[13];
};

struct mcs {
	struct mcs_spinlock **tail; /* lock line: xchg/cmpxchg by every acquirer */
	struct mcs_spinlock *node;  /* simulated array, one line per CPU */
	uint32_t ncpus;
	/* host-side counters */
	uint64_t acquired;
	uint64_t contended;         /* xchg found a predecessor */
	uint64_t unlock_waits;      /* unlock saw a successor mid-enqueue */
};

static void *
mcs_create(struct sim *sim, const void *params, uint32_t home_cpu)
{
	(void)params;
	struct mcs *m = g_new0(struct mcs, 1);
	m->ncpus = sim_ncpus_of(sim);
	m->tail = sim_alloc(64, 64);
	sim_mem_prime(sim, m->tail, sizeof *m->tail, home_cpu);
	m->node = sim_alloc(sizeof(struct mcs_spinlock) * m->ncpus, 64);
	for (uint32_t i = 0; i < m->ncpus; i++)
		sim_mem_prime(sim, &m->node[i], sizeof m->node[i], i);
	return m;
}

static void
mcs_destroy(void *lk)
{
	g_free(lk);
}

/* SOURCE: mcs_spin_lock(). */
static void
mcs_lock(void *lk)
{
	struct mcs *m = lk;
	struct mcs_spinlock *node = &m->node[sim_cpu_id()];
	sim_store32(&node->locked, 0);
	sim_storep((void **)&node->next, NULL);
	struct mcs_spinlock *prev = sim_xchgp((void **)m->tail, node);
	if (prev != NULL) {
		enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
		m->contended++;
		sim_storep((void **)&prev->next, node);
		/* arch_mcs_spin_lock_contended: smp_cond_load_acquire(&node->locked, VAL) */
		uint32_t v = sim_load32(&node->locked);
		while (v == 0)
			v = sim_spin_while_eq32(&node->locked, 0);
		sim_fence_acquire();
		sim_cause_pop(c);
	}
	m->acquired++;
}

static bool
mcs_trylock(void *lk)
{
	struct mcs *m = lk;
	struct mcs_spinlock *node = &m->node[sim_cpu_id()];
	if (sim_loadp((void *const *)m->tail) != NULL)
		return false;
	sim_store32(&node->locked, 0);
	sim_storep((void **)&node->next, NULL);
	if (sim_casp((void **)m->tail, NULL, node) != NULL)
		return false;
	m->acquired++;
	return true;
}

/* SOURCE: mcs_spin_unlock(). */
static void
mcs_unlock(void *lk)
{
	struct mcs *m = lk;
	struct mcs_spinlock *node = &m->node[sim_cpu_id()];
	struct mcs_spinlock *next = sim_loadp((void *const *)&node->next);
	if (next == NULL) {
		if (sim_casp((void **)m->tail, node, NULL) == node)
			return;
		/* A successor swapped the tail but has not linked in yet. */
		m->unlock_waits++;
		while ((next = sim_loadp((void *const *)&node->next)) == NULL)
			(void)sim_spin_while_eq64(&node->next, 0);
	}
	/* arch_mcs_spin_unlock_contended: smp_store_release(&next->locked, 1) */
	sim_store32_rel(&next->locked, 1);
}

static void
mcs_stats(void *lk, cJSON *out)
{
	struct mcs *m = lk;
	cJSON_AddNumberToObject(out, "acquired", (double)m->acquired);
	cJSON_AddNumberToObject(out, "contended", (double)m->contended);
	cJSON_AddNumberToObject(out, "unlock_waits", (double)m->unlock_waits);
}

const struct lock_ops lock_mcs_ops = {
	.comp = {
		.name = "mcs",
		.summary = "MCS queue spinlock (Linux mcs_spinlock.h): xchg the tail, spin on the own node",
		.params = mcs_params,
		.params_size = sizeof(struct mcs_params),
	},
	.create = mcs_create,
	.destroy = mcs_destroy,
	.lock = mcs_lock,
	.unlock = mcs_unlock,
	.trylock = mcs_trylock,
	.stats = mcs_stats,
};
