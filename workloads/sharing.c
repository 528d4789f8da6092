// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * line_ww, line_rw, line_rr and line_wx: Clements' cache-line sharing
 * benchmark (aclements/thesis bench/sharing.c), as it ran on ben.
 *
 * Schedule, every `period` cycles (400,000 on ben):
 *
 *   t = k*period                  CPU 0 accesses the line alone
 *   t = k*period + period/2       CPUs 1..N-1 access it together
 *
 *   line_ww  every access is an atomic fetch-and-add (lock xadd);
 *   line_rw  CPU 0's access is the fetch-and-add (the only writer),
 *            the others do a plain 8-byte load;
 *   line_rr  every access is a plain 8-byte load of the shared line
 *            (nobody writes it after CPU 0's first touch);
 *   line_wx  every CPU fetch-and-adds its own line (first touched by
 *            that CPU): no sharing at all.
 * rr and wx are the thesis's conflict-free baselines; the validation
 * uses them as out-of-sample points (no parameter was fitted to them).
 *
 * Each access is timed on its own (simulated completion - issue); the
 * reported means cover every access of the run, CPU 0's included, as in
 * the thesis.  The line sits at offset 0 of its own 64-byte block, first
 * touched by CPU 0 (home: CPU 0's socket).
 *
 * MODEL: the real benchmark's CPUs start their accesses within the
 * jitter of a cpuid;rdtsc pair; here they start at the same cycle and the
 * directory's random arbitration supplies the interleaving.
 */
#include <glib.h>

#include "engine.h"
#include "wl_stats.h"
#include "workload.h"

struct sharing_params {
	uint64_t period;
	uint64_t rounds;
};

static const struct sim_param sharing_params[] = {
	SIM_P_U64_ROW(struct sharing_params, period, 1000, UINT64_C(1) << 40, 400000,
		      "cycles between CPU 0's accesses; the others access half a period later"),
	SIM_P_U64_ROW(struct sharing_params, rounds, 1, 1000000, 50,
		      "periods to simulate (the thesis ran 6,000 per 1 s trial)"),
	SIM_P_END,
};

enum sharing_mode { MODE_WW, MODE_RW, MODE_RR, MODE_WX };

struct sharing {
	struct sharing_params p;
	enum sharing_mode mode;
	bool rw;
	uint64_t *line;            /* simulated: the shared line, or (wx) one line per CPU */
	struct wl_lat *lat;        /* per CPU, host memory */
};

static void *
sharing_setup(struct sim *sim, const void *params, enum sharing_mode mode)
{
	struct sharing *st = g_new0(struct sharing, 1);
	st->p = *(const struct sharing_params *)params;
	st->mode = mode;
	st->rw = mode == MODE_RW;
	if (mode == MODE_WX) {
		uint32_t n = sim_ncpus_of(sim);
		st->line = sim_alloc((size_t)n * 64, 64);
		for (uint32_t i = 0; i < n; i++)
			sim_mem_prime(sim, &st->line[i * 8], 8, i);  /* each CPU's own */
	} else {
		st->line = sim_alloc(64, 64);
		sim_mem_prime(sim, st->line, 8, 0);  /* buf[0] = 0 on CPU 0 */
	}
	st->lat = g_new0(struct wl_lat, sim_ncpus_of(sim));
	return st;
}

static void *
ww_setup(struct sim *sim, const void *params)
{
	return sharing_setup(sim, params, MODE_WW);
}

static void *
rw_setup(struct sim *sim, const void *params)
{
	return sharing_setup(sim, params, MODE_RW);
}

static void *
rr_setup(struct sim *sim, const void *params)
{
	return sharing_setup(sim, params, MODE_RR);
}

static void *
wx_setup(struct sim *sim, const void *params)
{
	return sharing_setup(sim, params, MODE_WX);
}

static void
sharing_cpu(void *arg)
{
	struct sharing *st = arg;
	uint32_t id = sim_cpu_id();
	bool reader = (st->rw && id != 0) || st->mode == MODE_RR;
	uint64_t *line = st->mode == MODE_WX ? &st->line[id * 8] : st->line;
	uint64_t phase = id == 0 ? 0 : st->p.period / 2;
	for (uint64_t r = 0; r < st->p.rounds; r++) {
		sim_sleep_until(r * st->p.period + phase);
		sim_time_t t0 = sim_now();
		if (reader)
			(void)sim_load64(line);
		else
			(void)sim_faa64(line, 1);
		wl_lat_add(&st->lat[id], sim_now() - t0);
	}
}

static void
sharing_report(void *arg, struct sim *sim, cJSON *m)
{
	struct sharing *st = arg;
	uint32_t n = sim_ncpus_of(sim);
	struct wl_lat all = { 0 }, others = { 0 };
	for (uint32_t i = 0; i < n; i++) {
		wl_lat_merge(&all, &st->lat[i]);
		if (i > 0)
			wl_lat_merge(&others, &st->lat[i]);
	}
	cJSON_AddNumberToObject(m, "cycles_per_access_mean", wl_lat_mean(&all));
	if (st->rw) {
		cJSON_AddNumberToObject(m, "cycles_per_write_mean", wl_lat_mean(&st->lat[0]));
		cJSON_AddNumberToObject(m, "cycles_per_read_mean", wl_lat_mean(&others));
		wl_lat_emit(m, "writes", &st->lat[0]);
		wl_lat_emit(m, "reads", &others);
	} else {
		cJSON_AddNumberToObject(m, "cpu0_cycles_mean", wl_lat_mean(&st->lat[0]));
		cJSON_AddNumberToObject(m, "colliders_cycles_mean", wl_lat_mean(&others));
		wl_lat_emit(m, "accesses", &all);
	}
	double ns = sim_machine_of(sim)->freq_ghz;
	cJSON_AddNumberToObject(m, "ns_per_access_mean", wl_lat_mean(&all) / ns);
}

static sim_time_t
sharing_goal(const void *arg)
{
	const struct sharing *st = arg;
	return st->p.rounds * st->p.period;
}

static void
sharing_teardown(void *arg)
{
	struct sharing *st = arg;
	g_free(st->lat);
	g_free(st);
}

const struct sim_workload_ops wl_line_ww_ops = {
	.name = "line_ww",
	.summary = "Clements' sharing benchmark, write/write: N CPUs lock-xadd one line",
	.params = sharing_params,
	.params_size = sizeof(struct sharing_params),
	.setup = ww_setup,
	.cpu_main = sharing_cpu,
	.report = sharing_report,
	.teardown = sharing_teardown,
	.progress_goal = sharing_goal,
};

const struct sim_workload_ops wl_line_rr_ops = {
	.name = "line_rr",
	.summary = "Clements' sharing benchmark, read/read: N CPUs load one line nobody writes",
	.params = sharing_params,
	.params_size = sizeof(struct sharing_params),
	.setup = rr_setup,
	.cpu_main = sharing_cpu,
	.report = sharing_report,
	.teardown = sharing_teardown,
	.progress_goal = sharing_goal,
};

const struct sim_workload_ops wl_line_wx_ops = {
	.name = "line_wx",
	.summary = "Clements' sharing benchmark, no sharing: each CPU lock-xadds its own line",
	.params = sharing_params,
	.params_size = sizeof(struct sharing_params),
	.setup = wx_setup,
	.cpu_main = sharing_cpu,
	.report = sharing_report,
	.teardown = sharing_teardown,
	.progress_goal = sharing_goal,
};

const struct sim_workload_ops wl_line_rw_ops = {
	.name = "line_rw",
	.summary = "Clements' sharing benchmark, read/write: CPU 0 writes, N-1 CPUs read",
	.params = sharing_params,
	.params_size = sizeof(struct sharing_params),
	.setup = rw_setup,
	.cpu_main = sharing_cpu,
	.report = sharing_report,
	.teardown = sharing_teardown,
	.progress_goal = sharing_goal,
};
