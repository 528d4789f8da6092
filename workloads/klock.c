// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * klock: every CPU takes a kernel lock (models/lock/klock.h) over and
 * over -- hold cycles of work on the protected line inside, think cycles
 * outside -- for a measured window.  The lock kind (spinlock_t, rwlock_t,
 * rw_semaphore, mutex, seqlock_t) and the contention (how many CPUs share
 * one lock: nlocks locks, CPU i uses lock i % nlocks) are parameters, so
 * a sweep over kind x cpus x nlocks gives the kernel's lock-scaling
 * curves (e.g. ticket vs queued spinlocks, Boyd-Wickizer et al. OLS'12).
 *
 * Each lock sits in an object of its own line together with the data it
 * protects (a counter the holder increments with a plain load + store),
 * as the kernel embeds locks; objects are homed on the first CPU that
 * uses them.  For the reader-writer kinds a fraction read_pct of the
 * sections are reads (readers only load the counter; seqlock readers
 * retry until their section saw no writer).
 *
 * Sections: uses "locking" (the spinlock flavour and the sleep/wake-up
 * costs; without it queued with defaults); needs nothing else.
 *
 * Reported: acquisitions in the window (all, reads, writes), per second,
 * the mean cycles and ns from lock call to return (lock latency), the
 * context's counters under "locks" (klock_stats), and the counter check
 * (writes counted == the counters' sum: mutual exclusion held).
 */
#include <glib.h>

#include "engine.h"
#include "klock.h"
#include "workload.h"

enum wl_klock_kind { WL_SPIN, WL_RWLOCK, WL_RWSEM, WL_MUTEX, WL_SEQLOCK };

static const char *const wl_klock_kinds[] = { "spinlock", "rwlock", "rwsem", "mutex", "seqlock",
					      NULL };

struct wl_klock_params {
	int kind;
	uint64_t duration;
	uint64_t warmup;
	uint64_t hold;
	uint64_t think;
	uint32_t nlocks;
	uint32_t read_pct;
};

static const struct sim_param wl_klock_params[] = {
	SIM_P_ENUM_ROW(struct wl_klock_params, kind, wl_klock_kinds, WL_SPIN,
		       "lock kind: spinlock_t, rwlock_t (qrwlock), rw_semaphore, mutex, seqlock_t"),
	SIM_P_U64_ROW(struct wl_klock_params, duration, 1000, UINT64_C(1) << 40, 2000000,
		      "measured window, cycles"),
	SIM_P_U64_ROW(struct wl_klock_params, warmup, 0, UINT64_C(1) << 40, 100000,
		      "cycles run before the window opens"),
	SIM_P_U64_ROW(struct wl_klock_params, hold, 0, 100000000, 100,
		      "cycles of work inside each section (after the counter load)"),
	SIM_P_U64_ROW(struct wl_klock_params, think, 0, 100000000, 200,
		      "cycles of work between sections (uniform 0..2*think)"),
	SIM_P_U32_ROW(struct wl_klock_params, nlocks, 1, 1u << 20, 1,
		      "number of locks; CPU i uses lock i % nlocks (1 = all CPUs on one lock)"),
	SIM_P_U32_ROW(struct wl_klock_params, read_pct, 0, 100, 80,
		      "rwlock/rwsem/seqlock: percent of sections that are reads"),
	SIM_P_END,
};

/* One lock and its data on one simulated line. */
struct wl_klock_obj {
	union {
		spinlock_t spin;
		rwlock_t rw;
		struct rw_semaphore sem;
		struct mutex mutex;
		seqlock_t seq;
	} lock;
	uint64_t counter;           /* written by writers under the lock */
};

struct wl_klock {
	struct wl_klock_params p;
	struct klock *kl;
	struct wl_klock_obj *obj;   /* simulated, nlocks lines */
	uint64_t *reads, *writes;   /* host, per CPU, in the window */
	uint64_t *lock_cycles;      /* host, per CPU: lock call to return, in the window */
	double ghz;
};

static void *
wl_klock_setup(struct sim *sim, const void *params)
{
	struct wl_klock *st = g_new0(struct wl_klock, 1);
	st->p = *(const struct wl_klock_params *)params;
	st->kl = klock_create(sim);
	G_STATIC_ASSERT(sizeof(struct wl_klock_obj) <= 64);
	st->obj = sim_alloc((size_t)st->p.nlocks * 64, 64);
	uint32_t n = sim_ncpus_of(sim);
	for (uint32_t i = 0; i < st->p.nlocks && i < n; i++)
		sim_mem_prime(sim, (char *)st->obj + (size_t)i * 64, 64, i);
	st->reads = g_new0(uint64_t, n);
	st->writes = g_new0(uint64_t, n);
	st->lock_cycles = g_new0(uint64_t, n);
	st->ghz = sim_machine_of(sim)->freq_ghz;
	return st;
}

/* A write section: counter++ with a plain load and store, then hold. */
static void
wl_klock_write_body(struct wl_klock *st, struct wl_klock_obj *o)
{
	uint64_t v = sim_load64(&o->counter);
	sim_work(st->p.hold);
	sim_store64(&o->counter, v + 1);
}

/* One section of the configured kind; returns the lock latency. */
static sim_time_t
wl_klock_section(struct wl_klock *st, struct wl_klock_obj *o, bool read)
{
	struct klock *kl = st->kl;
	sim_time_t t0 = sim_now(), t1;
	switch (st->p.kind) {
	case WL_SPIN:
		spin_lock(kl, &o->lock.spin);
		t1 = sim_now();
		wl_klock_write_body(st, o);
		spin_unlock(kl, &o->lock.spin);
		break;
	case WL_MUTEX:
		mutex_lock(kl, &o->lock.mutex);
		t1 = sim_now();
		wl_klock_write_body(st, o);
		mutex_unlock(kl, &o->lock.mutex);
		break;
	case WL_RWLOCK:
		if (read) {
			read_lock(kl, &o->lock.rw);
			t1 = sim_now();
			(void)sim_load64(&o->counter);
			sim_work(st->p.hold);
			read_unlock(kl, &o->lock.rw);
		} else {
			write_lock(kl, &o->lock.rw);
			t1 = sim_now();
			wl_klock_write_body(st, o);
			write_unlock(kl, &o->lock.rw);
		}
		break;
	case WL_RWSEM:
		if (read) {
			down_read(kl, &o->lock.sem);
			t1 = sim_now();
			(void)sim_load64(&o->counter);
			sim_work(st->p.hold);
			up_read(kl, &o->lock.sem);
		} else {
			down_write(kl, &o->lock.sem);
			t1 = sim_now();
			wl_klock_write_body(st, o);
			up_write(kl, &o->lock.sem);
		}
		break;
	default:        /* WL_SEQLOCK */
		if (read) {
			uint32_t seq = read_seqbegin(kl, &o->lock.seq);
			t1 = sim_now();
			for (;;) {
				(void)sim_load64(&o->counter);
				sim_work(st->p.hold);
				if (!read_seqretry(kl, &o->lock.seq, seq))
					break;
				seq = read_seqbegin(kl, &o->lock.seq);
			}
		} else {
			write_seqlock(kl, &o->lock.seq);
			t1 = sim_now();
			wl_klock_write_body(st, o);
			write_sequnlock(kl, &o->lock.seq);
		}
		break;
	}
	return t1 - t0;
}

static void
wl_klock_cpu(void *arg)
{
	struct wl_klock *st = arg;
	uint32_t id = sim_cpu_id();
	struct wl_klock_obj *o = (struct wl_klock_obj *)((char *)st->obj +
							 (size_t)(id % st->p.nlocks) * 64);
	bool rw = st->p.kind != WL_SPIN && st->p.kind != WL_MUTEX;
	sim_time_t start = st->p.warmup, end = st->p.warmup + st->p.duration;
	for (;;) {
		sim_time_t at = sim_now();
		if (at >= end)
			break;
		bool read = rw && sim_random_below(100) < st->p.read_pct;
		sim_time_t lat = wl_klock_section(st, o, read);
		if (at >= start) {
			st->lock_cycles[id] += lat;
			if (read)
				st->reads[id]++;
			else
				st->writes[id]++;
		}
		if (st->p.think)
			sim_work(sim_random_below(2 * st->p.think + 1));
	}
}

static void
wl_klock_report(void *arg, struct sim *sim, cJSON *m)
{
	struct wl_klock *st = arg;
	uint32_t n = sim_ncpus_of(sim);
	uint64_t reads = 0, writes = 0, cyc = 0;
	for (uint32_t i = 0; i < n; i++) {
		reads += st->reads[i];
		writes += st->writes[i];
		cyc += st->lock_cycles[i];
	}
	uint64_t all = reads + writes;
	double secs = (double)st->p.duration / (st->ghz * 1e9);
	cJSON_AddNumberToObject(m, "acquisitions", (double)all);
	cJSON_AddNumberToObject(m, "reads", (double)reads);
	cJSON_AddNumberToObject(m, "writes", (double)writes);
	cJSON_AddNumberToObject(m, "acquisitions_per_sec", (double)all / secs);
	double mean = all ? (double)cyc / (double)all : 0.0;
	cJSON_AddNumberToObject(m, "lock_cycles_mean", mean);
	cJSON_AddNumberToObject(m, "lock_ns_mean", mean / st->ghz);
	/* Every write section incremented its lock's counter under the lock
	 * (warmup and window alike): the sum must equal the writers' count. */
	const struct klock_counters *c = klock_counters_of(st->kl);
	uint64_t sum = 0;
	for (uint32_t i = 0; i < st->p.nlocks; i++)
		sum += ((struct wl_klock_obj *)((char *)st->obj + (size_t)i * 64))->counter;
	uint64_t wrote = st->p.kind == WL_SPIN ? c->spin_acquired :
			 st->p.kind == WL_MUTEX ? c->mutex_acquired :
			 st->p.kind == WL_RWLOCK ? c->rw_write_acquired :
			 st->p.kind == WL_RWSEM ? c->rwsem_write_acquired : c->seq_write;
	cJSON_AddBoolToObject(m, "exclusion_ok", sum == wrote);
	klock_stats(st->kl, cJSON_AddObjectToObject(m, "locks"));
}

static sim_time_t
wl_klock_goal(const void *arg)
{
	const struct wl_klock *st = arg;
	return st->p.warmup + st->p.duration;
}

static void
wl_klock_teardown(void *arg)
{
	struct wl_klock *st = arg;
	klock_destroy(st->kl);
	g_free(st->reads);
	g_free(st->writes);
	g_free(st->lock_cycles);
	g_free(st);
}

const struct sim_workload_ops wl_klock_ops = {
	.name = "klock",
	.uses = 1u << SIM_SECTION_LOCKING,
	.summary = "every CPU takes a kernel lock (spinlock, rwlock, rwsem, mutex, seqlock) "
		   "over and over; nlocks sets the contention",
	.params = wl_klock_params,
	.params_size = sizeof(struct wl_klock_params),
	.setup = wl_klock_setup,
	.cpu_main = wl_klock_cpu,
	.report = wl_klock_report,
	.teardown = wl_klock_teardown,
	.progress_goal = wl_klock_goal,
};
