// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * SRCU (Linux Tree SRCU, kernel/rcu/srcutree.c): sleepable RCU whose
 * readers count themselves in per-CPU counter pairs, so a grace period
 * needs no cooperation from the readers' CPUs -- only two scans of every
 * CPU's counters, and two full fences on every read-side pair.
 *
 * SOURCE: torvalds/linux kernel/rcu/srcutree.c (__srcu_read_lock,
 * __srcu_read_unlock, srcu_readers_active_idx_check, try_check_zero,
 * srcu_flip, srcu_advance_state, srcu_gp_start, srcu_gp_end,
 * srcu_funnel_gp_start, srcu_gp_start_if_needed, srcu_invoke_callbacks,
 * srcu_reschedule, process_srcu, srcu_get_delay, __synchronize_srcu),
 * include/linux/srcutree.h.
 *
 * WHAT IT MODELS
 *
 *   reader on CPU c:  idx = srcu_idx & 1; lock_count[c][idx]++; smp_mb() /B/
 *                     ... critical section ...
 *                     smp_mb() /C/; unlock_count[c][idx]++
 *
 *   grace period (process_srcu, a delayed work on gp_cpu):
 *     SCAN1: wait until idx' = !(srcu_idx & 1) has no readers:
 *            sum unlock_count[*][idx']; smp_mb() /A/; sum lock_count[*][idx'];
 *            equal => none (srcu_readers_active_idx_check)
 *     flip:  smp_mb() /E/; srcu_idx++; smp_mb() /D/
 *     SCAN2: the same for the index readers used before the flip
 *     end:   rcu_seq_end(srcu_gp_seq); schedule callback invocation
 *   A scan that finds readers gives up (after trycount tries 5 us apart)
 *   and the work re-runs after srcu_get_delay() jiffies (1 + GP age, at
 *   most 10).
 *
 * LAYOUT (simulated lines)
 *   srcu_struct line:  srcu_idx -- read by every srcu_read_lock, written
 *                      by srcu_flip (homed on CPU 0)
 *   srcu_usage line:   lock, srcu_gp_seq, srcu_gp_seq_needed,
 *                      srcu_gp_start -- written under its lock by GP
 *                      requesters and the GP work (homed on CPU 0)
 *   srcu_data[cpu] line A: srcu_lock_count[2], srcu_unlock_count[2] --
 *                      written by its CPU's readers, read by every scan
 *   srcu_data[cpu] line B: lock, srcu_gp_seq_needed, cblist length --
 *                      call_srcu and callback invocation on that CPU
 *
 * INVARIANTS (srcu_invariants_hold)
 *   - srcu_gp_seq's state is IDLE, SCAN1 or SCAN2;
 *   - for each index, total unlocks <= total locks (host sums);
 *   - srcu_usage's lock has head <= tail.
 *
 * MODEL
 *   - Per-CPU callback lists as in SRCU_SIZE_BIG, but GP requests go
 *     straight to srcu_usage's lock (no srcu_node funnel): with a few
 *     updaters the funnel only adds a few uncontended lock round trips.
 *   - No expedited GPs (synchronize_srcu never auto-expedites through
 *     srcu_might_be_idle()), no srcu_gp_mutex / srcu_cb_mutex (the GP
 *     work is the only one running it here), no srcu_barrier.
 *   - The GP work runs on gp_cpu from its tick slices (rcu_clock.h):
 *     a delay of d jiffies ends within a slice of d jiffies; delay 0
 *     runs at the next slice.  Callback invocation work (srcu_gp_end ->
 *     srcu_schedule_cbs_sdp, cbdelay 1 jiffy) runs on the callback's CPU
 *     from its tick slices.  Work items run only outside read sections
 *     (a workqueue thread needs a context switch).
 *   - this_cpu_inc() is a plain load + store of the CPU's own line (no
 *     lock prefix), as on x86; the _nmisafe variants call_srcu uses are
 *     atomic RMWs (full fences on x86).
 *   - Readers keep their idx host-side (the caller's local variable).
 *   - Scans load every CPU's line one after another: the cost model has
 *     no memory-level parallelism, so at thousands of CPUs a scan costs
 *     up to ~10x what an out-of-order core would pay (sim/core/cache.c).
 */
#include <string.h>

#include "engine.h"
#include "rcu_clock.h"
#include "rcu_node_lock.h"
#include "rcu_segcblist.h"
#include "rcu_seq.h"
#include "rcu_stats.h"
#include "reclaim.h"

struct srcu_params {
	uint32_t hz;
	uint32_t gp_cpu;
	uint32_t wakeup_us;
	uint32_t tick_work_ns;
	bool skew_tick;
	uint32_t retry_check_delay_us;
	uint64_t cb_cycles;
};

static const struct sim_param srcu_params[] = {
	SIM_P_U32_ROW(struct srcu_params, hz, 10, 100000, 1000,
		      "scheduling-clock ticks per simulated second (CONFIG_HZ)"),
	SIM_P_U32_ROW(struct srcu_params, gp_cpu, 0, UINT32_MAX, 0,
		      "CPU that runs the SRCU grace-period work (modulo the CPU count)"),
	SIM_P_U32_ROW(struct srcu_params, wakeup_us, 0, 1000000, 50,
		      "delayed work runs within this many microseconds of its due time; 0 = at ticks"),
	SIM_P_U32_ROW(struct srcu_params, tick_work_ns, 0, 1000000, 5000,
		      "non-RCU work per tick, uniform in [0, this] ns"),
	SIM_P_BOOL_ROW(struct srcu_params, skew_tick, false,
		       "offset each CPU's tick (skew_tick)"),
	SIM_P_U32_ROW(struct srcu_params, retry_check_delay_us, 0, 1000, 5,
		      "udelay between reader checks in one try_check_zero (srcu_retry_check_delay)"),
	SIM_P_U64_ROW(struct srcu_params, cb_cycles, 0, UINT64_C(1) << 32, 0,
		      "local work per invoked callback (the kfree), cycles"),
	SIM_P_END,
};

#define SRCU_STATE_IDLE  0
#define SRCU_STATE_SCAN1 1
#define SRCU_STATE_SCAN2 2
#define SRCU_INTERVAL 1         /* base delay, jiffies */
#define SRCU_MAX_INTERVAL 10

struct srcu_struct_line {
	uint64_t srcu_idx;
	uint64_t pad[7];
};

struct srcu_usage {
	spinlock_t lock;            /* raw_spinlock_t (rcu_node_lock.h) */
	uint32_t lock_pad;
	uint64_t srcu_gp_seq;
	uint64_t srcu_gp_seq_needed;
	uint64_t srcu_gp_start;     /* jiffies */
	uint64_t pad[4];
};

struct srcu_data {
	/* line A: the readers' counters */
	uint64_t srcu_lock_count[2];
	uint64_t srcu_unlock_count[2];
	uint64_t pad_a[4];
	/* line B: update side */
	spinlock_t lock;            /* raw_spinlock_t (rcu_node_lock.h) */
	uint32_t lock_pad;
	uint64_t srcu_gp_seq_needed;
	uint64_t cblist_len;
	uint64_t pad_b[5];
};

G_STATIC_ASSERT(sizeof(struct srcu_struct_line) == 64);
G_STATIC_ASSERT(sizeof(struct srcu_usage) == 64);
G_STATIC_ASSERT(sizeof(struct srcu_data) == 128);

struct srcu_cpu {
	uint32_t nesting;
	uint8_t idx_stack[64];      /* srcu_read_lock()'s return values */
	struct rcu_segcblist cblist;
	GArray *ready;
	bool cb_work_pending;       /* sdp->work / delay_work queued */
	sim_time_t cb_work_due;
	bool invoking;              /* srcu_cblist_invoking */
	uint64_t last_jiffy;
	uint64_t tick_cycles;
	bool offline;
};

struct srcu_counters {
	uint64_t n_gp, n_flips, n_work_runs, n_cbs_invoked;
	uint64_t n_scans;           /* srcu_readers_active_idx_check() calls */
	uint64_t n_scan_busy;       /* ... that found readers */
	uint64_t scan_cycles, work_cycles;
	struct rcu_lockstat sup_lockstat, sdp_lockstat;
};

struct srcu {
	struct klock *kl;           /* the sup/sdp locks' spinlock_t context */
	struct srcu_params p;
	struct sim *sim;            /* for the machine (end-of-run stats) */
	uint32_t ncpus, gp_cpu, nr_online;
	struct rcu_clock clk;
	struct srcu_struct_line *ssp;   /* simulated */
	struct srcu_usage *sup;         /* simulated */
	struct srcu_data *sda;          /* simulated */
	struct srcu_cpu *pcpu;          /* host */
	bool work_pending;              /* sup->work queued */
	sim_time_t work_due;
	bool in_work;
	sim_time_t gp_start_time, first_exit;
	uint64_t retry_cycles;

	struct srcu_counters c, steady;     /* steady: copy at the first cpu_exit */
	uint64_t n_gp_after_exit;
	struct rcu_dist gp_latency, sync_latency;
	struct rcl_stats st;
	uint64_t read_cycles, retire_cycles;
};

static void
srcu_queue_work(struct srcu *sp, uint64_t delay_jiffies)
{
	if (sp->work_pending)
		return;             /* queue_delayed_work() on a queued work: no-op */
	sp->work_pending = true;
	sp->work_due = sim_now() + delay_jiffies * sp->clk.jiffy;
}

static uint64_t
srcu_get_delay(struct srcu *sp)
{
	uint64_t jbase = SRCU_INTERVAL;
	if (rcu_seq_state(sim_load64(&sp->sup->srcu_gp_seq))) {
		uint64_t j = rcu_jiffies(&sp->clk) - 1;
		uint64_t gpstart = sim_load64(&sp->sup->srcu_gp_start);
		if ((int64_t)(j - gpstart) > 0)
			jbase += j - gpstart;
	}
	return jbase > SRCU_MAX_INTERVAL ? SRCU_MAX_INTERVAL : jbase;
}

/* srcu_gp_start - the sup lock held. */
static void
srcu_gp_start(struct srcu *sp)
{
	sim_store64(&sp->sup->srcu_gp_start, rcu_jiffies(&sp->clk));
	sim_fence_full();
	rcu_seq_start(&sp->sup->srcu_gp_seq);
	sp->gp_start_time = sim_now();
}

/* srcu_readers_active_idx_check - true if no reader uses idx. */
static bool
srcu_readers_active_idx_check(struct srcu *sp, unsigned idx)
{
	sim_time_t t0 = sim_now();
	uint64_t unlocks = 0, locks = 0;
	for (uint32_t cpu = 0; cpu < sp->ncpus; cpu++)
		unlocks += sim_load64(&sp->sda[cpu].srcu_unlock_count[idx]);
	sim_fence_full();           /* A */
	for (uint32_t cpu = 0; cpu < sp->ncpus; cpu++)
		locks += sim_load64(&sp->sda[cpu].srcu_lock_count[idx]);
	sp->c.n_scans++;
	sp->c.scan_cycles += sim_now() - t0;
	if (locks != unlocks)
		sp->c.n_scan_busy++;
	return locks == unlocks;
}

static bool
try_check_zero(struct srcu *sp, unsigned idx, int trycount)
{
	int curdelay = !srcu_get_delay(sp);
	for (;;) {
		if (srcu_readers_active_idx_check(sp, idx))
			return true;
		if (--trycount + curdelay <= 0)
			return false;
		sim_work(sp->retry_cycles);     /* udelay(srcu_retry_check_delay) */
	}
}

static void
srcu_flip(struct srcu *sp)
{
	sim_fence_full();           /* E */
	sim_store64(&sp->ssp->srcu_idx, sim_load64(&sp->ssp->srcu_idx) + 1);
	sim_fence_full();           /* D */
	sp->c.n_flips++;
}

static void srcu_reschedule(struct srcu *sp, uint64_t delay);

static void
srcu_gp_end(struct srcu *sp)
{
	struct srcu_usage *sup = sp->sup;
	rcu_raw_lock(sp->kl, &sup->lock, &sp->c.sup_lockstat);
	rcu_seq_end(&sup->srcu_gp_seq);
	uint64_t gpseq = sim_load64(&sup->srcu_gp_seq);
	rcu_raw_unlock(sp->kl, &sup->lock);
	sp->c.n_gp++;
	if (!sp->first_exit)
		rcu_dist_add(&sp->gp_latency, sim_now() - sp->gp_start_time);
	else
		sp->n_gp_after_exit++;
	/* srcu_schedule_cbs_sdp(sdp, cbdelay = 1) for every CPU with callbacks */
	for (uint32_t cpu = 0; cpu < sp->ncpus; cpu++) {
		struct srcu_cpu *pc = &sp->pcpu[cpu];
		if (!rcu_segcblist_empty(&pc->cblist) && !pc->cb_work_pending) {
			pc->cb_work_pending = true;
			pc->cb_work_due = sim_now() + sp->clk.jiffy;
		}
	}
	/* Start a new grace period if needed. */
	rcu_raw_lock(sp->kl, &sup->lock, &sp->c.sup_lockstat);
	gpseq = sim_load64(&sup->srcu_gp_seq);
	if (!rcu_seq_state(gpseq) && ULONG_CMP_LT(gpseq, sim_load64(&sup->srcu_gp_seq_needed))) {
		srcu_gp_start(sp);
		rcu_raw_unlock(sp->kl, &sup->lock);
		srcu_reschedule(sp, 0);
	} else {
		rcu_raw_unlock(sp->kl, &sup->lock);
	}
}

static void
srcu_advance_state(struct srcu *sp)
{
	struct srcu_usage *sup = sp->sup;
	unsigned idx = rcu_seq_state(sim_load64_acq(&sup->srcu_gp_seq));
	if (idx == SRCU_STATE_IDLE) {
		rcu_raw_lock(sp->kl, &sup->lock, &sp->c.sup_lockstat);
		if (ULONG_CMP_GE(sim_load64(&sup->srcu_gp_seq), sim_load64(&sup->srcu_gp_seq_needed))) {
			rcu_raw_unlock(sp->kl, &sup->lock);
			return;
		}
		idx = rcu_seq_state(sim_load64(&sup->srcu_gp_seq));
		if (idx == SRCU_STATE_IDLE)
			srcu_gp_start(sp);
		rcu_raw_unlock(sp->kl, &sup->lock);
		if (idx != SRCU_STATE_IDLE)
			return;
	}
	if (rcu_seq_state(sim_load64(&sup->srcu_gp_seq)) == SRCU_STATE_SCAN1) {
		unsigned i = 1 ^ (unsigned)(sim_load64(&sp->ssp->srcu_idx) & 1);
		if (!try_check_zero(sp, i, 1))
			return;     /* readers present, retry later */
		srcu_flip(sp);
		rcu_raw_lock(sp->kl, &sup->lock, &sp->c.sup_lockstat);
		uint64_t s = sim_load64(&sup->srcu_gp_seq);
		sim_store64(&sup->srcu_gp_seq, (s & ~(uint64_t)RCU_SEQ_STATE_MASK) + SRCU_STATE_SCAN2);
		rcu_raw_unlock(sp->kl, &sup->lock);
	}
	if (rcu_seq_state(sim_load64(&sup->srcu_gp_seq)) == SRCU_STATE_SCAN2) {
		/* Readers are normally short: check twice in quick succession. */
		unsigned i = 1 ^ (unsigned)(sim_load64(&sp->ssp->srcu_idx) & 1);
		if (!try_check_zero(sp, i, 2))
			return;
		srcu_gp_end(sp);
	}
}

static void
srcu_reschedule(struct srcu *sp, uint64_t delay)
{
	struct srcu_usage *sup = sp->sup;
	bool pushgp = true;
	rcu_raw_lock(sp->kl, &sup->lock, &sp->c.sup_lockstat);
	uint64_t gs = sim_load64(&sup->srcu_gp_seq);
	if (ULONG_CMP_GE(gs, sim_load64(&sup->srcu_gp_seq_needed))) {
		if (!rcu_seq_state(gs))
			pushgp = false;     /* all requests fulfilled: go idle */
	} else if (!rcu_seq_state(gs)) {
		srcu_gp_start(sp);      /* outstanding request and no GP */
	}
	rcu_raw_unlock(sp->kl, &sup->lock);
	if (pushgp)
		srcu_queue_work(sp, delay);
}

/* process_srcu - the GP work item. */
static void
process_srcu(struct srcu *sp)
{
	srcu_advance_state(sp);
	srcu_reschedule(sp, srcu_get_delay(sp));
}

/* srcu_funnel_gp_start - MODEL: straight to srcu_usage (no srcu_node). */
static void
srcu_funnel_gp_start(struct srcu *sp, uint64_t s)
{
	struct srcu_usage *sup = sp->sup;
	rcu_raw_lock(sp->kl, &sup->lock, &sp->c.sup_lockstat);
	if (ULONG_CMP_LT(sim_load64(&sup->srcu_gp_seq_needed), s))
		sim_store64_rel(&sup->srcu_gp_seq_needed, s);
	uint64_t gs = sim_load64(&sup->srcu_gp_seq);
	if (!rcu_seq_done_val(gs, s) && rcu_seq_state(gs) == SRCU_STATE_IDLE) {
		srcu_gp_start(sp);
		srcu_queue_work(sp, srcu_get_delay(sp) ? 1 : 0);
	}
	rcu_raw_unlock(sp->kl, &sup->lock);
}

/* srcu_invoke_callbacks - sdp->work on its own CPU. */
static void
srcu_invoke_callbacks(struct srcu *sp, struct srcu_cpu *pc, uint32_t cpu)
{
	struct srcu_data *sdp = &sp->sda[cpu];
	rcu_raw_lock(sp->kl, &sdp->lock, &sp->c.sdp_lockstat);
	rcu_segcblist_advance(&pc->cblist, sim_load64(&sp->sup->srcu_gp_seq));
	if (pc->invoking || !rcu_segcblist_ready_cbs(&pc->cblist)) {
		rcu_raw_unlock(sp->kl, &sdp->lock);
		return;
	}
	pc->invoking = true;
	uint64_t n = rcu_segcblist_extract_done(&pc->cblist, pc->ready);
	rcu_raw_unlock(sp->kl, &sdp->lock);
	sp->c.n_cbs_invoked += n;
	(void)rcu_invoke_cbs(pc->ready, sp->p.cb_cycles, &sp->st);
	rcu_raw_lock(sp->kl, &sdp->lock, &sp->c.sdp_lockstat);
	sim_store64(&sdp->cblist_len, rcu_segcblist_n_cbs(&pc->cblist));
	pc->invoking = false;
	bool more = rcu_segcblist_ready_cbs(&pc->cblist);
	rcu_raw_unlock(sp->kl, &sdp->lock);
	if (more && !pc->cb_work_pending) {
		pc->cb_work_pending = true;
		pc->cb_work_due = sim_now();
	}
}

/*
 * srcu_needs_cpu - NO_HZ: SRCU adds nothing to rcu_needs_cpu() (Linux 3.5
 * and later: srcu_struct work runs from workqueues, not the tick), but
 * here its work items run from the slices, so a CPU keeps every slice
 * while it may have one: gp_cpu (process_srcu) always, any other CPU
 * while it has callbacks or callback work queued.
 * MODEL: in the kernel queue_delayed_work_on() to an idle CPU arms a
 * timer that wakes it; keeping the slices while callbacks exist stands
 * in for that wake-up, including work queued on it remotely (by
 * srcu_gp_end on gp_cpu) after it went idle.
 */
static enum sim_tick_idle
srcu_needs_cpu(void *arg, uint32_t cpu)
{
	struct srcu *sp = arg;
	const struct srcu_cpu *pc = &sp->pcpu[cpu];
	if (cpu == sp->gp_cpu)
		return SIM_TICK_IDLE_EVERY;
	if (pc->offline || (rcu_segcblist_empty(&pc->cblist) && !pc->cb_work_pending))
		return SIM_TICK_IDLE_STOP;
	return SIM_TICK_IDLE_EVERY;
}

static void
srcu_tick(void *arg)
{
	struct srcu *sp = arg;
	uint32_t cpu = sim_cpu_id();
	struct srcu_cpu *pc = &sp->pcpu[cpu];
	if (pc->offline)
		return;
	sim_time_t t0 = sim_now();
	uint64_t j = rcu_jiffies(&sp->clk);
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_WORK);
	if (j != pc->last_jiffy) {
		pc->last_jiffy = j;
		rcu_tick_other_work(&sp->clk);  /* the scheduler tick; SRCU adds nothing */
	}
	sim_cause_pop(SIM_CAUSE_RECLAIM);
	/* Work items run in kthreads: only when the CPU may switch tasks. */
	if (pc->nesting == 0 && pc->cb_work_pending && sim_now() >= pc->cb_work_due) {
		pc->cb_work_pending = false;
		srcu_invoke_callbacks(sp, pc, cpu);
	}
	if (cpu == sp->gp_cpu && pc->nesting == 0 && !sp->in_work && sp->work_pending &&
	    sim_now() >= sp->work_due) {
		sp->work_pending = false;
		sp->in_work = true;
		sim_time_t w0 = sim_now();
		process_srcu(sp);
		sp->c.work_cycles += sim_now() - w0;
		sp->c.n_work_runs++;
		sp->in_work = false;
	}
	sim_cause_pop(prev);
	pc->tick_cycles += sim_now() - t0;
}

