// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Callbacks of the Linux RCU family (rcl_tree_rcu.c, rcl_classic_rcu.c,
 * rcl_srcu.c): the segmented callback list and the invocation of what a
 * grace period made ready.
 *
 * SOURCE: torvalds/linux kernel/rcu/rcu_segcblist.c
 *         (rcu_segcblist_advance/accelerate/extract_done_cbs),
 *         kernel/rcu/tree.c rcu_do_batch() for the invocation.
 *
 * Invariant: head <= tails[DONE] <= tails[WAIT] <= tails[NEXT_READY]
 * <= tails[NEXT]; segments WAIT and NEXT_READY, when non-empty, wait for
 * non-decreasing gp_seq values.
 */
#ifndef SIM_RCU_SEGCBLIST_H
#define SIM_RCU_SEGCBLIST_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "reclaim.h"
#include "sim.h"

/*
 * One retired object.  MODEL: the kernel threads an rcu_head through the
 * object itself; here the object belongs to the workload (struct foo has
 * no rcu_head), so the list node lives host-side and call_rcu() charges
 * only its per-CPU list-length store.  A "waiter" callback (obj == NULL)
 * is synchronize()'s wakeme_after_rcu: invoking it sets *done.
 */
struct rcu_cb {
	void *obj;
	uint32_t size, align;
	sim_time_t t_retire;
	bool *done;
};

/*
 * rcu_segcblist: a FIFO of callbacks cut into segments by tails[].
 *
 *   head                                                   tails[NEXT]
 *    | DONE ... | WAIT ... | NEXT_READY ... | NEXT ...        |
 *               ^tails[DONE] ^tails[WAIT]   ^tails[NEXT_READY]
 *
 * Segment i holds [tails[i-1], tails[i]) (tails[-1] = head) and, for
 * WAIT and NEXT_READY, waits for gp_seq[i].  Indices are absolute
 * positions in cbs[], which grows; head advances as DONE is extracted.
 * Host-side only: the scheme charges whatever simulated lines the
 * kernel's list manipulation would touch.
 */
enum { RCU_DONE_TAIL, RCU_WAIT_TAIL, RCU_NEXT_READY_TAIL, RCU_NEXT_TAIL, RCU_CBLIST_NSEGS };

struct rcu_segcblist {
	GArray *cbs;                /* struct rcu_cb; [0, base) already extracted */
	uint64_t base;              /* absolute index of cbs[0] */
	uint64_t head;              /* absolute index of the first live callback */
	uint64_t tails[RCU_CBLIST_NSEGS];
	uint64_t gp_seq[RCU_CBLIST_NSEGS];
};

void rcu_segcblist_init(struct rcu_segcblist *l);
void rcu_segcblist_free(struct rcu_segcblist *l);
void rcu_segcblist_enqueue(struct rcu_segcblist *l, const struct rcu_cb *cb);
uint64_t rcu_segcblist_n_cbs(const struct rcu_segcblist *l);
bool rcu_segcblist_empty(const struct rcu_segcblist *l);
bool rcu_segcblist_segempty(const struct rcu_segcblist *l, int seg);
/* Callbacks after segment seg? */
bool rcu_segcblist_restempty(const struct rcu_segcblist *l, int seg);
/* Callbacks not yet ready (anything after DONE)? */
bool rcu_segcblist_pend_cbs(const struct rcu_segcblist *l);
/* Callbacks ready to invoke (DONE non-empty)? */
bool rcu_segcblist_ready_cbs(const struct rcu_segcblist *l);
/* Move every segment whose gp_seq is <= seq into DONE. */
void rcu_segcblist_advance(struct rcu_segcblist *l, uint64_t seq);
/* Tag not-yet-tagged callbacks with seq.  Return: true if some callbacks
 * now wait for a grace period they did not wait for before (the caller
 * must make sure that grace period gets started). */
bool rcu_segcblist_accelerate(struct rcu_segcblist *l, uint64_t seq);
/* Remove the DONE segment; return how many callbacks were copied to out
 * (an array of struct rcu_cb the caller owns). */
uint64_t rcu_segcblist_extract_done(struct rcu_segcblist *l, GArray *out);

/*
 * Invoke callbacks extracted from a DONE segment: free each object with
 * sim_free (which poisons it) after charging cb_cycles of local work,
 * or complete a waiter.  Return: objects freed.  Context: simulated CPU.
 */
uint64_t rcu_invoke_cbs(GArray *cbs, uint64_t cb_cycles, struct rcl_stats *st);

#endif
