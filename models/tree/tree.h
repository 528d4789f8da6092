// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Search trees of address ranges on simulated memory: the index an
 * address space keeps of its regions (VMAs).
 *
 * One tree per file in models/tree/, each behind a const struct tree_ops
 * listed in models/tree/registry.c:
 *
 *   bonsai      weight-balanced RCU tree (Clements et al., ASPLOS'12, lib/cbtree.c)
 *   rbtree      Linux's augmented red-black tree of VMAs (readers under a lock)
 *   maple       range B-tree in RCU mode (Linux >= 6.1, lib/maple_tree.c)
 *   radix       RadixVM's radix tree shaped like the page table (EuroSys'13)
 *   functional  persistent balanced tree with full path copying
 *
 * Config: "tree": { "kind": "<name>", ...the tree's parameters }.
 *
 * A tree maps disjoint half-open ranges [start, end) of addresses to a
 * value (later, the VMA).  Every node lives in simulated memory from the
 * allocator it is given (kmem_cache_alloc on struct kalloc), every node a
 * writer replaces is handed to the reclaim scheme's retire() (a tree never
 * frees a node a reader might hold, and never names a scheme: it receives
 * struct rcl_ops), and every access to a node goes through the sim_load*()
 * / sim_store*() accessors, so the costs are the coherence model's.
 *
 * Concurrency contract (what the caller provides):
 *   - Readers (lookup, find, iterate) run inside the scheme's read side
 *     (rcl_ops.read_lock .. read_unlock) when the tree sets
 *     TREE_RCU_READERS; otherwise the caller excludes writers (holds
 *     down_read of the rw_semaphore writers take for write, as mmap_sem
 *     readers do).  Readers store nothing to shared memory.
 *   - Writers (insert, erase, find_gap) are serialized by a lock the
 *     caller holds (mmap_sem / mmap_lock for write), unless the tree sets
 *     TREE_CONCURRENT_WRITERS (radix: writers of disjoint ranges lock
 *     only the entries they change, left to right).
 *
 * Context: create/destroy/check/count/stats run on the host; every other
 * op runs on a simulated CPU and may yield.
 */
#ifndef SIM_TREE_H
#define SIM_TREE_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "component.h"
#include "sim.h"

struct rcl_ops;
struct kalloc;
struct klock;

/* tree_ops.flags */
#define TREE_RCU_READERS        0x1u  /* lookups are safe beside one writer, inside the
				       * reclaim scheme's read side */
#define TREE_CONCURRENT_WRITERS 0x2u  /* writers of disjoint ranges need no common lock */
#define TREE_PAGE_GRANULE       0x4u  /* keyed per page (radix): ranges are page aligned,
				       * costs grow with the pages a range spans */
#define TREE_HP_SAFE            0x8u  /* readers are safe under hazard pointers (two
				       * slots): no node is retired while a validated
				       * child pointer to it can be held, and readers
				       * never return to a node they stopped protecting */
#define TREE_HP_NARROW          0x10u /* TREE_RCU_READERS tree whose readers are unsafe under
				       * hazard pointers only in a narrow window (it retires
				       * replaced nodes after publishing the update): the
				       * generic readers scenario does not show it, a
				       * slowed-reader scenario does (tests/test-tree.c
				       * test_hp_narrow; the tree needs a node_cycles param) */

/*
 * What a tree is built on, given to create().  Host memory, owned by the
 * caller, valid for the tree's life.
 */
struct tree_env {
	struct sim *sim;
	const struct rcl_ops *rcl;  /* the reclaim scheme: retire() of replaced nodes */
	void *rs;                   /* its instance */
	struct kalloc *ka;          /* node memory: kmem_cache_create/alloc */
	struct klock *kl;           /* spinlocks inside the tree (radix entry locks) */
	uint32_t home_cpu;          /* where setup-time memory (the root) is placed */
	/* TEST ONLY, for the mutation test: free replaced nodes at once
	 * (sim_free) instead of retiring them.  Readers must then be caught
	 * by the use-after-free checker.  Never set by a config. */
	bool mutation_free_now;
};

/* One region, as a reader returns it (host copy of what it loaded). */
struct tree_range {
	uint64_t start, end;        /* [start, end), start < end */
	void *value;
};

/*
 * The counters every tree keeps (host memory) and reports with
 * tree_stats_emit(), with the same names for every tree.
 */
