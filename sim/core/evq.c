// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The event queue: a calendar queue (sorted current bucket, a wheel of
 * unsorted buckets, a heap for far events).  See evq.h for the ordering
 * contract, the layout and the invariants.
 */
#include "evq.h"

#include <string.h>

#include <glib.h>

#include "sim_assert.h"

#define SPAN SIM_EVQ_SPAN  /* the wheel's cycles after t1 */
#define WORDS (SIM_EVQ_NB / 64)

G_STATIC_ASSERT(SIM_EVQ_NB >= 64 && SIM_EVQ_NB <= 4096 && (SIM_EVQ_NB & (SIM_EVQ_NB - 1)) == 0);
G_STATIC_ASSERT(SIM_EVQ_WB <= 20);
G_STATIC_ASSERT(sizeof(struct sim_evk) == 16);
G_STATIC_ASSERT(SIM_EVQ_SPARSE_SPAN >= SIM_EVQ_W && SIM_EVQ_SPARSE_SPAN + SPAN < (UINT64_C(1) << 30));
G_STATIC_ASSERT(SIM_EVQ_LINEAR <= SIM_EVQ_SPARSE_HI);

static inline uint32_t
slot_of(uint64_t t)
{
	return (uint32_t)(t >> SIM_EVQ_WB) & (SIM_EVQ_NB - 1);
}

static inline struct sim_evk
enc(const struct sim_ev *ev, uint64_t origin)
{
	return (struct sim_evk){
		.hi = (ev->time - origin) << 34 | (uint64_t)ev->cls << 32 | ev->id,
		.lo = ev->seq,
	};
}

static inline struct sim_ev
dec(const struct sim_evk *k, uint64_t origin)
{
	return (struct sim_ev){
		.time = origin + (k->hi >> 34),
		.cls = (uint32_t)(k->hi >> 32) & 3,
		.id = (uint32_t)k->hi,
		.seq = k->lo,
	};
}

/* a after b in the total order (same origin): (hi, lo) compared as one
 * 128-bit key, a compare and a subtract-with-borrow, where comparing hi
 * and then lo took two branches (host speed only) */
static inline bool
k_after(const struct sim_evk *a, const struct sim_evk *b)
{
	return ((unsigned __int128)a->hi << 64 | a->lo) > ((unsigned __int128)b->hi << 64 | b->lo);
}

/* ---- the far heap (4-ary, of groups of one time) ---- */

static inline bool
far_before(const struct sim_evq_far *a, const struct sim_evq_far *b)
{
	return a->time != b->time ? a->time < b->time : a->g < b->g;
}

/* Move h[i] down to its place (4-ary min-heap of n entries). */
static void
sift_down(struct sim_evq_far *h, size_t n, size_t i)
{
	struct sim_evq_far f = h[i];
	for (;;) {
		size_t c = 4 * i + 1;
		if (c >= n)
			break;
		size_t best = c;
		size_t end = c + 4 < n ? c + 4 : n;
		for (size_t k = c + 1; k < end; k++)
			if (far_before(&h[k], &h[best]))
				best = k;
		if (!far_before(&h[best], &f))
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = f;
}

static void
heap_push(struct sim_evq *q, struct sim_evq_far f)
{
	if (q->nheap == q->capheap) {
		q->capheap *= 2;
		q->far = g_renew(struct sim_evq_far, q->far, q->capheap);
	}
	size_t i = q->nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 4;
		if (!far_before(&f, &q->far[p]))
			break;
		q->far[i] = q->far[p];
		i = p;
	}
	q->far[i] = f;
}

static void
heap_pop(struct sim_evq *q)
{
	q->far[0] = q->far[--q->nheap];
	if (q->nheap)
		sift_down(q->far, q->nheap, 0);
}

/* The group table's entry for time t (Fibonacci hashing). */
static inline uint32_t
gslot(uint64_t t)
{
	return (uint32_t)((t * UINT64_C(0x9e3779b97f4a7c15)) >> 58) & (SIM_EVQ_GCACHE - 1);
}

