// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * x86 TLB shootdowns before Linux 3.6: flush_tlb_others_ipi() with the
 * INVALIDATE_TLB_VECTOR flush_state slots (arch/x86/mm/tlb.c and
 * arch/x86/include/asm/irq_vectors.h, read at v3.5 and at v2.6.37; 3.6
 * replaced the scheme with smp_call_function_many, which smp.c models).
 * Two variants, both in this file:
 *
 *   linux-3.5     32 vectors (NUM_INVALIDATE_TLB_VECTORS with NR_CPUS >
 *                 32); a sender's vector is its tlb_vector_offset from
 *                 calculate_tlb_offset(): every node gets 32 / nodes
 *                 consecutive vectors, handed to the node's CPUs in
 *                 ascending id order, round robin; tlbstate_lock taken
 *                 only when nr_cpu_ids > 32 (ben: 80 CPUs on 8 nodes, 4
 *                 vectors per node, 2 or 3 senders per slot)
 *   linux-2.6.37  8 vectors, sender = cpu % 8, tlbstate_lock always
 *                 (Bonsai's base kernel; the 32-vector and per-node
 *                 spreading came in 2.6.38)
 *
 * Sender i (flush_tlb_others_ipi; preemption off, interrupts on):
 *   f = &flush_state[vector of i];
 *   if (lock): raw_spin_lock(&f->tlbstate_lock)  -- held to the end;
 *   f->flush_mm = mm; f->flush_va = va;
 *   if (cpumask_andnot(f->flush_cpumask, mask, cpumask_of(i))):
 *       send_IPI_mask(f->flush_cpumask, INVALIDATE_TLB_VECTOR_START + v);
 *       while (!cpumask_empty(f->flush_cpumask)) cpu_relax();
 *   f->flush_mm = NULL; f->flush_va = 0; unlock.
 * Target t, in smp_invalidate_interrupt for vector v:
 *   if cpumask_test_cpu(t, f->flush_cpumask): read flush_mm, flush_va;
 *       flush (or leave_mm in lazy-TLB mode: the flush hooks);
 *   ack_APIC_irq(); cpumask_clear_cpu(t, f->flush_cpumask) (LOCK BTR:
 *   the ack).
 *
 * Layout (simulated): flush_state[v], one union per vector, aligned and
 * padded to INTERNODE_CACHE_BYTES (64): [flush_mm | flush_va |
 * tlbstate_lock | pad | flush_cpumask ...], the mask's first 320 bits on
 * the slot's first line.  So the sender's stores, its spin on the mask,
 * every target's ack (LOCK BTR) and every other sender of the slot
 * spinning on tlbstate_lock (a ticket lock, as 3.5 and 2.6.37 x86 had)
 * all touch one line.  The array is a static in the kernel image: homed
 * on socket 0.
 *
 * Invariants: a slot serves one shootdown at a time (its lock, or one
 * sender per slot when the lock is skipped); a target's bit is set from
 * the sender's andnot until the target's ack; the sender returns only
 * when the mask is empty (acks == targets over a run).
 *
 * MODEL: the mask is nr_cpumask_bits = the run's CPUs wide (the caller's
 * mm_cpumask width); nr_cpu_ids and the nodes for the vector map and the
 * lock test are the machine's (ben: 80 CPUs, 8 nodes, whatever the run
 * uses), and Linux CPU ids are the simulator's (ben's own numbering, with
 * socket 0 = CPUs {0, 41-49} in 2014 outputs, may have spread a run's
 * threads differently: not confirmable).  Effect: which senders share a
 * slot.
 * MODEL: flush_va carries the range's start; the page count and the
 * initiator, which Linux does not need (3.5 flushes one page or the whole
 * TLB: tlb_flush after an unmap is flush_tlb_mm), travel host-side per
 * slot for the mm layer's flush hooks.  Effect: none on costs.
 * MODEL: where calculate_tlb_offset would give two CPUs the same slot
 * while nr_cpu_ids <= 32 (an unbalanced topology), Linux skips the lock
 * and races; this model takes the lock there.  No preset reaches it.
 * MODEL: handler_work stands for ack_APIC_irq and the rest of the handler
 * besides the flush (inc_irq_stat, the entry/exit code beyond
 * latency.irq_entry), charged where ack_APIC_irq runs, before the ack.
 */
