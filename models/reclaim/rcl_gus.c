// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * FreeBSD SMR, "Global Unbounded Sequences" (GUS), with UMA's per-CPU
 * free buckets, as code on simulated CPUs.
 *
 * SOURCE: freebsd/freebsd-src sys/kern/subr_smr.c, sys/sys/smr.h,
 * sys/sys/smr_types.h, sys/vm/uma_core.c (rS357637, rS358236, rS358400);
 * summarized in ../shared/reference/reclaim-algorithms.md section 1.
 * Lineage: ck_epoch (Al Bahra) after Fraser's EBR, plus ParSec's global
 * write clock used to stamp frees (Wang, Stamler, Parmer, EuroSys'16).
 *
 * THE IDEA.  A write clock s_wr_seq and a read hand s_rd_seq move through
 * a 32-bit sequence space; each CPU publishes in c_seq the write clock
 * it saw when its read section began (0 when it is in none).  A writer
 * that unlinks memory advances the clock and tags the memory with the
 * result (its goal); once every CPU has been seen at or past the goal,
 * or idle, the read hand passes it and the memory can be reused:
 *
 *   | ------------------- 32-bit sequence space ------------------- |
 *                ^ s_rd_seq                        ^ s_wr_seq
 *                | ------ live sequences -------- |
 *                  ^ c_seq (cpu 3)   ^ c_seq (cpu 7)
 *   | - expired - | -- tagged frees wait here ---- | -- expired --- |
 *
 * INVARIANTS (gus_invariants_hold, checked after the run and in tests):
 *   - s_rd_seq <= s_wr_seq (wrap-safe); outside lazy mode they are less
 *     than seq_max_delta + (CPUs * seq_incr) apart;
 *   - every c_seq is SMR_SEQ_INVALID or odd; every tagged bucket's goal is
 *     odd; every goal is <= s_wr_seq + 2 * seq_incr (lazy/deferred goals
 *     may lie ahead of the clock, by at most SMR_SEQ_ADVANCE);
 *   - a reader only dereferences memory that was reachable when it
 *     loaded its copy of s_wr_seq, so memory tagged with goal <= s_rd_seq
 *     is unreachable by every reader (the use-after-free checker tests
 *     exactly this: every freed object is poisoned).
 *
 * MODES (one smr per instance, like smr_create()'s flags):
 *   default   smr_enter = load s_wr_seq + one LOCK ADD of it into c_seq
 *             (the add doubles as the full fence; FreeBSD uses an add
 *             because there is no store-acquire); on machines whose
 *             atomics are not full fences: store + full fence.  smr_exit
 *             = store-release of 0.  smr_advance = one fetch-add on the
 *             shared line.
 *   lazy      plain load + plain store to enter, plain store to exit.  The
 *             write clock moves with the tick: smr_lazy_advance() CASes
 *             (seq, ticks) forward by at most 2 increments, and goals lie
 *             2 ticks ahead; safety rests on every CPU's tick interrupt
 *             draining its store buffer (our tick handler: a full fence).
 *             Lazy SMRs never wait: synchronize polls once per tick.
 *   deferred  as default, but smr_advance writes the shared line only
 *             every c_limit calls and otherwise returns wr + incr, a goal
 *             in the future; non-blocking polls of such goals fail, a
 *             blocking one pushes the clock itself.
 *
 * RETIRE = uma_zfree_smr().  Items go into the CPU's free bucket at no
 * shared cost; a full bucket is tagged with one smr_advance() and queued
 * at the tail of its NUMA domain's FIFO (under the domain lock); then,
 * as uma_zalloc_smr() does when it needs a bucket, the CPU peeks at the
 * head bucket's goal, polls it without blocking, and frees every bucket
 * whose goal has expired.  So a scan costs at most one poll per
 * bucket_size frees (rS357637: "one poll for every 15,000 frees").
 * poll() does the same drain; cpu_exit() tags the partial bucket and
 * drains its domain with blocking waits, so no retired object survives
 * the run.
 *
 * LAYOUT: FreeBSD keeps s_wr_seq and s_rd_seq on one line, so every
 * s_rd_seq CAS also invalidates the readers' copies of s_wr_seq;
 * rd_seq_line = own moves s_rd_seq to a line of its own (docs/gus.md
 * measures what that is worth at 65,536 CPUs).
 *
 * COSTS (cache.c's model): default enter = a read of the shared line (a
 * hit unless an advance or a rd_seq CAS invalidated it) + a locked RMW
 * on the CPU's own line (a hit unless a poll scan pulled it to S since);
 * exit = one store.  Flat poll scan = N c_seq loads, each a transfer from
 * the reader's cache when it entered or left a section since the last
 * scan, plus a CAS on the shared line.  The tree (poll = tree) replaces
 * the scan by reads of one or two lines; see rcl_gus_tree.c.
 *
 * MUTATIONS ("mutate"), to show the checker catches real bugs:
 *   no_clamp       the clamp "c_seq < s_rd_seq => c_seq = s_rd_seq" in
 *                  smr_poll_cpu() deleted.  FINDING: on its own this is
 *                  not a bug in FreeBSD's code.  A stale c_seq below the
 *                  poll's s_rd_seq still lowers the scan's minimum
 *                  (SMR_SEQ_MIN keeps it), and smr_poll_scan() only CASes
 *                  s_rd_seq forward (SMR_SEQ_GT), so the outcome is the
 *                  same as with the clamp.  The clamp only matters when a
 *                  stale value lies more than 2^31 - seq_max_delta behind
 *                  s_wr_seq (the signed comparison then wraps).  That is
 *                  about 10^9 advances during one stalled smr_enter, or a
 *                  few thousand with INVARIANTS-sized increments.
 *   stale_expired  the clamp replaced by the rule the GUS comment applies
 *                  to stored goals ("a sequence number outside
 *                  [rd, wr] has expired"), i.e. a c_seq older than
 *                  s_rd_seq is skipped like an idle CPU.  This is the bug
 *                  the clamp's comment guards against.  A reader that
 *                  loaded s_wr_seq, was delayed while a writer advanced and
 *                  a poll saw it idle, then stored its stale c_seq no
 *                  longer holds s_rd_seq back.  Memory the reader
 *                  dereferences afterwards is freed under it.  The
 *                  explorer finds this within 1,000 seeds (tests/test-gus.c).
 *
 * WHAT THE MODEL LEAVES OUT (MODEL):
 *   - critical_enter/exit cost nothing (no preemption is simulated).
 *   - Per-CPU private state (c_deferred, c_flags, the free bucket's
 *     contents) is host memory, free of cost: in the kernel it is an L1
 *     hit on a line no other CPU reads.  Retire is therefore free except
 *     for the advance and drain at each full bucket; real uma_zfree_smr
 *     costs some 10-20 ns.
 *   - `ticks` (FreeBSD's global tick count, written by one CPU's
 *     hardclock) is read as now / tick_period, free of cost: the one miss
 *     per tick on its line is not charged.
 *   - The domain's bucket list is host memory; the domain lock and the
 *     head goal (uzd_seq) are simulated lines.  Empty buckets come free
 *     (bucket_alloc never fails, so bucket_drain's blocking smr_wait is
 *     never taken).  Cross-domain frees are not re-sorted: every bucket
 *     goes to the freeing CPU's domain.
 *   - Freeing a bucket's items (sim_free) costs nothing.
 *
 * TICKS: only lazy mode and the tree poll register the scheduling-clock
 * tick (gus_tick); default and deferred with the flat poll take none, so
 * GUS never interrupts a sleeping CPU.  GUS registers no NO_HZ hook: a
 * CPU in the idle loop takes none of its ticks either, as FreeBSD's
 * cpu_idleclock() stops hardclock on an idle CPU (kern.eventtimer.idletick
 * defaults to 0).  The RCU models keep an idle CPU's jiffy tick only
 * while it has callbacks (rcu_clock.h rcu_clock_nohz); docs/gus-idle.md
 * compares the two.
 */
#include <string.h>

#include "engine.h"
#include "rcl_gus.h"

static const char *const mode_names[] = { "default", "lazy", "deferred", NULL };
static const char *const poll_names[] = { "flat", "tree", NULL };
static const char *const rd_line_names[] = { "shared", "own", NULL };
static const char *const mutate_names[] = { "none", "no_clamp", "stale_expired", NULL };

static const struct sim_param gus_params_tbl[] = {
	SIM_P_ENUM_ROW(struct gus_params, mode, mode_names, GUS_MODE_DEFAULT,
		       "default: LOCK ADD enter, fetch-add advance; lazy: plain stores, tick-driven "
		       "write clock; deferred: shared write every c_limit advances"),
	SIM_P_ENUM_ROW(struct gus_params, poll, poll_names, GUS_POLL_FLAT,
		       "flat: smr_poll scans every CPU's c_seq; tree: per-group floors refreshed "
		       "at the tick, combined up a tree (rcl_gus_tree.c)"),
	SIM_P_U32_ROW(struct gus_params, c_limit, 1, 1000000, 8,
		      "deferred mode: smr_advance calls per write of the shared s_wr_seq line"),
	SIM_P_U32_ROW(struct gus_params, bucket_size, 1, 65536, 253,
		      "items per UMA free bucket, i.e. frees per smr_advance (253 on LP64)"),
	SIM_P_U32_ROW(struct gus_params, hz, 1, 1000000, 1000,
		      "scheduling-clock ticks per simulated second (lazy mode, tree rounds)"),
	SIM_P_BOOL_ROW(struct gus_params, tick_skew, true,
		       "stagger each CPU's tick across the period (else all tick together)"),
	SIM_P_U32_ROW(struct gus_params, seq_init, 1, UINT32_MAX, 1,
		      "SMR_SEQ_INIT, odd; INVARIANTS kernels start at UINT_MAX - 100000 to test wrap"),
	SIM_P_U32_ROW(struct gus_params, seq_incr, 2, 1u << 28, 2,
		      "SMR_SEQ_INCR, even; INVARIANTS kernels use UINT_MAX / 10000 (rounded even)"),
	SIM_P_U32_ROW(struct gus_params, seq_max_delta, 16, 1u << 30, UINT32_MAX / 4,
		      "SMR_SEQ_MAX_DELTA: an advance this far ahead of s_rd_seq waits first"),
	SIM_P_U32_ROW(struct gus_params, seq_max_advance, 8, 1u << 30, UINT32_MAX / 4 - 1024,
		      "SMR_SEQ_MAX_ADVANCE: how far behind the new goal that wait's goal lies"),
	SIM_P_ENUM_ROW(struct gus_params, rd_seq_line, rd_line_names, 0,
		       "shared: s_rd_seq on the s_wr_seq line, as in FreeBSD (every s_rd_seq CAS "
		       "invalidates the readers' copies); own: on a line of its own"),
	SIM_P_U32_ROW(struct gus_params, tree_fanout, 2, 64, 16,
		      "poll = tree: CPUs per leaf group and children per interior node"),
	SIM_P_ENUM_ROW(struct gus_params, mutate, mutate_names, GUS_MUTATE_NONE,
		       "deliberate bug for checker tests: no_clamp deletes the stale-c_seq clamp "
		       "(harmless, see rcl_gus.c); stale_expired skips stale c_seq like idle CPUs"),
	SIM_P_END,
};

static gboolean
gus_check(const void *params, uint32_t ncpus, const struct sim_origin *o, GError **err)
{
	const struct gus_params *p = params;
	(void)ncpus;
	if ((p->seq_init & 1) == 0) {
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, "seq_init",
				"%u is even; valid sequence numbers are odd (0 means idle)", p->seq_init);
		return FALSE;
	}
	if (p->seq_incr & 1) {
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, "seq_incr",
				"%u is odd; the increment must be even to keep sequences odd",
				p->seq_incr);
		return FALSE;
	}
	if (p->seq_max_advance >= p->seq_max_delta ||
	    p->seq_max_delta < 4 * (uint64_t)p->seq_incr) {
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, "seq_max_delta",
				"need 4 * seq_incr (%u) <= seq_max_delta (%u) and seq_max_advance "
				"(%u) < seq_max_delta", p->seq_incr, p->seq_max_delta,
				p->seq_max_advance);
		return FALSE;
	}
	return TRUE;
}

