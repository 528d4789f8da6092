// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Classic RCU: the kernel's RCU before the combining tree (Linux 2.6.25
 * kernel/rcuclassic.c; its spinlock_t is the run's "locking" flavour,
 * queued by default, ticket as in 2.6.x), to show why the tree exists.
 *
 * SOURCE: torvalds/linux kernel/rcuclassic.c (rcu_ctrlblk, rcu_data,
 * call_rcu, rcu_start_batch, cpu_quiet, rcu_check_quiescent_state,
 * __rcu_process_callbacks, __rcu_pending, rcu_check_callbacks,
 * __rcu_offline_cpu), include/linux/rcuclassic.h.
 *
 * WHAT IT MODELS
 * One global control block.  A batch (grace period) starts with cur++
 * and a copy of the online, non-dynticks-idle CPUs into one flat cpumask;
 * every CPU that notices the batch and then passes a quiescent state
 * takes the one global lock and clears its bit (cpu_quiet); whoever
 * clears the last bit completes the batch and starts the next one if a
 * CPU asked for it (next_pending):
 *
 *   rcu_ctrlblk                      CPU 0   CPU 1   ...   CPU N-1
 *   [cur|completed|next_pending]  <- read by every CPU's tick
 *   [lock|cpumask word 0 ... ]    <- every CPU's QS: lock; clear bit;
 *   [cpumask words ...       ]       cpus_empty() scans the words; unlock
 *
 * So every grace period costs N acquisitions of one lock, serialized on
 * one line, plus N/64 words to clear and to scan: the contention that
 * motivated hierarchical RCU at hundreds to thousands of CPUs.
 *
 * LAYOUT (simulated lines, homed on CPU 0: rcu_ctrlblk is static)
 *   line C:  cur, completed, next_pending, signaled -- written under the
 *            lock by batch start/completion; read by every CPU's tick
 *   lines L: lock (spinlock_t) then cpumask, one bit per CPU, on
 *            ceil((8 + 8 * ceil(N/64)) / 64) lines (the kernel's
 *            ____cacheline_internodealigned_in_smp lock, mask after it)
 *   lines O: cpu_online_map; lines Z: nohz_cpu_mask (set_bit/clear_bit
 *            by CPUs entering/leaving dynticks idle)
 *   rcu_data[cpu]: one line per CPU, homed on it: quiescbatch,
 *            passed_quiesc, qs_pending, batch, qlen (lists host-side)
 *
 * INVARIANTS (classic_invariants_hold)
 *   - completed <= cur <= completed + 1;
 *   - with no batch in progress the cpumask is empty;
 *   - the lock's head <= tail.
 *
 * MODEL
 *   - A tick outside a read-side section is a QS (as in rcl_tree_rcu.c;
 *     2.6.25 counted only user-mode and idle ticks).  The tick, then
 *     RCU_SOFTIRQ, run rcu_check_callbacks / __rcu_process_callbacks.
 *   - rcu_do_batch invokes all ready callbacks at once (no blimit);
 *     no qhimark forcing, no force_quiescent_state IPIs, no rcu_bh.
 *   - Entering idle (ops->idle_enter) sets the CPU's nohz_cpu_mask bit,
 *     then reports a pending QS at once: this stands for the idle ticks
 *     rcu_needs_cpu() keeps until the CPU has reported.  Callbacks queued
 *     on an idle CPU wait until it wakes.
 *   - CPU exit drains the CPU's own callbacks, then offlines it under the
 *     lock (clear cpu_online_map, cpu_quiet if a batch is running)
 *     instead of moving its lists to another CPU (rcu_move_batch).
 *   - synchronize() is a waiter callback (wakeme_after_rcu), as in 2.6.25.
 */
#include <string.h>

#include "engine.h"
#include "rcu_clock.h"
#include "rcu_node_lock.h"
#include "rcu_segcblist.h"
#include "rcu_stats.h"
#include "reclaim.h"

struct classic_params {
	uint32_t hz;
	uint32_t tick_work_ns;
	bool skew_tick;
	uint64_t cb_cycles;
};

static const struct sim_param classic_params[] = {
	SIM_P_U32_ROW(struct classic_params, hz, 10, 100000, 1000,
		      "scheduling-clock ticks per simulated second (CONFIG_HZ)"),
	SIM_P_U32_ROW(struct classic_params, tick_work_ns, 0, 1000000, 5000,
		      "non-RCU work per tick, uniform in [0, this] ns; also spreads tick arrival"),
	SIM_P_BOOL_ROW(struct classic_params, skew_tick, false,
		       "offset each CPU's tick (skew_tick); default aligned, as Linux"),
	SIM_P_U64_ROW(struct classic_params, cb_cycles, 0, UINT64_C(1) << 32, 0,
		      "local work per invoked callback (the kfree), cycles"),
	SIM_P_END,
};

