// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * rwlock_t as Linux's queued reader-writer lock (qrwlock, x86 since
 * v4.2): one count word that readers add _QR_BIAS to, whose low byte a
 * writer sets to _QW_LOCKED, plus a spinlock_t (the context's flavour)
 * that orders the slow paths: a reader that finds a writer, and every
 * writer that cannot take the word at once, queue on it, so waiting
 * writers and readers are served in order.
 *
 * SOURCE: torvalds/linux v6.6 include/asm-generic/qrwlock.h
 * queued_read_lock(), queued_read_trylock(), queued_read_unlock(),
 * queued_write_lock(), queued_write_trylock(), queued_write_unlock();
 * kernel/locking/qrwlock.c queued_read_lock_slowpath(),
 * queued_write_lock_slowpath().
 *
 * Layout (the caller's 8 bytes, on the caller's line):
 *
 *   [ cnts (u32) | wait_lock (spinlock_t) ]
 *     cnts: bits 0-7 wlocked (_QW_LOCKED = 0xff, byte-stored 0 by
 *           write_unlock), bit 8 _QW_WAITING (or'ed in by the writer at
 *           the head of wait_lock), bits 9-31 reader count (xadd by every
 *           reader +-_QR_BIAS)
 *     wait_lock: taken by writers' slow path and by readers that met a
 *           writer
 *
 * Invariants: wlocked is 0 or 0xff; wlocked == 0xff means one writer is
 * inside and no reader is (readers that raced in back out or wait
 * before entering); at most one writer has _QW_WAITING set (it holds
 * wait_lock).
 *
 * Cost: a read pair is two RMWs of the lock's line; uncontended write
 * lock a cmpxchg, unlock a byte store.
 *
 * MODEL: the in-interrupt reader path (spin without queueing on
 * wait_lock) is not modelled; readers always take the process-context
 * slow path.
 */
#include <glib.h>

#include "engine.h"
#include "klock_impl.h"

#define _QW_WAITING 0x100u
#define _QW_LOCKED 0x0ffu
#define _QW_WMASK 0x1ffu
#define _QR_SHIFT 9
#define _QR_BIAS (1u << _QR_SHIFT)

void
rwlock_init(rwlock_t *lock)
{
	sim_store32(&lock->cnts, 0);
	spin_lock_init(&lock->wait_lock);
}

/* atomic_cond_read_acquire(&lock->cnts, !(VAL & mask)) */
static uint32_t
cnts_wait_clear(rwlock_t *lock, uint32_t mask)
{
	uint32_t v = sim_load32(&lock->cnts);
	while (v & mask)
		v = sim_spin_while_eq32(&lock->cnts, v);
	sim_fence_acquire();
	return v;
}

/* SOURCE: queued_read_lock_slowpath() (process context). */
static void
qrw_read_slowpath(struct klock *kl, rwlock_t *lock)
{
	kl->n.rw_read_slowpath++;
	(void)sim_faa32(&lock->cnts, (uint32_t)-_QR_BIAS);
	spin_lock(kl, &lock->wait_lock);
	(void)sim_faa32(&lock->cnts, _QR_BIAS);
	(void)cnts_wait_clear(lock, _QW_LOCKED);
	spin_unlock(kl, &lock->wait_lock);
}

/* SOURCE: queued_read_lock(). */
void
read_lock(struct klock *kl, rwlock_t *lock)
{
	uint32_t cnts = sim_faa32(&lock->cnts, _QR_BIAS) + _QR_BIAS;
	kl->n.rw_read_acquired++;
	if (!(cnts & _QW_WMASK))
		return;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	qrw_read_slowpath(kl, lock);
	sim_cause_pop(c);
}

/* SOURCE: queued_read_trylock(). */
bool
read_trylock(struct klock *kl, rwlock_t *lock)
{
	uint32_t cnts = sim_load32(&lock->cnts);
	if (cnts & _QW_WMASK)
		return false;
	cnts = sim_faa32(&lock->cnts, _QR_BIAS) + _QR_BIAS;
	if (!(cnts & _QW_WMASK)) {
		kl->n.rw_read_acquired++;
		return true;
	}
	(void)sim_faa32(&lock->cnts, (uint32_t)-_QR_BIAS);
	return false;
}

/* SOURCE: queued_read_unlock(): atomic_sub_return_release(_QR_BIAS). */
void
read_unlock(struct klock *kl, rwlock_t *lock)
{
	(void)kl;
	(void)sim_faa32(&lock->cnts, (uint32_t)-_QR_BIAS);
}

/* SOURCE: queued_write_lock_slowpath(). */
static void
qrw_write_slowpath(struct klock *kl, rwlock_t *lock)
{
	kl->n.rw_write_slowpath++;
	spin_lock(kl, &lock->wait_lock);
	/* Try to acquire the lock directly if no reader is present. */
	uint32_t cnts = sim_load32(&lock->cnts);
	if (cnts == 0 && sim_cas32(&lock->cnts, 0, _QW_LOCKED) == 0)
		goto unlock;
	/* Set the waiting flag to notify readers that a writer is pending. */
	(void)sim_fetch_or32(&lock->cnts, _QW_WAITING);
	/* When no more readers or writers, set the locked flag. */
	for (;;) {
		/* atomic_cond_read_relaxed(&lock->cnts, VAL == _QW_WAITING) */
		cnts = sim_load32(&lock->cnts);
		while (cnts != _QW_WAITING)
			cnts = sim_spin_while_eq32(&lock->cnts, cnts);
		if (sim_cas32(&lock->cnts, _QW_WAITING, _QW_LOCKED) == _QW_WAITING)
			break;
	}
	sim_fence_acquire();
unlock:
	spin_unlock(kl, &lock->wait_lock);
}

/* SOURCE: queued_write_lock(). */
void
write_lock(struct klock *kl, rwlock_t *lock)
{
	kl->n.rw_write_acquired++;
	if (sim_cas32(&lock->cnts, 0, _QW_LOCKED) == 0)
		return;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	qrw_write_slowpath(kl, lock);
	sim_cause_pop(c);
}

/* SOURCE: queued_write_trylock(). */
bool
write_trylock(struct klock *kl, rwlock_t *lock)
{
	if (sim_load32(&lock->cnts) != 0)
		return false;
	if (sim_cas32(&lock->cnts, 0, _QW_LOCKED) != 0)
		return false;
	kl->n.rw_write_acquired++;
	return true;
}

/* SOURCE: queued_write_unlock(): smp_store_release(&lock->wlocked, 0). */
void
write_unlock(struct klock *kl, rwlock_t *lock)
{
	(void)kl;
	sim_fence_release();
	sim_store8(&lock->cnts, 0);         /* wlocked is the low byte (little endian) */
}

bool
rwlock_is_write_locked_peek(const rwlock_t *lock)
{
	return (lock->cnts & 0xffu) == _QW_LOCKED;
}
