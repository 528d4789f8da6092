// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * RadixVM's radix tree: the address space indexed like the x86-64 page
 * table, one entry per virtual page, with per-entry locks so that writers
 * of disjoint ranges share no lock, lock-free lookups, and tree nodes
 * reclaimed with Refcache-style per-core reference deltas.
 *
 * SOURCE: Clements, Kaashoek, Zeldovich, "RadixVM: Scalable address
 * spaces for multithreaded applications" (EuroSys'13) sections 3.2-3.3
 * and Refcache (section 3.1); sv6's include/radix_array.hh (radix_array,
 * node_ptr, upper_node, leaf_node, lock(), the lock bit kept in each
 * slot, expansion of a folded entry "propagating" its value into a new
 * node) and kernel/vm.cc (vmap::insert/remove: acquire the range's
 * entries, then set or unset them); kernel/refcache.cc (per-core delta
 * caches flushed every epoch, the review of objects whose count reached
 * zero).  /work/shared/reference/address-spaces.md section 2.
 *
 * Shape: 4 levels of 512-slot nodes, 9 bits of the virtual page number a
 * level, 48-bit addresses (level 3 is the root, level 0 holds pages):
 *
 *   root (level 3)  [ slot 0 | slot 1 | ... | slot 511 ]   each slot 512 GiB
 *                       |
 *   level 2         [ node | empty | folded value | ... ]  each slot 1 GiB
 *                       |               (one value for a whole aligned 1 GiB)
 *   level 1         [ node | ... ]                         each slot 2 MiB
 *                       |
 *   level 0         [ v | v | 0 | w | ... ]                each slot one 4 KiB page
 *
 * A slot word (slot[i], 8 bytes, 8 to a line):
 *   0                       empty
 *   RS_PRESENT | value      mapped: every page under the slot maps to value
 *                           (above level 0: a folded entry)
 *   pointer                 the child node (no flag bit: readers and hazard
 *                           pointers see a plain pointer)
 *   RS_LOCK | ...           an empty or mapped slot a writer holds
 *   RS_DEAD | RS_LOCK       a slot of a node being reclaimed
 *
 * Why readers are safe under hazard pointers too (TREE_HP_SAFE): a node
 * is retired only when all its slots are empty, after its parent's slot
 * is cleared, so a child validated against its parent's slot (while the
 * parent is protected) stays safe while protected; readers never go back
 * up to a node whose protection they dropped (scan() walks again from
 * the root), so they need two hazard slots.
 *
 * Writers (insert, erase; no common lock: TREE_CONCURRENT_WRITERS) walk
 * the range left to right and take each terminal slot (empty or mapped)
 * that the range covers with a cmpxchg of its lock bit; a slot the range
 * covers only in part is expanded first (a new node, empty or holding 512
 * copies of the folded value, published in the slot by a release store
 * that also drops the lock).  Insert takes every slot (refusing with
 * -EEXIST, locks dropped, at the first mapped one), then stores the value
 * into each (the release store unlocks it); a range covering a whole
 * aligned subtree is stored once, folded, in the upper slot.  Erase takes
 * the mapped slots and clears them.  Readers walk with rcl->dereference
 * and store nothing.
 *
 * Node reclamation (Refcache): each node's header line holds count, the
 * used slots the flushed deltas add up to, and cached_by, how many per-core
 * delta caches hold an entry for it.  A writer that fills or clears a
 * slot adds +1 / -1 to its own core's cache (its own lines); a cache entry
 * goes to the node's count (an atomic on the header line) when it is
 * evicted by a conflicting node or when the core flushes at its first
 * writer operation of a new epoch (sim_now() / epoch_cycles).  A node
 * whose count and cached_by are both zero after a flush is queued for
 * review on that core; the review, at the core's first writer operation
 * at least two epochs later, turns every slot of the node from empty to
 * RS_DEAD with cmpxchg (a slot a writer holds or filled makes it give up
 * and restore the slots), checks count and cached_by again, clears the
 * parent's slot (a release store, -1 to the parent's count) and hands
 * the node to tree_node_retire().  A writer that meets RS_DEAD goes back
 * to the parent slot and retries when it changes.
 *
 * Invariants (check()): no slot locked or dead in a reachable node;
 * every node's level and parent link; the used slots of every node equal
 * count plus the deltas every core's cache holds for it, and cached_by
 * equals the entries that name it; no reachable node is freed.
 *
 * MODEL: lookup() returns the piece the walk ends on: the page's
 * [page, page + 4096) or a folded slot's whole range, not the region
 * (RadixVM keeps no region object: every page holds its own copy of the
 * mapping).  iterate() joins adjacent pieces with the same value and
 * clips them to [lo, hi) widened to whole pages; count() and erase()'s return count maximal runs
 * of one value.  Two regions inserted side by side with the same value
 * are one region here.  Expected effect: none on costs; callers that
 * compare regions must use TREE_PAGE_GRANULE.
 * MODEL: a node is 512 slots (a 4 KiB page) plus one header line
 * (count, cached_by, queued, level, parent): 4160 bytes from a kmem_cache
 * (__GFP_ZERO for empty nodes, as page-table pages are cleared).  sv6
 * keeps the reference count in the refcache::referenced object around
 * the node.  Expected effect: one more line per node, touched only by
 * flushes and reviews.
 * MODEL: the root node is allocated at create() (sim_alloc, homed at
 * env->home_cpu) and never reclaimed, as sv6's radix_array holds its
 * root in the vmap.  No expected effect.
 * MODEL: epochs are sim_now() / epoch_cycles (default 1,000,000 cycles,
 * against Refcache's 10 ms), and a core flushes at its first writer
 * operation in a new epoch rather than from its timer tick; Refcache's
 * global epoch (all cores flushed) is replaced by the review's own
 * checks (cached_by counts cache entries, the slots are taken dead).
 * Expected effect: a core that stops writing keeps its deltas, so the
 * nodes they name are reclaimed late or never; the shorter epoch makes
 * flushes (atomics on node header lines) ~10x more frequent than sv6's.
 * MODEL: each core's review list is host memory (a FIFO).  Expected
 * effect: the list's push and pop cost nothing (sv6: one or two lines).
 * MODEL: an erase takes only the mapped slots (sv6 takes the whole
 * range, empty entries too) and does not fold a range back when it
 * becomes uniform again (sv6: "XXX ... could actively re-fold").
 * Expected effect: erases of sparse ranges write fewer lines than sv6.
 */
#include <errno.h>
#include <string.h>

#include "engine.h"
#include "kalloc.h"
#include "reclaim.h"
#include "tree.h"

#define RADIX_FANOUT 512u
#define RADIX_BITS 9u
#define RADIX_LEVELS 4u
#define RADIX_PAGE_SHIFT 12u
#define RADIX_ADDR_LIMIT (1ull << (RADIX_PAGE_SHIFT + RADIX_BITS * RADIX_LEVELS))
#define RADIX_NODE_ALIGN 64u
/* A writer waiting for a node under review re-reads the node's slot after
 * this many cycles unless the parent slot changes first. */
#define RADIX_DEAD_RETRY 200u

#define RS_LOCK    (1ull << 63)
#define RS_PRESENT (1ull << 62)
#define RS_DEAD    (1ull << 61)
#define RS_PTR     ((1ull << 61) - 1)

struct radix_params {
	uint64_t epoch_cycles;      /* Refcache epoch */
	uint32_t delta_slots;       /* entries of each core's delta cache */
};

static const struct sim_param radix_params[] = {
	SIM_P_U64_ROW(struct radix_params, epoch_cycles, 1000, 10000000000ull, 20000,
		      "Refcache epoch (cycles): a core flushes its delta cache at its first "
		      "writer operation of each epoch; a node whose count reached zero is "
		      "reviewed two epochs later (Refcache: 10 ms)"),
	SIM_P_U32_ROW(struct radix_params, delta_slots, 1, 4096, 64,
		      "entries of each core's Refcache delta cache (a hash by node; a "
		      "conflicting node evicts the entry's delta to its count)"),
	SIM_P_END,
};

/*
 * The node header, one line after the slots.  count: the flushed deltas'
 * sum, written by flushing cores (atomic add), read by reviews.
 * cached_by: delta-cache entries naming the node, atomic add by the core
 * that installs (+1, holding a slot lock of the node) or evicts (-1).
 * queued: 0/1, cmpxchg by the core that queues it for review, stored 0 by
 * that core's review when it gives up.  level, parent, parent_idx:
 * written once by the writer that allocates the node, before it is
 * published; read by reviews.
 */
struct radix_node_hdr {
	uint32_t count;             /* int32 in two's complement */
	uint32_t cached_by;
	uint32_t queued;
	uint32_t level;
	struct radix_node *parent;
	uint64_t parent_idx;
	uint64_t pad[4];
};

/*
 * A node: slot[] on 64 lines (written by writers holding the slot's lock
 * bit, or by the one writer that builds the node before publishing it;
 * read by everyone), then the header line.
 */
struct radix_node {
	uint64_t slot[RADIX_FANOUT];
	struct radix_node_hdr hdr;
};
_Static_assert(sizeof(struct radix_node_hdr) == 64, "one line");
#define RADIX_NODE_SIZE sizeof(struct radix_node)

/* One core's Refcache delta cache, allocated by that core at its first
 * writer operation and written only by it: line 0 holds the epoch it
 * last flushed in, then delta_slots entries of 16 bytes (4 to a line). */
struct radix_rc_ent {
	struct radix_node *node;
	int64_t delta;
};
struct radix_rc_cpu {
	uint64_t epoch;
	uint64_t pad[7];
	struct radix_rc_ent ent[];
};

struct radix_review {
	struct radix_node *node;
	uint64_t stamp;             /* epoch it was queued in */
};

struct radix {
	struct tree_env env;
	struct radix_params p;
	struct radix_node *root;    /* simulated, level 3 */
	struct kmem_cache *node_cache;
	uint32_t ncpus;
	struct radix_rc_cpu **rc;   /* [ncpus], simulated, NULL until the core writes */
	GQueue *review;             /* [ncpus] host FIFOs of struct radix_review * */
	struct tree_stats st;
	uint64_t expansions;        /* slots that became nodes (lazy allocation or unfolding) */
	uint64_t folded_stores;     /* values stored above level 0 */
	uint64_t lock_waits;        /* slot locks found held */
	uint64_t dead_retries;      /* writers that met a node under review */
	uint64_t flushes;           /* epoch flushes of a delta cache */
	uint64_t evictions;         /* entries evicted by a conflicting node */
	uint64_t reviews, review_aborts;
};

static inline uint64_t
span_of(unsigned level)
{
	return 1ull << (RADIX_PAGE_SHIFT + RADIX_BITS * level);
}

static inline unsigned
idx_of(uint64_t addr, unsigned level)
{
	return (unsigned)((addr >> (RADIX_PAGE_SHIFT + RADIX_BITS * level)) & (RADIX_FANOUT - 1));
}

static inline bool
is_node(uint64_t w)
{
	return w != 0 && !(w & (RS_LOCK | RS_PRESENT | RS_DEAD));
}

static inline struct radix_node *
node_of(uint64_t w)
{
	return (struct radix_node *)(uintptr_t)w;
}

/* Load a slot as readers do: rcu_dereference of the slot word (a plain
 * load on x86; hazard pointers publish the word in slot level & 1: a
 * child pointer is protected, a value or an empty slot protects
 * nothing).  Cost: one load of the slot's line (plus the scheme's
 * protect). */
static inline uint64_t
rd_slot(struct radix *t, struct radix_node *n, unsigned i, unsigned level)
{
	return (uint64_t)(uintptr_t)t->env.rcl->dereference(t->env.rs,
							   (void *const *)&n->slot[i], level & 1);
}

/* ---- Refcache ---- */

static uint64_t
epoch_now(struct radix *t)
{
	return sim_now() / t->p.epoch_cycles;
}

/* This core's delta cache, allocated at its first writer operation
 * (cores that only read never have one).  Cost: none here; its lines
 * start in no cache (first touches miss to memory). */
static struct radix_rc_cpu *
rc_cpu(struct radix *t)
{
	uint32_t cpu = sim_cpu_id();
	if (!t->rc[cpu])
		t->rc[cpu] = sim_alloc(sizeof(struct radix_rc_cpu) +
				       t->p.delta_slots * sizeof(struct radix_rc_ent), 64);
	return t->rc[cpu];
}

static unsigned
rc_hash(struct radix *t, struct radix_node *n)
{
	uint64_t o = sim_addr_offset(n) / RADIX_NODE_ALIGN;
	o ^= o >> 17;
	o *= 0x9e3779b97f4a7c15ull;
	return (unsigned)((o >> 32) % t->p.delta_slots);
}

/* Queue n for review on this core (once: the queued flag).  Cost: a
 * cmpxchg of n's header line. */
static void
rc_queue(struct radix *t, struct radix_node *n)
{
	if (sim_cas32(&n->hdr.queued, 0, 1) != 0)
		return;
	struct radix_review *r = g_new(struct radix_review, 1);
	r->node = n;
	r->stamp = epoch_now(t);
	g_queue_push_tail(&t->review[sim_cpu_id()], r);
}

/* Apply one cache entry's delta to n and drop the entry's claim: two
 * atomics on n's header line; queue n if both counts are zero (never the
 * root). */
static void
rc_evict(struct radix *t, struct radix_node *n, int64_t delta)
{
	if (delta)
		sim_faa32(&n->hdr.count, (uint32_t)(int32_t)delta);
	uint32_t by = sim_faa32(&n->hdr.cached_by, (uint32_t)-1) - 1;
	if (n != t->root && by == 0 && sim_load32(&n->hdr.count) == 0)
		rc_queue(t, n);
}

/*
 * rc_delta - Refcache's inc/dec of n's count by d (a slot of n filled or
 * cleared), on this core's cache.  Context: writer, holding a slot lock
 * of n (or n not yet published).  Cost: the entry's line; on a miss the
 * old entry's eviction (rc_evict) and an atomic on n's header line.
 */
static void
rc_delta(struct radix *t, struct radix_node *n, int d)
{
	struct radix_rc_ent *e = &rc_cpu(t)->ent[rc_hash(t, n)];
	struct radix_node *old = sim_loadp((void *const *)&e->node);
	if (old == n) {
		sim_store64(&e->delta, (uint64_t)((int64_t)sim_load64(&e->delta) + d));
		return;
	}
	if (old) {
		t->evictions++;
		rc_evict(t, old, (int64_t)sim_load64(&e->delta));
	}
	sim_faa32(&n->hdr.cached_by, 1);
	sim_storep((void **)&e->node, n);
	sim_store64(&e->delta, (uint64_t)(int64_t)d);
}

/*
 * rc_review - reclaim n if it is empty: take every slot dead (cmpxchg 0
 * -> RS_DEAD|RS_LOCK, left to right), check count and cached_by, clear
 * the parent's slot and retire n; else restore the slots taken and clear
 * queued.  Context: writer, outside the read side; may yield.  Cost: the
 * header line, up to 512 cmpxchgs (64 lines), the parent's slot line,
 * the parent's delta, retire().
 */
static void
rc_review(struct radix *t, struct radix_node *n)
{
	unsigned i;
	t->reviews++;
	if (sim_load32(&n->hdr.count) != 0 || sim_load32(&n->hdr.cached_by) != 0)
		goto give_up;
	for (i = 0; i < RADIX_FANOUT; i++)
		if (sim_cas64(&n->slot[i], 0, RS_DEAD | RS_LOCK) != 0)
			break;
	if (i == RADIX_FANOUT && sim_load32(&n->hdr.count) == 0 &&
	    sim_load32(&n->hdr.cached_by) == 0) {
		struct radix_node *parent = sim_loadp((void *const *)&n->hdr.parent);
		unsigned pi = (unsigned)sim_load64(&n->hdr.parent_idx);
		g_assert(parent->slot[pi] == (uint64_t)(uintptr_t)n);  /* host peek */
		sim_store64_rel(&parent->slot[pi], 0);
		rc_delta(t, parent, -1);
		tree_node_retire(&t->env, &t->st, n, RADIX_NODE_SIZE, RADIX_NODE_ALIGN);
		return;
	}
	while (i-- > 0)
		sim_store64_rel(&n->slot[i], 0);
give_up:
	t->review_aborts++;
	sim_store32(&n->hdr.queued, 0);
}

/*
 * rc_tick - at the start of a writer operation: in a new epoch, flush
 * this core's delta cache; then review the nodes this core queued at
 * least two epochs ago.  Context: writer, outside the read side; may
 * yield.  Cost: the core's epoch line; a flush reads every entry line
 * and evicts the entries held; reviews as rc_review.
 */
static void
rc_tick(struct radix *t)
{
	uint32_t cpu = sim_cpu_id();
	struct radix_rc_cpu *c = rc_cpu(t);
	uint64_t e = epoch_now(t);
	if (sim_load64(&c->epoch) >= e)
		return;
	t->flushes++;
	for (uint32_t i = 0; i < t->p.delta_slots; i++) {
		struct radix_node *n = sim_loadp((void *const *)&c->ent[i].node);
		if (!n)
			continue;
		rc_evict(t, n, (int64_t)sim_load64(&c->ent[i].delta));
		sim_storep((void **)&c->ent[i].node, NULL);
		sim_store64(&c->ent[i].delta, 0);
	}
	sim_store64(&c->epoch, e);
	GQueue *q = &t->review[cpu];
	while (!g_queue_is_empty(q)) {
		struct radix_review *r = g_queue_peek_head(q);
		if (r->stamp + 2 > e)
			break;
		g_queue_pop_head(q);
		struct radix_node *n = r->node;
		g_free(r);
		rc_review(t, n);
	}
}

/* ---- writer side ---- */

/*
 * expand - turn the slot parent->slot[idx] (level level, locked by this
 * writer, holding w without the lock bit) into a node: lazily allocated
 * empty (__GFP_ZERO) or holding 512 copies of the folded value, its
 * header written, published by a release store that drops the lock.
 * An empty new node is queued for review at once (if nothing fills it,
 * it is reclaimed).  Context: writer; may yield.  Cost: the allocator's
 * path (and its clearing), 512 stores for a folded value, the header's
 * stores, the slot's release store, +1 on the parent for a new node.
 */
static void
expand(struct radix *t, struct radix_node *parent, unsigned idx, unsigned level, uint64_t w)
{
	struct radix_node *c = kmem_cache_alloc(t->node_cache, w ? 0 : __GFP_ZERO);
	t->st.nodes_allocated++;
	t->expansions++;
	if (w) {
		for (unsigned i = 0; i < RADIX_FANOUT; i++)
			sim_store64(&c->slot[i], w);
		sim_store32(&c->hdr.count, RADIX_FANOUT);
	} else {
		sim_store32(&c->hdr.count, 0);
	}
	sim_store32(&c->hdr.cached_by, 0);
	sim_store32(&c->hdr.queued, 0);
	sim_store32(&c->hdr.level, level - 1);
	sim_storep((void **)&c->hdr.parent, parent);
	sim_store64(&c->hdr.parent_idx, idx);
	sim_store64_rel(&parent->slot[idx], (uint64_t)(uintptr_t)c);
	if (!w) {
		rc_delta(t, parent, +1);
		rc_queue(t, c);
	}
}

enum lk_mode { LK_INSERT, LK_ERASE };
enum lk_res { LK_OK, LK_EXIST, LK_RESTART };

/* A slot a writer holds. */
struct lk_rec {
	struct radix_node *node;
	unsigned idx, level;
	uint64_t w;                 /* its content, without the lock bit */
	uint64_t start, end;        /* the addresses it covers */
};

/*
 * lock_range - take, left to right, the terminal slots of node (level
 * level, covering from base) that [s, e) needs: insert every slot (an
 * upper slot the range covers whole is taken as one folded slot; one it
 * covers in part is expanded and descended into), erase the mapped ones.
 * Appends what it took to held.  Return: LK_OK; LK_EXIST (insert met a
 * mapped slot); LK_RESTART (node is under review: the caller re-reads its
 * slot).  Context: writer, inside the read side; may yield (spinning on a
 * held slot).  Cost: one load per slot passed (the line of 8), a cmpxchg
 * per slot taken, expansions.
 */
static enum lk_res
lock_range(struct radix *t, struct radix_node *node, unsigned level, uint64_t base,
	   uint64_t s, uint64_t e, enum lk_mode mode, GArray *held)
{
	uint64_t span = span_of(level);
	unsigned first = idx_of(s, level), last = idx_of(e - 1, level);
	for (unsigned i = first; i <= last; i++) {
		uint64_t ss = base + (uint64_t)i * span, se = ss + span;
		for (;;) {
			uint64_t w = rd_slot(t, node, i, level);
			if (w & RS_DEAD)
				return LK_RESTART;
			if (is_node(w)) {
				g_assert(level > 0);
				enum lk_res r = lock_range(t, node_of(w), level - 1, ss, MAX(s, ss),
							   MIN(e, se), mode, held);
				if (r == LK_EXIST)
					return r;
				if (r == LK_RESTART) {
					/* The child is under review: wait for it to be
					 * unlinked (this slot written) or given up. */
					t->dead_retries++;
					sim_spin_while_eq64_until(&node->slot[i], w,
								  sim_now() + RADIX_DEAD_RETRY);
					continue;
				}
				break;
			}
			if (w & RS_LOCK) {
				t->lock_waits++;
				enum sim_cause prev = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
				sim_spin_while_eq64(&node->slot[i], w);
				sim_cause_pop(prev);
				continue;
			}
			if (mode == LK_INSERT && (w & RS_PRESENT))
				return LK_EXIST;
			if (mode == LK_ERASE && !(w & RS_PRESENT))
				break;                  /* nothing mapped under it */
			if (sim_cas64(&node->slot[i], w, w | RS_LOCK) != w)
				continue;
			if (ss >= s && se <= e) {
				struct lk_rec rec = { node, i, level, w, ss, se };
				g_array_append_val(held, rec);
				break;
			}
			expand(t, node, i, level, w);
		}
	}
	return LK_OK;
}

static void
unlock_all(GArray *held)
{
	for (guint k = 0; k < held->len; k++) {
		struct lk_rec *r = &g_array_index(held, struct lk_rec, k);
		sim_store64_rel(&r->node->slot[r->idx], r->w);
	}
}

static void
check_range(uint64_t start, uint64_t end)
{
	g_assert(start < end && end <= RADIX_ADDR_LIMIT);
	g_assert(((start | end) & ((1ull << RADIX_PAGE_SHIFT) - 1)) == 0);
}

/*
 * insert - vmap::insert: take every slot of [start, end) (folded where the
 * range covers an aligned subtree), then store value into each with a
 * release store (RS_PRESENT | value; drops the lock) and +1 on its node.
 * Return: 0, or -EEXIST with nothing mapped (nodes expanded on the way
 * stay, empty, until reviewed).  Context: writer (no caller lock needed
 * against other radix writers); enters the read side for its walk; may
 * yield.  Cost: rc_tick; lock_range; per slot taken a release store and
 * its delta-cache line.
 */
static int
radix_insert(void *tp, uint64_t start, uint64_t end, void *value)
{
	struct radix *t = tp;
	uint64_t v = (uint64_t)(uintptr_t)value;
	check_range(start, end);
	g_assert((v & ~RS_PTR) == 0);
	rc_tick(t);
	GArray *held = g_array_new(FALSE, FALSE, sizeof(struct lk_rec));
	t->env.rcl->read_lock(t->env.rs);
	enum lk_res r;
	while ((r = lock_range(t, t->root, RADIX_LEVELS - 1, 0, start, end, LK_INSERT, held)) ==
	       LK_RESTART)
		;  /* the root is never reviewed */
	if (r == LK_EXIST) {
		unlock_all(held);
		t->env.rcl->read_unlock(t->env.rs);
		g_array_free(held, TRUE);
		return -EEXIST;
	}
	for (guint k = 0; k < held->len; k++) {
		struct lk_rec *h = &g_array_index(held, struct lk_rec, k);
		sim_store64_rel(&h->node->slot[h->idx], RS_PRESENT | v);
		rc_delta(t, h->node, +1);
		if (h->level > 0)
			t->folded_stores++;
	}
	t->env.rcl->read_unlock(t->env.rs);
	g_array_free(held, TRUE);
	t->st.inserts++;
	return 0;
}

/*
 * erase - vmap::remove: take the mapped slots of [start, end) (expanding
 * a folded slot the range covers in part), clear each (release store of
 * 0) and -1 on its node.  Return: the maximal runs of one value it
 * touched (regions removed or trimmed, MODEL above).  Context: writer;
 * enters the read side; may yield.  Cost: rc_tick; lock_range; per slot
 * a release store and its delta-cache line.
 */
static uint64_t
radix_erase(void *tp, uint64_t start, uint64_t end)
{
	struct radix *t = tp;
	check_range(start, end);
	rc_tick(t);
	GArray *held = g_array_new(FALSE, FALSE, sizeof(struct lk_rec));
	t->env.rcl->read_lock(t->env.rs);
	while (lock_range(t, t->root, RADIX_LEVELS - 1, 0, start, end, LK_ERASE, held) ==
	       LK_RESTART)
		;
	uint64_t runs = 0;
	for (guint k = 0; k < held->len; k++) {
		struct lk_rec *h = &g_array_index(held, struct lk_rec, k);
		struct lk_rec *prev = k ? &g_array_index(held, struct lk_rec, k - 1) : NULL;
		if (!prev || prev->end != h->start || prev->w != h->w)
			runs++;
		sim_store64_rel(&h->node->slot[h->idx], 0);
		rc_delta(t, h->node, -1);
	}
	t->env.rcl->read_unlock(t->env.rs);
	g_array_free(held, TRUE);
	if (runs)
		t->st.erases++;
	return runs;
}

/* ---- readers (and find_gap's scan) ---- */

/* A piece: the pages under one mapped slot, clipped by the scan. */
typedef bool (*piece_fn)(void *arg, uint64_t s, uint64_t e, uint64_t v);

/*
 * scan - call fn on every mapped slot overlapping [s, e), in address
 * order, clipped to [s, e), until fn returns false.  Walks from the root
 * to s, then along the slots of the node it reached, descending into
 * child nodes it meets; at the end of a node it walks again from the root
 * (it never returns to a parent, so a reader holds at most a node and its
 * child: two hazard slots).  Also stops once it has passed *stop (when
 * stop is not NULL; fn may move it).  Return: false if fn stopped it.
 * Slots are loaded with rd_slot(); the caller is inside the read side.
 * Cost: one slot load per slot passed (an empty or folded upper slot
 * skips its subtree), 3 more upper-slot loads per leaf node crossed;
 * nodes entered counted in *visited.
 */
static bool
scan(struct radix *t, uint64_t s, uint64_t e, piece_fn fn, void *arg, uint64_t *visited,
     const uint64_t *stop)
{
	uint64_t pos = s;
	while (pos < e) {
		struct radix_node *n = t->root;
		unsigned level = RADIX_LEVELS - 1;
		uint64_t base = 0;
		(*visited)++;
		for (;;) {
			uint64_t span = span_of(level);
			unsigned i = idx_of(pos, level);
			uint64_t ss = base + (uint64_t)i * span, se = ss + span;
			uint64_t w = rd_slot(t, n, i, level);
			if (is_node(w)) {
				n = node_of(w);
				level--;
				base = ss;
				(*visited)++;
				continue;
			}
			if ((w & RS_PRESENT) && !fn(arg, MAX(pos, ss), MIN(e, se), w & RS_PTR))
				return false;
			pos = se;
			if (pos >= e || (stop && pos >= *stop))
				return true;
			if (i == RADIX_FANOUT - 1)
				break;          /* end of this node: from the root again */
		}
	}
	return true;
}

/*
 * lookup - the walk a page fault does: root to the slot holding addr.
 * Return: true and the piece (the page, or a folded slot's range: MODEL
 * in the header) with its value, or false if addr is unmapped.  Context:
 * reader, inside the read side; may yield.  Cost: one slot line per
 * level down to the first terminal slot (4 for a page).
 */
static bool
radix_lookup(void *tp, uint64_t addr, struct tree_range *out)
{
	struct radix *t = tp;
	t->st.lookups++;
	if (addr >= RADIX_ADDR_LIMIT)
		return false;
	struct radix_node *n = t->root;
	for (unsigned level = RADIX_LEVELS; level-- > 0;) {
		unsigned i = idx_of(addr, level);
		uint64_t w = rd_slot(t, n, i, level);
		if (is_node(w) && level > 0) {
			n = node_of(w);
			continue;
		}
		if (!(w & RS_PRESENT))
			return false;
		uint64_t span = span_of(level);
		out->start = addr & ~(span - 1);
		out->end = out->start + span;
		out->value = (void *)(uintptr_t)(w & RS_PTR);
		t->st.lookup_hits++;
		return true;
	}
	return false;
}

struct first_piece {
	bool found;
	struct tree_range r;
};

static bool
first_fn(void *arg, uint64_t s, uint64_t e, uint64_t v)
{
	struct first_piece *f = arg;
	f->found = true;
	f->r = (struct tree_range){ s, e, (void *)(uintptr_t)v };
	return false;
}

/*
 * find - the first mapped piece at or above addr (the page holding it,
 * from addr's page on; MODEL in the header).  Context: reader; may yield.
 * Cost: a scan from addr: one slot line per 8 slots passed, empty
 * subtrees skipped by their upper slot.
 */
static bool
radix_find(void *tp, uint64_t addr, struct tree_range *out)
{
	struct radix *t = tp;
	uint64_t visited = 0;
	struct first_piece f = { 0 };
	t->st.lookups++;
	if (addr >= RADIX_ADDR_LIMIT)
		return false;
	scan(t, addr & ~((1ull << RADIX_PAGE_SHIFT) - 1), RADIX_ADDR_LIMIT, first_fn, &f,
	     &visited, NULL);
	if (!f.found)
		return false;
	/* A folded slot's piece is clipped to start at addr's page. */
	*out = f.r;
	t->st.lookup_hits++;
	return true;
}

struct iter_join {
	bool (*fn)(void *arg, const struct tree_range *r);
	void *arg;
	bool have;
	struct tree_range run;
};

static bool
join_fn(void *arg, uint64_t s, uint64_t e, uint64_t v)
{
	struct iter_join *j = arg;
	void *vp = (void *)(uintptr_t)v;
	if (j->have && j->run.end == s && j->run.value == vp) {
		j->run.end = e;
		return true;
	}
	if (j->have && !j->fn(j->arg, &j->run))
		return false;
	j->have = true;
	j->run = (struct tree_range){ s, e, vp };
	return true;
}

/* iterate - the runs of one value overlapping [lo, hi), clipped to it
 * widened to whole pages, in order (MODEL in the header).  Context: reader; may yield.  Cost: a
 * scan of [lo, hi). */
static void
radix_iterate(void *tp, uint64_t lo, uint64_t hi,
	      bool (*fn)(void *arg, const struct tree_range *r), void *arg)
{
	struct radix *t = tp;
	struct iter_join j = { .fn = fn, .arg = arg };
	uint64_t visited = 0, pm = (1ull << RADIX_PAGE_SHIFT) - 1;
	lo &= ~pm;
	hi = hi > RADIX_ADDR_LIMIT - pm ? RADIX_ADDR_LIMIT : (hi + pm) & ~pm;
	if (lo >= hi)
		return;
	if (scan(t, lo, hi, join_fn, &j, &visited, NULL) && j.have)
		fn(arg, &j.run);
}

struct gap_walk {
	uint64_t size, cand;
	uint64_t stop;              /* cand + size: the scan may stop past it */
	bool found;
};

static bool
gap_fn(void *arg, uint64_t s, uint64_t e, uint64_t v)
{
	struct gap_walk *g = arg;
	(void)v;
	if (s >= g->cand && s - g->cand >= g->size) {
		g->found = true;
		return false;
	}
	if (e > g->cand) {
		g->cand = e;
		g->stop = e + g->size;
	}
	return true;
}

/*
 * find_gap - bottom-up get_unmapped_area: scan [lo, hi) for the first run
 * of empty slots of size bytes.  Context: writer side, inside the read
 * side it enters (concurrent writers may reclaim nodes); may yield.
 * Cost: one slot load per slot passed until the gap's end: it grows with
 * the mapped range before the gap (RadixVM's trade-off: no gap
 * augmentation), empty subtrees skipped by their upper slot.
 */
static bool
radix_find_gap(void *tp, uint64_t size, uint64_t lo, uint64_t hi, uint64_t *start_out)
{
	struct radix *t = tp;
	struct gap_walk g = { .size = size, .cand = lo, .stop = lo + size };
	t->st.gap_searches++;
	hi = MIN(hi, RADIX_ADDR_LIMIT);
	if (size == 0 || lo >= hi || size > hi - lo)
		return false;
	/* Other writers may run (TREE_CONCURRENT_WRITERS) and reclaim
	 * nodes: the scan is a reader's. */
	t->env.rcl->read_lock(t->env.rs);
	scan(t, lo, hi, gap_fn, &g, &t->st.gap_nodes_visited, &g.stop);
	t->env.rcl->read_unlock(t->env.rs);
	if (!g.found && (g.cand > hi || hi - g.cand < size))
		return false;
	*start_out = g.cand;
	return true;
}

/* ---- host context ---- */

static void *
radix_create(const struct tree_env *env, const void *params)
{
	struct radix *t = g_new0(struct radix, 1);
	t->env = *env;
	if (params)
		t->p = *(const struct radix_params *)params;
	else
		sim_params_defaults(radix_params, &t->p);
	t->root = sim_alloc(RADIX_NODE_SIZE, RADIX_NODE_ALIGN);
	t->root->hdr.level = RADIX_LEVELS - 1;
	sim_mem_prime(env->sim, t->root, RADIX_NODE_SIZE, env->home_cpu);
	t->node_cache = kmem_cache_create(env->ka, "radix_node", RADIX_NODE_SIZE,
					  RADIX_NODE_ALIGN);
	t->ncpus = sim_ncpus_of(env->sim);
	t->rc = g_new0(struct radix_rc_cpu *, t->ncpus);
	t->review = g_new0(GQueue, t->ncpus);
	for (uint32_t c = 0; c < t->ncpus; c++)
		g_queue_init(&t->review[c]);
	return t;
}

static void
radix_destroy(void *tp)
{
	struct radix *t = tp;
	for (uint32_t c = 0; c < t->ncpus; c++)
		g_queue_clear_full(&t->review[c], g_free);
	g_free(t->review);
	g_free(t->rc);
	g_free(t);
}

struct check_walk {
	struct radix *t;
	GString *why;
	GHashTable *cached;         /* cached_deltas() */
};

/* What the delta caches hold for one node (check()). */
struct cached {
	int64_t sum;
	uint32_t entries;
};

/* Every core's cache entries, summed by node: node -> struct cached. */
static GHashTable *
cached_deltas(struct radix *t)
{
	GHashTable *h = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	for (uint32_t c = 0; c < t->ncpus; c++)
		for (uint32_t i = 0; t->rc[c] && i < t->p.delta_slots; i++) {
			const struct radix_rc_ent *e = &t->rc[c]->ent[i];
			if (!e->node)
				continue;
			struct cached *k = g_hash_table_lookup(h, e->node);
			if (!k) {
				k = g_new0(struct cached, 1);
				g_hash_table_insert(h, e->node, k);
			}
			k->sum += e->delta;
			k->entries++;
		}
	return h;
}

static bool
check_node(struct check_walk *cw, const struct radix_node *n, unsigned level,
	   const struct radix_node *parent, unsigned pidx)
{
	struct radix *t = cw->t;
	if (!sim_addr_valid(n) || sim_mem_any_poisoned(t->env.sim, n, RADIX_NODE_SIZE)) {
		g_string_append_printf(cw->why, "radix: level %u node is freed or invalid", level);
		return false;
	}
	if (n->hdr.level != level || (parent && (n->hdr.parent != parent ||
						  n->hdr.parent_idx != pidx))) {
		g_string_append_printf(cw->why, "radix: level %u node has header level %u or a "
				       "wrong parent link", level, n->hdr.level);
		return false;
	}
	int64_t used = 0;
	for (unsigned i = 0; i < RADIX_FANOUT; i++) {
		uint64_t w = n->slot[i];
		if (w & (RS_LOCK | RS_DEAD)) {
			g_string_append_printf(cw->why, "radix: level %u slot %u locked or dead "
					       "(%#" G_GINT64_MODIFIER "x)", level, i, w);
			return false;
		}
		if (w)
			used++;
		if (is_node(w)) {
			if (level == 0) {
				g_string_append_printf(cw->why, "radix: leaf slot %u holds a node", i);
				return false;
			}
			if (!check_node(cw, node_of(w), level - 1, n, i))
				return false;
		}
	}
	const struct cached *k = g_hash_table_lookup(cw->cached, n);
	int64_t pending = k ? k->sum : 0;
	uint32_t entries = k ? k->entries : 0;
	if ((int64_t)(int32_t)n->hdr.count + pending != used || n->hdr.cached_by != entries) {
		g_string_append_printf(cw->why, "radix: level %u node uses %" G_GINT64_FORMAT
				       " slots, count %d + cached deltas %" G_GINT64_FORMAT
				       ", cached_by %u for %u entries", level, used,
				       (int32_t)n->hdr.count, pending, n->hdr.cached_by, entries);
		return false;
	}
	return true;
}

/* check: the invariants in the header.  Context: host; costs nothing. */
static bool
radix_check(void *tp, GString *why)
{
	struct radix *t = tp;
	struct check_walk cw = { t, why, cached_deltas(t) };
	bool ok = check_node(&cw, t->root, RADIX_LEVELS - 1, NULL, 0);
	g_hash_table_destroy(cw.cached);
	return ok;
}

struct count_walk {
	uint64_t runs, end, v;
	bool have;
};

static void
count_node(struct count_walk *c, const struct radix_node *n, unsigned level, uint64_t base)
{
	uint64_t span = span_of(level);
	for (unsigned i = 0; i < RADIX_FANOUT; i++) {
		uint64_t w = n->slot[i], s = base + (uint64_t)i * span;
		if (is_node(w)) {
			count_node(c, node_of(w), level - 1, s);
		} else if (w & RS_PRESENT) {
			if (!c->have || c->end != s || c->v != w)
				c->runs++;
			c->have = true;
			c->end = s + span;
			c->v = w;
		}
	}
}

/* count: maximal runs of one value (host walk).  Context: host. */
static uint64_t
radix_count(void *tp)
{
	struct radix *t = tp;
	struct count_walk c = { 0 };
	count_node(&c, t->root, RADIX_LEVELS - 1, 0);
	return c.runs;
}

/* stats: the common counters plus the radix and Refcache counters.
 * rotations stays 0 (a radix tree never rebalances).  Context: host. */
static void
radix_stats(void *tp, cJSON *out)
{
	struct radix *t = tp;
	tree_stats_emit(&t->st, out);
	cJSON_AddNumberToObject(out, "expansions", (double)t->expansions);
	cJSON_AddNumberToObject(out, "folded_stores", (double)t->folded_stores);
	cJSON_AddNumberToObject(out, "lock_waits", (double)t->lock_waits);
	cJSON_AddNumberToObject(out, "dead_retries", (double)t->dead_retries);
	cJSON_AddNumberToObject(out, "refcache_flushes", (double)t->flushes);
	cJSON_AddNumberToObject(out, "refcache_evictions", (double)t->evictions);
	cJSON_AddNumberToObject(out, "reviews", (double)t->reviews);
	cJSON_AddNumberToObject(out, "review_aborts", (double)t->review_aborts);
}

const struct tree_ops tree_radix_ops = {
	.comp = {
		.name = "radix",
		.summary = "RadixVM's radix tree shaped like the page table: per-page entries, "
			   "folding, per-entry locks, Refcache node reclamation",
		.params = radix_params,
		.params_size = sizeof(struct radix_params),
	},
	.flags = TREE_RCU_READERS | TREE_CONCURRENT_WRITERS | TREE_PAGE_GRANULE | TREE_HP_SAFE,
	.create = radix_create,
	.destroy = radix_destroy,
	.lookup = radix_lookup,
	.find = radix_find,
	.iterate = radix_iterate,
	.insert = radix_insert,
	.erase = radix_erase,
	.find_gap = radix_find_gap,
	.check = radix_check,
	.count = radix_count,
	.stats = radix_stats,
};
