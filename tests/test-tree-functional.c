// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The path-copying functional tree (models/tree/functional.c): exact costs
 * of an insert into a 3-node tree and a lookup in it on a 2-CPU machine,
 * the invariants after long random insert/erase sequences against a host
 * reference (find, lookup, find_gap and iterate results included), and
 * what path copying costs next to Bonsai's in-place updates on the same
 * sequence (same balance rule, so the same shapes): every update
 * allocates a new node per level of its path and retires the old one.
 *
 * Machine t_lat_default (harness.c): l1_hit 4, store_hit 1, leg_cluster
 * 5, one socket of 2 cores (one cluster); the allocator's path_cycles 0
 * and the tree's node_cycles 0, so only memory accesses cost.  The
 * reclaim scheme is tree_rcu: dereference is a plain load, assign_pointer
 * a release store, retire() is call_rcu (a load and a store of this CPU's
 * rcu_data cblist_len; the callback list itself is host memory).
 */
#include <string.h>

#include "tree-script.h"

static const struct tree_ops *fnt;

/* ---- (a) exact costs ---- */

static sim_time_t lat[3];

/*
 * CPU 0 inserts A [0x1000,0x2000), B [0x3000,0x4000), C [0x5000,0x6000)
 * (keys 0x2000, 0x4000, 0x6000): B's insert copies A (A'), C's copies B
 * (B') and A', and A' is then out of balance (0 vs 2 nodes): singleL
 * builds A'' and B'' over C.  7 nodes allocated, A, A', B, B' retired.
 * CPU 0 settles: the root line R, A'', B'', C, the allocator's and
 * rcu_data lines are M in CPU 0's cache.
 *
 * At t=100000 CPU 0 inserts D [0x7000,0x8000) (every load a hit, 4;
 * every store to a line it owns, 1):
 *   overlap check: R->root, B''->key, ->right, C->key, ->right           20
 *   R->root 4; insert at B'': key, left, right 12; at C 12                28
 *   mkNode(D): kmem_cache_alloc fast path (four loads, two stores) 18,
 *     six stores 6                                                       24
 *   rebuild(C): C's key, start, value 12; D->size 4 (forwarded from
 *     the store buffer); 0 + 1 < 2: a copy C' = mkNode(NULL, D): alloc
 *     18, six stores 6, D->size again 4                                  44
 *   rebuild(B''): its key, start, value 12; A''->size 4, C'->size 4
 *     (1 vs 2: balanced); B''' = mkNode(A'', C'): alloc 18, six
 *     stores 6, the two sizes again 8                                    52
 *   rcu_assign_pointer(R->root, B''') (release store)                     1
 *   retire C and B'': call_rcu, cblist_len load 4 + store 1, twice       10
 *                                                               total   179
 *
 * At t=200000 CPU 1 looks up 0x5800, every line M at CPU 0 (read_lock
 * taken before the clock starts):
 *   rcu_dereference(R->root): a cluster transfer, 3 legs x 5             15
 *   B'''->key: transfer 15; ->right 4                                    19
 *   C'->key: transfer 15; 0x6000 > 0x5800: ->start 4, ->value 4,
 *     ->left (NULL) 4                                                    27
 *                                                               total    61
 * and at once again, every line S at CPU 1: 7 loads x 4 = 28.
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
	struct ts_config c = { .tree = fnt, .sockets = 1, .cores = 2, .cpus = 2, .seed = 1,
			       .script = exact_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_test_message("insert %" G_GUINT64_FORMAT ", lookup %" G_GUINT64_FORMAT
		       ", again %" G_GUINT64_FORMAT, lat[0], lat[1], lat[2]);
	g_assert_true(ts.check_ok);
	g_assert_cmpuint(ts.count, ==, 4);
	/* 7 for A, B, C; D, C', B''' for D. */
	g_assert_cmpuint(ts_stat("nodes_allocated"), ==, 10);
	g_assert_cmpuint(ts_stat("nodes_retired"), ==, 6);
	g_assert_cmpuint(ts_stat("rotations"), ==, 1);
	g_assert_cmpuint(ts_stat("updates"), ==, 4);
	g_assert_cmpuint(lat[0], ==, 179);
	g_assert_cmpuint(lat[1], ==, 61);
	g_assert_cmpuint(lat[2], ==, 28);
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
		struct ts_config c = { .tree = fnt, .sockets = 1, .cores = 2, .cpus = 1,
				       .seed = seed, .script = random_script };
		GError *err = ts_run(&c);
		g_assert_no_error(err);
		g_assert_true(ts.check_ok);
		g_assert_cmpuint(ts_stat("rotations"), >, 50);
		g_assert_cmpuint(ts_stat("copies"), >, 1000);
		g_assert_cmpuint(ts_stat("inserts"), >, 300);
		g_assert_cmpuint(ts_stat("erases"), >, 300);
		ts_free_results();
	}
}

