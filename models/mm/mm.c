// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * One mm (mm_struct) of the substrate in mm.h: creation and teardown, the
 * host-side consistency check, the mapped-page count and the counters.
 * Models what kernel/fork.c's mm_init / mm_alloc_pgd sets up for a
 * process whose threads run on every CPU of the run.
 *
 * Invariants (mm_check, after the run):
 *   - every present pgd/pud/pmd entry points at a live page-table page of
 *     the next level that this mm linked (the shadow mm->pt), each such
 *     page is reached exactly once, and pgtables_bytes = 4 KiB per page;
 *   - every present PTE maps the shared zero page read-only or a live
 *     page of alloc_pages();
 *   - rss_stat[MM_ANONPAGES] plus the tasks' unflushed counts equals the
 *     present PTEs that map a page of their own (the zero page excluded);
 *   - no TLB holds a translation whose PTE a finished gather cleared.
 *
 * MODEL: the pgd and the zero page come from the arena at setup, not
 * from kalloc (mm_create is host context, alloc_pages needs a simulated
 * CPU); they cost what kalloc pages cost to access.  No effect on
 * results beyond kalloc's counters (two pages fewer allocated).
 */
#include <stdarg.h>
#include <string.h>

#include "mm_impl.h"
#include "cpuidle.h"
#include "sched_notifier.h"

struct mm *
mm_create(const struct mm_env *env, const struct mm_params *p, uint32_t home_cpu)
{
	g_assert(env && env->sim && env->ka && env->kl && env->smp && env->smp_state &&
		 env->smp_params);
	struct mm *mm = g_new0(struct mm, 1);
	struct sim *sim = env->sim;
	const struct sim_machine *m = sim_machine_of(sim);
	mm->env = *env;
	mm->p = *p;
	mm->ncpus = sim_ncpus_of(sim);
	g_assert(home_cpu < mm->ncpus);
	uint32_t home = sim_machine_place(m, home_cpu).socket;

	mm->sh = sim_alloc(sizeof(struct mm_shared), 64);
	sim_mem_place(sim, mm->sh, sizeof(struct mm_shared), home);
	mm->pgd = sim_alloc(MM_PAGE_SIZE, MM_PAGE_SIZE);
	sim_mem_place(sim, mm->pgd, MM_PAGE_SIZE, home);
	mm->zero_page = sim_alloc(MM_PAGE_SIZE, MM_PAGE_SIZE);
	sim_mem_place(sim, mm->zero_page, MM_PAGE_SIZE, home);
	g_assert(((uintptr_t)mm->pgd & (MM_PAGE_SIZE - 1)) == 0);
	g_assert(((uintptr_t)mm->zero_page & (MM_PAGE_SIZE - 1)) == 0);

	mm->nsockets = m->topo.sockets;
	mm->lru = sim_alloc((size_t)mm->nsockets * sizeof(struct mm_lru), 64);
	for (uint32_t s = 0; s < mm->nsockets; s++)
		sim_mem_place(sim, &mm->lru[s], sizeof(struct mm_lru), s);

	mm->cpumask = cpumask_alloc(mm->ncpus);
	sim_mem_place(sim, mm->cpumask->bits, (size_t)mm->cpumask->nwords * 8, home);
	cpumask_setall_host(mm->cpumask);
	mm->tlb = g_new0(struct mm_tlb, mm->ncpus);
	mm->cpu = g_new0(struct mm_cpu, mm->ncpus);
	for (uint32_t c = 0; c < mm->ncpus; c++) {
		mm_tlb_init(&mm->tlb[c], p->tlb_entries);
		mm->cpu[c].lru_node = sim_machine_place(m, c).socket;
	}
	mm->pt = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	mm->zapped = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	mm->ptl_released = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	for (uint32_t c = 0; c < mm->ncpus; c++)
		mm->cpu[c].tlbstate = TLBSTATE_OK;
	mm->sh->mm_count = 1;           /* mm_init: the users' reference */
	smp_set_flush_fn(env->smp, env->smp_state, mm_flush_hook, mm);
	if (p->lazy_tlb) {
		sched_notifier_register(sim, &mm_lazy_tlb_notifier, mm);
		cpuidle_tlb_flush_register(sim, mm_idle_leave_mm, mm);
	}
	return mm;
}

