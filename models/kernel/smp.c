// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Linux cross-CPU function calls, as kernel/smp.c has them since 5.x
 * (smp_call_function_many_cond, flush_smp_call_function_queue), used for
 * TLB shootdowns the way arch/x86/mm/tlb.c's native_flush_tlb_others
 * uses them (flush_tlb_func on each target).
 *
 * Initiator CPU i (interrupts enabled):
 *   cpumask_and(cfd->cpumask, mask, cpu_online_mask); clear self;
 *   cpumask_clear(cfd->cpumask_ipi);
 *   for_each_cpu(t, cfd->cpumask):
 *       csd = per_cpu_ptr(cfd->csd, t);  csd_lock(csd);  csd->func/info;
 *       if (llist_add(&csd->llist, &per_cpu(call_single_queue, t)))
 *           __cpumask_set_cpu(t, cfd->cpumask_ipi);
 *   send_call_function_ipi_mask(cfd->cpumask_ipi);   (one multicast)
 *   for_each_cpu(t, cfd->cpumask): csd_lock_wait(per_cpu_ptr(cfd->csd, t));
 * Target t, in the IPI handler:
 *   entry = llist_del_all(&call_single_queue); llist_reverse_order(entry);
 *   for each csd: func(info) (flush_tlb_func: read the initiator's
 *   flush_tlb_info, invalidate); csd_unlock(csd) (store-release 0).
 *
 * Layout (simulated lines; homes as Linux's per-CPU areas put them):
 *   call_single_queue[t]  one line per CPU t, homed on t's socket: the
 *                         llist head.  cmpxchg by initiators, xchg by t.
 *   csd(i, t)             32 bytes (call_single_data_t), two to a line,
 *                         in t's per-CPU area (alloc_percpu), allocated on
 *                         first use: [next | func | info | flags].  Written
 *                         by i (lock, func, info, next), next/flags by t.
 *   cfd[i].cpumask,       cpumasks of nr_cpu_ids bits, homed on i's socket;
 *   cfd[i].cpumask_ipi    written and scanned by i only.
 *   flush_info[i]         one line homed on i's socket: start, npages;
 *                         written by i, read by every target of i.
 *   cpu_online_mask       one shared cpumask, all set, read by initiators.
 *
 * Invariants: a csd is on at most one queue; its LOCK flag is set from
 * csd_lock until its target ran it; an initiator returns only after every
 * target's csd is unlocked (acks == targets over a run).
 *
 * MODEL: no cond_func (tlb_is_not_lazy) and no mm_cpumask: the caller's
 * mask is the target set.  The handler's invalidation is local work
 * (smp_flush_cost); the TLB contents are the mm layer's host state,
 * invalidated through the flush hooks (smp_set_flush_fn) just before (a
 * hook may do the invalidation itself: leave_mm in lazy-TLB mode).
 * Linux 3.5 (ben's kernel) used per-vector flush_state and a spinlock
 * instead; the per-target IPI and the ack wait are the same in both.
 */
#include <glib.h>

#include "engine.h"
#include "smp.h"

#define CSD_FLAG_LOCK 0x01u
#define CSD_TYPE_SYNC 0x10u
#define CSD_CHUNK 64u            /* csds per per-CPU allocation block (2 KiB) */

/* call_single_data_t: 32 bytes, aligned to its size. */
struct csd {
	void *next;              /* llist_node */
	uint64_t func;           /* which function (1 = flush_tlb_func) */
	void *info;              /* the initiator's flush_info */
	uint32_t flags;          /* CSD_FLAG_LOCK | CSD_TYPE_SYNC */
	uint32_t pad;
};
G_STATIC_ASSERT(sizeof(struct csd) == 32);

struct flush_info {
	uint64_t start;
	uint64_t npages;
	uint64_t pad[6];
};

struct linux_smp {
	struct smp_params p;
	struct sim *sim;
	uint32_t ncpus;
	void **queue;            /* simulated, one line per CPU: call_single_queue */
	struct cpumask **cfd_mask, **cfd_ipi;
	struct flush_info *info; /* simulated, one line per CPU */
	struct cpumask *online;
	GHashTable *csds;        /* host: i * ncpus + t -> struct csd * (simulated) */
	struct csd **chunk;      /* per target: its current block of CSD_CHUNK csds */
	uint32_t *chunk_used;
	uint32_t **ipi_list;     /* host scratch per CPU: targets of one multicast */
	struct smp_stats st;
	struct smp_flush_hooks hooks;
};

static const struct sim_param linux_params[] = {
	SMP_PARAM_ROWS,
	SIM_P_END,
};

static uint32_t
socket_of(struct sim *sim, uint32_t cpu)
{
	const struct sim_machine *m = sim_machine_of(sim);
	return sim_machine_place(m, cpu).socket;
}

static void *
linux_create(struct sim *sim, const void *params)
{
	struct linux_smp *s = g_new0(struct linux_smp, 1);
	s->p = *(const struct smp_params *)params;
	s->sim = sim;
	s->ncpus = sim_ncpus_of(sim);
	s->queue = sim_alloc((size_t)s->ncpus * 64, 64);
	s->info = sim_alloc((size_t)s->ncpus * sizeof(struct flush_info), 64);
	s->cfd_mask = g_new0(struct cpumask *, s->ncpus);
	s->cfd_ipi = g_new0(struct cpumask *, s->ncpus);
	s->ipi_list = g_new0(uint32_t *, s->ncpus);
	for (uint32_t c = 0; c < s->ncpus; c++) {
		uint32_t sock = socket_of(sim, c);
		sim_mem_place(sim, &s->queue[c * 8], 64, sock);
		sim_mem_place(sim, &s->info[c], sizeof(struct flush_info), sock);
		/* cfd masks are allocated on first use (sane at 65,536 CPUs). */
	}
	s->online = cpumask_alloc(s->ncpus);
	cpumask_setall_host(s->online);
	s->csds = g_hash_table_new(g_direct_hash, g_direct_equal);
	s->chunk = g_new0(struct csd *, s->ncpus);
	s->chunk_used = g_new0(uint32_t, s->ncpus);
	return s;
}

static void
linux_destroy(void *arg)
{
	struct linux_smp *s = arg;
	for (uint32_t c = 0; c < s->ncpus; c++) {
		cpumask_free(s->cfd_mask[c]);
		cpumask_free(s->cfd_ipi[c]);
		g_free(s->ipi_list[c]);
	}
	g_free(s->cfd_mask);
	g_free(s->cfd_ipi);
	g_free(s->ipi_list);
	cpumask_free(s->online);
	g_hash_table_destroy(s->csds);
	g_free(s->chunk);
	g_free(s->chunk_used);
	g_free(s);
}

/*
 * per_cpu_ptr(cfd->csd, t) of initiator i, allocated on first use from
 * t's current block (placed on t's socket when the block is new, before
 * any CPU touched its lines), in first-use order: two initiators' csds
 * share a line as alloc_percpu packs them.
 */
static struct csd *
csd_of(struct linux_smp *s, uint32_t i, uint32_t t)
{
	gpointer key = GSIZE_TO_POINTER((gsize)i * s->ncpus + t + 1);
	struct csd *c = g_hash_table_lookup(s->csds, key);
	if (c == NULL) {
		if (s->chunk[t] == NULL || s->chunk_used[t] == CSD_CHUNK) {
			s->chunk[t] = sim_alloc(CSD_CHUNK * sizeof(struct csd), 64);
			sim_mem_place(s->sim, s->chunk[t], CSD_CHUNK * sizeof(struct csd),
				      socket_of(s->sim, t));
			s->chunk_used[t] = 0;
		}
		c = &s->chunk[t][s->chunk_used[t]++];
		g_hash_table_insert(s->csds, key, c);
	}
	return c;
}

/* flush_tlb_func: the target reads the initiator's request, invalidates. */
static void
flush_tlb_func(struct linux_smp *s, struct flush_info *fi)
{
	uint64_t start = sim_load64(&fi->start);
	uint32_t npages = (uint32_t)sim_load64(&fi->npages);
	if (!smp_flush_hooks_run(&s->hooks, (uint32_t)(fi - s->info), start, npages))
		sim_work(smp_flush_cost(&s->p, npages));
}

/* flush_smp_call_function_queue: the IPI handler on the target. */
static void
linux_ipi_handler(void *arg)
{
	struct linux_smp *s = arg;
	uint32_t me = sim_cpu_id();
	s->st.handlers++;
	if (s->p.handler_work)
		sim_work(s->p.handler_work);
	struct csd *entry = sim_xchgp(&s->queue[me * 8], NULL);
	/* llist_reverse_order: run in the order the calls were queued. */
	struct csd *rev = NULL;
	while (entry) {
		struct csd *next = sim_loadp(&entry->next);
		sim_storep(&entry->next, rev);
		rev = entry;
		entry = next;
	}
	while (rev) {
		struct csd *next = sim_loadp(&rev->next);
		uint64_t func = sim_load64(&rev->func);
		struct flush_info *fi = sim_loadp(&rev->info);
		g_assert(func == 1);
		flush_tlb_func(s, fi);
		sim_store32_rel(&rev->flags, 0);        /* csd_unlock: the ack */
		s->st.acks++;
		rev = next;
	}
}

/* csd_lock_wait: spin until the csd's LOCK flag is clear. */
static void
csd_lock_wait(struct csd *c)
{
	uint32_t f;
	while ((f = sim_load32_acq(&c->flags)) & CSD_FLAG_LOCK)
		(void)sim_spin_while_eq32(&c->flags, f);
}

/* llist_add: return whether the list was empty. */
static bool
llist_add(struct csd *c, void **head)
{
	void *first = sim_loadp(head);
	for (;;) {
		sim_storep(&c->next, first);
		void *seen = sim_casp(head, first, c);
		if (seen == first)
			return first == NULL;
		first = seen;
	}
}

static uint32_t
linux_flush_tlb_others(void *arg, struct cpumask *mask, uint64_t start, uint32_t npages)
{
	struct linux_smp *s = arg;
	uint32_t me = sim_cpu_id();
	g_assert(mask->nbits == s->ncpus);
	sim_time_t t0 = sim_now();
	if (s->cfd_mask[me] == NULL) {
		s->cfd_mask[me] = cpumask_alloc(s->ncpus);
		s->cfd_ipi[me] = cpumask_alloc(s->ncpus);
		uint32_t sock = socket_of(s->sim, me);
		sim_mem_place(s->sim, s->cfd_mask[me]->bits, s->cfd_mask[me]->nwords * 8, sock);
		sim_mem_place(s->sim, s->cfd_ipi[me]->bits, s->cfd_ipi[me]->nwords * 8, sock);
		s->ipi_list[me] = g_new(uint32_t, s->ncpus);
	}
	struct cpumask *cfd = s->cfd_mask[me], *cfd_ipi = s->cfd_ipi[me];
	struct flush_info *fi = &s->info[me];
	sim_store64(&fi->start, start);
	sim_store64(&fi->npages, npages);

	cpumask_and(cfd, mask, s->online);
	__cpumask_clear_cpu(me, cfd);
	cpumask_clear(cfd_ipi);
	uint32_t cpu, ntargets = 0;
	for_each_cpu(cpu, cfd) {
		struct csd *c = csd_of(s, me, cpu);
		csd_lock_wait(c);
		sim_store32(&c->flags, CSD_FLAG_LOCK | CSD_TYPE_SYNC);
		sim_store64(&c->func, 1);
		sim_storep(&c->info, fi);
		if (llist_add(c, &s->queue[cpu * 8]))
			__cpumask_set_cpu(cpu, cfd_ipi);
		ntargets++;
	}
	if (ntargets == 0)
		return 0;
	/* arch_send_call_function_ipi_mask: x2APIC physical mode walks the
	 * mask and writes the ICR once per CPU. */
	uint32_t n = 0;
	for_each_cpu(cpu, cfd_ipi)
		s->ipi_list[me][n++] = cpu;
	sim_ipi_multicast(s->ipi_list[me], n, linux_ipi_handler, s);
	s->st.ipis += n;
	for_each_cpu(cpu, cfd)
		csd_lock_wait(csd_of(s, me, cpu));

	smp_stats_call(&s->st, t0, ntargets);
	return ntargets;
}

static const struct smp_stats *
linux_stats(void *arg)
{
	return &((struct linux_smp *)arg)->st;
}

static struct smp_flush_hooks *
linux_flush_hooks(void *arg)
{
	return &((struct linux_smp *)arg)->hooks;
}

const struct smp_ops smp_linux_ops = {
	.comp = {
		.name = "linux",
		.summary = "Linux smp_call_function_many_cond: per-CPU csd, llist queues, "
			   "multicast IPI, wait on each csd",
		.params = linux_params,
		.params_size = sizeof(struct smp_params),
	},
	.create = linux_create,
	.destroy = linux_destroy,
	.flush_tlb_others = linux_flush_tlb_others,
	.stats = linux_stats,
	.flush_hooks = linux_flush_hooks,
};
