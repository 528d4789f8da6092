// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Inside the kernel allocator model: the simulated structures that
 * page_alloc.c and slub.c share, the host-side shadow used for checks
 * and statistics, and the small helpers (lists and the spinlock on
 * simulated memory).  Nothing outside models/mm includes this file.
 *
 * Simulated layout (every struct below lives in the arena; its fields are
 * read and written only through sim.h accessors on simulated CPUs):
 *
 *   mem      [ node 0 frames | node 1 frames | ... ]   pages_per_node each
 *   mem_map  [ struct page 0 | struct page 1 | ... ]   one line per frame
 *   zones    [ struct zone 0 | struct zone 1 | ... ]   homed on its node
 *   pcp      one line per (CPU, zone) the CPU has used, homed on the
 *            CPU's socket
 *
 * Invariant (kalloc_check): every frame is in exactly one of: a buddy
 * block on its zone's free_area[order] list, one CPU's pcp list for its
 * zone, a slab, an alloc_pages()/kmalloc_large allocation.
 */
#ifndef SIM_KALLOC_IMPL_H
#define SIM_KALLOC_IMPL_H

#include "engine.h"
#include "kalloc.h"
#include "klock.h"

/* An intrusive doubly linked list in simulated memory (list_head). */
struct ka_list {
	struct ka_list *next, *prev;
};

/* struct page flags (word 0 of struct page) */
#define PG_buddy 0x1u       /* head of a free buddy block; private = its order */
#define PG_slab  0x2u       /* a slab's first frame; slab_cache, counters valid */
#define PG_large 0x4u       /* head of a kmalloc_large allocation; private = order */

/*
 * struct page: one simulated line per frame (mem_map[pfn]).
 *   flags       written under zone->lock (buddy), by the slab code when a
 *               slab is made or discarded; read by kfree() and buddy merging
 *   lru         free_area / pcp / node partial-list link (under the lock of
 *               the list it is on; pcp: its CPU only)
 *   private     buddy order (under zone->lock) or kmalloc_large order
 *   slab_cache  written when the slab is made; read by kfree()
 *   counters    the slab's freelist, inuse, objects and frozen packed in
 *               one word: cmpxchg by every free to a slab that is not the
 *               freeing CPU's, and by the owner refilling from it
 *   next, slabs a CPU's partial list (slab->next; slabs = list length
 *               from this slab on): written by that CPU only
 */
struct page {
	uint64_t flags;
	struct ka_list lru;
	uint64_t private;
	void *slab_cache;
	uint64_t counters;
	struct page *next;
	uint64_t slabs;
};
G_STATIC_ASSERT(sizeof(struct page) == 64);

/*
 * page->counters (MODEL: Linux keeps the freelist pointer and the
 * counters in two adjacent words updated by one cmpxchg16b; here the
 * freelist is an object index in the same 8-byte word, so one sim_cas64
 * stands for that one locked 16-byte compare-and-exchange: same line,
 * same cost).
 *   bits  0-15  freelist: index + 1 of the first free object, 0 = none
 *   bits 16-31  inuse: objects not on the slab's freelist
 *   bits 32-47  objects in the slab
 *   bit  48     frozen: the slab is some CPU's cpu slab
 */
#define SC_FREE(c)    ((uint32_t)((c) & 0xffffu))
#define SC_INUSE(c)   ((uint32_t)(((c) >> 16) & 0xffffu))
#define SC_OBJECTS(c) ((uint32_t)(((c) >> 32) & 0xffffu))
#define SC_FROZEN(c)  ((bool)(((c) >> 48) & 1u))
static inline uint64_t
sc_pack(uint32_t free1, uint32_t inuse, uint32_t objects, bool frozen)
{
	return (uint64_t)free1 | (uint64_t)inuse << 16 | (uint64_t)objects << 32 |
	       (uint64_t)frozen << 48;
}

/* One order's free blocks (free_area[order]), under zone->lock. */
struct free_area {
	struct ka_list free_list;
	uint64_t nr_free;
};

/*
 * struct zone: one per node (socket), homed on it.
 *   line 0      lock (spinlock_t of the run's flavour), free_pages
 *               (NR_FREE_PAGES), written under the lock
 *   lines 1-4   free_area[0..10]: RMW under lock by every buddy
 *               allocation, split and merge
 */
struct zone {
	spinlock_t lock;
	uint32_t pad0;
	uint64_t free_pages;
	uint64_t pad[6];
	struct free_area free_area[KA_NR_ORDERS];
};

