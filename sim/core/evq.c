// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* 4-ary heap for the event queue; see evq.h for the ordering contract. */
#include "evq.h"

#include <glib.h>

#include "sim_assert.h"

void
sim_evq_init(struct sim_evq *q)
{
	q->n = 0;
	q->cap = 64;
	q->h = g_new(struct sim_ev, q->cap);
}

void
sim_evq_free(struct sim_evq *q)
{
	g_free(q->h);
	q->h = NULL;
	q->n = q->cap = 0;
}

void
sim_evq_push(struct sim_evq *q, struct sim_ev ev)
{
	if (q->n == q->cap) {
		q->cap *= 2;
		q->h = g_renew(struct sim_ev, q->h, q->cap);
	}
	size_t i = q->n++;
	while (i > 0) {
		size_t p = (i - 1) / 4;
		if (!sim_ev_before(&ev, &q->h[p]))
			break;
		q->h[i] = q->h[p];
		i = p;
	}
	q->h[i] = ev;
}

/* Move h[i] down to its place (4-ary min-heap of n events). */
static void
sift_down(struct sim_ev *h, size_t n, size_t i)
{
	struct sim_ev ev = h[i];
	for (;;) {
		size_t c = 4 * i + 1;
		if (c >= n)
			break;
		size_t best = c;
		size_t end = c + 4 < n ? c + 4 : n;
		for (size_t k = c + 1; k < end; k++)
			if (sim_ev_before(&h[k], &h[best]))
				best = k;
		if (!sim_ev_before(&h[best], &ev))
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = ev;
}

struct sim_ev
sim_evq_pop(struct sim_evq *q)
{
	SIM_ASSERT(q->n > 0);
	struct sim_ev top = q->h[0];
	q->h[0] = q->h[--q->n];
	if (q->n)
		sift_down(q->h, q->n, 0);
	return top;
}

size_t
sim_evq_filter(struct sim_evq *q, bool (*keep)(const struct sim_ev *ev, void *arg), void *arg)
{
	size_t n = 0;
	for (size_t i = 0; i < q->n; i++)
		if (keep(&q->h[i], arg))
			q->h[n++] = q->h[i];
	size_t dropped = q->n - n;
	q->n = n;
	/* Events are totally ordered (seq is unique), so rebuilding the heap
	 * cannot change the order in which they pop. */
	for (size_t i = n / 4 + 1; i-- > 0;)
		if (i < n)
			sift_down(q->h, n, i);
	while (q->cap > 64 && q->n < q->cap / 4) {
		q->cap /= 2;
		q->h = g_renew(struct sim_ev, q->h, q->cap);
	}
	return dropped;
}
