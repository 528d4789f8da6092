// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * struct mutex as Linux v6 has it: the owner word holds the owning
 * task's address and three flags; a locker that finds it taken first
 * spins on the owner while the owner runs (optimistic spinning, one
 * spinner at a time at the head of the OSQ), then queues on wait_list
 * under wait_lock and sleeps.  The unlocker wakes the first waiter; a
 * woken waiter that loses the race to a spinner asks for a handoff, so
 * the next unlock hands the mutex to it (MUTEX_FLAG_PICKUP).
 *
 * SOURCE: torvalds/linux v6.6 kernel/locking/mutex.c
 * __mutex_trylock_common(), __mutex_trylock_fast(), __mutex_lock_common()
 * (no ww_mutex), mutex_optimistic_spin(), mutex_spin_on_owner(),
 * mutex_can_spin_on_owner(), __mutex_unlock_slowpath(), __mutex_handoff(),
 * __mutex_add_waiter(), __mutex_remove_waiter().
 *
 * Layout (struct mutex in klock.h, 32 bytes on the caller's line):
 *   owner:     cmpxchg by lockers, unlockers and handoffs; read by
 *              spinners (every change wakes them)
 *   wait_lock: spinlock_t of the context's flavour (slow paths only)
 *   osq:       OSQ tail (osq.c)
 *   wait_list: first/last waiter (each waiter is line 1 of its task)
 *
 * Invariants: owner & ~MUTEX_FLAGS is 0 or the holder's task; the holder
 * is unique; MUTEX_FLAG_WAITERS is set while wait_list is not empty
 * (set by the first waiter under wait_lock, cleared by the last one out).
 *
 * Cost: uncontended lock and unlock one cmpxchg each.  A spinner pays
 * the OSQ, one load of the owner's task line (on_cpu) and a re-read of
 * the owner word whenever it changes; a sleeper pays the wait_lock, list
 * stores, context_switch twice and its waker's wakeup.
 *
 * MODEL: no preemption and no need_resched(): a spinner gives up only
 * when the owner sleeps or changes; it re-checks the owner's on_cpu when
 * the owner word changes and at least every MUTEX_SPIN_RECHECK cycles
 * (Linux: every iteration, tens of cycles), so it notices an owner that
 * went to sleep up to that late.
 */
#include <glib.h>

#include "engine.h"
#include "klock_impl.h"

#define MUTEX_FLAG_WAITERS 0x01u
#define MUTEX_FLAG_HANDOFF 0x02u
#define MUTEX_FLAG_PICKUP 0x04u
#define MUTEX_FLAGS 0x07u
#define MUTEX_SPIN_RECHECK 1000u

static inline uint64_t
owner_task(uint64_t owner)
{
	return owner & ~(uint64_t)MUTEX_FLAGS;
}

static inline struct klock_waiter *
waiter_of(struct klist *l)
{
	return (struct klock_waiter *)(void *)l;   /* list is the first member */
}

void
mutex_init(struct mutex *m)
{
	sim_store64(&m->owner, 0);
	spin_lock_init(&m->wait_lock);
	sim_store32(&m->osq, 0);
	sim_storep((void **)&m->wait_list.next, NULL);
	sim_storep((void **)&m->wait_list.prev, NULL);
}

/* SOURCE: __mutex_trylock_common().  Return: 0 if this task now owns it,
 * else the owner task word. */
static uint64_t
mutex_trylock_common(struct klock *kl, struct mutex *m, bool handoff)
{
	uint64_t curr = klock_task_word(klock_current(kl));
	uint64_t owner = sim_load64(&m->owner);
	for (;;) {
		uint64_t flags = owner & MUTEX_FLAGS, task = owner_task(owner);
		if (task) {
			if (flags & MUTEX_FLAG_PICKUP) {
				if (task != curr)
					break;
				flags &= ~(uint64_t)MUTEX_FLAG_PICKUP;
			} else if (handoff) {
				if (flags & MUTEX_FLAG_HANDOFF)
					break;
				flags |= MUTEX_FLAG_HANDOFF;
			} else {
				break;
			}
		} else {
			task = curr;
		}
		uint64_t old = sim_cas64(&m->owner, owner, task | flags);
		if (old == owner) {
			if (task == curr)
				return 0;
			break;
		}
		owner = old;
	}
	return owner_task(owner);
}

/* SOURCE: mutex_spin_on_owner(). */
static bool
mutex_spin_on_owner(struct klock *kl, struct mutex *m, uint64_t owner,
		    struct klock_waiter *waiter)
{
	struct klock_task *ot = (struct klock_task *)(uintptr_t)owner;
	uint64_t w = sim_load64(&m->owner);
	while (owner_task(w) == owner) {
		if (sim_load32(&ot->on_cpu) == 0)
			return false;
		if (waiter && klist_first(&m->wait_list) != &waiter->list)
			return false;
		w = sim_spin_while_eq64_until(&m->owner, w, sim_now() + MUTEX_SPIN_RECHECK);
	}
	(void)kl;
	return true;
}

/* SOURCE: mutex_can_spin_on_owner(). */
static bool
mutex_can_spin_on_owner(struct mutex *m)
{
	uint64_t owner = owner_task(sim_load64(&m->owner));
	if (owner == 0)
		return true;
	return sim_load32(&((struct klock_task *)(uintptr_t)owner)->on_cpu) != 0;
}

/* SOURCE: mutex_optimistic_spin().  Return: true if it took the mutex. */
static bool
mutex_optimistic_spin(struct klock *kl, struct mutex *m, struct klock_waiter *waiter)
{
	if (waiter == NULL) {
		if (!mutex_can_spin_on_owner(m))
			return false;
		if (!osq_lock(kl, &m->osq))
			return false;
	}
	bool got;
	for (;;) {
		uint64_t owner = mutex_trylock_common(kl, m, false);
		if (owner == 0) {
			got = true;
			break;
		}
		if (!mutex_spin_on_owner(kl, m, owner, waiter)) {
			got = false;
			break;
		}
		sim_work(kl->pause);            /* cpu_relax() */
	}
	if (waiter == NULL)
		osq_unlock(kl, &m->osq);
	return got;
}

static bool
waiter_is_first(struct mutex *m, struct klock_waiter *w)
{
	return klist_first(&m->wait_list) == &w->list;
}

/* SOURCE: __mutex_add_waiter(). */
static void
mutex_add_waiter(struct mutex *m, struct klock_waiter *w)
{
	klist_add_tail(&m->wait_list, &w->list);
	if (waiter_is_first(m, w))
		(void)sim_fetch_or64(&m->owner, MUTEX_FLAG_WAITERS);
}

/* SOURCE: __mutex_remove_waiter(). */
static void
mutex_remove_waiter(struct mutex *m, struct klock_waiter *w)
{
	klist_del(&m->wait_list, &w->list);
	if (klist_first(&m->wait_list) == NULL)
		(void)sim_fetch_and64(&m->owner, ~(uint64_t)MUTEX_FLAGS);
}

/* SOURCE: __mutex_lock_common() without ww_mutex.  Step 1: trylock and
 * spin; 2: queue under wait_lock; 3: sleep / retry until acquired;
 * 4: dequeue. */
static void
mutex_lock_slowpath(struct klock *kl, struct mutex *m)
{
	struct klock_task *curr = klock_current(kl);
	struct klock_waiter *waiter = &curr->w;
	/* Step 1. */
	if (mutex_trylock_common(kl, m, false) == 0 || mutex_optimistic_spin(kl, m, NULL)) {
		kl->n.mutex_spin_acquired++;
		return;
	}
	/* Step 2. */
	spin_lock(kl, &m->wait_lock);
	if (mutex_trylock_common(kl, m, false) == 0) {
		spin_unlock(kl, &m->wait_lock);
		kl->n.mutex_spin_acquired++;
		return;
	}
	sim_storep(&waiter->task, curr);
	mutex_add_waiter(m, waiter);
	klock_set_current_state(kl, TASK_UNINTERRUPTIBLE);
	/* Step 3. */
	if (mutex_trylock_common(kl, m, false) != 0) {
		for (;;) {
			spin_unlock(kl, &m->wait_lock);
			klock_schedule(kl);
			bool first = waiter_is_first(m, waiter);
			klock_set_current_state(kl, TASK_UNINTERRUPTIBLE);
			if (mutex_trylock_common(kl, m, first) == 0)
				break;
			if (first && mutex_optimistic_spin(kl, m, waiter))
				break;
			spin_lock(kl, &m->wait_lock);
			if (mutex_trylock_common(kl, m, false) == 0)
				goto acquired;
		}
		spin_lock(kl, &m->wait_lock);
	}
acquired:
	/* Step 4. */
	sim_store32(&curr->state, TASK_RUNNING);
	mutex_remove_waiter(m, waiter);
	spin_unlock(kl, &m->wait_lock);
	kl->n.mutex_sleep_acquired++;
}

void
mutex_lock(struct klock *kl, struct mutex *m)
{
	uint64_t curr = klock_task_word(klock_current(kl));
	kl->n.mutex_acquired++;
	if (sim_cas64(&m->owner, 0, curr) == 0)     /* __mutex_trylock_fast() */
		return;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	kl->n.mutex_slowpath++;
	mutex_lock_slowpath(kl, m);
	sim_cause_pop(c);
}

bool
mutex_trylock(struct klock *kl, struct mutex *m)
{
	if (mutex_trylock_common(kl, m, false) != 0)
		return false;
	kl->n.mutex_acquired++;
	return true;
}

/* SOURCE: __mutex_handoff(). */
static void
mutex_handoff(struct mutex *m, struct klock_task *task)
{
	uint64_t owner = sim_load64(&m->owner);
	for (;;) {
		uint64_t nv = (owner & MUTEX_FLAG_WAITERS) | klock_task_word(task);
		if (task)
			nv |= MUTEX_FLAG_PICKUP;
		uint64_t old = sim_cas64(&m->owner, owner, nv);
		if (old == owner)
			break;
		owner = old;
	}
}

/* SOURCE: __mutex_unlock_fast(), __mutex_unlock_slowpath(). */
void
mutex_unlock(struct klock *kl, struct mutex *m)
{
	uint64_t curr = klock_task_word(klock_current(kl));
	if (sim_cas64(&m->owner, curr, 0) == curr)
		return;
	uint64_t owner = sim_load64(&m->owner);
	g_assert(owner_task(owner) == curr);
	for (;;) {
		if (owner & MUTEX_FLAG_HANDOFF)
			break;
		uint64_t old = sim_cas64(&m->owner, owner, owner & MUTEX_FLAGS);
		if (old == owner) {
			if (owner & MUTEX_FLAG_WAITERS)
				break;
			return;
		}
		owner = old;
	}
	spin_lock(kl, &m->wait_lock);
	struct klock_task *next = NULL;
	struct klist *first = klist_first(&m->wait_list);
	if (first)
		next = sim_loadp((void *const *)&waiter_of(first)->task);
	if (owner & MUTEX_FLAG_HANDOFF) {
		mutex_handoff(m, next);
		kl->n.mutex_handoff++;
	}
	spin_unlock(kl, &m->wait_lock);
	if (next)                               /* wake_up_q() */
		klock_wake_up_process(kl, next);
}