#include <glib.h>
#include <string.h>

#include "engine.h"
#include "klock.h"
#include "smp.h"

#define FS_HDR_BYTES 24u           /* flush_mm, flush_va, tlbstate_lock + pad */

struct tlbvec_variant {
	uint32_t nvec;           /* NUM_INVALIDATE_TLB_VECTORS */
	bool by_node;            /* calculate_tlb_offset (3.5) or cpu % nvec (2.6.37) */
	bool lock_always;        /* 2.6.37: no nr_cpu_ids test */
};

/* The simulated head of a flush_state slot; the mask's words follow. */
struct flush_state {
	uint64_t flush_mm;
	uint64_t flush_va;
	spinlock_t tlbstate_lock;
	uint32_t pad;
	uint64_t flush_cpumask[];
};
G_STATIC_ASSERT(sizeof(struct flush_state) == FS_HDR_BYTES);

struct tlbvec_smp;

/* Host side of one slot: the handler's argument and the request. */
struct tlbvec_slot {
	struct tlbvec_smp *s;
	struct flush_state *f;   /* simulated */
	struct cpumask mask;     /* host handle of f->flush_cpumask */
	uint32_t initiator;      /* host: the current sender (flush hooks) */
	uint32_t npages;         /* host: the current range's length */
	uint32_t senders;        /* CPUs of the machine mapped to this slot */
};

struct tlbvec_smp {
	struct smp_params p;
	struct sim *sim;
	uint32_t ncpus;
	const struct tlbvec_variant *var;
	bool lock;               /* take tlbstate_lock */
	struct klock *kl;        /* ticket spinlocks */
	void *area;              /* simulated: the flush_state array */
	size_t slot_bytes;
	struct tlbvec_slot *slot;
	uint32_t *vector;        /* per run CPU: tlb_vector_offset */
	uint32_t **ipi_list;     /* host scratch per CPU */
	struct smp_stats st;
	struct smp_flush_hooks hooks;
};

static const struct sim_param tlbvec_params[] = {
	SMP_PARAM_ROWS,
	SIM_P_END,
};

static const struct tlbvec_variant v35 = { .nvec = 32, .by_node = true, .lock_always = false };
static const struct tlbvec_variant v2637 = { .nvec = 8, .by_node = false, .lock_always = true };

/*
 * calculate_tlb_offset (3.5) or cpu % nvec (2.6.37) over the machine's
 * CPUs, nodes = sockets; out[c] for every machine CPU c.
 */
static void
tlb_vector_map(const struct sim_machine *m, const struct tlbvec_variant *var, uint32_t total,
	       uint32_t *out)
{
	if (!var->by_node) {
		for (uint32_t c = 0; c < total; c++)
			out[c] = c % var->nvec;
		return;
	}
	uint32_t nodes = m->topo.sockets;
	uint32_t per_node = nodes > var->nvec ? 1 : var->nvec / nodes;
	/* One pass in ascending CPU id, a round-robin position per node:
	 * each node's CPUs get the same vectors as a scan per node would
	 * give them (host speed: the machine's CPUs are placed once, not
	 * once per node). */
	uint32_t *k = g_new0(uint32_t, nodes);
	for (uint32_t c = 0; c < total; c++) {
		uint32_t node = sim_machine_place(m, c).socket;
		g_assert(node < nodes);
		out[c] = (node % var->nvec) * per_node + k[node];
		k[node] = (k[node] + 1) % per_node;
	}
	g_free(k);
}