/* rcu_ctrlblk, first line. */
struct rcu_ctrlblk {
	uint64_t cur;               /* current batch number */
	uint64_t completed;         /* last completed batch */
	uint64_t next_pending;      /* is the next batch already waiting? */
	uint64_t signaled;
	uint64_t pad[4];
};

/* rcu_data: one line per CPU. */
struct rcu_data {
	uint64_t quiescbatch;       /* batch this CPU last noticed */
	uint64_t passed_quiesc;     /* a QS since then */
	uint64_t qs_pending;        /* the core still needs a QS from us */
	uint64_t batch;             /* batch our curlist waits for */
	uint64_t qlen;
	uint64_t pad[3];
};

G_STATIC_ASSERT(sizeof(struct rcu_ctrlblk) == 64);
G_STATIC_ASSERT(sizeof(struct rcu_data) == 64);

/*
 * The three lists of 2.6.25's rcu_data, host-side, in one
 * rcu_segcblist: DONE = donelist, WAIT = curlist, NEXT = nxtlist
 * (NEXT_READY kept equal to WAIT's end).
 */
struct classic_cpu {
	uint32_t nesting;
	struct rcu_segcblist l;
	GArray *ready;
	uint64_t last_jiffy;
	uint64_t tick_cycles;
	bool offline;
};

struct classic_counters {
	uint64_t n_batches;         /* completed batches (grace periods) */
	uint64_t n_cpu_quiet;       /* cpu_quiet() calls from QS reports */
	uint64_t n_batch_starts;
	uint64_t n_cbs_invoked;
	uint64_t start_batch_cycles;    /* time in rcu_start_batch's cpumask copy */
	struct rcu_lockstat lockstat;   /* rcu_ctrlblk.lock */
};

struct classic {
	struct klock *kl;           /* rcu_ctrlblk.lock's spinlock_t context */
	struct classic_params p;
	struct sim *sim;            /* for the machine (end-of-run stats) */
	uint32_t ncpus, words;
	struct rcu_clock clk;
	struct rcu_ctrlblk *rcp;    /* simulated */
	uint64_t *lockmask;         /* simulated: [0] lock, [1..words] cpumask */
	uint64_t *online, *nohz;    /* simulated: cpu_online_map, nohz_cpu_mask */
	struct rcu_data *rdp;       /* simulated */
	struct classic_cpu *pcpu;   /* host */
	sim_time_t batch_start, first_exit;

	struct classic_counters c, steady;  /* steady: copy at the first cpu_exit */
	uint64_t n_gp_after_exit;
	struct rcu_dist gp_latency, sync_latency;
	struct rcl_stats st;
	uint64_t retire_cycles;
};

static inline uint64_t *cpumask(struct classic *c) { return &c->lockmask[1]; }
/* rcu_ctrlblk.lock: a spinlock_t in the low half of lockmask[0]. */
static inline spinlock_t *classic_lock(struct classic *c) { return (spinlock_t *)(void *)c->lockmask; }

static inline bool curlist_empty(const struct rcu_segcblist *l)
{
	return l->tails[RCU_WAIT_TAIL] == l->tails[RCU_DONE_TAIL];
}
static inline bool nxtlist_empty(const struct rcu_segcblist *l)
{
	return l->tails[RCU_NEXT_TAIL] == l->tails[RCU_WAIT_TAIL];
}

static inline bool
rcu_batch_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* rcu_start_batch - start the next batch if one is pending.  Lock held. */
static void
rcu_start_batch(struct classic *c)
{
	struct rcu_ctrlblk *rcp = c->rcp;
	uint64_t cur = sim_load64(&rcp->cur);
	if (!sim_load64(&rcp->next_pending) || sim_load64(&rcp->completed) != cur)
		return;
	sim_store64(&rcp->next_pending, 0);
	sim_fence_release();        /* smp_wmb() */
	sim_store64(&rcp->cur, cur + 1);
	sim_fence_full();           /* order cur++ before reading nohz_cpu_mask */
	sim_time_t t0 = sim_now();
	for (uint32_t w = 0; w < c->words; w++)     /* cpus_andnot(cpumask, online, nohz) */
		sim_store64(&cpumask(c)[w], sim_load64(&c->online[w]) & ~sim_load64(&c->nohz[w]));
	c->c.start_batch_cycles += sim_now() - t0;
	sim_store64(&rcp->signaled, 0);
	c->batch_start = sim_now();
	c->c.n_batch_starts++;
}

