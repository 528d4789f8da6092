// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Pieces shared by the Linux RCU family of schemes (rcl_tree_rcu.c,
 * rcl_classic_rcu.c, rcl_srcu.c): grace-period sequence numbers, the
 * segmented callback list, a raw spinlock that lives inside a simulated
 * line, the scheduling-clock tick with a finer "wake-up" slice, and the
 * accounting every scheme reports.
 *
 * SOURCE: torvalds/linux kernel/rcu/rcu.h (rcu_seq_*),
 *         kernel/rcu/rcu_segcblist.c (rcu_segcblist_advance/accelerate),
 *         include/linux/rcupdate.h (ULONG_CMP_*).
 *
 * gp_seq: the low RCU_SEQ_CTR_SHIFT bits are the state (0 = idle, else a
 * grace period is in progress), the rest counts grace periods:
 *
 *      ... 4k (idle) -> 4k+1 (GP k+1 running) -> 4k+4 (idle) ...
 *      rcu_seq_start: +1, then a full fence
 *      rcu_seq_end:   a full fence, then (s | 3) + 1
 *      rcu_seq_snap:  (s + 7) & ~3 = the end of the next *full* GP
 *
 * Nothing in this header is a scheme: each scheme file keeps its own
 * state, layout and costs, and uses these helpers as the kernel's
 * tree.c, rcuclassic.c and srcutree.c use rcu.h.
 */
#ifndef SIM_RCU_COMMON_H
#define SIM_RCU_COMMON_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "reclaim.h"
#include "sim.h"

struct sim;

/* ---- wrap-safe comparisons and gp_seq helpers (rcu.h) ---- */

#define ULONG_CMP_GE(a, b) (UINT64_MAX / 2 >= (uint64_t)((a) - (b)))
#define ULONG_CMP_LT(a, b) (UINT64_MAX / 2 < (uint64_t)((a) - (b)))

#define RCU_SEQ_CTR_SHIFT 2
#define RCU_SEQ_STATE_MASK ((1u << RCU_SEQ_CTR_SHIFT) - 1)

static inline uint64_t rcu_seq_ctr(uint64_t s) { return s >> RCU_SEQ_CTR_SHIFT; }
static inline unsigned rcu_seq_state(uint64_t s) { return (unsigned)(s & RCU_SEQ_STATE_MASK); }
static inline uint64_t rcu_seq_endval(uint64_t s) { return (s | RCU_SEQ_STATE_MASK) + 1; }
/* The snapshot a waiter arriving now must wait for (no fence: callers
 * that need the kernel's smp_mb() pay sim_fence_full() themselves). */
static inline uint64_t rcu_seq_snap_val(uint64_t s)
{
	return (s + 2 * RCU_SEQ_STATE_MASK + 1) & ~(uint64_t)RCU_SEQ_STATE_MASK;
}
static inline bool rcu_seq_done_val(uint64_t cur, uint64_t s) { return ULONG_CMP_GE(cur, s); }
static inline bool rcu_seq_started_val(uint64_t cur, uint64_t s)
{
	return ULONG_CMP_LT((s - 1) & ~(uint64_t)RCU_SEQ_STATE_MASK, cur);
}
static inline bool rcu_seq_completed_gp(uint64_t old, uint64_t nw)
{
	return ULONG_CMP_LT(old, nw & ~(uint64_t)RCU_SEQ_STATE_MASK);
}
static inline bool rcu_seq_new_gp(uint64_t old, uint64_t nw)
{
	return ULONG_CMP_LT((old + RCU_SEQ_STATE_MASK) & ~(uint64_t)RCU_SEQ_STATE_MASK, nw);
}

/*
 * rcu_seq_start / rcu_seq_end on a simulated word, with the kernel's
 * fences.  Context: simulated CPU, sole writer of *sp (the caller holds
 * the lock that serializes writers).  Cost: one store to sp's line plus
 * fence.full.
 */
void rcu_seq_start(uint64_t *sp);
void rcu_seq_end(uint64_t *sp);

/* ---- callbacks (rcu_head kept host-side) ---- */

