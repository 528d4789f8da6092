// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
#include "tree-script.h"

#include <errno.h>
#include <string.h>

struct ts_state ts;

static const struct sim_param no_params[] = { SIM_P_END };

static void *
ts_setup(struct sim *s, const void *p)
{
	(void)p;
	const struct ts_config *c = ts.c;
	ts.sim = s;
	ts.ops = c->tree;
	struct kalloc_params kp = {
		.pages_per_node = 4096, .pcp_batch = 31, .pcp_high = 186, .slab_max_order = 3,
		.cpu_partial = true, .path_cycles = 0,
	};
	ts.ka = kalloc_create(s, &kp);
	ts.kl = klock_create(s);
	ts.rcl = rcl_find(c->scheme ? c->scheme : "tree_rcu");
	g_assert_nonnull(ts.rcl);
	ts.rcl_params = g_malloc0(ts.rcl->comp.params_size ? ts.rcl->comp.params_size : 1);
	sim_params_defaults(ts.rcl->comp.params, ts.rcl_params);
	ts.rs = ts.rcl->create(s, ts.rcl_params);
	sim_set_free_label(s, ts.rcl->comp.name);
	ts.sem = sim_alloc(sizeof *ts.sem, 64);
	ts.env = (struct tree_env){
		.sim = s, .rcl = ts.rcl, .rs = ts.rs, .ka = ts.ka, .kl = ts.kl, .home_cpu = 0,
		.mutation_free_now = c->mutation_free_now,
	};
	void *tp = NULL;
	const void *params = c->tree_params;
	if (params == NULL && ts.ops->comp.params_size) {
		tp = g_malloc0(ts.ops->comp.params_size);
		sim_params_defaults(ts.ops->comp.params, tp);
		params = tp;
	}
	ts.t = ts.ops->create(&ts.env, params);
	g_free(tp);
	return &ts;
}

static void
ts_cpu(void *arg)
{
	(void)arg;
	ts.c->script(sim_cpu_id());
	if (ts.rcl->cpu_exit)
		ts.rcl->cpu_exit(ts.rs);
}

static void
ts_report(void *arg, struct sim *s, cJSON *m)
{
	(void)arg;
	(void)m;
	ts.tree_stats = cJSON_CreateObject();
	ts.ops->stats(ts.t, ts.tree_stats);
	ts.rcl_stats = cJSON_CreateObject();
	if (ts.rcl->stats)
		ts.rcl->stats(ts.rs, ts.rcl_stats);
	GString *why = g_string_new(NULL);
	ts.check_ok = ts.ops->check(ts.t, why);
	if (!ts.check_ok)
		g_test_message("%s check after the run: %s", ts.ops->comp.name, why->str);
	g_string_free(why, TRUE);
	ts.count = ts.ops->count(ts.t);
	ts.end_time = sim_end_time(s);
}

static void
ts_teardown(void *arg)
{
	(void)arg;
	ts.ops->destroy(ts.t);
	ts.rcl->destroy(ts.rs);
	klock_destroy(ts.kl);
	kalloc_destroy(ts.ka);
	g_free(ts.rcl_params);
	ts.t = NULL;
}

static const struct sim_workload_ops ts_ops = {
	.name = "tree-script", .summary = "", .params = no_params, .params_size = 1,
	.setup = ts_setup, .cpu_main = ts_cpu, .report = ts_report, .teardown = ts_teardown,
};

GError *
ts_run(const struct ts_config *c)
{
	memset(&ts, 0, sizeof ts);
	ts.c = c;
	struct sim_run_config *rc = t_config(t_machine(c->sockets, c->cores, c->lat), c->cpus,
					     c->seed, &ts_ops, NULL, 0);
	rc->engine.jitter = c->jitter;
	rc->engine.jitter_every = c->jitter_every ? c->jitter_every : 1;
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	sim_run(s, &err);
	if (err == NULL)
		cJSON_Delete(sim_results(s));
	sim_destroy(s);
	sim_run_config_free(rc);
	return err;
}

