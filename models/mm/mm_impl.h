// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Inside the mm substrate (mm.c, pgtable.c, tlb.c, fault.c): the
 * simulated mm-wide lines, the host handle, the per-CPU TLB and the
 * mmu_gather.  Nothing outside models/mm includes this file.
 *
 * Simulated lines (mm_shared: struct mm_struct's hot lines where Linux
 * 3.5 x86-64 puts them; include/linux/mm_types.h at v3.5, mm_cachep
 * SLAB_HWCACHE_ALIGN so the struct starts on a line: line 0 holds
 * mmap, mm_rb, mmap_cache (the aspace design's own line, vma.h), line 1
 * free_area_cache 64, pgd 72, mm_users 80, mm_count 84, map_count 88,
 * mmap_sem 96-127 (count, wait_lock, wait_list), line 2 page_table_lock
 * 128, mmlist, hiwater_rss/vm, total_vm, locked_vm, pinned_vm, line 3
 * nr_ptes 232, rss_stat on line 10 at 680; 2.6.37 has the same first
 * four lines but pinned_vm):
 *   mm_shared line 0   3.5's line 1: mm_count (lazy_tlb: atomic_inc by a
 *                      CPU switching to idle with the mm loaded, atomic
 *                      dec by its mmdrop on the way back) and mmap_sem
 *                      (mm_mmap_sem(): the design's rw_semaphore, whose
 *                      count every fault's down_read/up_read writes), so
 *                      the idle switches' RMWs and the faults' share it
 *   mm_shared line 1   3.5's line 2: page_table_lock (spinlock_t),
 *                      taken by installers of directory pages
 *   mm_shared line 2   3.5's line 3: pgtables_bytes (3.5's nr_ptes,
 *                      counted under page_table_lock; here every table
 *                      page, as mm_pgtables_bytes does): atomic adds by
 *                      installers and free_pgtables
 *   mm_shared line 3   3.5's line 10: rss_stat[MM_ANONPAGES]: atomic adds
 *                      by every per-task rss flush and every zap
 * MODEL: mmap_sem's 40-byte struct (klock.h's, v6's layout; 3.5 uses
 * count, wait_lock and wait_list of it) ends the line instead of
 * starting at byte 32, and map_count stays on the design's VMA line
 * (written only under mmap_sem for write): the same fields share the
 * line as in 3.5 except map_count.  pgd is not loaded from here (the
 * walks start from the host's pointer: pgd_offset's load of mm->pgd, a
 * hit on the faulting CPU after its down_read, is not charged).
 *   lru[node]          one line per socket, homed on it: the node's
 *                      lruvec lru_lock and its page count, written under
 *                      the lock by LRU add batches and page releases
 *   PTL of a PTE page  the last word of that page's struct page (kalloc's
 *                      mem_map line, the word slab pages use for their
 *                      partial-list length; a page-table page is never a
 *                      slab): taken by faults and zaps of that page; on
 *                      the same line, the word slab pages use for their
 *                      counters stands for the page's _count: Bonsai's
 *                      faults pin the PTE page (atomic add, twice)
 *   page-table pages   4 KiB from alloc_pages; each entry written under
 *                      page_table_lock (directories) or the PTL (PTEs),
 *                      cleared by free_pgtables (directories) and zaps
 *
 * Host state (free): the TLBs, the per-task rss and LRU batch counts, the
 * shadow of linked page-table pages (for mm_check), the stale-translation
 * record (vpn -> when its last clearing gather finished its shootdown).
 */
#ifndef SIM_MM_IMPL_H
#define SIM_MM_IMPL_H

#include <stddef.h>

#include "cpumask.h"
#include "engine.h"
#include "kalloc.h"
#include "kalloc_impl.h"
#include "klock.h"
#include "mm.h"
#include "reclaim.h"
#include "sched_notifier.h"
#include "smp.h"

struct mm_shared {
	/* line 0 (3.5's mm_struct line 1) */
	uint64_t free_area_cache;
	uint64_t pgd;
	int32_t mm_users;
	int32_t mm_count;        /* active_mm references (lazy_tlb) */
	struct rw_semaphore mmap_sem;
	/* line 1 (line 2) */
	spinlock_t page_table_lock;
	uint32_t pad1;
	uint64_t pad1b[7];       /* mmlist, hiwater_rss, hiwater_vm, total_vm, ... */
	/* line 2 (line 3) */
	uint64_t pad2[5];        /* stack_vm, reserved_vm, def_flags ... */
	int64_t pgtables_bytes;  /* nr_ptes at +40 */
	uint64_t pad2b[2];
	/* line 3 (line 10) */
	int64_t rss_anon;
	uint64_t pad3[7];
};
G_STATIC_ASSERT(sizeof(struct rw_semaphore) == 40);
G_STATIC_ASSERT(offsetof(struct mm_shared, mmap_sem) == 24);
G_STATIC_ASSERT(offsetof(struct mm_shared, page_table_lock) == 64);
G_STATIC_ASSERT(offsetof(struct mm_shared, pgtables_bytes) == 128 + 40);
G_STATIC_ASSERT(offsetof(struct mm_shared, rss_anon) == 192);
G_STATIC_ASSERT(sizeof(struct mm_shared) == 256);

