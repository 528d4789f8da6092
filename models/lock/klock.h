// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Kernel locks on simulated memory: the lock word(s) sit at any simulated
 * address, inside an object the caller allocated (a page-table page, a
 * VMA, an RCU node), as in Linux.  There is no registry of locks: a
 * zeroed lock word is an unlocked lock, so memory from sim_alloc() needs
 * no init, and an object allocated during the run calls the *_init()
 * function, which is one store.
 *
 * Every call takes a struct klock: the run's locking context (which
 * spinlock flavour the config chose, the per-CPU MCS nodes of qspinlock,
 * the sleep/wake-up costs, counters).  A run may create several contexts
 * (one per subsystem); a lock must always be used through contexts of the
 * same flavour, and a context holds per-CPU nodes of its own, so
 * subsystems never share queue nodes.
 *
 * Config: "locking": {"spinlock": "queued" | "ticket", ...costs}; without
 * the section, "queued" with default costs (Linux v6 on x86).
 *
 * One lock kind per file in models/lock: spinlock_ticket.c,
 * spinlock_queued.c (the flavours, each behind a const struct
 * spinlock_ops), klock.c (the context).
 *
 * Context of the lock operations: a simulated CPU; they may yield.
 * klock_create/destroy/stats are host context.
 */
#ifndef SIM_KLOCK_H
#define SIM_KLOCK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "component.h"
#include "sim.h"

struct klock;

/*
 * spinlock_t - one 32-bit word of simulated memory (Linux's
 * arch_spinlock_t: ticket pair or qspinlock word); 0 is unlocked.
 * Natural alignment (4 bytes) required; the caller chooses the line (a
 * lock that shares a line with the data it protects is what Linux does
 * for most embedded locks, and what makes the first data access a hit).
 */
typedef struct {
	uint32_t val;
} spinlock_t;

/* The "locking" section's parameters (shared by every flavour). */
struct klock_params {
	uint32_t context_switch;  /* cycles: schedule() away, and back in when woken */
	uint32_t wakeup;          /* cycles: the waker's try_to_wake_up() of one task */
	bool ttwu_queue_ipi;      /* a wake-up across LLCs is a reschedule IPI (Linux 3.0-3.15) */
};

/* A spinlock flavour: the "spinlock" selector of the "locking" section. */
struct spinlock_ops {
	struct sim_component comp;  /* must come first */
	/* Return: true if it had to wait (the fast path failed). */
	bool (*lock)(struct klock *kl, spinlock_t *lock);
	bool (*trylock)(struct klock *kl, spinlock_t *lock);
	void (*unlock)(struct klock *kl, spinlock_t *lock);
	/* Does the word say locked (for asserts: no cost, reads host memory)? */
	bool (*is_locked_peek)(const spinlock_t *lock);
	/* The word is a possible state (host read, for asserts). */
	bool (*invariants_hold)(const struct klock *kl, const spinlock_t *lock);
};

/* Registry of flavours (klock.c), for the "locking" section. */
const struct sim_component *const *klock_spinlock_all(void);

/*
 * klock_create - the locking context for a run: the flavour and costs of
 * the run's "locking" section (queued and defaults without one), per-CPU
 * queue nodes (one line per CPU, primed on that CPU).
 * Context: host, during setup.
 */
struct klock *klock_create(struct sim *sim);

/*
 * klock_create_with - as klock_create, with an explicit flavour ("ticket",
 * "queued") and parameters (NULL: defaults); for tests and for baselines
 * that compare flavours in one run.  Return: NULL if name is unknown.
 */
struct klock *klock_create_with(struct sim *sim, const char *name,
				const struct klock_params *p);

/*
 * klock_create_ticket_only - a context for ticket spinlock_t only: no
 * per-CPU nodes or tasks (so no simulated memory), for code that creates
 * many independent ticket locks (the "ticket" updater lock).  Sleeping
 * locks and qspinlock must not be used through it.  Context: host.
 */
