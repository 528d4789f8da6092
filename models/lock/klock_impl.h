// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The locking context as the lock files in models/lock see it (callers
 * use klock.h only).
 */
#ifndef SIM_KLOCK_IMPL_H
#define SIM_KLOCK_IMPL_H

#include <glib.h>

#include "klock.h"


#define KLOCK_MAX_NODES 4        /* task, softirq, hardirq, nmi */

/* The on-stack struct rwsem_waiter / mutex_waiter of a blocked task. */
struct klock_waiter {
	struct klist list;          /* written under the lock's wait_lock by whoever links/unlinks */
	void *task;                 /* rwsem: NULL once granted (the waker's release store) */
	uint32_t type;              /* rwsem: RWSEM_WAITING_FOR_{READ,WRITE} */
	uint32_t handoff_set;       /* rwsem: this waiter set RWSEM_FLAG_HANDOFF */
	uint64_t timeout;           /* rwsem: cycles; after it the waiter may force a handoff */
};

/* kernel/locking/osq_lock.c struct optimistic_spin_node. */
struct optimistic_spin_node {
	struct optimistic_spin_node *next, *prev;  /* written by the neighbours */
	int32_t locked;             /* 1 = may go: written by the predecessor */
	int32_t cpu;                /* encoded CPU number + 1 */
};

/*
 * What a task contributes, one per CPU (a CPU runs one task), three
 * simulated lines homed on that CPU:
 *   line 0: state  (TASK_RUNNING 0 / TASK_UNINTERRUPTIBLE 2): stored by
 *           the task (set_current_state) and by its waker;
 *           on_cpu (0 while asleep in schedule()): stored by the task,
 *           read by optimistic spinners (owner_on_cpu)
 *   line 1: the waiter it queues while blocking on a rwsem or a mutex
 *   line 2: its OSQ node (mutex optimistic spinning)
 * A lock's owner field holds the task's simulated address.
 */
struct klock_task {
	uint32_t state;
	uint32_t on_cpu;
	uint8_t pad0[56];
	struct klock_waiter w __attribute__((aligned(64)));
	struct optimistic_spin_node osn __attribute__((aligned(64)));
};

#define TASK_RUNNING 0u
#define TASK_UNINTERRUPTIBLE 2u


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
	/* Simulated: ncpus struct klock_task, one per CPU (see above). */
	struct klock_task *tasks;
	uint64_t rwsem_wait_timeout; /* cycles: RWSEM_WAIT_TIMEOUT, 4 ms */
	struct cpuidle *idle;       /* the run's idle states, or NULL (models/kernel/cpuidle.h) */
	uint32_t *llc;              /* host: each CPU's socket + 1 (its LLC), 0 until it first sleeps */
	struct klock_counters n;
};

/* This CPU's task.  Context: simulated CPU; no cost. */
static inline struct klock_task *
klock_current(const struct klock *kl)
{
	g_assert(kl->tasks != NULL);        /* not a klock_create_ticket_only() context */
	return &kl->tasks[sim_cpu_id()];
}

/* Linux's owner value of a task (its address) and back. */
static inline uint64_t
klock_task_word(const struct klock_task *t)
{
	return (uint64_t)(uintptr_t)t;
}

/*
 * klock_set_current_state - set_current_state(): smp_store_mb(), an xchg
 * on x86 (a full barrier).  Context: simulated CPU.  Cost: one RMW of the
 * own task line.
 */
void klock_set_current_state(struct klock *kl, uint32_t state);

/*
 * klock_schedule - schedule() for a task that set itself not running:
 * if a waker already set it running, return at once; else switch away
 * (context_switch cycles), sleep without consuming cycles (cause sleep,
 * no accesses) until a waker stores TASK_RUNNING, switch back in
 * (context_switch).  Context: simulated CPU; yields.
 */
void klock_schedule(struct klock *kl);

/*
 * klock_wake_up_process - wake_up_process(t): a full barrier, then if t
 * is not running, pay wakeup cycles (try_to_wake_up) and store
 * TASK_RUNNING into its task line.  Context: simulated CPU.  Cost:
 * fence.full (with a store-buffer drain), one load of t's task line, then
 * the work and one store (a transfer to t's line).
 */
void klock_wake_up_process(struct klock *kl, struct klock_task *t);

/* List helpers (call under the list's lock).  Cost: as Linux's. */
void klist_add_tail(struct klist *head, struct klist *node);
void klist_del(struct klist *head, struct klist *node);
/* First entry or NULL.  Cost: one load of the head. */
struct klist *klist_first(const struct klist *head);
/* Is node the only entry?  Cost: up to two loads. */
bool klist_is_singular(const struct klist *head);

/* OSQ (osq.c): the queue optimistic spinners of a mutex or rwsem join so
 * that one of them at a time spins on the owner.  osq_lock returns true
 * when this CPU heads the queue (it always does: MODEL, no need_resched
 * abort); osq_unlock passes the head on. */
bool osq_lock(struct klock *kl, uint32_t *osq);
void osq_unlock(struct klock *kl, uint32_t *osq);

#endif