/* A node's lruvec lock and list length (one line). */
struct mm_lru {
	spinlock_t lru_lock;
	uint32_t pad0;
	int64_t nr_pages;
	uint64_t pad[6];
};
G_STATIC_ASSERT(sizeof(struct mm_lru) == 64);

/* One TLB entry (host): a leaf translation. */
struct mm_tlb_entry {
	uint64_t vpn;
	uint64_t page;           /* data page address (host pointer value) */
	bool writable;
	uint64_t fill_seq;       /* mm->seq when the walk filled it */
	GList link;              /* in tlb->lru, most recent at the head */
};

/* A CPU's TLB (host): capacity entries, LRU replacement. */
struct mm_tlb {
	uint32_t cap;
	GHashTable *map;         /* vpn -> struct mm_tlb_entry *; NULL until the first fill */
	GQueue lru;
};

/* Per-CPU host state of the task running there. */
struct mm_cpu {
	int64_t rss_events;      /* task->rss_stat.events since the last flush */
	int64_t rss_pending;     /* task->rss_stat.count[MM_ANONPAGES] not yet in the mm */
	uint32_t lru_pending;    /* pages in this CPU's lru_add pagevec */
	uint32_t lru_node;       /* node of the pagevec's pages (this CPU's) */
	bool flushing;           /* inside mm_gather_finish's/wp's flush_tlb_others */
	uint8_t tlbstate;        /* cpu_tlbstate.state: TLBSTATE_OK, or TLBSTATE_LAZY
				  * while the CPU idles with this mm loaded (tlb.c) */
	sim_time_t ptl_taken_at; /* when this CPU's current PTL hold began (host readout) */
};

/* cpu_tlbstate.state (arch/x86/include/asm/tlbflush.h). */
#define TLBSTATE_OK   1u
#define TLBSTATE_LAZY 2u

/* Host shadow of a linked page-table page. */
struct mm_pt {
	unsigned level;          /* 3 pud, 2 pmd, 1 pte (the pgd is 4) */
};

struct mm_counters {
	uint64_t faults, anon_faults, zero_maps, wp_copies, fault_retries, efaults;
	uint64_t fault_races;     /* write faults that found the PTE installed: page freed */
	uint64_t pte_present_faults;   /* handle_pte_fault's unlocked read found the PTE present */
	uint64_t pte_present_retries;  /* ... in a lock-free fault: retried under mmap_sem */
	uint64_t pte_same_misses;      /* ... and the PTE had changed when the PTL was held */
	uint64_t access_flag_updates;  /* ptep_set_access_flags stored a changed entry */
	uint64_t wp_races;             /* do_wp_page's copy lost: the PTE changed, page freed */
	uint64_t walks, tlb_hits, tlb_misses, tlb_evictions;
	uint64_t local_flushes, full_flushes, flushed_entries;
	uint64_t shootdowns, shootdown_targets, gather_flushes;
	uint64_t lazy_enters, leave_mms, lazy_switch_mms, lazy_readds;
	uint64_t idle_leave_mms;     /* leave_mm on entering a TLB-flushing idle state */
	uint64_t pgtable_alloc, pgtable_free, alloc_races, refused_installs;
	uint64_t ptl_acquired, ptl_contended;
	uint64_t pte_page_pins;      /* Bonsai: get_page/put_page pairs on a PTE page */
	uint64_t ptl_lock_cycles;    /* summed over spin_lock calls on PTLs: the wait, the take and
				      * the store-buffer drain before the locked RMW (a fault's
				      * clear_page stores) */
	uint64_t ptl_hold_cycles;    /* summed over PTL holds: from the lock's return to the
				      * unlock call */
	uint64_t ptl_handoffs;       /* acquisitions by a CPU that was waiting when the previous
				      * holder released the PTL */
	uint64_t ptl_handoff_cycles; /* ... summed from that release to the acquisition: the
				      * handoff, with every waiter re-reading the lock's line */
	uint64_t ptes_zapped, pages_freed, rss_flushes, lru_add_batches, lru_release_batches;
};

struct mm {
	struct mm_env env;
	struct mm_params p;
	uint32_t ncpus;
	struct mm_shared *sh;    /* simulated */
	uint64_t *pgd;           /* simulated: the pgd page (CR3: no load to find it) */
	struct cpumask *cpumask; /* mm_cpumask: every CPU, set at create; with
				  * lazy_tlb cleared by leave_mm, set by switch_mm */
	struct mm_tlb *tlb;      /* [cpu] */
	struct mm_cpu *cpu;      /* [cpu] */
	struct mm_lru *lru;      /* simulated, [socket] */
	uint32_t nsockets;
	uint8_t *zero_page;      /* simulated: empty_zero_page */
	GHashTable *pt;          /* arena offset of a linked page-table page -> struct mm_pt * */
	GHashTable *zapped;      /* vpn -> seq of the finish of the last gather that cleared it */
	GHashTable *ptl_released; /* spinlock_t * -> sim_time_t *: its last release (host
				   * readout for ptl_handoff_cycles, no simulated cost) */
	uint64_t seq;            /* host event counter for the stale check */
	struct mm_counters st;
};

