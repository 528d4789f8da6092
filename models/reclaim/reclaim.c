// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Helpers shared by reclaim schemes: finding the configured scheme, and
 * the accounting behind the metrics every scheme reports (rcl_stats).
 *
 * The accounting is host-side: it reads the CPU's clock and touches no
 * simulated line, so it never changes a run's timing.
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
