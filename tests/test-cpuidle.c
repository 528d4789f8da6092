// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * CPU idle states: the engine's exit latency (sim_idle_enter/exit: an
 * IPI to an idle CPU runs exactly the exit latency later than to a busy
 * one; a write that wakes an idle CPU costs it exactly the exit latency;
 * a CPU that never idles pays nothing), the menu governor's first choices
 * through klock_schedule (exact, on a 1 GHz machine where 1 us = 1,000
 * cycles), the poll governor, and machine.idle_states errors.
 */
#include <string.h>

#include "harness.h"
#include "klock_impl.h"
#include "smp.h"

static const struct sim_param no_params[] = { SIM_P_END };

/* ---- a workload of per-test bodies ---- */

struct it {
	struct klock *kl;
	uint32_t *flag;             /* simulated, own line */
};

static void (*it_body)(struct it *t);
static sim_time_t mark[4];
static uint64_t ret_val[4];
static uint64_t exit_cycles[4], sleep_cycles[4];
static cJSON *it_stats;

static const struct klock_params *it_klp;   /* NULL: the defaults */

/* A run's tick and NO_HZ hook (kept_jiffy != 0): CPU 1 keeps one tick per
 * kept_jiffy cycles while idle when kept_mode says so, as Tree RCU does
 * while it holds callbacks (rcu_needs_cpu). */
static uint64_t kept_jiffy;
static enum sim_tick_idle kept_mode;

static void
kept_on_tick(void *arg)
{
	(void)arg;
}

static enum sim_tick_idle
kept_hook(void *arg, uint32_t cpu)
{
	(void)arg;
	return cpu == 1 ? kept_mode : SIM_TICK_IDLE_STOP;
}

static void *
it_setup(struct sim *s, const void *p)
{
	(void)p;
	struct it *t = g_new0(struct it, 1);
	t->kl = klock_create_with(s, "queued", it_klp);
	t->flag = sim_alloc(64, 64);
	sim_mem_prime(s, t->flag, 64, 1);
	if (kept_jiffy) {
		sim_tick_register(s, kept_jiffy, false, kept_on_tick, NULL);
		sim_tick_nohz_register(s, kept_jiffy, kept_hook, NULL);
	}
	memset(mark, 0, sizeof mark);
	memset(ret_val, 0, sizeof ret_val);
	return t;
}

static void
it_cpu(void *arg)
{
	it_body(arg);
}

static void
it_report(void *arg, struct sim *s, cJSON *m)
{
	(void)arg;
	(void)m;
	for (uint32_t i = 0; i < sim_ncpus_of(s) && i < 4; i++) {
		exit_cycles[i] = sim_cpu_cycles(s, i, SIM_CAUSE_IDLE_EXIT);
		sleep_cycles[i] = sim_cpu_cycles(s, i, SIM_CAUSE_SLEEP);
	}
	cJSON_Delete(it_stats);
	it_stats = cJSON_CreateObject();
	cpuidle_stats(s, it_stats);
}

static void
it_teardown(void *arg)
{
	struct it *t = arg;
	klock_destroy(t->kl);
	g_free(t);
}

static const struct sim_workload_ops it_ops = {
	.name = "idletest", .summary = "", .params = no_params, .params_size = 1,
	.setup = it_setup, .cpu_main = it_cpu, .report = it_report, .teardown = it_teardown,
};

/* C1's wake_latency_us in the machines idle_machine makes (0: none). */
static uint32_t c1_wake_us;

/* A 1 GHz test machine with two idle states (C1: exit 3 us, target 6;
 * C6: exit 200 us, target 800) unless nstates is 0. */
static struct sim_machine *
idle_machine(uint32_t nstates)
{
	struct sim_machine *m = t_machine(1, 4, NULL);
	static const struct sim_idle_state tab[] = {
		{ (char *)"C1", 3, 6 }, { (char *)"C3", 20, 80 }, { (char *)"C6", 200, 800 },
	};
	g_assert_cmpuint(nstates, <=, G_N_ELEMENTS(tab));
	m->nidle_states = nstates;
	m->idle_states = g_new0(struct sim_idle_state, 3);
	for (uint32_t i = 0; i < nstates; i++) {
		m->idle_states[i] = tab[i];
		m->idle_states[i].name = g_strdup(tab[i].name);
	}
	if (nstates)
		m->idle_states[0].wake_latency_us = c1_wake_us;
	return m;
}