/* A new, empty group of time t, in the heap.  Return: its index. */
static uint32_t
group_new(struct sim_evq *q, uint64_t t)
{
	uint32_t g;
	if (q->ngfree) {
		g = q->gfree[--q->ngfree];
	} else {
		if (q->ngroups == q->capgroups) {
			q->capgroups = q->capgroups ? 2 * q->capgroups : 64;
			q->groups = g_renew(struct sim_evq_group, q->groups, q->capgroups);
			q->gfree = g_renew(uint32_t, q->gfree, q->capgroups);
		}
		g = q->ngroups++;
		q->groups[g] = (struct sim_evq_group){ 0 };
	}
	struct sim_evq_group *gr = &q->groups[g];
	gr->time = t;
	if (gr->cap == 0) {
		gr->cap = 4;
		gr->e = g_new(struct sim_evk, gr->cap);
	}
	heap_push(q, (struct sim_evq_far){ .time = t, .g = g });
	return g;
}

/* Free group g (out of the heap); a large array goes back to the host. */
static void
group_release(struct sim_evq *q, uint32_t g)
{
	struct sim_evq_group *gr = &q->groups[g];
	gr->n = 0;
	if (gr->cap > SIM_EVQ_SMALL) {
		g_free(gr->e);
		gr->e = NULL;
		gr->cap = 0;
	}
	q->gfree[q->ngfree++] = g;
}

/* Queue ev (at or after the wheel's end) in its time's group. */
static void
far_push(struct sim_evq *q, const struct sim_ev *ev)
{
	uint32_t h = gslot(ev->time), g = q->gcache[h];
	struct sim_evq_group *gr = g ? &q->groups[g - 1] : NULL;
	if (gr == NULL || gr->n == 0 || gr->time != ev->time) {
		g = group_new(q, ev->time) + 1;
		q->gcache[h] = g;
		gr = &q->groups[g - 1];
	}
	if (gr->n == gr->cap) {
		gr->cap *= 2;
		gr->e = g_renew(struct sim_evk, gr->e, gr->cap);
	}
	gr->e[gr->n++] = (struct sim_evk){ .hi = (uint64_t)ev->cls << 32 | ev->id, .lo = ev->seq };
	q->nfar++;
}

/* ---- arrays and buckets ---- */

/* An array for an empty bucket: a drained one from the pool, or a new one
 * of SIM_EVQ_SMALL entries, the most a bucket that becomes current copies
 * and keeps (512 bytes; rcuscale's buckets of ~11 events grew from 8
 * entries by realloc; at most SIM_EVQ_NB of them: 2 MiB). */
static void
array_get(struct sim_evq *q, struct sim_evq_bucket *b)
{
	if (q->npool) {
		*b = q->pool[--q->npool];
		return;
	}
	b->cap = SIM_EVQ_SMALL;
	b->e = g_new(struct sim_evk, b->cap);
}

/* Keep a drained array (e, cap) for the next empty bucket, or free it. */
static void
array_put(struct sim_evq *q, struct sim_evk *e, uint32_t cap)
{
	if (e == NULL)
		return;
	if (q->npool < SIM_EVQ_POOL)
		q->pool[q->npool++] = (struct sim_evq_bucket){ .e = e, .n = 0, .cap = cap };
	else
		g_free(e);
}

static void
now_reserve(struct sim_evq *q, uint32_t need)
{
	if (need <= q->capnow)
		return;
	uint32_t cap = q->capnow ? q->capnow : 64;
	while (cap < need)
		cap *= 2;
	q->now = g_renew(struct sim_evk, q->now, cap);
	q->capnow = cap;
}

/* Wheel slot s's bucket, marked non-empty in the bitmaps (with an array)
 * if it was empty: the caller adds at least one event to it. */
static struct sim_evq_bucket *
bucket_open(struct sim_evq *q, uint32_t s)
{
	struct sim_evq_bucket *b = &q->wheel[s];
	if (b->n == 0) {
		if (b->cap == 0)
			array_get(q, b);
		q->bits[s / 64] |= UINT64_C(1) << (s % 64);
		q->summary |= UINT64_C(1) << (s / 64);
	}
	return b;
}

static void
bucket_add(struct sim_evq *q, const struct sim_ev *ev)
{
	struct sim_evq_bucket *b = bucket_open(q, slot_of(ev->time));
	if (b->n == b->cap) {
		b->cap *= 2;
		b->e = g_renew(struct sim_evk, b->e, b->cap);
	}
	b->e[b->n++] = enc(ev, ev->time & ~(SIM_EVQ_W - 1));
	q->nwheel++;
}

