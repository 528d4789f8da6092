// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The engine as the CLI, tests and workload setup see it: create a run
 * from a validated configuration, run it, collect results.
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "component.h"
#include "machine.h"
#include "sim.h"
#include "workload.h"

enum sim_guard_mode { SIM_GUARD_AUTO, SIM_GUARD_ON, SIM_GUARD_OFF };

/* The "engine" block of a config. */
struct sim_engine_options {
	uint32_t stack_kib;         /* coroutine stack per CPU */
	int stack_guard;            /* enum sim_guard_mode */
	uint64_t arena_mib;         /* simulated memory; 0 = automatic */
	uint64_t max_cycles;        /* stop with an error past this simulated time; 0 = none */
	uint64_t memory_budget_mib; /* refuse runs estimated above this; 0 = 80% of RAM */
	uint32_t jitter;            /* random 0..jitter cycles before every access (schedule exploration) */
	uint32_t jitter_every;      /* ... before one access in jitter_every on average (1 = all) */
};
extern const struct sim_param sim_engine_params[];

/* A validated run description (config.c builds it). */
struct sim_run_config {
	struct sim_machine *machine;
	uint32_t cpus;
	uint64_t seed;
	const struct sim_workload_ops *workload;
	void *workload_params;      /* filled from workload->params */
	struct sim_engine_options engine;
	struct sim_choice choice[SIM_SECTION_N]; /* model components ("reclaim", ...) */
	cJSON *effective;           /* the effective config, defaults filled in */
	char *config_file;          /* for messages */
};

void sim_run_config_free(struct sim_run_config *rc);

/*
 * sim_create - allocate CPUs, stacks and memory for a run.
 * Return: the run, or NULL with *err (SIM_CONFIG_ERROR_LIMIT when the
 * estimated host memory exceeds the budget).
 * Context: host.  Only one run may exist at a time.
 */
struct sim *sim_create(const struct sim_run_config *rc, GError **err);

/*
 * sim_run - run the workload on every CPU until all return.
 * Return: TRUE, or FALSE with *err on a simulated deadlock, a stack
 * overflow, max_cycles exceeded, the host-memory budget exceeded, or a
 * stop request (SIM_CONFIG_ERROR_INTERRUPTED, saying how far the run got;
 * a request made before sim_run starts counts: clear it with
 * sim_clear_stop() first if it should not).
 */
gboolean sim_run(struct sim *sim, GError **err);

/* sim_results - the full results document (caller owns it). */
cJSON *sim_results(struct sim *sim);

void sim_destroy(struct sim *sim);

/* Progress callback: called about once per host second during sim_run. */
typedef void (*sim_progress_fn)(void *arg, sim_time_t now, sim_time_t goal,
				uint64_t events, double host_seconds);
void sim_set_progress(struct sim *sim, sim_progress_fn fn, void *arg);

/*
 * Overrun callback: called once during sim_run, at the first event past
 * SIM_OVERRUN_FACTOR times the workload's run length (its progress goal)
 * plus SIM_OVERRUN_SLACK cycles, if the run gets there: the workload's
 * CPUs are long past their work and something (exit drains waiting for
 * grace periods, a sleeper's last nap) keeps the run going.  A run that
 * never ends there has usually lost a wake-up; engine.max_cycles bounds
 * it.  Host side only: results do not depend on it, and when it fires
 * depends only on the config and seed.  Not called for a workload
 * without a goal.
 */
#define SIM_OVERRUN_FACTOR 8u
#define SIM_OVERRUN_SLACK UINT64_C(1000000000)
typedef void (*sim_overrun_fn)(void *arg, sim_time_t now, sim_time_t goal);
void sim_set_overrun(struct sim *sim, sim_overrun_fn fn, void *arg);

/* Ask a running sim_run to stop at the next event (async-signal-safe). */
void sim_request_stop(void);

/* sim_stop_requested - has sim_request_stop() been called since the last
 * sim_run() started (or sim_clear_stop())?  Async-signal-safe. */
bool sim_stop_requested(void);

/* sim_clear_stop - forget a stop request (host context). */
void sim_clear_stop(void);

/*
 * Invariant checkers.  In debug builds (NDEBUG not defined: the default
 * debugoptimized build) the engine calls every registered checker after
 * every event, in registration order; release builds compile the calls
 * out.  A checker must be cheap -- it runs once per event -- so it looks
 * at what the event can have changed, not at everything.
 *
 * A checker returns true if its invariants hold; otherwise it appends
 * what is wrong to why, and the engine aborts the run with
 * "invariant NAME violated after event E at t=T: WHY" (a broken invariant
 * is a bug that the seed reproduces, not a user error).
 * Context: host (the scheduler), between events; must not yield or
 * charge simulated time.
 */