uint64_t
ts_stat(const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(ts.tree_stats, name);
	g_assert_true(cJSON_IsNumber(v));
	return (uint64_t)v->valuedouble;
}

void
ts_insert_ok(uint64_t s, uint64_t e)
{
	int r = ts.ops->insert(ts.t, s, e, (void *)(uintptr_t)(s | 1));
	g_assert_cmpint(r, ==, 0);
}

void
ts_free_results(void)
{
	cJSON_Delete(ts.tree_stats);
	cJSON_Delete(ts.rcl_stats);
	ts.tree_stats = ts.rcl_stats = NULL;
}

void
ts_read_lock(void)
{
	if (ts.ops->flags & TREE_RCU_READERS)
		ts.rcl->read_lock(ts.rs);
	else
		down_read(ts.kl, ts.sem);
}

void
ts_read_unlock(void)
{
	if (ts.ops->flags & TREE_RCU_READERS)
		ts.rcl->read_unlock(ts.rs);
	else
		up_read(ts.kl, ts.sem);
}

void
ts_write_lock(void)
{
	down_write(ts.kl, ts.sem);
}

void
ts_write_unlock(void)
{
	up_write(ts.kl, ts.sem);
}

void
ts_settle(void)
{
	sim_fence_full();
	sim_work(1000);
}

void
ts_check(void)
{
	sim_fence_full();
	GString *why = g_string_new(NULL);
	bool ok = ts.ops->check(ts.t, why);
	if (!ok)
		sim_fail("%s check: %s", ts.ops->comp.name, why->str);
	g_string_free(why, TRUE);
}

/* ---- the host reference: sorted disjoint ranges ---- */

struct ref_range {
	uint64_t s, e;
	void *v;
};

struct ref {
	GArray *a;                  /* struct ref_range, sorted by s */
};

static struct ref_range *
ref_at(struct ref *r, guint i)
{
	return &g_array_index(r->a, struct ref_range, i);
}

static bool
ref_overlaps(struct ref *r, uint64_t s, uint64_t e)
{
	for (guint i = 0; i < r->a->len; i++)
		if (ref_at(r, i)->s < e && s < ref_at(r, i)->e)
			return true;
	return false;
}

static void
ref_insert(struct ref *r, uint64_t s, uint64_t e, void *v)
{
	guint i = 0;
	while (i < r->a->len && ref_at(r, i)->s < s)
		i++;
	struct ref_range x = { s, e, v };
	g_array_insert_val(r->a, i, x);
}

static uint64_t
ref_erase(struct ref *r, uint64_t s, uint64_t e)
{
	uint64_t n = 0;
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct ref_range));
	for (guint i = 0; i < r->a->len; i++) {
		struct ref_range x = *ref_at(r, i);
		if (x.e <= s || x.s >= e) {
			g_array_append_val(out, x);
			continue;
		}
		n++;
		if (x.s < s) {
			struct ref_range l = { x.s, s, x.v };
			g_array_append_val(out, l);
		}
		if (x.e > e) {
			struct ref_range h = { e, x.e, x.v };
			g_array_append_val(out, h);
		}
	}
	g_array_free(r->a, TRUE);
	r->a = out;
	return n;
}

/* The lowest region with end > addr, or NULL. */
static struct ref_range *
ref_find(struct ref *r, uint64_t addr)
{
	for (guint i = 0; i < r->a->len; i++)
		if (ref_at(r, i)->e > addr)
			return ref_at(r, i);
	return NULL;
}

static bool
ref_gap(struct ref *r, uint64_t size, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t cand = lo;
	for (guint i = 0; i < r->a->len; i++) {
		struct ref_range *x = ref_at(r, i);
		if (x->e <= cand)
			continue;
		if (x->s >= cand && x->s - cand >= size)
			break;
		cand = x->e;
	}
	if (cand > hi || hi - cand < size)
		return false;
	*out = cand;
	return true;
}

struct iter_rec {
	GArray *got;
};

