// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The memory hierarchy (sim/core/hier.c with cache.c): exact cycle counts
 * of small cases worked out by hand.
 *
 * Machine: t_lat_default (l1_hit 4, leg_cluster 5, leg_socket 10,
 * leg_link 100, mem 300, freq 1 GHz), every socket one cluster, and
 * unless a test says otherwise
 *   L1d  16 lines, 2-way  (8 sets, set = line % 8)
 *   L2   32 lines, 4-way  (8 sets), l2_hit 12
 *   LLC  32 lines, 32-way (one set: exact LRU, no hashing effects)
 * So a local first touch costs leg_socket + mem + leg_socket = 320, an
 * LLC hit 2 * leg_cluster = 10, an L2 hit 12, an L1d hit 4.
 */
#include <string.h>

#include "engine_impl.h"
#include "harness.h"

static const struct sim_param no_params[] = { SIM_P_END };

static void (*script)(uint32_t cpu);
static void (*setup_fn)(struct sim *s);
static char *buf;                  /* NLINES lines, line-aligned */
#define NLINES 256
static sim_time_t lat[4][2 * NLINES];
static cJSON *last;

static void *
script_setup(struct sim *s, const void *params)
{
	(void)params;
	buf = sim_alloc(NLINES * 64, 64);
	if (setup_fn)
		setup_fn(s);
	return s;
}

static void
script_cpu(void *state)
{
	(void)state;
	script(sim_cpu_id());
}

static const struct sim_workload_ops script_ops = {
	.name = "script",
	.summary = "test script",
	.params = no_params,
	.params_size = 1,
	.setup = script_setup,
	.cpu_main = script_cpu,
};

static uint64_t *
line(unsigned i)
{
	return (uint64_t *)(buf + (size_t)i * 64);
}

static struct sim_machine *
machine(unsigned sockets, unsigned cores)
{
	struct sim_machine *m = t_machine(sockets, cores, NULL);
	m->private_cache_lines = 16;
	m->l1d_ways = 2;
	m->l2_lines = 32;
	m->l2_ways = 4;
	m->lat.l2_hit = 12;
	m->cluster_cache_lines = 32;
	m->llc_ways = 32;
	return m;
}

static void
run(struct sim_machine *m, uint32_t cpus)
{
	memset(lat, 0, sizeof lat);
	struct sim_run_config *rc = t_config(m, cpus, 1, &script_ops, NULL, 0);
	cJSON_Delete(last);
	last = t_run(rc);
	sim_run_config_free(rc);
	setup_fn = NULL;
}

static double
engine(const char *name)
{
	g_autofree char *p = g_strdup_printf("engine.%s", name);
	return t_metric(last, p);
}

/* CPU 0 loads lines 0..n-1 twice; lat[0][k] is the k-th load's cost. */
static unsigned npass;
static void
two_passes(uint32_t cpu)
{
	if (cpu != 0)
		return;
	for (unsigned p = 0; p < 2; p++)
		for (unsigned i = 0; i < npass; i++) {
			sim_time_t t0 = sim_now();
			(void)sim_load64(line(i));
			lat[0][p * npass + i] = sim_now() - t0;
		}
}

static void
assert_second_pass(unsigned n, sim_time_t each)
{
	npass = n;
	script = two_passes;
	run(machine(1, 2), 1);
	for (unsigned i = 0; i < n; i++) {
		g_assert_cmpuint(lat[0][i], ==, 320);         /* first touch: DRAM */
		g_assert_cmpuint(lat[0][n + i], ==, each);
	}
}

/* 16 lines fit the L1d: the second pass hits it (4 a load). */
static void
test_fits_l1(void)
{
	assert_second_pass(16, 4);
	g_assert_cmpfloat(engine("evictions"), ==, 0);
	g_assert_cmpfloat(engine("l2_hits"), ==, 0);
}

/* 32 lines: 4 per set, 2 L1d ways: a cyclic sweep under LRU misses the
 * L1d every time and hits the 4-way L2 (12 a load). */
