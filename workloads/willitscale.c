// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * willitscale: Anton Blanchard's will-it-scale memory tests, threads
 * variant (every task a thread of one process, one shared address
 * space; task i on CPU i), on an address-space design (the "aspace"
 * section).  Each task loops on its test case and counts iterations in a
 * counter of its own on its own line, as will-it-scale's shared results
 * array does:
 *
 *   page_fault1  mmap(NULL, memsize) anonymous private; store one byte
 *                to every page (a write fault each), counting one
 *                iteration per page; munmap.  (will-it-scale: memsize
 *                128 MiB; scaled down by the memsize parameter.)
 *   read_fault1  the same with loads: each a read fault that maps the
 *                shared zero page.  Not a will-it-scale test: it stands
 *                in for page_fault3 (write faults on a shared file
 *                mapping), since files are not modelled; it exercises the
 *                read-fault path the same way.
 *   mmap1        mmap(NULL, memsize) then munmap, no touch: one iteration.
 *   brk1         brk(cur + 4 KiB), brk(cur): two iterations.  All tasks
 *                share the one heap (cur is sbrk(0) at the task's start).
 *
 * mmap(NULL, ...) is the design's mmap without AS_MAP_FIXED from a hint
 * of 0x7f0000000000 (the lowest free gap above it; Linux allocates top
 * down from mmap_base: the same contention, other addresses).
 *
 * will-it-scale samples the counters every second; here a task counts the
 * iterations it completes in [warmup, warmup + duration) and stops at the
 * end of the window (page_fault1 and read_fault1 then munmap what they
 * mapped, unmeasured, so the run ends with an empty address space).
 *
 * Reported, in will-it-scale's unit: iterations (measured, total),
 * iterations_per_sec (total over tasks), iterations_per_sec_per_task
 * (mean; will-it-scale's per_thread_ops) with its min and max over tasks;
 * then iterations_whole_run (warm-up and the iteration cut by the end of
 * the window included), mmaps, munmaps, brks (whole run) and the
 * design's stats.
 *
 * MODEL: the loop's user-mode work (the counter store aside) is free; the
 * end of the window is read from the simulated clock.
 *
 * Sections: requires "aspace"; uses "tree", "reclaim", "kalloc",
 * "locking", "kernel".
 */
#include <glib.h>

#include "engine.h"
#include "wl_aspace.h"
#include "workload.h"

#define WIS_PG MM_PAGE_SIZE
#define WIS_HINT UINT64_C(0x7f0000000000)

static const char *const wis_tests[] = { "page_fault1", "read_fault1", "mmap1", "brk1", NULL };
enum { WIS_PF1, WIS_RF1, WIS_MMAP1, WIS_BRK1 };

struct wis_params {
	int test;
	uint64_t memsize;
	uint64_t warmup;
	uint64_t duration;
	uint64_t syscall_cycles;
};

static const struct sim_param wis_params[] = {
	SIM_P_ENUM_ROW(struct wis_params, test, wis_tests, WIS_PF1,
		       "page_fault1: mmap, write every page, munmap; read_fault1: the same "
		       "reading (zero page); mmap1: mmap + munmap; brk1: brk up and down a page"),
	SIM_P_U64_ROW(struct wis_params, memsize, WIS_PG, UINT64_C(1) << 37, 128u << 20,
		      "bytes per mmap (will-it-scale: 128 MiB; a multiple of 4 KiB)"),
	SIM_P_U64_ROW(struct wis_params, warmup, 0, UINT64_C(1) << 40, 240000,
		      "cycles before the measured window"),
	SIM_P_U64_ROW(struct wis_params, duration, 1, UINT64_C(1) << 42, 2400000,
		      "measured cycles"),
	SIM_P_U64_ROW(struct wis_params, syscall_cycles, 0, 100000, 100,
		      "local cycles of one syscall's entry and exit (mmap, munmap, brk)"),
	SIM_P_END,
};

struct wis_cpu {
	uint64_t measured;           /* iterations completed inside the window */
	uint64_t total;              /* iterations over the whole run */
	uint64_t mmaps, munmaps, brks;
};

struct wis {
	struct wis_params p;
	struct wl_aspace w;
	uint32_t n;
	sim_time_t t_warm, t_stop;
	uint64_t *counter;           /* simulated: one line per task, its iteration count;
				      * written by the task only */
	struct wis_cpu *cpu;         /* host */
};

static gboolean
wis_check(const void *params, const struct sim_run_config *rc, const struct sim_origin *o,
	  GError **err)
{
	const struct wis_params *p = params;
	if (p->memsize % WIS_PG) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "memsize",
				"%" G_GUINT64_FORMAT " is not a multiple of the 4 KiB page", p->memsize);
		return FALSE;
	}
	if (WIS_HINT + (uint64_t)rc->cpus * p->memsize * 2 > MM_TASK_SIZE) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "memsize",
				"%u tasks' mappings of %" G_GUINT64_FORMAT " bytes do not fit above "
				"the mmap hint", rc->cpus, p->memsize);
		return FALSE;
	}
	return TRUE;
}

