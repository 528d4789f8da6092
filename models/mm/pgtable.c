// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Page tables of the mm substrate (mm.h) on simulated memory: the walk
 * that allocates missing levels (mm/memory.c __pud_alloc, __pmd_alloc,
 * __pte_alloc), the split PTE lock, the zap of a range (unmap_page_range,
 * zap_pte_range) and the freeing of page-table pages (free_pgd_range and
 * its per-level helpers), x86-64 four-level paging:
 *
 *   pgd (level 4) -> pud (3) -> pmd (2) -> pte (1) -> data page
 *   index at level L: bits 12 + 9 (L - 1) .. 20 + 9 (L - 1) of the address
 *
 * Invariants: a directory entry is 0 or (a linked page-table page of the
 * next level | _PAGE_TABLE); entries are installed only under
 * page_table_lock and only into an empty slot; a PTE changes only under
 * its page's PTL; a page-table page is unlinked before it is handed to the
 * gather, and freed only after the gather's flush.
 *
 * Caller's duty (as Linux's mmap_lock in write mode): no fault may
 * allocate page tables in [floor, ceiling) while mm_free_pgtables runs
 * there, unless the design's still_valid refuses such installs.
 *
 * MODEL: installs of pud and pmd pages take page_table_lock (Linux takes
 * the pmd page's split lock for a PTE-page install on x86-64 with
 * USE_SPLIT_PMD_PTLOCKS); effect: installs of PTE pages in different
 * 1 GiB ranges contend on one line.  Rare (one per 2 MiB mapped).
 */
#include "mm_impl.h"

/* _PAGE_TABLE: what a directory entry carries besides the address. */
#define MM_PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

static inline uint64_t
level_size(unsigned level)
{
	return UINT64_C(1) << (MM_PAGE_SHIFT + 9u * (level - 1));
}

/* The end of the level-L entry's range that addr is in, capped at end
 * (p?d_addr_end). */
static inline uint64_t
level_addr_end(uint64_t addr, uint64_t end, unsigned level)
{
	uint64_t boundary = (addr + level_size(level)) & ~(level_size(level) - 1);
	return boundary - 1 < end - 1 ? boundary : end;
}

spinlock_t *
mm_ptl_of(struct mm *mm, const void *pte_page)
{
	struct kalloc *ka = mm->env.ka;
	g_assert(ka_owns(ka, pte_page));
	struct page *pg = ka_pfn_to_page(ka, ka_pfn(ka, pte_page));
	return (spinlock_t *)(void *)&pg->slabs;
}

/* MODEL: kalloc's struct page has no _count; a page-table page is never
 * a slab, so the word slab pages use for their counters stands for it:
 * the same line as the PTL (mm_ptl_of).  In 2.6.37's struct page _count
 * is at byte 8 and ptl at 16 (in 3.5's, 28 and 48); 2.6.37's struct page
 * is 56 bytes, so for one page in eight the two fall on adjacent lines,
 * which this layout does not reproduce (those pins would not bounce the
 * lock's line). */
uint64_t *
mm_pte_page_count(struct mm *mm, const void *pte_page)
{
	struct kalloc *ka = mm->env.ka;
	g_assert(ka_owns(ka, pte_page));
	struct page *pg = ka_pfn_to_page(ka, ka_pfn(ka, pte_page));
	return &pg->counters;
}

spinlock_t *
mm_pte_lockptr(struct mm *mm, uint64_t *pte_page)
{
	return mm_ptl_of(mm, pte_page);
}

/* spin_lock on a PTL, with the host readouts of its contention:
 * ptl_lock_cycles (this call), and for a CPU that was already waiting
 * when the previous holder released the lock, the handoff (that release
 * to this acquisition).  With k waiters on a ticket lock the handoff
 * grows with k (every waiter re-reads the line at each write to it; Boyd-
 * Wickizer et al., OLS 2012, model it as c * k / 2), while the hold
 * (ptl_hold_cycles: from the lock's return to the unlock call) does not. */
void
mm_ptl_lock(struct mm *mm, spinlock_t *ptl)
{
	sim_time_t t0 = sim_now();
	bool waited = spin_lock_waited(mm->env.kl, ptl);
	sim_time_t t1 = sim_now();
	if (waited) {
		mm->st.ptl_contended++;
		const sim_time_t *rel = g_hash_table_lookup(mm->ptl_released, ptl);
		if (rel && *rel >= t0) {
			mm->st.ptl_handoffs++;
			mm->st.ptl_handoff_cycles += t1 - *rel;
		}
	}
	mm->st.ptl_acquired++;
	mm->st.ptl_lock_cycles += t1 - t0;
	mm->cpu[sim_cpu_id()].ptl_taken_at = t1;
}

/* spin_unlock on a PTL (pte_unmap_unlock), closing the hold mm_ptl_lock
 * opened. */
