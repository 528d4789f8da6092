// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The per-CPU TLB, the mmu_gather and the TLB shootdown of the mm
 * substrate (mm.h): what arch/x86/mm/tlb.c (flush_tlb_mm_range,
 * flush_tlb_func) and mm/mmu_gather.c (tlb_gather_mmu, tlb_remove_page,
 * tlb_flush_mmu, tlb_finish_mmu, tlb_remove_table) do, on top of the
 * "kernel" section's cross-CPU calls (models/kernel/smp.h).
 *
 * TLB: host state per CPU (hardware, no simulated lines): up to
 * tlb_entries leaf translations (vpn -> data page, writable), LRU
 * replacement.  A miss is a hardware walk (fault.c).  Entries leave by
 * eviction, by this CPU's own flushes, and by the smp flush hook that the
 * shootdown handlers of both smp implementations call on each target
 * (mm_flush_hook): a range of at most flush_ceiling pages is invalidated
 * page by page (INVLPG), a larger one flushes the whole TLB (CR3 write),
 * as the handler's cost (smp_flush_cost) says.
 *
 * Gather order (tlb_finish_mmu): clear PTEs (zap) and unlink tables
 * (free_pgtables) -> flush: the local TLB, then flush_tlb_others on the
 * targets, waiting for every ack -> free the page-table pages (through
 * the reclaim scheme when rcu_table_free) -> release the data pages.
 * A gather that collected MM_GATHER_MAX pages flushes and frees early
 * (tlb_flush_mmu from zap_pte_range's force_flush).
 *
 * Stale-translation check: every flush records, for each vpn whose PTE
 * the gather cleared, mm->seq at the time its shootdown returned; a TLB
 * hit on an entry filled before that (fill_seq smaller) is a CPU using a
 * translation that the kernel believes gone: sim_fail.
 *
 * Lazy-TLB mode (params lazy_tlb), as x86 Linux 2.6.37 to 4.x has it
 * (arch/x86/mm/tlb.c leave_mm and smp_invalidate_interrupt,
 * arch/x86/include/asm/mmu_context.h enter_lazy_tlb and switch_mm, read
 * at v3.5 and v2.6.37; kernel/sched/core.c context_switch):
 *   - a CPU whose task sleeps switches to the idle task, which has no mm
 *     of its own and keeps the sleeper's loaded: context_switch takes a
 *     reference (atomic_inc of mm_count, on mm_shared line 0 with
 *     mmap_sem) and
 *     enter_lazy_tlb sets cpu_tlbstate.state = TLBSTATE_LAZY; the CPU
 *     stays in mm_cpumask and its TLB keeps its entries
 *     (mm_enter_lazy_tlb, the sched_out of a scheduler notifier,
 *     models/kernel/sched_notifier.h);
 *   - the first shootdown IPI it takes finds it lazy and calls leave_mm()
 *     instead of flushing the range: cpumask_test_cpu (a load of the
 *     mm_cpumask word), cpumask_clear_cpu (LOCK BTR on it), load_cr3 of
 *     swapper_pg_dir (flush_all cycles; the TLB loses every entry of this
 *     mm).  Shootdowns that read mm_cpumask afterwards skip the CPU;
 *   - when its task runs again, switch_mm(prev == next) sets
 *     TLBSTATE_OK and cpumask_test_and_set_cpu (LOCK BTS on the mask
 *     word, on every switch back from idle); if the bit was clear
 *     (leave_mm ran), load_cr3 of the mm's pgd (flush_all cycles, TLB
 *     emptied again); then finish_task_switch's mmdrop of the idle
 *     task's reference (atomic dec of mm_count) -- mm_switch_mm.
 * Stale-translation safety: a CPU that left the mask flushed everything
 * in leave_mm and fills nothing while idle, so the shootdowns it misses
 * have nothing to invalidate on it; the test-only mutation
 * test_lazy_keep_tlb drops both flushes and the check catches it.
 * The mask word is on mm_cpumask's line, homed with the mm (mm.c).
 *
 * MODEL: cpu_tlbstate is host state per CPU (mm_cpu.tlbstate), not a
 * simulated per-CPU line.  Effect: its this_cpu_read/write (L1 hits in
 * Linux) cost nothing: a few cycles fewer per sleep, wake-up and lazy
 * IPI.  Linux 2.6.37's leave_mm clears the bit without 3.5's
 * cpumask_test_cpu first; the model always tests (one more load of a
 * line the RMW then takes anyway).  mm_count sits with mmap_sem, as in
 * 3.5's mm_struct (mm_impl.h): the idle switches' mm_count RMWs bounce
 * the line every fault's down_read writes.
 * MODEL: no paging-structure caches (a walk always loads four levels),
 * no PCID; a TLB holds 4 KiB translations of this one mm.  Effect: walks
 * cost their four loads (mostly L1/L2 hits on the directories).
 * MODEL: the gather's batch lists are host arrays; Linux stores the page
 * pointers in batch pages it allocates (one page per 510 pages after the
 * first 8).  Effect: one page allocation and 510 stores fewer per 510
 * pages zapped (under 1% of a zap's cost).
 * MODEL: a flush forced by a full batch in mm_zap_range targets
 * mm_cpumask (the zap does not know the caller's targets).
 */
#include "mm_impl.h"
#include "sched_notifier.h"

/* MAX_GATHER_BATCH (510) * MAX_GATHER_BATCH_COUNT (19) + the on-stack
 * bundle (8): pages a gather holds before tlb_flush_mmu. */
#define MM_GATHER_MAX (510u * 19u + 8u)

void
mm_tlb_init(struct mm_tlb *t, uint32_t cap)
{
	t->cap = cap;
	t->map = NULL;           /* made by the first fill: 65,536 idle CPUs cost nothing */
	g_queue_init(&t->lru);
}

static void
entry_free(gpointer p)
{
	g_free(p);
}

void
mm_tlb_destroy(struct mm_tlb *t)
{
	if (t->map)
		g_hash_table_destroy(t->map);
	for (GList *l = t->lru.head; l;) {
		GList *next = l->next;
		entry_free(l->data);
		l = next;
	}
	g_queue_init(&t->lru);
}

struct mm_tlb_entry *
mm_tlb_lookup(struct mm_tlb *t, uint64_t vpn)
{
	if (t->map == NULL)
		return NULL;
	struct mm_tlb_entry *e = g_hash_table_lookup(t->map, &vpn);
	if (e && t->lru.head != &e->link) {
		g_queue_unlink(&t->lru, &e->link);
		g_queue_push_head_link(&t->lru, &e->link);
	}
	return e;
}

static void
entry_drop(struct mm_tlb *t, struct mm_tlb_entry *e)
{
	g_hash_table_remove(t->map, &e->vpn);
	g_queue_unlink(&t->lru, &e->link);
	entry_free(e);
}

void
mm_tlb_fill(struct mm *mm, struct mm_tlb *t, uint64_t vpn, uint64_t page, bool writable)
{
	if (t->cap == 0)
		return;
	if (t->map == NULL)
		t->map = g_hash_table_new(g_int64_hash, g_int64_equal);
	struct mm_tlb_entry *e = g_hash_table_lookup(t->map, &vpn);
	if (e)
		entry_drop(t, e);
	if (t->lru.length >= t->cap) {
		entry_drop(t, t->lru.tail->data);
		mm->st.tlb_evictions++;
	}
	e = g_new0(struct mm_tlb_entry, 1);
	e->vpn = vpn;
	e->page = page;
	e->writable = writable;
	e->fill_seq = ++mm->seq;
	e->link.data = e;
	g_hash_table_insert(t->map, &e->vpn, e);
	g_queue_push_head_link(&t->lru, &e->link);
}

void
mm_tlb_remove(struct mm *mm, struct mm_tlb *t, uint64_t vpn)
{
	if (t->map == NULL)
		return;
	struct mm_tlb_entry *e = g_hash_table_lookup(t->map, &vpn);
	if (e) {
		entry_drop(t, e);
		mm->st.flushed_entries++;
	}
}

void
mm_tlb_flush_range(struct mm *mm, struct mm_tlb *t, uint64_t start, uint32_t npages)
{
	if (npages > mm->env.smp_params->flush_ceiling) {
		mm->st.full_flushes++;
		if (t->map == NULL)
			return;
		mm->st.flushed_entries += t->lru.length;
		g_hash_table_remove_all(t->map);
		for (GList *l = t->lru.head; l;) {
			GList *next = l->next;
			entry_free(l->data);
			l = next;
		}
		g_queue_init(&t->lru);
		return;
	}
	for (uint64_t v = start; v < start + npages; v++)
		mm_tlb_remove(mm, t, v);
}

/* load_cr3 without PCID: every translation of this mm leaves the TLB
 * (unless the test-only mutation keeps them); flush_all cycles. */
static void
load_cr3(struct mm *mm, uint32_t cpu)
{
	sim_work(mm->env.smp_params->flush_all);
	if (!mm->env.test_lazy_keep_tlb)
		mm_tlb_flush_range(mm, &mm->tlb[cpu], 0, UINT32_MAX);
}

/*
 * leave_mm - on a lazy CPU (in a shootdown handler, or entering a
 * TLB-flushing idle state): stop shootdown IPIs for this mm and drop its
 * translations.  Return: whether the CPU was still in mm_cpumask.
 * Context: this CPU, in its IPI handler or idle loop; may yield.  Cost: a
 * load of the mm_cpumask word; if the bit is set, a LOCK BTR of it and
 * load_cr3 (flush_all cycles).
 */
static bool
leave_mm(struct mm *mm, uint32_t me)
{
	g_assert(mm->cpu[me].tlbstate == TLBSTATE_LAZY);
	if (!cpumask_test_cpu(me, mm->cpumask))
		return false;
	cpumask_clear_cpu(me, mm->cpumask);
	load_cr3(mm, me);           /* swapper_pg_dir */
	return true;
}

/* The smp flush hook: on a target of a shootdown that this mm started
 * (flush_mm == cpu_tlbstate.active_mm): flush the range, or leave_mm in
 * lazy mode. */
bool
mm_flush_hook(void *arg, uint32_t initiator, uint64_t start, uint32_t npages)
{
	struct mm *mm = arg;
	uint32_t me = sim_cpu_id();
	if (!mm->cpu[initiator].flushing)
		return false;
	if (mm->cpu[me].tlbstate == TLBSTATE_LAZY) {
		if (leave_mm(mm, me))
			mm->st.leave_mms++;
		return true;
	}
	mm_tlb_flush_range(mm, &mm->tlb[me], start, npages);
	return false;
}

/* enter_lazy_tlb: cpu's task switched to the idle task. */
static void
mm_enter_lazy_tlb(void *arg, uint32_t cpu)
{
	struct mm *mm = arg;
	struct mm_cpu *c = &mm->cpu[cpu];
	(void)sim_faa32(&mm->sh->mm_count, 1);         /* atomic_inc(&oldmm->mm_count) */
	if (c->tlbstate == TLBSTATE_OK) {
		c->tlbstate = TLBSTATE_LAZY;
		mm->st.lazy_enters++;
	}
}

/* switch_mm(prev == next): cpu's task comes back from idle. */
static void
mm_switch_mm(void *arg, uint32_t me)
{
	struct mm *mm = arg;
	mm->cpu[me].tlbstate = TLBSTATE_OK;
	mm->st.lazy_switch_mms++;
	if (!cpumask_test_and_set_cpu(me, mm->cpumask)) {
		/* leave_mm ran: back from swapper_pg_dir to the mm's pgd. */
		load_cr3(mm, me);
		mm->st.lazy_readds++;
	}
	/* finish_task_switch: mmdrop(prev->active_mm), never the last one. */
	int32_t was = (int32_t)sim_faa32(&mm->sh->mm_count, UINT32_MAX);
	g_assert(was > 1);
}

/* intel_idle, entering a CPUIDLE_FLAG_TLB_FLUSHED state: leave_mm(cpu).
 * (Linux's leave_mm BUGs on a CPU not in lazy mode; an idle CPU whose
 * task uses no mm here -- tlbstate OK only while a task runs -- has
 * nothing to leave.) */
void
mm_idle_leave_mm(void *arg, uint32_t cpu)
{
	struct mm *mm = arg;
	if (mm->cpu[cpu].tlbstate == TLBSTATE_LAZY && leave_mm(mm, cpu))
		mm->st.idle_leave_mms++;
}

const struct sched_notifier mm_lazy_tlb_notifier = {
	.sched_out = mm_enter_lazy_tlb,
	.sched_in = mm_switch_mm,
};

uint32_t
mm_flush_tlb_range(struct mm *mm, struct cpumask *targets, uint64_t start, uint32_t npages,
		   const uint64_t *vpns, size_t nvpns)
{
	uint32_t me = sim_cpu_id();
	/* flush_tlb_mm_range: the local flush first, then the others. */
	sim_work(smp_flush_cost(mm->env.smp_params, npages));
	mm_tlb_flush_range(mm, &mm->tlb[me], start, npages);
	mm->st.local_flushes++;
	uint32_t n = 0;
	if (!mm->env.test_skip_shootdown) {
		mm->cpu[me].flushing = true;
		n = mm->env.smp->flush_tlb_others(mm->env.smp_state,
						  targets ? targets : mm->cpumask, start, npages);
		mm->cpu[me].flushing = false;
	}
	if (n) {
		mm->st.shootdowns++;
		mm->st.shootdown_targets += n;
	}
	uint64_t seq = ++mm->seq;
	for (size_t i = 0; i < nvpns; i++) {
		uint64_t *k = g_new(uint64_t, 1), *v = g_new(uint64_t, 1);
		*k = vpns[i];
		*v = seq;
		g_hash_table_replace(mm->zapped, k, v);
	}
	return n;
}

/* ---- mmu_gather ---- */

struct mm_gather *
mm_gather_begin(struct mm *mm)
{
	/* unmap_region, zap_page_range and exit_mmap drain this CPU's LRU
	 * pagevec before tlb_gather_mmu. */
	mm_lru_add_drain(mm);
	struct mm_gather *g = g_new0(struct mm_gather, 1);
	g->mm = mm;
	g->start = UINT64_MAX;
	g->end = 0;
	g->pages = g_array_new(FALSE, FALSE, sizeof(uint8_t *));
	g->vpns = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	g->tables = g_array_new(FALSE, FALSE, sizeof(uint64_t *));
	return g;
}

void
mm_gather_range(struct mm_gather *g, uint64_t start, uint64_t end)
{
	if (start < g->start)
		g->start = start;
	if (end > g->end)
		g->end = end;
}

bool
mm_gather_add_page(struct mm_gather *g, uint64_t addr, uint8_t *page)
{
	uint64_t vpn = addr >> MM_PAGE_SHIFT;
	g_array_append_val(g->vpns, vpn);
	mm_gather_range(g, addr, addr + MM_PAGE_SIZE);
	if (page)
		g_array_append_val(g->pages, page);
	return g->pages->len >= MM_GATHER_MAX;
}

void
mm_gather_add_table(struct mm_gather *g, uint64_t *table, uint64_t start, uint64_t end)
{
	g_array_append_val(g->tables, table);
	g->freed_tables = true;
	mm_gather_range(g, start, end);
}

/* tlb_flush_mmu: flush the gathered range, then free what waited on it.
 * Return: the shootdown's targets. */
uint32_t
mm_gather_flush(struct mm_gather *g, struct cpumask *targets)
{
	struct mm *mm = g->mm;
	uint32_t n = 0;
	if (g->start < g->end) {
		uint64_t first = g->start >> MM_PAGE_SHIFT;
		uint64_t span = ((g->end + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT) - first;
		uint32_t npages = span > UINT32_MAX ? UINT32_MAX : (uint32_t)span;
		n = mm_flush_tlb_range(mm, targets, first, npages,
				       (const uint64_t *)(void *)g->vpns->data, g->vpns->len);
		mm->st.gather_flushes++;
		g->ntargets += n;
	}
	g->start = UINT64_MAX;
	g->end = 0;
	g_array_set_size(g->vpns, 0);
	/* tlb_table_flush: page-table pages, after every walker let go. */
	bool rcu = mm->p.rcu_table_free && mm->env.rcl && mm->env.rs;
	for (guint i = 0; i < g->tables->len; i++) {
		uint64_t *t = g_array_index(g->tables, uint64_t *, i);
		if (rcu)
			mm->env.rcl->retire(mm->env.rs, t, MM_PAGE_SIZE, MM_PAGE_SIZE);
		else
			free_pages(mm->env.ka, t, 0);
		mm->st.pgtable_free++;
	}
	g_array_set_size(g->tables, 0);
	g->freed_tables = false;
	/* tlb_batch_pages_flush: release_pages. */
	mm_release_pages(mm, (uint8_t *const *)(void *)g->pages->data, g->pages->len);
	g_array_set_size(g->pages, 0);
	return n;
}

uint32_t
mm_gather_finish(struct mm_gather *g, struct cpumask *targets)
{
	(void)mm_gather_flush(g, targets);
	uint32_t n = g->ntargets;
	g_array_free(g->pages, TRUE);
	g_array_free(g->vpns, TRUE);
	g_array_free(g->tables, TRUE);
	g_free(g);
	return n;
}
