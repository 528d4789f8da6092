// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * rcutorture: a small adversarial scenario for any reclaim scheme, in the
 * spirit of the kernel's rcutorture (kernel/rcu/rcutorture.c): readers
 * keep touching the object they dereferenced throughout long read-side
 * sections, so a grace period that ends too early frees an object a
 * reader still reads, and the use-after-free checker stops the run.
 *
 *   reader:  read_lock(); p = dereference(&gbl);
 *            repeat reads_per_section times: check p->seq/p->check; work(rand cs_max / reads);
 *            read_unlock(); [quiescent_state every qs_every sections]
 *            [every idle_every sections: idle_enter; idle idle_cycles; idle_exit]
 *            work(rand gap_max)
 *   updater: new = {seq + 1, check}; assign_pointer(&gbl, new);
 *            retire(old) -- or, every synchronize_every-th update, synchronize(); free(old)
 *            sleep(rand update_interval_max)
 *
 * CPUs 0 .. updaters-1 update, the rest read.  Updaters exclude each other
 * through the scheme's writer side when it has one (the lock baselines,
 * whose retire() frees at once, so their writer must also exclude
 * readers), else under foo_mutex from the "lock" section (rcl_writer_lock).
 * A scheme whose readers leave no trace (seqcount) cannot be asked to
 * synchronize() before a free: such a config is refused at load.  All randomness comes from each CPU's stream, so a
 * (config, seed) pair replays exactly; engine.jitter perturbs schedules.
 * At the end every CPU calls cpu_exit, so everything retired must be
 * freed.  Reported: sections, reads, updates, bad_reads (a torn or
 * backwards object: must stay 0), the scheme's metrics under "reclaim".
 */
#include <glib.h>

#include "engine.h"
#include "lock.h"
#include "reclaim.h"
#include "workload.h"

struct rt_params {
	uint64_t duration;
	uint32_t updaters;
	uint64_t cs_max;
	uint32_t reads_per_section;
	uint64_t gap_max;
	uint64_t update_interval_max;
	uint32_t synchronize_every;
	uint32_t qs_every;
	uint32_t idle_every;
	uint64_t idle_cycles;
};

static const struct sim_param rt_params[] = {
	SIM_P_U64_ROW(struct rt_params, duration, 1000, UINT64_C(1) << 40, 2000000,
		      "simulated cycles every CPU runs"),
	SIM_P_U32_ROW(struct rt_params, updaters, 1, 1u << 20, 1,
		      "CPUs 0..updaters-1 update; the others read"),
	SIM_P_U64_ROW(struct rt_params, cs_max, 0, UINT64_C(1) << 32, 20000,
		      "work inside a read section: uniform in [0, cs_max] cycles"),
	SIM_P_U32_ROW(struct rt_params, reads_per_section, 1, 1000, 4,
		      "times a reader checks its object, spread over the section"),
	SIM_P_U64_ROW(struct rt_params, gap_max, 0, UINT64_C(1) << 32, 2000,
		      "work between read sections: uniform in [0, gap_max] cycles"),
	SIM_P_U64_ROW(struct rt_params, update_interval_max, 0, UINT64_C(1) << 40, 50000,
		      "an updater sleeps uniform [0, this] cycles between updates"),
	SIM_P_U32_ROW(struct rt_params, synchronize_every, 0, 1u << 30, 0,
		      "every n-th update waits with synchronize() and frees itself; 0 = always retire"),
	SIM_P_U32_ROW(struct rt_params, qs_every, 0, 1u << 30, 1,
		      "read sections between explicit quiescent states; 0 = none"),
	SIM_P_U32_ROW(struct rt_params, idle_every, 0, 1u << 30, 0,
		      "a reader goes idle after every n-th section; 0 = never"),
	SIM_P_U64_ROW(struct rt_params, idle_cycles, 0, UINT64_C(1) << 40, 100000,
		      "length of each idle period (no ticks: an extended quiescent state)"),
	SIM_P_END,
};

