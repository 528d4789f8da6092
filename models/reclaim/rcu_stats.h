// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Reporting of the Linux RCU family: latency distributions (count, mean,
 * percentiles) and the bridge to the metrics every reclaim scheme
 * reports (rcl_stats_emit in reclaim.h).  Host-side only: nothing here
 * touches a simulated line.
 */
#ifndef SIM_RCU_STATS_H
#define SIM_RCU_STATS_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdint.h>

#include "reclaim.h"

/* Samples of a latency, summarized at report time (count, mean,
 * p50/p90/p99, max). */
struct rcu_dist {
	GArray *v;                  /* uint64_t */
};
void rcu_dist_init(struct rcu_dist *d);
void rcu_dist_free(struct rcu_dist *d);
void rcu_dist_add(struct rcu_dist *d, uint64_t x);
void rcu_dist_emit(const struct rcu_dist *d, const char *name, cJSON *out);
double rcu_dist_mean(const struct rcu_dist *d);

/* What the common metrics (rcl_stats_emit) need beyond struct rcl_stats. */
struct rcu_emit_extra {
	double freq_ghz;                    /* the machine's, for the _ns metrics */
	uint64_t read_cycles;               /* inside read-side lock + unlock */
	uint64_t retire_cycles;             /* inside call_rcu() / retire() */
	const struct rcu_dist *gp_latency;  /* the GPs measured (steady state) */
};

/* rcu_stats_emit - the metrics every reclaim scheme reports
 * (rcl_stats_emit), from st plus x.  Context: host, end of run. */
void rcu_stats_emit(const struct rcl_stats *st, const struct rcu_emit_extra *x, cJSON *out);

#endif
