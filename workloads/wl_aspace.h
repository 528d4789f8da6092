// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * What the address-space workloads (mapbench.c, willitscale.c) share:
 * building one process's address space from the run's sections and
 * reporting it.  The process is every simulated CPU: thread i runs on
 * CPU i (pinned, as mapbench and will-it-scale's threads mode do), all
 * threads share the one address space.
 *
 *   "aspace"  (required) the design and the mm's parameters
 *   "tree"    the design's index (optional: the design's default)
 *   "reclaim" the reclaim scheme (optional for designs that need none)
 *   "kalloc", "locking", "kernel" (optional: their defaults)
 *
 * Context: wl_aspace_setup/report/teardown are host context; the
 * wl_as_* calls run on a simulated CPU and may yield.
 */
#ifndef WL_ASPACE_H
#define WL_ASPACE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "aspace.h"
#include "sim.h"

/* The sections an address-space workload requires / may use. */
#define WL_ASPACE_REQUIRES (1u << SIM_SECTION_ASPACE)
#define WL_ASPACE_USES ((1u << SIM_SECTION_TREE) | (1u << SIM_SECTION_RECLAIM) | \
			(1u << SIM_SECTION_KALLOC) | (1u << SIM_SECTION_LOCKING) | \
			(1u << SIM_SECTION_KERNEL))

struct wl_aspace {
	struct sim *sim;
	const struct aspace_ops *ops;
	void *as;                        /* the design's state */
	struct aspace_env env;
	const struct rcl_ops *rcl;       /* NULL without a "reclaim" section */
	void *rs;
	struct kalloc *ka;
	struct klock *kl;
	const struct smp_ops *smp;
	void *smp_state;
	uint64_t syscall_cycles;         /* local cycles of one syscall entry + exit */
	uint64_t *done;                  /* simulated, own line: threads finished; each
					  * thread adds 1 (wl_as_cpu_exit) */
};

/*
 * wl_aspace_setup - build the allocator, locks, cross-CPU calls, reclaim
 * scheme and the design's address space for the run (mm-wide lines homed
 * on CPU 0's socket, where mapbench's main thread runs).
 * Context: host (workload setup).
 */
void wl_aspace_setup(struct wl_aspace *w, struct sim *sim, uint64_t syscall_cycles);

/* The report's "aspace" object: design, check (aspace_check_ok and, if
 * false, aspace_check_why at the top level), the design's stats; and
 * "reclaim" with the scheme's.  Return: check() held.  Context: host. */
bool wl_aspace_report(struct wl_aspace *w, cJSON *metrics);
void wl_aspace_teardown(struct wl_aspace *w);

/*
 * The syscalls a thread makes.  Each costs syscall_cycles of entry and
 * exit besides the design's op, and the return to user mode is a
 * quiescent state for the reclaim scheme (schemes that have them).
 * They fail the run (sim_fail) on an error return: the benchmarks assert
 * that their calls succeed.
 */
uint64_t wl_as_mmap(struct wl_aspace *w, uint64_t addr, uint64_t len, unsigned flags);
void wl_as_munmap(struct wl_aspace *w, uint64_t addr, uint64_t len);
uint64_t wl_as_brk(struct wl_aspace *w, uint64_t newbrk);
/* A user-mode one-byte store (write) or load of addr (aspace_access),
 * then a quiescent state.  Fails the run on SIGSEGV. */
void wl_as_touch(struct wl_aspace *w, uint64_t addr, bool write);
/* This CPU is done: wait until every thread is (a shootdown may still
 * target this CPU, and an IPI to a CPU that left the run is dropped),
 * then the reclaim scheme's cpu_exit. */
void wl_as_cpu_exit(struct wl_aspace *w);

#endif
