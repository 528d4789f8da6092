// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Hazard pointers (Michael, "Hazard Pointers: Safe Memory Reclamation for
 * Lock-Free Objects", IEEE TPDS 2004) in the shape of Concurrency Kit's
 * ck_hp: K hazard slots per CPU on that CPU's own line, a per-CPU retire
 * list, and a scan of all P*K hazards once R objects are pending.
 *
 * SOURCE: concurrencykit/ck src/ck_hp.c ck_hp_set_fence() (store + full
 * fence), ck_hp_free() (push, reclaim at threshold), ck_hp_reclaim()
 * (copy the hazards, qsort, bsearch each pending pointer); the protect
 * loop is Michael's (reclaim-algorithms.md section 3.4).
 *
 *   protect(slot, src): do { p = load(src); hp[slot] = p; full_fence(); }
 *                       while (p != load(src));
 *   clear:              hp[slot] = NULL (release)
 *   retire(p):          rlist.push(p); if |rlist| >= R: scan()
 *   scan():             H = every non-NULL hp of every CPU; free rlist \ H
 *
 * Layout (simulated lines):
 *
 *   record line, CPU i: [ hp[0..K-1] | n_pending ]   hp written by CPU i
 *                       (protect / clear), read by every scanner; n_pending
 *                       written by CPU i only
 *
 * Invariant (the safety argument): an object is freed only by a scan that
 * started after it was unlinked and found no slot holding it; a reader
 * that published it in a slot after the scan read that slot re-reads the
 * source after its fence and sees the object gone, so it retries.
 *
 * Read side: read_lock costs nothing; each dereference costs a load, a
 * store to the own line, a full fence and a re-load; read_unlock clears
 * the slots it used.  HP has no read sections of its own: "section" here
 * is just the span in which the slots are held.
 *
 * Counters: ck_hp's n_pending (summed), n_peak (max over CPUs),
 * n_reclamations (scans); protect_retries (the validation failed).
 *
 * MODEL: the scan's local work (qsort of the hazards, one bsearch per
 * pending pointer) is charged as cmp_cycles per comparison; the P*K
 * hazard loads are simulated (one line per CPU).
 * MODEL: synchronize() (not in ck_hp) waits until every slot that was
 * non-NULL when it started has changed: any reader that could hold an
 * object unlinked before the call has then dropped it.
 */
#include <glib.h>
#include <stdlib.h>

#include "engine.h"
#include "reclaim.h"

#define HP_MAX_SLOTS 7u

struct hp_params {
	uint32_t slots;
	uint32_t threshold;
	uint32_t cmp_cycles;
	uint64_t spin_recheck;
};

static const struct sim_param hp_params[] = {
	SIM_P_U32_ROW(struct hp_params, slots, 1, HP_MAX_SLOTS, 2,
		      "K: hazard slots per CPU (all on the CPU's record line)"),
	SIM_P_U32_ROW(struct hp_params, threshold, 0, 1u << 30, 0,
		      "R: pending objects that trigger a scan; 0 = 2 * P * K (Michael's R = H + Omega(H))"),
	SIM_P_U32_ROW(struct hp_params, cmp_cycles, 0, 1000, 2,
		      "cycles per comparison in the scan's sort and searches"),
	SIM_P_U64_ROW(struct hp_params, spin_recheck, 1, UINT64_C(1) << 32, 1000,
		      "cycles cpu_exit sleeps between scans while hazards remain"),
	SIM_P_END,
};

struct hp_record {
	void *hp[HP_MAX_SLOTS];     /* record line: owner writes, scanners read */
	uint64_t n_pending;         /* record line: owner only */
};

struct hp_host {
	struct rcl_list rlist;
	uint32_t used;              /* bitmask of slots set since read_lock */
	uint64_t n_peak, n_reclamations;
};

struct hp {
	struct hp_params p;
	uint32_t ncpus, threshold;
	struct hp_record *rec;      /* simulated, one line per CPU */
	struct hp_host *h;
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	uint64_t protect_retries, hazards_seen;
	GArray *scratch;            /* host: the scan's copy of the hazards */
};

