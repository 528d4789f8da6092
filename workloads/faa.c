// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * faa: N CPUs atomically increment one counter as fast as they can
 * (perfbook CodeSamples/count/count_atomic.c: each thread runs
 * `for (i = 1000; i > 0; i--) atomic_inc(&counter)` until told to stop).
 *
 * Reported: total increments per simulated second over the measured
 * window (after warmup), perfbook's per-thread ns per update, and the
 * spread of increments across CPUs (fairness).
 */
#include <glib.h>

#include "engine.h"
#include "workload.h"

struct faa_params {
	uint64_t duration;
	uint64_t warmup;
	uint64_t batch;
};

static const struct sim_param faa_params[] = {
	SIM_P_U64_ROW(struct faa_params, duration, 1000, UINT64_C(1) << 40, 2000000,
		      "measured window, cycles"),
	SIM_P_U64_ROW(struct faa_params, warmup, 0, UINT64_C(1) << 40, 200000,
		      "cycles run before the window opens"),
	SIM_P_U64_ROW(struct faa_params, batch, 1, 1000000, 1000,
		      "increments between looks at the clock (perfbook: 1000)"),
	SIM_P_END,
};

struct faa {
	struct faa_params p;
	uint64_t *counter;         /* simulated */
	uint64_t *ops;             /* per CPU, in the window */
};

static void *
faa_setup(struct sim *sim, const void *params)
{
	struct faa *st = g_new0(struct faa, 1);
	st->p = *(const struct faa_params *)params;
	st->counter = sim_alloc(64, 64);
	sim_mem_prime(sim, st->counter, 8, 0);
	st->ops = g_new0(uint64_t, sim_ncpus_of(sim));
	return st;
}

static void
faa_cpu(void *arg)
{
	struct faa *st = arg;
	uint32_t id = sim_cpu_id();
	sim_time_t start = st->p.warmup, end = st->p.warmup + st->p.duration;
	for (;;) {
		sim_time_t t = sim_now();
		if (t >= end)
			break;
		for (uint64_t i = 0; i < st->p.batch; i++) {
			sim_time_t at = sim_now();
			(void)sim_faa64(st->counter, 1);
			if (at >= start && at < end)
				st->ops[id]++;
		}
	}
}

static void
faa_report(void *arg, struct sim *sim, cJSON *m)
{
	struct faa *st = arg;
	uint32_t n = sim_ncpus_of(sim);
	uint64_t total = 0, lo = UINT64_MAX, hi = 0;
	for (uint32_t i = 0; i < n; i++) {
		total += st->ops[i];
		lo = st->ops[i] < lo ? st->ops[i] : lo;
		hi = st->ops[i] > hi ? st->ops[i] : hi;
	}
	double ghz = sim_machine_of(sim)->freq_ghz;
	double secs = (double)st->p.duration / (ghz * 1e9);
	cJSON_AddNumberToObject(m, "ops", (double)total);
	cJSON_AddNumberToObject(m, "ops_per_sec", (double)total / secs);
	cJSON_AddNumberToObject(m, "ns_per_op_per_thread",
				total ? (double)n * secs * 1e9 / (double)total : 0.0);
	cJSON_AddNumberToObject(m, "cycles_per_op", total ? (double)st->p.duration / (double)total : 0.0);
	cJSON_AddNumberToObject(m, "ops_min_per_cpu", (double)lo);
	cJSON_AddNumberToObject(m, "ops_max_per_cpu", (double)hi);
}

static sim_time_t
faa_goal(const void *arg)
{
	const struct faa *st = arg;
	return st->p.warmup + st->p.duration;
}

static void
faa_teardown(void *arg)
{
	struct faa *st = arg;
	g_free(st->ops);
	g_free(st);
}

const struct sim_workload_ops wl_faa_ops = {
	.name = "faa",
	.summary = "N CPUs fetch-and-add one counter as fast as they can (perfbook count_atomic)",
	.params = faa_params,
	.params_size = sizeof(struct faa_params),
	.setup = faa_setup,
	.cpu_main = faa_cpu,
	.report = faa_report,
	.teardown = faa_teardown,
	.progress_goal = faa_goal,
};