static struct smp_params kparams;
static bool use_kparams;

static void
run(struct sim_machine *m, uint32_t cpus, void (*body)(struct it *))
{
	it_body = body;
	struct sim_run_config *rc = t_config(m, cpus, 1, &it_ops, NULL, 0);
	if (use_kparams) {
		const struct smp_ops *ops = smp_find("linux");
		rc->choice[SIM_SECTION_KERNEL].comp = &ops->comp;
		rc->choice[SIM_SECTION_KERNEL].params = g_memdup2(&kparams, sizeof kparams);
	}
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
}

/* ---- engine: IPIs to an idle CPU ---- */

static uint64_t idle_lat;

static void
ipi_mark(void *arg)
{
	(void)arg;
	mark[1] = sim_now();
}

static void
ipi_body(struct it *t)
{
	(void)t;
	if (sim_cpu_id() == 0) {
		sim_work(1000);
		sim_ipi_send(1, ipi_mark, NULL);
		return;
	}
	if (idle_lat)
		sim_idle_enter(idle_lat);
	sim_sleep_until(100000);
	ret_val[1] = sim_idle_exit();       /* the IPI paid it already */
}

static void
test_ipi_to_idle_cpu(void)
{
	idle_lat = 0;
	run(idle_machine(0), 2, ipi_body);
	sim_time_t busy = mark[1];
	g_assert_cmpuint(exit_cycles[1], ==, 0);
	/* ipi_send 500 + ipi_latency 2000 + irq_entry 1000 after t=1000 (the
	 * send's fence drains an empty buffer: fence.full 33) */
	g_assert_cmpuint(busy, ==, 1000 + 33 + 500 + 2000 + 1000);
	idle_lat = 7000;
	run(idle_machine(1), 2, ipi_body);
	g_assert_cmpuint(mark[1], ==, busy + 7000);
	g_assert_cmpuint(exit_cycles[1], ==, 7000);
	g_assert_cmpuint(ret_val[1], ==, 0);
	idle_lat = 0;
}

/* ---- engine: a write wakes an idle CPU ---- */

static void
write_body(struct it *t)
{
	if (sim_cpu_id() == 0) {
		sim_work(5000);
		sim_store32(t->flag, 1);
		sim_fence_full();
		return;
	}
	(void)sim_load32(t->flag);
	if (idle_lat)
		sim_idle_enter(idle_lat);
	sim_wait_for_write(t->flag, SIM_TIME_NEVER);
	mark[0] = sim_now();
	ret_val[1] = sim_idle_exit();
	mark[1] = sim_now();
}

static void
test_write_wakes_idle_cpu(void)
{
	idle_lat = 0;
	run(idle_machine(0), 2, write_body);
	sim_time_t woke = mark[0], ran = mark[1];
	g_assert_cmpuint(ran, ==, woke);
	g_assert_cmpuint(ret_val[1], ==, 0);
	idle_lat = 4321;
	run(idle_machine(1), 2, write_body);
	g_assert_cmpuint(mark[0], ==, woke);          /* woken at the same time */
	g_assert_cmpuint(mark[1], ==, woke + 4321);   /* runs exactly L later */
	g_assert_cmpuint(ret_val[1], ==, 4321);
	g_assert_cmpuint(exit_cycles[1], ==, 4321);
	g_assert_cmpuint(exit_cycles[0], ==, 0);      /* never idle: pays nothing */
	idle_lat = 0;
}

/* ---- klock_schedule under the governors ---- */

/* CPU 0 wakes CPU 1's task every PERIOD cycles (1 ms at 1 GHz), ROUNDS
 * times; CPU 1 blocks again right after each wake-up.  mark[1]: when
 * CPU 1 ran after the first wake-up. */
