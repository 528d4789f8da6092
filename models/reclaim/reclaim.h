// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The read-side synchronization and memory-reclamation interface.
 *
 * Every scheme -- Linux Tree RCU, classic RCU, SRCU, FreeBSD GUS/SMR in
 * its modes, EBR, hazard pointers, the liburcu flavours, and the lock
 * baselines (rwlock, rwsem, refcount) -- implements one const struct
 * rcl_ops, in its own file, and is listed in models/reclaim/registry.c.  Trees
 * and workloads receive the table and an instance and never name a
 * scheme (the liburcu "flavor" pattern):
 *
 *     const struct rcl_ops *ops = rcl_ops_of(sim);    // from the config
 *     void *rs = ops->create(sim, rcl_params_of(sim));
 *     ...
 *     ops->read_lock(rs);
 *     p = ops->dereference(rs, &gbl_foo, 0);
 *     ... read *p through the sim_load*() accessors ...
 *     ops->read_unlock(rs);
 *
 * The API is the RCU core API of the seed (rcu_read_lock/unlock,
 * rcu_dereference, rcu_assign_pointer, synchronize_rcu, call_rcu) with
 * the hooks the other schemes need.  Names inside each scheme's file
 * keep the modelled code's identifiers (s_wr_seq, c_seq, gp_seq, qsmask).
 *
 * Config:  "reclaim": { "scheme": "<name>", ...the scheme's parameters }
 *
 * Memory: objects handed to retire() are simulated memory from
 * sim_alloc(); the scheme frees them with sim_free() once no reader can
 * hold a reference.  sim_free() poisons them, so any later simulated
 * access is a detected use-after-free that fails the run.
 *
 * Context: every op except create/destroy/stats/invariants_hold runs on
 * a simulated CPU and may yield.  Costs are whatever simulated lines the
 * scheme touches; each scheme documents them in its file header.
 */
#ifndef SIM_RECLAIM_H
#define SIM_RECLAIM_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "component.h"
#include "lock.h"
#include "sim.h"

/* rcl_ops.flags */
#define RCL_NO_GRACE_PERIOD 0x1u    /* synchronize() cannot wait for readers (values-only
				     * schemes such as seqcount): never free after it */

struct rcl_ops {
	struct sim_component comp;  /* name, summary, params: must come first */
	unsigned flags;             /* RCL_* capabilities */

	/* Create the scheme's shared and per-CPU state.  May sim_alloc(),
	 * sim_mem_prime() and sim_tick_register().  Context: host. */
	void *(*create)(struct sim *sim, const void *params);
	void (*destroy)(void *rs);

	/* ---- read side ---- */
	/* Enter / leave a read-side critical section (rcu_read_lock,
	 * smr_enter, epoch pin, read_lock of a lock baseline). */
	void (*read_lock)(void *rs);
	void (*read_unlock)(void *rs);
	/* Load a protected pointer inside a read section (rcu_dereference;
	 * hazard pointers publish it in hazard slot `slot` and validate). */
	void *(*dereference)(void *rs, void *const *pp, unsigned slot);

	/* ---- update side ---- */
	/* Publish a pointer to readers (rcu_assign_pointer: release store). */
	void (*assign_pointer)(void *rs, void **pp, void *v);
	/* Exclude other updaters, and, for lock baselines, readers (writer
	 * side of an rwlock).  RCU-like schemes use a separate updater lock
	 * (models/lock/lock.h); they may leave these NULL. */
	void (*write_lock)(void *rs);
	void (*write_unlock)(void *rs);
	/* Defer freeing obj (size, align as allocated) until every reader
	 * that might hold it has finished (call_rcu, uma_zfree_smr, retire).
	 * Lock baselines free at once. */
	void (*retire)(void *rs, void *obj, size_t size, size_t align);
	/* Wait until every read section that began before the call has
	 * ended (synchronize_rcu, smr_synchronize). */
	void (*synchronize)(void *rs);
	/* Make reclaim progress without blocking (smr_poll(..., false),
	 * ck_epoch_poll, HP scan).  Return: true if anything was freed. */
	bool (*poll)(void *rs);

