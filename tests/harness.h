// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Test harness: build and run simulations in-process.
 *
 * Tests describe machines as inline JSON and may run their own workload
 * (a struct sim_workload_ops that is not in the registry), so each test
 * states exactly the costs and the code whose timing it asserts.
 */
#ifndef SIM_TEST_HARNESS_H
#define SIM_TEST_HARNESS_H

#include <glib.h>

#include "config.h"
#include "engine.h"
#include "results.h"
#include "t-asan.h"

/*
 * A flat machine for exact-cost tests: `sockets` sockets of one cluster
 * of `cores` cores (SMT 1), fully connected, every latency given below;
 * hold, conflict, remote_read_snoop and share_writeback 0 unless a test
 * sets them.
 */
struct t_lat {
	unsigned l1_hit, store_hit, atomic_hit, leg_cluster, leg_socket, leg_link, leg_hop,
		 mem, occupancy, conflict, hold, fence_full, pause, remote_read_snoop,
		 share_writeback;
};
extern const struct t_lat t_lat_default;
struct sim_machine *t_machine(unsigned sockets, unsigned cores, const struct t_lat *lat);
/* The same with `clusters` clusters of `cores` cores in each socket;
 * CPUs fill cluster by cluster, socket by socket. */
struct sim_machine *t_machine_clusters(unsigned sockets, unsigned clusters, unsigned cores,
				       const struct t_lat *lat);

/* A run config for a custom workload (params may be NULL). */
struct sim_run_config *t_config(struct sim_machine *m, uint32_t cpus, uint64_t seed,
				const struct sim_workload_ops *wl, const void *params,
				size_t params_size);

/* Run a config from JSON text with optional --set strings; return the
 * results document (host section included) or NULL with *err. */
cJSON *t_run_json(const char *json, char **sets, GError **err);

/* Run rc to completion, asserting success; return the results. */
cJSON *t_run(struct sim_run_config *rc);

/*
 * The workload tests' machine (test-mapbench, test-willitscale,
 * test-treebench): one socket of 4 cores at 1 GHz, l1_hit 4, store_hit 1,
 * atomic_hit 20, leg_cluster 10, leg_socket 20, leg_link 100, mem 200, the
 * rest the machine defaults.  JSON text.
 */
extern const char *const t_workload_machine;

/*
 * t_run_workload - run a registered workload on t_workload_machine:
 * {"machine": ..., "cpus": cpus, "seed": seed, "workload": {workload},
 * sections}, where workload is the members of the workload object and
 * sections the further top-level members, each with its leading comma
 * ("" for none).  Returns: the results, or NULL with *err (the config was
 * refused, or the run failed).
 */
cJSON *t_run_workload(unsigned cpus, unsigned seed, const char *workload, const char *sections,
		      GError **err);

/*
 * t_assert_refused - a run that must have been refused at load: res is
 * NULL and err's message names `key` (a JSON path such as
 * "workload.memsize").  Frees err.
 */
void t_assert_refused(cJSON *res, GError *err, const char *key);

/* A copy of results without the "host" section, printed. */
char *t_results_without_host(const cJSON *res);

/* metrics.<path> as a number (dotted path); asserts it exists. */
double t_metric(const cJSON *res, const char *dotted);

/* Path to the built sim binary (SIM_BINARY env, set by meson). */
const char *t_sim_binary(void);

#endif