#define PERIOD 1000000u
static uint32_t rounds;

static void
sleep_body(struct it *t)
{
	for (uint32_t r = 0; r < rounds; r++) {
		if (sim_cpu_id() == 0) {
			sim_sleep_until((sim_time_t)(r + 1) * PERIOD);
			klock_wake_up_process(t->kl, &t->kl->tasks[1]);
			continue;
		}
		klock_set_current_state(t->kl, TASK_UNINTERRUPTIBLE);
		klock_schedule(t->kl);
		if (r == 0)
			mark[1] = sim_now();
	}
}

static double
cpuidle_num(const char *key)
{
	const cJSON *ci = cJSON_GetObjectItemCaseSensitive(it_stats, "cpuidle");
	g_assert_nonnull(ci);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ci, key);
	g_assert_nonnull(v);
	return v->valuedouble;
}

static double
state_usage(const char *name)
{
	const cJSON *ci = cJSON_GetObjectItemCaseSensitive(it_stats, "cpuidle");
	g_assert_nonnull(ci);
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(ci, "states"))
		if (strcmp(cJSON_GetObjectItemCaseSensitive(s, "name")->valuestring, name) == 0)
			return cJSON_GetObjectItemCaseSensitive(s, "usage")->valuedouble;
	g_assert_not_reached();
}

static sim_time_t
run_sleep(uint32_t nstates, const char *gov, uint32_t load, uint32_t timer_us, uint32_t n)
{
	kparams = (struct smp_params){ .invlpg = 200, .flush_all = 500, .flush_ceiling = 33,
				       .cpuidle_inputs = 1 /* fixed */, .cpuidle_load = load,
				       .cpuidle_next_timer_us = timer_us, .hz = 250, .nohz = true };
	for (uint32_t i = 0; cpuidle_governor_names[i]; i++)
		if (strcmp(cpuidle_governor_names[i], gov) == 0)
			kparams.cpuidle_governor = i;
	use_kparams = true;
	rounds = n;
	run(idle_machine(nstates), 2, sleep_body);
	use_kparams = false;
	return mark[1];
}

/*
 * The first sleep: menu's repeating-pattern detector sees 8 empty
 * intervals (0 us, deviation 0 <= 20) and predicts 0 us, so whatever the
 * next timer, the choice is C1 (the default above 5 us of expected idle)
 * or POLL (at most 5 us); the next timer event fires and ends a period
 * (the CPU re-enters).  The sleeper runs C1's exit latency (3,000
 * cycles, all charged to idle_exit) later than without idle states, less
 * the 2 cycles by which the waker's line transfer overlaps it; POLL and
 * the poll governor cost nothing.
 */
static void
test_menu_first_sleep(void)
{
	rounds = 1;
	run(idle_machine(0), 2, sleep_body);
	sim_time_t base = mark[1];
	g_assert_null(cJSON_GetObjectItemCaseSensitive(it_stats, "cpuidle"));
	g_assert_cmpuint(run_sleep(3, "menu", 1024, 4000, 1), ==, base + 3000 - 2);
	g_assert_cmpfloat(state_usage("C1"), ==, 1);
	g_assert_cmpuint(exit_cycles[1], ==, 3000);
	/* a 5 us timer fires 200 times in the 1 ms sleep: 200 POLL periods */
	g_assert_cmpuint(run_sleep(3, "menu", 1024, 5, 1), ==, base);
	g_assert_cmpfloat(state_usage("POLL"), ==, 200);
	g_assert_cmpuint(exit_cycles[1], ==, 0);
	/* a 300 us timer: periods end at the timer (about 300, 600 and 900
	 * us, each paying C1's exit) and at the wake-up (1,000 us) */
	g_assert_cmpuint(run_sleep(3, "menu", 1024, 300, 1), ==, base + 3000 - 2);
	g_assert_cmpfloat(state_usage("C1"), ==, 4);
	g_assert_cmpuint(exit_cycles[1], ==, 4 * 3000);
	g_assert_cmpuint(run_sleep(3, "poll", 1024, 4000, 1), ==, base);
	g_assert_cmpfloat(state_usage("POLL"), ==, 1);
	g_assert_cmpfloat(state_usage("C1"), ==, 0);
	g_assert_cmpuint(exit_cycles[1], ==, 0);
}

