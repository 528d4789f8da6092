// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Epoch-based reclamation in two styles, registered as two schemes:
 *
 *   ebr-ck         Concurrency Kit's ck_epoch: per-record pending[4] lists,
 *                  explicit ck_epoch_poll / ck_epoch_synchronize.
 *   ebr-crossbeam  crossbeam-epoch: pin / unpin, thread-local bags of 64
 *                  sealed onto a global queue, try_advance every 128 pins.
 *
 * SOURCE: concurrencykit/ck include/ck_epoch.h ck_epoch_begin(),
 * ck_epoch_end(), ck_epoch_call(); src/ck_epoch.c ck_epoch_scan(),
 * ck_epoch_dispatch(), ck_epoch_poll(), ck_epoch_synchronize(),
 * ck_epoch_barrier().  crossbeam-rs/crossbeam crossbeam-epoch/src/
 * internal.rs Local::pin/unpin/defer/finalize, Global::push_bag/collect/
 * try_advance, SealedBag::is_expired; epoch.rs (pinned bit = bit 0, one
 * epoch = 2).  Both via shared/reference/reclaim-algorithms.md section 3.
 *
 * THE ARGUMENT (ck_epoch.c's header, restated): an active record always
 * holds e_g or e_g - 1; the global epoch can only advance from e to e+1
 * once every active record shows e.  So an object unlinked while the
 * global epoch was t can only be held by a reader whose record shows at
 * most t, and such a reader has left once the global epoch reaches t + 2.
 * ck frees bucket (e & 3) when the epoch moves to e (objects tagged e - 4)
 * or everything when all records were seen inactive; crossbeam frees a
 * bag sealed at t once the global epoch is >= t + 2.
 *
 *   ---- global epoch --->  t        t+1        t+2       t+3   t+4
 *   object unlinked at t:   [ readers with e<=t may hold it ]  ck frees | ...
 *                                               crossbeam frees here ^
 *
 * Layout (simulated lines):
 *
 *   global line:            [ epoch ]           ck: CAS by poll/synchronize;
 *                                               crossbeam: release store by
 *                                               try_advance; read by every begin/pin
 *   ck record, CPU i:       [ state | epoch | active | n_pending | pending[4] ]
 *                                               written by CPU i; read by scanners
 *   crossbeam local, CPU i: [ epoch (pinned bit 0) ]  written by CPU i; read by
 *                                               try_advance of every CPU
 *   crossbeam queue:        head line, tail line, one node line per sealed bag
 *                           (Michael-Scott queue: CAS on next, tail and head)
 *
 * Read side:
 *   ck begin  = load global epoch, store own epoch, store own active, full fence
 *   ck end    = full fence (ck's older ck_pr_fence_memory; end_fence "release"
 *               gives the newer version's release fence) + store own active
 *   cb pin    = load global epoch + lock cmpxchg own epoch (x86 path)
 *   cb unpin  = release store own epoch
 *
 * Counters: ck's n_pending, n_peak, n_dispatch (summed over records), and
 * poll, poll_fail, advance (successful epoch CAS), synchronize_wait
 * (blocked scans); crossbeam's pin, collect, try_advance, advance,
 * push_bag, pop_bag.  In the common metrics a grace period (gp_*) is one
 * advance of the global epoch, lasting from the previous advance (or the
 * run's start): every reader that began before it has left by its end.
 *
 * MODEL: ck's retire (ck_epoch_call) tags the object with the *global*
 * epoch (load + store of the record's epoch), as a caller inside
 * ck_epoch_begin would; a retire from a stale record could otherwise be
 * dispatched after a single epoch.
 * MODEL: a scan blocked on a record waits for a write to that record's
 * line (MWAIT-like) for at most spin_recheck cycles before re-reading the
 * global epoch; the real loop re-reads both lines while they stay cached,
 * so no coherence traffic is lost.
 * MODEL: crossbeam retire pins (epoch::pin().defer_destroy()), so retires
 * count toward the 128-pin collect.  Queue nodes are not reclaimed
 * (crossbeam defers them through the epoch): one line per 64 objects.
 * MODEL: crossbeam's poll() is one collect() under a pin; it does not
 * flush a partial bag (Guard::flush), so up to 63 objects per CPU wait
 * for cpu_exit.
 *
 * WHO POLLS (ck).  ck itself frees only when its caller calls
 * ck_epoch_poll / ck_epoch_synchronize / ck_epoch_barrier.  A kernel that
 * uses it, FreeBSD's epoch(9) (sys/kern/subr_epoch.c), drives that from
 * the clock: epoch_call() is ck_epoch_call() on the CPU's record plus
 * epoch_cb_count++, and hardclock() (sys/kern/kern_clock.c), on every
 * tick of every CPU whose epoch_cb_count is non-zero, enqueues that CPU's
 * epoch_cb_task, a grouptask on a per-CPU gtaskqueue thread, which runs
 * epoch_call_task(): ck_epoch_poll_deferred() on the CPU's record, then
 * the callbacks it returned.  The parameter hz (FreeBSD's default 1000)
 * is that tick; hz = 0 leaves only the caller's polls (the library alone,
 * as before).  ck_tick (below) runs the task in the tick itself, on the
 * CPU's own record: the rcuscale, memcached and rcutorture workloads'
 * own poll() calls are unchanged and add to it.
 * MODEL: the task runs inside the tick, where FreeBSD switches to the
 * taskqueue thread (not charged: about two context switches per tick per
 * CPU with callbacks, some 1-2 us in 1 ms, under 0.2%).  It runs only
 * when the CPU is outside every epoch section and every ck call of this
 * file (the thread would preempt a preemptible section; our poll is the
 * older ck_epoch_poll, which stores the record's epoch and so may not run
 * under an active section); otherwise that tick's task is skipped
 * (call_task_skip) and the next tick retries.  Expected effect: frees
 * come up to a tick later than FreeBSD's on CPUs that are often inside
 * sections when their tick arrives.  ck_epoch_poll frees the bucket of
 * epoch + 1 (tagged 3 advances ago) where ck_epoch_poll_deferred also
 * frees epoch - 1 and epoch - 2: up to two advances more latency.
 * hardclock's own cost is not charged (the other non-RCU schemes take no
 * tick at all); only the interrupt entry the engine charges per tick.
 */
#include <glib.h>

#include "engine.h"
#include "reclaim.h"

#define CK_EPOCH_LENGTH 4u
#define CK_EPOCH_GRACE 3u
#define CK_EPOCH_STATE_USED 0u
#define CK_EPOCH_STATE_FREE 1u
#define CB_MAX_OBJECTS 64u
#define CB_PINNINGS_BETWEEN_COLLECT 128u
#define CB_COLLECT_STEPS 8u

static const char *const end_fences[] = { "full", "release", NULL };
enum { END_FULL, END_RELEASE };

struct ebr_params {
	int end_fence;
	uint64_t spin_recheck;
	uint32_t hz;
	bool tick_skew;
	uint32_t pinnings_between_collect;
	uint32_t max_objects;
};

static const struct sim_param ebr_ck_params[] = {
	SIM_P_ENUM_ROW(struct ebr_params, end_fence, end_fences, END_FULL,
		       "ck_epoch_end's fence: full (older ck, ck_pr_fence_memory) or release "
		       "(newer ck; free on x86)"),
	SIM_P_U64_ROW(struct ebr_params, spin_recheck, 1, UINT64_C(1) << 32, 1000,
		      "cycles a blocked synchronize waits on a record before re-reading the global epoch"),
	SIM_P_U32_ROW(struct ebr_params, hz, 0, 100000, 1000,
		      "FreeBSD epoch(9): hardclock ticks per second, each running epoch_call_task on "
		      "CPUs with callbacks (FreeBSD's default HZ 1000); 0 = no driver, only the "
		      "caller's poll/synchronize (the ck library alone)"),
	SIM_P_BOOL_ROW(struct ebr_params, tick_skew, true,
		       "stagger each CPU's tick across the period (as gus's tick_skew)"),
	SIM_P_END,
};

static const struct sim_param ebr_cb_params[] = {
	SIM_P_U32_ROW(struct ebr_params, pinnings_between_collect, 1, 1u << 20,
		      CB_PINNINGS_BETWEEN_COLLECT, "pins between collect() calls (crossbeam: 128)"),
	SIM_P_U32_ROW(struct ebr_params, max_objects, 1, 1u << 20, CB_MAX_OBJECTS,
		      "deferred objects per bag (crossbeam: 64)"),
	SIM_P_U64_ROW(struct ebr_params, spin_recheck, 1, UINT64_C(1) << 32, 1000,
		      "cycles cpu_exit sleeps between collect attempts"),
	SIM_P_END,
};

/* ---- simulated layouts ---- */

struct ck_epoch {
	uint32_t epoch;             /* global line: ck's epoch */
	uint32_t pad0;
	uint64_t cb_epoch;          /* global line: crossbeam's epoch (count, data >> 1) */
	uint64_t pad[6];
};

struct ck_epoch_record {
	uint32_t state;             /* record line: owner writes */
	uint32_t epoch;             /* record line: owner writes; scanners read */
	uint32_t active;            /* record line: owner writes; scanners read */
	uint32_t n_pending;         /* record line: owner only */
	uint64_t pending[CK_EPOCH_LENGTH]; /* record line: stack heads, owner pushes */
	uint64_t pad[2];
};

struct cb_local {
	uint64_t epoch;             /* local line: owner writes; try_advance reads */
	uint64_t pad[7];
};

struct cb_node {                    /* queue node: pusher writes, poppers read */
	struct cb_node *next;
	uint64_t epoch;             /* the bag's seal */
	uint64_t bag;               /* host pointer to the struct rcl_list (opaque bits) */
	uint64_t pad[5];
};

struct cb_queue {
	struct cb_node *head;       /* head line: CAS by poppers */
	uint64_t pad0[7];
	struct cb_node *tail;       /* tail line: CAS by pushers */
	uint64_t pad1[7];
};

/* ---- host state ---- */

struct ck_host {                    /* per CPU, ck mode */
	struct rcl_list pending[CK_EPOCH_LENGTH];
	uint64_t n_pending, n_peak, n_dispatch;
	uint32_t nest;              /* host mirror of the record's active count */
	bool busy;                  /* inside one of this file's ck calls (critical_enter) */
};

struct cb_host {                    /* per CPU, crossbeam mode */
	uint32_t guard_count;
	uint64_t pin_count;
	struct rcl_list *bag;
	bool exited;
};

struct ebr {
	bool crossbeam;
	struct ebr_params p;
	uint32_t ncpus, exited;
	uint32_t pause;             /* latency.pause: ck_pr_stall() */
	struct ck_epoch *global;
	struct ck_epoch_record *rec;
	struct ck_host *ck;
	struct cb_local *local;
	struct cb_queue *queue;
	struct cb_host *cb;
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	sim_time_t epoch_since;     /* host: when the global epoch last advanced (for gp_*) */
	/* counters named after the real code */
	uint64_t poll, poll_fail, advance, synchronize_wait;
	uint64_t pin, collect, try_advance, push_bag, pop_bag;
	uint64_t tick_period;       /* ck: cycles per hardclock tick (0: no epoch_call_task) */
	uint64_t call_task, call_task_skip, call_task_freed;
};

static void ck_tick(void *arg);

static void *
ebr_create_common(struct sim *sim, const void *params, bool crossbeam)
{
	struct ebr *e = g_new0(struct ebr, 1);
	e->freq_ghz = sim_machine_of(sim)->freq_ghz;
	e->crossbeam = crossbeam;
	e->p = *(const struct ebr_params *)params;
	e->ncpus = sim_ncpus_of(sim);
	e->pause = sim_machine_of(sim)->lat.pause;
	e->global = sim_alloc(sizeof *e->global, 64);
	sim_mem_prime(sim, e->global, sizeof *e->global, 0);
	if (!crossbeam) {
		e->rec = sim_alloc(sizeof(struct ck_epoch_record) * e->ncpus, 64);
		e->ck = g_new0(struct ck_host, e->ncpus);
		for (uint32_t i = 0; i < e->ncpus; i++)
			sim_mem_prime(sim, &e->rec[i], sizeof e->rec[i], i);
		if (e->p.hz) {
			double per_tick = sim_machine_of(sim)->freq_ghz * 1e9 / (double)e->p.hz;
			e->tick_period = per_tick < 1.0 ? 1 : (uint64_t)per_tick;
			sim_tick_register(sim, e->tick_period, e->p.tick_skew, ck_tick, e);
		}
		sim_set_free_label(sim, "ebr-ck");
		return e;
	}
	e->local = sim_alloc(sizeof(struct cb_local) * e->ncpus, 64);
	e->cb = g_new0(struct cb_host, e->ncpus);
	for (uint32_t i = 0; i < e->ncpus; i++) {
		sim_mem_prime(sim, &e->local[i], sizeof e->local[i], i);
		e->cb[i].bag = g_new0(struct rcl_list, 1);
	}
	e->queue = sim_alloc(sizeof *e->queue, 64);
	struct cb_node *sentinel = sim_alloc(sizeof *sentinel, 64);
	e->queue->head = e->queue->tail = sentinel;
	sim_mem_prime(sim, e->queue, sizeof *e->queue, 0);
	sim_mem_prime(sim, sentinel, sizeof *sentinel, 0);
	sim_set_free_label(sim, "ebr-crossbeam");
	return e;
}

static void *
ebr_ck_create(struct sim *sim, const void *params)
{
	return ebr_create_common(sim, params, false);
}

static void *
ebr_cb_create(struct sim *sim, const void *params)
{
	return ebr_create_common(sim, params, true);
}

static void
ebr_destroy(void *rs)
{
	struct ebr *e = rs;
	for (uint32_t i = 0; e->ck && i < e->ncpus; i++)
		for (uint32_t b = 0; b < CK_EPOCH_LENGTH; b++)
			rcl_list_free(&e->ck[i].pending[b]);
	for (uint32_t i = 0; e->cb && i < e->ncpus; i++) {
		rcl_list_free(e->cb[i].bag);
		g_free(e->cb[i].bag);
	}
	g_free(e->ck);
	g_free(e->cb);
	g_free(e);
}

/* The global epoch just advanced: one grace period in the common
 * metrics, as long as the epoch held its previous value. */
static void
ebr_advanced(struct ebr *e)
{
	e->advance++;
	rcl_stats_gp(&e->st, sim_now() - e->epoch_since);
	e->epoch_since = sim_now();
}

/* ================= ck_epoch ================= */

/* SOURCE: ck_epoch_begin() (older ck, reclaim-algorithms.md 3.2). */
static void
ck_read_lock(void *rs)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	struct ck_epoch_record *r = &e->rec[sim_cpu_id()];
	e->ck[sim_cpu_id()].nest++;
	uint32_t active = sim_load32(&r->active);
	if (active == 0) {
		sim_store32(&r->epoch, sim_load32(&e->global->epoch));
		sim_store32(&r->active, 1);
		sim_fence_full();       /* ck_pr_fence_strict_memory */
	} else {
		sim_store32(&r->active, active + 1);
	}
	e->st.read_sections++;
	rcl_stats_read_time(&e->st, t0);
}

/* SOURCE: ck_epoch_end(). */
static void
ck_read_unlock(void *rs)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	struct ck_epoch_record *r = &e->rec[sim_cpu_id()];
	if (e->p.end_fence == END_FULL)
		sim_fence_full();
	else
		sim_fence_release();
	sim_store32(&r->active, sim_load32(&r->active) - 1);
	g_assert(e->ck[sim_cpu_id()].nest > 0);
	e->ck[sim_cpu_id()].nest--;
	rcl_stats_read_time(&e->st, t0);
}

/* SOURCE: ck_epoch_call(), tagging with the global epoch (MODEL above). */
static void
ck_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	uint32_t cpu = sim_cpu_id();
	struct ck_epoch_record *r = &e->rec[cpu];
	struct ck_host *h = &e->ck[cpu];
	bool was_busy = h->busy;
	h->busy = true;
	uint32_t epoch = sim_load32(&e->global->epoch);
	sim_store32(&r->epoch, epoch);
	uint32_t offset = epoch & (CK_EPOCH_LENGTH - 1);
	sim_store32(&r->n_pending, (uint32_t)++h->n_pending);
	sim_store64(&r->pending[offset], sim_addr_offset(obj));    /* ck_stack_push_spnc */
	rcl_defer(&e->st, &h->pending[offset], obj, size, align);
	h->busy = was_busy;
	rcl_stats_retire_time(&e->st, t0);
}

