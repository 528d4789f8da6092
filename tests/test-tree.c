// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The suite every registered search tree inherits (models/tree/registry.c,
 * tree_all()): a new tree gets these tests by being listed there.
 *
 *   /tree/<tree>/random/<cpus>cpu
 *       On 2 and 8 CPUs: CPU 0, the one writer, runs 2,000 random
 *       insert/erase/find_gap/find/lookup/iterate operations compared with
 *       a host reference (a sorted array of ranges; tests/tree-script.c),
 *       check() and count() every 20; the other CPUs look up random
 *       addresses meanwhile (reader brackets as the tree asks) and check
 *       that what they get contains the address.
 *   /tree/<tree>/readers/<scheme>
 *       For every RCU-like reclaim scheme (rcl_all() without the lock
 *       baselines, which have a writer side, and without RCL_NO_GRACE_PERIOD
 *       schemes): 5 readers doing lookup, find and iterate inside the read
 *       side (TREE_RCU_READERS trees; the others under down_read of the
 *       rw_semaphore the writer takes for write) while one writer inserts
 *       and erases ranges of a fixed known set, with schedule jitter, on 3
 *       seeds.  Every range is [slot + a pages, slot + b pages) with
 *       0 <= a < b <= 4 inside one 8-page slot (512-page for
 *       TREE_PAGE_GRANULE trees: a radix leaf each), so every range that can be
 *       in the tree at any time -- trims and splits included -- is in the
 *       set, and its value names the slot and a range containing it (the
 *       insert it came from).  (One seed for trees whose readers hold the
 *       rw_semaphore: they cannot meet a freed node.)  A reader fails the run if it sees anything
 *       else, regions out of order, or a lookup result not containing the
 *       address; the engine fails it on any access to a freed node.  Not
 *       vacuous: nodes were retired and the scheme freed some while readers
 *       ran, and readers found regions.
 *   /tree/<tree>/readers/hp/unsafe
 *       Hazard pointers are the exception, for TREE_RCU_READERS trees: a
 *       reader validates a child by re-reading the pointer it came from,
 *       which proves nothing once that parent is itself retired, and a
 *       copy-on-write tree retires parents whose child pointers stay as
 *       they were (the rotated child's subtree stays linked from a
 *       retired parent).  So the readers
 *       scenario under hp must end in a use-after-free within 20 seeds;
 *       a tree whose readers are safe under hazard pointers sets
 *       TREE_HP_SAFE (radix: nodes are retired only empty and unlinked,
 *       readers never return to a parent; maple: readers check the dead
 *       mark a writer sets on every replaced node before retiring it, and
 *       re-walk) and gets the readers test under hp instead.
 *       A tree that retires replaced nodes only after publishing the
 *       update but whose readers are still unsafe under hp
 *       (TREE_HP_NARROW: bonsai and functional, whose immutable retired
 *       parents validate their children) shows it only when a scan runs
 *       while a reader is mid-walk on the replaced path: for those the
 *       test is a scenario with slowed readers that provokes it on seed 1
 *       (test_hp_narrow).
 *   /tree/<tree>/mutation
 *       TREE_RCU_READERS trees: with tree_env.mutation_free_now (replaced
 *       nodes freed at once instead of retired) the readers scenario under
 *       tree_rcu must end in a use-after-free within 1,000 seeds; the test
 *       reports how many it took.
 *   /tree/<tree>/deterministic
 *       The readers scenario twice with one seed and jitter: identical
 *       tree and scheme stats and end time.
 */
#include <errno.h>
#include <string.h>

#include "tree-script.h"

/* Pages from one slot of the known set to the next: 8, or for
 * TREE_PAGE_GRANULE trees 512 (one leaf node of the radix tree a slot,
 * so that erasing a slot empties a node and node reclamation runs; the
 * ranges inside a slot are the same). */
static uint64_t slot_pages = 8;
#define SLOT_PAGES slot_pages
#define NSLOTS 24u
#define PG 0x1000u
#define BASE 0x400000u

/* ---- random sequences against the reference ---- */

static volatile bool writer_done;