/*
 * A state whose wake-up really takes less than the driver says: C1 with
 * wake_latency_us 1.  menu still picks C1 (it uses exit_latency_us, 3),
 * and the sleeper runs 1,000 cycles after the wake-up instead of 3,000.
 */
static void
test_wake_latency(void)
{
	rounds = 1;
	run(idle_machine(0), 2, sleep_body);
	sim_time_t base = mark[1];
	c1_wake_us = 1;
	g_assert_cmpuint(run_sleep(3, "menu", 1024, 4000, 1), ==, base + 1000 - 2);
	c1_wake_us = 0;
	g_assert_cmpfloat(state_usage("C1"), ==, 1);
	g_assert_cmpuint(exit_cycles[1], ==, 1000);
}

/*
 * Regular 1 ms sleeps: once the last 8 intervals are all about 1,000 us,
 * the pattern detector predicts their average, and menu picks the
 * deepest state with target residency <= ~1,000 us whose exit latency x
 * the performance multiplier also fits: with load 1024 (multiplier 11)
 * C3 (220 <= 1,000; C6 would need 2,200), with load 0 (multiplier 1) C6
 * (200 and 800 <= 1,000).  Earlier sleeps take C1 while the history
 * still holds zeros.
 */
static void
test_menu_regular_sleeps(void)
{
	run_sleep(3, "menu", 1024, 4000, 24);
	double c1 = state_usage("C1"), c3 = state_usage("C3"), c6 = state_usage("C6");
	g_assert_cmpfloat(c1 + c3 + c6, ==, 24);
	g_assert_cmpfloat(c6, ==, 0);
	g_assert_cmpfloat(c3, >=, 24 - 8);
	run_sleep(3, "menu", 0, 4000, 24);
	g_assert_cmpfloat(state_usage("C6"), ==, c3);   /* the same sleeps, one state deeper */
	g_assert_cmpfloat(state_usage("C3"), ==, 0);
	g_assert_cmpfloat(state_usage("C1"), ==, c1);
	if (g_test_verbose())
		g_printerr("C1 %g C3 %g C6 %g\n", c1, c3, c6);
}

/*
 * menu-2.6.37 (Bonsai's kernel): 2.6.37's detect_repeating_patterns uses
 * the average of the last 8 periods only when it is nonzero, not beyond
 * the next timer event, and their variance is under 400 us^2; nothing
 * else differs from 3.5's menu.  First sleep: the 8 empty periods average
 * 0, so the prediction stays the next timer, 4,000 us x the initial unit
 * correction factor, and at multiplier 11 C6 fits (200 x 11 = 2,200 and
 * 800 <= 4,000): the sleeper pays C6's 200 us exit (200,000 cycles, less
 * the 2 the waker's transfer overlaps) where 3.5's menu takes C1.
 * Regular 1 ms sleeps: C1 is never taken (no prediction of 0); each
 * period lasts 1,000 us to the end of its exit, and the correction factor
 * falls by 1/8 of the way to 800/4,000 per sleep (the measured 1,000 us
 * less C6's 200 us exit), so the timer's prediction
 * 4,000 x (0.2 + 0.8 x (7/8)^k) stays >= 2,200 for k = 0..6 (2,236 us at
 * k = 6): 7 sleeps in C6, and every later one in C3 (2,057 us at k = 7,
 * then the 8 periods' average, about 1,000 us, once they repeat).
 */
