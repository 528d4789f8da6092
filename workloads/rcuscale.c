// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * rcuscale: read-mostly access to one shared pointer through any
 * read-side scheme, the way the kernel's refscale/rcuscale tests and
 * perfbook's rcuscale.sh measure it -- and, with updaters, the seed's
 * foo_get_a / foo_update_a example:
 *
 *   reader:   read_lock(); p = dereference(&gbl_foo); p->a; [cs_cycles of work;
 *             p->b]; read_unlock(); [sleep read_interval]       (loop)
 *   updater:  lock(foo_mutex); old = gbl_foo; new = copy of *old, a + 1;
 *             assign_pointer(&gbl_foo, new); unlock(foo_mutex);
 *             retire(old)  -- or synchronize(); free(old)     (every update_interval)
 *             and every poll_every updates, poll()
 *   poller:   poll(); sleep poll_interval                      (loop)
 *
 * This is the seed's read/update example on a shared pointer that
 * retires the old version (configs/gus/foo_update_a.json runs it as
 * such).  With cs_cycles > 0 a reader reads the object again at the end
 * of its section, so that memory freed while the section lasts is
 * caught by the use-after-free checker.  A reader that sees `a` go
 * backwards (values only grow) fails the run with a stale-read error.
 *
 * CPUs 0 .. updaters-1 update, the next `pollers` CPUs only poll (a
 * reclaim thread), the rest read.  The scheme comes from the
 * config's "reclaim" section, foo_mutex from its "lock" section (ticket
 * lock by default).  Readers that need explicit quiescent states (QSBR)
 * get one every qs_every read sections.  At the end every CPU calls the
 * scheme's cpu_exit, so every retired object must be freed by then.
 *
 * Reported: ns_per_read_pair (per-thread mean wall time per read section
 * over the measured window, refscale's unit), reads_per_sec, updates;
 * read_side_ns_per_pair, dereference_ns_mean and retire_ns_mean (the
 * time inside the scheme's read_lock + read_unlock, its dereference and
 * its retire(), timed here alike for every scheme); and
 * the scheme's own metrics under "reclaim".
 */
#include <glib.h>

#include "engine.h"
#include "lock.h"
#include "reclaim.h"
#include "workload.h"

static const char *const update_modes[] = { "retire", "synchronize", NULL };
enum { UPD_RETIRE, UPD_SYNCHRONIZE };
static const char *const read_bodies[] = { "deref", "empty", NULL };
enum { BODY_DEREF, BODY_EMPTY };

struct rs_params {
	uint64_t duration;
	uint32_t updaters;
	uint64_t cs_cycles;
	uint64_t update_interval;
	int update_mode;
	uint32_t qs_every;
	int body;
	uint64_t loop_cycles;
	uint32_t poll_every;
	uint32_t pollers;
	uint64_t poll_interval;
	uint64_t read_interval;
};

static const struct sim_param rs_params[] = {
	SIM_P_U64_ROW(struct rs_params, duration, 1000, UINT64_C(1) << 40, 1000000,
		      "simulated cycles every CPU runs"),
	SIM_P_U32_ROW(struct rs_params, updaters, 0, 1u << 20, 0,
		      "CPUs 0..updaters-1 update gbl_foo; the others read"),
	SIM_P_U64_ROW(struct rs_params, cs_cycles, 0, UINT64_C(1) << 32, 0,
		      "local work inside each read-side critical section"),
	SIM_P_U64_ROW(struct rs_params, update_interval, 0, UINT64_C(1) << 40, 10000,
		      "cycles an updater waits between updates"),
	SIM_P_ENUM_ROW(struct rs_params, update_mode, update_modes, UPD_RETIRE,
		       "retire: call_rcu-style deferred free; synchronize: wait a grace period, then free"),
	SIM_P_U32_ROW(struct rs_params, qs_every, 1, 1u << 30, 64,
		      "read sections between explicit quiescent states (schemes that need them)"),
	SIM_P_ENUM_ROW(struct rs_params, body, read_bodies, BODY_DEREF,
		       "deref: read_lock; dereference gbl_foo; load ->a; read_unlock.  empty: "
		       "read_lock; read_unlock only (the kernel refperf loop perfbook measured)"),
	SIM_P_U64_ROW(struct rs_params, loop_cycles, 0, UINT64_C(1) << 32, 0,
		      "local work per reader iteration outside the section (the loop's own "
		      "instructions; refperf's is about 1 cycle)"),
	SIM_P_U32_ROW(struct rs_params, poll_every, 0, 1u << 30, 1,
		      "updates between an updater's poll() calls; 0 = never (GUS's UMA polls "
		      "inside retire, once per full bucket)"),
	SIM_P_U32_ROW(struct rs_params, pollers, 0, 1u << 20, 0,
		      "CPUs after the updaters that only call poll() (a reclaim thread)"),
	SIM_P_U64_ROW(struct rs_params, poll_interval, 0, UINT64_C(1) << 40, 1000,
		      "cycles a poller waits between poll() calls"),
	SIM_P_U64_ROW(struct rs_params, read_interval, 0, UINT64_C(1) << 40, 0,
		      "cycles a reader sleeps between read sections (think time)"),
	SIM_P_END,
};

/* The object readers dereference: one line, like the seed's struct foo. */
struct foo {
	uint64_t a;
	uint64_t b;
	uint64_t c;
	uint64_t pad[5];
};

struct rcuscale {
	struct rs_params p;
	const struct rcl_ops *ops;
	void *rs;
	const struct lock_ops *lops;
	void *foo_mutex;
	struct foo **gbl_foo;       /* simulated: the published pointer */
	uint64_t *reads;            /* per CPU */
	uint64_t *updates;
	uint64_t *rd_cycles;        /* per CPU: inside read_lock + read_unlock */
	uint64_t *deref_cycles;     /* per CPU: inside dereference */
	uint64_t *retire_cycles;    /* per CPU: inside retire() */
};

static gboolean
rs_check(const void *params, const struct sim_run_config *rc, const struct sim_origin *o,
	 GError **err)
{
	uint32_t ncpus = rc->cpus;
	const struct rs_params *p = params;
	if (p->updaters > ncpus) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "updaters",
				"%u updaters but only %u CPUs", p->updaters, ncpus);
		return FALSE;
	}
	if (p->body == BODY_EMPTY && p->loop_cycles == 0) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "loop_cycles",
				"body \"empty\" needs loop_cycles >= 1: a read side that costs "
				"nothing (RCU, QSBR) would never advance simulated time");
		return FALSE;
	}
	const struct rcl_ops *ops = rcl_ops_from(rc->choice[SIM_SECTION_RECLAIM].comp);
	if (p->update_mode == UPD_SYNCHRONIZE && p->updaters &&
	    (ops->flags & RCL_NO_GRACE_PERIOD)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, "update_mode",
				"\"synchronize\" frees after synchronize(), but %s readers leave "
				"no trace, so it cannot wait for them: use \"retire\"",
				ops->comp.name);
		return FALSE;
	}
	if ((uint64_t)p->updaters + p->pollers > ncpus) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "pollers",
				"%u updaters and %u pollers but only %u CPUs", p->updaters,
				p->pollers, ncpus);
		return FALSE;
	}
	return TRUE;
}

