// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * mapbench: sv6's bin/mapbench.cc as ben ran it for Linux 3.5.7 and
 * Bonsai (Clements' thesis, /work/shared/reference/ben-benchmarks.md
 * section 2), on an address-space design (the "aspace" section).  One
 * thread per CPU, thread i on CPU i, all in one address space; pages are
 * 4 KiB; base = 0x100000000.
 *
 *   vmlocal    (npg 1) each thread: mmap npg pages MAP_FIXED at
 *              base + cpu * npg MiB, write one byte of each page (a
 *              fault), munmap.  One iteration: npg page touches.
 *   vmpipeline (npg 1) thread i maps npg pages at base + i * NCPU * 256 MiB
 *              + (round mod NCPU) MiB and writes them, publishes its round
 *              on its own line, spins until thread (i + 1) mod n has
 *              published the same round, writes the neighbour's pages
 *              of that round and munmaps them.  2 npg touches per
 *              iteration; one thread is its own neighbour.  NCPU is the
 *              build's constant (256 for the HW=linux build that ran on
 *              Linux and Bonsai).
 *   vmglobal   (npg 16) each round thread i maps its slice of npg pages
 *              MAP_FIXED at base + i * npg pages (from round 2 replacing
 *              the old mapping: an unmap and a shootdown); barrier; n * npg
 *              draws of rnd() % (n * npg), writing each distinct page once
 *              (touches = distinct pages); barrier.  One iteration = one
 *              round of one thread.  rnd() is libutil/urnd.cc's LCG
 *              (x = x * 6364136223846793005 + 1442695040888963407), which
 *              every thread seeds with getpid(): all threads draw the same
 *              pages in the same order, and its poor low bits make a
 *              thread touch all pages when n * npg is a power of two and
 *              about 67% otherwise (107.6 of 160 at 10 cores, as on ben).
 *              The barrier is mapbench's gbarrier: a `left` counter and a
 *              `round` counter on lines of their own.
 *
 * Phases as mapbench's timer thread sets them: every thread checks at the
 * top of each iteration whether the warm-up (`warmup` cycles) is over; the
 * first time it is, the thread zeroes its counts and takes its start
 * time.  At warmup + duration the run stops: a thread finishes its
 * iteration (or leaves a spin on its neighbour or the barrier) and takes
 * its stop time.
 *
 * Reported, as mapbench prints them: iterations and page_touches (totals
 * over threads, measured part), cycles = mean stop - mean start,
 * page_touches_per_sec = page_touches / (cycles / freq) (TOTAL over all
 * cores; the thesis plots per core), iterations_per_sec, and
 * cycles_per_iteration = (sum of stops - sum of starts) / iterations (the
 * cycles one core spends per iteration).  Then measured_threads (threads
 * that left the warm-up before the stop), iterations_thread_min/max, the
 * workload's own calls over the whole run (mmaps, munmaps), for vmglobal
 * round_phases (mean cycles per measured round of one thread: its mmap,
 * the wait at the first barrier, its touches, the wait at the second;
 * not a figure mapbench prints), and the design's stats
 * (whole run, warm-up included, as sv6's kernel counters were).
 *
 * MODEL: the timer thread's warmup and stop flags are read from the
 * simulated clock instead of a line (on ben a read-shared line, an L1 hit
 * at each check); the touched[] bitmap of vmglobal and the loop control
 * are host work at no cost (on ben: a few hundred cycles per round of
 * user-mode work, against >= 50,000 per round in the kernel).
 *
 * Sections: requires "aspace"; uses "tree", "reclaim", "kalloc",
 * "locking", "kernel".
 */
#include <glib.h>
#include <string.h>

#include "engine.h"
#include "wl_aspace.h"
#include "workload.h"

#define MB_BASE UINT64_C(0x100000000)
#define MB_PG MM_PAGE_SIZE
#define MB_MIB (UINT64_C(1) << 20)

static const char *const mb_benchmarks[] = { "vmlocal", "vmpipeline", "vmglobal", NULL };
enum { MB_LOCAL, MB_PIPELINE, MB_GLOBAL };

struct mb_params {
	int benchmark;
	uint32_t npg;
	uint64_t warmup;
	uint64_t duration;
	uint32_t ncpu_const;
	uint64_t pid;
	uint64_t syscall_cycles;
};

static const struct sim_param mb_params[] = {
	SIM_P_ENUM_ROW(struct mb_params, benchmark, mb_benchmarks, MB_LOCAL,
		       "vmlocal: private mmap/touch/munmap per thread; vmpipeline: map, "
		       "neighbour touches and unmaps; vmglobal: remap own slice, random "
		       "touches over all slices, barriers"),
	SIM_P_U32_ROW(struct mb_params, npg, 0, 1u << 16, 0,
		      "pages per mapping (0: mapbench's as ben ran it: 1, vmglobal 16)"),
	SIM_P_U64_ROW(struct mb_params, warmup, 0, UINT64_C(1) << 40, 240000,
		      "cycles of warm-up, not measured (ben: 1 s)"),
	SIM_P_U64_ROW(struct mb_params, duration, 1, UINT64_C(1) << 42, 2400000,
		      "measured cycles after the warm-up (ben: 5 s)"),
	SIM_P_U32_ROW(struct mb_params, ncpu_const, 1, 4096, 256,
		      "mapbench's NCPU (vmpipeline's address stride): 256 in the HW=linux "
		      "build run on Linux and Bonsai, 80 in sv6 on ben"),
	SIM_P_U64_ROW(struct mb_params, pid, 1, UINT64_C(1) << 31, 4242,
		      "getpid(): the seed of every thread's rnd() (vmglobal)"),
	SIM_P_U64_ROW(struct mb_params, syscall_cycles, 0, 100000, 100,
		      "local cycles of one syscall's entry and exit (mmap, munmap)"),
	SIM_P_END,
};

struct mb_cpu {
	bool warm;                   /* still in the warm-up */
	bool measured;               /* left the warm-up before the stop */
	sim_time_t start, stop;
	uint64_t iters, pages;
	uint64_t mmaps, munmaps;     /* whole run */
	uint64_t rseed;              /* rnd()'s state, 0 until the first draw */
	/* vmglobal, measured rounds only: simulated cycles spent in each
	 * phase of a round (host-side readout, no simulated cost). */
	uint64_t ph_map, ph_bar1, ph_touch, ph_bar2;
};

struct mb {
	struct mb_params p;
	struct wl_aspace w;
	uint32_t n;
	uint32_t npg;
	sim_time_t t_warm, t_stop;
	uint64_t *channel;           /* vmpipeline: simulated, one line per thread: its round;
				      * written by its thread, read by its predecessor */
	uint64_t *gbarrier;          /* vmglobal: simulated, [0] round, [8] left: two lines,
				      * written by every thread */
	uint64_t *touched;           /* vmglobal: host, n * npg bits per thread */
	size_t touched_words;
	struct mb_cpu *cpu;          /* host */
};

static uint32_t
mb_npg(const struct mb_params *p)
{
	return p->npg ? p->npg : p->benchmark == MB_GLOBAL ? 16u : 1u;
}

static gboolean
mb_check(const void *params, const struct sim_run_config *rc, const struct sim_origin *o,
	 GError **err)
{
	const struct mb_params *p = params;
	uint32_t npg = mb_npg(p);
	if (p->benchmark != MB_GLOBAL && npg > 256) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "npg",
				"%u pages do not fit the 1 MiB slot a thread maps in (at most 256)", npg);
		return FALSE;
	}
	if (p->benchmark == MB_PIPELINE && (uint64_t)rc->cpus > p->ncpu_const) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "ncpu_const",
				"%u is below the run's %u CPUs (threads' regions would overlap)",
				p->ncpu_const, rc->cpus);
		return FALSE;
	}
	if (p->benchmark == MB_PIPELINE &&
	    MB_BASE + (uint64_t)p->ncpu_const * p->ncpu_const * 256 * MB_MIB > MM_TASK_SIZE) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "ncpu_const",
				"%u: vmpipeline's regions (NCPU^2 x 256 MiB) pass the 128 TiB "
				"user address space", p->ncpu_const);
		return FALSE;
	}
	if (p->benchmark == MB_GLOBAL && (uint64_t)rc->cpus * npg > (UINT64_C(1) << 20)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "npg",
				"vmglobal's region of %u CPUs x %u pages is over 2^20 pages",
				rc->cpus, npg);
		return FALSE;
	}
	return TRUE;
}