struct klock *klock_create_ticket_only(struct sim *sim);

void klock_destroy(struct klock *kl);

/* The flavour's name ("ticket", "queued"). */
const char *klock_spinlock_name(const struct klock *kl);

/*
 * klock_stats - the context's counters: acquisitions and slow paths per
 * lock kind.  Context: host, after the run.
 */
void klock_stats(const struct klock *kl, cJSON *out);

/*
 * klock_wake_up_kthread - wake_up_process() of a kernel thread that no
 * simulated CPU runs (a task of the modelled kernel with no coroutine of
 * its own), taken to be asleep: the waker's try_to_wake_up() -- a full
 * barrier, the load of the thread's state word, the locking section's
 * wakeup cycles -- counted as a wake-up.  What the woken thread then does
 * on its own CPU is not simulated (the caller's MODEL says what that
 * leaves out).  Context: simulated CPU.  Cost: the fence, the load of
 * *state, wakeup cycles of local work.
 */
void klock_wake_up_kthread(struct klock *kl, const uint32_t *state);

/*
 * schedule_timeout_uninterruptible - the running task sleeps for cycles
 * (waits for I/O, msleep): switch away (context_switch), sleep without
 * consuming cycles, switch back (context_switch).  Meanwhile it is off
 * CPU, so mutex spinners stop spinning on it.  Locks it holds stay held.
 * The run's scheduler notifiers (models/kernel/sched_notifier.h) run after the
 * switch away and before the switch back, as in klock_schedule().
 * Context: simulated CPU; yields.  Cost: two stores to the own task line
 * (plus what the notifiers cost).
 */
void schedule_timeout_uninterruptible(struct klock *kl, uint64_t cycles);

/* The context's counters (host side, not simulated). */
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
	uint64_t sleeps;            /* schedule() calls that switched away */
	uint64_t wakeups;           /* wake_up_process() of a sleeping task */
	uint64_t wakeup_ipis;       /* of which by a reschedule IPI (ttwu_queue_ipi) */
	uint64_t rwsem_read_acquired, rwsem_write_acquired;
	uint64_t rwsem_read_slowpath, rwsem_write_slowpath;
	uint64_t rwsem_read_steal;  /* slow-path reader took it without queueing */
	uint64_t rwsem_handoff;     /* a waiter set RWSEM_FLAG_HANDOFF */
	uint64_t mutex_acquired;
	uint64_t mutex_slowpath;    /* fast-path cmpxchg failed */
	uint64_t mutex_spin_acquired; /* ... then got it without sleeping (trylock or spinning) */
	uint64_t mutex_sleep_acquired; /* ... then got it after queueing on wait_list */
	uint64_t mutex_handoff;     /* unlock handed the mutex to the first waiter */
};

/* klock_counters_of - the counters so far.  Context: host (or a
 * simulated CPU: no cost). */
const struct klock_counters *klock_counters_of(const struct klock *kl);

/* ---- struct mcs_spinlock (mcs_spinlock.c) ---- */

/* kernel/locking/mcs_spinlock.h's node (as qspinlock's struct qnode
 * without paravirt: 16 bytes, so four fit a line). */
struct mcs_spinlock {
	struct mcs_spinlock *next;  /* written by the successor that queues behind */
	int32_t locked;             /* 1 = may go: written by the predecessor */
	int32_t count;              /* qspinlock node[0]: nesting level in use (own CPU) */
};

/*
 * mcs_spin_lock - queue node (the caller's, not in use) behind *lock and
 * wait until granted.  Return: true if it had to wait.  Context:
 * simulated CPU; may yield.  Cost: 2 stores to node, 1 xchg of *lock's
 * line; contended, a store into the predecessor's node and a spin on the
 * own node.
 */
