// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The API that code running on simulated CPUs uses.
 *
 * Models (reclaim schemes, locks, trees) and workloads are ordinary C.
 * Their private state (locals, per-CPU structs the host allocates) costs
 * nothing.  Every access to *simulated shared memory* -- memory from
 * sim_alloc() -- must go through the accessors below, which charge the
 * coherence cost model (cache.c) and may yield: the calling coroutine is
 * suspended while simulated time passes and other CPUs run.
 *
 * Memory model: accesses take effect in simulated-time order (ties broken
 * deterministically).  Stores go through a per-CPU FIFO store buffer and
 * become visible when they drain, so the machine is TSO: a load may pass
 * an earlier store to a different address unless a full fence or an RMW
 * separates them.
 * MODEL: Arm's weaker reorderings (store->store, load->load) are not
 * produced; a machine given Arm's barrier costs (no preset is one today)
 * pays them but gets TSO ordering.
 *
 * Context of every function here, unless it says otherwise: on a
 * simulated CPU (inside a workload's cpu_main); "may yield" means
 * simulated time passes and other CPUs run before it returns.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t sim_time_t;

struct sim;

/* ---- Identity and time (no cost, never yield) ---- */

/* This CPU's id, 0 .. sim_ncpus() - 1. */
uint32_t sim_cpu_id(void);
/* Number of simulated CPUs in this run. */
uint32_t sim_ncpus(void);
/* This CPU's clock, in machine cycles. */
sim_time_t sim_now(void);
/* Next number from this CPU's private PRNG stream. */
uint64_t sim_random(void);
/* Uniform in [0, n), n > 0, from this CPU's stream. */
uint64_t sim_random_below(uint64_t n);
/* Topology of this CPU (global ids). */
uint32_t sim_cpu_socket(void);
uint32_t sim_cpu_cluster(void);
uint32_t sim_cpu_core(void);

/* ---- Local work ---- */

/*
 * sim_work - charge cycles of purely local computation.
 * Context: may yield.  Cost: touches no simulated line.
 */
void sim_work(uint64_t cycles);

/* ---- Shared-memory accessors (all may yield) ----
 *
 * Cost (cache.c): a hit costs l1_hit / store_hit / atomic_hit; a miss is
 * a transaction serialized at the line's directory, costed by topology
 * distance.  addr must lie in simulated memory and be naturally aligned.
 */
uint8_t  sim_load8(const void *addr);
uint16_t sim_load16(const void *addr);
uint32_t sim_load32(const void *addr);
uint64_t sim_load64(const void *addr);
void    *sim_loadp(void *const *addr);

void sim_store8(void *addr, uint8_t v);
void sim_store16(void *addr, uint16_t v);
void sim_store32(void *addr, uint32_t v);
void sim_store64(void *addr, uint64_t v);
void sim_storep(void **addr, void *v);

/*
 * sim_zero_lines - zero nlines whole 64-byte lines from addr (line
 * aligned) as one fast-string store: x86 rep stos, as Linux's clear_page
 * runs it.  With machine.line_fill_buffers = 0 each line is one 8-byte
 * store through the store buffer (the line's other words are zeroed on
 * the host at the same moment), so misses drain one at a time.  With
 * N > 0 the store buffer drains first, then a line is issued every
 * store_hit cycles: a line this CPU owns is written at once, any other is
 * taken for writing without reading its data (an invalidation: cache.c's
 * legs with no data leg), up to N such requests in flight; the call
 * returns when the last line is owned.
 * Context: may yield.  Cost: nlines x store_hit (cause hit) plus the
 * wait for free fill buffers and the last line (cause sb_stall).
 */
void sim_zero_lines(void *addr, size_t nlines);

/* Acquire loads and release stores: plain ones plus fence.acquire /
 * fence.release cycles (0 on x86). */
uint32_t sim_load32_acq(const void *addr);
uint64_t sim_load64_acq(const void *addr);
void    *sim_loadp_acq(void *const *addr);
void sim_store32_rel(void *addr, uint32_t v);
void sim_store64_rel(void *addr, uint64_t v);
void sim_storep_rel(void **addr, void *v);

/*
 * Read-modify-writes.  Each returns the value before the operation.  Each
 * first waits for the CPU's store buffer to drain, on every machine: it
 * reads and writes its line directly, so it must come after the CPU's
 * buffered stores.  On x86 (fence.atomic_full_fence) that is the
 * hardware's rule: a locked RMW is a full fence, less fence.full's cost.
 * MODEL: on a machine without it (Arm's relaxed LDADD / CAS), an RMW that
 * follows stores to other lines waits for a drain the hardware would not
 * make.  The kernel atomics that return a value (atomic_*_return, xchg,
 * cmpxchg) are fully ordered on Arm as well, so the extra wait falls only
 * on relaxed ones (atomic_inc, set_bit) there.
 */
uint32_t sim_cas32(void *addr, uint32_t expected, uint32_t desired);
uint64_t sim_cas64(void *addr, uint64_t expected, uint64_t desired);
void    *sim_casp(void **addr, void *expected, void *desired);
uint32_t sim_faa32(void *addr, uint32_t add);
uint64_t sim_faa64(void *addr, uint64_t add);
uint16_t sim_xchg16(void *addr, uint16_t v);
uint32_t sim_xchg32(void *addr, uint32_t v);
uint64_t sim_xchg64(void *addr, uint64_t v);
void    *sim_xchgp(void **addr, void *v);
uint32_t sim_fetch_or32(void *addr, uint32_t bits);
uint32_t sim_fetch_and32(void *addr, uint32_t bits);
uint64_t sim_fetch_or64(void *addr, uint64_t bits);
uint64_t sim_fetch_and64(void *addr, uint64_t bits);

/* ---- Fences ---- */

/* Wait for the store buffer to drain, then pay fence.full. */
void sim_fence_full(void);
/* Pay fence.acquire / fence.release (0 on x86); no drain. */
void sim_fence_acquire(void);
void sim_fence_release(void);

/* ---- Waiting ---- */

/*
 * sim_spin_while_eq64 - spin until the 64-bit value at addr differs from
 * val; return the new value.  Simulated as "load; if unchanged, sleep
 * until some CPU writes that line; repeat", which costs what a real spin
 * loop costs in coherence traffic (one re-read per write to the line)
 * without simulating every idle iteration.  Each wake-up pays
 * latency.pause.  Context: may yield, possibly forever if nobody writes
 * (the engine reports a deadlock when every CPU is blocked).
 */
uint64_t sim_spin_while_eq64(const void *addr, uint64_t val);
uint32_t sim_spin_while_eq32(const void *addr, uint32_t val);

/*
 * sim_spin_while_eq64_until - as above, but give up at simulated time
 * deadline.  Return: the value last read (== val on timeout).
 */
uint64_t sim_spin_while_eq64_until(const void *addr, uint64_t val, sim_time_t deadline);

/*
 * sim_wait_for_write - sleep until some CPU writes the line holding addr
 * (or until deadline; SIM_TIME_NEVER for none), like x86 MONITOR/MWAIT.
 * Call it right after an access that showed the value you wait to see
 * change: if this CPU has lost its copy of the line since (someone took
 * it, and may have written it), it returns at once.  Costs latency.pause
 * on wake-up; loads nothing.  Context: may yield.
 */
#define SIM_TIME_NEVER UINT64_MAX
void sim_wait_for_write(const void *addr, sim_time_t deadline);

/* Sleep until simulated time t (no cost accounted as work). */
void sim_sleep_until(sim_time_t t);

/* ---- Interrupts: the scheduling-clock tick and IPIs ----
 *
 * Models may register tick handlers (sim_tick_register, engine.h) and
 * send inter-processor interrupts.  A handler runs on the CPU's own
 * coroutine, like an interrupt, at the first accessor call at or after
 * its time; sim_work() and sleeps take it at its exact time; spin-waits
 * wake up for it (so, like MWAIT, sim_wait_for_write may return early).
 * Handlers may use every accessor; interrupts do not nest (irq.c).
 */

/*
 * sim_ipi_send - interrupt CPU cpu: latency.ipi_latency later it runs
 * fn(arg) on its own coroutine (after latency.irq_entry), at its next
 * instruction boundary; a sleeping or spin-waiting target wakes up for
 * it.  The sender first drains its store buffer (a full fence, as Linux
 * fences an x2APIC ICR write), so the handler sees the sender's earlier
 * stores; then it pays latency.ipi_send and does not wait for the
 * handler (send an ack through memory if you need one).  An IPI to a CPU
 * that has finished its run is dropped.  Context: may yield.
 */
typedef void (*sim_irq_fn)(void *arg);
void sim_ipi_send(uint32_t cpu, sim_irq_fn fn, void *arg);

/*
 * sim_ipi_multicast - interrupt each of the n CPUs in cpus[] (each runs
 * fn(arg)), as an x2APIC physical-mode mask send does: one full fence,
 * then one message per target in array order, each costing the sender
 * latency.ipi_send (per-target ICR write) and, when the machine sets
 * latency.ipi_occupancy, first a wait until the machine-wide delivery
 * fabric is free (each message holds it ipi_occupancy cycles).  Target k
 * takes its IPI latency.ipi_latency after its own message was sent.
 * Does not wait for handlers.  Context: may yield.
 */
void sim_ipi_multicast(const uint32_t *cpus, uint32_t n, sim_irq_fn fn, void *arg);

/* Mask ticks and IPIs on this CPU (nestable).  Interrupts that come due
 * while masked are delivered by the sim_irq_enable() that unmasks. */
void sim_irq_disable(void);
void sim_irq_enable(void);

/* Sleep until t without ticks (an idle CPU with the tick stopped). */
void sim_idle_until(sim_time_t t);

/*
 * sim_idle_enter - this CPU enters a hardware idle state (a C-state)
 * whose exit latency is exit cycles, from the idle loop: its tick stops
 * unless a NO_HZ hook keeps it (engine.h sim_tick_nohz_register), until
 * sim_idle_exit().  Until sim_idle_exit(), the first
 * interrupt it takes (tick or IPI) first pays those cycles (cause
 * idle_exit), before latency.irq_entry, and leaves the state: the
 * handler runs in C0 and the CPU stays there (whoever runs the idle loop
 * enters a state again).  The caller then waits as usual (the lock
 * schedulers: sim_wait_for_write, sim_sleep_until).  No cost itself,
 * touches no line.
 */
void sim_idle_enter(uint64_t exit);
/*
 * sim_idle_next_tick - the time of the next scheduling-clock tick this
 * CPU would take if it entered the idle loop now (NO_HZ, engine.h
 * sim_tick_nohz_register): the next jiffy while a component needs the
 * CPU, the next tick when it keeps every tick, SIM_TIME_NEVER when its
 * tick would stop (or the run has none).  For an idle governor's next
 * timer event (tick_nohz_get_sleep_length).  No cost, no access.
 */
sim_time_t sim_idle_next_tick(void);
/*
 * sim_idle_exit - leave the idle state entered by sim_idle_enter: the
 * CPU was woken (the line it waited on was written, or its timeout came)
 * and pays the state's exit latency now, uninterruptibly, unless an
 * interrupt already paid it, then leaves the idle loop: its tick
 * restarts.  Return: the cycles paid (0 if not idle).
 * Context: may yield.
 */
uint64_t sim_idle_exit(void);

/* ---- Correctness failures ---- */

/*
 * sim_fail - the code on this CPU detected a correctness failure (a
 * stale read, a value that cannot be, a broken invariant): stop the run
 * with an error "MESSAGE (cpu C, t=T, seed S)" that sim_run() returns,
 * like a use-after-free.  Does not return.
 */
void sim_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- Simulated memory ----
 *
 * The arena is one host mapping; a line is identified by its offset, so
 * layouts (and false sharing) are the same on every machine.  Pointer
 * *values* differ between hosts: hash by sim_addr_offset(), never by
 * the pointer.
 */

/* Zeroed simulated memory, align a power of two <= 4096.  Never returns
 * NULL (aborts when the arena is exhausted).  Context: anywhere. */
void *sim_alloc(size_t size, size_t align);
/* Return memory to its size class.  No cost is charged here -- except
 * for memory an allocator model owns (sim_mem_owner_register, engine.h):
 * that is handed to the allocator's free path, which charges its cost and
 * may yield (then the caller must be on a simulated CPU). */
void sim_free(void *p, size_t size, size_t align);
/* Offset of addr in the arena (deterministic across hosts). */
uint64_t sim_addr_offset(const void *addr);
/* True if addr lies in simulated memory. */
bool sim_addr_valid(const void *addr);

/* ---- Cost attribution ----
 *
 * Cycles are attributed to causes for the per-operation breakdown in
 * results ("metrics.cycles_by_cause").  A model wraps a region in
 * sim_cause_push(SIM_CAUSE_LOCK_WAIT) ... sim_cause_pop(prev) so that all
 * cycles inside it count as that cause, whatever the accesses are.
 */
enum sim_cause {
	SIM_CAUSE_NONE = 0,       /* use the access's own category */
	SIM_CAUSE_WORK,           /* sim_work() */
	SIM_CAUSE_HIT,            /* private-cache hits */
	SIM_CAUSE_QUEUE,          /* waiting for a line's directory */
	SIM_CAUSE_XFER_SMT,       /* transfer from an SMT sibling */
	SIM_CAUSE_XFER_CLUSTER,   /* transfer inside a cluster (LLC) */
	SIM_CAUSE_XFER_SOCKET,    /* transfer between clusters of a socket */
	SIM_CAUSE_XFER_REMOTE,    /* transfer involving another socket */
	SIM_CAUSE_MEM,            /* first touch from DRAM */
	SIM_CAUSE_LLC,            /* read hit in the cluster's LLC */
	SIM_CAUSE_FENCE,          /* fence instructions */
	SIM_CAUSE_SB_STALL,       /* waiting for the store buffer */
	SIM_CAUSE_SPIN,           /* sleeping in a spin-wait */
	SIM_CAUSE_SLEEP,          /* sim_sleep_until() */
	SIM_CAUSE_LOCK_WAIT,      /* model-declared: waiting for a lock */
	SIM_CAUSE_GP_WAIT,        /* model-declared: waiting for a grace period */
	SIM_CAUSE_READ_SIDE,      /* model-declared: read-side critical-section entry/exit */
	SIM_CAUSE_RECLAIM,        /* model-declared: reclaim bookkeeping */
	SIM_CAUSE_IRQ,            /* sending IPIs and entering interrupt handlers */
	SIM_CAUSE_IDLE_EXIT,      /* leaving an idle state (C-state exit latency); reported
	                           * only on machines with machine.idle_states */
	SIM_CAUSE_N
};
const char *sim_cause_name(enum sim_cause c);
enum sim_cause sim_cause_push(enum sim_cause c);
void sim_cause_pop(enum sim_cause prev);

#endif
