// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Linux's queued reader-writer lock (qrwlock) as a read-side scheme: the
 * baseline of perfbook's "rwlock" curve.  The lock is an rwlock_t of
 * models/lock (rwlock_queued.c): readers atomically add _QR_BIAS to the
 * count word and subtract it again; a writer takes the word from 0 to
 * _QW_LOCKED, queueing on wait_lock (a spinlock_t of the run's "locking"
 * flavour) when readers are in.
 *
 * SOURCE: torvalds/linux include/asm-generic/qrwlock.h,
 * kernel/locking/qrwlock.c (see models/lock/rwlock_queued.c).
 *
 * Layout (one simulated line, homed on CPU 0, like a static global):
 *
 *   line 0:  [ cnts (u32) | wait_lock (spinlock_t) ]   (rwlock_t)
 *
 * Invariant (checked by rwl_invariants_hold at quiescent points): wlocked
 * is 0 or 0xff, and at most one CPU is inside write_lock..write_unlock;
 * no reader is inside while a writer is.
 *
 * Cost: a read pair is two locked RMWs on the one shared line, so every
 * pair of N concurrent readers moves the line twice: per-reader cost grows
 * linearly with N (perfbook: ~38 ns per added CPU on the Xeon 8176).
 *
 * Reclaim: writers exclude readers, so retire() frees at once and
 * synchronize() returns at once.
 *
 * MODEL: the in-interrupt reader path (spin without queueing) is not
 * modelled.
 */
#include <glib.h>

#include "engine.h"
#include "klock.h"
#include "reclaim.h"

struct rwl_params {
	uint32_t unused;
};
static const struct sim_param rwl_params[] = { SIM_P_END };

struct rwl {
	rwlock_t *lock;             /* simulated */
	struct klock *kl;           /* its locking context */
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	uint32_t writers_in;        /* host: CPUs between write_lock and write_unlock */
	uint32_t readers_in;
};

static void *
rwl_create(struct sim *sim, const void *params)
{
	(void)params;
	struct rwl *r = g_new0(struct rwl, 1);
	r->freq_ghz = sim_machine_of(sim)->freq_ghz;
	r->kl = klock_create(sim);
	r->lock = sim_alloc(64, 64);
	sim_mem_prime(sim, r->lock, sizeof *r->lock, 0);
	sim_set_free_label(sim, "rwlock");
	return r;
}

static void
rwl_destroy(void *rs)
{
	struct rwl *r = rs;
	klock_destroy(r->kl);
	g_free(r);
}

/* SOURCE: queued_read_lock(). */
static void
rwl_read_lock(void *rs)
{
	struct rwl *r = rs;
	sim_time_t t0 = sim_now();
	read_lock(r->kl, r->lock);
	r->readers_in++;
	r->st.read_sections++;
	rcl_stats_read_time(&r->st, t0);
	g_assert(r->writers_in == 0);
}

/* SOURCE: queued_read_unlock(): atomic_sub_return_release(_QR_BIAS). */
static void
rwl_read_unlock(void *rs)
{
	struct rwl *r = rs;
	sim_time_t t0 = sim_now();
	r->readers_in--;
	read_unlock(r->kl, r->lock);
	rcl_stats_read_time(&r->st, t0);
}

/* SOURCE: queued_write_lock(). */
static void
rwl_write_lock(void *rs)
{
	struct rwl *r = rs;
	write_lock(r->kl, r->lock);
	r->writers_in++;
	g_assert(r->writers_in == 1 && r->readers_in == 0);
}

/* SOURCE: queued_write_unlock(): smp_store_release(&lock->wlocked, 0). */
static void
rwl_write_unlock(void *rs)
{
	struct rwl *r = rs;
	r->writers_in--;
	write_unlock(r->kl, r->lock);
}

static void
rwl_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct rwl *r = rs;
	sim_time_t t0 = sim_now();
	rcl_free_now(&r->st, obj, size, align);
	rcl_stats_retire_time(&r->st, t0);
}

static void
rwl_synchronize(void *rs)
{
	struct rwl *r = rs;
	rcl_stats_sync_time(&r->st, sim_now());
}

static void
rwl_stats(void *rs, cJSON *out)
{
	struct rwl *r = rs;
	rcl_stats_emit(&r->st, r->freq_ghz, out);
	const struct klock_counters *n = klock_counters_of(r->kl);
	cJSON_AddNumberToObject(out, "read_slowpath", (double)n->rw_read_slowpath);
	cJSON_AddNumberToObject(out, "write_slowpath", (double)n->rw_write_slowpath);
}

static bool
rwl_invariants_hold(const void *rs)
{
	const struct rwl *r = rs;
	uint32_t w = r->lock->cnts & 0xff;
	return r->writers_in <= 1 && (r->writers_in == 0 || r->readers_in == 0) &&
	       (w == 0 || rwlock_is_write_locked_peek(r->lock));
}

const struct rcl_ops rcl_rwlock_ops = {
	.comp = {
		.name = "rwlock",
		.summary = "Linux queued rwlock (qrwlock): readers xadd the shared count word; "
			   "retire frees at once under the write lock",
		.params = rwl_params,
		.params_size = sizeof(struct rwl_params),
	},
	.create = rwl_create,
	.destroy = rwl_destroy,
	.read_lock = rwl_read_lock,
	.read_unlock = rwl_read_unlock,
	.dereference = rcl_plain_dereference,
	.assign_pointer = rcl_release_assign,
	.write_lock = rwl_write_lock,
	.write_unlock = rwl_write_unlock,
	.retire = rwl_retire,
	.synchronize = rwl_synchronize,
	.stats = rwl_stats,
	.invariants_hold = rwl_invariants_hold,
};
