// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Ticket spinlock, as Linux x86 had it before qspinlock: the "ticket"
 * flavour of spinlock_t (models/lock/spinlock_ticket.c) on a line of its
 * own, homed on the creating CPU.  Take a ticket with one xadd on the
 * lock line (which also returns head), spin reading the word until head
 * equals the ticket, release by adding one to head.
 *
 * Layout (one simulated line):
 *
 *   line 0:  [ head (u16) | tail (u16) ]   xadd by lock(); load + store of
 *                                          head by unlock(); read by every
 *                                          waiter
 *
 * Invariant: (u16)(tail - head) = holders + waiters <= ncpus; at most one
 * holder.
 *
 * Cost: an uncontended acquire is one RMW on the line (plus its transfer
 * if another CPU touched it last); under contention every release
 * invalidates every waiter's copy and each re-reads it: the O(waiters)
 * traffic per handoff that makes ticket locks collapse (Boyd-Wickizer et
 * al., "Non-scalable locks are dangerous", OLS'12).
 */
#include <glib.h>

#include "engine.h"
#include "klock.h"
#include "lock.h"

struct ticket_params {
	uint32_t unused;
};

static const struct sim_param ticket_params[] = { SIM_P_END };

struct ticket {
	struct klock *kl;        /* a "ticket" locking context of its own */
	spinlock_t *word;        /* simulated, on its own line */
	uint64_t acquired;       /* host-side counters */
	uint64_t contended;
};

static void *
ticket_create(struct sim *sim, const void *params, uint32_t home_cpu)
{
	(void)params;
	struct ticket *t = g_new0(struct ticket, 1);
	t->kl = klock_create_ticket_only(sim);
	t->word = sim_alloc(64, 64);
	sim_mem_prime(sim, t->word, sizeof *t->word, home_cpu);
	return t;
}

static void
ticket_destroy(void *lk)
{
	struct ticket *t = lk;
	klock_destroy(t->kl);
	g_free(t);
}

static void
ticket_lock(void *lk)
{
	struct ticket *t = lk;
	if (spin_lock_waited(t->kl, t->word))
		t->contended++;
	t->acquired++;
}

static bool
ticket_trylock(void *lk)
{
	struct ticket *t = lk;
	if (!spin_trylock(t->kl, t->word))
		return false;
	t->acquired++;
	return true;
}

static void
ticket_unlock(void *lk)
{
	struct ticket *t = lk;
	spin_unlock(t->kl, t->word);
}

static void
ticket_stats(void *lk, cJSON *out)
{
	struct ticket *t = lk;
	cJSON_AddNumberToObject(out, "acquired", (double)t->acquired);
	cJSON_AddNumberToObject(out, "contended", (double)t->contended);
}

const struct lock_ops lock_ticket_ops = {
	.comp = {
		.name = "ticket",
		.summary = "ticket spinlock (pre-qspinlock Linux x86): one FAA to queue, spin on head",
		.params = ticket_params,
		.params_size = sizeof(struct ticket_params),
	},
	.create = ticket_create,
	.destroy = ticket_destroy,
	.lock = ticket_lock,
	.unlock = ticket_unlock,
	.trylock = ticket_trylock,
	.stats = ticket_stats,
};
