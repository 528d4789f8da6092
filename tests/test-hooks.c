// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Engine services for models: use-after-free poisoning, schedule jitter,
 * scheduling-clock ticks and interrupt masking.
 */
#include <string.h>

#include "harness.h"

static const struct sim_param no_params[] = { SIM_P_END };

static void (*script)(uint32_t cpu);
static void (*setup_fn)(struct sim *s);
static uint64_t *a, *b;

static void *
script_setup(struct sim *s, const void *p)
{
	(void)p;
	a = sim_alloc(64, 64);
	b = sim_alloc(64, 64);
	if (setup_fn)
		setup_fn(s);
	return s;
}

static void
script_cpu(void *st)
{
	(void)st;
	script(sim_cpu_id());
}

static const struct sim_workload_ops script_ops = {
	.name = "script", .summary = "", .params = no_params, .params_size = 1,
	.setup = script_setup, .cpu_main = script_cpu,
};

/* Run the script; return the run's error (NULL on success). */
static GError *
run_script(uint32_t cpus, uint64_t seed)
{
	struct sim_run_config *rc = t_config(t_machine(1, 4, NULL), cpus, seed, &script_ops, NULL, 0);
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	sim_set_free_label(s, "test-scheme");
	if (sim_run(s, &err))
		cJSON_Delete(sim_results(s));
	sim_destroy(s);
	sim_run_config_free(rc);
	setup_fn = NULL;
	return err;
}

/* ---- poisoning ---- */

static void
uaf_script(uint32_t cpu)
{
	if (cpu == 0) {
		sim_sleep_until(100);
		sim_free(b, 64, 64);
	} else {
		sim_sleep_until(200);
		(void)sim_load64(b + 1);
	}
}

static void
test_use_after_free(void)
{
	script = uaf_script;
	GError *err = run_script(2, 9);
	g_assert_nonnull(err);
	/* b is the second 64-byte block: offset 0x40; b + 1 is 0x48. */
	g_assert_cmpstr(err->message, ==,
			"use-after-free: cpu 1 read 8 bytes at simulated offset 0x48 at t=200; "
			"freed by cpu 0 at t=100 under test-scheme (seed 9)");
	g_error_free(err);
}

static void
double_free_script(uint32_t cpu)
{
	if (cpu == 0) {
		sim_free(b, 64, 64);
		sim_work(10);
		sim_free(b, 64, 64);
	}
}

static void
test_double_free(void)
{
	script = double_free_script;
	GError *err = run_script(1, 1);
	g_assert_nonnull(err);
	g_assert_cmpstr(err->message, ==,
			"double free: cpu 0 freed offset 0x40 (64 bytes) at t=10, already freed (seed 1)");
	g_error_free(err);
}

static uint64_t *again;

static void
realloc_script(uint32_t cpu)
{
	if (cpu != 0)
		return;
	sim_store64(b, 77);
	sim_fence_full();       /* else the buffered 77 would still forward */
	sim_free(b, 64, 64);
	again = sim_alloc(64, 64);
	g_assert_true(again == b);              /* the FIFO hands the block back */
	g_assert_cmpuint(sim_load64(again), ==, 0); /* zeroed, and no poison */
	sim_store64(again, 5);
}

static void
test_realloc_clears_poison(void)
{
	script = realloc_script;
	GError *err = run_script(1, 1);
	g_assert_no_error(err);
}

/*
 * Writes are checked when they perform.  b is owned by CPU 0.  At t=0
 * CPU 1 stores 42 into b: it does not own the line, so the store waits in
 * its store buffer and performs when the line arrives (3 x leg_cluster =
 * t=15).  CPU 0 frees b at t=5 and, if `reuse`, takes the block back from
 * the allocator (zeroed, unpoisoned).  The drain at t=15 writes freed
 * memory: the run stops, whether or not the block is in use again.
 * (Regression: the store landed in the recycled object unnoticed.)
 */
static bool uaf_reuse;
static uint64_t uaf_seen;

static void
prime_b_cpu0(struct sim *s)
{
	sim_mem_prime(s, b, 64, 0);
}