void
mm_ptl_unlock(struct mm *mm, spinlock_t *ptl)
{
	sim_time_t t = sim_now();
	mm->st.ptl_hold_cycles += t - mm->cpu[sim_cpu_id()].ptl_taken_at;
	sim_time_t *rel = g_hash_table_lookup(mm->ptl_released, ptl);
	if (!rel) {
		rel = g_new(sim_time_t, 1);
		g_hash_table_insert(mm->ptl_released, ptl, rel);
	}
	*rel = t;
	spin_unlock(mm->env.kl, ptl);
}

static void
shadow_link(struct mm *mm, const uint64_t *page, unsigned level)
{
	uint64_t *k = g_new(uint64_t, 1);
	*k = sim_addr_offset(page);
	struct mm_pt *pt = g_new(struct mm_pt, 1);
	pt->level = level;
	g_assert(g_hash_table_lookup(mm->pt, k) == NULL);
	g_hash_table_insert(mm->pt, k, pt);
}

static void
shadow_unlink(struct mm *mm, const uint64_t *page, unsigned level)
{
	uint64_t off = sim_addr_offset(page);
	struct mm_pt *pt = g_hash_table_lookup(mm->pt, &off);
	g_assert(pt && pt->level == level);
	g_hash_table_remove(mm->pt, &off);
}

void
mm_pt_page_free(struct mm *mm, uint64_t *page)
{
	free_pages(mm->env.ka, page, 0);
}

uint64_t *
mm_pte_alloc(struct mm *mm, uint64_t addr, bool (*still_valid)(void *arg), void *arg)
{
	g_assert(addr < MM_TASK_SIZE);
	struct mm_shared *sh = mm->sh;
	uint64_t *table = mm->pgd;
	for (unsigned level = 4; level > 1; level--) {
		uint64_t *ep = &table[mm_index(addr, level)];
		uint64_t e = sim_load64(ep);
		if (!(e & _PAGE_PRESENT)) {
			/* p?d_alloc_one: a zeroed page; a PTE page's ctor
			 * initializes its PTL (ptlock_init). */
			uint64_t *np = mm_alloc_zeroed_page(mm);
			if (level == 2)
				spin_lock_init(mm_ptl_of(mm, np));
			spin_lock(mm->env.kl, &sh->page_table_lock);
			e = sim_load64(ep);
			bool refused = false;
			if (!(e & _PAGE_PRESENT)) {
				if (still_valid && !still_valid(arg)) {
					refused = true;
				} else {
					e = (uint64_t)(uintptr_t)np | MM_PAGE_TABLE;
					sim_store64(ep, e);
					(void)sim_faa64(&sh->pgtables_bytes, MM_PAGE_SIZE);
					shadow_link(mm, np, level - 1);
					mm->st.pgtable_alloc++;
					np = NULL;
				}
			}
			spin_unlock(mm->env.kl, &sh->page_table_lock);
			if (np) {
				mm_pt_page_free(mm, np);
				if (refused) {
					mm->st.refused_installs++;
					return NULL;
				}
				mm->st.alloc_races++;
			}
		}
		table = mm_entry_table(e);
	}
	return table;
}

/* ---- zap ---- */

/* zap_pte_range: the PTEs of one PTE page in [addr, end). */
static uint64_t
zap_pte_range(struct mm *mm, struct mm_gather *g, uint64_t *pte_page, uint64_t addr,
	      uint64_t end)
{
	spinlock_t *ptl = mm_ptl_of(mm, pte_page);
	uint64_t cleared = 0;
	while (addr < end) {
		bool force = false;
		int64_t rss = 0;
		mm_ptl_lock(mm, ptl);
		for (; addr < end; addr += MM_PAGE_SIZE) {
			uint64_t *ptep = &pte_page[mm_index(addr, 1)];
			uint64_t e = sim_load64(ptep);
			if (!(e & _PAGE_PRESENT))
				continue;
			/* ptep_get_and_clear_full: xchg on SMP x86. */
			(void)sim_xchg64(ptep, 0);
			cleared++;
			uint8_t *page = (uint8_t *)mm_entry_table(e);
			if (page == mm->zero_page) {
				(void)mm_gather_add_page(g, addr, NULL);
				continue;
			}
			rss--;
			if (mm_gather_add_page(g, addr, page)) {
				force = true;
				addr += MM_PAGE_SIZE;
				break;
			}
		}
		/* add_mm_rss_vec */
		if (rss)
			(void)sim_faa64(&mm->sh->rss_anon, (uint64_t)rss);
		mm_ptl_unlock(mm, ptl);
		/* force_flush: tlb_flush_mmu outside the PTL, then go on. */
		if (force)
			(void)mm_gather_flush(g, NULL);
	}
	mm->st.ptes_zapped += cleared;
	return cleared;
}

/* The entries of a level-L table in [addr, end): recurse into present
 * ones; at level 2, zap each PTE page. */