struct rw_semaphore *
mm_mmap_sem(struct mm *mm)
{
	return &mm->sh->mmap_sem;
}

void
mm_destroy(struct mm *mm)
{
	if (mm == NULL)
		return;
	smp_clear_flush_fn(mm->env.smp, mm->env.smp_state, mm_flush_hook, mm);
	for (uint32_t c = 0; c < mm->ncpus; c++)
		mm_tlb_destroy(&mm->tlb[c]);
	g_free(mm->tlb);
	g_free(mm->cpu);
	g_hash_table_destroy(mm->pt);
	g_hash_table_destroy(mm->zapped);
	g_hash_table_destroy(mm->ptl_released);
	cpumask_free(mm->cpumask);
	/* Page-table and data pages still mapped belong to kalloc's frames
	 * and go with it; the arena pages go back here. */
	sim_free(mm->lru, (size_t)mm->nsockets * sizeof(struct mm_lru), 64);
	sim_free(mm->zero_page, MM_PAGE_SIZE, MM_PAGE_SIZE);
	sim_free(mm->pgd, MM_PAGE_SIZE, MM_PAGE_SIZE);
	sim_free(mm->sh, sizeof(struct mm_shared), 64);
	g_free(mm);
}

/* ---- host context: checks ---- */

struct check_walk {
	struct mm *mm;
	GString *why;
	uint64_t tables;         /* linked pages reached */
	uint64_t own_pages;      /* present PTEs mapping their own page */
	uint64_t zero_maps;
	GHashTable *seen;        /* page-table pages reached */
	bool ok;
};