static void
random_script(uint32_t cpu)
{
	if (cpu == 0) {
		writer_done = false;
		ts_random_sequence(2000, 20, 192, false);
		writer_done = true;
		return;
	}
	while (!writer_done) {
		uint64_t addr = 0x100000 + sim_random_below(192 * PG);
		struct tree_range r;
		ts_read_lock();
		bool got = ts.ops->lookup(ts.t, addr, &r);
		ts_read_unlock();
		if (got && (r.start > addr || r.end <= addr))
			sim_fail("%s: lookup(%#" G_GINT64_MODIFIER "x) = [%#" G_GINT64_MODIFIER "x, %#"
				 G_GINT64_MODIFIER "x)", ts.ops->comp.name, addr, r.start, r.end);
		if (ts.rcl->quiescent_state)
			ts.rcl->quiescent_state(ts.rs);
		sim_work(200);
	}
}

struct tcase {
	const struct tree_ops *tree;
	const char *scheme;
	uint32_t cpus;
};

static void
test_random(gconstpointer data)
{
	const struct tcase *tc = data;
	struct ts_config c = { .tree = tc->tree, .sockets = 2, .cores = 4, .cpus = tc->cpus,
			       .seed = 7, .script = random_script };
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_assert_true(ts.check_ok);
	ts_free_results();
}

/* ---- concurrent readers over a known set of ranges ---- */

static uint64_t reads_found;

static uintptr_t
encode(uint64_t slot, uint64_t a, uint64_t b)
{
	return (uintptr_t)((slot << 16 | a << 8 | b) << 4 | 0x8);
}

static void
writer_ops(unsigned nops)
{
	for (unsigned op = 0; op < nops; op++) {
		uint64_t slot = sim_random_below(NSLOTS);
		uint64_t a = sim_random_below(4), b = a + 1 + sim_random_below(4 - a);
		uint64_t s = BASE + (slot * SLOT_PAGES + a) * PG, e = BASE + (slot * SLOT_PAGES + b) * PG;
		ts_write_lock();
		if (sim_random_below(2)) {
			int rc = ts.ops->insert(ts.t, s, e, (void *)encode(slot, a, b));
			if (rc != 0 && rc != -EEXIST)
				sim_fail("%s: insert returned %d", ts.ops->comp.name, rc);
		} else {
			/* Sometimes across the next slot's start: pieces stay in the set. */
			if (sim_random_below(4) == 0)
				e = BASE + ((slot + 1) * SLOT_PAGES + sim_random_below(4)) * PG;
			ts.ops->erase(ts.t, s, e);
		}
		ts_write_unlock();
		if (ts.rcl->quiescent_state)
			ts.rcl->quiescent_state(ts.rs);
		sim_work(100);
	}
}

/* Is r a member of the known set, with a value that says so? */
static void
validate(const char *what, uint64_t addr, const struct tree_range *r)
{
	uint64_t lo = BASE, hi = BASE + (uint64_t)(NSLOTS + 1) * SLOT_PAGES * PG;
	bool ok = r->start < r->end && r->start >= lo && r->end <= hi &&
		  r->start % PG == 0 && r->end % PG == 0;
	uint64_t slot = 0, a = 0, b = 0;
	if (ok) {
		slot = (r->start - BASE) / PG / SLOT_PAGES;
		a = (r->start - BASE) / PG % SLOT_PAGES;
		b = (r->end - BASE) / PG - slot * SLOT_PAGES;
		ok = b <= 4;
	}
	if (ok) {
		uintptr_t v = (uintptr_t)r->value;
		uint64_t vs = v >> 20, va = (v >> 12) & 0xff, vb = (v >> 4) & 0xff;
		ok = (v & 0xf) == 0x8 && vs == slot && va <= a && b <= vb;
	}
	if (!ok)
		sim_fail("%s: %s(%#" G_GINT64_MODIFIER "x) returned [%#" G_GINT64_MODIFIER "x, %#"
			 G_GINT64_MODIFIER "x) value %p: never in the tree", ts.ops->comp.name, what,
			 addr, r->start, r->end, r->value);
}