/* SOURCE: ck_epoch_dispatch(): pop the whole bucket, run the callbacks. */
static uint32_t
ck_dispatch(struct ebr *e, uint32_t cpu, uint32_t epoch)
{
	struct ck_host *h = &e->ck[cpu];
	struct rcl_list *l = &h->pending[epoch & (CK_EPOCH_LENGTH - 1)];
	if (l->n == 0)
		return 0;
	(void)sim_xchg64(&e->rec[cpu].pending[epoch & (CK_EPOCH_LENGTH - 1)], 0);
	uint32_t i = l->n;
	for (uint32_t k = 0; k < l->n; k++)
		rcl_free_deferred(&e->st, &l->v[k]);
	l->n = 0;
	if (h->n_pending > h->n_peak)
		h->n_peak = h->n_pending;
	h->n_dispatch += i;
	h->n_pending -= i;
	sim_store32(&e->rec[cpu].n_pending, (uint32_t)h->n_pending);
	return i;
}

/*
 * SOURCE: ck_epoch_scan(): the first record from index `from` that is
 * active in an epoch other than `epoch`, or ncpus; *active tells whether
 * any scanned record was active.
 */
static uint32_t
ck_scan(struct ebr *e, uint32_t from, uint32_t epoch, bool *active)
{
	for (uint32_t i = from; i < e->ncpus; i++) {
		struct ck_epoch_record *r = &e->rec[i];
		if (sim_load32(&r->state) & CK_EPOCH_STATE_FREE)
			continue;
		uint32_t a = sim_load32(&r->active);
		*active |= a != 0;
		if (a != 0 && sim_load32(&r->epoch) != epoch)
			return i;
	}
	return e->ncpus;
}

