// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * spinlock_t as a ticket lock: Linux x86's arch_spinlock_t before
 * qspinlock (v2.6.25 to v4.1), with 16-bit tickets (its NR_CPUS >= 256
 * layout).  A locker takes a ticket by adding one to `tail` with one xadd
 * that also returns `head`; it owns the lock when head equals its ticket;
 * unlock adds one to head with a plain (not locked) add.
 *
 * SOURCE: torvalds/linux v4.1 arch/x86/include/asm/spinlock.h
 * arch_spin_lock(), arch_spin_trylock(), arch_spin_unlock() (without the
 * paravirt ticket slow path).
 *
 * Layout (the caller's 32-bit word, on the caller's line):
 *
 *   [ head (u16, bytes 0-1) | tail (u16, bytes 2-3) ]
 *     tail: xadd by every locker, cmpxchg by trylock
 *     head: load + store by the holder's unlock; read by every waiter
 *
 * Invariants: (u16)(tail - head) = holders + waiters < 65536 (a 65,536th
 * simultaneous locker fails the run: the tickets would wrap; the
 * "locking" section refuses the flavour above 65,535 CPUs, the updater
 * lock of lock_ticket.c allows any count because only updaters contend);
 * the holder is the CPU whose ticket equals head.
 *
 * Cost: uncontended lock = one RMW of the lock's line; unlock = one load
 * and one store of it (hits when nobody else touched it).  Contended:
 * every waiter re-reads the line after every write to it (each unlock and
 * each new ticket), the O(waiters) traffic per handoff that qspinlock was
 * written to remove (Boyd-Wickizer et al., OLS 2012).
 */
#include <glib.h>
#include <inttypes.h>

#include "engine.h"
#include "klock_impl.h"

#define TICKET_SHIFT 16
#define TICKET_LOCK_INC 1u

static inline uint16_t
ticket_head(uint32_t v)
{
	return (uint16_t)v;
}

static inline uint16_t
ticket_tail(uint32_t v)
{
	return (uint16_t)(v >> TICKET_SHIFT);
}

/* SOURCE: arch_spin_lock(). */
static bool
ticket_lock(struct klock *kl, spinlock_t *lock)
{
	uint32_t old = sim_faa32(&lock->val, TICKET_LOCK_INC << TICKET_SHIFT);
	uint16_t me = ticket_tail(old);
	/* 65,535 CPUs already hold or wait: this ticket wrapped tail onto
	 * head, which the real lock would take for unlocked. */
	if ((uint16_t)(me - ticket_head(old)) == UINT16_MAX)
		sim_fail("ticket spinlock at offset %#" PRIx64 ": a 65,536th CPU took a 16-bit "
			 "ticket while 65,535 held or waited (the tickets wrapped); use the "
			 "queued flavour or the mcs lock", sim_addr_offset(lock));
	bool waited = ticket_head(old) != me;
	kl->n.spin_acquired++;
	if (waited) {
		enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
		kl->n.spin_contended++;
		/* for (;;) { if (READ_ONCE(lock->tickets.head) == inc.tail) break; cpu_relax(); } */
		uint32_t v = old + (TICKET_LOCK_INC << TICKET_SHIFT);
		do
			v = sim_spin_while_eq32(&lock->val, v);
		while (ticket_head(v) != me);
		sim_cause_pop(c);
	}
	sim_fence_acquire();
	return waited;
}

/* SOURCE: arch_spin_trylock(). */
static bool
ticket_trylock(struct klock *kl, spinlock_t *lock)
{
	uint32_t old = sim_load32(&lock->val);
	if (ticket_head(old) != ticket_tail(old))
		return false;
	uint32_t nv = old + (TICKET_LOCK_INC << TICKET_SHIFT);
	if (sim_cas32(&lock->val, old, nv) != old)
		return false;
	kl->n.spin_acquired++;
	return true;
}

/* SOURCE: arch_spin_unlock(): __add(&lock->tickets.head, TICKET_LOCK_INC,
 * UNLOCK_LOCK_PREFIX), an addw without the lock prefix: a load and a
 * store of head only (lockers meanwhile change tail, the other half). */
static void
ticket_unlock(struct klock *kl, spinlock_t *lock)
{
	(void)kl;
	uint16_t *head = (uint16_t *)(void *)&lock->val;
	uint16_t h = sim_load16(head);
	sim_fence_release();
	sim_store16(head, (uint16_t)(h + TICKET_LOCK_INC));
}

static bool
ticket_is_locked_peek(const spinlock_t *lock)
{
	return ticket_head(lock->val) != ticket_tail(lock->val);
}

static bool
ticket_invariants_hold(const struct klock *kl, const spinlock_t *lock)
{
	return (uint16_t)(ticket_tail(lock->val) - ticket_head(lock->val)) <= kl->ncpus;
}

static gboolean
ticket_check(const void *params, uint32_t ncpus, const struct sim_origin *o, GError **err)
{
	(void)params;
	if (ncpus <= UINT16_MAX)
		return TRUE;
	sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "spinlock",
			"\"ticket\" has 16-bit tickets: at most 65535 CPUs, not %u", ncpus);
	return FALSE;
}

extern const struct sim_param klock_params_table[];

const struct spinlock_ops klock_spin_ticket_ops = {
	.comp = {
		.name = "ticket",
		.summary = "ticket spinlock (Linux x86 before v4.2): xadd a 16-bit ticket, "
			   "spin on head; every waiter re-reads the line at every handoff",
		.params = klock_params_table,
		.params_size = sizeof(struct klock_params),
		.check = ticket_check,
	},
	.lock = ticket_lock,
	.trylock = ticket_trylock,
	.unlock = ticket_unlock,
	.is_locked_peek = ticket_is_locked_peek,
	.invariants_hold = ticket_invariants_hold,
};