/* The mmu_gather (host; its range and lists are the kernel's on-stack
 * struct mmu_gather and its batch pages, see tlb.c's MODEL). */
struct mm_gather {
	struct mm *mm;
	uint64_t start, end;     /* address range to flush; start >= end: none */
	bool freed_tables;
	GArray *pages;           /* uint8_t *: data pages to free after the flush */
	GArray *vpns;            /* uint64_t: PTEs cleared since the last flush */
	GArray *tables;          /* uint64_t *: page-table pages to free after the flush */
	uint32_t ntargets;       /* shootdown targets over every flush of the gather */
};

/* Index of addr's entry in its level's table (4 pgd .. 1 pte). */
static inline uint32_t
mm_index(uint64_t addr, unsigned level)
{
	return (uint32_t)(addr >> (MM_PAGE_SHIFT + 9u * (level - 1))) & (MM_PTRS_PER_TABLE - 1);
}

/* The table an entry points at (host pointer from the entry). */
static inline uint64_t *
mm_entry_table(uint64_t e)
{
	return (uint64_t *)(uintptr_t)MM_ENTRY_ADDR(e);
}

/* tlb.c */
void mm_tlb_init(struct mm_tlb *t, uint32_t cap);
void mm_tlb_destroy(struct mm_tlb *t);
struct mm_tlb_entry *mm_tlb_lookup(struct mm_tlb *t, uint64_t vpn);
void mm_tlb_fill(struct mm *mm, struct mm_tlb *t, uint64_t vpn, uint64_t page, bool writable);
void mm_tlb_remove(struct mm *mm, struct mm_tlb *t, uint64_t vpn);
/* Invalidate [start, start + npages) pages, or everything above the
 * flush ceiling (host; counts in mm->st). */
void mm_tlb_flush_range(struct mm *mm, struct mm_tlb *t, uint64_t start, uint32_t npages);
/* The smp flush hook (smp_flush_fn): the range on this CPU's TLB, or
 * leave_mm in lazy mode (then it pays and returns true). */
bool mm_flush_hook(void *arg, uint32_t initiator, uint64_t start, uint32_t npages);
/* The scheduler notifier (models/kernel/sched_notifier.h) registered when
 * lazy_tlb: enter_lazy_tlb when cpu's task switches to idle (sched_out),
 * switch_mm when it comes back (sched_in). */
extern const struct sched_notifier mm_lazy_tlb_notifier;
/* The cpuidle TLB-flush hook (cpuidle_tlb_flush_register): leave_mm on a
 * lazy CPU entering a TLB-flushing idle state.  May yield. */
void mm_idle_leave_mm(void *arg, uint32_t cpu);
/* One shootdown of [start, start + npages) on targets (NULL: mm_cpumask)
 * and a local flush; then vpns [vpns, vpns + nvpns) are recorded as
 * cleared-and-flushed.  Return: targets.  May yield. */
uint32_t mm_flush_tlb_range(struct mm *mm, struct cpumask *targets, uint64_t start,
			    uint32_t npages, const uint64_t *vpns, size_t nvpns);

/* mmu_gather internals (tlb.c): tlb_remove_page (return: the batch is
 * full, flush it), pte_free_tlb and friends, tlb_flush_mmu. */
void mm_gather_range(struct mm_gather *g, uint64_t start, uint64_t end);
bool mm_gather_add_page(struct mm_gather *g, uint64_t addr, uint8_t *page);
void mm_gather_add_table(struct mm_gather *g, uint64_t *table, uint64_t start, uint64_t end);
uint32_t mm_gather_flush(struct mm_gather *g, struct cpumask *targets);

/* pgtable.c */
/* The _count word of a page-table page's struct page, on the same line as
 * its PTL (host pointer; no cost). */
uint64_t *mm_pte_page_count(struct mm *mm, const void *pte_page);
/* The PTL word of a page-table page (host pointer; no cost). */
spinlock_t *mm_ptl_of(struct mm *mm, const void *pte_page);
void mm_ptl_lock(struct mm *mm, spinlock_t *ptl);
void mm_ptl_unlock(struct mm *mm, spinlock_t *ptl);
/* Free one page-table page now (pte dtor clears its PTL word). May yield. */
void mm_pt_page_free(struct mm *mm, uint64_t *page);

/* fault.c */
/* alloc_pages(0) then clear_page: a zeroed 4 KiB page.  May yield. */
void *mm_alloc_zeroed_page(struct mm *mm);
/* Flush the task's rss batch into the shared counter (sync_mm_rss). */
void mm_rss_add(struct mm *mm, int64_t delta);
/* lru_add_drain: this CPU's pagevec onto the LRU now.  May yield. */
void mm_lru_add_drain(struct mm *mm);
/* release_pages: the pages' LRU removal and free.  May yield. */
void mm_release_pages(struct mm *mm, uint8_t *const *pages, size_t n);

#endif