/* SOURCE: ck_epoch_poll().  Return: the objects this CPU freed. */
static uint32_t
ck_poll_n(void *rs)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	uint32_t cpu = sim_cpu_id();
	struct ck_epoch_record *r = &e->rec[cpu];
	bool was_busy = e->ck[cpu].busy;
	e->ck[cpu].busy = true;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_RECLAIM);
	e->poll++;
	uint32_t epoch = sim_load32(&e->global->epoch);
	sim_fence_full();       /* serialize epoch snapshots with the global epoch */
	bool active = false;
	uint32_t freed = 0;
	if (ck_scan(e, 0, epoch, &active) != e->ncpus) {
		e->poll_fail++;
		sim_store32(&r->epoch, epoch);
	} else if (!active) {
		/* Every record inactive: a grace period has passed. */
		sim_store32(&r->epoch, epoch);
		for (uint32_t b = 0; b < CK_EPOCH_LENGTH; b++)
			freed += ck_dispatch(e, cpu, b);
	} else {
		uint32_t snap = sim_cas32(&e->global->epoch, epoch, epoch + 1);
		if (snap == epoch) {
			ebr_advanced(e);
			sim_store32(&r->epoch, epoch + 1);
		} else {
			sim_store32(&r->epoch, snap);
		}
		freed = ck_dispatch(e, cpu, epoch + 1);
	}
	sim_cause_pop(c);
	e->ck[cpu].busy = was_busy;
	rcl_stats_poll_time(&e->st, t0);
	return freed;
}

