// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * sv6's cross-CPU calls (kernel/ipi.cc: ipi_call::run_on, on_ipicall),
 * which RadixVM's per-core-page-table shootdowns use
 * (mmu_per_core_page_table::shootdown::perform -> run_on_cpus).
 *
 * Initiator i (interrupts enabled), for a call object on its stack:
 *   waiting = |targets|;
 *   for each target t: start(t):
 *       lock(myipi[t].lock); need_ipi = !(head || ipicall_active);
 *       call.next[t] = NULL; *tail = &call; tail = &call.next[t];
 *       unlock; if (need_ipi) send an IPI to t;
 *   while (waiting) pause;
 * Target t, in the IPI handler (on_ipicall), until its queue is empty:
 *   lock; call = head; head = NULL; tail = &head; active = call != NULL;
 *   unlock; for each call: run it (read the range, invalidate);
 *   next = call.next[t]; atomic decrement call.waiting (the ack).
 *
 * Layout (simulated lines):
 *   myipi[t]      one line per CPU, homed on t's socket:
 *                 [lock | head | tail | ipicall_active]; lock taken by
 *                 initiators and by t; the rest written under it.
 *   call(i)       initiator i's call object (its stack), homed on i's
 *                 socket: line 0 the request (start, npages; written by
 *                 i, read by targets); line 1 `waiting` (__mpalign__:
 *                 written by i, decremented by every target, spun on by
 *                 i); then next[ncpus], 8 to a line, next[t] written by
 *                 i under myipi[t].lock and read by t.
 *
 * Invariants: a call is on each target's queue at most once; waiting
 * counts targets that have not run it; i reuses its call object only
 * after waiting reached 0 (acks == targets over a run).
 *
 * MODEL: the spinlock is test-and-test-and-set with xchg (sv6's
 * spinlock); the targets come from the caller's mask, not from the
 * page's tracker_cores; the handler's invalidation is local work
 * (smp_flush_cost; sv6 invlpg's up to 4 pages, else reloads CR3),
 * after the flush hooks (smp_set_flush_fn) that drop the mm layer's
 * host-side TLB entries.  The
 * call object's next[] has one slot per CPU, as sv6's NCPU array, so
 * memory grows as CPUs squared when every CPU initiates: the component
 * refuses runs above 4,096 CPUs.
 */
#include <glib.h>

#include "engine.h"
#include "smp.h"

#define SV6_MAX_CPUS 4096u

struct ipi_queue {
	uint32_t lock;
	uint32_t ipicall_active;
	void *head;              /* struct sv6_call * */
	void **tail;             /* &head or &call->next[t] */
	uint64_t pad[5];
};
G_STATIC_ASSERT(sizeof(struct ipi_queue) == 64);

/* The simulated part of an ipi_call (the host part is in sv6_call). */
struct call_req {
	uint64_t start;
	uint64_t npages;
	uint64_t initiator;      /* host-written once at allocation: for the flush hooks */
	uint64_t pad[5];
	uint64_t waiting;        /* line 1 */
	uint64_t pad2[7];
	void *next[];            /* lines 2..: one slot per CPU */
};

struct sv6_smp {
	struct smp_params p;
	struct sim *sim;
	uint32_t ncpus;
	struct ipi_queue *myipi; /* simulated, one line per CPU */
	struct call_req **call;  /* per initiator, allocated on first use */
	struct smp_stats st;
	struct smp_flush_hooks hooks;
};

static const struct sim_param sv6_params[] = {
	SMP_PARAM_ROWS,
	SIM_P_END,
};

static gboolean
sv6_check(const void *params, uint32_t ncpus, const struct sim_origin *o, GError **err)
{
	(void)params;
	if (ncpus > SV6_MAX_CPUS) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "smp",
				"sv6 keeps a next[NCPU] slot per CPU in every call object; "
				"at most %u CPUs (this run has %u)", SV6_MAX_CPUS, ncpus);
		return FALSE;
	}
	return TRUE;
}

static void *
sv6_create(struct sim *sim, const void *params)
{
	struct sv6_smp *s = g_new0(struct sv6_smp, 1);
	s->p = *(const struct smp_params *)params;
	s->sim = sim;
	s->ncpus = sim_ncpus_of(sim);
	s->myipi = sim_alloc((size_t)s->ncpus * sizeof(struct ipi_queue), 64);
	s->call = g_new0(struct call_req *, s->ncpus);
	const struct sim_machine *m = sim_machine_of(sim);
	for (uint32_t c = 0; c < s->ncpus; c++) {
		sim_mem_place(sim, &s->myipi[c], sizeof(struct ipi_queue),
			      sim_machine_place(m, c).socket);
		s->myipi[c].tail = &s->myipi[c].head;   /* host init before the run */
	}
	return s;
}

static size_t
call_bytes(const struct sv6_smp *s)
{
	return (sizeof(struct call_req) + (size_t)s->ncpus * sizeof(void *) + 63) & ~(size_t)63;
}

