// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Linux's augmented rbtree of VMAs (models/tree/rbtree.c): exact costs of
 * an insert into a 3-node tree and a lookup in it on a 2-CPU machine, the
 * invariants after long random insert/erase sequences against a host
 * reference (find, lookup, find_gap and iterate results included; check()
 * asserts the red-black properties -- black root, no red-red, equal black
 * heights -- and that every rb_subtree_gap equals its recomputation), and
 * what is specific to the rbtree: unmapped_area prunes by rb_subtree_gap
 * (few nodes visited where an in-order walk would pass hundreds), ascending
 * inserts stay within the red-black height bound, trims are in place.
 *
 * Machine t_lat_default (harness.c): l1_hit 4, store_hit 1, leg_cluster
 * 5, one socket of 2 cores (one cluster); the allocator's path_cycles 0
 * and the tree's node_cycles 0, so only memory accesses cost.
 */
#include <string.h>

#include "tree-script.h"

static const struct tree_ops *rbt;

static uint64_t
live_stat(const char *name)
{
	cJSON *st = cJSON_CreateObject();
	ts.ops->stats(ts.t, st);
	uint64_t v = (uint64_t)cJSON_GetObjectItem(st, name)->valuedouble;
	cJSON_Delete(st);
	return v;
}

/* ---- (a) exact costs ---- */

static sim_time_t lat[3];

/*
 * CPU 0 inserts A [0x1000,0x2000), B [0x3000,0x4000), C [0x5000,0x6000)
 * in that order: A is the black root, B its red right child, C B's red
 * right child, whose uncle (A's left) is NULL: case 3, one left rotation
 * at A.  The tree is B (black) over A and C (red); every own gap is
 * 0x1000; highest_vm_end 0x6000.  CPU 0 settles: every line (the root
 * line R, A, B, C, the allocator's) is M in CPU 0's cache.
 *
 * At t=100000 CPU 0 inserts D [0x7000,0x8000), all its loads hits (4)
 * and all its stores to lines it owns (1, visible at once):
 *   find_vma_links: R->rb_node; B->vm_end (0x4000 <= 0x7000: prev = B),
 *     B->rb_right; C->vm_end (prev = C), C->rb_right = NULL: 5 loads  20
 *   kmem_cache_alloc fast path (test-kalloc: s->offset, c->freelist,
 *     c->tid, the next free pointer 4 each, stores to c->freelist and
 *     c->tid 1 each)                                                 18
 *   vm_start, vm_end, value, vm_prev stores                           4
 *   no next: R->highest_vm_end store                                  1
 *   rb_link_node: D's parent_color (C | red), rb_left, rb_right, and
 *     C->rb_right = D: 4 stores                                       4
 *   D->rb_subtree_gap = 0                                             1
 *   vma_gap_update(D): vma_compute_subtree_gap(D) loads D's vm_start,
 *     vm_prev, C's vm_end, D's rb_left, rb_right (5 x 4) 20; D's gap
 *     4; 0x1000 != 0: store 1; rb_parent(D) 4; compute(C): vm_start,
 *     vm_prev, B's vm_end, rb_left, rb_right, D's gap (6 x 4) 24; C's
 *     gap 4: 0x1000 unchanged, stop                                  57
 *   __rb_insert(D): D's parent_color 4 (C); C's parent_color 4 (red,
 *     gparent B); B->rb_right 4 (C: the right side), B->rb_left 4 (A),
 *     A's parent_color 4 (red uncle: case 1): A and C black 2 stores;
 *     rb_parent(B) 4 (NULL), B red 1; parent NULL: B black 1          28
 *                                                           total   133
 *
 * At t=200000 CPU 1 (down_read taken before the clock starts) looks up
 * 0x5800, every line M at CPU 0:
 *   R->rb_node: a cluster transfer, 3 legs x leg_cluster 5             15
 *   B->vm_end: transfer 15 (0x4000 <= 0x5800), B->rb_right 4          19
 *   C->vm_end: transfer 15 (0x6000 > 0x5800), C->vm_start 4 (0x5000
 *     <= 0x5800: found)                                              19
 *   the value (C's line)                                              4
 *                                                           total    57
 * and at once again: every line now S at CPU 1: 6 loads x 4 = 24.
 */
