// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The results document of a run (sim_results): the "sim" identification,
 * the effective config, the workload's metrics plus the engine's own
 * counters and cycles by cause, and, apart, the "host" section (timings,
 * memory), which is the only part that differs between hosts.  Writing
 * it to a file is the CLI's business (sim/cli/results.c).
 */
#include <sys/resource.h>

#include "engine_impl.h"
#include "report.h"
#include "sim_build_config.h"

static uint64_t
peak_rss_kib(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_maxrss;
}

static void
add_engine_metrics(struct sim *s, cJSON *metrics)
{
	uint64_t loads = 0, stores = 0, rmws = 0, hits = 0, misses = 0, fences = 0;
	uint64_t cause[SIM_CAUSE_N] = { 0 };
	for (uint32_t i = 0; i < s->ncpus; i++) {
		const struct sim_cpu *c = &s->cpus[i];
		loads += c->n_load;
		stores += c->n_store;
		rmws += c->n_rmw;
		/* every access is a hit, a miss or a buffered store */
		hits += c->n_load + c->n_store + c->n_rmw - c->n_miss - c->n_sb_store;
		misses += c->n_miss;
		fences += c->n_fence;
		for (int k = 0; k < SIM_CAUSE_N; k++)
			cause[k] += c->cycles[k];
	}
	cJSON *e = cJSON_AddObjectToObject(metrics, "engine");
	cJSON_AddNumberToObject(e, "sim_cycles", (double)sim_end_time(s));
	cJSON_AddNumberToObject(e, "sim_seconds", (double)sim_end_time(s) / (s->m->freq_ghz * 1e9));
	cJSON_AddNumberToObject(e, "events", (double)s->st.events);
	cJSON_AddNumberToObject(e, "loads", (double)loads);
	cJSON_AddNumberToObject(e, "stores", (double)stores);
	cJSON_AddNumberToObject(e, "rmws", (double)rmws);
	cJSON_AddNumberToObject(e, "accesses", (double)(loads + stores + rmws));
	cJSON_AddNumberToObject(e, "hits", (double)hits);
	cJSON_AddNumberToObject(e, "misses", (double)misses);
	cJSON_AddNumberToObject(e, "fences", (double)fences);
	cJSON_AddNumberToObject(e, "transactions", (double)s->st.transactions);
	cJSON_AddNumberToObject(e, "llc_hits", (double)s->st.llc_hits);
	cJSON_AddNumberToObject(e, "merged_reads", (double)s->st.merged_reads);
	cJSON_AddNumberToObject(e, "invalidations", (double)s->st.invalidations);
	cJSON_AddNumberToObject(e, "l2_hits", (double)s->st.l2_hits);
	cJSON_AddNumberToObject(e, "dram_reads", (double)s->st.dram_reads);
	cJSON_AddNumberToObject(e, "evictions", (double)s->st.evictions);
	cJSON_AddNumberToObject(e, "writebacks", (double)s->st.writebacks);
	cJSON_AddNumberToObject(e, "mem_queue_cycles", (double)s->st.mem_queue);
	cJSON_AddNumberToObject(e, "blocks", (double)s->st.blocks);
	cJSON_AddNumberToObject(e, "yields", (double)s->st.yields);
	cJSON_AddNumberToObject(e, "arena_bytes_used", (double)s->arena_used);
	cJSON *c = cJSON_AddObjectToObject(metrics, "cycles_by_cause");
	for (int k = 1; k < SIM_CAUSE_N; k++)
		if (sim_cause_reported(s, (enum sim_cause)k))
			cJSON_AddNumberToObject(c, sim_cause_name((enum sim_cause)k),
						(double)cause[k]);
}

cJSON *
sim_results(struct sim *s)
{
	const struct sim_run_config *rc = s->rc;
	cJSON *root = cJSON_CreateObject();
	cJSON *meta = cJSON_AddObjectToObject(root, "sim");
	cJSON_AddStringToObject(meta, "version", SIM_VERSION);
	cJSON_AddNumberToObject(meta, "schema", SIM_RESULTS_SCHEMA);
	cJSON_AddNumberToObject(meta, "seed", (double)rc->seed);
	cJSON_AddStringToObject(meta, "machine", rc->machine->name);
	cJSON_AddStringToObject(meta, "workload", rc->workload->name);
	cJSON_AddNumberToObject(meta, "cpus", rc->cpus);
	cJSON_AddItemToObject(root, "config", cJSON_Duplicate(rc->effective, true));
	cJSON *metrics = cJSON_AddObjectToObject(root, "metrics");
	if (rc->workload->report)
		rc->workload->report(s->wl_state, s, metrics);
	add_engine_metrics(s, metrics);

	uint64_t accesses = 0;
	for (uint32_t i = 0; i < s->ncpus; i++)
		accesses += s->cpus[i].n_load + s->cpus[i].n_store + s->cpus[i].n_rmw;
	cJSON *host = cJSON_AddObjectToObject(root, "host");
	double secs = s->host_seconds > 0 ? s->host_seconds : 1e-9;
	cJSON_AddNumberToObject(host, "seconds", s->host_seconds);
	cJSON_AddNumberToObject(host, "events_per_sec", (double)s->st.events / secs);
	cJSON_AddNumberToObject(host, "accesses_per_sec", (double)accesses / secs);
	cJSON_AddNumberToObject(host, "peak_rss_kib", (double)peak_rss_kib());
	cJSON_AddNumberToObject(host, "rss_kib_per_cpu", (double)peak_rss_kib() / s->ncpus);
	/* The estimate of sim_create plus what grew since: >= peak_rss_kib. */
	cJSON_AddNumberToObject(host, "memory_estimate_kib",
				(double)((s->fixed_bytes + sim_grown_bytes(s)) >> 10));
	cJSON_AddNumberToObject(host, "memory_budget_kib", (double)(s->budget_bytes >> 10));
	cJSON_AddNumberToObject(host, "event_queue_peak", (double)s->evq_peak);
	cJSON_AddStringToObject(host, "coroutines", SIM_CORO_ASM ? "asm" : "ucontext");
	/* Debug builds only (0 in release builds): checker calls made. */
	cJSON_AddNumberToObject(host, "invariant_checks", (double)s->inv_checks);
	return root;
}