static void
test_fits_l2(void)
{
	assert_second_pass(32, 12);
	g_assert_cmpfloat(engine("evictions"), ==, 0);
	g_assert_cmpfloat(engine("l2_hits"), ==, 32);
}

/* 40 lines: 5 per L2 set, 4 ways: the first pass evicts lines 0-7 (the
 * 5th line of each set pushes out the 1st), and every second-pass load
 * misses the L2 and evicts the line it will need next.  The lines were E
 * (clean): they go back to the home without a writeback, into the
 * cluster's LLC; at most 8 are out of the L2 at a time and the LLC holds
 * 32, so each second-pass load is an LLC hit (10). */
static void
test_l2_overflow_refetches_from_llc(void)
{
	assert_second_pass(40, 10);
	g_assert_cmpfloat(engine("writebacks"), ==, 0);
	g_assert_cmpfloat(engine("llc_hits"), ==, 40);
}

/* 80 lines: more than the L2 (32) and the LLC (32) together: the second
 * pass refetches every line from DRAM at the home, as on the first touch
 * (320 a load). */
static void
test_beyond_llc_refetches_from_dram(void)
{
	assert_second_pass(80, 320);
	g_assert_cmpfloat(engine("dram_reads"), ==, 160);
	g_assert_cmpfloat(engine("llc_hits"), ==, 0);
}

/*
 * Dirty writeback, and a refetch from DRAM at the home's distance.  Two
 * sockets of one core; the LLC is 16 lines (16-way).  CPU 0 increments
 * line 0 (first touch: 320 + atomic_hit 20; home socket 0; now M, dirty),
 * then loads lines 1..80 (E, clean), which push line 0 out of its L2
 * (written back: the only writeback) and on through the LLC, which ends
 * up holding the last 16 victims, lines 33..48 (line i leaves the L2 when
 * line i + 32 arrives).  At t = 100,000 CPU 1 (socket 1) loads
 *   line 0:  in no cache: DRAM at the home, one hop away:
 *            leg_link 100 + mem 300 + leg_link 100 = 500;
 *   line 48: in the home socket's LLC: 100 + leg_socket 10 + 100 = 210.
 */
static void
writeback_script(uint32_t cpu)
{
	if (cpu == 0) {
		sim_time_t t0 = sim_now();
		sim_faa64(line(0), 1);
		lat[0][0] = sim_now() - t0;
		for (unsigned i = 1; i <= 80; i++)
			(void)sim_load64(line(i));
	} else {
		sim_sleep_until(100000);
		sim_time_t t0 = sim_now();
		g_assert_cmpuint(sim_load64(line(0)), ==, 1);
		lat[1][0] = sim_now() - t0;
		t0 = sim_now();
		(void)sim_load64(line(48));
		lat[1][1] = sim_now() - t0;
	}
}

static void
test_dirty_writeback_then_dram_at_home(void)
{
	script = writeback_script;
	struct sim_machine *m = machine(2, 1);
	m->cluster_cache_lines = 16;
	m->llc_ways = 16;
	run(m, 2);
	g_assert_cmpuint(lat[0][0], ==, 320 + 20);
	g_assert_cmpfloat(engine("writebacks"), ==, 1);
	g_assert_cmpuint(lat[1][0], ==, 500);
	g_assert_cmpuint(lat[1][1], ==, 210);
}

/*
 * Placing or poisoning whole line chunks nobody touched makes no line
 * records (kalloc places and poisons its page pools so); a chunk takes
 * the home and the poison when it is made, in call order.  Setup places
 * five chunks' worth of lines on socket 1 (at least four whole chunks),
 * poisons them all, then places one line inside on socket 0: at most the
 * two partial chunks at the ends get records.  CPU 0 unpoisons and loads
 * a line in the middle (DRAM at socket 1: 500; it reads the poison fill
 * 0xdb..), the line placed afterwards (local: 320) and the range's last
 * line (500); the line after the middle one is still poisoned.
 */
