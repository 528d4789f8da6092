// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Host-side bookkeeping for the schemes of the issue-4c branch (locks as
 * rcl_ops, EBR, hazard pointers, liburcu): lists of retired objects and
 * the common struct rcl_stats accounting.
 *
 * These lists are the *simulator's* record of what a scheme has retired,
 * not simulated memory: they cost nothing.  Each scheme charges the
 * simulated cost of its real list operation (a store to the CPU's own
 * record line for ck_epoch's pending stack push, ...) where the real code
 * does it, and says so in its file header.
 *
 * These schemes report the common counters and reclaim latency (also in
 * ns), but not read-side, retire or grace-period cycles, which
 * rcl_stats_emit() adds for the RCU family and GUS: a workload that needs
 * those for every scheme times the calls itself (rcuscale does).  Folding
 * this header into models/reclaim/reclaim.c is still to do.
 */
#ifndef SIM_RCL_ACCT_H
#define SIM_RCL_ACCT_H

#include <glib.h>

#include "engine.h"
#include "reclaim.h"

/* One retired object. */
struct rcl_ent {
	void *obj;
	uint32_t size, align;
	sim_time_t retired_at;
	uint64_t tag;               /* scheme-defined: epoch, GP number ... */
};

/* A growable host-side list (FIFO by index). */
struct rcl_list {
	struct rcl_ent *v;
	uint32_t n, cap;
};

static inline void
rcl_list_push(struct rcl_list *l, struct rcl_ent e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = g_renew(struct rcl_ent, l->v, l->cap);
	}
	l->v[l->n++] = e;
}

static inline void
rcl_list_free(struct rcl_list *l)
{
	g_free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Common accounting plus the current byte count (for the byte peak). */
struct rcl_acct {
	struct rcl_stats st;
	uint64_t bytes_pending;
	double freq_ghz;            /* the machine's, for the _ns metrics */
};

/* Call once in the scheme's create(). */
static inline void
rcl_acct_init(struct rcl_acct *a, const struct sim *sim)
{
	a->freq_ghz = sim_machine_of(sim)->freq_ghz;
}

/* Account for one retire of size bytes (call at the retire). */
static inline void
rcl_acct_retire(struct rcl_acct *a, size_t size)
{
	a->st.retired++;
	a->bytes_pending += size;
	uint64_t pending = a->st.retired - a->st.freed;
	if (pending > a->st.pending_peak)
		a->st.pending_peak = pending;
	if (a->bytes_pending > a->st.bytes_pending_peak)
		a->st.bytes_pending_peak = a->bytes_pending;
	a->st.pending_sum += (double)pending;
	a->st.pending_samples++;
}

/* Free e's object now (on a simulated CPU) and account for it. */
static inline void
rcl_acct_free(struct rcl_acct *a, const struct rcl_ent *e)
{
	sim_free(e->obj, e->size, e->align);
	a->st.freed++;
	a->bytes_pending -= e->size;
	uint64_t lat = sim_now() - e->retired_at;
	a->st.reclaim_latency_sum += lat;
	if (lat > a->st.reclaim_latency_max)
		a->st.reclaim_latency_max = lat;
}

/* Retire and free at once (lock baselines). */
static inline void
rcl_acct_free_now(struct rcl_acct *a, void *obj, size_t size, size_t align)
{
	rcl_acct_retire(a, size);
	struct rcl_ent e = { obj, (uint32_t)size, (uint32_t)align, sim_now(), 0 };
	rcl_acct_free(a, &e);
}

/* Time a synchronize(): call with the start time when it returns. */
static inline void
rcl_acct_sync(struct rcl_acct *a, sim_time_t t0)
{
	a->st.synchronize_calls++;
	a->st.synchronize_cycles += sim_now() - t0;
}

/* The common rcl_stats fields, under out. */
static inline void
rcl_acct_emit(const struct rcl_acct *a, cJSON *out)
{
	const struct rcl_stats *s = &a->st;
	cJSON_AddNumberToObject(out, "retired", (double)s->retired);
	cJSON_AddNumberToObject(out, "freed", (double)s->freed);
	cJSON_AddNumberToObject(out, "pending_peak", (double)s->pending_peak);
	cJSON_AddNumberToObject(out, "pending_mean",
				s->pending_samples ? s->pending_sum / (double)s->pending_samples : 0.0);
	cJSON_AddNumberToObject(out, "bytes_pending_peak", (double)s->bytes_pending_peak);
	cJSON_AddNumberToObject(out, "synchronize_calls", (double)s->synchronize_calls);
	cJSON_AddNumberToObject(out, "synchronize_cycles_mean",
				s->synchronize_calls ?
				(double)s->synchronize_cycles / (double)s->synchronize_calls : 0.0);
	cJSON_AddNumberToObject(out, "reclaim_latency_mean",
				s->freed ? (double)s->reclaim_latency_sum / (double)s->freed : 0.0);
	cJSON_AddNumberToObject(out, "reclaim_latency_max", (double)s->reclaim_latency_max);
	cJSON_AddNumberToObject(out, "reclaim_latency_ns_mean",
				s->freed && a->freq_ghz > 0 ?
				(double)s->reclaim_latency_sum / (double)s->freed / a->freq_ghz : 0.0);
	cJSON_AddNumberToObject(out, "read_sections", (double)s->read_sections);
}

/* rcu_dereference on x86 and for lock-protected pointers: a plain load
 * (READ_ONCE; address dependency ordering needs no fence on TSO). */
static inline void *
rcl_plain_dereference(void *rs, void *const *pp, unsigned slot)
{
	(void)rs;
	(void)slot;
	return sim_loadp(pp);
}

/* rcu_assign_pointer: smp_store_release. */
static inline void
rcl_release_assign(void *rs, void **pp, void *v)
{
	(void)rs;
	sim_storep_rel(pp, v);
}

#endif
