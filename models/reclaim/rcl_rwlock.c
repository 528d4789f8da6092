// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Linux's queued reader-writer lock (qrwlock) as a read-side scheme: the
 * baseline of perfbook's "rwlock" curve.  Readers atomically add
 * _QR_BIAS to the count word and subtract it again; a writer takes the
 * word from 0 to _QW_LOCKED, queueing on wait_lock (and announcing
 * itself with _QW_WAITING) when readers are in.
 *
 * SOURCE: torvalds/linux include/asm-generic/qrwlock.h queued_read_lock(),
 * queued_read_unlock(), queued_write_lock(), queued_write_unlock();
 * kernel/locking/qrwlock.c queued_read_lock_slowpath(),
 * queued_write_lock_slowpath().
 *
 * Layout (one simulated line, homed on CPU 0, like a static global):
 *
 *   line 0:  [ cnts (u32) | wait_lock (u32: ticket head u16, tail u16) ]
 *     cnts:      readers xadd +-_QR_BIAS (bits 9..31); the writer cmpxchg's
 *                _QW_LOCKED (0xff) in, byte-stores 0 to release it, and
 *                ors _QW_WAITING (0x100) while it waits
 *     wait_lock: taken by writers and by readers that found a writer
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
 * MODEL: wait_lock is a qspinlock in Linux; here a ticket lock in the same
 * word.  It is only taken on slow paths, which the read-only benchmark
 * never reaches.  The in-interrupt reader path (spin without queueing) is
 * not modelled.
 */
#include <glib.h>

#include "engine.h"
#include "reclaim.h"

#define _QW_WAITING 0x100u
#define _QW_LOCKED 0x0ffu
#define _QW_WMASK 0x1ffu
#define _QR_SHIFT 9
#define _QR_BIAS (1u << _QR_SHIFT)

struct rwl_params {
	uint32_t unused;
};
static const struct sim_param rwl_params[] = { SIM_P_END };

struct qrwlock {
	uint32_t cnts;              /* line 0: see the header */
	uint32_t wait_lock;         /* line 0: ticket: head = low 16 bits, tail = high 16 */
};

struct rwl {
	struct qrwlock *lock;       /* simulated */
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	uint32_t writers_in;        /* host: CPUs between write_lock and write_unlock */
	uint32_t readers_in;
	uint64_t read_slowpath, write_slowpath;
};

static void *
rwl_create(struct sim *sim, const void *params)
{
	(void)params;
	struct rwl *r = g_new0(struct rwl, 1);
	r->freq_ghz = sim_machine_of(sim)->freq_ghz;
	r->lock = sim_alloc(64, 64);
	sim_mem_prime(sim, r->lock, sizeof *r->lock, 0);
	sim_set_free_label(sim, "rwlock");
	return r;
}

static void
rwl_destroy(void *rs)
{
	g_free(rs);
}

static void
wait_lock_acquire(struct qrwlock *l)
{
	uint32_t me = sim_faa32(&l->wait_lock, 1u << 16) >> 16;
	uint32_t v = sim_load32(&l->wait_lock);
	while ((v & 0xffff) != me)
		v = sim_spin_while_eq32(&l->wait_lock, v);
	sim_fence_acquire();
}

static void
wait_lock_release(struct qrwlock *l)
{
	uint16_t head = (uint16_t)sim_load32(&l->wait_lock);
	sim_fence_release();
	sim_store16(&l->wait_lock, (uint16_t)(head + 1));
}

/* atomic_cond_read_acquire(&cnts, !(VAL & mask)) */
static uint32_t
cnts_wait_clear(struct qrwlock *l, uint32_t mask)
{
	uint32_t v = sim_load32(&l->cnts);
	while (v & mask)
		v = sim_spin_while_eq32(&l->cnts, v);
	sim_fence_acquire();
	return v;
}

/* SOURCE: queued_read_lock_slowpath() (process context). */
static void
rwl_read_slowpath(struct rwl *r)
{
	struct qrwlock *l = r->lock;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	r->read_slowpath++;
	(void)sim_faa32(&l->cnts, (uint32_t)-_QR_BIAS);
	wait_lock_acquire(l);
	(void)sim_faa32(&l->cnts, _QR_BIAS);
	(void)cnts_wait_clear(l, _QW_LOCKED);
	wait_lock_release(l);
	sim_cause_pop(c);
}

/* SOURCE: queued_read_lock(). */
static void
rwl_read_lock(void *rs)
{
	struct rwl *r = rs;
	sim_time_t t0 = sim_now();
	uint32_t cnts = sim_faa32(&r->lock->cnts, _QR_BIAS) + _QR_BIAS;
	if (cnts & _QW_WMASK)
		rwl_read_slowpath(r);
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
	(void)sim_faa32(&r->lock->cnts, (uint32_t)-_QR_BIAS);
	rcl_stats_read_time(&r->st, t0);
}

/* SOURCE: queued_write_lock_slowpath(). */
static void
rwl_write_slowpath(struct rwl *r)
{
	struct qrwlock *l = r->lock;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	r->write_slowpath++;
	wait_lock_acquire(l);
	uint32_t cnts = sim_load32(&l->cnts);
	if (cnts == 0 && sim_cas32(&l->cnts, 0, _QW_LOCKED) == 0)
		goto unlock;
	(void)sim_fetch_or64(l, _QW_WAITING);   /* cnts is the low half */
	for (;;) {
		/* atomic_cond_read_relaxed(&cnts, VAL == _QW_WAITING) */
		cnts = sim_load32(&l->cnts);
		while (cnts != _QW_WAITING)
			cnts = sim_spin_while_eq32(&l->cnts, cnts);
		if (sim_cas32(&l->cnts, _QW_WAITING, _QW_LOCKED) == _QW_WAITING)
			break;
	}
unlock:
	wait_lock_release(l);
	sim_cause_pop(c);
}

/* SOURCE: queued_write_lock(). */
static void
rwl_write_lock(void *rs)
{
	struct rwl *r = rs;
	if (sim_cas32(&r->lock->cnts, 0, _QW_LOCKED) != 0)
		rwl_write_slowpath(r);
	r->writers_in++;
	g_assert(r->writers_in == 1 && r->readers_in == 0);
}

/* SOURCE: queued_write_unlock(): smp_store_release(&lock->wlocked, 0). */
static void
rwl_write_unlock(void *rs)
{
	struct rwl *r = rs;
	r->writers_in--;
	sim_fence_release();
	sim_store8(&r->lock->cnts, 0);      /* wlocked is the low byte (little endian) */
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
	cJSON_AddNumberToObject(out, "read_slowpath", (double)r->read_slowpath);
	cJSON_AddNumberToObject(out, "write_slowpath", (double)r->write_slowpath);
}

static bool
rwl_invariants_hold(const void *rs)
{
	const struct rwl *r = rs;
	uint32_t w = r->lock->cnts & 0xff;
	return r->writers_in <= 1 && (r->writers_in == 0 || r->readers_in == 0) &&
	       (w == 0 || w == _QW_LOCKED);
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
