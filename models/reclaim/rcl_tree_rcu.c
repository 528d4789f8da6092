// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Linux Tree RCU, non-PREEMPT flavour (CONFIG_TREE_RCU with
 * CONFIG_PREEMPT_COUNT=y, i.e. PREEMPT_NONE under PREEMPT_DYNAMIC).
 *
 * SOURCE: torvalds/linux kernel/rcu/tree.c (rcu_gp_kthread, rcu_gp_init,
 * rcu_gp_fqs_loop, rcu_gp_fqs, force_qs_rnp, rcu_gp_cleanup,
 * rcu_report_qs_rdp, rcu_report_qs_rnp, rcu_report_qs_rsp,
 * note_gp_changes, __note_gp_changes, rcu_start_this_gp,
 * rcu_accelerate_cbs, rcu_advance_cbs, rcu_future_gp_cleanup, rcu_pending,
 * rcu_core, rcu_sched_clock_irq, rcu_flavor_sched_clock_irq (tree_plugin.h),
 * rcutree_report_cpu_dead, rcu_init_geometry, rcu_init_one), kernel/rcu/
 * tree.h (RCU_JIFFIES_TILL_FORCE_QS, RCU_JIFFIES_FQS_DIV), kernel/rcu/rcu.h.
 * Names follow the kernel's so a reviewer can diff against it.
 *
 * WHAT IT MODELS
 * Readers pay nothing: rcu_read_lock() is preempt_disable(), a per-CPU
 * count the model keeps host-side (0 simulated cycles).  A grace period
 * (GP) ends when every online CPU has passed a quiescent state (QS) after
 * learning that the GP started.  CPUs learn of GPs and report QSs up an
 * rcu_node combining tree; only the last reporter into a node climbs:
 *
 *   rcu_state.node[] breadth-first, e.g. 4,096 CPUs, fanout_leaf 16, fanout 64:
 *
 *   level 0                     [0] root            qsmask: 4 bits
 *                       /      /     \      \
 *   level 1          [1]    [2]      [3]    [4]      qsmask: 64 bits each
 *                   / .. \
 *   level 2      [5] ... [68] ... [260]              256 leaves, 16 CPUs each
 *                 |
 *              rcu_data of CPUs 0..15 (grpmask = 1 << (cpu - grplo))
 *
 * The GP kthread runs rcu_gp_init (rcu_seq_start, then every node under
 * its lock breadth-first: qsmask = qsmaskinit, gp_seq = rcu_state.gp_seq),
 * waits, scanning for idle CPUs every jiffies_till_{first,next}_fqs
 * (force_qs_rnp), until the root's qsmask is empty, then runs
 * rcu_gp_cleanup (every node's gp_seq = the end value, then rcu_seq_end).
 *
 * Quiescent states: a scheduling-clock tick that finds the CPU outside a
 * read-side critical section (preempt_count() == HARDIRQ_OFFSET), a
 * context switch (ops->quiescent_state, synchronize() blocking), and idle
 * (ops->idle_enter/idle_exit: the dynticks counter, read by FQS).  The
 * tick's rcu_pending()/rcu_core() notice GP starts and ends, report the
 * QS to the leaf, advance and invoke callbacks.
 *
 * LAYOUT (simulated lines; "line" = 64 bytes)
 *   rcu_state line S:    gp_seq, gp_flags, jiffies_force_qs, n_force_qs, gp_wake_seq
 *                        homed on CPU 0; written by the GP kthread (and
 *                        gp_flags / gp_wake_seq by GP requesters under
 *                        the root lock); gp_seq read by every CPU's tick
 *   rcu_state line O:    ofl_lock (CPU-hotplug vs rcu_gp_init)
 *   rcu_node[i]:         one line each, homed on CPU 0 (static rcu_state
 *                        lives on the boot node): lock, gp_seq,
 *                        gp_seq_needed, qsmask, qsmaskinit,
 *                        qsmaskinitnext, completedqs -- the kernel's
 *                        first cache line of struct rcu_node.  Written
 *                        under ->lock by reporters, requesters, the kthread.
 *   rcu_data[cpu]:       one line per CPU, homed on that CPU: gp_seq,
 *                        gp_seq_needed, cblist length, cpu_no_qs.norm,
 *                        core_needs_qs.  Written by its CPU (and by the
 *                        kthread for the kthread's own CPU).
 *   dynticks[cpu]:       one line per CPU (context_tracking.state), RMW by
 *                        its CPU at idle entry/exit, read by FQS scans.
 * Constant geometry (grpmask, grplo, parent, level) is host-side: it sits
 * on the node line the reader has just locked, so reading it is free.
 *
 * INVARIANTS (tree_invariants_hold)
 *   - rcu_state.gp_seq's state bits are 0 (idle) or 1 (GP in progress);
 *   - a node's gp_seq never runs ahead of the end of rcu_state's GP;
 *   - qsmask is a subset of qsmaskinit; with no GP in progress every
 *     qsmask is 0 (not checked under mutate_early_gp_end);
 *   - every node lock has head <= tail.
 *
 * MODEL (each simplification and its expected effect)
 *   - The GP kthread is bound to gp_cpu and runs from that CPU's tick
 *     slices (rcu_clock.h): woken by a store elsewhere it starts within
 *     one slice (wakeup_us), and only when gp_cpu is outside a read-side
 *     section (a non-preemptible kernel switches tasks only there).
 *     Entering it is a context switch, so it notes a QS for gp_cpu.  Its
 *     work (rcu_gp_init over every node, FQS scans) delays gp_cpu's own
 *     workload, as a kthread would.  GP latency includes up to one slice
 *     per wake-up (start and end of each GP).
 *   - A tick outside a reader counts as a QS (PREEMPT_COUNT kernels); the
 *     urgency machinery (rcu_urgent_qs, resched IPIs, jiffies_till_sched_qs)
 *     is not modelled: CPUs that never leave readers would stall forever,
 *     as they would in a kernel without cond_resched().
 *   - RCU core (softirq) runs inside the tick, right after it.
 *   - rcu_do_batch invokes every ready callback at once (no blimit);
 *     each costs cb_cycles of local work (kfree), then sim_free poisons it.
 *   - call_rcu never forces a GP (no qhimark / RCU_GP_FLAG_OVLD path);
 *     no lazy callbacks, no NOCB offloading, no expedited GPs, no
 *     stall detection, no gpwrap.
 *   - synchronize() is wait_rcu_gp(call_rcu): a waiter callback whose
 *     invocation wakes the caller within one slice.
 *   - CPU exit (ops->cpu_exit) is hotplug offlining after an
 *     rcu_barrier()-like drain of the CPU's own callbacks; gp_cpu waits
 *     until every other CPU is offline (the kthread must outlive them).
 *     It does not take rcu_state.ofl_lock: the kernel offlines one CPU
 *     at a time, and every CPU exiting at once at the end of a run would
 *     otherwise make that lock an N-way herd that says nothing about RCU
 *     (the leaf lock still orders it against rcu_gp_init's ONOFF pass,
 *     and CPUs only go offline here, never online).  GP latency is
 *     sampled only for GPs that end before the first CPU exits.
 *   - NO_HZ idle (tree_needs_cpu): a CPU in the idle loop (sim_idle_enter)
 *     keeps one tick per jiffy while it has callbacks queued, and none
 *     once they have run (3.5's rcu_needs_cpu without RCU_FAST_NO_HZ:
 *     rcu_cpu_has_callbacks); gp_cpu keeps every slice, standing in for
 *     the wake-up IPI its kthread would get.  A CPU idling without
 *     sim_idle_enter (sim_idle_until) takes no ticks at all, so callbacks
 *     queued on it wait until it wakes.
 *   - A task that blocks (klock_schedule, schedule_timeout: the
 *     scheduler notifiers) leaves its CPU in the idle loop, which enters
 *     RCU's extended QS (3.5's cpu_idle: rcu_idle_enter, the dynticks
 *     counter goes even) until the task switches back in, so FQS reports
 *     a sleeper whose tick stopped.  A task that blocks inside a read
 *     section (a bug in a non-preemptible kernel) stays non-idle.
 *     2.6.37 entered it only when the tick actually stopped
 *     (rcu_enter_nohz in tick_nohz_stop_sched_tick); a sleeper keeping its
 *     tick there reports its QS from that tick instead, one jiffy later.
 *   - Node locks are ticket spinlocks in the node's line (rcu_node_lock.h).
 *
 * MUTATION (mutate_early_gp_end): the root is treated as fully reported
 * when one bit is still set, so a GP can end while one CPU (or one
 * subtree) is still inside a pre-existing read-side section.  The
 * use-after-free checker must catch it (tests/test-rcu.c).
 */
#include <string.h>

#include "engine.h"
#include "rcu_clock.h"
#include "rcu_node_lock.h"
#include "rcu_segcblist.h"
#include "rcu_seq.h"
#include "rcu_stats.h"
#include "reclaim.h"
#include "sched_notifier.h"

/* Event trace for debugging: build with -DRCU_TRACE to print one line
 * per GP start/end, notice, report and FQS scan on stderr. */
#ifdef RCU_TRACE
#include <stdio.h>
#define TR(...) do { fprintf(stderr, "t=%" G_GUINT64_FORMAT " cpu%u ", sim_now(), sim_cpu_id()); \
		     fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } while (0)
