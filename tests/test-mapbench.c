// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The mapbench workload (workloads/mapbench.c): its counts against what
 * mapbench's loops make them, on both designs.  No warm-up, so the
 * design's whole-run counters and the measured counts cover the same
 * iterations.
 *
 *   /mapbench/vmlocal/one-cpu: one fault per iteration (the page is new
 *       every time), one touch, one mmap and one munmap per iteration;
 *       nothing mapped at the end; check() holds; cycles_per_iteration is
 *       cycles / iterations (one thread).
 *   /mapbench/vmpipeline/one-cpu: the thread is its own neighbour: two
 *       touches per iteration, but one fault (the second touch finds the
 *       translation in the TLB): faults == mmaps; munmaps == iterations,
 *       and one more mmap if the stop came between a round's map and unmap
 *       (that page is still mapped at the end).
 *   /mapbench/vmpipeline/two-cpus: each mapped page is faulted once, by
 *       its owner (the neighbour's touch walks the shared page table: no
 *       fault): faults == mmaps; two touches per iteration; the pages
 *       still mapped at the end are those mapped and not yet unmapped.
 *   /mapbench/vmglobal/one-cpu: 16 distinct pages a round (n * 16 = 16
 *       draws of an LCG mod a power of two: a full period), every one a
 *       fault (each round's mmap replaces the slice); no munmap; no
 *       shootdown with targets; mmap_sem's lock cycles are one
 *       uncontended locked RMW per call (plus the first miss), the PTLs'
 *       at least that (their RMW also drains clear_page's stores).
 *   /mapbench/vmglobal/three-cpus: every thread draws the same pages
 *       (rnd() seeded by the shared pid); page_touches is exactly n times
 *       the distinct pages of the rounds each thread completed, computed
 *       here with urnd.cc's LCG (48 draws mod 48: fewer than 48 distinct);
 *       the three adjacent slices are one VMA (vma_merge), which every
 *       round's mmaps split and merge back.
 *   /mapbench/determinism: the same config twice gives byte-identical
 *       results (bonsai under tree_rcu, vmglobal on 4 CPUs: racing faults).
 *   /mapbench/bad-ncpu: vmpipeline with ncpu_const below the CPU count is
 *       refused at load naming workload.ncpu_const.
 */
#include <string.h>

#include "harness.h"

#define PID 4242u

static cJSON *
run(const char *design, const char *bench, unsigned cpus, unsigned duration, const char *extra,
    GError **err)
{
	bool bonsai = strcmp(design, "bonsai") == 0;
	g_autofree char *wl = g_strdup_printf(
		"\"name\": \"mapbench\", \"benchmark\": \"%s\", \"warmup\": 0,"
		" \"duration\": %u, \"pid\": %u %s", bench, duration, PID, extra);
	g_autofree char *sections = g_strdup_printf(
		", \"aspace\": {\"design\": \"%s\"}%s,"
		" \"kalloc\": {\"allocator\": \"slub\", \"pages_per_node\": 2048}", design,
		bonsai ? ", \"tree\": {\"kind\": \"bonsai\"}, \"reclaim\": {\"scheme\": \"tree_rcu\"}" : "");
	return t_run_workload(cpus, 5, wl, sections, err);
}

static void
assert_clean(const cJSON *res)
{
	const cJSON *ok = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "metrics"), "aspace_check_ok");
	g_assert_true(cJSON_IsTrue(ok));
	g_assert_cmpfloat(t_metric(res, "aspace.segv"), ==, 0);
}

static void
vmlocal_one(const char *design)
{
	GError *err = NULL;
	cJSON *res = run(design, "vmlocal", 1, 300000, "", &err);
	g_assert_no_error(err);
	double it = t_metric(res, "iterations");
	g_assert_cmpfloat(it, >=, 5);
	g_assert_cmpfloat(t_metric(res, "page_touches"), ==, it);
	g_assert_cmpfloat(t_metric(res, "aspace.faults"), ==, it);
	g_assert_cmpfloat(t_metric(res, "aspace.fault_retries"), ==, 0);
	g_assert_cmpfloat(t_metric(res, "mmaps"), ==, it);
	g_assert_cmpfloat(t_metric(res, "munmaps"), ==, it);
	g_assert_cmpfloat(t_metric(res, "aspace.mmaps"), ==, it);
	g_assert_cmpfloat(t_metric(res, "aspace.munmaps"), ==, it);
	g_assert_cmpfloat(t_metric(res, "mapped_pages_at_end"), ==, 0);
	g_assert_cmpfloat(t_metric(res, "measured_threads"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "cycles_per_iteration"), ==, t_metric(res, "cycles") / it);
	g_assert_cmpfloat(t_metric(res, "page_touches_per_sec"), ==,
			  it / (t_metric(res, "cycles") / 1e9));
	assert_clean(res);
	cJSON_Delete(res);
}

