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
 * The lock is a seqlock_t of models/lock (seqlock.c): the sequence and
 * the writers' spinlock_t (the run's "locking" flavour).
 *
 * Layout (one simulated line homed on CPU 0):
 *
 *   line 0:  [ sequence (u32) | lock (spinlock_t) ]
 *            sequence: read by every reader twice per section; written
 *            by the writer twice per update; lock: writers only
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
 */
#include <glib.h>

#include "engine.h"
#include "klock.h"
#include "reclaim.h"

struct seq_params {
	uint32_t unused;
};
static const struct sim_param seq_params[] = { SIM_P_END };

struct seqc {
	seqlock_t *sl;              /* simulated, line 0 */
	struct klock *kl;           /* its locking context */
	uint32_t *start;            /* host, per CPU: the section's read_seqcount_begin */
	uint32_t ncpus, exited;
	struct rcl_list limbo;      /* host: retired, kept type-stable until the end */
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	uint32_t writers_in;
};

static void *
seq_create(struct sim *sim, const void *params)
{
	(void)params;
	struct seqc *s = g_new0(struct seqc, 1);
	s->freq_ghz = sim_machine_of(sim)->freq_ghz;
	s->ncpus = sim_ncpus_of(sim);
	s->kl = klock_create(sim);
	s->sl = sim_alloc(64, 64);
	sim_mem_prime(sim, s->sl, sizeof *s->sl, 0);
	s->start = g_new0(uint32_t, s->ncpus);
	sim_set_free_label(sim, "seqcount");
	return s;
}

static void
seq_destroy(void *rs)
{
	struct seqc *s = rs;
	rcl_list_free(&s->limbo);
	klock_destroy(s->kl);
	g_free(s->start);
	g_free(s);
}

/* SOURCE: read_seqbegin(). */
static void
seq_read_lock(void *rs)
{
	struct seqc *s = rs;
	sim_time_t t0 = sim_now();
	s->start[sim_cpu_id()] = read_seqbegin(s->kl, s->sl);
	s->st.read_sections++;
	rcl_stats_read_time(&s->st, t0);
}

/* SOURCE: read_seqretry(): a retry is only counted (see the header). */
static void
seq_read_unlock(void *rs)
{
	struct seqc *s = rs;
	sim_time_t t0 = sim_now();
	(void)read_seqretry(s->kl, s->sl, s->start[sim_cpu_id()]);
	rcl_stats_read_time(&s->st, t0);
}

/* SOURCE: write_seqlock(). */
static void
seq_write_lock(void *rs)
{
	struct seqc *s = rs;
	write_seqlock(s->kl, s->sl);
	s->writers_in++;
	g_assert(s->writers_in == 1);
}

/* SOURCE: write_sequnlock(). */
static void
seq_write_unlock(void *rs)
{
	struct seqc *s = rs;
	s->writers_in--;
	write_sequnlock(s->kl, s->sl);
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
	const struct klock_counters *n = klock_counters_of(s->kl);
	cJSON_AddNumberToObject(out, "read_retry", (double)n->seq_read_retry);
	cJSON_AddNumberToObject(out, "begin_spins", (double)n->seq_begin_spins);
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
