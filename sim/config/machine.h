// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Simulated machines: topology and the cost parameters of the coherence
 * model (see cache.c for how they combine).
 *
 * Topology is a strict hierarchy
 *
 *     machine > socket > cluster > core > hardware thread (= simulated CPU)
 *
 * A cluster is the set of cores behind one last-level cache: a whole
 * socket on Intel (Westmere-EX, Ice Lake), one CCX on AMD Zen.  Sockets
 * are joined by links; the hop count between two sockets comes from a
 * rule ("full", "ring", "hypercube", "torus2d") or from an explicit link
 * list (breadth-first search, at most 1,024 sockets).
 *
 * Every latency is in cycles of the machine's clock (freq_ghz).  A preset
 * file keeps the public source of each number in its "sources" object;
 * docs/machines.md is generated from those files.
 */
#ifndef SIM_MACHINE_H
#define SIM_MACHINE_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "param.h"

enum sim_interconnect {
	SIM_IC_FULL,       /* every socket one hop from every other */
	SIM_IC_RING,
	SIM_IC_HYPERCUBE,  /* hops = popcount(a ^ b); sockets a power of two */
	SIM_IC_TORUS2D,    /* torus_x * torus_y sockets, wrap-around Manhattan */
	SIM_IC_EXPLICIT,   /* "links": [[a, b], ...] */
};

enum sim_numbering {
	SIM_NUM_CORES_FIRST,   /* Linux-style: thread 0 of every core, then thread 1 ... */
	SIM_NUM_THREADS_FIRST, /* the threads of a core are adjacent */
};

struct sim_topology {
	uint32_t sockets;
	uint32_t clusters_per_socket;
	uint32_t cores_per_cluster;
	uint32_t threads_per_core;
	int interconnect;          /* enum sim_interconnect */
	int numbering;             /* enum sim_numbering */
	uint32_t torus_x, torus_y;
	uint32_t *socket_order;    /* fill order of sockets (a permutation) */
	/* topology.cpu_sockets, NULL unless given: the socket of each core in
	 * CPU-number order (overrides socket_order), and the core's rank
	 * among its socket's cores (both indexed like socket_order's fill). */
	uint32_t *core_socket;
	uint32_t *core_rank;
	uint8_t *hops;             /* sockets x sockets, SIM_IC_EXPLICIT only */
	uint32_t max_hops;
};

/* Cycle costs; cache.c documents how each one is used. */
struct sim_latency {
	uint32_t l1_hit;           /* load that hits the private L1d */
	uint32_t l2_hit;           /* load that misses L1d and hits the private L2 */
	uint32_t store_hit;        /* store retiring into the store buffer */
	uint32_t atomic_hit;       /* locked RMW on a line this CPU owns */
	uint32_t smt_transfer;     /* line moves between SMT siblings */
	uint32_t leg_cluster;      /* one message inside a cluster (core <-> LLC) */
	uint32_t leg_socket;       /* one message between a cluster and its socket's directory */
	uint32_t leg_link;         /* one message over the first inter-socket hop */
	uint32_t leg_hop;          /* each further hop */
	uint32_t mem;              /* DRAM access at the home (line in no LLC there) */
	uint32_t cluster_occupancy;/* LLC busy time per read hit on one line */
	uint32_t hold;             /* 0: directory waits for the ack; >0: pipelined, next forward after hold */
	uint32_t conflict;         /* extra home exchange for a cross-socket grant with other requests pending */
	uint32_t remote_read_snoop; /* extra for a read from another socket than the home */
	uint32_t share_writeback;  /* home busy writing dirty data back when copies span sockets */
	uint32_t pause;            /* one spin-loop iteration (PAUSE / YIELD) */
	uint32_t ipi_send;         /* sender's cost of an IPI */
	uint32_t ipi_latency;      /* IPI send to arrival at the target */
	uint32_t irq_entry;        /* interrupt entry/exit around a handler */
	uint32_t ipi_occupancy;    /* delivery fabric busy time per IPI message (irq.c) */
};

