// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * struct rw_semaphore as Linux 3.5 has it on x86-64 (the xadd variant
 * of lib/rwsem.c, before lock stealing): one signed count word and a
 * wait list under wait_lock.  The lock is GRANTED at wake-up time: when
 * the last holder leaves and tasks wait, the waker adds the first
 * waiter's bias to count while that task still sleeps (a writer at the
 * head gets the write lock, the readers at the head all get read locks
 * in one batch), then wakes it.  Until the woken task has been switched
 * back in and has run its critical section, the lock is held by a task
 * that is not running, and every task that arrives meanwhile -- a running
 * writer too -- finds count non-zero and queues: every contended handoff
 * costs a wake-up and a switch-in (a convoy).  Writers could steal only
 * from 3.10 ("rwsem: implement writer lock-stealing"), and spin on the
 * owner only from 3.16.
 *
 * SOURCE: torvalds/linux v3.5 lib/rwsem.c (__rwsem_do_wake() with
 * RWSEM_WAKE_ANY / _NO_ACTIVE / _READ_OWNED, rwsem_down_failed_common(),
 * rwsem_down_read_failed(), rwsem_down_write_failed(), rwsem_wake()),
 * arch/x86/include/asm/rwsem.h (__down_read, __down_read_trylock,
 * __down_write_nested, __down_write_trylock, __up_read, __up_write and
 * the count layout) and arch/x86/lib/rwsem.S (call_rwsem_wake: wake only
 * if the active part dropped to zero).
 *
 * Layout (struct rw_semaphore in klock.h; only count, wait_lock and
 * wait_list are used: 3.5 has no owner or osq field):
 *   count: signed 64 bits; the low 32 bits (RWSEM_ACTIVE_MASK) count
 *          active lockers (RWSEM_ACTIVE_BIAS each; a writer is one of
 *          them), and RWSEM_WAITING_BIAS (-2^32) is added once while the
 *          wait list is not empty and once by an active writer
 *          (RWSEM_ACTIVE_WRITE_BIAS = WAITING_BIAS + ACTIVE_BIAS).  xadd
 *          by every locker and unlocker, adds by the waker that grants.
 *   wait_lock, wait_list: slow paths; each waiter is line 1 of its task;
 *          waiter->task is cleared by the waker that granted the lock.
 *
 * Invariants: count >= 0 iff no writer holds or waits and the list is
 * empty; a waiter whose task field is NULL holds the lock (its bias is in
 * count) and is no longer on the list; the wake-ups happen under
 * wait_lock (3.5 has no wake_q).
 *
 * MODEL: the woken task's delay until it runs is klock_schedule()'s
 * context_switch after the waker's wake_up_process(), the same flat cost
 * as the v6 flavour: no run-queue, no idle-state exit latency of the
 * wakee's CPU (ben's Westmere-EX in C-states would add more: the convoy
 * here is, if anything, shorter than on ben).  No signals (down_*_killable),
 * no downgrade_write, no lockdep.  The list splice that removes a batch
 * of granted readers is 3.5's (the head's next and the new first
 * waiter's prev, one store each).
 */
#include <glib.h>

#include "engine.h"
#include "klock_impl.h"

#define RWSEM_UNLOCKED_VALUE 0
#define RWSEM_ACTIVE_BIAS 1
#define RWSEM_ACTIVE_MASK 0xffffffffll
#define RWSEM_WAITING_BIAS (-RWSEM_ACTIVE_MASK - 1)
#define RWSEM_ACTIVE_READ_BIAS RWSEM_ACTIVE_BIAS
#define RWSEM_ACTIVE_WRITE_BIAS (RWSEM_WAITING_BIAS + RWSEM_ACTIVE_BIAS)

/* lib/rwsem.c's waiter flags (kept in klock_waiter.type). */
#define RWSEM_WAITING_FOR_READ 0x1u
#define RWSEM_WAITING_FOR_WRITE 0x2u

/* __rwsem_do_wake()'s wake_type. */
#define RWSEM_WAKE_ANY 0        /* wake whatever is at the head of the list */
#define RWSEM_WAKE_NO_ACTIVE 1  /* the count was seen with no active locker */
#define RWSEM_WAKE_READ_OWNED 2 /* the count was seen read-owned */

static inline struct klock_waiter *
waiter_of(struct klist *l)
{
	return (struct klock_waiter *)(void *)l;   /* list is the first member */
}

/* rwsem_atomic_update(): xadd, returning the new value. */
static inline int64_t
rwsem_atomic_update(int64_t delta, struct rw_semaphore *sem)
{
	return (int64_t)sim_faa64(&sem->count, (uint64_t)delta) + delta;
}