static inline struct gus_cpu *
self(struct gus *g)
{
	return &g->cpu[sim_cpu_id()];
}

/* FreeBSD's `ticks`: the tick count, read free of cost (MODEL). */
static inline int32_t
gus_ticks(const struct gus *g)
{
	return (int32_t)(uint32_t)(sim_now() / g->tick_period);
}

/* SMR_SEQ_ADVANCE: how far a lazy/deferred goal may run ahead of s_wr_seq. */
static inline smr_seq_t
smr_seq_advance(const struct gus *g)
{
	return SMR_LAZY_GRACE * g->p.seq_incr;
}

/* ---- readers (sys/sys/smr.h) ---- */

/*
 * smr_enter / smr_lazy_enter.  Cost: a read of the shared line and a
 * locked RMW (default, deferred) or a plain store (lazy) on the CPU's own
 * c_seq line.  Context: simulated CPU; may yield; no nesting.
 */
static void
gus_read_lock(void *rs)
{
	struct gus *g = rs;
	uint32_t id = sim_cpu_id();
	struct gus_cpu *pc = &g->cpu[id];
	GUS_ASSERT(g, !pc->in_section, "smr_enter does not support recursion");
	sim_time_t t0 = sim_now();
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_READ_SIDE);
	pc->in_section = true;             /* critical_enter() */
	smr_seq_t wr = sim_load32(&g->s->s_wr.seq);
	smr_seq_t *c_seq = &g->c[id].c_seq;
	if (g->p.mode == GUS_MODE_LAZY) {
		sim_store32(c_seq, wr);    /* no fence: the tick drains the store buffer */
	} else if (g->locked_add) {
		/* atomic_add_acq_int: c_seq is 0 here, so the add stores wr,
		 * and the LOCK prefix orders it before every later load. */
		(void)sim_faa32(c_seq, wr);
	} else {
		sim_store32(c_seq, wr);
		sim_fence_full();          /* atomic_thread_fence_seq_cst() */
	}
	sim_cause_pop(prev);
	rcl_stats_read_time(&g->st, t0);
}

