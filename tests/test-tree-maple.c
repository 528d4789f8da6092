// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The maple tree (models/tree/maple.c): exact costs of a lookup and of
 * inserts into a 3-region tree on a 2-CPU machine, check() after every
 * operation of long random insert/erase sequences against the host
 * reference (find, lookup, find_gap and iterate results included), and
 * what is specific to the maple tree: the slot-store fast path allocates
 * nothing, splits grow the height and merges shrink it back with every
 * non-root node at least at its minimum fill (check()), allocated -
 * retired = reachable nodes, and readers beside a writer restart on dead
 * nodes and still find what the reference says.
 *
 * Machine t_lat_default (harness.c): l1_hit 4, store_hit 1, leg_cluster
 * 5, one socket of 2 cores (one cluster); the allocator's path_cycles 0
 * and the tree's node_cycles 0, so only memory accesses cost.  The
 * reclaim scheme is tree_rcu, whose read side and dereference cost
 * nothing but the pointer load (preempt_disable; READ_ONCE).
 */
#include <errno.h>
#include <string.h>

#include "tree-script.h"

static const struct tree_ops *maple;

/* The tree's stats now (during a run). */
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

static sim_time_t lat[4];

/*
 * CPU 0 inserts A [0x1000,0x2000), B [0x3000,0x4000), C [0x5000,0x6000):
 * each insert splits a NULL range, so each copies the root leaf (3 leaves
 * built, 2 retired).  The root leaf L then holds 7 ranges: NULL, A, NULL,
 * B, NULL, C, NULL with pivots 0xfff 0x1fff 0x2fff 0x3fff 0x4fff 0x5fff
 * and ULONG_MAX (pivots 0-6: line 0 with the parent word), slots 0-6 on
 * line 2.  CPU 0 settles: the ma_root line and L's lines are M at CPU 0.
 *
 * At t=100000 CPU 1 looks up 0x5800 (in C), mtree_lookup_walk:
 *   rcu_dereference(mt->ma_root): M at CPU 0, a cluster transfer,
 *     3 legs x leg_cluster 5                                    15
 *   L's parent word (its type): line 0, transfer                15
 *   pivots 0-5 (0x5fff >= 0x5800 stops at slot 5): 6 hits x 4    24
 *   slot 5 (a leaf: the value, plain load): line 2, transfer     15
 *   dead check, the parent word again: hit                       4
 *                                                       total  73
 * and at once again: 10 loads, all hits: 40.
 *
 * At t=200000 CPU 0 inserts [0x2000,0x3000): exactly the NULL slot 2
 * between A and B, so mas_wr_slot_store (lines S: CPU 1 read them).
 *   overlap check, writer walk: ma_root 4, pivots 0-2 12, slot 2 4  20
 *   mas_store: ma_root 4, pivots 0-2 12 (slot 2 is [0x2000,
 *     0x2fff] exactly)                                          16
 *   rcu_assign_pointer(slot 2): release store, buffered          1
 *   no gap to update (the root leaf has no parent)               0
 *                                                       total  37
 *
 * At t=300000 CPU 0 inserts D [0x7000,0x8000): inside the last NULL
 * range [0x6000, ULONG_MAX], so the leaf is copied with 9 ranges.
 *   overlap check: ma_root 4, pivots 0-6 28, slot 6 4            36
 *   mas_store: ma_root 4; slot-store test, pivots 0-6 28; node_read
 *     of L, 7 pivots and 7 slots 56                              88
 *   kmem_cache_alloc fast path (test-kalloc: s->offset,
 *     c->freelist, c->tid and the object's free pointer 4 each,
 *     stores to c->freelist and c->tid 1 each)                   18
 *   mas_build_node, 19 stores (parent word, pivots 0-8, slots 0-8)
 *     into a new node whose lines 0, 1 and 3 no cache holds (line 2
 *     holds SLUB's free pointer at offset 128: owned): the parent
 *     word queues at t=300142 and its line's first-touch request
 *     (leg_socket 10 + mem 300 + leg_socket 10 = 320, test-cost)
 *     completes at 300462; pivots 0-6 (7 x 1) fill the 8-entry store
 *     buffer at 300150; pivot 7 (line 1) waits for the head: 300463,
 *     its own request done at 300782; pivot 8 and slots 0-5 fill the
 *     buffer again at 300470; slot 6 waits: 300783; slots 7, 8
 *     (slot 8 on line 3, queued, not waited for): 300785           643
 *   publish: the new root's parent word 1, rcu_assign_pointer
 *     (mt->ma_root) 1                                             2
 *   mte_set_node_dead(L): one store                               1
 *   call_rcu(L) (tree_rcu: cblist_len load 4, store 1)            5
 *                                                       total 793
 * (The store buffer holds line 3's request, the upgrades of the
 * ma_root and L lines, never full again before the insert returns.)
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
		ts_insert_ok(0x2000, 0x3000);
		lat[2] = sim_now() - t0;
		ts_settle();
		sim_sleep_until(300000);
		t0 = sim_now();
		ts_insert_ok(0x7000, 0x8000);
		lat[3] = sim_now() - t0;
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
	struct ts_config c = { .tree = maple, .sockets = 1, .cores = 2, .cpus = 2, .seed = 1,
			       .script = exact_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_test_message("lookup %" G_GUINT64_FORMAT ", again %" G_GUINT64_FORMAT
		       ", slot-store insert %" G_GUINT64_FORMAT ", leaf-copy insert %"
		       G_GUINT64_FORMAT, lat[0], lat[1], lat[2], lat[3]);
	g_assert_true(ts.check_ok);
	g_assert_cmpuint(ts.count, ==, 5);
	/* One leaf per insert but the slot store; all but the last retired. */
	g_assert_cmpuint(ts_stat("nodes_allocated"), ==, 4);
	g_assert_cmpuint(ts_stat("nodes_retired"), ==, 3);
	g_assert_cmpuint(ts_stat("slot_stores"), ==, 1);
	g_assert_cmpuint(ts_stat("height"), ==, 1);
	g_assert_cmpuint(lat[0], ==, 73);
	g_assert_cmpuint(lat[1], ==, 40);
	g_assert_cmpuint(lat[2], ==, 37);
	g_assert_cmpuint(lat[3], ==, 793);
	ts_free_results();
}

