// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The Bonsai tree (models/tree/bonsai.c): exact costs of a lookup and an
 * insert into a 3-node tree on a 2-CPU machine, the invariants after long
 * random insert/erase sequences against a host reference (find, lookup,
 * find_gap and iterate results included), and what is specific to
 * Bonsai: in-place updates allocate one node, rotations 2 or 3, delete of
 * a node with two children copies the successor path, trims copy the
 * node, and allocated - retired = regions at every step.
 *
 * Machine t_lat_default (harness.c): l1_hit 4, store_hit 1, leg_cluster
 * 5, one socket of 2 cores (one cluster); the allocator's path_cycles 0
 * and the tree's node_cycles 0, so only memory accesses cost.  The
 * reclaim scheme is tree_rcu, whose read side and dereference cost
 * nothing but the pointer load (preempt_disable; READ_ONCE).
 */
#include <string.h>

#include "tree-script.h"

static const struct tree_ops *bonsai;

static const struct tree_ops *
bonsai_ops(void)
{
	const struct tree_ops *o = tree_find("bonsai");
	g_assert_nonnull(o);
	return o;
}

/* ---- (a) exact costs ---- */

static sim_time_t lat[4];

/*
 * CPU 0 inserts A [0x1000,0x2000), B [0x3000,0x4000), C [0x5000,0x6000)
 * (keys 0x2000, 0x4000, 0x6000: the third insert rotates left, so the
 * tree is B' (0x4000) over A' (0x2000) and C (0x6000), B' and A' new),
 * and settles.  Every line (the root line R, A', B', C) is then M in
 * CPU 0's cache.
 *
 * At t=100000 CPU 1 looks up 0x5800 (in C):
 *   rcu_dereference(R->root): R is M at CPU 0: a cluster transfer,
 *     3 legs x leg_cluster 5                                    15
 *   B'->key: B' M at CPU 0, transfer                            15
 *   0x4000 <= 0x5800: rcu_dereference(B'->right), same line      4
 *   C->key: transfer                                            15
 *   0x6000 > 0x5800: C->start 4, C->value 4 (a candidate),
 *     rcu_dereference(C->left) = NULL 4                         12
 *                                                       total  61
 * and at once again: every line now S in CPU 1's cache: 7 loads x 4 = 28.
 *
 * At t=200000 CPU 0 inserts D [0x7000,0x8000) (key 0x8000): R, B' and C
 * are S (CPU 1 read them), A' still M.
 *   overlap check, writer_find_gt(0x7000): R->root, B'->key,
 *     B'->right, C->key, C->right: 5 hits x 4                   20
 *   insert: R->root 4; at B' key, left, right 12; at C 12        28
 *   mkNode(D): kmem_cache_alloc fast path (test-kalloc: s->offset,
 *     c->freelist, c->tid, the next free pointer 4 each, stores to
 *     c->freelist and c->tid 1 each)                            18
 *     six stores to D's line (left, right, size, key, start,
 *     value; the children are NULL: no size loads)               6
 *   mkBalanced(C, NULL, D): D->size (forwarded from the store
 *     buffer: a hit) 4; 0 + 1 < 2: balanced, in place: release
 *     store to C->right 1 (smp_wmb is free on x86), C->size 1     6
 *   mkBalanced(B', A', C): A'->size 4, C->size 4; 1 vs 2 within
 *     WEIGHT 4: in place, B'->right 1, B'->size 1                10
 *   rcu_assign_pointer(R->root, B'): release store                1
 *                                                       total  89
 * Stores to S lines (C, B', R) take an upgrade to drain, but the store
 * buffer (8 entries) never fills before the insert returns: no stall.
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
		sim_sleep_until(200000);
		sim_time_t t0 = sim_now();
		ts_insert_ok(0x7000, 0x8000);
		lat[2] = sim_now() - t0;
		ts_settle();
		ts_check();
	} else {
		sim_sleep_until(100000);
		struct tree_range r;
		ts.rcl->read_lock(ts.rs);
		sim_time_t t0 = sim_now();
		g_assert_true(ts.ops->lookup(ts.t, 0x5800, &r));
		lat[0] = sim_now() - t0;
		g_assert_cmpuint(r.start, ==, 0x5000);
		g_assert_cmpuint(r.end, ==, 0x6000);
		g_assert_true(r.value == (void *)(uintptr_t)0x5001);
		t0 = sim_now();
		g_assert_true(ts.ops->lookup(ts.t, 0x5800, &r));
		lat[1] = sim_now() - t0;
		ts.rcl->read_unlock(ts.rs);
	}
}

static void
test_exact_costs(void)
{
	struct ts_config c = { .tree = bonsai, .sockets = 1, .cores = 2, .cpus = 2, .seed = 1,
			       .script = exact_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_test_message("lookup %" G_GUINT64_FORMAT ", again %" G_GUINT64_FORMAT
		       ", insert %" G_GUINT64_FORMAT, lat[0], lat[1], lat[2]);
	g_assert_true(ts.check_ok);
	g_assert_cmpuint(ts.count, ==, 4);
	/* 3 + 2 (the rotation) + 1 allocated; A and B retired. */
	g_assert_cmpuint(ts_stat("nodes_allocated"), ==, 6);
	g_assert_cmpuint(ts_stat("nodes_retired"), ==, 2);
	g_assert_cmpuint(ts_stat("rotations"), ==, 1);
	g_assert_cmpuint(lat[0], ==, 61);
	g_assert_cmpuint(lat[1], ==, 28);
	g_assert_cmpuint(lat[2], ==, 89);
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
		struct ts_config c = { .tree = bonsai, .sockets = 1, .cores = 2, .cpus = 1,
				       .seed = seed, .script = random_script };
		GError *err = ts_run(&c);
		g_assert_no_error(err);
		g_assert_true(ts.check_ok);
		/* Not vacuous: the sequence rotated, copied and trimmed. */
		g_assert_cmpuint(ts_stat("rotations"), >, 50);
		g_assert_cmpuint(ts_stat("copies"), >, 50);
		g_assert_cmpuint(ts_stat("inserts"), >, 300);
		g_assert_cmpuint(ts_stat("erases"), >, 300);
		ts_free_results();
	}
}