typedef bool (*sim_invariant_fn)(void *arg, const struct sim *sim, sim_time_t now,
				 GString *why);

/*
 * sim_invariant_hook_register - add a checker for the lifetime of sim.
 * @name: shown in the abort message (a string literal, not copied)
 * Context: host, before or during sim_run (e.g. in a workload's setup).
 */
void sim_invariant_hook_register(struct sim *sim, const char *name, sim_invariant_fn fn,
				 void *arg);

/* ---- For workload setup/report (host context) ---- */
const struct sim_machine *sim_machine_of(const struct sim *sim);
uint32_t sim_ncpus_of(const struct sim *sim);
uint64_t sim_seed_of(const struct sim *sim);
/* Latest clock of any CPU when the run ended. */
sim_time_t sim_end_time(const struct sim *sim);
/*
 * sim_mem_prime - make cpu the exclusive (M) owner of the lines covering
 * [addr, addr+size), homed on cpu's socket, at no cost: models a setup
 * thread that initialized the data on that CPU.
 */
void sim_mem_prime(struct sim *sim, void *addr, size_t size, uint32_t cpu);
/*
 * sim_mem_place - make socket the home of the lines covering
 * [addr, addr+size): their directory and their DRAM sit on that socket
 * (NUMA placement: what a setup thread or an allocator that takes pages
 * from a node's free lists decides).  Lines nobody placed are homed on
 * the socket of the first CPU that misses on them (Linux's first-touch
 * policy).  Placement changes no cached copy and costs nothing; on the
 * host, whole chunks of lines (SIM_LINE_CHUNK, a 4 KiB page) nobody has
 * touched yet are placed when first used, so a large pool costs no host
 * memory until then, and a page of it used costs its own chunk only.
 * Context: host (setup) or a simulated CPU; no line in the range may have
 * requests waiting at its directory.
 */
void sim_mem_place(struct sim *sim, void *addr, size_t size, uint32_t socket);
/*
 * sim_mem_owner_register - [addr, addr+size) is managed by an allocator
 * modelled on simulated CPUs (models/mm/kalloc.h): from now on sim_free()
 * of a block inside it calls fn(arg, p, size) on the freeing CPU instead
 * of returning the block to the arena, so frees from anywhere (a reclaim
 * scheme's deferred frees included) return memory to that allocator and
 * pay its free path.  At most 4 ranges per run.
 * Context: host (setup).
 */
typedef void (*sim_mem_free_fn)(void *arg, void *p, size_t size);
void sim_mem_owner_register(struct sim *sim, void *addr, size_t size, sim_mem_free_fn fn,
			    void *arg);
/*
 * sim_mem_set_poison - mark the 8-byte words covering [addr, addr+size)
 * freed (on: filled with 0xdb; any later simulated access is a
 * use-after-free that stops the run, as after sim_free()) or live again
 * (off: contents left as they are).  For allocators that model their own
 * free lists.  Like sim_free(), poisoning on a simulated CPU drops that
 * CPU's stores to the range still in its store buffer (they precede the
 * free); other CPUs' buffered stores stop the run when they drain.
 * Costs nothing.  Context: host or a simulated CPU.
 */
void sim_mem_set_poison(struct sim *sim, void *addr, size_t size, bool on);
/* sim_mem_any_poisoned - is any 8-byte word of [addr, addr+size) freed?
 * (double-free checks; costs nothing). */
bool sim_mem_any_poisoned(struct sim *sim, const void *addr, size_t size);
/*
 * sim_tick_register - call fn(arg) on every CPU every period cycles
 * (aligned at multiples of period, or, with skew, CPU i offset by
 * i * period / ncpus, like Linux's skew_tick).  Several components may
 * register handlers (up to 8); they must agree on period and skew --
 * otherwise sim_run() fails with a message naming both periods.
 * Context: host, during workload/model setup.
 */
typedef void (*sim_tick_fn)(void *arg);
void sim_tick_register(struct sim *sim, uint64_t period, bool skew, sim_tick_fn fn, void *arg);

