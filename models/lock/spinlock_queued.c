// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * spinlock_t as a queued spinlock (qspinlock, Linux x86 since v4.2): one
 * 32-bit word holding a locked byte, a pending bit and the tail of an MCS
 * queue.  The first waiter spins on the lock word with the pending bit
 * set; later ones queue on per-CPU MCS nodes and each spins on its own
 * node, so a handoff moves O(1) lines instead of invalidating every
 * waiter's copy (the ticket lock's problem).
 *
 * SOURCE: torvalds/linux v6.6 kernel/locking/qspinlock.c
 * queued_spin_lock_slowpath(), include/asm-generic/qspinlock.h
 * queued_spin_lock(), queued_spin_trylock(), queued_spin_unlock(),
 * arch/x86/include/asm/qspinlock.h queued_fetch_set_pending_acquire()
 * and _Q_PENDING_LOOPS; kernel/locking/mcs_spinlock.h.
 *
 * Layout of the word (include/asm-generic/qspinlock_types.h):
 *
 *   ncpus < 16384 (_Q_PENDING_BITS == 8):
 *     bits  0- 7 locked byte   set by the lock's new owner, cleared by unlock
 *     bits  8-15 pending byte  set by the first waiter (btsl), cleared by it
 *     bits 16-17 tail index    nesting level of the tail's MCS node
 *     bits 18-31 tail CPU + 1  xchg of the top 16 bits by each queuer
 *   ncpus >= 16384 (_Q_PENDING_BITS == 1): pending is bit 8 alone, the
 *     tail index bits 9-10, the tail CPU bits 11-31, and the byte/halfword
 *     stores become atomic RMWs of the word (as Linux does).
 *
 * Per-CPU MCS nodes: struct klock's qnodes (klock.c), four per CPU.
 *
 * Invariants: the locked byte is 0 or 1 and is 1 exactly while a CPU
 * holds the lock; at most one CPU has pending set at a time; the tail
 * names the last queued node, whose next is NULL.
 *
 * Cost: uncontended lock = one cmpxchg of the lock's line; unlock = one
 * byte store.  Pending path: a btsl and a load, a spin on the word, a
 * halfword store.  Queued: own-node stores (hits), an xchg of the tail, a
 * store into the predecessor's node (a transfer), a spin on the own node
 * woken by one store from the predecessor, then a spin on the word.
 *
 * MODEL: no paravirt hooks (pv_wait_node, pv_kick_node: bare metal);
 * prefetchw(next) is not modelled (it only warms the next node's line).
 */
#include <glib.h>

#include "engine.h"
#include "klock_impl.h"

#define _Q_LOCKED_VAL 1u
#define _Q_LOCKED_MASK 0xffu
#define _Q_PENDING_OFFSET 8
#define _Q_PENDING_VAL (1u << _Q_PENDING_OFFSET)
#define _Q_TAIL_IDX_BITS 2
/* x86: spin this many times on a pending->locked transition before queueing. */
#define _Q_PENDING_LOOPS (1u << 9)

/* The layout-dependent masks of one context. */
struct qlayout {
	uint32_t pending_mask;      /* _Q_PENDING_MASK */
	unsigned tail_offset;       /* _Q_TAIL_IDX_OFFSET == _Q_TAIL_OFFSET */
	unsigned cpu_offset;        /* _Q_TAIL_CPU_OFFSET */
	uint32_t tail_mask;         /* _Q_TAIL_MASK */
	uint32_t locked_pending_mask;
};

static struct qlayout
q_layout(const struct klock *kl)
{
	unsigned pending_bits = kl->q_wide ? 1 : 8;
	struct qlayout q;
	q.pending_mask = ((1u << pending_bits) - 1) << _Q_PENDING_OFFSET;
	q.tail_offset = _Q_PENDING_OFFSET + pending_bits;
	q.cpu_offset = q.tail_offset + _Q_TAIL_IDX_BITS;
	q.tail_mask = ~0u << q.tail_offset;
	q.locked_pending_mask = _Q_LOCKED_MASK | q.pending_mask;
	return q;
}

static inline uint8_t *
q_byte(spinlock_t *lock, unsigned i)
{
	return (uint8_t *)(void *)&lock->val + i;
}

static inline uint32_t
encode_tail(const struct qlayout *q, uint32_t cpu, uint32_t idx)
{
	return ((cpu + 1) << q->cpu_offset) | (idx << q->tail_offset);
}

static inline struct mcs_spinlock *
decode_tail(const struct klock *kl, const struct qlayout *q, uint32_t tail)
{
	uint32_t cpu = (tail >> q->cpu_offset) - 1;
	uint32_t idx = (tail >> q->tail_offset) & ((1u << _Q_TAIL_IDX_BITS) - 1);
	g_assert(cpu < kl->ncpus);
	return &kl->qnodes[cpu * KLOCK_MAX_NODES + idx];
}

/* SOURCE: clear_pending(). */
static void
clear_pending(const struct klock *kl, spinlock_t *lock)
{
	if (kl->q_wide)
		(void)sim_fetch_and32(&lock->val, ~_Q_PENDING_VAL);
	else
		sim_store8(q_byte(lock, 1), 0);
}

/* SOURCE: clear_pending_set_locked(). */
static void
clear_pending_set_locked(const struct klock *kl, spinlock_t *lock)
{
	if (kl->q_wide)
		(void)sim_faa32(&lock->val, _Q_LOCKED_VAL - _Q_PENDING_VAL);
	else
		sim_store16((uint16_t *)(void *)&lock->val, _Q_LOCKED_VAL);
}

/* SOURCE: set_locked(). */
static void
set_locked(spinlock_t *lock)
{
	sim_store8(q_byte(lock, 0), _Q_LOCKED_VAL);
}

/* SOURCE: xchg_tail(): the old tail (in place, other bits 0 or stale). */
static uint32_t
xchg_tail(const struct klock *kl, const struct qlayout *q, spinlock_t *lock, uint32_t tail)
{
	if (!kl->q_wide) {
		uint16_t old = sim_xchg16((uint16_t *)(void *)&lock->val + 1,
					  (uint16_t)(tail >> 16));
		return (uint32_t)old << 16;
	}
	uint32_t val = sim_load32(&lock->val);
	for (;;) {
		uint32_t nv = (val & q->locked_pending_mask) | tail;
		uint32_t old = sim_cas32(&lock->val, val, nv);
		if (old == val)
			return old;
		val = old;
	}
}

/* SOURCE: queued_fetch_set_pending_acquire() (x86): btsl of the pending
 * bit, then the rest of the word from a second read. */
static uint32_t
fetch_set_pending(spinlock_t *lock)
{
	uint32_t old = sim_fetch_or32(&lock->val, _Q_PENDING_VAL);
	uint32_t val = old & _Q_PENDING_VAL;
	return val | (sim_load32(&lock->val) & ~_Q_PENDING_VAL);
}

/* Spin on the word until (val & mask) == 0; return the value that showed it. */
static uint32_t
cond_read_clear(spinlock_t *lock, uint32_t mask)
{
	uint32_t v = sim_load32(&lock->val);
	while (v & mask)
		v = sim_spin_while_eq32(&lock->val, v);
	return v;
}

/* SOURCE: queued_spin_trylock(). */
static bool
queued_trylock_raw(spinlock_t *lock)
{
	if (sim_load32(&lock->val) != 0)
		return false;
	return sim_cas32(&lock->val, 0, _Q_LOCKED_VAL) == 0;
}

/* SOURCE: queued_spin_lock_slowpath(), from "queue:" on.  Step 1: grab
 * a node; 2: publish the tail and link behind the predecessor; 3: wait
 * at the head of the queue for owner and pending to go; 4: take the lock
 * and pass the head role on. */
static void
queued_queue(struct klock *kl, const struct qlayout *q, spinlock_t *lock)
{
	uint32_t cpu = sim_cpu_id();
	struct mcs_spinlock *node0 = &kl->qnodes[cpu * KLOCK_MAX_NODES];
	kl->n.spin_queued++;
	/* Step 1. */
	uint32_t idx = (uint32_t)sim_load32(&node0->count);
	sim_store32(&node0->count, idx + 1);
	if (idx > 0)
		kl->n.spin_nested++;
	if (idx >= KLOCK_MAX_NODES) {
		while (!queued_trylock_raw(lock))
			sim_work(kl->pause);
		goto release;
	}
	uint32_t tail = encode_tail(q, cpu, idx);
	struct mcs_spinlock *node = &node0[idx];
	sim_store32(&node->locked, 0);
	sim_storep((void **)&node->next, NULL);
	if (queued_trylock_raw(lock))
		goto release;
	/* Step 2. */
	uint32_t old = xchg_tail(kl, q, lock, tail);
	struct mcs_spinlock *next = NULL;
	if (old & q->tail_mask) {
		struct mcs_spinlock *prev = decode_tail(kl, q, old);
		sim_storep((void **)&prev->next, node);
		/* arch_mcs_spin_lock_contended(): smp_cond_load_acquire(&node->locked, VAL) */
		uint32_t v = sim_load32(&node->locked);
		while (v == 0)
			v = sim_spin_while_eq32(&node->locked, 0);
		next = sim_loadp((void *const *)&node->next);
	}
	/* Step 3: atomic_cond_read_acquire(&lock->val, !(VAL & _Q_LOCKED_PENDING_MASK)). */
	uint32_t val = cond_read_clear(lock, q->locked_pending_mask);
	sim_fence_acquire();
	/* Step 4: the last in the queue takes the lock and empties the tail. */
	if ((val & q->tail_mask) == tail) {
		uint32_t seen = sim_cas32(&lock->val, val, _Q_LOCKED_VAL);
		if (seen == val)
			goto release;
	}
	set_locked(lock);
	if (next == NULL) {
		next = sim_loadp((void *const *)&node->next);
		while (next == NULL)
			next = (void *)(uintptr_t)sim_spin_while_eq64(&node->next, 0);
	}
	/* arch_mcs_spin_unlock_contended(): smp_store_release(&next->locked, 1) */
	sim_store32_rel(&next->locked, 1);
release:
	sim_store32(&node0->count, (uint32_t)sim_load32(&node0->count) - 1);
}

/* SOURCE: queued_spin_lock_slowpath(), up to "queue:". */
static void
queued_slowpath(struct klock *kl, spinlock_t *lock, uint32_t val)
{
	const struct qlayout q = q_layout(kl);
	g_assert(kl->qnodes != NULL);       /* not a klock_create_ticket_only() context */
	/* Wait out a pending->locked handover (bounded: _Q_PENDING_LOOPS pauses). */
	if (val == _Q_PENDING_VAL) {
		sim_time_t deadline = sim_now() + (sim_time_t)_Q_PENDING_LOOPS * kl->pause;
		while (val == _Q_PENDING_VAL && sim_now() < deadline) {
			sim_wait_for_write(&lock->val, deadline);
			val = sim_load32(&lock->val);
		}
	}
	if (val & ~_Q_LOCKED_MASK) {
		queued_queue(kl, &q, lock);
		return;
	}
	val = fetch_set_pending(lock);
	if (val & ~_Q_LOCKED_MASK) {
		/* Someone queued or took pending meanwhile: undo ours if we set it. */
		if (!(val & q.pending_mask))
			clear_pending(kl, lock);
		queued_queue(kl, &q, lock);
		return;
	}
	/* We are pending: smp_cond_load_acquire(&lock->locked, !VAL). */
	if (val & _Q_LOCKED_MASK)
		(void)cond_read_clear(lock, _Q_LOCKED_MASK);
	sim_fence_acquire();
	clear_pending_set_locked(kl, lock);
	kl->n.spin_pending++;
}

/* SOURCE: queued_spin_lock(). */
static bool
queued_lock(struct klock *kl, spinlock_t *lock)
{
	uint32_t val = sim_cas32(&lock->val, 0, _Q_LOCKED_VAL);
	kl->n.spin_acquired++;
	if (val == 0)
		return false;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	kl->n.spin_contended++;
	queued_slowpath(kl, lock, val);
	sim_cause_pop(c);
	return true;
}

static bool
queued_trylock(struct klock *kl, spinlock_t *lock)
{
	if (!queued_trylock_raw(lock))
		return false;
	kl->n.spin_acquired++;
	return true;
}

/* SOURCE: queued_spin_unlock(): smp_store_release(&lock->locked, 0). */
static void
queued_unlock(struct klock *kl, spinlock_t *lock)
{
	(void)kl;           /* the locked byte is byte 0 in both layouts */
	sim_fence_release();
	sim_store8(q_byte(lock, 0), 0);
}

static bool
queued_is_locked_peek(const spinlock_t *lock)
{
	return (lock->val & _Q_LOCKED_MASK) != 0;
}

static bool
queued_invariants_hold(const struct klock *kl, const spinlock_t *lock)
{
	const struct qlayout q = q_layout(kl);
	uint32_t v = lock->val;
	return (v & _Q_LOCKED_MASK) <= _Q_LOCKED_VAL && (v >> q.cpu_offset) <= kl->ncpus;
}

extern const struct sim_param klock_params_table[];

const struct spinlock_ops klock_spin_queued_ops = {
	.comp = {
		.name = "queued",
		.summary = "qspinlock (Linux x86 since v4.2): cmpxchg the word; first waiter "
			   "spins with pending set, later ones on their own MCS node",
		.params = klock_params_table,
		.params_size = sizeof(struct klock_params),
	},
	.lock = queued_lock,
	.trylock = queued_trylock,
	.unlock = queued_unlock,
	.is_locked_peek = queued_is_locked_peek,
	.invariants_hold = queued_invariants_hold,
};