static void *
mb_setup(struct sim *sim, const void *params)
{
	struct mb *b = g_new0(struct mb, 1);
	b->p = *(const struct mb_params *)params;
	b->n = sim_ncpus_of(sim);
	b->npg = mb_npg(&b->p);
	b->t_warm = b->p.warmup;
	b->t_stop = b->p.warmup + b->p.duration;
	wl_aspace_setup(&b->w, sim, b->p.syscall_cycles);
	const struct sim_machine *m = sim_machine_of(sim);
	if (b->p.benchmark == MB_PIPELINE) {
		b->channel = sim_alloc((size_t)b->n * 64, 64);
		for (uint32_t c = 0; c < b->n; c++)
			sim_mem_place(sim, &b->channel[c * 8], 64, sim_machine_place(m, c).socket);
		sim_mem_prime(sim, b->channel, (size_t)b->n * 64, 0);
	} else if (b->p.benchmark == MB_GLOBAL) {
		b->gbarrier = sim_alloc(128, 64);
		b->gbarrier[8] = b->n;   /* gbarrier.left = nthread */
		sim_mem_prime(sim, b->gbarrier, 128, 0);
		b->touched_words = ((size_t)b->n * b->npg) / 64 + 1;
		b->touched = g_new0(uint64_t, b->touched_words * b->n);
	}
	b->cpu = g_new0(struct mb_cpu, b->n);
	for (uint32_t c = 0; c < b->n; c++)
		b->cpu[c].warm = true;
	return b;
}