#else
#define TR(...) do { } while (0)
#endif

/* ---- parameters ---- */

struct tree_params {
	uint32_t hz;
	uint32_t fanout_leaf;
	uint32_t fanout;
	bool fanout_exact;
	uint32_t gp_cpu;
	uint32_t wakeup_us;
	uint32_t tick_work_ns;
	bool skew_tick;
	uint32_t jiffies_till_first_fqs;
	uint32_t jiffies_till_next_fqs;
	uint64_t cb_cycles;
	bool mutate_early_gp_end;
};

static const struct sim_param tree_params[] = {
	SIM_P_U32_ROW(struct tree_params, hz, 10, 100000, 1000,
		      "scheduling-clock ticks per simulated second (CONFIG_HZ)"),
	SIM_P_U32_ROW(struct tree_params, fanout_leaf, 2, 64, 16,
		      "CPUs per leaf rcu_node (CONFIG_RCU_FANOUT_LEAF)"),
	SIM_P_U32_ROW(struct tree_params, fanout, 2, 64, 64,
		      "children per interior rcu_node (CONFIG_RCU_FANOUT)"),
	SIM_P_BOOL_ROW(struct tree_params, fanout_exact, false,
		       "use the fanouts exactly instead of balancing the tree (rcutree.rcu_fanout_exact)"),
	SIM_P_U32_ROW(struct tree_params, gp_cpu, 0, UINT32_MAX, 0,
		      "CPU the grace-period kthread is bound to (modulo the CPU count)"),
	SIM_P_U32_ROW(struct tree_params, wakeup_us, 0, 1000000, 50,
		      "a woken GP kthread runs within this many microseconds (tick slice); 0 = at the next tick"),
	SIM_P_U32_ROW(struct tree_params, tick_work_ns, 0, 1000000, 5000,
		      "non-RCU work per tick, uniform in [0, this] ns; also spreads tick arrival (0 = all CPUs in lockstep)"),
	SIM_P_BOOL_ROW(struct tree_params, skew_tick, false,
		       "offset each CPU's tick (the skew_tick boot option); default aligned, as Linux"),
	SIM_P_U32_ROW(struct tree_params, jiffies_till_first_fqs, 0, 1000000, 0,
		      "jiffies before the first FQS scan; 0 = 1 + (HZ > 250) + (HZ > 500) + nr_cpus / 256, at most HZ"),
	SIM_P_U32_ROW(struct tree_params, jiffies_till_next_fqs, 0, 1000000, 0,
		      "jiffies between later FQS scans; 0 = the same formula"),
	SIM_P_U64_ROW(struct tree_params, cb_cycles, 0, UINT64_C(1) << 32, 0,
		      "local work per invoked callback (the kfree), cycles"),
	SIM_P_BOOL_ROW(struct tree_params, mutate_early_gp_end, false,
		       "MUTATION for the checker's test: end a GP while one root bit is still set"),
	SIM_P_END,
};

/* ---- simulated layout ---- */

#define RCU_GP_FLAG_INIT 0x1
#define RCU_GP_FLAG_FQS  0x2

/* rcu_state line S (see LAYOUT). */
struct rcu_state_line {
	uint64_t gp_seq;
	uint64_t gp_flags;
	uint64_t jiffies_force_qs;
	uint64_t n_force_qs;
	uint64_t gp_wake_seq;
	uint64_t pad[3];
};

/* rcu_node: the kernel's first cache line of struct rcu_node. */
struct rcu_node {
	spinlock_t lock;            /* raw_spinlock_t (rcu_node_lock.h) */
	uint32_t lock_pad;
	uint64_t gp_seq;            /* this node's view of rcu_state.gp_seq */
	uint64_t gp_seq_needed;     /* furthest GP requested through this node */
	uint64_t qsmask;            /* children/CPUs still to report this GP */
	uint64_t qsmaskinit;        /* children/CPUs online at GP start */
	uint64_t qsmaskinitnext;    /* leaves: CPUs online now (hotplug) */
	uint64_t completedqs;       /* last GP all of this node reported */
	uint64_t pad;
};

/* rcu_data: per CPU, on its own line. */
struct rcu_data {
	uint64_t gp_seq;
	uint64_t gp_seq_needed;
	uint64_t cblist_len;        /* rcu_segcblist.len */
	uint8_t cpu_no_qs_norm;     /* no QS yet for this CPU's current GP */
	uint8_t core_needs_qs;      /* RCU core still needs a QS report from us */
	uint8_t pad[38];
};

G_STATIC_ASSERT(sizeof(struct rcu_state_line) == 64);
G_STATIC_ASSERT(sizeof(struct rcu_node) == 64);
G_STATIC_ASSERT(sizeof(struct rcu_data) == 64);

/* Constant geometry of a node (host-side; see LAYOUT). */
struct rcu_node_geo {
	int32_t parent;             /* -1 at the root */
	uint32_t level;
	uint32_t grplo, grphi;      /* CPUs covered */
	uint64_t grpmask;           /* our bit in the parent's qsmask */
};

enum rcu_gp_state { RCU_GP_WAIT_GPS, RCU_GP_WAIT_FQS };

/* Host-side per-CPU state: preempt count, callback list, tick bookkeeping. */
struct rcu_cpu {
	uint32_t mynode;            /* leaf index */
	uint64_t grpmask;           /* our bit in the leaf's qsmask */
	uint32_t nesting;           /* rcu_read_lock depth (part of preempt_count) */
	struct rcu_segcblist cblist;
	uint64_t dynticks_snap;     /* FQS's snapshot: only the GP kthread uses it */
	uint64_t last_jiffy;        /* jiffy of the last real tick */
	uint64_t tick_cycles;       /* time spent in tick handlers (excluded from read cost) */
	GArray *ready;              /* scratch for rcu_do_batch */
	bool in_kthread;
	bool offline;
	bool idle_eqs;              /* in the idle loop's extended QS (tree_sched_out) */
};

/* Counters named after the kernel's. */
struct tree_counters {
	uint64_t n_gp;              /* completed GPs */
	uint64_t n_force_qs;        /* FQS scans (rcu_state.n_force_qs) */
	uint64_t n_qs_reports;      /* rcu_report_qs_rdp() that cleared a leaf bit */
	uint64_t n_fqs_reports;     /* CPUs reported by force_qs_rnp() */
	uint64_t n_gp_requests;     /* rcu_start_this_gp() that set RCU_GP_FLAG_INIT */
	uint64_t n_cbs_invoked;
	uint64_t n_early_gp_ends;   /* GPs ended by the mutation with a bit still set */
	uint64_t kthread_cycles;
	struct rcu_lockstat lockstat[8]; /* node locks, per level */
	struct rcu_lockstat ofl_lockstat;
};

struct tree {
	struct klock *kl;           /* the node locks' spinlock_t context */
	struct tree_params p;
	struct sim *sim;
	uint32_t ncpus, gp_cpu;
	uint32_t nlevels, nnodes;
	uint32_t num_lvl[8], level_first[8], levelspread[8];
	struct rcu_clock clk;
	uint64_t jiffies_till_first_fqs, jiffies_till_next_fqs;

	struct rcu_state_line *rs;  /* simulated */
	uint64_t *ofl_lock;         /* simulated */
	struct rcu_node *node;      /* simulated, nnodes lines */
	struct rcu_data *rdp;       /* simulated, ncpus lines */
	uint64_t *dynticks;         /* simulated, 8 words (one line) per CPU */
	struct rcu_node_geo *geo;   /* host */
	struct rcu_cpu *pcpu;       /* host */

	/* The GP kthread (host-side control state: its stack, in the kernel). */
	enum rcu_gp_state gp_state;
	bool kthread_wake;          /* swake_up() happened since it last ran */
	uint64_t kthread_timeout;   /* jiffy at which its timed wait expires */
	bool first_gp_fqs;
	sim_time_t gp_start_time;
	uint32_t nr_online;
	sim_time_t first_exit;      /* first cpu_exit: GP latency is sampled before it */