static void
test_vmlocal_one(void)
{
	vmlocal_one("linux-rwsem");
	vmlocal_one("bonsai");
}

static void
test_vmpipeline_one(void)
{
	GError *err = NULL;
	cJSON *res = run("linux-rwsem", "vmpipeline", 1, 300000, "", &err);
	g_assert_no_error(err);
	double it = t_metric(res, "iterations");
	g_assert_cmpfloat(it, >=, 5);
	g_assert_cmpfloat(t_metric(res, "page_touches"), ==, 2 * it);
	/* the stop may come between the map and the unmap of a round */
	double maps = t_metric(res, "mmaps");
	g_assert_true(maps == it || maps == it + 1);
	g_assert_cmpfloat(t_metric(res, "aspace.faults"), ==, maps);
	g_assert_cmpfloat(t_metric(res, "munmaps"), ==, it);
	g_assert_cmpfloat(t_metric(res, "mapped_pages_at_end"), ==, maps - it);
	assert_clean(res);
	cJSON_Delete(res);
}

static void
test_vmpipeline_two(void)
{
	GError *err = NULL;
	cJSON *res = run("linux-rwsem", "vmpipeline", 2, 400000, "", &err);
	g_assert_no_error(err);
	double it = t_metric(res, "iterations");
	double maps = t_metric(res, "mmaps"), unmaps = t_metric(res, "munmaps");
	g_assert_cmpfloat(it, >=, 4);
	g_assert_cmpfloat(t_metric(res, "page_touches"), ==, 2 * it);
	g_assert_cmpfloat(unmaps, ==, it);
	g_assert_cmpfloat(t_metric(res, "aspace.faults"), ==, maps);
	g_assert_cmpfloat(t_metric(res, "mapped_pages_at_end"), ==, maps - unmaps);
	g_assert_cmpfloat(maps - unmaps, <=, 2);
	assert_clean(res);
	cJSON_Delete(res);
}

static void
test_vmglobal_one(void)
{
	GError *err = NULL;
	cJSON *res = run("linux-rwsem", "vmglobal", 1, 1000000, "", &err);
	g_assert_no_error(err);
	double it = t_metric(res, "iterations");
	g_assert_cmpfloat(it, >=, 3);
	g_assert_cmpfloat(t_metric(res, "npg"), ==, 16);
	g_assert_cmpfloat(t_metric(res, "page_touches"), ==, 16 * it);
	g_assert_cmpfloat(t_metric(res, "aspace.faults"), ==, 16 * it);
	g_assert_cmpfloat(t_metric(res, "munmaps"), ==, 0);
	g_assert_cmpfloat(t_metric(res, "smp.shootdowns"), ==, 0);
	double maps = t_metric(res, "mmaps");
	g_assert_true(maps == it || maps == it + 1);
	/* one CPU, nobody to wait for: each down_read, down_write and PTL
	 * spin_lock is one locked RMW (atomic_hit 20), a miss only the first
	 * time (at most one transfer, from memory: mem 200) */
	double faults = t_metric(res, "aspace.faults"), ptl = t_metric(res, "aspace.mm.ptl_acquired");
	g_assert_cmpfloat(t_metric(res, "aspace.mm.ptl_contended"), ==, 0);
	g_assert_cmpfloat(t_metric(res, "aspace.mmap_sem_read_cycles"), >=, 20 * faults);
	g_assert_cmpfloat(t_metric(res, "aspace.mmap_sem_read_cycles"), <=, 20 * faults + 400);
	g_assert_cmpfloat(t_metric(res, "aspace.mmap_sem_write_cycles"), >=, 20 * maps);
	g_assert_cmpfloat(t_metric(res, "aspace.mmap_sem_write_cycles"), <=, 20 * maps + 400);
	/* a PTL's lock also drains the store buffer: clear_page's 64 stores
	 * of the fault's new page (cold: from memory) wait there */
	g_assert_cmpfloat(t_metric(res, "aspace.mm.ptl_lock_cycles"), >=, 20 * ptl);
	assert_clean(res);
	cJSON_Delete(res);
}