static bool
mb_stopped(const struct mb *b)
{
	return sim_now() >= b->t_stop;
}

/* mapbench's CHECK_STAGE(): the first check after the warm-up zeroes the
 * counts and takes the start time. */
static void
mb_check_stage(struct mb *b, struct mb_cpu *me)
{
	if (me->warm && sim_now() >= b->t_warm) {
		me->warm = false;
		me->measured = true;
		me->iters = me->pages = 0;
		me->start = sim_now();
	}
}

/* libutil/urnd.cc rnd(): a per-thread LCG seeded with getpid(). */
static uint64_t
mb_rnd(struct mb *b, struct mb_cpu *me)
{
	if (me->rseed == 0)
		me->rseed = b->p.pid;
	me->rseed = me->rseed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return me->rseed;
}

static void
mb_map(struct mb *b, struct mb_cpu *me, uint64_t addr)
{
	(void)wl_as_mmap(&b->w, addr, (uint64_t)b->npg * MB_PG, AS_MAP_FIXED);
	me->mmaps++;
}

static void
mb_unmap(struct mb *b, struct mb_cpu *me, uint64_t addr)
{
	wl_as_munmap(&b->w, addr, (uint64_t)b->npg * MB_PG);
	me->munmaps++;
}

static void
mb_touch_all(struct mb *b, uint64_t addr)
{
	for (uint32_t j = 0; j < b->npg; j++)
		wl_as_touch(&b->w, addr + (uint64_t)j * MB_PG, true);
}

static void
mb_local(struct mb *b, uint32_t cpu, struct mb_cpu *me)
{
	uint64_t p = MB_BASE + (uint64_t)cpu * b->npg * MB_MIB;
	while (!mb_stopped(b)) {
		mb_check_stage(b, me);
		mb_map(b, me, p);
		mb_touch_all(b, p);
		mb_unmap(b, me, p);
		me->iters++;
	}
	me->pages = me->iters * b->npg;
}

static uint64_t
mb_pipe_addr(const struct mb *b, uint32_t cpu, uint64_t round)
{
	return MB_BASE + (uint64_t)cpu * b->p.ncpu_const * 256 * MB_MIB +
	       (round % b->p.ncpu_const) * MB_MIB;
}

static void
mb_pipeline(struct mb *b, uint32_t cpu, struct mb_cpu *me)
{
	uint32_t sibling = (cpu + 1) % b->n;
	uint64_t *mine = &b->channel[(size_t)cpu * 8];
	uint64_t *theirs = &b->channel[(size_t)sibling * 8];
	uint64_t myround = 0;
	while (!mb_stopped(b)) {
		mb_check_stage(b, me);
		uint64_t p = mb_pipe_addr(b, cpu, myround);
		mb_map(b, me, p);
		mb_touch_all(b, p);
		/* Indicate that my mapping is ready. */
		sim_store64_rel(mine, ++myround);
		/* Wait for the sibling to finish its mapping. */
		uint64_t v;
		while ((v = sim_load64_acq(theirs)) < myround && !mb_stopped(b))
			(void)sim_spin_while_eq64_until(theirs, v, b->t_stop);
		if (mb_stopped(b))
			break;
		/* Access and unmap the sibling's mapping. */
		p = mb_pipe_addr(b, sibling, myround - 1);
		mb_touch_all(b, p);
		mb_unmap(b, me, p);
		me->iters++;
	}
	me->pages = me->iters * b->npg * 2;
}

