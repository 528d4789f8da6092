// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Linux's reader-writer semaphore (rwsem, the Waiman Long rewrite of
 * v5.3+) as a read-side scheme: perfbook's "rwsem" curve.  The lock is a
 * struct rw_semaphore of models/lock (rwsem.c): readers write the shared
 * count line twice per pair *and* the owner field once; a reader or
 * writer that must wait queues on the wait list and sleeps (consuming no
 * cycles) until the releaser wakes it, paying the context switches and
 * its waker the wake-up ("locking" section costs).
 *
 * SOURCE: torvalds/linux kernel/locking/rwsem.c (see models/lock/rwsem.c).
 *
 * Layout (struct rw_semaphore, one simulated line homed on CPU 0):
 *
 *   line 0:  [ count | owner | osq, wait_lock | wait_list ]
 *
 * The owner store is why the rwsem costs about twice the qrwlock per
 * added reader in perfbook (82.9 vs 37.7 ns/CPU): after the xadd the line
 * may already have been taken by the next reader, and the owner load and
 * the store (drained by the next locked op) then move it again.
 *
 * Invariant: at most one writer inside; no reader inside with a writer.
 *
 * Retire frees at once (writers exclude readers).
 */
#include <glib.h>

#include "engine.h"
#include "klock.h"
#include "reclaim.h"

struct rwsem_params {
	uint32_t unused;
};
static const struct sim_param rwsem_params[] = { SIM_P_END };

struct rwsem {
	struct rw_semaphore *sem;   /* simulated */
	struct klock *kl;           /* its locking context */
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	uint32_t writers_in, readers_in;  /* host */
};

static void *
rwsem_create(struct sim *sim, const void *params)
{
	(void)params;
	struct rwsem *r = g_new0(struct rwsem, 1);
	r->freq_ghz = sim_machine_of(sim)->freq_ghz;
	r->kl = klock_create(sim);
	r->sem = sim_alloc(64, 64);
	sim_mem_prime(sim, r->sem, sizeof *r->sem, 0);
	sim_set_free_label(sim, "rwsem");
	return r;
}

static void
rwsem_destroy(void *rs)
{
	struct rwsem *r = rs;
	klock_destroy(r->kl);
	g_free(r);
}

static void
rwsem_read_lock(void *rs)
{
	struct rwsem *r = rs;
	sim_time_t t0 = sim_now();
	down_read(r->kl, r->sem);
	r->readers_in++;
	r->st.read_sections++;
	rcl_stats_read_time(&r->st, t0);
	g_assert(r->writers_in == 0);
}

static void
rwsem_read_unlock(void *rs)
{
	struct rwsem *r = rs;
	sim_time_t t0 = sim_now();
	r->readers_in--;
	up_read(r->kl, r->sem);
	rcl_stats_read_time(&r->st, t0);
}

static void
rwsem_write_lock(void *rs)
{
	struct rwsem *r = rs;
	down_write(r->kl, r->sem);
	r->writers_in++;
	g_assert(r->writers_in == 1 && r->readers_in == 0);
}

static void
rwsem_write_unlock(void *rs)
{
	struct rwsem *r = rs;
	r->writers_in--;
	up_write(r->kl, r->sem);
}

static void
rwsem_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct rwsem *r = rs;
	sim_time_t t0 = sim_now();
	rcl_free_now(&r->st, obj, size, align);
	rcl_stats_retire_time(&r->st, t0);
}

static void
rwsem_synchronize(void *rs)
{
	struct rwsem *r = rs;
	rcl_stats_sync_time(&r->st, sim_now());
}

static void
rwsem_stats(void *rs, cJSON *out)
{
	struct rwsem *r = rs;
	rcl_stats_emit(&r->st, r->freq_ghz, out);
	const struct klock_counters *n = klock_counters_of(r->kl);
	cJSON_AddNumberToObject(out, "read_slowpath", (double)n->rwsem_read_slowpath);
	cJSON_AddNumberToObject(out, "write_slowpath", (double)n->rwsem_write_slowpath);
	cJSON_AddNumberToObject(out, "sleeps", (double)n->sleeps);
	cJSON_AddNumberToObject(out, "wakeups", (double)n->wakeups);
}

static bool
rwsem_invariants_hold(const void *rs)
{
	const struct rwsem *r = rs;
	return r->writers_in <= 1 && (r->writers_in == 0 || r->readers_in == 0);
}

const struct rcl_ops rcl_rwsem_ops = {
	.comp = {
		.name = "rwsem",
		.summary = "Linux rwsem: readers xadd the count and store the owner field on one "
			   "shared line, waiters sleep; retire frees at once under the write lock",
		.params = rwsem_params,
		.params_size = sizeof(struct rwsem_params),
	},
	.create = rwsem_create,
	.destroy = rwsem_destroy,
	.read_lock = rwsem_read_lock,
	.read_unlock = rwsem_read_unlock,
	.dereference = rcl_plain_dereference,
	.assign_pointer = rcl_release_assign,
	.write_lock = rwsem_write_lock,
	.write_unlock = rwsem_write_unlock,
	.retire = rwsem_retire,
	.synchronize = rwsem_synchronize,
	.stats = rwsem_stats,
	.invariants_hold = rwsem_invariants_hold,
};
