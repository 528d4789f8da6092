// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The coroutine switch on its own: control ping-pongs between two
 * coroutines a known number of times, and callee-saved integer and
 * floating-point state survives every switch; a side-stack call (coro.h)
 * runs on the side stack, from the main context and from a coroutine,
 * and returns its result with the caller's state intact; a batched populate
 * of first stack pages marks what it faulted in.  Built natively here and,
 * by scripts/check-coro-aarch64, for aarch64 under qemu-user.
 */
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "coro.h"
#include "t-asan.h"

static struct sim_coro main_co, co_a, co_b;
static volatile long counter;
static double result_a;

static void
fn_a(void *arg)
{
	(void)arg;
	double d = 1.5;
	for (int i = 0; i < 1000; i++) {
		counter += 1;
		d += 1.0;
		sim_coro_switch(&co_a, &co_b);
	}
	result_a = d;
	sim_coro_switch(&co_a, &main_co);
}

static void
fn_b(void *arg)
{
	long *seen = arg;
	for (;;) {
		counter += 1000;
		(*seen)++;
		sim_coro_switch(&co_b, &co_a);
	}
}

static void
test_ping_pong(void)
{
	static char sa[65536] __attribute__((aligned(16)));
	static char sb[65536] __attribute__((aligned(16)));
	long seen = 0;
	volatile double keep = 3.25;
	long k = 77;
	sim_coro_init_main(&main_co);
	sim_coro_create(&co_a, sa, sizeof sa, fn_a, NULL);
	sim_coro_create(&co_b, sb, sizeof sb, fn_b, &seen);
	sim_coro_prepare(&co_a);
	sim_coro_prepare(&co_b);
	g_assert_true(sim_coro_prepared(&co_a));
	sim_coro_switch(&main_co, &co_a);
	g_assert_cmpint(counter, ==, 1000 + 1000 * 1000);
	g_assert_cmpint(seen, ==, 1000);
	g_assert_cmpfloat(result_a, ==, 1001.5);
	g_assert_cmpfloat(keep, ==, 3.25);
	g_assert_cmpint(k, ==, 77);
	g_assert_true(sim_coro_canary_intact(&co_a));
	g_assert_true(sim_coro_canary_intact(&co_b));
}

static struct sim_side_stack side;
static struct sim_coro co_c;

/* Records where its frame is; returns a value no 32-bit path keeps. */
static intptr_t
side_fn(void *arg)
{
	volatile char here = 0;
	*(uintptr_t *)arg = (uintptr_t)&here;
	return (intptr_t)0x7edcba9876543210;
}

/* The side call from caller_sp's frame: where it ran, and that the result
 * and this frame's locals (kept in callee-saved registers) survive. */
static void
side_call_from(uintptr_t caller_sp)
{
	uintptr_t ran = 0;
	long a = 11, b = 22, c = 33, d = 44, e = 55;
	double f = 2.5;
	intptr_t r = sim_side_call(&side, side_fn, &ran);
	g_assert_cmpint(r, ==, (intptr_t)0x7edcba9876543210);
	g_assert_cmpint(a + b + c + d + e, ==, 165);
	g_assert_cmpfloat(f, ==, 2.5);
	if (side.top != NULL) {
		/* the frame is on the side stack, just below its top */
		g_assert_cmpuint(ran, <, (uintptr_t)side.top);
		g_assert_cmpuint(ran, >=, (uintptr_t)side.top - 4096);
	} else if (!T_ASAN) {
		/* ucontext builds: a plain call, below the caller (ASan's fake
		 * stacks put locals elsewhere: nothing to compare there) */
		g_assert_cmpuint(ran, <, caller_sp);
		g_assert_cmpuint(ran, >, caller_sp - 65536);
	}
}

static void
fn_c(void *arg)
{
	(void)arg;
	volatile char mark = 0;
	side_call_from((uintptr_t)&mark);
	side_call_from((uintptr_t)&mark);
	sim_coro_switch(&co_c, &main_co);
}

static void
test_side_call(void)
{
	static char sc[65536] __attribute__((aligned(16)));
	g_assert_true(sim_side_stack_init(&side, 64u << 10));
#if SIM_CORO_ASM && !T_ASAN
	g_assert_nonnull(side.top);
	g_assert_cmpuint((uintptr_t)side.top % 16, ==, 0);
#endif
	volatile char mark = 0;
	side_call_from((uintptr_t)&mark);
	sim_coro_init_main(&main_co);
	sim_coro_create(&co_c, sc, sizeof sc, fn_c, NULL);
	sim_coro_prepare(&co_c);
	sim_coro_switch(&main_co, &co_c);
	g_assert_true(sim_coro_canary_intact(&co_c));
	sim_coro_destroy(&co_c);
	sim_side_stack_free(&side);
	g_assert_null(side.map);
}

static struct sim_coro co_p[3];

static void
fn_p(void *arg)
{
	(*(long *)arg)++;
	sim_coro_switch(&co_p[0], &main_co);
}

/* The page sim_coro_prepare writes co's first frame to is resident. */
static bool
first_page_resident(const struct sim_coro *co)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t top = ((uintptr_t)co->stack_lo + co->stack_size - 32) & ~(uintptr_t)15;
	unsigned char vec = 0;
	g_assert_cmpint(mincore((void *)((top - 1) & ~(page - 1)), page, &vec), ==, 0);
	return vec & 1;
}

/*
 * sim_coro_populate marks a coroutine populated only if its first frame's
 * page was faulted in (it is resident then), returns true only if it
 * marked all of them, and marks none of a batch the kernel refused (a
 * stack with no access); a populated coroutine runs as any other.
 */
static void
test_populate(void)
{
	const size_t size = 64u << 10;
	char *m = mmap(NULL, 3 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	g_assert_true(m != MAP_FAILED);
	long ran = 0;
	sim_coro_init_main(&main_co);
	for (int i = 0; i < 3; i++)
		sim_coro_create(&co_p[i], m + i * size, size, fn_p, &ran);
	struct sim_coro *all[] = { &co_p[0], &co_p[1], &co_p[2] };
#if SIM_CORO_ASM
	/* sim_coro_create touched none of the fresh mapping (ucontext's
	 * makecontext writes the top of the stack) */
	for (int i = 0; i < 2; i++)
		g_assert_true(!first_page_resident(&co_p[i]));
#endif
	bool ok = sim_coro_populate(all, 2);
	for (int i = 0; i < 2; i++) {
		g_assert_true(co_p[i].populated == ok);
		if (ok)
			g_assert_true(first_page_resident(&co_p[i]));
	}
	/* ok is false where the kernel, valgrind or the back end has no
	 * batched populate: then nothing is marked */
	/* a refused batch: the third stack cannot be written */
	g_assert_cmpint(mprotect(m + 2 * size, size, PROT_NONE), ==, 0);
	g_assert_true(!sim_coro_populate(all + 2, 1));
	g_assert_true(!co_p[2].populated);
	sim_coro_prepare(&co_p[0]);
	sim_coro_switch(&main_co, &co_p[0]);
	g_assert_cmpint(ran, ==, 1);
	g_assert_true(sim_coro_canary_intact(&co_p[0]));
	for (int i = 0; i < 3; i++)
		sim_coro_destroy(&co_p[i]);
	sim_coro_release_stacks(m, 3 * size);
	munmap(m, 3 * size);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/coro/switch/ping-pong-preserves-state", test_ping_pong);
	g_test_add_func("/coro/side/call-on-side-stack", test_side_call);
	g_test_add_func("/coro/populate/marks-what-it-faulted-in", test_populate);
	return g_test_run();
}
