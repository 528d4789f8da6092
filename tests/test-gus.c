// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * GUS / FreeBSD SMR (models/reclaim/rcl_gus.c, rcl_gus_tree.c): exact costs of
 * smr_enter/smr_exit and of polls on 3-CPU machines, worked out by hand
 * from sim/core/cache.c; sequence wrap with INVARIANTS-sized increments; the
 * modes' counters; the tree's one-line poll; which modes take the tick (only
 * lazy and the tree poll: docs/gus-idle.md); and the mutation tests: the
 * explorer catches a stale c_seq treated as expired within 1,000 seeds,
 * the unmutated scheme survives the same seeds, and deleting the clamp
 * alone is harmless (the finding documented in rcl_gus.c).
 *
 * Machine for exact costs (t_lat_default): one socket, one cluster of 3
 * cores; l1_hit 4, store_hit 1, atomic_hit 20, leg_cluster 5, leg_socket
 * 10, fence.full 33, pause 3, hold 0.  Within the cluster a transfer from
 * another core's M copy costs a + b + d = 5 + 5 + 5 = 15; invalidating S
 * copies from the home directory costs a 10 + b 10 + d 5 = 25.  At setup
 * GUS primes its shared line, the domain's uzd_seq line and the domain
 * lock to CPU 0, and each c_seq line to its own CPU (all M).
 */
#include <string.h>

#include "explore.h"
#include "harness.h"
#include "rcl_gus.h"

/* ---- a scripted workload driving the scheme through its ops ---- */

static const struct sim_param no_params[] = { SIM_P_END };
static const struct rcl_ops *ops;
static void *rs;
static struct gus_params gp;
static void (*script)(uint32_t cpu);
static uint64_t *objs;              /* simulated objects to retire */
static sim_time_t lat[4][8];
static cJSON *stats;
static uint64_t ticks_seen[3];      /* sim_cpu_ticks per CPU, read at report */

static void *
script_setup(struct sim *s, const void *p)
{
	(void)p;
	ops = rcl_find("gus");
	g_assert_nonnull(ops);
	rs = ops->create(s, &gp);
	objs = sim_alloc(64 * 8, 64);
	return s;
}

static void
script_cpu(void *st)
{
	(void)st;
	script(sim_cpu_id());
}

static void
script_report(void *st, struct sim *s, cJSON *m)
{
	(void)st;
	(void)m;
	for (uint32_t i = 0; i < 3 && i < sim_ncpus_of(s); i++)
		ticks_seen[i] = sim_cpu_ticks(s, i);
	stats = cJSON_CreateObject();
	ops->stats(rs, stats);
	g_assert_true(ops->invariants_hold(rs));
}

static void
script_teardown(void *st)
{
	(void)st;
	ops->destroy(rs);
}

static const struct sim_workload_ops script_ops = {
	.name = "gus-script", .summary = "", .params = no_params, .params_size = 1,
	.setup = script_setup, .cpu_main = script_cpu, .report = script_report,
	.teardown = script_teardown,
};

static void
default_params(void)
{
	sim_params_defaults(rcl_find("gus")->comp.params, &gp);
}

