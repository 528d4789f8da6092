// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * RadixVM's radix tree (models/tree/radix.c): exact costs of a lookup and
 * an insert into a 3-region tree on a 2-CPU machine; the invariants after
 * long random insert/erase sequences against the host reference (find,
 * lookup, find_gap and iterate included); and what is specific to radix:
 * writers of disjoint ranges share no lock, overlapping writers
 * serialize on the entry locks (exactly one of two equal inserts wins,
 * no mixed pages), folded entries are stored once and expand correctly,
 * node counts reach zero and nodes are retired only epochs after the
 * flush, and retired nodes go back to the allocator.
 *
 * Machine t_lat_default (harness.c): l1_hit 4, store_hit 1, atomic_hit
 * 20, leg_cluster 5, mem 300, one socket of 2 cores (one cluster); the
 * allocator's path_cycles 0, so only memory accesses cost.  The reclaim
 * scheme is tree_rcu: read_lock/unlock and dereference cost nothing but
 * the pointer load.
 */
#include <errno.h>
#include <string.h>

#include "tree-script.h"

#define PG 0x1000ull

static const struct tree_ops *radix;

static void
insert_ok(uint64_t s, uint64_t e, uint64_t v)
{
	int r = ts.ops->insert(ts.t, s, e, (void *)(uintptr_t)v);
	g_assert_cmpint(r, ==, 0);
}

static uint64_t
stat_in(cJSON *st, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(st, name);
	g_assert_true(cJSON_IsNumber(v));
	return (uint64_t)v->valuedouble;
}

/* A tree stat while the run goes on (host read, costs nothing). */
static uint64_t
live_stat(const char *name)
{
	cJSON *st = cJSON_CreateObject();
	ts.ops->stats(ts.t, st);
	uint64_t v = stat_in(st, name);
	cJSON_Delete(st);
	return v;
}

/* The radix parameters with a given epoch (cycles). */
static uint8_t params_buf[64];

static const void *
params_epoch(uint64_t epoch)
{
	g_assert_cmpuint(radix->comp.params_size, <=, sizeof params_buf);
	sim_params_defaults(radix->comp.params, params_buf);
	memcpy(params_buf, &epoch, sizeof epoch);  /* epoch_cycles is the first member */
	return params_buf;
}

/* ---- (a) exact costs ---- */

static sim_time_t lat[4];

/*
 * CPU 0 inserts A [0x1000,0x2000), B [0x3000,0x4000), C [0x5000,0x6000)
 * (pages 1, 3, 5: the walk of the first one expands root slot 0, then
 * slot 0 of the new level-2 node, then slot 0 of the level-1 node, each a
 * new node: 3 nodes, the leaf holding slots 1, 3, 5 on its first line),
 * and settles.  The Refcache epoch is 10^9 cycles: no flush in this run.
 * Every slot line the walks touched (root slot 0, level-2 slot 0,
 * level-1 slot 0, leaf slots 0-7) is M in CPU 0's cache, written last by
 * the release stores that published the children and the values.
 *
 * At t=100000 CPU 1 looks up 0x5800: one rcu_dereference of a slot per
 * level (tree_rcu: a plain load), each line M at CPU 0: a cluster
 * transfer, 3 legs x leg_cluster 5 = 15:
 *   root slot 0, level-2 slot 0, level-1 slot 0, leaf slot 5   4 x 15 = 60
 * and at once again: the four lines now S in CPU 1's cache: 4 x 4 = 16.
 *
 * At t=200000 CPU 0 inserts D [0x7000,0x8000) (page 7, leaf line 0):
 *   rc_tick: CPU 0's delta-cache epoch (its own line), same epoch      4
 *   tree_rcu read_lock/unlock: nothing (preempt_disable)               0
 *   lock_range: root slot 0, level-2 slot 0, level-1 slot 0, leaf
 *     slot 7: S copies (CPU 1 read them), 4 hits                      16
 *   cmpxchg(slot 7, 0 -> locked): the line is shared with CPU 1: an
 *     invalidation round (a = leg_socket 10 to the home, b = 10 to the
 *     sharer, d = leg_cluster 5) + atomic_hit 20 (test-cost's CAS
 *     wake case: same figures)                                        45
 *   release store of RS_PRESENT | value into slot 7 (now M)            1
 *   rc_delta(leaf, +1): the entry's node (the leaf, installed by the
 *     first insert: a hit) 4, its delta 4, store of delta + 1 1        9
 *                                                             total  75
 */
