// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * A persistent (purely functional) balanced search tree with FULL path
 * copying: the "functional data structure -> C implementation" baseline
 * of the Bonsai discussion (seed 000, "Functional vs Scalable").  No node
 * reachable from the published root is ever written: every update builds
 * new copies of the nodes on the root-to-leaf path (and of the nodes a
 * rotation rebuilds), publishes the new root with rcl->assign_pointer and
 * retires every node it replaced.  It exists to measure what Bonsai's
 * in-place child updates save: nodes allocated and retired and lines
 * written per update.
 *
 * SOURCE: the weight-balanced trees of Adams ("Implementing sets
 * efficiently in a functional language", 1992: the functional original
 * of Bonsai's lib/cbtree.c), with exactly cbtree.c's balance rule so the
 * shapes and rotations equal Bonsai's on the same sequence: rotate when
 * one side holds more than WEIGHT times the nodes of the other (sizes,
 * subtrees of fewer than 2 nodes exempt), single if the outer grandchild
 * is strictly larger, else double; delete of a node with two children
 * takes the minimum of its right subtree (deleteMin).  Names follow
 * cbtree.c (mkNode, singleL/doubleL, singleR/doubleR, mkBalanced,
 * deleteMin).  Weight-balanced, not AVL: the only difference from
 * models/tree/bonsai.c is then the copying.
 *
 *   root line: root --assign_pointer-->  [B']            update of D:
 *                                        /    \          copies B, C on
 *                                      [A]    [C']       the path, new D;
 *                                               \        B and C retired
 *                                               [D]
 *
 * Keys: a region [start, end) is keyed by its end, so find_vma(addr) is
 * the node with the least key > addr.
 *
 * Writers (one at a time, under the caller's lock): insert and delete
 * recurse to the leaf and rebuild bottom-up; at every level mkBalanced
 * either rotates (2 or 3 new nodes, the rotated child, its child for a
 * double, and the level's node retired) or copies the level's node with
 * its new child (1 new node, the old one retired).  A trim (erase of part
 * of a region) copies the path to the region's node, the node with its
 * new bounds.  Stores go only to new, unpublished nodes and to the root
 * line (release).
 *
 * Readers (TREE_RCU_READERS, inside the scheme's read side) walk from
 * rcl->dereference of the root, dereferencing every child pointer; they
 * see one whole version of the tree.
 * Under hazard pointers they are NOT safe (TREE_HP_NARROW): a child is
 * validated by re-reading its parent's pointer, which never changes in a
 * replaced (immutable) parent, so a scan between an update and a reader
 * still walking the old path frees nodes the reader then loads.  Because
 * nodes are retired only after the new root is published, the window is
 * a reader mid-walk on the replaced path during a scan; the test
 * tests/test-tree-functional.c provokes it.
 *
 * Invariants (check()): keys strictly increasing in order; start < key;
 * regions disjoint; size = 1 + size(left) + size(right); for every node
 * max(size(left), size(right)) + 1 <= WEIGHT * (min(...) + 1) (the bound
 * cbtree's rule keeps, see bonsai.c); height <= 2 log2(n + 1) + 1; no
 * reachable node is freed.
 *
 * MODEL: nodes as Bonsai's (64 bytes, one line, the region's start and
 * value in the node).  No expected effect on the comparison.
 * MODEL: find_gap walks the regions in order (writer side, plain loads)
 * and iterate does one walk from the root per region, as bonsai.c does
 * (see its MODEL notes).  Expected effect: as Bonsai's.
 * MODEL: a region straddling both ends of an erase becomes two updates
 * (its node replaced by the right piece, then the left piece inserted),
 * as bonsai.c does; a reader between the two can miss the left piece.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "engine.h"
#include "kalloc.h"
#include "reclaim.h"
#include "tree.h"

#define FN_NODE_SIZE 64u
#define FN_NODE_ALIGN 64u
#define FN_MAX_DEPTH 128u

struct functional_params {
	uint32_t weight;            /* WEIGHT */
	uint32_t node_cycles;       /* local work per node a walk compares */
};

static const struct sim_param functional_params[] = {
	SIM_P_U32_ROW(struct functional_params, weight, 3, 16, 4,
		      "WEIGHT: a node is rebuilt by a rotation when one side has more than "
		      "WEIGHT times the nodes of the other (as bonsai's)"),
	SIM_P_U32_ROW(struct functional_params, node_cycles, 0, 1000, 0,
		      "local work (cycles) charged per node a lookup or update compares, "
		      "besides its loads (0: memory accesses only)"),
	SIM_P_END,
};

/*
 * A node: one simulated line.  Every field is written once, by the
 * writer, before the node is published (mkNode), and never again; left,
 * right, key, start and value are read by readers (children through
 * rcl->dereference), size by the writer only.  rcu: the scheme's callback
 * head (untouched: schemes keep their lists in host memory).
 */
struct fn_node {
	struct fn_node *left;       /* +0 */
	struct fn_node *right;      /* +8 */
	uint32_t size;              /* +16 */
	uint32_t pad;
	uint64_t key;               /* +24 vm_end */
	uint64_t start;             /* +32 vm_start */
	void *value;                /* +40 */
	uint64_t rcu[2];            /* +48 */
};
_Static_assert(sizeof(struct fn_node) == FN_NODE_SIZE, "one line");

/* The root line, homed at env->home_cpu.  root: written by the writer
 * (rcl->assign_pointer), read by readers (rcl->dereference). */
struct fn_root {
	struct fn_node *root;
	uint64_t pad[7];
};

struct fn_kv {
	uint64_t key, start;
	void *value;
};

struct functional {
	struct tree_env env;
	struct functional_params p;
	struct fn_root *root;       /* simulated */
	struct kmem_cache *node_cache;
	struct tree_stats st;
	uint64_t copies;            /* nodes copied on a path (not by rotations) */
	uint64_t updates;           /* roots published */
	GPtrArray *replaced;        /* host: nodes of this update, retired after publication */
};

typedef struct fn_node node_t;

static void
node_work(struct functional *t)
{
	if (t->p.node_cycles)
		sim_work(t->p.node_cycles);
}

static node_t *
ld_left(node_t *n)
{
	return sim_loadp((void *const *)&n->left);
}

static node_t *
ld_right(node_t *n)
{
	return sim_loadp((void *const *)&n->right);
}

static uint32_t
nodeSize(node_t *n)
{
	return n ? sim_load32(&n->size) : 0;
}

static void
load_kv(node_t *n, struct fn_kv *kv)
{
	kv->key = sim_load64(&n->key);
	kv->start = sim_load64(&n->start);
	kv->value = sim_loadp(&n->value);
}

/* mkNode - a new node holding kv over left and right.  Context: writer;
 * may yield (allocator).  Cost: kmem_cache_alloc, the two children's
 * sizes, six stores to the new line. */
static node_t *
mkNode(struct functional *t, node_t *left, node_t *right, const struct fn_kv *kv)
{
	node_t *n = kmem_cache_alloc(t->node_cache, 0);
	t->st.nodes_allocated++;
	sim_storep((void **)&n->left, left);
	sim_storep((void **)&n->right, right);
	sim_store32(&n->size, 1 + nodeSize(left) + nodeSize(right));
	sim_store64(&n->key, kv->key);
	sim_store64(&n->start, kv->start);
	sim_storep(&n->value, kv->value);
	return n;
}

/* The node n is replaced by the update being built: retired (call_rcu)
 * once the new root is published (publish_root), never before -- a
 * reader starting before the publication can still reach it, and a grace
 * period (or epoch) starting before that reader need not wait for it. */
static void
fn_retire(struct functional *t, node_t *n)
{
	g_ptr_array_add(t->replaced, n);
}

/* A copy of cur's contents over new children; cur retired. */
static node_t *
copyNode(struct functional *t, node_t *cur, node_t *left, node_t *right)
{
	struct fn_kv kv;
	load_kv(cur, &kv);
	node_t *n = mkNode(t, left, right, &kv);
	t->copies++;
	fn_retire(t, cur);
	return n;
}

static node_t *
singleL(struct functional *t, node_t *left, node_t *right, const struct fn_kv *kv)
{
	struct fn_kv rkv;
	load_kv(right, &rkv);
	node_t *a = mkNode(t, left, ld_left(right), kv);
	node_t *res = mkNode(t, a, ld_right(right), &rkv);
	fn_retire(t, right);
	return res;
}

static node_t *
doubleL(struct functional *t, node_t *left, node_t *right, const struct fn_kv *kv)
{
	node_t *rl = ld_left(right);
	struct fn_kv rkv, rlkv;
	load_kv(right, &rkv);
	load_kv(rl, &rlkv);
	node_t *a = mkNode(t, left, ld_left(rl), kv);
	node_t *b = mkNode(t, ld_right(rl), ld_right(right), &rkv);
	node_t *res = mkNode(t, a, b, &rlkv);
	fn_retire(t, rl);
	fn_retire(t, right);
	return res;
}

static node_t *
singleR(struct functional *t, node_t *left, node_t *right, const struct fn_kv *kv)
{
	struct fn_kv lkv;
	load_kv(left, &lkv);
	node_t *b = mkNode(t, ld_right(left), right, kv);
	node_t *res = mkNode(t, ld_left(left), b, &lkv);
	fn_retire(t, left);
	return res;
}

static node_t *
doubleR(struct functional *t, node_t *left, node_t *right, const struct fn_kv *kv)
{
	node_t *lr = ld_right(left);
	struct fn_kv lkv, lrkv;
	load_kv(left, &lkv);
	load_kv(lr, &lrkv);
	node_t *a = mkNode(t, ld_left(left), ld_left(lr), &lkv);
	node_t *b = mkNode(t, ld_right(lr), right, kv);
	node_t *res = mkNode(t, a, b, &lrkv);
	fn_retire(t, lr);
	fn_retire(t, left);
	return res;
}

/*
 * mkBalanced - the subtree holding kv over left and right (both already
 * new or unchanged): a rotation if one side outweighs the other more than
 * WEIGHT times, else one new node.  The caller retires the node kv came
 * from.  Context: writer; may yield.  Cost: the two sizes, the rotation's
 * loads, the new nodes.
 */
static node_t *
mkBalanced(struct functional *t, node_t *left, node_t *right, const struct fn_kv *kv)
{
	uint32_t ln = nodeSize(left), rn = nodeSize(right), w = t->p.weight;
	if (ln + rn >= 2 && rn > w * ln) {
		t->st.rotations++;
		if (nodeSize(ld_left(right)) < nodeSize(ld_right(right)))
			return singleL(t, left, right, kv);
		return doubleL(t, left, right, kv);
	}
	if (ln + rn >= 2 && ln > w * rn) {
		t->st.rotations++;
		if (nodeSize(ld_right(left)) < nodeSize(ld_left(left)))
			return singleR(t, left, right, kv);
		return doubleR(t, left, right, kv);
	}
	t->copies++;
	return mkNode(t, left, right, kv);
}

/* cur rebuilt over new children: mkBalanced with cur's kv, cur retired. */
static node_t *
rebuild(struct functional *t, node_t *cur, node_t *left, node_t *right)
{
	struct fn_kv kv;
	load_kv(cur, &kv);
	node_t *res = mkBalanced(t, left, right, &kv);
	fn_retire(t, cur);
	return res;
}

static node_t *
insert(struct functional *t, node_t *node, const struct fn_kv *kv)
{
	if (!node)
		return mkNode(t, NULL, NULL, kv);
	node_work(t);
	uint64_t key = sim_load64(&node->key);
	node_t *left = ld_left(node), *right = ld_right(node);
	g_assert(kv->key != key);  /* the caller refused overlaps */
	if (kv->key < key)
		return rebuild(t, node, insert(t, left, kv), right);
	return rebuild(t, node, left, insert(t, right, kv));
}

/* deleteMin - node's subtree without its minimum, whose contents go to
 * *min (the min node itself is retired: a copy takes the deleted node's
 * place). */
static node_t *
deleteMin(struct functional *t, node_t *node, struct fn_kv *min)
{
	node_t *left = ld_left(node), *right = ld_right(node);
	if (!left) {
		load_kv(node, min);
		fn_retire(t, node);
		return right;
	}
	return rebuild(t, node, deleteMin(t, left, min), right);
}

static node_t *
delete(struct functional *t, node_t *node, uint64_t key)
{
	g_assert(node);  /* the caller found the key */
	node_work(t);
	uint64_t nkey = sim_load64(&node->key);
	node_t *left = ld_left(node), *right = ld_right(node);
	if (key < nkey)
		return rebuild(t, node, delete(t, left, key), right);
	if (key > nkey)
		return rebuild(t, node, left, delete(t, right, key));
	fn_retire(t, node);
	if (!left)
		return right;
	if (!right)
		return left;
	struct fn_kv min;
	right = deleteMin(t, right, &min);
	return mkBalanced(t, left, right, &min);
}

/* replace - the path to the node keyed key copied, that node replaced by
 * one holding nkv (nkv.key keeps its place in the order). */
static node_t *
replace(struct functional *t, node_t *node, uint64_t key, const struct fn_kv *nkv)
{
	g_assert(node);
	node_work(t);
	uint64_t nkey = sim_load64(&node->key);
	node_t *left = ld_left(node), *right = ld_right(node);
	if (key < nkey)
		return copyNode(t, node, replace(t, left, key, nkv), right);
	if (key > nkey)
		return copyNode(t, node, left, replace(t, right, key, nkv));
	node_t *n = mkNode(t, left, right, nkv);
	t->copies++;
	fn_retire(t, node);
	return n;
}

static node_t *
cur_root(struct functional *t)
{
	return sim_loadp((void *const *)&t->root->root);
}

/* Publish a new version: rcu_assign_pointer(root, nroot), then retire
 * every node the update replaced.  May yield.  Cost: the release store,
 * the scheme's retire() per node. */
static void
publish_root(struct functional *t, node_t *nroot)
{
	t->env.rcl->assign_pointer(t->env.rs, (void **)&t->root->root, nroot);
	t->updates++;
	for (guint i = 0; i < t->replaced->len; i++)
		tree_node_retire(&t->env, &t->st, t->replaced->pdata[i], FN_NODE_SIZE,
				 FN_NODE_ALIGN);
	g_ptr_array_set_size(t->replaced, 0);
}

/* Writer-side find_gt: plain loads. */
static node_t *
writer_find_gt(struct functional *t, uint64_t addr, struct fn_kv *out)
{
	node_t *node = cur_root(t), *res = NULL;
	while (node) {
		node_work(t);
		if (sim_load64(&node->key) > addr) {
			res = node;
			node = ld_left(node);
		} else {
			node = ld_right(node);
		}
	}
	if (res)
		load_kv(res, out);
	return res;
}

/* ---- tree_ops ---- */

static void *
functional_create(const struct tree_env *env, const void *params)
{
	struct functional *t = g_new0(struct functional, 1);
	t->env = *env;
	if (params)
		t->p = *(const struct functional_params *)params;
	else
		sim_params_defaults(functional_params, &t->p);
	t->root = sim_alloc(sizeof *t->root, 64);
	sim_mem_prime(env->sim, t->root, sizeof *t->root, env->home_cpu);
	t->node_cache = kmem_cache_create(env->ka, "functional node", FN_NODE_SIZE,
					  FN_NODE_ALIGN);
	t->replaced = g_ptr_array_new();
	return t;
}

static void
functional_destroy(void *tp)
{
	struct functional *t = tp;
	g_ptr_array_free(t->replaced, TRUE);
	g_free(t);
}

/*
 * find_gt - the region with the least end > addr.  Context: reader,
 * inside the read side; may yield.  Cost: the root line and one node
 * line per level; with hazard pointers each child is protected in the
 * slot the grandparent used (0, 1 alternately).
 */
static bool
find_gt(struct functional *t, uint64_t addr, struct tree_range *out)
{
	unsigned slot = 0;
	node_t *node = t->env.rcl->dereference(t->env.rs, (void *const *)&t->root->root, slot);
	bool found = false;
	while (node) {
		node_work(t);
		uint64_t key = sim_load64(&node->key);
		slot ^= 1;
		if (key > addr) {
			out->start = sim_load64(&node->start);
			out->end = key;
			out->value = sim_loadp(&node->value);
			found = true;
			node = t->env.rcl->dereference(t->env.rs, (void *const *)&node->left, slot);
		} else {
			node = t->env.rcl->dereference(t->env.rs, (void *const *)&node->right, slot);
		}
	}
	return found;
}

/* lookup: find_gt + the start check.  Context: reader; may yield. */
static bool
functional_lookup(void *tp, uint64_t addr, struct tree_range *out)
{
	struct functional *t = tp;
	struct tree_range r;
	t->st.lookups++;
	if (!find_gt(t, addr, &r) || r.start > addr)
		return false;
	t->st.lookup_hits++;
	*out = r;
	return true;
}

/* find: find_gt.  Context: reader; may yield. */
static bool
functional_find(void *tp, uint64_t addr, struct tree_range *out)
{
	struct functional *t = tp;
	t->st.lookups++;
	if (!find_gt(t, addr, out))
		return false;
	t->st.lookup_hits++;
	return true;
}

/* iterate: one find_gt per region (MODEL above).  Context: reader; may
 * yield. */
static void
functional_iterate(void *tp, uint64_t lo, uint64_t hi,
		   bool (*fn)(void *arg, const struct tree_range *r), void *arg)
{
	struct functional *t = tp;
	struct tree_range r;
	uint64_t at = lo;
	while (at < hi && find_gt(t, at, &r) && r.start < hi) {
		if (!fn(arg, &r))
			return;
		at = r.end;
	}
}

/* insert: refuse an overlap, then a new version with the region.
 * Context: writer; may yield.  Cost: the overlap walk, then per level the
 * node's key and children, the sizes, one new node (or a rotation's 2-3),
 * one retire; the root's release store. */
static int
functional_insert(void *tp, uint64_t start, uint64_t end, void *value)
{
	struct functional *t = tp;
	struct fn_kv kv, next;
	g_assert(start < end);
	if (writer_find_gt(t, start, &next) && next.start < end)
		return -EEXIST;
	kv = (struct fn_kv){ .key = end, .start = start, .value = value };
	publish_root(t, insert(t, cur_root(t), &kv));
	t->st.inserts++;
	return 0;
}

/* erase: each overlapping region removed (a new version without it) or
 * trimmed (a new version with the path to it copied).  Context: writer;
 * may yield. */
static uint64_t
functional_erase(void *tp, uint64_t start, uint64_t end)
{
	struct functional *t = tp;
	struct fn_kv r;
	uint64_t n = 0, at = start;
	g_assert(start < end);
	while (writer_find_gt(t, at, &r) && r.start < end) {
		n++;
		if (r.start < start && r.key > end) {
			struct fn_kv right = { .key = r.key, .start = end, .value = r.value };
			struct fn_kv left = { .key = start, .start = r.start, .value = r.value };
			publish_root(t, replace(t, cur_root(t), r.key, &right));
			publish_root(t, insert(t, cur_root(t), &left));
			break;
		}
		if (r.start < start) {
			struct fn_kv left = { .key = start, .start = r.start, .value = r.value };
			publish_root(t, replace(t, cur_root(t), r.key, &left));
		} else if (r.key > end) {
			struct fn_kv right = { .key = r.key, .start = end, .value = r.value };
			publish_root(t, replace(t, cur_root(t), r.key, &right));
			break;
		} else {
			publish_root(t, delete(t, cur_root(t), r.key));
		}
		at = r.key;
	}
	if (n)
		t->st.erases++;
	return n;
}

/* find_gap: bottom-up over an in-order walk (MODEL above).  Context:
 * writer; may yield.  Cost: the path to the first region ending above lo,
 * then each node the walk passes. */
static bool
functional_find_gap(void *tp, uint64_t size, uint64_t lo, uint64_t hi, uint64_t *start_out)
{
	struct functional *t = tp;
	node_t *stack[FN_MAX_DEPTH];
	unsigned sp = 0;
	uint64_t cand = lo;

	t->st.gap_searches++;
	if (size == 0 || lo >= hi || size > hi - lo)
		return false;
	node_t *node = cur_root(t);
	while (node) {
		t->st.gap_nodes_visited++;
		node_work(t);
		if (sim_load64(&node->key) > lo) {
			g_assert(sp < FN_MAX_DEPTH);
			stack[sp++] = node;
			node = ld_left(node);
		} else {
			node = ld_right(node);
		}
	}
	while (sp) {
		node = stack[--sp];
		uint64_t rstart = sim_load64(&node->start), rend = sim_load64(&node->key);
		if (rstart >= hi)
			break;
		if (rstart >= cand && rstart - cand >= size)
			break;
		if (rend > cand)
			cand = rend;
		if (cand >= hi || hi - cand < size)
			return false;
		node = ld_right(node);
		while (node) {
			t->st.gap_nodes_visited++;
			node_work(t);
			g_assert(sp < FN_MAX_DEPTH);
			stack[sp++] = node;
			node = ld_left(node);
		}
	}
	if (hi - cand < size)
		return false;
	*start_out = cand;
	return true;
}

/* ---- host context ---- */

struct check_walk {
	struct functional *t;
	GString *why;
	uint64_t prev_end;
	bool any;
	unsigned depth, max_depth;
};

static bool
check_node(struct check_walk *w, const node_t *n, uint32_t *size_out)
{
	if (!n) {
		*size_out = 0;
		return true;
	}
	if (!sim_addr_valid(n)) {
		g_string_append_printf(w->why, "functional: node pointer %p outside simulated memory",
				       (const void *)n);
		return false;
	}
	if (sim_mem_any_poisoned(w->t->env.sim, n, sizeof *n)) {
		g_string_append_printf(w->why, "functional: reachable node at offset %"
				       G_GUINT64_FORMAT " is freed", sim_addr_offset(n));
		return false;
	}
	uint32_t ls, rs;
	if (++w->depth > w->max_depth)
		w->max_depth = w->depth;
	if (!check_node(w, n->left, &ls))
		return false;
	if (n->start >= n->key || (w->any && n->start < w->prev_end)) {
		g_string_append_printf(w->why, "functional: region [%#" G_GINT64_MODIFIER "x, %#"
				       G_GINT64_MODIFIER "x) empty, or overlapping or preceding the "
				       "one ending at %#" G_GINT64_MODIFIER "x",
				       n->start, n->key, w->prev_end);
		return false;
	}
	w->prev_end = n->key;
	w->any = true;
	if (!check_node(w, n->right, &rs))
		return false;
	if (n->size != 1 + ls + rs) {
		g_string_append_printf(w->why, "functional: node %#" G_GINT64_MODIFIER "x size %u, "
				       "subtrees hold 1 + %u + %u", n->key, n->size, ls, rs);
		return false;
	}
	uint64_t wt = w->t->p.weight, lo = MIN(ls, rs) + 1u, hi = MAX(ls, rs) + 1u;
	if (hi > wt * lo) {
		g_string_append_printf(w->why, "functional: node %#" G_GINT64_MODIFIER "x "
				       "unbalanced: left %u, right %u, WEIGHT %u", n->key, ls, rs,
				       (unsigned)wt);
		return false;
	}
	w->depth--;
	*size_out = n->size;
	return true;
}

/* check: the invariants in the header.  Context: host; costs nothing. */
static bool
functional_check(void *tp, GString *why)
{
	struct functional *t = tp;
	struct check_walk w = { .t = t, .why = why };
	uint32_t size;
	if (!check_node(&w, t->root->root, &size))
		return false;
	if ((double)w.max_depth > 2.0 * log2((double)size + 1.0) + 1.0) {
		g_string_append_printf(why, "functional: height %u above 2 log2(%u + 1) + 1",
				       w.max_depth, size);
		return false;
	}
	return true;
}

/* count: the root's size.  Context: host. */
static uint64_t
functional_count(void *tp)
{
	struct functional *t = tp;
	return t->root->root ? t->root->root->size : 0;
}

/* stats: the common counters, copies (path nodes copied, not by
 * rotations) and updates (versions published).  Context: host. */
static void
functional_stats(void *tp, cJSON *out)
{
	struct functional *t = tp;
	tree_stats_emit(&t->st, out);
	cJSON_AddNumberToObject(out, "copies", (double)t->copies);
	cJSON_AddNumberToObject(out, "updates", (double)t->updates);
}

const struct tree_ops tree_functional_ops = {
	.comp = {
		.name = "functional",
		.summary = "persistent weight-balanced tree (Adams, cbtree's rule) with full path "
			   "copying: every update copies its root-to-leaf path and publishes a new "
			   "root",
		.params = functional_params,
		.params_size = sizeof(struct functional_params),
	},
	.flags = TREE_RCU_READERS | TREE_HP_NARROW,
	.create = functional_create,
	.destroy = functional_destroy,
	.lookup = functional_lookup,
	.find = functional_find,
	.iterate = functional_iterate,
	.insert = functional_insert,
	.erase = functional_erase,
	.find_gap = functional_find_gap,
	.check = functional_check,
	.count = functional_count,
	.stats = functional_stats,
};
