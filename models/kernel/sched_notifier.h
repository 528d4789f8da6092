// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Scheduler notifiers: what other kernel models learn when a task on a
 * simulated CPU switches away to the idle task (it blocked on a sleeping
 * lock or slept for a time) and when it switches back in.  Linux does
 * this work inside context_switch(): switch_mm_irqs_off() or
 * enter_lazy_tlb() on the way to idle, and the mm switch back on return
 * (kernel/sched/core.c); preempt notifiers (sched_out / sched_in) are the
 * generic form.  Users: lazy-TLB mode (models/mm), cpuidle (the CPU
 * enters an idle state while the task is away).
 *
 * MODEL: the sim has one task per CPU and no run queue, so "switch away"
 * always means "to idle" and "switch in" means the same task returns.
 *
 * The hooks are per run (sim_attach), set up before the run; a run with
 * none behaves exactly as before (no cost, no access).  (The file is not
 * called sched.h: on the models' flat include path that would shadow the
 * C library's <sched.h>.)
 */
#ifndef SIM_KERNEL_SCHED_NOTIFIER_H
#define SIM_KERNEL_SCHED_NOTIFIER_H

#include <stdint.h>

#include "sim.h"

/*
 * struct sched_notifier - a pair of callbacks, either may be NULL.
 *   sched_out(arg, cpu): the task on cpu has switched away (after
 *     schedule()'s context_switch cycles and its on_cpu = 0 store) and
 *     the CPU is about to idle.
 *   sched_in(arg, cpu): the task on cpu was woken (or its timeout
 *     expired) and is switching back in: called before its on_cpu = 1
 *     store and the context_switch cycles back.
 * Context: the simulated CPU cpu (interrupts enabled); may access
 * simulated lines and yield; whatever it costs is on that CPU's path
 * (sched_in's cycles delay the woken task).
 */
struct sched_notifier {
	void (*sched_out)(void *arg, uint32_t cpu);
	void (*sched_in)(void *arg, uint32_t cpu);
};

#define SCHED_NOTIFIERS_MAX 8u

/*
 * sched_notifier_register - from now on every switch away / back in on
 * any CPU of sim calls n's callbacks with arg; notifiers run in
 * registration order on the way out and in reverse order on the way in.
 * n must outlive the run (a static const table).  At most
 * SCHED_NOTIFIERS_MAX per run.  Context: host (setup); no cost.
 */
void sched_notifier_register(struct sim *sim, const struct sched_notifier *n, void *arg);

/*
 * sched_switch_out / sched_switch_in - run the notifiers (the schedulers
 * of models/lock/klock.c call them).  Context: a simulated CPU of sim;
 * may yield (the notifiers' costs); no notifiers: no cost, no access.
 */
void sched_switch_out(struct sim *sim);
void sched_switch_in(struct sim *sim);

#endif