static char *pool;
static uint64_t pool_lines_made, pool_lines_used;
static uint64_t pool_val;
static bool pool_still_poisoned;
#define POOL_BYTES (5 * (size_t)SIM_LINE_CHUNK * 64)

static void
pool_setup(struct sim *s)
{
	pool = sim_alloc(POOL_BYTES, 4096);
	uint64_t before = s->lines_allocated;
	sim_mem_place(s, pool, POOL_BYTES, 1);
	sim_mem_set_poison(s, pool, POOL_BYTES, true);
	pool_lines_made = s->lines_allocated - before;
	sim_mem_place(s, pool + POOL_BYTES / 2 + 64, 64, 0);
}

static void
pool_script(uint32_t cpu)
{
	if (cpu != 0)
		return;
	size_t at[3] = { POOL_BYTES / 2, POOL_BYTES / 2 + 64, POOL_BYTES - 64 };
	uint64_t before = sim_current->lines_allocated;
	for (unsigned k = 0; k < 3; k++) {
		sim_mem_set_poison(sim_current, pool + at[k], 64, false);
		sim_time_t t0 = sim_now();
		uint64_t v = sim_load64(pool + at[k]);
		lat[0][k] = sim_now() - t0;
		if (k == 0)
			pool_val = v;
	}
	pool_still_poisoned = sim_mem_any_poisoned(sim_current, pool + POOL_BYTES / 2 + 128, 8);
	pool_lines_used = sim_current->lines_allocated - before;
}

static void
test_placement_deferred(void)
{
	script = pool_script;
	setup_fn = pool_setup;
	run(machine(2, 1), 2);
	g_assert_cmpuint(pool_lines_made, <=, 2 * SIM_LINE_CHUNK);
	/* a chunk is one 4 KiB page: the script's use of the pool's last
	 * line made that page's 64 records only (the middle page's were made
	 * by the setup's placement of one of its lines) */
	g_assert_cmpuint(SIM_LINE_CHUNK * SIM_LINE_BYTES, ==, 4096);
	g_assert_cmpuint(pool_lines_used, ==, SIM_LINE_CHUNK);
	g_assert_cmpuint(lat[0][0], ==, 500);
	g_assert_cmpuint(lat[0][1], ==, 320);
	g_assert_cmpuint(lat[0][2], ==, 500);
	g_assert_cmphex(pool_val, ==, 0xdbdbdbdbdbdbdbdbull);
	g_assert_true(pool_still_poisoned);
}

/*
 * First touch homes a line on the toucher's socket; sim_mem_place homes
 * it where setup says.  Two sockets of one core.  CPU 1 first-touches
 * line 0 (home socket 1: local DRAM, 320) and then lines 1..80, pushing
 * line 0 out of its caches.  CPU 0, at t = 100,000: line 0 comes from
 * DRAM at socket 1 (500); line 100, placed on socket 1 by setup and
 * never touched, also 500; line 101, unplaced, is homed on socket 0 by
 * this first touch: 320.
 */
static void
place_setup(struct sim *s)
{
	sim_mem_place(s, line(100), 64, 1);
}

static void
first_touch_script(uint32_t cpu)
{
	if (cpu == 1) {
		sim_time_t t0 = sim_now();
		(void)sim_load64(line(0));
		lat[1][0] = sim_now() - t0;
		for (unsigned i = 1; i <= 80; i++)
			(void)sim_load64(line(i));
	} else {
		sim_sleep_until(100000);
		for (unsigned k = 0; k < 3; k++) {
			sim_time_t t0 = sim_now();
			(void)sim_load64(line(k == 0 ? 0 : 99 + k));
			lat[0][k] = sim_now() - t0;
		}
	}
}

static void
test_first_touch_and_placement(void)
{
	script = first_touch_script;
	setup_fn = place_setup;
	struct sim_machine *m = machine(2, 1);
	m->cluster_cache_lines = 16;
	m->llc_ways = 16;
	run(m, 2);
	g_assert_cmpuint(lat[1][0], ==, 320);
	g_assert_cmpuint(lat[0][0], ==, 500);
	g_assert_cmpuint(lat[0][1], ==, 500);
	g_assert_cmpuint(lat[0][2], ==, 320);
}

