// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The sharing workloads' out-of-sample modes (line_rr, line_wx) and the
 * tom preset, by exact cycle counts worked out by hand from the model in
 * sim/core/cache.c.
 *
 * ben (configs/machines/ben.json): l1_hit 4, atomic_hit 30, leg_cluster
 * 35; CPUs 0-9 share socket 0's one cluster.  A line held in M by a
 * CPU of the same cluster costs three legs: 105, plus atomic_hit for an
 * RMW.  tom (configs/machines/tom.json): atomic_hit 20, leg_cluster 38,
 * so an in-die RMW handoff is 3 * 38 + 20 = 134.
 */
#include <string.h>

#include "harness.h"

static cJSON *
run(const char *machine, unsigned cpus, const char *workload, unsigned rounds)
{
	g_autofree char *json = g_strdup_printf(
		"{\"machine\": \"%s\", \"cpus\": %u, \"seed\": 1,"
		" \"workload\": {\"name\": \"%s\", \"rounds\": %u}}",
		machine, cpus, workload, rounds);
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_no_error(err);
	return res;
}

/* rr, 2 CPUs, 10 periods = 20 reads each: CPU 0 owns the line (it wrote
 * buf[0]) and hits every time (4); CPU 1's first read takes the line
 * from CPU 0 (105), the line goes to S in both, and every later read of
 * either CPU hits: (39 * 4 + 105) / 40. */
static void
test_rr_two_cpus(void)
{
	cJSON *r = run("ben", 2, "line_rr", 10);
	g_assert_cmpfloat(t_metric(r, "cpu0_cycles_mean"), ==, 4.0);
	g_assert_cmpfloat(t_metric(r, "reads.count"), ==, 40.0);
	g_assert_cmpfloat(t_metric(r, "reads.max"), ==, 105.0);
	g_assert_cmpfloat(t_metric(r, "cycles_per_read_mean"), ==, (39.0 * 4 + 105) / 40);
	cJSON_Delete(r);
}

/* rr stays flat: nobody writes, so after each CPU's first miss every read
 * is an L1 hit whatever the CPU count -- 80 CPUs on 8 sockets read
 * 2 * 100 times each and at most one read per CPU misses. */
static void
test_rr_flat(void)
{
	cJSON *r = run("ben", 80, "line_rr", 100);
	g_assert_cmpfloat(t_metric(r, "reads.count"), ==, 80.0 * 200);
	g_assert_cmpfloat(t_metric(r, "reads.min"), ==, 4.0);
	g_assert_cmpfloat(t_metric(r, "engine.misses"), <=, 80.0);
	cJSON_Delete(r);
}

/* wx, 2 and 3 CPUs, 10 periods: each CPU adds to its own line.  CPU 0's
 * line is its own from the start (30 each); each other CPU's first add
 * takes its line from CPU 0 (105 + 30), the other nine hit (30). */
static void
test_wx_exact(void)
{
	for (unsigned n = 2; n <= 3; n++) {
		cJSON *r = run("ben", n, "line_wx", 10);
		g_assert_cmpfloat(t_metric(r, "cpu0_cycles_mean"), ==, 30.0);
		g_assert_cmpfloat(t_metric(r, "colliders_cycles_mean"), ==, (9.0 * 30 + 135) / 10);
		g_assert_cmpfloat(t_metric(r, "accesses.max"), ==, 135.0);
		g_assert_cmpfloat(t_metric(r, "cycles_per_access_mean"), ==,
				  (10.0 * 30 + (n - 1) * (9.0 * 30 + 135)) / (10.0 * n));
		cJSON_Delete(r);
	}
}

/* wx never shares a line: at 80 CPUs over 8 sockets no write waits for
 * another CPU, so no transaction ever queues and the colliders' mean is
 * exactly that of 3 CPUs -- only the first write's distance differs. */
static void
test_wx_no_sharing(void)
{
	cJSON *r = run("ben", 80, "line_wx", 10);
	g_assert_cmpfloat(t_metric(r, "cpu0_cycles_mean"), ==, 30.0);
	g_assert_cmpfloat(t_metric(r, "accesses.min"), ==, 30.0);
	g_assert_cmpfloat(t_metric(r, "cycles_by_cause.queue"), ==, 0.0);
	g_assert_cmpfloat(t_metric(r, "engine.invalidations"), ==, 0.0);
	cJSON_Delete(r);
}

/* tom's in-die handoff from its sources: ww with 2 CPUs, 50 rounds.
 * CPU 0's first add hits (20); the other 99 adds each take the line from
 * the other CPU of the die (134): (20 + 99 * 134) / 100. */
static void
test_tom_in_die_handoff(void)
{
	cJSON *r = run("tom", 2, "line_ww", 50);
	g_assert_cmpfloat(t_metric(r, "cycles_per_access_mean"), ==, (20.0 + 99 * 134) / 100);
	cJSON_Delete(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sharing/rr/two-cpus-exact", test_rr_two_cpus);
	g_test_add_func("/sharing/rr/flat-at-80", test_rr_flat);
	g_test_add_func("/sharing/wx/two-three-cpus-exact", test_wx_exact);
	g_test_add_func("/sharing/wx/no-sharing-at-80", test_wx_no_sharing);
	g_test_add_func("/sharing/tom/in-die-handoff", test_tom_in_die_handoff);
	return g_test_run();
}
