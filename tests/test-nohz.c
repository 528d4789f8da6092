// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * NO_HZ idle (engine.h sim_tick_nohz_register, Linux 3.5's
 * tick_nohz_stop_sched_tick): a CPU in the idle loop (sim_idle_enter ..
 * sim_idle_exit) takes no tick unless a hook keeps it; kept "per jiffy" it
 * takes exactly the tick that starts each jiffy, and stops after the irq
 * exit at which the hook lets go; at sim_idle_exit the tick restarts on
 * its grid; sim_idle_next_tick says when the next one comes.  Then the
 * same through Tree RCU: an idle CPU with callbacks queued takes one tick
 * per jiffy until its callbacks have run, then none; and a task blocked in
 * the idle loop (sched_switch_out) is reported by FQS with no tick at all.
 *
 * The engine tests run on a 1 GHz machine with a tick of 100 cycles (the
 * "slice") and a jiffy of 1,000.
 */
#include <string.h>

#include "harness.h"
#include "reclaim.h"
#include "sched_notifier.h"

static const struct sim_param no_params[] = { SIM_P_END };

#define SLICE 100
#define JIFFY 1000

/* ---- the engine, with a test hook ---- */

static enum sim_tick_idle need_mode;   /* what the hook answers while cbs > 0 */
static uint32_t cbs;                   /* "callbacks" CPU 1 holds: one runs per jiffy tick */
static bool skew, use_idle, register_hook;
static uint64_t last_jiffy;
static sim_time_t tick_at[64];
static uint32_t nticks;                /* CPU 1's ticks, with their times in tick_at */
static sim_time_t next_tick_seen[4];
static uint64_t ticks_end[4];

static enum sim_tick_idle
hook(void *arg, uint32_t cpu)
{
	(void)arg;
	if (cpu != 1 || cbs == 0)
		return SIM_TICK_IDLE_STOP;
	return need_mode;
}

static void
on_tick(void *arg)
{
	(void)arg;
	if (sim_cpu_id() != 1)
		return;
	if (nticks < G_N_ELEMENTS(tick_at))
		tick_at[nticks] = sim_now();
	nticks++;
	uint64_t j = sim_now() / JIFFY;
	if (j != last_jiffy && cbs > 0) {
		last_jiffy = j;
		cbs--;             /* the jiffy tick's softirq ran one callback */
	}
}

static void *
e_setup(struct sim *s, const void *p)
{
	(void)p;
	sim_tick_register(s, SLICE, skew, on_tick, NULL);
	if (register_hook)
		sim_tick_nohz_register(s, JIFFY, hook, NULL);
	return s;
}

/* CPU 1 idles from t=0 to 10,500 (10.5 jiffies), then runs to 11,000. */
static void
e_cpu(void *arg)
{
	struct sim *s = arg;
	uint32_t id = sim_cpu_id();
	if (id != 1)
		return;
	if (use_idle) {
		next_tick_seen[0] = sim_idle_next_tick();
		sim_idle_enter(0);
	}
	sim_sleep_until(1500);
	next_tick_seen[1] = sim_idle_next_tick();
	sim_sleep_until(10500);
	ticks_end[0] = sim_cpu_ticks(s, 1);
	if (use_idle)
		(void)sim_idle_exit();
	sim_sleep_until(11000);
	ticks_end[1] = sim_cpu_ticks(s, 1);
}

static const struct sim_workload_ops e_ops = {
	.name = "nohztest", .summary = "", .params = no_params, .params_size = 1,
	.setup = e_setup, .cpu_main = e_cpu,
};

