// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * treebench: lookups and updates on a search tree of address ranges
 * (models/tree/tree.h), as RadixVM's and Bonsai's lookup experiments do
 * on an address space: K regions, R readers looking up random addresses
 * inside them, W writers replacing regions (erase + insert of the same
 * range: munmap then mmap of it) at a given rate.
 *
 * CPUs 0 .. writers-1 write, the others read.  CPU 0 first inserts the K
 * regions (region i is [base + 2 i P, base + (2 i + 1) P) pages, P =
 * region_pages: a hole after each), then opens the measured window of
 * `duration` cycles with a release store to a "go" line the others spin
 * on.  Writer w replaces regions i = w (mod W) chosen at random, one
 * update every update_interval cycles (its cost included); a reader looks
 * up a random address of a random region, then works lookup_work cycles.
 *
 * Concurrency, as tree.h's contract asks: writers hold an rw_semaphore
 * for write (mmap_sem), except for trees with TREE_CONCURRENT_WRITERS and
 * TREE_RCU_READERS, whose writers of disjoint ranges need no common lock;
 * readers of TREE_RCU_READERS trees run inside the reclaim scheme's read
 * side, the others hold the rw_semaphore for read.  Every CPU passes a
 * quiescent state after each operation (schemes that have them) and
 * calls cpu_exit at the end.
 *
 * Reported (measured window; an operation counts if it started in it):
 * lookups, lookup_hits (a region being replaced can be missing),
 * cycles_per_lookup (read_lock to read_unlock, or down_read to up_read),
 * updates, cycles_per_update (lock to unlock), nodes allocated and retired
 * per update and rotations per update (the tree's counters over the
 * window), lines_written_per_update (write-ownership requests of the
 * writer CPUs, stores and RMWs: sim_cpu_access_counts), stores_per_update,
 * lines_missed_per_lookup (the reader CPUs' load misses per lookup),
 * reclaim_bytes_pending_peak (the scheme's peak of retired, not yet freed
 * bytes), tree_check_ok, lookup_cycles_by_cause and update_cycles_by_cause
 * (the reader / writer CPUs' cycles in the window by cause, per lookup /
 * per update: lookup_work and the writers' sleeps between updates
 * included), and the tree's and the scheme's own counters under "tree"
 * and "reclaim".  The engine adds cycles_by_cause (whole run).
 * The access counters are whole-CPU: a reader CPU's misses include what
 * the reclaim scheme does on it (callbacks, ticks).
 *
 * Sections: needs "tree" and "reclaim"; uses "locking" (the rwsem's and
 * the allocator's spinlock flavour) and "kalloc" (node memory).
 */
#include <glib.h>

#include "engine.h"
#include "kalloc.h"
#include "klock.h"
#include "reclaim.h"
#include "tree.h"
#include "wl_stats.h"
#include "workload.h"

#define TB_PAGE 0x1000u
#define TB_BASE UINT64_C(0x10000000)

struct tb_params {
	uint64_t duration;
	uint32_t regions;
	uint32_t region_pages;
	uint32_t writers;
	uint64_t update_interval;
	uint64_t lookup_work;
};

static const struct sim_param tb_params[] = {
	SIM_P_U64_ROW(struct tb_params, duration, 1000, UINT64_C(1) << 40, 1000000,
		      "measured window, cycles, after the regions are inserted"),
	SIM_P_U32_ROW(struct tb_params, regions, 1, 1u << 20, 1000,
		      "K: regions in the tree (RadixVM's lookup experiment: ~1,000)"),
	SIM_P_U32_ROW(struct tb_params, region_pages, 1, 1u << 16, 4,
		      "pages per region (each followed by a hole of as many pages)"),
	SIM_P_U32_ROW(struct tb_params, writers, 0, 1u << 20, 1,
		      "W: CPUs 0..W-1 replace regions, the other CPUs look up"),
	SIM_P_U64_ROW(struct tb_params, update_interval, 0, UINT64_C(1) << 40, 20000,
		      "cycles from one update's start to the next one's, per writer "
		      "(0: back to back)"),
	SIM_P_U64_ROW(struct tb_params, lookup_work, 0, UINT64_C(1) << 32, 100,
		      "cycles of local work after each lookup"),
	SIM_P_END,
};

struct tb_cpu {
	struct wl_lat lookup, update;
	uint64_t hits;
	struct sim_access_counts at_start;   /* then the window's counts */
	uint64_t cause[SIM_CAUSE_N];         /* cycles by cause: at the start, then the window's */
};

struct tb {
	struct tb_params p;
	struct sim *sim;
	uint32_t ncpus;
	const struct tree_ops *ops;
	void *t;
	struct tree_env env;
	const struct rcl_ops *rcl;
	void *rs;
	struct kalloc *ka;
	struct klock *kl;
	struct rw_semaphore *mmap_sem;  /* simulated, own line: writers, non-RCU readers */
	uint64_t *go;                   /* simulated, own line: written once by CPU 0 */
	sim_time_t t_end;               /* host: set by CPU 0 before the go store */
	bool writers_lock;              /* writers take mmap_sem */
	double alloc0, retired0, rot0;  /* the tree's counters when the window opened */
	struct tb_cpu *cpu;
};

static gboolean
tb_check(const void *params, const struct sim_run_config *rc, const struct sim_origin *o,
	 GError **err)
{
	const struct tb_params *p = params;
	if (p->writers > rc->cpus) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "writers",
				"%u writers on %u CPUs", p->writers, rc->cpus);
		return FALSE;
	}
	if (p->writers > p->regions) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "writers",
				"%u writers for %u regions: each writer needs a region of its own",
				p->writers, p->regions);
		return FALSE;
	}
	if ((uint64_t)p->regions * p->region_pages * 2 > (UINT64_C(1) << 34)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "regions",
				"%u regions of %u pages do not fit the 64 TiB address range",
				p->regions, p->region_pages);
		return FALSE;
	}
	return TRUE;
}