/* cpu_quiet - clear our bit; the last one completes the batch.  Lock held. */
static void
cpu_quiet(struct classic *c, uint32_t cpu)
{
	(void)sim_fetch_and64(&cpumask(c)[cpu / 64], ~(UINT64_C(1) << (cpu % 64)));
	for (uint32_t w = 0; w < c->words; w++)     /* cpus_empty() */
		if (sim_load64(&cpumask(c)[w]))
			return;
	sim_store64(&c->rcp->completed, sim_load64(&c->rcp->cur));
	c->c.n_batches++;
	if (!c->first_exit)
		rcu_dist_add(&c->gp_latency, sim_now() - c->batch_start);
	else
		c->n_gp_after_exit++;
	rcu_start_batch(c);
}

static void
rcu_check_quiescent_state(struct classic *c, uint32_t cpu)
{
	struct rcu_data *rdp = &c->rdp[cpu];
	uint64_t cur = sim_load64(&c->rcp->cur);
	if (sim_load64(&rdp->quiescbatch) != cur) {
		/* A new batch: look for a QS from now on. */
		sim_store64(&rdp->qs_pending, 1);
		sim_store64(&rdp->passed_quiesc, 0);
		sim_store64(&rdp->quiescbatch, cur);
		return;
	}
	if (!sim_load64(&rdp->qs_pending) || !sim_load64(&rdp->passed_quiesc))
		return;
	sim_store64(&rdp->qs_pending, 0);
	rcu_raw_lock(c->kl, classic_lock(c), &c->c.lockstat);
	if (sim_load64(&rdp->quiescbatch) == sim_load64(&c->rcp->cur)) {
		c->c.n_cpu_quiet++;
		cpu_quiet(c, cpu);
	}
	rcu_raw_unlock(c->kl, classic_lock(c));
}

static void
rcu_do_batch(struct classic *c, struct classic_cpu *pc, uint32_t cpu)
{
	uint64_t n = rcu_segcblist_extract_done(&pc->l, pc->ready);
	if (n == 0)
		return;
	sim_store64(&c->rdp[cpu].qlen, rcu_segcblist_n_cbs(&pc->l));
	c->c.n_cbs_invoked += n;
	(void)rcu_invoke_cbs(pc->ready, c->p.cb_cycles, &c->st);
}

/* __rcu_process_callbacks - RCU_SOFTIRQ. */
static void
rcu_process_callbacks(struct classic *c, struct classic_cpu *pc, uint32_t cpu)
{
	struct rcu_data *rdp = &c->rdp[cpu];
	struct rcu_segcblist *l = &pc->l;
	if (!curlist_empty(l) && !rcu_batch_before(sim_load64(&c->rcp->completed),
						   sim_load64(&rdp->batch)))
		l->tails[RCU_DONE_TAIL] = l->tails[RCU_WAIT_TAIL];     /* curlist -> donelist */
	if (!nxtlist_empty(l) && curlist_empty(l)) {
		/* nxtlist -> curlist, waiting for the batch after the current one */
		l->tails[RCU_WAIT_TAIL] = l->tails[RCU_NEXT_READY_TAIL] = l->tails[RCU_NEXT_TAIL];
		sim_store64(&rdp->batch, sim_load64(&c->rcp->cur) + 1);
		if (!sim_load64(&c->rcp->next_pending)) {
			rcu_raw_lock(c->kl, classic_lock(c), &c->c.lockstat);
			sim_store64(&c->rcp->next_pending, 1);
			rcu_start_batch(c);
			rcu_raw_unlock(c->kl, classic_lock(c));
		}
	}
	rcu_check_quiescent_state(c, cpu);
	if (rcu_segcblist_ready_cbs(l))
		rcu_do_batch(c, pc, cpu);
}

static bool
rcu_pending(struct classic *c, struct classic_cpu *pc, uint32_t cpu)
{
	struct rcu_data *rdp = &c->rdp[cpu];
	const struct rcu_segcblist *l = &pc->l;
	(void)sim_load64(&rdp->qlen);       /* the lists live in rcu_data */
	if (!curlist_empty(l) && !rcu_batch_before(sim_load64(&c->rcp->completed),
						   sim_load64(&rdp->batch)))
		return true;
	if (curlist_empty(l) && !nxtlist_empty(l))
		return true;
	if (rcu_segcblist_ready_cbs(l))
		return true;
	return sim_load64(&rdp->quiescbatch) != sim_load64(&c->rcp->cur) ||
	       sim_load64(&rdp->qs_pending);
}