/* ---- (c) Bonsai's own properties ---- */

static struct {
	uint64_t alloc, retired, rotations, copies, inplace;
} d[4];

static void
snap(unsigned i)
{
	cJSON *st = cJSON_CreateObject();
	ts.ops->stats(ts.t, st);
	d[i].alloc = (uint64_t)cJSON_GetObjectItem(st, "nodes_allocated")->valuedouble;
	d[i].retired = (uint64_t)cJSON_GetObjectItem(st, "nodes_retired")->valuedouble;
	d[i].rotations = (uint64_t)cJSON_GetObjectItem(st, "rotations")->valuedouble;
	d[i].copies = (uint64_t)cJSON_GetObjectItem(st, "copies")->valuedouble;
	d[i].inplace = (uint64_t)cJSON_GetObjectItem(st, "inplace_updates")->valuedouble;
	cJSON_Delete(st);
}

/*
 * Seven regions inserted in the order 4 2 6 1 3 5 7 (keys k * 0x2000)
 * build the perfect tree with no rotation: each insert allocates one
 * node and overwrites one child pointer in place on every level it
 * passes.  Then:
 *   - erase of region 4 (the root, two children): deleteMin on the right
 *     subtree {5 6 7} copies 6 (the path above the min, 5), a new copy of
 *     5 takes 4's place: 2 nodes allocated, 4 and the old 6 and 5 retired;
 *   - erase of the middle of region 1 (a trim on both sides): the node is
 *     replaced by a copy holding the right piece and the left piece is
 *     inserted: 2 allocated, 1 retired, 2 regions where there was 1;
 *   - inserting 64 regions in ascending order then needs rotations and
 *     check() (the WEIGHT bound) still holds.
 */
static void
shape_script(uint32_t cpu)
{
	(void)cpu;
	static const unsigned order[] = { 4, 2, 6, 1, 3, 5, 7 };
	ts_write_lock();
	for (unsigned i = 0; i < 7; i++)
		ts_insert_ok(order[i] * 0x2000 - 0x1000, order[i] * 0x2000);
	snap(0);
	g_assert_cmpuint(ts.ops->erase(ts.t, 0x7000, 0x8000), ==, 1);
	snap(1);
	g_assert_cmpuint(ts.ops->erase(ts.t, 0x1400, 0x1800), ==, 1);
	snap(2);
	for (unsigned i = 0; i < 64; i++)
		ts_insert_ok(0x100000 + i * 0x2000, 0x101000 + i * 0x2000);
	snap(3);
	ts_write_unlock();
	ts_check();
	struct tree_range r;
	ts_read_lock();
	g_assert_true(ts.ops->lookup(ts.t, 0x1000, &r));
	g_assert_cmpuint(r.start, ==, 0x1000);
	g_assert_cmpuint(r.end, ==, 0x1400);
	g_assert_true(ts.ops->lookup(ts.t, 0x1800, &r));
	g_assert_cmpuint(r.start, ==, 0x1800);
	g_assert_cmpuint(r.end, ==, 0x2000);
	g_assert_true(r.value == (void *)(uintptr_t)0x1001);
	g_assert_false(ts.ops->lookup(ts.t, 0x1400, &r));
	g_assert_false(ts.ops->lookup(ts.t, 0x7800, &r));
	ts_read_unlock();
}

static void
test_shape(void)
{
	struct ts_config c = { .tree = bonsai, .sockets = 1, .cores = 2, .cpus = 1, .seed = 1,
			       .script = shape_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_assert_true(ts.check_ok);
	/* Seven inserts: 7 nodes, no rotation; the in-place stores: 0 for the
	 * first, then one per level passed: 1+1+2+2+2+2 = 10. */
	g_assert_cmpuint(d[0].alloc, ==, 7);
	g_assert_cmpuint(d[0].retired, ==, 0);
	g_assert_cmpuint(d[0].rotations, ==, 0);
	g_assert_cmpuint(d[0].inplace, ==, 10);
	/* Delete with two children. */
	g_assert_cmpuint(d[1].alloc - d[0].alloc, ==, 2);
	g_assert_cmpuint(d[1].retired - d[0].retired, ==, 3);
	g_assert_cmpuint(d[1].copies - d[0].copies, ==, 2);
	g_assert_cmpuint(d[1].rotations, ==, 0);
	/* Trim on both sides. */
	g_assert_cmpuint(d[2].alloc - d[1].alloc, ==, 2);
	g_assert_cmpuint(d[2].retired - d[1].retired, ==, 1);
	/* Ascending inserts rotate; every rotation allocates 2 or 3 nodes. */
	uint64_t rot = d[3].rotations - d[2].rotations;
	uint64_t extra = (d[3].alloc - d[2].alloc) - 64;
	g_assert_cmpuint(rot, >, 10);
	g_assert_cmpuint(extra, >=, 2 * rot);
	g_assert_cmpuint(extra, <=, 3 * rot);
	g_assert_cmpuint(ts.count, ==, 7 - 1 + 1 + 64);
	ts_free_results();
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	bonsai = bonsai_ops();
	g_test_add_func("/tree/bonsai/exact-costs", test_exact_costs);
	g_test_add_func("/tree/bonsai/random-vs-reference", test_random);
	g_test_add_func("/tree/bonsai/shape", test_shape);
	return g_test_run();
}