static void
sv6_destroy(void *arg)
{
	struct sv6_smp *s = arg;
	for (uint32_t c = 0; c < s->ncpus; c++)
		if (s->call[c])
			sim_free(s->call[c], call_bytes(s), 64);
	g_free(s->call);
	g_free(s);
}

/* sv6's acquire(): pushcli, then test-and-test-and-set; interrupts stay
 * off until release() (a CPU interrupted while holding a queue lock could
 * otherwise wait in its handler for a lock whose holder waits for it). */
static void
spin_lock(uint32_t *l)
{
	sim_irq_disable();
	while (sim_xchg32(l, 1) != 0)
		while (sim_load32(l) != 0)
			(void)sim_spin_while_eq32(l, 1);
}

static void
spin_unlock(uint32_t *l)
{
	sim_store32_rel(l, 0);
	sim_irq_enable();
}

static void on_ipicall(void *arg);

/* ipi_call::start: queue call on t; return whether t needs an IPI. */
static bool
call_start(struct sv6_smp *s, struct call_req *call, uint32_t t)
{
	struct ipi_queue *q = &s->myipi[t];
	spin_lock(&q->lock);
	bool need_ipi = sim_loadp(&q->head) == NULL && sim_load32(&q->ipicall_active) == 0;
	sim_storep(&call->next[t], NULL);
	void **tail = (void **)sim_loadp((void *const *)&q->tail);
	sim_storep(tail, call);
	sim_storep((void **)&q->tail, &call->next[t]);
	spin_unlock(&q->lock);
	return need_ipi;
}

static void
on_ipicall(void *arg)
{
	struct sv6_smp *s = arg;
	uint32_t me = sim_cpu_id();
	struct ipi_queue *q = &s->myipi[me];
	s->st.handlers++;
	if (s->p.handler_work)
		sim_work(s->p.handler_work);
	for (;;) {
		spin_lock(&q->lock);
		struct call_req *call = sim_loadp(&q->head);
		sim_storep(&q->head, NULL);
		sim_storep((void **)&q->tail, &q->head);
		sim_store32(&q->ipicall_active, call != NULL);
		spin_unlock(&q->lock);
		if (call == NULL)
			break;
		while (call) {
			uint64_t start = sim_load64(&call->start);
			uint32_t npages = (uint32_t)sim_load64(&call->npages);
			if (!smp_flush_hooks_run(&s->hooks, (uint32_t)call->initiator, start,
						 npages))
				sim_work(smp_flush_cost(&s->p, npages));
			struct call_req *next = sim_loadp(&call->next[me]);
			(void)sim_faa64(&call->waiting, UINT64_MAX);    /* --waiting: the ack */
			s->st.acks++;
			call = next;
		}
	}
}

static uint32_t
sv6_flush_tlb_others(void *arg, struct cpumask *mask, uint64_t start, uint32_t npages)
{
	struct sv6_smp *s = arg;
	uint32_t me = sim_cpu_id();
	g_assert(mask->nbits == s->ncpus);
	sim_time_t t0 = sim_now();
	if (s->call[me] == NULL) {
		s->call[me] = sim_alloc(call_bytes(s), 64);
		s->call[me]->initiator = me;    /* fresh memory: no store buffer holds it */
		sim_mem_place(s->sim, s->call[me], call_bytes(s),
			      sim_machine_place(sim_machine_of(s->sim), me).socket);
	}
	struct call_req *call = s->call[me];
	uint32_t cpu, ntargets = 0;
	for_each_cpu(cpu, mask)
		if (cpu != me)
			ntargets++;
	if (ntargets == 0)
		return 0;
	sim_store64(&call->start, start);
	sim_store64(&call->npages, npages);
	sim_store64(&call->waiting, ntargets);
	for_each_cpu(cpu, mask) {
		if (cpu == me)
			continue;
		if (call_start(s, call, cpu)) {
			sim_ipi_send(cpu, on_ipicall, s);
			s->st.ipis++;
		}
	}
	uint64_t w;
	while ((w = sim_load64(&call->waiting)) != 0)
		(void)sim_spin_while_eq64(&call->waiting, w);

	smp_stats_call(&s->st, t0, ntargets);
	return ntargets;
}

static const struct smp_stats *
sv6_stats(void *arg)
{
	return &((struct sv6_smp *)arg)->st;
}

static struct smp_flush_hooks *
sv6_flush_hooks(void *arg)
{
	return &((struct sv6_smp *)arg)->hooks;
}

const struct smp_ops smp_sv6_ops = {
	.comp = {
		.name = "sv6",
		.summary = "sv6/RadixVM run_on_cpus: per-CPU ipi_queue under a spinlock, "
			   "IPI only to idle queues, one shared ack counter",
		.params = sv6_params,
		.params_size = sizeof(struct smp_params),
		.check = sv6_check,
	},
	.create = sv6_create,
	.destroy = sv6_destroy,
	.flush_tlb_others = sv6_flush_tlb_others,
	.stats = sv6_stats,
	.flush_hooks = sv6_flush_hooks,
};