static void *
wis_setup(struct sim *sim, const void *params)
{
	struct wis *t = g_new0(struct wis, 1);
	t->p = *(const struct wis_params *)params;
	t->n = sim_ncpus_of(sim);
	t->t_warm = t->p.warmup;
	t->t_stop = t->p.warmup + t->p.duration;
	wl_aspace_setup(&t->w, sim, t->p.syscall_cycles);
	const struct sim_machine *m = sim_machine_of(sim);
	t->counter = sim_alloc((size_t)t->n * 64, 64);
	for (uint32_t c = 0; c < t->n; c++)
		sim_mem_place(sim, &t->counter[c * 8], 64, sim_machine_place(m, c).socket);
	for (uint32_t c = 0; c < t->n; c++)
		sim_mem_prime(sim, &t->counter[c * 8], 64, c);
	t->cpu = g_new0(struct wis_cpu, t->n);
	return t;
}

static bool
wis_stopped(const struct wis *t)
{
	return sim_now() >= t->t_stop;
}

/* (*iterations) += k: the task's counter line, and the window's count. */
static void
wis_count(struct wis *t, uint32_t cpu, uint64_t k)
{
	uint64_t *ctr = &t->counter[(size_t)cpu * 8];
	sim_store64(ctr, sim_load64(ctr) + k);
	t->cpu[cpu].total += k;
	sim_time_t now = sim_now();
	if (now >= t->t_warm && now < t->t_stop)
		t->cpu[cpu].measured += k;
}

static void
wis_faults(struct wis *t, uint32_t cpu, struct wis_cpu *me, bool write)
{
	while (!wis_stopped(t)) {
		uint64_t c = wl_as_mmap(&t->w, WIS_HINT, t->p.memsize, 0);
		me->mmaps++;
		for (uint64_t i = 0; i < t->p.memsize && !wis_stopped(t); i += WIS_PG) {
			wl_as_touch(&t->w, c + i, write);
			wis_count(t, cpu, 1);
		}
		wl_as_munmap(&t->w, c, t->p.memsize);
		me->munmaps++;
	}
}

static void
wis_mmap1(struct wis *t, uint32_t cpu, struct wis_cpu *me)
{
	while (!wis_stopped(t)) {
		uint64_t c = wl_as_mmap(&t->w, WIS_HINT, t->p.memsize, 0);
		wl_as_munmap(&t->w, c, t->p.memsize);
		me->mmaps++;
		me->munmaps++;
		wis_count(t, cpu, 1);
	}
}