	/* Counters; ->steady is a copy taken at the first cpu_exit. */
	struct tree_counters c, steady;
	uint64_t n_gp_after_exit;   /* GPs that ended after the first cpu_exit (not sampled) */
	struct rcu_dist gp_latency, sync_latency;
	struct rcl_stats st;
	uint64_t read_cycles, retire_cycles;
};

static inline bool
rcu_is_leaf(const struct tree *t, uint32_t n)
{
	return t->geo[n].level == t->nlevels - 1;
}

static inline struct rcu_lockstat *
node_lockstat(struct tree *t, uint32_t n)
{
	return &t->c.lockstat[t->geo[n].level];
}

static inline void
raw_spin_lock_rcu_node(struct tree *t, uint32_t n)
{
	rcu_raw_lock(t->kl, &t->node[n].lock, node_lockstat(t, n));
}

static inline void
raw_spin_unlock_rcu_node(struct tree *t, uint32_t n)
{
	rcu_raw_unlock(t->kl, &t->node[n].lock);
}

static inline struct rcu_cpu *
this_cpu(struct tree *t)
{
	return &t->pcpu[sim_cpu_id()];
}

static inline bool
rcu_gp_in_progress(struct tree *t)
{
	return rcu_seq_state(sim_load64(&t->rs->gp_seq)) != 0;
}

/* Is the root done?  The one place the mutation lives. */
static inline bool
rcu_root_qsmask_done(const struct tree *t, uint64_t qsmask)
{
	if (qsmask == 0)
		return true;
	/* MUTATION: accept a root with one child/CPU still unreported. */
	return t->p.mutate_early_gp_end && __builtin_popcountll(qsmask) == 1;
}

/* ---- the GP kthread's wake-up ---- */

/*
 * rcu_gp_kthread_wake - swake_up_one(&rcu_state.gp_wq) after a GP request
 * or the last QS report.  The kthread need not be woken by itself: it
 * checks gp_flags before it sleeps.  (Linux skips the wake only when
 * current is the kthread outside hardirq and softirq context; here no
 * interrupt runs inside the kthread's body: it runs from gp_cpu's tick
 * handler, which the engine never nests (sim_irq_check), or with irqs
 * off (tree_quiescent_state), so in_kthread alone is that test.)
 * swake_up_one takes the wait queue's raw spinlock, a locked RMW that
 * drains the waker's store buffer, and the kthread re-checks gp_flags
 * after taking the same lock: so the request's gp_flags store is visible
 * before the kthread can act on the wake.  Without that order a kthread
 * woken while the store still waited in the buffer (the rcu_state line
 * shared by every CPU that reads gp_seq: thousands of cycles to own at
 * 1,024 CPUs) read the old gp_flags, slept again, and no GP ever started
 * (every later requester found its GP already requested).
 * Context: any; may yield.  Cost: a load of the rcu_state line, a store
 * to it, the store buffer's drain and fence.full.
 * MODEL: the wait queue's lock line is not simulated; its RMW is the
 * fence (the drain and fence.full), with no transfer of a lock line.
 */
static void
rcu_gp_kthread_wake(struct tree *t)
{
	struct rcu_cpu *pc = this_cpu(t);
	if (pc->in_kthread || !sim_load64(&t->rs->gp_flags))
		return;
	sim_store64(&t->rs->gp_wake_seq, sim_load64(&t->rs->gp_seq));
	sim_fence_full();           /* swake_up_one's raw_spin_lock_irqsave */
	t->kthread_wake = true;     /* swake_up_locked: the kthread may run */
}

/* ---- requesting grace periods ---- */

/*
 * rcu_start_this_gp - funnel-lock from rnp_start to the root recording
 * that GP gp_seq_req is needed; at the root, ask the kthread for it.
 * Context: rnp_start locked, irqs off.  Return: true if the kthread must
 * be woken.
 */
static bool
rcu_start_this_gp(struct tree *t, uint32_t rnp_start, struct rcu_cpu *pc, uint32_t cpu,
		  uint64_t gp_seq_req)
{
	bool ret = false;
	uint32_t rnp = rnp_start;
	for (;;) {
		struct rcu_node *np = &t->node[rnp];
		if (rnp != rnp_start)
			raw_spin_lock_rcu_node(t, rnp);
		uint64_t gsn = sim_load64(&np->gp_seq_needed);
		uint64_t gs = sim_load64(&np->gp_seq);
		if (ULONG_CMP_GE(gsn, gp_seq_req) || rcu_seq_started_val(gs, gp_seq_req) ||
		    (rnp != rnp_start && rcu_seq_state(gs)))
			goto unlock_out;
		sim_store64(&np->gp_seq_needed, gp_seq_req);
		if (rcu_seq_state(gs))
			goto unlock_out;    /* rcu_gp_cleanup() will see the marking */
		if (rnp != rnp_start && t->geo[rnp].parent >= 0)
			raw_spin_unlock_rcu_node(t, rnp);
		if (t->geo[rnp].parent < 0)
			break;              /* at the root, still locked */
		rnp = (uint32_t)t->geo[rnp].parent;
	}
	if (rcu_gp_in_progress(t))
		goto unlock_out;
	sim_store64(&t->rs->gp_flags, sim_load64(&t->rs->gp_flags) | RCU_GP_FLAG_INIT);
	t->c.n_gp_requests++;
	TR("request %lx", (unsigned long)gp_seq_req);
	ret = true;
unlock_out:
	{
		uint64_t gsn = sim_load64(&t->node[rnp].gp_seq_needed);
		if (ULONG_CMP_LT(gp_seq_req, gsn)) {
			sim_store64(&t->node[rnp_start].gp_seq_needed, gsn);
			sim_store64(&t->rdp[cpu].gp_seq_needed, gsn);
		}
	}
	if (rnp != rnp_start)
		raw_spin_unlock_rcu_node(t, rnp);
	(void)pc;
	return ret;
}

/* rcu_accelerate_cbs - tag new callbacks; request their GP.  rnp locked. */
static bool
rcu_accelerate_cbs(struct tree *t, uint32_t rnp, struct rcu_cpu *pc, uint32_t cpu)
{
	if (!rcu_segcblist_pend_cbs(&pc->cblist))
		return false;
	uint64_t gp_seq_req = rcu_seq_snap_val(sim_load64(&t->rs->gp_seq));
	sim_fence_full();           /* rcu_seq_snap()'s smp_mb() */
	if (rcu_segcblist_accelerate(&pc->cblist, gp_seq_req))
		return rcu_start_this_gp(t, rnp, pc, cpu, gp_seq_req);
	return false;
}

/* rcu_advance_cbs - move callbacks whose GP ended into DONE.  rnp locked. */
static bool
rcu_advance_cbs(struct tree *t, uint32_t rnp, struct rcu_cpu *pc, uint32_t cpu)
{
	if (!rcu_segcblist_pend_cbs(&pc->cblist))
		return false;
	rcu_segcblist_advance(&pc->cblist, sim_load64(&t->node[rnp].gp_seq));
	return rcu_accelerate_cbs(t, rnp, pc, cpu);
}

static void
rcu_accelerate_cbs_unlocked(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	uint64_t c = rcu_seq_snap_val(sim_load64(&t->rs->gp_seq));
	sim_fence_full();
	if (ULONG_CMP_GE(sim_load64(&t->rdp[cpu].gp_seq_needed), c)) {
		(void)rcu_segcblist_accelerate(&pc->cblist, c); /* old request still live */
		return;
	}
	raw_spin_lock_rcu_node(t, pc->mynode);
	bool needwake = rcu_accelerate_cbs(t, pc->mynode, pc, cpu);
	raw_spin_unlock_rcu_node(t, pc->mynode);
	if (needwake)
		rcu_gp_kthread_wake(t);
}

/* ---- noticing GP starts and ends ---- */

