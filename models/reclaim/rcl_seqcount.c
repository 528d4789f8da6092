// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Linux's seqcount/seqlock as a read-side scheme: readers never write
 * shared memory; they read the sequence, read the data, and re-read the
 * sequence, retrying if it was odd or changed.  Writers (serialized by
 * the seqlock's spinlock) make it odd, update, and make it even again.
 *
 * SOURCE: torvalds/linux include/linux/seqlock.h read_seqcount_begin()
 * (raw_read_seqcount_begin: spin while odd, smp_rmb), read_seqcount_retry()
 * (smp_rmb; sequence != start), write_seqcount_begin() (sequence++;
 * smp_wmb), write_seqcount_end() (smp_wmb; sequence++).
 *
 * Layout (one simulated line homed on CPU 0):
 *
 *   line 0:  [ sequence (u32) ]   read by every reader twice per section;
 *                                 written by the writer twice per update
 *
 * DECISION: values only, with deferred free.  A seqcount reader cannot
 * protect memory: it may load a pointer, be overtaken by a writer that
 * unpublishes and frees the object, and then dereference freed memory
 * before its retry check notices (Linux pairs seqcounts with RCU, e.g.
 * the dcache's d_seq, or uses them on values only).  So retire() never
 * frees during the run: retired objects are type-stable until every CPU
 * has called cpu_exit(), when the last one frees them all.  pending
 * therefore grows with every update: that is the honest memory cost of
 * following pointers under a bare seqcount.
 *
 * The rcl_ops read_unlock() cannot tell the caller to retry: a section
 * whose sequence changed is counted in read_retry (named after
 * read_seqcount_retry), and its values must be treated as discarded.
 * A retry-capable interface is proposed in this branch's report.
 *
 * MODEL: the seqlock's spinlock is folded into the sequence word: a
 * writer takes the lock by cmpxchg'ing an even sequence to odd (the same
 * write_seqcount_begin effect and cost as lock + increment, minus the
 * separate lock line).
 */
#include <glib.h>

#include "engine.h"
#include "reclaim.h"

struct seq_params {
	uint32_t unused;
};
static const struct sim_param seq_params[] = { SIM_P_END };

struct seqc {
	uint32_t *sequence;         /* simulated, line 0 */
	uint32_t *start;            /* host, per CPU: the section's read_seqcount_begin */
	uint32_t ncpus, exited;
	struct rcl_list limbo;      /* host: retired, kept type-stable until the end */
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	uint32_t writers_in;
	uint64_t read_retry, begin_spins;
};

static void *
seq_create(struct sim *sim, const void *params)
{
	(void)params;
	struct seqc *s = g_new0(struct seqc, 1);
	s->freq_ghz = sim_machine_of(sim)->freq_ghz;
	s->ncpus = sim_ncpus_of(sim);
	s->sequence = sim_alloc(64, 64);
	sim_mem_prime(sim, s->sequence, sizeof *s->sequence, 0);
	s->start = g_new0(uint32_t, s->ncpus);
	sim_set_free_label(sim, "seqcount");
	return s;
}

static void
seq_destroy(void *rs)
{
	struct seqc *s = rs;
	rcl_list_free(&s->limbo);
	g_free(s->start);
	g_free(s);
}

/* SOURCE: read_seqcount_begin(). */
static void
seq_read_lock(void *rs)
{
	struct seqc *s = rs;
	sim_time_t t0 = sim_now();
	uint32_t v = sim_load32(s->sequence);
	if (v & 1) {
		enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
		s->begin_spins++;
		while (v & 1)
			v = sim_spin_while_eq32(s->sequence, v);
		sim_cause_pop(c);
	}
	sim_fence_acquire();            /* smp_rmb */
	s->start[sim_cpu_id()] = v;
	s->st.read_sections++;
	rcl_stats_read_time(&s->st, t0);
}

/* SOURCE: read_seqcount_retry(). */
static void
seq_read_unlock(void *rs)
{
	struct seqc *s = rs;
	sim_time_t t0 = sim_now();
	sim_fence_acquire();            /* smp_rmb */
	if (sim_load32(s->sequence) != s->start[sim_cpu_id()])
		s->read_retry++;
	rcl_stats_read_time(&s->st, t0);
}

/* SOURCE: write_seqlock(): spin_lock + write_seqcount_begin (see MODEL). */
static void
seq_write_lock(void *rs)
{
	struct seqc *s = rs;
	uint32_t v = sim_load32(s->sequence);
	for (;;) {
		if (v & 1) {
			enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
			v = sim_spin_while_eq32(s->sequence, v);
			sim_cause_pop(c);
			continue;
		}
		uint32_t seen = sim_cas32(s->sequence, v, v + 1);
		if (seen == v)
			break;
		v = seen;
	}
	sim_fence_release();            /* smp_wmb */
	s->writers_in++;
	g_assert(s->writers_in == 1);
}

/* SOURCE: write_sequnlock(): write_seqcount_end + spin_unlock. */
static void
seq_write_unlock(void *rs)
{
	struct seqc *s = rs;
	s->writers_in--;
	sim_fence_release();            /* smp_wmb */
	uint32_t v = sim_load32(s->sequence);
	sim_store32(s->sequence, v + 1);
}

static void
seq_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct seqc *s = rs;
	sim_time_t t0 = sim_now();
	rcl_defer(&s->st, &s->limbo, obj, size, align);
	rcl_stats_retire_time(&s->st, t0);
}

/* Readers leave no trace, so no grace period can be detected: the only
 * safe point is the end of the run (see DECISION). */
static void
seq_synchronize(void *rs)
{
	struct seqc *s = rs;
	rcl_stats_sync_time(&s->st, sim_now());
}

static void
seq_cpu_exit(void *rs)
{
	struct seqc *s = rs;
	if (++s->exited < s->ncpus)
		return;
	for (uint32_t i = 0; i < s->limbo.n; i++)
		rcl_free_deferred(&s->st, &s->limbo.v[i]);
	s->limbo.n = 0;
}

static void
seq_stats(void *rs, cJSON *out)
{
	struct seqc *s = rs;
	rcl_stats_emit(&s->st, s->freq_ghz, out);
	cJSON_AddNumberToObject(out, "read_retry", (double)s->read_retry);
	cJSON_AddNumberToObject(out, "begin_spins", (double)s->begin_spins);
}

static bool
seq_invariants_hold(const void *rs)
{
	const struct seqc *s = rs;
	/* The sequence word itself may lag in a store buffer: host checks only. */
	return s->writers_in <= 1 && s->exited <= s->ncpus;
}

const struct rcl_ops rcl_seqcount_ops = {
	.comp = {
		.name = "seqcount",
		.summary = "Linux seqcount/seqlock: readers only read the sequence line and retry; "
			   "values only, retired objects kept until the run ends",
		.params = seq_params,
		.params_size = sizeof(struct seq_params),
	},
	.flags = RCL_NO_GRACE_PERIOD,
	.create = seq_create,
	.destroy = seq_destroy,
	.read_lock = seq_read_lock,
	.read_unlock = seq_read_unlock,
	.dereference = rcl_plain_dereference,
	.assign_pointer = rcl_release_assign,
	.write_lock = seq_write_lock,
	.write_unlock = seq_write_unlock,
	.retire = seq_retire,
	.synchronize = seq_synchronize,
	.cpu_exit = seq_cpu_exit,
	.stats = seq_stats,
	.invariants_hold = seq_invariants_hold,
};