bool mcs_spin_lock(struct mcs_spinlock **lock, struct mcs_spinlock *node);
/*
 * mcs_spin_unlock - release, passing the lock to node's successor.
 * Return: true if it had to wait for a successor to link in.  Cost: a
 * load of node, then a cmpxchg of *lock or a store into the successor.
 */
bool mcs_spin_unlock(struct mcs_spinlock **lock, struct mcs_spinlock *node);

/* ---- spinlock_t ---- */

/*
 * spin_lock_init - make *lock an unlocked spinlock (for objects allocated
 * during the run; zeroed simulated memory is already one).
 * Context: simulated CPU; may yield.  Cost: one store to the lock's line.
 */
void spin_lock_init(spinlock_t *lock);

/*
 * spin_lock - acquire, spinning until it is free.  The acquire is a full
 * barrier on TSO (a locked RMW).
 * Context: simulated CPU; may yield (forever on a deadlock, which the
 * engine reports).  Interrupt handlers may take spinlocks (qspinlock
 * keeps one queue node per nesting level, four per CPU).
 * Cost: uncontended, one RMW of the lock's line; see each flavour's file
 * for the contended paths.
 */
static inline void spin_lock(struct klock *kl, spinlock_t *lock);

/*
 * spin_trylock - acquire if free, never wait.
 * Return: true if acquired.  Context: simulated CPU; may yield.
 * Cost: one load of the lock's line, plus one RMW if it looked free.
 */
static inline bool spin_trylock(struct klock *kl, spinlock_t *lock);

/*
 * spin_unlock - release (a release store; the caller must hold it).
 * Context: simulated CPU; may yield.  Cost: one store (queued) or a
 * load and a store of the head ticket (ticket).
 */
static inline void spin_unlock(struct klock *kl, spinlock_t *lock);

/* spin_is_locked_peek - for asserts and stats: no cost, never yields. */
static inline bool spin_is_locked_peek(const struct klock *kl, const spinlock_t *lock);

/* spin_invariants_hold - the lock word is a state the flavour can be in
 * (ticket: at most ncpus holders + waiters; queued: locked byte 0 or 1,
 * tail names a CPU of the run).  For invariant checkers: host read. */
bool spin_invariants_hold(const struct klock *kl, const spinlock_t *lock);

/* The inline definitions go through the context's flavour. */
const struct spinlock_ops *klock_spin_ops(const struct klock *kl);

static inline void
spin_lock(struct klock *kl, spinlock_t *lock)
{
	(void)klock_spin_ops(kl)->lock(kl, lock);
}

/* spin_lock_waited - spin_lock() that says whether it had to wait (for
 * contention statistics).  Same contract and cost as spin_lock(). */
static inline bool
spin_lock_waited(struct klock *kl, spinlock_t *lock)
{
	return klock_spin_ops(kl)->lock(kl, lock);
}

static inline bool
spin_trylock(struct klock *kl, spinlock_t *lock)
{
	return klock_spin_ops(kl)->trylock(kl, lock);
}

static inline void
spin_unlock(struct klock *kl, spinlock_t *lock)
{
	klock_spin_ops(kl)->unlock(kl, lock);
}

static inline bool
spin_is_locked_peek(const struct klock *kl, const spinlock_t *lock)
{
	return klock_spin_ops(kl)->is_locked_peek(lock);
}

/* ---- rwlock_t (qrwlock; rwlock_queued.c) ----
 *
 * Two words on the caller's line: the count (reader count, writer byte,
 * waiting bit) and a spinlock_t that queues slow-path lockers.  Zeroed
 * memory is an unlocked rwlock.
 */
typedef struct {
	uint32_t cnts;
	spinlock_t wait_lock;
} rwlock_t;

/* rwlock_init - unlocked.  Context: simulated CPU.  Cost: two stores. */
void rwlock_init(rwlock_t *lock);
/*
 * read_lock / read_unlock - shared acquire and release.  Context:
 * simulated CPU; read_lock may wait (a writer holds or waits: it queues
 * on wait_lock behind it).  Cost: one RMW of the lock's line each.
 */
