// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The Linux RCU family (tree_rcu, classic_rcu, srcu):
 *   - safety and liveness under schedule jitter (no read of a freed
 *     object; everything retired is freed by the end), determinism;
 *   - the use-after-free checker catches Tree RCU's mutate_early_gp_end
 *     within 1,000 seeds, and the same seeds are clean without it;
 *   - exact costs on a tiny inline machine (t_lat_default: l1_hit 4,
 *     store_hit 1, atomic_hit 20, leg_cluster 5, fence.full 33,
 *     acquire/release 0, locked RMWs drain the store buffer);
 *   - the kernel's numbers: tree geometry (261 rcu_nodes at 4,096 CPUs),
 *     the FQS period formula, FQS reporting idle CPUs;
 *   - why the tree exists: classic RCU's one lock is taken about once per
 *     CPU per grace period, Tree RCU's root about once per leaf;
 *   - liveness at 1,024 CPUs on the run that lost the GP kthread's wake-up
 *     before debce53 (slow: about 30 s in a debug build).
 */
#include <string.h>

#include "harness.h"
#include "sim_build_config.h"
#include "reclaim.h"
#include "rcu_node_lock.h"
#include "rcu_seq.h"

static const char *const rcu_schemes[] = { "tree_rcu", "classic_rcu", "srcu" };

/* ---- config-driven runs (rcutorture) ---- */

/* A small rcutorture run: 4 CPUs, 1 updater, long readers, HZ 10000. */
static char *
torture_json(const char *machine, unsigned cpus, const char *scheme, const char *extra_reclaim,
	     const char *extra_workload, unsigned jitter, unsigned cs_max)
{
	return g_strdup_printf(
		"{\"machine\": \"%s\", \"cpus\": %u, \"seed\": 1,"
		" \"engine\": {\"jitter\": %u},"
		" \"workload\": {\"name\": \"rcutorture\", \"duration\": 6000000, \"cs_max\": %u,"
		"   \"reads_per_section\": 8, \"update_interval_max\": 300000%s%s},"
		" \"reclaim\": {\"scheme\": \"%s\", \"hz\": 10000%s%s}}",
		machine, cpus, jitter, cs_max, *extra_workload ? ", " : "", extra_workload, scheme,
		*extra_reclaim ? ", " : "", extra_reclaim);
}

static cJSON *
run_seed(const char *json, uint64_t seed, GError **err)
{
	char *set = g_strdup_printf("seed=%" G_GUINT64_FORMAT, seed);
	char *sets[] = { set, NULL };
	cJSON *res = t_run_json(json, sets, err);
	g_free(set);
	return res;
}

static void
test_safe_and_live(gconstpointer data)
{
	const char *scheme = data;
	g_autofree char *json = torture_json("icx2s", 4, scheme,
					     strcmp(scheme, "tree_rcu") == 0 ? "\"wakeup_us\": 5" : "",
					     "\"synchronize_every\": 5", 100, 2000000);
	for (uint64_t seed = 1; seed <= 5; seed++) {
		GError *err = NULL;
		cJSON *res = run_seed(json, seed, &err);
		g_assert_no_error(err);
		g_assert_cmpfloat(t_metric(res, "bad_reads"), ==, 0);
		double retired = t_metric(res, "reclaim.retired");
		g_assert_cmpfloat(retired, >=, 3);
		g_assert_cmpfloat(t_metric(res, "reclaim.freed"), ==, retired);     /* liveness */
		g_assert_cmpfloat(t_metric(res, "reclaim.gp"), >=, 2);
		g_assert_cmpfloat(t_metric(res, "reclaim.synchronize_calls"), >, 0);
		cJSON_Delete(res);
	}
}