static void
exact_script(uint32_t cpu)
{
	if (cpu == 0) {
		ts_write_lock();
		insert_ok(0x1000, 0x2000, 0x1001);
		insert_ok(0x3000, 0x4000, 0x3001);
		insert_ok(0x5000, 0x6000, 0x5001);
		ts_write_unlock();
		ts_settle();
		sim_sleep_until(200000);
		sim_time_t t0 = sim_now();
		insert_ok(0x7000, 0x8000, 0x7001);
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
		g_assert_cmphex(r.start, ==, 0x5000);
		g_assert_cmphex(r.end, ==, 0x6000);
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
	struct ts_config c = { .tree = radix, .tree_params = params_epoch(1000000000),
			       .sockets = 1, .cores = 2, .cpus = 2, .seed = 1,
			       .script = exact_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_test_message("lookup %" G_GUINT64_FORMAT ", again %" G_GUINT64_FORMAT
		       ", insert %" G_GUINT64_FORMAT, lat[0], lat[1], lat[2]);
	g_assert_true(ts.check_ok);
	g_assert_cmpuint(ts.count, ==, 4);
	g_assert_cmpuint(ts_stat("nodes_allocated"), ==, 3);
	g_assert_cmpuint(ts_stat("nodes_retired"), ==, 0);
	g_assert_cmpuint(lat[0], ==, 60);
	g_assert_cmpuint(lat[1], ==, 16);
	g_assert_cmpuint(lat[2], ==, 75);
	ts_free_results();
}

/* ---- (b) random sequences against the host reference ---- */

static void
random_script(uint32_t cpu)
{
	(void)cpu;
	ts_random_sequence(3000, 25, 256, false);
}

static void
random_wide_script(uint32_t cpu)
{
	(void)cpu;
	/* 4096 pages: 8 leaf nodes, which empty and refill. */
	ts_random_sequence(3000, 25, 4096, false);
}

static void
test_random(void)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct ts_config c = { .tree = radix, .sockets = 1, .cores = 2, .cpus = 1,
				       .seed = seed, .script = random_script };
		GError *err = ts_run(&c);
		g_assert_no_error(err);
		g_assert_true(ts.check_ok);
		g_assert_cmpuint(ts_stat("inserts"), >, 300);
		g_assert_cmpuint(ts_stat("erases"), >, 300);
		g_assert_cmpuint(ts_stat("lookup_hits"), >, 100);
		ts_free_results();
	}
	/* With a short epoch nodes empty, are reviewed and retired during
	 * the sequence, and refilled ones are kept (review_aborts). */
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct ts_config c = { .tree = radix, .tree_params = params_epoch(2000),
				       .sockets = 1, .cores = 2, .cpus = 1, .seed = seed,
				       .script = random_wide_script };
		GError *err = ts_run(&c);
		g_assert_no_error(err);
		g_assert_true(ts.check_ok);
		g_test_message("seed %" G_GUINT64_FORMAT ": allocated %" G_GUINT64_FORMAT
			       ", retired %" G_GUINT64_FORMAT ", reviews %" G_GUINT64_FORMAT
			       ", aborts %" G_GUINT64_FORMAT, seed, ts_stat("nodes_allocated"),
			       ts_stat("nodes_retired"), ts_stat("reviews"),
			       ts_stat("review_aborts"));
		g_assert_cmpuint(ts_stat("review_aborts"), >, 0);
		ts_free_results();
	}
}

/* ---- (c) concurrent writers: no common lock, entry locks serialize ---- */

#define X0 0x200000ull          /* level-1 slot 1: its own leaf */
#define X1 0x400000ull          /* level-1 slot 2: another leaf */
#define RUN (16 * PG)
static sim_time_t solo[2], conc[2];

