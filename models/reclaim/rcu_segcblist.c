// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * rcu_segcblist over absolute indices, and callback invocation (see
 * rcu_segcblist.h).
 *
 * SOURCE: torvalds/linux kernel/rcu/rcu_segcblist.c for the segment
 * manipulation (rewritten here over absolute indices instead of
 * rcu_head ** tail pointers).
 */
#include <string.h>

#include "engine.h"
#include "rcu_segcblist.h"
#include "rcu_seq.h"

void
rcu_segcblist_init(struct rcu_segcblist *l)
{
	memset(l, 0, sizeof *l);
	l->cbs = g_array_new(FALSE, FALSE, sizeof(struct rcu_cb));
}

void
rcu_segcblist_free(struct rcu_segcblist *l)
{
	if (l->cbs)
		g_array_free(l->cbs, TRUE);
	l->cbs = NULL;
}

void
rcu_segcblist_enqueue(struct rcu_segcblist *l, const struct rcu_cb *cb)
{
	g_array_append_val(l->cbs, *cb);
	l->tails[RCU_NEXT_TAIL]++;
}

uint64_t
rcu_segcblist_n_cbs(const struct rcu_segcblist *l)
{
	return l->tails[RCU_NEXT_TAIL] - l->head;
}

bool
rcu_segcblist_empty(const struct rcu_segcblist *l)
{
	return l->tails[RCU_NEXT_TAIL] == l->head;
}

bool
rcu_segcblist_segempty(const struct rcu_segcblist *l, int seg)
{
	uint64_t start = seg == RCU_DONE_TAIL ? l->head : l->tails[seg - 1];
	return start == l->tails[seg];
}

bool
rcu_segcblist_restempty(const struct rcu_segcblist *l, int seg)
{
	return l->tails[seg] == l->tails[RCU_NEXT_TAIL];
}

bool
rcu_segcblist_pend_cbs(const struct rcu_segcblist *l)
{
	return !rcu_segcblist_restempty(l, RCU_DONE_TAIL);
}

bool
rcu_segcblist_ready_cbs(const struct rcu_segcblist *l)
{
	return l->head != l->tails[RCU_DONE_TAIL];
}

void
rcu_segcblist_advance(struct rcu_segcblist *l, uint64_t seq)
{
	int i, j;
	if (rcu_segcblist_restempty(l, RCU_DONE_TAIL))
		return;
	/* Segments whose grace period has completed join DONE. */
	for (i = RCU_WAIT_TAIL; i < RCU_NEXT_TAIL; i++) {
		if (ULONG_CMP_LT(seq, l->gp_seq[i]))
			break;
		l->tails[RCU_DONE_TAIL] = l->tails[i];
	}
	if (i == RCU_WAIT_TAIL)
		return;
	for (j = RCU_WAIT_TAIL; j < i; j++)
		l->tails[j] = l->tails[RCU_DONE_TAIL];
	/* Slide the remaining segments down so WAIT is the oldest pending. */
	for (j = RCU_WAIT_TAIL; i < RCU_NEXT_TAIL; i++, j++) {
		if (l->tails[j] == l->tails[RCU_NEXT_TAIL])
			break;
		l->tails[j] = l->tails[i];
		l->gp_seq[j] = l->gp_seq[i];
	}
}

bool
rcu_segcblist_accelerate(struct rcu_segcblist *l, uint64_t seq)
{
	int i;
	if (rcu_segcblist_restempty(l, RCU_DONE_TAIL))
		return false;
	/* The newest non-empty segment that completes before seq. */
	for (i = RCU_NEXT_READY_TAIL; i > RCU_DONE_TAIL; i--)
		if (!rcu_segcblist_segempty(l, i) && ULONG_CMP_LT(l->gp_seq[i], seq))
			break;
	/* Nothing after it, or no segment left to hold seq: nothing to do. */
	if (rcu_segcblist_restempty(l, i) || ++i >= RCU_NEXT_TAIL)
		return false;
	/* Everything later merges into segment i, waiting for seq. */
	for (; i < RCU_NEXT_TAIL; i++) {
		l->tails[i] = l->tails[RCU_NEXT_TAIL];
		l->gp_seq[i] = seq;
	}
	return true;
}

uint64_t
rcu_segcblist_extract_done(struct rcu_segcblist *l, GArray *out)
{
	uint64_t n = l->tails[RCU_DONE_TAIL] - l->head;
	if (n == 0)
		return 0;
	g_array_append_vals(out, &g_array_index(l->cbs, struct rcu_cb, l->head - l->base), (guint)n);
	l->head = l->tails[RCU_DONE_TAIL];
	/* Compact once the dead prefix is large. */
	uint64_t dead = l->head - l->base;
	if (dead >= 1024 && dead * 2 >= l->cbs->len) {
		g_array_remove_range(l->cbs, 0, (guint)dead);
		l->base = l->head;
	}
	return n;
}

uint64_t
rcu_invoke_cbs(GArray *cbs, uint64_t cb_cycles, struct rcl_stats *st)
{
	uint64_t freed = 0;
	for (guint i = 0; i < cbs->len; i++) {
		struct rcu_cb *cb = &g_array_index(cbs, struct rcu_cb, i);
		if (cb_cycles)
			sim_work(cb_cycles);
		if (cb->obj == NULL) {
			*cb->done = true;       /* wakeme_after_rcu() */
			continue;
		}
		rcl_free_deferred(st, &(struct rcl_deferred){ cb->obj, cb->size, cb->align,
							     cb->t_retire });
		freed++;
	}
	g_array_set_size(cbs, 0);
	return freed;
}
