// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Exact cycle counts of 1-, 2- and 3-CPU scenarios, worked out by hand
 * from the model in sim/core/cache.c (legs a, b, d; dir_free = t1 + a).
 *
 * Machine t_lat_default unless stated: l1_hit 4, store_hit 1,
 * atomic_hit 20, leg_cluster 5, leg_socket 10, leg_link 100, mem 300,
 * cluster_occupancy 7, fence.full 33, pause 3; every socket one cluster,
 * sockets fully connected.
 */
#include <string.h>

#include "evq.h"
#include "harness.h"

/* ---- a scripted workload: each CPU runs script(cpu) ---- */

static void (*script)(struct sim *s, uint32_t cpu);
static uint64_t *x;                /* the shared word under test */
static sim_time_t lat[8][8];       /* lat[cpu][k]: k-th measured latency */
static uint64_t val[8][8];
static int order[16];
static int norder;

static const struct sim_param no_params[] = { SIM_P_END };

static struct sim *setup_sim;
static void (*setup_fn)(struct sim *s);

static void *
script_setup(struct sim *s, const void *params)
{
	(void)params;
	setup_sim = s;
	x = sim_alloc(64, 64);
	if (setup_fn)
		setup_fn(s);
	return s;
}

static void
script_cpu(void *state)
{
	script(state, sim_cpu_id());
}

static const struct sim_workload_ops script_ops = {
	.name = "script",
	.summary = "test script",
	.params = no_params,
	.params_size = 1,
	.setup = script_setup,
	.cpu_main = script_cpu,
};

static void
prime_cpu0(struct sim *s)
{
	sim_mem_prime(s, x, 8, 0);
}

/* machine.line_fill_buffers of the next run_script (reset after it). */
static uint32_t run_lfb;

static void
run_script(unsigned sockets, unsigned cores, uint32_t cpus, const struct t_lat *l)
{
	memset(lat, 0, sizeof lat);
	memset(val, 0, sizeof val);
	struct sim_machine *m = t_machine(sockets, cores, l);
	m->line_fill_buffers = run_lfb;
	run_lfb = 0;
	struct sim_run_config *rc = t_config(m, cpus, 1, &script_ops, NULL, 0);
	cJSON *res = t_run(rc);
	cJSON_Delete(res);
	sim_run_config_free(rc);
	setup_fn = NULL;
}

#define TIMED(cpu, k, expr)                         \
	do {                                        \
		sim_time_t t0_ = sim_now();         \
		val[cpu][k] = (uint64_t)(expr);     \
		lat[cpu][k] = sim_now() - t0_;      \
	} while (0)

/* First touch: a = b... = leg_socket + mem + leg_socket = 320, then the
 * line is E: a load hit costs 4 and a store hit 1. */
static void
first_touch_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu != 0)
		return;
	TIMED(0, 0, sim_load64(x));
	TIMED(0, 1, sim_load64(x));
	TIMED(0, 2, (sim_store64(x, 7), 0));
	TIMED(0, 3, sim_load64(x));
}

static void
test_first_touch(void)
{
	script = first_touch_script;
	run_script(1, 2, 2, NULL);
	g_assert_cmpuint(lat[0][0], ==, 10 + 300 + 10);
	g_assert_cmpuint(lat[0][1], ==, 4);
	g_assert_cmpuint(lat[0][2], ==, 1);
	g_assert_cmpuint(lat[0][3], ==, 4);
	g_assert_cmpuint(val[0][3], ==, 7);
}

/*
 * Two sockets, x owned (M) by CPU 0 in socket 0 (home 0).
 *  t=0     CPU 1 loads: a = link 100, b = leg_socket 10, d = link 100 -> 210
 *          (dir_free = 210 + 100 = 310); again: a hit, 4.
 *  t=1000  CPU 0 stores: its copy is S now, so the store is buffered (1
 *          cycle); the drain invalidates CPU 1's copy: a = 10 (CPU 0 is at
 *          the home), b = leg to the farthest sharer 100, d = 100 back ->
 *          visible at 1210.  The fence waits for it, then pays 33: 1243.
 *  t=2000  CPU 1 loads again: owner CPU 0 -> 210, and sees 42.
 */
static void
remote_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu == 1) {
		TIMED(1, 0, sim_load64(x));
		TIMED(1, 1, sim_load64(x));
		sim_sleep_until(2000);
		TIMED(1, 2, sim_load64(x));
	} else {
		sim_sleep_until(1000);
		TIMED(0, 0, (sim_store64(x, 42), 0));
		TIMED(0, 1, (sim_fence_full(), 0));
	}
}

static void
test_remote_read_invalidate(void)
{
	script = remote_script;
	setup_fn = prime_cpu0;
	run_script(2, 1, 2, NULL);
	g_assert_cmpuint(lat[1][0], ==, 210);
	g_assert_cmpuint(lat[1][1], ==, 4);
	g_assert_cmpuint(lat[0][0], ==, 1);
	g_assert_cmpuint(lat[0][1], ==, 1210 - 1001 + 33);
	g_assert_cmpuint(lat[1][2], ==, 210);
	g_assert_cmpuint(val[1][2], ==, 42);
}

