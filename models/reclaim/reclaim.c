// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Helpers shared by every reclaim scheme: finding the configured scheme,
 * the host-side deferred-object lists, the accounting behind the metrics
 * every scheme reports (struct rcl_stats) and its one emitter, and the
 * plain dereference / release assign most schemes plug into rcl_ops.
 *
 * The accounting is host-side: it reads the CPU's clock and touches no
 * simulated line, so it never changes a run's timing.
 * Invariant: freed <= retired; bytes_pending is the size of what is
 * retired and not yet freed.
 */
#include "engine.h"
#include "reclaim.h"

const struct rcl_ops *
rcl_ops_of(const struct sim *sim)
{
	const struct sim_component *c = sim_choice_of(sim, SIM_SECTION_RECLAIM, NULL);
	return c ? rcl_ops_from(c) : NULL;
}

const void *
rcl_params_of(const struct sim *sim)
{
	const void *p = NULL;
	(void)sim_choice_of(sim, SIM_SECTION_RECLAIM, &p);
	return p;
}

void
rcl_defer(struct rcl_stats *st, struct rcl_list *l, void *obj, size_t size, size_t align)
{
	rcl_stats_retire(st, size);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = g_renew(struct rcl_deferred, l->v, l->cap);
	}
	l->v[l->n++] = (struct rcl_deferred){ obj, (uint32_t)size, (uint32_t)align, sim_now() };
}

void
rcl_list_free(struct rcl_list *l)
{
	g_free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void
rcl_stats_retire(struct rcl_stats *st, size_t size)
{
	st->retired++;
	st->bytes_pending += size;
	uint64_t pending = st->retired - st->freed;
	if (pending > st->pending_peak)
		st->pending_peak = pending;
	if (st->bytes_pending > st->bytes_pending_peak)
		st->bytes_pending_peak = st->bytes_pending;
	st->pending_sum += (double)pending;
	st->pending_samples++;
}

void
rcl_free_deferred(struct rcl_stats *st, const struct rcl_deferred *d)
{
	sim_time_t now = sim_now();
	sim_time_t lat = now - d->retired_at;
	sim_free(d->obj, d->size, d->align);
	st->freed++;
	g_assert(st->bytes_pending >= d->size);
	st->bytes_pending -= d->size;
	st->reclaim_latency_sum += lat;
	if (lat > st->reclaim_latency_max)
		st->reclaim_latency_max = lat;
}

void
rcl_free_now(struct rcl_stats *st, void *obj, size_t size, size_t align)
{
	rcl_stats_retire(st, size);
	rcl_free_deferred(st, &(struct rcl_deferred){ obj, (uint32_t)size, (uint32_t)align,
						     sim_now() });
}

void
rcl_stats_read_time(struct rcl_stats *st, sim_time_t t0)
{
	st->read_side_cycles += sim_now() - t0;
}

void
rcl_stats_retire_time(struct rcl_stats *st, sim_time_t t0)
{
	st->retire_calls++;
	st->retire_cycles += sim_now() - t0;
}

void
rcl_stats_poll_time(struct rcl_stats *st, sim_time_t t0)
{
	st->poll_calls++;
	st->poll_cycles += sim_now() - t0;
}

void
rcl_stats_sync_time(struct rcl_stats *st, sim_time_t t0)
{
	st->synchronize_calls++;
	st->synchronize_cycles += sim_now() - t0;
}

void
rcl_stats_gp(struct rcl_stats *st, sim_time_t latency)
{
	st->gp_count++;
	st->gp_latency_sum += latency;
	if (latency > st->gp_latency_max)
		st->gp_latency_max = latency;
}

static double
ratio(double num, uint64_t den)
{
	return den ? num / (double)den : 0.0;
}

void
rcl_stats_emit(const struct rcl_stats *st, double freq_ghz, cJSON *out)
{
	double ns = freq_ghz > 0 ? 1.0 / freq_ghz : 0.0;
	cJSON_AddNumberToObject(out, "retired", (double)st->retired);
	cJSON_AddNumberToObject(out, "freed", (double)st->freed);
	cJSON_AddNumberToObject(out, "pending_peak", (double)st->pending_peak);
	cJSON_AddNumberToObject(out, "pending_mean", ratio(st->pending_sum, st->pending_samples));
	cJSON_AddNumberToObject(out, "bytes_pending_peak", (double)st->bytes_pending_peak);
	cJSON_AddNumberToObject(out, "reclaim_latency_mean",
				ratio((double)st->reclaim_latency_sum, st->freed));
	cJSON_AddNumberToObject(out, "reclaim_latency_max", (double)st->reclaim_latency_max);
	cJSON_AddNumberToObject(out, "reclaim_latency_ns_mean",
				ns * ratio((double)st->reclaim_latency_sum, st->freed));
	cJSON_AddNumberToObject(out, "read_sections", (double)st->read_sections);
	cJSON_AddNumberToObject(out, "read_side_cycles_per_pair",
				ratio((double)st->read_side_cycles, st->read_sections));
	cJSON_AddNumberToObject(out, "read_side_ns_per_pair",
				ns * ratio((double)st->read_side_cycles, st->read_sections));
	cJSON_AddNumberToObject(out, "retire_cycles_mean",
				ratio((double)st->retire_cycles, st->retire_calls));
	cJSON_AddNumberToObject(out, "poll_calls", (double)st->poll_calls);
	cJSON_AddNumberToObject(out, "poll_cycles_mean",
				ratio((double)st->poll_cycles, st->poll_calls));
	cJSON_AddNumberToObject(out, "synchronize_calls", (double)st->synchronize_calls);
	cJSON_AddNumberToObject(out, "synchronize_cycles_mean",
				ratio((double)st->synchronize_cycles, st->synchronize_calls));
	cJSON_AddNumberToObject(out, "gp_count", (double)st->gp_count);
	cJSON_AddNumberToObject(out, "gp_latency_mean",
				ratio((double)st->gp_latency_sum, st->gp_count));
	cJSON_AddNumberToObject(out, "gp_latency_max", (double)st->gp_latency_max);
	cJSON_AddNumberToObject(out, "gp_latency_ns_mean",
				ns * ratio((double)st->gp_latency_sum, st->gp_count));
}

void *
rcl_plain_dereference(void *rs, void *const *pp, unsigned slot)
{
	(void)rs;
	(void)slot;
	return sim_loadp(pp);
}

void
rcl_release_assign(void *rs, void **pp, void *v)
{
	(void)rs;
	sim_storep_rel(pp, v);
}