/* ---- rcl_ops ---- */

static void *
srcu_create(struct sim *sim, const void *params)
{
	struct srcu *sp = g_new0(struct srcu, 1);
	sp->p = *(const struct srcu_params *)params;
	sp->sim = sim;
	sp->ncpus = sim_ncpus_of(sim);
	sp->gp_cpu = sp->p.gp_cpu % sp->ncpus;
	sp->kl = klock_create(sim);
	sp->nr_online = sp->ncpus;
	sp->pcpu = g_new0(struct srcu_cpu, sp->ncpus);
	sp->ssp = sim_alloc(sizeof *sp->ssp, 64);
	sp->sup = sim_alloc(sizeof *sp->sup, 64);
	sp->sda = sim_alloc((size_t)sp->ncpus * sizeof(struct srcu_data), 64);
	for (uint32_t cpu = 0; cpu < sp->ncpus; cpu++) {
		rcu_segcblist_init(&sp->pcpu[cpu].cblist);
		sp->pcpu[cpu].ready = g_array_new(FALSE, FALSE, sizeof(struct rcu_cb));
		sim_mem_prime(sim, &sp->sda[cpu], sizeof(struct srcu_data), cpu);
	}
	sim_mem_prime(sim, sp->ssp, sizeof *sp->ssp, 0);
	sim_mem_prime(sim, sp->sup, sizeof *sp->sup, 0);
	rcu_clock_register(&sp->clk, sim, sp->p.hz, sp->p.wakeup_us, sp->p.tick_work_ns,
			   sp->p.skew_tick, srcu_tick, sp);
	rcu_clock_nohz(&sp->clk, sim, srcu_needs_cpu, sp);
	sp->retry_cycles = (uint64_t)(sim_machine_of(sim)->freq_ghz * 1e3 * sp->p.retry_check_delay_us);
	rcu_dist_init(&sp->gp_latency);
	rcu_dist_init(&sp->sync_latency);
	sim_set_free_label(sim, "srcu");
	return sp;
}

