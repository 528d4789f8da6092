// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * kalloc: allocation storms on the kernel allocator model
 * (models/mm/kalloc.h).  Every CPU repeats: allocate `batch` objects
 * (kmalloc(size), or with probability page_pct% a zeroed order-0 page),
 * write each once, then free each -- locally with kfree()/free_pages(),
 * or with probability remote_pct% by handing it to the next CPU, which
 * frees it with sim_free() (a remote free through the generic path, as a
 * reclaim scheme's deferred free arrives).
 *
 * Handoff: CPU i+1 (mod n) owns a single-producer ring fed by CPU i in
 * simulated memory (head line written by the consumer, tail + done line
 * by the producer, slots); a full ring makes the producer free locally.
 * Each CPU drains its ring after every batch and, once done, until its
 * producer is done and the ring is empty.
 *
 * Reported: allocations and frees per simulated second, mean cycles per
 * allocation / local free / remote free, the allocator's counters
 * (pcp refills and drains, zone and list_lock contention, slab paths), and
 * kalloc_check()'s verdict after the run (conservation_ok).
 *
 * With a "reclaim" section the local frees are deferred instead: the
 * scheme's retire(), whose deferred free ends in sim_free() and so in the
 * allocator on whichever CPU runs the callbacks (each CPU passes a
 * quiescent state after every round and calls cpu_exit at the end).
 *
 * Sections: needs "kalloc" (the allocator's parameters); uses "locking" if
 * present (the spinlock flavour of zone->lock and list_lock; queued
 * without) and "reclaim" if present (deferred local frees).
 */
#include <glib.h>

#include "engine.h"
#include "kalloc.h"
#include "reclaim.h"
#include "wl_stats.h"
#include "workload.h"

struct wlk_params {
	uint64_t rounds;
	uint32_t batch;
	uint32_t size;
	uint32_t page_pct;
	uint32_t remote_pct;
	uint32_t ring;
	uint64_t work;
};

static const struct sim_param wlk_params[] = {
	SIM_P_U64_ROW(struct wlk_params, rounds, 1, UINT64_C(1) << 32, 200,
		      "alloc/free rounds per CPU"),
	SIM_P_U32_ROW(struct wlk_params, batch, 1, 4096, 16,
		      "objects allocated per round before they are freed"),
	SIM_P_U32_ROW(struct wlk_params, size, 1, 65536, 64,
		      "kmalloc size, bytes (above 8192: whole pages, kmalloc_large)"),
	SIM_P_U32_ROW(struct wlk_params, page_pct, 0, 100, 0,
		      "percent of allocations that are zeroed order-0 pages (alloc_pages)"),
	SIM_P_U32_ROW(struct wlk_params, remote_pct, 0, 100, 50,
		      "percent of objects freed by the next CPU (sim_free) rather than locally"),
	SIM_P_U32_ROW(struct wlk_params, ring, 1, 65536, 64,
		      "capacity of each CPU's handoff ring"),
	SIM_P_U64_ROW(struct wlk_params, work, 0, UINT64_C(1) << 32, 50,
		      "cycles of local work after each allocation and each free"),
	SIM_P_END,
};

#define WLK_PAGE 0x1u          /* tag bit in a handed-off pointer */

/* One CPU's incoming ring (simulated): three lines + slots. */
struct wlk_ring {
	uint64_t head;          /* line 0: written by the consumer */
	uint64_t pad0[7];
	uint64_t tail;          /* line 1: written by the producer */
	uint64_t done;          /* line 1: producer finished (written once) */
	uint64_t pad1[6];
	void *slot[];           /* lines 2..: written by the producer */
};

struct wlk_cpu {
	struct wl_lat alloc, free_local, free_remote;
	uint64_t allocs, pages;
};

struct wlk {
	struct wlk_params p;
	struct kalloc *ka;
	const struct rcl_ops *rops;     /* NULL: local frees are immediate */
	void *rs;
	uint32_t ncpus;
	struct wlk_ring **ring;     /* [cpu]: the ring cpu consumes */
	struct wlk_cpu *cpu;
	bool check_ok;
	char *check_why;
};

static gboolean
wlk_check(const void *params, const struct sim_run_config *rc, const struct sim_origin *o,
	  GError **err)
{
	(void)rc;
	const struct wlk_params *p = params;
	if (p->size > (KA_PAGE_SIZE << KA_MAX_ORDER)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "size",
				"%u exceeds the largest buddy block (%u bytes)", p->size,
				KA_PAGE_SIZE << KA_MAX_ORDER);
		return FALSE;
	}
	return TRUE;
}

static void *
wlk_setup(struct sim *sim, const void *params)
{
	struct wlk *st = g_new0(struct wlk, 1);
	st->p = *(const struct wlk_params *)params;
	st->ncpus = sim_ncpus_of(sim);
	st->ka = kalloc_create_for_run(sim);
	st->rops = rcl_ops_of(sim);
	if (st->rops)
		st->rs = st->rops->create(sim, rcl_params_of(sim));
	st->ring = g_new0(struct wlk_ring *, st->ncpus);
	const struct sim_machine *m = sim_machine_of(sim);
	size_t bytes = sizeof(struct wlk_ring) + sizeof(void *) * st->p.ring;
	for (uint32_t c = 0; c < st->ncpus; c++) {
		st->ring[c] = sim_alloc(bytes, 64);
		sim_mem_place(sim, st->ring[c], bytes, sim_machine_place(m, c).socket);
	}
	st->cpu = g_new0(struct wlk_cpu, st->ncpus);
	return st;
}

static void
wlk_free_remote(struct wlk *st, uint32_t me, void *tagged)
{
	sim_time_t t0 = sim_now();
	if ((uintptr_t)tagged & WLK_PAGE)
		sim_free((char *)tagged - WLK_PAGE, KA_PAGE_SIZE, KA_PAGE_SIZE);
	else
		sim_free(tagged, st->p.size, 8);
	wl_lat_add(&st->cpu[me].free_remote, sim_now() - t0);
	sim_work(st->p.work);
}

/* Free what is in my ring.  Return: true if the ring was empty. */
static bool
wlk_drain(struct wlk *st, uint32_t me)
{
	struct wlk_ring *r = st->ring[me];
	uint64_t head = sim_load64(&r->head);
	uint64_t tail = sim_load64_acq(&r->tail);
	if (head == tail)
		return true;
	for (; head != tail; head++)
		wlk_free_remote(st, me, sim_loadp(&r->slot[head % st->p.ring]));
	sim_store64_rel(&r->head, head);
	return false;
}

/* Hand obj to the next CPU; false if its ring is full. */
static bool
wlk_handoff(struct wlk *st, uint32_t me, void *tagged)
{
	struct wlk_ring *r = st->ring[(me + 1) % st->ncpus];
	uint64_t tail = sim_load64(&r->tail);
	if (tail - sim_load64_acq(&r->head) >= st->p.ring)
		return false;
	sim_storep(&r->slot[tail % st->p.ring], tagged);
	sim_store64_rel(&r->tail, tail + 1);
	return true;
}

static void
wlk_cpu(void *arg)
{
	struct wlk *st = arg;
	uint32_t me = sim_cpu_id();
	struct wlk_cpu *mc = &st->cpu[me];
	void **objs = g_new(void *, st->p.batch);
	bool *is_page = g_new(bool, st->p.batch);
	for (uint64_t round = 0; round < st->p.rounds; round++) {
		for (uint32_t i = 0; i < st->p.batch; i++) {
			is_page[i] = sim_random_below(100) < st->p.page_pct;
			sim_time_t t0 = sim_now();
			objs[i] = is_page[i] ? alloc_pages(st->ka, 0, __GFP_ZERO)
					     : kmalloc(st->ka, st->p.size, 0);
			wl_lat_add(&mc->alloc, sim_now() - t0);
			sim_store64(objs[i], ((uint64_t)me << 32) | i);
			mc->allocs++;
			mc->pages += is_page[i];
			sim_work(st->p.work);
		}
		for (uint32_t i = 0; i < st->p.batch; i++) {
			void *tagged = is_page[i] ? (char *)objs[i] + WLK_PAGE : objs[i];
			if (st->ncpus > 1 && sim_random_below(100) < st->p.remote_pct &&
			    wlk_handoff(st, me, tagged))
				continue;
			sim_time_t t0 = sim_now();
			if (st->rops)
				st->rops->retire(st->rs, objs[i], is_page[i] ? KA_PAGE_SIZE : st->p.size,
						 is_page[i] ? KA_PAGE_SIZE : 8);
			else if (is_page[i])
				free_pages(st->ka, objs[i], 0);
			else
				kfree(st->ka, objs[i]);
			wl_lat_add(&mc->free_local, sim_now() - t0);
			sim_work(st->p.work);
		}
		wlk_drain(st, me);
		if (st->rops && st->rops->quiescent_state)
			st->rops->quiescent_state(st->rs);
	}
	/* Tell the consumer, then drain until my producer is done too. */
	sim_store64_rel(&st->ring[(me + 1) % st->ncpus]->done, 1);
	struct wlk_ring *r = st->ring[me];
	for (;;) {
		if (!wlk_drain(st, me))
			continue;
		if (sim_load64_acq(&r->done) && wlk_drain(st, me))
			break;
		sim_wait_for_write(&r->tail, SIM_TIME_NEVER);
	}
	if (st->rops && st->rops->cpu_exit)
		st->rops->cpu_exit(st->rs);
	g_free(objs);
	g_free(is_page);
}

static void
wlk_report(void *arg, struct sim *sim, cJSON *m)
{
	struct wlk *st = arg;
	struct wl_lat alloc = { 0 }, fl = { 0 }, fr = { 0 };
	uint64_t allocs = 0, pages = 0;
	for (uint32_t c = 0; c < st->ncpus; c++) {
		wl_lat_merge(&alloc, &st->cpu[c].alloc);
		wl_lat_merge(&fl, &st->cpu[c].free_local);
		wl_lat_merge(&fr, &st->cpu[c].free_remote);
		allocs += st->cpu[c].allocs;
		pages += st->cpu[c].pages;
	}
	double secs = (double)sim_end_time(sim) / (sim_machine_of(sim)->freq_ghz * 1e9);
	cJSON_AddNumberToObject(m, "allocs", (double)allocs);
	cJSON_AddNumberToObject(m, "page_allocs", (double)pages);
	cJSON_AddNumberToObject(m, "frees_remote", (double)fr.n);
	cJSON_AddNumberToObject(m, "allocs_per_sec", secs > 0 ? (double)allocs / secs : 0.0);
	cJSON_AddNumberToObject(m, "alloc_cycles_mean", wl_lat_mean(&alloc));
	cJSON_AddNumberToObject(m, "free_local_cycles_mean", wl_lat_mean(&fl));
	cJSON_AddNumberToObject(m, "free_remote_cycles_mean", wl_lat_mean(&fr));
	wl_lat_emit(m, "alloc_cycles", &alloc);
	wl_lat_emit(m, "free_local_cycles", &fl);
	wl_lat_emit(m, "free_remote_cycles", &fr);
	GString *why = g_string_new(NULL);
	st->check_ok = kalloc_check(st->ka, why);
	cJSON_AddBoolToObject(m, "conservation_ok", st->check_ok);
	if (!st->check_ok)
		cJSON_AddStringToObject(m, "conservation_error", why->str);
	g_string_free(why, TRUE);
	kalloc_stats(st->ka, cJSON_AddObjectToObject(m, "kalloc"));
	if (st->rops) {
		cJSON *r = cJSON_AddObjectToObject(m, "reclaim");
		cJSON_AddStringToObject(r, "scheme", st->rops->comp.name);
		if (st->rops->stats)
			st->rops->stats(st->rs, r);
	}
}

static void
wlk_teardown(void *arg)
{
	struct wlk *st = arg;
	if (st->rops && st->rops->destroy)
		st->rops->destroy(st->rs);
	kalloc_destroy(st->ka);
	g_free(st->ring);
	g_free(st->cpu);
	g_free(st);
}

const struct sim_workload_ops wl_kalloc_ops = {
	.name = "kalloc",
	.summary = "alloc/free storms on the kernel allocator model (kmalloc, pages, remote frees)",
	.params = wlk_params,
	.params_size = sizeof(struct wlk_params),
	.check = wlk_check,
	.setup = wlk_setup,
	.cpu_main = wlk_cpu,
	.report = wlk_report,
	.teardown = wlk_teardown,
	.requires = 1u << SIM_SECTION_KALLOC,
	.uses = 1u << SIM_SECTION_RECLAIM | 1u << SIM_SECTION_LOCKING,
};