/* ---- (b) random sequences against the host reference ---- */

static uint64_t rnd_pages;

static void
random_script(uint32_t cpu)
{
	(void)cpu;
	ts_random_sequence(4000, 1, rnd_pages, false);
}

static void
test_random(void)
{
	static const uint64_t pages[] = { 64, 1024, 8192 };
	for (uint64_t seed = 1; seed <= 6; seed++) {
		rnd_pages = pages[seed % 3];
		struct ts_config c = { .tree = maple, .sockets = 1, .cores = 2, .cpus = 1,
				       .seed = seed, .script = random_script };
		GError *err = ts_run(&c);
		g_assert_no_error(err);
		g_assert_true(ts.check_ok);
		g_test_message("pages %" G_GUINT64_FORMAT ": height %" G_GUINT64_FORMAT
			       ", splits %" G_GUINT64_FORMAT ", merges %" G_GUINT64_FORMAT
			       ", slot stores %" G_GUINT64_FORMAT ", regions %" G_GUINT64_FORMAT,
			       rnd_pages, ts_stat("height"), ts_stat("splits"), ts_stat("merges"),
			       ts_stat("slot_stores"), ts.count);
		ts_free_results();
	}
}

/* ---- (c) the maple tree's own properties ---- */

static struct {
	uint64_t alloc, retired, slot_stores, splits, merges, height, nodes;
} d[6];

static void
snap(unsigned i)
{
	d[i].alloc = live_stat("nodes_allocated");
	d[i].retired = live_stat("nodes_retired");
	d[i].slot_stores = live_stat("slot_stores");
	d[i].splits = live_stat("splits");
	d[i].merges = live_stat("merges");
	d[i].height = live_stat("height");
	d[i].nodes = live_stat("nodes");
}

