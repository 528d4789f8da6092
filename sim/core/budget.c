// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Host-memory budgeting: how much host memory a run needs, estimated
 * before anything is allocated (sim_budget_check, called by sim_create),
 * and the check as simulated memory and line records grow during the run
 * (sim_mem_grew).  engine.memory_budget_mib sets the budget (default: 80%
 * of the host's RAM); a run that would exceed it is refused up front
 * (exit 2) or stopped cleanly (exit 1), never killed by the OOM killer.
 */
#include <unistd.h>

#include "engine_impl.h"

static uint64_t
host_ram_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	return pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : UINT64_C(1) << 34;
}

/* Host memory of a run, by what it is for (see estimate_fixed). */
struct mem_estimate {
	uint64_t stacks, cpus, caches, lines, base;
};

static uint64_t
mem_total(const struct mem_estimate *e)
{
	return e->stacks + e->cpus + e->caches + e->lines + e->base;
}

/*
 * An upper bound of the host memory a run needs before any simulated
 * memory is used (sim_mem_grew() accounts for that as it grows):
 *   stacks  every CPU's whole coroutine stack: a coroutine may fill it
 *           before the canary notices, so only the whole stack is a bound
 *           (usually the largest term; engine.stack_kib lowers it);
 *   cpus    per CPU: struct sim_cpu, its store buffer, its share of the
 *           event queue (CPU and store-buffer events, line events, stale
 *           timeouts up to the compaction threshold, heap doubling), of
 *           the directories' wait lists (which shrink), and 256 bytes of
 *           workload state;
 *   caches  the core and cluster arrays of the whole machine, the memory
 *           controllers and the socket-pair table of message costs
 *           (cache.c); the caches' tables of the lines they hold grow as
 *           they are used (hier.c) and sim_grown_bytes counts them;
 *   lines   the arena's line-chunk index and one chunk of line records;
 *   base    32 MiB: program, GLib, cJSON, the config and results documents.
 * Not an upper bound under AddressSanitizer (shadow memory, quarantine).
 */
static void
estimate_fixed(const struct sim_run_config *rc, uint32_t ncores, uint32_t nclusters,
	       size_t arena, struct mem_estimate *e)
{
	const struct sim_machine *m = rc->machine;
	e->stacks = (uint64_t)rc->cpus * ((uint64_t)rc->engine.stack_kib << 10);
	e->cpus = (uint64_t)rc->cpus * (sizeof(struct sim_cpu) +
		  (uint64_t)m->store_buffer_entries * sizeof(struct sim_sb_ent) +
		  32 * sizeof(struct sim_ev) + 40 * sizeof(struct sim_req *) + 256);
	/* Cache tables grow with the lines held (sim_grown_bytes counts
	 * them); up front only the per-core and per-cluster records. */
	e->caches = (uint64_t)ncores * sizeof(struct sim_core) +
		    (uint64_t)nclusters * sizeof(struct sim_cluster) +
		    (uint64_t)m->topo.sockets * sizeof(uint64_t) +
		    (m->topo.sockets <= SIM_LINK_TAB_MAX_SOCKETS ?
		     (uint64_t)m->topo.sockets * m->topo.sockets * sizeof(uint32_t) : 0);
	e->lines = arena / SIM_LINE_BYTES / SIM_LINE_CHUNK * sizeof(struct sim_line *) +
		   SIM_LINE_CHUNK * sizeof(struct sim_line);
	e->base = UINT64_C(32) << 20;
}

/* Host memory that grows during setup and the run: arena pages handed
 * out by sim_alloc, line records made on first touch, and the caches'
 * tables of the lines they hold (hier.c). */
uint64_t
sim_grown_bytes(const struct sim *s)
{
	return (((uint64_t)s->arena_used + 4095) & ~UINT64_C(4095)) +
	       s->lines_allocated * sizeof(struct sim_line) + s->cache_bytes;
}

void
sim_mem_grew(struct sim *s)
{
	uint64_t need = s->fixed_bytes + sim_grown_bytes(s);
	if (G_LIKELY(need <= s->budget_bytes) || s->fatal != NULL)
		return;
	char *msg = g_strdup_printf(
		"host memory budget exceeded: %" G_GUINT64_FORMAT " MiB of simulated memory and "
		"%" G_GUINT64_FORMAT " line records and %" G_GUINT64_FORMAT " MiB of cache tables on top of the %" G_GUINT64_FORMAT " MiB "
		"estimated up front; the budget is %" G_GUINT64_FORMAT " MiB "
		"(engine.memory_budget_mib)", (uint64_t)s->arena_used >> 20, s->lines_allocated, s->cache_bytes >> 20,
		s->fixed_bytes >> 20, s->budget_bytes >> 20);
	sim_set_error(&s->fatal, SIM_CONFIG_ERROR_LIMIT, "%s", msg);
	g_free(msg);    /* before sim_fatal: it does not return here */
	if (s->cur != NULL || s->in_setup)
		sim_fatal(s, "host memory budget exceeded");
	/* Scheduler context (a directory event): finish the event, then stop. */
}

size_t
sim_arena_bytes(const struct sim_run_config *rc)
{
	if (rc->engine.arena_mib)
		return (size_t)rc->engine.arena_mib << 20;
	return ((size_t)64 << 20) + ((size_t)rc->cpus << 16);
}

gboolean
sim_budget_check(const struct sim_run_config *rc, uint32_t ncores, uint32_t nclusters,
		 uint64_t *est_out, uint64_t *budget_out, GError **err)
{
	uint64_t budget = rc->engine.memory_budget_mib ? rc->engine.memory_budget_mib << 20
						       : host_ram_bytes() / 10 * 8;
	struct mem_estimate me;
	estimate_fixed(rc, ncores, nclusters, sim_arena_bytes(rc), &me);
	uint64_t est = mem_total(&me);
	*est_out = est;
	*budget_out = budget;
	if (est <= budget)
		return TRUE;
	sim_set_error(err, SIM_CONFIG_ERROR_LIMIT,
		      "%s: cpus: a run of %u CPUs needs about %" G_GUINT64_FORMAT
		      " MiB of host memory (coroutine stacks %" G_GUINT64_FORMAT
		      " MiB: engine.stack_kib; CPU state %" G_GUINT64_FORMAT
		      " MiB; caches %" G_GUINT64_FORMAT " MiB; lines %" G_GUINT64_FORMAT
		      " MiB); the budget is %" G_GUINT64_FORMAT " MiB (engine.memory_budget_mib)",
		      rc->config_file ? rc->config_file : "(config)", rc->cpus, est >> 20,
		      me.stacks >> 20, me.cpus >> 20, me.caches >> 20, me.lines >> 20,
		      budget >> 20);
	return FALSE;
}