static void *
tb_setup(struct sim *sim, const void *params)
{
	struct tb *b = g_new0(struct tb, 1);
	b->p = *(const struct tb_params *)params;
	b->sim = sim;
	b->ncpus = sim_ncpus_of(sim);
	const void *tp;
	b->ops = tree_ops_of(sim, &tp);
	b->rcl = rcl_ops_of(sim);
	if (b->ops == NULL || b->rcl == NULL)
		g_error("treebench needs \"tree\" and \"reclaim\" sections (checked at config load)");
	b->rs = b->rcl->create(sim, rcl_params_of(sim));
	sim_set_free_label(sim, b->rcl->comp.name);
	b->ka = kalloc_create_for_run(sim);
	b->kl = klock_create(sim);
	b->mmap_sem = sim_alloc(64, 64);
	sim_mem_prime(sim, b->mmap_sem, 64, 0);
	b->go = sim_alloc(64, 64);
	sim_mem_prime(sim, b->go, 64, 0);
	b->env = (struct tree_env){ .sim = sim, .rcl = b->rcl, .rs = b->rs, .ka = b->ka,
				    .kl = b->kl, .home_cpu = 0 };
	b->t = b->ops->create(&b->env, tp);
	b->writers_lock = !((b->ops->flags & TREE_CONCURRENT_WRITERS) &&
			    (b->ops->flags & TREE_RCU_READERS));
	b->cpu = g_new0(struct tb_cpu, b->ncpus);
	return b;
}

static uint64_t
region_start(const struct tb *b, uint64_t i)
{
	return TB_BASE + 2 * i * b->p.region_pages * (uint64_t)TB_PAGE;
}

static void *
region_value(uint64_t i)
{
	return (void *)(uintptr_t)((i << 4) | 0x8);
}

static void
tb_counters(struct tb *b, double *alloc, double *retired, double *rot)
{
	cJSON *o = cJSON_CreateObject();
	b->ops->stats(b->t, o);
	*alloc = cJSON_GetObjectItem(o, "nodes_allocated")->valuedouble;
	*retired = cJSON_GetObjectItem(o, "nodes_retired")->valuedouble;
	*rot = cJSON_GetObjectItem(o, "rotations")->valuedouble;
	cJSON_Delete(o);
}

static void
tb_quiescent(struct tb *b)
{
	if (b->rcl->quiescent_state)
		b->rcl->quiescent_state(b->rs);
}

static void
tb_populate(struct tb *b)
{
	uint64_t len = (uint64_t)b->p.region_pages * TB_PAGE;
	for (uint64_t i = 0; i < b->p.regions; i++) {
		down_write(b->kl, b->mmap_sem);
		int rc = b->ops->insert(b->t, region_start(b, i), region_start(b, i) + len,
					region_value(i));
		up_write(b->kl, b->mmap_sem);
		if (rc != 0)
			sim_fail("treebench: inserting region %" G_GUINT64_FORMAT " returned %d", i, rc);
		tb_quiescent(b);
	}
}

static void
tb_update(struct tb *b, uint32_t w, struct tb_cpu *pc)
{
	uint32_t nw = b->p.writers;
	uint64_t mine = (b->p.regions - w + nw - 1) / nw;   /* regions i = w mod nw */
	if (mine == 0)
		return;
	uint64_t i = w + sim_random_below(mine) * nw;
	uint64_t s = region_start(b, i), e = s + (uint64_t)b->p.region_pages * TB_PAGE;
	sim_time_t t0 = sim_now();
	if (b->writers_lock)
		down_write(b->kl, b->mmap_sem);
	uint64_t n = b->ops->erase(b->t, s, e);
	int rc = b->ops->insert(b->t, s, e, region_value(i));
	if (b->writers_lock)
		up_write(b->kl, b->mmap_sem);
	wl_lat_add(&pc->update, sim_now() - t0);
	if (n != 1 || rc != 0)
		sim_fail("treebench: replacing region %" G_GUINT64_FORMAT ": erase %" G_GUINT64_FORMAT
			 ", insert %d", i, n, rc);
	tb_quiescent(b);
}