#define RT_CHECK UINT64_C(0x9e3779b97f4a7c15)

/* The protected object: one line. */
struct rt_obj {
	uint64_t seq;
	uint64_t check;             /* seq * RT_CHECK: a torn or reused object shows */
	uint64_t pad[6];
};

struct rcutorture {
	struct rt_params p;
	const struct rcl_ops *ops;
	void *rs;
	const struct lock_ops *lops;
	void *mutex;
	struct rt_obj **gbl;        /* simulated */
	uint64_t *sections, *reads, *updates;
	uint64_t bad_reads;
};

static gboolean
rt_check(const void *params, const struct sim_run_config *rc, const struct sim_origin *o,
	 GError **err)
{
	const struct rt_params *p = params;
	uint32_t ncpus = rc->cpus;
	if (p->updaters > ncpus) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "updaters",
				"%u updaters but only %u CPUs", p->updaters, ncpus);
		return FALSE;
	}
	const struct rcl_ops *ops = rcl_ops_from(rc->choice[SIM_SECTION_RECLAIM].comp);
	if (p->synchronize_every && (ops->flags & RCL_NO_GRACE_PERIOD)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, "synchronize_every",
				"updates that free after synchronize() need a grace period, but "
				"%s readers leave no trace, so it cannot wait for them: use 0",
				ops->comp.name);
		return FALSE;
	}
	return TRUE;
}

static void *
rt_setup(struct sim *sim, const void *params)
{
	struct rcutorture *st = g_new0(struct rcutorture, 1);
	st->p = *(const struct rt_params *)params;
	st->ops = rcl_ops_of(sim);
	if (st->ops == NULL)
		g_error("rcutorture needs a \"reclaim\" section (checked at config load)");
	st->rs = st->ops->create(sim, rcl_params_of(sim));
	const void *lp;
	st->lops = lock_ops_of(sim, &lp);
	st->mutex = st->lops->create(sim, lp, 0);
	st->gbl = sim_alloc(64, 64);
	struct rt_obj *first = sim_alloc(sizeof *first, 64);
	first->seq = 1;
	first->check = RT_CHECK;
	*st->gbl = first;
	sim_mem_prime(sim, st->gbl, 64, 0);
	sim_mem_prime(sim, first, sizeof *first, 0);
	uint32_t n = sim_ncpus_of(sim);
	st->sections = g_new0(uint64_t, n);
	st->reads = g_new0(uint64_t, n);
	st->updates = g_new0(uint64_t, n);
	return st;
}

static void
rt_read_section(struct rcutorture *st, uint32_t id, uint64_t *last)
{
	uint32_t nr = st->p.reads_per_section;
	uint64_t cs = st->p.cs_max ? sim_random_below(st->p.cs_max + 1) : 0;
	st->ops->read_lock(st->rs);
	struct rt_obj *p = st->ops->dereference(st->rs, (void *const *)st->gbl, 0);
	for (uint32_t k = 0; k < nr; k++) {
		uint64_t seq = sim_load64(&p->seq);
		uint64_t check = sim_load64(&p->check);
		if (check != seq * RT_CHECK || seq < *last)
			st->bad_reads++;
		*last = seq;
		st->reads[id]++;
		if (cs)
			sim_work(cs / nr + 1);
	}
	st->ops->read_unlock(st->rs);
	st->sections[id]++;
}

