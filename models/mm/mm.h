// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The memory-management substrate every address-space design stands on
 * (models/aspace/): one mm (a process's address space) with four-level
 * page tables on simulated memory, a TLB per simulated CPU, TLB
 * shootdowns through the "kernel" section's cross-CPU calls, and the
 * anonymous page-fault path.  A design (models/aspace/<name>.c) decides
 * how regions (VMAs) are found and how faults are synchronized with
 * mmap/munmap; this layer is what Linux's mm/memory.c, mm/pgtable-generic.c,
 * mm/mmu_gather.c and arch/x86/mm/tlb.c do underneath.
 *
 *   struct mm           host handle: the models it uses and host counters
 *     ->sh              simulated: mm-wide lines (page_table_lock, pgd,
 *                       counters), see struct mm_shared
 *     ->cpumask         simulated: mm_cpumask (models/kernel/cpumask.h);
 *                       with lazy_tlb, cleared by leave_mm on the CPU that
 *                       leaves, set again by its switch_mm (tlb.c)
 *     ->tlb[cpu]        host: each CPU's TLB (hardware state, no lines)
 *
 *   pgd page --> pud page --> pmd page --> pte page --> data page
 *   (each a 4 KiB page from alloc_pages(): 512 8-byte entries, 8 to a
 *    line; an entry is the next level's address | flags, 0 = none)
 *
 * Files: mm.c (mm create/destroy, counters, checks), pgtable.c (walk,
 * directory install, PTL, zap, free_pgtables), tlb.c (per-CPU TLB,
 * mmu_gather, shootdown, the stale-translation check), fault.c
 * (do_anonymous_page and the user access loop).
 *
 * Locks (Linux names):
 *   page_table_lock  spinlock_t on mm_shared's lock line: installing a
 *                    pud/pmd/pte page into an empty directory entry
 *   PTL              split PTE lock: one spinlock_t per PTE page, on that
 *                    page's struct page line (kalloc's mem_map), as
 *                    USE_SPLIT_PTE_PTLOCKS without ALLOC_SPLIT_PTLOCKS
 *
 * Safety contract, checked on the host at every simulated user access:
 * a CPU that uses a TLB entry whose PTE has been cleared, after the
 * shootdown that covered it (the mmu_gather's flush) returned, fails the
 * run (sim_fail) naming the design, CPU, address, time and seed.
 *
 * Context: mm_create/destroy/check/stats are host context; everything
 * else runs on a simulated CPU and may yield.
 */
#ifndef SIM_MM_H
#define SIM_MM_H

#include <cjson/cJSON.h>
#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "klock.h"
#include "param.h"
#include "sim.h"

struct kalloc;
struct klock;
struct rcl_ops;
struct smp_ops;
struct smp_params;
struct cpumask;
struct mm;
struct mm_tlb;

#define MM_PAGE_SHIFT 12u
#define MM_PAGE_SIZE  (UINT64_C(1) << MM_PAGE_SHIFT)
#define MM_PTRS_PER_TABLE 512u
/* User addresses are below 2^47 (x86-64 four-level paging). */
#define MM_TASK_SIZE  (UINT64_C(1) << 47)

/* Entry bits (x86 names): every level */
#define _PAGE_PRESENT 0x001u
#define _PAGE_RW      0x002u
#define _PAGE_USER    0x004u
#define _PAGE_ACCESSED 0x020u
#define _PAGE_DIRTY   0x040u
#define MM_ENTRY_ADDR(e) ((e) & ~(uint64_t)(MM_PAGE_SIZE - 1))

/* Protection bits of a region (PROT_*). */
#define MM_PROT_READ  0x1u
#define MM_PROT_WRITE 0x2u

/* What a fault or a user access needs (FAULT_FLAG_*). */
#define MM_FAULT_WRITE 0x1u
/* Bonsai's FAULT_FLAG_NO_LOCK: a lock-free fault (no mmap_sem).  A PTE
 * found present returns MM_FAULT_RETRY_LOCKED instead of taking the PTL
 * (handle_pte_fault's RETRY_IF_NO_LOCK). */
#define MM_FAULT_NO_LOCK 0x2u
/* Bonsai's FAULT_FLAG_KEEP_LOCK: the retry under mmap_sem of a lock-free
 * fault that returned MM_FAULT_RETRY_LOCKED.  The fault's fault_cycles
 * were charged by that first attempt and are not charged again. */
#define MM_FAULT_KEEP_LOCK 0x4u
/* mm_do_anonymous_page's VM_FAULT_RETRY for an MM_FAULT_NO_LOCK fault
 * that found the PTE present: retry under mmap_sem. */
#define MM_FAULT_RETRY_LOCKED (-ENOLCK)

/* The models an mm uses (host memory, owned by the caller). */
struct mm_env {
	struct sim *sim;
	struct kalloc *ka;               /* page-table and data pages */
	struct klock *kl;                /* page_table_lock, PTLs */
	const struct rcl_ops *rcl;       /* MMU_GATHER_RCU_TABLE_FREE: page-table pages */
	void *rs;                        /*   retired through it (NULL: freed at once) */
	const struct smp_ops *smp;       /* shootdowns (the "kernel" section) */
	void *smp_state;
	const struct smp_params *smp_params;
	const char *design;              /* for error messages ("linux-rwsem") */
	/* Test-only mutation: mm_gather_finish (and every other flush) skips
	 * flush_tlb_others, so the targets keep their entries; the
	 * stale-translation check must catch it.  Never set by a design. */
	bool test_skip_shootdown;
	/* Test-only mutation: lazy-TLB mode's CR3 writes (leave_mm's switch
	 * to swapper's page table, switch_mm's reload after leave_mm) keep
	 * the TLB's entries, so a CPU that left mm_cpumask comes back with
	 * translations the shootdowns it missed cleared; the stale-translation
	 * check must catch it.  Never set by a design. */
	bool test_lazy_keep_tlb;
};

/* The "mm" parameters shared by every design (a design's params embed
 * them; shown by `sim list -v`). */
struct mm_params {
	uint32_t tlb_entries;            /* per-CPU TLB capacity (STLB), LRU */
	uint32_t walk_cycles;            /* local cycles of a hardware walk besides its loads */
	uint32_t fault_cycles;           /* local cycles of exception entry/exit + fault code */
	uint32_t rss_batch;              /* per-task mm counter events before a flush to the
					  * shared counter (TASK_RSS_EVENTS_THRESH = 64) */
	uint32_t lru_batch;              /* pages per LRU add batch (PAGEVEC_SIZE = 15) */
	bool rcu_table_free;             /* page-table pages through the reclaim scheme */
	bool lazy_tlb;                   /* x86 lazy-TLB mode of an idle CPU (tlb.c) */
};

/* One row of MM_PARAM_ROWS: member m of the struct mm_params that is
 * member field of the design's params struct st, named "m". */
#define MM_P_ROW(st, field, m, ty, lo, hi, def, text) \
	{ .name = #m, .type = (ty), \
	  .offset = offsetof(st, field) + offsetof(struct mm_params, m), \
	  .umin = (lo), .umax = (hi), .def_u = (def), .doc = (text) }

/* The rows a design's parameter table embeds for its struct mm_params
 * member field (as SMP_PARAM_ROWS; shown by `sim list -v`), with the
 * design's defaults for rcu_table_free and lazy_tlb. */
#define MM_PARAM_ROWS(st, field, rcu_table_free_def, lazy_tlb_def) \
	MM_P_ROW(st, field, tlb_entries, SIM_P_U32, 0, 1u << 20, 1536, \
		 "entries of each CPU's TLB (4 KiB translations, LRU; Sandy Bridge " \
		 "STLB 512, Haswell and later 1,024-1,536)"), \
	MM_P_ROW(st, field, walk_cycles, SIM_P_U32, 0, 100000, 20, \
		 "local cycles of a hardware page walk besides its four loads"), \
	MM_P_ROW(st, field, fault_cycles, SIM_P_U32, 0, 10000000, 1200, \
		 "local cycles of a page fault: exception entry/exit and the fault " \
		 "path's instructions (our estimate for a 2012 Xeon)"), \
	MM_P_ROW(st, field, rss_batch, SIM_P_U32, 1, 1u << 20, 64, \
		 "faults per task before its rss counts go to the mm's shared counter " \
		 "(TASK_RSS_EVENTS_THRESH)"), \
	MM_P_ROW(st, field, lru_batch, SIM_P_U32, 1, 1024, 15, \
		 "pages per LRU add batch (PAGEVEC_SIZE) before the node's lru_lock"), \
	MM_P_ROW(st, field, rcu_table_free, SIM_P_BOOL, 0, 1, (rcu_table_free_def), \
		 "free page-table pages through the reclaim scheme " \
		 "(MMU_GATHER_RCU_TABLE_FREE); false: free_pages after the flush"), \
	MM_P_ROW(st, field, lazy_tlb, SIM_P_BOOL, 0, 1, (lazy_tlb_def), \
		 "x86 lazy-TLB mode (Linux 2.6.37-3.x): a CPU whose task sleeps keeps " \
		 "the mm loaded; the first shootdown IPI it gets calls leave_mm() (leaves " \
		 "mm_cpumask, switches to swapper's page table), later ones skip it; " \
		 "switch_mm() re-adds it on wake-up; false: mm_cpumask stays full")

/*
 * mm_create - an empty address space for the run's CPUs: a pgd page, the
 * mm-wide lines homed on home_cpu's socket, mm_cpumask with every CPU
 * that runs a thread of it (threads share one mm: x86 sets the bit in
 * switch_mm and clears it lazily), an empty TLB per CPU.  With
 * p->lazy_tlb, registers the scheduler notifier
 * (models/kernel/sched_notifier.h, for the rest of the run) that puts a
 * CPU whose task sleeps in lazy-TLB mode and switch_mm's it back (tlb.c).
 * Context: host (setup).
 */
struct mm *mm_create(const struct mm_env *env, const struct mm_params *p, uint32_t home_cpu);
/*
 * mm_mmap_sem - the mm's mmap_sem, on the mm_struct line Linux 3.5 puts
 * it on (with mm_users and mm_count: mm_impl.h), for the design's
 * address-space lock.  Zeroed: an unlocked rw_semaphore.
 * Context: host.  Cost: none.
 */
struct rw_semaphore *mm_mmap_sem(struct mm *mm);
void mm_destroy(struct mm *mm);

/* ---- page tables (pgtable.c) ---- */

/*
 * mm_pte_alloc - the PTE page covering addr, installing missing pud, pmd
 * and pte pages on the way (each from alloc_pages(__GFP_ZERO), installed
 * under page_table_lock if the entry is still empty, otherwise freed: an
 * allocation race).  still_valid (may be NULL) is called under
 * page_table_lock before an install and may refuse it (Bonsai: the VMA
 * was unlinked meanwhile); then the new page is freed and NULL returned.
 * Return: the PTE page, or NULL.  Cost: one load per level; on install a
 * page allocation and zeroing, page_table_lock, one store.
 */
uint64_t *mm_pte_alloc(struct mm *mm, uint64_t addr,
		       bool (*still_valid)(void *arg), void *arg);
/*
 * mm_page_table_lock_sync - spin_lock then spin_unlock page_table_lock
 * (Bonsai's munmap, right after marking VMAs unlinked: any directory
 * install that saw a VMA live under the lock has finished).  Context:
 * simulated CPU; may yield.  Cost: the lock's acquire and release.
 */
void mm_page_table_lock_sync(struct mm *mm);
/* mm_pte_lockptr - the PTL of a PTE page (its struct page line). */
spinlock_t *mm_pte_lockptr(struct mm *mm, uint64_t *pte_page);

/* mm_gather: the batch an unmap fills (mmu_gather), then flushes. */
struct mm_gather;

/*
 * mm_gather_begin - start an unmap batch: lru_add_drain() of this CPU's
 * pagevec, then tlb_gather_mmu (as unmap_region and zap_page_range).
 * The batch is host memory, freed by mm_gather_finish.  Context:
 * simulated CPU; may yield.  Cost: the node's lru_lock when the pagevec
 * holds pages.
 */
struct mm_gather *mm_gather_begin(struct mm *mm);
/*
 * mm_zap_range - clear every present PTE in [start, end) under its PTL,
 * adding each data page and its address to g (tlb_remove_page; a full
 * batch is flushed then, as tlb_flush_mmu does).  Return: PTEs cleared.
 * Cost: loads of the walk, PTL, a load per PTE and an xchg per present
 * one (ptep_get_and_clear), one atomic add of the rss counter per PTE
 * page.
 */
uint64_t mm_zap_range(struct mm *mm, struct mm_gather *g, uint64_t start, uint64_t end);
/*
 * mm_free_pgtables - free the PTE, pmd and pud pages that cover only
 * [floor, ceiling) and lie inside [start, end) (free_pgtables: floor and
 * ceiling are the neighbouring regions' end and start), clearing their
 * directory entries; the pages go to g, freed after the flush, through
 * the reclaim scheme when rcu_table_free.  Cost: walk loads, stores.
 * The caller excludes faults that install page tables in [floor,
 * ceiling) meanwhile (mmap_lock held for write), or refuses them through
 * still_valid.
 */
void mm_free_pgtables(struct mm *mm, struct mm_gather *g, uint64_t start, uint64_t end,
		      uint64_t floor, uint64_t ceiling);
/*
 * mm_gather_finish - tlb_finish_mmu: shoot down the gathered range on
 * targets (NULL: mm_cpumask; RadixVM-style designs pass exactly the CPUs
 * that may hold it) except the caller, flush the caller's own TLB, then
 * free the gathered data pages and page-table pages.  Return: target
 * CPUs of the shootdown.  Cost: the smp model's (IPIs, acks), the local
 * flush (smp_flush_cost), the frees.
 */
uint32_t mm_gather_finish(struct mm_gather *g, struct cpumask *targets);

/* ---- faults and user accesses (fault.c) ---- */

/* What the design says about the region a fault is in. */
struct mm_fault_ctx {
	unsigned prot;                   /* MM_PROT_* of the region */
	/* Called under the PTL just before the PTE is set (NULL: always
	 * valid): false = the region changed (Bonsai's vm_unlinked /
	 * bounds re-check), the page is freed and the fault returns
	 * -EAGAIN. */
	bool (*still_valid)(void *arg);
	void *arg;
	/* Pin the PTE page for the fault (get_page after the walk, put_page
	 * at the end: an atomic add on the page's struct page line each,
	 * the line that holds its PTL), as Bonsai's handle_mm_fault does
	 * because its walk is not under mmap_sem.  Linux 3.5 does not. */
	bool pin_pte_page;
};

/*
 * mm_do_anonymous_page - handle_mm_fault and handle_pte_fault for an
 * anonymous region: mm_pte_alloc, then the PTE read without the PTL
 * (entry = *pte).
 * Empty (do_anonymous_page): allocate a page (a write fault: alloc_pages
 * and 64 line writes to zero it; a read fault: the shared zero page),
 * PTL, pte_none check, ctx->still_valid, set the PTE, the mm counter
 * (per-task batch of rss_batch), the LRU add batch.  A PTE present by
 * then (another CPU's fault won) frees the page and succeeds.
 * Present: with MM_FAULT_NO_LOCK in flags, return MM_FAULT_RETRY_LOCKED
 * at once; else PTL, pte_same, then a write to the zero page's read-only
 * PTE copies it (do_wp_page: unlock, allocate and clear a page, relock,
 * pte_same, ptep_clear_flush, the new PTE), anything else only
 * ptep_set_access_flags (a store and flush_tlb_page if a write changed
 * the entry).  No page is allocated on the present path but do_wp_page's.
 * With ctx->pin_pte_page, the PTE page's _count is raised after
 * mm_pte_alloc and dropped at the end.
 * Return: 0, -EAGAIN (retry the fault), MM_FAULT_RETRY_LOCKED, -EFAULT
 * (write to a read-only region).  Cost: as listed; fault_cycles of local
 * work (none with MM_FAULT_KEEP_LOCK).
 */
int mm_do_anonymous_page(struct mm *mm, uint64_t addr, unsigned flags,
			 const struct mm_fault_ctx *ctx);

/*
 * mm_access - a user-mode load (flags 0) or store (MM_FAULT_WRITE) of one
 * byte at addr by this CPU: TLB hit, or a hardware walk (one load per
 * level) that fills the TLB, or a page fault through fault(arg, addr,
 * flags) and a retry.  Then the access itself: a load or store of the
 * data page's line at addr.  Checks the stale-translation contract.
 * Return: 0, or the fault's negative errno (-EFAULT: SIGSEGV).
 * Cost: the walk's loads, the fault's, the data line.
 */
int mm_access(struct mm *mm, uint64_t addr, unsigned flags,
	      int (*fault)(void *arg, uint64_t addr, unsigned flags), void *arg);

/* ---- host context ---- */

/* Page tables consistent: every present entry points at a live page of
 * the right kind, PTE counts match, no page table freed while linked.
 * Return: true, or false with the first violation appended to why. */
bool mm_check(struct mm *mm, GString *why);
/* mm_for_each_pte - host walk: fn(arg, addr, pte) for every present PTE
 * of [start, end), in address order.  Context: host; costs nothing. */
void mm_for_each_pte(struct mm *mm, uint64_t start, uint64_t end,
		     void (*fn)(void *arg, uint64_t addr, uint64_t pte), void *arg);
/* mm_tlb_has - does cpu's TLB hold a translation of addr?  Context:
 * host, or any simulated CPU (no cost). */
bool mm_tlb_has(struct mm *mm, uint32_t cpu, uint64_t addr);
/* mm_cpumask_of - the mm's mm_cpumask (for host-side inspection with
 * the cpumask *_host helpers).  Context: host or any simulated CPU; no
 * cost. */
struct cpumask *mm_cpumask_of(struct mm *mm);
/* Page-table pages linked now, the pgd not counted (host count; no
 * cost). */
uint64_t mm_pgtable_pages(struct mm *mm);
/* Pages mapped now (host walk of the PTEs). */
uint64_t mm_mapped_pages(struct mm *mm);
/* Counters: faults, walks, tlb hits/misses, shootdowns, targets,
 * pgtable pages allocated/freed, alloc races, ptl contended. */
void mm_stats(struct mm *mm, cJSON *out);

#endif
