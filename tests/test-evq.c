// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The event queue (sim/core/evq.c) against a reference: a plain array
 * whose earliest event is found by a full scan under sim_ev_before (a
 * selection sort).  Random mixes of events in the current bucket, the
 * wheel, the far heap and past the end of time, with duplicate
 * (time, class, id) keys, pushes before the last pop and filters, must
 * pop in exactly the reference's order, every field equal.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "evq.h"

struct ref {
	GArray *a;      /* struct sim_ev, unordered */
};

static struct sim_ev
ref_pop(struct ref *r)
{
	g_assert_cmpuint(r->a->len, >, 0);
	guint best = 0;
	for (guint i = 1; i < r->a->len; i++)
		if (sim_ev_before(&g_array_index(r->a, struct sim_ev, i),
				  &g_array_index(r->a, struct sim_ev, best)))
			best = i;
	struct sim_ev ev = g_array_index(r->a, struct sim_ev, best);
	g_array_remove_index_fast(r->a, best);
	return ev;
}

static void
assert_same(const struct sim_ev *a, const struct sim_ev *b)
{
	g_assert_cmpuint(a->time, ==, b->time);
	g_assert_cmpuint(a->cls, ==, b->cls);
	g_assert_cmpuint(a->id, ==, b->id);
	g_assert_cmpuint(a->seq, ==, b->seq);
}

static bool
keep_not_mod(const struct sim_ev *ev, void *arg)
{
	return ev->seq % GPOINTER_TO_UINT(arg) != 0;
}

/* A time near `now`: mostly a few cycles ahead (as in rcuscale), some in
 * the wheel, some far, a few before now, a few at the end of time. */
static uint64_t
pick_time(GRand *g, uint64_t now)
{
	int32_t k = g_rand_int_range(g, 0, 1000);
	if (k < 500)
		return now + (uint64_t)g_rand_int_range(g, 0, 8);
	if (k < 800)
		return now + (uint64_t)g_rand_int_range(g, 0, 5000);
	if (k < 950)
		return now + (uint64_t)g_rand_int_range(g, 0, 1 << 24);
	if (k < 990)
		return now >= 20 ? now - (uint64_t)g_rand_int_range(g, 0, 20) : now;
	return UINT64_MAX - (uint64_t)g_rand_int_range(g, 0, 3);
}

static void
run_mix(guint32 seed, int steps)
{
	GRand *g = g_rand_new_with_seed(seed);
	struct sim_evq q;
	struct ref r = { g_array_new(FALSE, FALSE, sizeof(struct sim_ev)) };
	sim_evq_init(&q);
	uint64_t seq = 0, now = 0, pops = 0;
	for (int step = 0; step < steps; step++) {
		int32_t k = g_rand_int_range(g, 0, 1000);
		if (k < 520 || r.a->len == 0) {
			struct sim_ev ev = {
				.time = pick_time(g, now),
				.cls = (uint32_t)g_rand_int_range(g, 0, 3),
				.id = (uint32_t)g_rand_int_range(g, 0, 6),
				.seq = ++seq,
			};
			sim_evq_push(&q, ev);
			g_array_append_val(r.a, ev);
		} else if (k < 997) {
			struct sim_ev want = ref_pop(&r);
			const struct sim_ev *top = sim_evq_top(&q);
			g_assert_nonnull(top);
			assert_same(top, &want);
			struct sim_ev got = sim_evq_pop(&q);
			assert_same(&got, &want);
			if (got.time < UINT64_MAX - 2)
				now = got.time;
			pops++;
		} else {
			guint mod = (guint)g_rand_int_range(g, 2, 6);
			guint before = r.a->len;
			for (guint i = r.a->len; i-- > 0;)
				if (!keep_not_mod(&g_array_index(r.a, struct sim_ev, i),
						  GUINT_TO_POINTER(mod)))
					g_array_remove_index_fast(r.a, i);
			size_t dropped = sim_evq_filter(&q, keep_not_mod, GUINT_TO_POINTER(mod));
			g_assert_cmpuint(dropped, ==, before - r.a->len);
		}
		g_assert_cmpuint(q.n, ==, r.a->len);
		g_assert_true(sim_evq_empty(&q) == (r.a->len == 0));
	}
	while (r.a->len) {
		struct sim_ev want = ref_pop(&r);
		struct sim_ev got = sim_evq_pop(&q);
		assert_same(&got, &want);
		pops++;
	}
	g_assert_true(sim_evq_empty(&q));
	g_assert_null(sim_evq_top(&q));
	g_assert_cmpuint(pops, >, (uint64_t)steps / 3);
	sim_evq_free(&q);
	g_array_free(r.a, TRUE);
	g_rand_free(g);
}