/* __note_gp_changes - bring this CPU's rcu_data up to its leaf.  rnp locked. */
static bool
__note_gp_changes(struct tree *t, uint32_t rnp, struct rcu_cpu *pc, uint32_t cpu)
{
	struct rcu_data *rdp = &t->rdp[cpu];
	struct rcu_node *np = &t->node[rnp];
	bool ret = false;
	uint64_t rdp_gs = sim_load64(&rdp->gp_seq), rnp_gs = sim_load64(&np->gp_seq);
	if (rdp_gs == rnp_gs)
		return false;
	if (rcu_seq_completed_gp(rdp_gs, rnp_gs)) {
		ret = rcu_advance_cbs(t, rnp, pc, cpu);
		sim_store8(&rdp->core_needs_qs, 0);
	} else {
		ret = rcu_accelerate_cbs(t, rnp, pc, cpu);
		if (sim_load8(&rdp->core_needs_qs))
			sim_store8(&rdp->core_needs_qs, !!(sim_load64(&np->qsmask) & pc->grpmask));
	}
	if (rcu_seq_new_gp(rdp_gs, rnp_gs)) {
		/* A GP this CPU had not seen: it needs a fresh QS (if it is waited on). */
		uint8_t need_qs = !!(sim_load64(&np->qsmask) & pc->grpmask);
		sim_store8(&rdp->cpu_no_qs_norm, need_qs);
		sim_store8(&rdp->core_needs_qs, need_qs);
	}
	sim_store64(&rdp->gp_seq, rnp_gs);
	uint64_t need = sim_load64(&np->gp_seq_needed);
	if (ULONG_CMP_LT(sim_load64(&rdp->gp_seq_needed), need))
		sim_store64(&rdp->gp_seq_needed, need);
	return ret;
}

static void
note_gp_changes(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	uint32_t rnp = pc->mynode;
	if (sim_load64(&t->rdp[cpu].gp_seq) == sim_load64(&t->node[rnp].gp_seq) ||
	    !rcu_raw_trylock(t->kl, &t->node[rnp].lock, node_lockstat(t, rnp)))
		return;             /* nothing new, or contended: next time */
	bool needwake = __note_gp_changes(t, rnp, pc, cpu);
	TR("noticed %lx", (unsigned long)t->rdp[cpu].gp_seq);
	raw_spin_unlock_rcu_node(t, rnp);
	if (needwake)
		rcu_gp_kthread_wake(t);
}

/* ---- reporting quiescent states ---- */

/* rcu_report_qs_rsp - the last report of a GP: wake the kthread.  Root locked. */
static void
rcu_report_qs_rsp(struct tree *t)
{
	sim_store64(&t->rs->gp_flags, sim_load64(&t->rs->gp_flags) | RCU_GP_FLAG_FQS);
	raw_spin_unlock_rcu_node(t, 0);
	rcu_gp_kthread_wake(t);
}

/*
 * rcu_report_qs_rnp - clear mask in rnp for GP gps; climb while a node
 * becomes empty.  Context: rnp locked; returns with no lock held.
 */
static void
rcu_report_qs_rnp(struct tree *t, uint64_t mask, uint32_t rnp, uint64_t gps)
{
	for (;;) {
		struct rcu_node *np = &t->node[rnp];
		uint64_t qs = sim_load64(&np->qsmask);
		if ((!(qs & mask) && mask) || sim_load64(&np->gp_seq) != gps) {
			raw_spin_unlock_rcu_node(t, rnp);   /* already cleared, or GP over */
			return;
		}
		qs &= ~mask;
		sim_store64(&np->qsmask, qs);
		bool root = t->geo[rnp].parent < 0;
		if (root ? !rcu_root_qsmask_done(t, qs) : qs != 0) {
			raw_spin_unlock_rcu_node(t, rnp);   /* others still to report */
			return;
		}
		if (root && qs != 0) {
			t->c.n_early_gp_ends++;
			TR("early end, left %lx", (unsigned long)qs);
		}
		sim_store64(&np->completedqs, gps);
		mask = t->geo[rnp].grpmask;
		if (root)
			break;              /* exit holding the root lock */
		raw_spin_unlock_rcu_node(t, rnp);
		rnp = (uint32_t)t->geo[rnp].parent;
		raw_spin_lock_rcu_node(t, rnp);
	}
	rcu_report_qs_rsp(t);
}

static void
rcu_report_qs_rdp(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	struct rcu_data *rdp = &t->rdp[cpu];
	uint32_t rnp = pc->mynode;
	struct rcu_node *np = &t->node[rnp];
	raw_spin_lock_rcu_node(t, rnp);
	if (sim_load8(&rdp->cpu_no_qs_norm) ||
	    sim_load64(&rdp->gp_seq) != sim_load64(&np->gp_seq)) {
		/* The QS belongs to a GP that has ended: need a new one. */
		sim_store8(&rdp->cpu_no_qs_norm, 1);
		raw_spin_unlock_rcu_node(t, rnp);
		return;
	}
	sim_store8(&rdp->core_needs_qs, 0);
	if ((sim_load64(&np->qsmask) & pc->grpmask) == 0) {
		raw_spin_unlock_rcu_node(t, rnp);
		return;
	}
	/* This GP cannot end before we report, so new callbacks can use the next. */
	(void)rcu_accelerate_cbs(t, rnp, pc, cpu);
	t->c.n_qs_reports++;
	TR("report");
	rcu_report_qs_rnp(t, pc->grpmask, rnp, sim_load64(&np->gp_seq));
}

/* rcu_qs - note a QS (context switch, tick outside a reader): CPU-local. */
static void
rcu_qs(struct tree *t, uint32_t cpu)
{
	struct rcu_data *rdp = &t->rdp[cpu];
	if (sim_load8(&rdp->cpu_no_qs_norm))
		sim_store8(&rdp->cpu_no_qs_norm, 0);
}

static void
rcu_check_quiescent_state(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	struct rcu_data *rdp = &t->rdp[cpu];
	note_gp_changes(t, pc, cpu);
	if (!sim_load8(&rdp->core_needs_qs))
		return;
	if (sim_load8(&rdp->cpu_no_qs_norm))
		return;
	rcu_report_qs_rdp(t, pc, cpu);
}

/* ---- callbacks ---- */

static void
rcu_do_batch(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	uint64_t n = rcu_segcblist_extract_done(&pc->cblist, pc->ready);
	if (n == 0)
		return;
	sim_store64(&t->rdp[cpu].cblist_len, rcu_segcblist_n_cbs(&pc->cblist));
	t->c.n_cbs_invoked += n;
	(void)rcu_invoke_cbs(pc->ready, t->p.cb_cycles, &t->st);
}

/* ---- the tick and RCU core ---- */

static bool
rcu_pending(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	struct rcu_data *rdp = &t->rdp[cpu];
	bool gp_in_progress = rcu_gp_in_progress(t);
	if (sim_load8(&rdp->core_needs_qs) && !sim_load8(&rdp->cpu_no_qs_norm) && gp_in_progress)
		return true;        /* a QS to report */
	(void)sim_load64(&rdp->cblist_len);         /* the segcblist lives in rdp */
	if (rcu_segcblist_ready_cbs(&pc->cblist))
		return true;        /* callbacks to invoke */
	if (!gp_in_progress && !rcu_segcblist_restempty(&pc->cblist, RCU_NEXT_READY_TAIL))
		return true;        /* RCU idle but we need a GP */
	if (sim_load64(&t->node[pc->mynode].gp_seq) != sim_load64(&rdp->gp_seq))
		return true;        /* a GP started or ended */
	return false;
}

static void
rcu_core(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	rcu_check_quiescent_state(t, pc, cpu);
	if (!rcu_gp_in_progress(t) && !rcu_segcblist_restempty(&pc->cblist, RCU_NEXT_READY_TAIL))
		rcu_accelerate_cbs_unlocked(t, pc, cpu);
	if (rcu_segcblist_ready_cbs(&pc->cblist))
		rcu_do_batch(t, pc, cpu);
}

static void rcu_gp_kthread_run(struct tree *t, struct rcu_cpu *pc, uint32_t cpu);

/* rcu_sched_clock_irq - the scheduling-clock tick's RCU part. */
static void
rcu_sched_clock_irq(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	if (pc->nesting == 0)
		rcu_qs(t, cpu);     /* not holding preempt_count: a QS */
	if (rcu_pending(t, pc, cpu))
		rcu_core(t, pc, cpu);   /* RCU_SOFTIRQ at irq exit */
}

static void
tree_tick(void *arg)
{
	struct tree *t = arg;
	uint32_t cpu = sim_cpu_id();
	struct rcu_cpu *pc = &t->pcpu[cpu];
	if (pc->offline)
		return;
	sim_time_t t0 = sim_now();
	uint64_t j = rcu_jiffies(&t->clk);
	bool tick = j != pc->last_jiffy;
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_WORK);
	if (tick) {
		pc->last_jiffy = j;
		rcu_tick_other_work(&t->clk);
	}
	sim_cause_pop(SIM_CAUSE_RECLAIM);
	if (tick)
		rcu_sched_clock_irq(t, pc, cpu);
	if (cpu == t->gp_cpu && pc->nesting == 0 && !pc->in_kthread)
		rcu_gp_kthread_run(t, pc, cpu);
	sim_cause_pop(prev);
	pc->tick_cycles += sim_now() - t0;
}