void read_lock(struct klock *kl, rwlock_t *lock);
void read_unlock(struct klock *kl, rwlock_t *lock);
/*
 * write_lock / write_unlock - exclusive.  Context: simulated CPU;
 * write_lock may wait (readers drain after it sets _QW_WAITING, which
 * stops new fast-path readers).  Cost: a cmpxchg to lock, a byte store
 * to unlock.
 */
void write_lock(struct klock *kl, rwlock_t *lock);
void write_unlock(struct klock *kl, rwlock_t *lock);
/* Trylocks: return true if acquired; never wait.  Cost: a load, then an
 * RMW if the word looked free (read_trylock backs its bias out on a
 * race with a writer: a second RMW). */
bool read_trylock(struct klock *kl, rwlock_t *lock);
bool write_trylock(struct klock *kl, rwlock_t *lock);
/* For asserts: a writer holds it (host read, no cost). */
bool rwlock_is_write_locked_peek(const rwlock_t *lock);

/* ---- seqcount_t, seqlock_t (seqlock.c) ----
 *
 * A reader does
 *     do { seq = read_seqcount_begin(kl, s); ...reads...; }
 *     while (read_seqcount_retry(kl, s, seq));
 * and must treat what it read before a retry as garbage (it may have
 * seen a half-done update).  Writers of a bare seqcount_t must be
 * serialized by the caller; seqlock_t carries its own spinlock_t.
 */
typedef struct {
	uint32_t sequence;
} seqcount_t;

typedef struct {
	seqcount_t seqcount;
	spinlock_t lock;
} seqlock_t;

/* Init: one store each (seqlock: two).  Context: simulated CPU. */
void seqcount_init(seqcount_t *s);
void seqlock_init(seqlock_t *sl);
/*
 * read_seqcount_begin - wait while a write is in progress (odd), return
 * the even sequence.  Context: simulated CPU; may wait for a writer.
 * Cost: one load (hit unless written since), smp_rmb.
 */
uint32_t read_seqcount_begin(struct klock *kl, const seqcount_t *s);
/*
 * read_seqcount_retry - did a writer run since begin returned start?
 * Return: true if the section must be retried.  Cost: smp_rmb, one load.
 */
bool read_seqcount_retry(struct klock *kl, const seqcount_t *s, uint32_t start);
/* write_seqcount_begin/end - make the sequence odd / even again (plain
 * load + store each, with smp_wmb).  The caller serializes writers. */
void write_seqcount_begin(struct klock *kl, seqcount_t *s);
void write_seqcount_end(struct klock *kl, seqcount_t *s);
/* The seqlock_t forms: the above on sl->seqcount; write_seqlock takes
 * sl->lock first, write_sequnlock releases it last. */
uint32_t read_seqbegin(struct klock *kl, const seqlock_t *sl);
bool read_seqretry(struct klock *kl, const seqlock_t *sl, uint32_t start);
void write_seqlock(struct klock *kl, seqlock_t *sl);
void write_sequnlock(struct klock *kl, seqlock_t *sl);

/*
 * A list_head in simulated memory, NULL-terminated instead of circular so
 * that zeroed memory is an empty list (the lock needs no init): in a
 * lock, first and last waiter; in a waiter, its neighbours.  Same
 * accesses as Linux's list_add_tail()/list_del().
 */
struct klist {
	struct klist *next;
	struct klist *prev;
};

/* ---- struct mutex (mutex.c) ----
 *
 * Linux v6's layout, 32 bytes, 8-byte aligned, on the caller's line:
 * owner (task address | MUTEX_FLAG_*), wait_lock, osq, wait_list.  Zeroed
 * memory is an unlocked mutex.
 */
struct mutex {
	uint64_t owner;
	spinlock_t wait_lock;
	uint32_t osq;
	struct klist wait_list;
};

/* mutex_init - unlocked.  Context: simulated CPU.  Cost: stores to the
 * mutex's line. */