static void
srcu_destroy(void *rs)
{
	struct srcu *sp = rs;
	for (uint32_t cpu = 0; cpu < sp->ncpus; cpu++) {
		rcu_segcblist_free(&sp->pcpu[cpu].cblist);
		g_array_free(sp->pcpu[cpu].ready, TRUE);
	}
	rcu_dist_free(&sp->gp_latency);
	rcu_dist_free(&sp->sync_latency);
	g_free(sp->pcpu);
	klock_destroy(sp->kl);
	g_free(sp);
}

static void
srcu_read_lock(void *rs)
{
	struct srcu *sp = rs;
	uint32_t cpu = sim_cpu_id();
	struct srcu_cpu *pc = &sp->pcpu[cpu];
	sim_time_t t0 = sim_now();
	uint64_t tk0 = pc->tick_cycles;
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_READ_SIDE);
	unsigned idx = (unsigned)(sim_load64(&sp->ssp->srcu_idx) & 1);
	uint64_t *ctr = &sp->sda[cpu].srcu_lock_count[idx];
	sim_store64(ctr, sim_load64(ctr) + 1);     /* this_cpu_inc */
	sim_fence_full();                           /* B */
	sim_cause_pop(prev);
	g_assert(pc->nesting < G_N_ELEMENTS(pc->idx_stack));
	pc->idx_stack[pc->nesting++] = (uint8_t)idx;
	sp->st.read_sections++;
	sp->read_cycles += (sim_now() - t0) - (pc->tick_cycles - tk0);
}