#define NREG 200u
#define RBASE 0x100000u

/*
 * 200 regions of one page, one page apart, inserted in ascending order:
 * 401 ranges (a NULL gap before each region and the tail), so at least
 * 26 leaves of 16 slots, 3 inner nodes of 10 and a root: height 3, grown
 * by splits only.  Then:
 *   - filling the gap between regions 0 and 1 exactly is one slot store
 *     (nothing allocated), and erasing that region again too (its
 *     neighbours are regions, so no NULLs to merge);
 *   - erasing region 100 (NULLs on both sides merge: 3 ranges become 1)
 *     copies its leaf, and possibly its neighbour when the leaf falls
 *     under 6 slots;
 *   - erasing regions 199 down to 60 one at a time (each erase turns 3
 *     ranges into 1) empties leaves below their minimum of 6: merges
 *     with the next-door leaf, and the inner nodes above them in turn;
 *   - erasing everything left is one spanning store over every leaf: the
 *     leaf level becomes the top, one new root leaf holding one NULL
 *     range, every old node retired;
 * and after every step allocated - retired = the nodes reachable, and
 * check() holds (fill, gaps, pivots, parents, no dead node reachable).
 */
static void
shape_script(uint32_t cpu)
{
	(void)cpu;
	ts_write_lock();
	for (unsigned i = 0; i < NREG; i++)
		ts_insert_ok(RBASE + i * 0x2000, RBASE + i * 0x2000 + 0x1000);
	snap(0);
	ts_check();
	ts_insert_ok(RBASE + 0x1000, RBASE + 0x2000);
	snap(1);
	g_assert_cmpuint(ts.ops->erase(ts.t, RBASE + 0x1000, RBASE + 0x2000), ==, 1);
	snap(2);
	ts_check();
	g_assert_cmpuint(ts.ops->erase(ts.t, RBASE + 100 * 0x2000, RBASE + 100 * 0x2000 + 0x1000),
			 ==, 1);
	snap(3);
	ts_check();
	g_assert_cmpint(ts.ops->insert(ts.t, RBASE + 0x800, RBASE + 0x1800, (void *)(uintptr_t)8),
			==, -EEXIST);
	for (unsigned i = NREG - 1; i >= 60; i--)
		g_assert_cmpuint(ts.ops->erase(ts.t, RBASE + i * 0x2000, RBASE + i * 0x2000 + 0x1000),
				 ==, i == 100 ? 0 : 1);
	snap(4);
	ts_check();
	g_assert_cmpuint(ts.ops->erase(ts.t, 0, RBASE + NREG * 0x2000), ==, 60);
	snap(5);
	ts_write_unlock();
	ts_check();
	struct tree_range r;
	uint64_t at;
	ts_read_lock();
	g_assert_false(ts.ops->lookup(ts.t, RBASE, &r));
	g_assert_false(ts.ops->find(ts.t, 0, &r));
	ts_read_unlock();
	ts_write_lock();
	g_assert_true(ts.ops->find_gap(ts.t, 0x10000, 0x1000, 0x100000, &at));
	g_assert_cmpuint(at, ==, 0x1000);
	ts_write_unlock();
}