/* ---- (c) path copying against Bonsai's in-place updates ---- */

struct counts {
	uint64_t alloc, retired, rotations;
};

static struct counts d[2][4];   /* [functional, bonsai][phase] */
static unsigned which;

static void
snap(unsigned i)
{
	cJSON *st = cJSON_CreateObject();
	ts.ops->stats(ts.t, st);
	d[which][i].alloc = (uint64_t)cJSON_GetObjectItem(st, "nodes_allocated")->valuedouble;
	d[which][i].retired = (uint64_t)cJSON_GetObjectItem(st, "nodes_retired")->valuedouble;
	d[which][i].rotations = (uint64_t)cJSON_GetObjectItem(st, "rotations")->valuedouble;
	cJSON_Delete(st);
}

/*
 * The sequence of test-tree-bonsai's shape test, on both trees: seven
 * regions in the order 4 2 6 1 3 5 7 (keys k * 0x2000) build the perfect
 * tree with no rotation; the erase of region 4 (the root, two children);
 * the erase of the middle of region 1 (a trim on both sides); 64
 * ascending inserts (rotations).  Functional, by hand:
 *   - the k-th insert allocates one node per level of its path plus the
 *     leaf: 1 + 2 + 2 + 3 + 3 + 3 + 3 = 17, and retires the 10 it copied
 *     (Bonsai: 7 and 0);
 *   - erase of 4: 6 is copied over its new left (NULL: 5 left) and a copy
 *     of 5 takes 4's place: 2 allocated, 4, 5, 6 retired (as Bonsai);
 *   - the trim: the right piece replaces region 1 at the end of the path
 *     5' -> 2 -> 1 (3 new, 3 retired), then the left piece is inserted
 *     below the new 1 (a leaf and 3 copies; 3 retired): 7 allocated, 6
 *     retired (Bonsai: 2 and 1);
 *   - the ascending inserts rotate at the same levels as Bonsai's.
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
}

static void
test_vs_bonsai(void)
{
	const struct tree_ops *trees[2] = { fnt, tree_find("bonsai") };
	g_assert_nonnull(trees[1]);
	for (which = 0; which < 2; which++) {
		struct ts_config c = { .tree = trees[which], .sockets = 1, .cores = 2, .cpus = 1,
				       .seed = 1, .script = shape_script };
		GError *err = ts_run(&c);
		g_assert_no_error(err);
		g_assert_true(ts.check_ok);
		g_assert_cmpuint(ts.count, ==, 7 - 1 + 1 + 64);
		ts_free_results();
	}
	const struct counts *f = d[0], *b = d[1];
	g_test_message("64 ascending inserts: functional allocated %" G_GUINT64_FORMAT
		       ", retired %" G_GUINT64_FORMAT "; bonsai %" G_GUINT64_FORMAT ", %"
		       G_GUINT64_FORMAT, f[3].alloc - f[2].alloc, f[3].retired - f[2].retired,
		       b[3].alloc - b[2].alloc, b[3].retired - b[2].retired);
	g_assert_cmpuint(f[0].alloc, ==, 17);
	g_assert_cmpuint(f[0].retired, ==, 10);
	g_assert_cmpuint(f[0].rotations, ==, 0);
	g_assert_cmpuint(b[0].alloc, ==, 7);
	g_assert_cmpuint(f[1].alloc - f[0].alloc, ==, 2);
	g_assert_cmpuint(f[1].retired - f[0].retired, ==, 3);
	g_assert_cmpuint(f[2].alloc - f[1].alloc, ==, 7);
	g_assert_cmpuint(f[2].retired - f[1].retired, ==, 6);
	g_assert_cmpuint(b[2].alloc - b[1].alloc, ==, 2);
	/* Same balance rule, same shapes: the same rotations. */
	for (unsigned i = 0; i < 4; i++)
		g_assert_cmpuint(f[i].rotations, ==, b[i].rotations);
	/* Every ascending insert copies its whole path (>= 2 levels once
	 * the tree has 7 nodes): more than twice Bonsai's allocations. */
	g_assert_cmpuint(f[3].alloc - f[2].alloc, >, 2 * (b[3].alloc - b[2].alloc));
	/* One node per region at the end: allocated - retired = regions. */
	g_assert_cmpuint(f[3].alloc - f[3].retired, ==, 71);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	fnt = tree_find("functional");
	g_assert_nonnull(fnt);
	g_test_add_func("/tree/functional/exact-costs", test_exact_costs);
	g_test_add_func("/tree/functional/random-vs-reference", test_random);
	g_test_add_func("/tree/functional/vs-bonsai", test_vs_bonsai);
	return g_test_run();
}