static void
exact_script(uint32_t cpu)
{
	if (cpu == 0) {
		ts_write_lock();
		ts_insert_ok(0x1000, 0x2000);
		ts_insert_ok(0x3000, 0x4000);
		ts_insert_ok(0x5000, 0x6000);
		ts_write_unlock();
		ts_settle();
		sim_sleep_until(100000);
		sim_time_t t0 = sim_now();
		ts_insert_ok(0x7000, 0x8000);
		lat[0] = sim_now() - t0;
		ts_settle();
		ts_check();
	} else {
		sim_sleep_until(200000);
		struct tree_range r;
		ts_read_lock();
		sim_time_t t0 = sim_now();
		g_assert_true(ts.ops->lookup(ts.t, 0x5800, &r));
		lat[1] = sim_now() - t0;
		g_assert_cmpuint(r.start, ==, 0x5000);
		g_assert_cmpuint(r.end, ==, 0x6000);
		g_assert_true(r.value == (void *)(uintptr_t)0x5001);
		t0 = sim_now();
		g_assert_true(ts.ops->lookup(ts.t, 0x5800, &r));
		lat[2] = sim_now() - t0;
		ts_read_unlock();
	}
}

static void
test_exact_costs(void)
{
	struct ts_config c = { .tree = rbt, .sockets = 1, .cores = 2, .cpus = 2, .seed = 1,
			       .script = exact_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_test_message("insert %" G_GUINT64_FORMAT ", lookup %" G_GUINT64_FORMAT
		       ", again %" G_GUINT64_FORMAT, lat[0], lat[1], lat[2]);
	g_assert_true(ts.check_ok);
	g_assert_cmpuint(ts.count, ==, 4);
	g_assert_cmpuint(ts_stat("nodes_allocated"), ==, 4);
	g_assert_cmpuint(ts_stat("nodes_retired"), ==, 0);
	/* C's insert rotated once; D's recoloured. */
	g_assert_cmpuint(ts_stat("rotations"), ==, 1);
	/* A black (1); C's case 3: B black, A red (2); D's case 1: A, C
	 * black, B red, B black at the root (4). */
	g_assert_cmpuint(ts_stat("recolours"), ==, 7);
	/* Own gaps of A, B, C, D set by vma_gap_update (4), the rotation's
	 * two (2). */
	g_assert_cmpuint(ts_stat("gap_updates"), ==, 6);
	g_assert_cmpuint(lat[0], ==, 133);
	g_assert_cmpuint(lat[1], ==, 57);
	g_assert_cmpuint(lat[2], ==, 24);
	ts_free_results();
}

/* ---- (b) random sequences against the host reference ---- */

static void
random_script(uint32_t cpu)
{
	(void)cpu;
	ts_random_sequence(3000, 25, 256, true);
}

static void
test_random(void)
{
	for (uint64_t seed = 1; seed <= 6; seed++) {
		struct ts_config c = { .tree = rbt, .sockets = 1, .cores = 2, .cpus = 1,
				       .seed = seed, .script = random_script };
		GError *err = ts_run(&c);
		g_assert_no_error(err);
		g_assert_true(ts.check_ok);
		/* Not vacuous: the sequence rotated, recoloured, trimmed,
		 * searched for gaps, inserted and erased. */
		g_assert_cmpuint(ts_stat("rotations"), >, 50);
		g_assert_cmpuint(ts_stat("recolours"), >, 100);
		g_assert_cmpuint(ts_stat("trims"), >, 50);
		g_assert_cmpuint(ts_stat("gap_searches"), >, 100);
		g_assert_cmpuint(ts_stat("inserts"), >, 300);
		g_assert_cmpuint(ts_stat("erases"), >, 300);
		ts_free_results();
	}
}

/* ---- (c) the rbtree's own properties ---- */

static uint64_t gap_visits[3], gap_found[3];
static uint64_t trim_alloc, trim_retired;

/*
 * 256 one-page regions at i * 0x2000 (one free page between neighbours) except i = 200..207, inserted in ascending order (the worst
 * case for an unbalanced tree: check() holds the height to 2 log2(n + 1)).
 * Free gaps: one page below each region but the first (at 0), 0x11000
 * between regions 199 and 208, and everything above the last.
 *   - find_gap(0x8000) must find 0x18f000 (the end of region 199) and,
 *     pruning by rb_subtree_gap, read a few nodes per level, not the 200
 *     an in-order walk passes;
 *   - find_gap(0x1000) finds the first page gap, 0x1000;
 *   - find_gap(0x20000) fits only above the last region.
 * Then erase of the middle of region 0 shrinks it in place and inserts
 * its right piece (1 node allocated, none retired), and an erase of
 * [0x2800, 0x4800) trims region 1 on the left and region 2 on the
 * right in place (nothing allocated or retired).
 */
static void
gap_script(uint32_t cpu)
{
	(void)cpu;
	uint64_t v0;
	ts_write_lock();
	for (unsigned i = 0; i < 256; i++) {
		if (i >= 200 && i < 208)
			continue;
		ts_insert_ok(i * 0x2000, i * 0x2000 + 0x1000);
	}
	static const uint64_t sizes[3] = { 0x8000, 0x1000, 0x20000 };
	for (unsigned k = 0; k < 3; k++) {
		v0 = live_stat("gap_nodes_visited");
		g_assert_true(ts.ops->find_gap(ts.t, sizes[k], 0, 0x40000000, &gap_found[k]));
		gap_visits[k] = live_stat("gap_nodes_visited") - v0;
	}
	uint64_t a0 = live_stat("nodes_allocated"), r0 = live_stat("nodes_retired");
	g_assert_cmpuint(ts.ops->erase(ts.t, 0x400, 0x800), ==, 1);
	g_assert_cmpuint(ts.ops->erase(ts.t, 0x2800, 0x4800), ==, 2);
	trim_alloc = live_stat("nodes_allocated") - a0;
	trim_retired = live_stat("nodes_retired") - r0;
	ts_write_unlock();
	ts_check();
	struct tree_range r;
	ts_read_lock();
	g_assert_true(ts.ops->lookup(ts.t, 0, &r));
	g_assert_cmpuint(r.end, ==, 0x400);
	g_assert_true(ts.ops->lookup(ts.t, 0x800, &r));
	g_assert_cmpuint(r.start, ==, 0x800);
	g_assert_cmpuint(r.end, ==, 0x1000);
	g_assert_true(r.value == (void *)(uintptr_t)1);
	g_assert_false(ts.ops->lookup(ts.t, 0x2800, &r));
	g_assert_true(ts.ops->find(ts.t, 0x2800, &r));
	g_assert_cmpuint(r.start, ==, 0x4800);
	g_assert_cmpuint(r.end, ==, 0x5000);
	ts_read_unlock();
}

static void
test_gap_and_trims(void)
{
	struct ts_config c = { .tree = rbt, .sockets = 1, .cores = 2, .cpus = 1, .seed = 1,
			       .script = gap_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_assert_true(ts.check_ok);
	g_test_message("find_gap nodes read: %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %"
		       G_GUINT64_FORMAT, gap_visits[0], gap_visits[1], gap_visits[2]);
	g_assert_cmpuint(gap_found[0], ==, 0x18f000);
	g_assert_cmpuint(gap_found[1], ==, 0x1000);
	g_assert_cmpuint(gap_found[2], ==, 255 * 0x2000 + 0x1000);
	/* 248 regions: height <= 2 log2(249) < 16; each level reads the node,
	 * at most its two children's gaps and its vm_prev. */
	g_assert_cmpuint(gap_visits[0], <=, 4 * 16);
	g_assert_cmpuint(gap_visits[1], <=, 4 * 16);
	/* Only the root's rb_subtree_gap (0x11000 < 0x20000) is read. */
	g_assert_cmpuint(gap_visits[2], ==, 1);
	g_assert_cmpuint(trim_alloc, ==, 1);
	g_assert_cmpuint(trim_retired, ==, 0);
	g_assert_cmpuint(ts.count, ==, 249);
	g_assert_cmpuint(ts_stat("trims"), ==, 3);
	/* Ascending inserts rotate (an unbalanced tree would be a list). */
	g_assert_cmpuint(ts_stat("rotations"), >, 200);
	ts_free_results();
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	rbt = tree_find("rbtree");
	g_assert_nonnull(rbt);
	g_test_add_func("/tree/rbtree/exact-costs", test_exact_costs);
	g_test_add_func("/tree/rbtree/random-vs-reference", test_random);
	g_test_add_func("/tree/rbtree/gap-and-trims", test_gap_and_trims);
	return g_test_run();
}