/* mapbench's gbarrier.wait(): the last arrival resets left and bumps
 * round; the others spin on round (or until the stop). */
static void
mb_gbarrier_wait(struct mb *b)
{
	uint64_t *round = &b->gbarrier[0], *left = &b->gbarrier[8];
	uint64_t cur = sim_load64_acq(round);
	if (sim_faa64(left, UINT64_MAX) - 1 != 0) {      /* --left */
		uint64_t v;
		while ((v = sim_load64_acq(round)) == cur && !mb_stopped(b))
			(void)sim_spin_while_eq64_until(round, v, b->t_stop);
	} else {
		sim_store64(left, b->n);
		(void)sim_faa64(round, 1);                 /* ++round */
	}
}

static void
mb_global(struct mb *b, uint32_t cpu, struct mb_cpu *me)
{
	uint64_t npages = (uint64_t)b->n * b->npg;
	uint64_t *touched = &b->touched[(size_t)cpu * b->touched_words];
	uint64_t p = MB_BASE + (uint64_t)cpu * b->npg * MB_PG;
	while (!mb_stopped(b)) {
		mb_check_stage(b, me);
		sim_time_t t0 = sim_now();
		/* Map my part of the "hash table"; after the first round this
		 * also unmaps the old mapping. */
		mb_map(b, me, p);
		sim_time_t t1 = sim_now();
		mb_gbarrier_wait(b);
		if (mb_stopped(b))
			break;
		sim_time_t t2 = sim_now();
		memset(touched, 0, b->touched_words * sizeof *touched);
		for (uint64_t i = 0; i < npages; i++) {
			uint64_t pg = mb_rnd(b, me) % npages;
			if (!(touched[pg / 64] & (UINT64_C(1) << (pg % 64)))) {
				wl_as_touch(&b->w, MB_BASE + pg * MB_PG, true);
				touched[pg / 64] |= UINT64_C(1) << (pg % 64);
				me->pages++;
			}
		}
		sim_time_t t3 = sim_now();
		mb_gbarrier_wait(b);
		me->iters++;
		if (!me->warm) {
			me->ph_map += t1 - t0;
			me->ph_bar1 += t2 - t1;
			me->ph_touch += t3 - t2;
			me->ph_bar2 += sim_now() - t3;
		}
	}
}

static void
mb_cpu_main(void *arg)
{
	struct mb *b = arg;
	uint32_t cpu = sim_cpu_id();
	struct mb_cpu *me = &b->cpu[cpu];
	switch (b->p.benchmark) {
	case MB_LOCAL:
		mb_local(b, cpu, me);
		break;
	case MB_PIPELINE:
		mb_pipeline(b, cpu, me);
		break;
	default:
		mb_global(b, cpu, me);
		break;
	}
	me->stop = sim_now();
	if (!me->measured) {         /* never left the warm-up: nothing measured */
		me->iters = me->pages = 0;
		me->start = me->stop;
	}
	wl_as_cpu_exit(&b->w);
}

/* vmglobal's round, phase by phase: mean simulated cycles per measured
 * round of one thread (sum over threads / iterations), so the four add up
 * to cycles_per_iteration less the part of the last round cut by the stop. */
static void
mb_report_phases(const struct mb *b, uint64_t iters, cJSON *m)
{
	uint64_t map = 0, bar1 = 0, touch = 0, bar2 = 0;
	for (uint32_t c = 0; c < b->n; c++) {
		map += b->cpu[c].ph_map;
		bar1 += b->cpu[c].ph_bar1;
		touch += b->cpu[c].ph_touch;
		bar2 += b->cpu[c].ph_bar2;
	}
	cJSON *o = cJSON_AddObjectToObject(m, "round_phases");
	double d = iters ? (double)iters : 1.0;
	cJSON_AddNumberToObject(o, "mmap_cycles", (double)map / d);
	cJSON_AddNumberToObject(o, "map_barrier_cycles", (double)bar1 / d);
	cJSON_AddNumberToObject(o, "touch_cycles", (double)touch / d);
	cJSON_AddNumberToObject(o, "touch_barrier_cycles", (double)bar2 / d);
}