/* Near and far events, duplicates, pushes into the past, filters. */
static void
test_evq_random_mix(void)
{
	for (guint32 seed = 1; seed <= 20; seed++)
		run_mix(seed, 20000);
}

/*
 * Every CPU's event at time 0 in one bucket (the engine's start), then
 * each pop pushes its event a few cycles on, as CPUs that yield do: the
 * queue sorts a large bucket and keeps popping in (time, cls, id, seq)
 * order.
 */
static void
test_evq_lockstep(void)
{
	struct sim_evq q;
	sim_evq_init(&q);
	const uint32_t ncpus = 4096;
	uint64_t seq = 0;
	for (uint32_t i = ncpus; i-- > 0;)
		sim_evq_push(&q, (struct sim_ev){ .time = 0, .cls = SIM_EV_CPU, .id = i,
						  .seq = ++seq });
	/* CPU i moves on by 4 + (i % 4) cycles each turn. */
	uint64_t last_time = 0;
	uint32_t last_id = 0;
	for (uint32_t k = 0; k < 20 * ncpus; k++) {
		struct sim_ev ev = sim_evq_pop(&q);
		g_assert_true(ev.time > last_time || (ev.time == last_time && (k == 0 ||
							    ev.id > last_id)));
		last_time = ev.time;
		last_id = ev.id;
		sim_evq_push(&q, (struct sim_ev){ .time = ev.time + 4 + ev.id % 4,
						  .cls = SIM_EV_CPU, .id = ev.id, .seq = ++seq });
	}
	g_assert_cmpuint(q.n, ==, ncpus);
	/* after 20 turns each, CPU i is at sum of 20 steps of 4 + i % 4 */
	for (uint32_t k = 0; k < ncpus; k++) {
		struct sim_ev ev = sim_evq_pop(&q);
		g_assert_cmpuint(ev.time, >=, last_time);
		last_time = ev.time;
	}
	g_assert_true(sim_evq_empty(&q));
	sim_evq_free(&q);
}

/* ---- sparse mode, dense buckets and the switches between them ---- */

/* One phase of run_phases: each step pops one event and pushes `per_pop`
 * events (on average) at now + near + a random part of `spread` cycles, plus
 * now + sleep for every CPU that goes to sleep. */
struct phase {
	int steps;
	int per_pop_x4;        /* pushes per pop, times 4 */
	uint32_t near, spread; /* push distance: near + [0, spread) */
	uint64_t sleep;        /* a sleeper's distance, 0 for none */
	int sleep_per_1000;    /* pushes that are sleepers, per 1,000 */
};

struct mode_seen {
	int sparse, dense, to_sparse, to_dense;   /* pops in each mode; switches */
	bool last;
};

static void
note_mode(const struct sim_evq *q, struct mode_seen *m)
{
	if (q->sparse && !m->last)
		m->to_sparse++;
	if (!q->sparse && m->last)
		m->to_dense++;
	m->last = q->sparse;
}

static void
push_both(struct sim_evq *q, struct ref *r, struct sim_ev ev, struct mode_seen *m)
{
	sim_evq_push(q, ev);
	g_array_append_val(r->a, ev);
	note_mode(q, m);
}