static void *
tlbvec_create_variant(struct sim *sim, const void *params, const struct tlbvec_variant *var)
{
	struct tlbvec_smp *s = g_new0(struct tlbvec_smp, 1);
	const struct sim_machine *m = sim_machine_of(sim);
	s->p = *(const struct smp_params *)params;
	s->sim = sim;
	s->var = var;
	s->ncpus = sim_ncpus_of(sim);
	const struct sim_topology *t = &m->topo;
	uint32_t total = t->sockets * t->clusters_per_socket * t->cores_per_cluster *
			 t->threads_per_core;
	if (total < s->ncpus)
		total = s->ncpus;
	uint32_t *map = g_new(uint32_t, total);
	tlb_vector_map(m, var, total, map);
	s->vector = g_new(uint32_t, s->ncpus);
	memcpy(s->vector, map, s->ncpus * sizeof(uint32_t));
	s->lock = var->lock_always || total > var->nvec;

	uint32_t nwords = (s->ncpus + CPUMASK_BITS_PER_LONG - 1) / CPUMASK_BITS_PER_LONG;
	s->slot_bytes = (FS_HDR_BYTES + (size_t)nwords * 8 + 63) & ~(size_t)63;
	s->area = sim_alloc(s->slot_bytes * var->nvec, 64);
	sim_mem_place(sim, s->area, s->slot_bytes * var->nvec, 0);
	s->slot = g_new0(struct tlbvec_slot, var->nvec);
	for (uint32_t v = 0; v < var->nvec; v++) {
		struct tlbvec_slot *sl = &s->slot[v];
		sl->s = s;
		sl->f = (struct flush_state *)((char *)s->area + v * s->slot_bytes);
		sl->mask = (struct cpumask){ .nbits = s->ncpus, .nwords = nwords,
					     .bits = sl->f->flush_cpumask };
	}
	for (uint32_t c = 0; c < total; c++)
		s->slot[map[c]].senders++;
	for (uint32_t v = 0; v < var->nvec && !s->lock; v++)
		if (s->slot[v].senders > 1)
			s->lock = true;         /* MODEL above: Linux would race */
	g_free(map);
	s->kl = klock_create_ticket_only(sim);
	s->ipi_list = g_new0(uint32_t *, s->ncpus);
	return s;
}

static void *
tlbvec35_create(struct sim *sim, const void *params)
{
	return tlbvec_create_variant(sim, params, &v35);
}

static void *
tlbvec2637_create(struct sim *sim, const void *params)
{
	return tlbvec_create_variant(sim, params, &v2637);
}

static void
tlbvec_destroy(void *arg)
{
	struct tlbvec_smp *s = arg;
	for (uint32_t c = 0; c < s->ncpus; c++)
		g_free(s->ipi_list[c]);
	g_free(s->ipi_list);
	klock_destroy(s->kl);
	sim_free(s->area, s->slot_bytes * s->var->nvec, 64);
	g_free(s->slot);
	g_free(s->vector);
	g_free(s);
}

/* smp_invalidate_interrupt for one vector's slot, on the target. */
static void
smp_invalidate_interrupt(void *arg)
{
	struct tlbvec_slot *sl = arg;
	struct tlbvec_smp *s = sl->s;
	struct flush_state *f = sl->f;
	uint32_t me = sim_cpu_id();
	s->st.handlers++;
	bool mine = cpumask_test_cpu(me, &sl->mask);
	if (mine) {
		(void)sim_load64(&f->flush_mm);
		uint64_t start = sim_load64(&f->flush_va);
		if (!smp_flush_hooks_run(&s->hooks, sl->initiator, start, sl->npages))
			sim_work(smp_flush_cost(&s->p, sl->npages));
	}
	if (s->p.handler_work)
		sim_work(s->p.handler_work);    /* ack_APIC_irq and the rest */
	cpumask_clear_cpu(me, &sl->mask);       /* the ack */
	if (mine)
		s->st.acks++;
}