static void *
rs_setup(struct sim *sim, const void *params)
{
	struct rcuscale *st = g_new0(struct rcuscale, 1);
	st->p = *(const struct rs_params *)params;
	st->ops = rcl_ops_of(sim);
	if (st->ops == NULL)
		g_error("rcuscale needs a \"reclaim\" section (checked at config load)");
	st->rs = st->ops->create(sim, rcl_params_of(sim));
	const void *lp;
	st->lops = lock_ops_of(sim, &lp);
	st->foo_mutex = st->lops->create(sim, lp, 0);
	st->gbl_foo = sim_alloc(64, 64);
	struct foo *first = sim_alloc(sizeof(struct foo), 64);
	first->a = 1;
	*st->gbl_foo = first;
	sim_mem_prime(sim, st->gbl_foo, sizeof *st->gbl_foo, 0);
	sim_mem_prime(sim, first, sizeof *first, 0);
	st->reads = g_new0(uint64_t, sim_ncpus_of(sim));
	st->updates = g_new0(uint64_t, sim_ncpus_of(sim));
	st->rd_cycles = g_new0(uint64_t, sim_ncpus_of(sim));
	st->deref_cycles = g_new0(uint64_t, sim_ncpus_of(sim));
	st->retire_cycles = g_new0(uint64_t, sim_ncpus_of(sim));
	return st;
}