static void
run_script(uint32_t cpus, bool atomic_full_fence)
{
	memset(lat, 0, sizeof lat);
	struct sim_machine *m = t_machine(1, 3, NULL);
	m->fence.atomic_full_fence = atomic_full_fence;
	struct sim_run_config *rc = t_config(m, cpus, 1, &script_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
}

static double
stat(const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(stats, name);
	g_assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

#define TIMED(cpu, k, stmt)                         \
	do {                                        \
		sim_time_t t0_ = sim_now();         \
		stmt;                               \
		lat[cpu][k] = sim_now() - t0_;      \
	} while (0)

/* Two enter/exit pairs on CPU 1; the others idle. */
static void
pairs_script(uint32_t cpu)
{
	if (cpu != 1)
		return;
	TIMED(1, 0, ops->read_lock(rs));
	TIMED(1, 1, ops->read_unlock(rs));
	TIMED(1, 2, ops->read_lock(rs));
	TIMED(1, 3, ops->read_unlock(rs));
}

/*
 * Default mode on x86-like atomics (smr_enter = load s_wr_seq + LOCK ADD):
 *   enter 1: the shared line is M at CPU 0: transfer 15; the add hits its
 *            own M c_seq line: 20.                               -> 35
 *   exit:    store-release (release fence 0) hitting its own line: 1
 *   enter 2: s_wr_seq now an S hit, 4 + 20                       -> 24
 */
static void
test_cost_enter_exit_default(void)
{
	default_params();
	script = pairs_script;
	run_script(3, true);
	g_assert_cmpuint(lat[1][0], ==, 15 + 20);
	g_assert_cmpuint(lat[1][1], ==, 1);
	g_assert_cmpuint(lat[1][2], ==, 4 + 20);
	g_assert_cmpuint(lat[1][3], ==, 1);
	g_assert_cmpfloat(stat("read_side_cycles_per_pair"), ==, (36.0 + 25.0) / 2);
	g_assert_cmpfloat(stat("read_sections"), ==, 2);
	cJSON_Delete(stats);
}

/* Lazy: plain store instead of the locked add: 15 + 1, then 4 + 1. */
static void
test_cost_enter_exit_lazy(void)
{
	default_params();
	gp.mode = GUS_MODE_LAZY;
	script = pairs_script;
	run_script(3, true);
	g_assert_cmpuint(lat[1][0], ==, 15 + 1);
	g_assert_cmpuint(lat[1][1], ==, 1);
	g_assert_cmpuint(lat[1][2], ==, 4 + 1);
	g_assert_cmpuint(lat[1][3], ==, 1);
	cJSON_Delete(stats);
}

/* Atomics that are not full fences (Arm-like): store + full fence (33,
 * store buffer empty): 15 + 1 + 33, then 4 + 1 + 33. */
static void
test_cost_enter_exit_store_fence(void)
{
	default_params();
	script = pairs_script;
	run_script(3, false);
	g_assert_cmpuint(lat[1][0], ==, 15 + 1 + 33);
	g_assert_cmpuint(lat[1][2], ==, 4 + 1 + 33);
	cJSON_Delete(stats);
}

/* smr_synchronize on CPU 0 while CPUs 1 and 2 are idle (never entered). */
static void
sync_idle_script(uint32_t cpu)
{
	if (cpu == 0)
		TIMED(0, 0, ops->synchronize(rs));
}

/*
 * smr_advance: load_acq s_rd_seq (own M line) 4 + fetch-add s_wr_seq 20.
 * smr_poll(goal 3, wait): s_rd_seq 4, s_wr_seq 4; scan: c_seq[0] own 4,
 * c_seq[1] and c_seq[2] from their owners 15 + 15; s_rd_seq 4; CAS 20.
 * Total 24 + 8 + 34 + 24 = 90.
 */
static void
test_cost_synchronize_idle(void)
{
	default_params();
	script = sync_idle_script;
	run_script(3, true);
	g_assert_cmpuint(lat[0][0], ==, 90);
	g_assert_cmpfloat(stat("poll_scan"), ==, 1);
	g_assert_cmpfloat(stat("poll_scan_lines_mean"), ==, 3 + 2);
	g_assert_cmpfloat(stat("poll_scan_cycles_mean"), ==, 4 + 15 + 15 + 4 + 20);
	g_assert_cmpfloat(stat("s_rd_seq"), ==, 3);
	cJSON_Delete(stats);
}

/* CPU 1 in a section from t=0 to ~1035; CPU 0 synchronizes at t=100. */
static void
sync_reader_script(uint32_t cpu)
{
	if (cpu == 1) {
		ops->read_lock(rs);
		sim_work(1000);
		ops->read_unlock(rs);
	} else if (cpu == 0) {
		sim_sleep_until(100);
		TIMED(0, 0, ops->synchronize(rs));
	}
}

/*
 * CPU 1: enter at t=0 (15 + 20, the shared line goes S at both CPUs),
 * work to 1035, exit: its c_seq line is S (CPU 0 read it), so the store
 * drains by invalidation: request at 1035, visible at 1035 + 25 = 1060.
 * CPU 0 at t=100: load_acq s_rd_seq: S hit 4 (104); fetch-add s_wr_seq
 * must invalidate CPU 1's copy: 25 + 20 = 45 (149); poll: 4 + 4 (157);
 * c_seq[0] 4 (161); c_seq[1] from CPU 1: 15 (176), value 1 < goal 3:
 * sleep until the line is written (1060), pause 3 (1063), reload from
 * CPU 1, which owns it again: the directory is busy until 1060 + a (10),
 * so granted at 1070, data at 1080; idle.  c_seq[2] 15 (1095); s_rd_seq
 * 4 (1099); CAS 20 (1119).  1119 - 100 = 1019.
 */
static void
test_cost_synchronize_waits_for_reader(void)
{
	default_params();
	script = sync_reader_script;
	run_script(3, true);
	g_assert_cmpuint(lat[0][0], ==, 1019);
	cJSON_Delete(stats);
}

/* bucket_size 1: every retire advances, queues and drains its bucket. */
static void
retire_script(uint32_t cpu)
{
	if (cpu != 0)
		return;
	TIMED(0, 0, ops->retire(rs, &objs[0], 64, 64));
	sim_sleep_until(1000);
	TIMED(0, 1, ops->retire(rs, &objs[8], 64, 64));
}

/*
 * First retire (t=0): smr_advance 4 + 20; zone_put_bucket: lock (ticket:
 * xadd 20, which returns head too), store uzd_seq 1, unlock (load 4 +
 * store 1) = 26; zone_fetch_expired: uzd_seq 4, smr_poll 4 + 4 + scan
 * (4 + 15 + 15) + 4 + CAS 20 = 66; lock 20, s_rd_seq 4, pop: uzd_seq 1,
 * unlock 5.  24 + 26 + 4 + 66 + 20 + 4 + 1 + 5 = 150.  Second retire
 * (t=1000): the same, but the idle CPUs' c_seq lines are still S copies
 * at CPU 0: the scan is 4 + 4 + 4, the poll 44: 128.
 */
static void
test_cost_retire_bucket_of_one(void)
{
	default_params();
	gp.bucket_size = 1;
	script = retire_script;
	run_script(3, true);
	g_assert_cmpuint(lat[0][0], ==, 150);
	g_assert_cmpuint(lat[0][1], ==, 128);
	g_assert_cmpfloat(stat("advance"), ==, 2);
	g_assert_cmpfloat(stat("poll_scan"), ==, 2);
	g_assert_cmpfloat(stat("freed"), ==, 2);
	/* Each object was freed at the end of its own retire. */
	g_assert_cmpfloat(stat("reclaim_latency_max"), ==, 150);
	g_assert_cmpfloat(stat("gp_latency_max"), ==, 150 - 24);
	cJSON_Delete(stats);
}

/* ---- whole-run properties (rcuscale, JSON configs) ---- */

static const char *const small =
	"{\"machine\": {\"name\": \"t2x4\", \"freq_ghz\": 0.05,"
	"   \"topology\": {\"sockets\": 2, \"cores_per_cluster\": 4}},"
	" \"cpus\": 8, \"seed\": 1,"
	" \"workload\": {\"name\": \"rcuscale\", \"duration\": 300000, \"updaters\": 2,"
	"   \"pollers\": 1, \"cs_cycles\": 500, \"update_interval\": 100},"
	" \"engine\": {\"max_cycles\": 100000000}, \"reclaim\": %s}";

static cJSON *
run_small(const char *reclaim, char **sets)
{
	g_autofree char *json = g_strdup_printf(small, reclaim);
	GError *err = NULL;
	cJSON *res = t_run_json(json, sets, &err);
	g_assert_no_error(err);
	return res;
}

/*
 * FreeBSD INVARIANTS kernels start both hands at UINT_MAX - 100000 and
 * step by UINT_MAX / 10000 (kept even here), with SMR_SEQ_MAX_DELTA 32
 * steps: the sequences wrap through 0 within the run and the anti-wrap
 * wait (advance_wait) is taken.  No use-after-free, everything freed,
 * and the hands end past the wrap.
 */
static void
test_wrap_invariants_sized(void)
{
	const char *const modes[] = { "default", "deferred" };
	const char *const polls[] = { "flat", "tree" };
	for (size_t m = 0; m < G_N_ELEMENTS(modes); m++) {
		for (size_t p = 0; p < G_N_ELEMENTS(polls); p++) {
			g_autofree char *reclaim = g_strdup_printf(
				"{\"scheme\": \"gus\", \"mode\": \"%s\", \"poll\": \"%s\","
				" \"bucket_size\": 1, \"c_limit\": 2, \"seq_init\": 4294867295,"
				" \"seq_incr\": 429496, \"seq_max_delta\": 13743872,"
				" \"seq_max_advance\": 6871936}", modes[m], polls[p]);
			double waits = 0;
			for (int seed = 1; seed <= 4; seed++) {
				g_autofree char *s1 = g_strdup_printf("seed=%d", seed);
				/* Readers hold a section for longer than 32 advances. */
				char *sets[] = { s1, "engine.jitter=40", "workload.cs_cycles=60000", NULL };
				cJSON *res = run_small(reclaim, sets);
				double wr = t_metric(res, "reclaim.s_wr_seq");
				g_assert_cmpfloat(wr, <, 4294867295.0);        /* wrapped */
				g_assert_cmpfloat(t_metric(res, "reclaim.advance"), >, 40);
				g_assert_cmpfloat(t_metric(res, "reclaim.freed"), ==,
						  t_metric(res, "reclaim.retired"));
				waits += t_metric(res, "reclaim.advance_wait");
				cJSON_Delete(res);
			}
			g_assert_cmpfloat(waits, >, 0);
		}
	}
}

/* Deferred: the shared line is written once per c_limit advances. */
static void
test_deferred_writes_every_c_limit(void)
{
	char *sets[] = { "workload.pollers=0", "workload.updaters=1", NULL };
	cJSON *res = run_small("{\"scheme\": \"gus\", \"mode\": \"deferred\", \"c_limit\": 4,"
			       " \"bucket_size\": 1}", sets);
	double buckets = t_metric(res, "reclaim.buckets");
	/* The updater's buckets: one advance per 4; cpu_exit tags nothing
	 * more (bucket_size 1 leaves no partial bucket). */
	g_assert_cmpfloat(buckets, >, 100);
	g_assert_cmpfloat(t_metric(res, "reclaim.advance"), ==, (double)((uint64_t)buckets / 4));
	/* Non-blocking polls of goals ahead of the clock fail. */
	g_assert_cmpfloat(t_metric(res, "reclaim.poll_fail"), >, 0);
	cJSON_Delete(res);
}

/* Lazy: no atomics to enter and the clock moves at most 2 steps a tick. */
static void
test_lazy_clock_follows_ticks(void)
{
	cJSON *res = run_small("{\"scheme\": \"gus\", \"mode\": \"lazy\", \"bucket_size\": 4}", NULL);
	/* 50 MHz and 1000 Hz: a tick is 50,000 cycles. */
	double ticks = t_metric(res, "engine.sim_cycles") / 50000.0;
	double steps = (t_metric(res, "reclaim.s_wr_seq") - 1) / 2;
	g_assert_cmpfloat(steps, >, 0);
	g_assert_cmpfloat(steps, <=, 2 * ticks + 2);
	g_assert_cmpfloat(t_metric(res, "reclaim.advance"), ==, 0);  /* no fetch-add */
	g_assert_cmpfloat(t_metric(res, "reclaim.freed"), ==, t_metric(res, "reclaim.retired"));
	cJSON_Delete(res);
}

/*
 * The tree at 64 CPUs (fanout 16: 4 leaves and a root): a non-blocking
 * poll reads one line beyond s_rd_seq, where a flat scan reads 66; the
 * rounds complete and keep reclaiming.
 */
static void
test_tree_poll_reads_one_line(void)
{
#define TREE_JSON(poll)                                                                     \
	"{\"machine\": \"icx2s\", \"cpus\": 64, \"seed\": 1,"                                  \
	" \"workload\": {\"name\": \"rcuscale\", \"duration\": 400000, \"updaters\": 1,"       \
	"   \"cs_cycles\": 2000, \"update_interval\": 200, \"poll_every\": 0},"                 \
	" \"reclaim\": {\"scheme\": \"gus\", \"poll\": \"" poll "\", \"bucket_size\": 8,"     \
	"   \"hz\": 100000}}"
	const char *tree = TREE_JSON("tree");
	const char *flat = TREE_JSON("flat");
	GError *err = NULL;
	cJSON *rt = t_run_json(tree, NULL, &err);
	g_assert_no_error(err);
	cJSON *rf = t_run_json(flat, NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(t_metric(rt, "reclaim.tree.levels"), ==, 2);
	g_assert_cmpfloat(t_metric(rt, "reclaim.tree.poll_lines_mean"), >=, 1);
	g_assert_cmpfloat(t_metric(rt, "reclaim.tree.poll_lines_mean"), <, 2.5);
	g_assert_cmpfloat(t_metric(rt, "reclaim.tree.rounds"), >, 3);
	g_assert_cmpfloat(t_metric(rt, "reclaim.tree.rd_advanced"), >, 0);
	g_assert_cmpfloat(t_metric(rf, "reclaim.poll_scan_lines_mean"), ==, 64 + 2);
	/* The tree freed buckets during the run, not only at exit. */
	g_assert_cmpfloat(t_metric(rt, "reclaim.gp_count"), >, t_metric(rt, "reclaim.buckets") / 2);
	cJSON_Delete(rt);
	cJSON_Delete(rf);
}

static void
test_config_checks(void)
{
	const char *head = "{\"machine\": \"icx2s\", \"cpus\": 2,"
			   " \"workload\": {\"name\": \"rcuscale\"}, \"reclaim\": ";
	struct { const char *reclaim, *msg; } bad[] = {
		{ "{\"scheme\": \"gus\", \"seq_init\": 2}",
		  "inline.json: reclaim.seq_init: 2 is even; valid sequence numbers are odd (0 means idle)" },
		{ "{\"scheme\": \"gus\", \"seq_incr\": 3}",
		  "inline.json: reclaim.seq_incr: 3 is odd; the increment must be even to keep "
		  "sequences odd" },
		{ "{\"scheme\": \"gus\", \"mode\": \"eager\"}",
		  "inline.json: reclaim.mode: unknown value \"eager\" (expected one of: default, "
		  "lazy, deferred)" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *j = g_strconcat(head, bad[i].reclaim, "}", NULL);
		GError *err = NULL;
		cJSON *res = t_run_json(j, NULL, &err);
		g_assert_null(res);
		int code = i < 2 ? SIM_CONFIG_ERROR_INCONSISTENT : SIM_CONFIG_ERROR_UNKNOWN_NAME;
		g_assert_error(err, SIM_CONFIG_ERROR, code);
		g_assert_cmpstr(err->message, ==, bad[i].msg);
		g_error_free(err);
	}
}

/* ---- mutations, through the explorer ---- */

static char *
stale_config(void)
{
	const char *src = g_getenv("SIM_SOURCE_DIR");
	g_assert_nonnull(src);
	return g_build_filename(src, "configs", "explore", "gus-stale.json", NULL);
}

static struct sim_explore_result
explore(const char *file, uint64_t first, uint64_t n, char **sets)
{
	struct sim_explore_opts o = { .first_seed = first, .nseeds = n, .set = sets };
	struct sim_explore_result r;
	GError *err = NULL;
	g_assert_true(sim_explore_file(file, &o, &r, &err));
	g_assert_no_error(err);
	return r;
}

/*
 * A stale c_seq treated as expired (the bug the clamp guards against) is
 * a use-after-free the explorer finds within 1,000 seeds; the failing
 * seed replays; the unmutated scheme survives every seed up to it.
 * Flat and tree polls alike.
 */
static void
check_stale_expired_caught(const char *poll)
{
	g_autofree char *file = stale_config();
	g_autofree char *s_poll = g_strdup_printf("reclaim.poll=%s", poll);
	char *mutated[] = { "reclaim.mutate=stale_expired", s_poll, "reclaim.hz=200000", NULL };
	struct sim_explore_result r = explore(file, 1, 1000, mutated);
	g_assert_true(r.failed);
	g_assert_cmpuint(r.seed, <=, 1000);
	g_test_message("poll=%s: mutation caught at seed %" G_GUINT64_FORMAT ": %s", poll, r.seed,
		       r.message);
	g_assert_true(g_str_has_prefix(r.message, "use-after-free: cpu "));
	g_autofree char *under = g_strdup_printf("under gus (default, %s poll) (seed %" G_GUINT64_FORMAT
						 ")", poll, r.seed);
	g_assert_true(g_str_has_suffix(r.message, under));
	g_autofree char *seed_arg = g_strdup_printf("--seed %" G_GUINT64_FORMAT
						    " --set engine.jitter=20000", r.seed);
	g_assert_nonnull(strstr(r.replay, seed_arg));
	g_assert_nonnull(strstr(r.replay, "'reclaim.mutate=stale_expired'"));

	/* The seed replays: the same failure, word for word. */
	struct sim_explore_result again = explore(file, r.seed, 1, mutated);
	g_assert_true(again.failed);
	g_assert_cmpstr(again.message, ==, r.message);

	/* The unmutated scheme survives the same seeds. */
	char *clean[] = { s_poll, "reclaim.hz=200000", NULL };
	struct sim_explore_result ok = explore(file, 1, r.seed, clean);
	g_assert_false(ok.failed);
	g_assert_cmpuint(ok.runs, ==, r.seed);
	sim_explore_result_clear(&r);
	sim_explore_result_clear(&again);
	sim_explore_result_clear(&ok);
}

static void
test_mutation_stale_expired_flat(void)
{
	check_stale_expired_caught("flat");
}

static void
test_mutation_stale_expired_tree(void)
{
	check_stale_expired_caught("tree");
}

/*
 * Deleting the clamp alone is not a bug (rcl_gus.c, MUTATIONS): over
 * the same scenario the stale c_seq does occur, yet no seed of 1,000
 * fails.
 */
static void
test_mutation_no_clamp_harmless(void)
{
	g_autofree char *file = stale_config();
	double stale = 0;
	for (int seed = 1; seed <= 20; seed++) {
		GError *err = NULL;
		cJSON *doc = sim_json_parse_file(file, &err);
		g_assert_no_error(err);
		g_autofree char *txt = cJSON_PrintUnformatted(doc);
		cJSON_Delete(doc);
		g_autofree char *sset = g_strdup_printf("seed=%d", seed);
		char *sets[] = { sset, "reclaim.mutate=no_clamp", NULL };
		cJSON *res = t_run_json(txt, sets, &err);
		g_assert_no_error(err);
		stale += t_metric(res, "reclaim.stale_c_seq");
		cJSON_Delete(res);
	}
	g_assert_cmpfloat(stale, >, 0);
	char *mutated[] = { "reclaim.mutate=no_clamp", NULL };
	struct sim_explore_result r = explore(file, 1, 1000, mutated);
	g_assert_false(r.failed);
	g_assert_cmpuint(r.runs, ==, 1000);
	sim_explore_result_clear(&r);
}

/* The unmutated scheme survives all 1,000 seeds of the scenario. */
static void
test_unmutated_survives(void)
{
	g_autofree char *file = stale_config();
	struct sim_explore_result r = explore(file, 1, 1000, NULL);
	g_assert_false(r.failed);
	g_assert_cmpuint(r.runs, ==, 1000);
	sim_explore_result_clear(&r);
}

/*
 * Who takes interrupts: GUS's default and deferred modes with the flat
 * poll register no tick, so nothing of GUS ever interrupts a CPU (a CPU
 * sleeping on a lock wakes only for the lock, an IPI or its idle
 * governor's timer: docs/gus-idle.md); lazy mode and the tree poll take
 * the scheduling-clock tick on every CPU.  Each of 3 CPUs works for
 * 10.5 tick periods (hz 10,000 on the 1 GHz test machine: 100,000
 * cycles); with tick_skew CPU i's first tick is at P + i * P / 3, so
 * CPUs 0 and 1 take 10 ticks and CPU 2 (first tick at 1.67 P) takes 9.
 */
static uint64_t tick_period_cycles;

static void
work_script(uint32_t cpu)
{
	(void)cpu;
	sim_work(tick_period_cycles * 21 / 2);
}

static void
ticks_of_mode(const char *mode, const char *poll, uint64_t expect0, uint64_t expect1,
	      uint64_t expect2)
{
	default_params();
	gp.hz = 10000;
	gp.mode = strcmp(mode, "lazy") == 0 ? GUS_MODE_LAZY :
		  strcmp(mode, "deferred") == 0 ? GUS_MODE_DEFERRED : GUS_MODE_DEFAULT;
	gp.poll = strcmp(poll, "tree") == 0 ? GUS_POLL_TREE : GUS_POLL_FLAT;
	tick_period_cycles = 100000;       /* 1 GHz / 10,000 Hz */
	script = work_script;
	memset(ticks_seen, 0xff, sizeof ticks_seen);
	run_script(3, true);
	g_assert_cmpuint(ticks_seen[0], ==, expect0);
	g_assert_cmpuint(ticks_seen[1], ==, expect1);
	g_assert_cmpuint(ticks_seen[2], ==, expect2);
	/* The scheme reports the period only when it takes ticks. */
	g_assert_cmpfloat(stat("tick_period"), ==, expect0 ? 100000.0 : 0.0);
	cJSON_Delete(stats);
}

static void
test_ticks_only_lazy_and_tree(void)
{
	ticks_of_mode("default", "flat", 0, 0, 0);
	ticks_of_mode("deferred", "flat", 0, 0, 0);
	ticks_of_mode("lazy", "flat", 10, 10, 9);
	ticks_of_mode("default", "tree", 10, 10, 9);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/gus/cost/enter-exit-default", test_cost_enter_exit_default);
	g_test_add_func("/gus/cost/enter-exit-lazy", test_cost_enter_exit_lazy);
	g_test_add_func("/gus/cost/enter-exit-store-fence", test_cost_enter_exit_store_fence);
	g_test_add_func("/gus/cost/synchronize-idle-cpus", test_cost_synchronize_idle);
	g_test_add_func("/gus/cost/synchronize-waits-for-reader",
			test_cost_synchronize_waits_for_reader);
	g_test_add_func("/gus/cost/retire-bucket-of-one", test_cost_retire_bucket_of_one);
	g_test_add_func("/gus/wrap/invariants-sized-sequences", test_wrap_invariants_sized);
	g_test_add_func("/gus/deferred/shared-write-every-c-limit", test_deferred_writes_every_c_limit);
	g_test_add_func("/gus/lazy/clock-follows-ticks", test_lazy_clock_follows_ticks);
	g_test_add_func("/gus/tree/poll-reads-one-line", test_tree_poll_reads_one_line);
	g_test_add_func("/gus/config/checks", test_config_checks);
	g_test_add_func("/gus/ticks/only-lazy-and-tree", test_ticks_only_lazy_and_tree);
	g_test_add_func("/gus/mutation/stale-expired-caught-flat", test_mutation_stale_expired_flat);
	g_test_add_func("/gus/mutation/stale-expired-caught-tree", test_mutation_stale_expired_tree);
	g_test_add_func("/gus/mutation/no-clamp-harmless", test_mutation_no_clamp_harmless);
	g_test_add_func("/gus/mutation/unmutated-survives-1000-seeds", test_unmutated_survives);
	return g_test_run();
}