static void
rcu_qsctr_inc(struct classic *c, uint32_t cpu)
{
	sim_store64(&c->rdp[cpu].passed_quiesc, 1);
}

static void
classic_tick(void *arg)
{
	struct classic *c = arg;
	uint32_t cpu = sim_cpu_id();
	struct classic_cpu *pc = &c->pcpu[cpu];
	uint64_t j = rcu_jiffies(&c->clk);
	if (pc->offline || j == pc->last_jiffy)
		return;
	pc->last_jiffy = j;
	sim_time_t t0 = sim_now();
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_WORK);
	rcu_tick_other_work(&c->clk);
	sim_cause_pop(SIM_CAUSE_RECLAIM);
	if (rcu_pending(c, pc, cpu)) {
		/* rcu_check_callbacks(), then RCU_SOFTIRQ at irq exit */
		if (pc->nesting == 0)
			rcu_qsctr_inc(c, cpu);
		rcu_process_callbacks(c, pc, cpu);
	}
	sim_cause_pop(prev);
	pc->tick_cycles += sim_now() - t0;
}

/*
 * classic_needs_cpu - NO_HZ: an idle CPU keeps its tick once per jiffy
 * while it has callbacks (rcu_needs_cpu: !!rdp->curlist || rcu_pending(),
 * 2.6.2x kernel/rcuclassic.c), none otherwise (rcl_classic's idle_enter
 * is the nohz_cpu_mask side of the same code).
 * MODEL: answered from the callback lists alone (host memory, no cost);
 * rcu_pending()'s "a QS is still wanted from this CPU" part is not
 * consulted, so an idle CPU without callbacks stops its tick even while
 * the current batch waits for it.
 */
static enum sim_tick_idle
classic_needs_cpu(void *arg, uint32_t cpu)
{
	struct classic *c = arg;
	const struct classic_cpu *pc = &c->pcpu[cpu];
	if (pc->offline || rcu_segcblist_empty(&pc->l))
		return SIM_TICK_IDLE_STOP;
	return SIM_TICK_IDLE_JIFFY;
}

/* ---- rcl_ops ---- */

static void *
classic_create(struct sim *sim, const void *params)
{
	struct classic *c = g_new0(struct classic, 1);
	c->p = *(const struct classic_params *)params;
	c->sim = sim;
	c->ncpus = sim_ncpus_of(sim);
	c->words = (c->ncpus + 63) / 64;
	c->kl = klock_create(sim);
	c->pcpu = g_new0(struct classic_cpu, c->ncpus);
	c->rcp = sim_alloc(sizeof *c->rcp, 64);
	c->lockmask = sim_alloc(8 * (1 + (size_t)c->words), 64);
	c->online = sim_alloc(8 * (size_t)c->words, 64);
	c->nohz = sim_alloc(8 * (size_t)c->words, 64);
	c->rdp = sim_alloc((size_t)c->ncpus * sizeof(struct rcu_data), 64);
	/* The kernel starts both counters at -300 to exercise wrapping. */
	c->rcp->cur = c->rcp->completed = (uint64_t)-300;
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
		c->online[cpu / 64] |= UINT64_C(1) << (cpu % 64);
		c->rdp[cpu].quiescbatch = c->rcp->completed;
		rcu_segcblist_init(&c->pcpu[cpu].l);
		c->pcpu[cpu].ready = g_array_new(FALSE, FALSE, sizeof(struct rcu_cb));
		sim_mem_prime(sim, &c->rdp[cpu], sizeof(struct rcu_data), cpu);
	}
	sim_mem_prime(sim, c->rcp, sizeof *c->rcp, 0);
	sim_mem_prime(sim, c->lockmask, 8 * (1 + (size_t)c->words), 0);
	sim_mem_prime(sim, c->online, 8 * (size_t)c->words, 0);
	sim_mem_prime(sim, c->nohz, 8 * (size_t)c->words, 0);
	rcu_clock_register(&c->clk, sim, c->p.hz, 0, c->p.tick_work_ns, c->p.skew_tick,
			   classic_tick, c);
	rcu_clock_nohz(&c->clk, sim, classic_needs_cpu, c);
	rcu_dist_init(&c->gp_latency);
	rcu_dist_init(&c->sync_latency);
	sim_set_free_label(sim, "classic_rcu");
	return c;
}

