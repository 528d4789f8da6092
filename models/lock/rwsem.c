// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * struct rw_semaphore as Linux v6 has it (the Waiman Long rewrite): one
 * count word (reader count, writer bit, waiter and handoff flags), an
 * owner word, and a wait list under wait_lock whose tasks sleep until
 * woken.  Readers that find a writer, or readers while a writer waits
 * and readers hold the lock, queue and sleep; a released lock wakes the
 * first waiter: a writer (which then tries for the lock itself) or a
 * batch of up to MAX_READERS_WAKEUP readers (granted by the waker).  A
 * waiter that has waited longer than RWSEM_WAIT_TIMEOUT sets
 * RWSEM_FLAG_HANDOFF, which stops lock stealing until it gets the lock.
 *
 * SOURCE: torvalds/linux v6.6 kernel/locking/rwsem.c rwsem_read_trylock(),
 * rwsem_write_trylock(), rwsem_down_read_slowpath(),
 * rwsem_down_write_slowpath(), rwsem_try_write_lock(), rwsem_mark_wake(),
 * rwsem_cond_wake_waiter(), rwsem_wake(), __up_read(), __up_write(),
 * __down_read_trylock(), __rwsem_set_reader_owned().
 *
 * Layout (struct rw_semaphore in klock.h, 40 bytes on the caller's line):
 *   count:  bit 0 RWSEM_WRITER_LOCKED, bit 1 RWSEM_FLAG_WAITERS, bit 2
 *           RWSEM_FLAG_HANDOFF, bits 8-62 readers, bit 63 READFAIL; xadd
 *           by every reader, cmpxchg by writers, adds by wakers
 *   owner:  the writer's task, or the last reader's | RWSEM_READER_OWNED;
 *           load + store by every reader, store by writers
 *   wait_lock, wait_list: slow paths; each waiter is line 1 of its task
 *
 * Invariants: a writer holds it iff WRITER_LOCKED, and then no reader
 * does; FLAG_WAITERS is set while wait_list is not empty; a reader waiter
 * whose task field is NULL has been granted the lock.
 *
 * MODEL: no optimistic spinning on the owner (Linux v6 lets writers spin
 * while a writer owner runs, and a handoff waiter spin before sleeping):
 * here every waiting writer sleeps, so short write sections pay more
 * sleeps and wake-ups than in Linux.  The osq word is laid out but
 * unused.  No signals, no RT tasks, no debug owner checks.
 */
#include <glib.h>

#include "engine.h"
#include "klock_impl.h"

#define RWSEM_WRITER_LOCKED (1ull << 0)
#define RWSEM_FLAG_WAITERS (1ull << 1)
#define RWSEM_FLAG_HANDOFF (1ull << 2)
#define RWSEM_FLAG_READFAIL (1ull << 63)
#define RWSEM_READER_SHIFT 8
#define RWSEM_READER_BIAS (1ull << RWSEM_READER_SHIFT)
#define RWSEM_READER_MASK (~(RWSEM_READER_BIAS - 1))
#define RWSEM_WRITER_MASK RWSEM_WRITER_LOCKED
#define RWSEM_LOCK_MASK (RWSEM_WRITER_MASK | RWSEM_READER_MASK)
#define RWSEM_READ_FAILED_MASK \
	(RWSEM_WRITER_MASK | RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF | RWSEM_FLAG_READFAIL)
#define RWSEM_READER_OWNED (1ull << 0)
#define RWSEM_NONSPINNABLE (1ull << 1)
#define MAX_READERS_WAKEUP 0x100

enum rwsem_waiter_type { RWSEM_WAITING_FOR_WRITE, RWSEM_WAITING_FOR_READ };
enum rwsem_wake_type { RWSEM_WAKE_ANY, RWSEM_WAKE_READERS, RWSEM_WAKE_READ_OWNED };

static inline struct klock_waiter *
waiter_of(struct klist *l)
{
	return (struct klock_waiter *)(void *)l;   /* list is the first member */
}

void
init_rwsem(struct rw_semaphore *sem)
{
	sim_store64(&sem->count, 0);
	sim_store64(&sem->owner, 0);
	sim_store32(&sem->osq, 0);
	spin_lock_init(&sem->wait_lock);
	sim_storep((void **)&sem->wait_list.next, NULL);
	sim_storep((void **)&sem->wait_list.prev, NULL);
}

/* SOURCE: __rwsem_set_reader_owned(). */
static void
rwsem_set_reader_owned(struct rw_semaphore *sem, struct klock_task *owner)
{
	uint64_t val = klock_task_word(owner) | RWSEM_READER_OWNED |
		       (sim_load64(&sem->owner) & RWSEM_NONSPINNABLE);
	sim_store64(&sem->owner, val);
}

/* wake_q: the tasks to wake once wait_lock is dropped (host side: it is
 * on the waker's stack in Linux). */
struct wake_q {
	GPtrArray *tasks;
};

static void
wake_up_q(struct klock *kl, struct wake_q *wq)
{
	for (guint i = 0; i < wq->tasks->len; i++)
		klock_wake_up_process(kl, g_ptr_array_index(wq->tasks, i));
	g_ptr_array_set_size(wq->tasks, 0);
}

/* SOURCE: rwsem_mark_wake().  Context: wait_lock held, list not empty. */
static void
rwsem_mark_wake(struct klock *kl, struct rw_semaphore *sem, enum rwsem_wake_type wake_type,
		struct wake_q *wq)
{
	struct klock_waiter *waiter = waiter_of(klist_first(&sem->wait_list));
	if (sim_load32(&waiter->type) == RWSEM_WAITING_FOR_WRITE) {
		if (wake_type == RWSEM_WAKE_ANY)
			g_ptr_array_add(wq->tasks, sim_loadp((void *const *)&waiter->task));
		return;
	}
	/* No reader wakeup if there are too many of them already. */
	if ((int64_t)sim_load64(&sem->count) < 0)
		return;
	uint64_t adjustment = 0;
	if (wake_type != RWSEM_WAKE_READ_OWNED) {
		adjustment = RWSEM_READER_BIAS;
		uint64_t oldcount = sim_faa64(&sem->count, adjustment);
		if (oldcount & RWSEM_WRITER_MASK) {
			/* A writer stole it: after a long wait, force a handoff. */
			if (sim_now() > sim_load64(&waiter->timeout)) {
				if (!(oldcount & RWSEM_FLAG_HANDOFF)) {
					adjustment -= RWSEM_FLAG_HANDOFF;
					kl->n.rwsem_handoff++;
				}
				sim_store32(&waiter->handoff_set, 1);
			}
			(void)sim_faa64(&sem->count, -adjustment);
			return;
		}
		rwsem_set_reader_owned(sem, sim_loadp((void *const *)&waiter->task));
	}
	/* Grant the read lock to every reader in the queue (up to the cap). */
	GPtrArray *wlist = g_ptr_array_new();
	struct klist *pos = klist_first(&sem->wait_list);
	while (pos) {
		struct klist *next = sim_loadp((void *const *)&pos->next);
		struct klock_waiter *w = waiter_of(pos);
		if (sim_load32(&w->type) == RWSEM_WAITING_FOR_READ) {
			klist_del(&sem->wait_list, pos);
			g_ptr_array_add(wlist, w);
			if (wlist->len >= MAX_READERS_WAKEUP)
				break;
		}
		pos = next;
	}
	adjustment = wlist->len * RWSEM_READER_BIAS - adjustment;
	uint64_t oldcount = sim_load64(&sem->count);
	if (klist_first(&sem->wait_list) == NULL) {
		adjustment -= RWSEM_FLAG_WAITERS;
		if (oldcount & RWSEM_FLAG_HANDOFF)
			adjustment -= RWSEM_FLAG_HANDOFF;
	} else if (wlist->len) {
		if (oldcount & RWSEM_FLAG_HANDOFF)
			adjustment -= RWSEM_FLAG_HANDOFF;
	}
	if (adjustment)
		(void)sim_faa64(&sem->count, adjustment);
	/* Second pass: grant (task = NULL), then queue the wake-up. */
	for (guint i = 0; i < wlist->len; i++) {
		struct klock_waiter *w = g_ptr_array_index(wlist, i);
		struct klock_task *tsk = sim_loadp((void *const *)&w->task);
		sim_fence_release();
		sim_storep(&w->task, NULL);
		g_ptr_array_add(wq->tasks, tsk);
	}
	g_ptr_array_free(wlist, TRUE);
}

/* SOURCE: rwsem_cond_wake_waiter(). */
static void
rwsem_cond_wake_waiter(struct klock *kl, struct rw_semaphore *sem, uint64_t count,
		       struct wake_q *wq)
{
	if (count & RWSEM_WRITER_MASK)
		return;
	rwsem_mark_wake(kl, sem, (count & RWSEM_READER_MASK) ? RWSEM_WAKE_READERS :
			RWSEM_WAKE_ANY, wq);
}

/* SOURCE: rwsem_wake(). */
static void
rwsem_wake(struct klock *kl, struct rw_semaphore *sem)
{
	struct wake_q wq = { g_ptr_array_new() };
	spin_lock(kl, &sem->wait_lock);
	if (klist_first(&sem->wait_list))
		rwsem_mark_wake(kl, sem, RWSEM_WAKE_ANY, &wq);
	spin_unlock(kl, &sem->wait_lock);
	wake_up_q(kl, &wq);
	g_ptr_array_free(wq.tasks, TRUE);
}

static void
waiter_init(struct klock *kl, struct klock_waiter *w, struct klock_task *curr,
	    enum rwsem_waiter_type type)
{
	sim_storep(&w->task, curr);
	sim_store32(&w->type, type);
	sim_store64(&w->timeout, sim_now() + kl->rwsem_wait_timeout);
	sim_store32(&w->handoff_set, 0);
}

/* SOURCE: rwsem_down_read_slowpath().  Step 1: steal if no writer; 2:
 * queue (or leave at once if the list is empty and no writer holds it);
 * 3: sleep until granted. */
static void
rwsem_down_read_slowpath(struct klock *kl, struct rw_semaphore *sem, uint64_t count)
{
	struct klock_task *curr = klock_current(kl);
	uint64_t adjustment = -RWSEM_READER_BIAS;
	uint64_t rcnt = count >> RWSEM_READER_SHIFT;
	struct wake_q wq = { g_ptr_array_new() };
	kl->n.rwsem_read_slowpath++;
	/* Step 1: a stream of readers must not starve a sleeping writer. */
	if (!((sim_load64(&sem->owner) & RWSEM_READER_OWNED) && rcnt > 1 &&
	      !(count & RWSEM_WRITER_LOCKED)) &&
	    !(count & (RWSEM_WRITER_LOCKED | RWSEM_FLAG_HANDOFF))) {
		rwsem_set_reader_owned(sem, curr);
		kl->n.rwsem_read_steal++;
		if (rcnt == 1 && (count & RWSEM_FLAG_WAITERS)) {
			spin_lock(kl, &sem->wait_lock);
			if (klist_first(&sem->wait_list))
				rwsem_mark_wake(kl, sem, RWSEM_WAKE_READ_OWNED, &wq);
			spin_unlock(kl, &sem->wait_lock);
			wake_up_q(kl, &wq);
		}
		goto out;
	}
	/* Step 2. */
	struct klock_waiter *waiter = &curr->w;
	waiter_init(kl, waiter, curr, RWSEM_WAITING_FOR_READ);
	spin_lock(kl, &sem->wait_lock);
	if (klist_first(&sem->wait_list) == NULL) {
		if (!(sim_load64(&sem->count) & RWSEM_WRITER_MASK)) {
			spin_unlock(kl, &sem->wait_lock);
			rwsem_set_reader_owned(sem, curr);
			goto out;
		}
		adjustment += RWSEM_FLAG_WAITERS;
	}
	klist_add_tail(&sem->wait_list, &waiter->list);
	count = sim_faa64(&sem->count, adjustment) + adjustment;
	rwsem_cond_wake_waiter(kl, sem, count, &wq);
	spin_unlock(kl, &sem->wait_lock);
	wake_up_q(kl, &wq);
	/* Step 3. */
	for (;;) {
		klock_set_current_state(kl, TASK_UNINTERRUPTIBLE);
		if (sim_loadp_acq((void *const *)&waiter->task) == NULL)
			break;
		klock_schedule(kl);
	}
	sim_store32(&curr->state, TASK_RUNNING);
out:
	g_ptr_array_free(wq.tasks, TRUE);
}

void
down_read(struct klock *kl, struct rw_semaphore *sem)
{
	uint64_t count = sim_faa64(&sem->count, RWSEM_READER_BIAS) + RWSEM_READER_BIAS;
	kl->n.rwsem_read_acquired++;
	if (!(count & RWSEM_READ_FAILED_MASK)) {
		rwsem_set_reader_owned(sem, klock_current(kl));
		return;
	}
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	rwsem_down_read_slowpath(kl, sem, count);
	sim_cause_pop(c);
}

bool
down_read_trylock(struct klock *kl, struct rw_semaphore *sem)
{
	uint64_t tmp = sim_load64(&sem->count);
	while (!(tmp & RWSEM_READ_FAILED_MASK)) {
		uint64_t old = sim_cas64(&sem->count, tmp, tmp + RWSEM_READER_BIAS);
		if (old == tmp) {
			rwsem_set_reader_owned(sem, klock_current(kl));
			kl->n.rwsem_read_acquired++;
			return true;
		}
		tmp = old;
	}
	return false;
}

/* SOURCE: __up_read(). */
void
up_read(struct klock *kl, struct rw_semaphore *sem)
{
	uint64_t tmp = sim_faa64(&sem->count, -RWSEM_READER_BIAS) - RWSEM_READER_BIAS;
	if ((tmp & (RWSEM_LOCK_MASK | RWSEM_FLAG_WAITERS)) == RWSEM_FLAG_WAITERS)
		rwsem_wake(kl, sem);
}

/* SOURCE: rwsem_try_write_lock().  Context: wait_lock held. */
static bool
rwsem_try_write_lock(struct klock *kl, struct rw_semaphore *sem, struct klock_waiter *waiter)
{
	struct klock_waiter *first = waiter_of(klist_first(&sem->wait_list));
	uint64_t count = sim_load64(&sem->count), nv;
	for (;;) {
		bool has_handoff = count & RWSEM_FLAG_HANDOFF;
		if (has_handoff && waiter != first && sim_load32(&first->handoff_set))
			return false;
		nv = count;
		if (count & RWSEM_LOCK_MASK) {
			if (has_handoff || sim_now() <= sim_load64(&waiter->timeout))
				return false;
			nv |= RWSEM_FLAG_HANDOFF;
		} else {
			nv |= RWSEM_WRITER_LOCKED;
			nv &= ~RWSEM_FLAG_HANDOFF;
			if (klist_is_singular(&sem->wait_list))
				nv &= ~RWSEM_FLAG_WAITERS;
		}
		uint64_t old = sim_cas64(&sem->count, count, nv);
		if (old == count)
			break;
		count = old;
	}
	if (nv & RWSEM_FLAG_HANDOFF) {
		sim_store32(&first->handoff_set, 1);
		kl->n.rwsem_handoff++;
		return false;
	}
	klist_del(&sem->wait_list, &waiter->list);
	sim_store64(&sem->owner, klock_task_word(klock_current(kl)));   /* rwsem_set_owner() */
	return true;
}

/* SOURCE: rwsem_down_write_slowpath() without optimistic spinning. */
static void
rwsem_down_write_slowpath(struct klock *kl, struct rw_semaphore *sem)
{
	struct klock_task *curr = klock_current(kl);
	struct klock_waiter *waiter = &curr->w;
	struct wake_q wq = { g_ptr_array_new() };
	kl->n.rwsem_write_slowpath++;
	waiter_init(kl, waiter, curr, RWSEM_WAITING_FOR_WRITE);
	spin_lock(kl, &sem->wait_lock);
	klist_add_tail(&sem->wait_list, &waiter->list);
	if (klist_first(&sem->wait_list) != &waiter->list) {
		rwsem_cond_wake_waiter(kl, sem, sim_load64(&sem->count), &wq);
		if (wq.tasks->len) {
			spin_unlock(kl, &sem->wait_lock);
			wake_up_q(kl, &wq);
			spin_lock(kl, &sem->wait_lock);
		}
	} else {
		(void)sim_fetch_or64(&sem->count, RWSEM_FLAG_WAITERS);
	}
	klock_set_current_state(kl, TASK_UNINTERRUPTIBLE);
	while (!rwsem_try_write_lock(kl, sem, waiter)) {
		spin_unlock(kl, &sem->wait_lock);
		klock_schedule(kl);
		klock_set_current_state(kl, TASK_UNINTERRUPTIBLE);
		spin_lock(kl, &sem->wait_lock);
	}
	sim_store32(&curr->state, TASK_RUNNING);
	spin_unlock(kl, &sem->wait_lock);
	g_ptr_array_free(wq.tasks, TRUE);
}

void
down_write(struct klock *kl, struct rw_semaphore *sem)
{
	kl->n.rwsem_write_acquired++;
	if (sim_cas64(&sem->count, 0, RWSEM_WRITER_LOCKED) == 0) {
		sim_store64(&sem->owner, klock_task_word(klock_current(kl)));
		return;
	}
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	rwsem_down_write_slowpath(kl, sem);
	sim_cause_pop(c);
}

bool
down_write_trylock(struct klock *kl, struct rw_semaphore *sem)
{
	if (sim_cas64(&sem->count, 0, RWSEM_WRITER_LOCKED) != 0)
		return false;
	sim_store64(&sem->owner, klock_task_word(klock_current(kl)));
	kl->n.rwsem_write_acquired++;
	return true;
}

/* SOURCE: __up_write(). */
void
up_write(struct klock *kl, struct rw_semaphore *sem)
{
	sim_store64(&sem->owner, 0);            /* rwsem_clear_owner() */
	uint64_t tmp = sim_faa64(&sem->count, -RWSEM_WRITER_LOCKED);
	if (tmp & RWSEM_FLAG_WAITERS)
		rwsem_wake(kl, sem);
}

const struct rwsem_ops rwsem_ops_v6 = {
	.name = "v6",
	.down_read = down_read,
	.down_read_trylock = down_read_trylock,
	.up_read = up_read,
	.down_write = down_write,
	.down_write_trylock = down_write_trylock,
	.up_write = up_write,
};
