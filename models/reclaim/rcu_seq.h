// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Grace-period sequence numbers of the Linux RCU family (rcl_tree_rcu.c,
 * rcl_srcu.c): the wrap-safe comparisons and the rcu_seq_* helpers.
 *
 * SOURCE: torvalds/linux kernel/rcu/rcu.h (rcu_seq_*),
 *         include/linux/rcupdate.h (ULONG_CMP_*).
 *
 * gp_seq: the low RCU_SEQ_CTR_SHIFT bits are the state (0 = idle, else a
 * grace period is in progress), the rest counts grace periods:
 *
 *      ... 4k (idle) -> 4k+1 (GP k+1 running) -> 4k+4 (idle) ...
 *      rcu_seq_start: +1, then a full fence
 *      rcu_seq_end:   a full fence, then (s | 3) + 1
 *      rcu_seq_snap:  (s + 7) & ~3 = the end of the next *full* GP
 *
 * Invariant: a gp_seq only grows (mod 2^64), by rcu_seq_start and
 * rcu_seq_end alternately, written by one CPU at a time.
 */
#ifndef SIM_RCU_SEQ_H
#define SIM_RCU_SEQ_H

#include <stdbool.h>
#include <stdint.h>

#define ULONG_CMP_GE(a, b) (UINT64_MAX / 2 >= (uint64_t)((a) - (b)))
#define ULONG_CMP_LT(a, b) (UINT64_MAX / 2 < (uint64_t)((a) - (b)))

#define RCU_SEQ_CTR_SHIFT 2
#define RCU_SEQ_STATE_MASK ((1u << RCU_SEQ_CTR_SHIFT) - 1)

static inline uint64_t rcu_seq_ctr(uint64_t s) { return s >> RCU_SEQ_CTR_SHIFT; }
static inline unsigned rcu_seq_state(uint64_t s) { return (unsigned)(s & RCU_SEQ_STATE_MASK); }
static inline uint64_t rcu_seq_endval(uint64_t s) { return (s | RCU_SEQ_STATE_MASK) + 1; }
/* The snapshot a waiter arriving now must wait for (no fence: callers
 * that need the kernel's smp_mb() pay sim_fence_full() themselves). */
static inline uint64_t rcu_seq_snap_val(uint64_t s)
{
	return (s + 2 * RCU_SEQ_STATE_MASK + 1) & ~(uint64_t)RCU_SEQ_STATE_MASK;
}
static inline bool rcu_seq_done_val(uint64_t cur, uint64_t s) { return ULONG_CMP_GE(cur, s); }
static inline bool rcu_seq_started_val(uint64_t cur, uint64_t s)
{
	return ULONG_CMP_LT((s - 1) & ~(uint64_t)RCU_SEQ_STATE_MASK, cur);
}
static inline bool rcu_seq_completed_gp(uint64_t old, uint64_t nw)
{
	return ULONG_CMP_LT(old, nw & ~(uint64_t)RCU_SEQ_STATE_MASK);
}
static inline bool rcu_seq_new_gp(uint64_t old, uint64_t nw)
{
	return ULONG_CMP_LT((old + RCU_SEQ_STATE_MASK) & ~(uint64_t)RCU_SEQ_STATE_MASK, nw);
}

/*
 * rcu_seq_start / rcu_seq_end on a simulated word, with the kernel's
 * fences.  Context: simulated CPU, sole writer of *sp (the caller holds
 * the lock that serializes writers).  Cost: one store to sp's line plus
 * fence.full.
 */
void rcu_seq_start(uint64_t *sp);
void rcu_seq_end(uint64_t *sp);

#endif