/*
 * tree_needs_cpu - NO_HZ: which ticks CPU cpu keeps while idle
 * (rcu_clock_nohz).  Linux 3.5 without RCU_FAST_NO_HZ: rcu_needs_cpu() =
 * rcu_cpu_has_callbacks(), any callback on the CPU's lists, pending or
 * ready: then tick_nohz_stop_sched_tick keeps the tick once per jiffy,
 * and after the tick whose softirq invoked the last one the tick stops
 * (re-evaluated at irq exit).  gp_cpu keeps every slice: the GP kthread
 * runs from them (MODEL, rcu_clock.h), and in the kernel a wake_up() of
 * a kthread on an idle CPU sends it a reschedule IPI at once.
 * MODEL: reading the callback list costs nothing (host memory; the
 * kernel reads rdp->nxtlist, a line the CPU itself owns).
 */
static enum sim_tick_idle
tree_needs_cpu(void *arg, uint32_t cpu)
{
	struct tree *t = arg;
	struct rcu_cpu *pc = &t->pcpu[cpu];
	if (cpu == t->gp_cpu)
		return SIM_TICK_IDLE_EVERY;
	if (pc->offline || rcu_segcblist_empty(&pc->cblist))
		return SIM_TICK_IDLE_STOP;
	return SIM_TICK_IDLE_JIFFY;
}

/* The idle loop around a blocked task (sched_notifier.h): rcu_idle_enter
 * on the way in, rcu_idle_exit on the way out (3.5 cpu_idle). */
static void
tree_sched_out(void *arg, uint32_t cpu)
{
	struct tree *t = arg;
	struct rcu_cpu *pc = &t->pcpu[cpu];
	if (pc->offline || pc->nesting || pc->idle_eqs)
		return;
	pc->idle_eqs = true;
	(void)sim_faa64(&t->dynticks[(size_t)cpu * 8], 1);
}

static void
tree_sched_in(void *arg, uint32_t cpu)
{
	struct tree *t = arg;
	struct rcu_cpu *pc = &t->pcpu[cpu];
	if (!pc->idle_eqs)
		return;
	pc->idle_eqs = false;
	(void)sim_faa64(&t->dynticks[(size_t)cpu * 8], 1);
}

static const struct sched_notifier tree_sched_notifier = {
	.sched_out = tree_sched_out, .sched_in = tree_sched_in,
};

/* ---- the GP kthread: init, FQS, cleanup ---- */

/* rcu_init_new_rnp - a leaf got its first online CPU: mark it upward. */
static void
rcu_init_new_rnp(struct tree *t, uint32_t leaf)
{
	uint64_t mask = t->geo[leaf].grpmask;
	for (int32_t rnp = t->geo[leaf].parent; rnp >= 0; rnp = t->geo[rnp].parent) {
		struct rcu_node *np = &t->node[rnp];
		raw_spin_lock_rcu_node(t, (uint32_t)rnp);
		uint64_t old = sim_load64(&np->qsmaskinit);
		sim_store64(&np->qsmaskinit, old | mask);
		raw_spin_unlock_rcu_node(t, (uint32_t)rnp);
		if (old)
			return;
		mask = t->geo[rnp].grpmask;
	}
}

/* rcu_cleanup_dead_rnp - a leaf lost its last online CPU: unmark it upward. */
static void
rcu_cleanup_dead_rnp(struct tree *t, uint32_t leaf)
{
	uint32_t child = leaf;
	for (int32_t rnp = t->geo[leaf].parent; rnp >= 0; rnp = t->geo[rnp].parent) {
		struct rcu_node *np = &t->node[rnp];
		raw_spin_lock_rcu_node(t, (uint32_t)rnp);
		uint64_t m = sim_load64(&np->qsmaskinit) & ~t->geo[child].grpmask;
		sim_store64(&np->qsmaskinit, m);
		raw_spin_unlock_rcu_node(t, (uint32_t)rnp);
		if (m)
			return;
		child = (uint32_t)rnp;
	}
}

static bool
rcu_gp_init(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	struct rcu_state_line *rs = t->rs;
	/* Step 1: start the GP under the root lock. */
	raw_spin_lock_rcu_node(t, 0);
	if (!sim_load64(&rs->gp_flags)) {
		raw_spin_unlock_rcu_node(t, 0);
		return false;       /* spurious wake-up */
	}
	sim_store64(&rs->gp_flags, 0);
	if (rcu_gp_in_progress(t)) {
		raw_spin_unlock_rcu_node(t, 0);
		return false;
	}
	rcu_seq_start(&rs->gp_seq);
	t->gp_start_time = sim_now();
	TR("gp_init %lx", (unsigned long)rs->gp_seq);
	raw_spin_unlock_rcu_node(t, 0);

	/* Step 2: apply buffered CPU offlining at the leaves (RCU_GP_ONOFF). */
	for (uint32_t rnp = t->level_first[t->nlevels - 1]; rnp < t->nnodes; rnp++) {
		struct rcu_node *np = &t->node[rnp];
		rcu_raw_lock(t->kl, (spinlock_t *)(void *)t->ofl_lock, &t->c.ofl_lockstat);
		raw_spin_lock_rcu_node(t, rnp);
		uint64_t oldmask = sim_load64(&np->qsmaskinit);
		uint64_t next = sim_load64(&np->qsmaskinitnext);
		if (oldmask != next) {
			sim_store64(&np->qsmaskinit, next);
			if (!oldmask != !next) {
				if (!oldmask)
					rcu_init_new_rnp(t, rnp);
				else
					rcu_cleanup_dead_rnp(t, rnp);
			}
		}
		raw_spin_unlock_rcu_node(t, rnp);
		rcu_raw_unlock(t->kl, (spinlock_t *)(void *)t->ofl_lock);
	}

	/* Step 3: qsmask and gp_seq in every node, breadth-first (RCU_GP_INIT). */
	for (uint32_t rnp = 0; rnp < t->nnodes; rnp++) {
		struct rcu_node *np = &t->node[rnp];
		raw_spin_lock_rcu_node(t, rnp);
		uint64_t qsmask = sim_load64(&np->qsmaskinit);
		sim_store64(&np->qsmask, qsmask);
		uint64_t gs = sim_load64(&rs->gp_seq);
		sim_store64(&np->gp_seq, gs);
		if (rnp == pc->mynode)
			(void)__note_gp_changes(t, rnp, pc, cpu);
		uint64_t mask = qsmask & ~sim_load64(&np->qsmaskinitnext);
		if (mask && rcu_is_leaf(t, rnp))
			rcu_report_qs_rnp(t, mask, rnp, gs);    /* CPUs that went offline */
		else
			raw_spin_unlock_rcu_node(t, rnp);
	}
	return true;
}

/* dyntick_save_progress_counter - first FQS: snapshot; idle = QS. */
static int
dyntick_save_progress_counter(struct tree *t, uint32_t cpu)
{
	uint64_t snap = sim_load64_acq(&t->dynticks[(size_t)cpu * 8]);
	t->pcpu[cpu].dynticks_snap = snap;
	return (snap & 1) == 0;     /* even: in an extended QS (idle) */
}

/* rcu_implicit_dynticks_qs - later FQS: idle since the snapshot, or offline. */
static int
rcu_implicit_dynticks_qs(struct tree *t, uint32_t cpu)
{
	struct rcu_cpu *pc = &t->pcpu[cpu];
	if (sim_load64_acq(&t->dynticks[(size_t)cpu * 8]) != pc->dynticks_snap)
		return 1;
	/* The leaf is locked by our caller; qsmaskinitnext is on its line. */
	if (!(sim_load64(&t->node[pc->mynode].qsmaskinitnext) & pc->grpmask))
		return 1;
	return 0;
}

static void
force_qs_rnp(struct tree *t, int (*f)(struct tree *, uint32_t))
{
	for (uint32_t rnp = t->level_first[t->nlevels - 1]; rnp < t->nnodes; rnp++) {
		struct rcu_node *np = &t->node[rnp];
		uint64_t mask = 0;
		raw_spin_lock_rcu_node(t, rnp);
		uint64_t qs = sim_load64(&np->qsmask);
		if (qs == 0) {
			raw_spin_unlock_rcu_node(t, rnp);
			continue;
		}
		for (uint64_t m = qs; m; m &= m - 1) {
			uint32_t cpu = t->geo[rnp].grplo + (uint32_t)__builtin_ctzll(m);
			if (f(t, cpu) > 0)
				mask |= t->pcpu[cpu].grpmask;
		}
		if (mask) {
			t->c.n_fqs_reports += (uint64_t)__builtin_popcountll(mask);
			rcu_report_qs_rnp(t, mask, rnp, sim_load64(&np->gp_seq));
		} else {
			raw_spin_unlock_rcu_node(t, rnp);
		}
	}
}