static void
test_menu_2637(void)
{
	rounds = 1;
	run(idle_machine(0), 2, sleep_body);
	sim_time_t base = mark[1];
	g_assert_cmpuint(run_sleep(3, "menu-2.6.37", 1024, 4000, 1), ==, base + 200000 - 2);
	g_assert_cmpfloat(state_usage("C6"), ==, 1);
	g_assert_cmpfloat(state_usage("C1"), ==, 0);
	g_assert_cmpuint(exit_cycles[1], ==, 200000);
	run_sleep(3, "menu-2.6.37", 1024, 4000, 24);
	if (g_test_verbose())
		g_printerr("C1 %g C3 %g C6 %g\n", state_usage("C1"), state_usage("C3"),
			   state_usage("C6"));
	g_assert_cmpfloat(state_usage("C1"), ==, 0);
	g_assert_cmpfloat(state_usage("C6"), ==, 7);
	g_assert_cmpfloat(state_usage("C3"), ==, 24 - 7);
}

/*
 * A tick kept by rcu_needs_cpu bounds the sleep length menu is given
 * (tick_nohz_get_sleep_length is the next tick when the tick is not
 * stopped), in the fixed inputs too: 24 sleeps of 1 ms at load 0 with a
 * 4 ms next timer take C6 (previous test) when nothing keeps the tick;
 * with a tick kept every 400 us every selection is bounded by it
 * (selections_tick_kept == selections), so no state whose target
 * residency exceeds 400 us (C6: 800) is ever chosen, and each 1 ms
 * sleep is cut by the ticks at 400 and 800 us into 3 periods (72
 * selections).  A hook that lets the tick stop changes nothing.
 */
static void
test_menu_kept_tick(void)
{
	run_sleep(3, "menu", 0, 4000, 24);
	double c6_free = state_usage("C6"), sel_free = cpuidle_num("selections");
	g_assert_cmpfloat(c6_free, >, 0);
	g_assert_cmpfloat(cpuidle_num("selections_tick_kept"), ==, 0);
	kept_jiffy = 400000;
	kept_mode = SIM_TICK_IDLE_STOP;
	run_sleep(3, "menu", 0, 4000, 24);
	g_assert_cmpfloat(state_usage("C6"), ==, c6_free);
	g_assert_cmpfloat(cpuidle_num("selections"), ==, sel_free);
	g_assert_cmpfloat(cpuidle_num("selections_tick_kept"), ==, 0);
	kept_mode = SIM_TICK_IDLE_JIFFY;
	run_sleep(3, "menu", 0, 4000, 24);
	kept_jiffy = 0;
	g_assert_cmpfloat(cpuidle_num("selections"), ==, 72);
	g_assert_cmpfloat(cpuidle_num("selections_tick_kept"), ==, 72);
	g_assert_cmpfloat(state_usage("C6"), ==, 0);
	if (g_test_verbose())
		g_printerr("free: C6 %g of %g; kept: C1 %g C3 %g\n", c6_free, sel_free,
			   state_usage("C1"), state_usage("C3"));
}

/* ---- inputs tick: the load the tick samples, the tick's next event ---- */

/* CPU 1 works TICK_WORK[r] cycles, then blocks; CPU 0 wakes it at
 * TICK_WAKE[r].  At 1 GHz and HZ=1000 a jiffy is 1,000,000 cycles: round 0
 * runs across the tick at 1 ms, round 1 within jiffy 2, round 2 across
 * the tick at 4 ms; the wake-ups fall mid-jiffy. */
static const uint64_t TICK_WORK[3] = { 1500000, 100000, 1000000 };
static const sim_time_t TICK_WAKE[3] = { 2500000, 3500000, 5500000 };

static void
tick_body(struct it *t)
{
	for (uint32_t r = 0; r < 3; r++) {
		if (sim_cpu_id() == 0) {
			sim_sleep_until(TICK_WAKE[r]);
			klock_wake_up_process(t->kl, &t->kl->tasks[1]);
			continue;
		}
		sim_work(TICK_WORK[r]);
		klock_set_current_state(t->kl, TASK_UNINTERRUPTIBLE);
		klock_schedule(t->kl);
		mark[r] = sim_now();
	}
}