static bool
iter_cb(void *arg, const struct tree_range *tr)
{
	struct iter_rec *ir = arg;
	g_array_append_val(ir->got, *tr);
	return true;
}

static void
ts_compare_range(const char *what, uint64_t addr, bool got, const struct tree_range *tr,
		 const struct ref_range *want)
{
	if (got != (want != NULL))
		sim_fail("%s: %s(%#" G_GINT64_MODIFIER "x) %s, reference %s", ts.ops->comp.name,
			 what, addr, got ? "found" : "found none", want ? "has one" : "has none");
	if (got && (ts.ops->flags & TREE_PAGE_GRANULE)) {
		/* A page-granule tree (radix) returns the piece its walk ends
		 * on: it must lie inside the region, hold its value and contain
		 * the first address of the region at or after addr. */
		uint64_t p = addr > want->s ? addr : want->s;
		if (tr->start < want->s || tr->end > want->e || tr->start > p || tr->end <= p ||
		    tr->value != want->v)
			sim_fail("%s: %s(%#" G_GINT64_MODIFIER "x) = piece [%#" G_GINT64_MODIFIER
				 "x, %#" G_GINT64_MODIFIER "x), reference [%#" G_GINT64_MODIFIER
				 "x, %#" G_GINT64_MODIFIER "x)", ts.ops->comp.name, what, addr,
				 tr->start, tr->end, want->s, want->e);
		return;
	}
	if (got && (tr->start != want->s || tr->end != want->e || tr->value != want->v))
		sim_fail("%s: %s(%#" G_GINT64_MODIFIER "x) = [%#" G_GINT64_MODIFIER "x, %#"
			 G_GINT64_MODIFIER "x), reference [%#" G_GINT64_MODIFIER "x, %#"
			 G_GINT64_MODIFIER "x)", ts.ops->comp.name, what, addr, tr->start,
			 tr->end, want->s, want->e);
}

static void
ts_check_counts(struct ref *r, bool one_node_per_region)
{
	ts_check();
	uint64_t n = ts.ops->count(ts.t);
	if (n != r->a->len)
		sim_fail("%s: count %" G_GUINT64_FORMAT ", reference %u", ts.ops->comp.name, n,
			 r->a->len);
	if (one_node_per_region) {
		cJSON *st = cJSON_CreateObject();
		ts.ops->stats(ts.t, st);
		double a = cJSON_GetObjectItem(st, "nodes_allocated")->valuedouble;
		double d = cJSON_GetObjectItem(st, "nodes_retired")->valuedouble;
		cJSON_Delete(st);
		if (a - d != (double)n)
			sim_fail("%s: %.0f nodes allocated - %.0f retired != %" G_GUINT64_FORMAT
				 " regions", ts.ops->comp.name, a, d, n);
	}
}