static bool
ck_poll(void *rs)
{
	return ck_poll_n(rs) > 0;
}

/*
 * SOURCE: FreeBSD hardclock() -> GROUPTASK_ENQUEUE(epoch_cb_task) when
 * epoch_cb_count != 0 -> epoch_call_task() -> ck_epoch_poll_deferred()
 * on this CPU's record (see WHO POLLS above for what is simplified).
 * Context: the tick handler of CPU sim_cpu_id().
 */
static void
ck_tick(void *arg)
{
	struct ebr *e = arg;
	struct ck_host *h = &e->ck[sim_cpu_id()];
	if (h->n_pending == 0)
		return;                 /* epoch_cb_count == 0: no task */
	if (h->nest != 0 || h->busy) {
		e->call_task_skip++;
		return;
	}
	e->call_task++;
	e->call_task_freed += ck_poll_n(e);
}

/* Wait while record i is active in an epoch other than delta, or until
 * spin_recheck passes; return true if it no longer blocks. */
static bool
ck_block(struct ebr *e, uint32_t i, uint32_t delta)
{
	struct ck_epoch_record *r = &e->rec[i];
	uint32_t a = sim_load32(&r->active);
	if (a == 0 || sim_load32(&r->epoch) == delta)
		return true;
	sim_wait_for_write(r, sim_now() + e->p.spin_recheck);
	return false;
}

