// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Distributions and the common metrics of the RCU family (see rcu_stats.h).
 */
#include <string.h>

#include "engine.h"
#include "rcu_stats.h"

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