/*
 * Store-to-load forwarding and the store buffer's TSO order.  CPU 1 owns
 * x.  At t=100 CPU 0's store is buffered (drain: t_arr 105, t_x 110,
 * visible at t1 = 115); CPU 0 reads its own value at once (forwarded, 4
 * cycles) while CPU 1, still the owner at t=102, reads 0 as a hit.
 */
static void
forward_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu == 0) {
		sim_sleep_until(100);
		sim_store64(x, 5);               /* x is owned by CPU 1: buffered */
		TIMED(0, 0, sim_load64(x));
	} else if (cpu == 1) {
		sim_sleep_until(102);
		TIMED(1, 0, sim_load64(x));      /* CPU 0's store not yet visible */
		sim_sleep_until(1000);
		TIMED(1, 1, sim_load64(x));
	}
}

static void
prime_cpu1(struct sim *s)
{
	sim_mem_prime(s, x, 8, 1);
}

static void
test_store_forwarding(void)
{
	script = forward_script;
	setup_fn = prime_cpu1;
	run_script(1, 2, 2, NULL);
	g_assert_cmpuint(lat[0][0], ==, 4);
	g_assert_cmpuint(val[0][0], ==, 5);
	g_assert_cmpuint(val[1][0], ==, 0);
	g_assert_cmpuint(lat[1][0], ==, 4);
	g_assert_cmpuint(val[1][1], ==, 5);
	/* x is M at CPU 0 by then: an in-cluster transfer, 3 x 5. */
	g_assert_cmpuint(lat[1][1], ==, 15);
}

static void
fence_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu == 0)
		TIMED(0, 0, (sim_fence_full(), 0));
}

static void
test_fence_empty(void)
{
	script = fence_script;
	run_script(1, 1, 1, NULL);
	g_assert_cmpuint(lat[0][0], ==, 33);
}

/*
 * Three readers in socket 1 miss at once on a line CPU 0 owns.  CPU 4
 * (lowest id, runs first) fetches: 100 + 10 + 100 = 210.  CPUs 5 and 6
 * merge into that fetch and are served by their LLC when it lands:
 * 210 + 5 = 215 and 210 + 7 + 5 = 222.  At t=1000 CPU 7 hits in the LLC:
 * 2 x 5 = 10.
 */
static void
merge_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu >= 4 && cpu <= 6)
		TIMED(cpu, 0, sim_load64(x));
	if (cpu == 7) {
		sim_sleep_until(1000);
		TIMED(7, 0, sim_load64(x));
	}
}

static void
test_llc_merge(void)
{
	script = merge_script;
	setup_fn = prime_cpu0;
	run_script(2, 4, 8, NULL);
	g_assert_cmpuint(lat[4][0], ==, 210);
	g_assert_cmpuint(lat[5][0], ==, 215);
	g_assert_cmpuint(lat[6][0], ==, 222);
	g_assert_cmpuint(lat[7][0], ==, 10);
}

/*
 * Pipelined directory (hold = 12): CPU 1 and CPU 2 both RMW a line CPU 0
 * owns, at t=0, in one cluster.  Whoever is granted first (Y1): t_arr 5,
 * t_x 10, t1 15, done 35; the directory is free again at t_x = 10.  The
 * second (Y2) is granted at 10: t_arr 10, t_x = max(10 + 5, 15 + 12) = 27,
 * t1 = 32, done 52.  Sum 87 whatever the arbiter picks.
 */
static void
hold_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu == 1 || cpu == 2)
		TIMED(cpu, 0, sim_faa64(x, 1));
}

static void
test_pipelined_hold(void)
{
	struct t_lat l = t_lat_default;
	l.hold = 12;
	script = hold_script;
	setup_fn = prime_cpu0;
	run_script(1, 3, 3, &l);
	g_assert_cmpuint(lat[1][0] + lat[2][0], ==, 35 + 52);
	g_assert_true(lat[1][0] == 35 || lat[2][0] == 35);
}

/*
 * A load of another word of a line whose store is still draining from
 * this CPU's store buffer.  x is owned by CPU 0; hold 5.  CPU 1 stores
 * x[0] at t=0 (write request: granted at 0, tx 10, data at 15) and
 * loads x[1] at t=1 (a read request: the line is not here yet); CPU 2
 * RMWs x[2] at t=2.  Both requests wait for dir_free = 10, and the
 * arbiter picks one.  If CPU 1's read goes first its own write owns the
 * line: the read completes when the data arrives, at 15 (14 cycles), and
 * CPU 2's grant may not take the line before 15 + hold.  (Regression:
 * the read used to complete at 10 and move last_t1 back, so CPU 2 took
 * the line at 15 and CPU 1's store-buffer drain found it gone.)
 */