/* smr_exit / smr_lazy_exit: one store of SMR_SEQ_INVALID. */
static void
gus_read_unlock(void *rs)
{
	struct gus *g = rs;
	uint32_t id = sim_cpu_id();
	struct gus_cpu *pc = &g->cpu[id];
	GUS_ASSERT(g, pc->in_section, "smr_exit outside a read section");
	sim_time_t t0 = sim_now();
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_READ_SIDE);
	if (g->p.mode == GUS_MODE_LAZY) {
		sim_fence_release();       /* atomic_thread_fence_rel(): free on x86 */
		sim_store32(&g->c[id].c_seq, SMR_SEQ_INVALID);
	} else {
		sim_store32_rel(&g->c[id].c_seq, SMR_SEQ_INVALID);
	}
	pc->in_section = false;            /* critical_exit() */
	sim_cause_pop(prev);
	rcl_stats_read_time(&g->st, t0);
	g->st.read_sections++;
}

/* smr_entered_load: an acquire load inside a section. */
static void *
gus_dereference(void *rs, void *const *pp, unsigned slot)
{
	struct gus *g = rs;
	(void)slot;
	GUS_ASSERT(g, self(g)->in_section, "smr_entered_load outside a read section");
	return sim_loadp_acq(pp);
}

/* smr_serialized_store: a release store by a serialized writer. */
static void
gus_assign_pointer(void *rs, void **pp, void *v)
{
	(void)rs;
	sim_storep_rel(pp, v);
}

