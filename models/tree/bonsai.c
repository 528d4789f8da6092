// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The Bonsai tree: the weight-balanced binary tree that Bonsai VM
 * (Clements, Kaashoek, Zeldovich, ASPLOS'12) uses to index an address
 * space's VMAs so that page faults find their VMA with no lock.
 *
 * SOURCE: lib/cbtree.c of the "amdragon" Linux 2.6.37 patches
 * (tpapagian/pk): struct TreeBB_Node, mkNode, singleL/doubleL,
 * singleR/doubleR, mkBalancedL/mkBalancedR, mkBalanced, insert,
 * deleteMin, delete, TreeBB_Insert/TreeBB_Delete/TreeBB_FindGT; the
 * tree after Adams ("Implementing sets efficiently in a functional
 * language", the weight-balanced trees with WEIGHT 4).  See
 * /work/shared/reference/bonsai-vm.md section 4.
 *
 * Keys: a region [start, end) is keyed by its end (vm_end), so
 * find_vma(addr) is cb_find_gt(addr): the node with the least key > addr.
 *
 *                     root line (struct cb_root): root, published by
 *                     |                    rcl->assign_pointer
 *                     v
 *                 [ 0x4000 ]          every node: one 64-byte line
 *                 /        \          left | right | size | key | start
 *          [ 0x2000 ]    [ 0x6000 ]   | value | rcu_head
 *
 * Writers (one at a time, the caller's mmap_sem held for write):
 *   - insert and delete recurse to the leaf and rebuild bottom-up with
 *     mkBalanced() at every level of the path;
 *   - when a level needs no rotation, the parent's one changed child
 *     pointer is overwritten in place after smp_wmb() (here: a release
 *     store, free on x86) and its size updated in place (readers never
 *     read size);
 *   - when it needs a rotation, singleL/R build 2 new nodes and doubleL/R
 *     3; the replaced nodes (the rotated child, its child for a double,
 *     and cur) are retired: tree_node_retire() -> rcl->retire(), once
 *     the update is published (cbtree.c retires them as it builds, a
 *     race: see TreeBBFreeNode);
 *   - delete of a node with two children: deleteMin on its right subtree
 *     copies the path down to the minimum (non-destructively: readers may
 *     be walking between the two), then a new copy of the min node takes
 *     the deleted node's place;
 *   - the root is republished with rcl->assign_pointer after every
 *     insert and delete, as TreeBB_Insert/Delete do (even when unchanged).
 *
 * Readers (inside the scheme's read side): walk root to leaf with
 * rcl->dereference for the root and every child pointer, loading key,
 * start and value of the nodes they pass; they store nothing.
 *
 * Invariants (check()): keys strictly increasing in order; start < key;
 * regions disjoint (the previous region's end <= the next one's start);
 * size = 1 + size(left) + size(right); the weight balance that cbtree's
 * rules keep: for every node, max(size(left), size(right)) + 1 <=
 * WEIGHT * (min(size(left), size(right)) + 1); height <= 2 log2(n + 1) + 1;
 * no reachable node is freed (poisoned).
 *
 * Balance, as cbtree.c has it: rotate when one side has more than WEIGHT
 * times the nodes of the other (sizes, nodes with fewer than 2 below
 * exempt), single if the outer grandchild is strictly larger, else
 * double, one rotation per level.  That rule (Adams' WEIGHT 4 with ratio
 * 1) does not keep the sizes themselves within WEIGHT: the inner node a
 * rotation builds is not rebalanced, e.g. inserting keys 34 48 27 6 21 33
 * 15 leaves node 21 with 2 nodes on its left and none on its right
 * (Hirai & Yamamoto, JFP 2011, show (3, 2) is the only integer parameter
 * pair for which it would).  What it keeps, measured on random and
 * sorted sequences of up to 5,000 keys, is the bound on size + 1 above
 * (worst ratio exactly WEIGHT) and a height under 1.8 log2(n + 1).
 * check() asserts those; tests/test-tree-bonsai.c reproduces the example.
 *
 * Why readers are safe: every node a writer changes in place is changed
 * in one pointer store of a child it has fully initialized before (the
 * release store orders the initialization first), so a reader sees
 * either the old or the new subtree, each a valid BST over the set of
 * regions before or after the update; replaced nodes stay readable until
 * the scheme's grace period ends.
 *
 * MODEL: the node holds the region's start (vm_start) as well as its
 * key and value: in Linux the value is the VMA, which holds vm_start on
 * its own line, so a real lookup loads one more line (the VMA's) at the
 * end.  Expected effect: a lookup here misses one line fewer than
 * Bonsai's find_vma + vm_start check.
 * MODEL: nodes are 64 bytes aligned to a line (kmem_cache of 64, align
 * 64): the real struct TreeBB_Node (48 + rcu_head 16 bytes on x86-64) is
 * also 64 bytes, but SLUB aligns it to 8 only, so the real layout lines up
 * the same way only when the slab's start is line aligned (it is, slabs
 * are pages).  No expected effect.
 * MODEL: erase() of a range ([start, end) as munmap) finds the regions it
 * overlaps with cb_find_gt walks and removes or trims them one by one;
 * a trimmed region gets a new node (a copy with the new bounds, the old
 * one retired) because readers may hold the old one -- Bonsai changed
 * vm_start/vm_end in place under the VMA's vm_bound_seq seqcount, which
 * this tree does not model.  A region straddling both ends is replaced
 * by its right piece [end, old_end) (same key) and its left piece
 * [old_start, start) is inserted after: between the two a reader can
 * miss the left piece, as it can miss it during Linux's __split_vma.
 * MODEL: find_gap() walks the regions in order from lo with an explicit
 * stack (writer side, plain loads); Bonsai kept Linux's VMA list
 * (mm->mmap, vm_next) for get_unmapped_area.  Expected effect: about one
 * node line per region passed plus log(n) to find the first, instead of
 * one VMA line per region.
 * MODEL: iterate() (a reader) finds each next region with a fresh
 * cb_find_gt walk from the root, so it needs only the two hazard slots a
 * walk needs; Bonsai readers used the VMA list.  Expected effect:
 * iterate costs ~log(n) node loads per region instead of one.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "engine.h"
#include "kalloc.h"
#include "reclaim.h"
#include "tree.h"

#define BONSAI_NODE_SIZE 64u
#define BONSAI_NODE_ALIGN 64u
#define BONSAI_MAX_DEPTH 128u

struct bonsai_params {
	uint32_t weight;            /* WEIGHT */
	uint32_t node_cycles;       /* local work per node a walk compares */
};

static const struct sim_param bonsai_params[] = {
	SIM_P_U32_ROW(struct bonsai_params, weight, 3, 16, 4,
		      "WEIGHT of the weight-balanced tree: a node is rebalanced when one side "
		      "has more than WEIGHT times the nodes of the other (cbtree.c: 4)"),
	SIM_P_U32_ROW(struct bonsai_params, node_cycles, 0, 1000, 0,
		      "local work (cycles) charged per node a lookup or update compares, "
		      "besides its loads (0: memory accesses only)"),
	SIM_P_END,
};

/*
 * struct TreeBB_Node: one simulated line.  left/right: written by the one
 * writer, before publication (mkNode) or in place by a release store
 * (mkBalanced), read by readers through rcl->dereference.  size: written
 * by the writer (mkNode, in place in mkBalanced), read only by the
 * writer.  key/start/value: written once by mkNode before publication,
 * read by everyone.  rcu: the scheme's callback head (not touched: every
 * scheme keeps its deferred list in host memory).
 */
struct TreeBB_Node {
	struct TreeBB_Node *left;   /* +0 */
	struct TreeBB_Node *right;  /* +8 */
	uint32_t size;              /* +16 */
	uint32_t pad;
	uint64_t key;               /* +24 vm_end */
	uint64_t start;             /* +32 vm_start (MODEL: see above) */
	void *value;                /* +40 the VMA */
	uint64_t rcu[2];            /* +48 struct rcu_head */
};
_Static_assert(sizeof(struct TreeBB_Node) == BONSAI_NODE_SIZE, "one line");

typedef struct TreeBB_Node node_t;

/* struct cb_root: its own line, homed at env->home_cpu.  root: written by
 * the writer (rcl->assign_pointer), read by readers (rcl->dereference). */
struct cb_root {
	node_t *root;
	uint64_t pad[7];
};

/* A region's contents as the writer carries them (host copy: cb_kv). */
struct cb_kv {
	uint64_t key, start;
	void *value;
};

struct bonsai {
	struct tree_env env;
	struct bonsai_params p;
	struct cb_root *root;       /* simulated */
	struct kmem_cache *node_cache;
	struct tree_stats st;
	uint64_t inplace_updates;   /* child pointers overwritten in place */
	uint64_t copies;            /* nodes copied by deleteMin/delete/trim (not rotations) */
	/* Nodes an update in progress has replaced, retired once the update is
	 * published (host list; see TreeBBFreeNode). */
	GPtrArray *unlinked;
};

static node_t *
bonsai_deref(struct bonsai *t, node_t *const *pp, unsigned slot)
{
	return t->env.rcl->dereference(t->env.rs, (void *const *)pp, slot);
}

/* ---- writer side: allocation, retirement, the cbtree algorithms ---- */

static uint32_t
nodeSize(node_t *n)
{
	return n ? sim_load32(&n->size) : 0;
}

static void
load_kv(node_t *n, struct cb_kv *kv)
{
	kv->key = sim_load64(&n->key);
	kv->start = sim_load64(&n->start);
	kv->value = sim_loadp(&n->value);
}

/* mkNode - a new node (kmem_cache_alloc) holding kv with children left,
 * right.  Cost: the allocator's path, the sizes of left and right, and
 * six stores to the new line.  May yield. */
static node_t *
mkNode(struct bonsai *t, node_t *left, node_t *right, const struct cb_kv *kv)
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

/*
 * TreeBBFreeNode - n has been replaced by the update in progress: note it,
 * to be retired by retire_unlinked() once the update is published.
 * cbtree.c calls call_rcu() right here, while n is still reachable (the
 * new subtree is linked in later, by an in-place store higher up or by
 * the root's rcu_assign_pointer).  That is a race under any scheme: a
 * grace period that starts after the call_rcu and before the unlink does
 * not wait for a reader that starts in between and finds n, and frees n
 * under it (under hazard pointers or EBR a scan or epoch advance inside
 * a later retire() does the same at once).  Retiring after publication
 * closes it; the retire costs are the same, paid a little later.
 * Context: writer; no cost.
 */
static void
TreeBBFreeNode(struct bonsai *t, node_t *n)
{
	g_ptr_array_add(t->unlinked, n);
}

/* retire_unlinked - the update is published (no reader that starts from
 * now on can reach the nodes it replaced): retire them, in the order
 * they were replaced.  Context: writer; may yield.  Cost: the scheme's
 * retire() per node. */
static void
retire_unlinked(struct bonsai *t)
{
	for (guint i = 0; i < t->unlinked->len; i++)
		tree_node_retire(&t->env, &t->st, g_ptr_array_index(t->unlinked, i),
				 BONSAI_NODE_SIZE, BONSAI_NODE_ALIGN);
	g_ptr_array_set_size(t->unlinked, 0);
}

static node_t *
singleL(struct bonsai *t, node_t *left, node_t *right, const struct cb_kv *kv)
{
	struct cb_kv rkv;
	load_kv(right, &rkv);
	node_t *res = mkNode(t, mkNode(t, left, sim_loadp((void *const *)&right->left), kv),
			     sim_loadp((void *const *)&right->right), &rkv);
	TreeBBFreeNode(t, right);
	return res;
}

static node_t *
doubleL(struct bonsai *t, node_t *left, node_t *right, const struct cb_kv *kv)
{
	node_t *rl = sim_loadp((void *const *)&right->left);
	struct cb_kv rkv, rlkv;
	load_kv(right, &rkv);
	load_kv(rl, &rlkv);
	node_t *a = mkNode(t, left, sim_loadp((void *const *)&rl->left), kv);
	node_t *b = mkNode(t, sim_loadp((void *const *)&rl->right),
			   sim_loadp((void *const *)&right->right), &rkv);
	node_t *res = mkNode(t, a, b, &rlkv);
	TreeBBFreeNode(t, rl);
	TreeBBFreeNode(t, right);
	return res;
}

static node_t *
singleR(struct bonsai *t, node_t *left, node_t *right, const struct cb_kv *kv)
{
	struct cb_kv lkv;
	load_kv(left, &lkv);
	node_t *res = mkNode(t, sim_loadp((void *const *)&left->left),
			     mkNode(t, sim_loadp((void *const *)&left->right), right, kv), &lkv);
	TreeBBFreeNode(t, left);
	return res;
}

static node_t *
doubleR(struct bonsai *t, node_t *left, node_t *right, const struct cb_kv *kv)
{
	node_t *lr = sim_loadp((void *const *)&left->right);
	struct cb_kv lkv, lrkv;
	load_kv(left, &lkv);
	load_kv(lr, &lrkv);
	node_t *a = mkNode(t, sim_loadp((void *const *)&left->left),
			   sim_loadp((void *const *)&lr->left), &lkv);
	node_t *b = mkNode(t, sim_loadp((void *const *)&lr->right), right, kv);
	node_t *res = mkNode(t, a, b, &lrkv);
	TreeBBFreeNode(t, lr);
	TreeBBFreeNode(t, left);
	return res;
}

static node_t *
mkBalancedL(struct bonsai *t, node_t *left, node_t *right, const struct cb_kv *kv)
{
	uint32_t rln = nodeSize(sim_loadp((void *const *)&right->left));
	uint32_t rrn = nodeSize(sim_loadp((void *const *)&right->right));
	t->st.rotations++;
	if (rln < rrn)
		return singleL(t, left, right, kv);
	return doubleL(t, left, right, kv);
}

static node_t *
mkBalancedR(struct bonsai *t, node_t *left, node_t *right, const struct cb_kv *kv)
{
	uint32_t lln = nodeSize(sim_loadp((void *const *)&left->left));
	uint32_t lrn = nodeSize(sim_loadp((void *const *)&left->right));
	t->st.rotations++;
	if (lrn < lln)
		return singleR(t, left, right, kv);
	return doubleR(t, left, right, kv);
}

/*
 * mkBalanced - the node to stand where cur stood, with children left and
 * right (one of them new: replace 0 = left, 1 = right).  Unbalanced: a
 * rotation's new subtree (cur retired).  Balanced and in_place: cur
 * itself, its replaced child pointer overwritten after smp_wmb() (a
 * release store) and its size updated.  Balanced, not in place: a copy
 * of cur (cur retired).  Context: writer; may yield.  Cost: the two
 * sizes, cur's kv (not in place or rotating), the rotation's loads and
 * new nodes, or two stores to cur's line.
 */
static node_t *
mkBalanced(struct bonsai *t, node_t *cur, node_t *left, node_t *right, int replace,
	   bool in_place)
{
	uint32_t ln = nodeSize(left), rn = nodeSize(right);
	uint32_t w = t->p.weight;
	struct cb_kv kv;
	node_t *res;

	if (ln + rn >= 2 && (rn > w * ln || ln > w * rn)) {
		load_kv(cur, &kv);
		if (rn > w * ln)
			res = mkBalancedL(t, left, right, &kv);
		else
			res = mkBalancedR(t, left, right, &kv);
		TreeBBFreeNode(t, cur);
		return res;
	}
	if (in_place) {
		/* Readers never read size: only the pointer store is their
		 * visible write, ordered after the new child's stores. */
		if (replace == 0)
			sim_storep_rel((void **)&cur->left, left);
		else
			sim_storep_rel((void **)&cur->right, right);
		sim_store32(&cur->size, 1 + ln + rn);
		t->inplace_updates++;
		return cur;
	}
	load_kv(cur, &kv);
	res = mkNode(t, left, right, &kv);
	t->copies++;
	TreeBBFreeNode(t, cur);
	return res;
}

static void
node_work(struct bonsai *t)
{
	if (t->p.node_cycles)
		sim_work(t->p.node_cycles);
}

static node_t *
insert(struct bonsai *t, node_t *node, const struct cb_kv *kv)
{
	if (!node)
		return mkNode(t, NULL, NULL, kv);
	node_work(t);
	uint64_t key = sim_load64(&node->key);
	node_t *left = sim_loadp((void *const *)&node->left);
	node_t *right = sim_loadp((void *const *)&node->right);
	if (kv->key < key)
		return mkBalanced(t, node, insert(t, left, kv), right, 0, true);
	if (kv->key > key)
		return mkBalanced(t, node, left, insert(t, right, kv), 1, true);
	return node;
}

/* deleteMin - node's subtree without its minimum (in *minOut), rebuilt
 * non-destructively along the path to it: the min stays visible to
 * readers until the caller's in-place store swaps both in at once. */
static node_t *
deleteMin(struct bonsai *t, node_t *node, node_t **minOut)
{
	node_t *left = sim_loadp((void *const *)&node->left);
	node_t *right = sim_loadp((void *const *)&node->right);
	if (!left) {
		*minOut = node;
		return right;
	}
	return mkBalanced(t, node, deleteMin(t, left, minOut), right, 0, false);
}

static node_t *
delete(struct bonsai *t, node_t *node, uint64_t key, bool *found)
{
	node_t *min, *left, *right;

	if (!node)
		return NULL;
	node_work(t);
	uint64_t nkey = sim_load64(&node->key);
	left = sim_loadp((void *const *)&node->left);
	right = sim_loadp((void *const *)&node->right);
	if (key < nkey)
		return mkBalanced(t, node, delete(t, left, key, found), right, 0, true);
	if (key > nkey)
		return mkBalanced(t, node, left, delete(t, right, key, found), 1, true);

	*found = true;
	TreeBBFreeNode(t, node);
	if (!left)
		return right;
	if (!right)
		return left;
	right = deleteMin(t, right, &min);
	/* A new copy of min: the old one is still linked below us. */
	return mkBalanced(t, min, left, right, 1, false);
}

static void
publish_root(struct bonsai *t, node_t *nroot)
{
	t->env.rcl->assign_pointer(t->env.rs, (void **)&t->root->root, nroot);
}

/* Writer-side cb_find_gt: plain loads (the writer excludes other
 * writers, so nothing it reads changes under it). */
static node_t *
writer_find_gt(struct bonsai *t, uint64_t addr, struct cb_kv *out)
{
	node_t *node = sim_loadp((void *const *)&t->root->root), *res = NULL;
	while (node) {
		node_work(t);
		uint64_t key = sim_load64(&node->key);
		if (key > addr) {
			res = node;
			node = sim_loadp((void *const *)&node->left);
		} else {
			node = sim_loadp((void *const *)&node->right);
		}
	}
	if (res)
		load_kv(res, out);
	return res;
}

/* Replace the node keyed key by a copy holding nkv (nkv.key keeps the
 * node's place in the order): one release store in its parent (or the
 * root published), the old node retired. */
static void
replace_node(struct bonsai *t, uint64_t key, const struct cb_kv *nkv)
{
	node_t **link = &t->root->root;
	node_t *node = sim_loadp((void *const *)link);
	while (node) {
		node_work(t);
		uint64_t k = sim_load64(&node->key);
		if (k == key)
			break;
		link = key < k ? &node->left : &node->right;
		node = sim_loadp((void *const *)link);
	}
	g_assert(node);
	node_t *n = mkNode(t, sim_loadp((void *const *)&node->left),
			   sim_loadp((void *const *)&node->right), nkv);
	t->copies++;
	if (link == &t->root->root)
		publish_root(t, n);
	else
		sim_storep_rel((void **)link, n);
	TreeBBFreeNode(t, node);
	retire_unlinked(t);
}

static void
tree_insert_kv(struct bonsai *t, const struct cb_kv *kv)
{
	node_t *nroot = insert(t, sim_loadp((void *const *)&t->root->root), kv);
	publish_root(t, nroot);  /* TreeBB_Insert: rcu_assign_pointer(tree->root, nroot) */
	retire_unlinked(t);
}

static void
tree_delete_key(struct bonsai *t, uint64_t key)
{
	bool found = false;
	node_t *nroot = delete(t, sim_loadp((void *const *)&t->root->root), key, &found);
	g_assert(found);
	publish_root(t, nroot);  /* TreeBB_Delete */
	retire_unlinked(t);
}

/* ---- tree_ops ---- */

static void *
bonsai_create(const struct tree_env *env, const void *params)
{
	struct bonsai *t = g_new0(struct bonsai, 1);
	t->env = *env;
	t->unlinked = g_ptr_array_new();
	if (params)
		t->p = *(const struct bonsai_params *)params;
	else
		sim_params_defaults(bonsai_params, &t->p);
	t->root = sim_alloc(sizeof *t->root, 64);
	sim_mem_prime(env->sim, t->root, sizeof *t->root, env->home_cpu);
	t->node_cache = kmem_cache_create(env->ka, "struct TreeBB_Node", BONSAI_NODE_SIZE,
					  BONSAI_NODE_ALIGN);
	return t;
}

static void
bonsai_destroy(void *tp)
{
	struct bonsai *t = tp;
	g_ptr_array_free(t->unlinked, TRUE);
	g_free(tp);
}

/*
 * cb_find_gt - TreeBB_FindGT: the region with the least end > addr.
 * Context: reader, inside the read side; may yield.  Cost: the root line
 * and one node line per level (key; start and value of each candidate,
 * same line); with hazard pointers each child is protected in the slot
 * the grandparent used (0, 1 alternately).
 */
static bool
cb_find_gt(struct bonsai *t, uint64_t addr, struct tree_range *out)
{
	unsigned slot = 0;
	node_t *node = bonsai_deref(t, &t->root->root, slot);
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
			node = bonsai_deref(t, &node->left, slot);
		} else {
			node = bonsai_deref(t, &node->right, slot);
		}
	}
	return found;
}

/* lookup: find_vma + the vm_start check.  Context: reader; may yield. */
static bool
bonsai_lookup(void *tp, uint64_t addr, struct tree_range *out)
{
	struct bonsai *t = tp;
	struct tree_range r;
	t->st.lookups++;
	if (!cb_find_gt(t, addr, &r) || r.start > addr)
		return false;
	t->st.lookup_hits++;
	*out = r;
	return true;
}

/* find: find_vma.  Context: reader; may yield. */
static bool
bonsai_find(void *tp, uint64_t addr, struct tree_range *out)
{
	struct bonsai *t = tp;
	t->st.lookups++;
	if (!cb_find_gt(t, addr, out))
		return false;
	t->st.lookup_hits++;
	return true;
}

/* iterate: one cb_find_gt walk per region (MODEL above).  Context:
 * reader; may yield. */
static void
bonsai_iterate(void *tp, uint64_t lo, uint64_t hi,
	       bool (*fn)(void *arg, const struct tree_range *r), void *arg)
{
	struct bonsai *t = tp;
	struct tree_range r;
	uint64_t at = lo;
	while (at < hi && cb_find_gt(t, at, &r) && r.start < hi) {
		if (!fn(arg, &r))
			return;
		at = r.end;
	}
}

/* insert: TreeBB_Insert after a writer-side find_vma that refuses an
 * overlap.  Context: writer; may yield. */
static int
bonsai_insert(void *tp, uint64_t start, uint64_t end, void *value)
{
	struct bonsai *t = tp;
	struct cb_kv kv, next;
	g_assert(start < end);
	if (writer_find_gt(t, start, &next) && next.start < end)
		return -EEXIST;
	kv = (struct cb_kv){ .key = end, .start = start, .value = value };
	tree_insert_kv(t, &kv);
	t->st.inserts++;
	return 0;
}

/* erase: munmap's remove-and-trim (MODEL above).  Context: writer; may
 * yield. */
static uint64_t
bonsai_erase(void *tp, uint64_t start, uint64_t end)
{
	struct bonsai *t = tp;
	struct cb_kv r;
	uint64_t n = 0, at = start;
	g_assert(start < end);
	while (writer_find_gt(t, at, &r) && r.start < end) {
		n++;
		if (r.start < start && r.key > end) {
			/* Straddles both ends: keep [end, r.key) in the node's
			 * place, insert [r.start, start). */
			struct cb_kv right = { .key = r.key, .start = end, .value = r.value };
			struct cb_kv left = { .key = start, .start = r.start, .value = r.value };
			replace_node(t, r.key, &right);
			tree_insert_kv(t, &left);
			break;
		}
		if (r.start < start) {
			struct cb_kv left = { .key = start, .start = r.start, .value = r.value };
			replace_node(t, r.key, &left);
		} else if (r.key > end) {
			struct cb_kv right = { .key = r.key, .start = end, .value = r.value };
			replace_node(t, r.key, &right);
			break;
		} else {
			tree_delete_key(t, r.key);
		}
		at = r.key;
	}
	if (n)
		t->st.erases++;
	return n;
}

/*
 * find_gap: bottom-up get_unmapped_area over an in-order walk (MODEL
 * above).  Context: writer; may yield.  Cost: the nodes on the way to
 * the first region ending above lo, then each node the in-order walk
 * passes (key and start: one line).
 */
static bool
bonsai_find_gap(void *tp, uint64_t size, uint64_t lo, uint64_t hi, uint64_t *start_out)
{
	struct bonsai *t = tp;
	node_t *stack[BONSAI_MAX_DEPTH];
	unsigned sp = 0;
	uint64_t cand = lo;

	t->st.gap_searches++;
	if (size == 0 || lo >= hi || size > hi - lo)
		return false;
	/* The path to the first region with end > lo: push the nodes whose
	 * key > lo (their left subtree is done by going left). */
	node_t *node = sim_loadp((void *const *)&t->root->root);
	while (node) {
		t->st.gap_nodes_visited++;
		node_work(t);
		if (sim_load64(&node->key) > lo) {
			g_assert(sp < BONSAI_MAX_DEPTH);
			stack[sp++] = node;
			node = sim_loadp((void *const *)&node->left);
		} else {
			node = sim_loadp((void *const *)&node->right);
		}
	}
	while (sp) {
		node = stack[--sp];
		uint64_t rstart = sim_load64(&node->start), rend = sim_load64(&node->key);
		if (rstart >= hi)
			break;
		if (rstart >= cand && rstart - cand >= size)
			break;                          /* [cand, cand + size) fits below it */
		if (rend > cand)
			cand = rend;
		if (cand >= hi || hi - cand < size)
			return false;
		node = sim_loadp((void *const *)&node->right);
		while (node) {
			t->st.gap_nodes_visited++;
			node_work(t);
			g_assert(sp < BONSAI_MAX_DEPTH);
			stack[sp++] = node;
			node = sim_loadp((void *const *)&node->left);
		}
	}
	if (hi - cand < size)
		return false;
	*start_out = cand;
	return true;
}

/* ---- host context ---- */

struct check_walk {
	struct bonsai *t;
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
		g_string_append_printf(w->why, "bonsai: node pointer %p outside simulated memory",
				       (const void *)n);
		return false;
	}
	if (sim_mem_any_poisoned(w->t->env.sim, n, sizeof *n)) {
		g_string_append_printf(w->why, "bonsai: reachable node at offset %" G_GUINT64_FORMAT
				       " is freed", sim_addr_offset(n));
		return false;
	}
	uint32_t ls, rs;
	if (++w->depth > w->max_depth)
		w->max_depth = w->depth;
	if (!check_node(w, n->left, &ls))
		return false;
	if (n->start >= n->key) {
		g_string_append_printf(w->why, "bonsai: region [%#" G_GINT64_MODIFIER "x, %#"
				       G_GINT64_MODIFIER "x) empty", n->start, n->key);
		return false;
	}
	if (w->any && n->start < w->prev_end) {
		g_string_append_printf(w->why, "bonsai: region [%#" G_GINT64_MODIFIER "x, %#"
				       G_GINT64_MODIFIER "x) overlaps or precedes the one ending at %#"
				       G_GINT64_MODIFIER "x", n->start, n->key, w->prev_end);
		return false;
	}
	w->prev_end = n->key;
	w->any = true;
	if (!check_node(w, n->right, &rs))
		return false;
	if (n->size != 1 + ls + rs) {
		g_string_append_printf(w->why, "bonsai: node %#" G_GINT64_MODIFIER "x size %u, "
				       "subtrees hold 1 + %u + %u", n->key, n->size, ls, rs);
		return false;
	}
	/* The bound cbtree's rules keep (header): weights size + 1. */
	uint64_t wt = w->t->p.weight, lo = MIN(ls, rs) + 1u, hi = MAX(ls, rs) + 1u;
	if (hi > wt * lo) {
		g_string_append_printf(w->why, "bonsai: node %#" G_GINT64_MODIFIER "x unbalanced: "
				       "left %u, right %u, WEIGHT %u", n->key, ls, rs, (unsigned)wt);
		return false;
	}
	w->depth--;
	*size_out = n->size;
	return true;
}

/* check: the invariants in the header.  Context: host; costs nothing. */
static bool
bonsai_check(void *tp, GString *why)
{
	struct bonsai *t = tp;
	struct check_walk w = { .t = t, .why = why };
	uint32_t size;
	if (!check_node(&w, t->root->root, &size))
		return false;
	/* Height: measured <= 1.8 log2(n + 1) on random sequences. */
	double bound = 2.0 * log2((double)size + 1.0) + 1.0;
	if ((double)w.max_depth > bound) {
		g_string_append_printf(why, "bonsai: height %u above 2 log2(%u + 1) + 1",
				       w.max_depth, size);
		return false;
	}
	return true;
}

/* count: the root's size.  Context: host. */
static uint64_t
bonsai_count(void *tp)
{
	struct bonsai *t = tp;
	return t->root->root ? t->root->root->size : 0;
}

/* stats: the common counters, inplace_updates and copies.  Context: host. */
static void
bonsai_stats(void *tp, cJSON *out)
{
	struct bonsai *t = tp;
	tree_stats_emit(&t->st, out);
	cJSON_AddNumberToObject(out, "inplace_updates", (double)t->inplace_updates);
	cJSON_AddNumberToObject(out, "copies", (double)t->copies);
}

const struct tree_ops tree_bonsai_ops = {
	.comp = {
		.name = "bonsai",
		.summary = "Bonsai VM's weight-balanced RCU tree (cbtree.c, WEIGHT 4): in-place "
			   "child updates, rotations copy 2-3 nodes, keyed by vm_end",
		.params = bonsai_params,
		.params_size = sizeof(struct bonsai_params),
	},
	.flags = TREE_RCU_READERS | TREE_HP_NARROW,
	.create = bonsai_create,
	.destroy = bonsai_destroy,
	.lookup = bonsai_lookup,
	.find = bonsai_find,
	.iterate = bonsai_iterate,
	.insert = bonsai_insert,
	.erase = bonsai_erase,
	.find_gap = bonsai_find_gap,
	.check = bonsai_check,
	.count = bonsai_count,
	.stats = bonsai_stats,
};