/* Grant: clear waiter->task (after smp_mb), then wake_up_process(). */
static void
rwsem_grant(struct klock *kl, struct klock_waiter *waiter)
{
	struct klock_task *tsk = sim_loadp((void *const *)&waiter->task);
	sim_fence_full();                       /* smp_mb() */
	sim_storep(&waiter->task, NULL);
	klock_wake_up_process(kl, tsk);
}

/*
 * SOURCE: __rwsem_do_wake().  Context: wait_lock held, list not empty.
 * A writer at the head is granted the lock only if the active part of
 * count goes 0 -> 1 under its bias; readers at the head are all granted.
 */
static void
__rwsem_do_wake(struct klock *kl, struct rw_semaphore *sem, int wake_type)
{
	struct klist *first = klist_first(&sem->wait_list);
	struct klock_waiter *waiter = waiter_of(first);
	int64_t oldcount, adjustment;

	if (!(sim_load32(&waiter->type) & RWSEM_WAITING_FOR_WRITE))
		goto readers_only;
	if (wake_type == RWSEM_WAKE_READ_OWNED)
		return;         /* another reader is active: the writer cannot go */
	adjustment = RWSEM_ACTIVE_WRITE_BIAS;
	if (sim_loadp((void *const *)&first->next) == NULL)
		adjustment -= RWSEM_WAITING_BIAS;       /* last waiter */
	for (;;) {
		oldcount = rwsem_atomic_update(adjustment, sem) - adjustment;
		if (!(oldcount & RWSEM_ACTIVE_MASK))
			break;
		/* Someone grabbed it already: undo, unless it went 1 -> 0. */
		if (rwsem_atomic_update(-adjustment, sem) & RWSEM_ACTIVE_MASK)
			return;
	}
	klist_del(&sem->wait_list, first);
	rwsem_grant(kl, waiter);
	return;

readers_only:
	/* A dummy update takes the line exclusive, and says whether a
	 * writer took the lock since up_xxx() looked. */
	if (wake_type == RWSEM_WAKE_ANY &&
	    rwsem_atomic_update(0, sem) < RWSEM_WAITING_BIAS)
		return;
	/* Grant every reader at the head of the list. */
	int64_t woken = 0;
	struct klist *pos = first, *next;
	bool all_readers;
	for (;;) {
		woken++;
		next = sim_loadp((void *const *)&pos->next);
		if (next == NULL) {
			all_readers = true;
			break;
		}
		pos = next;
		if (!(sim_load32(&waiter_of(pos)->type) & RWSEM_WAITING_FOR_READ)) {
			all_readers = false;
			break;
		}
	}
	adjustment = woken * RWSEM_ACTIVE_READ_BIAS;
	if (all_readers)
		adjustment -= RWSEM_WAITING_BIAS;
	(void)rwsem_atomic_update(adjustment, sem);   /* rwsem_atomic_add() */
	next = first;
	for (int64_t loop = woken; loop > 0; loop--) {
		struct klist *cur = next;
		next = sim_loadp((void *const *)&cur->next);
		rwsem_grant(kl, waiter_of(cur));
	}
	/* sem->wait_list.next = next; next->prev = &sem->wait_list.  The
	 * granted waiters cannot requeue meanwhile: that needs wait_lock. */
	sim_storep((void **)&sem->wait_list.next, next);
	if (next)
		sim_storep((void **)&next->prev, NULL);
	else
		sim_storep((void **)&sem->wait_list.prev, NULL);
}

/*
 * SOURCE: rwsem_down_failed_common().  Queue with adjustment (backing out
 * the caller's fast-path bias, adding WAITING_BIAS if first), wake the
 * head if count shows nobody active (or a read-owned lock that a failed
 * writer queued behind), then sleep until granted.
 */
static void
rwsem_down_failed_common(struct klock *kl, struct rw_semaphore *sem, uint32_t flags,
			 int64_t adjustment)
{
	struct klock_task *tsk = klock_current(kl);
	struct klock_waiter *waiter = &tsk->w;

	klock_set_current_state(kl, TASK_UNINTERRUPTIBLE);
	spin_lock(kl, &sem->wait_lock);
	sim_storep(&waiter->task, tsk);
	sim_store32(&waiter->type, flags);
	if (klist_first(&sem->wait_list) == NULL)
		adjustment += RWSEM_WAITING_BIAS;
	klist_add_tail(&sem->wait_list, &waiter->list);
	int64_t count = rwsem_atomic_update(adjustment, sem);
	if (count == RWSEM_WAITING_BIAS)
		__rwsem_do_wake(kl, sem, RWSEM_WAKE_NO_ACTIVE);
	else if (count > RWSEM_WAITING_BIAS && adjustment == -RWSEM_ACTIVE_WRITE_BIAS)
		__rwsem_do_wake(kl, sem, RWSEM_WAKE_READ_OWNED);
	spin_unlock(kl, &sem->wait_lock);

	for (;;) {
		if (sim_loadp_acq((void *const *)&waiter->task) == NULL)
			break;
		klock_schedule(kl);
		klock_set_current_state(kl, TASK_UNINTERRUPTIBLE);
	}
	sim_store32(&tsk->state, TASK_RUNNING);
}

