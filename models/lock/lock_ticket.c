// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Ticket spinlock, as Linux x86 had it before qspinlock (arch_spinlock_t
 * with head/tail tickets): take a ticket with one fetch-and-add on the
 * lock line, spin reading `head` until it equals the ticket, release by
 * incrementing `head`.
 *
 * Layout (one simulated line, homed on the creating CPU):
 *
 *   line 0:  [ head (u32) | tail (u32) ]   RMW by lock(); store by unlock();
 *                                          read by every waiter
 *
 * Invariant: head <= tail (mod 2^32), tail - head = holders + waiters,
 * at most one holder.
 *
 * Cost: an uncontended acquire is one RMW on the line (plus its transfer
 * if another CPU touched it last); under contention every release
 * invalidates every waiter's copy and each re-reads it: the O(waiters)
 * traffic per handoff that makes ticket locks collapse (Boyd-Wickizer et
 * al., "Non-scalable locks are dangerous", OLS'12).
 */
#include <glib.h>

#include "engine.h"
#include "lock.h"

struct ticket_params {
	uint32_t unused;
};

static const struct sim_param ticket_params[] = { SIM_P_END };

struct ticket {
	uint32_t *word;          /* simulated: [0] head, [1] tail */
	uint64_t acquired;       /* host-side counters */
	uint64_t contended;
};

static void *
ticket_create(struct sim *sim, const void *params, uint32_t home_cpu)
{
	(void)params;
	struct ticket *t = g_new0(struct ticket, 1);
	t->word = sim_alloc(64, 64);
	sim_mem_prime(sim, t->word, 8, home_cpu);
	return t;
}

static void
ticket_destroy(void *lk)
{
	g_free(lk);
}

static void
ticket_lock(void *lk)
{
	struct ticket *t = lk;
	uint32_t me = sim_faa32(&t->word[1], 1);
	uint32_t head = sim_load32(&t->word[0]);
	if (head != me) {
		enum sim_cause prev = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
		t->contended++;
		while (head != me)
			head = sim_spin_while_eq32(&t->word[0], head);
		sim_cause_pop(prev);
	}
	sim_fence_acquire();
	t->acquired++;
}

static bool
ticket_trylock(void *lk)
{
	struct ticket *t = lk;
	uint64_t both = sim_load64(t->word);
	uint32_t head = (uint32_t)both, tail = (uint32_t)(both >> 32);
	if (head != tail)
		return false;
	uint64_t want = (uint64_t)head | ((uint64_t)(tail + 1) << 32);
	if (sim_cas64(t->word, both, want) != both)
		return false;
	t->acquired++;
	return true;
}

static void
ticket_unlock(void *lk)
{
	struct ticket *t = lk;
	uint32_t head = sim_load32(&t->word[0]);
	sim_store32_rel(&t->word[0], head + 1);
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
