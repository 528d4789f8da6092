// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The event queue of the sequential discrete-event engine.
 *
 * Models nothing: it is the engine's priority queue.  Events pop in the
 * total order
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
 * every machine, and it does not depend on how the queue stores events
 * (any correct priority queue over a total order pops the same sequence).
 *
 * Design (a calendar queue, chosen from measured push distances: in
 * rcuscale at 4,096 CPUs 73-99% of events are pushed under 8 cycles after
 * the event being processed and 95-99% under 2,048; a heap of every CPU's
 * next event paid O(log n) line-sized steps per pop for them):
 *
 *   now    the events in [base, t1) (the current bucket), ascending from
 *          head: a pop takes now[head], O(1);
 *   wheel  SIM_EVQ_NB - 1 buckets of SIM_EVQ_W cycles for the next
 *          (SIM_EVQ_NB - 1) * SIM_EVQ_W cycles from t1, unsorted: a push
 *          appends, O(1); a bucket is sorted once, when it becomes `now`, by
 *          a natural merge sort (CPUs that yield in lockstep push a bucket
 *          in a few ascending runs: O(k log runs));
 *   far    the rest (long sleeps, tick deadlines) in groups of one time
 *          each: a 4-ary heap of the groups by time.  A push finds its
 *          time's group through a small direct-mapped table (a hash of the
 *          time) and appends, O(1); a miss starts a group, O(log groups).
 *          A group leaves the heap whole when the wheel reaches its time
 *          (a large one sorted first, by a radix sort on class and id).
 *          line_ww's N - 1 CPUs sleep to one time each period: at 65,536
 *          CPUs one group instead of 65,535 heap entries, whose pops (a
 *          sift-down through 8 levels, children across 2-3 host lines)
 *          were 15% of its instructions.
 *
 * Dense mode: now is one bucket (t1 = its start + W; base may be lower, at
 * the last time popped, so the popped event's own pushes before the bucket
 * land in now).  Sparse mode, for queues of a few events far apart (faa: 2-3
 * events ~30-2,000 cycles apart, so dense mode changed bucket on nearly every
 * pop): when a bucket change finds at most SIM_EVQ_SPARSE_LO events in the
 * wheel, now takes them all and spans up to SIM_EVQ_SPARSE_SPAN cycles or
 * the earliest far event, whichever is sooner; a push there is an insertion
 * into a short sorted array (a step of insertion sort from the end for up to
 * SIM_EVQ_LINEAR live entries).  An insertion into now that moves more than
 * SIM_EVQ_SPARSE_HI entries ends sparse mode: t1 drops to the end of the
 * first event's bucket and the later events go back to the wheel or heap.
 *
 * Entries in now and wheel are 16 bytes (struct sim_evk): the time as an
 * offset (30 bits) from now's base or the bucket's start, class, id and the
 * full 64-bit seq, so the order is exact (nothing is truncated).
 * Invariants: n > 0 implies now[head..nnow) is not empty and top is a copy
 * of now[head]; every now event is before t1; every wheel event is at or
 * after t1, within (SIM_EVQ_NB - 1) * W cycles of it, and before every far
 * event; t1 - base < 2^30 (computed modulo 2^64: t1 may wrap past the end
 * of time).  A bucket that becomes current copies up to SIM_EVQ_SMALL
 * events into now and keeps its array; a larger one hands its array to now,
 * and the array now drained goes to a small pool: host memory follows the
 * events queued (plus at most SIM_EVQ_NB small arrays).
 *
 * Cost: push O(1) (into now: an insertion, a binary search and a move of
 * the shorter side for more than SIM_EVQ_LINEAR events), pop O(1) plus the
 * bucket's sort and, for far events, O(log g) twice per group of one time
 * (g groups queued; O(1) per event of a group met again through the
 * table).  The modes, thresholds and groups are host speed only: any
 * correct priority queue over the total order pops the same sequence.
 */
#ifndef SIM_EVQ_H
#define SIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_assert.h"

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