/*
 * One read section.  The time inside the scheme's read_lock and
 * read_unlock is added to *rd, the time inside dereference to *deref:
 * every scheme is timed alike, apart from the section's own work.  (The
 * dereference also pays for the published pointer's line, which every
 * update invalidates; for hazard pointers it is where the protocol is.)
 */
static void
read_one(struct rcuscale *st, uint64_t *last_a, uint64_t *rd, uint64_t *deref)
{
	if (st->p.loop_cycles)
		sim_work(st->p.loop_cycles);
	sim_time_t t0 = sim_now();
	st->ops->read_lock(st->rs);
	*rd += sim_now() - t0;
	if (st->p.body == BODY_EMPTY) {
		/* SOURCE: linux kernel/rcu/refscale.c ref_*_section(): lock; unlock. */
		if (st->p.cs_cycles)
			sim_work(st->p.cs_cycles);
		t0 = sim_now();
		st->ops->read_unlock(st->rs);
		*rd += sim_now() - t0;
		return;
	}
	t0 = sim_now();
	struct foo *p = st->ops->dereference(st->rs, (void *const *)st->gbl_foo, 0);
	*deref += sim_now() - t0;
	uint64_t a = sim_load64(&p->a);
	if (st->p.cs_cycles) {
		sim_work(st->p.cs_cycles);
		(void)sim_load64(&p->b);        /* still readable at the section's end */
	}
	t0 = sim_now();
	st->ops->read_unlock(st->rs);
	*rd += sim_now() - t0;
	if (a < *last_a)                        /* values only grow: going back is a bug */
		sim_fail("stale read under %s: a = %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT,
			 st->ops->comp.name, a, *last_a);
	*last_a = a;
}

static void
update_one(struct rcuscale *st)
{
	rcl_writer_lock(st->ops, st->rs, st->lops, st->foo_mutex);
	struct foo *old = sim_loadp((void *const *)st->gbl_foo);
	struct foo *nfp = sim_alloc(sizeof(struct foo), 64);
	sim_store64(&nfp->a, sim_load64(&old->a) + 1);
	sim_store64(&nfp->b, sim_load64(&old->b));
	sim_store64(&nfp->c, sim_load64(&old->c));
	st->ops->assign_pointer(st->rs, (void **)st->gbl_foo, nfp);
	rcl_writer_unlock(st->ops, st->rs, st->lops, st->foo_mutex);
	if (st->p.update_mode == UPD_SYNCHRONIZE) {
		st->ops->synchronize(st->rs);
		sim_free(old, sizeof(struct foo), 64);
	} else {
		sim_time_t t0 = sim_now();
		st->ops->retire(st->rs, old, sizeof(struct foo), 64);
		st->retire_cycles[sim_cpu_id()] += sim_now() - t0;
	}
}

static void
rs_cpu(void *arg)
{
	struct rcuscale *st = arg;
	uint32_t id = sim_cpu_id();
	sim_time_t end = st->p.duration;
	if (id < st->p.updaters) {
		while (sim_now() < end) {
			update_one(st);
			st->updates[id]++;
			if (st->p.poll_every && st->updates[id] % st->p.poll_every == 0 &&
			    st->ops->poll)
				(void)st->ops->poll(st->rs);
			sim_sleep_until(sim_now() + st->p.update_interval);
		}
	} else if (id < st->p.updaters + st->p.pollers) {
		while (sim_now() < end) {
			if (st->ops->poll)
				(void)st->ops->poll(st->rs);
			sim_sleep_until(sim_now() + st->p.poll_interval);
		}
	} else {
		uint64_t last_a = 0, n = 0;
		while (sim_now() < end) {
			read_one(st, &last_a, &st->rd_cycles[id], &st->deref_cycles[id]);
			if (++n % st->p.qs_every == 0 && st->ops->quiescent_state)
				st->ops->quiescent_state(st->rs);
			if (st->p.read_interval)
				sim_sleep_until(sim_now() + st->p.read_interval);
		}
		st->reads[id] = n;
	}
	if (st->ops->cpu_exit)
		st->ops->cpu_exit(st->rs);
}