static void
sb_read_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu == 1) {
		sim_store64(&x[0], 1);
		TIMED(1, 0, sim_load64(&x[1]));
	} else if (cpu == 2) {
		sim_sleep_until(2);
		TIMED(2, 0, sim_faa64(&x[2], 1));
	}
}

static void
prime_cpu0_line(struct sim *s)
{
	sim_mem_prime(s, x, 64, 0);
}

static void
test_load_behind_own_store(void)
{
	struct t_lat l = t_lat_default;
	l.hold = 5;
	int read_first = 0;
	for (uint64_t seed = 1; seed <= 16; seed++) {
		script = sb_read_script;
		setup_fn = prime_cpu0_line;
		memset(lat, 0, sizeof lat);
		struct sim_run_config *rc = t_config(t_machine(1, 3, &l), 3, seed, &script_ops,
						     NULL, 0);
		cJSON_Delete(t_run(rc));
		sim_run_config_free(rc);
		if (lat[1][0] == 14)
			read_first++;
		else    /* CPU 2 went first: CPU 1's read waits behind both writes */
			g_assert_cmpuint(lat[1][0], >, 14);
	}
	setup_fn = NULL;
	g_assert_cmpint(read_first, >, 0);
}

/*
 * A read served by the cluster LLC sees the line as it is when the data
 * arrives.  x is owned by CPU 0 (hold 12).  CPU 1 reads it at t=0: a
 * downgrade granted at once, tx 10 (CPU 0 may still write until then),
 * data at 15.  CPU 0 stores 1 at t=8, inside that window.  CPU 2 reads at
 * t=2 from the LLC, which is busy until 15: data at 15 + 2 * 5 = 25 (23
 * cycles), value 1.  (Regression: the LLC path read host memory at issue
 * time, returned 0 while holding a valid copy, and a spin-wait on that
 * copy slept through the write forever.)
 */
static void
llc_stale_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	switch (cpu) {
	case 0:
		sim_sleep_until(8);
		sim_store64(x, 1);
		break;
	case 1:
		TIMED(1, 0, sim_load64(x));
		break;
	case 2:
		sim_sleep_until(2);
		TIMED(2, 0, sim_load64(x));
		break;
	}
}

static void
test_llc_read_not_stale(void)
{
	struct t_lat l = t_lat_default;
	l.hold = 12;
	script = llc_stale_script;
	setup_fn = prime_cpu0;
	run_script(1, 3, 3, &l);
	g_assert_cmpuint(lat[1][0], ==, 15);
	g_assert_cmpuint(val[1][0], ==, 1);
	g_assert_cmpuint(lat[2][0], ==, 23);
	g_assert_cmpuint(val[2][0], ==, 1);
}

/*
 * Same-time events run in CPU-id order: every CPU sleeps until t=1000,
 * then notes its place; ids are handed out in reverse allocation order to
 * make sure nothing follows host addresses.
 */
static void
tie_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	sim_sleep_until(1000 + (cpu % 2));   /* odd CPUs one cycle later */
	order[norder++] = (int)cpu;
}

static void
test_tie_break_cpu_order(void)
{
	script = tie_script;
	norder = 0;
	run_script(1, 8, 8, NULL);
	const int want[8] = { 0, 2, 4, 6, 1, 3, 5, 7 };
	g_assert_cmpint(norder, ==, 8);
	for (int i = 0; i < 8; i++)
		g_assert_cmpint(order[i], ==, want[i]);
}

