// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * What both address-space designs share (vma.c): the VMA record, the
 * mm_struct lines a design owns (mmap_sem, the VMA list head, mmap_cache,
 * brk), and the writer side of mmap/munmap/brk/mprotect, which Bonsai VM
 * leaves as stock Linux except for three points a design switches on
 * (struct aspace_base.rcu_faults):
 *   - bounds changes of a VMA a fault may be reading lock-free go inside
 *     write_seqcount_begin/end(vm_bound_seq);
 *   - a detached VMA gets vm_unlinked = 1 before it leaves the tree, and
 *     page_table_lock is taken and dropped right after (an install that
 *     saw the VMA live has finished);
 *   - detached VMAs are retired through the reclaim scheme instead of
 *     freed at once.
 * The fault paths are each design's own (linux_rwsem.c, bonsai.c).
 *
 * Internal to models/aspace.  Context: as aspace.h.
 */
#ifndef SIM_ASPACE_VMA_H
#define SIM_ASPACE_VMA_H

#include <errno.h>

#include "aspace.h"
#include "klock.h"
#include "tree.h"

struct kmem_cache;
struct cpumask;

#define VMA_SIZE 64u
#define VMA_ALIGN 64u

/*
 * struct vm_area_struct - one region, one simulated line from the
 * "vm_area_struct" kmem_cache.  The index (the tree) keeps its own node
 * for the region whose value is this record.
 *   vm_start, vm_end: written by the writer (mmap_sem held for write):
 *     at creation, and by a split (rcu_faults: inside vm_bound_seq);
 *     read by faults (lock-free ones under vm_bound_seq) and the writer.
 *   vm_next, vm_prev: the address-ordered list (mm->mmap), writer only.
 *   vm_flags: MM_PROT_* of the region; written by the writer (mprotect,
 *     inside vm_bound_seq when rcu_faults), read by faults.
 *   vm_bound_seq: seqcount of the bounds and flags (Bonsai's); the
 *     writer's write_seqcount_begin/end, lock-free faults' reads.
 *   vm_unlinked: 0 until munmap detaches the region (Bonsai's), then 1;
 *     written by the writer, read by lock-free faults under the PTL.
 */
struct vm_area_struct {
	uint64_t vm_start;                   /* +0 */
	uint64_t vm_end;                     /* +8 */
	struct vm_area_struct *vm_next;      /* +16 */
	struct vm_area_struct *vm_prev;      /* +24 */
	uint64_t vm_flags;                   /* +32 */
	seqcount_t vm_bound_seq;             /* +40 */
	uint32_t vm_unlinked;                /* +44 */
	struct vm_area_struct *vm_next_free_list; /* +48: rcu_faults: free_vma_list's link */
	uint64_t pad;                        /* +56: the rest of the line */
};
_Static_assert(sizeof(struct vm_area_struct) == VMA_SIZE, "one line");

/*
 * rcu_faults only: Bonsai's deferred VMA freeing (vma.c free_vma_list).
 *   head: mm_free_vma_head, the list of VMA lists waiting to be freed,
 *     pushed by cmpxchg by every munmap (mmap_sem held for write);
 *   kthread_state: line 1, mm_free_vma_task's state word (its
 *     task_struct), which every push's wake_up_process reads.
 * Both homed on env->home_cpu.
 */
struct vma_free_lines {
	struct vm_area_struct *head;         /* +0 */
	uint8_t pad0[56];
	uint32_t kthread_state;              /* +64 */
	uint8_t pad1[60];
};
_Static_assert(sizeof(struct vma_free_lines) == 128, "two lines");

/*
 * The mm_struct fields the designs own, one simulated line homed on
 * env->home_cpu (mmap_sem is in the mm's mm_struct line with mm_users and
 * mm_count: models/mm/mm_impl.h).
 *   mmap, mmap_last: first and last VMA of the list; map_count;
 *     start_brk, brk: writer only
 *     (mmap_sem held for write).
 *   mmap_cache: the last VMA find_vma found (params mmap_cache): written
 *     by find_vma on a miss (any CPU, under mmap_sem read or lock-free)
 *     and cleared by munmap; read by every find_vma.
 */
struct mm_vma_line {
	struct vm_area_struct *mmap;         /* +0 */
	struct vm_area_struct *mmap_cache;   /* +8 */
	uint64_t map_count;                  /* +16 */
	uint64_t start_brk;                  /* +24 */
	uint64_t brk;                        /* +32 */
	struct vm_area_struct *mmap_last;    /* +40: the list's tail (MODEL in vma.c) */
	uint64_t pad[2];
};
_Static_assert(sizeof(struct mm_vma_line) == 64, "one line");

/* The lowest address mmap hands out (mmap_min_addr = 64 KiB) and the
 * initial program break (the heap starts empty there). */
#define AS_MMAP_MIN   UINT64_C(0x10000)
#define AS_START_BRK  UINT64_C(0x600000)

/* Design-independent counters of the shared code (host). */
struct aspace_vma_stats {
	uint64_t mmap_cache_hits, mmap_cache_misses;
	uint64_t splits;                     /* __split_vma calls */
	uint64_t merges;                     /* mmaps vma_merge folded into a neighbour */
	uint64_t ptes_zapped;
	uint64_t shootdown_targets;          /* summed over munmap/mprotect flushes */
	uint64_t mmap_sem_read_cycles;       /* summed over the faults' down_read calls */
	uint64_t mmap_sem_write_cycles;      /* summed over the writers' down_write calls */
	uint64_t free_vma_wakeups;           /* rcu_faults: free_vma_list's kthread wake-ups */
};