/* Start time of wheel slot s (its events are in [t1, t1 + SPAN)). */
static inline uint64_t
slot_start(const struct sim_evq *q, uint32_t s)
{
	uint32_t s0 = slot_of(q->t1);
	return q->t1 + ((uint64_t)((s - s0) & (SIM_EVQ_NB - 1)) << SIM_EVQ_WB);
}

/* Merge the ascending runs [x, xe) and [y, ye) into d.  (A branch-free
 * select -- the runs of a bucket interleave at random -- halved the
 * mispredicted branches of rcuscale gus at 4,096 CPUs but doubled the
 * loop's instructions: not taken.  Host speed only.) */
static inline void
merge_runs(struct sim_evk *d, const struct sim_evk *x, const struct sim_evk *xe,
	   const struct sim_evk *y, const struct sim_evk *ye)
{
	while (x < xe && y < ye) {
		bool take_y = k_after(x, y);
		*d++ = take_y ? *y : *x;
		y += take_y;
		x += !take_y;
	}
	while (x < xe)
		*d++ = *x++;
	while (y < ye)
		*d++ = *y++;
}

/* Add add to the time offset of now[0..nadd) (re-encode them from a base
 * add >> 34 cycles lower), then sort now[0..nnow) ascending: a natural
 * merge sort (find the ascending runs, merge neighbours pairwise into tmp
 * and back).  Keys are distinct (seq is unique per (time, class, id)).
 * The re-encoding is done in the pass that finds the runs (host speed
 * only: a bucket whose array became now's was a pass of its own). */
static void
sort_now(struct sim_evq *q, uint64_t add, uint32_t nadd)
{
	uint32_t n = q->nnow;
	SIM_ASSERT(nadd <= n);
	if (n < 2) {
		if (nadd)
			q->now[0].hi += add;
		return;
	}
	if (q->caprun < n + 1) {
		q->caprun = n + 1 > 2 * q->caprun ? n + 1 : 2 * q->caprun;
		q->runs = g_renew(uint32_t, q->runs, q->caprun);
	}
	uint32_t *runs = q->runs, nr = 0;
	runs[nr++] = 0;
	uint32_t i = 1;
	if (add && nadd) {
		q->now[0].hi += add;
		for (; i < nadd; i++) {
			q->now[i].hi += add;
			if (k_after(&q->now[i - 1], &q->now[i]))
				runs[nr++] = i;
		}
	}
	for (; i < n; i++)
		if (k_after(&q->now[i - 1], &q->now[i]))
			runs[nr++] = i;
	if (nr == 1)
		return;
	runs[nr] = n;
	if (q->captmp < q->capnow) {
		g_free(q->tmp);
		q->captmp = q->capnow;
		q->tmp = g_new(struct sim_evk, q->captmp);
	}
	struct sim_evk *src = q->now, *dst = q->tmp;
	while (nr > 1) {
		uint32_t out = 0;
		for (uint32_t r = 0; r < nr; r += 2) {
			uint32_t a = runs[r], m = runs[r + 1];
			if (r + 1 == nr) {      /* an odd run out: copy it */
				memcpy(&dst[a], &src[a], (m - a) * sizeof(*src));
				runs[out++] = a;
				continue;
			}
			uint32_t b = runs[r + 2];
			merge_runs(&dst[a], &src[a], &src[m], &src[m], &src[b]);
			runs[out++] = a;
		}
		runs[out] = n;
		nr = out;
		struct sim_evk *t = src;
		src = dst;
		dst = t;
	}
	if (src != q->now) {
		q->tmp = q->now;
		q->now = src;
		uint32_t c = q->captmp;
		q->captmp = q->capnow;
		q->capnow = c;
	}
}

/* The first non-empty wheel bucket in ring order from slot s0 (the wheel
 * is not empty): s0's word from s0 on, then the words after it, then the
 * words before it and s0's own below s0. */
static uint32_t
next_bucket(const struct sim_evq *q, uint32_t s0)
{
	uint32_t w0 = s0 / 64;
	uint64_t m = q->bits[w0] & (~UINT64_C(0) << (s0 % 64));
	if (m)
		return w0 * 64 + (uint32_t)__builtin_ctzll(m);
	uint64_t after = w0 == 63 ? 0 : q->summary & (~UINT64_C(0) << (w0 + 1));
	uint64_t sm = after ? after : q->summary & ((UINT64_C(2) << w0) - 1);
	SIM_ASSERT(sm != 0);
	uint32_t w = (uint32_t)__builtin_ctzll(sm);
	return w * 64 + (uint32_t)__builtin_ctzll(q->bits[w]);
}

