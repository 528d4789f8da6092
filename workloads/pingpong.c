// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * pingpong: two CPUs take turns incrementing one line, the way
 * core-to-core latency benchmarks (nviennot/core-to-core-latency,
 * perfbook cachetorture) measure a handoff.
 *
 *   blind  each CPU retries CAS(turn value -> turn value + 1) and, when
 *          it fails, waits for the line to be written: one transfer per
 *          turn (perfbook's "blind CAS", mctop's CAS latency);
 *   load   each CPU spins reading until it is its turn, then CASes: a
 *          read transfer plus an upgrade per turn (perfbook's "CAS").
 *
 * Reported: cycles and ns per handoff = elapsed / turns.  Other CPUs of
 * the run stay idle.
 */
#include <glib.h>

#include "engine.h"
#include "workload.h"

static const char *const pp_modes[] = { "blind", "load", NULL };
enum { PP_BLIND, PP_LOAD };

struct pp_params {
	uint32_t cpu_a;
	uint32_t cpu_b;
	uint64_t turns;
	int mode;
};

static const struct sim_param pp_params[] = {
	SIM_P_U32_ROW(struct pp_params, cpu_a, 0, (1u << 20) - 1, 0, "first CPU"),
	SIM_P_U32_ROW(struct pp_params, cpu_b, 0, (1u << 20) - 1, 1, "second CPU"),
	SIM_P_U64_ROW(struct pp_params, turns, 2, UINT64_C(1) << 32, 2000,
		      "increments in all (each CPU does half)"),
	SIM_P_ENUM_ROW(struct pp_params, mode, pp_modes, PP_BLIND,
		       "blind: CAS until it succeeds; load: read until it is our turn, then CAS"),
	SIM_P_END,
};

struct pp {
	struct pp_params p;
	uint64_t *line;
	sim_time_t end;
};

static gboolean
pp_check(const void *params, const struct sim_run_config *rc, const struct sim_origin *o,
	 GError **err)
{
	uint32_t ncpus = rc->cpus;
	const struct pp_params *p = params;
	if (p->cpu_a >= ncpus) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "cpu_a",
				"%u is not a CPU of this run (cpus = %u)", p->cpu_a, ncpus);
		return FALSE;
	}
	if (p->cpu_b >= ncpus || p->cpu_b == p->cpu_a) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "cpu_b",
				"must be a CPU of this run (cpus = %u) other than cpu_a", ncpus);
		return FALSE;
	}
	return TRUE;
}

static void *
pp_setup(struct sim *sim, const void *params)
{
	struct pp *st = g_new0(struct pp, 1);
	st->p = *(const struct pp_params *)params;
	st->line = sim_alloc(64, 64);
	sim_mem_prime(sim, st->line, 8, st->p.cpu_b);
	return st;
}

static void
pp_cpu(void *arg)
{
	struct pp *st = arg;
	uint32_t id = sim_cpu_id();
	if (id != st->p.cpu_a && id != st->p.cpu_b)
		return;
	uint64_t mine = id == st->p.cpu_a ? 0 : 1;
	for (uint64_t v = mine; v < st->p.turns; v += 2) {
		if (st->p.mode == PP_LOAD) {
			uint64_t cur;
			while ((cur = sim_load64(st->line)) != v)
				(void)sim_spin_while_eq64(st->line, cur);
			(void)sim_cas64(st->line, v, v + 1);
		} else {
			while (sim_cas64(st->line, v, v + 1) != v)
				sim_wait_for_write(st->line, SIM_TIME_NEVER);
		}
	}
	if (sim_now() > st->end)
		st->end = sim_now();
}

static void
pp_report(void *arg, struct sim *sim, cJSON *m)
{
	struct pp *st = arg;
	double per = (double)st->end / (double)st->p.turns;
	cJSON_AddNumberToObject(m, "cycles_per_handoff", per);
	cJSON_AddNumberToObject(m, "ns_per_handoff", per / sim_machine_of(sim)->freq_ghz);
}

static void
pp_teardown(void *arg)
{
	g_free(arg);
}

const struct sim_workload_ops wl_pingpong_ops = {
	.name = "pingpong",
	.summary = "two CPUs bounce one line by taking turns incrementing it",
	.params = pp_params,
	.params_size = sizeof(struct pp_params),
	.check = pp_check,
	.setup = pp_setup,
	.cpu_main = pp_cpu,
	.report = pp_report,
	.teardown = pp_teardown,
};
