// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Cross-CPU calls on simulated CPUs: the kernel code that makes other
 * CPUs run a function -- here, invalidate TLB entries -- by IPI and waits
 * for them (a TLB shootdown).  One implementation per file behind a const
 * struct smp_ops, listed in models/kernel/registry.c:
 *
 *   linux  smp.c      smp_call_function_many_cond(): per-CPU csd per
 *                     target, lock-free llist call_single_queue, one
 *                     multicast IPI to the targets whose queue was empty,
 *                     wait on each csd's lock flag (Linux 5.x kernel/smp.c)
 *   sv6    smp_sv6.c  run_on_cpus(): per-CPU ipi_queue under a spinlock,
 *                     one IPI per target whose queue was idle, wait on one
 *                     shared counter (sv6 kernel/ipi.cc, RadixVM's
 *                     shootdowns)
 *   linux-3.5     smp_tlbvec.c  flush_tlb_others_ipi() of x86 Linux 3.5:
 *   linux-2.6.37                per-vector flush_state slots (32 spread
 *                     by node; 2.6.37: 8, cpu % 8) whose tlbstate_lock is
 *                     held across the whole shootdown, one mask per slot
 *                     that targets clear as their ack (ben's Linux and
 *                     Bonsai's base kernel)
 *
 * Config: "kernel": {"smp": "<name>", "invlpg": ..., "flush_all": ...,
 * "flush_ceiling": ...}; without the section, linux with defaults.
 *
 * Context: flush_tlb_others runs on a simulated CPU with interrupts
 * enabled and may yield; create/destroy/stats are host context.
 */
#ifndef SIM_KERNEL_SMP_H
#define SIM_KERNEL_SMP_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "component.h"
#include "cpumask.h"
#include "cpuidle.h"
#include "sim.h"

/* Parameters every implementation takes (the TLB-side costs). */
struct smp_params {
	uint32_t invlpg;         /* cycles of one INVLPG on the target */
	uint32_t flush_all;      /* cycles of a full TLB flush (CR3 write) */
	uint32_t flush_ceiling;  /* more pages than this: flush_all instead */
	uint32_t handler_work;   /* other cycles in the IPI handler (EOI, bookkeeping) */
	/* the idle governor (models/kernel/cpuidle.h; used only on machines
	 * with machine.idle_states) */
	uint32_t cpuidle_governor;      /* index into cpuidle_governor_names */
	uint32_t cpuidle_inputs;        /* index into cpuidle_inputs_names */
	uint32_t cpuidle_load;          /* inputs "fixed": rq->cpu_load[0] the menu governor reads */
	uint32_t cpuidle_next_timer_us; /* next (non-tick) timer event of a sleeper without one */
	uint32_t hz;                    /* CONFIG_HZ: scheduling-clock ticks per second */
	bool nohz;                      /* CONFIG_NO_HZ: an idle CPU stops its tick */
};

#define SMP_PARAM_ROWS \
	SIM_P_U32_ROW(struct smp_params, invlpg, 0, 1000000, 200, \
		      "cycles of one INVLPG in a shootdown handler"), \
	SIM_P_U32_ROW(struct smp_params, flush_all, 0, 10000000, 500, \
		      "cycles of a full TLB flush (CR3 reload) in a shootdown handler"), \
	SIM_P_U32_ROW(struct smp_params, flush_ceiling, 0, 1u << 20, 33, \
		      "a shootdown of more pages than this flushes the whole TLB " \
		      "(Linux tlb_single_page_flush_ceiling = 33; sv6 uses 4)"), \
	SIM_P_U32_ROW(struct smp_params, handler_work, 0, 10000000, 0, \
		      "other local cycles of the IPI handler (EOI write, bookkeeping)"), \
	SIM_P_ENUM_ROW(struct smp_params, cpuidle_governor, cpuidle_governor_names, 0, \
		       "idle governor on machines with machine.idle_states: menu (Linux 3.5), " \
		       "poll (never leave C0) or menu-2.6.37 (menu with Linux 2.6.37's " \
		       "repeating-pattern detector)"), \
	SIM_P_ENUM_ROW(struct smp_params, cpuidle_inputs, cpuidle_inputs_names, 0, \
		       "menu's load and sleep length: tick (computed as Linux 3.5 does: " \
		       "rq->cpu_load[0] sampled by the scheduling-clock tick, the time to " \
		       "the next tick or, tick stopped, to the next timer) or fixed " \
		       "(cpuidle_load, and cpuidle_next_timer_us from every idle entry)"), \
	SIM_P_U32_ROW(struct smp_params, cpuidle_load, 0, 1u << 20, 1024, \
		      "menu, inputs fixed: rq->cpu_load[0] in the performance multiplier " \
		      "(1024: one nice-0 task, multiplier 11)"), \
	SIM_P_U32_ROW(struct smp_params, cpuidle_next_timer_us, 1, 100000000, 4000, \
		      "menu: microseconds from idle entry to the next timer event of a CPU " \
		      "whose task sleeps without a timeout (inputs tick: the next timer " \
		      "other than the tick, which expires at a jiffy; not measured on ben)"), \
	SIM_P_U32_ROW(struct smp_params, hz, 10, 10000, 250, \
		      "CONFIG_HZ, scheduling-clock ticks per second (menu inputs tick; " \
		      "250: Kconfig's default and Debian's and Ubuntu's; ben's is not known)"), \
	SIM_P_BOOL_ROW(struct smp_params, nohz, true, \
		       "CONFIG_NO_HZ: an idle CPU stops its tick when its next timer is " \
		       "more than a jiffy away (menu inputs tick)")

/*
 * smp_flush_fn - what a target CPU's handler does about the mm whose
 * shootdown it serves: the mm layer's per-CPU TLB contents
 * (models/mm/tlb.c) lose the range there.  Called on the target CPU, in
 * its IPI handler, once per request it serves, with the initiator's CPU
 * id and range (page number start, npages), before the handler pays the
 * invalidation (smp_flush_cost).
 * Return: true if the hook did this CPU's invalidation itself and paid
 * for it (Linux 3.5's smp_invalidate_interrupt on a CPU in lazy-TLB
 * mode calls leave_mm() instead of flushing the range); the handler then
 * does not pay smp_flush_cost.  false: host bookkeeping only, the
 * handler pays the invalidation.
 * Context: the target's IPI handler; a hook that returns false must not
 * touch simulated memory or yield, one that returns true may use the
 * accessors (and yield).
 */
typedef bool (*smp_flush_fn)(void *arg, uint32_t initiator, uint64_t start, uint32_t npages);

#define SMP_FLUSH_HOOKS_MAX 8u
/* The hooks of one smp state (host memory; set up before the run). */
struct smp_flush_hooks {
	uint32_t n;
	struct {
		smp_flush_fn fn;
		void *arg;
	} h[SMP_FLUSH_HOOKS_MAX];
};

/* Host-side counters every implementation keeps. */
struct smp_stats {
	uint64_t shootdowns;     /* flush_tlb_others calls with >= 1 target */
	uint64_t targets;        /* target CPUs over all calls */
	uint64_t ipis;           /* IPIs sent */
	uint64_t handlers;       /* IPI handler runs */
	uint64_t acks;           /* requests completed by targets (csd unlocks / counter decrements) */
	uint64_t cycles;         /* initiators' cycles inside flush_tlb_others */
	uint64_t max_cycles;     /* longest single call */
};

struct smp_ops {
	struct sim_component comp;  /* must come first */
	/* State for the run's CPUs, its lines homed on each CPU's socket. */
	void *(*create)(struct sim *sim, const void *params);
	void (*destroy)(void *st);
	/*
	 * flush_tlb_others - make every CPU set in mask, except the caller,
	 * invalidate npages pages from page number start, and return when all
	 * have (the caller's own TLB is the caller's business: smp_flush_cost).
	 * Cost: the implementation's lines, scans of mask, one IPI per target
	 * at most, and waiting for acknowledgements.  Context: simulated CPU,
	 * interrupts enabled (concurrent initiators serve each other's IPIs
	 * while they wait); may yield.
	 * Return: the number of target CPUs (0: nothing was sent).
	 */
	uint32_t (*flush_tlb_others)(void *st, struct cpumask *mask, uint64_t start, uint32_t npages);
	/* The counters.  Context: host. */
	const struct smp_stats *(*stats)(void *st);
	/* The state's flush hooks (smp_set_flush_fn).  Context: host. */
	struct smp_flush_hooks *(*flush_hooks)(void *st);
};

/*
 * smp_set_flush_fn - from now on every target CPU of a flush_tlb_others
 * on st calls fn(arg, initiator, start, npages) in its handler (see
 * smp_flush_fn); at most SMP_FLUSH_HOOKS_MAX per state, called in the
 * order they were set.  smp_clear_flush_fn removes the pair again.
 * Context: host (setup, teardown); no cost.
 */
void smp_set_flush_fn(const struct smp_ops *ops, void *st, smp_flush_fn fn, void *arg);
void smp_clear_flush_fn(const struct smp_ops *ops, void *st, smp_flush_fn fn, void *arg);
/* smp_flush_hooks_run - call every hook of h (an implementation's
 * handler, on the target CPU, before paying the invalidation).
 * Return: some hook did and paid this CPU's invalidation itself (see
 * smp_flush_fn): the handler skips smp_flush_cost.  Cost: the hooks'. */
bool smp_flush_hooks_run(const struct smp_flush_hooks *h, uint32_t initiator, uint64_t start,
			 uint32_t npages);

const struct sim_component *const *smp_all(void);
const struct smp_ops *smp_find(const char *name);

static inline const struct smp_ops *
smp_ops_from(const struct sim_component *c)
{
	return (const struct smp_ops *)c;
}

/* The implementation the run's "kernel" section chose, or linux with
 * default parameters; *params receives what to pass to create(). */
const struct smp_ops *smp_ops_of(const struct sim *sim, const void **params);

/* Cycles a CPU spends invalidating npages pages by the parameters' rule
 * (invlpg each, or one flush_all above flush_ceiling).  p may be NULL
 * (defaults). */
uint64_t smp_flush_cost(const struct smp_params *p, uint32_t npages);

/* Count one flush_tlb_others call that started at t0 and reached
 * ntargets CPUs, ending now.  Context: simulated CPU (reads the clock). */
void smp_stats_call(struct smp_stats *st, uint64_t t0, uint32_t ntargets);

/* Add the counters to a workload's metrics (host). */
void smp_stats_report(const struct smp_stats *st, cJSON *out);

#endif
