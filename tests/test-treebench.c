// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The treebench workload (workloads/treebench.c): its metrics against
 * what they must be.
 *
 *   /treebench/metrics: Bonsai under tree_rcu, 1 writer + 3 readers, 64
 *       regions, a 200,000-cycle window, one update every 20,000 cycles
 *       (each takes less: the longest, 16,258 cycles, is one that needs a
 *       new slab): exactly 10 updates (starts at 0, 20,000, ... 180,000
 *       after the window opens), each in update_cycles; every update erases and re-inserts
 *       one region, so the tree keeps one node per region and allocates
 *       exactly as many nodes as it retires; lookups hit except while their
 *       region is being replaced; the writer's updates write lines
 *       (ownership requests > 0); the reclaim peak is the scheme's own
 *       bytes_pending_peak and at least one node (64 bytes); check() holds.
 *   /treebench/no-writers: 0 writers (and, to compare, 1 writer updating
 *       every 5,000 cycles): no update, and a
 *       reader misses each line at most a few times (each node line once,
 *       then it stays shared): far fewer misses per lookup than with a
 *       writer invalidating the lines it rewrites.
 *   /treebench/bad-writers: more writers than CPUs is refused at load,
 *       naming the key.
 */
#include <string.h>

#include "harness.h"

static cJSON *
run(unsigned writers, unsigned cpus, unsigned interval, GError **err)
{
	g_autofree char *wl = g_strdup_printf(
		"\"name\": \"treebench\", \"duration\": 200000, \"regions\": 64,"
		" \"region_pages\": 2, \"writers\": %u, \"update_interval\": %u,"
		" \"lookup_work\": 50", writers, interval);
	return t_run_workload(cpus, 3, wl,
			      ", \"tree\": {\"kind\": \"bonsai\"}, \"reclaim\": {\"scheme\": \"tree_rcu\"},"
			      " \"kalloc\": {\"allocator\": \"slub\", \"pages_per_node\": 1024}", err);
}

static double
metric_or(const cJSON *res, const char *name)
{
	return t_metric(res, name);
}

static void
test_metrics(void)
{
	GError *err = NULL;
	cJSON *res = run(1, 4, 20000, &err);
	g_assert_no_error(err);
	double updates = metric_or(res, "updates");
	double lookups = metric_or(res, "lookups");
	g_assert_cmpfloat(metric_or(res, "update_cycles.max"), <, 20000);
	g_assert_cmpfloat(updates, ==, 10);
	g_assert_cmpfloat(metric_or(res, "update_cycles.count"), ==, 10);
	g_assert_cmpfloat(metric_or(res, "lookup_cycles.count"), ==,
			  metric_or(res, "lookups"));
	g_assert_cmpfloat(metric_or(res, "nodes_allocated_per_update"), ==,
			  metric_or(res, "nodes_retired_per_update"));
	g_assert_cmpfloat(metric_or(res, "nodes_allocated_per_update"), >=, 1);
	g_assert_cmpfloat(metric_or(res, "tree.regions"), ==, 64);
	g_assert_cmpfloat(lookups, >, 1000);
	g_assert_cmpfloat(metric_or(res, "lookup_hits"), >=, 0.95 * lookups);
	g_assert_cmpfloat(metric_or(res, "lines_written_per_update"), >, 0);
	g_assert_cmpfloat(metric_or(res, "stores_per_update"), >=,
			  metric_or(res, "lines_written_per_update"));
	double peak = metric_or(res, "reclaim_bytes_pending_peak");
	g_assert_cmpfloat(peak, ==, metric_or(res, "reclaim.bytes_pending_peak"));
	g_assert_cmpfloat(peak, >=, 64);
	const cJSON *ok = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "metrics"), "tree_check_ok");
	g_assert_true(cJSON_IsTrue(ok));
	g_assert_cmpfloat(metric_or(res, "cycles_per_lookup"), >, 0);
	cJSON_Delete(res);
}

static void
test_no_writers(void)
{
	GError *err = NULL;
	cJSON *res = run(0, 4, 5000, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(metric_or(res, "updates"), ==, 0);
	double lookups = metric_or(res, "lookups");
	double per = metric_or(res, "lines_missed_per_lookup");
	g_assert_cmpfloat(lookups, >, 1000);
	/* 3 readers besides CPU 0 (which inserted the regions) miss each of
	 * the 64 node lines and the root line once; allow as much again for
	 * the scheme's tick work on those CPUs. */
	g_assert_cmpfloat(per * lookups, <=, 2 * 3 * 65);
	cJSON_Delete(res);
	cJSON *wres = run(1, 4, 5000, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(metric_or(wres, "lines_missed_per_lookup"), >, 2 * per);
	cJSON_Delete(wres);
}

static void
test_bad_writers(void)
{
	GError *err = NULL;
	cJSON *res = run(5, 4, 5000, &err);
	t_assert_refused(res, err, "writers");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/treebench/metrics", test_metrics);
	g_test_add_func("/treebench/no-writers", test_no_writers);
	g_test_add_func("/treebench/bad-writers", test_bad_writers);
	return g_test_run();
}