/* Distinct pages of round r (0-based) of urnd.cc's LCG seeded with pid,
 * n * 16 draws mod n * 16 a round. */
static uint64_t
lcg_distinct_sum(unsigned n, uint64_t rounds)
{
	uint64_t x = PID, sum = 0, np = (uint64_t)n * 16;
	for (uint64_t r = 0; r < rounds; r++) {
		guint8 seen[1024] = { 0 };
		for (uint64_t i = 0; i < np; i++) {
			x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
			uint64_t pg = x % np;
			if (!seen[pg]) {
				seen[pg] = 1;
				sum++;
			}
		}
	}
	return sum;
}

static void
test_vmglobal_three(void)
{
	GError *err = NULL;
	cJSON *res = run("linux-rwsem", "vmglobal", 3, 2000000, "", &err);
	g_assert_no_error(err);
	double k = t_metric(res, "iterations_thread_min");
	g_assert_cmpfloat(k, ==, t_metric(res, "iterations_thread_max"));
	g_assert_cmpfloat(k, >=, 2);
	g_assert_cmpfloat(t_metric(res, "iterations"), ==, 3 * k);
	uint64_t per_thread = lcg_distinct_sum(3, (uint64_t)k);
	g_assert_cmpuint(per_thread, <, 48 * (uint64_t)k);     /* the LCG's low bits repeat */
	g_assert_cmpfloat(t_metric(res, "page_touches"), ==, 3.0 * (double)per_thread);
	/* the slices are adjacent: vma_merge keeps one VMA for all three, and
	 * each mmap either merged into a neighbour or made the one VMA it
	 * allocated (the other allocations are do_munmap's splits); from
	 * round 2 every mmap merges (its slice was split out of the one VMA),
	 * and the middle slice splits twice, the edge ones once */
	g_assert_cmpfloat(t_metric(res, "aspace.vmas"), ==, 1);
	double mm = t_metric(res, "aspace.mmaps"), merges = t_metric(res, "aspace.merges");
	g_assert_cmpfloat(t_metric(res, "aspace.vmas_allocated"), ==,
			  t_metric(res, "aspace.splits") + mm - merges);
	g_assert_cmpfloat(merges, >=, mm - 3);
	g_assert_cmpfloat(t_metric(res, "aspace.splits"), >=, 4 * (k - 1));
	assert_clean(res);
	cJSON_Delete(res);
}

static void
test_determinism(void)
{
	GError *err = NULL;
	cJSON *a = run("bonsai", "vmglobal", 4, 300000, "", &err);
	g_assert_no_error(err);
	cJSON *b = run("bonsai", "vmglobal", 4, 300000, "", &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(t_metric(a, "page_touches"), >, 0);
	g_autofree char *sa = t_results_without_host(a);
	g_autofree char *sb = t_results_without_host(b);
	g_assert_cmpstr(sa, ==, sb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void
test_bad_ncpu(void)
{
	GError *err = NULL;
	cJSON *res = run("linux-rwsem", "vmpipeline", 4, 1000, ", \"ncpu_const\": 2", &err);
	t_assert_refused(res, err, "workload.ncpu_const");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mapbench/vmlocal/one-cpu", test_vmlocal_one);
	g_test_add_func("/mapbench/vmpipeline/one-cpu", test_vmpipeline_one);
	g_test_add_func("/mapbench/vmpipeline/two-cpus", test_vmpipeline_two);
	g_test_add_func("/mapbench/vmglobal/one-cpu", test_vmglobal_one);
	g_test_add_func("/mapbench/vmglobal/three-cpus", test_vmglobal_three);
	g_test_add_func("/mapbench/determinism", test_determinism);
	g_test_add_func("/mapbench/bad-ncpu", test_bad_ncpu);
	return g_test_run();
}