/* One address space: host handle of either design. */
struct aspace_base {
	const struct aspace_ops *ops;
	struct aspace_env env;               /* env.rcl: the given scheme or own_rcl */
	const struct rcl_ops *own_rcl;       /* "rwsem" when none was given (linux-rwsem) */
	void *own_rcl_params;
	struct aspace_params p;
	bool rcu_faults;                     /* Bonsai's writer-side switches (above) */
	struct mm *mm;
	struct mm_env mm_env;
	const struct tree_ops *tree;
	void *t;
	void *tree_params_own;               /* defaults when env->tree is NULL */
	struct tree_env tenv;
	struct kmem_cache *vma_cache;
	struct rw_semaphore *mmap_sem;       /* simulated, in the mm's mm_shared line 0 */
	const struct rwsem_ops *mmap_sem_ops; /* host: p.mmap_sem's flavour */
	struct mm_vma_line *ml;              /* simulated, own line */
	struct vma_free_lines *fl;           /* simulated, rcu_faults only (else NULL) */
	struct cpumask *no_targets;          /* empty: mutation_no_shootdown */
	struct aspace_stats st;
	struct aspace_vma_stats vs;
};

/* as_create - the shared part of create(): tree, caches, lines, mm.
 * Context: host.  Return: as, filled (never NULL). */
void as_init(struct aspace_base *as, const struct aspace_ops *ops,
	     const struct aspace_env *env, const void *params, bool rcu_faults);
void as_fini(struct aspace_base *as);

/*
 * as_find_vma - find_vma(): the lowest region with vm_end > addr, through
 * mmap_cache when params.mmap_cache (Linux 3.5: a hit if the cached VMA
 * contains addr, else the tree walk and, if it found one, a store of it to
 * mmap_cache).  The caller holds mmap_sem (any mode) or, for trees with
 * TREE_RCU_READERS, is inside the reclaim scheme's read side.
 * Return: the VMA or NULL.  Context: simulated CPU; may yield.
 * Cost: mmap_cache's line and the cached VMA's (if on), the tree walk.
 */
struct vm_area_struct *as_find_vma(struct aspace_base *as, uint64_t addr);

/*
 * as_fault_locked - the fault of Linux <= 6.0 (__do_page_fault): down_read
 * mmap_sem; find_vma; no VMA or addr < vm_start (no stack growth) or an
 * access the VMA's flags forbid -> -EFAULT; else mm_do_anonymous_page
 * with no re-check (mmap_sem excludes munmap); up_read.  Counts nothing.
 * Return: 0, -EAGAIN (retry) or -EFAULT.  Context: simulated CPU; may
 * sleep on mmap_sem.  Cost: mmap_sem's two RMWs, find_vma, the VMA's
 * line, mm_do_anonymous_page.
 */
int as_fault_locked(struct aspace_base *as, uint64_t addr, unsigned flags);

/*
 * The writer side, each called with mmap_sem held for write by the
 * design's op (which counts the call).  Context: simulated CPU; may yield.
 * as_do_mmap: as aspace_ops.mmap.  as_do_munmap: as aspace_ops.munmap.
 * as_do_brk: as aspace_ops.brk.  as_do_mprotect: as aspace_ops.mprotect.
 */
int as_do_mmap(struct aspace_base *as, uint64_t addr, uint64_t len, unsigned prot,
	       unsigned flags, uint64_t *out);
int as_do_munmap(struct aspace_base *as, uint64_t addr, uint64_t len);
int as_do_brk(struct aspace_base *as, uint64_t newbrk, uint64_t *out);
int as_do_mprotect(struct aspace_base *as, uint64_t addr, uint64_t len, unsigned prot);

/* The locked ops: down_write(mmap_sem), as_do_*, up_write; count. */
int as_mmap(void *as, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	    uint64_t *out);
int as_munmap(void *as, uint64_t addr, uint64_t len);
int as_brk(void *as, uint64_t newbrk, uint64_t *out);
int as_mprotect(void *as, uint64_t addr, uint64_t len, unsigned prot);
struct mm *as_mm(void *as);

/* The designs and their parameter tables (registry.c). */
extern const struct aspace_ops aspace_linux_rwsem_ops;
extern const struct aspace_ops aspace_bonsai_ops;
extern const struct sim_param aspace_linux_rwsem_params[];
extern const struct sim_param aspace_bonsai_params[];

/* as_access_ok - may an access (MM_FAULT_WRITE or 0) use a region of
 * vm_flags?  Return: 0 or -EFAULT.  Cost: none (a register test). */
static inline int
as_access_ok(uint64_t vm_flags, unsigned flags)
{
	if ((flags & MM_FAULT_WRITE) && !(vm_flags & MM_PROT_WRITE))
		return -EFAULT;
	if (!(vm_flags & (MM_PROT_READ | MM_PROT_WRITE)))
		return -EFAULT;
	return 0;
}

/* check and stats (host, after the run): list, tree and page tables
 * agree; every mapped page lies in a region that allows it. */
bool as_check(void *as, GString *why);
void as_stats(void *as, cJSON *out);

#endif