struct iter_state {
	uint64_t lo, hi, prev_end;
	unsigned n;
};

static bool
iter_fn(void *arg, const struct tree_range *r)
{
	struct iter_state *is = arg;
	validate("iterate", is->lo, r);
	if (r->end <= is->lo || r->start >= is->hi || (is->n && r->start < is->prev_end))
		sim_fail("%s: iterate [%#" G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER "x) gave [%#"
			 G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER "x) after one ending at %#"
			 G_GINT64_MODIFIER "x", ts.ops->comp.name, is->lo, is->hi, r->start, r->end,
			 is->prev_end);
	is->prev_end = r->end;
	is->n++;
	return is->n < 8;
}

static void
reader_ops(void)
{
	uint64_t span = (uint64_t)NSLOTS * SLOT_PAGES * PG;
	while (!writer_done) {
		ts_read_lock();
		for (unsigned i = 0; i < 3; i++) {
			uint64_t addr = BASE + sim_random_below(span);
			/* Page-granule trees: look where ranges can be (the first
			 * 8 pages of a slot), and iterate over 48 pages, so that a
			 * read costs what it costs with 8-page slots. */
			uint64_t window = 6 * SLOT_PAGES * PG;
			if (SLOT_PAGES != 8) {
				addr = BASE + sim_random_below(NSLOTS) * SLOT_PAGES * PG +
				       sim_random_below(8 * PG);
				window = 6 * 8 * PG;
			}
			struct tree_range r;
			unsigned k = (unsigned)sim_random_below(4);
			if (k < 2) {
				if (ts.ops->lookup(ts.t, addr, &r)) {
					validate("lookup", addr, &r);
					if (r.start > addr || r.end <= addr)
						sim_fail("%s: lookup(%#" G_GINT64_MODIFIER "x) = [%#"
							 G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER "x)",
							 ts.ops->comp.name, addr, r.start, r.end);
					reads_found++;
				}
			} else if (k == 2) {
				if (ts.ops->find(ts.t, addr, &r)) {
					validate("find", addr, &r);
					if (r.end <= addr)
						sim_fail("%s: find(%#" G_GINT64_MODIFIER "x) ends at %#"
							 G_GINT64_MODIFIER "x", ts.ops->comp.name, addr, r.end);
					reads_found++;
				}
			} else {
				struct iter_state is = { .lo = addr, .hi = addr + window };
				ts.ops->iterate(ts.t, is.lo, is.hi, iter_fn, &is);
				reads_found += is.n;
			}
		}
		ts_read_unlock();
		if (ts.rcl->quiescent_state)
			ts.rcl->quiescent_state(ts.rs);
		sim_work(50);
	}
}

static void
readers_script(uint32_t cpu)
{
	if (cpu == 0) {
		writer_done = false;
		reads_found = 0;
		writer_ops(600);
		writer_done = true;
	} else {
		reader_ops();
	}
}

static double
num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(o, name);
	g_assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static struct ts_config
readers_config(const struct tcase *tc, uint64_t seed)
{
	slot_pages = (tc->tree->flags & TREE_PAGE_GRANULE) ? 512 : 8;
	return (struct ts_config){ .tree = tc->tree, .scheme = tc->scheme, .sockets = 2,
				   .cores = 3, .cpus = 6, .seed = seed, .jitter = 40,
				   .jitter_every = 2, .script = readers_script };
}

static void
test_readers(gconstpointer data)
{
	const struct tcase *tc = data;
	/* Readers under the rw_semaphore cannot meet a freed node whatever the
	 * seed: one seed each (their runs are the slow ones). */
	uint64_t seeds = (tc->tree->flags & TREE_RCU_READERS) ? 3 : 1;
	for (uint64_t seed = 1; seed <= seeds; seed++) {
		struct ts_config c = readers_config(tc, seed);
		GError *err = ts_run(&c);
		if (err)
			g_test_message("%s under %s, seed %" G_GUINT64_FORMAT ": %s",
				       tc->tree->comp.name, tc->scheme, seed, err->message);
		g_assert_no_error(err);
		g_assert_true(ts.check_ok);
		g_assert_cmpfloat(num(ts.tree_stats, "nodes_retired"), >, 20);
		g_assert_cmpfloat(num(ts.rcl_stats, "freed"), >, 0);
		g_assert_cmpfloat(num(ts.tree_stats, "lookups"), >, 100);
		g_assert_cmpuint(reads_found, >, 50);
		ts_free_results();
	}
}