static void
test_shape(void)
{
	struct ts_config c = { .tree = maple, .sockets = 1, .cores = 2, .cpus = 1, .seed = 1,
			       .script = shape_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_assert_true(ts.check_ok);
	for (unsigned i = 0; i <= 5; i++) {
		g_test_message("step %u: allocated %" G_GUINT64_FORMAT " retired %" G_GUINT64_FORMAT
			       " nodes %" G_GUINT64_FORMAT " height %" G_GUINT64_FORMAT " splits %"
			       G_GUINT64_FORMAT " merges %" G_GUINT64_FORMAT, i, d[i].alloc,
			       d[i].retired, d[i].nodes, d[i].height, d[i].splits, d[i].merges);
		g_assert_cmpuint(d[i].alloc - d[i].retired, ==, d[i].nodes);
	}
	/* Ascending inserts: splits only, height 3 (401 ranges > 16 * 10). */
	g_assert_cmpuint(d[0].height, ==, 3);
	g_assert_cmpuint(d[0].merges, ==, 0);
	g_assert_cmpuint(d[0].splits, >, 0);
	g_assert_cmpuint(d[0].nodes, >=, 26 + 3 + 1);
	/* Exact gap fill and exact erase: slot stores, nothing allocated. */
	g_assert_cmpuint(d[1].alloc, ==, d[0].alloc);
	g_assert_cmpuint(d[1].slot_stores, ==, d[0].slot_stores + 1);
	g_assert_cmpuint(d[2].alloc, ==, d[0].alloc);
	g_assert_cmpuint(d[2].slot_stores, ==, d[0].slot_stores + 2);
	/* NULLs merging: a leaf copy (one parent slot store) or a merge. */
	g_assert_cmpuint(d[3].alloc - d[2].alloc, >=, 1);
	g_assert_cmpuint(d[3].retired - d[2].retired, >=, 1);
	/* Erasing one by one: merges, no split. */
	g_assert_cmpuint(d[4].merges, >, 0);
	g_assert_cmpuint(d[4].splits, ==, d[3].splits);
	g_assert_cmpuint(d[4].nodes, <, d[3].nodes);
	/* Everything erased: one new leaf, every old node retired. */
	g_assert_cmpuint(d[5].height, ==, 1);
	g_assert_cmpuint(d[5].nodes, ==, 1);
	g_assert_cmpuint(d[5].alloc - d[4].alloc, ==, 1);
	g_assert_cmpuint(d[5].retired - d[4].retired, ==, d[4].nodes);
	g_assert_cmpuint(ts.count, ==, 0);
	ts_free_results();
}

/* ---- readers restart on dead nodes ---- */

static volatile bool writer_done;
static uint64_t reader_hits;

static void
retry_script(uint32_t cpu)
{
	if (cpu == 0) {
		writer_done = false;
		ts_random_sequence(1500, 50, 64, false);
		writer_done = true;
		return;
	}
	while (!writer_done) {
		uint64_t addr = 0x100000 + sim_random_below(64 * 0x1000);
		struct tree_range r;
		ts_read_lock();
		bool got = ts.ops->lookup(ts.t, addr, &r);
		ts_read_unlock();
		if (got && (r.start > addr || r.end <= addr))
			sim_fail("maple: lookup(%#" G_GINT64_MODIFIER "x) = [%#" G_GINT64_MODIFIER
				 "x, %#" G_GINT64_MODIFIER "x)", addr, r.start, r.end);
		reader_hits += got;
		if (ts.rcl->quiescent_state)
			ts.rcl->quiescent_state(ts.rs);
	}
}

/*
 * Three readers look up addresses without pause while one writer runs a
 * random sequence on a small tree (height 1-2): some walks meet a leaf
 * or root the writer has just replaced and marked dead, and restart.
 */
static void
test_retries(void)
{
	struct ts_config c = { .tree = maple, .sockets = 1, .cores = 4, .cpus = 4, .seed = 3,
			       .script = retry_script };
	reader_hits = 0;
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_assert_true(ts.check_ok);
	g_test_message("lookups %" G_GUINT64_FORMAT ", retries %" G_GUINT64_FORMAT,
		       ts_stat("lookups"), ts_stat("lookup_retries"));
	g_assert_cmpuint(ts_stat("lookup_retries"), >, 0);
	g_assert_cmpuint(reader_hits, >, 100);
	ts_free_results();
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	maple = tree_find("maple");
	g_assert_nonnull(maple);
	g_test_add_func("/tree/maple/exact-costs", test_exact_costs);
	g_test_add_func("/tree/maple/random-vs-reference", test_random);
	g_test_add_func("/tree/maple/shape", test_shape);
	g_test_add_func("/tree/maple/dead-node-retries", test_retries);
	return g_test_run();
}