static void
srcu_read_unlock(void *rs)
{
	struct srcu *sp = rs;
	uint32_t cpu = sim_cpu_id();
	struct srcu_cpu *pc = &sp->pcpu[cpu];
	g_assert(pc->nesting > 0);
	sim_time_t t0 = sim_now();
	uint64_t tk0 = pc->tick_cycles;
	unsigned idx = pc->idx_stack[--pc->nesting];
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_READ_SIDE);
	sim_fence_full();                           /* C */
	uint64_t *ctr = &sp->sda[cpu].srcu_unlock_count[idx];
	sim_store64(ctr, sim_load64(ctr) + 1);
	sim_cause_pop(prev);
	sp->read_cycles += (sim_now() - t0) - (pc->tick_cycles - tk0);
}

static void *
srcu_dereference(void *rs, void *const *pp, unsigned slot)
{
	(void)rs;
	(void)slot;
	return sim_loadp(pp);
}

static void
srcu_assign_pointer(void *rs, void **pp, void *v)
{
	(void)rs;
	sim_storep_rel(pp, v);
}

/* call_srcu -> srcu_gp_start_if_needed(ssp, rhp, do_norm = true). */
static void
call_srcu(struct srcu *sp, void *obj, size_t size, size_t align, bool *done)
{
	uint32_t cpu = sim_cpu_id();
	struct srcu_cpu *pc = &sp->pcpu[cpu];
	struct srcu_data *sdp = &sp->sda[cpu];
	struct rcu_cb cb = { .obj = obj, .size = (uint32_t)size, .align = (uint32_t)align,
			     .t_retire = sim_now(), .done = done };
	/* __srcu_read_lock_nmisafe: keeps srcu_gp_seq from wrapping meanwhile */
	unsigned idx = (unsigned)(sim_load64(&sp->ssp->srcu_idx) & 1);
	(void)sim_faa64(&sdp->srcu_lock_count[idx], 1);
	sim_irq_disable();
	rcu_raw_lock(sp->kl, &sdp->lock, &sp->c.sdp_lockstat);
	rcu_segcblist_enqueue(&pc->cblist, &cb);
	sim_store64(&sdp->cblist_len, sim_load64(&sdp->cblist_len) + 1);
	uint64_t s = rcu_seq_snap_val(sim_load64(&sp->sup->srcu_gp_seq));
	sim_fence_full();
	rcu_segcblist_advance(&pc->cblist, sim_load64(&sp->sup->srcu_gp_seq));
	(void)rcu_segcblist_accelerate(&pc->cblist, s);
	bool needgp = false;
	if (ULONG_CMP_LT(sim_load64(&sdp->srcu_gp_seq_needed), s)) {
		sim_store64(&sdp->srcu_gp_seq_needed, s);
		needgp = true;
	}
	rcu_raw_unlock(sp->kl, &sdp->lock);
	if (needgp)
		srcu_funnel_gp_start(sp, s);
	sim_irq_enable();
	(void)sim_faa64(&sdp->srcu_unlock_count[idx], 1);   /* __srcu_read_unlock_nmisafe */
}

