// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Focused tests of the issue-4c read-side schemes (lock baselines, EBR,
 * hazard pointers, liburcu flavours) until the generic suite of
 * tests/test-reclaim.c covers them:
 *   safety:      rcuscale with updaters and schedule jitter finishes with
 *                no use-after-free (the engine fails the run on any read
 *                of a poisoned object) and no stale read (rcuscale fails
 *                the run on one), in both retire and synchronize modes;
 *   liveness:    after every CPU's cpu_exit, freed == retired > 0;
 *   determinism: the same config and seed give identical results;
 *   cost:        exact cycles of read_lock/read_unlock pairs on 2 CPUs.
 */
#include <string.h>

#include "harness.h"
#include "reclaim.h"

static const char *const schemes[] = {
	"rwlock", "rwsem", "refcount", "seqcount", "ebr-ck", "ebr-crossbeam", "hp",
	"urcu-qsbr", "urcu-memb", "urcu-mb", "urcu-signal", NULL,
};

/* A small 2-socket machine: cross-socket transfers make races likely. */
#define MACHINE \
	"{\"name\": \"t\", \"freq_ghz\": 1.0, \"topology\": {\"sockets\": 2, " \
	"\"clusters_per_socket\": 1, \"cores_per_cluster\": 3}, \"latency\": {\"l1_hit\": 4, " \
	"\"store_hit\": 1, \"atomic_hit\": 20, \"leg_cluster\": 5, \"leg_socket\": 10, " \
	"\"leg_link\": 100, \"mem\": 300, \"pause\": 3}, \"fence\": {\"full\": 33}}"

static cJSON *
run_rcuscale(const char *scheme, const char *mode, uint32_t jitter, uint64_t seed)
{
	g_autofree char *json = g_strdup_printf(
		"{\"machine\": " MACHINE ", \"cpus\": 6, \"seed\": %" G_GUINT64_FORMAT ","
		" \"engine\": {\"jitter\": %u},"
		" \"workload\": {\"name\": \"rcuscale\", \"duration\": 150000, \"updaters\": 2,"
		"   \"update_interval\": 700, \"update_mode\": \"%s\", \"cs_cycles\": 50,"
		"   \"qs_every\": 8},"
		" \"reclaim\": {\"scheme\": \"%s\"%s}}",
		seed, jitter, mode, scheme,
		/* urcu-signal's 1 ms poll(2) would leave too few updates */
		strcmp(scheme, "urcu-signal") == 0 ? ", \"signal_poll\": 1000" : "");
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_no_error(err);
	g_assert_nonnull(res);
	return res;
}

static void
check_safe_and_live(const char *scheme, const char *mode)
{
	for (uint64_t seed = 1; seed <= 3; seed++) {
		cJSON *res = run_rcuscale(scheme, mode, 40, seed);
		g_assert_cmpfloat(t_metric(res, "updates"), >=, 5);
		g_assert_cmpfloat(t_metric(res, "reads"), >, 100);
		if (strcmp(mode, "retire") == 0) {
			double retired = t_metric(res, "reclaim.retired");
			g_assert_cmpfloat(retired, >=, 10);
			g_assert_cmpfloat(t_metric(res, "reclaim.freed"), ==, retired);
		} else {
			g_assert_cmpfloat(t_metric(res, "reclaim.synchronize_calls"), >=, 5);
		}
		cJSON_Delete(res);
	}
}

static void
test_retire(gconstpointer data)
{
	check_safe_and_live(data, "retire");
}

static void
test_synchronize(gconstpointer data)
{
	check_safe_and_live(data, "synchronize");
}

/*
 * seqcount readers leave no trace, so its synchronize() cannot wait for
 * them (models/reclaim/rcl_seqcount.c, DECISION; RCL_NO_GRACE_PERIOD): a run that
 * would free after it is refused at config load, before it could read
 * freed memory.
 */
static void
test_seqcount_synchronize_unsafe(void)
{
	g_autofree char *json = g_strdup_printf(
		"{\"machine\": " MACHINE ", \"cpus\": 6, \"seed\": 1,"
		" \"engine\": {\"jitter\": 40},"
		" \"workload\": {\"name\": \"rcuscale\", \"duration\": 150000, \"updaters\": 2,"
		"   \"update_interval\": 700, \"update_mode\": \"synchronize\", \"cs_cycles\": 50},"
		" \"reclaim\": {\"scheme\": \"seqcount\"}}");
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_null(res);
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_INCONSISTENT);
	g_assert_cmpstr(err->message, ==, "inline.json: workload.update_mode: \"synchronize\" frees "
			"after synchronize(), but seqcount readers leave no trace, so it cannot "
			"wait for them: use \"retire\"");
	g_error_free(err);
}

