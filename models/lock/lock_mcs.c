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
 * mcs_spin_unlock(): the primitive of models/lock/mcs_spinlock.c (the one
 * qspinlock queues with), here with one node per CPU per lock.
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
#include "klock.h"
#include "lock.h"

struct mcs_params {
	uint32_t unused;
};

static const struct sim_param mcs_params[] = { SIM_P_END };

/* Simulated: one per CPU, padded to a line. */
struct mcs_node {
	struct mcs_spinlock mcs;    /* node line: next by the successor, locked by the predecessor */
	uint8_t pad[64 - sizeof(struct mcs_spinlock)];
};

struct mcs {
	struct mcs_spinlock **tail; /* lock line: xchg/cmpxchg by every acquirer */
	struct mcs_node *node;      /* simulated array, one line per CPU */
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
	m->node = sim_alloc(sizeof(struct mcs_node) * m->ncpus, 64);
	for (uint32_t i = 0; i < m->ncpus; i++)
		sim_mem_prime(sim, &m->node[i], sizeof m->node[i], i);
	return m;
}

static void
mcs_destroy(void *lk)
{
	g_free(lk);
}

static void
mcs_lock(void *lk)
{
	struct mcs *m = lk;
	if (mcs_spin_lock(m->tail, &m->node[sim_cpu_id()].mcs))
		m->contended++;
	m->acquired++;
}

static bool
mcs_trylock(void *lk)
{
	struct mcs *m = lk;
	struct mcs_spinlock *node = &m->node[sim_cpu_id()].mcs;
	if (sim_loadp((void *const *)m->tail) != NULL)
		return false;
	sim_store32((uint32_t *)&node->locked, 0);
	sim_storep((void **)&node->next, NULL);
	if (sim_casp((void **)m->tail, NULL, node) != NULL)
		return false;
	m->acquired++;
	return true;
}

static void
mcs_unlock(void *lk)
{
	struct mcs *m = lk;
	if (mcs_spin_unlock(m->tail, &m->node[sim_cpu_id()].mcs))
		m->unlock_waits++;
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
