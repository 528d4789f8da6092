// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Linux's red-black tree of VMAs with the free-gap augmentation, as
 * mm/mmap.c kept it before the maple tree (Linux 3.8 .. 6.0): the index
 * whose readers need mmap_sem (down_read) because writers rebalance it in
 * place.
 *
 * SOURCE: lib/rbtree.c (__rb_insert, ____rb_erase_color / __rb_erase_color,
 * __rb_rotate_set_parents, __rb_change_child, rb_next, rb_first),
 * include/linux/rbtree_augmented.h (__rb_erase_augmented, the
 * propagate/copy/rotate callbacks, __rb_parent_color packing: parent
 * pointer | colour in bit 0, RB_RED 0, RB_BLACK 1), mm/mmap.c of Linux 5.x
 * (vma_compute_gap / vma_compute_subtree_gap, vma_gap_callbacks,
 * vma_gap_update, find_vma_links, __vma_link_rb, __vma_link_list,
 * find_vma, unmapped_area, detach_vmas_to_be_unmapped, __vma_adjust's
 * in-place vm_start/vm_end changes).
 *
 * A node is the region record itself (the VMA's first line):
 *
 *           mm root line: rb_node, highest_vm_end
 *                  |
 *            [0x3000,0x4000) B   black    gap = max(own gap, children's)
 *             /            \
 *   [0x1000,0x2000) A   [0x5000,0x6000) C    red
 *
 *   own gap of a node = vm_start - vm_prev->vm_end (vm_start if no
 *   vm_prev): the free space just below it;  rb_subtree_gap = the largest
 *   own gap in its subtree.  Above the last region: highest_vm_end.
 *
 * Writers (the caller holds mmap_sem for write): insert walks down
 * (find_vma_links), links a red leaf, updates the gaps above it and
 * rebalances with __rb_insert (recolourings and at most two rotations),
 * the augment rotate callback fixing the two rotated nodes' gaps; erase
 * unlinks with __rb_erase_augmented and rebalances with __rb_erase_color
 * (at most three rotations).  Every change is a store IN PLACE to a node a
 * reader may be walking: readers are not safe beside a writer, so this
 * tree does not set TREE_RCU_READERS and its readers run under down_read.
 *
 * Readers (find_vma, lookup, iterate) load vm_end, vm_start, value, child
 * and parent pointers; they store nothing.  find_gap (unmapped_area) is
 * a writer-side search (get_unmapped_area runs under mmap_sem for write)
 * that descends only into subtrees whose rb_subtree_gap is large enough.
 *
 * Invariants (check()): in-order vm_start < vm_end, disjoint and
 * increasing; parent pointers match the children; the root is black; no
 * red node has a red child; every root-to-NULL path has the same number
 * of black nodes; height <= 2 log2(n + 1); vm_prev is the in-order
 * predecessor; rb_subtree_gap equals its recomputation at every node;
 * highest_vm_end is the last region's end (0 if none); no reachable node
 * is freed.
 *
 * MODEL: no vm_next list.  A node holds the caller's value where struct
 * vm_area_struct has vm_next (offset 16), so the record fits the VMA's
 * first line (vm_start, vm_end, vm_next, vm_prev, vm_rb, rb_subtree_gap:
 * 64 bytes).  vm_prev is kept (the gap needs it); the successor an insert
 * needs is the last node its find_vma_links walk went left at (free), and
 * erase and iterate step with rb_next (parent pointers).  Expected
 * effect: iterate and multi-region erase read about one more node line
 * per region than a vm_next walk (rb_next is amortized O(1)).
 * MODEL: no vmacache (the per-thread 4-entry find_vma cache of Linux
 * 3.15 .. 5.x) and no stack guard gap (vm_start_gap == vm_start).
 * Expected effect: every lookup pays the full walk; repeated lookups of
 * one VMA by one thread cost more than in Linux.
 * MODEL: erase (munmap) trims a region straddling an end of the range in
 * place (vm_start or vm_end stored, as __vma_adjust does) instead of
 * __split_vma's allocate-then-detach; a region straddling both ends is
 * shrunk in place to its left piece and its right piece inserted as a
 * new node (the one allocation __split_vma makes).  Removed nodes are
 * retired after the whole range is detached (remove_vma_list), so the
 * gap recomputations during the erase may still read them.  Expected
 * effect: a trim costs no allocation and no rebalancing; Linux's split
 * path allocates a VMA and later frees it.
 * MODEL: the alignment of vm_unmapped_area_info (align_mask,
 * align_offset) is 0.  No expected effect on the tree's work.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "engine.h"
#include "kalloc.h"
#include "reclaim.h"
#include "tree.h"

#define RB_NODE_SIZE 64u
#define RB_NODE_ALIGN 64u

#define RB_RED 0u
#define RB_BLACK 1u

struct rbtree_params {
	uint32_t node_cycles;       /* local work per node a walk compares */
};

static const struct sim_param rbtree_params[] = {
	SIM_P_U32_ROW(struct rbtree_params, node_cycles, 0, 1000, 0,
		      "local work (cycles) charged per node a lookup or update compares, "
		      "besides its loads (0: memory accesses only)"),
	SIM_P_END,
};

/*
 * struct rb_node, inside the VMA line.  Written only by the writer (in
 * place, under mmap_sem for write), read by readers under down_read and
 * by the writer.  __rb_parent_color: the parent's address | colour.
 */
struct rb_node {
	uint64_t __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};

/*
 * struct vm_area_struct's first line, one simulated line per region
 * (kmem_cache "vm_area_struct", 64 bytes aligned 64).
 *   vm_start, vm_end: written by the writer at insert, and in place by
 *     erase's trims; read by readers and the writer.
 *   value: written once at insert (the trim keeps it); read by readers.
 *   vm_prev: the in-order predecessor, written by the writer; read by the
 *     writer's gap computations (readers never read it).
 *   vm_rb: see struct rb_node.
 *   rb_subtree_gap: written by the writer's augment callbacks, read by
 *     the writer (the callbacks, unmapped_area).
 */
struct vm_area_struct {
	uint64_t vm_start;                  /* +0 */
	uint64_t vm_end;                    /* +8 */
	void *value;                        /* +16 (vm_next in Linux: MODEL above) */
	struct vm_area_struct *vm_prev;     /* +24 */
	struct rb_node vm_rb;               /* +32 */
	uint64_t rb_subtree_gap;            /* +56 */
};
_Static_assert(sizeof(struct vm_area_struct) == RB_NODE_SIZE, "one line");

/* mm->mm_rb and mm->highest_vm_end: their own line, homed at
 * env->home_cpu.  rb_node: written by the writer, read by everyone;
 * highest_vm_end: written and read by the writer. */
struct mm_rb_root {
	struct rb_node *rb_node;
	uint64_t highest_vm_end;
	uint64_t pad[6];
};

struct rbtree {
	struct tree_env env;
	struct rbtree_params p;
	struct mm_rb_root *root;            /* simulated */
	struct kmem_cache *vma_cache;
	struct tree_stats st;
	uint64_t recolours;                 /* colour flips by the rebalancing */
	uint64_t gap_updates;               /* rb_subtree_gap stores */
	uint64_t trims;                     /* vm_start / vm_end changed in place */
};

static struct vm_area_struct *
rb_vma(struct rb_node *rb)
{
	return rb ? (struct vm_area_struct *)((char *)rb - offsetof(struct vm_area_struct, vm_rb))
		  : NULL;
}

static void
node_work(struct rbtree *t)
{
	if (t->p.node_cycles)
		sim_work(t->p.node_cycles);
}

/* ---- struct rb_node accessors (every one a simulated access) ---- */

static uint64_t
rb_pc(struct rb_node *n)
{
	return sim_load64(&n->__rb_parent_color);
}

static struct rb_node *
pc_parent(uint64_t pc)
{
	return (struct rb_node *)(uintptr_t)(pc & ~(uint64_t)3);
}

static struct rb_node *
rb_parent(struct rb_node *n)
{
	return pc_parent(rb_pc(n));
}

static bool
rb_is_black(struct rb_node *n)
{
	return rb_pc(n) & RB_BLACK;
}

static struct rb_node *
rb_left(struct rb_node *n)
{
	return sim_loadp((void *const *)&n->rb_left);
}

static struct rb_node *
rb_right(struct rb_node *n)
{
	return sim_loadp((void *const *)&n->rb_right);
}

static void
set_left(struct rb_node *n, struct rb_node *c)
{
	sim_storep((void **)&n->rb_left, c);
}

static void
set_right(struct rb_node *n, struct rb_node *c)
{
	sim_storep((void **)&n->rb_right, c);
}

static void
rb_set_parent_color(struct rb_node *n, struct rb_node *p, unsigned color)
{
	sim_store64(&n->__rb_parent_color, (uint64_t)(uintptr_t)p | color);
}

static void
rb_set_parent(struct rb_node *n, struct rb_node *p)
{
	sim_store64(&n->__rb_parent_color, (rb_pc(n) & RB_BLACK) | (uint64_t)(uintptr_t)p);
}

/* __rb_change_child: parent's link to old (or the root) now points at
 * new.  Cost: one load of parent->rb_left, one store. */
static void
__rb_change_child(struct rbtree *t, struct rb_node *old, struct rb_node *new,
		  struct rb_node *parent)
{
	if (parent) {
		if (rb_left(parent) == old)
			set_left(parent, new);
		else
			set_right(parent, new);
	} else {
		sim_storep((void **)&t->root->rb_node, new);
	}
}

/* __rb_rotate_set_parents: new takes old's parent and colour, old becomes
 * new's child with colour color. */
static void
__rb_rotate_set_parents(struct rbtree *t, struct rb_node *old, struct rb_node *new,
			unsigned color)
{
	uint64_t pc = rb_pc(old);
	sim_store64(&new->__rb_parent_color, pc);
	rb_set_parent_color(old, new, color);
	__rb_change_child(t, old, new, pc_parent(pc));
}

/* ---- the gap augmentation (mm/mmap.c vma_gap_callbacks) ---- */

/*
 * vma_compute_subtree_gap - the largest free gap below vma: its own gap
 * (vm_start - vm_prev->vm_end) and its children's rb_subtree_gap.
 * Context: writer.  Cost: vm_start, vm_prev, the left and right pointers
 * (vma's line), vm_prev's vm_end, each child's rb_subtree_gap.
 */
static uint64_t
vma_compute_subtree_gap(struct vm_area_struct *vma)
{
	uint64_t max = sim_load64(&vma->vm_start);
	struct vm_area_struct *prev = sim_loadp((void *const *)&vma->vm_prev);
	if (prev) {
		uint64_t prev_end = sim_load64(&prev->vm_end);
		max = max > prev_end ? max - prev_end : 0;
	}
	struct rb_node *l = rb_left(&vma->vm_rb), *r = rb_right(&vma->vm_rb);
	if (l) {
		uint64_t g = sim_load64(&rb_vma(l)->rb_subtree_gap);
		if (g > max)
			max = g;
	}
	if (r) {
		uint64_t g = sim_load64(&rb_vma(r)->rb_subtree_gap);
		if (g > max)
			max = g;
	}
	return max;
}

/* vma_gap_callbacks_propagate: recompute from rb up to (not including)
 * stop, stopping early at the first node whose value is unchanged. */
static void
vma_gap_propagate(struct rbtree *t, struct rb_node *rb, struct rb_node *stop)
{
	while (rb != stop) {
		struct vm_area_struct *vma = rb_vma(rb);
		uint64_t gap = vma_compute_subtree_gap(vma);
		if (sim_load64(&vma->rb_subtree_gap) == gap)
			break;
		sim_store64(&vma->rb_subtree_gap, gap);
		t->gap_updates++;
		rb = rb_parent(rb);
	}
}

/* vma_gap_callbacks_copy: new takes old's place, and its gap. */
static void
vma_gap_copy(struct rbtree *t, struct rb_node *old, struct rb_node *new)
{
	sim_store64(&rb_vma(new)->rb_subtree_gap, sim_load64(&rb_vma(old)->rb_subtree_gap));
	t->gap_updates++;
}

/* vma_gap_callbacks_rotate: new now roots old's subtree (same gap), old
 * is recomputed. */
static void
vma_gap_rotate(struct rbtree *t, struct rb_node *old, struct rb_node *new)
{
	sim_store64(&rb_vma(new)->rb_subtree_gap, sim_load64(&rb_vma(old)->rb_subtree_gap));
	sim_store64(&rb_vma(old)->rb_subtree_gap, vma_compute_subtree_gap(rb_vma(old)));
	t->gap_updates += 2;
	t->st.rotations++;
}

/* vma_gap_update: vma's own gap changed (its vm_start, or vm_prev's end). */
static void
vma_gap_update(struct rbtree *t, struct vm_area_struct *vma)
{
	vma_gap_propagate(t, &vma->vm_rb, NULL);
}

/* ---- lib/rbtree.c ---- */

/*
 * __rb_insert - rebalance after node was linked as a red leaf: while its
 * parent is red, recolour (red uncle) or rotate once or twice (black
 * uncle) with the augment rotate callback.  Context: writer.  Cost: the
 * parent_color words, child pointers and gaps of the nodes on the path.
 */
static void
__rb_insert(struct rbtree *t, struct rb_node *node)
{
	struct rb_node *parent = pc_parent(rb_pc(node)), *gparent, *tmp;

	for (;;) {
		if (!parent) {
			rb_set_parent_color(node, NULL, RB_BLACK);
			t->recolours++;
			break;
		}
		uint64_t ppc = rb_pc(parent);
		if (ppc & RB_BLACK)
			break;
		gparent = pc_parent(ppc);  /* parent is red: not the root */
		tmp = rb_right(gparent);
		if (parent != tmp) {  /* parent == gparent->rb_left */
			if (tmp && !rb_is_black(tmp)) {
				/* Case 1: red uncle, flip colours and go up. */
				rb_set_parent_color(tmp, gparent, RB_BLACK);
				rb_set_parent_color(parent, gparent, RB_BLACK);
				node = gparent;
				parent = rb_parent(node);
				rb_set_parent_color(node, parent, RB_RED);
				t->recolours += 3;
				continue;
			}
			tmp = rb_right(parent);
			if (node == tmp) {
				/* Case 2: node is the inner child, rotate left at parent. */
				tmp = rb_left(node);
				set_right(parent, tmp);
				set_left(node, parent);
				if (tmp)
					rb_set_parent_color(tmp, parent, RB_BLACK);
				rb_set_parent_color(parent, node, RB_RED);
				vma_gap_rotate(t, parent, node);
				parent = node;
				tmp = rb_right(node);
			}
			/* Case 3: rotate right at gparent. */
			set_left(gparent, tmp);
			set_right(parent, gparent);
			if (tmp)
				rb_set_parent_color(tmp, gparent, RB_BLACK);
			__rb_rotate_set_parents(t, gparent, parent, RB_RED);
			vma_gap_rotate(t, gparent, parent);
			t->recolours += 2;
			break;
		} else {
			tmp = rb_left(gparent);
			if (tmp && !rb_is_black(tmp)) {
				rb_set_parent_color(tmp, gparent, RB_BLACK);
				rb_set_parent_color(parent, gparent, RB_BLACK);
				node = gparent;
				parent = rb_parent(node);
				rb_set_parent_color(node, parent, RB_RED);
				t->recolours += 3;
				continue;
			}
			tmp = rb_left(parent);
			if (node == tmp) {
				tmp = rb_right(node);
				set_left(parent, tmp);
				set_right(node, parent);
				if (tmp)
					rb_set_parent_color(tmp, parent, RB_BLACK);
				rb_set_parent_color(parent, node, RB_RED);
				vma_gap_rotate(t, parent, node);
				parent = node;
				tmp = rb_left(node);
			}
			set_right(gparent, tmp);
			set_left(parent, gparent);
			if (tmp)
				rb_set_parent_color(tmp, gparent, RB_BLACK);
			__rb_rotate_set_parents(t, gparent, parent, RB_RED);
			vma_gap_rotate(t, gparent, parent);
			t->recolours += 2;
			break;
		}
	}
}

/*
 * __rb_erase_augmented - unlink node: splice it out (at most one child)
 * or put its successor in its place, copying and propagating the gaps.
 * Return: the parent to rebalance from (a black leaf was removed), or
 * NULL.  Context: writer.
 */
static struct rb_node *
__rb_erase_augmented(struct rbtree *t, struct rb_node *node)
{
	struct rb_node *child = rb_right(node), *tmp = rb_left(node);
	struct rb_node *parent, *rebalance;
	uint64_t pc;

	if (!tmp) {
		/* At most a right child: it takes node's place and colour. */
		pc = rb_pc(node);
		parent = pc_parent(pc);
		__rb_change_child(t, node, child, parent);
		if (child) {
			sim_store64(&child->__rb_parent_color, pc);
			rebalance = NULL;
		} else {
			rebalance = (pc & RB_BLACK) ? parent : NULL;
		}
		tmp = parent;
	} else if (!child) {
		/* Only a left child (red, with a black node above it). */
		pc = rb_pc(node);
		sim_store64(&tmp->__rb_parent_color, pc);
		parent = pc_parent(pc);
		__rb_change_child(t, node, tmp, parent);
		rebalance = NULL;
		tmp = parent;
	} else {
		struct rb_node *successor = child, *child2;
		tmp = rb_left(child);
		if (!tmp) {
			/* The successor is node's right child. */
			parent = successor;
			child2 = rb_right(successor);
			vma_gap_copy(t, node, successor);
		} else {
			/* The successor is the leftmost node of the right subtree. */
			do {
				parent = successor;
				successor = tmp;
				tmp = rb_left(tmp);
			} while (tmp);
			child2 = rb_right(successor);
			set_left(parent, child2);
			set_right(successor, child);
			rb_set_parent(child, successor);
			vma_gap_copy(t, node, successor);
			vma_gap_propagate(t, parent, successor);
		}
		tmp = rb_left(node);
		set_left(successor, tmp);
		rb_set_parent(tmp, successor);
		pc = rb_pc(node);
		tmp = pc_parent(pc);
		__rb_change_child(t, node, successor, tmp);
		uint64_t pc2 = rb_pc(successor);
		if (child2) {
			rb_set_parent_color(child2, parent, RB_BLACK);
			rebalance = NULL;
		} else {
			rebalance = (pc2 & RB_BLACK) ? parent : NULL;
		}
		sim_store64(&successor->__rb_parent_color, pc);
		tmp = successor;
	}
	vma_gap_propagate(t, tmp, NULL);
	return rebalance;
}

/*
 * __rb_erase_color - restore equal black heights after a black leaf was
 * removed below parent: rotate a red sibling up, recolour a black sibling
 * with black children (and go up), or rotate once or twice.  Context:
 * writer.
 */
static void
__rb_erase_color(struct rbtree *t, struct rb_node *parent)
{
	struct rb_node *node = NULL, *sibling, *tmp1, *tmp2;

	for (;;) {
		sibling = rb_right(parent);
		if (node != sibling) {  /* node == parent->rb_left */
			if (!rb_is_black(sibling)) {
				/* Case 1: rotate left at parent. */
				tmp1 = rb_left(sibling);
				set_right(parent, tmp1);
				set_left(sibling, parent);
				rb_set_parent_color(tmp1, parent, RB_BLACK);
				__rb_rotate_set_parents(t, parent, sibling, RB_RED);
				vma_gap_rotate(t, parent, sibling);
				t->recolours += 2;
				sibling = tmp1;
			}
			tmp1 = rb_right(sibling);
			if (!tmp1 || rb_is_black(tmp1)) {
				tmp2 = rb_left(sibling);
				if (!tmp2 || rb_is_black(tmp2)) {
					/* Case 2: colour the sibling red. */
					rb_set_parent_color(sibling, parent, RB_RED);
					t->recolours++;
					uint64_t ppc = rb_pc(parent);
					if (!(ppc & RB_BLACK)) {
						sim_store64(&parent->__rb_parent_color, ppc | RB_BLACK);
						t->recolours++;
					} else {
						node = parent;
						parent = pc_parent(ppc);
						if (parent)
							continue;
					}
					break;
				}
				/* Case 3: rotate right at sibling. */
				tmp1 = rb_right(tmp2);
				set_left(sibling, tmp1);
				set_right(tmp2, sibling);
				set_right(parent, tmp2);
				if (tmp1)
					rb_set_parent_color(tmp1, sibling, RB_BLACK);
				vma_gap_rotate(t, sibling, tmp2);
				tmp1 = sibling;
				sibling = tmp2;
			}
			/* Case 4: rotate left at parent, recolour. */
			tmp2 = rb_left(sibling);
			set_right(parent, tmp2);
			set_left(sibling, parent);
			rb_set_parent_color(tmp1, sibling, RB_BLACK);
			if (tmp2)
				rb_set_parent(tmp2, parent);
			__rb_rotate_set_parents(t, parent, sibling, RB_BLACK);
			vma_gap_rotate(t, parent, sibling);
			t->recolours += 2;
			break;
		} else {
			sibling = rb_left(parent);
			if (!rb_is_black(sibling)) {
				tmp1 = rb_right(sibling);
				set_left(parent, tmp1);
				set_right(sibling, parent);
				rb_set_parent_color(tmp1, parent, RB_BLACK);
				__rb_rotate_set_parents(t, parent, sibling, RB_RED);
				vma_gap_rotate(t, parent, sibling);
				t->recolours += 2;
				sibling = tmp1;
			}
			tmp1 = rb_left(sibling);
			if (!tmp1 || rb_is_black(tmp1)) {
				tmp2 = rb_right(sibling);
				if (!tmp2 || rb_is_black(tmp2)) {
					rb_set_parent_color(sibling, parent, RB_RED);
					t->recolours++;
					uint64_t ppc = rb_pc(parent);
					if (!(ppc & RB_BLACK)) {
						sim_store64(&parent->__rb_parent_color, ppc | RB_BLACK);
						t->recolours++;
					} else {
						node = parent;
						parent = pc_parent(ppc);
						if (parent)
							continue;
					}
					break;
				}
				tmp1 = rb_left(tmp2);
				set_right(sibling, tmp1);
				set_left(tmp2, sibling);
				set_left(parent, tmp2);
				if (tmp1)
					rb_set_parent_color(tmp1, sibling, RB_BLACK);
				vma_gap_rotate(t, sibling, tmp2);
				tmp1 = sibling;
				sibling = tmp2;
			}
			tmp2 = rb_right(sibling);
			set_left(parent, tmp2);
			set_right(sibling, parent);
			rb_set_parent_color(tmp1, sibling, RB_BLACK);
			if (tmp2)
				rb_set_parent(tmp2, parent);
			__rb_rotate_set_parents(t, parent, sibling, RB_BLACK);
			vma_gap_rotate(t, parent, sibling);
			t->recolours += 2;
			break;
		}
	}
}

/* rb_erase_augmented: unlink, then rebalance if a black leaf went. */
static void
rb_erase_augmented(struct rbtree *t, struct rb_node *node)
{
	struct rb_node *rebalance = __rb_erase_augmented(t, node);
	if (rebalance)
		__rb_erase_color(t, rebalance);
}

/* rb_next: the in-order successor (parent pointers).  Cost: ~2 lines
 * amortized. */
static struct rb_node *
rb_next(struct rb_node *node)
{
	struct rb_node *parent, *r = rb_right(node);
	if (r) {
		node = r;
		while ((r = rb_left(node)))
			node = r;
		return node;
	}
	while ((parent = rb_parent(node)) && node == rb_right(parent))
		node = parent;
	return parent;
}

/* ---- mm/mmap.c ---- */

/*
 * find_vma - the lowest region with vm_end > addr: from the root, go left
 * at every node ending above addr (a candidate; stop at once if it also
 * starts at or below addr), right otherwise.  Return: the region or NULL;
 * *out (if not NULL) gets its bounds as the walk loaded them (value not
 * loaded).  Context: reader under down_read, or the writer.  Cost: the
 * root line, then per node vm_end and a child pointer (one line),
 * vm_start at candidates.
 */
static struct vm_area_struct *
find_vma(struct rbtree *t, uint64_t addr, struct tree_range *out)
{
	struct rb_node *rb = sim_loadp((void *const *)&t->root->rb_node);
	struct vm_area_struct *vma = NULL;
	uint64_t start = 0, end = 0;
	while (rb) {
		struct vm_area_struct *tmp = rb_vma(rb);
		node_work(t);
		uint64_t e = sim_load64(&tmp->vm_end);
		if (e > addr) {
			vma = tmp;
			end = e;
			start = sim_load64(&tmp->vm_start);
			if (start <= addr)
				break;
			rb = rb_left(rb);
		} else {
			rb = rb_right(rb);
		}
	}
	if (vma && out) {
		out->start = start;
		out->end = end;
		out->value = NULL;
	}
	return vma;
}

/* The region vma as a reader returns it (three loads of its line). */
static void
vma_range(struct vm_area_struct *vma, struct tree_range *out)
{
	out->start = sim_load64(&vma->vm_start);
	out->end = sim_load64(&vma->vm_end);
	out->value = sim_loadp(&vma->value);
}

/*
 * find_vma_links - where a region [start, end) goes: *link and *parent of
 * the new leaf, *prev and *next its in-order neighbours.  Return: 0, or
 * -EEXIST if a region overlaps.  Context: writer.  Cost: per node vm_end,
 * vm_start where it ends above start, one child pointer.
 */
static int
find_vma_links(struct rbtree *t, uint64_t start, uint64_t end, struct rb_node ***link,
	       struct rb_node **parent, struct vm_area_struct **prev,
	       struct vm_area_struct **next)
{
	struct rb_node **l = &t->root->rb_node, *p = NULL;
	struct rb_node *rb = sim_loadp((void *const *)l);
	*prev = *next = NULL;
	while (rb) {
		struct vm_area_struct *tmp = rb_vma(rb);
		node_work(t);
		p = rb;
		if (sim_load64(&tmp->vm_end) > start) {
			if (sim_load64(&tmp->vm_start) < end)
				return -EEXIST;
			*next = tmp;
			l = &rb->rb_left;
		} else {
			*prev = tmp;
			l = &rb->rb_right;
		}
		rb = sim_loadp((void *const *)l);
	}
	*link = l;
	*parent = p;
	return 0;
}

/*
 * vma_link - __vma_link_list + __vma_link_rb: a new node for [start, end)
 * between prev and next, the gaps above next and above it updated, then
 * rb_insert_augmented.  Context: writer; may yield (allocator).
 */
static void
vma_link(struct rbtree *t, uint64_t start, uint64_t end, void *value, struct rb_node **link,
	 struct rb_node *parent, struct vm_area_struct *prev, struct vm_area_struct *next)
{
	struct vm_area_struct *vma = kmem_cache_alloc(t->vma_cache, 0);
	t->st.nodes_allocated++;
	sim_store64(&vma->vm_start, start);
	sim_store64(&vma->vm_end, end);
	sim_storep(&vma->value, value);
	sim_storep((void **)&vma->vm_prev, prev);
	/* The gap following the new vma. */
	if (next) {
		sim_storep((void **)&next->vm_prev, vma);
		vma_gap_update(t, next);
	} else {
		sim_store64(&t->root->highest_vm_end, end);
	}
	/* rb_link_node: a red leaf under parent. */
	rb_set_parent_color(&vma->vm_rb, parent, RB_RED);
	set_left(&vma->vm_rb, NULL);
	set_right(&vma->vm_rb, NULL);
	sim_storep((void **)link, &vma->vm_rb);
	sim_store64(&vma->rb_subtree_gap, 0);
	vma_gap_update(t, vma);
	__rb_insert(t, &vma->vm_rb);
}

/* ---- tree_ops ---- */

static void *
rbtree_create(const struct tree_env *env, const void *params)
{
	struct rbtree *t = g_new0(struct rbtree, 1);
	t->env = *env;
	if (params)
		t->p = *(const struct rbtree_params *)params;
	else
		sim_params_defaults(rbtree_params, &t->p);
	t->root = sim_alloc(sizeof *t->root, 64);
	sim_mem_prime(env->sim, t->root, sizeof *t->root, env->home_cpu);
	t->vma_cache = kmem_cache_create(env->ka, "vm_area_struct", RB_NODE_SIZE, RB_NODE_ALIGN);
	return t;
}

static void
rbtree_destroy(void *tp)
{
	g_free(tp);
}

/* lookup: find_vma + the vm_start check.  Context: reader (down_read);
 * may yield.  Cost: find_vma's, then the found node's value (its line:
 * a hit). */
static bool
rbtree_lookup(void *tp, uint64_t addr, struct tree_range *out)
{
	struct rbtree *t = tp;
	struct tree_range r;
	t->st.lookups++;
	struct vm_area_struct *vma = find_vma(t, addr, &r);
	if (!vma || r.start > addr)
		return false;
	r.value = sim_loadp(&vma->value);
	t->st.lookup_hits++;
	*out = r;
	return true;
}

/* find: find_vma.  Context: reader (down_read); may yield.  Cost:
 * find_vma's and the value (a hit). */
static bool
rbtree_find(void *tp, uint64_t addr, struct tree_range *out)
{
	struct rbtree *t = tp;
	t->st.lookups++;
	struct vm_area_struct *vma = find_vma(t, addr, out);
	if (!vma)
		return false;
	out->value = sim_loadp(&vma->value);
	t->st.lookup_hits++;
	return true;
}

/* iterate: find_vma(lo), then rb_next while regions start below hi.
 * Context: reader (down_read); may yield. */
static void
rbtree_iterate(void *tp, uint64_t lo, uint64_t hi,
	       bool (*fn)(void *arg, const struct tree_range *r), void *arg)
{
	struct rbtree *t = tp;
	struct vm_area_struct *vma = find_vma(t, lo, NULL);
	while (vma) {
		struct tree_range r;
		vma_range(vma, &r);
		if (r.start >= hi || !fn(arg, &r))
			return;
		vma = rb_vma(rb_next(&vma->vm_rb));
	}
}

/* insert: find_vma_links (refusing an overlap), then vma_link.  Context:
 * writer; may yield. */
static int
rbtree_insert(void *tp, uint64_t start, uint64_t end, void *value)
{
	struct rbtree *t = tp;
	struct rb_node **link, *parent;
	struct vm_area_struct *prev, *next;
	g_assert(start < end);
	if (find_vma_links(t, start, end, &link, &parent, &prev, &next))
		return -EEXIST;
	vma_link(t, start, end, value, link, parent, prev, next);
	t->st.inserts++;
	return 0;
}

/*
 * erase: munmap of [start, end) (MODEL above): a region straddling start
 * is trimmed in place (or, straddling both ends, shrunk and its right
 * piece inserted); the regions inside are unlinked with
 * rb_erase_augmented, stepping with rb_next; a region straddling end gets
 * vm_start = end in place; then the first region above takes the last
 * one below as vm_prev and its gap is updated (or highest_vm_end set),
 * and the removed nodes are retired.  Context: writer; may yield.
 */
static uint64_t
rbtree_erase(void *tp, uint64_t start, uint64_t end)
{
	struct rbtree *t = tp;
	g_assert(start < end);
	struct vm_area_struct *vma = find_vma(t, start, NULL), *prev;
	uint64_t n = 0;

	if (!vma || sim_load64(&vma->vm_start) >= end)
		return 0;
	prev = sim_loadp((void *const *)&vma->vm_prev);
	uint64_t vs = sim_load64(&vma->vm_start);
	if (vs < start) {
		uint64_t ve = sim_load64(&vma->vm_end);
		sim_store64(&vma->vm_end, start);
		t->trims++;
		if (ve > end) {
			/* __split_vma: the right piece is a new region; its
			 * vma_link updates the gap of the region after it. */
			struct rb_node **link, *parent;
			struct vm_area_struct *p, *nx;
			int r = find_vma_links(t, end, ve, &link, &parent, &p, &nx);
			g_assert(r == 0 && p == vma);
			vma_link(t, end, ve, sim_loadp(&vma->value), link, parent, p, nx);
			t->st.erases++;
			return 1;
		}
		n++;
		prev = vma;
		vma = rb_vma(rb_next(&vma->vm_rb));
	}
	GPtrArray *removed = g_ptr_array_new();
	while (vma && sim_load64(&vma->vm_start) < end) {
		if (sim_load64(&vma->vm_end) > end) {
			sim_store64(&vma->vm_start, end);
			t->trims++;
			n++;
			break;
		}
		struct vm_area_struct *next = rb_vma(rb_next(&vma->vm_rb));
		rb_erase_augmented(t, &vma->vm_rb);
		g_ptr_array_add(removed, vma);
		n++;
		vma = next;
	}
	if (vma) {
		sim_storep((void **)&vma->vm_prev, prev);
		vma_gap_update(t, vma);
	} else {
		sim_store64(&t->root->highest_vm_end, prev ? sim_load64(&prev->vm_end) : 0);
	}
	/* remove_vma_list */
	for (guint i = 0; i < removed->len; i++)
		tree_node_retire(&t->env, &t->st, removed->pdata[i], RB_NODE_SIZE, RB_NODE_ALIGN);
	g_ptr_array_free(removed, TRUE);
	t->st.erases++;
	return n;
}

/*
 * find_gap: unmapped_area() -- descend to the lowest node whose own gap
 * fits, pruning by rb_subtree_gap: go left while the left subtree's gap
 * is large enough and the node's start is high enough, check the gap
 * below the node, go right if the right subtree's gap is large enough,
 * else climb to the next ancestor reached from its left; past the last
 * region, the gap above highest_vm_end.  Context: writer (mmap_sem for
 * write); may yield.  Cost: gap_nodes_visited counts the node lines read
 * (the nodes passed, children whose rb_subtree_gap was tested, vm_prev
 * of each node whose own gap was tested).
 */
static bool
rbtree_find_gap(void *tp, uint64_t size, uint64_t lo, uint64_t hi, uint64_t *start_out)
{
	struct rbtree *t = tp;
	uint64_t length = size, low_limit, high_limit, gap_start, gap_end;
	struct vm_area_struct *vma;

	t->st.gap_searches++;
	if (size == 0 || lo >= hi || size > hi - lo)
		return false;
	high_limit = hi - length;
	low_limit = lo + length;

	struct rb_node *rb = sim_loadp((void *const *)&t->root->rb_node);
	if (!rb)
		goto check_highest;
	vma = rb_vma(rb);
	t->st.gap_nodes_visited++;
	if (sim_load64(&vma->rb_subtree_gap) < length)
		goto check_highest;

	for (;;) {
		node_work(t);
		gap_end = sim_load64(&vma->vm_start);
		struct rb_node *l = rb_left(&vma->vm_rb);
		if (gap_end >= low_limit && l) {
			struct vm_area_struct *left = rb_vma(l);
			t->st.gap_nodes_visited++;
			if (sim_load64(&left->rb_subtree_gap) >= length) {
				vma = left;
				continue;
			}
		}
		{
			struct vm_area_struct *p = sim_loadp((void *const *)&vma->vm_prev);
			if (p)
				t->st.gap_nodes_visited++;
			gap_start = p ? sim_load64(&p->vm_end) : 0;
		}
check_current:
		if (gap_start > high_limit)
			return false;
		if (gap_end >= low_limit && gap_end > gap_start && gap_end - gap_start >= length)
			goto found;
		{
			struct rb_node *r = rb_right(&vma->vm_rb);
			if (r) {
				struct vm_area_struct *right = rb_vma(r);
				t->st.gap_nodes_visited++;
				if (sim_load64(&right->rb_subtree_gap) >= length) {
					vma = right;
					continue;
				}
			}
		}
		/* Up to the next ancestor reached from its left. */
		for (;;) {
			struct rb_node *prev = &vma->vm_rb, *up = rb_parent(prev);
			if (!up)
				goto check_highest;
			vma = rb_vma(up);
			t->st.gap_nodes_visited++;
			if (prev == rb_left(up)) {
				struct vm_area_struct *p = sim_loadp((void *const *)&vma->vm_prev);
				t->st.gap_nodes_visited++;
				gap_start = sim_load64(&p->vm_end);
				gap_end = sim_load64(&vma->vm_start);
				goto check_current;
			}
		}
	}
check_highest:
	gap_start = sim_load64(&t->root->highest_vm_end);
	if (gap_start > high_limit)
		return false;
found:
	if (gap_start < lo)
		gap_start = lo;
	*start_out = gap_start;
	return true;
}

/* ---- host context ---- */

struct check_walk {
	struct rbtree *t;
	GString *why;
	const struct vm_area_struct *prev;
	uint64_t n;
	unsigned depth, max_depth;
	int black_height;           /* -1 until the first NULL is reached */
};

static bool
check_fail(struct check_walk *w, const char *what, const struct vm_area_struct *v)
{
	g_string_append_printf(w->why, "rbtree: %s at region [%#" G_GINT64_MODIFIER "x, %#"
			       G_GINT64_MODIFIER "x)", what, v->vm_start, v->vm_end);
	return false;
}

/* Host recursion: *gap_out the subtree's recomputed gap. */
static bool
check_node(struct check_walk *w, const struct rb_node *rb, const struct rb_node *parent,
	   bool parent_red, int blacks, uint64_t *gap_out)
{
	if (!rb) {
		if (w->black_height < 0)
			w->black_height = blacks;
		else if (w->black_height != blacks) {
			g_string_append_printf(w->why, "rbtree: black heights %d and %d",
					       w->black_height, blacks);
			return false;
		}
		*gap_out = 0;
		return true;
	}
	const struct vm_area_struct *v = rb_vma((struct rb_node *)rb);
	if (!sim_addr_valid(v)) {
		g_string_append_printf(w->why, "rbtree: node pointer %p outside simulated memory",
				       (const void *)v);
		return false;
	}
	if (sim_mem_any_poisoned(w->t->env.sim, v, sizeof *v)) {
		g_string_append_printf(w->why, "rbtree: reachable node at offset %" G_GUINT64_FORMAT
				       " is freed", sim_addr_offset(v));
		return false;
	}
	if (pc_parent(rb->__rb_parent_color) != parent)
		return check_fail(w, "parent pointer does not match", v);
	bool red = !(rb->__rb_parent_color & RB_BLACK);
	if (red && parent_red)
		return check_fail(w, "red node with a red parent", v);
	if (++w->depth > w->max_depth)
		w->max_depth = w->depth;
	uint64_t lg, rg;
	if (!check_node(w, rb->rb_left, rb, red, blacks + !red, &lg))
		return false;
	if (v->vm_start >= v->vm_end)
		return check_fail(w, "empty region", v);
	if (w->prev && v->vm_start < w->prev->vm_end)
		return check_fail(w, "overlaps or precedes the previous region", v);
	if (v->vm_prev != w->prev)
		return check_fail(w, "vm_prev is not the predecessor", v);
	uint64_t own = v->vm_start - (w->prev ? w->prev->vm_end : 0);
	w->prev = v;
	w->n++;
	if (!check_node(w, rb->rb_right, rb, red, blacks + !red, &rg))
		return false;
	w->depth--;
	uint64_t gap = MAX(own, MAX(lg, rg));
	if (v->rb_subtree_gap != gap) {
		g_string_append_printf(w->why, "rbtree: rb_subtree_gap %#" G_GINT64_MODIFIER "x, "
				       "recomputed %#" G_GINT64_MODIFIER "x, at region [%#"
				       G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER "x)",
				       v->rb_subtree_gap, gap, v->vm_start, v->vm_end);
		return false;
	}
	*gap_out = gap;
	return true;
}

/* check: the invariants in the header.  Context: host; costs nothing. */
static bool
rbtree_check(void *tp, GString *why)
{
	struct rbtree *t = tp;
	struct check_walk w = { .t = t, .why = why, .black_height = -1 };
	const struct rb_node *root = t->root->rb_node;
	uint64_t gap;
	if (root && !(root->__rb_parent_color & RB_BLACK)) {
		g_string_append(why, "rbtree: the root is red");
		return false;
	}
	if (!check_node(&w, root, NULL, false, 0, &gap))
		return false;
	uint64_t last = w.prev ? w.prev->vm_end : 0;
	if (t->root->highest_vm_end != last) {
		g_string_append_printf(why, "rbtree: highest_vm_end %#" G_GINT64_MODIFIER "x, last "
				       "region ends at %#" G_GINT64_MODIFIER "x",
				       t->root->highest_vm_end, last);
		return false;
	}
	if ((double)w.max_depth > 2.0 * log2((double)w.n + 1.0)) {
		g_string_append_printf(why, "rbtree: height %u above 2 log2(%" G_GUINT64_FORMAT
				       " + 1)", w.max_depth, w.n);
		return false;
	}
	return true;
}

static uint64_t
count_node(const struct rb_node *rb)
{
	return rb ? 1 + count_node(rb->rb_left) + count_node(rb->rb_right) : 0;
}

/* count: a host walk.  Context: host. */
static uint64_t
rbtree_count(void *tp)
{
	struct rbtree *t = tp;
	return count_node(t->root->rb_node);
}

/* stats: the common counters, recolours, gap_updates, trims.  Context:
 * host. */
static void
rbtree_stats(void *tp, cJSON *out)
{
	struct rbtree *t = tp;
	tree_stats_emit(&t->st, out);
	cJSON_AddNumberToObject(out, "recolours", (double)t->recolours);
	cJSON_AddNumberToObject(out, "gap_updates", (double)t->gap_updates);
	cJSON_AddNumberToObject(out, "trims", (double)t->trims);
}

const struct tree_ops tree_rbtree_ops = {
	.comp = {
		.name = "rbtree",
		.summary = "Linux's augmented red-black tree of VMAs (mm/mmap.c before 6.1): "
			   "in-place rebalancing, rb_subtree_gap for unmapped_area, readers "
			   "under mmap_sem",
		.params = rbtree_params,
		.params_size = sizeof(struct rbtree_params),
	},
	.flags = 0,
	.create = rbtree_create,
	.destroy = rbtree_destroy,
	.lookup = rbtree_lookup,
	.find = rbtree_find,
	.iterate = rbtree_iterate,
	.insert = rbtree_insert,
	.erase = rbtree_erase,
	.find_gap = rbtree_find_gap,
	.check = rbtree_check,
	.count = rbtree_count,
	.stats = rbtree_stats,
};