/* ---- the write clock (subr_smr.c) ---- */

/* smr_shared_current */
static inline smr_seq_t
smr_shared_current(struct gus *g)
{
	return sim_load32(&g->s->s_wr.seq);
}

/* smr_shared_advance: one fetch-add on the shared line. */
static smr_seq_t
smr_shared_advance(struct gus *g)
{
	return sim_faa32(&g->s->s_wr.seq, g->p.seq_incr) + g->p.seq_incr;
}

static bool smr_poll(struct gus *g, smr_seq_t goal, bool wait);

/*
 * smr_lazy_advance: move (seq, ticks) forward with the tick count, by at
 * most SMR_LAZY_GRACE increments, with one CAS64 that nobody retries
 * (whoever loses the race finds the clock already moved).  Returns the
 * goal: SMR_LAZY_GRACE ticks ahead of the clock.
 */
static smr_seq_t
smr_lazy_advance(struct gus *g)
{
	struct smr_shared *s = g->s;
	uint64_t old = sim_load64_acq(&s->s_wr._pair);
	smr_seq_t seq = (smr_seq_t)old;
	int32_t s_ticks = (int32_t)(uint32_t)(old >> 32);
	int32_t t = gus_ticks(g);
	int32_t d = t - s_ticks;
	if (d != 0) {
		if (d > (int32_t)SMR_LAZY_GRACE || d < 0)
			d = SMR_LAZY_GRACE;
		seq += (smr_seq_t)d * g->p.seq_incr;
		uint64_t nw = (uint64_t)seq | ((uint64_t)(uint32_t)t << 32);
		(void)sim_cas64(&s->s_wr._pair, old, nw);
	}
	return seq + smr_seq_advance(g);
}

/*
 * smr_default_advance: fetch-add the clock; if the new goal is too far
 * ahead of s_rd_seq for the wrap-safe comparisons, first wait for the
 * read hand to catch up (advance_wait).
 */
static smr_seq_t
smr_default_advance(struct gus *g)
{
	smr_seq_t s_rd_seq = sim_load32_acq(g->s_rd_seq);
	smr_seq_t goal = smr_shared_advance(g);
	if ((smr_seq_t)(goal - s_rd_seq) >= g->p.seq_max_delta) {
		g->advance_wait++;
		(void)smr_poll(g, goal - g->p.seq_max_advance, true);
	}
	g->advance++;
	return goal;
}

/* smr_deferred_advance: write the shared line every c_limit calls. */
static smr_seq_t
smr_deferred_advance(struct gus *g, struct gus_cpu *pc)
{
	if (++pc->c_deferred < g->p.c_limit)
		return smr_shared_current(g) + g->p.seq_incr;
	pc->c_deferred = 0;
	return smr_default_advance(g);
}

/*
 * smr_advance - advance the write clock; return the goal that readers
 * must reach before memory unlinked before this call may be reused.
 * Context: simulated CPU, outside a read section; may yield (and, in
 * default/deferred mode, wait when the hands are seq_max_delta apart).
 */
static smr_seq_t
smr_advance(struct gus *g)
{
	struct gus_cpu *pc = self(g);
	GUS_ASSERT(g, !pc->in_section, "smr_advance inside a read section");
	sim_fence_release();               /* earlier unlinks before the new clock */
	switch (g->p.mode) {
	case GUS_MODE_LAZY:
		return smr_lazy_advance(g);
	case GUS_MODE_DEFERRED:
		return smr_deferred_advance(g, pc);
	default:
		return smr_default_advance(g);
	}
}

/* ---- polling (subr_smr.c) ---- */

/*
 * smr_poll_cpu - the sequence CPU `cpu` is seen at: SMR_SEQ_INVALID if it
 * is idle, else its c_seq, clamped up to `pin` (the caller's s_rd_seq, or
 * a tree node's floor) if older -- the stale value left by a reader that
 * loaded s_wr_seq before a poll found it idle and stored it after.  With
 * wait, spin (sleep until its line is written) until it meets goal.
 * Cost: one load of the CPU's c_seq line per check.
 */
smr_seq_t
gus_poll_cpu(struct gus *g, uint32_t cpu, smr_seq_t pin, smr_seq_t goal, bool wait,
	     uint64_t *lines)
{
	smr_seq_t *addr = &g->c[cpu].c_seq;
	smr_seq_t c_seq;
	for (;;) {
		c_seq = sim_load32(addr);
		(*lines)++;
		if (c_seq == SMR_SEQ_INVALID)
			break;
		if (SMR_SEQ_LT(c_seq, pin)) {
			g->stale_seen++;
			if (g->p.mutate == GUS_MUTATE_STALE_EXPIRED)
				return SMR_SEQ_INVALID;    /* MUTATION: treated as expired */
			if (g->p.mutate != GUS_MUTATE_NO_CLAMP)
				c_seq = pin;               /* the clamp */
		}
		if (SMR_SEQ_LEQ(goal, c_seq))
			break;
		if (!wait)
			break;
		/* cpu_spinwait(): sleep until the line is written */
		sim_wait_for_write(addr, SIM_TIME_NEVER);
	}
	return c_seq;
}

/*
 * smr_poll_scan - every CPU's sequence; CAS s_rd_seq forward to the
 * oldest (single attempt, not retried); return the read hand the caller
 * may trust.  s_wr_seq was loaded before any c_seq, so a stale c_seq can
 * only refer to time before it.  Cost: N c_seq lines, then the shared
 * line twice.
 */
