// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The scheduling-clock tick of the Linux RCU family: the jiffy, the
 * finer wake-up slice the schemes run their kthreads from, and the rest
 * of the tick's work.
 *
 * SOURCE: torvalds/linux kernel/time/timer.c update_process_times()
 * (the tick that calls rcu_sched_clock_irq()), kernel/rcu/tree.c
 * rcu_sched_clock_irq().
 *
 * Invariant: jiffy == slice * slices; every CPU agrees on jiffies
 * (simulated time / jiffy).
 */
#ifndef SIM_RCU_CLOCK_H
#define SIM_RCU_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "sim.h"

struct sim;

/*
 * The engine allows one tick period per run.  RCU schemes register it
 * with a period of one "slice" = jiffy / slices, and treat the slice
 * that starts a new jiffy as the scheduling-clock tick.  The other
 * slices exist only so that a kthread the scheme runs on its GP CPU
 * (woken by a store on another CPU) gets to run within a slice rather
 * than at the next tick.  Running CPUs take every slice; a CPU in the
 * idle loop takes only what the scheme's NO_HZ hook keeps
 * (rcu_clock_nohz): no slice, and the jiffy tick only while it needs
 * the CPU.
 * MODEL: a woken kthread starts within one slice (wakeup_us, default
 * 50 us), standing in for the IPI and scheduler latency of a real
 * wake-up; that latency is not otherwise charged.
 */
struct rcu_clock {
	uint64_t jiffy;             /* cycles per jiffy (slices * slice) */
	uint64_t slice;             /* the registered tick period */
	uint32_t slices;            /* slices per jiffy */
	uint32_t hz;
	uint64_t tick_work;         /* max cycles of non-RCU work per tick */
};

/* Fill c from hz, wakeup_us and tick_work_ns on sim's machine, and
 * register fn as the run's tick handler. */
void rcu_clock_register(struct rcu_clock *c, struct sim *sim, uint32_t hz, uint32_t wakeup_us,
			uint32_t tick_work_ns, bool skew, void (*fn)(void *), void *arg);

/*
 * rcu_tick_other_work - the rest of the scheduling-clock interrupt
 * (update_process_times, scheduler_tick, timers), which runs before
 * RCU's part: uniform in [0, tick_work] cycles of local work from this
 * CPU's random stream.
 * MODEL: besides its cost (mean tick_work_ns / 2 per jiffy), it stands
 * in for the spread of tick arrival on a real machine, where RCU_SOFTIRQ
 * runs after scheduler_tick() and the timer and sched softirqs, whose
 * length varies per CPU.  Without it every CPU's tick reaches its leaf
 * rcu_node in the same cycle and all but one note_gp_changes() trylock
 * fail (with 0, that worst case is what runs).  The default, 5 us, is an
 * assumption, not a measurement; GP latency at 1,024+ CPUs depends on
 * it (docs/rcu.md shows how much).
 * Context: tick handler.
 */
void rcu_tick_other_work(const struct rcu_clock *c);
/*
 * rcu_clock_nohz - register fn as this scheme's answer to "does an idle
 * CPU keep its tick?" (engine.h sim_tick_nohz_register, with this
 * clock's jiffy): SIM_TICK_IDLE_JIFFY keeps one tick per jiffy -- the
 * slice that starts each jiffy -- as Linux keeps the tick of an idle CPU
 * while rcu_needs_cpu() is true; SIM_TICK_IDLE_EVERY keeps every slice
 * (a CPU whose kthread or work item the scheme runs from the slices);
 * SIM_TICK_IDLE_STOP lets the tick stop.  Without a hook an idle CPU
 * takes no tick.
 * SOURCE: Linux 3.5 kernel/time/tick-sched.c tick_nohz_stop_sched_tick
 * (rcu_needs_cpu(cpu) || printk_needs_cpu(cpu) || arch_needs_cpu(cpu):
 * next_jiffies = last_jiffies + 1, the tick is not stopped); 2.6.37 has
 * the same test.  Context: host, setup, after rcu_clock_register.
 */
void rcu_clock_nohz(const struct rcu_clock *c, struct sim *sim,
		    enum sim_tick_idle (*fn)(void *arg, uint32_t cpu), void *arg);

/*
 * rcu_clock_next_tick - when the running CPU takes its next tick if it
 * goes idle now (SIM_TIME_NEVER: its tick stops): the engine's
 * sim_idle_next_tick(), for the idle governor's next timer event
 * (tick_nohz_get_sleep_length).  No cost.
 */
static inline sim_time_t rcu_clock_next_tick(void) { return sim_idle_next_tick(); }

/* Current jiffies of this CPU's clock (all CPUs agree: jiffies is
 * simulated time / jiffy).  MODEL: reading jiffies costs nothing. */
static inline uint64_t rcu_jiffies(const struct rcu_clock *c) { return sim_now() / c->jiffy; }

#endif
