// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * shootdown: the TLB-shootdown pattern of sv6's mapbench (bin/mapbench.cc,
 * as ben ran it for RadixVM; /work/shared/reference/ben-benchmarks.md
 * section 2), driving the "kernel" section's cross-CPU call model.
 *
 *   pipeline (vmpipeline, npg = 1): each round thread i maps its page
 *            (slot round mod SLOTS), writes it, publishes the round,
 *            waits until thread (i+1) mod n has published the same round,
 *            writes that neighbour's page, then munmaps it: one shootdown
 *            whose targets are the CPUs that touched the page other than
 *            i, i.e. the neighbour (one target; none at 1 CPU, where the
 *            thread is its own neighbour).  Two page touches per round.
 *   global   (vmglobal, npg = 16): each round thread i maps its 16-page
 *            slice over the old mapping, which shoots down every CPU that
 *            touched the slice last round (about n - 1 targets, all CPUs
 *            at once); barrier; n * 16 uniform random draws over the n *
 *            16-page region, writing each distinct page once; barrier.
 *
 * Which CPUs hold a page in their TLB: one cpumask per page slot (pipeline)
 * or per slice (global) on simulated memory, set atomically by every CPU
 * that faults the page in (RadixVM's tracker_cores), read by the
 * munmapper's shootdown and cleared by the owner when it maps anew.
 *
 * Reported (rounds after `warmup`, like mapbench's 1 s warm-up):
 * shootdown_cycles_mean = mean initiator cycles inside flush_tlb_others
 * per shootdown with >= 1 target (RadixVM's tlb_shootdown_cycles /
 * tlb_shootdown_count), cycles_per_iteration = sum over threads of their
 * measured time / iterations (mapbench's figure), page touches.
 *
 * MODEL: mmap/munmap/page-fault work other than the shootdown is local
 * work (map_work, unmap_work, fault_work cycles: per-core page tables,
 * the radix tree and page zeroing are not simulated lines here), so only
 * the shootdown's lines and IPIs contend.  The random draws use the
 * run's PRNG, which touches 63% of the region (1 - 1/e); ben's LCG
 * touched 67%.  The local TLB invalidation of the munmapping CPU costs
 * smp_flush_cost() cycles.
 */
#include <glib.h>
#include <string.h>

#include "cpumask.h"
#include "engine.h"
#include "smp.h"
#include "wl_stats.h"
#include "workload.h"

static const char *const sd_patterns[] = { "pipeline", "global", NULL };
enum { SD_PIPELINE, SD_GLOBAL };

#define SD_SLOTS 4u              /* page slots per thread (pipeline) */
#define SD_NPG_GLOBAL 16u

struct sd_params {
	int pattern;
	uint64_t rounds;
	uint64_t warmup;
	uint64_t map_work;
	uint64_t unmap_work;
	uint64_t fault_work;
};

static const struct sim_param sd_params[] = {
	SIM_P_ENUM_ROW(struct sd_params, pattern, sd_patterns, SD_PIPELINE,
		       "pipeline: mapbench vmpipeline (one-target shootdowns); global: "
		       "vmglobal (every CPU shoots down all others at once)"),
	SIM_P_U64_ROW(struct sd_params, rounds, 1, 1000000, 20,
		      "iterations per thread, warm-up included"),
	SIM_P_U64_ROW(struct sd_params, warmup, 0, 1000000, 2,
		      "first iterations left out of the metrics"),
	SIM_P_U64_ROW(struct sd_params, map_work, 0, UINT64_C(1) << 32, 2000,
		      "local cycles of one mmap besides shootdowns"),
	SIM_P_U64_ROW(struct sd_params, unmap_work, 0, UINT64_C(1) << 32, 2000,
		      "local cycles of one munmap besides its shootdown"),
	SIM_P_U64_ROW(struct sd_params, fault_work, 0, UINT64_C(1) << 32, 4600,
		      "local cycles of one page fault (RadixVM faults on every touch)"),
	SIM_P_END,
};

struct sd_cpu {
	sim_time_t t_start, t_end;   /* measured span */
	uint64_t iters, touches;
	struct wl_lat sd;            /* cycles per shootdown with targets */
	uint64_t targets;
	uint64_t slot_waits;
};

struct sd {
	struct sd_params p;
	uint32_t n;
	const struct smp_ops *ops;
	const struct smp_params *sp;
	void *smp;
	uint64_t *round;             /* simulated: one line per CPU, its published round */
	struct cpumask **tracker;    /* pipeline: n * SD_SLOTS; global: n (one per slice) */
	uint64_t *slot_free;         /* pipeline: simulated, per (cpu, slot): 1 = unmapped */
	uint64_t *barrier;           /* simulated: [0] count, [8] generation (two lines) */
	struct sd_cpu *cpu;          /* host */
	uint8_t *seen;               /* global: host scratch n * n * 16 bits per CPU */
};

static gboolean
sd_check(const void *params, const struct sim_run_config *rc, const struct sim_origin *o,
	 GError **err)
{
	const struct sd_params *p = params;
	if (p->warmup >= p->rounds) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "warmup",
				"%" G_GUINT64_FORMAT " leaves no measured round (rounds = %"
				G_GUINT64_FORMAT ")", p->warmup, p->rounds);
		return FALSE;
	}
	if (p->pattern == SD_GLOBAL && rc->cpus > 1024) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "pattern",
				"global touches n * 16 pages per CPU per round; at most 1,024 "
				"CPUs (this run has %u)", rc->cpus);
		return FALSE;
	}
	return TRUE;
}

