// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * A shared reference count used as the read-side "lock": perfbook's
 * "refcount" curve, i.e. the kernel refscale test's refcnt ops, whose
 * read section is atomic_inc(&refcnt); atomic_dec(&refcnt) on one
 * global counter.
 *
 * SOURCE: torvalds/linux kernel/rcu/refscale.c ref_refcnt_section()
 * (atomic_inc + atomic_dec of the static atomic_t refcnt).
 *
 * Layout (one simulated line homed on CPU 0):
 *
 *   line 0:  [ refcnt (u64): readers in bits 0..62, REF_WRITER bit 63 ]
 *     readers: lock-inc and lock-dec (2 RMWs per pair, like the qrwlock)
 *     writer:  cmpxchg sets REF_WRITER (excludes writers and new readers),
 *              waits for the reader count to drain, fetch_and clears it
 *
 * The writer half is ours: refscale has no writers.  A reader that finds
 * REF_WRITER set backs out (atomic_dec), spins until it clears and retries.
 *
 * Invariant: at most one writer inside; no reader inside with a writer.
 * Reclaim: retire frees at once; synchronize is a no-op.
 */
#include <glib.h>

#include "engine.h"
#include "reclaim.h"

#define REF_WRITER (1ull << 63)

struct ref_params {
	uint32_t unused;
};
static const struct sim_param ref_params[] = { SIM_P_END };

struct ref {
	uint64_t *refcnt;           /* simulated, line 0 */
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	uint32_t writers_in, readers_in;    /* host */
	uint64_t read_backoffs, write_waits;
};

static void *
ref_create(struct sim *sim, const void *params)
{
	(void)params;
	struct ref *r = g_new0(struct ref, 1);
	r->freq_ghz = sim_machine_of(sim)->freq_ghz;
	r->refcnt = sim_alloc(64, 64);
	sim_mem_prime(sim, r->refcnt, sizeof *r->refcnt, 0);
	sim_set_free_label(sim, "refcount");
	return r;
}

static void
ref_destroy(void *rs)
{
	g_free(rs);
}

/* SOURCE: ref_refcnt_section(): atomic_inc(). */
static void
ref_read_lock(void *rs)
{
	struct ref *r = rs;
	sim_time_t t0 = sim_now();
	uint64_t old = sim_faa64(r->refcnt, 1);
	while (old & REF_WRITER) {
		enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
		r->read_backoffs++;
		uint64_t v = sim_faa64(r->refcnt, (uint64_t)-1) - 1;
		while (v & REF_WRITER)
			v = sim_spin_while_eq64(r->refcnt, v);
		old = sim_faa64(r->refcnt, 1);
		sim_cause_pop(c);
	}
	r->readers_in++;
	r->st.read_sections++;
	rcl_stats_read_time(&r->st, t0);
	g_assert(r->writers_in == 0);
}

/* SOURCE: ref_refcnt_section(): atomic_dec(). */
static void
ref_read_unlock(void *rs)
{
	struct ref *r = rs;
	sim_time_t t0 = sim_now();
	r->readers_in--;
	(void)sim_faa64(r->refcnt, (uint64_t)-1);
	rcl_stats_read_time(&r->st, t0);
}

static void
ref_write_lock(void *rs)
{
	struct ref *r = rs;
	enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
	uint64_t v = sim_load64(r->refcnt);
	for (;;) {
		if (v & REF_WRITER) {
			v = sim_spin_while_eq64(r->refcnt, v);
			continue;
		}
		uint64_t seen = sim_cas64(r->refcnt, v, v | REF_WRITER);
		if (seen == v)
			break;
		v = seen;
	}
	v |= REF_WRITER;
	if (v != REF_WRITER)
		r->write_waits++;
	while (v != REF_WRITER)         /* wait for the readers to drain */
		v = sim_spin_while_eq64(r->refcnt, v);
	sim_fence_acquire();
	sim_cause_pop(c);
	r->writers_in++;
	g_assert(r->writers_in == 1 && r->readers_in == 0);
}

static void
ref_write_unlock(void *rs)
{
	struct ref *r = rs;
	r->writers_in--;
	(void)sim_fetch_and64(r->refcnt, ~REF_WRITER);
}

static void
ref_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct ref *r = rs;
	sim_time_t t0 = sim_now();
	rcl_free_now(&r->st, obj, size, align);
	rcl_stats_retire_time(&r->st, t0);
}

static void
ref_synchronize(void *rs)
{
	struct ref *r = rs;
	rcl_stats_sync_time(&r->st, sim_now());
}

static void
ref_stats(void *rs, cJSON *out)
{
	struct ref *r = rs;
	rcl_stats_emit(&r->st, r->freq_ghz, out);
	cJSON_AddNumberToObject(out, "read_backoffs", (double)r->read_backoffs);
	cJSON_AddNumberToObject(out, "write_waits", (double)r->write_waits);
}

static bool
ref_invariants_hold(const void *rs)
{
	const struct ref *r = rs;
	return r->writers_in <= 1 && (r->writers_in == 0 || r->readers_in == 0);
}

const struct rcl_ops rcl_refcount_ops = {
	.comp = {
		.name = "refcount",
		.summary = "one shared reference count as the read lock (perfbook/refscale refcnt: "
			   "atomic_inc + atomic_dec); retire frees at once",
		.params = ref_params,
		.params_size = sizeof(struct ref_params),
	},
	.create = ref_create,
	.destroy = ref_destroy,
	.read_lock = ref_read_lock,
	.read_unlock = ref_read_unlock,
	.dereference = rcl_plain_dereference,
	.assign_pointer = rcl_release_assign,
	.write_lock = ref_write_lock,
	.write_unlock = ref_write_unlock,
	.retire = ref_retire,
	.synchronize = ref_synchronize,
	.stats = ref_stats,
	.invariants_hold = ref_invariants_hold,
};