static void
uaf_store_script(uint32_t cpu)
{
	if (cpu == 0) {
		sim_sleep_until(5);
		sim_free(b, 64, 64);
		if (uaf_reuse) {
			again = sim_alloc(64, 64);
			g_assert_true(again == b);
			sim_sleep_until(100);
			uaf_seen = sim_load64(again);
		}
	} else {
		sim_store64(b, 42);
		sim_fence_full();
	}
}

static void
test_use_after_free_store(void)
{
	script = uaf_store_script;
	for (int reuse = 0; reuse < 2; reuse++) {
		uaf_reuse = reuse;
		uaf_seen = 0;
		setup_fn = prime_b_cpu0;
		GError *err = run_script(2, 3);
		g_assert_nonnull(err);
		g_assert_cmpstr(err->message, ==, reuse ?
				"use-after-free: cpu 1 wrote 8 bytes at simulated offset 0x40 at t=15 "
				"(a store buffered before the free, drained after it; the memory was in "
				"use again); freed by cpu 0 at t=5 under test-scheme (seed 3)" :
				"use-after-free: cpu 1 wrote 8 bytes at simulated offset 0x40 at t=15 "
				"(a store buffered before the free, drained after it); freed by cpu 0 "
				"at t=5 under test-scheme (seed 3)");
		g_error_free(err);
		g_assert_cmpuint(uaf_seen, ==, 0);
	}
}

/*
 * An RMW is checked when it performs, not only when it is issued.  b is
 * owned by CPU 0; CPU 1's fetch-and-add at t=0 waits for the line (3 x
 * leg_cluster: performs at t=15); CPU 0 frees b at t=5 and, if `reuse`,
 * takes the block back.  (Regression: the update landed in the freed or
 * recycled object unnoticed.)
 */
static void
uaf_rmw_script(uint32_t cpu)
{
	if (cpu == 0) {
		sim_sleep_until(5);
		sim_free(b, 64, 64);
		if (uaf_reuse)
			again = sim_alloc(64, 64);
	} else {
		(void)sim_faa64(b, 1);
	}
}

static void
test_use_after_free_rmw(void)
{
	script = uaf_rmw_script;
	for (int reuse = 0; reuse < 2; reuse++) {
		uaf_reuse = reuse;
		setup_fn = prime_b_cpu0;
		GError *err = run_script(2, 3);
		g_assert_nonnull(err);
		g_assert_cmpstr(err->message, ==, reuse ?
				"use-after-free: cpu 1 updated 8 bytes at simulated offset 0x40 at "
				"t=15, freed while the update waited for the line (by cpu 0 at t=5) and "
				"in use again (seed 3)" :
				"use-after-free: cpu 1 updated 8 bytes at simulated offset 0x40 at t=15; "
				"freed by cpu 0 at t=5 under test-scheme (seed 3)");
		g_error_free(err);
	}
}

/*
 * A CPU's own store buffered before its own sim_free precedes the free
 * in program order: it dies with the object and never reaches the block
 * handed out again.  (Before: the store buffer forwarded 42 from the new
 * object, and the drain wrote it there.)
 */
static void
own_store_free_script(uint32_t cpu)
{
	if (cpu != 1)
		return;
	sim_store64(b, 42);             /* b is CPU 0's: buffered */
	sim_free(b, 64, 64);
	again = sim_alloc(64, 64);
	g_assert_true(again == b);
	uaf_seen = sim_load64(again);
	sim_fence_full();
	uaf_seen += sim_load64(again);
}

static void
test_own_store_dies_with_object(void)
{
	script = own_store_free_script;
	setup_fn = prime_b_cpu0;
	uaf_seen = 1;
	GError *err = run_script(2, 1);
	g_assert_no_error(err);
	g_assert_cmpuint(uaf_seen, ==, 0);
}

/* ---- jitter ---- */