	/* ---- quiescent states and CPU lifecycle ---- */
	/* This CPU passes a quiescent state (context switch, qsbr
	 * rcu_quiescent_state()).  May be NULL. */
	void (*quiescent_state)(void *rs);
	/* This CPU goes idle / comes back (extended quiescent state, urcu
	 * thread_offline).  May be NULL. */
	void (*idle_enter)(void *rs);
	void (*idle_exit)(void *rs);
	/* This CPU is finished with the run: go offline for good and free
	 * whatever it can, waiting if needed (rcu_barrier-like), so that
	 * after every CPU returned nothing retired is left unfreed. */
	void (*cpu_exit)(void *rs);

	/* ---- reporting (host context, after the run) ---- */
	/* Counters named after the real code (GUS: advance, advance_wait,
	 * poll, poll_scan, poll_fail; RCU: gp, fqs ...) plus the common
	 * rcl_stats below, under metrics.reclaim. */
	void (*stats)(void *rs, cJSON *out);
	/* For assertions only: do the scheme's invariants hold right now? */
	bool (*invariants_hold)(const void *rs);
};

/*
 * The common accounting every scheme keeps, one struct rcl_stats per
 * scheme instance, and reports with rcl_stats_emit() (models/reclaim/reclaim.c).
 * Host memory: the simulator's record, not a simulated line; the scheme's
 * own lines are charged where the modelled code touches them.
 */
struct rcl_stats {
	uint64_t retired;           /* objects handed to retire() */
	uint64_t freed;             /* objects freed */
	uint64_t pending_peak;      /* max retired - freed */
	double pending_sum;         /* sum of (retired - freed) sampled at each retire, for the mean */
	uint64_t pending_samples;
	uint64_t bytes_pending;       /* bytes retired and not yet freed, now */
	uint64_t bytes_pending_peak;
	uint64_t synchronize_calls;
	uint64_t synchronize_cycles;  /* total cycles spent in synchronize() */
	uint64_t reclaim_latency_sum; /* sum over freed objects of (free time - retire time) */
	uint64_t reclaim_latency_max;
	uint64_t read_sections;
	uint64_t read_side_cycles;    /* cycles inside read_lock() + read_unlock() */
	uint64_t retire_calls;
	uint64_t retire_cycles;       /* cycles inside retire() */
	uint64_t poll_calls;
	uint64_t poll_cycles;         /* cycles inside poll() */
	uint64_t gp_count;            /* grace periods completed (what one is: see rcl_stats_emit) */
	uint64_t gp_latency_sum;      /* from each grace period's start to its detected end */
	uint64_t gp_latency_max;
};

/*
 * An object waiting in a scheme's deferred-free list: what retire() was
 * given and when.  Host memory (the scheme's private bookkeeping); the
 * object itself is simulated memory.
 */
struct rcl_deferred {
	void *obj;
	uint32_t size;
	uint32_t align;
	sim_time_t retired_at;
};

/*
 * A growable host-side list of deferred objects, FIFO by index (v[0] is
 * the oldest).  It costs no simulated time: each scheme charges the store
 * of its real list operation (a push on its own record line, ...) where
 * the modelled code does it.
 */
struct rcl_list {
	struct rcl_deferred *v;
	uint32_t n, cap;
};

/* rcl_defer - obj (size, align as allocated) was handed to retire()
 * now: account the retire in st (rcl_stats_retire) and append it to l.
 * rcl_list_free - release l's host array (the objects must have been
 * freed or handed on).  Context: rcl_defer on a simulated CPU,
 * rcl_list_free anywhere; cost: none. */
void rcl_defer(struct rcl_stats *st, struct rcl_list *l, void *obj, size_t size, size_t align);
void rcl_list_free(struct rcl_list *l);

/*
 * Accounting helpers (models/reclaim/reclaim.c).  Context: on a simulated CPU,
 * inside the scheme's ops; they read the CPU's clock, touch no simulated
 * line and cost nothing (sim_free() itself costs what it costs).
 *
 * rcl_stats_retire - obj of size bytes was handed to retire() now;
 *     samples objects-awaiting-reclaim for the mean and peak.
 * rcl_free_deferred - sim_free() the object of d (poisoning it) and
 *     account its reclaim latency (now - d->retired_at).
 * rcl_free_now - retire and free at once (lock baselines: latency 0).
 * rcl_stats_gp - one grace period of the given latency completed.
 * rcl_stats_read_time / _retire_time / _poll_time / _sync_time - a
 *     read_lock() or read_unlock() / retire() / poll() / synchronize()
 *     that began at t0 returns now: add now - t0 to its cycles (and count
 *     the call, except for the read side, which counts read_sections).
 */