/*
 * Writers of disjoint ranges: each CPU inserts and erases 16 pages in its
 * own leaf, once untimed (which allocates the nodes: CPU 0 at t=10000,
 * CPU 1 at t=200000), then alone (CPU 0 at t=400000, CPU 1 at t=500000),
 * then both at t=700000, without the caller's lock
 * (TREE_CONCURRENT_WRITERS).  The only lines both touch are the upper
 * slots they read (S in both caches); their leaves, slot locks and
 * delta caches (epoch 10^9: no flush) are their own.  So no slot lock is
 * ever found held and each concurrent insert costs exactly what it cost
 * alone: the two run side by side, with no common lock.
 */
static void
disjoint_script(uint32_t cpu)
{
	uint64_t a = cpu ? X1 : X0;
	/* First, untimed: allocate the leaves (and the upper nodes). */
	sim_sleep_until(cpu ? 200000 : 10000);
	insert_ok(a, a + RUN, a | 5);
	g_assert_cmpuint(ts.ops->erase(ts.t, a, a + RUN), ==, 1);
	/* Re-read the path: CPU 1's expansion of level-1 slot 2 wrote the
	 * line that holds slot 1 too. */
	sim_sleep_until(cpu ? 490000 : 390000);
	struct tree_range r;
	ts_read_lock();
	g_assert_false(ts.ops->lookup(ts.t, a, &r));
	ts_read_unlock();
	sim_sleep_until(cpu ? 500000 : 400000);
	sim_time_t t0 = sim_now();
	insert_ok(a, a + RUN, a | 1);
	solo[cpu] = sim_now() - t0;
	g_assert_cmpuint(ts.ops->erase(ts.t, a, a + RUN), ==, 1);
	sim_sleep_until(700000);
	t0 = sim_now();
	insert_ok(a, a + RUN, a | 3);
	conc[cpu] = sim_now() - t0;
	ts_settle();
}