/* cpumask_andnot(dst, src, cpumask_of(me)): return whether dst is nonempty. */
static bool
mask_andnot_self(struct cpumask *dst, struct cpumask *src, uint32_t me)
{
	uint64_t any = 0;
	for (uint32_t w = 0; w < dst->nwords; w++) {
		uint64_t v = sim_load64(&src->bits[w]);
		if (w == me / CPUMASK_BITS_PER_LONG)
			v &= ~(UINT64_C(1) << (me % CPUMASK_BITS_PER_LONG));
		sim_store64(&dst->bits[w], v);
		any |= v;
	}
	return any != 0;
}

static uint32_t
tlbvec_flush_tlb_others(void *arg, struct cpumask *mask, uint64_t start, uint32_t npages)
{
	struct tlbvec_smp *s = arg;
	uint32_t me = sim_cpu_id();
	g_assert(mask->nbits == s->ncpus);
	sim_time_t t0 = sim_now();
	struct tlbvec_slot *sl = &s->slot[s->vector[me]];
	struct flush_state *f = sl->f;
	if (s->lock)
		spin_lock(s->kl, &f->tlbstate_lock);
	sl->initiator = me;
	sl->npages = npages;
	sim_store64(&f->flush_mm, 1);
	sim_store64(&f->flush_va, start);
	uint32_t ntargets = 0;
	if (mask_andnot_self(&sl->mask, mask, me)) {
		if (s->ipi_list[me] == NULL)
			s->ipi_list[me] = g_new(uint32_t, s->ncpus);
		/* send_IPI_mask: one ICR write per CPU of the slot's mask. */
		uint32_t cpu;
		for_each_cpu(cpu, &sl->mask)
			s->ipi_list[me][ntargets++] = cpu;
		sim_ipi_multicast(s->ipi_list[me], ntargets, smp_invalidate_interrupt, sl);
		s->st.ipis += ntargets;
		/* while (!cpumask_empty(f->flush_cpumask)) cpu_relax(); */
		for (uint32_t w = 0; w < sl->mask.nwords; w++) {
			uint64_t v;
			while ((v = sim_load64(&sl->mask.bits[w])) != 0)
				(void)sim_spin_while_eq64(&sl->mask.bits[w], v);
		}
	}
	sim_store64(&f->flush_mm, 0);
	sim_store64(&f->flush_va, 0);
	if (s->lock)
		spin_unlock(s->kl, &f->tlbstate_lock);
	if (ntargets == 0)
		return 0;
	smp_stats_call(&s->st, t0, ntargets);
	return ntargets;
}

static const struct smp_stats *
tlbvec_stats(void *arg)
{
	return &((struct tlbvec_smp *)arg)->st;
}

static struct smp_flush_hooks *
tlbvec_flush_hooks(void *arg)
{
	return &((struct tlbvec_smp *)arg)->hooks;
}

const struct smp_ops smp_linux35_ops = {
	.comp = {
		.name = "linux-3.5",
		.summary = "Linux 3.5 x86 flush_tlb_others_ipi: 32 per-vector flush_state "
			   "slots spread by node, tlbstate_lock held across the shootdown, "
			   "acks on the slot's mask",
		.params = tlbvec_params,
		.params_size = sizeof(struct smp_params),
	},
	.create = tlbvec35_create,
	.destroy = tlbvec_destroy,
	.flush_tlb_others = tlbvec_flush_tlb_others,
	.stats = tlbvec_stats,
	.flush_hooks = tlbvec_flush_hooks,
};

const struct smp_ops smp_linux2637_ops = {
	.comp = {
		.name = "linux-2.6.37",
		.summary = "Linux 2.6.37 x86 flush_tlb_others_ipi: 8 flush_state slots "
			   "(cpu % 8), tlbstate_lock always held across the shootdown",
		.params = tlbvec_params,
		.params_size = sizeof(struct smp_params),
	},
	.create = tlbvec2637_create,
	.destroy = tlbvec_destroy,
	.flush_tlb_others = tlbvec_flush_tlb_others,
	.stats = tlbvec_stats,
	.flush_hooks = tlbvec_flush_hooks,
};
