// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * chase: dependent loads over a working set of a given size, as lmbench's
 * lat_mem_rd and Intel MLC's idle-latency mode measure load-to-use
 * latency.  Every CPU walks its own ring of pointers, one per 64-byte
 * line (stride 64), in a random cyclic order (Sattolo's shuffle, seeded
 * by the run's seed) so that neither a stride prefetcher nor set
 * conflicts of a sequential walk shape the curve; each load's address
 * comes from the previous load, so loads cannot overlap.
 *
 * A CPU first walks its whole ring once (warm-up: first touches from
 * DRAM, which also home the lines on its socket unless `place` put them
 * on socket `node`, as numactl --membind does for lat_mem_rd), then
 * times `loads` further loads.  Sweeping working_set_kib across the cache sizes of a
 * preset gives the L1d, L2, LLC and DRAM plateaus (scripts/chase-report
 * makes docs/memory.md's table from such a sweep).
 *
 * MODEL: no TLB: lat_mem_rd and MLC at large working sets also pay page
 * walks (tens of cycles per load with 4 KiB pages), so the simulated
 * DRAM plateau is lower than a measured one by about that much.
 *
 * Metrics: cycles_per_load and ns_per_load (mean over the timed loads and
 * CPUs), working_set_bytes; the engine's l2_hits, llc_hits and dram_reads
 * say where the loads were served.
 *
 * Config sections used: none besides machine, cpus, seed and workload
 * (requires = 0).
 */
#include <glib.h>

#include "engine.h"
#include "workload.h"

struct chase_params {
	uint64_t working_set_kib;
	uint64_t loads;
	bool place;
	uint32_t node;
};

static const struct sim_param chase_params[] = {
	SIM_P_U64_ROW(struct chase_params, working_set_kib, 1, UINT64_C(1) << 24, 64,
		      "bytes of each CPU's pointer ring, in KiB (one pointer per 64-byte line)"),
	SIM_P_U64_ROW(struct chase_params, loads, 1, UINT64_C(1) << 32, 100000,
		      "dependent loads timed per CPU, after one untimed pass over the ring"),
	SIM_P_BOOL_ROW(struct chase_params, place, false,
		       "home every ring on socket `node` (sim_mem_place, as numactl --membind) "
		       "instead of on its CPU's socket by first touch"),
	SIM_P_U32_ROW(struct chase_params, node, 0, 65535, 0, "the socket rings live on when place is true"),
	SIM_P_END,
};

struct chase {
	struct chase_params p;
	uint64_t nlines;
	void **ring;               /* per CPU: its ring's first line (simulated) */
	uint64_t *cycles;          /* per CPU: cycles of the timed loads */
};

#define LINE 64u

static gboolean
chase_check(const void *params, const struct sim_run_config *rc, const struct sim_origin *o,
	    GError **err)
{
	const struct chase_params *p = params;
	if (p->place && p->node >= rc->machine->topo.sockets) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "node",
				"%u is not a socket of machine %s (sockets = %u)", p->node,
				rc->machine->name, rc->machine->topo.sockets);
		return FALSE;
	}
	return TRUE;
}

static void *
chase_setup(struct sim *sim, const void *params)
{
	struct chase *st = g_new0(struct chase, 1);
	st->p = *(const struct chase_params *)params;
	st->nlines = st->p.working_set_kib * 1024 / LINE;
	if (st->nlines < 2)
		st->nlines = 2;
	uint32_t n = sim_ncpus_of(sim);
	st->ring = g_new0(void *, n);
	st->cycles = g_new0(uint64_t, n);
	GRand *rng = g_rand_new_with_seed((guint32)sim_seed_of(sim));
	uint64_t *perm = g_new(uint64_t, st->nlines);
	for (uint32_t c = 0; c < n; c++) {
		char *base = sim_alloc(st->nlines * LINE, LINE);
		/* Sattolo: one cycle through every line. */
		for (uint64_t i = 0; i < st->nlines; i++)
			perm[i] = i;
		for (uint64_t i = st->nlines - 1; i > 0; i--) {
			uint64_t j = (uint64_t)g_rand_double_range(rng, 0, (double)i);
			if (j >= i)
				j = i - 1;
			uint64_t t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		/* Line i points at line perm[i]: written by the host at setup,
		 * so no line is homed or cached until its CPU touches it. */
		for (uint64_t i = 0; i < st->nlines; i++)
			*(void **)(base + i * LINE) = base + perm[i] * LINE;
		st->ring[c] = base;
		if (st->p.place)
			sim_mem_place(sim, base, st->nlines * LINE, st->p.node);
	}
	g_free(perm);
	g_rand_free(rng);
	return st;
}

static void
chase_cpu(void *arg)
{
	struct chase *st = arg;
	uint32_t id = sim_cpu_id();
	void *p = st->ring[id];
	for (uint64_t i = 0; i < st->nlines; i++)
		p = sim_loadp((void *const *)p);
	sim_time_t t0 = sim_now();
	for (uint64_t i = 0; i < st->p.loads; i++)
		p = sim_loadp((void *const *)p);
	st->cycles[id] = sim_now() - t0;
}

static void
chase_report(void *arg, struct sim *sim, cJSON *m)
{
	struct chase *st = arg;
	uint32_t n = sim_ncpus_of(sim);
	uint64_t total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += st->cycles[i];
	double per = (double)total / ((double)n * (double)st->p.loads);
	cJSON_AddNumberToObject(m, "working_set_bytes", (double)(st->nlines * LINE));
	cJSON_AddNumberToObject(m, "cycles_per_load", per);
	cJSON_AddNumberToObject(m, "ns_per_load", per / sim_machine_of(sim)->freq_ghz);
}

static void
chase_teardown(void *arg)
{
	struct chase *st = arg;
	g_free(st->ring);
	g_free(st->cycles);
	g_free(st);
}

const struct sim_workload_ops wl_chase_ops = {
	.name = "chase",
	.summary = "dependent loads over a random ring of a given size per CPU (lmbench lat_mem_rd)",
	.params = chase_params,
	.params_size = sizeof(struct chase_params),
	.check = chase_check,
	.setup = chase_setup,
	.cpu_main = chase_cpu,
	.report = chase_report,
	.teardown = chase_teardown,
	.requires = 0,            /* no optional config section */
};