static void
pop_both(struct sim_evq *q, struct ref *r, uint64_t *now, struct mode_seen *m)
{
	struct sim_ev want = ref_pop(r);
	assert_same(sim_evq_top(q), &want);
	struct sim_ev got = sim_evq_pop(q);
	assert_same(&got, &want);
	*now = got.time;
	if (q->sparse)
		m->sparse++;
	else
		m->dense++;
	note_mode(q, m);
}

/* Run the phases in order against the reference; the queue must pop
 * exactly the reference's order, every field equal.  Return the modes seen. */
static struct mode_seen
run_phases(guint32 seed, const struct phase *ph, int nph, uint32_t start_events)
{
	GRand *g = g_rand_new_with_seed(seed);
	struct sim_evq q;
	struct ref r = { g_array_new(FALSE, FALSE, sizeof(struct sim_ev)) };
	struct mode_seen m = { 0 };
	sim_evq_init(&q);
	uint64_t seq = 0, now = 1000;
	for (uint32_t i = 0; i < start_events; i++)
		push_both(&q, &r, (struct sim_ev){ .time = now + i % 3, .cls = SIM_EV_CPU,
						   .id = i, .seq = ++seq }, &m);
	for (int p = 0; p < nph; p++) {
		for (int step = 0; step < ph[p].steps && r.a->len; step++) {
			pop_both(&q, &r, &now, &m);
			int k = ph[p].per_pop_x4 / 4 +
				(g_rand_int_range(g, 0, 4) < ph[p].per_pop_x4 % 4);
			for (int j = 0; j < k; j++) {
				bool sleeper = ph[p].sleep &&
					g_rand_int_range(g, 0, 1000) < ph[p].sleep_per_1000;
				uint64_t t = now + (sleeper ? ph[p].sleep : ph[p].near +
					(uint64_t)g_rand_int_range(g, 0, (gint32)ph[p].spread));
				push_both(&q, &r, (struct sim_ev){
					.time = t,
					.cls = (uint32_t)g_rand_int_range(g, 0, 3),
					.id = (uint32_t)g_rand_int_range(g, 0, 64),
					.seq = ++seq }, &m);
			}
			g_assert_cmpuint(q.n, ==, r.a->len);
		}
	}
	while (r.a->len)
		pop_both(&q, &r, &now, &m);
	g_assert_true(sim_evq_empty(&q));
	sim_evq_free(&q);
	g_array_free(r.a, TRUE);
	g_rand_free(g);
	return m;
}

/*
 * faa's pattern: 2-3 events queued, each pop pushes one 30 to 2,100 cycles
 * on (nearly every event in a bucket of its own).  The queue stays in
 * sparse mode (no bucket change per pop) and pops in the reference order.
 */
static void
test_evq_sparse(void)
{
	const struct phase ph[] = {
		{ .steps = 20000, .per_pop_x4 = 4, .near = 30, .spread = 2070 },
	};
	for (guint32 seed = 1; seed <= 5; seed++) {
		struct mode_seen m = run_phases(seed, ph, 1, 3);
		g_assert_cmpint(m.sparse, >, 19000);
		g_assert_cmpint(m.to_dense, ==, 0);
	}
}

/*
 * rcuscale's pattern: 4,096 events a few cycles apart, each pop pushes
 * one 1 to 8 cycles on: dense buckets, no sparse mode after the start.
 */
static void
test_evq_dense(void)
{
	const struct phase ph[] = {
		{ .steps = 40000, .per_pop_x4 = 4, .near = 1, .spread = 8 },
	};
	struct mode_seen m = run_phases(7, ph, 1, 4096);
	/* the first push into the empty queue starts sparse mode; the start's
	 * pushes end it, and it does not come back */
	g_assert_cmpint(m.to_sparse, ==, 1);
	g_assert_cmpint(m.to_dense, ==, 1);
	g_assert_cmpint(m.sparse, ==, 0);
}

