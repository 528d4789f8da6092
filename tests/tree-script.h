// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * A scripted run of one search tree (models/tree/tree.h) for the tree
 * tests: the test gives a machine, a tree, a reclaim scheme and a script
 * that every simulated CPU runs; the harness builds what the tree needs
 * (the allocator with path_cycles 0, the scheme with its defaults, a klock
 * context, a zeroed rw_semaphore for trees whose readers need a lock),
 * runs the script, then calls the scheme's cpu_exit on every CPU.
 *
 * Used by tests/test-tree.c (every registered tree) and by the
 * tests/test-tree-<name>.c files (exact costs of one tree).
 */
#ifndef SIM_TEST_TREE_SCRIPT_H
#define SIM_TEST_TREE_SCRIPT_H

#include "harness.h"
#include "kalloc.h"
#include "klock.h"
#include "reclaim.h"
#include "tree.h"

struct ts_config {
	const struct tree_ops *tree;
	const void *tree_params;    /* NULL: the tree's defaults */
	const char *scheme;         /* reclaim scheme name; NULL: "tree_rcu" */
	unsigned sockets, cores;    /* t_machine(sockets, cores, lat) */
	const struct t_lat *lat;    /* NULL: t_lat_default */
	uint32_t cpus;
	uint64_t seed;
	uint32_t jitter, jitter_every;  /* engine schedule jitter (0: none) */
	bool mutation_free_now;     /* tree_env.mutation_free_now */
	void (*script)(uint32_t cpu);
};

/* What the running script uses (valid during ts_run's run). */
struct ts_state {
	const struct ts_config *c;
	struct sim *sim;
	const struct tree_ops *ops;
	void *t;
	struct tree_env env;
	const struct rcl_ops *rcl;
	void *rs;
	void *rcl_params;
	struct kalloc *ka;
	struct klock *kl;
	struct rw_semaphore *sem;   /* simulated, for non-TREE_RCU_READERS readers */
	void *shared[16];           /* host hand-off between scripted CPUs */
	cJSON *tree_stats;          /* the tree's stats() after the run */
	cJSON *rcl_stats;           /* the scheme's stats() after the run */
	bool check_ok;              /* the tree's check() after the run */
	uint64_t count;             /* the tree's count() after the run */
	sim_time_t end_time;        /* sim_end_time() of the run */
};
extern struct ts_state ts;

/*
 * ts_run - run c->script on every CPU.  Return: NULL, or the run's error
 * (a use-after-free, a sim_fail) for the caller to free.  After a
 * successful run ts.tree_stats, ts.rcl_stats, ts.check_ok and ts.count
 * hold the final state (the caller frees the two cJSON with
 * ts_free_results()).  Context: host.
 */
GError *ts_run(const struct ts_config *c);
void ts_free_results(void);

/* ts_stat - the tree counter name of the last run's ts.tree_stats (it must
 * be a number).  Context: host, after ts_run(). */
uint64_t ts_stat(const char *name);
/* ts_insert_ok - insert [s, e) with the value s | 1 (the tests' convention:
 * a value names the insert it came from) and assert it succeeded.
 * Context: a script's writer, holding the writer lock if the tree needs one. */
void ts_insert_ok(uint64_t s, uint64_t e);

/* Reader and writer brackets as the tree's contract asks: the scheme's
 * read side for TREE_RCU_READERS trees, else down_read of ts.sem;
 * writers take ts.sem for write (always: one writer at a time).
 * Context: simulated CPU; may yield. */
void ts_read_lock(void);
void ts_read_unlock(void);
void ts_write_lock(void);
void ts_write_unlock(void);

/* ts_check - drain this CPU's stores and run the tree's check(); fail
 * the test with its message if it fails.  Only when no other CPU is
 * writing.  Context: simulated CPU. */
void ts_check(void);

/* ts_settle - drain this CPU's store buffer, then idle 1000 cycles. */
void ts_settle(void);

#endif

/*
 * ts_random_sequence - on this CPU (the only writer), nops random
 * operations on the tree over an address space of pages 4 KiB pages,
 * each compared with a host reference (a sorted array of ranges):
 * insert (returns -EEXIST exactly when the range overlaps), erase (the
 * number of regions removed or trimmed; the pieces outside stay), lookup
 * and find of random addresses, find_gap of random sizes and windows,
 * iterate of random windows (every overlapping region, in order; for a
 * TREE_PAGE_GRANULE tree lookup and find may return any piece of the
 * region holding the address, and iterate reports regions clipped to the
 * window); every
 * check_every operations the tree's check(), count() and, from its
 * stats, nodes_allocated - nodes_retired == count for trees that keep
 * one node per region (one_node_per_region).  Fails the run (sim_fail)
 * at the first difference.  Readers run inside ts_read_lock, writers
 * inside ts_write_lock.  Context: simulated CPU; yields.
 */
void ts_random_sequence(unsigned nops, unsigned check_every, uint64_t pages,
			bool one_node_per_region);