/* A queued event in now or the wheel: hi = (time - origin) << 34 |
 * class << 32 | id, lo = seq, where origin is now's base or the wheel
 * bucket's start; (hi, lo) compare as the total order does among events
 * of one origin. */
struct sim_evk {
	uint64_t hi, lo;
};

/* One wheel bucket: an unsorted array of the events of its SIM_EVQ_W cycles. */
struct sim_evq_bucket {
	struct sim_evk *e;
	uint32_t n, cap;
};

/* log2 of a wheel bucket's width in cycles, and the number of buckets (the
 * current one included); host speed only: the order does not depend on them. */
#define SIM_EVQ_WB 0
#define SIM_EVQ_W (UINT64_C(1) << SIM_EVQ_WB)
#define SIM_EVQ_NB 4096u
#define SIM_EVQ_POOL 16u
#define SIM_EVQ_SMALL 32u
/* Sparse mode (above; host speed only): entered when a bucket change finds
 * at most SPARSE_LO events in the wheel, left when an insertion into now
 * moves more than SPARSE_HI entries; now then spans up to SPARSE_SPAN cycles
 * (offsets are 30 bits).  now_insert takes an insertion-sort step from the
 * end for at most LINEAR live entries. */
#define SIM_EVQ_SPARSE_LO 8u
#define SIM_EVQ_SPARSE_HI 64u
#define SIM_EVQ_SPARSE_SPAN (UINT64_C(1) << 29)
#define SIM_EVQ_LINEAR 8u

/* Far events of one time (hi = class << 32 | id, lo = seq); n = 0 when
 * the group is free. */
struct sim_evq_group {
	uint64_t time;
	struct sim_evk *e;
	uint32_t n, cap;
};

/* A far heap entry: a group and its time. */
struct sim_evq_far {
	uint64_t time;
	uint32_t g, pad;
};

/* Entries of the table from a hash of a far time to its group. */
#define SIM_EVQ_GCACHE 64u
/* A group of at least this many events is sorted (radix, by class and id)
 * as it leaves the heap, so that it joins its bucket as one ascending run. */
#define SIM_EVQ_RADIX 1024u
#define SIM_EVQ_RADIX_BITS 11u
#define SIM_EVQ_RADIX_DIGITS (1u << SIM_EVQ_RADIX_BITS)

