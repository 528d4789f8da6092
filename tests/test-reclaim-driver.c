// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Who frees deferred objects when the caller never polls: FreeBSD
 * epoch(9)'s epoch_call_task from hardclock for ebr-ck (parameter hz)
 * and liburcu's call_rcu worker thread for the urcu flavours (parameters
 * worker_sleep_us, worker_cpu).  See the WHO POLLS / WHO FREES comments
 * in models/reclaim/rcl_ebr.c and rcl_urcu.c.
 *
 *   /reclaim-driver/<scheme>/first-free
 *       Three CPUs of a 1 GHz socket.  CPU 0 retires one 64-byte object
 *       at the start and then only works (ebr-ck) or returns to user mode
 *       every 1,000 cycles (urcu-qsbr); CPUs 1 and 2 run read sections of
 *       500 cycles with 100-cycle gaps (urcu-qsbr: a quiescent state after
 *       each).  Nobody calls poll() or synchronize().  With the driver the
 *       object is freed while every CPU still runs, at the exact time
 *       worked out below; without it (hz 0 / worker_sleep_us 0) only by
 *       cpu_exit.
 *   /reclaim-driver/aspace/<scheme>
 *       mapbench vmlocal under Bonsai on 4 CPUs of the workload tests'
 *       1 GHz machine for 6 M cycles, the driver's period 1 M cycles
 *       (ebr-ck's default hz 1000; urcu-qsbr with worker_sleep_us 1000):
 *       the driver frees objects while the threads run (call_task_freed
 *       / worker_freed > 0) and what is pending never exceeds what two
 *       driver periods retire (retired x 2 / 6), with the exact figures
 *       below; without it (hz 0 / worker_sleep_us 0) everything retired
 *       is pending at once (pending_peak == retired).
 */
#include <string.h>

#include "harness.h"
#include "param.h"
#include "reclaim.h"

static const struct sim_param no_params[] = { SIM_P_END };

#define RETIRE_AT 100u
#define RUN_END 5000000u

static struct {
	const struct rcl_ops *ops;
	const char *params;          /* the scheme's parameters, JSON */
	void *rs;
	void *p;
	sim_time_t retired_at;       /* when CPU 0's retire() began */
	sim_time_t others_end;       /* CPUs 1 and 2 stop here (0: RUN_END) and, if earlier,
				      * wait in user mode for CPU 0's flag (no quiescent state) */
	uint64_t *flag;              /* simulated: CPU 0 sets it at RUN_END */
	double freed_before_exit;    /* "freed", read by CPU 0 just before its cpu_exit */
	cJSON *stats;
} drv;

static double
num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!cJSON_IsNumber(v))
		g_error("%s: metric %s missing", drv.ops->comp.name, name);
	return v->valuedouble;
}

static void *
drv_setup(struct sim *s, const void *params)
{
	(void)params;
	drv.p = g_malloc0(drv.ops->comp.params_size ? drv.ops->comp.params_size : 1);
	cJSON *o = cJSON_Parse(drv.params);
	g_assert_nonnull(o);
	GError *err = NULL;
	struct sim_origin origin = { .file = "test" };
	g_assert_true(sim_params_load(drv.ops->comp.params, drv.p, o, &origin, NULL, &err));
	g_assert_no_error(err);
	cJSON_Delete(o);
	drv.rs = drv.ops->create(s, drv.p);
	drv.flag = sim_alloc(64, 64);
	sim_mem_prime(s, drv.flag, 64, 0);
	return &drv;
}

static void
drv_cpu(void *arg)
{
	(void)arg;
	const struct rcl_ops *ops = drv.ops;
	if (sim_cpu_id() == 0) {
		sim_work(RETIRE_AT);
		void *obj = sim_alloc(64, 64);
		drv.retired_at = sim_now();
		ops->retire(drv.rs, obj, 64, 64);
		while (sim_now() < RUN_END) {
			sim_work(1000);
			if (ops->quiescent_state)
				ops->quiescent_state(drv.rs);
		}
		cJSON *o = cJSON_CreateObject();
		ops->stats(drv.rs, o);      /* host-side counters only */
		drv.freed_before_exit = num(o, "freed");
		cJSON_Delete(o);
		sim_store64_rel(drv.flag, 1);
	} else {
		sim_time_t end = drv.others_end ? drv.others_end : RUN_END;
		while (sim_now() < end) {
			ops->read_lock(drv.rs);
			sim_work(500);
			ops->read_unlock(drv.rs);
			if (ops->quiescent_state)
				ops->quiescent_state(drv.rs);
			sim_work(100);
		}
		uint64_t v;
		while ((v = sim_load64_acq(drv.flag)) == 0)
			(void)sim_spin_while_eq64(drv.flag, v);
	}
	if (ops->cpu_exit)
		ops->cpu_exit(drv.rs);
}

static void
drv_report(void *arg, struct sim *s, cJSON *m)
{
	(void)arg;
	(void)s;
	(void)m;
	drv.stats = cJSON_CreateObject();
	drv.ops->stats(drv.rs, drv.stats);
}