static void *
hp_create(struct sim *sim, const void *params)
{
	struct hp *h = g_new0(struct hp, 1);
	h->freq_ghz = sim_machine_of(sim)->freq_ghz;
	h->p = *(const struct hp_params *)params;
	h->ncpus = sim_ncpus_of(sim);
	h->threshold = h->p.threshold ? h->p.threshold : 2 * h->ncpus * h->p.slots;
	h->rec = sim_alloc(sizeof(struct hp_record) * h->ncpus, 64);
	for (uint32_t i = 0; i < h->ncpus; i++)
		sim_mem_prime(sim, &h->rec[i], sizeof h->rec[i], i);
	h->h = g_new0(struct hp_host, h->ncpus);
	h->scratch = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	sim_set_free_label(sim, "hp");
	return h;
}

static void
hp_destroy(void *rs)
{
	struct hp *h = rs;
	for (uint32_t i = 0; i < h->ncpus; i++)
		rcl_list_free(&h->h[i].rlist);
	g_array_free(h->scratch, TRUE);
	g_free(h->h);
	g_free(h);
}

static void
hp_read_lock(void *rs)
{
	struct hp *h = rs;
	h->st.read_sections++;     /* no simulated work: read_side_cycles += 0 */
}

/* Clear every slot cpu set (ck_hp_clear / ck_hp_set(NULL)). */
static void
hp_clear(struct hp *h, uint32_t cpu)
{
	struct hp_host *hh = &h->h[cpu];
	for (uint32_t k = 0; k < h->p.slots; k++)
		if (hh->used & (1u << k))
			sim_storep_rel(&h->rec[cpu].hp[k], NULL);
	hh->used = 0;
}

static void
hp_read_unlock(void *rs)
{
	struct hp *h = rs;
	sim_time_t t0 = sim_now();
	hp_clear(h, sim_cpu_id());
	rcl_stats_read_time(&h->st, t0);
}

/* Michael's protect loop with ck_hp_set_fence(). */
static void *
hp_dereference(void *rs, void *const *pp, unsigned slot)
{
	struct hp *h = rs;
	uint32_t cpu = sim_cpu_id();
	g_assert(slot < h->p.slots);
	void *p = sim_loadp(pp);
	for (;;) {
		sim_storep(&h->rec[cpu].hp[slot], p);
		sim_fence_full();
		void *again = sim_loadp(pp);
		if (again == p)
			break;
		h->protect_retries++;
		p = again;
	}
	h->h[cpu].used |= 1u << slot;
	return p;
}

static int
cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t
log2_ceil(uint64_t n)
{
	uint64_t l = 0;
	while ((1ull << l) < n)
		l++;
	return l ? l : 1;
}

/* SOURCE: ck_hp_reclaim(). Returns the objects freed. */
static uint32_t
hp_scan(struct hp *h, uint32_t cpu)
{
	struct hp_host *hh = &h->h[cpu];
	enum sim_cause c = sim_cause_push(SIM_CAUSE_RECLAIM);
	hh->n_reclamations++;
	/* The unlinking store must be visible before the hazards are read:
	 * otherwise a reader can publish its hazard after our scan and still
	 * validate the old pointer (a store->load reordering TSO allows). */
	sim_fence_full();
	g_array_set_size(h->scratch, 0);
	for (uint32_t i = 0; i < h->ncpus; i++)
		for (uint32_t k = 0; k < h->p.slots; k++) {
			void *v = sim_loadp(&h->rec[i].hp[k]);
			/* A published word that is not in simulated memory
			 * (a radix slot holding a value) protects nothing. */
			if (v != NULL && sim_addr_valid(v)) {
				uint64_t off = sim_addr_offset(v);
				g_array_append_val(h->scratch, off);
			}
		}
	uint64_t n = h->scratch->len;
	h->hazards_seen += n;
	g_array_sort(h->scratch, cmp_u64);
	if (n > 1)
		sim_work(h->p.cmp_cycles * n * log2_ceil(n));
	uint32_t kept = 0, freed = 0;
	struct rcl_list *l = &hh->rlist;
	for (uint32_t i = 0; i < l->n; i++) {
		uint64_t off = sim_addr_offset(l->v[i].obj);
		if (n)
			sim_work(h->p.cmp_cycles * log2_ceil(n));
		bool hazardous = n && bsearch(&off, h->scratch->data, n, sizeof(uint64_t),
					      (int (*)(const void *, const void *))cmp_u64);
		if (hazardous) {
			l->v[kept++] = l->v[i];
		} else {
			rcl_free_deferred(&h->st, &l->v[i]);
			freed++;
		}
	}
	l->n = kept;
	sim_store64(&h->rec[cpu].n_pending, kept);
	sim_cause_pop(c);
	return freed;
}