static void
rs_report(void *arg, struct sim *sim, cJSON *m)
{
	struct rcuscale *st = arg;
	uint32_t n = sim_ncpus_of(sim), readers = n - st->p.updaters - st->p.pollers;
	uint64_t reads = 0, updates = 0, rd = 0, deref = 0, ret = 0;
	for (uint32_t i = 0; i < n; i++) {
		reads += st->reads[i];
		updates += st->updates[i];
		rd += st->rd_cycles[i];
		deref += st->deref_cycles[i];
		ret += st->retire_cycles[i];
	}
	double ghz = sim_machine_of(sim)->freq_ghz;
	double secs = (double)st->p.duration / (ghz * 1e9);
	cJSON_AddNumberToObject(m, "reads", (double)reads);
	cJSON_AddNumberToObject(m, "reads_per_sec", (double)reads / secs);
	cJSON_AddNumberToObject(m, "ns_per_read_pair",
				reads ? (double)readers * secs * 1e9 / (double)reads : 0.0);
	/* The scheme's share of a read section, and of an update's retire(),
	 * timed around its calls here so that every scheme is measured alike. */
	cJSON_AddNumberToObject(m, "read_side_ns_per_pair", reads ? (double)rd / ghz / (double)reads : 0.0);
	cJSON_AddNumberToObject(m, "dereference_ns_mean",
				reads && st->p.body != BODY_EMPTY ? (double)deref / ghz / (double)reads : 0.0);
	cJSON_AddNumberToObject(m, "updates", (double)updates);
	cJSON_AddNumberToObject(m, "updates_per_sec", (double)updates / secs);
	cJSON_AddNumberToObject(m, "retire_ns_mean",
				updates && st->p.update_mode != UPD_SYNCHRONIZE ?
				(double)ret / ghz / (double)updates : 0.0);
	cJSON *r = cJSON_AddObjectToObject(m, "reclaim");
	cJSON_AddStringToObject(r, "scheme", st->ops->comp.name);
	if (st->ops->stats)
		st->ops->stats(st->rs, r);
	if (st->lops->stats)
		st->lops->stats(st->foo_mutex, cJSON_AddObjectToObject(m, "foo_mutex"));
}

static void
rs_teardown(void *arg)
{
	struct rcuscale *st = arg;
	if (st->ops && st->ops->destroy)
		st->ops->destroy(st->rs);
	if (st->lops)
		st->lops->destroy(st->foo_mutex);
	g_free(st->reads);
	g_free(st->updates);
	g_free(st->rd_cycles);
	g_free(st->deref_cycles);
	g_free(st->retire_cycles);
	g_free(st);
}

static sim_time_t
rs_goal(const void *arg)
{
	return ((const struct rcuscale *)arg)->p.duration;
}

const struct sim_workload_ops wl_rcuscale_ops = {
	.name = "rcuscale",
	.summary = "readers dereference one shared pointer; optional updaters replace it "
		   "(the seed's foo_get_a / foo_update_a) under any reclaim scheme",
	.params = rs_params,
	.params_size = sizeof(struct rs_params),
	.check = rs_check,
	.setup = rs_setup,
	.cpu_main = rs_cpu,
	.report = rs_report,
	.teardown = rs_teardown,
	.progress_goal = rs_goal,
	.requires = 1u << SIM_SECTION_RECLAIM,
	.uses = 1u << SIM_SECTION_LOCK | 1u << SIM_SECTION_LOCKING,
};
