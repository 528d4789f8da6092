// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * CPU idle governors (cpuidle.h): which of the machine's idle states a
 * CPU whose task blocked enters, and the per-state counters.
 *
 * Source: Linux 3.5, drivers/cpuidle/governors/menu.c (menu_select,
 * menu_update, get_typical_interval, performance_multiplier,
 * which_bucket) and drivers/cpuidle/cpuidle.c (cpuidle_idle_call: state
 * 0 is the core's POLL state on x86, CPUIDLE_DRIVER_STATE_START = 1).
 * The typical-interval code was read from a 3.8-era copy of menu.c (the
 * same function as 3.5's, before 3.10's rework); the rest as in 3.5.
 * menu-2.6.37: Linux 2.6.37's menu.c (read from a pre-3.2 copy, 2.6.3x-3.1:
 * menu_select(dev), pm_qos_params.h), whose only difference that matters
 * here is detect_repeating_patterns in place of the typical interval; its
 * menu_update, buckets, correction factor and multiplier are 3.5's.
 *
 * State indices here: 0 is POLL (exit latency 0, never a hardware state),
 * i >= 1 is machine.idle_states[i - 1].
 *
 * What the menu governor reads from the rest of the kernel (the "kernel"
 * section's cpuidle_inputs):
 *
 *   tick (default): computed as Linux 3.5 computes them, on a
 *   scheduling-clock tick of kernel.hz per second whose edges (jiffies)
 *   fall at multiples of 1/hz s of simulated time on every CPU (3.5's
 *   tick_setup_sched_timer aligns all CPUs' ticks; sched_skew_tick is off
 *   by default).
 *   - The load, this_cpu_load() = rq->cpu_load[0] (sched/core.c).  Its
 *     writers, all through __update_cpu_load(), which sets cpu_load[0] to
 *     the load it is given ("fasttrack for idx 0"):
 *       scheduler_tick -> update_cpu_load_active(rq): rq->load.weight,
 *         and last_load_update_tick = jiffies.  A CPU running its one
 *         nice-0 task has weight 1024 (prio_to_weight[20]; 3.5 does not
 *         scale load on 64-bit); the idle task adds nothing, so a tick
 *         taken while idle writes 0.
 *       tick_nohz_idle_exit -> tick_nohz_restart_sched_tick ->
 *         update_cpu_load_nohz(): only if the tick was stopped and jiffies
 *         moved since last_load_update_tick, writes 0 ("we were idle").
 *     So the governor sees 1024 if the CPU's last tick found its task on
 *     the runqueue and 0 if it found it idle; an idle loop that re-selects
 *     after an interrupt (a shootdown IPI) with the tick stopped sees the
 *     value from before it went idle.
 *   - The sleep length, tick_nohz_get_sleep_length() = dev->next_event -
 *     now as __tick_nohz_idle_enter left it (time/tick-sched.c): with
 *     kernel.nohz, tick_nohz_stop_sched_tick keeps the tick when the next
 *     timer expires within one jiffy (delta_jiffies == 1) and otherwise
 *     programs the tick timer for that timer's jiffy; without nohz the
 *     tick runs on and the next event is the next tick.  The next timer
 *     other than the tick is a timer-wheel timer that expires at the first
 *     jiffy at or after kernel.cpuidle_next_timer_us from idle entry
 *     (MODEL: which timers an idle mapbench CPU has pending on ben is not
 *     known; the value is an assumption, shown by sensitivity), or the
 *     sleeper's own deadline (schedule_timeout) if earlier, taken exactly
 *     (MODEL: not rounded to a jiffy).  rcu_needs_cpu() is the run's
 *     NO_HZ hook (engine sim_tick_nohz_register: Tree RCU while this CPU
 *     has callbacks): while it holds, the tick is not stopped and the
 *     sleep length is the time to the tick the engine will deliver
 *     (sim_idle_next_tick); printk and arch_needs_cpu are taken to be
 *     false.  (mapbench's munmap queues no callbacks in 3.5 on x86, whose
 *     page tables are freed without RCU; Bonsai's do.)
 *   - Every timer event the CPU wakes at is the tick timer's (the timer
 *     wheel runs from it), so it runs scheduler_tick with the runqueue
 *     empty: cpu_load[0] = 0.  A deadline taken exactly is not a tick.
 *   - The task counts as runnable from the moment its CPU leaves the idle
 *     loop (MODEL: Linux enqueues it, weight 1024, when the waker runs
 *     try_to_wake_up, up to an exit latency earlier; a tick in that window
 *     would read 1024 where this reads 0).  The timer handler's own
 *     cycles are not charged (the tick on a running CPU neither).
 *   fixed: kernel.cpuidle_load is the load at every selection, and the
 *   next timer event is kernel.cpuidle_next_timer_us after every idle
 *   entry (or the sleeper's deadline), no tick: the sensitivity sweep's
 *   inputs.  A tick the run's NO_HZ hook keeps (above) still bounds the
 *   sleep length the governor is given, as in the tick inputs: it is an
 *   event the engine delivers, not an input.  The event fires: the CPU wakes at it, pays the exit latency,
 *   and (its task still blocked) re-enters a state.
 *
 *   get_loadavg() turns 1024 into 5 and the multiplier into 11: a state is
 *   picked only if the predicted idle is 11 x its exit latency; 0 gives
 *   multiplier 1.  iowait: none (no simulated I/O); pm_qos latency limit:
 *   none.
 */
#include <glib.h>
#include <string.h>

#include "cpuidle.h"
#include "engine.h"
#include "smp.h"

#define INTERVALS 8
#define BUCKETS 6               /* Linux: 12, the upper half for iowait (never here) */
#define RESOLUTION 1024
#define DECAY 8
#define MAX_INTERESTING 50000u  /* us */
#define NSTATES (SIM_MAX_IDLE_STATES + 1)

/* One CPU's governor data (Linux's struct menu_device) and counters. */
struct cpuidle_cpu {
	uint32_t state;             /* state entered (valid while idle) */
	bool idle;
	sim_time_t entered;
	sim_time_t timer;           /* the next timer event of the current period */
	/* inputs tick: the runqueue's load samples and the tick */
	bool in_loop;               /* between the idle loop's first entry and its exit */
	bool tick_stopped;          /* ts->tick_stopped */
	bool timer_is_tick;         /* the period's timer event is the tick timer's */
	uint32_t cpu_load0;         /* rq->cpu_load[0] */
	uint64_t last_load_update;  /* rq->last_load_update_tick (jiffies) */
	sim_time_t running_since;   /* the task runnable since (left the idle loop) */
	/* menu */
	uint32_t bucket;
	uint64_t expected_us, predicted_us, exit_us;
	uint32_t correction_factor[BUCKETS];
	uint32_t intervals[INTERVALS];
	uint32_t interval_ptr;
	/* counters */
	uint64_t usage[NSTATES];
	uint64_t time_cycles[NSTATES];
	uint64_t exit_cycles;
	uint64_t selections, loaded, tick_stopped_n;
	uint64_t kept_ticks;        /* selections bounded by a kept tick */
	uint64_t flush_entries;     /* entries that ran the TLB-flush hooks */
};

struct cpuidle;

struct cpuidle_governor {
	const char *name;
	/* Pick a state for CPU d's idle period; expected_us is the time to
	 * its next timer event.  Return: the state index. */
	uint32_t (*select)(struct cpuidle *ci, struct cpuidle_cpu *d, uint64_t expected_us);
	/* The period that ended lasted residency_us (exit latency included). */
	void (*reflect)(struct cpuidle *ci, struct cpuidle_cpu *d, uint64_t residency_us);
};

/* An idle-entry hook for TLB-flushing states (intel_idle's leave_mm). */
struct cpuidle_flush_hook {
	void (*fn)(void *arg, uint32_t cpu);
	void *arg;
};
#define CPUIDLE_MAX_FLUSH_HOOKS 4u

struct cpuidle {
	const struct sim_machine *m;
	const struct cpuidle_governor *gov;
	uint32_t nstates;           /* including POLL */
	uint64_t exit_cycles[NSTATES];     /* a wake-up's cost: wake_latency_us, else exit_latency_us */
	bool tlb_flushed[NSTATES];  /* the state's CPUIDLE_FLAG_TLB_FLUSHED */
	struct cpuidle_flush_hook flush_hooks[CPUIDLE_MAX_FLUSH_HOOKS];
	uint32_t nflush_hooks;
	uint32_t exit_us[NSTATES], target_us[NSTATES];
	bool tick_inputs;           /* kernel.cpuidle_inputs == "tick" */
	uint32_t load;              /* kernel.cpuidle_load (inputs fixed) */
	uint32_t next_timer_us;     /* kernel.cpuidle_next_timer_us */
	bool nohz;                  /* kernel.nohz */
	uint64_t jiffy;             /* cycles per jiffy (1 / kernel.hz) */
	double cycles_per_us;
	uint32_t ncpus;
	struct cpuidle_cpu *cpu;
};

/* ---- menu (Linux 3.5) ---- */

static uint32_t
which_bucket(uint64_t us)
{
	if (us < 10)
		return 0;
	if (us < 100)
		return 1;
	if (us < 1000)
		return 2;
	if (us < 10000)
		return 3;
	if (us < 100000)
		return 4;
	return 5;
}

/* get_loadavg(): LOAD_INT(load) * 10 + LOAD_FRAC(load) / 10, FSHIFT 11. */
static uint32_t
menu_loadavg(uint32_t load)
{
	uint32_t li = load >> 11;
	uint32_t lf = (((load & 2047u) * 100u) >> 11);
	return li * 10 + lf / 10;
}

static uint64_t
isqrt(uint64_t x)
{
	uint64_t r = 0, bit = 1ull << 62;
	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* The repeating-pattern detector: if the last 8 periods (the highest
 * dropped one at a time while 3/4 of them remain) have a small spread
 * (average above 6 standard deviations, or a deviation of at most 20 us),
 * predict their average. */
static void
menu_typical_interval(struct cpuidle_cpu *d)
{
	uint64_t thresh = UINT64_MAX;
	for (;;) {
		uint64_t max = 0, sum = 0, var = 0;
		uint32_t n = 0;
		for (int i = 0; i < INTERVALS; i++) {
			uint64_t v = d->intervals[i];
			if (v <= thresh) {
				sum += v;
				n++;
				if (v > max)
					max = v;
			}
		}
		uint64_t avg = sum / n;
		for (int i = 0; i < INTERVALS; i++) {
			uint64_t v = d->intervals[i];
			if (v <= thresh) {
				int64_t diff = (int64_t)v - (int64_t)avg;
				var += (uint64_t)(diff * diff);
			}
		}
		uint64_t sd = isqrt(var / n);
		if ((avg > sd * 6 && n * 4 >= INTERVALS * 3) || sd <= 20) {
			d->predicted_us = avg;
			return;
		}
		if (n * 4 <= INTERVALS * 3)
			return;
		thresh = max - 1;
	}
}

/*
 * menu-2.6.37's repeating-pattern detector (SOURCE: Linux 2.6.37
 * drivers/cpuidle/governors/menu.c, detect_repeating_patterns, the
 * 2.6.33-3.x form before get_typical_interval): the plain average of all
 * 8 last periods replaces the prediction only if it is not beyond the
 * next timer event (expected_us) and their variance is below 400 us^2
 * (STDDEV_THRESH, i.e. a standard deviation under 20 us); no period is
 * dropped and no spread relative to the average is accepted.
 */
static void
menu_repeating_patterns_2637(struct cpuidle_cpu *d)
{
	uint64_t avg = 0, var = 0;
	for (int i = 0; i < INTERVALS; i++)
		avg += d->intervals[i];
	avg /= INTERVALS;
	if (avg > d->expected_us)
		return;
	for (int i = 0; i < INTERVALS; i++) {
		int64_t diff = (int64_t)d->intervals[i] - (int64_t)avg;
		var += (uint64_t)(diff * diff);
	}
	var /= INTERVALS;
	if (avg && var < 400)
		d->predicted_us = avg;
}

static uint32_t
menu_select_pattern(struct cpuidle *ci, struct cpuidle_cpu *d, uint64_t expected_us,
		    void (*pattern)(struct cpuidle_cpu *d))
{
	uint32_t load = ci->tick_inputs ? d->cpu_load0 : ci->load;
	uint32_t mult = 1 + 2 * menu_loadavg(load);
	d->expected_us = expected_us;
	d->bucket = which_bucket(expected_us);
	if (d->correction_factor[d->bucket] == 0)
		d->correction_factor[d->bucket] = RESOLUTION * DECAY;
	/* div_round64: round to nearest */
	d->predicted_us = (expected_us * d->correction_factor[d->bucket] +
			   RESOLUTION * DECAY / 2) / (RESOLUTION * DECAY);
	pattern(d);
	uint32_t idx = 0;
	d->exit_us = 0;
	if (expected_us > 5)
		idx = 1;                /* default to C1, not polling */
	for (uint32_t i = 1; i < ci->nstates; i++) {
		if (ci->target_us[i] > d->predicted_us)
			continue;
		if ((uint64_t)ci->exit_us[i] * mult > d->predicted_us)
			continue;
		idx = i;
		d->exit_us = ci->exit_us[i];
	}
	return idx;
}

static uint32_t
menu_select(struct cpuidle *ci, struct cpuidle_cpu *d, uint64_t expected_us)
{
	return menu_select_pattern(ci, d, expected_us, menu_typical_interval);
}

/* menu-2.6.37: as menu but with 2.6.37's pattern detector.  The rest of
 * 2.6.37's menu_select and menu_update is 3.5's: the same buckets,
 * correction factor, performance multiplier and exit-latency
 * correction; it picks the lowest power_usage among the states that
 * fit, which for intel_idle's table (power falling with depth) is the
 * deepest, as 3.5's loop picks. */
static uint32_t
menu2637_select(struct cpuidle *ci, struct cpuidle_cpu *d, uint64_t expected_us)
{
	return menu_select_pattern(ci, d, expected_us, menu_repeating_patterns_2637);
}

static void
menu_reflect(struct cpuidle *ci, struct cpuidle_cpu *d, uint64_t last_idle_us)
{
	(void)ci;
	uint64_t measured = last_idle_us;
	/* the exit latency is assumed to follow the event we wait for */
	if (measured > d->exit_us)
		measured -= d->exit_us;
	uint64_t f = (uint64_t)d->correction_factor[d->bucket] * (DECAY - 1) / DECAY;
	if (d->expected_us > 0 && measured < MAX_INTERESTING)
		f += RESOLUTION * measured / d->expected_us;
	else
		f += RESOLUTION;        /* idle so long: a perfect prediction */
	if (f == 0)
		f = 1;
	d->correction_factor[d->bucket] = (uint32_t)MIN(f, UINT32_MAX);
	d->intervals[d->interval_ptr++] = (uint32_t)MIN(last_idle_us, UINT32_MAX);
	if (d->interval_ptr >= INTERVALS)
		d->interval_ptr = 0;
}

static const struct cpuidle_governor gov_menu = {
	.name = "menu", .select = menu_select, .reflect = menu_reflect,
};

static const struct cpuidle_governor gov_menu2637 = {
	.name = "menu-2.6.37", .select = menu2637_select, .reflect = menu_reflect,
};

/* ---- poll: stay in C0 ---- */

static uint32_t
poll_select(struct cpuidle *ci, struct cpuidle_cpu *d, uint64_t expected_us)
{
	(void)ci;
	(void)d;
	(void)expected_us;
	return 0;
}

static void
poll_reflect(struct cpuidle *ci, struct cpuidle_cpu *d, uint64_t residency_us)
{
	(void)ci;
	(void)d;
	(void)residency_us;
}

static const struct cpuidle_governor gov_poll = {
	.name = "poll", .select = poll_select, .reflect = poll_reflect,
};

/* Index = the kernel section's cpuidle_governor value. */
static const struct cpuidle_governor *const governors[] = { &gov_menu, &gov_poll,
								&gov_menu2637 };
const char *const cpuidle_governor_names[] = { "menu", "poll", "menu-2.6.37", NULL };
/* Index = the kernel section's cpuidle_inputs value. */
const char *const cpuidle_inputs_names[] = { "tick", "fixed", NULL };

/* ---- the run's manager ---- */

static const char cpuidle_key;

static void
cpuidle_free(void *p)
{
	struct cpuidle *ci = p;
	g_free(ci->cpu);
	g_free(ci);
}

struct cpuidle *
cpuidle_get(struct sim *sim)
{
	struct cpuidle *ci = sim_attached(sim, &cpuidle_key);
	if (ci)
		return ci;
	const struct sim_machine *m = sim_machine_of(sim);
	if (m->nidle_states == 0)
		return NULL;
	const void *pp;
	(void)smp_ops_of(sim, &pp);
	const struct smp_params *sp = pp;
	G_STATIC_ASSERT(G_N_ELEMENTS(governors) + 1 == G_N_ELEMENTS(cpuidle_governor_names));
	g_assert(sp->cpuidle_governor < G_N_ELEMENTS(governors));
	ci = g_new0(struct cpuidle, 1);
	ci->m = m;
	ci->gov = governors[sp->cpuidle_governor];
	ci->load = sp->cpuidle_load;
	ci->next_timer_us = sp->cpuidle_next_timer_us;
	ci->cycles_per_us = m->freq_ghz * 1000.0;
	g_assert(sp->cpuidle_inputs < 2 && sp->hz > 0);
	ci->tick_inputs = sp->cpuidle_inputs == 0;
	ci->nohz = sp->nohz;
	ci->jiffy = (uint64_t)(m->freq_ghz * 1e9 / sp->hz + 0.5);
	ci->nstates = m->nidle_states + 1;
	for (uint32_t i = 1; i < ci->nstates; i++) {
		const struct sim_idle_state *st = &m->idle_states[i - 1];
		ci->exit_us[i] = st->exit_latency_us;
		ci->target_us[i] = st->target_residency_us;
		uint32_t wake = st->wake_latency_us ? st->wake_latency_us : st->exit_latency_us;
		ci->exit_cycles[i] = (uint64_t)(wake * ci->cycles_per_us + 0.5);
		ci->tlb_flushed[i] = st->tlb_flushed;
	}
	ci->ncpus = sim_ncpus_of(sim);
	ci->cpu = g_new0(struct cpuidle_cpu, ci->ncpus);
	/* cpu_load[0] starts at 0: the run's tasks start on CPUs that were
	 * idle, whose tick_nohz_idle_exit wrote 0 (update_cpu_load_nohz);
	 * the first tick that finds the task running writes 1024. */
	sim_attach(sim, &cpuidle_key, ci, cpuidle_free);
	return ci;
}

/* Inputs tick, first turn of an idle loop: the ticks the CPU took while
 * its task ran (the last one read weight 1024). */
static void
tick_loop_enter(struct cpuidle *ci, struct cpuidle_cpu *d, sim_time_t now)
{
	uint64_t j = now / ci->jiffy;
	if (j > d->running_since / ci->jiffy) {
		d->cpu_load0 = 1024;
		d->last_load_update = j;
	}
	d->in_loop = true;
	d->tick_stopped = false;
}

/* Inputs tick: the next timer event from now, as __tick_nohz_idle_enter
 * programs it (see the MODEL note); sets d->timer_is_tick. */
static sim_time_t
tick_next_event(struct cpuidle *ci, struct cpuidle_cpu *d, sim_time_t now, sim_time_t deadline,
		bool rcu_needs_cpu)
{
	uint64_t j = now / ci->jiffy;
	sim_time_t next_tick = (j + 1) * ci->jiffy;
	sim_time_t event = next_tick;
	if (rcu_needs_cpu)
		d->tick_stopped = false;        /* tick_nohz_stop_sched_tick keeps it */
	else if (ci->nohz) {
		sim_time_t t = now + (sim_time_t)((double)ci->next_timer_us * ci->cycles_per_us);
		uint64_t expires = (t + ci->jiffy - 1) / ci->jiffy;   /* its jiffy */
		if (expires - j > 1 || d->tick_stopped) {
			d->tick_stopped = true;
			event = MAX(expires, j + 1) * ci->jiffy;
		}
	}
	d->timer_is_tick = true;
	if (deadline < event) {
		event = deadline;
		d->timer_is_tick = false;
	}
	return event;
}

sim_time_t
cpuidle_enter(struct cpuidle *ci, sim_time_t deadline)
{
	struct cpuidle_cpu *d = &ci->cpu[sim_cpu_id()];
	g_assert(!d->idle);
	sim_time_t now = sim_now();
	sim_time_t timer;
	uint64_t expected;
	/* rcu_needs_cpu(): the run's NO_HZ hook keeps this CPU's tick */
	sim_time_t kept = sim_idle_next_tick();
	if (ci->tick_inputs) {
		if (!d->in_loop)
			tick_loop_enter(ci, d, now);
		timer = tick_next_event(ci, d, now, deadline, kept != SIM_TIME_NEVER);
		/* ktime to microseconds, truncated (menu_select's expected_us) */
		expected = timer > now ? (uint64_t)((double)(timer - now) / ci->cycles_per_us) : 0;
	} else {
		expected = ci->next_timer_us;
		timer = now + (sim_time_t)((double)ci->next_timer_us * ci->cycles_per_us);
		if (deadline < timer) {
			timer = deadline;
			expected = deadline > now
				? (uint64_t)((double)(deadline - now) / ci->cycles_per_us) : 0;
		}
	}
	/* The kept tick wakes the CPU (engine), so it bounds the sleep length
	 * the governor is given; the wait's own timer is left as it is. */
	if (kept != SIM_TIME_NEVER && kept < timer) {
		uint64_t to_tick = kept > now ? (uint64_t)((double)(kept - now) / ci->cycles_per_us) : 0;
		expected = MIN(expected, to_tick);
		d->kept_ticks++;
	}
	d->state = ci->gov->select(ci, d, expected);
	g_assert(d->state < ci->nstates);
	d->selections++;
	d->loaded += ci->tick_inputs ? d->cpu_load0 != 0 : ci->load != 0;
	d->tick_stopped_n += d->tick_stopped;
	d->idle = true;
	d->entered = now;
	d->timer = timer;
	d->usage[d->state]++;
	if (ci->tlb_flushed[d->state] && ci->nflush_hooks) {
		/* intel_idle: leave_mm(cpu) before MWAIT for a TLB-flushing
		 * state; the hooks may touch lines (and yield).  A wake-up
		 * meanwhile makes the caller's wait return at once. */
		for (uint32_t i = 0; i < ci->nflush_hooks; i++)
			ci->flush_hooks[i].fn(ci->flush_hooks[i].arg, sim_cpu_id());
		d->flush_entries++;
	}
	sim_idle_enter(ci->exit_cycles[d->state]);
	return timer;
}

void
cpuidle_tlb_flush_register(struct sim *sim, void (*fn)(void *arg, uint32_t cpu), void *arg)
{
	struct cpuidle *ci = cpuidle_get(sim);
	if (ci == NULL)
		return;
	g_assert(ci->nflush_hooks < CPUIDLE_MAX_FLUSH_HOOKS);
	ci->flush_hooks[ci->nflush_hooks++] = (struct cpuidle_flush_hook){ fn, arg };
}

void
cpuidle_exit(struct cpuidle *ci)
{
	struct cpuidle_cpu *d = &ci->cpu[sim_cpu_id()];
	g_assert(d->idle);
	sim_time_t woke = sim_now();
	d->exit_cycles += sim_idle_exit();
	d->idle = false;
	uint64_t cycles = sim_now() - d->entered;
	d->time_cycles[d->state] += cycles;
	/* The tick timer fired: scheduler_tick on an empty runqueue. */
	if (ci->tick_inputs && d->timer_is_tick && woke >= d->timer) {
		d->cpu_load0 = 0;
		d->last_load_update = d->timer / ci->jiffy;
	}
	/* intel_idle's residency: ktime before MWAIT to after the wake-up */
	ci->gov->reflect(ci, d, (uint64_t)((double)cycles / ci->cycles_per_us));
}

void
cpuidle_loop_exit(struct cpuidle *ci)
{
	struct cpuidle_cpu *d = &ci->cpu[sim_cpu_id()];
	g_assert(!d->idle);
	if (!ci->tick_inputs)
		return;
	sim_time_t now = sim_now();
	uint64_t j = now / ci->jiffy;
	/* tick_nohz_idle_exit: update_cpu_load_nohz if the tick was stopped */
	if (d->tick_stopped && j != d->last_load_update) {
		d->cpu_load0 = 0;
		d->last_load_update = j;
	}
	d->in_loop = false;
	d->tick_stopped = false;
	d->running_since = now;
}

void
cpuidle_stats(struct sim *sim, cJSON *out)
{
	struct cpuidle *ci = sim_attached(sim, &cpuidle_key);
	if (ci == NULL)
		return;
	cJSON *o = cJSON_AddObjectToObject(out, "cpuidle");
	cJSON_AddStringToObject(o, "governor", ci->gov->name);
	cJSON_AddStringToObject(o, "inputs", ci->tick_inputs ? "tick" : "fixed");
	uint64_t sel = 0, loaded = 0, stopped = 0, kept = 0;
	for (uint32_t c = 0; c < ci->ncpus; c++) {
		sel += ci->cpu[c].selections;
		loaded += ci->cpu[c].loaded;
		stopped += ci->cpu[c].tick_stopped_n;
		kept += ci->cpu[c].kept_ticks;
	}
	/* how many selections saw a non-zero load, and a stopped tick */
	cJSON_AddNumberToObject(o, "selections", (double)sel);
	cJSON_AddNumberToObject(o, "selections_loaded", (double)loaded);
	cJSON_AddNumberToObject(o, "selections_tick_stopped", (double)stopped);
	/* ... and whose sleep length a tick kept by rcu_needs_cpu bounded */
	cJSON_AddNumberToObject(o, "selections_tick_kept", (double)kept);
	if (ci->nflush_hooks) {
		/* entries into a TLB-flushing state, which ran leave_mm */
		uint64_t fl = 0;
		for (uint32_t c = 0; c < ci->ncpus; c++)
			fl += ci->cpu[c].flush_entries;
		cJSON_AddNumberToObject(o, "tlb_flushed_entries", (double)fl);
	}
	uint64_t exit = 0;
	cJSON *states = cJSON_AddArrayToObject(o, "states");
	for (uint32_t i = 0; i < ci->nstates; i++) {
		uint64_t usage = 0, t = 0;
		for (uint32_t c = 0; c < ci->ncpus; c++) {
			usage += ci->cpu[c].usage[i];
			t += ci->cpu[c].time_cycles[i];
		}
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name", i == 0 ? "POLL" : ci->m->idle_states[i - 1].name);
		cJSON_AddNumberToObject(s, "usage", (double)usage);
		cJSON_AddNumberToObject(s, "time_cycles", (double)t);
		cJSON_AddItemToArray(states, s);
	}
	for (uint32_t c = 0; c < ci->ncpus; c++)
		exit += ci->cpu[c].exit_cycles;
	cJSON_AddNumberToObject(o, "exit_latency_cycles_on_wake", (double)exit);
	uint64_t all = 0;
	for (uint32_t c = 0; c < ci->ncpus; c++)
		all += sim_cpu_cycles(sim, c, SIM_CAUSE_IDLE_EXIT);
	cJSON_AddNumberToObject(o, "exit_latency_cycles", (double)all);
}
