// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The maple tree in RCU mode: the range B-tree that indexes an address
 * space's VMAs in Linux since 6.1 (mm->mm_mt), read by lockless page
 * faults under rcu_read_lock() and written under mmap_lock.
 *
 * SOURCE: lib/maple_tree.c and include/linux/maple_tree.h (Linux 6.1 -
 * 6.8): struct maple_range_64 (leaves: 16 slots, 15 pivots), struct
 * maple_arange_64 (internal nodes of an allocation tree: 10 slots, 9
 * pivots, gap[10], struct maple_metadata), ma_dead_node /
 * mte_set_node_dead (a dead node's parent points to itself),
 * mtree_lookup_walk (readers), mas_store / mas_wr_slot_store (the one
 * in-place store RCU readers may see), mas_wr_extend_null (a NULL store
 * swallows its NULL neighbours), mas_wr_node_store / mas_split /
 * mas_wr_spanning_store / mas_rebalance (new nodes, published with
 * rcu_assign_pointer), mas_adopt_children, mas_update_gap, mas_find,
 * mas_empty_area.  See /work/shared/reference/address-spaces.md (the
 * maple tree: "an RCU-safe range based B-tree", branching factor 10
 * inner and 16 leaf, readers re-walk on stale data, one writer at a
 * time; a 1000-entry tree is 5 levels deep where an rbtree is 10 -- here
 * 1,000 regions with gaps between them, 2,001 ranges, make 4 levels).
 *
 * The tree partitions [0, ULONG_MAX] into ranges, each a slot holding a
 * value (a region) or NULL (a gap).  A node covers [min, max] (given by
 * its parent's pivots, [0, ULONG_MAX] at the root); slot i covers
 * [pivot[i-1] + 1, pivot[i]], the last used slot ends at max (stored as
 * its pivot when the node is not full, implied when it is).
 *
 *      root line (struct maple_tree): ma_root, published by rcl->assign_pointer
 *        |
 *        v
 *   [arange_64: piv 0x3fff 0x8fff | slot A  B  C | gap 0x1000 0x0 0x7000]
 *        |                 |                 |
 *        v                 v                 v
 *   [leaf: NULL|r1|NULL] [leaf: r2|r3|...]  [leaf: r4|NULL]
 *
 * Node: 256 bytes, aligned to 256, four simulated lines.
 *   leaf  (struct maple_range_64): line 0 parent, pivot[0..6]; line 1
 *         pivot[7..14]; line 2 slot[0..7]; line 3 slot[8..15].
 *   inner (struct maple_arange_64): line 0 parent, pivot[0..6]; line 1
 *         pivot[7..8], slot[0..5]; line 2 slot[6..9], gap[0..3]; line 3
 *         gap[4..9], meta (end).
 * A lookup reads, per level, line 0 (the parent word and the first
 * pivots), line 1 if it passes pivot 6, and the line of the slot it
 * follows: 2 or 3 lines per node, 2 for a hit in the first 7 slots of a
 * leaf below a root with fewer than 7 children.
 *
 * Writers (one at a time, mmap_lock held for write by the caller):
 *   - a store that exactly covers one existing slot (a region erased with
 *     regions on both sides, or a region inserted that fills a gap
 *     exactly) is one release store into that slot (mas_wr_slot_store):
 *     readers see the old or the new entry;
 *   - anything else rebuilds: the leaves the range touches are read, the
 *     store is applied to their entries (NULL neighbours merged), and the
 *     entries are spread over new leaves (a split when they need more
 *     than one, a merge with the next-door node when fewer than the
 *     minimum); when one node is replaced by one node the parent's slot
 *     is overwritten with a release store, otherwise the parents are
 *     rebuilt the same way, up to a new root published with
 *     rcl->assign_pointer (a root split adds a level, a root with one
 *     child is dropped);
 *   - new internal nodes adopt their children (each child's parent word
 *     rewritten, mas_adopt_children); after publication every replaced
 *     node is marked dead (parent word = the node itself) and retired
 *     (tree_node_retire);
 *   - gap values are writer-only data: after a slot store the changed
 *     largest gap is written in place up the path (mas_update_gap).
 *
 * Readers (inside the scheme's read side): mtree_lookup_walk from
 * rcl->dereference of ma_root, one rcl->dereference per child followed
 * (hazard slots 0 and 1 alternately; a leaf's slot holds the caller's
 * value, not a node, and is a plain load), and after reading a node's slot
 * the dead check: a dead node means a writer replaced it, the walk
 * restarts from the root (lookup_retries).
 *
 * Why readers are safe, under RCU and under hazard pointers
 * (TREE_HP_SAFE): a reader only follows a child it read from a node
 * whose dead mark it checks afterwards.  A writer marks every node it
 * replaces dead before retiring anything, and retires a child only after
 * unlinking it from a live parent (slot store) or marking that parent
 * dead (rebuild).  So if the parent is not dead after the reader read
 * the child pointer, the child was not retired when the reader
 * published (hazard) or pinned (RCU) it.  Every node is immutable once
 * published except one slot store at a time, its parent word (adoption,
 * dead mark) and its writer-only gaps, so what a reader reads between
 * two dead checks is one consistent state of that node.
 *
 * Invariants (check()): every leaf at the same depth; pivots strictly
 * increasing inside [min, max], the last used one equal to max when the
 * node is not full; no two adjacent NULL ranges anywhere (so every gap
 * is one slot); every non-root node at least MAPLE_MIN_LEAF (leaf) or
 * MAPLE_MIN_INNER (inner) slots used, a root inner node at least 2;
 * gap[i] = the largest NULL range below child i, meta.end = slots used;
 * every child's parent word names its parent and its type; no reachable
 * node is dead or freed.
 *
 * Fill rule (ours, stated): a node other than the root holds at least
 * half its slots minus 2 (leaf, 6 of 16) or minus 1 (inner, 4 of 10).  A
 * rebuild that would leave fewer takes in the next-door node at the same
 * level (left, else right) and spreads both evenly over one or two
 * nodes; any k > 1 nodes from one rebuild get at least cap / 2 each.
 *
 * MODEL: Linux encodes a node's type in the low bits of the pointer to it
 * (struct maple_enode); here the type sits in the low bits of the node's
 * own parent word (line 0, which the walk reads for the pivots anyway),
 * so pointers in slots are plain and hazard pointers protect the very
 * address that is retired.  Expected effect: one extra L1 hit (4 cycles
 * here) per node a reader walks.
 * MODEL: the rebuild is one general procedure (read the touched nodes,
 * apply, spread, climb while the node count or bounds change) instead of
 * Linux's separate node store, split (which splits at the middle and
 * pushes one new node into the parent), spanning store and rebalance
 * paths, and it re-walks from the root for each level's nodes instead of
 * keeping a maple state (ma_state).  Expected effect: the same nodes are
 * copied, allocated and retired for the common cases (a leaf copy for an
 * insert into a gap, a leaf split copying the parent); the extra walks
 * add L1 hits on lines the writer just read.
 * MODEL: Linux's append fast path (mas_wr_append: a new last range
 * written beyond the node's end, then its pivot) is not modelled: such a
 * store copies the leaf here.  Expected effect: appending inserts
 * allocate and retire one leaf more than Linux may.
 * MODEL: leaves keep no metadata (Linux keeps end and the largest gap's
 * offset in the last slot of a non-full leaf): the writer finds a leaf's
 * end and largest gap by scanning its pivots.  Expected effect: writer
 * loads of lines 0-1 that Linux reads anyway to find the end.
 * MODEL: find() past a gap and iterate() move to the next slot of the
 * same leaf as mas_find does, but past a leaf's last slot they walk again
 * from the root (Linux climbs to the parent and down to the next leaf).
 * Expected effect: per leaf crossed, the upper levels' lines once more
 * (hits, mostly).
 */
#include <errno.h>
#include <string.h>

#include "engine.h"
#include "kalloc.h"
#include "reclaim.h"
#include "tree.h"

#define MAPLE_NODE_SIZE 256u
#define MAPLE_NODE_ALIGN 256u
#define MAPLE_RANGE64_SLOTS 16u
#define MAPLE_ARANGE64_SLOTS 10u
#define MAPLE_MIN_LEAF (MAPLE_RANGE64_SLOTS / 2 - 2)
#define MAPLE_MIN_INNER (MAPLE_ARANGE64_SLOTS / 2 - 1)
#define MAPLE_HEIGHT_MAX 31u
#define MAPLE_MAX UINT64_MAX

/* enum maple_type: the two this tree uses. */
enum maple_type {
	maple_leaf_64 = 1,          /* leaf of struct maple_range_64 layout */
	maple_arange_64 = 3,        /* internal node with gaps */
};

/* Parent word: parent node address | type << MAPLE_TYPE_SHIFT |
 * MAPLE_ROOT_PARENT for the root (whose "parent" is the struct
 * maple_tree line).  Dead: the node's own address. */
#define MAPLE_TYPE_SHIFT 3
#define MAPLE_TYPE_MASK 0x78u
#define MAPLE_ROOT_PARENT 0x1u
#define MAPLE_PARENT_MASK (~(uintptr_t)0xff)

struct maple_params {
	uint32_t node_cycles;       /* local work per node a walk compares */
};

static const struct sim_param maple_params[] = {
	SIM_P_U32_ROW(struct maple_params, node_cycles, 0, 1000, 0,
		      "local work (cycles) charged per node a walk or rebuild reads, besides "
		      "its loads (0: memory accesses only)"),
	SIM_P_END,
};

/*
 * struct maple_range_64, a leaf.  parent: line 0, written by the writer
 * (build, adoption by a new parent, the dead mark), read by readers (type,
 * dead check).  pivot[]: lines 0-1, written once before publication.
 * slot[]: lines 2-3, written before publication, or one slot in place by
 * a release store (slot store); read by readers via rcl->dereference.
 */
struct maple_range_64 {
	uintptr_t parent;                           /* +0   line 0 */
	uint64_t pivot[MAPLE_RANGE64_SLOTS - 1];    /* +8   lines 0-1 */
	void *slot[MAPLE_RANGE64_SLOTS];            /* +128 lines 2-3 */
};

/* struct maple_metadata: the used slots of an inner node (writer only). */
struct maple_metadata {
	uint8_t end;
	uint8_t pad[15];
};

/*
 * struct maple_arange_64, an inner node.  parent, pivot[], slot[] as in
 * the leaf (slot[] holds child nodes, never NULL in use).  gap[] (lines
 * 2-3) and meta (line 3): written and read by the writer only, in place
 * (mas_update_gap), never read by readers.
 */
struct maple_arange_64 {
	uintptr_t parent;                           /* +0   line 0 */
	uint64_t pivot[MAPLE_ARANGE64_SLOTS - 1];   /* +8   lines 0-1 */
	void *slot[MAPLE_ARANGE64_SLOTS];           /* +80  lines 1-2 */
	uint64_t gap[MAPLE_ARANGE64_SLOTS];         /* +160 lines 2-3 */
	struct maple_metadata meta;                 /* +240 line 3 */
};

struct maple_node {
	union {
		uintptr_t parent;
		struct maple_range_64 mr64;
		struct maple_arange_64 ma64;
	};
};
_Static_assert(sizeof(struct maple_range_64) == MAPLE_NODE_SIZE, "four lines");
_Static_assert(sizeof(struct maple_arange_64) == MAPLE_NODE_SIZE, "four lines");

/* struct maple_tree: its own line, homed at env->home_cpu.  ma_root:
 * written by the writer (rcl->assign_pointer), read by readers
 * (rcl->dereference).  ma_height: writer only. */
struct maple_tree {
	struct maple_node *ma_root;
	uint32_t ma_height;
	uint32_t pad;
	uint64_t pad2[6];
};

struct maple {
	struct tree_env env;
	struct maple_params p;
	struct maple_tree *mt;      /* simulated */
	struct kmem_cache *node_cache;
	struct tree_stats st;
	uint32_t height;            /* host copy of the writer's ma_height */
	uint64_t slot_stores;       /* mas_wr_slot_store fast paths */
	uint64_t node_builds;       /* nodes built by rebuilds */
	uint64_t splits, merges;    /* nodes added by spreading, next-door nodes taken in */
	uint64_t gap_updates;       /* gap[] words rewritten in place */
};

/* ---- node layout helpers (no simulated cost) ---- */

static unsigned
mt_slots(enum maple_type type)
{
	return type == maple_leaf_64 ? MAPLE_RANGE64_SLOTS : MAPLE_ARANGE64_SLOTS;
}

static uint64_t *
ma_pivots(struct maple_node *n, enum maple_type type)
{
	return type == maple_leaf_64 ? n->mr64.pivot : n->ma64.pivot;
}

static void **
ma_slots(struct maple_node *n, enum maple_type type)
{
	return type == maple_leaf_64 ? n->mr64.slot : n->ma64.slot;
}

static enum maple_type
parent_type(uintptr_t parent)
{
	return (enum maple_type)((parent & MAPLE_TYPE_MASK) >> MAPLE_TYPE_SHIFT);
}

static bool
parent_dead(const struct maple_node *n, uintptr_t parent)
{
	return (parent & MAPLE_PARENT_MASK) == (uintptr_t)n;
}

static uint64_t
range_size(uint64_t min, uint64_t max)
{
	return max - min == MAPLE_MAX ? MAPLE_MAX : max - min + 1;
}

static void
node_work(struct maple *t)
{
	if (t->p.node_cycles)
		sim_work(t->p.node_cycles);
}

/* ---- readers ---- */

/* Where a walk ended: the range [emin, emax] and its entry; for a
 * reader's walk also the leaf, the slot's offset and the leaf's max. */
struct mwalk {
	void *entry;
	uint64_t emin, emax;
	struct maple_node *leaf;
	unsigned off;
	uint64_t nmax;
};

/*
 * mtree_lookup_walk - the range holding index.  Context: reader, inside
 * the read side; may yield.  Cost: ma_root's line, then per node: the
 * parent word (line 0), the pivots up to the first >= index (line 0, line
 * 1 past pivot 6), the slot's line, the parent word again (dead check,
 * line 0 hit); a dead node restarts the walk.
 */
static void
mtree_lookup_walk(struct maple *t, uint64_t index, struct mwalk *w)
{
	unsigned hslot;
retry:
	hslot = 0;
	struct maple_node *node =
		t->env.rcl->dereference(t->env.rs, (void *const *)&t->mt->ma_root, hslot);
	uint64_t min = 0, max = MAPLE_MAX;
	if (!node) {
		*w = (struct mwalk){ .entry = NULL, .emin = 0, .emax = MAPLE_MAX };
		return;
	}
	for (;;) {
		uint64_t nmax = max;
		node_work(t);
		enum maple_type type = parent_type(sim_load64(&node->parent));
		unsigned cap = mt_slots(type), off = 0;
		uint64_t *piv = ma_pivots(node, type);
		for (; off < cap - 1; off++) {
			uint64_t p = sim_load64(&piv[off]);
			if (index <= p) {
				max = p;
				break;
			}
			min = p + 1;
		}
		void *const *sp = (void *const *)&ma_slots(node, type)[off];
		void *next;
		if (type == maple_leaf_64) {
			next = sim_loadp(sp);   /* the value: not a node of ours */
		} else {
			hslot ^= 1;
			next = t->env.rcl->dereference(t->env.rs, sp, hslot);
		}
		if (parent_dead(node, sim_load64(&node->parent))) {
			t->st.lookup_retries++;
			goto retry;
		}
		if (type == maple_leaf_64) {
			*w = (struct mwalk){ .entry = next, .emin = min, .emax = max, .leaf = node,
					     .off = off, .nmax = nmax };
			return;
		}
		node = next;
	}
}

/*
 * mas_next_slot - move w to the range after it: the next slot of the same
 * leaf (its pivot, its slot, the dead check), or, past the leaf's end or
 * on a dead leaf, a walk from the root (MODEL in the header).  Context:
 * reader; may yield.  Cost: the pivot's line (0 or 1), the slot's (2 or
 * 3), line 0 again; or mtree_lookup_walk's.
 */
static void
mas_next_slot(struct maple *t, struct mwalk *w)
{
	uint64_t next = w->emax + 1;
	if (w->emax < w->nmax) {
		unsigned off = w->off + 1;
		uint64_t last = off < MAPLE_RANGE64_SLOTS - 1 ?
				sim_load64(&w->leaf->mr64.pivot[off]) : w->nmax;
		void *entry = sim_loadp(&w->leaf->mr64.slot[off]);
		if (!parent_dead(w->leaf, sim_load64(&w->leaf->parent))) {
			w->off = off;
			w->emin = next;
			w->emax = last;
			w->entry = entry;
			return;
		}
		t->st.lookup_retries++;
	}
	mtree_lookup_walk(t, next, w);
}

/* Move w forward to the first range holding a value (w's own included).
 * Return: false if none up to ULONG_MAX.  Context: reader; may yield. */
static bool
mas_next_present(struct maple *t, struct mwalk *w)
{
	while (!w->entry) {
		if (w->emax == MAPLE_MAX)
			return false;
		mas_next_slot(t, w);
	}
	return true;
}

/* mas_find: the lowest region with end > addr: the walk to addr, then
 * the next slots past a gap.  Context: reader; may yield. */
static bool
maple_find_from(struct maple *t, uint64_t addr, struct tree_range *out)
{
	struct mwalk w;
	mtree_lookup_walk(t, addr, &w);
	if (!mas_next_present(t, &w))
		return false;
	*out = (struct tree_range){ .start = w.emin, .end = w.emax + 1, .value = w.entry };
	return true;
}

/* ---- writer side: reading nodes (plain loads: the writer excludes
 * other writers) ---- */

/* One slot as the writer carries it (host): the range's last index, the
 * value or child, and the child's largest gap (inner levels). */
struct ment {
	uint64_t last;
	void *p;
	uint64_t gap;
};

/* A node at some level, with its bounds and where its parent holds it. */
struct mref {
	struct maple_node *node;
	enum maple_type type;
	uint64_t min, max;
	struct maple_node *parent;  /* NULL for the root */
	unsigned offset;            /* in parent */
};

static enum maple_type
level_type(const struct maple *t, unsigned level)
{
	return level + 1 == t->height ? maple_leaf_64 : maple_arange_64;
}

/*
 * node_read - node's used slots as ments (appended to out).  Cost: the
 * pivots up to max (lines 0-1), the used slots (lines 2-3 or 1-2), the
 * gaps (inner, lines 2-3).  Context: writer; may yield.
 */
static unsigned
node_read(struct maple *t, const struct mref *r, GArray *out)
{
	unsigned cap = mt_slots(r->type), n = 0;
	uint64_t *piv = ma_pivots(r->node, r->type);
	void **slots = ma_slots(r->node, r->type);
	node_work(t);
	for (;;) {
		struct ment e = { 0 };
		e.last = n < cap - 1 ? sim_load64(&piv[n]) : r->max;
		e.p = sim_loadp(&slots[n]);
		if (r->type == maple_arange_64)
			e.gap = sim_load64(&r->node->ma64.gap[n]);
		g_array_append_val(out, e);
		n++;
		if (e.last == r->max)
			break;
		g_assert(n < cap);
	}
	return n;
}

/*
 * collect - the nodes at level (0 = root) whose ranges meet [a, b], in
 * order (appended to out).  Cost: from the root, the pivots and the
 * followed slots of every node above level on the way.  Context: writer.
 */
static void
collect_rec(struct maple *t, const struct mref *r, unsigned depth, unsigned level,
	    uint64_t a, uint64_t b, GArray *out)
{
	if (depth == level) {
		g_array_append_val(out, *r);
		return;
	}
	unsigned cap = mt_slots(r->type);
	uint64_t *piv = ma_pivots(r->node, r->type);
	uint64_t min = r->min;
	node_work(t);
	for (unsigned i = 0; i < cap; i++) {
		uint64_t last = i < cap - 1 ? sim_load64(&piv[i]) : r->max;
		if (last >= a) {
			struct mref c = {
				.node = sim_loadp(&ma_slots(r->node, r->type)[i]),
				.type = level_type(t, depth + 1), .min = min, .max = last,
				.parent = r->node, .offset = i,
			};
			collect_rec(t, &c, depth + 1, level, a, b, out);
		}
		if (last >= b || last == r->max)
			return;
		min = last + 1;
	}
}

static void
collect(struct maple *t, unsigned level, uint64_t a, uint64_t b, GArray *out)
{
	struct mref root = {
		.node = sim_loadp((void *const *)&t->mt->ma_root), .type = level_type(t, 0),
		.min = 0, .max = MAPLE_MAX,
	};
	collect_rec(t, &root, 0, level, a, b, out);
}

/* The writer's walk to the leaf range holding index (plain loads). */
static void
writer_walk(struct maple *t, uint64_t index, struct mwalk *w)
{
	GArray *refs = g_array_new(false, false, sizeof(struct mref));
	*w = (struct mwalk){ .entry = NULL, .emin = 0, .emax = MAPLE_MAX };
	if (t->height) {
		collect(t, t->height - 1, index, index, refs);
		const struct mref *leaf = &g_array_index(refs, struct mref, 0);
		uint64_t min = leaf->min;
		unsigned cap = mt_slots(maple_leaf_64);
		uint64_t *piv = leaf->node->mr64.pivot;
		node_work(t);
		for (unsigned i = 0; i < cap; i++) {
			uint64_t last = i < cap - 1 ? sim_load64(&piv[i]) : leaf->max;
			if (index <= last) {
				w->entry = sim_loadp(&leaf->node->mr64.slot[i]);
				w->emin = min;
				w->emax = last;
				break;
			}
			min = last + 1;
		}
	}
	g_array_free(refs, true);
}

/* Largest NULL range of a leaf's ments, or largest child gap. */
static uint64_t
ments_gap(const struct ment *e, unsigned n, uint64_t min, bool leaf)
{
	uint64_t g = 0, lo = min;
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = leaf ? (e[i].p ? 0 : range_size(lo, e[i].last)) : e[i].gap;
		g = MAX(g, v);
		lo = e[i].last + 1;
	}
	return g;
}

/* ---- writer side: building and replacing nodes ---- */

static void
set_parent(struct maple_node *child, enum maple_type ctype, uintptr_t parent)
{
	sim_store64(&child->parent, parent | (uintptr_t)ctype << MAPLE_TYPE_SHIFT);
}

/*
 * mas_build_node - a new node of type over [min, max] holding e[0..n).
 * Inner nodes adopt their children (each child's parent word).  Return:
 * the node; *gap its largest gap.  Cost: kmem_cache_alloc, the parent
 * word, n - 1 pivots (+ max if not full), n slots, for inner nodes n gaps,
 * meta, the first child's parent word (its type) and n stores to the
 * children's line 0.  Context: writer; may yield.
 */
static struct maple_node *
mas_build_node(struct maple *t, enum maple_type type, const struct ment *e, unsigned n,
	       uint64_t min, uint64_t max, uint64_t *gap)
{
	unsigned cap = mt_slots(type);
	g_assert(n >= 1 && n <= cap && e[n - 1].last == max);
	struct maple_node *node = kmem_cache_alloc(t->node_cache, 0);
	t->st.nodes_allocated++;
	t->node_builds++;
	set_parent(node, type, 0);
	uint64_t *piv = ma_pivots(node, type);
	void **slots = ma_slots(node, type);
	for (unsigned i = 0; i < n && i < cap - 1; i++)
		sim_store64(&piv[i], e[i].last);
	for (unsigned i = 0; i < n; i++)
		sim_storep(&slots[i], e[i].p);
	if (type == maple_arange_64) {
		for (unsigned i = 0; i < n; i++)
			sim_store64(&node->ma64.gap[i], e[i].gap);
		sim_store8(&node->ma64.meta.end, (uint8_t)n);
		/* mas_adopt_children: the children learn their new parent.  Their
		 * type: all children of one inner node have the same one. */
		enum maple_type ctype = parent_type(sim_load64(&((struct maple_node *)e[0].p)->parent));
		for (unsigned i = 0; i < n; i++)
			set_parent(e[i].p, ctype, (uintptr_t)node);
	}
	*gap = ments_gap(e, n, min, type == maple_leaf_64);
	return node;
}

/*
 * spread - build nodes of type for e[0..n) over [a, b]: k = ceil(n / cap)
 * nodes, as even as possible.  Their ments (last, node, gap) are appended
 * to out.  Context: writer; may yield.
 */
static unsigned
spread(struct maple *t, enum maple_type type, const struct ment *e, unsigned n, uint64_t a,
       GArray *out)
{
	unsigned cap = mt_slots(type), k = (n + cap - 1) / cap, at = 0;
	uint64_t min = a;
	for (unsigned i = 0; i < k; i++) {
		unsigned cnt = n / k + (i < n % k);
		struct ment m = { .last = e[at + cnt - 1].last };
		m.p = mas_build_node(t, type, e + at, cnt, min, m.last, &m.gap);
		g_array_append_val(out, m);
		min = m.last + 1;
		at += cnt;
	}
	return k;
}

/*
 * mas_update_gap - after node (at level, holding index) changed in
 * place, rewrite the changed largest gap up its path, stopping at the
 * first parent whose gap[] already holds it.  Cost: the path's pivots
 * and slots, the node's pivots and slots (leaf) or gaps (inner), each
 * parent's gaps; one store per word changed.  Context: writer; may yield.
 */
static void
mas_update_gap(struct maple *t, uint64_t index, unsigned level)
{
	if (level == 0)
		return;         /* the root's gaps live nowhere */
	GArray *ents = g_array_new(false, false, sizeof(struct ment));
	/* The path, deepest last. */
	struct mref refs[MAPLE_HEIGHT_MAX];
	for (unsigned lv = 0; lv <= level; lv++) {
		GArray *one = g_array_new(false, false, sizeof(struct mref));
		collect(t, lv, index, index, one);
		refs[lv] = g_array_index(one, struct mref, 0);
		g_array_free(one, true);
	}
	for (unsigned lv = level; lv > 0; lv--) {
		const struct mref *r = &refs[lv];
		g_array_set_size(ents, 0);
		unsigned n = node_read(t, r, ents);
		uint64_t g = ments_gap((const struct ment *)ents->data, n, r->min,
				       r->type == maple_leaf_64);
		uint64_t *pg = &r->parent->ma64.gap[r->offset];
		if (sim_load64(pg) == g)
			break;
		sim_store64(pg, g);
		t->gap_updates++;
	}
	g_array_free(ents, true);
}

/* Publish a new root (rcu_assign_pointer(mt->ma_root)). */
static void
publish_root(struct maple *t, struct maple_node *root, uint32_t height)
{
	if (root)
		set_parent(root, height == 1 ? maple_leaf_64 : maple_arange_64,
			   (uintptr_t)t->mt | MAPLE_ROOT_PARENT);
	t->env.rcl->assign_pointer(t->env.rs, (void **)&t->mt->ma_root, root);
	if (height != t->height)
		sim_store32(&t->mt->ma_height, height);
	t->height = height;
}

/* Apply the store [s, l] -> entry to the leaf ments in (covering [a, b]
 * with [s, l] inside), merging NULL neighbours; result in out. */
static void
apply_store(const GArray *in, uint64_t a, uint64_t s, uint64_t l, void *entry, GArray *out)
{
	uint64_t min = a;
	bool placed = false;
	for (unsigned i = 0; i < in->len; i++) {
		const struct ment *e = &g_array_index(in, struct ment, i);
		struct ment piece[3];
		unsigned np = 0;
		if (e->last < s || min > l) {
			piece[np++] = *e;
		} else {
			if (min < s)
				piece[np++] = (struct ment){ .last = s - 1, .p = e->p };
			if (!placed) {
				piece[np++] = (struct ment){ .last = l, .p = entry };
				placed = true;
			}
			if (e->last > l)
				piece[np++] = (struct ment){ .last = e->last, .p = e->p };
		}
		for (unsigned j = 0; j < np; j++) {
			struct ment *prev = out->len ? &g_array_index(out, struct ment, out->len - 1)
						     : NULL;
			if (prev && !prev->p && !piece[j].p)
				prev->last = piece[j].last;     /* NULLs coalesce */
			else
				g_array_append_val(out, piece[j]);
		}
		min = e->last + 1;
	}
	g_assert(placed);
}

/* The inner level's ments: the children of parents (covering [pa, pb])
 * with those inside [a, b] replaced by repl. */
static void
replace_children(struct maple *t, const GArray *parents, uint64_t a, uint64_t b,
		 const GArray *repl, GArray *out)
{
	GArray *ents = g_array_new(false, false, sizeof(struct ment));
	bool placed = false;
	for (unsigned i = 0; i < parents->len; i++) {
		const struct mref *r = &g_array_index(parents, struct mref, i);
		g_array_set_size(ents, 0);
		node_read(t, r, ents);
		uint64_t min = r->min;
		for (unsigned j = 0; j < ents->len; j++) {
			const struct ment *e = &g_array_index(ents, struct ment, j);
			if (min >= a && e->last <= b) {
				if (!placed)
					g_array_append_vals(out, repl->data, repl->len);
				placed = true;
			} else {
				g_array_append_val(out, *e);
			}
			min = e->last + 1;
		}
	}
	g_assert(placed);
	g_array_free(ents, true);
}

static unsigned
min_fill(enum maple_type type)
{
	return type == maple_leaf_64 ? MAPLE_MIN_LEAF : MAPLE_MIN_INNER;
}

/*
 * mas_store - store entry (a value, or NULL to erase) over [s, l]
 * (inclusive).  A NULL store first swallows NULL neighbours
 * (mas_wr_extend_null).  Exactly one existing slot: one release store
 * into it, gaps updated.  Otherwise the rebuild in the header, climbing
 * while node counts or bounds change, the replaced nodes marked dead
 * and retired after publication.  Context: writer (caller's lock); may
 * yield.  Cost: the walks' lines, node_read of every replaced and
 * next-door node, mas_build_node of every new one, one release store
 * (slot or ma_root), a store to line 0 of every replaced node (dead) and
 * the scheme's retire() for each.
 */
static void
mas_store(struct maple *t, uint64_t s, uint64_t l, void *entry)
{
	struct mwalk w;
	g_assert(s <= l);
	if (!entry) {
		if (s > 0) {
			writer_walk(t, s - 1, &w);
			if (!w.entry)
				s = w.emin;
		}
		if (l < MAPLE_MAX) {
			writer_walk(t, l + 1, &w);
			if (!w.entry)
				l = w.emax;
		}
	}
	if (t->height == 0) {
		if (!entry)
			return;
		struct ment e[3];
		unsigned n = 0;
		uint64_t gap;
		if (s > 0)
			e[n++] = (struct ment){ .last = s - 1 };
		e[n++] = (struct ment){ .last = l, .p = entry };
		if (l < MAPLE_MAX)
			e[n++] = (struct ment){ .last = MAPLE_MAX };
		struct maple_node *leaf = mas_build_node(t, maple_leaf_64, e, n, 0, MAPLE_MAX, &gap);
		publish_root(t, leaf, 1);
		return;
	}

	GArray *old = g_array_new(false, false, sizeof(struct mref));
	GArray *retire = g_array_new(false, false, sizeof(struct mref));
	GArray *ents = g_array_new(false, false, sizeof(struct ment));
	GArray *list = g_array_new(false, false, sizeof(struct ment));
	GArray *built = g_array_new(false, false, sizeof(struct ment));
	unsigned level = t->height - 1;

	collect(t, level, s, l, old);
	const struct mref *o0 = &g_array_index(old, struct mref, 0);
	if (old->len == 1) {
		/* mas_wr_slot_store: the store covers exactly one slot. */
		uint64_t min = o0->min;
		unsigned cap = mt_slots(maple_leaf_64);
		for (unsigned i = 0; i < cap; i++) {
			uint64_t last = i < cap - 1 ? sim_load64(&o0->node->mr64.pivot[i]) : o0->max;
			if (s <= last) {
				if (min == s && last == l) {
					t->env.rcl->assign_pointer(t->env.rs,
								   &o0->node->mr64.slot[i], entry);
					t->slot_stores++;
					mas_update_gap(t, s, level);
					goto out;
				}
				break;
			}
			min = last + 1;
		}
	}

	uint64_t a = o0->min, b = g_array_index(old, struct mref, old->len - 1).max;
	for (unsigned i = 0; i < old->len; i++)
		node_read(t, &g_array_index(old, struct mref, i), ents);
	apply_store(ents, a, s, l, entry, list);

	for (;;) {
		enum maple_type type = level_type(t, level);
		unsigned nold = old->len;
		g_array_append_vals(retire, old->data, old->len);
		if (a == 0 && b == MAPLE_MAX) {
			/* This level's nodes are all replaced: it becomes the top;
			 * new levels above while it takes more than one node. */
			uint32_t height = t->height - level;
			g_array_set_size(built, 0);
			if (type == maple_arange_64 && list->len == 1) {
				/* One child left: it becomes the root. */
				g_array_append_val(built, g_array_index(list, struct ment, 0));
				height--;
				t->merges++;
			} else {
				unsigned k = spread(t, type, (const struct ment *)list->data,
						    list->len, 0, built);
				if (k > nold)
					t->splits += k - nold;
			}
			while (built->len > 1) {
				GArray *tmp = list;
				list = built;
				built = tmp;
				g_array_set_size(built, 0);
				spread(t, maple_arange_64, (const struct ment *)list->data, list->len,
				       0, built);
				height++;
				t->splits++;
			}
			/* Every node above this level was an ancestor of it. */
			for (unsigned lv = 0; lv < level; lv++) {
				g_array_set_size(old, 0);
				collect(t, lv, 0, MAPLE_MAX, old);
				g_array_append_vals(retire, old->data, old->len);
			}
			publish_root(t, g_array_index(built, struct ment, 0).p, height);
			break;
		}
		if (list->len < min_fill(type)) {
			/* Take in the next-door node at this level. */
			GArray *nb = g_array_new(false, false, sizeof(struct mref));
			collect(t, level, a > 0 ? a - 1 : b + 1, a > 0 ? a - 1 : b + 1, nb);
			struct mref n = g_array_index(nb, struct mref, 0);
			g_array_free(nb, true);
			g_array_set_size(ents, 0);
			node_read(t, &n, ents);
			if (a > 0) {
				g_array_prepend_vals(list, ents->data, ents->len);
				a = n.min;
			} else {
				g_array_append_vals(list, ents->data, ents->len);
				b = n.max;
			}
			g_array_append_val(retire, n);
			nold++;
			t->merges++;
		}
		g_array_set_size(built, 0);
		unsigned k = spread(t, type, (const struct ment *)list->data, list->len, a, built);
		if (k > nold)
			t->splits += k - nold;
		if (nold == 1 && k == 1) {
			/* One node for one: overwrite the parent's slot. */
			const struct mref *r = &g_array_index(old, struct mref, 0);
			struct maple_node *nn = g_array_index(built, struct ment, 0).p;
			set_parent(nn, type, (uintptr_t)r->parent);
			t->env.rcl->assign_pointer(t->env.rs, &r->parent->ma64.slot[r->offset], nn);
			mas_update_gap(t, a, level);
			break;
		}
		/* The parents are rebuilt with the new children. */
		g_array_set_size(old, 0);
		collect(t, level - 1, a, b, old);
		g_array_set_size(list, 0);
		replace_children(t, old, a, b, built, list);
		a = g_array_index(old, struct mref, 0).min;
		b = g_array_index(old, struct mref, old->len - 1).max;
		level--;
	}

	/* Replaced nodes: marked dead (mte_set_node_dead), then retired. */
	for (unsigned i = 0; i < retire->len; i++) {
		const struct mref *r = &g_array_index(retire, struct mref, i);
		set_parent(r->node, r->type, (uintptr_t)r->node);
	}
	for (unsigned i = 0; i < retire->len; i++)
		tree_node_retire(&t->env, &t->st, g_array_index(retire, struct mref, i).node,
				 MAPLE_NODE_SIZE, MAPLE_NODE_ALIGN);
out:
	g_array_free(old, true);
	g_array_free(retire, true);
	g_array_free(ents, true);
	g_array_free(list, true);
	g_array_free(built, true);
}

/* ---- tree_ops ---- */

static void *
maple_create(const struct tree_env *env, const void *params)
{
	struct maple *t = g_new0(struct maple, 1);
	t->env = *env;
	if (params)
		t->p = *(const struct maple_params *)params;
	else
		sim_params_defaults(maple_params, &t->p);
	/* 256-aligned like a node: its address sits in the root's parent word
	 * beside the type bits. */
	t->mt = sim_alloc(sizeof *t->mt, MAPLE_NODE_ALIGN);
	sim_mem_prime(env->sim, t->mt, sizeof *t->mt, env->home_cpu);
	t->node_cache = kmem_cache_create(env->ka, "maple_node", MAPLE_NODE_SIZE,
					  MAPLE_NODE_ALIGN);
	return t;
}

static void
maple_destroy(void *tp)
{
	g_free(tp);
}

/* lookup: mtree_load.  Context: reader; may yield. */
static bool
maple_lookup(void *tp, uint64_t addr, struct tree_range *out)
{
	struct maple *t = tp;
	struct mwalk w;
	t->st.lookups++;
	mtree_lookup_walk(t, addr, &w);
	if (!w.entry)
		return false;
	t->st.lookup_hits++;
	*out = (struct tree_range){ .start = w.emin, .end = w.emax + 1, .value = w.entry };
	return true;
}

/* find: find_vma (mas_find from addr).  Context: reader; may yield. */
static bool
maple_find(void *tp, uint64_t addr, struct tree_range *out)
{
	struct maple *t = tp;
	t->st.lookups++;
	if (!maple_find_from(t, addr, out))
		return false;
	t->st.lookup_hits++;
	return true;
}

/* iterate: for_each_vma_range: one walk to lo, then mas_next_slot
 * (MODEL above).  Context: reader; may yield. */
static void
maple_iterate(void *tp, uint64_t lo, uint64_t hi,
	      bool (*fn)(void *arg, const struct tree_range *r), void *arg)
{
	struct maple *t = tp;
	struct mwalk w;
	if (lo >= hi)
		return;
	mtree_lookup_walk(t, lo, &w);
	while (mas_next_present(t, &w) && w.emin < hi) {
		struct tree_range r = { .start = w.emin, .end = w.emax + 1, .value = w.entry };
		if (!fn(arg, &r) || w.emax >= hi - 1)
			return;
		mas_next_slot(t, &w);
	}
}

/* insert: mas_store of [start, end - 1] after checking that one NULL
 * range covers it.  Context: writer; may yield. */
static int
maple_insert(void *tp, uint64_t start, uint64_t end, void *value)
{
	struct maple *t = tp;
	struct mwalk w;
	g_assert(start < end && value);
	writer_walk(t, start, &w);
	if (w.entry || w.emax < end - 1)
		return -EEXIST;
	mas_store(t, start, end - 1, value);
	t->st.inserts++;
	return 0;
}

/* erase: count the regions [start, end) meets, then mas_store of NULL
 * over [start, end - 1] (pieces outside keep their value).  Context:
 * writer; may yield. */
static uint64_t
maple_erase(void *tp, uint64_t start, uint64_t end)
{
	struct maple *t = tp;
	struct mwalk w;
	uint64_t n = 0, at = start;
	g_assert(start < end);
	for (;;) {
		writer_walk(t, at, &w);
		if (w.entry)
			n++;
		if (w.emax >= end - 1)
			break;
		at = w.emax + 1;
	}
	if (!n)
		return 0;
	mas_store(t, start, end - 1, NULL);
	t->st.erases++;
	return n;
}

/*
 * mas_empty_area_rec - the lowest start in [lo, hi] (inclusive) of size
 * free indices below node r, descending only into children whose gap
 * fits.  Cost: per node visited, its pivots; inner: the gaps and slots of
 * children in range; leaf: the slots.  Context: writer; may yield.
 */
static bool
mas_empty_area_rec(struct maple *t, const struct mref *r, unsigned depth, uint64_t size,
		   uint64_t lo, uint64_t hi, uint64_t *start)
{
	unsigned cap = mt_slots(r->type);
	uint64_t *piv = ma_pivots(r->node, r->type);
	uint64_t min = r->min;
	t->st.gap_nodes_visited++;
	node_work(t);
	for (unsigned i = 0; i < cap && min <= hi; i++) {
		uint64_t last = i < cap - 1 ? sim_load64(&piv[i]) : r->max;
		if (last >= lo) {
			if (r->type == maple_leaf_64) {
				if (!sim_loadp(&r->node->mr64.slot[i])) {
					uint64_t x = MAX(min, lo), y = MIN(last, hi);
					if (range_size(x, y) >= size) {
						*start = x;
						return true;
					}
				}
			} else if (sim_load64(&r->node->ma64.gap[i]) >= size) {
				struct mref c = {
					.node = sim_loadp(&r->node->ma64.slot[i]),
					.type = level_type(t, depth + 1), .min = min, .max = last,
				};
				if (mas_empty_area_rec(t, &c, depth + 1, size, lo, hi, start))
					return true;
			}
		}
		if (last == r->max)
			break;
		min = last + 1;
	}
	return false;
}

/* find_gap: mas_empty_area(lo, hi - 1, size).  Context: writer; may
 * yield. */
static bool
maple_find_gap(void *tp, uint64_t size, uint64_t lo, uint64_t hi, uint64_t *start_out)
{
	struct maple *t = tp;
	t->st.gap_searches++;
	if (size == 0 || lo >= hi || size > hi - lo)
		return false;
	if (t->height == 0) {
		*start_out = lo;
		return true;
	}
	struct mref root = {
		.node = sim_loadp((void *const *)&t->mt->ma_root), .type = level_type(t, 0),
		.min = 0, .max = MAPLE_MAX,
	};
	return mas_empty_area_rec(t, &root, 0, size, lo, hi - 1, start_out);
}

/* ---- host context ---- */

struct check_walk {
	struct maple *t;
	GString *why;
	bool prev_null, any;
	uint64_t regions;
};

static bool
check_node(struct check_walk *w, const struct maple_node *n, enum maple_type type,
	   unsigned depth, uint64_t min, uint64_t max, uintptr_t want_parent, uint64_t *gap_out)
{
	struct maple *t = w->t;
	if (!sim_addr_valid(n) || (uintptr_t)n % MAPLE_NODE_ALIGN) {
		g_string_append_printf(w->why, "maple: node pointer %p invalid", (const void *)n);
		return false;
	}
	if (sim_mem_any_poisoned(t->env.sim, n, MAPLE_NODE_SIZE)) {
		g_string_append_printf(w->why, "maple: reachable node at offset %" G_GUINT64_FORMAT
				       " is freed", sim_addr_offset(n));
		return false;
	}
	if (parent_dead(n, n->parent)) {
		g_string_append_printf(w->why, "maple: reachable node [%#" G_GINT64_MODIFIER "x, %#"
				       G_GINT64_MODIFIER "x] is dead", min, max);
		return false;
	}
	if (n->parent != (want_parent | (uintptr_t)type << MAPLE_TYPE_SHIFT)) {
		g_string_append_printf(w->why, "maple: node [%#" G_GINT64_MODIFIER "x, %#"
				       G_GINT64_MODIFIER "x] parent word %#" G_GINT64_MODIFIER "x, "
				       "expected %#" G_GINT64_MODIFIER "x", min, max,
				       (uint64_t)n->parent,
				       (uint64_t)(want_parent | (uintptr_t)type << MAPLE_TYPE_SHIFT));
		return false;
	}
	bool leaf = depth + 1 == t->height;
	if (leaf != (type == maple_leaf_64)) {
		g_string_append_printf(w->why, "maple: node at depth %u of %u has type %d", depth,
				       t->height, type);
		return false;
	}
	unsigned cap = mt_slots(type), used = 0;
	const uint64_t *piv = type == maple_leaf_64 ? n->mr64.pivot : n->ma64.pivot;
	void *const *slots = type == maple_leaf_64 ? n->mr64.slot : n->ma64.slot;
	uint64_t lo = min, gap = 0;
	for (unsigned i = 0; i < cap; i++) {
		uint64_t last = i < cap - 1 ? piv[i] : max;
		if (last < lo || last > max) {
			g_string_append_printf(w->why, "maple: node [%#" G_GINT64_MODIFIER "x, %#"
					       G_GINT64_MODIFIER "x] pivot %u = %#" G_GINT64_MODIFIER
					       "x not increasing inside it", min, max, i, last);
			return false;
		}
		used++;
		if (leaf) {
			bool null = slots[i] == NULL;
			if (null && w->any && w->prev_null) {
				g_string_append_printf(w->why, "maple: adjacent NULL ranges at %#"
						       G_GINT64_MODIFIER "x", lo);
				return false;
			}
			w->prev_null = null;
			w->any = true;
			if (null)
				gap = MAX(gap, range_size(lo, last));
			else
				w->regions++;
		} else {
			uint64_t cg;
			if (!slots[i]) {
				g_string_append_printf(w->why, "maple: inner slot %u NULL", i);
				return false;
			}
			enum maple_type ct = depth + 2 == t->height ? maple_leaf_64 : maple_arange_64;
			if (!check_node(w, slots[i], ct, depth + 1, lo, last, (uintptr_t)n, &cg))
				return false;
			if (n->ma64.gap[i] != cg) {
				g_string_append_printf(w->why, "maple: gap[%u] of node [%#"
						       G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER
						       "x] is %#" G_GINT64_MODIFIER "x, recomputed %#"
						       G_GINT64_MODIFIER "x", i, min, max,
						       n->ma64.gap[i], cg);
				return false;
			}
			gap = MAX(gap, cg);
		}
		if (last == max)
			break;
		lo = last + 1;
	}
	if (type == maple_arange_64 && n->ma64.meta.end != used) {
		g_string_append_printf(w->why, "maple: meta.end %u, %u slots used",
				       n->ma64.meta.end, used);
		return false;
	}
	unsigned need = depth == 0 ? (leaf ? 1 : 2) : min_fill(type);
	if (used < need) {
		g_string_append_printf(w->why, "maple: node [%#" G_GINT64_MODIFIER "x, %#"
				       G_GINT64_MODIFIER "x] at depth %u holds %u slots, minimum %u",
				       min, max, depth, used, need);
		return false;
	}
	*gap_out = gap;
	return true;
}

/* check: the invariants in the header.  Context: host; costs nothing. */
static bool
maple_check(void *tp, GString *why)
{
	struct maple *t = tp;
	struct check_walk w = { .t = t, .why = why };
	uint64_t gap;
	struct maple_node *root = t->mt->ma_root;
	if (t->mt->ma_height != t->height) {
		g_string_append_printf(why, "maple: ma_height %u, writer's %u", t->mt->ma_height,
				       t->height);
		return false;
	}
	if (!root)
		return t->height == 0;
	return check_node(&w, root, t->height == 1 ? maple_leaf_64 : maple_arange_64, 0, 0,
			  MAPLE_MAX, (uintptr_t)t->mt | MAPLE_ROOT_PARENT, &gap);
}

static uint64_t
count_node(const struct maple *t, const struct maple_node *n, unsigned depth, uint64_t min,
	   uint64_t max)
{
	bool leaf = depth + 1 == t->height;
	unsigned cap = leaf ? MAPLE_RANGE64_SLOTS : MAPLE_ARANGE64_SLOTS;
	const uint64_t *piv = leaf ? n->mr64.pivot : n->ma64.pivot;
	uint64_t c = 0, lo = min;
	for (unsigned i = 0; i < cap; i++) {
		uint64_t last = i < cap - 1 ? piv[i] : max;
		if (leaf)
			c += n->mr64.slot[i] != NULL;
		else
			c += count_node(t, n->ma64.slot[i], depth + 1, lo, last);
		if (last == max)
			break;
		lo = last + 1;
	}
	return c;
}

/* Nodes reachable (host walk). */
static uint64_t
count_nodes(const struct maple *t, const struct maple_node *n, unsigned depth)
{
	if (depth + 1 == t->height)
		return 1;
	uint64_t c = 1;
	for (unsigned i = 0; i < n->ma64.meta.end; i++)
		c += count_nodes(t, n->ma64.slot[i], depth + 1);
	return c;
}

/* count: non-NULL leaf slots.  Context: host. */
static uint64_t
maple_count(void *tp)
{
	struct maple *t = tp;
	return t->mt->ma_root ? count_node(t, t->mt->ma_root, 0, 0, MAPLE_MAX) : 0;
}

/* stats: the common counters (rotations = splits + merges) and
 * slot_stores, node_builds, splits, merges, gap_updates, height, nodes
 * (reachable now).
 * Context: host. */
static void
maple_stats(void *tp, cJSON *out)
{
	struct maple *t = tp;
	t->st.rotations = t->splits + t->merges;
	tree_stats_emit(&t->st, out);
	cJSON_AddNumberToObject(out, "slot_stores", (double)t->slot_stores);
	cJSON_AddNumberToObject(out, "node_builds", (double)t->node_builds);
	cJSON_AddNumberToObject(out, "splits", (double)t->splits);
	cJSON_AddNumberToObject(out, "merges", (double)t->merges);
	cJSON_AddNumberToObject(out, "gap_updates", (double)t->gap_updates);
	cJSON_AddNumberToObject(out, "height", (double)t->height);
	cJSON_AddNumberToObject(out, "nodes", (double)(t->mt->ma_root
		? count_nodes(t, t->mt->ma_root, 0) : 0));
}

const struct tree_ops tree_maple_ops = {
	.comp = {
		.name = "maple",
		.summary = "Linux's maple tree in RCU mode (lib/maple_tree.c): 256-byte B-tree "
			   "nodes of 16/10 slots, slot stores in place, otherwise copy-on-write "
			   "with split/merge, dead nodes make readers re-walk",
		.params = maple_params,
		.params_size = sizeof(struct maple_params),
	},
	.flags = TREE_RCU_READERS | TREE_HP_SAFE,
	.create = maple_create,
	.destroy = maple_destroy,
	.lookup = maple_lookup,
	.find = maple_find,
	.iterate = maple_iterate,
	.insert = maple_insert,
	.erase = maple_erase,
	.find_gap = maple_find_gap,
	.check = maple_check,
	.count = maple_count,
	.stats = maple_stats,
};