static void *
sd_setup(struct sim *sim, const void *params)
{
	struct sd *st = g_new0(struct sd, 1);
	st->p = *(const struct sd_params *)params;
	st->n = sim_ncpus_of(sim);
	const void *sp;
	st->ops = smp_ops_of(sim, &sp);
	st->sp = sp;
	st->smp = st->ops->create(sim, sp);
	const struct sim_machine *m = sim_machine_of(sim);
	st->round = sim_alloc((size_t)st->n * 64, 64);
	uint32_t nmasks = st->p.pattern == SD_PIPELINE ? st->n * SD_SLOTS : st->n;
	st->tracker = g_new0(struct cpumask *, nmasks);
	for (uint32_t k = 0; k < nmasks; k++) {
		uint32_t owner = st->p.pattern == SD_PIPELINE ? k / SD_SLOTS : k;
		st->tracker[k] = cpumask_alloc(st->n);
		sim_mem_place(sim, st->tracker[k]->bits, st->tracker[k]->nwords * 8,
			      sim_machine_place(m, owner).socket);
	}
	for (uint32_t c = 0; c < st->n; c++)
		sim_mem_place(sim, &st->round[c * 8], 64, sim_machine_place(m, c).socket);
	if (st->p.pattern == SD_PIPELINE) {
		st->slot_free = sim_alloc((size_t)st->n * SD_SLOTS * 64, 64);
		for (uint32_t k = 0; k < st->n * SD_SLOTS; k++)
			st->slot_free[k * 8] = 1;
	} else {
		st->seen = g_new0(uint8_t, (size_t)st->n * st->n * SD_NPG_GLOBAL);
	}
	st->barrier = sim_alloc(128, 64);
	st->barrier = sim_alloc(128, 64);
	st->cpu = g_new0(struct sd_cpu, st->n);
	return st;
}

/* Sense-free counting barrier: the last arrival resets the count and
 * bumps the generation the others spin on. */
static void
sd_barrier(struct sd *st)
{
	uint64_t gen = sim_load64_acq(&st->barrier[8]);
	if (sim_faa64(&st->barrier[0], 1) == st->n - 1) {
		sim_store64(&st->barrier[0], 0);
		sim_store64_rel(&st->barrier[8], gen + 1);
		return;
	}
	uint64_t g;
	while ((g = sim_load64_acq(&st->barrier[8])) == gen)
		(void)sim_spin_while_eq64(&st->barrier[8], g);
}

static void
shootdown(struct sd *st, struct sd_cpu *me, bool measured, struct cpumask *mask,
	  uint64_t page, uint32_t npages)
{
	sim_time_t t0 = sim_now();
	uint32_t targets = st->ops->flush_tlb_others(st->smp, mask, page, npages);
	if (measured && targets) {
		wl_lat_add(&me->sd, sim_now() - t0);
		me->targets += targets;
	}
	sim_work(smp_flush_cost(st->sp, npages));       /* the local invlpg */
}

static void
pipeline_cpu(struct sd *st, uint32_t id)
{
	struct sd_cpu *me = &st->cpu[id];
	uint32_t nb = (id + 1) % st->n;
	for (uint64_t r = 0; r < st->p.rounds; r++) {
		bool measured = r >= st->p.warmup;
		if (r == st->p.warmup)
			me->t_start = sim_now();
		uint32_t slot = (uint32_t)(r % SD_SLOTS);
		uint32_t k = id * SD_SLOTS + slot;
		/* The slot's page from SD_SLOTS rounds ago must be unmapped. */
		while (sim_load64_acq(&st->slot_free[k * 8]) == 0) {
			me->slot_waits++;
			(void)sim_spin_while_eq64(&st->slot_free[k * 8], 0);
		}
		sim_store64(&st->slot_free[k * 8], 0);
		/* mmap + write: fault it into this CPU's page table. */
		sim_work(st->p.map_work);
		cpumask_clear(st->tracker[k]);
		sim_work(st->p.fault_work);
		cpumask_set_cpu(id, st->tracker[k]);
		sim_store64_rel(&st->round[id * 8], r + 1);
		uint64_t v;
		while ((v = sim_load64_acq(&st->round[nb * 8])) < r + 1)
			(void)sim_spin_while_eq64(&st->round[nb * 8], v);
		/* Write the neighbour's page (a fault here too), munmap it. */
		uint32_t kn = nb * SD_SLOTS + slot;
		sim_work(st->p.fault_work);
		cpumask_set_cpu(id, st->tracker[kn]);
		sim_work(st->p.unmap_work);
		shootdown(st, me, measured, st->tracker[kn], (uint64_t)kn, 1);
		sim_store64_rel(&st->slot_free[kn * 8], 1);
		if (measured) {
			me->iters++;
			me->touches += 2;
		}
	}
	me->t_end = sim_now();
}

