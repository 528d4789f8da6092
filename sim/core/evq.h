// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The event queue of the sequential discrete-event engine.
 *
 * A 4-ary min-heap of event keys.  The total order is
 *
 *     (time, class, id, seq)
 *
 * time   simulated cycles;
 * class  SIM_EV_CPU < SIM_EV_SB < SIM_EV_LINE: at equal times every CPU
 *        issues its requests before a line arbitrates among them;
 * id     CPU id or line index (both assigned deterministically);
 * seq    per-owner sequence number, so even a duplicate (time, class, id)
 *        has a stable order.
 * No field is a host address or a hash, so the order is the same on
 * every machine.
 *
 * Cost: push and pop are O(log4 n); n <= CPUs + lines with waiters.
 */
#ifndef SIM_EVQ_H
#define SIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sim_ev_class {
	SIM_EV_CPU = 0,   /* resume a CPU's coroutine */
	SIM_EV_SB = 1,    /* a CPU's store-buffer drain step */
	SIM_EV_LINE = 2,  /* a line's directory arbitrates its next request */
};

struct sim_ev {
	uint64_t time;
	uint64_t seq;
	uint32_t id;
	uint32_t cls;
};

struct sim_evq {
	struct sim_ev *h;
	size_t n, cap;
};

static inline bool
sim_ev_before(const struct sim_ev *a, const struct sim_ev *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	if (a->cls != b->cls)
		return a->cls < b->cls;
	if (a->id != b->id)
		return a->id < b->id;
	return a->seq < b->seq;
}

void sim_evq_init(struct sim_evq *q);
void sim_evq_free(struct sim_evq *q);
void sim_evq_push(struct sim_evq *q, struct sim_ev ev);
struct sim_ev sim_evq_pop(struct sim_evq *q);

static inline bool
sim_evq_empty(const struct sim_evq *q)
{
	return q->n == 0;
}

static inline const struct sim_ev *
sim_evq_top(const struct sim_evq *q)
{
	return q->n ? &q->h[0] : NULL;
}

/*
 * sim_evq_filter - drop every event for which keep() is false and restore
 * the heap order.  The remaining events pop in the same order as before.
 * Return: how many were dropped.  Cost: O(n).
 */
size_t sim_evq_filter(struct sim_evq *q, bool (*keep)(const struct sim_ev *ev, void *arg),
		      void *arg);

#endif