static void
test_disjoint_writers(void)
{
	struct ts_config c = { .tree = radix, .tree_params = params_epoch(1000000000),
			       .sockets = 1, .cores = 2, .cpus = 2, .seed = 1,
			       .script = disjoint_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_test_message("solo %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT ", concurrent %"
		       G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT, solo[0], solo[1], conc[0],
		       conc[1]);
	g_assert_true(ts.check_ok);
	g_assert_cmpuint(ts.count, ==, 2);
	g_assert_cmpuint(ts_stat("lock_waits"), ==, 0);
	g_assert_cmpuint(conc[0], ==, solo[0]);
	g_assert_cmpuint(conc[1], ==, solo[1]);
	ts_free_results();
}

#define Y 0x600000ull
static int rc_of[2];
static uint64_t ov_shift;       /* CPU 1's range starts ov_shift pages in */

/*
 * Overlapping writers: at the same instant CPU 0 inserts [Y, Y + 16
 * pages) and CPU 1 [Y + shift, Y + shift + 16 pages), each with its own
 * value.  The entry locks, taken left to right, let exactly one of them
 * map its range: the other returns -EEXIST with nothing of its own
 * mapped; every page of the winner's range holds the winner's value.
 */
static void
overlap_script(uint32_t cpu)
{
	uint64_t s = Y + (cpu ? ov_shift * PG : 0);
	/* Build the path to the leaf first, so both race on leaf slots. */
	if (cpu == 0) {
		insert_ok(Y + 100 * PG, Y + 101 * PG, 0x99);
		ts_settle();
	}
	sim_sleep_until(100000);
	rc_of[cpu] = ts.ops->insert(ts.t, s, s + RUN, (void *)(uintptr_t)(0x100 + cpu));
	sim_sleep_until(200000);
	if (cpu == 0) {
		g_assert_true(rc_of[0] == 0 || rc_of[1] == 0);
		g_assert_true(rc_of[0] == -EEXIST || rc_of[1] == -EEXIST);
		unsigned w = rc_of[0] == 0 ? 0 : 1;
		uint64_t ws = Y + (w ? ov_shift * PG : 0);
		for (uint64_t p = Y; p < Y + (ov_shift + 16) * PG; p += PG) {
			struct tree_range r;
			ts_read_lock();
			bool got = ts.ops->lookup(ts.t, p, &r);
			ts_read_unlock();
			bool in_winner = p >= ws && p < ws + RUN;
			if (got != in_winner || (got && r.value != (void *)(uintptr_t)(0x100 + w)))
				sim_fail("page %#" G_GINT64_MODIFIER "x: mapped %d, value %p, "
					 "winner CPU %u", p, got, got ? r.value : NULL, w);
		}
		ts_check();
	}
}

static void
test_overlapping_writers(void)
{
	static const uint64_t shifts[] = { 0, 8, 15 };
	uint64_t waits = 0;
	for (size_t k = 0; k < G_N_ELEMENTS(shifts); k++)
		for (uint64_t seed = 1; seed <= 4; seed++) {
			ov_shift = shifts[k];
			struct ts_config c = { .tree = radix, .sockets = 1, .cores = 2, .cpus = 2,
					       .seed = seed, .jitter = 30, .jitter_every = 2,
					       .script = overlap_script };
			GError *err = ts_run(&c);
			g_assert_no_error(err);
			g_assert_true(ts.check_ok);
			g_assert_cmpuint(ts.count, ==, 2);
			g_assert_cmpuint(ts_stat("inserts"), ==, 2);
			waits += ts_stat("lock_waits");
			ts_free_results();
		}
	/* Not vacuous: the losers did wait on a held entry lock. */
	g_test_message("lock waits over 12 runs: %" G_GUINT64_FORMAT, waits);
	g_assert_cmpuint(waits, >, 0);
}

/* ---- (c) folding ---- */

#define MB2 (512 * PG)
#define GB1 (512 * MB2)

static struct {
	uint64_t alloc, folded, expansions;
} f[4];

static void
fsnap(unsigned i)
{
	f[i].alloc = live_stat("nodes_allocated");
	f[i].folded = live_stat("folded_stores");
	f[i].expansions = live_stat("expansions");
}

static void
expect_piece(uint64_t addr, uint64_t s, uint64_t e, uint64_t v)
{
	struct tree_range r;
	ts_read_lock();
	bool got = ts.ops->lookup(ts.t, addr, &r);
	ts_read_unlock();
	g_assert_true(got);
	g_assert_cmphex(r.start, ==, s);
	g_assert_cmphex(r.end, ==, e);
	g_assert_true(r.value == (void *)(uintptr_t)v);
}

static void
expect_unmapped(uint64_t addr)
{
	struct tree_range r;
	ts_read_lock();
	g_assert_false(ts.ops->lookup(ts.t, addr, &r));
	ts_read_unlock();
}

static bool
collect(void *arg, const struct tree_range *r)
{
	g_array_append_val((GArray *)arg, *r);
	return true;
}

/*
 * A 2 MiB-aligned 2 MiB range is one folded slot at level 1: two nodes
 * (levels 2 and 1) are allocated, one store.  Erasing one page in its
 * middle expands the slot into a leaf of 512 copies and clears one:
 * lookups on both sides still give the value, the page is unmapped, and
 * the tree holds two runs.  A 1 GiB-aligned 1 GiB range folds at level 2
 * in the level-2 node already there.  An insert overlapping a folded
 * slot by one page is refused (after lazily allocating the leaf of its
 * first page, which stays empty).
 */
static void
fold_script(uint32_t cpu)
{
	(void)cpu;
	const uint64_t a = 4 * MB2, v = 0x777;
	ts_write_lock();
	fsnap(0);
	insert_ok(a, a + MB2, v);
	fsnap(1);
	ts_write_unlock();
	expect_piece(a + 100 * PG, a, a + MB2, v);
	ts_write_lock();
	g_assert_cmpuint(ts.ops->erase(ts.t, a + 7 * PG, a + 8 * PG), ==, 1);
	fsnap(2);
	ts_write_unlock();
	ts_check();
	expect_piece(a + 6 * PG, a + 6 * PG, a + 7 * PG, v);
	expect_unmapped(a + 7 * PG);
	expect_piece(a + 8 * PG, a + 8 * PG, a + 9 * PG, v);
	g_assert_cmpuint(ts.ops->count(ts.t), ==, 2);
	GArray *got = g_array_new(FALSE, FALSE, sizeof(struct tree_range));
	ts_read_lock();
	ts.ops->iterate(ts.t, a, a + MB2, collect, got);
	ts_read_unlock();
	g_assert_cmpuint(got->len, ==, 2);
	g_assert_cmphex(g_array_index(got, struct tree_range, 0).start, ==, a);
	g_assert_cmphex(g_array_index(got, struct tree_range, 0).end, ==, a + 7 * PG);
	g_assert_cmphex(g_array_index(got, struct tree_range, 1).start, ==, a + 8 * PG);
	g_assert_cmphex(g_array_index(got, struct tree_range, 1).end, ==, a + MB2);
	g_array_free(got, TRUE);

	ts_write_lock();
	insert_ok(GB1, 2 * GB1, 0x999);
	g_assert_cmpint(ts.ops->insert(ts.t, GB1 - PG, GB1 + PG, (void *)0x5), ==, -EEXIST);
	fsnap(3);
	/* find from below the folded 1 GiB slot: the piece from its start. */
	struct tree_range r;
	g_assert_true(ts.ops->find(ts.t, a + MB2, &r));
	g_assert_cmphex(r.start, ==, GB1);
	g_assert_cmphex(r.end, ==, 2 * GB1);
	/* find_gap above the folded 2 MiB: the erased page is the first gap. */
	uint64_t gap;
	g_assert_true(ts.ops->find_gap(ts.t, PG, a, a + MB2, &gap));
	g_assert_cmphex(gap, ==, a + 7 * PG);
	g_assert_false(ts.ops->find_gap(ts.t, 2 * PG, a, a + MB2, &gap));
	ts_write_unlock();
	expect_piece(GB1 + 12345 * PG, GB1, 2 * GB1, 0x999);
	ts_check();
}

static void
test_fold(void)
{
	struct ts_config c = { .tree = radix, .sockets = 1, .cores = 2, .cpus = 1, .seed = 1,
			       .script = fold_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_assert_true(ts.check_ok);
	g_assert_cmpuint(f[1].alloc - f[0].alloc, ==, 2);
	g_assert_cmpuint(f[1].folded - f[0].folded, ==, 1);
	g_assert_cmpuint(f[2].alloc - f[1].alloc, ==, 1);
	g_assert_cmpuint(f[2].expansions - f[1].expansions, ==, 1);
	/* The 1 GiB folds in the level-2 node already there; the refused
	 * insert expanded slot 511 of the level-1 node (a leaf, left empty
	 * and queued for review) before it met the folded slot. */
	g_assert_cmpuint(f[3].alloc - f[2].alloc, ==, 1);
	g_assert_cmpuint(f[3].folded - f[2].folded, ==, 1);
	g_assert_cmpuint(ts.count, ==, 3);
	ts_free_results();
}

/* ---- (c) find_gap scans: cost grows with the mapped range before the gap ---- */

static sim_time_t gap_cost[2];
static const uint64_t gap_pages[2] = { 64, 448 };

/*
 * RadixVM keeps no gap augmentation: find_gap(one page, [B, B + 2 MiB))
 * with pages [B, B + n) mapped (B 2 MiB aligned, one leaf) loads root
 * slot 0, level-2 slot 0 and level-1 slot 1, then leaf slots 0 .. n:
 * n + 4 loads, all hits on lines this CPU wrote (4 cycles each; tree_rcu's
 * read side costs nothing): 4 (n + 4) = 272 cycles for n = 64, 1,808 for
 * n = 448.
 */
static void
gap_script(uint32_t cpu)
{
	(void)cpu;
	const uint64_t b = MB2;
	ts_write_lock();
	for (unsigned k = 0; k < 2; k++) {
		insert_ok(b, b + gap_pages[k] * PG, 0x51);
		ts_settle();
		uint64_t at = 0;
		sim_time_t t0 = sim_now();
		g_assert_true(ts.ops->find_gap(ts.t, PG, b, b + MB2, &at));
		gap_cost[k] = sim_now() - t0;
		g_assert_cmphex(at, ==, b + gap_pages[k] * PG);
		g_assert_cmpuint(ts.ops->erase(ts.t, b, b + gap_pages[k] * PG), ==, 1);
	}
	ts_write_unlock();
}

static void
test_gap_scan(void)
{
	struct ts_config c = { .tree = radix, .tree_params = params_epoch(1000000000),
			       .sockets = 1, .cores = 2, .cpus = 1, .seed = 1, .script = gap_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_test_message("find_gap after 64 pages %" G_GUINT64_FORMAT ", after 448 %" G_GUINT64_FORMAT,
		       gap_cost[0], gap_cost[1]);
	g_assert_cmpuint(gap_cost[0], ==, 4 * (64 + 4));
	g_assert_cmpuint(gap_cost[1], ==, 4 * (448 + 4));
	ts_free_results();
}

/* ---- (c) Refcache: counts reach zero, retired epochs later ---- */

#define EPOCH 100000u
static uint64_t retired_at[12];

/*
 * Epoch 0: insert and erase one page at 1 << 42 (a fresh level-2,
 * level-1 and leaf node: 3 allocations, each queued for review when it
 * is created empty, stamp 0); every count change sits in CPU 0's delta
 * cache.  Then one writer operation (an erase of an unmapped page, which
 * ticks Refcache) at the start of each epoch k:
 *   k = 1: the flush brings every count to its true value: leaf 0,
 *          level 1 and level 2 one used slot each;
 *   k = 2: the reviews of stamp 0: level 2 and level 1 are in use (count
 *          1: given up, queued cleared); the leaf is empty: its slots
 *          taken dead, unlinked (-1 on level 1, cached), retired;
 *   k = 3: the flush brings level 1 to 0: queued (stamp 3); k = 5: retired
 *          (-1 on level 2 cached);
 *   k = 6: level 2 flushed to 0, queued; k = 8: retired.
 * Nothing is retired before its review, two epochs after it was queued,
 * and never while a flush could still change its count.
 */
static void
refcache_script(uint32_t cpu)
{
	(void)cpu;
	const uint64_t a = 1ull << 42, far = 0x10000000;
	ts_write_lock();
	insert_ok(a, a + PG, 0x31);
	g_assert_cmpuint(ts.ops->erase(ts.t, a, a + PG), ==, 1);
	retired_at[0] = live_stat("nodes_retired");
	for (unsigned k = 1; k < 12; k++) {
		sim_sleep_until((sim_time_t)k * EPOCH + 10);
		g_assert_cmpuint(ts.ops->erase(ts.t, far, far + PG), ==, 0);
		retired_at[k] = live_stat("nodes_retired");
	}
	ts_write_unlock();
	ts_check();
}

static void
test_refcache(void)
{
	struct ts_config c = { .tree = radix, .tree_params = params_epoch(EPOCH), .sockets = 1,
			       .cores = 2, .cpus = 1, .seed = 1, .script = refcache_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_assert_true(ts.check_ok);
	static const uint64_t want[12] = { 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3 };
	for (unsigned k = 0; k < 12; k++)
		g_test_message("epoch %u: retired %" G_GUINT64_FORMAT, k, retired_at[k]);
	for (unsigned k = 0; k < 12; k++)
		g_assert_cmpuint(retired_at[k], ==, want[k]);
	/* The far erase's walk found no node below the root: nothing else. */
	g_assert_cmpuint(ts_stat("nodes_allocated"), ==, 3);
	g_assert_cmpuint(ts_stat("nodes_retired"), ==, 3);
	g_assert_cmpuint(ts_stat("reviews"), ==, 5);
	g_assert_cmpuint(ts_stat("review_aborts"), ==, 2);
	/* Back to the allocator: tree_rcu freed all three (sim_free of
	 * kmem_cache memory is kmem_cache_free). */
	g_assert_cmpuint(stat_in(ts.rcl_stats, "retired"), ==, 3);
	g_assert_cmpuint(stat_in(ts.rcl_stats, "freed"), ==, 3);
	ts_free_results();
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	radix = tree_find("radix");
	g_assert_nonnull(radix);
	g_test_add_func("/tree/radix/exact-costs", test_exact_costs);
	g_test_add_func("/tree/radix/random-vs-reference", test_random);
	g_test_add_func("/tree/radix/disjoint-writers", test_disjoint_writers);
	g_test_add_func("/tree/radix/overlapping-writers", test_overlapping_writers);
	g_test_add_func("/tree/radix/fold", test_fold);
	g_test_add_func("/tree/radix/gap-scan", test_gap_scan);
	g_test_add_func("/tree/radix/refcache", test_refcache);
	return g_test_run();
}