/*
 * Memory bandwidth: one socket whose controller serves a line every
 * 64 B / 4 GB/s * 1 GHz = 16 cycles.  Three CPUs load three fresh lines
 * at t = 0; the requests reach the home at t = 10 together and are served
 * in turn: 320, 320 + 16, 320 + 32 (mem_queue_cycles 48).  With two CPUs:
 * 320 and 336.  Unbounded bandwidth: 320 each.
 */
static void
bw_script(uint32_t cpu)
{
	sim_time_t t0 = sim_now();
	(void)sim_load64(line(8 * cpu));
	lat[cpu][0] = sim_now() - t0;
}

static void
test_bandwidth_queueing(void)
{
	for (uint32_t n = 2; n <= 3; n++) {
		script = bw_script;
		struct sim_machine *m = machine(1, 3);
		m->mem_bandwidth_gbs = 4.0;
		run(m, n);
		for (uint32_t c = 0; c < n; c++)
			g_assert_cmpuint(lat[c][0], ==, 320 + 16 * c);
		g_assert_cmpfloat(engine("mem_queue_cycles"), ==, n == 2 ? 16 : 48);
	}
	script = bw_script;
	run(machine(1, 3), 3);
	for (uint32_t c = 0; c < 3; c++)
		g_assert_cmpuint(lat[c][0], ==, 320);
}

/*
 * The chase workload on the machine above (one CPU): a 1 KiB ring (16
 * lines, 2 per L1d set) stays in the L1d: 4 cycles a load; a 64 KiB ring
 * (1,024 lines) is walked in the same order every pass, so LRU evicts
 * each line from the L2 and the LLC long before its turn comes again:
 * every timed load reads DRAM, 320 cycles.  Placed on socket 1 of two
 * (workload.place, node 1), the same ring reads DRAM one hop away:
 * leg_link 100 + mem 300 + leg_link 100 = 500.
 */
static cJSON *
chase_run(unsigned ws_kib, const char *extra, GError **err)
{
	g_autofree char *json = g_strdup_printf(
		"{\"machine\": {\"name\": \"t\", \"freq_ghz\": 1.0,"
		" \"topology\": {\"sockets\": 2, \"cores_per_cluster\": 1},"
		" \"latency\": {\"l1_hit\": 4, \"l2_hit\": 12, \"leg_cluster\": 5,"
		"   \"leg_socket\": 10, \"leg_link\": 100, \"mem\": 300},"
		" \"private_cache_lines\": 16, \"l1d_ways\": 2, \"l2_lines\": 32,"
		" \"l2_ways\": 4, \"cluster_cache_lines\": 32, \"llc_ways\": 32},"
		" \"cpus\": 1, \"seed\": 1,"
		" \"workload\": {\"name\": \"chase\", \"working_set_kib\": %u, \"loads\": 3000%s}}",
		ws_kib, extra);
	return t_run_json(json, NULL, err);
}

static double
chase_cycles(unsigned ws_kib, const char *extra)
{
	GError *err = NULL;
	cJSON *res = chase_run(ws_kib, extra, &err);
	g_assert_no_error(err);
	double c = t_metric(res, "cycles_per_load");
	g_assert_cmpfloat(t_metric(res, "ns_per_load"), ==, c);
	cJSON_Delete(res);
	return c;
}

static void
test_chase_plateaus(void)
{
	g_assert_cmpfloat(chase_cycles(1, ""), ==, 4);
	g_assert_cmpfloat(chase_cycles(64, ""), ==, 320);
	g_assert_cmpfloat(chase_cycles(64, ", \"place\": true, \"node\": 1"), ==, 500);
	/* Bad input: a socket the machine lacks, named by its JSON path. */
	GError *err = NULL;
	cJSON *res = chase_run(64, ", \"place\": true, \"node\": 2", &err);
	g_assert_null(res);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "workload.node"));
	g_error_free(err);
}