/*
 * One retired object.  MODEL: the kernel threads an rcu_head through the
 * object itself; here the object belongs to the workload (struct foo has
 * no rcu_head), so the list node lives host-side and call_rcu() charges
 * only its per-CPU list-length store.  A "waiter" callback (obj == NULL)
 * is synchronize()'s wakeme_after_rcu: invoking it sets *done.
 */
struct rcu_cb {
	void *obj;
	uint32_t size, align;
	sim_time_t t_retire;
	bool *done;
};

/*
 * rcu_segcblist: a FIFO of callbacks cut into segments by tails[].
 *
 *   head                                                   tails[NEXT]
 *    | DONE ... | WAIT ... | NEXT_READY ... | NEXT ...        |
 *               ^tails[DONE] ^tails[WAIT]   ^tails[NEXT_READY]
 *
 * Segment i holds [tails[i-1], tails[i]) (tails[-1] = head) and, for
 * WAIT and NEXT_READY, waits for gp_seq[i].  Indices are absolute
 * positions in cbs[], which grows; head advances as DONE is extracted.
 * Host-side only: the scheme charges whatever simulated lines the
 * kernel's list manipulation would touch.
 */
enum { RCU_DONE_TAIL, RCU_WAIT_TAIL, RCU_NEXT_READY_TAIL, RCU_NEXT_TAIL, RCU_CBLIST_NSEGS };

struct rcu_segcblist {
	GArray *cbs;                /* struct rcu_cb; [0, base) already extracted */
	uint64_t base;              /* absolute index of cbs[0] */
	uint64_t head;              /* absolute index of the first live callback */
	uint64_t tails[RCU_CBLIST_NSEGS];
	uint64_t gp_seq[RCU_CBLIST_NSEGS];
};

void rcu_segcblist_init(struct rcu_segcblist *l);
void rcu_segcblist_free(struct rcu_segcblist *l);
void rcu_segcblist_enqueue(struct rcu_segcblist *l, const struct rcu_cb *cb);
uint64_t rcu_segcblist_n_cbs(const struct rcu_segcblist *l);
bool rcu_segcblist_empty(const struct rcu_segcblist *l);
bool rcu_segcblist_segempty(const struct rcu_segcblist *l, int seg);
/* Callbacks after segment seg? */
bool rcu_segcblist_restempty(const struct rcu_segcblist *l, int seg);
/* Callbacks not yet ready (anything after DONE)? */
bool rcu_segcblist_pend_cbs(const struct rcu_segcblist *l);
/* Callbacks ready to invoke (DONE non-empty)? */
bool rcu_segcblist_ready_cbs(const struct rcu_segcblist *l);
/* Move every segment whose gp_seq is <= seq into DONE. */
void rcu_segcblist_advance(struct rcu_segcblist *l, uint64_t seq);
/* Tag not-yet-tagged callbacks with seq.  Return: true if some callbacks
 * now wait for a grace period they did not wait for before (the caller
 * must make sure that grace period gets started). */
bool rcu_segcblist_accelerate(struct rcu_segcblist *l, uint64_t seq);
/* Remove the DONE segment; return how many callbacks were copied to out
 * (an array of struct rcu_cb the caller owns). */
uint64_t rcu_segcblist_extract_done(struct rcu_segcblist *l, GArray *out);

/* ---- raw spinlock inside a simulated line ---- */

/*
 * A ticket spinlock (Linux x86 arch_spinlock_t before qspinlock: head in
 * the low 32 bits, tail in the high 32) stored in one 64-bit word of a
 * line that also holds the data it protects, as the kernel puts rcu_node
 * ->lock in the node's first cache line.  Waiters spin on that line, so
 * every handoff also moves the protected data.
 * MODEL: qspinlock would queue waiters on per-CPU MCS nodes instead, so
 * under contention the line moves less than here.  Cost: lock = one FAA +
 * one load (+ spinning); unlock = load + release store.
 */
struct rcu_lockstat {
	uint64_t acquired;
	uint64_t contended;         /* acquisitions that had to wait */
	uint64_t wait_cycles;       /* cycles spent waiting */
	uint64_t trylock_failed;
};

void rcu_raw_lock(uint64_t *lock, struct rcu_lockstat *st);
bool rcu_raw_trylock(uint64_t *lock, struct rcu_lockstat *st);
void rcu_raw_unlock(uint64_t *lock);
/* For invariant checks (host): is the lock free? */
bool rcu_raw_lock_is_free(const uint64_t *lock);