static void
rcu_gp_fqs(struct tree *t, bool first_time)
{
	struct rcu_state_line *rs = t->rs;
	sim_store64(&rs->n_force_qs, sim_load64(&rs->n_force_qs) + 1);
	t->c.n_force_qs++;
	TR("fqs");
	force_qs_rnp(t, first_time ? dyntick_save_progress_counter : rcu_implicit_dynticks_qs);
	if (sim_load64(&rs->gp_flags) & RCU_GP_FLAG_FQS) {
		raw_spin_lock_rcu_node(t, 0);
		sim_store64(&rs->gp_flags, sim_load64(&rs->gp_flags) & ~(uint64_t)RCU_GP_FLAG_FQS);
		raw_spin_unlock_rcu_node(t, 0);
	}
}

/* rcu_future_gp_cleanup - does rnp need yet another GP?  rnp locked. */
static bool
rcu_future_gp_cleanup(struct tree *t, uint32_t rnp)
{
	struct rcu_node *np = &t->node[rnp];
	uint64_t gs = sim_load64(&np->gp_seq);
	bool needmore = ULONG_CMP_LT(gs, sim_load64(&np->gp_seq_needed));
	if (!needmore)
		sim_store64(&np->gp_seq_needed, gs);    /* avoid counter wrap */
	return needmore;
}

static void
rcu_gp_cleanup(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	struct rcu_state_line *rs = t->rs;
	bool needgp = false;
	raw_spin_lock_rcu_node(t, 0);
	raw_spin_unlock_rcu_node(t, 0);

	/* Step 1: every node learns the end value, breadth-first. */
	sim_fence_full();           /* rcu_seq_end(&new_gp_seq)'s smp_mb() */
	uint64_t new_gp_seq = rcu_seq_endval(sim_load64(&rs->gp_seq));
	for (uint32_t rnp = 0; rnp < t->nnodes; rnp++) {
		raw_spin_lock_rcu_node(t, rnp);
		sim_store64(&t->node[rnp].gp_seq, new_gp_seq);
		if (rnp == 0)
			sim_fence_full();
		if (rnp == pc->mynode)
			needgp = __note_gp_changes(t, rnp, pc, cpu) || needgp;
		needgp = rcu_future_gp_cleanup(t, rnp) || needgp;
		raw_spin_unlock_rcu_node(t, rnp);
	}

	/* Step 2: declare the GP done; start another if anyone asked. */
	raw_spin_lock_rcu_node(t, 0);
	rcu_seq_end(&rs->gp_seq);
	t->c.n_gp++;
	TR("gp_end %lx", (unsigned long)rs->gp_seq);
	if (!t->first_exit)
		rcu_dist_add(&t->gp_latency, sim_now() - t->gp_start_time);
	else
		t->n_gp_after_exit++;
	struct rcu_node *root = &t->node[0];
	if (!needgp && ULONG_CMP_LT(sim_load64(&root->gp_seq), sim_load64(&root->gp_seq_needed)))
		needgp = true;
	if (!rcu_accelerate_cbs(t, 0, pc, cpu) && needgp)
		sim_store64(&rs->gp_flags, RCU_GP_FLAG_INIT);
	else
		sim_store64(&rs->gp_flags, sim_load64(&rs->gp_flags) & RCU_GP_FLAG_INIT);
	raw_spin_unlock_rcu_node(t, 0);
}

/* The kthread's swait condition in the FQS loop (rcu_gp_fqs_check_wake). */
static bool
rcu_gp_fqs_check_wake(struct tree *t, uint64_t *gf)
{
	*gf = sim_load64(&t->rs->gp_flags);
	if (*gf & RCU_GP_FLAG_FQS)
		return true;
	return rcu_root_qsmask_done(t, sim_load64(&t->node[0].qsmask));
}

/* Arm the FQS wait for j jiffies (ret == 0: a full new period). */
static void
rcu_gp_fqs_arm(struct tree *t, uint64_t j, bool ret)
{
	uint64_t now = rcu_jiffies(&t->clk);
	if (!ret || now + j < sim_load64(&t->rs->jiffies_force_qs))
		sim_store64(&t->rs->jiffies_force_qs, now + j);
	t->kthread_timeout = now + j;
	t->gp_state = RCU_GP_WAIT_FQS;
}

/*
 * One run of the kthread: from its wake-up until it would sleep again.
 * The kernel's loop (rcu_gp_kthread -> rcu_gp_init / rcu_gp_fqs_loop /
 * rcu_gp_cleanup) flattened into states, since here it must return to
 * the tick between sleeps.
 */
static void
rcu_gp_kthread_body(struct tree *t, struct rcu_cpu *pc, uint32_t cpu, bool timed_out)
{
	uint64_t gf = 0;
	for (;;) {
		if (t->gp_state == RCU_GP_WAIT_GPS) {
			/* swait_event_idle_exclusive(gp_wq, gp_flags & RCU_GP_FLAG_INIT) */
			if (!(sim_load64(&t->rs->gp_flags) & RCU_GP_FLAG_INIT))
				return;
			if (!rcu_gp_init(t, pc, cpu))
				return;
			t->first_gp_fqs = true;
			rcu_gp_fqs_arm(t, t->jiffies_till_first_fqs, false);
			if (!rcu_gp_fqs_check_wake(t, &gf))
				return;
			timed_out = false;
		} else if (!timed_out && !rcu_gp_fqs_check_wake(t, &gf)) {
			return;             /* spurious wake-up: keep waiting */
		}
		/* RCU_GP_DOING_FQS */
		timed_out = false;
		if (rcu_root_qsmask_done(t, sim_load64(&t->node[0].qsmask))) {
			rcu_gp_cleanup(t, pc, cpu);
			t->gp_state = RCU_GP_WAIT_GPS;
			continue;
		}
		uint64_t now = rcu_jiffies(&t->clk);
		uint64_t jfq = sim_load64(&t->rs->jiffies_force_qs);
		if (now >= jfq || (gf & RCU_GP_FLAG_FQS)) {
			rcu_gp_fqs(t, t->first_gp_fqs);
			t->first_gp_fqs = false;
			rcu_gp_fqs_arm(t, t->jiffies_till_next_fqs, false);
		} else {
			rcu_gp_fqs_arm(t, now > jfq ? 1 : jfq - now, true);
		}
		if (!rcu_gp_fqs_check_wake(t, &gf))
			return;
	}
}

static void
rcu_gp_kthread_run(struct tree *t, struct rcu_cpu *pc, uint32_t cpu)
{
	bool timed_out = t->gp_state == RCU_GP_WAIT_FQS &&
			 rcu_jiffies(&t->clk) >= t->kthread_timeout;
	if (!t->kthread_wake && !timed_out)
		return;
	t->kthread_wake = false;
	sim_time_t t0 = sim_now();
	pc->in_kthread = true;
	rcu_qs(t, cpu);             /* switching to the kthread is a context switch */
	rcu_gp_kthread_body(t, pc, cpu, timed_out);
	pc->in_kthread = false;
	t->c.kthread_cycles += sim_now() - t0;
}

/* ---- geometry ---- */

static void
rcu_init_geometry(struct tree *t)
{
	uint64_t cap[8];
	uint32_t n = t->ncpus, i;
	cap[0] = t->p.fanout_leaf;
	for (i = 1; i < 8; i++)
		cap[i] = cap[i - 1] * t->p.fanout;
	for (i = 0; i < 7 && n > cap[i]; i++)
		;
	t->nlevels = i + 1;
	t->nnodes = 0;
	for (i = 0; i < t->nlevels; i++) {
		uint64_t c = cap[t->nlevels - 1 - i];
		t->num_lvl[i] = (uint32_t)((n + c - 1) / c);
		t->level_first[i] = t->nnodes;
		t->nnodes += t->num_lvl[i];
	}
	/* rcu_init_levelspread */
	if (t->p.fanout_exact) {
		t->levelspread[t->nlevels - 1] = t->p.fanout_leaf;
		for (int k = (int)t->nlevels - 2; k >= 0; k--)
			t->levelspread[k] = t->p.fanout;
	} else {
		uint32_t cprv = n;
		for (int k = (int)t->nlevels - 1; k >= 0; k--) {
			uint32_t ccur = t->num_lvl[k];
			t->levelspread[k] = (cprv + ccur - 1) / ccur;
			cprv = ccur;
		}
	}
}