/*
 * The private caches keep only the lines they hold (hier.c), with 32-bit
 * LRU stamps renumbered 1..n in order when a cache's clock wraps.  Two
 * CPUs on two cores each make the same pseudo-random 500 loads and
 * increments over the 256 lines (evictions at every level); then again
 * with every clock wrapping at 40 (the L2 holds at most 32 lines), so the
 * stamps are renumbered every 8 to 40 uses: every access costs the same,
 * and the counts of hits, evictions and writebacks are the same.
 */
static uint32_t wrap_at;
static uint32_t end_clock[2], end_n[2];
#define NRAND 500
static void
random_script(uint32_t cpu)
{
	uint32_t x = 12345 + cpu * 777;
	for (unsigned k = 0; k < NRAND; k++) {
		x = x * 1103515245u + 12345u;
		unsigned i = (x >> 8) % NLINES;
		sim_time_t t0 = sim_now();
		if ((x >> 20) % 4 == 0)
			sim_faa64(line(i), 1);
		else
			(void)sim_load64(line(i));
		lat[cpu][k] = sim_now() - t0;
	}
	const struct sim_core *core = &sim_current->cores[sim_current->cpus[cpu].core];
	end_clock[cpu] = core->l2.clock;
	end_n[cpu] = core->l2.n;
}

static void
wrap_setup(struct sim *s)
{
	for (uint32_t i = 0; i < s->ncores; i++)
		s->cores[i].l1.lru_wrap = s->cores[i].l2.lru_wrap = wrap_at;
}

static void
test_lru_renumbering_keeps_victims(void)
{
	static const char *const counts[] = { "l2_hits", "llc_hits", "evictions", "writebacks",
					      "dram_reads" };
	static sim_time_t first[2][NRAND];
	double c[G_N_ELEMENTS(counts)];
	for (unsigned pass = 0; pass < 2; pass++) {
		script = random_script;
		wrap_at = pass == 0 ? 0 : 40;
		setup_fn = wrap_setup;
		run(machine(1, 2), 2);
		for (unsigned k = 0; k < G_N_ELEMENTS(counts); k++) {
			if (pass == 0)
				c[k] = engine(counts[k]);
			else
				g_assert_cmpfloat(engine(counts[k]), ==, c[k]);
		}
		for (uint32_t cpu = 0; cpu < 2; cpu++) {
			if (pass == 0) {
				memcpy(first[cpu], lat[cpu], sizeof first[cpu]);
				/* one stamp per use, never renumbered */
				g_assert_cmpuint(end_clock[cpu], >, 100);
				continue;
			}
			for (unsigned k = 0; k < NRAND; k++)
				g_assert_cmpuint(lat[cpu][k], ==, first[cpu][k]);
			/* renumbered: the clock restarted from the lines held */
			g_assert_cmpuint(end_clock[cpu], <=, 40);
			g_assert_cmpuint(end_n[cpu], ==, 32);
		}
	}
	g_assert_cmpfloat(c[0], >, 0);
	g_assert_cmpfloat(c[2], >, 0);
	g_assert_cmpfloat(c[3], >, 0);
}

/*
 * Host memory follows the lines held, not the sets touched: one CPU
 * loads 64 consecutive lines, one in each of 64 sets of a 2,048-set L2
 * (16,384 lines, 8-way) and of a 64-set L1d (512 lines, 8-way).  Each
 * table holds 64 lines in 128 slots (the smallest power of two at most
 * 3/4 full).
 */
static uint32_t seen_n[2], seen_cap[2];
static void
sweep64_script(uint32_t cpu)
{
	for (unsigned i = 0; i < 64; i++)
		(void)sim_load64(line(i));
	const struct sim_core *core = &sim_current->cores[sim_current->cpus[cpu].core];
	seen_n[0] = core->l1.n;
	seen_cap[0] = core->l1.cap;
	seen_n[1] = core->l2.n;
	seen_cap[1] = core->l2.cap;
}

