// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * CPU idle time management (Linux's drivers/cpuidle): when the task on a
 * simulated CPU blocks, the CPU runs the idle loop, whose governor picks
 * one of the machine's idle states (machine.idle_states: the driver's
 * table) for the idle period it predicts; the wake-up that ends the
 * period pays the state's exit latency before anything runs (sim.h:
 * sim_idle_enter / sim_idle_exit; an interrupt taken while idle pays it
 * in the engine).  One governor per const struct cpuidle_governor, in
 * cpuidle.c:
 *
 *   menu  Linux 3.5's drivers/cpuidle/governors/menu.c: the next timer
 *         event times a per-bucket correction factor, overridden by the
 *         typical interval of the last 8 idle periods when they repeat;
 *         the deepest state whose target residency and exit latency x
 *         performance multiplier (1 + 2 x load + 10 x iowait) fit
 *   poll  never leaves C0 (cpuidle's POLL state; exit latency 0): what
 *         the sim did before idle states existed
 *   menu-2.6.37  menu as Linux 2.6.37 has it (Bonsai's kernel): the
 *         same except the pattern detector, detect_repeating_patterns,
 *         which takes the plain average of the last 8 periods only if it
 *         is nonzero, within the next timer event and their variance is
 *         under 400 us^2 (3.5's typical interval drops outliers and also
 *         accepts a spread below 1/6 of the average)
 *
 * Config: the "kernel" section's cpuidle_governor ("menu" default),
 * cpuidle_inputs ("tick" default: load and sleep length computed from the
 * scheduling-clock tick, hz and nohz; "fixed": cpuidle_load), and
 * cpuidle_next_timer_us (models/kernel/smp.h).  A
 * machine without idle states has no cpuidle: cpuidle_get() returns NULL
 * and every caller behaves exactly as before.
 *
 * Governor state (intervals, correction factors) and counters are host
 * memory: Linux keeps them in per-CPU data only the CPU itself touches
 * (struct menu_device), so they cost no simulated line.
 */
#ifndef SIM_KERNEL_CPUIDLE_H
#define SIM_KERNEL_CPUIDLE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "sim.h"

struct cpuidle;

/* The governors' names, for the "kernel" section's cpuidle_governor enum
 * (index = the row's value). */
extern const char *const cpuidle_governor_names[];
/* Where menu's inputs come from, for the "kernel" section's
 * cpuidle_inputs enum: "tick" (computed), "fixed" (the config's values). */
extern const char *const cpuidle_inputs_names[];

/*
 * cpuidle_get - the run's idle-time manager, made on first call and
 * attached to sim (sim_attach) until sim_destroy.  Return: NULL if the
 * machine has no idle states.  Context: host (setup); no cost.
 */
struct cpuidle *cpuidle_get(struct sim *sim);

/*
 * cpuidle_enter - one turn of the idle loop on the running CPU: the
 * governor predicts the idle period (until the next timer event: the
 * sleeper's own deadline, SIM_TIME_NEVER for none, or the CPU's next
 * timer event: the tick or kernel.cpuidle_next_timer_us from now, see
 * cpuidle.c) and the CPU enters the
 * state it picks.  The caller then waits (sim_wait_for_write,
 * sim_sleep_until) until the returned time at the latest -- the timer
 * event, which wakes the CPU -- and calls cpuidle_exit() when it wakes.
 * Return: the time of the next timer event.
 * Context: simulated CPU, its task switched away.  Cost: none, except
 * that a state with tlb_flushed first runs the registered TLB-flush hooks
 * (cpuidle_tlb_flush_register: leave_mm's lines), which may yield.
 */
sim_time_t cpuidle_enter(struct cpuidle *ci, sim_time_t deadline);

/*
 * cpuidle_tlb_flush_register - from now on, each time a CPU enters an idle
 * state whose tlb_flushed is set (machine.idle_states), cpuidle_enter
 * calls fn(arg, cpu) on that CPU first: intel_idle's leave_mm(cpu) for a
 * CPUIDLE_FLAG_TLB_FLUSHED state.  fn may touch lines and yield.  No-op on
 * a machine without idle states.  Context: host (setup).
 */
void cpuidle_tlb_flush_register(struct sim *sim, void (*fn)(void *arg, uint32_t cpu), void *arg);

/*
 * cpuidle_exit - the CPU woke from the state cpuidle_enter chose: pay its
 * exit latency (unless an interrupt did) and let the governor learn the
 * period's length (menu_update: residency including the exit latency).
 * Context: simulated CPU; may yield.  Cost: the exit latency (cause
 * idle_exit), no access.
 */
void cpuidle_exit(struct cpuidle *ci);

/*
 * cpuidle_loop_exit - the CPU leaves the idle loop: its task runs again
 * (cpu_idle's tick_nohz_idle_exit before schedule()).  Call it once after
 * the cpuidle_enter/cpuidle_exit turns of one sleep.  With inputs tick,
 * updates the runqueue's load as update_cpu_load_nohz does.
 * Context: simulated CPU; no cost, no access.
 */
void cpuidle_loop_exit(struct cpuidle *ci);

/*
 * cpuidle_stats - add "cpuidle": {governor, per-state entries and
 * residency, exit_latency_cycles} to out, if sim has a cpuidle.
 * Context: host, after the run.
 */
void cpuidle_stats(struct sim *sim, cJSON *out);

#endif
