// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The locking context as the lock files in models/lock see it (callers
 * use klock.h only).
 */
#ifndef SIM_KLOCK_IMPL_H
#define SIM_KLOCK_IMPL_H

#include "klock.h"

/* qspinlock's MCS node (kernel/locking/mcs_spinlock.h struct mcs_spinlock,
 * as struct qnode without paravirt: 16 bytes, four per CPU on one line). */
struct mcs_spinlock {
	struct mcs_spinlock *next;  /* written by the successor that queues behind */
	int32_t locked;             /* 1 = may go: written by the predecessor */
	int32_t count;              /* node[0] only: nesting level in use (own CPU) */
};

#define KLOCK_MAX_NODES 4        /* task, softirq, hardirq, nmi */

/* Host-side counters (not simulated). */
struct klock_counters {
	uint64_t spin_acquired;     /* spin_lock + successful spin_trylock */
	uint64_t spin_contended;    /* spin_lock whose fast path failed */
	uint64_t spin_pending;      /* queued: acquired through the pending bit */
	uint64_t spin_queued;       /* queued: went through the MCS queue */
	uint64_t spin_nested;       /* queued: slow path with nesting level > 0 */
	uint64_t rw_read_acquired, rw_write_acquired;
	uint64_t rw_read_slowpath;  /* a reader met a writer and queued on wait_lock */
	uint64_t rw_write_slowpath; /* a writer could not take the word at once */
	uint64_t seq_read_begin;    /* read_seqcount_begin calls */
	uint64_t seq_begin_spins;   /* ... that found a write in progress */
	uint64_t seq_read_retry;    /* read_seqcount_retry said retry */
	uint64_t seq_write;         /* write sections */
};

struct klock {
	struct sim *sim;
	const struct spinlock_ops *spin;
	struct klock_params p;
	uint32_t ncpus;
	uint32_t pause;             /* the machine's latency.pause (bounded spins) */
	/* Simulated: ncpus lines of KLOCK_MAX_NODES nodes, line i homed on
	 * (primed by) CPU i.  Written by the owner CPU (init, count) and by
	 * the CPUs queued next to it (next, locked). */
	struct mcs_spinlock *qnodes;
	/* qspinlock layout: false = 8 pending bits, tail in the top 16 bits
	 * (Linux when NR_CPUS < 16K); true = 1 pending bit, 21 tail CPU bits. */
	bool q_wide;
	struct klock_counters n;
};

#endif