static smr_seq_t
smr_poll_scan(struct gus *g, smr_seq_t s_rd_seq, smr_seq_t s_wr_seq, smr_seq_t goal, bool wait,
	      uint64_t *poll_lines)
{
	sim_time_t t0 = sim_now();
	uint64_t lines = 0;
	g->poll_scan++;
	/* The read hand can be no further than the write clock at poll start. */
	smr_seq_t rd_seq = s_wr_seq;
	for (uint32_t i = 0; i < g->ncpus; i++) {
		smr_seq_t c_seq = gus_poll_cpu(g, i, s_rd_seq, goal, wait, &lines);
		if (c_seq != SMR_SEQ_INVALID)
			rd_seq = SMR_SEQ_MIN(rd_seq, c_seq);
	}
	s_rd_seq = sim_load32(g->s_rd_seq);
	if (SMR_SEQ_GT(rd_seq, s_rd_seq)) {
		(void)sim_cas32(g->s_rd_seq, s_rd_seq, rd_seq);
		s_rd_seq = rd_seq;
	}
	sim_time_t dt = sim_now() - t0;
	g->scan_cycles += dt;
	if (dt > g->scan_cycles_max)
		g->scan_cycles_max = dt;
	g->scan_lines += lines + 2;
	*poll_lines += lines;
	return s_rd_seq;
}

/*
 * smr_poll - has every reader observed goal?  Fast path: s_rd_seq already
 * passed it.  Lazy/deferred goals up to SMR_SEQ_ADVANCE ahead of the
 * clock fail without wait; with wait the caller pushes the clock.  A goal
 * further ahead can only be a wrapped, long-expired one: success.
 * Context: simulated CPU, outside a read section when wait; may yield.
 */
static bool
smr_poll_impl(struct gus *g, smr_seq_t goal, bool wait, bool refresh)
{
	struct smr_shared *s = g->s;
	bool success = true;
	GUS_ASSERT(g, !wait || !self(g)->in_section, "smr_poll: blocking inside a read section");
	GUS_ASSERT(g, !wait || g->p.mode != GUS_MODE_LAZY, "smr_poll: lazy SMRs cannot block");
	sim_time_t t0 = sim_now();
	uint64_t lines = 1;                /* the shared line */
	g->poll++;
	if (g->p.mode == GUS_MODE_LAZY)
		(void)smr_lazy_advance(g);
	smr_seq_t s_rd_seq = sim_load32_acq(g->s_rd_seq);
	if (SMR_SEQ_LEQ(goal, s_rd_seq))
		goto out;
	/* Before any c_seq: a stale c_seq then refers to time before it. */
	smr_seq_t s_wr_seq = sim_load32_acq(&s->s_wr.seq);
	smr_delta_t delta = SMR_SEQ_DELTA(goal, s_wr_seq);
	if (delta > 0 && delta <= (smr_delta_t)smr_seq_advance(g) &&
	    g->p.mode != GUS_MODE_DEFAULT) {
		if (!wait) {
			success = false;
			goto out;
		}
		s_wr_seq = smr_shared_advance(g);
		delta = 0;
	}
	if (delta > 0)
		goto out;
	if (g->p.poll == GUS_POLL_TREE)
		s_rd_seq = gus_tree_poll(g, s_rd_seq, s_wr_seq, goal, wait, refresh, &lines);
	else
		s_rd_seq = smr_poll_scan(g, s_rd_seq, s_wr_seq, goal, wait, &lines);
	success = SMR_SEQ_LEQ(goal, s_rd_seq);
out:
	if (!success)
		g->poll_fail++;
	sim_fence_acquire();
	/* refresh: a waiter's poll (smr_wait); else the allocation path's */
	g->poll_n[refresh]++;
	g->poll_cycles[refresh] += sim_now() - t0;
	g->poll_lines[refresh] += lines;
	return success;
}

static bool
smr_poll(struct gus *g, smr_seq_t goal, bool wait)
{
	return smr_poll_impl(g, goal, wait, wait);
}

/*
 * smr_wait.  Lazy SMRs may not block, so they poll once per tick; with
 * the tree, such a poll refreshes the tree itself (without spinning),
 * since the rounds stop when a leader stops taking ticks.
 */
static void
gus_wait(struct gus *g, smr_seq_t goal)
{
	if (g->p.mode != GUS_MODE_LAZY) {
		bool ok = smr_poll(g, goal, true);
		GUS_ASSERT(g, ok, "smr_wait(%u) returned without reaching its goal", goal);
		return;
	}
	while (!smr_poll_impl(g, goal, false, g->tree != NULL))
		sim_sleep_until((sim_now() / g->tick_period + 1) * g->tick_period);
}

/* ---- UMA: free buckets and the domain FIFO (uma_core.c) ---- */

/* Host memory for a bucket.  Every live bucket is also in g->buckets, so
 * destroy() frees the ones a failed run left in a CPU's local variables. */
static struct gus_bucket *
bucket_alloc(struct gus *g)
{
	struct gus_bucket *b = g_malloc(sizeof *b + g->p.bucket_size * sizeof(struct rcl_deferred));
	b->ub_seq = SMR_SEQ_INVALID;
	b->ub_cnt = 0;
	b->ub_tagged_at = 0;
	b->ub_next = NULL;
	g_hash_table_add(g->buckets, b);
	return b;
}

