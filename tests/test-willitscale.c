// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The willitscale workload (workloads/willitscale.c): its counts against
 * what will-it-scale's loops make them (linux-rwsem: no fault retries).
 *
 *   /willitscale/page_fault1: every iteration is one page written for
 *       the first time: aspace faults == iterations over the whole run;
 *       every mmap is unmapped (the run ends with nothing mapped); the
 *       measured iterations are at most the whole run's; the total rate
 *       is the per-task mean times the tasks.
 *   /willitscale/read_fault1: the same count of faults with loads.
 *   /willitscale/mmap1: one mmap and one munmap per iteration, no fault.
 *   /willitscale/brk1: two brk calls per two iterations, plus each task's
 *       sbrk(0); no fault, nothing mapped at the end.
 *   /willitscale/determinism: page_fault1 on 3 CPUs twice, byte-identical.
 *   /willitscale/bad-memsize: a memsize that is not a page multiple is
 *       refused naming workload.memsize.
 */
#include <string.h>

#include "harness.h"

static cJSON *
run(const char *test, unsigned cpus, unsigned long memsize, GError **err)
{
	g_autofree char *wl = g_strdup_printf(
		"\"name\": \"willitscale\", \"test\": \"%s\", \"memsize\": %lu,"
		" \"warmup\": 20000, \"duration\": 300000", test, memsize);
	return t_run_workload(cpus, 7, wl,
			      ", \"aspace\": {\"design\": \"linux-rwsem\"},"
			      " \"kalloc\": {\"allocator\": \"slub\", \"pages_per_node\": 2048}", err);
}

static void
assert_clean(const cJSON *res)
{
	const cJSON *ok = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "metrics"), "aspace_check_ok");
	g_assert_true(cJSON_IsTrue(ok));
	g_assert_cmpfloat(t_metric(res, "mapped_pages_at_end"), ==, 0);
	g_assert_cmpfloat(t_metric(res, "aspace.segv"), ==, 0);
	g_assert_cmpfloat(t_metric(res, "mmaps"), ==, t_metric(res, "munmaps"));
	g_assert_cmpfloat(t_metric(res, "iterations"), <=, t_metric(res, "iterations_whole_run"));
}

static void
faults(const char *test, unsigned cpus)
{
	GError *err = NULL;
	cJSON *res = run(test, cpus, 4 * 4096, &err);
	g_assert_no_error(err);
	double it = t_metric(res, "iterations");
	double all = t_metric(res, "iterations_whole_run");
	g_assert_cmpfloat(it, >=, 8);
	g_assert_cmpfloat(t_metric(res, "aspace.faults"), ==, all);
	g_assert_cmpfloat(t_metric(res, "aspace.fault_retries"), ==, 0);
	/* a mapping of 4 pages is touched whole before the next one; each
	 * task's last one may be untouched (its mmap returned after the end
	 * of the window: the touch loop checks the stop first) */
	g_assert_cmpfloat(t_metric(res, "mmaps") * 4, >=, all);
	g_assert_cmpfloat((t_metric(res, "mmaps") - cpus) * 4, <=, all);
	g_assert_cmpfloat(t_metric(res, "iterations_per_sec"), ==,
			  t_metric(res, "iterations_per_sec_per_task") * cpus);
	g_assert_cmpfloat(t_metric(res, "iterations_per_sec"), ==, it / (300000 / 1e9));
	assert_clean(res);
	cJSON_Delete(res);
}

static void
test_page_fault1(void)
{
	faults("page_fault1", 1);
	faults("page_fault1", 2);
}

static void
test_read_fault1(void)
{
	faults("read_fault1", 2);
}

static void
test_mmap1(void)
{
	GError *err = NULL;
	cJSON *res = run("mmap1", 2, 1u << 20, &err);
	g_assert_no_error(err);
	double all = t_metric(res, "iterations_whole_run");
	g_assert_cmpfloat(t_metric(res, "iterations"), >=, 10);
	g_assert_cmpfloat(t_metric(res, "mmaps"), ==, all);
	g_assert_cmpfloat(t_metric(res, "aspace.mmaps"), ==, all);
	g_assert_cmpfloat(t_metric(res, "aspace.munmaps"), ==, all);
	g_assert_cmpfloat(t_metric(res, "aspace.faults"), ==, 0);
	assert_clean(res);
	cJSON_Delete(res);
}

static void
test_brk1(void)
{
	GError *err = NULL;
	cJSON *res = run("brk1", 2, 4096, &err);
	g_assert_no_error(err);
	double all = t_metric(res, "iterations_whole_run");
	g_assert_cmpfloat(t_metric(res, "iterations"), >=, 10);
	g_assert_cmpfloat(t_metric(res, "brks"), ==, all + 2);
	g_assert_cmpfloat(t_metric(res, "aspace.brks"), ==, all + 2);
	g_assert_cmpfloat(t_metric(res, "aspace.faults"), ==, 0);
	assert_clean(res);
	cJSON_Delete(res);
}

static void
test_determinism(void)
{
	GError *err = NULL;
	cJSON *a = run("page_fault1", 3, 8 * 4096, &err);
	g_assert_no_error(err);
	cJSON *b = run("page_fault1", 3, 8 * 4096, &err);
	g_assert_no_error(err);
	g_autofree char *sa = t_results_without_host(a);
	g_autofree char *sb = t_results_without_host(b);
	g_assert_cmpstr(sa, ==, sb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void
test_bad_memsize(void)
{
	GError *err = NULL;
	cJSON *res = run("page_fault1", 1, 5000, &err);
	t_assert_refused(res, err, "workload.memsize");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/willitscale/page_fault1", test_page_fault1);
	g_test_add_func("/willitscale/read_fault1", test_read_fault1);
	g_test_add_func("/willitscale/mmap1", test_mmap1);
	g_test_add_func("/willitscale/brk1", test_brk1);
	g_test_add_func("/willitscale/determinism", test_determinism);
	g_test_add_func("/willitscale/bad-memsize", test_bad_memsize);
	return g_test_run();
}