static void
test_evq_order(void)
{
	struct sim_evq q;
	sim_evq_init(&q);
	const struct sim_ev in[] = {
		{ .time = 5, .cls = SIM_EV_LINE, .id = 1, .seq = 1 },
		{ .time = 5, .cls = SIM_EV_CPU, .id = 3, .seq = 2 },
		{ .time = 5, .cls = SIM_EV_CPU, .id = 1, .seq = 9 },
		{ .time = 5, .cls = SIM_EV_CPU, .id = 1, .seq = 4 },
		{ .time = 4, .cls = SIM_EV_LINE, .id = 0, .seq = 5 },
		{ .time = 5, .cls = SIM_EV_SB, .id = 0, .seq = 6 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(in); i++)
		sim_evq_push(&q, in[i]);
	const uint64_t want_seq[] = { 5, 4, 9, 2, 6, 1 };
	for (size_t i = 0; i < G_N_ELEMENTS(want_seq); i++)
		g_assert_cmpuint(sim_evq_pop(&q).seq, ==, want_seq[i]);
	g_assert_true(sim_evq_empty(&q));
	sim_evq_free(&q);
}

/*
 * line_ww on three single-core sockets, one round, conflict = 50:
 *   CPU 0 at t=0 owns the line: 20.
 *   t=200000: CPUs 1 and 2 collide.  First granted (X): a 100, b 10 + 50
 *   (the other one waits: a conflict), d 100 -> t1 = 200260, done +20:
 *   280.  The directory frees at t1 + a = 200360; Y: a 100, b 100 (from
 *   X's socket), d 100 -> t1 = 200560, done 580.
 *   Mean (20 + 280 + 580) / 3, whichever the arbiter picks.
 */
static void
test_ww_three_sockets(void)
{
	const char *json =
		"{\"machine\": {\"name\": \"t3\", \"freq_ghz\": 1,"
		"  \"topology\": {\"sockets\": 3, \"cores_per_cluster\": 1},"
		"  \"latency\": {\"atomic_hit\": 20, \"leg_cluster\": 5, \"leg_socket\": 10,"
		"    \"leg_link\": 100, \"leg_hop\": 40, \"conflict\": 50, \"hold\": 0}},"
		" \"cpus\": 3, \"workload\": {\"name\": \"line_ww\", \"rounds\": 1}}";
	for (uint64_t seed = 1; seed <= 4; seed++) {
		g_autofree char *set = g_strdup_printf("seed=%" G_GUINT64_FORMAT, seed);
		char *sets[] = { set, NULL };
		GError *err = NULL;
		cJSON *res = t_run_json(json, sets, &err);
		g_assert_no_error(err);
		g_assert_cmpfloat_with_epsilon(t_metric(res, "cycles_per_access_mean"),
					       (20.0 + 280.0 + 580.0) / 3.0, 1e-9);
		g_assert_cmpfloat(t_metric(res, "colliders_cycles_mean"), ==, 430.0);
		cJSON_Delete(res);
	}
}

/*
 * line_ww with two CPUs of one socket on ben: CPU 0's first write hits
 * (30); every later access moves the line inside the socket: 3 legs of
 * 35 + the 30-cycle lock xadd = 135.  Two rounds: (30 + 3 x 135) / 4.
 */
static void
test_ww_ben_two_cpus(void)
{
	const char *json = "{\"machine\": \"ben\", \"cpus\": 2,"
			   " \"workload\": {\"name\": \"line_ww\", \"rounds\": 2}}";
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(t_metric(res, "cycles_per_access_mean"), ==, (30.0 + 3 * 135.0) / 4.0);
	cJSON_Delete(res);
}

/*
 * The conflict-free modes on ben, two CPUs of one socket, three periods.
 * line_wx: every access is a lock xadd on the CPU's own line.  CPU 0's
 * line is its own (atomic_hit 30 each); CPU 1's sits in the buffer CPU 0
 * touched first, so its first add takes the line from CPU 0 inside the
 * socket (3 legs of 35 + 30 = 135) and the other two hit:
 * (3 x 30 + 135 + 2 x 30) / 6, one miss.  line_rr: every CPU loads twice
 * a period (6 loads each); CPU 0 owns the line (l1_hit 4); CPU 1's first
 * load takes a shared copy from it (105), after which both hit:
 * (6 x 4 + 105 + 5 x 4) / 12.
 */
static void
test_rr_wx_ben_two_cpus(void)
{
	GError *err = NULL;
	cJSON *res = t_run_json("{\"machine\": \"ben\", \"cpus\": 2,"
				" \"workload\": {\"name\": \"line_wx\", \"rounds\": 3}}", NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(t_metric(res, "cycles_per_access_mean"), ==, (3 * 30.0 + 135 + 2 * 30) / 6);
	g_assert_cmpfloat(t_metric(res, "engine.misses"), ==, 1);
	cJSON_Delete(res);
	res = t_run_json("{\"machine\": \"ben\", \"cpus\": 2,"
			 " \"workload\": {\"name\": \"line_rr\", \"rounds\": 3}}", NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat_with_epsilon(t_metric(res, "cycles_per_access_mean"),
				       (6 * 4.0 + 105.0 + 5 * 4.0) / 12.0, 1e-9);
	g_assert_cmpfloat(t_metric(res, "cpu0_cycles_mean"), ==, 4.0);
	cJSON_Delete(res);
}

/*
 * Blind pingpong, two CPUs of one cluster, two turns; CPU 1 owns the line.
 *  t=0   CPU 0 CAS(0->1) misses; CPU 1's CAS(1->2) hits and fails (0),
 *        20 cycles.  The grant to CPU 0: t_arr 5, t_x 10, t1 15, done 35.
 *  t=20  CPU 1 would wait for a write, but its copy went at t=10: it
 *        only pays pause (3) and retries at 23: t_arr 28, t_x 33, t1 38,
 *        done 58.   58 cycles / 2 turns = 29 per handoff.
 */
static void
test_pingpong_blind_exact(void)
{
	const char *json =
		"{\"machine\": {\"name\": \"t1\", \"freq_ghz\": 1,"
		"  \"topology\": {\"sockets\": 1, \"cores_per_cluster\": 2},"
		"  \"latency\": {\"atomic_hit\": 20, \"leg_cluster\": 5, \"pause\": 3}},"
		" \"cpus\": 2, \"workload\": {\"name\": \"pingpong\", \"turns\": 2}}";
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(t_metric(res, "cycles_per_handoff"), ==, 29.0);
	cJSON_Delete(res);
}

/*
 * A lone sharer upgrades without an invalidation round.  One socket of
 * three cores; private caches of one 8-way set (private_cache_lines 8).
 * x is owned by CPU 0; at t=0 CPU 1 reads it (a downgrade: cores 0 and 1
 * hold S copies).  At t=1000 CPU 0 reads eight lines CPU 2 owns, whose
 * S copies evict its copy of x.  At t=5000 CPU 1 fetch-and-adds x: it is
 * now the only sharer, so the directory grants the upgrade at once:
 * a = leg_socket 10 to the home, no forward, d = 10 back, + atomic_hit
 * 20 = 40 cycles, and no invalidation is counted.  Without the eviction
 * (evict = false) CPU 0 still holds a copy and the same RMW invalidates
 * it: a 10, b 10 (to the sharer's cluster), d = leg_cluster 5, + 20 = 45.
 * (Regression: the directory counted S fills, never evictions, so after
 * a downgrade a writer was never the lone sharer and always paid 45.)
 */
static uint64_t *upg_fill;
static bool upg_evict;

static void
upgrade_setup(struct sim *s)
{
	sim_mem_prime(s, x, 8, 0);
	upg_fill = sim_alloc(8 * 64, 64);
	sim_mem_prime(s, upg_fill, 8 * 64, 2);
}

static void
upgrade_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu == 1) {
		(void)sim_load64(x);
		sim_sleep_until(5000);
		TIMED(1, 0, sim_faa64(x, 1));
	} else if (cpu == 0 && upg_evict) {
		sim_sleep_until(1000);
		for (unsigned i = 0; i < 8; i++)
			(void)sim_load64(&upg_fill[i * 8]);
	}
}

static double
run_upgrade(bool evict)
{
	memset(lat, 0, sizeof lat);
	upg_evict = evict;
	script = upgrade_script;
	setup_fn = upgrade_setup;
	struct sim_machine *m = t_machine(1, 3, NULL);
	m->private_cache_lines = 8;
	struct sim_run_config *rc = t_config(m, 3, 1, &script_ops, NULL, 0);
	cJSON *res = t_run(rc);
	double inv = t_metric(res, "engine.invalidations");
	cJSON_Delete(res);
	sim_run_config_free(rc);
	setup_fn = NULL;
	return inv;
}

static void
test_lone_sharer_upgrade(void)
{
	g_assert_cmpfloat(run_upgrade(false), ==, 1);
	g_assert_cmpuint(lat[1][0], ==, 10 + 10 + 5 + 20);
	g_assert_cmpfloat(run_upgrade(true), ==, 0);
	g_assert_cmpuint(lat[1][0], ==, 10 + 10 + 20);
}

/*
 * Cause and cost agree: a transfer between two clusters of one socket of
 * a line homed on another socket crosses the link twice, so it is
 * xfer_remote and pays the conflict penalty like any cross-socket grant.
 * Two sockets of two clusters of two cores (CPUs 0-1 cluster 0, 2-3
 * cluster 1 on socket 0); conflict 50.  x is owned by CPU 0 and homed on
 * socket 1.  CPUs 2 and 3 fetch-and-add it at t=0.  The first granted:
 * a = link 100 to the home, b = link 100 back to cluster 0, d = leg_socket
 * 10 + conflict 50 (the other, remote request waits) -> 260, + 20 = 280,
 * all of 260 booked as xfer_remote; the directory is free at 260 + 100.
 * The second takes the line from its cluster sibling, granted at 360 (its
 * request leg arrived long before): b 5 + d 5 -> 370, + 20 = 390, with
 * 15 booked as xfer_cluster (a + b + d) and the rest as queueing.  (Regression: the first was booked as xfer_socket and
 * skipped the conflict: 230 and 345.)
 */
static void
remote_home_setup(struct sim *s)
{
	sim_mem_prime(s, x, 8, 0);
	sim_mem_place(s, x, 8, 1);
}

static void
remote_home_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu == 2 || cpu == 3)
		TIMED(cpu, 0, sim_faa64(x, 1));
}