static void
rt_update(struct rcutorture *st, uint32_t id)
{
	rcl_writer_lock(st->ops, st->rs, st->lops, st->mutex);
	struct rt_obj *old = sim_loadp((void *const *)st->gbl);
	uint64_t seq = sim_load64(&old->seq) + 1;
	struct rt_obj *nw = sim_alloc(sizeof *nw, 64);
	sim_store64(&nw->seq, seq);
	sim_store64(&nw->check, seq * RT_CHECK);
	st->ops->assign_pointer(st->rs, (void **)st->gbl, nw);
	rcl_writer_unlock(st->ops, st->rs, st->lops, st->mutex);
	st->updates[id]++;
	if (st->p.synchronize_every && st->updates[id] % st->p.synchronize_every == 0) {
		st->ops->synchronize(st->rs);
		sim_free(old, sizeof *old, 64);
	} else {
		st->ops->retire(st->rs, old, sizeof *old, 64);
	}
}

static void
rt_cpu(void *arg)
{
	struct rcutorture *st = arg;
	uint32_t id = sim_cpu_id();
	const struct rcl_ops *ops = st->ops;
	if (id < st->p.updaters) {
		while (sim_now() < st->p.duration) {
			rt_update(st, id);
			if (ops->poll)
				(void)ops->poll(st->rs);
			uint64_t nap = st->p.update_interval_max ?
				       sim_random_below(st->p.update_interval_max + 1) : 0;
			sim_sleep_until(sim_now() + nap);
		}
	} else {
		uint64_t last = 0, n = 0;
		while (sim_now() < st->p.duration) {
			rt_read_section(st, id, &last);
			n++;
			if (st->p.qs_every && n % st->p.qs_every == 0 && ops->quiescent_state)
				ops->quiescent_state(st->rs);
			if (st->p.idle_every && n % st->p.idle_every == 0) {
				if (ops->idle_enter)
					ops->idle_enter(st->rs);
				sim_idle_until(sim_now() + st->p.idle_cycles);
				if (ops->idle_exit)
					ops->idle_exit(st->rs);
			}
			if (st->p.gap_max)
				sim_work(sim_random_below(st->p.gap_max + 1));
		}
	}
	if (ops->cpu_exit)
		ops->cpu_exit(st->rs);
}

static void
rt_report(void *arg, struct sim *sim, cJSON *m)
{
	struct rcutorture *st = arg;
	uint64_t sections = 0, reads = 0, updates = 0;
	for (uint32_t i = 0; i < sim_ncpus_of(sim); i++) {
		sections += st->sections[i];
		reads += st->reads[i];
		updates += st->updates[i];
	}
	cJSON_AddNumberToObject(m, "sections", (double)sections);
	cJSON_AddNumberToObject(m, "reads", (double)reads);
	cJSON_AddNumberToObject(m, "updates", (double)updates);
	cJSON_AddNumberToObject(m, "bad_reads", (double)st->bad_reads);
	cJSON *r = cJSON_AddObjectToObject(m, "reclaim");
	cJSON_AddStringToObject(r, "scheme", st->ops->comp.name);
	if (st->ops->stats)
		st->ops->stats(st->rs, r);
}

static void
rt_teardown(void *arg)
{
	struct rcutorture *st = arg;
	if (st->ops && st->ops->destroy)
		st->ops->destroy(st->rs);
	if (st->lops)
		st->lops->destroy(st->mutex);
	g_free(st->sections);
	g_free(st->reads);
	g_free(st->updates);
	g_free(st);
}

static sim_time_t
rt_goal(const void *arg)
{
	return ((const struct rcutorture *)arg)->p.duration;
}

const struct sim_workload_ops wl_rcutorture_ops = {
	.name = "rcutorture",
	.summary = "readers re-read their object through long read sections while updaters "
		   "replace and retire it; optional idle periods (catches early frees)",
	.params = rt_params,
	.params_size = sizeof(struct rt_params),
	.check = rt_check,
	.setup = rt_setup,
	.cpu_main = rt_cpu,
	.report = rt_report,
	.teardown = rt_teardown,
	.progress_goal = rt_goal,
	.requires = 1u << SIM_SECTION_RECLAIM,
	.uses = 1u << SIM_SECTION_LOCK | 1u << SIM_SECTION_LOCKING,
};
