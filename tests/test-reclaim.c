// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The suite every registered reclaim scheme inherits (models/reclaim/registry.c):
 * a new scheme gets these tests by being listed there.  Each scheme runs
 * with its defaults and, as a variant, with each other choice of each of
 * its enum parameters (GUS: mode=lazy, mode=deferred, poll=tree), except
 * parameters named mutate* (deliberate bugs, tested by their owners).
 *
 *   /reclaim/<scheme>[/<param>=<choice>]/no-early-free
 *       Safety: rcuscale (updaters replace a shared pointer and retire the
 *       old object, readers hold it for a while and read it again at the
 *       end of their section), the same with updaters that free after
 *       synchronize() (schemes with a grace period), memcached (RCU
 *       hash table, sets retire replaced items) and rcutorture (two
 *       updaters through the scheme's writer side, every second update
 *       freeing after synchronize() where the scheme has a grace period;
 *       no torn or backwards object) over 8 seeds with
 *       schedule jitter, uniform and rare-long-stall.  No run may read a
 *       freed (poisoned) object, see a value go back in time or miss a
 *       key; and the scenario must really have freed objects under
 *       active readers.
 *   /reclaim/<scheme>[...]/all-freed-after-exit
 *       Liveness: once every CPU has called cpu_exit, every retired
 *       object has been freed (retired == freed, no bytes pending),
 *       with updates by retire() and by synchronize().
 *   /reclaim/<scheme>[...]/deterministic
 *       The same config and seed, jitter included, give byte-identical
 *       results (host section aside).
 *   /reclaim/<scheme>/common-metrics
 *       The scheme reports all 20 common metrics (rcl_stats_emit), and
 *       they agree exactly with the calls timed from outside: CPU 1 runs
 *       two read sections, one retire and one poll; after cpu_exit the
 *       object is freed.
 *   /reclaim/<scheme>/pair-cost
 *       Exact cycles of those two read_lock/read_unlock pairs, for the
 *       schemes whose read side is worked out below.
 *   /reclaim/urcu-memb/membarrier-reaches-idle-cpus
 *       Liveness of urcu-memb's membarrier when readers enter the idle
 *       loop (which flushes a pending IPI's work without the IPI): 16
 *       CPUs of rcutorture on icx2s, every update a synchronize(), every
 *       read section followed by a short idle period, seeds 1-5.  Every
 *       run ends (no simulated deadlock in csd_lock_wait), synchronizes,
 *       and reads nothing freed.  Without the drain before the csd is
 *       posted (rcl_urcu.c, urcu_membarrier) all five deadlock.
 *   /reclaim/seqcount/synchronize-is-unsafe
 *       A run that would free after seqcount's synchronize() is refused
 *       at config load, by rcuscale and by rcutorture.
 *
 * The test machine is 2 sockets x 4 cores with a 50 MHz clock: costs
 * are in cycles, so only the conversions to ns and the tick (hz) change,
 * and at the default 1000 Hz a tick is then 50,000 cycles -- short runs
 * see several ticks, which tick-driven schemes need.
 */
#include <string.h>

#include "harness.h"
#include "reclaim.h"

#define SEEDS 8

static const char *const machine =
	"{\"name\": \"t2x4\", \"freq_ghz\": 0.05,"
	" \"topology\": {\"sockets\": 2, \"cores_per_cluster\": 4},"
	" \"latency\": {\"l1_hit\": 4, \"store_hit\": 1, \"atomic_hit\": 20, \"leg_cluster\": 10,"
	"   \"leg_socket\": 20, \"leg_link\": 100, \"mem\": 200}}";

struct variant {
	const struct rcl_ops *ops;
	const char *reclaim;        /* the "reclaim" section's JSON */
};

static char *
config(const struct variant *v, const char *workload)
{
	return g_strdup_printf("{\"machine\": %s, \"cpus\": 8, \"seed\": 1, \"workload\": %s, "
			       "\"reclaim\": %s, \"engine\": {\"max_cycles\": 200000000}}",
			       machine, workload, v->reclaim);
}

/* The scenarios: long-ish sections so frees can land inside them. */
static const char *const wl_rcuscale_retire =
	"{\"name\": \"rcuscale\", \"duration\": 300000, \"updaters\": 2, \"pollers\": 1,"
	" \"cs_cycles\": 600, \"update_interval\": 200}";
static const char *const wl_rcuscale_sync =
	"{\"name\": \"rcuscale\", \"duration\": 200000, \"updaters\": 2,"
	" \"cs_cycles\": 300, \"update_interval\": 500, \"update_mode\": \"synchronize\"}";
static const char *const wl_memcached =
	"{\"name\": \"memcached\", \"duration\": 200000, \"nkeys\": 64, \"nbuckets\": 16,"
	" \"nlocks\": 4, \"get_ratio\": 0.7, \"cs_cycles\": 300}";

/* rcutorture: readers re-read their object through the section, two
 * updaters under the scheme's writer side; every second update frees
 * after synchronize() (retire-only for schemes with no grace period). */
static const char *const wl_rcutorture =
	"{\"name\": \"rcutorture\", \"duration\": 300000, \"updaters\": 2, \"cs_max\": 600,"
	" \"reads_per_section\": 3, \"gap_max\": 200, \"update_interval_max\": 400,"
	" \"synchronize_every\": 2}";
static const char *const wl_rcutorture_retire =
	"{\"name\": \"rcutorture\", \"duration\": 300000, \"updaters\": 2, \"cs_max\": 600,"
	" \"reads_per_section\": 3, \"gap_max\": 200, \"update_interval_max\": 400}";

static cJSON *
run(const char *json, uint64_t seed, const char *jitter, const char *every, GError **err)
{
	g_autofree char *s_seed = g_strdup_printf("seed=%" G_GUINT64_FORMAT, seed);
	g_autofree char *s_jit = g_strdup_printf("engine.jitter=%s", jitter);
	g_autofree char *s_every = g_strdup_printf("engine.jitter_every=%s", every);
	char *sets[] = { s_seed, s_jit, s_every, NULL };
	return t_run_json(json, sets, err);
}

static double
reclaim_metric(const cJSON *res, const char *name)
{
	g_autofree char *path = g_strdup_printf("reclaim.%s", name);
	return t_metric(res, path);
}

static void
test_no_early_free(gconstpointer data)
{
	const struct variant *v = data;
	bool no_gp = v->ops->flags & RCL_NO_GRACE_PERIOD;
	const char *const wls[] = { wl_rcuscale_retire, wl_rcuscale_sync, wl_memcached,
				    no_gp ? wl_rcutorture_retire : wl_rcutorture };
	/* Uniform small delays, and rare long stalls (an SMI in a section). */
	const char *const jit[][2] = { { "60", "1" }, { "20000", "64" } };
	for (size_t w = 0; w < G_N_ELEMENTS(wls); w++) {
		if (wls[w] == wl_rcuscale_sync && no_gp)
			continue;       /* refused at config load: see synchronize-is-unsafe */
		g_autofree char *json = config(v, wls[w]);
		for (size_t j = 0; j < G_N_ELEMENTS(jit); j++) {
			for (uint64_t seed = 1; seed <= SEEDS; seed++) {
				GError *err = NULL;
				cJSON *res = run(json, seed, jit[j][0], jit[j][1], &err);
				if (err)
					g_test_message("%s on %s, jitter %s every %s, seed %" G_GUINT64_FORMAT
						       ": %s", v->reclaim, wls[w], jit[j][0], jit[j][1],
						       seed, err->message);
				g_assert_no_error(err);
				/* Not vacuous: objects were freed under active readers. */
				if (wls[w] == wl_rcuscale_sync)
					g_assert_cmpfloat(reclaim_metric(res, "synchronize_calls"), >=, 2);
				if (wls[w] == wl_rcutorture) {
					/* both kinds of free; >= 1: rwsem's writers starve
					 * behind six readers under 20,000-cycle stalls */
					g_assert_cmpfloat(reclaim_metric(res, "synchronize_calls"), >=, 1);
					g_assert_cmpfloat(reclaim_metric(res, "retired"), >=, 1);
				}
				else if (wls[w] != wl_rcuscale_sync)
					/* > 5: rwsem's waiters sleep (3,500 cycles a handoff) */
					g_assert_cmpfloat(reclaim_metric(res, "retired"), >, 5);
				if (wls[w] == wl_rcutorture || wls[w] == wl_rcutorture_retire)
					g_assert_cmpfloat(t_metric(res, "bad_reads"), ==, 0);
				/* > 5: rwsem under 20,000-cycle stalls and synchronize makes
				 * as few as 10 (its waiters re-read after failed CASes). */
				g_assert_cmpfloat(reclaim_metric(res, "read_sections"), >, 5);
				cJSON_Delete(res);
			}
		}
	}
}

static void
test_all_freed_after_exit(gconstpointer data)
{
	const struct variant *v = data;
	const char *const wls[] = { wl_rcuscale_retire, wl_rcuscale_sync, wl_memcached };
	for (size_t w = 0; w < G_N_ELEMENTS(wls); w++) {
		if (wls[w] == wl_rcuscale_sync && (v->ops->flags & RCL_NO_GRACE_PERIOD))
			continue;       /* refused at config load: see synchronize-is-unsafe */
		g_autofree char *json = config(v, wls[w]);
		GError *err = NULL;
		cJSON *res = run(json, 3, "0", "1", &err);
		g_assert_no_error(err);
		double retired = reclaim_metric(res, "retired");
		if (wls[w] == wl_rcuscale_sync)
			g_assert_cmpfloat(reclaim_metric(res, "synchronize_calls"), >=, 2);
		else    /* > 5: rwsem's waiters sleep (3,500 cycles a handoff) */
			g_assert_cmpfloat(retired, >, 5);
		g_assert_cmpfloat(reclaim_metric(res, "freed"), ==, retired);
		cJSON_Delete(res);
	}
}

static void
test_deterministic(gconstpointer data)
{
	const struct variant *v = data;
	g_autofree char *json = config(v, wl_rcuscale_retire);
	GError *err = NULL;
	cJSON *a = run(json, 5, "80", "1", &err);
	g_assert_no_error(err);
	cJSON *b = run(json, 5, "80", "1", &err);
	g_assert_no_error(err);
	g_autofree char *sa = t_results_without_host(a);
	g_autofree char *sb = t_results_without_host(b);
	g_assert_cmpstr(sa, ==, sb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* ---- the common metrics, against calls timed from outside ---- */

static const char *const common_metrics[] = {
	"retired", "freed", "pending_peak", "pending_mean", "bytes_pending_peak",
	"reclaim_latency_mean", "reclaim_latency_max", "reclaim_latency_ns_mean",
	"read_sections", "read_side_cycles_per_pair", "read_side_ns_per_pair",
	"retire_cycles_mean", "poll_calls", "poll_cycles_mean",
	"synchronize_calls", "synchronize_cycles_mean",
	"gp_count", "gp_latency_mean", "gp_latency_max", "gp_latency_ns_mean",
};

static const struct sim_param no_params[] = { SIM_P_END };

/* What CPU 1 of the "rclcalls" workload measured, and the scheme's report. */
static struct {
	const struct rcl_ops *ops;
	sim_time_t lock[2], unlock[2], retire, poll;
	cJSON *stats;
} calls;

struct calls_state {
	void *rs;
	void *params;
};

static void *
calls_setup(struct sim *s, const void *p)
{
	(void)p;
	struct calls_state *st = g_new0(struct calls_state, 1);
	const struct rcl_ops *ops = calls.ops;
	st->params = g_malloc0(ops->comp.params_size ? ops->comp.params_size : 1);
	sim_params_defaults(ops->comp.params, st->params);
	st->rs = ops->create(s, st->params);
	return st;
}

/*
 * CPU 1, once CPU 0 primed the shared lines: two read sections (lock and
 * unlock timed apart), then a retire of a 64-byte object and a poll.
 * Every CPU then calls cpu_exit, which must free the object.
 */
static void
calls_cpu(void *arg)
{
	struct calls_state *st = arg;
	const struct rcl_ops *ops = calls.ops;
	if (sim_cpu_id() == 1) {
		sim_sleep_until(100);
		for (int k = 0; k < 2; k++) {
			sim_time_t t0 = sim_now();
			ops->read_lock(st->rs);
			sim_time_t t1 = sim_now();
			ops->read_unlock(st->rs);
			calls.lock[k] = t1 - t0;
			calls.unlock[k] = sim_now() - t1;
		}
		void *obj = sim_alloc(64, 64);
		sim_time_t t0 = sim_now();
		ops->retire(st->rs, obj, 64, 64);
		calls.retire = sim_now() - t0;
		if (ops->poll) {
			t0 = sim_now();
			(void)ops->poll(st->rs);
			calls.poll = sim_now() - t0;
		}
	}
	if (ops->cpu_exit)
		ops->cpu_exit(st->rs);
}

static void
calls_report(void *arg, struct sim *s, cJSON *m)
{
	(void)s;
	(void)m;
	struct calls_state *st = arg;
	calls.stats = cJSON_CreateObject();
	calls.ops->stats(st->rs, calls.stats);
}

static void
calls_teardown(void *arg)
{
	struct calls_state *st = arg;
	calls.ops->destroy(st->rs);
	g_free(st->params);
	g_free(st);
}

static const struct sim_workload_ops calls_wl = {
	.name = "rclcalls", .summary = "", .params = no_params, .params_size = 1,
	.setup = calls_setup, .cpu_main = calls_cpu, .report = calls_report,
	.teardown = calls_teardown,
};

/* Run rclcalls with ops on t_machine(1, 2): 2 CPUs of one socket, 1 GHz. */
static void
run_calls(const struct rcl_ops *ops)
{
	memset(&calls, 0, sizeof calls);
	calls.ops = ops;
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &calls_wl, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	g_assert_nonnull(calls.stats);
}

static double
stat_of(const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(calls.stats, name);
	if (!cJSON_IsNumber(v))
		g_error("%s: common metric %s missing", calls.ops->comp.name, name);
	return v->valuedouble;
}

static void
test_common_metrics(gconstpointer data)
{
	const struct rcl_ops *ops = data;
	run_calls(ops);
	for (size_t i = 0; i < G_N_ELEMENTS(common_metrics); i++)
		(void)stat_of(common_metrics[i]);
	/* The machine runs at 1 GHz: ns == cycles. */
	double pair = (double)(calls.lock[0] + calls.unlock[0] + calls.lock[1] + calls.unlock[1]) / 2;
	g_assert_cmpfloat(stat_of("read_sections"), ==, 2);
	g_assert_cmpfloat(stat_of("read_side_cycles_per_pair"), ==, pair);
	g_assert_cmpfloat(stat_of("read_side_ns_per_pair"), ==, pair);
	g_assert_cmpfloat(stat_of("retired"), ==, 1);
	g_assert_cmpfloat(stat_of("freed"), ==, 1);
	g_assert_cmpfloat(stat_of("pending_peak"), ==, 1);
	g_assert_cmpfloat(stat_of("bytes_pending_peak"), ==, 64);
	/* RCU schemes leave their tick and callback work out of retire(). */
	g_assert_cmpfloat(stat_of("retire_cycles_mean"), <=, (double)calls.retire);
	g_assert_cmpfloat(stat_of("poll_calls"), ==, ops->poll ? 1 : 0);
	g_assert_cmpfloat(stat_of("poll_cycles_mean"), ==, (double)calls.poll);
	g_assert_cmpfloat(stat_of("reclaim_latency_ns_mean"), ==, stat_of("reclaim_latency_mean"));
	g_assert_cmpfloat(stat_of("gp_latency_ns_mean"), ==, stat_of("gp_latency_mean"));
	g_assert_cmpfloat(stat_of("gp_latency_max"), >=, stat_of("gp_latency_mean"));
	cJSON_Delete(calls.stats);
}

/*
 * Exact read-side costs of the rclcalls pairs.  Machine t_lat_default,
 * one socket of 2 cores: l1_hit 4, store_hit 1, atomic_hit 20,
 * leg_cluster 5, fence.full 33.  Shared lines are primed on CPU 0 (M);
 * per-CPU records on their own CPU.  A first read of a line CPU 0 owns
 * costs 3 legs = 15 and leaves it S in both caches.
 */
struct pair_cost {
	const char *scheme;
	sim_time_t lock[2], unlock[2];
};

static const struct pair_cost pair_costs[] = {
	/* ebr-ck.  begin: load own active 4 + load global epoch 15 (then 4) +
	 * store own epoch 1 + store own active 1 + full fence 33 = 54 (43).
	 * end (end_fence full): fence 33 + load active 4 + store 1 = 38. */
	{ "ebr-ck", { 54, 43 }, { 38, 38 } },
	/* ebr-crossbeam.  pin: load global 15 (then 4) + lock cmpxchg own
	 * epoch 20 = 35 (24); unpin: release store to the own line = 1. */
	{ "ebr-crossbeam", { 35, 24 }, { 1, 1 } },
	/* urcu-memb.  lock: load own ctr 4 + load gp.ctr 15 (then 4) + store
	 * own ctr 1 = 20 (9); unlock: load own ctr 4 + store 1 + load
	 * gp.futex (same line as gp.ctr, now S) 4 = 9.  Compiler barriers
	 * are free. */
	{ "urcu-memb", { 20, 9 }, { 9, 9 } },
	/* urcu-mb: memb plus smp_mb: lock 20 + 33 = 53 (42); unlock 9 + 2 x 33 = 75. */
	{ "urcu-mb", { 53, 42 }, { 75, 75 } },
	/* urcu-qsbr: both empty (registration happens at the first read_lock:
	 * store own ctr = gp.ctr (load 15) 1 + fence 33 = 49, then nothing). */
	{ "urcu-qsbr", { 15 + 1 + 33, 0 }, { 0, 0 } },
	/* rwlock: xadd taking the line from CPU 0 = 15 + 20 = 35, then 20;
	 * unlock xadd 20. */
	{ "rwlock", { 35, 20 }, { 20, 20 } },
	/* rwsem: rwlock's plus the owner load 4 + store 1 in each lock. */
	{ "rwsem", { 40, 25 }, { 20, 20 } },
	/* seqcount: begin = load sequence 15 (then 4); retry = load 4. */
	{ "seqcount", { 15, 4 }, { 4, 4 } },
};

static void
test_pair_cost(gconstpointer data)
{
	const struct pair_cost *pc = data;
	run_calls(rcl_find(pc->scheme));
	cJSON_Delete(calls.stats);
	for (int k = 0; k < 2; k++) {
		g_assert_cmpuint(calls.lock[k], ==, pc->lock[k]);
		g_assert_cmpuint(calls.unlock[k], ==, pc->unlock[k]);
	}
}

/* seqcount under workload wl is refused at config load with message. */
static void
assert_seqcount_refused(const char *wl, const char *message)
{
	const struct variant v = { rcl_find("seqcount"), "{\"scheme\": \"seqcount\"}" };
	g_autofree char *json = config(&v, wl);
	GError *err = NULL;
	cJSON *res = run(json, 1, "40", "1", &err);
	g_assert_null(res);
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_INCONSISTENT);
	g_assert_cmpstr(err->message, ==, message);
	g_error_free(err);
}

/*
 * seqcount readers leave no trace, so its synchronize() cannot wait for
 * them (models/reclaim/rcl_seqcount.c, DECISION; RCL_NO_GRACE_PERIOD): a
 * run that would free after it is refused at config load, before it
 * could read freed memory.
 */
static void
test_seqcount_synchronize_unsafe(void)
{
	assert_seqcount_refused(wl_rcuscale_sync, "inline.json: workload.update_mode: "
				"\"synchronize\" frees after synchronize(), but seqcount readers "
				"leave no trace, so it cannot wait for them: use \"retire\"");
	assert_seqcount_refused(wl_rcutorture, "inline.json: workload.synchronize_every: updates "
				"that free after synchronize() need a grace period, but seqcount "
				"readers leave no trace, so it cannot wait for them: use 0");
}

static void
test_urcu_memb_idle_cpus(void)
{
	static const char json[] =
		"{\"machine\": \"icx2s\", \"cpus\": 16, \"seed\": 1,"
		" \"engine\": {\"max_cycles\": 20000000},"
		" \"workload\": {\"name\": \"rcutorture\", \"duration\": 4000000, \"cs_max\": 300,"
		"   \"reads_per_section\": 2, \"gap_max\": 300, \"update_interval_max\": 2000,"
		"   \"synchronize_every\": 1, \"idle_every\": 1, \"idle_cycles\": 200},"
		" \"reclaim\": {\"scheme\": \"urcu-memb\"}}";
	for (uint64_t seed = 1; seed <= 5; seed++) {
		GError *err = NULL;
		cJSON *res = run(json, seed, "0", "1", &err);   /* no jitter: the defaults */
		g_assert_no_error(err);
		g_assert_cmpfloat(reclaim_metric(res, "synchronize_calls"), >, 0);
		g_assert_cmpfloat(t_metric(res, "bad_reads"), ==, 0);
		cJSON_Delete(res);
	}
}

static void
add_variant(const struct rcl_ops *ops, const char *param, const char *choice)
{
	struct variant *v = g_new0(struct variant, 1);
	v->ops = ops;
	if (param)
		v->reclaim = g_strdup_printf("{\"scheme\": \"%s\", \"%s\": \"%s\"}", ops->comp.name,
					     param, choice);
	else
		v->reclaim = g_strdup_printf("{\"scheme\": \"%s\"}", ops->comp.name);
	g_autofree char *base = param ? g_strdup_printf("/reclaim/%s/%s=%s", ops->comp.name, param,
							choice)
				      : g_strdup_printf("/reclaim/%s", ops->comp.name);
	g_autofree char *p1 = g_strdup_printf("%s/no-early-free", base);
	g_autofree char *p2 = g_strdup_printf("%s/all-freed-after-exit", base);
	g_autofree char *p3 = g_strdup_printf("%s/deterministic", base);
	g_test_add_data_func(p1, v, test_no_early_free);
	g_test_add_data_func(p2, v, test_all_freed_after_exit);
	g_test_add_data_func(p3, v, test_deterministic);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (const struct sim_component *const *c = rcl_all(); *c; c++) {
		const struct rcl_ops *ops = rcl_ops_from(*c);
		add_variant(ops, NULL, NULL);
		g_autofree char *cm = g_strdup_printf("/reclaim/%s/common-metrics", ops->comp.name);
		g_test_add_data_func(cm, ops, test_common_metrics);
		for (const struct sim_param *p = (*c)->params; p && p->name; p++) {
			if (p->type != SIM_P_ENUM || g_str_has_prefix(p->name, "mutate"))
				continue;
			for (uint64_t k = 0; p->choices[k]; k++)
				if (k != p->def_u)
					add_variant(ops, p->name, p->choices[k]);
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(pair_costs); i++) {
		g_assert_nonnull(rcl_find(pair_costs[i].scheme));
		g_autofree char *p = g_strdup_printf("/reclaim/%s/pair-cost", pair_costs[i].scheme);
		g_test_add_data_func(p, &pair_costs[i], test_pair_cost);
	}
	g_test_add_func("/reclaim/seqcount/synchronize-is-unsafe", test_seqcount_synchronize_unsafe);
	g_test_add_func("/reclaim/urcu-memb/membarrier-reaches-idle-cpus", test_urcu_memb_idle_cpus);
	return g_test_run();
}