static void
test_intra_socket_remote_home(void)
{
	struct t_lat l = t_lat_default;
	l.conflict = 50;
	memset(lat, 0, sizeof lat);
	script = remote_home_script;
	setup_fn = remote_home_setup;
	struct sim_run_config *rc = t_config(t_machine_clusters(2, 2, 2, &l), 8, 1, &script_ops,
					     NULL, 0);
	cJSON *res = t_run(rc);
	setup_fn = NULL;
	sim_time_t first = lat[2][0] < lat[3][0] ? lat[2][0] : lat[3][0];
	sim_time_t second = lat[2][0] < lat[3][0] ? lat[3][0] : lat[2][0];
	g_assert_cmpuint(first, ==, 100 + 100 + 10 + 50 + 20);
	g_assert_cmpuint(second, ==, 260 + 100 + 5 + 5 + 20);
	g_assert_cmpfloat(t_metric(res, "cycles_by_cause.xfer_remote"), ==, 260);
	g_assert_cmpfloat(t_metric(res, "cycles_by_cause.xfer_socket"), ==, 0);
	g_assert_cmpfloat(t_metric(res, "cycles_by_cause.xfer_cluster"), ==, 15);
	cJSON_Delete(res);
	sim_run_config_free(rc);
}

/*
 * A read from another socket than the home (remote_read_snoop 60) and the
 * writeback when dirty data comes to be shared across sockets
 * (share_writeback 300).  Two sockets of three cores: CPUs 0-2 in socket
 * 0 (the home), 3-5 in socket 1; x primed M (dirty) by CPU 0.
 *  t=0     CPU 3 loads: a = link 100, b = leg_socket 10, d = link 100 +
 *          snoop 60 -> 270.  The home writes the dirty line back: free at
 *          t1 + a + 300 = 670.
 *  t=1     CPU 1 loads: its LLC (the home's) holds the line, but an LLC
 *          hit at the home waits for the home: 670 + 2 x 5 -> 679.
 *  t=2     CPU 4 loads: its own socket's LLC got the line at 270: 278,
 *          no home involved.
 *  t=3000  CPU 0 stores and fences: M again, dirty.
 *  t=5000  CPU 1 loads: a downgrade inside the home socket, 3 x 5 = 15;
 *          the dirty data stays in the home's LLC (no writeback).
 *  t=6000  CPU 3 loads: served from the home LLC, 270; the data becomes
 *          shared across sockets, so the home writes it back: free at
 *          6270 + 100 + 300 = 6670.
 *  t=6001  CPU 2 loads, an LLC hit at the home: 6670 + 10 -> 679.
 * Two writebacks.  (Before the model had either mechanism: 210, 319, 278,
 * 15, 210 and 319, no writeback.)
 */