struct tree_stats {
	uint64_t lookups, lookup_hits;  /* lookup() + find() calls, and those that found one */
	uint64_t lookup_retries;        /* reader restarts (maple: dead node; radix: none) */
	uint64_t inserts, erases;       /* successful insert() / erase() calls */
	uint64_t nodes_allocated;       /* tree nodes from the allocator */
	uint64_t nodes_retired;         /* nodes handed to retire() (or freed, mutation) */
	uint64_t rotations;             /* rebalancing steps (rotations, splits, merges) */
	uint64_t gap_searches;          /* find_gap() calls */
	uint64_t gap_nodes_visited;     /* nodes find_gap() read */
};

struct tree_ops {
	struct sim_component comp;  /* name, summary, params: must come first */
	unsigned flags;             /* TREE_* */

	/* An empty tree on env (create its kmem_caches, its root line
	 * placed at env->home_cpu).  Context: host (setup). */
	void *(*create)(const struct tree_env *env, const void *params);
	/* Free the host side (simulated memory dies with the arena). */
	void (*destroy)(void *t);

	/* ---- readers ---- */
	/* The region containing addr.  Return: true and *out filled, or
	 * false if addr is in no region. */
	bool (*lookup)(void *t, uint64_t addr, struct tree_range *out);
	/* find_vma(): the lowest region with end > addr (it may start above
	 * addr).  Return: true and *out, or false if there is none. */
	bool (*find)(void *t, uint64_t addr, struct tree_range *out);
	/* Call fn on every region overlapping [lo, hi), in address order,
	 * until fn returns false. */
	void (*iterate)(void *t, uint64_t lo, uint64_t hi,
			bool (*fn)(void *arg, const struct tree_range *r), void *arg);

	/* ---- writers ---- */
	/* Map [start, end) to value.  Return: 0, or -EEXIST (nothing
	 * changed) if the range overlaps a region. */
	int (*insert)(void *t, uint64_t start, uint64_t end, void *value);
	/* Unmap [start, end): remove the regions inside it and trim (split)
	 * the ones that straddle its ends; the pieces outside keep their
	 * value.  Return: the number of regions removed or trimmed. */
	uint64_t (*erase)(void *t, uint64_t start, uint64_t end);
	/* get_unmapped_area() bottom-up: the lowest start >= lo with
	 * [start, start + size) inside [lo, hi) and in no region.
	 * Return: true and *start_out, or false if none fits. */
	bool (*find_gap)(void *t, uint64_t size, uint64_t lo, uint64_t hi, uint64_t *start_out);

	/* ---- host context (after the run, or between simulated steps with
	 * the store buffers drained) ---- */
	/* The tree's invariants: order, no overlap, balance bound or B-tree
	 * fill, augmented gaps, sizes.  Reads host memory, costs nothing.
	 * Return: true, or false with the first violation appended to why. */
	bool (*check)(void *t, GString *why);
	/* Regions in the tree (host walk). */
	uint64_t (*count)(void *t);
	/* The common counters (tree_stats_emit) plus the tree's own. */
	void (*stats)(void *t, cJSON *out);
};

/* Registry (models/tree/registry.c), for the "tree" section. */
const struct sim_component *const *tree_all(void);
const struct tree_ops *tree_find(const char *name);

static inline const struct tree_ops *
tree_ops_from(const struct sim_component *c)
{
	return (const struct tree_ops *)c;  /* comp is the first member */
}

/* The tree chosen by the run's "tree" section, or NULL if the config has
 * none; *params receives its parameters.  Context: host. */
const struct tree_ops *tree_ops_of(const struct sim *sim, const void **params);

/*
 * tree_node_retire - a writer replaced node obj (size, align as its cache
 * allocated it): hand it to env->rcl->retire(), or, under the test-only
 * env->mutation_free_now, sim_free() it at once.  Counts nodes_retired.
 * Context: simulated CPU, writer; may yield.  Cost: the scheme's retire()
 * (or the allocator's free path).
 */
void tree_node_retire(const struct tree_env *env, struct tree_stats *st,
		      void *obj, size_t size, size_t align);

/*
 * tree_stats_emit - the common counters under out: lookups, lookup_hits,
 * lookup_retries, inserts, erases, nodes_allocated, nodes_retired,
 * rotations, gap_searches, gap_nodes_visited.  Context: host.
 */
void tree_stats_emit(const struct tree_stats *st, cJSON *out);

#endif
