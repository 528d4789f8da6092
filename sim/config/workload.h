// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Workloads: what every simulated CPU runs.  One workload per file in
 * workloads/, each behind a const struct sim_workload_ops that the
 * registry (workloads/registry.c) lists by name.
 */
#ifndef SIM_WORKLOAD_H
#define SIM_WORKLOAD_H

#include <cjson/cJSON.h>
#include <glib.h>

#include "component.h"
#include "param.h"
#include "sim.h"

struct sim_run_config;

struct sim_workload_ops {
	const char *name;           /* key in configs: "workload": {"name": ...} */
	const char *summary;        /* one line for `sim list` */
	const struct sim_param *params; /* the workload's keys */
	size_t params_size;         /* size of the struct the table fills */
	/* Cross-field checks once the rest of the run is known: CPU count,
	 * machine, the components chosen (may be NULL). */
	gboolean (*check)(const void *params, const struct sim_run_config *rc,
			  const struct sim_origin *origin, GError **err);
	/* Allocate and initialize shared state.  Context: host, before the
	 * run; may call sim_alloc() and sim_mem_prime(). */
	void *(*setup)(struct sim *sim, const void *params);
	/* The body every CPU runs.  Context: simulated CPU; returns when
	 * this CPU is done. */
	void (*cpu_main)(void *state);
	/* Add the workload's metrics.  Context: host, after the run. */
	void (*report)(void *state, struct sim *sim, cJSON *metrics);
	void (*teardown)(void *state);
	/* Simulated cycles the run is expected to take, for progress
	 * reports (may be NULL). */
	sim_time_t (*progress_goal)(const void *state);
	/* Config sections the workload cannot run without: a bit mask of
	 * 1u << enum sim_section_id (checked at config load). */
	unsigned requires;
	/* Optional config sections it (or a model it runs: reclaim schemes
	 * and the allocator take their spinlocks from "locking") reads when
	 * present.  A section in neither mask is refused at config load: it
	 * would be ignored. */
	unsigned uses;
};

/* Registry (workloads/registry.c). */
const struct sim_workload_ops *sim_workload_find(const char *name);
const struct sim_workload_ops *const *sim_workload_all(void);

#endif