static void
test_memory_follows_lines(void)
{
	script = sweep64_script;
	struct sim_machine *m = machine(1, 1);
	m->private_cache_lines = 512;
	m->l1d_ways = 8;
	m->l2_lines = 16384;
	m->l2_ways = 8;
	run(m, 1);
	for (unsigned k = 0; k < 2; k++) {
		g_assert_cmpuint(seen_n[k], ==, 64);
		g_assert_cmpuint(seen_cap[k], ==, 128);
	}
}

/*
 * The L1d's recent table (struct sim_recent): lines of different sets
 * used in turn hit it without an LRU update (the core's L1d clock stands
 * still), and lines of one set share its entry, so LRU order inside a
 * set is kept.  Lines 0 and 1 are in sets s and s + 1, lines 0, 8 and 16
 * in one set (2 ways).  CPU 0: first touches of 0 and 1 (320 each), 20
 * loads alternating 0, 1 (L1d hits, 4 each, no table use), then 8
 * (320), 0, 8, 0 (hits, each a use of the set: the clock moves), then
 * 16 (320), which must push out 8 (least recently used), not 0: 0 still
 * hits the L1d (4), 8 comes back from the L2 (12).
 */
static uint32_t recent_clock[3];
static void
recent_script(uint32_t cpu)
{
	if (cpu != 0)
		return;
	const struct sim_core *core = &sim_current->cores[sim_current->cpus[0].core];
	static const unsigned seq[] = { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0,
					1, 0, 1, 8, 0, 8, 0, 16, 0, 8 };
	for (unsigned k = 0; k < G_N_ELEMENTS(seq); k++) {
		if (k == 2)
			recent_clock[0] = core->l1.clock;
		if (k == 22)
			recent_clock[1] = core->l1.clock;
		if (k == 26)
			recent_clock[2] = core->l1.clock;
		sim_time_t t0 = sim_now();
		(void)sim_load64(line(seq[k]));
		lat[0][k] = sim_now() - t0;
	}
}

static void
test_recent_table(void)
{
	static const sim_time_t want[] = { 320, 320, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
					   4, 4, 4, 4, 4, 4, 320, 4, 4, 4, 320, 4, 12 };
	script = recent_script;
	run(machine(1, 2), 1);
	for (unsigned k = 0; k < G_N_ELEMENTS(want); k++)
		g_assert_cmpuint(lat[0][k], ==, want[k]);
	g_assert_cmpuint(recent_clock[1], ==, recent_clock[0]);   /* 20 hits, no stamp */
	g_assert_cmpuint(recent_clock[2], ==, recent_clock[1] + 4); /* 8, 0, 8, 0: one each */
	g_assert_cmpfloat(engine("l2_hits"), ==, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hier/capacity/fits-l1", test_fits_l1);
	g_test_add_func("/hier/capacity/fits-l2", test_fits_l2);
	g_test_add_func("/hier/capacity/l2-overflow-refetches-from-llc",
			test_l2_overflow_refetches_from_llc);
	g_test_add_func("/hier/capacity/beyond-llc-refetches-from-dram",
			test_beyond_llc_refetches_from_dram);
	g_test_add_func("/hier/writeback/dirty-eviction-then-dram-at-home",
			test_dirty_writeback_then_dram_at_home);
	g_test_add_func("/hier/numa/first-touch-and-placement", test_first_touch_and_placement);
	g_test_add_func("/hier/numa/placement-deferred", test_placement_deferred);
	g_test_add_func("/hier/bandwidth/controller-queues", test_bandwidth_queueing);
	g_test_add_func("/hier/chase/l1-and-dram-plateaus", test_chase_plateaus);
	g_test_add_func("/hier/tables/lru-renumbering-keeps-victims",
			test_lru_renumbering_keeps_victims);
	g_test_add_func("/hier/tables/memory-follows-lines", test_memory_follows_lines);
	g_test_add_func("/hier/tables/recent-table", test_recent_table);
	int rc = g_test_run();
	cJSON_Delete(last);
	return rc;
}