void
ts_random_sequence(unsigned nops, unsigned check_every, uint64_t pages,
		   bool one_node_per_region)
{
	const uint64_t pg = 0x1000, base = 0x100000;
	struct ref r = { g_array_new(FALSE, FALSE, sizeof(struct ref_range)) };
	for (unsigned op = 0; op < nops; op++) {
		uint64_t s = base + sim_random_below(pages) * pg;
		uint64_t k = sim_random_below(100);
		struct tree_range tr;
		if (k < 40) {
			uint64_t e = s + (1 + sim_random_below(8)) * pg;
			void *v = (void *)(uintptr_t)(s ^ (op << 1) ^ 1);
			bool ov = ref_overlaps(&r, s, e);
			ts_write_lock();
			int rc = ts.ops->insert(ts.t, s, e, v);
			ts_write_unlock();
			if (rc != (ov ? -EEXIST : 0))
				sim_fail("%s: insert [%#" G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER
					 "x) returned %d, reference overlaps %d", ts.ops->comp.name,
					 s, e, rc, ov);
			if (!ov)
				ref_insert(&r, s, e, v);
		} else if (k < 65) {
			uint64_t e = s + (1 + sim_random_below(12)) * pg;
			uint64_t want = ref_erase(&r, s, e);
			ts_write_lock();
			uint64_t got = ts.ops->erase(ts.t, s, e);
			ts_write_unlock();
			if (got != want)
				sim_fail("%s: erase [%#" G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER
					 "x) = %" G_GUINT64_FORMAT ", reference %" G_GUINT64_FORMAT,
					 ts.ops->comp.name, s, e, got, want);
		} else if (k < 75) {
			uint64_t size = (1 + sim_random_below(6)) * pg;
			uint64_t hi = s + sim_random_below(pages / 2 + 1) * pg;
			uint64_t got = 0, want = 0;
			ts_write_lock();
			bool g = ts.ops->find_gap(ts.t, size, s, hi, &got);
			ts_write_unlock();
			bool w = ref_gap(&r, size, s, hi, &want);
			if (g != w || (g && got != want))
				sim_fail("%s: find_gap(%#" G_GINT64_MODIFIER "x, [%#" G_GINT64_MODIFIER
					 "x, %#" G_GINT64_MODIFIER "x)) = %d %#" G_GINT64_MODIFIER
					 "x, reference %d %#" G_GINT64_MODIFIER "x", ts.ops->comp.name,
					 size, s, hi, g, got, w, want);
		} else if (k < 90) {
			uint64_t addr = s + sim_random_below(pg);
			struct ref_range *w = ref_find(&r, addr);
			ts_read_lock();
			bool g = ts.ops->find(ts.t, addr, &tr);
			ts_read_unlock();
			ts_compare_range("find", addr, g, &tr, w);
			ts_read_lock();
			g = ts.ops->lookup(ts.t, addr, &tr);
			ts_read_unlock();
			ts_compare_range("lookup", addr, g, &tr, w && w->s <= addr ? w : NULL);
		} else {
			uint64_t hi = s + (1 + sim_random_below(32)) * pg;
			struct iter_rec ir = { g_array_new(FALSE, FALSE, sizeof(struct tree_range)) };
			ts_read_lock();
			ts.ops->iterate(ts.t, s, hi, iter_cb, &ir);
			ts_read_unlock();
			guint j = 0;
			for (guint i = 0; i < r.a->len; i++) {
				struct ref_range *x = ref_at(&r, i);
				if (x->e <= s || x->s >= hi)
					continue;
				if (j >= ir.got->len)
					sim_fail("%s: iterate [%#" G_GINT64_MODIFIER "x, %#"
						 G_GINT64_MODIFIER "x) missed [%#" G_GINT64_MODIFIER
						 "x, ...)", ts.ops->comp.name, s, hi, x->s);
				/* Page-granule trees report each region clipped to
				 * the window (radix.c: iterate). */
				struct ref_range clip = *x;
				if (ts.ops->flags & TREE_PAGE_GRANULE) {
					clip.s = MAX(x->s, s);
					clip.e = MIN(x->e, hi);
				}
				struct tree_range *g = &g_array_index(ir.got, struct tree_range, j);
				if (g->start != clip.s || g->end != clip.e || g->value != clip.v)
					sim_fail("%s: iterate [%#" G_GINT64_MODIFIER "x, %#"
						 G_GINT64_MODIFIER "x) gave [%#" G_GINT64_MODIFIER
						 "x, %#" G_GINT64_MODIFIER "x), reference [%#"
						 G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER "x)",
						 ts.ops->comp.name, s, hi, g->start, g->end, clip.s,
						 clip.e);
				j++;
			}
			if (j != ir.got->len)
				sim_fail("%s: iterate [%#" G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER
					 "x) gave %u regions, reference %u", ts.ops->comp.name, s, hi,
					 ir.got->len, j);
			g_array_free(ir.got, TRUE);
		}
		if ((op + 1) % check_every == 0)
			ts_check_counts(&r, one_node_per_region);
	}
	ts_check_counts(&r, one_node_per_region);
	g_array_free(r.a, TRUE);
}