static void
e_run(bool idle, bool hook_on, enum sim_tick_idle mode, uint32_t ncbs, bool sk)
{
	use_idle = idle;
	register_hook = hook_on;
	need_mode = mode;
	cbs = ncbs;
	skew = sk;
	last_jiffy = 0;
	nticks = 0;
	memset(tick_at, 0, sizeof tick_at);
	memset(next_tick_seen, 0, sizeof next_tick_seen);
	memset(ticks_end, 0, sizeof ticks_end);
	struct sim_run_config *rc = t_config(t_machine(1, 4, NULL), 4, 1, &e_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
}

/* A running (not idle) CPU takes every slice: 105 to t=10,500, 110 to
 * 11,000. */
static void
test_running_takes_every_slice(void)
{
	e_run(false, true, SIM_TICK_IDLE_JIFFY, 0, false);
	g_assert_cmpuint(ticks_end[0], ==, 105);
	g_assert_cmpuint(ticks_end[1], ==, 110);
	for (uint32_t i = 0; i < 64; i++)
		g_assert_cmpuint(tick_at[i], ==, (i + 1) * SLICE);
}

/* Idle with nothing to keep its tick: 0 ticks over 10.5 jiffies, with or
 * without a hook registered; sim_idle_next_tick says never.  After
 * sim_idle_exit at 10,500 the tick restarts at 10,600: 5 ticks to 11,000. */
static void
test_idle_without_callbacks_takes_none(void)
{
	for (int h = 0; h < 2; h++) {
		e_run(true, h, SIM_TICK_IDLE_JIFFY, 0, false);
		g_assert_cmpuint(ticks_end[0], ==, 0);
		g_assert_cmpuint(next_tick_seen[0], ==, SIM_TIME_NEVER);
		g_assert_cmpuint(next_tick_seen[1], ==, SIM_TIME_NEVER);
		g_assert_cmpuint(ticks_end[1], ==, 5);
		g_assert_cmpuint(tick_at[0], ==, 10600);
	}
}

/* Idle with 3 "callbacks", kept per jiffy: exactly the ticks at 1,000,
 * 2,000 and 3,000 (each runs one), then none to 10,500; the next tick is
 * announced at 1,000 from t=0 and 2,000 from t=1,500. */
static void
test_idle_with_callbacks_one_per_jiffy(void)
{
	e_run(true, true, SIM_TICK_IDLE_JIFFY, 3, false);
	g_assert_cmpuint(ticks_end[0], ==, 3);
	g_assert_cmpuint(tick_at[0], ==, 1000);
	g_assert_cmpuint(tick_at[1], ==, 2000);
	g_assert_cmpuint(tick_at[2], ==, 3000);
	g_assert_cmpuint(cbs, ==, 0);
	g_assert_cmpuint(next_tick_seen[0], ==, 1000);
	g_assert_cmpuint(next_tick_seen[1], ==, 2000);
	g_assert_cmpuint(ticks_end[1], ==, 3 + 5);
	g_assert_cmpuint(tick_at[3], ==, 10600);
}

/* Skewed ticks (CPU 1 of 4: offset 100 / 4 = 25): the kept jiffy ticks
 * come at 1,025 and 2,025, the restarted tick at 10,525. */
static void
test_idle_jiffy_tick_skewed(void)
{
	e_run(true, true, SIM_TICK_IDLE_JIFFY, 2, true);
	g_assert_cmpuint(ticks_end[0], ==, 2);
	g_assert_cmpuint(tick_at[0], ==, 1025);
	g_assert_cmpuint(tick_at[1], ==, 2025);
	g_assert_cmpuint(tick_at[2], ==, 10525);
	g_assert_cmpuint(ticks_end[1], ==, 2 + 5);
}

/* Kept "every tick" (a kthread's CPU): all slices, as when running, until
 * the hook lets go -- 1 callback runs at the 1,000 tick, so 10 slices. */
static void
test_idle_every_slice(void)
{
	e_run(true, true, SIM_TICK_IDLE_EVERY, 1, false);
	g_assert_cmpuint(ticks_end[0], ==, 10);
	g_assert_cmpuint(tick_at[9], ==, 1000);
	g_assert_cmpuint(next_tick_seen[0], ==, 100);
	g_assert_cmpuint(next_tick_seen[1], ==, SIM_TIME_NEVER);
}

/* ---- Tree RCU ---- */

#define NOBJ 4
#define BLOCKED_FREED_JIFFY 7 /* measured: no tick on the blocked CPU 2, FQS reports it */
#define TREE_FREED_JIFFY 10 /* measured: two GPs, each waiting for CPU 2's jiffy ticks */
static const struct rcl_ops *tree_ops;
static void *tree_rs;
static void *objs[NOBJ];
static struct sim *tree_sim;
static uint64_t tree_ticks[32];     /* CPU 2's ticks at the end of each jiffy */
static int tree_freed_jiffy;        /* first jiffy at whose end every object was freed */
static bool tree_retire;
static bool tree_block;             /* CPU 1 retires; CPU 2 blocks (sched_switch_out) and idles */

static void *
tr_setup(struct sim *s, const void *p)
{
	(void)p;
	tree_sim = s;
	void *params = g_malloc0(tree_ops->comp.params_size);
	cJSON *o = cJSON_Parse("{\"tick_work_ns\": 0}");
	struct sim_origin org = { .file = "test", .prefix = "reclaim" };
	GError *err = NULL;
	g_assert_true(sim_params_load(tree_ops->comp.params, params, o, &org, NULL, &err));
	g_assert_no_error(err);
	cJSON_Delete(o);
	tree_rs = tree_ops->create(s, params);
	sim_params_free(tree_ops->comp.params, params);
	g_free(params);
	for (int i = 0; i < NOBJ; i++)
		objs[i] = sim_alloc(64, 64);
	return s;
}

/* 1 GHz, HZ 1000: a jiffy is 1,000,000 cycles, a slice (wakeup_us 50)
 * 50,000.  CPU 2 retires NOBJ objects, then idles for 20 jiffies; CPUs 0
 * (gp_cpu), 1 and 3 sleep without idling (they take every slice). */
static void
tr_cpu(void *arg)
{
	(void)arg;
	uint32_t id = sim_cpu_id();
	const sim_time_t j = 1000000;
	if (id == 1 && tree_block) {
		for (int i = 0; i < NOBJ; i++)
			tree_ops->retire(tree_rs, objs[i], 64, 64);
		sim_sleep_until(20 * j + j / 2);
	} else if (id == 2 && tree_block) {
		sched_switch_out(tree_sim);
		sim_idle_enter(0);
		for (int k = 0; k < 20; k++) {
			sim_sleep_until((sim_time_t)(k + 1) * j + j / 2);
			tree_ticks[k] = sim_cpu_ticks(tree_sim, 2);
			bool all = true;
			for (int i = 0; i < NOBJ; i++)
				all = all && sim_mem_any_poisoned(tree_sim, objs[i], 64);
			if (all && tree_freed_jiffy < 0)
				tree_freed_jiffy = k + 1;
		}
		(void)sim_idle_exit();
		sched_switch_in(tree_sim);
	} else if (id == 2) {
		if (tree_retire)
			for (int i = 0; i < NOBJ; i++)
				tree_ops->retire(tree_rs, objs[i], 64, 64);
		sim_idle_enter(0);
		for (int k = 0; k < 20; k++) {
			sim_sleep_until((sim_time_t)(k + 1) * j + j / 2);
			tree_ticks[k] = sim_cpu_ticks(tree_sim, 2);
			bool all = true;
			for (int i = 0; i < NOBJ; i++)
				all = all && sim_mem_any_poisoned(tree_sim, objs[i], 64);
			if (all && tree_freed_jiffy < 0)
				tree_freed_jiffy = k + 1;
		}
		(void)sim_idle_exit();
	} else {
		sim_sleep_until(20 * j + j / 2);
	}
	tree_ops->cpu_exit(tree_rs);
}

static void
tr_teardown(void *arg)
{
	(void)arg;
	tree_ops->destroy(tree_rs);
}

static const struct sim_workload_ops tr_ops = {
	.name = "nohztree", .summary = "", .params = no_params, .params_size = 1,
	.setup = tr_setup, .cpu_main = tr_cpu, .teardown = tr_teardown,
};

static void
tree_run(bool retire)
{
	tree_ops = rcl_find("tree_rcu");
	g_assert_nonnull(tree_ops);
	tree_retire = retire;
	tree_block = false;
	tree_freed_jiffy = -1;
	memset(tree_ticks, 0, sizeof tree_ticks);
	struct sim_run_config *rc = t_config(t_machine(1, 4, NULL), 4, 1, &tr_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
}

/* Without callbacks CPU 2 takes no tick in 20 jiffies of idle.  With 4
 * callbacks it takes the tick that starts each jiffy (one per jiffy, at
 * the jiffy's first slice) until the jiffy whose tick invoked them, then
 * none: the GP needs CPU 2's own QS, reported from those ticks. */
static void
test_tree_rcu_idle_ticks(void)
{
	tree_run(false);
	for (int k = 0; k < 20; k++)
		g_assert_cmpuint(tree_ticks[k], ==, 0);
	tree_run(true);
	g_assert_cmpint(tree_freed_jiffy, >=, 2);
	for (int k = 0; k < 20; k++) {
		uint64_t want = (uint64_t)(k + 1 < tree_freed_jiffy ? k + 1 : tree_freed_jiffy);
		g_assert_cmpuint(tree_ticks[k], ==, want);
	}
	g_assert_cmpint(tree_freed_jiffy, ==, TREE_FREED_JIFFY);
}

/* A task blocked in the idle loop (sched_switch_out, then idle with no
 * callbacks: its tick stops) is in RCU's extended QS (rcu_idle_enter: the
 * dynticks counter even), so the GP that CPU 1's callbacks need ends at
 * an FQS scan without a single tick on CPU 2.  Without the extended QS
 * nothing reports CPU 2 and the objects are never freed in 20 jiffies. */
static void
test_tree_rcu_blocked_sleeper_fqs(void)
{
	tree_ops = rcl_find("tree_rcu");
	g_assert_nonnull(tree_ops);
	tree_retire = false;
	tree_block = true;
	tree_freed_jiffy = -1;
	memset(tree_ticks, 0, sizeof tree_ticks);
	struct sim_run_config *rc = t_config(t_machine(1, 4, NULL), 4, 1, &tr_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	for (int k = 0; k < 20; k++)
		g_assert_cmpuint(tree_ticks[k], ==, 0);
	g_assert_cmpint(tree_freed_jiffy, ==, BLOCKED_FREED_JIFFY);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nohz/engine/running-takes-every-slice", test_running_takes_every_slice);
	g_test_add_func("/nohz/engine/idle-without-callbacks-takes-none",
			test_idle_without_callbacks_takes_none);
	g_test_add_func("/nohz/engine/idle-with-callbacks-one-per-jiffy",
			test_idle_with_callbacks_one_per_jiffy);
	g_test_add_func("/nohz/engine/idle-jiffy-tick-skewed", test_idle_jiffy_tick_skewed);
	g_test_add_func("/nohz/engine/idle-every-slice", test_idle_every_slice);
	g_test_add_func("/nohz/tree_rcu/idle-ticks-until-callbacks-ran", test_tree_rcu_idle_ticks);
	g_test_add_func("/nohz/tree_rcu/blocked-sleeper-reported-by-fqs",
			test_tree_rcu_blocked_sleeper_fqs);
	return g_test_run();
}