static void
classic_destroy(void *rs)
{
	struct classic *c = rs;
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
		rcu_segcblist_free(&c->pcpu[cpu].l);
		g_array_free(c->pcpu[cpu].ready, TRUE);
	}
	rcu_dist_free(&c->gp_latency);
	rcu_dist_free(&c->sync_latency);
	g_free(c->pcpu);
	klock_destroy(c->kl);
	g_free(c);
}

static void
classic_read_lock(void *rs)
{
	struct classic *c = rs;
	c->pcpu[sim_cpu_id()].nesting++;
	c->st.read_sections++;
}

static void
classic_read_unlock(void *rs)
{
	struct classic *c = rs;
	struct classic_cpu *pc = &c->pcpu[sim_cpu_id()];
	g_assert(pc->nesting > 0);
	pc->nesting--;
}

static void *
classic_dereference(void *rs, void *const *pp, unsigned slot)
{
	(void)rs;
	(void)slot;
	return sim_loadp(pp);
}

static void
classic_assign_pointer(void *rs, void **pp, void *v)
{
	(void)rs;
	sim_storep_rel(pp, v);
}

static void
call_rcu(struct classic *c, void *obj, size_t size, size_t align, bool *done)
{
	uint32_t cpu = sim_cpu_id();
	struct rcu_cb cb = { .obj = obj, .size = (uint32_t)size, .align = (uint32_t)align,
			     .t_retire = sim_now(), .done = done };
	sim_irq_disable();
	rcu_segcblist_enqueue(&c->pcpu[cpu].l, &cb);
	uint64_t *qlen = &c->rdp[cpu].qlen;
	sim_store64(qlen, sim_load64(qlen) + 1);
	sim_irq_enable();
}

static void
classic_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct classic *c = rs;
	struct classic_cpu *pc = &c->pcpu[sim_cpu_id()];
	sim_time_t t0 = sim_now();
	uint64_t tk0 = pc->tick_cycles;
	rcl_stats_retire(&c->st, size);
	call_rcu(c, obj, size, align, NULL);
	c->retire_cycles += (sim_now() - t0) - (pc->tick_cycles - tk0);
}

/* Block for one jiffy: schedule() notes a QS (rcu_qsctr_inc). */
static void
classic_block(struct classic *c)
{
	rcu_qsctr_inc(c, sim_cpu_id());
	sim_sleep_until(sim_now() + c->clk.slice);
}

static void
classic_synchronize(void *rs)
{
	struct classic *c = rs;
	g_assert(c->pcpu[sim_cpu_id()].nesting == 0);
	sim_time_t t0 = sim_now();
	bool done = false;
	call_rcu(c, NULL, 0, 0, &done);
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_GP_WAIT);
	while (!done)
		classic_block(c);
	sim_cause_pop(prev);
	c->st.synchronize_calls++;
	c->st.synchronize_cycles += sim_now() - t0;
	rcu_dist_add(&c->sync_latency, sim_now() - t0);
}

static void
classic_quiescent_state(void *rs)
{
	struct classic *c = rs;
	g_assert(c->pcpu[sim_cpu_id()].nesting == 0);
	rcu_qsctr_inc(c, sim_cpu_id());
}

static void
classic_idle_enter(void *rs)
{
	struct classic *c = rs;
	uint32_t cpu = sim_cpu_id();
	g_assert(c->pcpu[cpu].nesting == 0);
	sim_irq_disable();
	(void)sim_fetch_or64(&c->nohz[cpu / 64], UINT64_C(1) << (cpu % 64));
	for (int i = 0; i < 2; i++) {       /* notice, then report: idle is a QS */
		rcu_qsctr_inc(c, cpu);
		rcu_check_quiescent_state(c, cpu);
	}
	sim_irq_enable();
}

static void
classic_idle_exit(void *rs)
{
	struct classic *c = rs;
	uint32_t cpu = sim_cpu_id();
	(void)sim_fetch_and64(&c->nohz[cpu / 64], ~(UINT64_C(1) << (cpu % 64)));
}