/*
 * per_cpu_pages: one line per (CPU, zone), homed on the CPU's node, only
 * its CPU touches it (with interrupts off).
 */
struct per_cpu_pages {
	uint64_t count;      /* pages on list */
	uint64_t high;       /* drain above this (read-only) */
	uint64_t batch;      /* refill / drain this many (read-only) */
	struct ka_list list; /* order-0 pages: hot at the head */
	uint64_t pad[3];
};
G_STATIC_ASSERT(sizeof(struct per_cpu_pages) == 64);

/* Host shadow of each frame's state (checks and statistics only). */
enum ka_pstate {
	KA_P_BUDDY = 0,     /* in a free buddy block */
	KA_P_PCP,           /* on a pcp list */
	KA_P_SLAB,          /* part of a slab */
	KA_P_PAGES,         /* alloc_pages() */
	KA_P_LARGE,         /* kmalloc_large() */
};

/* Counters of one lock (host side): acquisitions and the cycles spent in
 * spin_lock (contention shows there; the locking context counts the
 * flavour's slow paths over all the allocator's locks). */
struct ka_lock_stats {
	uint64_t acquired, lock_cycles;
};

struct ka_zone_stats {
	struct ka_lock_stats lock;
	uint64_t pcp_refills, pcp_drains, pcp_pages_refilled, pcp_pages_drained;
	uint64_t buddy_allocs, buddy_frees, splits, merges;
};

#define KMALLOC_NR 13       /* 8 16 32 64 96 128 192 256 512 1k 2k 4k 8k */

struct kalloc {
	struct sim *sim;
	struct klock *kl;            /* locking context: the run's spinlock flavour */
	struct kalloc_params p;
	uint32_t nnodes, ncpus;
	uint32_t *node_socket;       /* [node]: the socket it sits on */
	uint32_t *socket_node;       /* [socket]: its node, or UINT32_MAX */
	uint64_t npages;             /* nnodes * pages_per_node */
	char *mem;                   /* the frames (simulated) */
	struct page *mem_map;        /* simulated */
	struct zone *zones;          /* simulated, [node] */
	/* [cpu][node]: simulated, made the first time cpu uses node's zone
	 * (NULL before); the per-CPU vectors likewise (host) */
	struct per_cpu_pages ***pcp;
	uint8_t *pstate;             /* host shadow, enum ka_pstate per frame */
	struct kmem_cache **slab_of; /* host shadow: the cache of each slab frame */
	uint8_t *live;               /* host shadow: 1 per 8-byte word starting a live object */
	GPtrArray *caches;           /* struct kmem_cache *, creation order */
	struct kmem_cache *kmalloc_caches[KMALLOC_NR];
	struct ka_zone_stats *zst;   /* [node] */
	uint64_t pages_alloc, pages_free, large_alloc, large_free, remote_frees;
};

/*
 * kmem_cache: the host handle of a slab cache.  The simulated parts:
 *   line        kmem_cache's read-mostly line (size, offset, oo): read by
 *               every alloc and free
 *   cpu_slab    kmem_cache_cpu, one line per CPU, homed on the CPU's node:
 *               only that CPU writes it
 *   node        kmem_cache_node, one line per node, homed on it: list_lock
 *               (spinlock), nr_partial and the partial list under it
 */
struct kmem_cache_line {
	uint64_t size, object_size, offset, oo, min_partial;
	uint64_t pad[3];
};
struct kmem_cache_cpu {
	void *freelist;          /* next free object of slab, chained through free pointers */
	uint64_t tid;            /* bumped by every fast-path operation */
	struct page *slab;       /* the cpu slab (frozen), or NULL */
	struct page *partial;    /* frozen partial slabs (CONFIG_SLUB_CPU_PARTIAL), or NULL */
	uint64_t pad[4];
};
struct kmem_cache_node {
	spinlock_t list_lock;
	uint32_t pad0;
	uint64_t nr_partial;
	struct ka_list partial;
	uint64_t pad[4];
};
G_STATIC_ASSERT(sizeof(struct kmem_cache_cpu) == 64);
G_STATIC_ASSERT(sizeof(struct kmem_cache_node) == 64);