static bool
fail(struct check_walk *w, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool
fail(struct check_walk *w, const char *fmt, ...)
{
	if (w->ok) {
		va_list ap;
		va_start(ap, fmt);
		g_string_append_vprintf(w->why, fmt, ap);
		va_end(ap);
	}
	w->ok = false;
	return false;
}

static bool
check_data_page(struct check_walk *w, uint64_t va, uint64_t e)
{
	struct mm *mm = w->mm;
	uint8_t *page = (uint8_t *)mm_entry_table(e);
	if (page == mm->zero_page) {
		if (e & _PAGE_RW)
			return fail(w, "mm %s: PTE of %#" G_GINT64_MODIFIER "x maps the zero page writable",
				    mm->env.design, va);
		w->zero_maps++;
		return true;
	}
	struct kalloc *ka = mm->env.ka;
	if (!ka_owns(ka, page) || ka->pstate[ka_pfn(ka, page)] != KA_P_PAGES ||
	    sim_mem_any_poisoned(mm->env.sim, page, MM_PAGE_SIZE))
		return fail(w, "mm %s: PTE of %#" G_GINT64_MODIFIER "x maps a page that is not "
			    "allocated (simulated offset %#" G_GINT64_MODIFIER "x)", mm->env.design,
			    va, sim_addr_offset(page));
	w->own_pages++;
	return true;
}

static bool
check_table(struct check_walk *w, const uint64_t *table, unsigned level, uint64_t base)
{
	struct mm *mm = w->mm;
	for (uint32_t i = 0; i < MM_PTRS_PER_TABLE; i++) {
		uint64_t e = table[i];
		if (!(e & _PAGE_PRESENT)) {
			if (e != 0)
				return fail(w, "mm %s: level-%u entry %u of %#" G_GINT64_MODIFIER "x is "
					    "not present but not empty (%#" G_GINT64_MODIFIER "x)",
					    mm->env.design, level, i, base, e);
			continue;
		}
		uint64_t va = base | (uint64_t)i << (MM_PAGE_SHIFT + 9u * (level - 1));
		if (level == 1) {
			if (!check_data_page(w, va, e))
				return false;
			continue;
		}
		uint64_t *next = mm_entry_table(e);
		if (!sim_addr_valid(next))
			return fail(w, "mm %s: level-%u entry for %#" G_GINT64_MODIFIER "x points "
				    "outside simulated memory", mm->env.design, level, va);
		uint64_t off = sim_addr_offset(next);
		struct mm_pt *pt = g_hash_table_lookup(mm->pt, &off);
		if (pt == NULL || pt->level != level - 1)
			return fail(w, "mm %s: level-%u entry for %#" G_GINT64_MODIFIER "x points at "
				    "a page that is not a linked level-%u table", mm->env.design,
				    level, va, level - 1);
		if (sim_mem_any_poisoned(mm->env.sim, next, MM_PAGE_SIZE))
			return fail(w, "mm %s: level-%u table for %#" G_GINT64_MODIFIER "x was "
				    "freed while linked", mm->env.design, level - 1, va);
		if (!g_hash_table_add(w->seen, GSIZE_TO_POINTER(off + 1)))
			return fail(w, "mm %s: level-%u table for %#" G_GINT64_MODIFIER "x is linked "
				    "twice", mm->env.design, level - 1, va);
		w->tables++;
		if (!check_table(w, next, level - 1, va))
			return false;
	}
	return true;
}

bool
mm_check(struct mm *mm, GString *why)
{
	struct check_walk w = { .mm = mm, .why = why, .ok = true,
				.seen = g_hash_table_new(g_direct_hash, g_direct_equal) };
	check_table(&w, mm->pgd, 4, 0);
	g_hash_table_destroy(w.seen);
	if (!w.ok)
		return false;
	uint64_t linked = g_hash_table_size(mm->pt);
	if (w.tables != linked)
		return fail(&w, "mm %s: %" G_GUINT64_FORMAT " page-table pages reachable, %"
			    G_GUINT64_FORMAT " linked", mm->env.design, w.tables, linked);
	if (mm->sh->pgtables_bytes != (int64_t)(linked * MM_PAGE_SIZE))
		return fail(&w, "mm %s: pgtables_bytes %" G_GINT64_FORMAT " for %" G_GUINT64_FORMAT
			    " page-table pages", mm->env.design, mm->sh->pgtables_bytes, linked);
	int64_t rss = mm->sh->rss_anon;
	for (uint32_t c = 0; c < mm->ncpus; c++)
		rss += mm->cpu[c].rss_pending;
	if (rss != (int64_t)w.own_pages)
		return fail(&w, "mm %s: MM_ANONPAGES %" G_GINT64_FORMAT " (shared %" G_GINT64_FORMAT
			    " + tasks' batches), %" G_GUINT64_FORMAT " pages mapped",
			    mm->env.design, rss, mm->sh->rss_anon, w.own_pages);
	for (uint32_t c = 0; c < mm->ncpus; c++) {
		for (GList *l = mm->tlb[c].lru.head; l; l = l->next) {
			const struct mm_tlb_entry *te = l->data;
			const uint64_t *z = g_hash_table_lookup(mm->zapped, &te->vpn);
			if (z && *z > te->fill_seq)
				return fail(&w, "mm %s: CPU %u's TLB still holds %#" G_GINT64_MODIFIER
					    "x, cleared and shot down", mm->env.design, c,
					    te->vpn << MM_PAGE_SHIFT);
		}
	}
	return true;
}

struct cpumask *
mm_cpumask_of(struct mm *mm)
{
	return mm->cpumask;
}

uint64_t
mm_pgtable_pages(struct mm *mm)
{
	return g_hash_table_size(mm->pt);
}

bool
mm_tlb_has(struct mm *mm, uint32_t cpu, uint64_t addr)
{
	g_assert(cpu < mm->ncpus);
	uint64_t vpn = addr >> MM_PAGE_SHIFT;
	return mm->tlb[cpu].map && g_hash_table_contains(mm->tlb[cpu].map, &vpn);
}

static uint64_t
count_present(const uint64_t *table, unsigned level)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < MM_PTRS_PER_TABLE; i++) {
		uint64_t e = table[i];
		if (!(e & _PAGE_PRESENT))
			continue;
		n += level == 1 ? 1 : count_present(mm_entry_table(e), level - 1);
	}
	return n;
}