/* SOURCE: ck_epoch_synchronize(): up to GRACE - 1 rounds of "wait until
 * every active record observed delta, then CAS delta + 1". */
static void
ck_synchronize_record(struct ebr *e, uint32_t cpu)
{
	sim_fence_full();
	uint32_t delta = sim_load32(&e->global->epoch), epoch = delta;
	uint32_t goal = epoch + CK_EPOCH_GRACE;
	for (uint32_t i = 0; i < CK_EPOCH_GRACE - 1; i++) {
		bool active = false, done = false;
		uint32_t cr = ck_scan(e, 0, delta, &active);
		while (cr != e->ncpus) {
			e->synchronize_wait++;
			sim_work(e->pause);      /* ck_pr_stall() */
			uint32_t e_d = sim_load32(&e->global->epoch);
			if (e_d != delta) {
				/* Another writer advanced: maybe the goal is met. */
				delta = e_d;
				if (goal > epoch && delta >= goal) {
					done = true;
					break;
				}
				active = false;
				cr = ck_scan(e, 0, delta, &active);
				continue;
			}
			if (ck_block(e, cr, delta))
				cr = ck_scan(e, cr, delta, &active);
		}
		if (done || !active)
			break;
		uint32_t snap = sim_cas32(&e->global->epoch, delta, delta + 1);
		if (snap == delta) {
			ebr_advanced(e);
			delta++;
		} else {
			delta = snap;
		}
	}
	sim_fence_full();
	sim_store32(&e->rec[cpu].epoch, delta);
}