static void
srcu_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct srcu *sp = rs;
	struct srcu_cpu *pc = &sp->pcpu[sim_cpu_id()];
	sim_time_t t0 = sim_now();
	uint64_t tk0 = pc->tick_cycles;
	rcl_stats_retire(&sp->st, size);
	call_srcu(sp, obj, size, align, NULL);
	sp->retire_cycles += (sim_now() - t0) - (pc->tick_cycles - tk0);
}

static void
srcu_synchronize(void *rs)
{
	struct srcu *sp = rs;
	g_assert(sp->pcpu[sim_cpu_id()].nesting == 0);
	sim_time_t t0 = sim_now();
	bool done = false;
	call_srcu(sp, NULL, 0, 0, &done);
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_GP_WAIT);
	while (!done)
		sim_sleep_until(sim_now() + sp->clk.slice);     /* wait_for_completion */
	sim_cause_pop(prev);
	sim_fence_full();
	sp->st.synchronize_calls++;
	sp->st.synchronize_cycles += sim_now() - t0;
	rcu_dist_add(&sp->sync_latency, sim_now() - t0);
}

static void
srcu_cpu_exit(void *rs)
{
	struct srcu *sp = rs;
	uint32_t cpu = sim_cpu_id();
	struct srcu_cpu *pc = &sp->pcpu[cpu];
	g_assert(pc->nesting == 0);
	if (!sp->first_exit) {
		sp->first_exit = sim_now();
		sp->steady = sp->c;
	}
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_GP_WAIT);
	while (cpu == sp->gp_cpu && sp->nr_online > 1)      /* the GP work outlives the rest */
		sim_sleep_until(sim_now() + sp->clk.slice);
	while (!rcu_segcblist_empty(&pc->cblist))
		sim_sleep_until(sim_now() + sp->clk.slice);
	sim_cause_pop(prev);
	pc->offline = true;
	sp->nr_online--;
}