static void
remote_read_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	switch (cpu) {
	case 0:
		sim_sleep_until(3000);
		sim_store64(x, 9);
		sim_fence_full();
		break;
	case 1:
		sim_sleep_until(1);
		TIMED(1, 0, sim_load64(x));
		sim_sleep_until(5000);
		TIMED(1, 1, sim_load64(x));
		break;
	case 2:
		sim_sleep_until(6001);
		TIMED(2, 0, sim_load64(x));
		break;
	case 3:
		TIMED(3, 0, sim_load64(x));
		sim_sleep_until(6000);
		TIMED(3, 1, sim_load64(x));
		break;
	case 4:
		sim_sleep_until(2);
		TIMED(4, 0, sim_load64(x));
		break;
	default:
		break;
	}
}

static void
test_remote_read_snoop_writeback(void)
{
	struct t_lat l = t_lat_default;
	l.remote_read_snoop = 60;
	l.share_writeback = 300;
	memset(lat, 0, sizeof lat);
	memset(val, 0, sizeof val);
	script = remote_read_script;
	setup_fn = prime_cpu0;
	struct sim_run_config *rc = t_config(t_machine(2, 3, &l), 6, 1, &script_ops, NULL, 0);
	cJSON *res = t_run(rc);
	setup_fn = NULL;
	g_assert_cmpuint(lat[3][0], ==, 270);
	g_assert_cmpuint(lat[1][0], ==, 679);
	g_assert_cmpuint(lat[4][0], ==, 278);
	g_assert_cmpuint(lat[1][1], ==, 15);
	g_assert_cmpuint(lat[3][1], ==, 270);
	g_assert_cmpuint(lat[2][0], ==, 679);
	g_assert_cmpuint(val[2][0], ==, 9);
	g_assert_cmpfloat(t_metric(res, "engine.writebacks"), ==, 2);
	cJSON_Delete(res);
	sim_run_config_free(rc);
}

/*
 * A failed CAS wakes spinners.  One socket, two cores; x owned by CPU 1.
 * CPU 0 spins while x == 0: its first load takes the line from CPU 1
 * (3 x leg_cluster = 15) and it sleeps on its copy.  At t=1000 CPU 1's
 * CAS(x, 5 -> 6) fails but takes the line: an invalidation (a 10, b 10,
 * d 5) -> 1025, + atomic_hit 20 = 45 cycles.  CPU 0's copy is gone, so it
 * wakes at 1025 and re-reads (a third load) before sleeping again; at
 * t=2000 CPU 1 stores 1 and CPU 0 returns it.  (Regression: a failed CAS
 * woke nobody, and CPU 0 made only two loads.)
 */
static void
cas_wake_script(struct sim *s, uint32_t cpu)
{
	(void)s;
	if (cpu == 0) {
		val[0][0] = sim_spin_while_eq64(x, 0);
	} else {
		sim_sleep_until(1000);
		TIMED(1, 0, sim_cas64(x, 5, 6));
		sim_sleep_until(2000);
		sim_store64(x, 1);
	}
}