/* Clear slot s's bit (its bucket is now empty). */
static inline void
clear_slot(struct sim_evq *q, uint32_t s)
{
	q->bits[s / 64] &= ~(UINT64_C(1) << (s % 64));
	if (q->bits[s / 64] == 0)
		q->summary &= ~(UINT64_C(1) << (s / 64));
}

/* Append wheel slot s's events (its bucket starts at `start`, at or after
 * base) to now, re-encoded from base, and empty the bucket. */
static void
take_bucket(struct sim_evq *q, uint32_t s, uint64_t start)
{
	struct sim_evq_bucket *b = &q->wheel[s];
	uint64_t add = (start - q->base) << 34;
	now_reserve(q, q->nnow + b->n);
	struct sim_evk *dst = &q->now[q->nnow];
	for (uint32_t i = 0; i < b->n; i++)
		dst[i] = (struct sim_evk){ .hi = b->e[i].hi + add, .lo = b->e[i].lo };
	q->nnow += b->n;
	q->nwheel -= b->n;
	b->n = 0;
	clear_slot(q, s);
}

/* Queue ev, at or after t1, in the wheel or the far heap. */
static inline void
place_after_now(struct sim_evq *q, const struct sim_ev *ev)
{
	if (ev->time - q->t1 < SPAN)
		bucket_add(q, ev);
	else
		far_push(q, ev);
}

/* sim_evq_sort_one_time (evq.h): a stable LSD radix sort, SIM_EVQ_RADIX_BITS
 * a pass, on the key class << b | id (b the bits of the largest id), then a
 * pass of insertion sort by seq where keys repeat.  Used for groups of at least
 * SIM_EVQ_RADIX: line_ww's sleepers come in the directory's grant order,
 * shuffled by id, and a natural merge sort of 65,535 of them took 16
 * passes of unpredictable compares. */
