// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The coroutine switch on its own: control ping-pongs between two
 * coroutines a known number of times, and callee-saved integer and
 * floating-point state survives every switch.  Built natively here and,
 * by scripts/check-coro-aarch64, for aarch64 under qemu-user.
 */
#include <glib.h>

#include "coro.h"

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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/coro/switch/ping-pong-preserves-state", test_ping_pong);
	return g_test_run();
}