static void
srcu_stats(void *rs, cJSON *out)
{
	struct srcu *sp = rs;
	const struct srcu_counters *k = sp->first_exit ? &sp->steady : &sp->c;  /* steady state */
	rcu_stats_emit(&sp->st, &(struct rcu_emit_extra){
				.freq_ghz = sim_machine_of(sp->sim)->freq_ghz,
				.read_cycles = sp->read_cycles, .retire_cycles = sp->retire_cycles,
				.gp_latency = &sp->gp_latency }, out);
	cJSON_AddNumberToObject(out, "gp", (double)k->n_gp);
	cJSON_AddNumberToObject(out, "gp_total", (double)sp->c.n_gp);
	cJSON_AddNumberToObject(out, "gp_after_exit", (double)sp->n_gp_after_exit);
	cJSON_AddNumberToObject(out, "flips", (double)k->n_flips);
	cJSON_AddNumberToObject(out, "scans", (double)k->n_scans);
	cJSON_AddNumberToObject(out, "scans_busy", (double)k->n_scan_busy);
	cJSON_AddNumberToObject(out, "scans_per_gp", k->n_gp ? (double)k->n_scans / (double)k->n_gp : 0.0);
	cJSON_AddNumberToObject(out, "scan_cycles_mean",
				k->n_scans ? (double)k->scan_cycles / (double)k->n_scans : 0.0);
	cJSON_AddNumberToObject(out, "gp_work_runs", (double)k->n_work_runs);
	cJSON_AddNumberToObject(out, "gp_work_cycles_per_gp",
				k->n_gp ? (double)k->work_cycles / (double)k->n_gp : 0.0);
	cJSON_AddNumberToObject(out, "callbacks_invoked", (double)sp->c.n_cbs_invoked);
	cJSON_AddNumberToObject(out, "jiffy_cycles", (double)sp->clk.jiffy);
	rcu_dist_emit(&sp->gp_latency, "gp_latency_cycles", out);
	cJSON_AddNumberToObject(out, "gp_latency_jiffies_mean",
				rcu_dist_mean(&sp->gp_latency) / (double)sp->clk.jiffy);
	rcu_dist_emit(&sp->sync_latency, "synchronize_latency_cycles", out);
	rcu_lockstat_emit(&k->sup_lockstat, k->n_gp, cJSON_AddObjectToObject(out, "srcu_usage_lock"));
	rcu_lockstat_emit(&k->sdp_lockstat, k->n_gp, cJSON_AddObjectToObject(out, "srcu_data_lock"));
}