/*
 * Switching: a sparse chain, then a burst (each pop pushes two events
 * spread over 3,000 cycles, so insertions into a wide now move more than
 * SIM_EVQ_SPARSE_HI entries and end sparse mode), then a drain back to a
 * sparse chain; line_ww's pattern throughout: a share of the pushes are
 * sleepers 8 M cycles on (a far heap that sparse mode must not pull in),
 * some of them landing at one time.  Both switches happen, repeatedly,
 * and the order stays the reference's.
 */
static void
test_evq_switching(void)
{
	const struct phase ph[] = {
		{ .steps = 3000, .per_pop_x4 = 4, .near = 30, .spread = 2000,
		  .sleep = 8000000, .sleep_per_1000 = 20 },
		{ .steps = 3000, .per_pop_x4 = 8, .near = 0, .spread = 3000,
		  .sleep = 8000000, .sleep_per_1000 = 20 },
		{ .steps = 9000, .per_pop_x4 = 3, .near = 1, .spread = 500,
		  .sleep = 8000000, .sleep_per_1000 = 100 },
		{ .steps = 3000, .per_pop_x4 = 4, .near = 30, .spread = 2000 },
		{ .steps = 3000, .per_pop_x4 = 9, .near = 0, .spread = 40 },
		{ .steps = 6000, .per_pop_x4 = 3, .near = 0, .spread = 4000 },
	};
	for (guint32 seed = 1; seed <= 5; seed++) {
		struct mode_seen m = run_phases(seed, ph, G_N_ELEMENTS(ph), 2);
		g_assert_cmpint(m.to_dense, >=, 2);
		g_assert_cmpint(m.to_sparse, >=, 2);
		g_assert_cmpint(m.sparse, >, 1000);
		g_assert_cmpint(m.dense, >, 1000);
	}
}

/*
 * line_ww's sleepers: thousands of CPUs (ids in a shuffled order, as the
 * directory grants them) sleep to one far time while near events keep
 * running, and a second far time gets events of every class with repeated
 * ids in descending seq order (both groups over SIM_EVQ_RADIX: the radix
 * sort and its seq pass).  The far heap holds one group per time (2
 * here), not an entry per event; then 65 far times pushed round robin (more than the group
 * table's entries, so times meet in its slots and start new groups of a
 * time already queued).  Either way the pops are the reference's.
 */
static void
test_evq_far_groups(void)
{
	GRand *g = g_rand_new_with_seed(3);
	struct sim_evq q;
	struct ref r = { g_array_new(FALSE, FALSE, sizeof(struct sim_ev)) };
	sim_evq_init(&q);
	uint64_t seq = 0, now = 1000;
	const uint32_t n = 10000;
	g_assert_cmpuint(n / 7, >=, SIM_EVQ_RADIX);
	uint32_t *ids = g_new(uint32_t, n);
	for (uint32_t i = 0; i < n; i++)
		ids[i] = i;
	for (uint32_t i = n; i-- > 1;) {
		uint32_t j = (uint32_t)g_rand_int_range(g, 0, (gint32)i + 1), t = ids[i];
		ids[i] = ids[j];
		ids[j] = t;
	}
	struct mode_seen m = { 0 };
	/* 64 running CPUs keep the queue dense (no sparse mode, whose now
	 * would take the sleepers) */
	for (uint32_t i = 0; i < 64; i++)
		push_both(&q, &r, (struct sim_ev){ .time = now + i % 4, .cls = SIM_EV_LINE,
						   .id = i, .seq = ++seq }, &m);
	uint64_t down = UINT64_C(1) << 40;
	for (uint32_t i = 0; i < n; i++) {
		if (i % 7 == 0)         /* every class, ids repeated, seqs descending */
			push_both(&q, &r, (struct sim_ev){ .time = 1000 + 5000000 + 400,
							   .cls = i % 3, .id = ids[i] % 100,
							   .seq = --down }, &m);
		else
			push_both(&q, &r, (struct sim_ev){ .time = 1000 + 5000000 + 200000,
							   .cls = SIM_EV_CPU, .id = ids[i],
							   .seq = ++seq }, &m);
		pop_both(&q, &r, &now, &m);
		push_both(&q, &r, (struct sim_ev){ .time = now + 1 + i % 5, .cls = SIM_EV_LINE,
						   .id = i % 64, .seq = ++seq }, &m);
	}
	g_assert_false(q.sparse);
	g_assert_cmpuint(q.nfar, ==, n);
	g_assert_cmpuint(q.nheap, ==, 2);
	for (uint32_t k = 0; k < 20 * 65; k++)
		push_both(&q, &r, (struct sim_ev){ .time = now + 9000000 + 1000 * (k % 65),
						   .cls = SIM_EV_CPU, .id = k % 3, .seq = ++seq }, &m);
	g_assert_cmpuint(q.nfar, ==, n + 20 * 65);
	g_assert_cmpuint(q.nheap, >, 2 + 65);
	while (r.a->len)
		pop_both(&q, &r, &now, &m);
	g_assert_true(sim_evq_empty(&q));
	g_assert_cmpuint(q.nheap, ==, 0);
	sim_evq_free(&q);
	g_array_free(r.a, TRUE);
	g_free(ids);
	g_rand_free(g);
}