void rcu_lockstat_emit(const struct rcu_lockstat *st, uint64_t per, cJSON *out);

/* ---- the scheduling-clock tick and the wake-up slice ---- */

/*
 * The engine allows one tick handler per run.  RCU schemes register it
 * with a period of one "slice" = jiffy / slices, and treat the slice
 * that starts a new jiffy as the scheduling-clock tick.  The other
 * slices exist only so that a kthread the scheme runs on its GP CPU
 * (woken by a store on another CPU) gets to run within a slice rather
 * than at the next tick.
 * MODEL: a woken kthread starts within one slice (wakeup_us, default
 * 50 us), standing in for the IPI and scheduler latency of a real
 * wake-up; that latency is not otherwise charged.
 */
struct rcu_clock {
	uint64_t jiffy;             /* cycles per jiffy (slices * slice) */
	uint64_t slice;             /* the registered tick period */
	uint32_t slices;            /* slices per jiffy */
	uint32_t hz;
	uint64_t tick_work;         /* max cycles of non-RCU work per tick */
};

/* Fill c from hz, wakeup_us and tick_work_ns on sim's machine, and
 * register fn as the run's tick handler. */
void rcu_clock_register(struct rcu_clock *c, struct sim *sim, uint32_t hz, uint32_t wakeup_us,
			uint32_t tick_work_ns, bool skew, void (*fn)(void *), void *arg);

/*
 * rcu_tick_other_work - the rest of the scheduling-clock interrupt
 * (update_process_times, scheduler_tick, timers), which runs before
 * RCU's part: uniform in [0, tick_work] cycles of local work from this
 * CPU's random stream.
 * MODEL: besides its cost (mean tick_work_ns / 2 per jiffy), it stands
 * in for the spread of tick arrival on a real machine, where RCU_SOFTIRQ
 * runs after scheduler_tick() and the timer and sched softirqs, whose
 * length varies per CPU.  Without it every CPU's tick reaches its leaf
 * rcu_node in the same cycle and all but one note_gp_changes() trylock
 * fail (with 0, that worst case is what runs).  The default, 5 us, is an
 * assumption, not a measurement; GP latency at 1,024+ CPUs depends on
 * it (docs/rcu.md shows how much).
 * Context: tick handler.
 */
void rcu_tick_other_work(const struct rcu_clock *c);
/* Current jiffies of this CPU's clock (all CPUs agree: jiffies is
 * simulated time / jiffy).  MODEL: reading jiffies costs nothing. */
static inline uint64_t rcu_jiffies(const struct rcu_clock *c) { return sim_now() / c->jiffy; }

/* ---- distributions and common accounting ---- */

/* Samples of a latency, summarized at report time (count, mean,
 * p50/p90/p99, max). */
struct rcu_dist {
	GArray *v;                  /* uint64_t */
};
void rcu_dist_init(struct rcu_dist *d);
void rcu_dist_free(struct rcu_dist *d);
void rcu_dist_add(struct rcu_dist *d, uint64_t x);
void rcu_dist_emit(const struct rcu_dist *d, const char *name, cJSON *out);
double rcu_dist_mean(const struct rcu_dist *d);

/* What the common metrics (rcl_stats_emit) need beyond struct rcl_stats. */
struct rcu_emit_extra {
	double freq_ghz;                    /* the machine's, for the _ns metrics */
	uint64_t read_cycles;               /* inside read-side lock + unlock */
	uint64_t retire_cycles;             /* inside call_rcu() / retire() */
	const struct rcu_dist *gp_latency;  /* the GPs measured (steady state) */
};

/* rcu_stats_emit - the metrics every reclaim scheme reports
 * (rcl_stats_emit), from st plus x.  Context: host, end of run. */
void rcu_stats_emit(const struct rcl_stats *st, const struct rcu_emit_extra *x, cJSON *out);

/*
 * Invoke callbacks extracted from a DONE segment: free each object with
 * sim_free (which poisons it) after charging cb_cycles of local work,
 * or complete a waiter.  Return: objects freed.  Context: simulated CPU.
 */
uint64_t rcu_invoke_cbs(GArray *cbs, uint64_t cb_cycles, struct rcl_stats *st);

#endif