static void
test_deterministic(gconstpointer data)
{
	const char *scheme = data;
	g_autofree char *json = torture_json("icx2s", 4, scheme, "", "", 50, 2000000);
	GError *err = NULL;
	cJSON *a = run_seed(json, 3, &err);
	g_assert_no_error(err);
	cJSON *b = run_seed(json, 3, &err);
	g_assert_no_error(err);
	g_autofree char *sa = t_results_without_host(a);
	g_autofree char *sb = t_results_without_host(b);
	g_assert_cmpstr(sa, ==, sb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/*
 * The mutation: end a GP with one root bit still set.  Search seeds
 * 1..1000 with schedule jitter; the first failure must be the checker's
 * use-after-free report naming the scheme, and the same seeds must run
 * clean without the mutation.
 */
#define MUTATION_SEEDS 1000
static char *
mutation_json(bool mutate)
{
	return torture_json("icx2s", 4, "tree_rcu",
			    mutate ? "\"wakeup_us\": 5, \"mutate_early_gp_end\": true" : "\"wakeup_us\": 5",
			    "", 100, 2000000);
}

static void
test_mutation_caught(void)
{
	g_autofree char *bad = mutation_json(true);
	g_autofree char *good = mutation_json(false);
	uint64_t found = 0;
	for (uint64_t seed = 1; seed <= MUTATION_SEEDS && !found; seed++) {
		GError *err = NULL;
		cJSON *res = run_seed(bad, seed, &err);
		if (res) {
			cJSON_Delete(res);
			continue;
		}
		g_assert_nonnull(err);
		g_assert_nonnull(strstr(err->message, "use-after-free: cpu "));
		g_assert_nonnull(strstr(err->message, "under tree_rcu (mutate_early_gp_end)"));
		g_autofree char *seedtxt = g_strdup_printf("(seed %" G_GUINT64_FORMAT ")", seed);
		g_assert_nonnull(strstr(err->message, seedtxt));
		g_test_message("mutate_early_gp_end caught at seed %" G_GUINT64_FORMAT ": %s",
			       seed, err->message);
		g_error_free(err);
		found = seed;
	}
	g_assert_cmpuint(found, >=, 1);
	g_assert_cmpuint(found, <=, MUTATION_SEEDS);
	for (uint64_t seed = 1; seed <= found; seed++) {
		GError *err = NULL;
		cJSON *res = run_seed(good, seed, &err);
		g_assert_no_error(err);
		g_assert_cmpfloat(t_metric(res, "reclaim.freed"), ==, t_metric(res, "reclaim.retired"));
		cJSON_Delete(res);
	}
}

/* All 1,000 seeds without the mutation are clean (0.5 s). */
static void
test_no_mutation_all_seeds(void)
{
	g_autofree char *good = mutation_json(false);
	for (uint64_t seed = 1; seed <= MUTATION_SEEDS; seed++) {
		GError *err = NULL;
		cJSON *res = run_seed(good, seed, &err);
		g_assert_no_error(err);
		g_assert_cmpfloat(t_metric(res, "bad_reads"), ==, 0);
		g_assert_cmpfloat(t_metric(res, "reclaim.freed"), ==, t_metric(res, "reclaim.retired"));
		cJSON_Delete(res);
	}
}

/* ---- the kernel's numbers ---- */

static cJSON *
tiny_run(const char *machine, unsigned cpus, const char *scheme, const char *extra)
{
	g_autofree char *json = g_strdup_printf(
		"{\"machine\": \"%s\", \"cpus\": %u, \"seed\": 1,"
		" \"workload\": {\"name\": \"rcutorture\", \"duration\": 2000, \"cs_max\": 0,"
		"   \"gap_max\": 0, \"update_interval_max\": 0},"
		" \"reclaim\": {\"scheme\": \"%s\"%s%s}}", machine, cpus, scheme,
		*extra ? ", " : "", extra);
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_no_error(err);
	return res;
}

static void
test_tree_geometry(void)
{
	static const struct { unsigned cpus; const char *extra; double levels, nodes, leaf; } g[] = {
		{ 16, "", 1, 1, 16 },           /* one rcu_node: root = leaf */
		{ 100, "", 2, 8, 15 },          /* balanced: 7 leaves of 15 (rcu_fanout_exact=0) */
		{ 100, "\"fanout_exact\": true", 2, 8, 16 },
		{ 1024, "", 2, 65, 16 },        /* two levels cover 1,024 CPUs */
		{ 4096, "", 3, 261, 16 },       /* 256 leaves + 4 + root: the design doc's sum */
		{ 16, "\"fanout_leaf\": 2, \"fanout\": 2", 4, 15, 2 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(g); i++) {
		cJSON *res = tiny_run("large", g[i].cpus, "tree_rcu", g[i].extra);
		g_assert_cmpfloat(t_metric(res, "reclaim.levels"), ==, g[i].levels);
		g_assert_cmpfloat(t_metric(res, "reclaim.nodes"), ==, g[i].nodes);
		g_assert_cmpfloat(t_metric(res, "reclaim.leaf_spread"), ==, g[i].leaf);
		cJSON_Delete(res);
	}
}

/* jiffies_till_{first,next}_fqs = 1 + (HZ > 250) + (HZ > 500) + nr_cpus / 256, at most HZ. */
static void
test_fqs_period(void)
{
	static const struct { unsigned cpus, hz; double j; } f[] = {
		{ 16, 1000, 3 }, { 16, 500, 2 }, { 16, 250, 1 }, { 512, 1000, 5 },
		{ 4096, 1000, 19 }, { 4096, 10, 10 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
		g_autofree char *extra = g_strdup_printf("\"hz\": %u", f[i].hz);
		cJSON *res = tiny_run("large", f[i].cpus, "tree_rcu", extra);
		g_assert_cmpfloat(t_metric(res, "reclaim.jiffies_till_first_fqs"), ==, f[i].j);
		g_assert_cmpfloat(t_metric(res, "reclaim.jiffies_till_next_fqs"), ==, f[i].j);
		cJSON_Delete(res);
	}
}

/* Readers that sit in dynticks idle are reported by force_qs_rnp(). */
static void
test_fqs_reports_idle(void)
{
	g_autofree char *json = torture_json("icx2s", 8, "tree_rcu", "",
					     "\"idle_every\": 1, \"idle_cycles\": 3000000", 0, 20000);
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(t_metric(res, "reclaim.fqs"), >, 0);
	g_assert_cmpfloat(t_metric(res, "reclaim.qs_reports_fqs"), >, 0);
	g_assert_cmpfloat(t_metric(res, "reclaim.freed"), ==, t_metric(res, "reclaim.retired"));
	cJSON_Delete(res);
}

/*
 * Why the tree exists: 64 busy CPUs.  Classic RCU takes its one global
 * lock at least once per CPU per grace period; Tree RCU's root lock sees
 * one climb per leaf (4) plus the GP kthread's init/cleanup and requests.
 */
static void
test_classic_vs_tree_locking(void)
{
#define LOCKING_JSON(scheme)                                                                  \
	"{\"machine\": \"icx2s\", \"cpus\": 64, \"seed\": 2,"                                        \
	" \"workload\": {\"name\": \"rcuscale\", \"duration\": 80000000, \"updaters\": 2,"          \
	"   \"cs_cycles\": 2000, \"update_interval\": 200000, \"qs_every\": 8},"                    \
	" \"reclaim\": {\"scheme\": \"" scheme "\"}}"
	const char *cj = LOCKING_JSON("classic_rcu");
	const char *tj = LOCKING_JSON("tree_rcu");
	GError *err = NULL;
	cJSON *c = t_run_json(cj, NULL, &err);
	g_assert_no_error(err);
	cJSON *t = t_run_json(tj, NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(t_metric(c, "reclaim.gp"), >=, 3);
	g_assert_cmpfloat(t_metric(t, "reclaim.gp"), >=, 3);
	g_assert_cmpfloat(t_metric(c, "reclaim.rcu_ctrlblk_lock.acquired_per_gp"), >=, 64);
	const cJSON *levels = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "metrics"),
								     "reclaim"), "node_lock_by_level");
	g_assert_cmpint(cJSON_GetArraySize(levels), ==, 2);
	double root = cJSON_GetObjectItem(cJSON_GetArrayItem(levels, 0), "acquired_per_gp")->valuedouble;
	double leaves = cJSON_GetObjectItem(cJSON_GetArrayItem(levels, 1), "acquired_per_gp")->valuedouble;
	g_assert_cmpfloat(root, <=, 16);
	g_assert_cmpfloat(leaves, >=, 64);
	cJSON_Delete(c);
	cJSON_Delete(t);
}

/* ---- exact costs on an inline machine ---- */

static const struct sim_param no_params[] = { SIM_P_END };
static const struct rcl_ops *ops_under_test;
static void *params_under_test;
static void *rs_under_test;
static void (*script)(uint32_t cpu);
static sim_time_t cost[4][4];
static spinlock_t *lockword;
static struct klock *lock_kl;    /* the lock's context: queued, the default */

static void *
params_from_json(const struct rcl_ops *ops, const char *json)
{
	void *p = g_malloc0(ops->comp.params_size);
	cJSON *o = json ? cJSON_Parse(json) : NULL;
	struct sim_origin org = { .file = "test", .prefix = "reclaim" };
	GError *err = NULL;
	gboolean ok = sim_params_load(ops->comp.params, p, o, &org, NULL, &err);
	g_assert_no_error(err);
	g_assert_true(ok);
	cJSON_Delete(o);
	return p;
}

static void *
cost_setup(struct sim *s, const void *p)
{
	(void)p;
	rs_under_test = ops_under_test->create(s, params_under_test);
	lockword = sim_alloc(64, 64);
	sim_mem_prime(s, lockword, 64, 0);
	lock_kl = klock_create(s);
	return s;
}

static void
cost_cpu(void *st)
{
	(void)st;
	script(sim_cpu_id());
	ops_under_test->cpu_exit(rs_under_test);
}

static void
cost_teardown(void *st)
{
	(void)st;
	ops_under_test->destroy(rs_under_test);
	klock_destroy(lock_kl);
}

static const struct sim_workload_ops cost_ops = {
	.name = "rcucost", .summary = "", .params = no_params, .params_size = 1,
	.setup = cost_setup, .cpu_main = cost_cpu, .teardown = cost_teardown,
};

static void
run_cost(const char *scheme, const char *params_json, uint32_t cpus, void (*fn)(uint32_t))
{
	memset(cost, 0, sizeof cost);
	ops_under_test = rcl_find(scheme);
	g_assert_nonnull(ops_under_test);
	params_under_test = params_from_json(ops_under_test, params_json);
	script = fn;
	struct sim_run_config *rc = t_config(t_machine(1, 4, NULL), cpus, 1, &cost_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	sim_params_free(ops_under_test->comp.params, params_under_test);
	g_free(params_under_test);
}

#define MEASURE(cpu, k, stmt)                       \
	do {                                        \
		sim_time_t t0_ = sim_now();         \
		stmt;                               \
		cost[cpu][k] = sim_now() - t0_;     \
	} while (0)

/* Every measurement happens before the first tick slice (t < 50,000). */
static void
read_pair_script(uint32_t cpu)
{
	void *rs = rs_under_test;
	if (cpu > 1)
		return;
	sim_sleep_until(100 * cpu);     /* CPU 0 first, then CPU 1 */
	for (int k = 0; k < 2; k++)
		MEASURE(cpu, k, (ops_under_test->read_lock(rs), ops_under_test->read_unlock(rs)));
}

/* rcu_read_lock/unlock (non-PREEMPT) and classic RCU's cost nothing. */
static void
test_rcu_read_side_free(gconstpointer data)
{
	run_cost(data, NULL, 2, read_pair_script);
	for (int cpu = 0; cpu < 2; cpu++)
		for (int k = 0; k < 2; k++)
			g_assert_cmpuint(cost[cpu][k], ==, 0);
}

/*
 * srcu_read_lock: load srcu_idx, this_cpu_inc (load + store) of the own
 * line, smp_mb; srcu_read_unlock: smp_mb, this_cpu_inc.  On CPU 0, which
 * owns every line: 4 + 4 + 1 + 33 = 42, then 33 + 4 + 1 = 38: 80.  On
 * CPU 1 the first srcu_idx load misses to CPU 0's M copy in the cluster
 * (3 legs of 5 = 15 instead of 4): 91; the second pair hits its S copy: 80.
 */
static void
test_srcu_read_pair(void)
{
	run_cost("srcu", NULL, 2, read_pair_script);
	g_assert_cmpuint(cost[0][0], ==, 80);
	g_assert_cmpuint(cost[0][1], ==, 80);
	g_assert_cmpuint(cost[1][0], ==, 91);
	g_assert_cmpuint(cost[1][1], ==, 80);
}

static void *retire_obj;

static void
retire_script(uint32_t cpu)
{
	if (cpu != 0)
		return;
	retire_obj = sim_alloc(64, 64);
	MEASURE(0, 0, ops_under_test->retire(rs_under_test, retire_obj, 64, 64));
}

/* call_rcu: irqs off (free), this CPU's list length: load 4 + store 1. */
static void
test_call_rcu_cost(gconstpointer data)
{
	run_cost(data, NULL, 2, retire_script);
	g_assert_cmpuint(cost[0][0], ==, 5);
}

/*
 * call_srcu on CPU 0 with SRCU idle (CPU 0 owns every line; stores hit
 * with an empty store buffer, so fences cost 33):
 *   srcu_idx 4 + FAA lock_count 20                              = 24
 *   sdp lock (qspinlock): cmpxchg 20                            = 20
 *   cblist_len load + store 5; snap: load gp_seq 4 + smp_mb 33  = 42
 *   advance: load gp_seq 4; sdp needed: load 4 + store 1        =  9
 *   sdp unlock: byte store 1                                    =  1
 *   funnel: sup lock 20; needed load 4 + store 1; gp_seq 4;
 *     srcu_gp_start: store 1 + smp_mb 33 + rcu_seq_start (4 + 1 + 33);
 *     srcu_get_delay: loads 4 + 4; sup unlock 1                 = 110
 *   FAA unlock_count 20                                         = 20
 *                                                         total   226
 */
static void
test_call_srcu_cost(void)
{
	run_cost("srcu", NULL, 2, retire_script);
	g_assert_cmpuint(cost[0][0], ==, 226);
}

/*
 * The leaf lock a QS report takes (a spinlock_t in the node's line,
 * models/reclaim/rcu_node_lock.c; qspinlock, the default flavour).  CPU 1
 * takes it while CPU 0 owns the line: the cmpxchg misses to CPU 0 in the
 * cluster (15) + atomic_hit 20 = 35.  Unlock: a byte store to the owned
 * line, 1.  CPU 0 then retakes it from CPU 1: 35 again; CPU 2 tries while
 * CPU 0 holds it: its cmpxchg moves the line (35), it sets pending and
 * waits until CPU 0's unlock, 200 cycles after CPU 0's acquire.
 */
static struct rcu_lockstat lk_stat[4];

static void
lock_script(uint32_t cpu)
{
	switch (cpu) {
	case 1:
		MEASURE(1, 0, rcu_raw_lock(lock_kl, lockword, &lk_stat[1]));
		MEASURE(1, 1, rcu_raw_unlock(lock_kl, lockword));
		break;
	case 0:
		sim_sleep_until(1000);
		MEASURE(0, 0, rcu_raw_lock(lock_kl, lockword, &lk_stat[0]));
		cost[0][2] = sim_now();
		sim_work(200);
		rcu_raw_unlock(lock_kl, lockword);
		break;
	case 2:
		sim_sleep_until(1100);
		MEASURE(2, 0, rcu_raw_lock(lock_kl, lockword, &lk_stat[2]));
		cost[2][1] = sim_now();
		rcu_raw_unlock(lock_kl, lockword);
		break;
	}
}

static void
test_leaf_lock_cost(void)
{
	memset(lk_stat, 0, sizeof lk_stat);
	run_cost("tree_rcu", NULL, 3, lock_script);
	g_assert_cmpuint(cost[1][0], ==, 35);
	g_assert_cmpuint(cost[1][1], ==, 1);
	g_assert_cmpuint(cost[0][0], ==, 35);
	g_assert_cmpuint(lk_stat[2].contended, ==, 1);
	/* CPU 0 holds it from cost[0][2] for 200 cycles, then its unlock
	 * stores 0 to the locked byte (the line is CPU 2's now: the store
	 * drains behind a write miss, 15); CPU 2's spinning load sees it once
	 * it lands and clears pending / sets locked. */
	g_assert_cmpuint(cost[2][1], >, cost[0][2] + 200);
	g_assert_cmpuint(cost[2][1], <, cost[0][2] + 300);
}

/* ---- liveness at scale: the lost GP-kthread wake-up ---- */

/*
 * configs/explore/tree-rcu-lost-wakeup.json, the run on which Tree RCU's
 * GP kthread lost a wake-up (its description says how): 1,024 CPUs of
 * large, Bonsai + Tree RCU, will-it-scale page_fault1, 180 M cycles.
 * Before debce53 (rcu_gp_kthread_wake without the drain of the waker's
 * store buffer) no grace period started after t = 171,002,161 and the run
 * passed engine.max_cycles (1.5 G); checked again on 9aecb3b with the
 * drain removed.  Liveness: the run ends, grace periods went on
 * completing, and every retired object was freed.  Skipped under
 * AddressSanitizer and on the ucontext back end, where its 41 M events
 * take minutes (the main suite runs it).
 */
static void
test_lost_wakeup_run_is_live(void)
{
#if T_ASAN || !SIM_CORO_ASM
	g_test_skip("41 M events: run by the main (debug, assembly-switch) suite only");
	return;
#endif
	const char *src = g_getenv("SIM_SOURCE_DIR");
	g_assert_nonnull(src);
	g_autofree char *path = g_build_filename(src, "configs", "explore",
						 "tree-rcu-lost-wakeup.json", NULL);
	g_autofree char *json = NULL;
	GError *err = NULL;
	g_assert_true(g_file_get_contents(path, &json, NULL, &err));
	g_assert_no_error(err);
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_no_error(err);     /* before the fix: engine.max_cycles */
	double retired = t_metric(res, "reclaim.retired");
	g_assert_cmpfloat(retired, >, 1000);
	g_assert_cmpfloat(t_metric(res, "reclaim.freed"), ==, retired);
	g_assert_cmpfloat(t_metric(res, "reclaim.gp"), >=, 20);   /* 23 when written */
	g_assert_cmpfloat(t_metric(res, "engine.sim_cycles"), <, 1e9);
	cJSON_Delete(res);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(rcu_schemes); i++) {
		const char *s = rcu_schemes[i];
		g_autofree char *p1 = g_strdup_printf("/rcu/%s/safe-and-live-under-jitter", s);
		g_autofree char *p2 = g_strdup_printf("/rcu/%s/deterministic", s);
		g_test_add_data_func(p1, s, test_safe_and_live);
		g_test_add_data_func(p2, s, test_deterministic);
	}
	g_test_add_func("/rcu/tree_rcu/mutate-early-gp-end-caught-within-1000-seeds",
			test_mutation_caught);
	g_test_add_func("/rcu/tree_rcu/no-mutation-1000-seeds-clean", test_no_mutation_all_seeds);
	g_test_add_func("/rcu/tree_rcu/geometry", test_tree_geometry);
	g_test_add_func("/rcu/tree_rcu/fqs-period-formula", test_fqs_period);
	g_test_add_func("/rcu/tree_rcu/fqs-reports-idle-cpus", test_fqs_reports_idle);
	g_test_add_func("/rcu/classic-vs-tree/lock-acquisitions-per-gp", test_classic_vs_tree_locking);
	g_test_add_data_func("/rcu/tree_rcu/cost/read-side-zero", "tree_rcu", test_rcu_read_side_free);
	g_test_add_data_func("/rcu/classic_rcu/cost/read-side-zero", "classic_rcu",
			     test_rcu_read_side_free);
	g_test_add_func("/rcu/srcu/cost/read-pair", test_srcu_read_pair);
	g_test_add_data_func("/rcu/tree_rcu/cost/call-rcu", "tree_rcu", test_call_rcu_cost);
	g_test_add_data_func("/rcu/classic_rcu/cost/call-rcu", "classic_rcu", test_call_rcu_cost);
	g_test_add_func("/rcu/srcu/cost/call-srcu", test_call_srcu_cost);
	g_test_add_func("/rcu/tree_rcu/cost/leaf-lock", test_leaf_lock_cost);
	g_test_add_func("/rcu/tree_rcu/lost-wakeup-run-at-1024-cpus-is-live",
			test_lost_wakeup_run_is_live);
	return g_test_run();
}