static void
run_tick(uint32_t hz, bool nohz)
{
	kparams = (struct smp_params){ .invlpg = 200, .flush_all = 500, .flush_ceiling = 33,
				       .cpuidle_inputs = 0 /* tick */, .cpuidle_load = 1024,
				       .cpuidle_next_timer_us = 4000, .hz = hz, .nohz = nohz };
	use_kparams = true;
	run(idle_machine(3), 2, tick_body);
	use_kparams = false;
}

/*
 * rq->cpu_load[0] as the tick samples it: 1024 when the CPU's last tick
 * found the task running (rounds 0 and 2 at HZ=1000), 0 after a sleep
 * that spanned a tick (round 1: update_cpu_load_nohz on idle exit with
 * the tick stopped, or the tick taken while idle).  With NO_HZ the next
 * timer (4 ms away) is more than a jiffy off, so every selection stops
 * the tick and the only wake-ups are the three writes; without NO_HZ the
 * tick at 2, 3 and 5 ms wakes the idle CPU first (3 more selections, all
 * at load 0).  The history then holds 3 real periods among 5 zeros: the
 * pattern detector gives up, and the bucket's correction factor predicts
 * 943 us at 3 ms (C6 at multiplier 1), 262 us at 4.7 ms with the load
 * 1024 of round 2 (C3: C6 would need 2,200) and 886 us at 5 ms (C6):
 * exits 3 x 3,000 + 20,000 + 2 x 200,000 cycles.  At HZ=250 round 0 ends
 * before the first tick (4 ms): the load is the initial 0 (the CPU was
 * idle before the run), and only round 2 crosses a tick.
 */
static void
test_tick_load(void)
{
	run_tick(1000, true);
	g_assert_cmpfloat(cpuidle_num("selections"), ==, 3);
	g_assert_cmpfloat(cpuidle_num("selections_loaded"), ==, 2);
	g_assert_cmpfloat(cpuidle_num("selections_tick_stopped"), ==, 3);
	g_assert_cmpfloat(state_usage("C1"), ==, 3);   /* menu's first sleeps predict 0 */
	g_assert_cmpuint(exit_cycles[1], ==, 3 * 3000);
	run_tick(1000, false);
	g_assert_cmpfloat(cpuidle_num("selections"), ==, 6);
	g_assert_cmpfloat(cpuidle_num("selections_loaded"), ==, 2);
	g_assert_cmpfloat(cpuidle_num("selections_tick_stopped"), ==, 0);
	g_assert_cmpfloat(state_usage("C1"), ==, 3);
	g_assert_cmpfloat(state_usage("C3"), ==, 1);
	g_assert_cmpfloat(state_usage("C6"), ==, 2);
	g_assert_cmpuint(exit_cycles[1], ==, 3 * 3000 + 20000 + 2 * 200000);
	run_tick(250, true);
	g_assert_cmpfloat(cpuidle_num("selections"), ==, 3);
	g_assert_cmpfloat(cpuidle_num("selections_loaded"), ==, 1);
	g_assert_cmpfloat(cpuidle_num("selections_tick_stopped"), ==, 3);
}

/* ---- the wake-up across sockets: a reschedule IPI (ttwu_queue_ipi) ---- */

static uint64_t wake_ipis;

static void
wake_count_body(struct it *t)
{
	sleep_body(t);
	if (sim_cpu_id() == 0)
		wake_ipis = klock_counters_of(t->kl)->wakeup_ipis;
}

static void
ipi_wake_report(struct sim_machine *m, bool ipi)
{
	static struct klock_params klp;
	klp = (struct klock_params){ .context_switch = 2000, .wakeup = 1500, .ttwu_queue_ipi = ipi };
	it_klp = &klp;
	rounds = 1;
	run(m, 2, wake_count_body);
	it_klp = NULL;
}

/*
 * CPU 0 wakes CPU 1's task at 1 ms (sleep_body, one round).  On one
 * socket (a shared LLC) the waker's store wakes the polling CPU whatever
 * ttwu_queue_ipi says.  On two sockets with ttwu_queue_ipi the waker sends
 * a reschedule IPI instead, and the task is made runnable in the handler,
 * after C1's exit latency and the interrupt entry: the wake-up then takes
 * ipi_send 500 + ipi_latency 2,000 + irq_entry 1,000 and the handler's
 * store instead of the store's line transfer and the wakee's reload:
 * 3,123 cycles later on this machine.  The C1 exit is paid once either
 * way (by the interrupt, or on the write's wake-up).
 */
