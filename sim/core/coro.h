// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Coroutines for simulated CPUs.
 *
 * Each simulated CPU runs ordinary C on its own small stack.  The engine
 * switches between the scheduler (running on the host thread's stack) and a
 * CPU's coroutine with sim_coro_switch().  There is no preemption: a CPU runs
 * until it blocks or yields inside an accessor.
 *
 * Back ends (chosen at build time, -Dcoro=):
 *   asm       hand-written switch of the callee-saved registers
 *             (coro_x86_64.S, coro_aarch64.S): about 10 ns per switch.
 *             On x86-64 the floating-point control state (MXCSR, x87
 *             control word) is not switched: code on a coroutine must
 *             not change the rounding mode or exception masks (fesetround,
 *             fesetenv), or every other CPU would run under the change;
 *   ucontext  swapcontext(3): portable, but one sigprocmask system call per
 *             switch (about 20x slower).
 *
 * Stack layout (one mapping per coroutine, grows down):
 *
 *   low                                                        high
 *   | guard page (optional) | canary (SIM_CORO_CANARY_BYTES) | stack ...|
 *
 * Invariant: the canary is intact whenever control is back in the
 * scheduler.  The engine checks the saved stack pointer against it after
 * every switch back and the whole canary every 1,024th switch and at the
 * end of the run (engine.c stack_ok), so an overflow is reported with
 * the CPU id instead of silently corrupting a neighbour.  Guard pages make an overflow fault at once, but each costs
 * a VMA and Linux allows about 65,530 per process, so they are optional.
 */
#ifndef SIM_CORO_H
#define SIM_CORO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "sim_build_config.h"

#if !SIM_CORO_ASM
#include <ucontext.h>
#endif

#define SIM_CORO_CANARY_BYTES 512

typedef void (*sim_coro_fn)(void *arg);

struct sim_coro {
#if SIM_CORO_ASM
	void *sp;               /* saved stack pointer while switched out
	                         * (NULL until sim_coro_prepare) */
#else
	ucontext_t uc;
	bool prepared;          /* always true after sim_coro_create */
#endif
	void *stack_lo;         /* lowest usable address (after guard) */
	size_t stack_size;      /* usable bytes, canary included */
	void *map;              /* mapping to unmap, or NULL if pooled */
	size_t map_size;
	sim_coro_fn fn;
	void *arg;
	bool finished;          /* left for good (sim_coro_exit) */
	bool populated;         /* its first frame's page is faulted in
	                         * (sim_coro_populate) */
	void *asan_fake_stack;  /* sanitizer fiber bookkeeping */
	unsigned vg_stack_id;   /* valgrind stack registration */
};

/*
 * sim_coro_init_main - describe the calling (scheduler) context.
 * Context: host thread, before any switch.
 */
void sim_coro_init_main(struct sim_coro *main_co);

/*
 * sim_coro_create - make a coroutine that will run fn(arg) on a stack of
 * stack_size bytes carved from stack_mem (which the caller owns, already
 * mapped read-write, at least stack_size bytes, 16-byte aligned).
 * Returns: nothing; the coroutine starts on the first switch to it,
 * after sim_coro_prepare.  Cost: touches none of the stack (asm back
 * end): a 65,536-CPU run's setup faulted in two pages per stack here.
 */
void sim_coro_create(struct sim_coro *co, void *stack_mem, size_t stack_size,
		     sim_coro_fn fn, void *arg);

/*
 * sim_coro_prepare - write co's canary and first frame; call once, when
 * !sim_coro_prepared(co), before the first switch to co.  Cost: the
 * stack's first and last pages (page faults on a fresh mapping).
 */
void sim_coro_prepare(struct sim_coro *co);

/*
 * sim_coro_populate - fault in the page that sim_coro_prepare will write
 * the first frame of each of cos[0..n) to, with one system call per
 * 1,024 coroutines (process_madvise(MADV_POPULATE_WRITE) on the caller's
 * own pidfd, where the kernel takes it; elsewhere, under valgrind or on
 * failure it does nothing and each sim_coro_prepare faults in its own
 * page with a madvise as before).  Returns: false if some were not
 * populated (the caller need not try again).  Host speed only; see coro.c.
 */
bool sim_coro_populate(struct sim_coro *const *cos, size_t n);

/* sim_coro_prepared - sim_coro_prepare(co) has run (or was not needed). */
static inline bool
sim_coro_prepared(const struct sim_coro *co)
{
#if SIM_CORO_ASM
	return co->sp != NULL;
#else
	return co->prepared;
#endif
}

/*
 * sim_coro_switch - save the current context in from, resume to.
 * Context: from must be the running context.  Returns when someone
 * switches back to from.
 */
void sim_coro_switch(struct sim_coro *from, struct sim_coro *to);

/* sim_coro_canary_intact - every canary word is intact (end of run).
 * Cost: reads SIM_CORO_CANARY_BYTES. */
bool sim_coro_canary_intact(const struct sim_coro *co);

/*
 * sim_coro_exit - leave from for good and resume to (the sanitizers free
 * from's bookkeeping).  Context: from is running.  Never returns.
 */
void sim_coro_exit(struct sim_coro *from, struct sim_coro *to) G_GNUC_NORETURN;

/*
 * sim_coro_destroy - forget co (valgrind's stack registration); its stack
 * memory stays the caller's.  Call once per sim_coro_create, after the
 * last switch to co.
 */
void sim_coro_destroy(struct sim_coro *co);

/*
 * sim_coro_release_stacks - call before unmapping or reusing memory that
 * held coroutine stacks: clears AddressSanitizer's poison of the frames
 * left on them (munmap does not), which would otherwise surface as false
 * reports in whatever is mapped there next.
 */
void sim_coro_release_stacks(void *mem, size_t size);

/*
 * A side stack: one stack, shared by every coroutine, for calls that
 * return before anything switches (engine.c runs the directory's and the
 * store buffers' events there when a CPU handles them for the scheduler).
 * Host speed only: at thousands of CPUs each coroutine stack has gone cold
 * by the time its CPU runs again, so every line of it that an event's
 * frames reach below the CPU's own frames is a cache miss; the side stack's
 * lines stay hot.  Under AddressSanitizer and with the ucontext back end
 * the calls run on the caller's stack (no side stack is mapped).
 */
struct sim_side_stack {
	void *top;              /* 16-byte aligned top, or NULL: call directly */
	void *map;              /* the mapping (a guard page, then the stack) */
	size_t map_size;
	unsigned vg_stack_id;   /* valgrind stack registration */
};

/* sim_side_stack_init - map a side stack of size bytes (page multiple).
 * Returns: false if the mapping failed (st then calls directly).
 * sim_side_stack_free - unmap it. */
bool sim_side_stack_init(struct sim_side_stack *st, size_t size);
void sim_side_stack_free(struct sim_side_stack *st);

#if SIM_CORO_ASM
/* Switch the stack pointer to top, call fn(arg), switch back (coro_*.S). */
intptr_t sim_coro_call_on_asm(void *top, intptr_t (*fn)(void *arg), void *arg);
#endif

/*
 * sim_side_call - fn(arg) on st's stack; returns its result.  fn must
 * return normally (no coroutine switch, no longjmp out of it).
 */
static inline intptr_t
sim_side_call(struct sim_side_stack *st, intptr_t (*fn)(void *arg), void *arg)
{
#if SIM_CORO_ASM
	if (st->top != NULL)
		return sim_coro_call_on_asm(st->top, fn, arg);
#else
	(void)st;
#endif
	return fn(arg);
}

#endif
