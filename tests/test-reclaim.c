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
 *       end of their section) and memcached (RCU hash table, sets retire
 *       replaced items) over 8 seeds with schedule jitter, uniform and
 *       rare-long-stall.  No run may read a freed (poisoned) object, see
 *       a value go back in time or miss a key; and the scenario must
 *       really have retired objects under active readers.
 *   /reclaim/<scheme>[...]/all-freed-after-exit
 *       Liveness: once every CPU has called cpu_exit, every retired
 *       object has been freed (retired == freed, no bytes pending),
 *       with updates by retire() and by synchronize().
 *   /reclaim/<scheme>[...]/deterministic
 *       The same config and seed, jitter included, give byte-identical
 *       results (host section aside).
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
	char *reclaim;      /* the "reclaim" section's JSON */
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
	const char *const wls[] = { wl_rcuscale_retire, wl_memcached };
	/* Uniform small delays, and rare long stalls (an SMI in a section). */
	const char *const jit[][2] = { { "60", "1" }, { "20000", "64" } };
	for (size_t w = 0; w < G_N_ELEMENTS(wls); w++) {
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
				/* Not vacuous: objects were retired under active readers. */
				g_assert_cmpfloat(reclaim_metric(res, "retired"), >, 10);
				g_assert_cmpfloat(reclaim_metric(res, "read_sections"), >, 10);
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
			continue;       /* refused at config load: see the test below */
		g_autofree char *json = config(v, wls[w]);
		GError *err = NULL;
		cJSON *res = run(json, 3, "0", "1", &err);
		g_assert_no_error(err);
		double retired = reclaim_metric(res, "retired");
		if (wls[w] == wl_rcuscale_sync)
			g_assert_cmpfloat(reclaim_metric(res, "synchronize_calls"), >=, 2);
		else
			g_assert_cmpfloat(retired, >, 10);
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
		for (const struct sim_param *p = (*c)->params; p && p->name; p++) {
			if (p->type != SIM_P_ENUM || g_str_has_prefix(p->name, "mutate"))
				continue;
			for (uint64_t k = 0; p->choices[k]; k++)
				if (k != p->def_u)
					add_variant(ops, p->name, p->choices[k]);
		}
	}
	return g_test_run();
}