/* SOURCE: rwsem_wake().  Context: the active part of count reached 0
 * with waiters queued. */
static void
rwsem_wake(struct klock *kl, struct rw_semaphore *sem)
{
	spin_lock(kl, &sem->wait_lock);
	if (klist_first(&sem->wait_list))
		__rwsem_do_wake(kl, sem, RWSEM_WAKE_ANY);
	spin_unlock(kl, &sem->wait_lock);
}

/* __down_read: incq; negative (a writer holds or waits, or the list is
 * not empty) -> rwsem_down_read_failed(). */
static void
down_read_v35(struct klock *kl, struct rw_semaphore *sem)
{
	kl->n.rwsem_read_acquired++;
	if (rwsem_atomic_update(RWSEM_ACTIVE_READ_BIAS, sem) >= 0)
		return;
	kl->n.rwsem_read_slowpath++;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	rwsem_down_failed_common(kl, sem, RWSEM_WAITING_FOR_READ, -RWSEM_ACTIVE_READ_BIAS);
	sim_cause_pop(c);
}

/* __down_read_trylock: cmpxchg loop while count + 1 stays positive. */
static bool
down_read_trylock_v35(struct klock *kl, struct rw_semaphore *sem)
{
	int64_t tmp = (int64_t)sim_load64(&sem->count);
	while (tmp + RWSEM_ACTIVE_READ_BIAS > 0) {
		int64_t old = (int64_t)sim_cas64(&sem->count, (uint64_t)tmp,
						 (uint64_t)(tmp + RWSEM_ACTIVE_READ_BIAS));
		if (old == tmp) {
			kl->n.rwsem_read_acquired++;
			return true;
		}
		tmp = old;
	}
	return false;
}

/* __up_read: xadd -1; the new count negative with no active locker left
 * -> rwsem_wake() (call_rwsem_wake's test of the low half). */
static void
up_read_v35(struct klock *kl, struct rw_semaphore *sem)
{
	int64_t tmp = rwsem_atomic_update(-RWSEM_ACTIVE_READ_BIAS, sem);
	if (tmp < 0 && !(tmp & RWSEM_ACTIVE_MASK))
		rwsem_wake(kl, sem);
}

/* __down_write_nested: xadd ACTIVE_WRITE_BIAS; any old count other than
 * 0 (an active locker or a queued waiter) -> rwsem_down_write_failed(). */
static void
down_write_v35(struct klock *kl, struct rw_semaphore *sem)
{
	kl->n.rwsem_write_acquired++;
	if (rwsem_atomic_update(RWSEM_ACTIVE_WRITE_BIAS, sem) == RWSEM_ACTIVE_WRITE_BIAS)
		return;
	kl->n.rwsem_write_slowpath++;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	rwsem_down_failed_common(kl, sem, RWSEM_WAITING_FOR_WRITE, -RWSEM_ACTIVE_WRITE_BIAS);
	sim_cause_pop(c);
}

/* __down_write_trylock: cmpxchg 0 -> ACTIVE_WRITE_BIAS. */
static bool
down_write_trylock_v35(struct klock *kl, struct rw_semaphore *sem)
{
	if (sim_cas64(&sem->count, RWSEM_UNLOCKED_VALUE, (uint64_t)RWSEM_ACTIVE_WRITE_BIAS) !=
	    RWSEM_UNLOCKED_VALUE)
		return false;
	kl->n.rwsem_write_acquired++;
	return true;
}

/* __up_write: xadd -ACTIVE_WRITE_BIAS; waiters and no active locker left
 * -> rwsem_wake(). */
static void
up_write_v35(struct klock *kl, struct rw_semaphore *sem)
{
	int64_t tmp = rwsem_atomic_update(-RWSEM_ACTIVE_WRITE_BIAS, sem);
	if (tmp < 0 && !(tmp & RWSEM_ACTIVE_MASK))
		rwsem_wake(kl, sem);
}

const struct rwsem_ops rwsem_ops_v35 = {
	.name = "v3.5",
	.down_read = down_read_v35,
	.down_read_trylock = down_read_trylock_v35,
	.up_read = up_read_v35,
	.down_write = down_write_v35,
	.down_write_trylock = down_write_trylock_v35,
	.up_write = up_write_v35,
};