static void
wis_brk1(struct wis *t, uint32_t cpu, struct wis_cpu *me)
{
	uint64_t addr = wl_as_brk(&t->w, 0);          /* sbrk(0) */
	me->brks++;
	while (!wis_stopped(t)) {
		addr += WIS_PG;
		if (wl_as_brk(&t->w, addr) != addr)
			sim_fail("willitscale brk1: brk(%#" G_GINT64_MODIFIER "x) on CPU %u did not "
				 "move the break there", addr, cpu);
		addr -= WIS_PG;
		if (wl_as_brk(&t->w, addr) != addr)
			sim_fail("willitscale brk1: brk(%#" G_GINT64_MODIFIER "x) on CPU %u did not "
				 "move the break there", addr, cpu);
		me->brks += 2;
		wis_count(t, cpu, 2);
	}
}

static void
wis_cpu_main(void *arg)
{
	struct wis *t = arg;
	uint32_t cpu = sim_cpu_id();
	struct wis_cpu *me = &t->cpu[cpu];
	switch (t->p.test) {
	case WIS_PF1:
		wis_faults(t, cpu, me, true);
		break;
	case WIS_RF1:
		wis_faults(t, cpu, me, false);
		break;
	case WIS_MMAP1:
		wis_mmap1(t, cpu, me);
		break;
	default:
		wis_brk1(t, cpu, me);
		break;
	}
	wl_as_cpu_exit(&t->w);
}

static void
wis_report(void *arg, struct sim *sim, cJSON *m)
{
	struct wis *t = arg;
	uint64_t total = 0, all = 0, mmaps = 0, munmaps = 0, brks = 0, lo = 0, hi = 0;
	for (uint32_t c = 0; c < t->n; c++) {
		const struct wis_cpu *pc = &t->cpu[c];
		total += pc->measured;
		all += pc->total;
		mmaps += pc->mmaps;
		munmaps += pc->munmaps;
		brks += pc->brks;
		if (c == 0 || pc->measured < lo)
			lo = pc->measured;
		if (c == 0 || pc->measured > hi)
			hi = pc->measured;
	}
	double secs = (double)t->p.duration / (sim_machine_of(sim)->freq_ghz * 1e9);
	cJSON_AddStringToObject(m, "test", wis_tests[t->p.test]);
	cJSON_AddNumberToObject(m, "iterations", (double)total);
	cJSON_AddNumberToObject(m, "iterations_per_sec", (double)total / secs);
	cJSON_AddNumberToObject(m, "iterations_per_sec_per_task", (double)total / secs / t->n);
	cJSON_AddNumberToObject(m, "iterations_per_sec_per_task_min", (double)lo / secs);
	cJSON_AddNumberToObject(m, "iterations_per_sec_per_task_max", (double)hi / secs);
	cJSON_AddNumberToObject(m, "iterations_whole_run", (double)all);
	cJSON_AddNumberToObject(m, "mmaps", (double)mmaps);
	cJSON_AddNumberToObject(m, "munmaps", (double)munmaps);
	cJSON_AddNumberToObject(m, "brks", (double)brks);
	wl_aspace_report(&t->w, m);
}

static void
wis_teardown(void *arg)
{
	struct wis *t = arg;
	wl_aspace_teardown(&t->w);
	g_free(t->cpu);
	g_free(t);
}

static sim_time_t
wis_progress_goal(const void *arg)
{
	const struct wis *t = arg;
	return t->t_stop;
}

const struct sim_workload_ops wl_willitscale_ops = {
	.name = "willitscale",
	.summary = "will-it-scale threads tests on an address-space design (\"aspace\" section): "
		   "page_fault1, read_fault1, mmap1, brk1; iterations/s per task and total",
	.params = wis_params,
	.params_size = sizeof(struct wis_params),
	.check = wis_check,
	.setup = wis_setup,
	.cpu_main = wis_cpu_main,
	.report = wis_report,
	.teardown = wis_teardown,
	.progress_goal = wis_progress_goal,
	.requires = WL_ASPACE_REQUIRES,
	.uses = WL_ASPACE_USES,
};