static void
tb_lookup(struct tb *b, struct tb_cpu *pc)
{
	uint64_t i = sim_random_below(b->p.regions);
	uint64_t addr = region_start(b, i) + sim_random_below((uint64_t)b->p.region_pages * TB_PAGE);
	struct tree_range r;
	bool rcu = b->ops->flags & TREE_RCU_READERS;
	sim_time_t t0 = sim_now();
	if (rcu)
		b->rcl->read_lock(b->rs);
	else
		down_read(b->kl, b->mmap_sem);
	bool hit = b->ops->lookup(b->t, addr, &r);
	if (rcu)
		b->rcl->read_unlock(b->rs);
	else
		up_read(b->kl, b->mmap_sem);
	wl_lat_add(&pc->lookup, sim_now() - t0);
	if (hit) {
		if (r.start > addr || r.end <= addr || r.value != region_value(i))
			sim_fail("treebench: lookup(%#" G_GINT64_MODIFIER "x) returned [%#"
				 G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER "x)", addr, r.start,
				 r.end);
		pc->hits++;
	}
	tb_quiescent(b);
	if (b->p.lookup_work)
		sim_work(b->p.lookup_work);
}

static void
tb_cpu_main(void *arg)
{
	struct tb *b = arg;
	uint32_t me = sim_cpu_id();
	struct tb_cpu *pc = &b->cpu[me];
	if (me == 0) {
		tb_populate(b);
		tb_counters(b, &b->alloc0, &b->retired0, &b->rot0);
		b->t_end = sim_now() + b->p.duration;
		sim_store64_rel(b->go, 1);
	} else {
		sim_spin_while_eq64(b->go, 0);
	}
	sim_cpu_access_counts(b->sim, me, &pc->at_start);
	for (int k = 0; k < SIM_CAUSE_N; k++)
		pc->cause[k] = sim_cpu_cycles(b->sim, me, (enum sim_cause)k);
	if (me < b->p.writers) {
		while (sim_now() < b->t_end) {
			sim_time_t t0 = sim_now();
			tb_update(b, me, pc);
			if (b->p.update_interval && sim_now() < t0 + b->p.update_interval)
				sim_sleep_until(t0 + b->p.update_interval);
		}
	} else {
		while (sim_now() < b->t_end)
			tb_lookup(b, pc);
	}
	/* The window's counts end here, before the scheme's exit work. */
	struct sim_access_counts now;
	sim_cpu_access_counts(b->sim, me, &now);
	pc->at_start = (struct sim_access_counts){
		.loads = now.loads - pc->at_start.loads,
		.stores = now.stores - pc->at_start.stores,
		.rmws = now.rmws - pc->at_start.rmws,
		.load_misses = now.load_misses - pc->at_start.load_misses,
		.store_misses = now.store_misses - pc->at_start.store_misses,
		.rmw_misses = now.rmw_misses - pc->at_start.rmw_misses,
	};
	for (int k = 0; k < SIM_CAUSE_N; k++)
		pc->cause[k] = sim_cpu_cycles(b->sim, me, (enum sim_cause)k) - pc->cause[k];
	if (b->rcl->cpu_exit)
		b->rcl->cpu_exit(b->rs);
}

static double
ratio(double a, double b)
{
	return b > 0 ? a / b : 0.0;
}