struct sim_evq {
	size_t n;                    /* events queued in all */
	struct sim_ev top;           /* the earliest event when n > 0; when n = 0
	                              * only top.time is set, to UINT64_MAX */
	struct sim_evk *now;         /* now[head..nnow): events in [base, t1), ascending */
	uint32_t head, nnow, capnow;
	bool sparse;                 /* sparse mode (t1 may be far after base) */
	uint64_t base;               /* time origin of now's entries (aligned to W;
	                              * at or before every queued event) */
	uint64_t t1;                 /* end of now */
	size_t nwheel;               /* events in the wheel */
	struct sim_evq_bucket *wheel; /* SIM_EVQ_NB buckets by (time / W) % NB */
	uint64_t *bits;              /* a set bit per non-empty wheel bucket */
	uint64_t summary;            /* a set bit per non-zero word of bits */
	size_t nfar;                 /* events in far groups */
	struct sim_evq_far *far;     /* 4-ary min-heap of the groups by (time, g),
	                              * at or after the wheel's end */
	uint32_t nheap, capheap;
	struct sim_evq_group *groups; /* groups[0..ngroups): in the heap or free */
	uint32_t ngroups, capgroups;
	uint32_t *gfree, ngfree;     /* free group indices */
	uint32_t gcache[SIM_EVQ_GCACHE]; /* group index + 1 of a recent far time, 0 none */
	struct sim_evk *tmp;         /* the merge sort's second buffer */
	uint32_t captmp, caprun;
	uint32_t *runs;              /* the merge sort's run starts */
	uint32_t *rcount;            /* the radix sort's digit counts */
	struct sim_evq_bucket pool[SIM_EVQ_POOL]; /* drained arrays for empty buckets */
	uint32_t npool;
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

/* sim_evq_init - an empty queue.  sim_evq_free - release its memory. */
void sim_evq_init(struct sim_evq *q);
void sim_evq_free(struct sim_evq *q);

/* The wheel's reach in cycles after t1 (see above). */
#define SIM_EVQ_SPAN ((uint64_t)(SIM_EVQ_NB - 1) * SIM_EVQ_W)

/* sim_evq_push's and sim_evq_pop's out-of-line parts (evq.c): every push
 * but an append to a wheel bucket that already holds an event and has
 * room; a pop that empties now.  Host speed only: the inline parts below
 * are the commonest cases (rcuscale at 4,096 CPUs under gus: 98% of
 * pushes; a bucket change once per 49 pops), and the event order is the
 * same whichever part queues an event. */
void sim_evq_push_slow(struct sim_evq *q, uint64_t time, uint64_t seq, uint32_t id,
		       uint32_t cls);
void sim_evq_advance(struct sim_evq *q, uint64_t lo);

/*
 * sim_evq_push_fast - sim_evq_push()'s inline part: append an event of
 * (time, seq, id, cls) to its wheel bucket if that bucket already holds an
 * event and has room.  after_top: the caller knows the event is at or
 * after the earliest queued one (a constant).  Return: true if queued;
 * false, changing nothing, if the caller must call sim_evq_push_slow()
 * instead.  Host speed only (a caller that must not call out on its fast
 * path, engine.c's yield).
 */
static inline __attribute__((always_inline)) bool
sim_evq_push_fast(struct sim_evq *q, uint64_t time, uint64_t seq, uint32_t id, uint32_t cls,
		  bool after_top)
{
	SIM_ASSERT(cls <= SIM_EV_LINE);
	SIM_ASSERT(!after_top || (q->n != 0 && time >= q->top.time));
	/* At or after base, time - t1 (modulo 2^64) is (time - base) -
	 * (t1 - base), which is below SPAN only for an event in the wheel's
	 * reach: one before t1 wraps to at least 2^64 - 2^30.  (An event at
	 * or after the earliest one is at or after base: after_top.) */
	if (__builtin_expect(after_top || (q->n != 0 && time >= q->base), 1)) {
		if (time - q->t1 < SIM_EVQ_SPAN) {
			struct sim_evq_bucket *b =
				&q->wheel[(uint32_t)(time >> SIM_EVQ_WB) & (SIM_EVQ_NB - 1)];
			/* not empty (its bit is set, it has an array) and not full */
			if (b->n - 1 < b->cap - 1) {
				b->e[b->n++] = (struct sim_evk){
					.hi = (time & (SIM_EVQ_W - 1)) << 34 |
					      (uint64_t)cls << 32 | id,
					.lo = seq,
				};
				q->nwheel++;
				q->n++;
				return true;
			}
		}
	}
	return false;
}

/* sim_evq_push_fast() of an event known to be at or after the earliest
 * queued one (so the queue is not empty): two tests fewer. */
static inline bool
sim_evq_push_fast_after_top(struct sim_evq *q, uint64_t time, uint64_t seq, uint32_t id,
			    uint32_t cls)
{
	return sim_evq_push_fast(q, time, seq, id, cls, true);
}

/*
 * sim_evq_push - queue ev.  Its seq must differ from every queued event's
 * with the same (time, class, id) (the engine's seq is unique).  An event
 * earlier than the last one popped is allowed (it is queued in order) but
 * costs a pass over the current bucket.  Cost: O(1) for near events (see
 * above), O(log g) for a far one that starts a group of its time.
 */
static inline void
sim_evq_push(struct sim_evq *q, struct sim_ev ev)
{
	SIM_ASSERT(ev.cls <= SIM_EV_LINE);
	/* as sim_evq_push_fast, written out: with a call to it here the
	 * link-time inliner stopped inlining sim_schedule into the
	 * directory's grant (faa at 4,096 CPUs: 1.5% more instructions) */
	if (__builtin_expect(q->n != 0 && ev.time >= q->base, 1)) {
		if (ev.time - q->t1 < SIM_EVQ_SPAN) {
			struct sim_evq_bucket *b =
				&q->wheel[(uint32_t)(ev.time >> SIM_EVQ_WB) & (SIM_EVQ_NB - 1)];
			if (b->n - 1 < b->cap - 1) {
				b->e[b->n++] = (struct sim_evk){
					.hi = (ev.time & (SIM_EVQ_W - 1)) << 34 |
					      (uint64_t)ev.cls << 32 | ev.id,
					.lo = ev.seq,
				};
				q->nwheel++;
				q->n++;
				return;
			}
		}
	}
	/* the fields, not the struct: a struct of 24 bytes goes through the
	 * stack, and its copy there was made before the fast path's tests */
	sim_evq_push_slow(q, ev.time, ev.seq, ev.id, ev.cls);
}

/* sim_evq_pop_advances - would the next sim_evq_pop() empty now and
 * call sim_evq_advance() (out of line)?  q must not be empty. */
static inline bool
sim_evq_pop_advances(const struct sim_evq *q)
{
	return q->n > 1 && q->head + 1 == q->nnow;
}

/* Pop the earliest event; may_advance false: the caller has made sure
 * that the pop does not change buckets (!sim_evq_pop_advances). */
static inline __attribute__((always_inline)) struct sim_ev
sim_evq_pop_impl(struct sim_evq *q, bool may_advance)
{
	SIM_ASSERT(q->n > 0 && q->head < q->nnow);
	SIM_ASSERT(may_advance || !sim_evq_pop_advances(q));
	struct sim_ev ev = q->top;
	q->head++;
	if (--q->n) {
		if (may_advance && __builtin_expect(q->head == q->nnow, 0))
			sim_evq_advance(q, ev.time);
		const struct sim_evk *k = &q->now[q->head];
		q->top = (struct sim_ev){
			.time = q->base + (k->hi >> 34),
			.cls = (uint32_t)(k->hi >> 32) & 3,
			.id = (uint32_t)k->hi,
			.seq = k->lo,
		};
	} else {
		q->top.time = UINT64_MAX;
	}
	return ev;
}

/* sim_evq_pop - remove and return the earliest event; q must not be empty. */
static inline struct sim_ev
sim_evq_pop(struct sim_evq *q)
{
	return sim_evq_pop_impl(q, true);
}

/* sim_evq_pop_near - sim_evq_pop() when !sim_evq_pop_advances(q): it makes
 * no call (host speed only: a caller's fast path that must not call out). */
static inline struct sim_ev
sim_evq_pop_near(struct sim_evq *q)
{
	return sim_evq_pop_impl(q, false);
}

/*
 * sim_evq_sort_one_time - sort e[0..n), events of one time (hi = class <<
 * 32 | id, lo = seq, no time offset), ascending in the total order; tmp
 * (n entries) and count (SIM_EVQ_RADIX_DIGITS) are scratch.  The queue
 * sorts a far group of at least SIM_EVQ_RADIX events with it; the bucket
 * the group joins is sorted anyway, so this is host speed only.
 */
void sim_evq_sort_one_time(struct sim_evk *e, uint32_t n, struct sim_evk *tmp, uint32_t *count);

static inline bool
sim_evq_empty(const struct sim_evq *q)
{
	return q->n == 0;
}

/* sim_evq_top - the earliest event (a copy kept in q: one host line with n),
 * or NULL when empty.  Valid until the next push, pop or filter. */
static inline const struct sim_ev *
sim_evq_top(const struct sim_evq *q)
{
	return q->n ? &q->top : NULL;
}

/*
 * sim_evq_filter - drop every event for which keep() is false.  The
 * remaining events pop in the same order as before.
 * Return: how many were dropped.  Cost: O(n).
 */
size_t sim_evq_filter(struct sim_evq *q, bool (*keep)(const struct sim_ev *ev, void *arg),
		      void *arg);

#endif
