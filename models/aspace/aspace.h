// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Address-space designs: how a process's regions (VMAs) are indexed and
 * how page faults synchronize with mmap/munmap -- the comparison this
 * project exists for.  One design per file in models/aspace/, each behind
 * a const struct aspace_ops listed in models/aspace/registry.c:
 *
 *   linux-rwsem  Linux <= 6.0: an rbtree of VMAs; faults take mmap_sem
 *                shared, mmap/munmap/brk/mprotect exclusive
 *   bonsai       Bonsai VM (Clements et al., ASPLOS'12): faults look the
 *                VMA up in an RCU tree under the reclaim scheme's read
 *                side, with no lock; mmap/munmap serialized on mmap_sem;
 *                the munmap race closed by the re-check under the PTL
 *
 * Config: "aspace": {"design": "<name>", ...the design's and the mm's
 * parameters}.  The index is the "tree" section's tree (each design has
 * a default and refuses trees that cannot serve it, e.g. bonsai needs
 * TREE_RCU_READERS); the reclaim scheme is the "reclaim" section's
 * (bonsai: any RCU-like scheme; the tree's nodes, the VMAs and, with
 * mm.rcu_table_free, page-table pages are retired through it).  So design,
 * tree and scheme are independent axes of a sweep.
 *
 * Everything shared is simulated memory: VMAs (struct vm_area_struct: one
 * line: vm_start, vm_end, vm_flags, vm_bound_seq, vm_unlinked), the tree,
 * mmap_sem, the page tables (models/mm/mm.h).  Each design documents its
 * lines and who writes them in its file header.
 *
 * Context: create/destroy/check/stats are host context; every other op
 * runs on a simulated CPU (a thread of the one process) and may yield.
 * Every CPU of the run is in mm_cpumask, and munmap/mprotect shoot down
 * by IPI: a workload must keep each CPU online (e.g. waiting at a final
 * barrier, which serves IPIs) until no CPU can call them any more -- an
 * IPI to a CPU whose cpu_main returned is dropped and the shootdown would
 * wait forever.
 */
#ifndef SIM_ASPACE_H
#define SIM_ASPACE_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "component.h"
#include "mm.h"
#include "sim.h"

struct rcl_ops;
struct tree_ops;
struct kalloc;
struct klock;
struct smp_ops;
struct smp_params;

/* mmap flags */
#define AS_MAP_FIXED 0x1u            /* MAP_FIXED: replace what is there */

/* What a design is built on, given to create().  Host memory, owned by
 * the caller (the workload), valid for the design's life. */
struct aspace_env {
	struct sim *sim;
	const struct rcl_ops *rcl;       /* the "reclaim" section's scheme */
	void *rs;
	const struct tree_ops *tree;     /* the "tree" section's tree, or NULL: the design's default */
	const void *tree_params;
	struct kalloc *ka;
	struct klock *kl;
	const struct smp_ops *smp;       /* the "kernel" section's cross-CPU calls */
	void *smp_state;
	const struct smp_params *smp_params;
	uint32_t home_cpu;               /* where mm-wide lines are homed */
	/* TEST ONLY (mutation tests; never set by a config): munmap skips
	 * the shootdown / the fault path skips the re-check under the PTL. */
	bool mutation_no_shootdown;
	bool mutation_no_recheck;
};

/* The "aspace" section's parameters, shared by both designs: the mm's
 * (struct mm_params, handed to mm_create) and the design's own.  Each
 * design has its own table (registry.c) with its own defaults. */
struct aspace_params {
	struct mm_params mm;
	/* Linux <= 3.5's mm->mmap_cache: find_vma checks the last VMA it
	 * found (one load of an mm-wide line and of that VMA) and, on a
	 * miss, stores the VMA it found there: a shared-line write on every
	 * fault that changes VMA.  linux-rwsem only (bonsai: false). */
	bool mmap_cache;
	/* Which kernel's rw_semaphore mmap_sem is (enum aspace_mmap_sem):
	 * linux-rwsem defaults to Linux 3.5's (grant on wake-up, no lock
	 * stealing: rwsem_v35.c), the kernel RadixVM measured; bonsai has no
	 * row and keeps 0, Linux v6's (rwsem.c). */
	int mmap_sem;
	/* Local cycles of each mmap, munmap, brk and mprotect inside
	 * mmap_sem's write section, for the kernel path the simulated lines
	 * leave out (vma.c's MODEL).  FITTED (scripts/fit-aspace-path) to
	 * Linux 3.5 vmlocal at one core on ben; 0 by default. */
	uint32_t path_cycles;
};