static void
mb_report(void *arg, struct sim *sim, cJSON *m)
{
	struct mb *b = arg;
	double sum_start = 0, sum_stop = 0;
	sim_time_t smin = 0, smax = 0, emin = 0, emax = 0;
	uint64_t iters = 0, pages = 0, mmaps = 0, munmaps = 0, measured = 0, imin = 0, imax = 0;
	for (uint32_t c = 0; c < b->n; c++) {
		const struct mb_cpu *pc = &b->cpu[c];
		sum_start += (double)pc->start;
		sum_stop += (double)pc->stop;
		if (c == 0 || pc->start < smin)
			smin = pc->start;
		if (c == 0 || pc->start > smax)
			smax = pc->start;
		if (c == 0 || pc->stop < emin)
			emin = pc->stop;
		if (c == 0 || pc->stop > emax)
			emax = pc->stop;
		iters += pc->iters;
		if (c == 0 || pc->iters < imin)
			imin = pc->iters;
		if (c == 0 || pc->iters > imax)
			imax = pc->iters;
		pages += pc->pages;
		mmaps += pc->mmaps;
		munmaps += pc->munmaps;
		measured += pc->measured;
	}
	double ghz = sim_machine_of(sim)->freq_ghz;
	double cycles = (sum_stop - sum_start) / b->n;
	double secs = cycles / (ghz * 1e9);
	cJSON_AddStringToObject(m, "benchmark", mb_benchmarks[b->p.benchmark]);
	cJSON_AddNumberToObject(m, "npg", b->npg);
	cJSON_AddNumberToObject(m, "iterations", (double)iters);
	cJSON_AddNumberToObject(m, "page_touches", (double)pages);
	cJSON_AddNumberToObject(m, "cycles", cycles);
	cJSON_AddNumberToObject(m, "start_skew", (double)(smax - smin));
	cJSON_AddNumberToObject(m, "stop_skew", (double)(emax - emin));
	cJSON_AddNumberToObject(m, "page_touches_per_sec", secs > 0 ? (double)pages / secs : 0.0);
	cJSON_AddNumberToObject(m, "page_touches_per_sec_per_core",
				secs > 0 ? (double)pages / secs / b->n : 0.0);
	cJSON_AddNumberToObject(m, "iterations_per_sec", secs > 0 ? (double)iters / secs : 0.0);
	cJSON_AddNumberToObject(m, "cycles_per_iteration",
				iters ? (sum_stop - sum_start) / (double)iters : 0.0);
	cJSON_AddNumberToObject(m, "measured_threads", (double)measured);
	cJSON_AddNumberToObject(m, "iterations_thread_min", (double)imin);
	cJSON_AddNumberToObject(m, "iterations_thread_max", (double)imax);
	cJSON_AddNumberToObject(m, "mmaps", (double)mmaps);
	cJSON_AddNumberToObject(m, "munmaps", (double)munmaps);
	if (b->p.benchmark == MB_GLOBAL)
		mb_report_phases(b, iters, m);
	wl_aspace_report(&b->w, m);
}

static void
mb_teardown(void *arg)
{
	struct mb *b = arg;
	wl_aspace_teardown(&b->w);
	g_free(b->touched);
	g_free(b->cpu);
	g_free(b);
}

static sim_time_t
mb_progress_goal(const void *arg)
{
	const struct mb *b = arg;
	return b->t_stop;
}

const struct sim_workload_ops wl_mapbench_ops = {
	.name = "mapbench",
	.summary = "sv6 mapbench on an address-space design (\"aspace\" section): vmlocal, "
		   "vmpipeline, vmglobal; page touches/s total over cores",
	.params = mb_params,
	.params_size = sizeof(struct mb_params),
	.check = mb_check,
	.setup = mb_setup,
	.cpu_main = mb_cpu_main,
	.report = mb_report,
	.teardown = mb_teardown,
	.progress_goal = mb_progress_goal,
	.requires = WL_ASPACE_REQUIRES,
	.uses = WL_ASPACE_USES,
};