static void
tb_report(void *arg, struct sim *sim, cJSON *out)
{
	struct tb *b = arg;
	struct wl_lat lookup = { 0 }, update = { 0 };
	uint64_t hits = 0;
	double load_misses = 0, write_misses = 0, stores = 0;
	for (uint32_t c = 0; c < b->ncpus; c++) {
		const struct tb_cpu *pc = &b->cpu[c];
		wl_lat_merge(&lookup, &pc->lookup);
		wl_lat_merge(&update, &pc->update);
		hits += pc->hits;
		if (c < b->p.writers) {
			write_misses += (double)(pc->at_start.store_misses + pc->at_start.rmw_misses);
			stores += (double)(pc->at_start.stores + pc->at_start.rmws);
		} else {
			load_misses += (double)pc->at_start.load_misses;
		}
	}
	double rc_cause[SIM_CAUSE_N] = { 0 }, wc_cause[SIM_CAUSE_N] = { 0 };
	for (uint32_t c = 0; c < b->ncpus; c++)
		for (int k = 0; k < SIM_CAUSE_N; k++)
			(c < b->p.writers ? wc_cause : rc_cause)[k] += (double)b->cpu[c].cause[k];
	double alloc, retired, rot;
	tb_counters(b, &alloc, &retired, &rot);
	double ghz = sim_machine_of(sim)->freq_ghz;
	double secs = (double)b->p.duration / (ghz * 1e9);
	double nu = (double)update.n;
	cJSON_AddNumberToObject(out, "lookups", (double)lookup.n);
	cJSON_AddNumberToObject(out, "lookup_hits", (double)hits);
	cJSON_AddNumberToObject(out, "lookups_per_sec", (double)lookup.n / secs);
	cJSON_AddNumberToObject(out, "cycles_per_lookup", wl_lat_mean(&lookup));
	cJSON_AddNumberToObject(out, "ns_per_lookup", wl_lat_mean(&lookup) / ghz);
	cJSON_AddNumberToObject(out, "updates", nu);
	cJSON_AddNumberToObject(out, "cycles_per_update", wl_lat_mean(&update));
	cJSON_AddNumberToObject(out, "ns_per_update", wl_lat_mean(&update) / ghz);
	wl_lat_emit(out, "lookup_cycles", &lookup);
	wl_lat_emit(out, "update_cycles", &update);
	cJSON_AddNumberToObject(out, "nodes_allocated_per_update", ratio(alloc - b->alloc0, nu));
	cJSON_AddNumberToObject(out, "nodes_retired_per_update", ratio(retired - b->retired0, nu));
	cJSON_AddNumberToObject(out, "rotations_per_update", ratio(rot - b->rot0, nu));
	cJSON_AddNumberToObject(out, "lines_written_per_update", ratio(write_misses, nu));
	cJSON_AddNumberToObject(out, "stores_per_update", ratio(stores, nu));
	cJSON_AddNumberToObject(out, "lines_missed_per_lookup", ratio(load_misses, (double)lookup.n));
	cJSON *lc = cJSON_AddObjectToObject(out, "lookup_cycles_by_cause");
	cJSON *uc = cJSON_AddObjectToObject(out, "update_cycles_by_cause");
	for (int k = 1; k < SIM_CAUSE_N; k++) {
		if (!sim_cause_reported(sim, (enum sim_cause)k))
			continue;
		const char *nm = sim_cause_name((enum sim_cause)k);
		cJSON_AddNumberToObject(lc, nm, ratio(rc_cause[k], (double)lookup.n));
		cJSON_AddNumberToObject(uc, nm, ratio(wc_cause[k], nu));
	}
	GString *why = g_string_new(NULL);
	bool ok = b->ops->check(b->t, why);
	cJSON_AddBoolToObject(out, "tree_check_ok", ok);
	if (!ok)
		cJSON_AddStringToObject(out, "tree_check_why", why->str);
	g_string_free(why, TRUE);
	cJSON *t = cJSON_AddObjectToObject(out, "tree");
	cJSON_AddStringToObject(t, "kind", b->ops->comp.name);
	cJSON_AddNumberToObject(t, "regions", (double)b->ops->count(b->t));
	b->ops->stats(b->t, t);
	cJSON *r = cJSON_AddObjectToObject(out, "reclaim");
	cJSON_AddStringToObject(r, "scheme", b->rcl->comp.name);
	if (b->rcl->stats)
		b->rcl->stats(b->rs, r);
	const cJSON *peak = cJSON_GetObjectItem(r, "bytes_pending_peak");
	cJSON_AddNumberToObject(out, "reclaim_bytes_pending_peak",
				cJSON_IsNumber(peak) ? peak->valuedouble : 0.0);
}

static void
tb_teardown(void *arg)
{
	struct tb *b = arg;
	if (b->t)
		b->ops->destroy(b->t);
	if (b->rs)
		b->rcl->destroy(b->rs);
	if (b->kl)
		klock_destroy(b->kl);
	if (b->ka)
		kalloc_destroy(b->ka);
	g_free(b->cpu);
	g_free(b);
}

static sim_time_t
tb_goal(const void *arg)
{
	return ((const struct tb *)arg)->p.duration;
}

const struct sim_workload_ops wl_treebench_ops = {
	.name = "treebench",
	.summary = "K regions in a search tree (\"tree\" section): R readers look up random "
		   "addresses, W writers replace regions (erase + insert) at a given rate",
	.params = tb_params,
	.params_size = sizeof(struct tb_params),
	.check = tb_check,
	.setup = tb_setup,
	.cpu_main = tb_cpu_main,
	.report = tb_report,
	.teardown = tb_teardown,
	.progress_goal = tb_goal,
	.requires = 1u << SIM_SECTION_TREE | 1u << SIM_SECTION_RECLAIM,
	.uses = 1u << SIM_SECTION_LOCKING | 1u << SIM_SECTION_KALLOC,
};
