// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Coroutine back ends; see coro.h for the stack layout and invariants.
 *
 * Sanitizers: AddressSanitizer keeps shadow state per stack, so every
 * switch is announced with __sanitizer_start_switch_fiber() and completed
 * with __sanitizer_finish_switch_fiber() (compiler-rt's common_interface_defs.h).
 * Without this, ASan reports false stack-buffer overflows after the first
 * switch.  A coroutine that leaves for good says so (sim_coro_exit), so
 * ASan frees its fake stack.  ASan also keeps the poison of stack frames
 * that were live when a coroutine stopped, and munmap() does not clear
 * it: a later mapping at the same address (the next run's stacks, or
 * malloc's) would then report false overflows.  So stacks are unpoisoned
 * when a coroutine is made and when they are released
 * (sim_coro_release_stacks).
 *
 * The ucontext back end is not for sanitizer runs: ASan warns that it
 * does not fully support swapcontext (one line on stderr per process)
 * and does not see stack overflows there; CI uses the assembly switch.
 *
 * Valgrind: memcheck takes a jump of the stack pointer into another
 * registered stack as a switch, and anything else as a huge frame (it
 * then warns and may report false errors), so every coroutine stack is
 * registered with VALGRIND_STACK_REGISTER while it exists.  The client
 * requests cost a few instructions when not running under valgrind.
 */
#include "coro.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#endif

#ifdef SIM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if SIM_HAVE_VALGRIND
#include <valgrind/valgrind.h>
#endif

#define CANARY_WORD 0x5ca1ab1edeadc0deULL
/* The canary: word i is CANARY_WORD ^ i.  Written and compared whole
 * (memcpy, memcmp: a run's end checks every CPU's, 65,536 of them). */
#define CANARY8(i) CANARY_WORD ^ (i), CANARY_WORD ^ ((i) + 1), CANARY_WORD ^ ((i) + 2), \
	CANARY_WORD ^ ((i) + 3), CANARY_WORD ^ ((i) + 4), CANARY_WORD ^ ((i) + 5), \
	CANARY_WORD ^ ((i) + 6), CANARY_WORD ^ ((i) + 7)
static const uint64_t canary[] = {
	CANARY8(0), CANARY8(8), CANARY8(16), CANARY8(24),
	CANARY8(32), CANARY8(40), CANARY8(48), CANARY8(56),
};
_Static_assert(sizeof(canary) == SIM_CORO_CANARY_BYTES, "one canary word per 8 bytes");

#ifdef SIM_ASAN
/* Stack bounds of the scheduler context, learnt from the sanitizer. */
static const void *main_stack_lo;
static size_t main_stack_size;
#endif

static void
asan_start(struct sim_coro *from, const struct sim_coro *to)
{
#ifdef SIM_ASAN
	const void *lo = to->stack_lo ? to->stack_lo : main_stack_lo;
	size_t size = to->stack_lo ? to->stack_size : main_stack_size;
	__sanitizer_start_switch_fiber(from->finished ? NULL : &from->asan_fake_stack,
				       lo, size);
#else
	(void)from;
	(void)to;
#endif
}

static void
asan_finish(struct sim_coro *self, bool from_main)
{
#ifdef SIM_ASAN
	const void *lo;
	size_t size;
	__sanitizer_finish_switch_fiber(self->asan_fake_stack, &lo, &size);
	if (from_main && main_stack_lo == NULL) {
		main_stack_lo = lo;
		main_stack_size = size;
	}
#else
	(void)self;
	(void)from_main;
#endif
}

static void
stack_registered(struct sim_coro *co)
{
#ifdef SIM_ASAN
	ASAN_UNPOISON_MEMORY_REGION(co->stack_lo, co->stack_size);
#endif
#if SIM_HAVE_VALGRIND
	co->vg_stack_id = VALGRIND_STACK_REGISTER((char *)co->stack_lo,
						  (char *)co->stack_lo + co->stack_size);
#endif
	(void)co;
}

void
sim_coro_destroy(struct sim_coro *co)
{
#if SIM_HAVE_VALGRIND
	if (co->stack_lo != NULL)
		VALGRIND_STACK_DEREGISTER(co->vg_stack_id);
#endif
	co->stack_lo = NULL;
}

void
sim_coro_release_stacks(void *mem, size_t size)
{
#ifdef SIM_ASAN
	ASAN_UNPOISON_MEMORY_REGION(mem, size);
#endif
	(void)mem;
	(void)size;
}

bool
sim_side_stack_init(struct sim_side_stack *st, size_t size)
{
	memset(st, 0, sizeof(*st));
#if SIM_CORO_ASM && !defined(SIM_ASAN)
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return false;
	if (mprotect(p, page, PROT_NONE) != 0) {
		munmap(p, size + page);
		return false;
	}
	st->map = p;
	st->map_size = size + page;
	st->top = (char *)p + size + page;
#if SIM_HAVE_VALGRIND
	st->vg_stack_id = VALGRIND_STACK_REGISTER((char *)p + page, (char *)st->top);
#endif
#else
	(void)size;
#endif
	return true;
}

void
sim_side_stack_free(struct sim_side_stack *st)
{
	if (st->map == NULL)
		return;
#if SIM_HAVE_VALGRIND
	VALGRIND_STACK_DEREGISTER(st->vg_stack_id);
#endif
	munmap(st->map, st->map_size);
	memset(st, 0, sizeof(*st));
}

static void
coro_entry(struct sim_coro *co)
{
	asan_finish(co, true);
	co->fn(co->arg);
	abort();        /* fn must switch away for good; see engine.c */
}

void
sim_coro_init_main(struct sim_coro *main_co)
{
	memset(main_co, 0, sizeof(*main_co));
}

static void
fill_canary(struct sim_coro *co)
{
#ifdef SIM_ASAN
	/* A new run maps its stacks where the last run's were; coroutines
	 * that never returned left their frames' redzones poisoned there. */
	__asan_unpoison_memory_region(co->stack_lo, co->stack_size);
#endif
	memcpy(co->stack_lo, canary, sizeof(canary));
}

bool
sim_coro_canary_intact(const struct sim_coro *co)
{
	const uint64_t *w = co->stack_lo;
	if (w == NULL || !sim_coro_prepared(co))
		return true;    /* nothing has run on the stack */
	return memcmp(w, canary, sizeof(canary)) == 0;
}


void
sim_coro_exit(struct sim_coro *from, struct sim_coro *to)
{
	from->finished = true;
	sim_coro_switch(from, to);
	abort();        /* nobody switches back to a finished coroutine */
}

#if SIM_CORO_ASM

void sim_coro_switch_asm(void **save_sp, void *new_sp);
void sim_coro_trampoline(void);

void
sim_coro_create(struct sim_coro *co, void *stack_mem, size_t stack_size,
		sim_coro_fn fn, void *arg)
{
	memset(co, 0, sizeof(*co));
	co->stack_lo = stack_mem;
	co->stack_size = stack_size;
	co->fn = fn;
	co->arg = arg;
	stack_registered(co);
	/* sp stays NULL: sim_coro_prepare writes the stack */
}

/*
 * Fault in the page holding addr with one madvise(MADV_POPULATE_WRITE)
 * (Linux 5.14+; elsewhere, or if it fails, the first write faults it in as
 * before).  Host speed only: on the shared 2-CPU test host (a paravirtualized
 * guest) a first write to a fresh anonymous page costs 15 us of CPU and
 * this plus the write 11.5 us (65,536 stack pages: 1.00 -> 0.77 s), and a
 * 65,536-CPU run's setup is mostly those first writes, one stack page per
 * CPU.
 */
static void
populate_page(uintptr_t addr)
{
#ifdef MADV_POPULATE_WRITE
	static uintptr_t page;
	if (page == 0)
		page = (uintptr_t)sysconf(_SC_PAGESIZE);
	(void)madvise((void *)(addr & ~(page - 1)), page, MADV_POPULATE_WRITE);
#else
	(void)addr;
#endif
}

/* The highest byte of co's first frame (sim_coro_prepare). */
static uintptr_t
first_frame_top(const struct sim_coro *co)
{
	return ((uintptr_t)co->stack_lo + co->stack_size - 32) & ~(uintptr_t)15;
}

/*
 * One process_madvise(MADV_POPULATE_WRITE) for many stacks' first pages
 * instead of one madvise each.  Host speed only: on the shared 2-CPU test
 * host (a paravirtualized guest) a 65,536-CPU faa run with one access per
 * CPU spent 0.25 s of system time with one madvise per stack and 0.12-0.18 s
 * with these batches (same pages: 82,480 minor faults either way).  The
 * first user-mode write to each page still costs about 6 us there (the
 * hypervisor's, charged as user time), which no system call removes.
 */
bool
sim_coro_populate(struct sim_coro *const *cos, size_t n)
{
#if defined(MADV_POPULATE_WRITE) && defined(SYS_process_madvise) && defined(SYS_pidfd_open)
#if SIM_HAVE_VALGRIND
	if (RUNNING_ON_VALGRIND)
		return false;   /* valgrind 3.19 does not know the call */
#endif
	enum { BATCH = 1024 };  /* UIO_MAXIOV */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return false;
	/* on the heap: the caller may be a coroutine, whose stack is small */
	struct iovec *iov = malloc((n < BATCH ? n : BATCH) * sizeof(*iov) + 1);
	if (iov == NULL) {
		close(pidfd);
		return false;
	}
	bool all = true;
	for (size_t b = 0; b < n; b += BATCH) {
		size_t k = n - b < BATCH ? n - b : BATCH;
		for (size_t i = 0; i < k; i++) {
			iov[i].iov_base = (void *)((first_frame_top(cos[b + i]) - 1) & ~(page - 1));
			iov[i].iov_len = page;
		}
		if (syscall(SYS_process_madvise, pidfd, iov, k, MADV_POPULATE_WRITE, 0) !=
		    (long)(k * page)) {
			all = false;    /* the rest fault in one by one */
			break;
		}
		for (size_t i = 0; i < k; i++)
			cos[b + i]->populated = true;
	}
	free(iov);
	close(pidfd);
	return all;
#else
	(void)cos;
	(void)n;
	return false;
#endif
}

void
sim_coro_prepare(struct sim_coro *co)
{
	uintptr_t top = first_frame_top(co);
	if (!co->populated)
		populate_page(top - 1);
	fill_canary(co);
#if defined(__x86_64__)
	/* r15, r14, r13, r12, rbx, rbp, return address */
	uint64_t *f = (uint64_t *)(top - 7 * 8);
	memset(f, 0, 7 * 8);
	f[2] = (uint64_t)(uintptr_t)co;               /* r13: argument */
	f[3] = (uint64_t)(uintptr_t)coro_entry;       /* r12: entry */
	f[6] = (uint64_t)(uintptr_t)sim_coro_trampoline;
	co->sp = f;
#elif defined(__aarch64__)
	uint64_t *f = (uint64_t *)(top - 160);
	memset(f, 0, 160);
	f[0] = (uint64_t)(uintptr_t)coro_entry;       /* x19 */
	f[1] = (uint64_t)(uintptr_t)co;               /* x20 */
	f[11] = (uint64_t)(uintptr_t)sim_coro_trampoline; /* x30 */
	co->sp = f;
#else
#error "no assembly coroutine switch for this CPU; configure with -Dcoro=ucontext"
#endif
}

void
sim_coro_switch(struct sim_coro *from, struct sim_coro *to)
{
	asan_start(from, to);
	sim_coro_switch_asm(&from->sp, to->sp);
	asan_finish(from, false);
}

#else /* ucontext */

static void
uc_entry(unsigned hi, unsigned lo)
{
	struct sim_coro *co = (struct sim_coro *)(((uintptr_t)hi << 32) | lo);
	coro_entry(co);
}

void
sim_coro_create(struct sim_coro *co, void *stack_mem, size_t stack_size,
		sim_coro_fn fn, void *arg)
{
	memset(co, 0, sizeof(*co));
	co->stack_lo = stack_mem;
	co->stack_size = stack_size;
	co->fn = fn;
	co->arg = arg;
	stack_registered(co);
	fill_canary(co);
	co->prepared = true;
	if (getcontext(&co->uc) != 0)
		abort();
	co->uc.uc_stack.ss_sp = (char *)stack_mem;
	co->uc.uc_stack.ss_size = stack_size;
	co->uc.uc_link = NULL;
	uintptr_t p = (uintptr_t)co;
	makecontext(&co->uc, (void (*)(void))uc_entry, 2,
		    (unsigned)(p >> 32), (unsigned)(p & 0xffffffffu));
}

void
sim_coro_switch(struct sim_coro *from, struct sim_coro *to)
{
	asan_start(from, to);
	swapcontext(&from->uc, &to->uc);
	asan_finish(from, false);
}

void
sim_coro_prepare(struct sim_coro *co)
{
	(void)co;       /* sim_coro_create did it all */
}

bool
sim_coro_populate(struct sim_coro *const *cos, size_t n)
{
	(void)cos;      /* sim_coro_create wrote the stacks */
	(void)n;
	return false;
}

#endif
