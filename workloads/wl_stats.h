// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Small helpers shared by workloads: latency accumulators and JSON output.
 */
#ifndef WL_STATS_H
#define WL_STATS_H

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>

struct wl_lat {
	uint64_t n, sum, min, max;
	double sumsq;
};

static inline void
wl_lat_add(struct wl_lat *l, uint64_t v)
{
	if (l->n == 0 || v < l->min)
		l->min = v;
	if (v > l->max)
		l->max = v;
	l->n++;
	l->sum += v;
	l->sumsq += (double)v * (double)v;
}

static inline void
wl_lat_merge(struct wl_lat *into, const struct wl_lat *l)
{
	if (l->n == 0)
		return;
	if (into->n == 0 || l->min < into->min)
		into->min = l->min;
	if (l->max > into->max)
		into->max = l->max;
	into->n += l->n;
	into->sum += l->sum;
	into->sumsq += l->sumsq;
}

static inline double
wl_lat_mean(const struct wl_lat *l)
{
	return l->n ? (double)l->sum / (double)l->n : 0.0;
}

/* Adds {"mean", "min", "max", "stddev", "count"} under name. */
static inline void
wl_lat_emit(cJSON *parent, const char *name, const struct wl_lat *l)
{
	cJSON *o = cJSON_AddObjectToObject(parent, name);
	double mean = wl_lat_mean(l);
	double var = l->n > 1 ? (l->sumsq - (double)l->n * mean * mean) / (double)(l->n - 1) : 0.0;
	cJSON_AddNumberToObject(o, "mean", mean);
	cJSON_AddNumberToObject(o, "min", (double)l->min);
	cJSON_AddNumberToObject(o, "max", (double)l->max);
	cJSON_AddNumberToObject(o, "stddev", var > 0 ? sqrt(var) : 0.0);
	cJSON_AddNumberToObject(o, "count", (double)l->n);
}

#endif