static uint64_t
zap_level(struct mm *mm, struct mm_gather *g, uint64_t *table, unsigned level, uint64_t addr,
	  uint64_t end)
{
	uint64_t cleared = 0;
	while (addr < end) {
		uint64_t next = level_addr_end(addr, end, level);
		uint64_t e = sim_load64(&table[mm_index(addr, level)]);
		if (e & _PAGE_PRESENT) {
			if (level == 2)
				cleared += zap_pte_range(mm, g, mm_entry_table(e), addr, next);
			else
				cleared += zap_level(mm, g, mm_entry_table(e), level - 1, addr, next);
		}
		addr = next;
	}
	return cleared;
}

uint64_t
mm_zap_range(struct mm *mm, struct mm_gather *g, uint64_t start, uint64_t end)
{
	g_assert(g->mm == mm && start <= end && end <= MM_TASK_SIZE);
	start &= ~(MM_PAGE_SIZE - 1);
	if (start >= end)
		return 0;
	return zap_level(mm, g, mm->pgd, 4, start, end);
}

/* ---- free_pgtables ---- */

/* Unlink the level-`level` table that *ep points at and give it to the
 * gather (p?d_clear, then p?d_free_tlb / pte_free_tlb at addr). */
static void
unlink_table(struct mm *mm, struct mm_gather *g, uint64_t *ep, uint64_t e, unsigned level,
	     uint64_t addr)
{
	uint64_t *t = mm_entry_table(e);
	sim_store64(ep, 0);
	(void)sim_faa64(&mm->sh->pgtables_bytes, (uint64_t)-(int64_t)MM_PAGE_SIZE);
	shadow_unlink(mm, t, level);
	mm_gather_add_table(g, t, addr, addr + MM_PAGE_SIZE);
}

/* free_pmd_range: the PTE pages under pud entry *pudp in [addr, end),
 * then the pmd page itself if [floor, ceiling) covers its whole range. */
static void
free_pmd_range(struct mm *mm, struct mm_gather *g, uint64_t *pudp, uint64_t pud_e,
	       uint64_t addr, uint64_t end, uint64_t floor, uint64_t ceiling)
{
	uint64_t start = addr;
	uint64_t *pmd = mm_entry_table(pud_e);
	do {
		uint64_t next = level_addr_end(addr, end, 2);
		uint64_t *pmdp = &pmd[mm_index(addr, 2)];
		uint64_t e = sim_load64(pmdp);
		if (e & _PAGE_PRESENT)
			unlink_table(mm, g, pmdp, e, 1, addr);      /* free_pte_range */
		addr = next;
	} while (addr != end);
	start &= ~(level_size(3) - 1);
	if (start < floor)
		return;
	if (ceiling) {
		ceiling &= ~(level_size(3) - 1);
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		return;
	unlink_table(mm, g, pudp, pud_e, 2, start);
}

/* free_pud_range (with p4d folded into the pgd): the pmd pages under pgd
 * entry *pgdp, then the pud page. */
static void
free_pud_range(struct mm *mm, struct mm_gather *g, uint64_t *pgdp, uint64_t pgd_e,
	       uint64_t addr, uint64_t end, uint64_t floor, uint64_t ceiling)
{
	uint64_t start = addr;
	uint64_t *pud = mm_entry_table(pgd_e);
	do {
		uint64_t next = level_addr_end(addr, end, 3);
		uint64_t *pudp = &pud[mm_index(addr, 3)];
		uint64_t e = sim_load64(pudp);
		if (e & _PAGE_PRESENT)
			free_pmd_range(mm, g, pudp, e, addr, next, floor, ceiling);
		addr = next;
	} while (addr != end);
	start &= ~(level_size(4) - 1);
	if (start < floor)
		return;
	if (ceiling) {
		ceiling &= ~(level_size(4) - 1);
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		return;
	unlink_table(mm, g, pgdp, pgd_e, 3, start);
}

void
mm_free_pgtables(struct mm *mm, struct mm_gather *g, uint64_t start, uint64_t end,
		 uint64_t floor, uint64_t ceiling)
{
	g_assert(g->mm == mm && start <= end && end <= MM_TASK_SIZE);
	uint64_t pmd_size = level_size(2), addr = start;
	/* free_pgd_range's trimming to whole PTE pages inside [floor, ceiling). */
	addr &= ~(pmd_size - 1);
	if (addr < floor) {
		addr += pmd_size;
		if (!addr)
			return;
	}
	if (ceiling) {
		ceiling &= ~(pmd_size - 1);
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		end -= pmd_size;
	if (addr > end - 1)
		return;
	do {
		uint64_t next = level_addr_end(addr, end, 4);
		uint64_t *pgdp = &mm->pgd[mm_index(addr, 4)];
		uint64_t e = sim_load64(pgdp);
		if (e & _PAGE_PRESENT)
			free_pud_range(mm, g, pgdp, e, addr, next, floor, ceiling);
		addr = next;
	} while (addr != end);
}

void
mm_page_table_lock_sync(struct mm *mm)
{
	spin_lock(mm->env.kl, &mm->sh->page_table_lock);
	spin_unlock(mm->env.kl, &mm->sh->page_table_lock);
}