struct kmem_cache {
	struct kalloc *ka;
	char *name;
	/* host copies of the line's read-only values */
	uint32_t size, object_size, offset, order, objects, min_partial;
	uint32_t cpu_partial_slabs;         /* 0: no per-CPU partial lists */
	struct kmem_cache_line *line;
	struct kmem_cache_cpu *cpu_slab;    /* [cpu] */
	struct kmem_cache_node *node;       /* [node] */
	/* host counters */
	uint64_t inuse;
	uint64_t alloc_fast, alloc_slow, alloc_refill, alloc_partial, new_slab;
	uint64_t free_fast, free_slow, free_to_partial, discard_slab;
	uint64_t cpu_partial_alloc, cpu_partial_free, cpu_partial_drain;
	struct ka_lock_stats list_lock;
};

/* ---- helpers shared by page_alloc.c and slub.c ---- */

static inline uint64_t
ka_pfn(const struct kalloc *ka, const void *addr)
{
	return (uint64_t)((const char *)addr - ka->mem) >> KA_PAGE_SHIFT;
}

static inline void *
ka_page_address(const struct kalloc *ka, uint64_t pfn)
{
	return ka->mem + (pfn << KA_PAGE_SHIFT);
}

static inline uint32_t
ka_node_of(const struct kalloc *ka, uint64_t pfn)
{
	return (uint32_t)(pfn / ka->p.pages_per_node);
}

static inline bool
ka_owns(const struct kalloc *ka, const void *addr)
{
	const char *a = addr;
	return a >= ka->mem && a < ka->mem + (ka->npages << KA_PAGE_SHIFT);
}

/* Smallest order whose block holds size bytes (get_order). */
static inline unsigned
ka_get_order(size_t size)
{
	unsigned o = 0;
	while (((size_t)KA_PAGE_SIZE << o) < size)
		o++;
	return o;
}

/* Node of the CPU running: nodes are the sockets that have CPUs in the
 * run, in socket order. */
static inline uint32_t
ka_this_node(const struct kalloc *ka)
{
	return ka->socket_node[sim_cpu_socket()];
}

/* list_head operations on simulated memory (each access charged). */
void ka_list_init_host(struct ka_list *head);
void ka_list_add(struct ka_list *entry, struct ka_list *head);
void ka_list_add_tail(struct ka_list *entry, struct ka_list *head);
void ka_list_del(struct ka_list *entry);
struct ka_list *ka_list_first(struct ka_list *head);    /* NULL if empty */
struct ka_list *ka_list_last(struct ka_list *head);     /* NULL if empty */

/*
 * ka_spin_lock / ka_spin_unlock - spin_lock()/spin_unlock() of the
 * allocator's locking context (models/lock/klock.h: queued or ticket, by
 * the run's "locking" section), counted in st.
 * Cost: the flavour's (one RMW of the lock's line uncontended).
 */
void ka_spin_lock(struct kalloc *ka, spinlock_t *lock, struct ka_lock_stats *st);
void ka_spin_unlock(struct kalloc *ka, spinlock_t *lock);

/* page_alloc.c: with the buddy allocator's state (zone->lock taken inside). */
/* The pcp of cpu for node's zone, or NULL if cpu never used it (host). */
struct per_cpu_pages *ka_pcp_peek(const struct kalloc *ka, uint32_t cpu, uint32_t node);
struct page *ka_pfn_to_page(struct kalloc *ka, uint64_t pfn);
uint64_t ka_page_to_pfn(struct kalloc *ka, const struct page *page);
void ka_page_alloc_init(struct kalloc *ka);
/* ka_alloc_frames - 2^order frames, local node first, shadow state `to`;
 * still poisoned.  Fails the run when no node has them.  May yield. */
uint64_t ka_alloc_frames(struct kalloc *ka, unsigned order, enum ka_pstate to);
/* ka_free_frames - give back 2^order frames (poisoned by the caller) in
 * shadow state `from`.  May yield. */
void ka_free_frames(struct kalloc *ka, uint64_t pfn, unsigned order, enum ka_pstate from);
/* Walk buddy and pcp lists (host); see kalloc_check. */
bool ka_page_alloc_check(struct kalloc *ka, GString *why, uint64_t *free_out);
void ka_page_alloc_stats(struct kalloc *ka, cJSON *out);

/* slub.c */
void ka_slub_init(struct kalloc *ka);
void ka_slub_destroy(struct kalloc *ka);
bool ka_slub_check(struct kalloc *ka, GString *why);
void ka_slub_stats(struct kalloc *ka, cJSON *out);

#endif
