// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Linux's reader-writer semaphore (rwsem, the Waiman Long rewrite of
 * v5.3+) as a read-side scheme: perfbook's "rwsem" curve.  Readers write
 * the shared count line twice per pair *and* the owner field once:
 *
 *   down_read: cnt = atomic_long_add_return_acquire(RWSEM_READER_BIAS, &count)
 *              if (cnt & RWSEM_READ_FAILED_MASK) slow path
 *              rwsem_set_reader_owned(): owner = current | RWSEM_READER_OWNED
 *                                        | (owner & RWSEM_NONSPINNABLE)
 *   up_read:   atomic_long_add_return_release(-RWSEM_READER_BIAS, &count)
 *
 * SOURCE: torvalds/linux kernel/locking/rwsem.c (v5.7-era) down_read(),
 * __down_read_trylock(), __rwsem_set_reader_owned(), __up_read(),
 * __down_write(), __up_write().
 *
 * Layout (struct rw_semaphore, one simulated line homed on CPU 0):
 *
 *   line 0:  [ count (long) | owner (long) ]
 *     count: xadd by every reader (+/- RWSEM_READER_BIAS, bits 8..62);
 *            cmpxchg / fetch_add by writers (RWSEM_WRITER_LOCKED, bit 0);
 *            fetch_or RWSEM_FLAG_WAITERS (bit 1) by a waiting writer
 *     owner: load + store by every reader (its task pointer; here the CPU
 *            id + 1 shifted past the flag bits), store by writers
 *
 * The owner store is why the rwsem costs about twice the qrwlock per
 * added reader in perfbook (82.9 vs 37.7 ns/CPU): after the xadd the line
 * may already have been taken by the next reader, and the owner load and
 * the store (drained by the next locked op) then move it again.
 *
 * Invariant: at most one writer inside; no reader inside with a writer.
 *
 * MODEL: no wait list, no sleeping, no optimistic spinning on the owner:
 * a reader that fails the fast path backs its bias out and spins until
 * no writer holds or waits; a writer sets RWSEM_FLAG_WAITERS (which stops
 * new fast-path readers, as the wait list's handoff does) and spins until
 * count holds no reader and no writer.  The read-only benchmark never
 * takes these paths.  Retire frees at once (writers exclude readers).
 */
#include <glib.h>

#include "engine.h"
#include "reclaim.h"

#define RWSEM_WRITER_LOCKED (1ull << 0)
#define RWSEM_FLAG_WAITERS (1ull << 1)
#define RWSEM_FLAG_HANDOFF (1ull << 2)
#define RWSEM_FLAG_READFAIL (1ull << 63)
#define RWSEM_READER_SHIFT 8
#define RWSEM_READER_BIAS (1ull << RWSEM_READER_SHIFT)
#define RWSEM_READER_MASK (~(RWSEM_READER_BIAS - 1) & ~RWSEM_FLAG_READFAIL)
#define RWSEM_READ_FAILED_MASK \
	(RWSEM_WRITER_LOCKED | RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF | RWSEM_FLAG_READFAIL)
#define RWSEM_READER_OWNED (1ull << 0)
#define RWSEM_NONSPINNABLE (1ull << 1)

struct rwsem_params {
	uint32_t unused;
};
static const struct sim_param rwsem_params[] = { SIM_P_END };

struct rw_semaphore {
	uint64_t count;             /* line 0 */
	uint64_t owner;             /* line 0 */
};

struct rwsem {
	struct rw_semaphore *sem;   /* simulated */
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	uint32_t writers_in, readers_in, writers_waiting;  /* host */
	uint64_t read_slowpath, write_slowpath;
};

static void *
rwsem_create(struct sim *sim, const void *params)
{
	(void)params;
	struct rwsem *r = g_new0(struct rwsem, 1);
	r->freq_ghz = sim_machine_of(sim)->freq_ghz;
	r->sem = sim_alloc(64, 64);
	sim_mem_prime(sim, r->sem, sizeof *r->sem, 0);
	sim_set_free_label(sim, "rwsem");
	return r;
}

static void
rwsem_destroy(void *rs)
{
	g_free(rs);
}

static uint64_t
rwsem_current(void)
{
	return ((uint64_t)sim_cpu_id() + 1) << 8;   /* a task pointer stand-in */
}

/* SOURCE: rwsem_set_reader_owned() -> __rwsem_set_reader_owned(). */
static void
rwsem_set_reader_owned(struct rw_semaphore *sem)
{
	uint64_t val = rwsem_current() | RWSEM_READER_OWNED |
		       (sim_load64(&sem->owner) & RWSEM_NONSPINNABLE);
	sim_store64(&sem->owner, val);
}

static void
rwsem_read_slowpath(struct rwsem *r)
{
	struct rw_semaphore *sem = r->sem;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	r->read_slowpath++;
	for (;;) {
		uint64_t cnt = sim_faa64(&sem->count, -RWSEM_READER_BIAS) - RWSEM_READER_BIAS;
		while (cnt & (RWSEM_WRITER_LOCKED | RWSEM_FLAG_WAITERS))
			cnt = sim_spin_while_eq64(&sem->count, cnt);
		cnt = sim_faa64(&sem->count, RWSEM_READER_BIAS) + RWSEM_READER_BIAS;
		if (!(cnt & RWSEM_READ_FAILED_MASK))
			break;
	}
	sim_cause_pop(c);
}

/* SOURCE: down_read() -> __down_read(). */
static void
rwsem_read_lock(void *rs)
{
	struct rwsem *r = rs;
	sim_time_t t0 = sim_now();
	uint64_t cnt = sim_faa64(&r->sem->count, RWSEM_READER_BIAS) + RWSEM_READER_BIAS;
	if (cnt & RWSEM_READ_FAILED_MASK)
		rwsem_read_slowpath(r);
	rwsem_set_reader_owned(r->sem);
	r->readers_in++;
	r->st.read_sections++;
	rcl_stats_read_time(&r->st, t0);
	g_assert(r->writers_in == 0);
}

/* SOURCE: up_read() -> __up_read(). */
static void
rwsem_read_unlock(void *rs)
{
	struct rwsem *r = rs;
	sim_time_t t0 = sim_now();
	r->readers_in--;
	(void)sim_faa64(&r->sem->count, -RWSEM_READER_BIAS);
	rcl_stats_read_time(&r->st, t0);
	/* (tmp & (LOCK_MASK|WAITERS)) == WAITERS would call rwsem_wake(): the
	 * spinning writer sees the count change instead. */
}

/* SOURCE: down_write() -> __down_write(); slow path: see MODEL above. */
static void
rwsem_write_lock(void *rs)
{
	struct rwsem *r = rs;
	struct rw_semaphore *sem = r->sem;
	if (sim_cas64(&sem->count, 0, RWSEM_WRITER_LOCKED) != 0) {
		enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
		r->write_slowpath++;
		r->writers_waiting++;
		for (;;) {
			uint64_t cnt = sim_load64(&sem->count);
			if (!(cnt & (RWSEM_READER_MASK | RWSEM_WRITER_LOCKED))) {
				uint64_t nv = RWSEM_WRITER_LOCKED |
					      (r->writers_waiting > 1 ? RWSEM_FLAG_WAITERS : 0);
				if (sim_cas64(&sem->count, cnt, nv) == cnt)
					break;
				continue;
			}
			if (!(cnt & RWSEM_FLAG_WAITERS)) {
				/* The readers may have left meanwhile: look again. */
				(void)sim_fetch_or64(&sem->count, RWSEM_FLAG_WAITERS);
				continue;
			}
			(void)sim_spin_while_eq64(&sem->count, cnt);
		}
		r->writers_waiting--;
		/* nv was computed before the CAS, which may have stalled while the
		 * other waiter got and released the lock: a WAITERS bit with no
		 * writer left to clear it would hold every reader off for good.
		 * (Linux decides under wait_lock, in rwsem_try_write_lock().) */
		if (r->writers_waiting == 0 &&
		    (sim_load64(&sem->count) & RWSEM_FLAG_WAITERS))
			(void)sim_fetch_and64(&sem->count, ~RWSEM_FLAG_WAITERS);
		sim_cause_pop(c);
	}
	sim_store64(&sem->owner, rwsem_current());     /* rwsem_set_owner() */
	r->writers_in++;
	g_assert(r->writers_in == 1 && r->readers_in == 0);
}

/* SOURCE: up_write(): rwsem_clear_owner(); atomic_long_fetch_add_release(-WRITER_LOCKED). */
static void
rwsem_write_unlock(void *rs)
{
	struct rwsem *r = rs;
	r->writers_in--;
	sim_store64(&r->sem->owner, 0);
	(void)sim_faa64(&r->sem->count, -RWSEM_WRITER_LOCKED);
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
	cJSON_AddNumberToObject(out, "read_slowpath", (double)r->read_slowpath);
	cJSON_AddNumberToObject(out, "write_slowpath", (double)r->write_slowpath);
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
			   "shared line; retire frees at once under the write lock",
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