static void
test_determinism(gconstpointer data)
{
	cJSON *a = run_rcuscale(data, "retire", 10, 7);
	cJSON *b = run_rcuscale(data, "retire", 10, 7);
	g_autofree char *sa = t_results_without_host(a);
	g_autofree char *sb = t_results_without_host(b);
	g_assert_cmpstr(sa, ==, sb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* ---- exact read-side costs: CPU 1 runs two pairs, CPU 0 is idle ---- */

static const struct sim_param no_params[] = { SIM_P_END };
static const struct rcl_ops *cost_ops_under_test;
static sim_time_t c_lock[2], c_unlock[2];

struct cost_state {
	const struct rcl_ops *ops;
	void *rs;
	void *params;
};

static void *
cost_setup(struct sim *s, const void *p)
{
	(void)p;
	struct cost_state *st = g_new0(struct cost_state, 1);
	st->ops = cost_ops_under_test;
	st->params = g_malloc0(st->ops->comp.params_size ? st->ops->comp.params_size : 1);
	sim_params_defaults(st->ops->comp.params, st->params);
	st->rs = st->ops->create(s, st->params);
	return st;
}

static void
cost_cpu(void *arg)
{
	struct cost_state *st = arg;
	if (sim_cpu_id() == 1) {
		sim_sleep_until(100);
		for (int k = 0; k < 2; k++) {
			sim_time_t t0 = sim_now();
			st->ops->read_lock(st->rs);
			sim_time_t t1 = sim_now();
			st->ops->read_unlock(st->rs);
			c_lock[k] = t1 - t0;
			c_unlock[k] = sim_now() - t1;
		}
	}
	if (st->ops->cpu_exit)
		st->ops->cpu_exit(st->rs);
}

static void
cost_teardown(void *arg)
{
	struct cost_state *st = arg;
	st->ops->destroy(st->rs);
	g_free(st->params);
	g_free(st);
}

static const struct sim_workload_ops cost_wl = {
	.name = "rclcost", .summary = "", .params = no_params, .params_size = 1,
	.setup = cost_setup, .cpu_main = cost_cpu, .teardown = cost_teardown,
};

static void
run_cost(const char *scheme)
{
	cost_ops_under_test = rcl_find(scheme);
	g_assert_nonnull(cost_ops_under_test);
	memset(c_lock, 0, sizeof c_lock);
	memset(c_unlock, 0, sizeof c_unlock);
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &cost_wl, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
}

/*
 * Machine t_lat_default, one socket of 2 cores: l1_hit 4, store_hit 1,
 * atomic_hit 20, leg_cluster 5, fence.full 33.  Shared lines are primed
 * on CPU 0 (M); per-CPU records on their own CPU.  A first read of a line
 * CPU 0 owns costs 3 legs = 15 and leaves it S in both caches.
 */

/* ebr-ck.  begin: load own active 4 + load global epoch 15 (then 4) +
 * store own epoch 1 + store own active 1 + full fence 33 = 54 (43).
 * end (end_fence full): fence 33 + load active 4 + store 1 = 38. */
static void
test_cost_ebr_ck(void)
{
	run_cost("ebr-ck");
	g_assert_cmpuint(c_lock[0], ==, 54);
	g_assert_cmpuint(c_unlock[0], ==, 38);
	g_assert_cmpuint(c_lock[1], ==, 43);
	g_assert_cmpuint(c_unlock[1], ==, 38);
}

/* ebr-crossbeam.  pin: load global 15 (then 4) + lock cmpxchg own epoch
 * 20 = 35 (24); unpin: release store to the own line = 1. */
static void
test_cost_ebr_crossbeam(void)
{
	run_cost("ebr-crossbeam");
	g_assert_cmpuint(c_lock[0], ==, 35);
	g_assert_cmpuint(c_unlock[0], ==, 1);
	g_assert_cmpuint(c_lock[1], ==, 24);
	g_assert_cmpuint(c_unlock[1], ==, 1);
}

/* urcu-memb.  lock: load own ctr 4 + load gp.ctr 15 (then 4) + store own
 * ctr 1 = 20 (9); unlock: load own ctr 4 + store 1 + load gp.futex (same
 * line as gp.ctr, now S) 4 = 9.  Compiler barriers are free. */
static void
test_cost_urcu_memb(void)
{
	run_cost("urcu-memb");
	g_assert_cmpuint(c_lock[0], ==, 20);
	g_assert_cmpuint(c_unlock[0], ==, 9);
	g_assert_cmpuint(c_lock[1], ==, 9);
	g_assert_cmpuint(c_unlock[1], ==, 9);
}

/* urcu-mb: memb plus smp_mb: lock 20 + 33 = 53 (42); unlock 9 + 2 x 33 = 75. */
static void
test_cost_urcu_mb(void)
{
	run_cost("urcu-mb");
	g_assert_cmpuint(c_lock[0], ==, 53);
	g_assert_cmpuint(c_unlock[0], ==, 75);
	g_assert_cmpuint(c_lock[1], ==, 42);
	g_assert_cmpuint(c_unlock[1], ==, 75);
}

/* urcu-qsbr: both empty (registration happens at the first read_lock:
 * store own ctr = gp.ctr (load 15) 1 + fence 33 = 49, then nothing). */
static void
test_cost_urcu_qsbr(void)
{
	run_cost("urcu-qsbr");
	g_assert_cmpuint(c_lock[0], ==, 15 + 1 + 33);
	g_assert_cmpuint(c_unlock[0], ==, 0);
	g_assert_cmpuint(c_lock[1], ==, 0);
	g_assert_cmpuint(c_unlock[1], ==, 0);
}

/* rwlock: xadd taking the line from CPU 0 = 15 + 20 = 35, then 20;
 * unlock xadd 20.  rwsem adds the owner load 4 + store 1 to each lock. */
static void
test_cost_rwlock(void)
{
	run_cost("rwlock");
	g_assert_cmpuint(c_lock[0], ==, 35);
	g_assert_cmpuint(c_unlock[0], ==, 20);
	g_assert_cmpuint(c_lock[1], ==, 20);
	g_assert_cmpuint(c_unlock[1], ==, 20);
	run_cost("rwsem");
	g_assert_cmpuint(c_lock[0], ==, 40);
	g_assert_cmpuint(c_unlock[0], ==, 20);
	g_assert_cmpuint(c_lock[1], ==, 25);
	g_assert_cmpuint(c_unlock[1], ==, 20);
}

/* seqcount: begin = load sequence 15 (then 4); retry = load 4. */
static void
test_cost_seqcount(void)
{
	run_cost("seqcount");
	g_assert_cmpuint(c_lock[0], ==, 15);
	g_assert_cmpuint(c_unlock[0], ==, 4);
	g_assert_cmpuint(c_lock[1], ==, 4);
	g_assert_cmpuint(c_unlock[1], ==, 4);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (const char *const *s = schemes; *s; s++) {
		g_assert_nonnull(rcl_find(*s));
		g_autofree char *p1 = g_strdup_printf("/readside/%s/retire-safe-and-live", *s);
		g_autofree char *p2 = g_strdup_printf("/readside/%s/synchronize-safe", *s);
		g_autofree char *p3 = g_strdup_printf("/readside/%s/determinism", *s);
		g_test_add_data_func(p1, *s, test_retire);
		if (strcmp(*s, "seqcount") != 0)
			g_test_add_data_func(p2, *s, test_synchronize);
		g_test_add_data_func(p3, *s, test_determinism);
	}
	g_test_add_func("/readside/seqcount/synchronize-is-unsafe", test_seqcount_synchronize_unsafe);
	g_test_add_func("/readside/ebr-ck/pair-cost", test_cost_ebr_ck);
	g_test_add_func("/readside/ebr-crossbeam/pair-cost", test_cost_ebr_crossbeam);
	g_test_add_func("/readside/urcu-memb/pair-cost", test_cost_urcu_memb);
	g_test_add_func("/readside/urcu-mb/pair-cost", test_cost_urcu_mb);
	g_test_add_func("/readside/urcu-qsbr/pair-cost", test_cost_urcu_qsbr);
	g_test_add_func("/readside/rwlock/pair-cost", test_cost_rwlock);
	g_test_add_func("/readside/seqcount/pair-cost", test_cost_seqcount);
	return g_test_run();
}