static void
bucket_release(struct gus *g, struct gus_bucket *b)
{
	g_hash_table_remove(g->buckets, b);
}

static inline struct gus_domain *
my_domain(struct gus *g)
{
	return &g->dom[sim_cpu_socket() % g->ndom];
}

/* zone_put_bucket: SMR buckets go to the tail (FIFO, "defer reuse to
 * minimize polling"); an empty list publishes the new head's goal. */
static void
zone_put_bucket(struct gus *g, struct gus_domain *d, struct gus_bucket *b)
{
	g->lops->lock(d->uzd_lock);
	if (d->tail)
		d->tail->ub_next = b;
	else {
		d->head = b;
		sim_store32(d->uzd_seq, b->ub_seq);
	}
	d->tail = b;
	if (++d->nbuckets > g->domain_buckets_peak)
		g->domain_buckets_peak = d->nbuckets;
	g->lops->unlock(d->uzd_lock);
}

/* Free a bucket's items (its reuse), account its goal's latency. */
static void
bucket_free_items(struct gus *g, struct gus_bucket *b)
{
	rcl_stats_gp(&g->st, sim_now() - b->ub_tagged_at);
	for (uint32_t i = 0; i < b->ub_cnt; i++)
		rcl_free_deferred(&g->st, &b->ub_bucket[i]);
	bucket_release(g, b);
}

/* Unlink the head bucket (domain lock held) and republish uzd_seq. */
static struct gus_bucket *
zone_pop_head(struct gus_domain *d)
{
	struct gus_bucket *b = d->head;
	d->head = b->ub_next;
	if (d->head == NULL)
		d->tail = NULL;
	d->nbuckets--;
	sim_store32(d->uzd_seq, d->head ? d->head->ub_seq : SMR_SEQ_INVALID);
	return b;
}

/*
 * zone_fetch_expired - cache_fetch_bucket + zone_fetch_bucket: peek at the
 * head goal without the lock, poll it without blocking (this is where
 * scans happen), then take every bucket at the head whose goal s_rd_seq
 * has passed and free its items.  Return: true if anything was freed.
 */
static bool
zone_fetch_expired(struct gus *g, struct gus_domain *d)
{
	smr_seq_t seq = sim_load32(d->uzd_seq);
	if (seq == SMR_SEQ_INVALID || !smr_poll(g, seq, false))
		return false;
	struct gus_bucket *done = NULL, **tail = &done;
	g->lops->lock(d->uzd_lock);
	smr_seq_t rd = sim_load32_acq(g->s_rd_seq);
	while (d->head && (d->head->ub_seq == seq || SMR_SEQ_LEQ(d->head->ub_seq, rd))) {
		struct gus_bucket *b = zone_pop_head(d);
		b->ub_next = NULL;
		*tail = b;
		tail = &b->ub_next;
	}
	g->lops->unlock(d->uzd_lock);
	bool any = done != NULL;
	while (done) {
		struct gus_bucket *next = done->ub_next;
		bucket_free_items(g, done);
		done = next;
	}
	return any;
}

/* cache_free with a full bucket: tag it with one advance, queue it, and
 * look for an expired bucket to reuse. */
static void
cache_free_full(struct gus *g, struct gus_cpu *pc)
{
	struct gus_bucket *b = pc->uc_freebucket;
	pc->uc_freebucket = bucket_alloc(g);
	b->ub_seq = smr_advance(g);
	b->ub_tagged_at = sim_now();
	g->buckets_tagged++;
	struct gus_domain *d = my_domain(g);
	zone_put_bucket(g, d, b);
	(void)zone_fetch_expired(g, d);
}

/*
 * retire = uma_zfree_smr: into the CPU's free bucket (free of cost); a
 * full bucket costs one smr_advance and one non-blocking drain.
 */
static void
gus_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct gus *g = rs;
	struct gus_cpu *pc = self(g);
	GUS_ASSERT(g, !pc->in_section, "uma_zfree_smr inside a read section");
	sim_time_t t0 = sim_now();
	rcl_stats_retire(&g->st, size);
	if (pc->uc_freebucket == NULL)
		pc->uc_freebucket = bucket_alloc(g);
	struct gus_bucket *b = pc->uc_freebucket;
	b->ub_bucket[b->ub_cnt++] = (struct rcl_deferred){
		.obj = obj, .size = (uint32_t)size, .align = (uint32_t)align, .retired_at = t0 };
	if (b->ub_cnt == g->p.bucket_size) {
		enum sim_cause prev = sim_cause_push(SIM_CAUSE_RECLAIM);
		cache_free_full(g, pc);
		sim_cause_pop(prev);
	}
	rcl_stats_retire_time(&g->st, t0);
}

/* poll = the allocation side's non-blocking drain of the CPU's domain. */
static bool
gus_poll(void *rs)
{
	struct gus *g = rs;
	sim_time_t t0 = sim_now();
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_RECLAIM);
	bool any = zone_fetch_expired(g, my_domain(g));
	sim_cause_pop(prev);
	rcl_stats_poll_time(&g->st, t0);
	return any;
}