static void
test_jitter(void)
{
	const char *json = "{\"machine\": \"ben\", \"cpus\": 20, \"seed\": 5,"
			   " \"workload\": {\"name\": \"line_ww\", \"rounds\": 4}}";
	char *on[] = { "engine.jitter=50", NULL };
	GError *err = NULL;
	cJSON *j1 = t_run_json(json, on, &err);
	g_assert_no_error(err);
	cJSON *j2 = t_run_json(json, on, &err);
	g_assert_no_error(err);
	cJSON *j0 = t_run_json(json, NULL, &err);
	g_assert_no_error(err);
	g_autofree char *s1 = t_results_without_host(j1);
	g_autofree char *s2 = t_results_without_host(j2);
	g_assert_cmpstr(s1, ==, s2);
	g_assert_cmpfloat(t_metric(j1, "cycles_by_cause.sleep"), >,
			  t_metric(j0, "cycles_by_cause.sleep"));
	g_assert_cmpfloat(t_metric(j1, "cycles_per_access_mean"), !=,
			  t_metric(j0, "cycles_per_access_mean"));
	cJSON_Delete(j0);
	cJSON_Delete(j1);
	cJSON_Delete(j2);
}

/* ---- ticks ---- */

static sim_time_t tick_at[4][16];
static int nticks[4];

static void
on_tick(void *arg)
{
	(void)arg;
	uint32_t c = sim_cpu_id();
	tick_at[c][nticks[c]++] = sim_now();
}

static void
tick_setup(struct sim *s)
{
	sim_tick_register(s, 1000, false, on_tick, NULL);
}

static void
tick_script(uint32_t cpu)
{
	switch (cpu) {
	case 0:         /* busy: ticks at 1000, 2000, 3000 */
		sim_work(3500);
		break;
	case 1:         /* masked from 0 to 2500: one tick, at the unmask */
		sim_irq_disable();
		sim_work(2500);
		sim_irq_enable();
		break;
	case 2:         /* idle until 10500: no ticks; the next at 11000 */
		sim_idle_until(10500);
		sim_work(600);
		break;
	case 3:         /* spinning: woken for each tick, 1000 .. 5000 */
		(void)sim_spin_while_eq64_until(a, 0, 5500);
		break;
	}
}

static void
test_ticks(void)
{
	memset(nticks, 0, sizeof nticks);
	script = tick_script;
	setup_fn = tick_setup;
	GError *err = run_script(4, 1);
	g_assert_no_error(err);
	g_assert_cmpint(nticks[0], ==, 3);
	g_assert_cmpuint(tick_at[0][0], ==, 1000);
	g_assert_cmpuint(tick_at[0][1], ==, 2000);
	g_assert_cmpuint(tick_at[0][2], ==, 3000);
	g_assert_cmpint(nticks[1], ==, 1);
	g_assert_cmpuint(tick_at[1][0], ==, 2500);
	g_assert_cmpint(nticks[2], ==, 1);
	g_assert_cmpuint(tick_at[2][0], ==, 11000);
	g_assert_cmpint(nticks[3], ==, 5);
	/* each tick finds CPU 3 in its spin loop: woken at the tick, the
	 * handler runs at the start of the re-read */
	for (int i = 0; i < 5; i++)
		g_assert_cmpuint(tick_at[3][i], ==, (sim_time_t)(1000 * (i + 1) + 3));
}

/* ---- IPIs ----
 * Defaults of the test machine: ipi_send 500, ipi_latency 2000,
 * irq_entry 1000.  CPU 0 sends at t=100: it pays 500, the IPI arrives at
 * 100 + 500 + 2000 = 2600 and the handler runs at 2600 + 1000 = 3600.
 */
static sim_time_t ipi_seen[4];
static sim_time_t done_at[4];

static void
on_ipi(void *arg)
{
	(void)arg;
	ipi_seen[sim_cpu_id()] = sim_now();
}

static void
ipi_script(uint32_t cpu)
{
	switch (cpu) {
	case 0:
		sim_sleep_until(100);
		for (uint32_t t = 1; t < 4; t++)
			sim_ipi_send(t, on_ipi, NULL);
		break;
	case 1:         /* working: the handler's entry delays the work */
		sim_work(10000);
		break;
	case 2:         /* sleeping: woken for the IPI, then sleeps on */
		sim_sleep_until(50000);
		break;
	case 3:         /* masked until 8000: delivered at the unmask */
		sim_irq_disable();
		sim_work(8000);
		sim_irq_enable();
		break;
	}
	done_at[cpu] = sim_now();
}

