// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Helpers shared by the Linux RCU family (see rcu_common.h): gp_seq
 * updates, rcu_segcblist, the in-line ticket spinlock, the tick slice,
 * distributions and struct rcl_stats bookkeeping.
 *
 * SOURCE: torvalds/linux kernel/rcu/rcu_segcblist.c for the segment
 * manipulation (rewritten here over absolute indices instead of
 * rcu_head ** tail pointers).
 */
#include <math.h>
#include <string.h>

#include "engine.h"
#include "rcu_common.h"

/* ---- gp_seq ---- */

void
rcu_seq_start(uint64_t *sp)
{
	sim_store64(sp, sim_load64(sp) + 1);
	sim_fence_full();   /* Ensure update-side operation after counter increment. */
}

void
rcu_seq_end(uint64_t *sp)
{
	sim_fence_full();   /* Ensure update-side operation before counter increment. */
	sim_store64(sp, rcu_seq_endval(sim_load64(sp)));
}

/* ---- rcu_segcblist ---- */

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

/* ---- the ticket spinlock ---- */

void
rcu_raw_lock(uint64_t *lock, struct rcu_lockstat *st)
{
	uint32_t *w = (uint32_t *)lock;     /* [0] head, [1] tail (little-endian halves) */
	uint32_t me = sim_faa32(&w[1], 1);
	uint32_t head = sim_load32(&w[0]);
	if (head != me) {
		sim_time_t t0 = sim_now();
		enum sim_cause prev = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
		st->contended++;
		while (head != me)
			head = sim_spin_while_eq32(&w[0], head);
		sim_cause_pop(prev);
		st->wait_cycles += sim_now() - t0;
	}
	sim_fence_acquire();
	st->acquired++;
}

bool
rcu_raw_trylock(uint64_t *lock, struct rcu_lockstat *st)
{
	uint64_t v = sim_load64(lock);
	uint32_t head = (uint32_t)v, tail = (uint32_t)(v >> 32);
	if (head != tail || sim_cas64(lock, v, v + (UINT64_C(1) << 32)) != v) {
		st->trylock_failed++;
		return false;
	}
	st->acquired++;
	return true;
}

void
rcu_raw_unlock(uint64_t *lock)
{
	uint32_t *w = (uint32_t *)lock;
	uint32_t head = sim_load32(&w[0]);
	sim_store32_rel(&w[0], head + 1);
}

bool
rcu_raw_lock_is_free(const uint64_t *lock)
{
	return (uint32_t)*lock == (uint32_t)(*lock >> 32);
}

void
rcu_lockstat_emit(const struct rcu_lockstat *st, uint64_t per, cJSON *out)
{
	cJSON_AddNumberToObject(out, "acquired", (double)st->acquired);
	cJSON_AddNumberToObject(out, "contended", (double)st->contended);
	cJSON_AddNumberToObject(out, "trylock_failed", (double)st->trylock_failed);
	cJSON_AddNumberToObject(out, "wait_cycles", (double)st->wait_cycles);
	cJSON_AddNumberToObject(out, "wait_cycles_per_acquisition",
				st->acquired ? (double)st->wait_cycles / (double)st->acquired : 0.0);
	if (per) {
		cJSON_AddNumberToObject(out, "acquired_per_gp", (double)st->acquired / (double)per);
		cJSON_AddNumberToObject(out, "wait_cycles_per_gp",
					(double)st->wait_cycles / (double)per);
	}
}

/* ---- tick ---- */

void
rcu_clock_register(struct rcu_clock *c, struct sim *sim, uint32_t hz, uint32_t wakeup_us,
		   uint32_t tick_work_ns, bool skew, void (*fn)(void *), void *arg)
{
	double ghz = sim_machine_of(sim)->freq_ghz;
	uint64_t jiffy = (uint64_t)llround(ghz * 1e9 / hz);
	uint64_t want = wakeup_us ? (uint64_t)llround(ghz * 1e3 * wakeup_us) : jiffy;
	uint32_t slices = want >= jiffy || want == 0 ? 1 : (uint32_t)((jiffy + want - 1) / want);
	c->hz = hz;
	c->slices = slices;
	c->slice = jiffy / slices ? jiffy / slices : 1;
	c->jiffy = c->slice * slices;
	c->tick_work = (uint64_t)llround(ghz * tick_work_ns);
	sim_tick_register(sim, c->slice, skew, fn, arg);
}

void
rcu_tick_other_work(const struct rcu_clock *c)
{
	if (c->tick_work)
		sim_work(sim_random_below(c->tick_work + 1));
}

/* ---- distributions ---- */

void
rcu_dist_init(struct rcu_dist *d)
{
	d->v = g_array_new(FALSE, FALSE, sizeof(uint64_t));
}

void
rcu_dist_free(struct rcu_dist *d)
{
	if (d->v)
		g_array_free(d->v, TRUE);
	d->v = NULL;
}

void
rcu_dist_add(struct rcu_dist *d, uint64_t x)
{
	g_array_append_val(d->v, x);
}

static gint
cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

double
rcu_dist_mean(const struct rcu_dist *d)
{
	if (d->v->len == 0)
		return 0.0;
	double s = 0;
	for (guint i = 0; i < d->v->len; i++)
		s += (double)g_array_index(d->v, uint64_t, i);
	return s / d->v->len;
}

void
rcu_dist_emit(const struct rcu_dist *d, const char *name, cJSON *out)
{
	cJSON *o = cJSON_AddObjectToObject(out, name);
	guint n = d->v->len;
	cJSON_AddNumberToObject(o, "count", n);
	if (n == 0)
		return;
	uint64_t *s = g_new(uint64_t, n);
	memcpy(s, d->v->data, (size_t)n * sizeof(uint64_t));
	qsort(s, n, sizeof *s, (int (*)(const void *, const void *))cmp_u64);
	cJSON_AddNumberToObject(o, "mean", rcu_dist_mean(d));
	cJSON_AddNumberToObject(o, "min", (double)s[0]);
	cJSON_AddNumberToObject(o, "p50", (double)s[(n - 1) / 2]);
	cJSON_AddNumberToObject(o, "p90", (double)s[(guint)((n - 1) * 0.9)]);
	cJSON_AddNumberToObject(o, "p99", (double)s[(guint)((n - 1) * 0.99)]);
	cJSON_AddNumberToObject(o, "max", (double)s[n - 1]);
	g_free(s);
}

/* ---- struct rcl_stats ---- */

void
rcu_stats_emit(const struct rcl_stats *st, const struct rcu_emit_extra *x, cJSON *out)
{
	struct rcl_stats all = *st;
	all.read_side_cycles = x->read_cycles;
	all.retire_calls = st->retired;
	all.retire_cycles = x->retire_cycles;
	all.gp_count = x->gp_latency->v->len;
	all.gp_latency_sum = 0;
	all.gp_latency_max = 0;
	for (guint i = 0; i < x->gp_latency->v->len; i++) {
		uint64_t v = g_array_index(x->gp_latency->v, uint64_t, i);
		all.gp_latency_sum += v;
		if (v > all.gp_latency_max)
			all.gp_latency_max = v;
	}
	rcl_stats_emit(&all, x->freq_ghz, out);
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