/* smr_synchronize = smr_wait(smr_advance()). */
static void
gus_synchronize(void *rs)
{
	struct gus *g = rs;
	sim_time_t t0 = sim_now();
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_GP_WAIT);
	smr_seq_t goal = smr_advance(g);
	gus_wait(g, goal);
	sim_cause_pop(prev);
	rcl_stats_gp(&g->st, sim_now() - t0);
	rcl_stats_sync_time(&g->st, t0);
}

/*
 * cpu_exit = the cache drain at the end: tag the partial free bucket and
 * free every bucket of the CPU's domain, waiting for each goal.
 */
static void
gus_cpu_exit(void *rs)
{
	struct gus *g = rs;
	struct gus_cpu *pc = self(g);
	struct gus_domain *d = my_domain(g);
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_RECLAIM);
	if (pc->uc_freebucket != NULL && pc->uc_freebucket->ub_cnt > 0)
		cache_free_full(g, pc);
	for (;;) {
		g->lops->lock(d->uzd_lock);
		struct gus_bucket *b = d->head ? zone_pop_head(d) : NULL;
		g->lops->unlock(d->uzd_lock);
		if (b == NULL)
			break;
		gus_wait(g, b->ub_seq);
		bucket_free_items(g, b);
	}
	sim_cause_pop(prev);
}

/* ---- the tick (lazy mode, tree rounds) ---- */

static void
gus_tick(void *arg)
{
	struct gus *g = arg;
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_RECLAIM);
	if (g->p.mode == GUS_MODE_LAZY)
		sim_fence_full();  /* the clock interrupt drains the store buffer */
	if (g->tree)
		gus_tree_tick(g);
	sim_cause_pop(prev);
}

/* ---- life cycle ---- */

static void *
gus_create(struct sim *sim, const void *params)
{
	struct gus *g = g_new0(struct gus, 1);
	const struct sim_machine *m = sim_machine_of(sim);
	g->sim = sim;
	g->p = *(const struct gus_params *)params;
	g->ncpus = sim_ncpus_of(sim);
	g->label = g_strdup_printf("gus (%s, %s poll)", mode_names[g->p.mode],
				   poll_names[g->p.poll]);
	g->locked_add = m->fence.atomic_full_fence;
	double per_tick = m->freq_ghz * 1e9 / (double)g->p.hz;
	g->tick_period = per_tick < 1.0 ? 1 : (uint64_t)per_tick;

	/* smr_create(): both hands at SMR_SEQ_INIT, every CPU idle.  The
	 * second line holds s_rd_seq only when rd_seq_line is "own". */
	g->s = sim_alloc(2 * sizeof *g->s, 64);
	g->s_rd_seq = g->p.rd_seq_line ? &g->s[1].s_rd_seq : &g->s->s_rd_seq;
	g->s->s_wr.seq = g->p.seq_init;
	g->s->s_wr.ticks = 0;
	*g->s_rd_seq = g->p.seq_init;
	sim_mem_prime(sim, g->s, 2 * sizeof *g->s, 0);
	g->c = sim_alloc(sizeof *g->c * g->ncpus, 64);
	g->cpu = g_new0(struct gus_cpu, g->ncpus);
	g->buckets = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
	/* A CPU's free bucket is allocated at its first retire (gus_retire):
	 * host memory only, and in rcuscale only the updaters retire, so
	 * allocating one per CPU here cost a page fault per CPU (4,096 CPUs:
	 * 16 MiB of buckets nobody filled).  Host speed only. */
	for (uint32_t i = 0; i < g->ncpus; i++)
		sim_mem_prime(sim, &g->c[i], sizeof g->c[i], i);

	/* One bucket cache per socket the run uses. */
	g->ndom = sim_machine_place(m, g->ncpus - 1).socket + 1;
	g->dom = g_new0(struct gus_domain, g->ndom);
	g->lops = lock_find("ticket");
	g_assert(g->lops != NULL);
	for (uint32_t d = 0; d < g->ndom; d++) {
		uint32_t home = 0;
		while (home < g->ncpus && sim_machine_place(m, home).socket != d)
			home++;
		if (home == g->ncpus)
			home = 0;
		g->dom[d].uzd_seq = sim_alloc(64, 64);
		sim_mem_prime(sim, g->dom[d].uzd_seq, 64, home);
		g->dom[d].uzd_lock = g->lops->create(sim, NULL, home);
	}

	if (g->p.poll == GUS_POLL_TREE)
		g->tree = gus_tree_create(sim, g);
	if (g->p.mode == GUS_MODE_LAZY || g->tree)
		sim_tick_register(sim, g->tick_period, g->p.tick_skew, gus_tick, g);
	sim_set_free_label(sim, g->label);
	return g;
}

static void
gus_destroy(void *rs)
{
	struct gus *g = rs;
	g_hash_table_destroy(g->buckets);      /* every bucket, wherever it was */
	for (uint32_t d = 0; d < g->ndom; d++)
		g->lops->destroy(g->dom[d].uzd_lock);
	if (g->tree)
		gus_tree_destroy(g->tree);
	g_free(g->dom);
	g_free(g->cpu);
	g_free(g->label);
	g_free(g);
}

/* ---- reporting ---- */