static void
test_ipi_wake(void)
{
	ipi_wake_report(idle_machine(1), false);
	sim_time_t one_socket = mark[1];
	g_assert_cmpuint(wake_ipis, ==, 0);
	ipi_wake_report(idle_machine(1), true);
	g_assert_cmpuint(mark[1], ==, one_socket);
	g_assert_cmpuint(wake_ipis, ==, 0);
	sim_time_t woke[2];
	for (int ipi = 0; ipi < 2; ipi++) {
		struct sim_machine *m = t_machine(2, 1, NULL);
		m->nidle_states = 1;
		m->idle_states = g_new0(struct sim_idle_state, 1);
		m->idle_states[0] = (struct sim_idle_state){ g_strdup("C1"), 3, 6 };
		ipi_wake_report(m, ipi);
		woke[ipi] = mark[1];
		g_assert_cmpuint(wake_ipis, ==, (uint64_t)ipi);
		g_assert_cmpuint(exit_cycles[1], ==, 3000);
	}
	g_assert_cmpuint(woke[1], ==, woke[0] + 3123);
}

/* ---- machine.idle_states errors: one line naming the path ---- */

static void
expect_machine_error(const char *states, const char *needle)
{
	char *json = g_strdup_printf("{\"name\": \"m\", \"idle_states\": %s}", states);
	cJSON *doc = cJSON_Parse(json);
	g_assert_nonnull(doc);
	GError *err = NULL;
	struct sim_origin o = { .file = "m.json", .prefix = "machine" };
	struct sim_machine *m = sim_machine_load(doc, &o, &err);
	g_assert_null(m);
	g_assert_nonnull(err);
	if (!strstr(err->message, needle))
		g_error("\"%s\" does not name %s", err->message, needle);
	g_assert_null(strchr(err->message, '\n'));
	g_error_free(err);
	cJSON_Delete(doc);
	g_free(json);
}

static void
test_machine_errors(void)
{
	expect_machine_error("3", "machine.idle_states");
	expect_machine_error("[{\"name\": \"a\", \"exit_latency_us\": 5},"
			     " {\"name\": \"b\", \"exit_latency_us\": 2}]",
			     "machine.idle_states[1].exit_latency_us");
	expect_machine_error("[{\"exit_latency_us\": 5}]", "machine.idle_states[0].name");
	expect_machine_error("[{\"name\": \"a\", \"exit_latency_us\": -1}]",
			     "machine.idle_states[0].exit_latency_us");
	expect_machine_error("[{\"name\": \"a\", \"depth\": 1}]", "machine.idle_states[0]");
	expect_machine_error("[1]", "machine.idle_states[0]");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cpuidle/engine/ipi-to-idle-cpu-2cpu", test_ipi_to_idle_cpu);
	g_test_add_func("/cpuidle/engine/write-wakes-idle-cpu-2cpu", test_write_wakes_idle_cpu);
	g_test_add_func("/cpuidle/menu/first-sleep-2cpu", test_menu_first_sleep);
	g_test_add_func("/cpuidle/menu/wake-latency-2cpu", test_wake_latency);
	g_test_add_func("/cpuidle/menu/regular-sleeps-2cpu", test_menu_regular_sleeps);
	g_test_add_func("/cpuidle/menu/kept-tick-2cpu", test_menu_kept_tick);
	g_test_add_func("/cpuidle/menu/linux-2.6.37-2cpu", test_menu_2637);
	g_test_add_func("/cpuidle/menu/tick-load-2cpu", test_tick_load);
	g_test_add_func("/cpuidle/wake/ipi-across-sockets-2cpu", test_ipi_wake);
	g_test_add_func("/cpuidle/machine/idle-states-errors", test_machine_errors);
	int r = g_test_run();
	cJSON_Delete(it_stats);
	return r;
}