void rcl_stats_retire(struct rcl_stats *st, size_t size);
void rcl_free_deferred(struct rcl_stats *st, const struct rcl_deferred *d);
void rcl_free_now(struct rcl_stats *st, void *obj, size_t size, size_t align);
void rcl_stats_gp(struct rcl_stats *st, sim_time_t latency);
void rcl_stats_read_time(struct rcl_stats *st, sim_time_t t0);
void rcl_stats_retire_time(struct rcl_stats *st, sim_time_t t0);
void rcl_stats_poll_time(struct rcl_stats *st, sim_time_t t0);
void rcl_stats_sync_time(struct rcl_stats *st, sim_time_t t0);

/*
 * rcl_stats_emit - add the 20 metrics every scheme reports, with the
 * same names for every scheme (cycles are machine cycles; *_ns_* divide
 * them by freq_ghz, the machine's clock; a mean over no samples is 0):
 *   retired, freed, pending_peak, pending_mean, bytes_pending_peak,
 *   reclaim_latency_mean, reclaim_latency_max, reclaim_latency_ns_mean,
 *   read_sections, read_side_cycles_per_pair, read_side_ns_per_pair,
 *   retire_cycles_mean, poll_calls, poll_cycles_mean,
 *   synchronize_calls, synchronize_cycles_mean,
 *   gp_count, gp_latency_mean, gp_latency_max, gp_latency_ns_mean.
 * A grace period is, per scheme: RCU family, a gp_seq grace period from
 * its start to its end (steady state); GUS, an expired goal from
 * smr_advance to its detection; liburcu, one synchronize_rcu() grace
 * period from taking gp_lock to the last reader wait; EBR, one advance
 * of the global epoch, its latency the time the epoch held its previous
 * value.  Hazard pointers, seqcount and the lock baselines have none
 * (gp_count 0); the lock baselines and seqcount have no poll() either.
 * Context: host (stats()).
 */
void rcl_stats_emit(const struct rcl_stats *st, double freq_ghz, cJSON *out);

/*
 * rcl_plain_dereference - rcu_dereference on x86 and for lock-protected
 * pointers: a plain load (READ_ONCE; address dependency ordering needs
 * no fence on TSO).  Cost: one load of pp's line.
 * rcl_release_assign - rcu_assign_pointer: smp_store_release.  Cost: one
 * release store to pp's line.  Context: simulated CPU (rcl_ops slots).
 */
void *rcl_plain_dereference(void *rs, void *const *pp, unsigned slot);
void rcl_release_assign(void *rs, void **pp, void *v);

/* Registry (models/reclaim/registry.c). */
const struct sim_component *const *rcl_all(void);
const struct rcl_ops *rcl_find(const char *name);

static inline const struct rcl_ops *
rcl_ops_from(const struct sim_component *c)
{
	return (const struct rcl_ops *)c;   /* comp is the first member */
}

/*
 * rcl_writer_lock / rcl_writer_unlock - how an updater excludes others:
 * through the scheme's writer side when it has one (lock baselines, whose
 * retire() frees at once and so must also exclude readers), else through
 * the updater lock lk of lock kind lops (RCU-like schemes, whose readers
 * run concurrently with updaters).  Context: simulated CPU; may yield.
 */
static inline void
rcl_writer_lock(const struct rcl_ops *ops, void *rs, const struct lock_ops *lops, void *lk)
{
	if (ops->write_lock)
		ops->write_lock(rs);
	else
		lops->lock(lk);
}

static inline void
rcl_writer_unlock(const struct rcl_ops *ops, void *rs, const struct lock_ops *lops, void *lk)
{
	if (ops->write_unlock)
		ops->write_unlock(rs);
	else
		lops->unlock(lk);
}

/* The scheme chosen by the run's config ("reclaim" section), or NULL if
 * the config has none.  Context: host (workload setup). */
const struct rcl_ops *rcl_ops_of(const struct sim *sim);
const void *rcl_params_of(const struct sim *sim);

#endif