static void
drv_teardown(void *arg)
{
	(void)arg;
	drv.ops->destroy(drv.rs);
	g_free(drv.p);
}

static const struct sim_workload_ops drv_wl = {
	.name = "rcldriver", .summary = "", .params = no_params, .params_size = 1,
	.setup = drv_setup, .cpu_main = drv_cpu, .report = drv_report, .teardown = drv_teardown,
};

/* Run the three-CPU scenario; return the object's reclaim latency. */
static double
first_free_until(const char *scheme, const char *params, sim_time_t others_end)
{
	cJSON_Delete(drv.stats);    /* the previous run's report */
	memset(&drv, 0, sizeof drv);
	drv.ops = rcl_find(scheme);
	g_assert_nonnull(drv.ops);
	drv.params = params;
	drv.others_end = others_end;
	struct sim_run_config *rc = t_config(t_machine(1, 3, NULL), 3, 1, &drv_wl, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	g_assert_cmpuint(drv.retired_at, >=, RETIRE_AT);
	g_assert_cmpfloat(num(drv.stats, "retired"), ==, 1);
	g_assert_cmpfloat(num(drv.stats, "freed"), ==, 1);
	double lat = num(drv.stats, "reclaim_latency_max");
	g_test_message("%s %s: retired at %" G_GUINT64_FORMAT ", freed %.0f cycles later%s",
		       scheme, params, drv.retired_at, lat,
		       drv.freed_before_exit ? " (before cpu_exit)" : " (by cpu_exit)");
	return lat;
}

static double
first_free(const char *scheme, const char *params)
{
	return first_free_until(scheme, params, 0);
}

/* The last first_free*() run freed its object only in cpu_exit, and its
 * driver counter `counter` stayed 0. */
static void
assert_freed_by_exit(double lat, const char *counter)
{
	g_assert_cmpfloat(drv.freed_before_exit, ==, 0);
	g_assert_cmpfloat(lat, >=, RUN_END - RETIRE_AT);
	g_assert_cmpfloat(num(drv.stats, counter), ==, 0);
}

static void
drop_stats(void)
{
	cJSON_Delete(drv.stats);
	drv.stats = NULL;
}

/*
 * ebr-ck, hz 1000 at 1 GHz: CPU 0's ticks come every 1,000,000 cycles
 * (skewed ticks: CPU 0's offset is 0).  The object is tagged with epoch 0
 * (bucket 0).  CPU 0's first tick (1 M) finds CPU 1 or 2 inside a
 * section begun in epoch 0: its poll advances the epoch 0 -> 1 and frees
 * the bucket of epoch 1 + 1 = 2, empty.  Its second tick (2 M) finds
 * both records inactive (both CPUs in their 100-cycle gap): a grace
 * period, so every bucket is dispatched and the object freed, 2,000,000
 * - 100 - 7 (the retire) + 104 (the tick's entry and the poll's accesses
 * up to the free) = 1,999,997 cycles after the retire began.  CPUs 1
 * and 2 have nothing pending, so their ticks run no task.
 */
static void
test_ebr_first_free(void)
{
	double lat = first_free("ebr-ck", "{\"hz\": 1000}");
	g_assert_cmpfloat(drv.freed_before_exit, ==, 1);
	g_assert_cmpfloat(lat, ==, 1999997);
	g_assert_cmpfloat(num(drv.stats, "retire_cycles_mean"), ==, 7);
	g_assert_cmpfloat(num(drv.stats, "call_task"), ==, 2);
	g_assert_cmpfloat(num(drv.stats, "call_task_freed"), ==, 1);
	g_assert_cmpfloat(num(drv.stats, "advance"), ==, 1);
	g_assert_cmpfloat(num(drv.stats, "poll_fail"), ==, 0);
	g_assert_cmpfloat(num(drv.stats, "tick_period"), ==, 1000000);
	/* Without the driver only cpu_exit frees it. */
	assert_freed_by_exit(first_free("ebr-ck", "{\"hz\": 0}"), "call_task");
	drop_stats();
}

/*
 * urcu-qsbr, worker_sleep_us 1000 at 1 GHz: the retire (20 cycles: the
 * xchg of CPU 0's queue tail) wakes the worker for 1,000,000 cycles after
 * it queued the object.  The worker runs at CPU 0's first return to user
 * mode after that, 982 cycles later (CPU 0 returns every 1,000 cycles of
 * work plus its QS announcement): it splices the queue and starts a grace
 * period (gp.ctr += 2 under gp_lock), 140 cycles.  CPUs 1 and 2 announce
 * the new counter within one 600-cycle loop; CPU 0's workload thread at
 * its next return to user, where the worker looks again (34 cycles: the
 * reader lines), finds every reader at the goal and frees the object: a
 * grace period of 1,146 cycles.  1,000,000 + 982 + 140 + 1,146 =
 * 1,002,268 cycles after the object was queued.
 */
static void
test_urcu_first_free(void)
{
	double lat = first_free("urcu-qsbr", "{\"worker_sleep_us\": 1000}");
	g_assert_cmpfloat(drv.freed_before_exit, ==, 1);
	g_assert_cmpfloat(lat, ==, 1002268);
	g_assert_cmpfloat(num(drv.stats, "retire_cycles_mean"), ==, 20);
	g_assert_cmpfloat(num(drv.stats, "worker_cycles_mean"), ==, 140 + 34);
	g_assert_cmpfloat(num(drv.stats, "gp_latency_max"), ==, 1146);
	g_assert_cmpfloat(num(drv.stats, "synchronize_calls"), ==, 0);
	g_assert_cmpfloat(num(drv.stats, "reader_waits"), ==, 0);
	g_assert_cmpfloat(num(drv.stats, "worker_runs"), ==, 1);
	g_assert_cmpfloat(num(drv.stats, "worker_freed"), ==, 1);
	g_assert_cmpfloat(num(drv.stats, "gp_count"), ==, 1);
	assert_freed_by_exit(first_free("urcu-qsbr", "{\"worker_sleep_us\": 0}"), "worker_runs");
	/* CPUs 1 and 2 stop at 500,000 and wait in user mode, online and
	 * without quiescent states, until CPU 0 is done (as the address-space
	 * workloads' threads wait for each other before cpu_exit).  The worker
	 * starts its grace period at 1,000,982 but cannot end it before they
	 * go offline in cpu_exit; it must not block CPU 0's thread meanwhile
	 * (that was a deadlock: CPU 0 never reached the flag).  CPU 0's
	 * cpu_exit then completes it. */
	lat = first_free_until("urcu-qsbr", "{\"worker_sleep_us\": 1000}", 500000);
	g_assert_cmpfloat(drv.freed_before_exit, ==, 0);
	g_assert_cmpfloat(lat, >=, RUN_END - RETIRE_AT);
	g_assert_cmpfloat(num(drv.stats, "worker_runs"), ==, 1);
	g_assert_cmpfloat(num(drv.stats, "worker_freed"), ==, 1);
	drop_stats();
}

/* ---- an address space ---- */

static cJSON *
vmlocal(const char *reclaim)
{
	GError *err = NULL;
	g_autofree char *sections = g_strdup_printf(
		", \"aspace\": {\"design\": \"bonsai\"}, \"tree\": {\"kind\": \"bonsai\"},"
		" \"reclaim\": %s, \"kalloc\": {\"allocator\": \"slub\", \"pages_per_node\": 2048}",
		reclaim);
	cJSON *res = t_run_workload(4, 5, "\"name\": \"mapbench\", \"benchmark\": \"vmlocal\","
				    " \"warmup\": 0, \"duration\": 6000000", sections, &err);
	g_assert_no_error(err);
	return res;
}

static void
test_aspace(gconstpointer data)
{
	const char *scheme = data;
	bool ck = strcmp(scheme, "ebr-ck") == 0;
	g_autofree char *on = g_strdup_printf("{\"scheme\": \"%s\"%s}", scheme,
					      ck ? "" : ", \"worker_sleep_us\": 1000");
	g_autofree char *off = g_strdup_printf("{\"scheme\": \"%s\", \"%s\": 0}", scheme,
					       ck ? "hz" : "worker_sleep_us");
	cJSON *a = vmlocal(on), *b = vmlocal(off);
	double retired = t_metric(a, "reclaim.retired");
	double by_driver = t_metric(a, ck ? "reclaim.call_task_freed" : "reclaim.worker_freed");
	double peak = t_metric(a, "reclaim.pending_peak");
	g_test_message("%s: retired %.0f, freed by the driver during the run %.0f, pending peak "
		       "%.0f (without the driver %.0f of %.0f)", scheme, retired, by_driver, peak,
		       t_metric(b, "reclaim.pending_peak"), t_metric(b, "reclaim.retired"));
	g_assert_cmpfloat(t_metric(a, "reclaim.freed"), ==, retired);
	g_assert_cmpfloat(by_driver, >, 0);
	g_assert_cmpfloat(by_driver, <=, retired);
	/* At most what two driver periods (2 x 1 M of the 6 M cycles) retire. */
	g_assert_cmpfloat(peak, <=, retired * 2 / 6);
	g_assert_cmpfloat(peak, ==, ck ? 388 : 237);
	g_assert_cmpfloat(retired, ==, ck ? 1240 : 1052);
	g_assert_cmpfloat(by_driver, ==, ck ? 1150 : 932);
	g_assert_cmpfloat(t_metric(b, "reclaim.pending_peak"), ==, t_metric(b, "reclaim.retired"));
	g_assert_cmpfloat(t_metric(b, ck ? "reclaim.call_task" : "reclaim.worker_runs"), ==, 0);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/reclaim-driver/ebr-ck/first-free", test_ebr_first_free);
	g_test_add_func("/reclaim-driver/urcu-qsbr/first-free", test_urcu_first_free);
	g_test_add_data_func("/reclaim-driver/aspace/ebr-ck", "ebr-ck", test_aspace);
	g_test_add_data_func("/reclaim-driver/aspace/urcu-qsbr", "urcu-qsbr", test_aspace);
	return g_test_run();
}