static int
cmp_evk(const void *pa, const void *pb)
{
	const struct sim_evk *a = pa, *b = pb;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/*
 * The radix sort of a far group: random (class, id) keys over id ranges
 * of 0 (every key equal: no radix pass), 1, 300 (9 bits: one pass with the
 * class above), 70,000 (17 bits: two passes) and every 32-bit id (four
 * passes), repeated keys with seqs in any order: the result is qsort's.
 */
static void
test_evq_sort_one_time(void)
{
	GRand *g = g_rand_new_with_seed(11);
	const uint32_t ranges[] = { 0, 1, 300, 70000, UINT32_MAX };
	for (guint r = 0; r < G_N_ELEMENTS(ranges); r++) {
		for (uint32_t n = 1; n <= 5000; n = n * 3 + 1) {
			struct sim_evk *e = g_new(struct sim_evk, n), *want = g_new(struct sim_evk, n);
			for (uint32_t i = 0; i < n; i++) {
				uint64_t id = ranges[r] ? (uint64_t)g_rand_int(g) % ((uint64_t)ranges[r] + 1) : 0;
				e[i] = (struct sim_evk){ .hi = (uint64_t)g_rand_int_range(g, 0, 3) << 32 | id,
							 .lo = (uint64_t)g_rand_int(g) << 20 | i };
			}
			memcpy(want, e, n * sizeof(*e));
			qsort(want, n, sizeof(*want), cmp_evk);
			struct sim_evk *tmp = g_new(struct sim_evk, n);
			uint32_t count[SIM_EVQ_RADIX_DIGITS];
			sim_evq_sort_one_time(e, n, tmp, count);
			g_free(tmp);
			g_assert_cmpmem(e, n * sizeof(*e), want, n * sizeof(*want));
			g_free(e);
			g_free(want);
		}
	}
	g_rand_free(g);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/engine/evq/random-mix-matches-reference", test_evq_random_mix);
	g_test_add_func("/engine/evq/lockstep-cpus", test_evq_lockstep);
	g_test_add_func("/engine/evq/sparse-matches-reference", test_evq_sparse);
	g_test_add_func("/engine/evq/dense-matches-reference", test_evq_dense);
	g_test_add_func("/engine/evq/switching-matches-reference", test_evq_switching);
	g_test_add_func("/engine/evq/far-groups-match-reference", test_evq_far_groups);
	g_test_add_func("/engine/evq/sort-one-time-matches-qsort", test_evq_sort_one_time);
	return g_test_run();
}