void
sim_evq_sort_one_time(struct sim_evk *e, uint32_t n, struct sim_evk *tmp, uint32_t *count)
{
	uint32_t ids = 0, cls = 0;
	for (uint32_t i = 0; i < n; i++) {
		ids |= (uint32_t)e[i].hi;
		cls |= (uint32_t)(e[i].hi >> 32);
	}
	unsigned b = ids ? 32u - (unsigned)__builtin_clz(ids) : 0;
	unsigned bits = b + (cls ? 32u - (unsigned)__builtin_clz(cls) : 0);
	struct sim_evk *src = e, *dst = tmp;
	for (unsigned sh = 0; sh < bits; sh += SIM_EVQ_RADIX_BITS) {
		memset(count, 0, SIM_EVQ_RADIX_DIGITS * sizeof(*count));
		for (uint32_t i = 0; i < n; i++) {
			uint64_t k = (src[i].hi >> 32) << b | (uint32_t)src[i].hi;
			count[(k >> sh) & (SIM_EVQ_RADIX_DIGITS - 1)]++;
		}
		uint32_t sum = 0;
		for (uint32_t d = 0; d < SIM_EVQ_RADIX_DIGITS; d++) {
			uint32_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (uint32_t i = 0; i < n; i++) {
			uint64_t k = (src[i].hi >> 32) << b | (uint32_t)src[i].hi;
			dst[count[(k >> sh) & (SIM_EVQ_RADIX_DIGITS - 1)]++] = src[i];
		}
		struct sim_evk *t = src;
		src = dst;
		dst = t;
	}
	if (src != e)
		memcpy(e, src, n * sizeof(*e));
	/* equal (class, id): by seq (the pass above kept their push order) */
	for (uint32_t i = 1; i < n; i++) {
		struct sim_evk k = e[i];
		uint32_t j = i;
		while (j > 0 && e[j - 1].hi == k.hi && e[j - 1].lo > k.lo) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = k;
	}
}

/* Append group gr (time ft) to now (ft is before t1) or else to its wheel
 * bucket (ft is within the wheel's reach). */
static void
group_to(struct sim_evq *q, struct sim_evq_group *gr, uint64_t ft, bool to_now)
{
	if (gr->n >= SIM_EVQ_RADIX) {
		/* scratch: the merge sort's buffer, kept (a fresh one per group
		 * was a page fault per 256 events) */
		if (q->captmp < gr->n) {
			g_free(q->tmp);
			q->captmp = gr->n > 2 * q->captmp ? gr->n : 2 * q->captmp;
			q->tmp = g_new(struct sim_evk, q->captmp);
		}
		if (q->rcount == NULL)
			q->rcount = g_new(uint32_t, SIM_EVQ_RADIX_DIGITS);
		sim_evq_sort_one_time(gr->e, gr->n, q->tmp, q->rcount);
	}
	uint64_t add = (ft - (to_now ? q->base : ft & ~(SIM_EVQ_W - 1))) << 34;
	struct sim_evk *dst;
	if (to_now) {
		now_reserve(q, q->nnow + gr->n);
		dst = &q->now[q->nnow];
		q->nnow += gr->n;
	} else {
		struct sim_evq_bucket *b = bucket_open(q, slot_of(ft));
		if (b->n + gr->n > b->cap) {
			while (b->n + gr->n > b->cap)
				b->cap *= 2;
			b->e = g_renew(struct sim_evk, b->e, b->cap);
		}
		dst = &b->e[b->n];
		b->n += gr->n;
		q->nwheel += gr->n;
	}
	for (uint32_t i = 0; i < gr->n; i++)
		dst[i] = (struct sim_evk){ .hi = gr->e[i].hi + add, .lo = gr->e[i].lo };
}

/* now is empty and n > 0: make the next bucket (from the wheel, or the far
 * heap's earliest cycles when the wheel is empty) the current one.  Every
 * queued event is at or after `lo` (the last time popped): now's origin
 * becomes lo when the bucket is less than SIM_EVQ_SPARSE_SPAN after it, so
 * that the pushes of the event just popped, between lo and the bucket, land
 * in now rather than before it.  When the wheel holds at most
 * SIM_EVQ_SPARSE_LO events, take all of them and widen now to
 * SIM_EVQ_SPARSE_SPAN cycles past its origin or up to the earliest far
 * event's bucket, whichever is sooner: sparse mode, where a push up to
 * there lands in now (a short insertion) and a pop does not visit the
 * wheel.  A far heap of sleepers stays where it is. */
static void
advance(struct sim_evq *q, uint64_t lo)
{
	SIM_ASSERT(q->head == q->nnow && q->nwheel + q->nfar > 0);
	bool sparse = q->nwheel <= SIM_EVQ_SPARSE_LO;
	q->head = q->nnow = 0;
	uint32_t s = 0, nadd = 0;
	uint64_t start, add = 0;
	if (q->nwheel) {
		s = next_bucket(q, slot_of(q->t1));
		start = slot_start(q, s);
	} else {
		start = q->far[0].time & ~(SIM_EVQ_W - 1);
	}
	lo &= ~(SIM_EVQ_W - 1);
	SIM_ASSERT(lo <= start);
	q->base = start - lo < SIM_EVQ_SPARSE_SPAN ? lo : start;
	if (q->nwheel) {
		struct sim_evq_bucket *b = &q->wheel[s];
		if (b->n <= SIM_EVQ_SMALL) {
			/* copy: the bucket keeps its small array */
			take_bucket(q, s, start);
		} else {
			/* the bucket's array becomes now's; now's goes to the pool */
			array_put(q, q->now, q->capnow);
			q->now = b->e;
			q->nnow = b->n;
			q->capnow = b->cap;
			q->nwheel -= b->n;
			*b = (struct sim_evq_bucket){ 0 };
			clear_slot(q, s);
			/* now[0..nadd) are re-encoded from base (add) by
			 * sort_now, or before anything else joins now */
			add = (start - q->base) << 34;
			nadd = q->nnow;
		}
	}
	q->t1 = start + SIM_EVQ_W;
	if (sparse) {
		SIM_ASSERT(nadd == 0);  /* a bucket of SIM_EVQ_SMALL at most */
		/* the rest of the wheel, bucket by bucket in time order */
		while (q->nwheel) {
			s = next_bucket(q, slot_of(q->t1));
			start = slot_start(q, s);
			take_bucket(q, s, start);
			q->t1 = start + SIM_EVQ_W;
		}
		uint64_t t1 = q->base + SIM_EVQ_SPARSE_SPAN;
		if (q->nheap && q->far[0].time - q->base < SIM_EVQ_SPARSE_SPAN)
			t1 = q->far[0].time & ~(SIM_EVQ_W - 1);
		if (t1 - q->base > q->t1 - q->base)
			q->t1 = t1;
	}
	q->sparse = sparse;
	/* far groups the wheel now reaches, whole */
	uint64_t span = q->t1 - q->base;
	while (q->nheap) {
		uint64_t ft = q->far[0].time, d = ft - q->base;
		uint32_t g = q->far[0].g;
		struct sim_evq_group *gr = &q->groups[g];
		if (d >= span && d - span >= SPAN)
			break;
		for (; nadd; nadd--)
			q->now[nadd - 1].hi += add;
		group_to(q, gr, ft, d < span);
		q->nfar -= gr->n;
		heap_pop(q);
		group_release(q, g);
	}
	sort_now(q, add, nadd);
}

/* Leave sparse mode (an insertion into now moved more than
 * SIM_EVQ_SPARSE_HI entries): t1 drops to the end of now[head]'s bucket; now's events after it go to the
 * wheel or the far heap, and so do wheel events the narrower wheel no
 * longer reaches. */
static void
narrow(struct sim_evq *q)
{
	uint64_t first = q->base + (q->now[q->head].hi >> 34);
	uint64_t nt1 = (first & ~(SIM_EVQ_W - 1)) + SIM_EVQ_W;
	for (uint32_t w = 0; q->nwheel && w < WORDS; w++) {
		/* wheel events are at or after the old t1, so after nt1 */
		for (uint64_t m = q->bits[w]; m; m &= m - 1) {
			uint32_t s = w * 64 + (uint32_t)__builtin_ctzll(m);
			uint64_t start = slot_start(q, s);
			if (start - nt1 < SPAN)
				continue;
			struct sim_evq_bucket *b = &q->wheel[s];
			for (uint32_t i = 0; i < b->n; i++) {
				struct sim_ev f = dec(&b->e[i], start);
				far_push(q, &f);
			}
			q->nwheel -= b->n;
			b->n = 0;
			clear_slot(q, s);
		}
	}
	q->t1 = nt1;
	q->sparse = false;
	/* the first entry at or after nt1 */
	uint64_t lim = (nt1 - q->base) << 34;
	uint32_t lo = q->head, hi = q->nnow;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (q->now[mid].hi >= lim)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (uint32_t i = lo; i < q->nnow; i++) {
		struct sim_ev ev = dec(&q->now[i], q->base);
		place_after_now(q, &ev);
	}
	q->nnow = lo;
}

/* ---- the queue ---- */

void
sim_evq_init(struct sim_evq *q)
{
	memset(q, 0, sizeof(*q));
	q->top.time = UINT64_MAX;
	q->wheel = g_new0(struct sim_evq_bucket, SIM_EVQ_NB);
	q->bits = g_new0(uint64_t, WORDS);
	q->capheap = 64;
	q->far = g_new(struct sim_evq_far, q->capheap);
	now_reserve(q, 64);
}

void
sim_evq_free(struct sim_evq *q)
{
	for (uint32_t s = 0; s < SIM_EVQ_NB && q->wheel; s++)
		g_free(q->wheel[s].e);
	for (uint32_t i = 0; i < q->npool; i++)
		g_free(q->pool[i].e);
	g_free(q->wheel);
	g_free(q->bits);
	g_free(q->far);
	for (uint32_t g = 0; g < q->ngroups; g++)
		g_free(q->groups[g].e);
	g_free(q->groups);
	g_free(q->gfree);
	g_free(q->now);
	g_free(q->tmp);
	g_free(q->runs);
	g_free(q->rcount);
	memset(q, 0, sizeof(*q));
}

/* Lower now's origin to nb, t1 - nb < 2^30 (a push before base; t1 is
 * computed modulo 2^64 and may have wrapped past the end of time). */
static void
rebase(struct sim_evq *q, uint64_t nb)
{
	uint64_t add = (q->base - nb) << 34;
	for (uint32_t i = q->head; i < q->nnow; i++)
		q->now[i].hi += add;
	q->base = nb;
}

/* Move every event of now and the wheel to the far heap and start again
 * from its earliest (a push too far before base for an offset). */
static void
rebuild(struct sim_evq *q)
{
	for (uint32_t i = q->head; i < q->nnow; i++) {
		struct sim_ev ev = dec(&q->now[i], q->base);
		far_push(q, &ev);
	}
	q->head = q->nnow;
	for (uint32_t s = 0; s < SIM_EVQ_NB; s++) {
		struct sim_evq_bucket *b = &q->wheel[s];
		if (b->n == 0)
			continue;
		uint64_t start = slot_start(q, s);
		for (uint32_t i = 0; i < b->n; i++) {
			struct sim_ev ev = dec(&b->e[i], start);
			far_push(q, &ev);
		}
		b->n = 0;
	}
	memset(q->bits, 0, WORDS * sizeof(*q->bits));
	q->summary = 0;
	q->nwheel = 0;
	advance(q, q->far[0].time);
}

/* Make room for one more entry at now's end: slide the live entries down
 * when popped ones fill half the array (in sparse mode now never empties,
 * so head only grows), else grow it. */
static inline void
now_room(struct sim_evq *q)
{
	if (q->nnow < q->capnow)
		return;
	if (2 * q->head >= q->capnow) {
		memmove(q->now, &q->now[q->head], (q->nnow - q->head) * sizeof(*q->now));
		q->nnow -= q->head;
		q->head = 0;
		return;
	}
	now_reserve(q, q->nnow + 1);
}

/* now_insert's general case: an append, or a binary search and a move of
 * the shorter side (making room first: at the front, by moving every live
 * entry a quarter of their number on, or at the end); in sparse mode, an
 * insertion whose move itself shifts more than SIM_EVQ_SPARSE_HI entries
 * ends it. */
G_GNUC_NO_INLINE static bool
now_insert_search(struct sim_evq *q, struct sim_evk k)
{
	/* after the last: an append, not a binary search (line_ww at 65,536
	 * CPUs: 131,000 such pushes in 3 rounds into a now of ~65,000 events) */
	if (q->nnow < q->capnow && q->nnow > q->head && k_after(&k, &q->now[q->nnow - 1])) {
		q->now[q->nnow++] = k;
		return false;
	}
	uint32_t lo = q->head, hi = q->nnow;
	while (lo < hi) {               /* the first entry after k */
		uint32_t mid = (lo + hi) / 2;
		if (k_after(&k, &q->now[mid]))
			lo = mid + 1;
		else
			hi = mid;
	}
	bool first;
	uint32_t moved;
	if (lo - q->head < q->nnow - lo) {
		if (q->head == 0) {
			uint32_t live = q->nnow, gap = live / 4 > 16 ? live / 4 : 16;
			now_reserve(q, live + gap);
			memmove(&q->now[gap], q->now, live * sizeof(k));
			q->head = gap;
			q->nnow += gap;
			lo += gap;
		}
		moved = lo - q->head;
		memmove(&q->now[q->head - 1], &q->now[q->head], moved * sizeof(k));
		q->head--;
		q->now[lo - 1] = k;
		first = lo - 1 == q->head;
	} else {
		uint32_t head = q->head;
		now_room(q);
		lo -= head - q->head;
		moved = q->nnow - lo;
		memmove(&q->now[lo + 1], &q->now[lo], moved * sizeof(k));
		q->now[lo] = k;
		q->nnow++;
		first = lo == q->head;
	}
	if (q->sparse && moved > SIM_EVQ_SPARSE_HI)
		narrow(q);
	return first;
}

/* Insert k into now[head..nnow) in order: when now holds a few live
 * entries and has room, by a step of insertion sort from the end.
 * Return: true if k is the new now[head]. */
static inline bool
now_insert(struct sim_evq *q, struct sim_evk k)
{
	uint32_t head = q->head, i = q->nnow;
	if (i - head > SIM_EVQ_LINEAR || i == q->capnow)
		return now_insert_search(q, k);
	struct sim_evk *e = q->now;
	q->nnow = i + 1;
	while (i > head && k_after(&e[i - 1], &k)) {
		e[i] = e[i - 1];
		i--;
	}
	e[i] = k;
	return i == head;
}

/* sim_evq_push's cases other than an event into a non-empty now: the
 * first event, an event before base, an event for the wheel or far heap. */
G_GNUC_NO_INLINE static void
push_slow(struct sim_evq *q, struct sim_ev ev)
{
	if (q->n == 0) {
		q->base = ev.time & ~(SIM_EVQ_W - 1);
		q->t1 = q->base + SIM_EVQ_SPARSE_SPAN;
		q->sparse = true;
		q->head = 0;
		now_reserve(q, 1);
		q->now[0] = enc(&ev, q->base);
		q->nnow = 1;
		q->n = 1;
		q->top = ev;
		return;
	}
	q->n++;
	if (ev.time < q->base) {
		uint64_t nb = ev.time & ~(SIM_EVQ_W - 1);
		if (q->base - nb >= (UINT64_C(1) << 30) - (q->t1 - q->base)) {
			far_push(q, &ev);
			rebuild(q);
			q->top = dec(&q->now[q->head], q->base);
			return;
		}
		rebase(q, nb);
		if (now_insert(q, enc(&ev, q->base)))
			q->top = ev;
		return;
	}
	place_after_now(q, &ev);
}

void
sim_evq_push_slow(struct sim_evq *q, uint64_t time, uint64_t seq, uint32_t id, uint32_t cls)
{
	struct sim_ev ev = { .time = time, .seq = seq, .id = id, .cls = cls };
	SIM_ASSERT(ev.cls <= SIM_EV_LINE);
	if (G_LIKELY(q->n != 0 && ev.time >= q->base)) {
		uint64_t d = ev.time - q->base, span = q->t1 - q->base;
		if (d < span) {
			q->n++;
			if (now_insert(q, enc(&ev, q->base)))
				q->top = ev;
			return;
		}
		if (d - span < SPAN) {
			q->n++;
			bucket_add(q, &ev);
			return;
		}
	}
	push_slow(q, ev);
}

void
sim_evq_advance(struct sim_evq *q, uint64_t lo)
{
	advance(q, lo);
}

size_t
sim_evq_filter(struct sim_evq *q, bool (*keep)(const struct sim_ev *ev, void *arg), void *arg)
{
	uint32_t m = 0;
	for (uint32_t i = q->head; i < q->nnow; i++) {
		struct sim_ev ev = dec(&q->now[i], q->base);
		if (keep(&ev, arg))
			q->now[m++] = q->now[i];
	}
	q->head = 0;
	q->nnow = m;
	for (uint32_t s = 0; s < SIM_EVQ_NB; s++) {
		struct sim_evq_bucket *b = &q->wheel[s];
		if (b->n == 0)
			continue;
		uint64_t start = slot_start(q, s);
		uint32_t k = 0;
		for (uint32_t i = 0; i < b->n; i++) {
			struct sim_ev ev = dec(&b->e[i], start);
			if (keep(&ev, arg))
				b->e[k++] = b->e[i];
		}
		q->nwheel -= b->n - k;
		b->n = k;
		if (k == 0)
			clear_slot(q, s);
	}
	size_t n = 0;
	uint32_t h = 0;
	for (uint32_t i = 0; i < q->nheap; i++) {
		struct sim_evq_far f = q->far[i];
		struct sim_evq_group *gr = &q->groups[f.g];
		uint32_t k = 0;
		for (uint32_t j = 0; j < gr->n; j++) {
			struct sim_ev ev = dec(&gr->e[j], f.time);
			if (keep(&ev, arg))
				gr->e[k++] = gr->e[j];
		}
		gr->n = k;
		n += k;
		if (k)
			q->far[h++] = f;
		else
			group_release(q, f.g);
	}
	q->nheap = h;
	q->nfar = n;
	/* Groups are totally ordered by (time, g), so rebuilding the heap
	 * cannot change the order in which they leave it (nor, events being
	 * totally ordered too, the order in which events pop). */
	for (size_t i = h / 4 + 1; i-- > 0;)
		if (i < h)
			sift_down(q->far, h, i);
	while (q->capheap > 64 && q->nheap < q->capheap / 4) {
		q->capheap /= 2;
		q->far = g_renew(struct sim_evq_far, q->far, q->capheap);
	}
	size_t dropped = q->n - (q->nnow + q->nwheel + q->nfar);
	q->n = q->nnow + q->nwheel + q->nfar;
	if (q->n) {
		if (q->nnow == 0)
			advance(q, q->base);   /* every event is at or after base */
		q->top = dec(&q->now[q->head], q->base);
	} else {
		q->top.time = UINT64_MAX;
	}
	return dropped;
}