static void
ck_synchronize(void *rs)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	struct ck_host *h = &e->ck[sim_cpu_id()];
	bool was_busy = h->busy;
	h->busy = true;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_GP_WAIT);
	ck_synchronize_record(e, sim_cpu_id());
	sim_cause_pop(c);
	h->busy = was_busy;
	rcl_stats_sync_time(&e->st, t0);
}

/* SOURCE: ck_epoch_barrier() then ck_epoch_unregister(). */
static void
ck_cpu_exit(void *rs)
{
	struct ebr *e = rs;
	uint32_t cpu = sim_cpu_id();
	e->ck[cpu].busy = true;     /* for good: no task after unregister */
	if (e->ck[cpu].n_pending) {
		ck_synchronize(e);
		for (uint32_t b = 0; b < CK_EPOCH_LENGTH; b++)
			(void)ck_dispatch(e, cpu, b);
	}
	sim_store32(&e->rec[cpu].state, CK_EPOCH_STATE_FREE);
	e->exited++;
}

/* ================= crossbeam-epoch ================= */

static void cb_collect(struct ebr *e);

/* SOURCE: Local::pin() (x86: compare_exchange as the SeqCst fence). */
static void
cb_pin(struct ebr *e)
{
	uint32_t cpu = sim_cpu_id();
	struct cb_host *h = &e->cb[cpu];
	if (h->guard_count++ != 0)
		return;
	uint64_t ge = sim_load64(&e->global->cb_epoch);
	(void)sim_cas64(&e->local[cpu].epoch, 0, (ge << 1) | 1);
	e->pin++;
	if (++h->pin_count % e->p.pinnings_between_collect == 0)
		cb_collect(e);
}

/* SOURCE: Local::unpin(). */
static void
cb_unpin(struct ebr *e)
{
	uint32_t cpu = sim_cpu_id();
	struct cb_host *h = &e->cb[cpu];
	g_assert(h->guard_count > 0);
	if (--h->guard_count == 0)
		sim_store64_rel(&e->local[cpu].epoch, 0);
}

static void
cb_read_lock(void *rs)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	cb_pin(e);
	e->st.read_sections++;
	rcl_stats_read_time(&e->st, t0);
}

static void
cb_read_unlock(void *rs)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	cb_unpin(e);
	rcl_stats_read_time(&e->st, t0);
}

/* SOURCE: Global::try_advance(). The global word holds the epoch count
 * (crossbeam's data >> 1). */
static uint64_t
cb_try_advance(struct ebr *e)
{
	e->try_advance++;
	uint64_t ge = sim_load64(&e->global->cb_epoch);
	sim_fence_full();
	for (uint32_t i = 0; i < e->ncpus; i++) {
		uint64_t le = sim_load64(&e->local[i].epoch);
		if ((le & 1) && (le >> 1) != ge)
			return ge;
	}
	sim_fence_acquire();
	sim_store64_rel(&e->global->cb_epoch, ge + 1);
	ebr_advanced(e);
	return ge + 1;
}

/* SOURCE: Global::push_bag() -> Queue::push() (Michael-Scott). */
static void
cb_push_bag(struct ebr *e, struct rcl_list *bag)
{
	sim_fence_full();
	uint64_t epoch = sim_load64(&e->global->cb_epoch);
	struct cb_node *n = sim_alloc(sizeof *n, 64);
	sim_store64(&n->epoch, epoch);
	sim_store64(&n->bag, (uint64_t)(uintptr_t)bag);
	sim_storep((void **)&n->next, NULL);
	for (;;) {
		struct cb_node *t = sim_loadp((void *const *)&e->queue->tail);
		struct cb_node *next = sim_loadp((void *const *)&t->next);
		if (next != NULL) {
			(void)sim_casp((void **)&e->queue->tail, t, next);
			continue;
		}
		if (sim_casp((void **)&t->next, NULL, n) == NULL) {
			(void)sim_casp((void **)&e->queue->tail, t, n);
			break;
		}
	}
	e->push_bag++;
}