static void
test_mutation(gconstpointer data)
{
	const struct tcase *tc = data;
	for (uint64_t seed = 1; seed <= 1000; seed++) {
		struct ts_config c = readers_config(tc, seed);
		c.mutation_free_now = true;
		GError *err = ts_run(&c);
		if (err == NULL) {
			ts_free_results();
			continue;
		}
		g_test_message("%s: mutation caught at seed %" G_GUINT64_FORMAT ": %s",
			       tc->tree->comp.name, seed, err->message);
		g_assert_nonnull(strstr(err->message, "use-after-free"));
		g_error_free(err);
		return;
	}
	g_test_fail_printf("%s: freeing replaced nodes at once went unnoticed for 1,000 seeds",
			   tc->tree->comp.name);
}

static void
test_hp_unsafe(gconstpointer data)
{
	const struct tcase *tc = data;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct ts_config c = readers_config(tc, seed);
		GError *err = ts_run(&c);
		if (err == NULL) {
			ts_free_results();
			continue;
		}
		g_test_message("%s under hp: use-after-free at seed %" G_GUINT64_FORMAT ": %s",
			       tc->tree->comp.name, seed, err->message);
		g_assert_nonnull(strstr(err->message, "use-after-free"));
		g_error_free(err);
		return;
	}
	g_test_fail_printf("%s under hp: no use-after-free in 20 seeds (see the header)",
			   tc->tree->comp.name);
}

/*
 * TREE_HP_NARROW trees: unsafe under hp too, but only in a window the
 * scenario above does not reach (functional: none in 300 seeds).  A
 * hazard pointer protects a node by re-reading the pointer it came from;
 * when that pointer sits in a node the writer has itself replaced (and
 * will never change again), the re-read proves nothing, and a scan that
 * runs while a reader is mid-walk on the replaced path frees a node the
 * reader then loads.  Here readers are slowed (the tree's node_cycles
 * parameter: 1,000 cycles per node walked) and look up the last region
 * while the writer replaces it (the same right spine) 200 times: under hp
 * the run must end in a use-after-free on seed 1; under tree_rcu the same
 * run is clean (the tree is right, the scheme is not).
 */
static uint64_t narrow_reads;

static void
narrow_script(uint32_t cpu)
{
	if (cpu == 0) {
		ts_write_lock();
		for (unsigned i = 0; i < 15; i++)
			ts_insert_ok(0x10000 + i * 0x2000, 0x11000 + i * 0x2000);
		ts_write_unlock();
		for (unsigned k = 0; k < 200; k++) {
			ts_write_lock();
			g_assert_cmpuint(ts.ops->erase(ts.t, 0x2c000, 0x2d000), ==, 1);
			ts_insert_ok(0x2c000, 0x2d000);
			ts_write_unlock();
			if (ts.rcl->quiescent_state)
				ts.rcl->quiescent_state(ts.rs);
		}
	} else {
		sim_sleep_until(50000);
		for (unsigned k = 0; k < 100; k++) {
			struct tree_range r;
			ts_read_lock();
			if (ts.ops->lookup(ts.t, 0x2c800, &r))
				narrow_reads++;
			ts_read_unlock();
			if (ts.rcl->quiescent_state)
				ts.rcl->quiescent_state(ts.rs);
		}
	}
}