static bool
gus_invariants_hold(const void *rs)
{
	const struct gus *g = rs;
	smr_seq_t wr = g->s->s_wr.seq, rd = *g->s_rd_seq;
	smr_seq_t ahead = smr_seq_advance(g);
	if (!SMR_SEQ_LEQ(rd, wr))                   /* the read hand never passes the clock */
		return false;
	/* Wrap-safe comparisons stay valid: an advance that gets seq_max_delta
	 * ahead waits, so at most every CPU's one increment more (lazy SMRs
	 * never wait; FreeBSD bounds them by time instead). */
	if (g->p.mode != GUS_MODE_LAZY &&
	    (smr_seq_t)(wr - rd) >= g->p.seq_max_delta + g->ncpus * g->p.seq_incr)
		return false;
	if ((wr & 1) == 0 || (rd & 1) == 0)          /* valid sequences are odd */
		return false;
	for (uint32_t i = 0; i < g->ncpus; i++) {
		smr_seq_t c = g->c[i].c_seq;
		if (c != SMR_SEQ_INVALID && ((c & 1) == 0 || SMR_SEQ_GT(c, wr)))
			return false;                /* odd, and never ahead of the clock */
	}
	for (uint32_t d = 0; d < g->ndom; d++)
		for (const struct gus_bucket *b = g->dom[d].head; b; b = b->ub_next)
			if ((b->ub_seq & 1) == 0 || SMR_SEQ_GT(b->ub_seq, wr + ahead))
				return false;        /* goals are odd, at most ADVANCE ahead */
	return g->tree == NULL || gus_tree_invariants_hold(g);
}

static void
gus_stats(void *rs, cJSON *out)
{
	struct gus *g = rs;
	GUS_ASSERT(g, gus_invariants_hold(g), "invariants broken at the end of the run");
	/* debug.smr.* */
	cJSON_AddNumberToObject(out, "advance", (double)g->advance);
	cJSON_AddNumberToObject(out, "advance_wait", (double)g->advance_wait);
	cJSON_AddNumberToObject(out, "poll", (double)g->poll);
	cJSON_AddNumberToObject(out, "poll_scan", (double)g->poll_scan);
	cJSON_AddNumberToObject(out, "poll_fail", (double)g->poll_fail);
	/* what a flat scan costs */
	double scans = g->poll_scan && g->p.poll == GUS_POLL_FLAT ? (double)g->poll_scan : 0.0;
	cJSON_AddNumberToObject(out, "poll_scan_cycles_mean",
				scans ? (double)g->scan_cycles / scans : 0.0);
	cJSON_AddNumberToObject(out, "poll_scan_cycles_max", (double)g->scan_cycles_max);
	cJSON_AddNumberToObject(out, "poll_scan_lines_mean",
				scans ? (double)g->scan_lines / scans : 0.0);
	/* What an smr_poll costs, fast path included, flat or tree: cycles
	 * and lines read (the shared line, c_seq lines, tree nodes), for the
	 * non-blocking polls of the allocation path (uma_zalloc_smr) and for
	 * the blocking ones of smr_wait (synchronize, the drain at exit). */
	static const char *const kind[2] = { "nowait", "wait" };
	for (int k = 0; k < 2; k++) {
		char name[64];
		double n = (double)g->poll_n[k];
		g_snprintf(name, sizeof name, "smr_poll_%s", kind[k]);
		cJSON_AddNumberToObject(out, name, n);
		g_snprintf(name, sizeof name, "smr_poll_%s_cycles_mean", kind[k]);
		cJSON_AddNumberToObject(out, name, n ? (double)g->poll_cycles[k] / n : 0.0);
		g_snprintf(name, sizeof name, "smr_poll_%s_lines_mean", kind[k]);
		cJSON_AddNumberToObject(out, name, n ? (double)g->poll_lines[k] / n : 0.0);
	}
	cJSON_AddNumberToObject(out, "stale_c_seq", (double)g->stale_seen);
	cJSON_AddNumberToObject(out, "buckets", (double)g->buckets_tagged);
	cJSON_AddNumberToObject(out, "domain_buckets_peak", (double)g->domain_buckets_peak);
	cJSON_AddNumberToObject(out, "s_wr_seq", (double)g->s->s_wr.seq);
	cJSON_AddNumberToObject(out, "s_rd_seq", (double)*g->s_rd_seq);
	cJSON_AddNumberToObject(out, "tick_period", g->tree || g->p.mode == GUS_MODE_LAZY ?
				(double)g->tick_period : 0.0);
	if (g->tree)
		gus_tree_stats(g->tree, cJSON_AddObjectToObject(out, "tree"));
	rcl_stats_emit(&g->st, sim_machine_of(g->sim)->freq_ghz, out);
}

const struct rcl_ops rcl_gus_ops = {
	.comp = {
		.name = "gus",
		.summary = "FreeBSD SMR / GUS (default, lazy, deferred) with UMA free buckets; "
			   "flat or hierarchical (tree) poll",
		.params = gus_params_tbl,
		.params_size = sizeof(struct gus_params),
		.check = gus_check,
	},
	.create = gus_create,
	.destroy = gus_destroy,
	.read_lock = gus_read_lock,
	.read_unlock = gus_read_unlock,
	.dereference = gus_dereference,
	.assign_pointer = gus_assign_pointer,
	.retire = gus_retire,
	.synchronize = gus_synchronize,
	.poll = gus_poll,
	.cpu_exit = gus_cpu_exit,
	.stats = gus_stats,
	.invariants_hold = gus_invariants_hold,
};