enum aspace_mmap_sem { ASPACE_MMAP_SEM_V6 = 0, ASPACE_MMAP_SEM_V35 = 1 };

/* Host counters every design keeps, reported by aspace_stats_emit(). */
struct aspace_stats {
	uint64_t mmaps, munmaps, brks, mprotects;
	uint64_t faults;                 /* fault() calls */
	uint64_t fault_retries;          /* -EAGAIN: raced with munmap, or fell back */
	uint64_t fault_fallbacks;        /* lock-free attempt given up for the locked path */
	uint64_t segv;                   /* faults on no region / a forbidden access */
	uint64_t vmas_allocated, vmas_retired;
};

struct aspace_ops {
	struct sim_component comp;       /* name, summary, params (struct aspace_params): first */
	const char *default_tree;        /* the index without a "tree" section */
	unsigned tree_needs;             /* TREE_* flags the index must have */

	/* A new empty address space for the run's CPUs.  Context: host. */
	void *(*create)(const struct aspace_env *env, const void *params);
	void (*destroy)(void *as);
	/* Its mm (page tables, TLBs): for mm_access() and checks. */
	struct mm *(*mm)(void *as);

	/* mmap of anonymous private memory: [addr, addr + len) with
	 * AS_MAP_FIXED (unmapping what was there first, shootdown included),
	 * else the lowest free gap of len at or above addr.
	 * Return: 0 and *out = the start, or -ENOMEM. */
	int (*mmap)(void *as, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
		    uint64_t *out);
	/* munmap [addr, addr + len): split straddling regions, zap the
	 * PTEs, free page tables no region still needs, shoot down, free
	 * the pages; returns once no CPU can use a translation of the range.
	 * Return: 0 or -EINVAL. */
	int (*munmap)(void *as, uint64_t addr, uint64_t len);
	/* brk: grow or shrink the heap region to end at newbrk (shrinking
	 * unmaps as munmap does).  Return: 0 and *out = the new break. */
	int (*brk)(void *as, uint64_t newbrk, uint64_t *out);
	/* mprotect [addr, addr + len) to prot (splitting regions; a
	 * permission removed is shot down).  Return: 0 or -ENOMEM. */
	int (*mprotect)(void *as, uint64_t addr, uint64_t len, unsigned prot);
	/* The page fault at addr (MM_FAULT_WRITE or 0), called by
	 * mm_access() on a TLB miss with no usable PTE.
	 * Return: 0 (retry the access), -EFAULT (SIGSEGV). */
	int (*fault)(void *as, uint64_t addr, unsigned flags);

	/* ---- host context, after the run (stores drained) ---- */
	/* Regions, tree and page tables agree; every mapped page lies in a
	 * region that permits it.  Return: true, or false + why. */
	bool (*check)(void *as, GString *why);
	/* aspace_stats_emit() plus the design's own and its mm's/tree's. */
	void (*stats)(void *as, cJSON *out);
};

/* Registry (models/aspace/registry.c), for the "aspace" section. */
const struct sim_component *const *aspace_all(void);
const struct aspace_ops *aspace_find(const char *name);

static inline const struct aspace_ops *
aspace_ops_from(const struct sim_component *c)
{
	return (const struct aspace_ops *)c;
}

/* The design of the run's "aspace" section, or NULL without one; *params
 * receives its parameters.  Context: host. */
const struct aspace_ops *aspace_ops_of(const struct sim *sim, const void **params);

/*
 * aspace_access - this CPU's user-mode load or store (MM_FAULT_WRITE) of
 * addr in as: mm_access() with the design's fault().  Return: 0, or
 * -EFAULT (SIGSEGV).  Context: simulated CPU; may yield.
 */
int aspace_access(const struct aspace_ops *ops, void *as, uint64_t addr, unsigned flags);

void aspace_stats_emit(const struct aspace_stats *st, cJSON *out);

struct sim_run_config;
/*
 * aspace_config_check - the "aspace" section against the others: the
 * "tree" section's tree must have the design's tree_needs (bonsai:
 * TREE_RCU_READERS).  Called by the config loader once every section is
 * loaded.  Return: TRUE, or FALSE with *err naming file and JSON path
 * ("aspace.design").  Context: host.
 */
gboolean aspace_config_check(const struct sim_run_config *rc, const struct sim_origin *top,
			     GError **err);

#endif