/* rcu_init_one - build the nodes from the leaves up, as the kernel does. */
static void
rcu_init_one(struct tree *t)
{
	uint64_t cpustride = 1;
	for (int i = (int)t->nlevels - 1; i >= 0; i--) {
		cpustride *= t->levelspread[i];
		for (uint32_t j = 0; j < t->num_lvl[i]; j++) {
			uint32_t rnp = t->level_first[i] + j;
			struct rcu_node_geo *g = &t->geo[rnp];
			g->level = (uint32_t)i;
			g->grplo = (uint32_t)(j * cpustride);
			uint64_t hi = (j + 1) * cpustride - 1;
			g->grphi = hi >= t->ncpus ? t->ncpus - 1 : (uint32_t)hi;
			if (i == 0) {
				g->parent = -1;
				g->grpmask = 0;
			} else {
				uint32_t spread = t->levelspread[i - 1];
				g->grpmask = UINT64_C(1) << (j % spread);
				g->parent = (int32_t)(t->level_first[i - 1] + j / spread);
			}
		}
	}
	uint32_t leaf = t->level_first[t->nlevels - 1];
	for (uint32_t cpu = 0; cpu < t->ncpus; cpu++) {
		while (cpu > t->geo[leaf].grphi)
			leaf++;
		t->pcpu[cpu].mynode = leaf;
		t->pcpu[cpu].grpmask = UINT64_C(1) << (cpu - t->geo[leaf].grplo);
	}
}

/* ---- rcl_ops ---- */

static void *
tree_create(struct sim *sim, const void *params)
{
	struct tree *t = g_new0(struct tree, 1);
	t->p = *(const struct tree_params *)params;
	t->sim = sim;
	t->ncpus = sim_ncpus_of(sim);
	t->gp_cpu = t->p.gp_cpu % t->ncpus;
	t->nr_online = t->ncpus;
	t->pcpu = g_new0(struct rcu_cpu, t->ncpus);
	rcu_init_geometry(t);
	t->geo = g_new0(struct rcu_node_geo, t->nnodes);
	rcu_init_one(t);

	/* Step 1: simulated memory, homed like the kernel's. */
	t->kl = klock_create(sim);
	t->rs = sim_alloc(sizeof *t->rs, 64);
	t->ofl_lock = sim_alloc(64, 64);
	t->node = sim_alloc((size_t)t->nnodes * sizeof(struct rcu_node), 64);
	t->rdp = sim_alloc((size_t)t->ncpus * sizeof(struct rcu_data), 64);
	t->dynticks = sim_alloc((size_t)t->ncpus * 64, 64);
	uint64_t gp0 = (uint64_t)(0 - 300) << RCU_SEQ_CTR_SHIFT;  /* the kernel's: tests wrap */
	t->rs->gp_seq = gp0;
	for (uint32_t n = 0; n < t->nnodes; n++) {
		t->node[n].gp_seq = t->node[n].gp_seq_needed = t->node[n].completedqs = gp0;
	}
	for (uint32_t cpu = 0; cpu < t->ncpus; cpu++) {
		struct rcu_cpu *pc = &t->pcpu[cpu];
		struct rcu_node *leaf = &t->node[pc->mynode];
		leaf->qsmaskinit |= pc->grpmask;
		leaf->qsmaskinitnext |= pc->grpmask;
		t->rdp[cpu].gp_seq = t->rdp[cpu].gp_seq_needed = gp0;
		t->rdp[cpu].cpu_no_qs_norm = 1;
		t->dynticks[(size_t)cpu * 8] = 1;       /* odd: not idle */
		rcu_segcblist_init(&pc->cblist);
		pc->ready = g_array_new(FALSE, FALSE, sizeof(struct rcu_cb));
		sim_mem_prime(sim, &t->rdp[cpu], sizeof(struct rcu_data), cpu);
		sim_mem_prime(sim, &t->dynticks[(size_t)cpu * 8], 64, cpu);
	}
	for (uint32_t n = t->nnodes; n-- > 1;)      /* interior qsmaskinit from children */
		if (t->node[n].qsmaskinit)
			t->node[t->geo[n].parent].qsmaskinit |= t->geo[n].grpmask;
	sim_mem_prime(sim, t->rs, sizeof *t->rs, 0);
	sim_mem_prime(sim, t->ofl_lock, 64, 0);
	sim_mem_prime(sim, t->node, (size_t)t->nnodes * sizeof(struct rcu_node), 0);

	/* Step 2: FQS timing (rcu_init_geometry) and the tick. */
	uint64_t d = 1 + (t->p.hz > 250) + (t->p.hz > 500) + t->ncpus / 256;
	t->jiffies_till_first_fqs = t->p.jiffies_till_first_fqs ? t->p.jiffies_till_first_fqs : d;
	t->jiffies_till_next_fqs = t->p.jiffies_till_next_fqs ? t->p.jiffies_till_next_fqs : d;
	if (t->jiffies_till_first_fqs > t->p.hz)
		t->jiffies_till_first_fqs = t->p.hz;
	if (t->jiffies_till_next_fqs > t->p.hz)
		t->jiffies_till_next_fqs = t->p.hz;
	rcu_clock_register(&t->clk, sim, t->p.hz, t->p.wakeup_us, t->p.tick_work_ns, t->p.skew_tick,
			   tree_tick, t);
	rcu_clock_nohz(&t->clk, sim, tree_needs_cpu, t);
	sched_notifier_register(sim, &tree_sched_notifier, t);
	t->gp_state = RCU_GP_WAIT_GPS;
	rcu_dist_init(&t->gp_latency);
	rcu_dist_init(&t->sync_latency);
	sim_set_free_label(sim, t->p.mutate_early_gp_end ? "tree_rcu (mutate_early_gp_end)" : "tree_rcu");
	return t;
}

static void
tree_destroy(void *rs)
{
	struct tree *t = rs;
	for (uint32_t cpu = 0; cpu < t->ncpus; cpu++) {
		rcu_segcblist_free(&t->pcpu[cpu].cblist);
		g_array_free(t->pcpu[cpu].ready, TRUE);
	}
	rcu_dist_free(&t->gp_latency);
	rcu_dist_free(&t->sync_latency);
	g_free(t->pcpu);
	g_free(t->geo);
	klock_destroy(t->kl);
	g_free(t);
}

static void
tree_read_lock(void *rs)
{
	struct tree *t = rs;
	struct rcu_cpu *pc = this_cpu(t);
	pc->nesting++;              /* preempt_disable(): no simulated access */
	t->st.read_sections++;
}

static void
tree_read_unlock(void *rs)
{
	struct rcu_cpu *pc = this_cpu(rs);
	g_assert(pc->nesting > 0);
	pc->nesting--;
}

static void *
tree_dereference(void *rs, void *const *pp, unsigned slot)
{
	(void)rs;
	(void)slot;
	return sim_loadp(pp);       /* READ_ONCE; the address dependency orders the rest */
}

static void
tree_assign_pointer(void *rs, void **pp, void *v)
{
	(void)rs;
	sim_storep_rel(pp, v);      /* smp_store_release */
}

/* call_rcu: append to this CPU's list; the tick's RCU core does the rest. */
static void
call_rcu(struct tree *t, void *obj, size_t size, size_t align, bool *done)
{
	uint32_t cpu = sim_cpu_id();
	struct rcu_cpu *pc = &t->pcpu[cpu];
	struct rcu_cb cb = { .obj = obj, .size = (uint32_t)size, .align = (uint32_t)align,
			     .t_retire = sim_now(), .done = done };
	sim_irq_disable();          /* local_irq_save */
	rcu_segcblist_enqueue(&pc->cblist, &cb);
	uint64_t *len = &t->rdp[cpu].cblist_len;
	sim_store64(len, sim_load64(len) + 1);
	sim_irq_enable();
}

static void
tree_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct tree *t = rs;
	struct rcu_cpu *pc = this_cpu(t);
	sim_time_t t0 = sim_now();
	uint64_t tk0 = pc->tick_cycles;
	rcl_stats_retire(&t->st, size);
	call_rcu(t, obj, size, align, NULL);
	t->retire_cycles += (sim_now() - t0) - (pc->tick_cycles - tk0);
}

/* Block for one tick slice: the scheduler runs something else (a QS). */
static void
tree_block_slice(struct tree *t)
{
	rcu_qs(t, sim_cpu_id());
	sim_sleep_until(sim_now() + t->clk.slice);
}