static void
test_failed_cas_wakes_spinners(void)
{
	memset(lat, 0, sizeof lat);
	memset(val, 0, sizeof val);
	script = cas_wake_script;
	setup_fn = prime_cpu1;
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &script_ops, NULL, 0);
	cJSON *res = t_run(rc);
	setup_fn = NULL;
	g_assert_cmpuint(val[1][0], ==, 0);
	g_assert_cmpuint(lat[1][0], ==, 10 + 10 + 5 + 20);
	g_assert_cmpuint(val[0][0], ==, 1);
	g_assert_cmpfloat(t_metric(res, "engine.loads"), ==, 3);
	cJSON_Delete(res);
	sim_run_config_free(rc);
}

/*
 * The per-CPU access counters (sim_cpu_access_counts), on the remote
 * script's pattern plus an RMW and a store forwarded to a load.  x is M
 * at CPU 0 (primed).  CPU 1: load x (a transfer: load miss), load x
 * (hit), at t=2000 load x (CPU 0 wrote it meanwhile: miss).  CPU 0 at
 * t=1000: store x (its copy is S: the store buffer requests ownership,
 * one store miss), a second store to x right behind it (same request:
 * no second miss), a load of x (forwarded from the store buffer: no
 * miss), fence; at t=3000 faa on x (CPU 1 holds it S: an RMW miss),
 * faa again (hit).
 */
static struct sim_access_counts counts[2];

static void
counters_script(struct sim *s, uint32_t cpu)
{
	if (cpu == 1) {
		(void)sim_load64(x);
		(void)sim_load64(x);
		sim_sleep_until(2000);
		(void)sim_load64(x);
	} else {
		sim_sleep_until(1000);
		sim_store64(x, 42);
		sim_store64(x, 43);
		val[0][0] = sim_load64(x);
		sim_fence_full();
		sim_sleep_until(3000);
		(void)sim_faa64(x, 1);
		(void)sim_faa64(x, 1);
	}
	sim_sleep_until(4000);
	sim_cpu_access_counts(s, cpu, &counts[cpu]);
}

static void
test_access_counters(void)
{
	script = counters_script;
	setup_fn = prime_cpu0;
	run_script(2, 1, 2, NULL);
	g_assert_cmpuint(val[0][0], ==, 43);
	g_assert_cmpuint(counts[1].loads, ==, 3);
	g_assert_cmpuint(counts[1].load_misses, ==, 2);
	g_assert_cmpuint(counts[1].stores + counts[1].rmws, ==, 0);
	g_assert_cmpuint(counts[0].loads, ==, 1);
	g_assert_cmpuint(counts[0].load_misses, ==, 0);
	g_assert_cmpuint(counts[0].stores, ==, 2);
	g_assert_cmpuint(counts[0].store_misses, ==, 1);
	g_assert_cmpuint(counts[0].rmws, ==, 2);
	g_assert_cmpuint(counts[0].rmw_misses, ==, 1);
}

/* ---- fast-string clearing (sim_zero_lines) ---- */

enum zl_case { ZL_HOT, ZL_DRAM, ZL_REMOTE };
static enum zl_case zl_case;
static uint8_t *zl_buf;            /* 8 lines */
static struct sim_access_counts zl_counts;
static uint8_t zl_nonzero;

static void
zl_setup(struct sim *s)
{
	zl_buf = sim_alloc(8 * 64, 64);
	if (zl_case == ZL_HOT)
		sim_mem_prime(s, zl_buf, 8 * 64, 0);
	else if (zl_case == ZL_REMOTE)
		sim_mem_prime(s, zl_buf, 8 * 64, 1);   /* home and owner: socket 1 */
	if (zl_case != ZL_DRAM)
		memset(zl_buf, 0xa5, 8 * 64);
}

static void
zl_script(struct sim *s, uint32_t cpu)
{
	if (cpu != 0)
		return;
	TIMED(0, 0, (sim_zero_lines(zl_buf, 8), sim_fence_full(), 0));
	sim_cpu_access_counts(s, 0, &zl_counts);
	zl_nonzero = 0;
	for (unsigned i = 0; i < 8 * 64; i++)
		zl_nonzero |= zl_buf[i];
}

/* Clear 8 lines on CPU 0 (socket 0 of two, one core each) and fence. */
static sim_time_t
zl_run(enum zl_case c, uint32_t lfb)
{
	zl_case = c;
	script = zl_script;
	setup_fn = zl_setup;
	run_lfb = lfb;
	run_script(2, 1, 2, NULL);
	g_assert_cmpuint(zl_nonzero, ==, 0);
	return lat[0][0];
}