/* SOURCE: Queue::try_pop_if(|bag| bag.is_expired(global_epoch)). */
static struct rcl_list *
cb_pop_expired(struct ebr *e, uint64_t ge)
{
	for (;;) {
		struct cb_node *h = sim_loadp((void *const *)&e->queue->head);
		struct cb_node *n = sim_loadp((void *const *)&h->next);
		if (n == NULL)
			return NULL;
		/* Bag::is_expired(): a signed distance (Epoch::wrapping_sub), so a bag
		 * sealed after our (possibly stale) view of the epoch never counts
		 * as expired. */
		if ((int64_t)(ge - sim_load64(&n->epoch)) < 2)
			return NULL;
		if (sim_casp((void **)&e->queue->head, h, n) == h) {
			if (sim_loadp((void *const *)&e->queue->tail) == h)
				(void)sim_casp((void **)&e->queue->tail, h, n);
			e->pop_bag++;
			return (struct rcl_list *)(uintptr_t)sim_load64(&n->bag);
		}
	}
}

/* SOURCE: Global::collect(). Returns the objects freed. */
static uint32_t
cb_collect_n(struct ebr *e)
{
	enum sim_cause c = sim_cause_push(SIM_CAUSE_RECLAIM);
	e->collect++;
	uint64_t ge = cb_try_advance(e);
	uint32_t freed = 0;
	for (uint32_t step = 0; step < CB_COLLECT_STEPS; step++) {
		struct rcl_list *bag = cb_pop_expired(e, ge);
		if (bag == NULL)
			break;
		for (uint32_t k = 0; k < bag->n; k++)
			rcl_free_deferred(&e->st, &bag->v[k]);
		freed += bag->n;
		rcl_list_free(bag);
		g_free(bag);
	}
	sim_cause_pop(c);
	return freed;
}

static void
cb_collect(struct ebr *e)
{
	(void)cb_collect_n(e);
}

/* Seal the CPU's bag onto the queue and give it a fresh one. */
static void
cb_flush_bag(struct ebr *e, uint32_t cpu)
{
	struct cb_host *h = &e->cb[cpu];
	if (h->bag->n == 0)
		return;
	cb_push_bag(e, h->bag);
	h->bag = g_new0(struct rcl_list, 1);
}

/* SOURCE: Guard::defer_destroy() -> Local::defer(). */
static void
cb_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	uint32_t cpu = sim_cpu_id();
	cb_pin(e);
	struct cb_host *h = &e->cb[cpu];
	if (h->bag->n >= e->p.max_objects)
		cb_flush_bag(e, cpu);
	/* Bag::try_push writes the Deferred into the Local's bag. */
	sim_store64(&e->local[cpu].pad[1 + h->bag->n % 6], sim_addr_offset(obj));
	rcl_defer(&e->st, h->bag, obj, size, align);
	cb_unpin(e);
	rcl_stats_retire_time(&e->st, t0);
}

static bool
cb_poll(void *rs)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	cb_pin(e);
	uint32_t freed = cb_collect_n(e);
	cb_unpin(e);
	rcl_stats_poll_time(&e->st, t0);
	return freed > 0;
}

/* Two advances past the present epoch make every sealed bag expire. */
static void
cb_synchronize(void *rs)
{
	struct ebr *e = rs;
	sim_time_t t0 = sim_now();
	enum sim_cause c = sim_cause_push(SIM_CAUSE_GP_WAIT);
	uint64_t goal = sim_load64(&e->global->cb_epoch) + 2;
	while (cb_try_advance(e) < goal) {
		uint64_t ge = sim_load64(&e->global->cb_epoch);
		if (ge >= goal)
			break;
		sim_sleep_until(sim_now() + e->p.spin_recheck);
	}
	sim_cause_pop(c);
	rcl_stats_sync_time(&e->st, t0);
}

/* SOURCE: Local::finalize(): push the bag; the last CPU drains the queue. */
static void
cb_cpu_exit(void *rs)
{
	struct ebr *e = rs;
	uint32_t cpu = sim_cpu_id();
	cb_pin(e);
	cb_flush_bag(e, cpu);
	cb_unpin(e);
	e->cb[cpu].exited = true;
	if (++e->exited < e->ncpus)
		return;
	while (e->st.freed < e->st.retired) {
		cb_pin(e);
		uint32_t n = cb_collect_n(e);
		cb_unpin(e);
		if (n == 0)
			sim_sleep_until(sim_now() + e->p.spin_recheck);
	}
}