static void
test_ipi_delivery(void)
{
	memset(ipi_seen, 0, sizeof ipi_seen);
	script = ipi_script;
	GError *err = run_script(4, 1);
	g_assert_no_error(err);
	/* each send is a full fence (33) then ipi_send (500): sends end at
	 * 633, 1166, 1699; arrivals 2633, 3166, 3699 */
	g_assert_cmpuint(done_at[0], ==, 100 + 3 * (33 + 500));
	g_assert_cmpuint(ipi_seen[1], ==, 2633 + 1000);
	g_assert_cmpuint(done_at[1], ==, 10000 + 1000);
	g_assert_cmpuint(ipi_seen[2], ==, 3166 + 1000);
	g_assert_cmpuint(done_at[2], ==, 50000);
	g_assert_cmpuint(ipi_seen[3], ==, 8000 + 1000);
	g_assert_cmpuint(done_at[3], ==, 9000);
}

/* A spin-waiting CPU wakes at the IPI's arrival (2633), finishes its
 * pause (3), takes the IPI at the next access (+1000), then keeps waiting
 * until the write. */
static void
ipi_spin_script(uint32_t cpu)
{
	if (cpu == 0) {
		sim_sleep_until(100);
		sim_ipi_send(1, on_ipi, NULL);
		sim_sleep_until(20000);
		sim_store64(a, 1);
	} else if (cpu == 1) {
		(void)sim_spin_while_eq64(a, 0);
		done_at[1] = sim_now();
	}
}

static void
test_ipi_spinner(void)
{
	memset(ipi_seen, 0, sizeof ipi_seen);
	script = ipi_spin_script;
	GError *err = run_script(2, 1);
	g_assert_no_error(err);
	g_assert_cmpuint(ipi_seen[1], ==, 2633 + 3 + 1000);
	g_assert_cmpuint(done_at[1], >, 20000);
}

/* Several components may share the tick; they must agree on HZ. */
static int nfirst, nsecond;

static void on_first(void *arg) { (void)arg; if (sim_cpu_id() == 0) nfirst++; }
static void on_second(void *arg) { (void)arg; if (sim_cpu_id() == 0) nsecond++; }

static void
two_handlers_setup(struct sim *s)
{
	sim_tick_register(s, 1000, false, on_first, NULL);
	sim_tick_register(s, 1000, false, on_second, NULL);
}

static void
conflicting_setup(struct sim *s)
{
	sim_tick_register(s, 1000, false, on_first, NULL);
	sim_tick_register(s, 4000, false, on_second, NULL);
}

static void
work_script(uint32_t cpu)
{
	if (cpu == 0)
		sim_work(5500);
}

static void
test_tick_handlers(void)
{
	nfirst = nsecond = 0;
	script = work_script;
	setup_fn = two_handlers_setup;
	GError *err = run_script(1, 1);
	g_assert_no_error(err);
	g_assert_cmpint(nfirst, ==, 5);
	g_assert_cmpint(nsecond, ==, 5);
	setup_fn = conflicting_setup;
	err = run_script(1, 1);
	g_assert_nonnull(err);
	g_assert_cmpstr(err->message, ==, "two components want different scheduling-clock ticks "
			"(every 1000 and every 4000 cycles): one machine has one HZ");
	g_error_free(err);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hooks/poison/use-after-free-detected", test_use_after_free);
	g_test_add_func("/hooks/poison/use-after-free-store-detected-at-drain",
			test_use_after_free_store);
	g_test_add_func("/hooks/poison/use-after-free-rmw-detected-when-it-performs",
			test_use_after_free_rmw);
	g_test_add_func("/hooks/poison/own-store-dies-with-freed-object",
			test_own_store_dies_with_object);
	g_test_add_func("/hooks/poison/double-free-detected", test_double_free);
	g_test_add_func("/hooks/poison/realloc-clears-poison", test_realloc_clears_poison);
	g_test_add_func("/hooks/jitter/deterministic-and-perturbing", test_jitter);
	g_test_add_func("/hooks/tick/delivery-masking-idle-spin", test_ticks);
	g_test_add_func("/hooks/tick/several-handlers-one-hz", test_tick_handlers);
	g_test_add_func("/hooks/ipi/working-sleeping-masked", test_ipi_delivery);
	g_test_add_func("/hooks/ipi/spinner-takes-it-and-waits-on", test_ipi_spinner);
	return g_test_run();
}