static void
test_hp_narrow(gconstpointer data)
{
	const struct tcase *tc = data;
	void *params = g_malloc0(tc->tree->comp.params_size);
	sim_params_defaults(tc->tree->comp.params, params);
	const struct sim_param *row = tc->tree->comp.params;
	while (row->name && strcmp(row->name, "node_cycles") != 0)
		row++;
	g_assert_nonnull(row->name);    /* a TREE_HP_NARROW tree has node_cycles */
	*(uint32_t *)((char *)params + row->offset) = 1000;

	struct ts_config c = { .tree = tc->tree, .tree_params = params, .scheme = "tree_rcu",
			       .sockets = 1, .cores = 2, .cpus = 2, .seed = 1,
			       .script = narrow_script };
	narrow_reads = 0;
	GError *err = ts_run(&c);
	g_assert_no_error(err);
	g_assert_true(ts.check_ok);
	g_assert_cmpuint(narrow_reads, >, 0);
	g_assert_cmpuint(ts_stat("nodes_retired"), >, 200);
	ts_free_results();

	c.scheme = "hp";
	err = ts_run(&c);
	g_assert_nonnull(err);
	g_test_message("%s under hp, slowed readers: %s", tc->tree->comp.name, err->message);
	g_assert_nonnull(strstr(err->message, "use-after-free"));
	g_error_free(err);
	g_free(params);
}

static void
test_deterministic(gconstpointer data)
{
	const struct tcase *tc = data;
	char *s[2][2];
	sim_time_t end[2];
	for (int i = 0; i < 2; i++) {
		struct ts_config c = readers_config(tc, 11);
		GError *err = ts_run(&c);
		g_assert_no_error(err);
		s[i][0] = cJSON_PrintUnformatted(ts.tree_stats);
		s[i][1] = cJSON_PrintUnformatted(ts.rcl_stats);
		end[i] = ts.end_time;
		ts_free_results();
	}
	g_assert_cmpstr(s[0][0], ==, s[1][0]);
	g_assert_cmpstr(s[0][1], ==, s[1][1]);
	g_assert_cmpuint(end[0], ==, end[1]);
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			cJSON_free(s[i][j]);
}

static bool
rcu_like(const struct rcl_ops *o)
{
	return o->write_lock == NULL && !(o->flags & RCL_NO_GRACE_PERIOD);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (const struct sim_component *const *p = tree_all(); *p; p++) {
		const struct tree_ops *t = tree_ops_from(*p);
		static const uint32_t cpus[] = { 2, 8 };
		for (size_t i = 0; i < G_N_ELEMENTS(cpus); i++) {
			struct tcase *tc = g_new0(struct tcase, 1);
			*tc = (struct tcase){ .tree = t, .cpus = cpus[i] };
			g_autofree char *path = g_strdup_printf("/tree/%s/random/%ucpu", (*p)->name,
								cpus[i]);
			g_test_add_data_func(path, tc, test_random);
		}
		for (const struct sim_component *const *r = rcl_all(); *r; r++) {
			if (!rcu_like(rcl_ops_from(*r)))
				continue;
			struct tcase *tc = g_new0(struct tcase, 1);
			*tc = (struct tcase){ .tree = t, .scheme = (*r)->name };
			bool hp_unsafe = strcmp((*r)->name, "hp") == 0 && (t->flags & TREE_RCU_READERS) &&
					 !(t->flags & TREE_HP_SAFE);
			g_autofree char *path = g_strdup_printf("/tree/%s/readers/%s%s", (*p)->name,
								(*r)->name, hp_unsafe ? "/unsafe" : "");
			if (hp_unsafe && (t->flags & TREE_HP_NARROW))
				g_test_add_data_func(path, tc, test_hp_narrow);
			else
				g_test_add_data_func(path, tc, hp_unsafe ? test_hp_unsafe : test_readers);
		}
		struct tcase *tc = g_new0(struct tcase, 1);
		*tc = (struct tcase){ .tree = t, .scheme = "tree_rcu" };
		if (t->flags & TREE_RCU_READERS) {
			g_autofree char *path = g_strdup_printf("/tree/%s/mutation", (*p)->name);
			g_test_add_data_func(path, tc, test_mutation);
		}
		g_autofree char *path = g_strdup_printf("/tree/%s/deterministic", (*p)->name);
		g_test_add_data_func(path, tc, test_deterministic);
	}
	return g_test_run();
}