static void
tree_synchronize(void *rs)
{
	struct tree *t = rs;
	struct rcu_cpu *pc = this_cpu(t);
	g_assert(pc->nesting == 0);
	sim_time_t t0 = sim_now();
	bool done = false;
	call_rcu(t, NULL, 0, 0, &done);     /* wait_rcu_gp(): wakeme_after_rcu */
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_GP_WAIT);
	while (!done)
		tree_block_slice(t);
	sim_cause_pop(prev);
	t->st.synchronize_calls++;
	t->st.synchronize_cycles += sim_now() - t0;
	rcu_dist_add(&t->sync_latency, sim_now() - t0);
}

/* rcu_note_context_switch: a QS, and a chance for a runnable GP kthread. */
static void
tree_quiescent_state(void *rs)
{
	struct tree *t = rs;
	uint32_t cpu = sim_cpu_id();
	struct rcu_cpu *pc = &t->pcpu[cpu];
	g_assert(pc->nesting == 0);
	rcu_qs(t, cpu);
	if (cpu == t->gp_cpu && !pc->in_kthread) {
		sim_irq_disable();
		rcu_gp_kthread_run(t, pc, cpu);
		sim_irq_enable();
	}
}

/* ct_idle_enter / ct_idle_exit: the dynticks counter goes even / odd. */
static void
tree_idle_enter(void *rs)
{
	struct tree *t = rs;
	g_assert(this_cpu(t)->nesting == 0);
	(void)sim_faa64(&t->dynticks[(size_t)sim_cpu_id() * 8], 1);
}

static void
tree_idle_exit(void *rs)
{
	struct tree *t = rs;
	(void)sim_faa64(&t->dynticks[(size_t)sim_cpu_id() * 8], 1);
}

/* rcutree_report_cpu_dead: report our QS if waited on; leave qsmaskinitnext. */
static void
rcutree_report_cpu_dead(struct tree *t, struct rcu_cpu *pc)
{
	uint32_t rnp = pc->mynode;
	struct rcu_node *np = &t->node[rnp];
	sim_irq_disable();
	/* MODEL: no rcu_state.ofl_lock here (see the file header). */
	raw_spin_lock_rcu_node(t, rnp);
	if (sim_load64(&np->qsmask) & pc->grpmask) {
		rcu_report_qs_rnp(t, pc->grpmask, rnp, sim_load64(&np->gp_seq));
		raw_spin_lock_rcu_node(t, rnp);
	}
	sim_store64(&np->qsmaskinitnext, sim_load64(&np->qsmaskinitnext) & ~pc->grpmask);
	raw_spin_unlock_rcu_node(t, rnp);
	pc->offline = true;
	t->nr_online--;
	sim_irq_enable();
}

static void
tree_cpu_exit(void *rs)
{
	struct tree *t = rs;
	uint32_t cpu = sim_cpu_id();
	struct rcu_cpu *pc = &t->pcpu[cpu];
	g_assert(pc->nesting == 0);
	if (!t->first_exit) {
		t->first_exit = sim_now();
		t->steady = t->c;
	}
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_GP_WAIT);
	/* The GP kthread's CPU goes last: everyone else needs its GPs. */
	while (cpu == t->gp_cpu && t->nr_online > 1)
		tree_block_slice(t);
	/* rcu_barrier()-like: our callbacks, invoked by our own ticks. */
	while (!rcu_segcblist_empty(&pc->cblist))
		tree_block_slice(t);
	sim_cause_pop(prev);
	TR("offline");
	rcutree_report_cpu_dead(t, pc);
}

static void
tree_stats(void *rs, cJSON *out)
{
	struct tree *t = rs;
	/* Steady state: the counters before the first cpu_exit (all of them
	 * if no CPU exited); totals are marked as such. */
	const struct tree_counters *c = t->first_exit ? &t->steady : &t->c;
	uint64_t gps = c->n_gp ? c->n_gp : 1;
	rcu_stats_emit(&t->st, &(struct rcu_emit_extra){
				.freq_ghz = sim_machine_of(t->sim)->freq_ghz,
				.read_cycles = t->read_cycles, .retire_cycles = t->retire_cycles,
				.gp_latency = &t->gp_latency }, out);
	cJSON_AddNumberToObject(out, "gp", (double)c->n_gp);
	cJSON_AddNumberToObject(out, "gp_total", (double)t->c.n_gp);
	cJSON_AddNumberToObject(out, "gp_after_exit", (double)t->n_gp_after_exit);
	cJSON_AddNumberToObject(out, "fqs", (double)c->n_force_qs);
	cJSON_AddNumberToObject(out, "fqs_per_gp", (double)c->n_force_qs / (double)gps);
	cJSON_AddNumberToObject(out, "qs_reports", (double)c->n_qs_reports);
	cJSON_AddNumberToObject(out, "qs_reports_fqs", (double)c->n_fqs_reports);
	cJSON_AddNumberToObject(out, "gp_requests", (double)c->n_gp_requests);
	cJSON_AddNumberToObject(out, "callbacks_invoked", (double)t->c.n_cbs_invoked);
	cJSON_AddNumberToObject(out, "early_gp_ends", (double)t->c.n_early_gp_ends);
	cJSON_AddNumberToObject(out, "levels", t->nlevels);
	cJSON_AddNumberToObject(out, "nodes", t->nnodes);
	cJSON_AddNumberToObject(out, "leaf_spread", t->levelspread[t->nlevels - 1]);
	cJSON_AddNumberToObject(out, "jiffy_cycles", (double)t->clk.jiffy);
	cJSON_AddNumberToObject(out, "jiffies_till_first_fqs", (double)t->jiffies_till_first_fqs);
	cJSON_AddNumberToObject(out, "jiffies_till_next_fqs", (double)t->jiffies_till_next_fqs);
	cJSON_AddNumberToObject(out, "gp_kthread_cycles_per_gp", (double)c->kthread_cycles / (double)gps);
	rcu_dist_emit(&t->gp_latency, "gp_latency_cycles", out);
	cJSON_AddNumberToObject(out, "gp_latency_jiffies_mean",
				rcu_dist_mean(&t->gp_latency) / (double)t->clk.jiffy);
	rcu_dist_emit(&t->sync_latency, "synchronize_latency_cycles", out);
	cJSON *locks = cJSON_AddArrayToObject(out, "node_lock_by_level");
	for (uint32_t l = 0; l < t->nlevels; l++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "level", l);
		cJSON_AddNumberToObject(o, "nodes", t->num_lvl[l]);
		rcu_lockstat_emit(&c->lockstat[l], c->n_gp, o);
		cJSON_AddNumberToObject(o, "total_acquired", (double)t->c.lockstat[l].acquired);
		cJSON_AddItemToArray(locks, o);
	}
	rcu_lockstat_emit(&c->ofl_lockstat, c->n_gp, cJSON_AddObjectToObject(out, "ofl_lock"));
}

static bool
tree_invariants_hold(const void *rs)
{
	const struct tree *t = rs;
	uint64_t gs = t->rs->gp_seq;
	if (rcu_seq_state(gs) > 1)
		return false;
	uint64_t end = rcu_seq_state(gs) ? rcu_seq_endval(gs) : gs;
	for (uint32_t n = 0; n < t->nnodes; n++) {
		const struct rcu_node *np = &t->node[n];
		if (ULONG_CMP_LT(end, np->gp_seq))
			return false;
		if (!t->p.mutate_early_gp_end) {
			if (np->qsmask & ~np->qsmaskinit)
				return false;
			if (rcu_seq_state(gs) == 0 && np->qsmask)
				return false;
		}
		if (!spin_invariants_hold(t->kl, &np->lock))
			return false;
	}
	return true;
}

const struct rcl_ops rcl_tree_rcu_ops = {
	.comp = {
		.name = "tree_rcu",
		.summary = "Linux Tree RCU (non-PREEMPT): rcu_node combining tree, gp_seq, GP kthread "
			   "with FQS, QS from tick/context switch/idle, per-CPU segmented callback lists",
		.params = tree_params,
		.params_size = sizeof(struct tree_params),
	},
	.create = tree_create,
	.destroy = tree_destroy,
	.read_lock = tree_read_lock,
	.read_unlock = tree_read_unlock,
	.dereference = tree_dereference,
	.assign_pointer = tree_assign_pointer,
	.retire = tree_retire,
	.synchronize = tree_synchronize,
	.poll = NULL,
	.quiescent_state = tree_quiescent_state,
	.idle_enter = tree_idle_enter,
	.idle_exit = tree_idle_exit,
	.cpu_exit = tree_cpu_exit,
	.stats = tree_stats,
	.invariants_hold = tree_invariants_hold,
};