void mutex_init(struct mutex *m);
/*
 * mutex_lock - acquire; if taken, spin on the owner while it runs
 * (optimistic spinning behind the OSQ), else queue on wait_list and
 * sleep (consuming no cycles) until the unlocker wakes this task.
 * Context: simulated CPU; may sleep.  Cost: uncontended one cmpxchg of
 * the owner word; see mutex.c for the slow path.
 */
void mutex_lock(struct klock *kl, struct mutex *m);
/* mutex_trylock - acquire if free.  Return: true if acquired.  Cost: a
 * load and a cmpxchg of the owner word. */
bool mutex_trylock(struct klock *kl, struct mutex *m);
/* mutex_unlock - release; wakes the first waiter if any (its wake-up
 * cost is paid here).  Context: simulated CPU. */
void mutex_unlock(struct klock *kl, struct mutex *m);

/* ---- struct rw_semaphore (rwsem.c) ----
 *
 * Linux v6's layout, 40 bytes, 8-byte aligned: count, owner, osq,
 * wait_lock, wait_list.  Zeroed memory is an unlocked rwsem.
 */
struct rw_semaphore {
	uint64_t count;
	uint64_t owner;
	uint32_t osq;
	spinlock_t wait_lock;
	struct klist wait_list;
};

/* init_rwsem - unlocked.  Context: simulated CPU.  Cost: stores. */
void init_rwsem(struct rw_semaphore *sem);
/*
 * down_read / down_write - acquire shared / exclusive; a task that must
 * wait queues on wait_list and sleeps (no cycles) until woken.  Readers
 * queue behind a waiting writer while readers hold the lock (writer
 * preference); a waiter that waited longer than RWSEM_WAIT_TIMEOUT (4 ms)
 * forces a handoff to itself.  Context: simulated CPU; may sleep.
 * Cost: uncontended one RMW of count (+ an owner load/store for readers,
 * an owner store for writers).
 */
void down_read(struct klock *kl, struct rw_semaphore *sem);
void down_write(struct klock *kl, struct rw_semaphore *sem);
/* Trylocks: true if acquired; never sleep. */
bool down_read_trylock(struct klock *kl, struct rw_semaphore *sem);
bool down_write_trylock(struct klock *kl, struct rw_semaphore *sem);
/* up_read / up_write - release; the last one out wakes waiters (the
 * waker pays the wake-ups).  Context: simulated CPU. */
void up_read(struct klock *kl, struct rw_semaphore *sem);
void up_write(struct klock *kl, struct rw_semaphore *sem);

/*
 * An rw_semaphore implementation (the functions above are Linux v6's).
 * A caller that models an older kernel calls through one of these; the
 * same struct rw_semaphore (zeroed: unlocked in both) must always be used
 * through the same table.  Contracts as down_read() ... up_write() above,
 * except where the flavour's file says otherwise.
 *   rwsem_ops_v6   rwsem.c: the functions above (lock stealing, handoff)
 *   rwsem_ops_v35  rwsem_v35.c: Linux 3.5's lib/rwsem.c (x86 xadd): the
 *                  lock is granted to the first waiter(s) at wake-up
 *                  time, no stealing, no spinning (a convoy)
 */
struct rwsem_ops {
	const char *name;
	void (*down_read)(struct klock *kl, struct rw_semaphore *sem);
	bool (*down_read_trylock)(struct klock *kl, struct rw_semaphore *sem);
	void (*up_read)(struct klock *kl, struct rw_semaphore *sem);
	void (*down_write)(struct klock *kl, struct rw_semaphore *sem);
	bool (*down_write_trylock)(struct klock *kl, struct rw_semaphore *sem);
	void (*up_write)(struct klock *kl, struct rw_semaphore *sem);
};
extern const struct rwsem_ops rwsem_ops_v6;
extern const struct rwsem_ops rwsem_ops_v35;

#endif