/* ================= common ================= */

static void
ebr_stats(void *rs, cJSON *out)
{
	struct ebr *e = rs;
	rcl_stats_emit(&e->st, e->freq_ghz, out);
	cJSON_AddNumberToObject(out, "epoch", (double)(e->crossbeam ? e->global->cb_epoch : e->global->epoch));
	cJSON_AddNumberToObject(out, "advance", (double)e->advance);
	if (!e->crossbeam) {
		uint64_t n_peak = 0, n_dispatch = 0, n_pending = 0;
		for (uint32_t i = 0; i < e->ncpus; i++) {
			n_peak = MAX(n_peak, e->ck[i].n_peak);
			n_dispatch += e->ck[i].n_dispatch;
			n_pending += e->ck[i].n_pending;
		}
		cJSON_AddNumberToObject(out, "n_peak", (double)n_peak);
		cJSON_AddNumberToObject(out, "n_dispatch", (double)n_dispatch);
		cJSON_AddNumberToObject(out, "n_pending", (double)n_pending);
		cJSON_AddNumberToObject(out, "poll", (double)e->poll);
		cJSON_AddNumberToObject(out, "poll_fail", (double)e->poll_fail);
		cJSON_AddNumberToObject(out, "synchronize_wait", (double)e->synchronize_wait);
		cJSON_AddNumberToObject(out, "tick_period", (double)e->tick_period);
		cJSON_AddNumberToObject(out, "call_task", (double)e->call_task);
		cJSON_AddNumberToObject(out, "call_task_skip", (double)e->call_task_skip);
		cJSON_AddNumberToObject(out, "call_task_freed", (double)e->call_task_freed);
	} else {
		cJSON_AddNumberToObject(out, "pin", (double)e->pin);
		cJSON_AddNumberToObject(out, "collect", (double)e->collect);
		cJSON_AddNumberToObject(out, "try_advance", (double)e->try_advance);
		cJSON_AddNumberToObject(out, "push_bag", (double)e->push_bag);
		cJSON_AddNumberToObject(out, "pop_bag", (double)e->pop_bag);
	}
}

static bool
ebr_invariants_hold(const void *rs)
{
	const struct ebr *e = rs;
	if (e->st.freed > e->st.retired || e->exited > e->ncpus)
		return false;
	for (uint32_t i = 0; e->ck && i < e->ncpus; i++) {
		uint64_t n = 0;
		for (uint32_t b = 0; b < CK_EPOCH_LENGTH; b++)
			n += e->ck[i].pending[b].n;
		if (n != e->ck[i].n_pending)    /* n_pending counts the four buckets */
			return false;
	}
	return true;
}

const struct rcl_ops rcl_ebr_ck_ops = {
	.comp = {
		.name = "ebr-ck",
		.summary = "Concurrency Kit ck_epoch: records on own lines, pending[4], "
			   "poll/synchronize with CK_EPOCH_GRACE 3 and a CAS of the global epoch",
		.params = ebr_ck_params,
		.params_size = sizeof(struct ebr_params),
	},
	.create = ebr_ck_create,
	.destroy = ebr_destroy,
	.read_lock = ck_read_lock,
	.read_unlock = ck_read_unlock,
	.dereference = rcl_plain_dereference,
	.assign_pointer = rcl_release_assign,
	.retire = ck_retire,
	.synchronize = ck_synchronize,
	.poll = ck_poll,
	.cpu_exit = ck_cpu_exit,
	.stats = ebr_stats,
	.invariants_hold = ebr_invariants_hold,
};

const struct rcl_ops rcl_ebr_crossbeam_ops = {
	.comp = {
		.name = "ebr-crossbeam",
		.summary = "crossbeam-epoch: pin = load global + lock cmpxchg own epoch, bags of 64 on "
			   "a global queue, try_advance every 128 pins, collect <= 8 bags",
		.params = ebr_cb_params,
		.params_size = sizeof(struct ebr_params),
	},
	.create = ebr_cb_create,
	.destroy = ebr_destroy,
	.read_lock = cb_read_lock,
	.read_unlock = cb_read_unlock,
	.dereference = rcl_plain_dereference,
	.assign_pointer = rcl_release_assign,
	.retire = cb_retire,
	.synchronize = cb_synchronize,
	.poll = cb_poll,
	.cpu_exit = cb_cpu_exit,
	.stats = ebr_stats,
	.invariants_hold = ebr_invariants_hold,
};
