// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * line_ww, line_rw, line_rr and line_wx: Clements' cache-line sharing
 * benchmark (aclements/thesis bench/sharing.c and its later --addr-skew
 * option), as it ran on ben and tom (thesis/data/sharing.out/).
 *
 * Schedule, every `period` cycles (400,000 on ben: twice --wait):
 *
 *   t = k*period                  CPU 0 accesses the line alone
 *   t = k*period + period/2       CPUs 1..N-1 access it together
 *
 *   line_ww  every access is an atomic fetch-and-add (lock xadd);
 *   line_rw  CPU 0's access is the fetch-and-add (the only writer),
 *            the others do a plain 8-byte load;
 *   line_wx  as line_ww, but CPU i adds to its own line at byte offset
 *            128 * i (--mode=ww --addr-skew=128): no line is shared;
 *   line_rr  every CPU, CPU 0 included, loads the one line every
 *            period/2 cycles (--mode=rr: no phase, period --wait), so
 *            each CPU makes two reads a period.
 *
 * Each access is timed on its own (simulated completion - issue); the
 * reported means cover every access of the run, CPU 0's included, as in
 * the thesis.  The line sits at offset 0 of its own 64-byte block, first
 * touched by CPU 0 (home: CPU 0's socket); line_wx's lines all sit in
 * one buffer that CPU 0 touched first (the benchmark's huge page, zeroed
 * by CPU 0's page fault).
 *
 * MODEL: line_wx primes every CPU's line as owned by CPU 0 (the fault's
 * zeroing wrote them all); the first write of each other CPU is a miss
 * from CPU 0, the rest hit.  Whether the real page's lines were still in
 * CPU 0's caches is unknown; it only moves the first of thousands of
 * writes.
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

/* line_wx: CPU i's line is at byte 128 * i (--addr-skew=128). */
#define WX_SKEW 128

struct sharing {
	struct sharing_params p;
	enum sharing_mode mode;
	uint64_t *line;            /* simulated; line_wx: ncpus * WX_SKEW bytes */
	struct wl_lat *lat;        /* per CPU, host memory */
};

static void *
sharing_setup(struct sim *sim, const void *params, enum sharing_mode mode)
{
	struct sharing *st = g_new0(struct sharing, 1);
	st->p = *(const struct sharing_params *)params;
	st->mode = mode;
	if (mode == MODE_WX) {
		size_t bytes = (size_t)sim_ncpus_of(sim) * WX_SKEW;
		st->line = sim_alloc(bytes, 64);
		sim_mem_prime(sim, st->line, bytes, 0);  /* zeroed by CPU 0's fault */
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
	bool reader = st->mode == MODE_RR || (st->mode == MODE_RW && id != 0);
	uint64_t *word = st->mode == MODE_WX ? st->line + (size_t)id * (WX_SKEW / 8) : st->line;
	/* rr: every CPU at phase 0 of each half period (two reads a period). */
	uint64_t step = st->mode == MODE_RR ? st->p.period / 2 : st->p.period;
	uint64_t phase = st->mode == MODE_RR || id == 0 ? 0 : st->p.period / 2;
	uint64_t n = st->mode == MODE_RR ? 2 * st->p.rounds : st->p.rounds;
	for (uint64_t r = 0; r < n; r++) {
		sim_sleep_until(r * step + phase);
		sim_time_t t0 = sim_now();
		if (reader)
			(void)sim_load64(word);
		else
			(void)sim_faa64(word, 1);
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
	if (st->mode == MODE_RR) {
		cJSON_AddNumberToObject(m, "cycles_per_read_mean", wl_lat_mean(&all));
		cJSON_AddNumberToObject(m, "cpu0_cycles_mean", wl_lat_mean(&st->lat[0]));
		wl_lat_emit(m, "reads", &all);
	} else if (st->mode == MODE_RW) {
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
	.summary = "Clements' sharing benchmark, read/read: N CPUs load one line every period/2",
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
	.summary = "Clements' sharing benchmark, private writes: each CPU lock-xadds its own line",
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