/*
 * NO_HZ idle (Linux 3.5 kernel/time/tick-sched.c tick_nohz_idle_enter ->
 * tick_nohz_stop_sched_tick, tick_nohz_irq_exit, tick_nohz_idle_exit;
 * the same test in 2.6.37's tick_nohz_stop_sched_tick): a CPU in the
 * idle loop (sim_idle_enter .. sim_idle_exit, sim.h) stops its tick
 * unless some component needs the CPU.  Each registered hook answers for
 * one CPU, on that CPU, at idle entry and again after every interrupt
 * the idle CPU takes (irq exit); the CPU then takes:
 *   SIM_TICK_IDLE_STOP   no tick at all (the default, with no hooks);
 *   SIM_TICK_IDLE_JIFFY  one tick per jiffy, at the slice that starts
 *                        each jiffy (rcu_needs_cpu() true: next_jiffies =
 *                        last_jiffies + 1, the tick is not stopped);
 *   SIM_TICK_IDLE_EVERY  every registered tick (every slice), as a
 *                        running CPU does.
 * The largest answer of all hooks wins.  On sim_idle_exit the tick
 * restarts at the first tick after the CPU's time (tick_nohz_restart's
 * hrtimer_forward).  A CPU that never calls sim_idle_enter (machines
 * without idle states) takes every tick, as before.
 * jiffy: cycles per jiffy, a multiple of the tick period.  Hooks must
 * agree on it (sim_run() fails otherwise).  A hook may not access
 * simulated memory or yield.  Context: host, during setup.
 */
enum sim_tick_idle { SIM_TICK_IDLE_STOP, SIM_TICK_IDLE_JIFFY, SIM_TICK_IDLE_EVERY };
typedef enum sim_tick_idle (*sim_tick_idle_fn)(void *arg, uint32_t cpu);
void sim_tick_nohz_register(struct sim *sim, uint64_t jiffy, sim_tick_idle_fn fn, void *arg);

/* Ticks and IPIs CPU cpu has taken so far. */
uint64_t sim_cpu_ticks(const struct sim *sim, uint32_t cpu);
uint64_t sim_cpu_ipis(const struct sim *sim, uint32_t cpu);
/* Cycles IPI senders spent waiting for the delivery fabric (irq.c). */
uint64_t sim_ipi_fabric_waited(const struct sim *sim);

/*
 * sim_attach - give sim a piece of per-run data for a model-level
 * registry (the scheduler notifiers of models/kernel/sched_notifier.c, ...):
 * sim_attached(sim, key) returns data until sim_destroy, which calls
 * free_fn(data) (if not NULL) after the workload's teardown, in reverse
 * order of attachment.  key identifies the registry (the address of one
 * of its static objects); one attachment per key, at most 8 per run.
 * Context: host (setup) or a simulated CPU; costs nothing.
 */
void sim_attach(struct sim *sim, const void *key, void *data, void (*free_fn)(void *data));
void *sim_attached(const struct sim *sim, const void *key);

/* sim_set_free_label - name the scheme that frees memory, for
 * use-after-free reports ("freed ... under gus"). */
void sim_set_free_label(struct sim *sim, const char *label);

/* The component a config section chose (NULL if absent) and its params. */
const struct sim_component *sim_choice_of(const struct sim *sim, enum sim_section_id sec,
					  const void **params);

/* Does the run report cause c in cycles_by_cause?  All causes, except
 * idle_exit on machines without idle states (their results keep the
 * keys they always had). */
bool sim_cause_reported(const struct sim *sim, enum sim_cause c);

/* Cycles CPU cpu spent on cause c (for workload metrics). */
uint64_t sim_cpu_cycles(const struct sim *sim, uint32_t cpu, enum sim_cause c);

/*
 * What CPU cpu's accesses have done so far (counters only: they cost
 * nothing and change no result).
 *   loads, stores, rmws: accessor calls;
 *   load_misses: loads that were neither a private-cache hit nor
 *     forwarded from the CPU's own store buffer (each a request to the
 *     line's directory: a transfer, an LLC hit or DRAM);
 *   store_misses: write-ownership requests the store buffer sent (a store
 *     to a line this CPU did not own in M/E when it drained; consecutive
 *     stores to one line need one);
 *   rmw_misses: RMWs that had to take their line.
 * Stores still in the store buffer are not counted yet.
 * Context: host, or a simulated CPU reading any CPU's counters; no cost.
 */
struct sim_access_counts {
	uint64_t loads, stores, rmws;
	uint64_t load_misses, store_misses, rmw_misses;
};
void sim_cpu_access_counts(const struct sim *sim, uint32_t cpu, struct sim_access_counts *out);

#endif
