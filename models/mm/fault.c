// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Faults and user accesses of the mm substrate (mm.h): the anonymous
 * page fault (mm/memory.c handle_pte_fault, do_anonymous_page, and
 * do_wp_page for a write to a PTE that maps the shared zero page), the per-task rss
 * counter batch (check_sync_rss_stat / sync_mm_rss), the LRU add batch
 * (lru_cache_add's per-CPU pagevec, __pagevec_lru_add), release_pages
 * for the gather, and the user access loop a CPU runs: TLB, hardware
 * walk, page fault, retry.
 *
 * Order of a write fault on an empty PTE (handle_mm_fault,
 * handle_pte_fault, do_anonymous_page):
 *   fault_cycles of local work; the rss event count (a flush of the
 *   task's counts every rss_batch faults: one atomic add on the mm's
 *   counter line); mm_pte_alloc (a load per level); the PTE load without
 *   the PTL (handle_pte_fault's entry = *pte: empty); alloc_pages and
 *   clear_page; the PTL; the PTE load (pte_none); still_valid; the rss
 *   count and the LRU pagevec (a drain every lru_batch pages: lru_lock of
 *   the pages' node, lru_page_cycles per page, a store of the count);
 *   the PTE store; PTL release.
 * A fault whose unlocked read finds the PTE present (another CPU's fault
 * installed it after this CPU's walk missed: every vmglobal thread draws
 * the same pages at once) allocates nothing: the PTL, pte_same (a load),
 * ptep_set_access_flags (a load; a store and flush_tlb_page only if a
 * write fault changed the entry), unlock; a write to the zero page's PTE
 * goes to do_wp_page from there.  Bonsai's lock-free fault returns
 * instead (its handle_pte_fault's RETRY_IF_NO_LOCK, tpapagian/pk
 * mm/memory.c) and is retried under mmap_sem (MM_FAULT_KEEP_LOCK).
 * A write fault that read the PTE empty but finds it present under the
 * PTL (the other CPU installed it in between) frees its page there,
 * inside the PTL's hold, as 3.5's do_anonymous_page does (its release
 * label: mem_cgroup_uncharge_page, page_cache_release, then
 * pte_unmap_unlock; the same in 2.6.37), and counts a fault_race.
 * A read fault maps the shared zero page read-only (no page, no rss, no
 * LRU); a later write to it faults on the present read-only PTE:
 * do_wp_page drops the PTL, allocates and clears a page, retakes the PTL,
 * checks pte_same (a loser frees its page: wp_races), clears the PTE and
 * flushes it from every TLB (ptep_clear_flush), then sets the new one.
 *
 * MODEL: the accessed and dirty bits are set when a PTE is installed
 * (do_anonymous_page, do_wp_page) and never cleared (no page aging or
 * writeback), and the hardware walk sets none.  So
 * ptep_set_access_flags always finds them set and never stores or
 * flushes here.  Effect: none for these workloads; Linux sets them at
 * install too.
 * MODEL: the unlocked read of the PTE is one simulated load of its line
 * (pte_offset_map is free on x86-64).  x86's flush_tlb_fix_spurious_fault
 * is empty and update_mmu_cache a no-op: neither costs anything here.
 *
 * A user access (mm_access) runs with interrupts masked from the TLB
 * lookup or the walk to the data line (a walk and the access are one
 * instruction: an IPI is taken before or after, never in between), and
 * unmasked around the fault handler.
 *
 * MODEL: one lruvec per node per mm: Linux's is per node for every
 * process.  Effect: none for the workloads of one process (threads);
 * processes would not contend on each other's lru_lock.
 * MODEL: the per-task counters (task_struct's rss_stat) and the pagevec
 * are host state: the task's own lines, hits folded into fault_cycles.
 * The LRU add touches the node's lru line but not the struct page lines
 * of the list neighbours (list_add); release_pages neither drops a
 * struct page reference (no _refcount word in kalloc's struct page).
 * Effect: faults and frees miss on fewer lines than Linux's do, most in
 * the lru_lock hold time (lru_page_cycles stands for it).
 * MODEL: clear_page (data pages and page-table pages) is
 * sim_zero_lines() over the page's 64 lines: Linux 3.5 on x86-64 clears
 * with rep stosq (v3.5 arch/x86/lib/clear_page_64.S, clear_page_c, the
 * alternative taken on CPUs with X86_FEATURE_REP_GOOD; recalled, not
 * re-read at v3.5 for this note).  On a machine
 * with line_fill_buffers (ben: 10) that is a fast-string store: lines
 * this CPU owns cost store_hit each, the others are taken without
 * reading them, up to line_fill_buffers at a time; on a machine without
 * (0, every preset but ben) each line is one store through the store
 * buffer, misses drained one at a time.  kalloc's __GFP_ZERO (a store
 * per word) would charge 512 store-buffer slots instead of 64.  Effect:
 * a page whose lines this CPU still owns (the pcp list is LIFO: a page
 * freed by this CPU comes back hot) clears in about 64 store hits either
 * way.  A page that comes back after a grace period (Bonsai's page-table
 * pages, rcu_table_free) has left the core's 256 KiB L2 for the LLC (a
 * 1-core mapbench run keeps 3-14 MB pending): on ben it cost 64 write
 * misses with data, 105 cycles each, one at a time (21,745 cycles of
 * sb_stall per vmlocal iteration); with fill buffers about 470 (64 / 10
 * rounds of a 70-cycle data-less miss).
 *
 * fault_cycles default 1,200, our estimate for Linux 3.5 on a 2012 Xeon:
 * the exception entry, do_page_fault, handle_mm_fault's descent and the
 * iret, everything of a fault that touches no shared line.  Leads in
 * shared/reference/cost-model.md section 4: a zero-page read fault,
 * nearly all fixed path, takes 0.75 us on a Genoa guest (about 2,600
 * cycles, virtualized exceptions included); sv6's whole allocating fault
 * on ben is 3,562 cycles.
 * MODEL: the ben configs (configs/aspace/) carry a FITTED fault_cycles
 * (2,506 when written): scripts/fit-aspace-path fits it to ONE point,
 * Linux 3.5.7's mapbench vmglobal at one core on ben (50,488 cycles per
 * MAP_FIXED remap of 16 pages + 16 faults), jointly with
 * aspace.path_cycles to vmlocal at one core.  It then stands for the
 * whole per-page path length no simulated line stands for: besides the
 * above, the allocator's (__alloc_pages_nodemask, buffered_rmqueue,
 * prep_new_page; kalloc path_cycles is 20), the memcg charge and
 * uncharge (whether ben's kernels had memcg on is not known),
 * page_add_new_anon_rmap and page_remove_rmap with their zone counters,
 * and zap_pte_range's and release_pages' per-page work.  The split
 * between fault and zap is not measured.  Expected effects: the zap's
 * share (Linux runs it in munmap, under mmap_sem for write and the PTL)
 * is charged in the fault instead (under mmap_sem for read in the Linux
 * design, under no lock in Bonsai's), so multi-core points serialize
 * less per page in the write sections and more in the faults than Linux
 * did; and a fault that finds the PTE present (it allocates nothing) or
 * loses the race under the PTL (its page is freed without a zap or
 * release_pages) pays the allocator's, rmap's and zap's share too: such
 * faults are overcharged by it.  And every fault spends that share
 * outside the PTL before it queues there, which spreads vmglobal's
 * threads apart (they draw the same pages): fewer of them fault a page
 * at once, so its convoy on the PTL is shorter and the round faster than
 * with the share in the zap.  Ben's one-core points cannot split it:
 * every benchmark zaps exactly the pages it faults.  The same value
 * stands for Bonsai's 2.6.37 (an assumption); its retry under mmap_sem
 * of a lock-free fault that found the PTE present charges none (the
 * exception entry and the path were charged once, by the first
 * attempt).
 */
#include <errno.h>
#include <string.h>

#include "mm_impl.h"

/* Cycles under lru_lock per page added or removed (list_add / list_del
 * and the page-flag updates on lines already owned). */
#define MM_LRU_PAGE_CYCLES 20u
/* release_pages relocks after this many pages (SWAP_CLUSTER_MAX). */
#define MM_RELEASE_RELOCK 32u
/* mm_access gives up (a livelock in the design) after this many faults
 * on one access. */
#define MM_ACCESS_MAX_FAULTS 100000u

void *
mm_alloc_zeroed_page(struct mm *mm)
{
	void *page = alloc_pages(mm->env.ka, 0, 0);
	sim_zero_lines(page, MM_PAGE_SIZE / 64);
	return page;
}

void
mm_rss_add(struct mm *mm, int64_t delta)
{
	mm->cpu[sim_cpu_id()].rss_pending += delta;
}

/* check_sync_rss_stat: every rss_batch faults, the task's counts go to
 * the mm's shared counter (one atomic add). */
static void
check_sync_rss_stat(struct mm *mm)
{
	struct mm_cpu *c = &mm->cpu[sim_cpu_id()];
	if (++c->rss_events < mm->p.rss_batch)
		return;
	c->rss_events = 0;
	if (c->rss_pending) {
		int64_t d = c->rss_pending;
		c->rss_pending = 0;
		(void)sim_faa64(&mm->sh->rss_anon, (uint64_t)d);
		mm->st.rss_flushes++;
	}
}

static uint32_t
page_socket(struct mm *mm, const void *page)
{
	struct kalloc *ka = mm->env.ka;
	return ka->node_socket[ka_node_of(ka, ka_pfn(ka, page))];
}

/* __pagevec_lru_add: the CPU's pagevec onto its node's LRU. */
void
mm_lru_add_drain(struct mm *mm)
{
	struct mm_cpu *c = &mm->cpu[sim_cpu_id()];
	if (c->lru_pending == 0)
		return;
	struct mm_lru *lru = &mm->lru[c->lru_node];
	spin_lock(mm->env.kl, &lru->lru_lock);
	sim_work((uint64_t)MM_LRU_PAGE_CYCLES * c->lru_pending);
	int64_t n = (int64_t)sim_load64(&lru->nr_pages);
	sim_store64(&lru->nr_pages, (uint64_t)(n + c->lru_pending));
	spin_unlock(mm->env.kl, &lru->lru_lock);
	c->lru_pending = 0;
	mm->st.lru_add_batches++;
}

/* lru_cache_add: into the pagevec; a full one (or one of another node)
 * drains first. */
static void
lru_cache_add(struct mm *mm, const void *page)
{
	struct mm_cpu *c = &mm->cpu[sim_cpu_id()];
	uint32_t sock = page_socket(mm, page);
	if (c->lru_pending && sock != c->lru_node)
		mm_lru_add_drain(mm);
	c->lru_node = sock;
	if (++c->lru_pending >= mm->p.lru_batch)
		mm_lru_add_drain(mm);
}

void
mm_release_pages(struct mm *mm, uint8_t *const *pages, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t sock = page_socket(mm, pages[i]);
		struct mm_lru *lru = &mm->lru[sock];
		size_t j = i;
		while (j < n && j - i < MM_RELEASE_RELOCK && page_socket(mm, pages[j]) == sock)
			j++;
		spin_lock(mm->env.kl, &lru->lru_lock);
		sim_work((uint64_t)MM_LRU_PAGE_CYCLES * (j - i));
		int64_t cnt = (int64_t)sim_load64(&lru->nr_pages);
		sim_store64(&lru->nr_pages, (uint64_t)(cnt - (int64_t)(j - i)));
		spin_unlock(mm->env.kl, &lru->lru_lock);
		mm->st.lru_release_batches++;
		for (size_t k = i; k < j; k++)
			free_pages(mm->env.ka, pages[k], 0);
		mm->st.pages_freed += j - i;
		i = j;
	}
}

static int handle_pte_fault(struct mm *mm, uint64_t addr, unsigned flags,
			    const struct mm_fault_ctx *ctx, uint64_t *pte_page);

int
mm_do_anonymous_page(struct mm *mm, uint64_t addr, unsigned flags,
		     const struct mm_fault_ctx *ctx)
{
	g_assert(addr < MM_TASK_SIZE);
	bool write = flags & MM_FAULT_WRITE;
	mm->st.anon_faults++;
	if (!(flags & MM_FAULT_KEEP_LOCK))
		sim_work(mm->p.fault_cycles);
	check_sync_rss_stat(mm);
	if ((write && !(ctx->prot & MM_PROT_WRITE)) || ctx->prot == 0) {
		mm->st.efaults++;
		return -EFAULT;
	}
	uint64_t *pte_page = mm_pte_alloc(mm, addr, ctx->still_valid, ctx->arg);
	if (pte_page == NULL)
		return -EAGAIN;
	if (!ctx->pin_pte_page)
		return handle_pte_fault(mm, addr, flags, ctx, pte_page);
	/* Bonsai's handle_mm_fault: get_page(pte_page) before leaving the
	 * walk's RCU section, put_page after handle_pte_fault. */
	uint64_t *count = mm_pte_page_count(mm, pte_page);
	(void)sim_faa64(count, 1);
	mm->st.pte_page_pins++;
	int r = handle_pte_fault(mm, addr, flags, ctx, pte_page);
	(void)sim_faa64(count, UINT64_MAX);
	return r;
}

/* do_anonymous_page, entered when handle_pte_fault's unlocked read found
 * the PTE empty: the page first (a write: alloc_pages and clear_page; a
 * read: the zero page), then the PTL and the checks that close the races
 * (pte_none again, ctx->still_valid), then the PTE. */
static int
do_anonymous_page(struct mm *mm, bool write, const struct mm_fault_ctx *ctx,
		  uint64_t *pte_page, uint64_t *ptep)
{
	uint8_t *page = NULL;
	uint64_t entry;
	if (write) {
		page = mm_alloc_zeroed_page(mm);
		entry = (uint64_t)(uintptr_t)page | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
			_PAGE_ACCESSED | _PAGE_DIRTY;
	} else {
		entry = (uint64_t)(uintptr_t)mm->zero_page | _PAGE_PRESENT | _PAGE_USER |
			_PAGE_ACCESSED;
	}
	spinlock_t *ptl = mm_ptl_of(mm, pte_page);
	mm_ptl_lock(mm, ptl);
	if (sim_load64(ptep) & _PAGE_PRESENT) {
		/* Another CPU's fault installed it since the unlocked read.
		 * do_anonymous_page's release: the page goes back
		 * (mem_cgroup_uncharge_page, page_cache_release ->
		 * free_hot_cold_page) before pte_unmap_unlock, inside the
		 * PTL's hold.  The access retries (a write to a zero-page PTE
		 * faults again, into do_wp_page). */
		if (page) {
			free_pages(mm->env.ka, page, 0);
			mm->st.fault_races++;
		}
		mm_ptl_unlock(mm, ptl);
		return 0;
	}
	if (ctx->still_valid && !ctx->still_valid(ctx->arg)) {
		mm_ptl_unlock(mm, ptl);
		if (page)
			free_pages(mm->env.ka, page, 0);
		return -EAGAIN;
	}
	if (page) {
		mm_rss_add(mm, 1);
		lru_cache_add(mm, page);
	} else {
		mm->st.zero_maps++;
	}
	sim_store64(ptep, entry);
	mm_ptl_unlock(mm, ptl);
	return 0;
}

/* do_wp_page for a write to the zero page's read-only PTE (the only
 * read-only present PTE here: a write fault on a region that does not
 * allow writes fails before the walk, and an mprotect that removes a
 * permission zaps): entered with the PTL held and orig_pte the entry
 * handle_pte_fault saw.  Its "gotten" path: unlock, allocate and clear
 * the new page, relock, pte_same; then ptep_clear_flush and the new PTE;
 * a lost race releases the new page under the PTL. */
static int
do_wp_page(struct mm *mm, uint64_t addr, uint64_t *ptep, spinlock_t *ptl, uint64_t orig_pte)
{
	g_assert(mm_entry_table(orig_pte) == (uint64_t *)mm->zero_page);
	mm_ptl_unlock(mm, ptl);
	uint8_t *page = mm_alloc_zeroed_page(mm);
	mm_ptl_lock(mm, ptl);
	if (sim_load64(ptep) != orig_pte) {
		free_pages(mm->env.ka, page, 0);
		mm->st.wp_races++;
		mm_ptl_unlock(mm, ptl);
		return 0;
	}
	mm_rss_add(mm, 1);
	uint64_t vpn = addr >> MM_PAGE_SHIFT;
	(void)sim_xchg64(ptep, 0);
	(void)mm_flush_tlb_range(mm, NULL, vpn, 1, &vpn, 1);
	lru_cache_add(mm, page);
	sim_store64(ptep, (uint64_t)(uintptr_t)page | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
			  _PAGE_ACCESSED | _PAGE_DIRTY);
	mm->st.wp_copies++;
	mm_ptl_unlock(mm, ptl);
	return 0;
}

/* ptep_set_access_flags (x86): store the entry and flush_tlb_page only
 * if a write fault changed it.  Return: whether it differed. */
static bool
ptep_set_access_flags(struct mm *mm, uint64_t addr, uint64_t *ptep, uint64_t entry, bool dirty)
{
	bool changed = sim_load64(ptep) != entry;
	if (changed && dirty) {
		uint64_t vpn = addr >> MM_PAGE_SHIFT;
		sim_store64(ptep, entry);
		(void)mm_flush_tlb_range(mm, NULL, vpn, 1, &vpn, 1);
		mm->st.access_flag_updates++;
	}
	return changed;
}

/* handle_pte_fault for an anonymous region, from the PTE page on. */
static int
handle_pte_fault(struct mm *mm, uint64_t addr, unsigned flags, const struct mm_fault_ctx *ctx,
		 uint64_t *pte_page)
{
	bool write = flags & MM_FAULT_WRITE;
	uint64_t *ptep = &pte_page[mm_index(addr, 1)];
	uint64_t entry = sim_load64(ptep);   /* entry = *pte: no lock */
	if (!(entry & _PAGE_PRESENT))
		return do_anonymous_page(mm, write, ctx, pte_page, ptep);
	mm->st.pte_present_faults++;
	if (flags & MM_FAULT_NO_LOCK) {
		/* Bonsai: RETRY_IF_NO_LOCK, retried under mmap_sem. */
		mm->st.pte_present_retries++;
		return MM_FAULT_RETRY_LOCKED;
	}
	spinlock_t *ptl = mm_ptl_of(mm, pte_page);
	mm_ptl_lock(mm, ptl);
	if (sim_load64(ptep) != entry) {     /* !pte_same: changed since the read */
		mm->st.pte_same_misses++;
		mm_ptl_unlock(mm, ptl);
		return 0;
	}
	if (write) {
		if (!(entry & _PAGE_RW))
			return do_wp_page(mm, addr, ptep, ptl, entry);
		entry |= _PAGE_DIRTY;        /* pte_mkdirty */
	}
	entry |= _PAGE_ACCESSED;             /* pte_mkyoung */
	/* Not changed: flush_tlb_fix_spurious_fault, nothing on x86. */
	(void)ptep_set_access_flags(mm, addr, ptep, entry, write);
	mm_ptl_unlock(mm, ptl);
	return 0;
}

int
mm_access(struct mm *mm, uint64_t addr, unsigned flags,
	  int (*fault)(void *arg, uint64_t addr, unsigned flags), void *arg)
{
	g_assert(addr < MM_TASK_SIZE);
	uint32_t me = sim_cpu_id();
	struct mm_tlb *t = &mm->tlb[me];
	uint64_t vpn = addr >> MM_PAGE_SHIFT;
	bool write = flags & MM_FAULT_WRITE;
	for (uint32_t tries = 0;; tries++) {
		if (tries == MM_ACCESS_MAX_FAULTS)
			sim_fail("%s: CPU %u made no progress accessing %#" G_GINT64_MODIFIER "x "
				 "after %u page faults", mm->env.design, me, addr, tries);
		sim_irq_disable();
		uint8_t *page = NULL;
		struct mm_tlb_entry *te = mm_tlb_lookup(t, vpn);
		if (te) {
			mm->st.tlb_hits++;
			const uint64_t *z = g_hash_table_lookup(mm->zapped, &vpn);
			if (z && *z > te->fill_seq)
				sim_fail("%s: CPU %u used a stale TLB entry for %#" G_GINT64_MODIFIER
					 "x: its PTE was cleared and the gather's shootdown had "
					 "finished", mm->env.design, me, addr);
			if (!write || te->writable)
				page = (uint8_t *)(uintptr_t)te->page;
			else
				mm_tlb_remove(mm, t, vpn);   /* the write faults */
		} else {
			mm->st.tlb_misses++;
			mm->st.walks++;
			sim_work(mm->p.walk_cycles);
			uint64_t *table = mm->pgd, e = 0;
			unsigned level;
			for (level = 4; level >= 1; level--) {
				e = sim_load64(&table[mm_index(addr, level)]);
				if (!(e & _PAGE_PRESENT))
					break;
				table = mm_entry_table(e);
			}
			if (level == 0 && (!write || (e & _PAGE_RW))) {
				page = (uint8_t *)table;
				mm_tlb_fill(mm, t, vpn, (uint64_t)(uintptr_t)page, e & _PAGE_RW);
			}
		}
		if (page) {
			uint8_t *p = page + (addr & (MM_PAGE_SIZE - 1));
			if (write)
				sim_store8(p, (uint8_t)(me + 1));
			else
				(void)sim_load8(p);
			sim_irq_enable();
			return 0;
		}
		sim_irq_enable();
		mm->st.faults++;
		int r = fault(arg, addr, flags);
		if (r == -EAGAIN) {
			mm->st.fault_retries++;
			continue;
		}
		if (r < 0)
			return r;
	}
}