static void
classic_cpu_exit(void *rs)
{
	struct classic *c = rs;
	uint32_t cpu = sim_cpu_id();
	struct classic_cpu *pc = &c->pcpu[cpu];
	g_assert(pc->nesting == 0);
	if (!c->first_exit) {
		c->first_exit = sim_now();
		c->steady = c->c;
	}
	enum sim_cause prev = sim_cause_push(SIM_CAUSE_GP_WAIT);
	while (!rcu_segcblist_empty(&pc->l))
		classic_block(c);
	sim_cause_pop(prev);
	/* __rcu_offline_cpu: leave the online map; quiet if a batch runs. */
	sim_irq_disable();
	rcu_raw_lock(c->kl, classic_lock(c), &c->c.lockstat);
	(void)sim_fetch_and64(&c->online[cpu / 64], ~(UINT64_C(1) << (cpu % 64)));
	if (sim_load64(&c->rcp->cur) != sim_load64(&c->rcp->completed))
		cpu_quiet(c, cpu);
	rcu_raw_unlock(c->kl, classic_lock(c));
	pc->offline = true;
	sim_irq_enable();
}

static void
classic_stats(void *rs, cJSON *out)
{
	struct classic *c = rs;
	const struct classic_counters *k = c->first_exit ? &c->steady : &c->c;   /* steady state */
	rcu_stats_emit(&c->st, &(struct rcu_emit_extra){
				.freq_ghz = sim_machine_of(c->sim)->freq_ghz,
				.read_cycles = 0, .retire_cycles = c->retire_cycles,
				.gp_latency = &c->gp_latency }, out);
	cJSON_AddNumberToObject(out, "gp", (double)k->n_batches);
	cJSON_AddNumberToObject(out, "gp_total", (double)c->c.n_batches);
	cJSON_AddNumberToObject(out, "gp_after_exit", (double)c->n_gp_after_exit);
	cJSON_AddNumberToObject(out, "batch_starts", (double)k->n_batch_starts);
	cJSON_AddNumberToObject(out, "qs_reports", (double)k->n_cpu_quiet);
	cJSON_AddNumberToObject(out, "callbacks_invoked", (double)c->c.n_cbs_invoked);
	cJSON_AddNumberToObject(out, "cpumask_words", c->words);
	cJSON_AddNumberToObject(out, "jiffy_cycles", (double)c->clk.jiffy);
	cJSON_AddNumberToObject(out, "start_batch_cycles_mean",
				k->n_batch_starts ? (double)k->start_batch_cycles / (double)k->n_batch_starts : 0.0);
	rcu_dist_emit(&c->gp_latency, "gp_latency_cycles", out);
	cJSON_AddNumberToObject(out, "gp_latency_jiffies_mean",
				rcu_dist_mean(&c->gp_latency) / (double)c->clk.jiffy);
	rcu_dist_emit(&c->sync_latency, "synchronize_latency_cycles", out);
	cJSON *l = cJSON_AddObjectToObject(out, "rcu_ctrlblk_lock");
	cJSON_AddStringToObject(l, "spinlock", klock_spinlock_name(c->kl));
	rcu_lockstat_emit(&k->lockstat, k->n_batches, l);
	cJSON_AddNumberToObject(l, "total_acquired", (double)c->c.lockstat.acquired);
}

static bool
classic_invariants_hold(const void *rs)
{
	const struct classic *c = rs;
	uint64_t cur = c->rcp->cur, done = c->rcp->completed;
	if (rcu_batch_before(cur, done) || cur - done > 1)
		return false;
	if (cur == done)
		for (uint32_t w = 0; w < c->words; w++)
			if (c->lockmask[1 + w])
				return false;
	return spin_invariants_hold(c->kl, (const spinlock_t *)(const void *)c->lockmask);
}

const struct rcl_ops rcl_classic_rcu_ops = {
	.comp = {
		.name = "classic_rcu",
		.summary = "classic RCU (Linux 2.6.25 rcuclassic.c): one rcu_ctrlblk, one global lock "
			   "and flat cpumask that every CPU's quiescent state clears",
		.params = classic_params,
		.params_size = sizeof(struct classic_params),
	},
	.create = classic_create,
	.destroy = classic_destroy,
	.read_lock = classic_read_lock,
	.read_unlock = classic_read_unlock,
	.dereference = classic_dereference,
	.assign_pointer = classic_assign_pointer,
	.retire = classic_retire,
	.synchronize = classic_synchronize,
	.poll = NULL,
	.quiescent_state = classic_quiescent_state,
	.idle_enter = classic_idle_enter,
	.idle_exit = classic_idle_exit,
	.cpu_exit = classic_cpu_exit,
	.stats = classic_stats,
	.invariants_hold = classic_invariants_hold,
};