/* SOURCE: ck_hp_free(). */
static void
hp_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct hp *h = rs;
	sim_time_t t0 = sim_now();
	uint32_t cpu = sim_cpu_id();
	struct hp_host *hh = &h->h[cpu];
	rcl_defer(&h->st, &hh->rlist, obj, size, align);
	sim_store64(&h->rec[cpu].n_pending, hh->rlist.n);
	if (hh->rlist.n > hh->n_peak)
		hh->n_peak = hh->rlist.n;
	if (hh->rlist.n >= h->threshold)
		(void)hp_scan(h, cpu);
	rcl_stats_retire_time(&h->st, t0);
}

/* Scans happen at the threshold; poll only catches up if it was missed. */
static bool
hp_poll(void *rs)
{
	struct hp *h = rs;
	sim_time_t t0 = sim_now();
	uint32_t cpu = sim_cpu_id();
	bool freed = h->h[cpu].rlist.n >= h->threshold && hp_scan(h, cpu) > 0;
	rcl_stats_poll_time(&h->st, t0);
	return freed;
}

static void
hp_synchronize(void *rs)
{
	struct hp *h = rs;
	sim_time_t t0 = sim_now();
	enum sim_cause c = sim_cause_push(SIM_CAUSE_GP_WAIT);
	for (uint32_t i = 0; i < h->ncpus; i++)
		for (uint32_t k = 0; k < h->p.slots; k++) {
			void *v = sim_loadp(&h->rec[i].hp[k]);
			if (v != NULL && i != sim_cpu_id())
				(void)sim_spin_while_eq64(&h->rec[i].hp[k], (uint64_t)(uintptr_t)v);
		}
	sim_cause_pop(c);
	rcl_stats_sync_time(&h->st, t0);
}

static void
hp_cpu_exit(void *rs)
{
	struct hp *h = rs;
	uint32_t cpu = sim_cpu_id();
	hp_clear(h, cpu);
	while (h->h[cpu].rlist.n) {
		(void)hp_scan(h, cpu);
		if (h->h[cpu].rlist.n)
			sim_sleep_until(sim_now() + h->p.spin_recheck);
	}
}

static void
hp_stats(void *rs, cJSON *out)
{
	struct hp *h = rs;
	rcl_stats_emit(&h->st, h->freq_ghz, out);
	uint64_t n_peak = 0, n_rec = 0, n_pending = 0;
	for (uint32_t i = 0; i < h->ncpus; i++) {
		n_peak = MAX(n_peak, h->h[i].n_peak);
		n_rec += h->h[i].n_reclamations;
		n_pending += h->h[i].rlist.n;
	}
	cJSON_AddNumberToObject(out, "threshold", (double)h->threshold);
	cJSON_AddNumberToObject(out, "n_peak", (double)n_peak);
	cJSON_AddNumberToObject(out, "n_pending", (double)n_pending);
	cJSON_AddNumberToObject(out, "n_reclamations", (double)n_rec);
	cJSON_AddNumberToObject(out, "hazards_seen_mean",
				n_rec ? (double)h->hazards_seen / (double)n_rec : 0.0);
	cJSON_AddNumberToObject(out, "protect_retries", (double)h->protect_retries);
}

static bool
hp_invariants_hold(const void *rs)
{
	const struct hp *h = rs;
	for (uint32_t i = 0; i < h->ncpus; i++)
		if (h->h[i].used >> h->p.slots)
			return false;   /* a slot index beyond K was used */
	return h->st.freed <= h->st.retired;
}

const struct rcl_ops rcl_hp_ops = {
	.comp = {
		.name = "hp",
		.summary = "hazard pointers (Michael; ck_hp-like): K slots per CPU line, protect = "
			   "store + full fence + re-read, scan all P*K hazards every R retires",
		.params = hp_params,
		.params_size = sizeof(struct hp_params),
	},
	.create = hp_create,
	.destroy = hp_destroy,
	.read_lock = hp_read_lock,
	.read_unlock = hp_read_unlock,
	.dereference = hp_dereference,
	.assign_pointer = rcl_release_assign,
	.retire = hp_retire,
	.synchronize = hp_synchronize,
	.poll = hp_poll,
	.cpu_exit = hp_cpu_exit,
	.stats = hp_stats,
	.invariants_hold = hp_invariants_hold,
};