static void
global_cpu(struct sd *st, uint32_t id)
{
	struct sd_cpu *me = &st->cpu[id];
	uint32_t npg = st->n * SD_NPG_GLOBAL;
	uint8_t *seen = &st->seen[(size_t)id * npg];
	for (uint64_t r = 0; r < st->p.rounds; r++) {
		bool measured = r >= st->p.warmup;
		if (r == st->p.warmup)
			me->t_start = sim_now();
		/* mmap MAP_FIXED over the old slice: shoot down its users. */
		sim_work(st->p.map_work);
		if (r > 0)
			shootdown(st, me, measured, st->tracker[id], (uint64_t)id * SD_NPG_GLOBAL,
				  SD_NPG_GLOBAL);
		cpumask_clear(st->tracker[id]);
		sd_barrier(st);
		memset(seen, 0, npg);
		for (uint32_t d = 0; d < npg; d++) {
			uint32_t pg = (uint32_t)sim_random_below(npg);
			if (seen[pg])
				continue;
			seen[pg] = 1;
			sim_work(st->p.fault_work);
			cpumask_set_cpu(id, st->tracker[pg / SD_NPG_GLOBAL]);
			if (measured)
				me->touches++;
		}
		sd_barrier(st);
		if (measured)
			me->iters++;
	}
	me->t_end = sim_now();
}

static void
sd_cpu(void *arg)
{
	struct sd *st = arg;
	uint32_t id = sim_cpu_id();
	if (st->p.pattern == SD_PIPELINE)
		pipeline_cpu(st, id);
	else
		global_cpu(st, id);
	/* Stay online until every CPU is done: an IPI to a finished CPU is
	 * dropped, and a late shootdown may still target this one. */
	sd_barrier(st);
}

static void
sd_report(void *arg, struct sim *sim, cJSON *m)
{
	struct sd *st = arg;
	struct wl_lat all = { 0 };
	uint64_t targets = 0, iters = 0, touches = 0, waits = 0;
	double span = 0, tmax = 0;
	for (uint32_t i = 0; i < st->n; i++) {
		struct sd_cpu *c = &st->cpu[i];
		wl_lat_merge(&all, &c->sd);
		targets += c->targets;
		iters += c->iters;
		touches += c->touches;
		waits += c->slot_waits;
		span += (double)(c->t_end - c->t_start);
		if ((double)(c->t_end - c->t_start) > tmax)
			tmax = (double)(c->t_end - c->t_start);
	}
	double ghz = sim_machine_of(sim)->freq_ghz;
	cJSON_AddNumberToObject(m, "iterations", (double)iters);
	cJSON_AddNumberToObject(m, "cycles_per_iteration", iters ? span / (double)iters : 0.0);
	cJSON_AddNumberToObject(m, "page_touches", (double)touches);
	cJSON_AddNumberToObject(m, "page_touches_per_sec",
				tmax > 0 ? (double)touches / (tmax / (ghz * 1e9)) : 0.0);
	cJSON_AddNumberToObject(m, "measured_shootdowns", (double)all.n);
	cJSON_AddNumberToObject(m, "targets_per_shootdown",
				all.n ? (double)targets / (double)all.n : 0.0);
	cJSON_AddNumberToObject(m, "cycles_per_shootdown", wl_lat_mean(&all));
	cJSON_AddNumberToObject(m, "cycles_per_shootdown_target",
				targets ? (double)all.sum / (double)targets : 0.0);
	wl_lat_emit(m, "shootdown", &all);
	cJSON_AddNumberToObject(m, "slot_waits", (double)waits);
	cJSON_AddNumberToObject(m, "ipi_fabric_wait_cycles", (double)sim_ipi_fabric_waited(sim));
	cJSON *k = cJSON_AddObjectToObject(m, "smp");
	smp_stats_report(st->ops->stats(st->smp), k);
}

static void
sd_teardown(void *arg)
{
	struct sd *st = arg;
	uint32_t nmasks = st->p.pattern == SD_PIPELINE ? st->n * SD_SLOTS : st->n;
	for (uint32_t k = 0; k < nmasks; k++)
		cpumask_free(st->tracker[k]);
	g_free(st->tracker);
	st->ops->destroy(st->smp);
	g_free(st->cpu);
	g_free(st->seen);
	g_free(st);
}

const struct sim_workload_ops wl_shootdown_ops = {
	.name = "shootdown",
	.uses = 1u << SIM_SECTION_KERNEL,
	.summary = "mapbench's TLB-shootdown pattern (vmpipeline / vmglobal) over the "
		   "\"kernel\" section's cross-CPU calls (optional section; default linux)",
	.params = sd_params,
	.params_size = sizeof(struct sd_params),
	.check = sd_check,
	.setup = sd_setup,
	.cpu_main = sd_cpu,
	.report = sd_report,
	.teardown = sd_teardown,
};
