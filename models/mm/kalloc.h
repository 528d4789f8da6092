// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The kernel's memory allocator on simulated memory: the page allocator
 * (per-socket zones, buddy free lists under zone->lock, per-CPU page
 * lists) and SLUB slab caches with kmalloc size classes on top of it.
 * Models Linux mm/page_alloc.c and mm/slub.c; page_alloc.c and slub.c
 * say what each part models and what it leaves out (MODEL: comments).
 *
 * Every piece of allocator state that Linux keeps in memory -- struct
 * page (mem_map), struct zone, per_cpu_pages, kmem_cache,
 * kmem_cache_cpu, kmem_cache_node, the free pointers inside free objects
 * -- is simulated memory, read and written through the sim.h accessors,
 * and its locks are spinlocks on simulated lines: allocation contention
 * (zone->lock, list_lock, remote frees bouncing struct page lines) is
 * simulated, not charged by formula.
 *
 * Config: "kalloc": { "allocator": "slub", ...parameters } (`sim list -v`).
 *
 * Memory: kalloc_create() takes pages_per_node page frames per socket
 * from the arena, homes each node's frames and its struct pages on that
 * socket (sim_mem_place), and registers the range with
 * sim_mem_owner_register(): sim_free() of memory the allocator handed out
 * (e.g. a reclaim scheme's deferred free of a kmalloc()ed object) is a
 * kfree() on the freeing CPU.
 *
 * Use-after-free checking: a freed object is poisoned (sim_mem_set_poison)
 * except for its free-pointer word; a freed page is poisoned whole (as
 * CONFIG_PAGE_POISONING does); handing memory out again unpoisons it.
 *
 * Context: every function taking a struct kalloc runs on a simulated CPU
 * and may yield, unless it says "host".
 */
#ifndef SIM_KALLOC_H
#define SIM_KALLOC_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "component.h"
#include "sim.h"

#define KA_PAGE_SHIFT 12
#define KA_PAGE_SIZE (1u << KA_PAGE_SHIFT)
#define KA_MAX_ORDER 10                 /* largest buddy block: 2^10 pages */
#define KA_NR_ORDERS (KA_MAX_ORDER + 1)
#define KMALLOC_MAX_CACHE_SIZE 8192u    /* above this kmalloc() takes pages */

/* gfp flags (the subset modelled) */
#define __GFP_ZERO 0x1u                 /* clear_page() / memset the memory */

/* The "kalloc" section's parameters. */
struct kalloc_params {
	uint64_t pages_per_node;        /* page frames in each socket's zone */
	uint32_t pcp_batch;             /* pages moved per pcp refill / drain */
	uint32_t pcp_high;              /* pcp count above which a free drains a batch */
	uint32_t slab_max_order;        /* largest slab page order (slub_max_order) */
	bool cpu_partial;               /* per-CPU partial slab lists (CONFIG_SLUB_CPU_PARTIAL) */
	uint32_t path_cycles;           /* local work per allocator call (instructions) */
};

struct kalloc_ops {
	struct sim_component comp;      /* must come first */
};

const struct sim_component *const *kalloc_all(void);

struct kalloc;
struct kmem_cache;

/*
 * kalloc_create - set up zones, pcp lists and the kmalloc caches.
 * @params: the run's "kalloc" section, or NULL for the defaults.
 * Return: the allocator (never NULL; aborts the run when the arena
 * cannot hold it).  Context: host (workload setup).
 */
struct kalloc *kalloc_create(struct sim *sim, const struct kalloc_params *params);
void kalloc_destroy(struct kalloc *ka);

/* kalloc_create_for_run - the allocator built from the run's "kalloc" section
 * (defaults if absent).  Context: host. */
struct kalloc *kalloc_create_for_run(struct sim *sim);

/*
 * alloc_pages - 2^order contiguous page frames, from this CPU's node if
 * it has any free, else from the other nodes in distance order.
 * Return: the frames' address (page aligned).  Fails the run (sim_fail)
 * when no node can satisfy the request.
 * Cost: order 0: this CPU's pcp line; when the pcp is empty, zone->lock
 * and pcp_batch pages taken from the buddy lists (their struct page
 * lines).  order > 0: zone->lock, the free_area lines, the struct pages
 * split or taken.  __GFP_ZERO: a store to every word of the frames
 * (clear_page).
 */
void *alloc_pages(struct kalloc *ka, unsigned order, unsigned gfp);
/*
 * free_pages - return frames alloc_pages() gave (same order).
 * Cost: order 0: this CPU's pcp for the frames' zone (a remote frame
 * stays on the remote zone's pcp of this CPU, as in Linux); above
 * pcp_high, pcp_batch pages go back under zone->lock with buddy merging.
 * order > 0: zone->lock and merging.
 */
void free_pages(struct kalloc *ka, void *addr, unsigned order);

/*
 * kmem_cache_create - a slab cache of objects of size bytes (rounded up
 * to align, at least 8).  Context: host (setup).
 */
struct kmem_cache *kmem_cache_create(struct kalloc *ka, const char *name, size_t size,
				     size_t align);
/*
 * kmem_cache_alloc - one object (contents undefined unless __GFP_ZERO).
 * Cost: fast path: this CPU's kmem_cache_cpu line and the object's free
 * pointer; slow path: the slab's struct page (cmpxchg of its freelist),
 * the node's list_lock and partial list, or a new slab from
 * alloc_pages() with a free-pointer store in every object.
 */
void *kmem_cache_alloc(struct kmem_cache *s, unsigned gfp);
/*
 * kmem_cache_free - free an object of s.  Cost: fast path (the object's
 * slab is this CPU's slab): the free-pointer store and the
 * kmem_cache_cpu line; otherwise (a remote free) a cmpxchg on the slab's
 * struct page, plus list_lock when the slab becomes partial or empty.
 */
void kmem_cache_free(struct kmem_cache *s, void *obj);

/* kmalloc - from the size class that fits (8 .. 8192 bytes), or whole
 * pages above KMALLOC_MAX_CACHE_SIZE.  Cost: kmem_cache_alloc's or
 * alloc_pages'. */
void *kmalloc(struct kalloc *ka, size_t size, unsigned gfp);
/* kfree - free what kmalloc()/kmem_cache_alloc() gave; reads the
 * object's struct page to find its cache.  NULL is a no-op. */
void kfree(struct kalloc *ka, const void *obj);

/* ---- host context: statistics and checks ---- */

/* Counters under out: pcp refills/drains, zone lock acquisitions and
 * contention, slab fast/slow paths, new/discarded slabs, remote frees. */
void kalloc_stats(struct kalloc *ka, cJSON *out);
/*
 * kalloc_check - walk every buddy free list, pcp list and slab freelist
 * in simulated memory and check that each page frame is in exactly one
 * place (free in one buddy block, on one pcp list, or allocated), that
 * the counts (nr_free, pcp count, slab inuse) match the walk, and that
 * free + allocated = total.  Return: true, or false with the first
 * discrepancy appended to why.  Context: host, after the run (stores
 * drained).
 */
bool kalloc_check(struct kalloc *ka, GString *why);
/* Free page frames (buddy + pcp) summed over nodes; total frames. */
uint64_t kalloc_free_pages(struct kalloc *ka);
uint64_t kalloc_total_pages(struct kalloc *ka);
/* Objects of s allocated now (host count). */
uint64_t kmem_cache_inuse(struct kmem_cache *s);
/* The kmalloc cache of size class size (host; for tests). */
struct kmem_cache *kmalloc_cache(struct kalloc *ka, size_t size);

#endif