/* Every present PTE of table (level) in [start, end), ascending. */
static void
for_each_pte(const uint64_t *table, unsigned level, uint64_t base, uint64_t start, uint64_t end,
	     void (*fn)(void *arg, uint64_t addr, uint64_t pte), void *arg)
{
	uint64_t span = UINT64_C(1) << (MM_PAGE_SHIFT + 9u * (level - 1));
	for (uint32_t i = 0; i < MM_PTRS_PER_TABLE; i++) {
		uint64_t lo = base + (uint64_t)i * span;
		if (lo >= end)
			break;
		if (lo + span <= start)
			continue;
		uint64_t e = table[i];
		if (!(e & _PAGE_PRESENT))
			continue;
		if (level == 1)
			fn(arg, lo, e);
		else
			for_each_pte(mm_entry_table(e), level - 1, lo, start, end, fn, arg);
	}
}

void
mm_for_each_pte(struct mm *mm, uint64_t start, uint64_t end,
		void (*fn)(void *arg, uint64_t addr, uint64_t pte), void *arg)
{
	for_each_pte(mm->pgd, 4, 0, start, end, fn, arg);
}

uint64_t
mm_mapped_pages(struct mm *mm)
{
	return count_present(mm->pgd, 4);
}

void
mm_stats(struct mm *mm, cJSON *out)
{
	const struct mm_counters *s = &mm->st;
#define N(name, v) cJSON_AddNumberToObject(out, name, (double)(v))
	N("faults", s->faults);
	N("anon_faults", s->anon_faults);
	N("zero_page_maps", s->zero_maps);
	N("wp_copies", s->wp_copies);
	N("fault_races", s->fault_races);
	N("pte_present_faults", s->pte_present_faults);
	N("pte_present_retries", s->pte_present_retries);
	N("pte_same_misses", s->pte_same_misses);
	N("access_flag_updates", s->access_flag_updates);
	N("wp_races", s->wp_races);
	N("fault_retries", s->fault_retries);
	N("walks", s->walks);
	N("tlb_hits", s->tlb_hits);
	N("tlb_misses", s->tlb_misses);
	N("tlb_evictions", s->tlb_evictions);
	N("tlb_local_flushes", s->local_flushes);
	N("tlb_full_flushes", s->full_flushes);
	N("tlb_flushed_entries", s->flushed_entries);
	N("mm_shootdowns", s->shootdowns);
	N("mm_shootdown_targets", s->shootdown_targets);
	N("gather_flushes", s->gather_flushes);
	if (mm->p.lazy_tlb) {
		N("lazy_enters", s->lazy_enters);
		N("leave_mm", s->leave_mms);
		N("leave_mm_idle", s->idle_leave_mms);
		N("lazy_switch_mm", s->lazy_switch_mms);
		N("lazy_readds", s->lazy_readds);
	}
	N("pgtable_alloc", s->pgtable_alloc);
	N("pgtable_free", s->pgtable_free);
	N("pgtable_alloc_races", s->alloc_races);
	N("pgtable_refused_installs", s->refused_installs);
	N("ptl_acquired", s->ptl_acquired);
	N("ptl_contended", s->ptl_contended);
	N("ptl_lock_cycles", s->ptl_lock_cycles);
	N("ptl_hold_cycles", s->ptl_hold_cycles);
	N("ptl_handoffs", s->ptl_handoffs);
	N("ptl_handoff_cycles", s->ptl_handoff_cycles);
	if (s->pte_page_pins)
		N("pte_page_pins", s->pte_page_pins);
	N("ptes_zapped", s->ptes_zapped);
	N("pages_freed", s->pages_freed);
	N("rss_flushes", s->rss_flushes);
	N("lru_add_batches", s->lru_add_batches);
	N("lru_release_batches", s->lru_release_batches);
#undef N
}