/*
 * sim_zero_lines on t_lat_default (store_hit 1, leg_socket 10, leg_link
 * 100, mem 300, fence.full 33; store buffer 8 entries), 8 lines, then a
 * full fence, timed together on CPU 0 (socket 0):
 *
 * Hot (CPU 0 owns every line): 8 issue slots x store_hit 1 = 8, all hits;
 * the fence finds the buffer empty: 33.  Total 41 with fill buffers or
 * without (then 8 store hits visible at once).
 *
 * Cold, never touched (first touch makes socket 0 the home; no cache has
 * the lines), line_fill_buffers 4: each miss is a write without data,
 * a = leg_socket 10 to the home, no forward (b = 0: no DRAM read), d = 10
 * back: 20 after its issue.  Line i issues at i + 1 while a buffer is
 * free (lines 0-3 at 1, 2, 3, 4, owned at 21, 22, 23, 24); line 4 issues
 * at 5 but waits for the first buffer, 21, and is owned at 41; lines 5-7
 * likewise at 42, 43, 44.  The string ends at 44, the fence adds 33: 77.
 * The same clear without fill buffers (the model before fast strings):
 * 8 buffered stores; the buffer drains one write miss at a time, each with
 * a DRAM read, 10 + 300 + 10 = 320: empty at 8 x 320 = 2,560, + 33 = 2,593.
 *
 * Last written by another socket (CPU 1, socket 1, owns every line; home
 * socket 1), line_fill_buffers 4: each miss goes to the home and takes the
 * line from its owner, a = link 100, b = leg_socket 10 (owner at the
 * home), d = link 100 back to CPU 0: 210.  Lines 0-3 owned at 211-214,
 * lines 4-7 wait for buffers from 211 and are owned at 421-424; + 33 =
 * 457.  Without fill buffers: 8 x 210 one after the other, 1,680, + 33 =
 * 1,713.
 */
static void
test_zero_lines(void)
{
	g_assert_cmpuint(zl_run(ZL_HOT, 4), ==, 8 + 33);
	g_assert_cmpuint(zl_counts.stores, ==, 8);
	g_assert_cmpuint(zl_counts.store_misses, ==, 0);
	g_assert_cmpuint(zl_run(ZL_HOT, 0), ==, 8 + 33);

	g_assert_cmpuint(zl_run(ZL_DRAM, 4), ==, 44 + 33);
	g_assert_cmpuint(zl_counts.stores, ==, 8);
	g_assert_cmpuint(zl_counts.store_misses, ==, 8);
	g_assert_cmpuint(zl_run(ZL_DRAM, 0), ==, 8 * 320 + 33);

	g_assert_cmpuint(zl_run(ZL_REMOTE, 4), ==, 424 + 33);
	g_assert_cmpuint(zl_counts.store_misses, ==, 8);
	g_assert_cmpuint(zl_run(ZL_REMOTE, 0), ==, 8 * 210 + 33);
	/* One fill buffer: no overlap, but no data either: line 0 issues at
	 * 1 and is owned at 21; each next line's issue slot (1 cycle) falls
	 * inside the previous miss, so it issues when that one completes:
	 * owned at 41, 61, ... 161; + 33 = 194. */
	g_assert_cmpuint(zl_run(ZL_DRAM, 1), ==, 1 + 8 * 20 + 33);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cost/first-touch-then-hits", test_first_touch);
	g_test_add_func("/cost/access-counters", test_access_counters);
	g_test_add_func("/cost/zero-lines-fill-buffers", test_zero_lines);
	g_test_add_func("/cost/remote-read-then-invalidating-store", test_remote_read_invalidate);
	g_test_add_func("/cost/store-buffer-forwarding", test_store_forwarding);
	g_test_add_func("/cost/fence-with-empty-store-buffer", test_fence_empty);
	g_test_add_func("/cost/llc-merges-readers", test_llc_merge);
	g_test_add_func("/cost/pipelined-directory-hold", test_pipelined_hold);
	g_test_add_func("/cost/load-behind-own-store-buffer-write", test_load_behind_own_store);
	g_test_add_func("/cost/llc-read-sees-value-at-arrival", test_llc_read_not_stale);
	g_test_add_func("/cost/intra-socket-transfer-of-remote-line-is-remote",
			test_intra_socket_remote_home);
	g_test_add_func("/cost/failed-cas-wakes-spinners", test_failed_cas_wakes_spinners);
	g_test_add_func("/cost/remote-read-snoop-and-share-writeback",
			test_remote_read_snoop_writeback);
	g_test_add_func("/cost/lone-sharer-upgrades-without-invalidation",
			test_lone_sharer_upgrade);
	g_test_add_func("/cost/line-ww-three-sockets", test_ww_three_sockets);
	g_test_add_func("/cost/line-rr-wx-ben-two-cpus", test_rr_wx_ben_two_cpus);
	g_test_add_func("/cost/line-ww-ben-two-cpus", test_ww_ben_two_cpus);
	g_test_add_func("/cost/pingpong-blind", test_pingpong_blind_exact);
	g_test_add_func("/engine/tie-break/cpu-id-order", test_tie_break_cpu_order);
	g_test_add_func("/engine/evq/total-order", test_evq_order);
	return g_test_run();
}