static bool
srcu_invariants_hold(const void *rs)
{
	const struct srcu *sp = rs;
	uint64_t gs = sp->sup->srcu_gp_seq;
	if (rcu_seq_state(gs) > SRCU_STATE_SCAN2)
		return false;
	for (unsigned idx = 0; idx < 2; idx++) {
		uint64_t l = 0, u = 0;
		for (uint32_t cpu = 0; cpu < sp->ncpus; cpu++) {
			l += sp->sda[cpu].srcu_lock_count[idx];
			u += sp->sda[cpu].srcu_unlock_count[idx];
		}
		if (u > l)
			return false;
	}
	return spin_invariants_hold(sp->kl, &sp->sup->lock);
}

const struct rcl_ops rcl_srcu_ops = {
	.comp = {
		.name = "srcu",
		.summary = "Linux Tree SRCU: per-CPU lock/unlock counter pairs with full fences on the "
			   "read side; GP = two scans of every CPU's counters around an index flip",
		.params = srcu_params,
		.params_size = sizeof(struct srcu_params),
	},
	.create = srcu_create,
	.destroy = srcu_destroy,
	.read_lock = srcu_read_lock,
	.read_unlock = srcu_read_unlock,
	.dereference = srcu_dereference,
	.assign_pointer = srcu_assign_pointer,
	.retire = srcu_retire,
	.synchronize = srcu_synchronize,
	.poll = NULL,
	.quiescent_state = NULL,
	.idle_enter = NULL,
	.idle_exit = NULL,
	.cpu_exit = srcu_cpu_exit,
	.stats = srcu_stats,
	.invariants_hold = srcu_invariants_hold,
};