struct sim_fence_cost {
	uint32_t full;             /* MFENCE / DMB ISH, plus store-buffer drain */
	uint32_t acquire;          /* extra cost of an acquire load (0 on x86) */
	uint32_t release;          /* extra cost of a release store (0 on x86) */
	bool atomic_full_fence;    /* x86: a LOCK-prefixed RMW is a full fence (models read
				    * it; the engine drains before every RMW: sim.h) */
};

/*
 * One hardware idle state (C-state) as the cpuidle driver describes it
 * (Linux's struct cpuidle_state): entering it costs nothing here; leaving
 * it takes exit_latency_us; it is worth entering only for idle periods
 * of at least target_residency_us.  tlb_flushed: the state loses the TLB
 * (the driver's CPUIDLE_FLAG_TLB_FLUSHED), so the idle loop leaves a lazy
 * mm before entering it (models/kernel/cpuidle.h).  exit_latency_us is the
 * driver's figure, which the governor uses; wake_latency_us, when set, is
 * what a wake-up from the state costs instead (drivers list worst cases).
 */
struct sim_idle_state {
	char *name;
	uint32_t exit_latency_us;
	uint32_t target_residency_us;
	bool tlb_flushed;
	uint32_t wake_latency_us;  /* what a wake-up really takes; 0: exit_latency_us */
};
#define SIM_MAX_IDLE_STATES 8u

struct sim_machine {
	char *name;
	char *description;
	char *file;                /* preset file it came from, or NULL (inline) */
	double freq_ghz;
	struct sim_topology topo;
	struct sim_latency lat;
	struct sim_fence_cost fence;
	uint32_t store_buffer_entries;
	uint32_t line_fill_buffers; /* fast-string line misses in flight; 0: no fast strings */
	uint32_t private_cache_lines; /* L1d lines per core */
	uint32_t l1d_ways;
	uint32_t l2_lines;         /* private L2 lines per core; 0: no L2 */
	uint32_t l2_ways;
	uint32_t cluster_cache_lines; /* LLC lines per cluster */
	uint32_t llc_ways;
	double mem_bandwidth_gbs;  /* per socket memory controller; 0: unbounded */
	/* machine.idle_states: the idle-state table, shallowest first (exit
	 * latencies non-decreasing); none by default (a CPU with nothing to
	 * run idles at no cost and wakes at once). */
	uint32_t nidle_states;
	struct sim_idle_state *idle_states;
	cJSON *sources;            /* free-form provenance, copied to results */
};

/*
 * sim_machine_load - build a machine from a JSON object.
 * Return: a machine, or NULL with *err set (file and JSON path named).
 * Context: host.
 */
struct sim_machine *sim_machine_load(const cJSON *obj, const struct sim_origin *origin,
				     GError **err);
void sim_machine_free(struct sim_machine *m);

/* sim_machine_emit - the effective machine as JSON (for results files). */
cJSON *sim_machine_emit(const struct sim_machine *m);

/* Number of hardware threads the machine has. */
uint64_t sim_machine_max_cpus(const struct sim_machine *m);

/* Where simulated CPU i lives; all ids are global (socket-major). */
struct sim_place {
	uint32_t socket, cluster, core, thread;
};
struct sim_place sim_machine_place(const struct sim_machine *m, uint64_t cpu);

/* Hops between two sockets (0 if equal). */
uint32_t sim_machine_hops(const struct sim_machine *m, uint32_t a, uint32_t b);

/*
 * sim_machine_find_preset - path of the preset called name, searching
 * $SIM_MACHINE_PATH (colon-separated), then the source tree's
 * configs/machines.  Return: newly allocated path, or NULL.
 */
char *sim_machine_find_preset(const char *name);

/* sim_machine_list_presets - sorted preset names (g_strfreev). */
char **sim_machine_list_presets(void);

/* Parameter tables, for `sim list -v` and docs. */
extern const struct sim_param sim_machine_params[];
extern const struct sim_param sim_topology_params[];
extern const struct sim_param sim_latency_params[];
extern const struct sim_param sim_fence_params[];
extern const struct sim_param sim_idle_state_params[];  /* one machine.idle_states[] entry */

#endif
