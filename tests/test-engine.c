// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Engine properties: determinism, stack-overflow detection, deadlock
 * detection, topology placement, resource budgets.
 */
#include <string.h>

#include "component.h"
#include "engine_impl.h"
#include "harness.h"
#include "workload.h"

/* ---- determinism ---- */

static void
assert_deterministic(const char *json)
{
	GError *err = NULL;
	cJSON *a = t_run_json(json, NULL, &err);
	g_assert_no_error(err);
	cJSON *b = t_run_json(json, NULL, &err);
	g_assert_no_error(err);
	g_autofree char *sa = t_results_without_host(a);
	g_autofree char *sb = t_results_without_host(b);
	g_assert_cmpstr(sa, ==, sb);
	/* And the host section really is the only thing left out. */
	g_assert_nonnull(cJSON_GetObjectItem(a, "host"));
	g_assert_null(strstr(sa, "\"host\""));
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void
test_determinism_ww(void)
{
	assert_deterministic("{\"machine\": \"ben\", \"cpus\": 40, \"seed\": 7,"
			     " \"workload\": {\"name\": \"line_ww\", \"rounds\": 20}}");
}

static void
test_determinism_faa(void)
{
	assert_deterministic("{\"machine\": \"icx2s\", \"cpus\": 64, \"seed\": 3,"
			     " \"workload\": {\"name\": \"faa\", \"duration\": 200000}}");
}

static void
test_determinism_rw(void)
{
	assert_deterministic("{\"machine\": \"genoa2s\", \"cpus\": 100, \"seed\": 11,"
			     " \"workload\": {\"name\": \"line_rw\", \"rounds\": 10}}");
}

/*
 * Every registered workload, with its default parameters on 4 CPUs of
 * icx2s and every config section it requires or uses set to that kind's
 * first registered component: two runs give the same results, byte for
 * byte outside "host".  A new workload is covered without touching this
 * test.
 */
static void
test_determinism_every_workload(void)
{
	guint n = 0;
	for (const struct sim_workload_ops *const *w = sim_workload_all(); *w; w++, n++) {
		GString *json = g_string_new(NULL);
		g_string_printf(json, "{\"machine\": \"icx2s\", \"cpus\": 4, \"seed\": 5,"
				" \"workload\": {\"name\": \"%s\"}", (*w)->name);
		for (int sec = 0; sec < SIM_SECTION_N; sec++) {
			if (!(((*w)->requires | (*w)->uses) & (1u << sec)))
				continue;
			const struct sim_section *ss = &sim_sections[sec];
			g_string_append_printf(json, ", \"%s\": {\"%s\": \"%s\"}", ss->key,
					       ss->selector, ss->all()[0]->name);
		}
		g_string_append(json, "}");
		g_test_message("%s", json->str);
		assert_deterministic(json->str);
		g_string_free(json, TRUE);
	}
	g_assert_cmpuint(n, >=, 13);
}

/* A different seed changes the arbitration, so the numbers (but not the
 * validity) change: the seed really reaches the arbiter. */
static void
test_seed_matters(void)
{
	const char *json = "{\"machine\": \"ben\", \"cpus\": 40,"
			   " \"workload\": {\"name\": \"line_ww\", \"rounds\": 5}}";
	char *s1[] = { "seed=1", NULL }, *s2[] = { "seed=2", NULL };
	GError *err = NULL;
	cJSON *a = t_run_json(json, s1, &err);
	g_assert_no_error(err);
	cJSON *b = t_run_json(json, s2, &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(t_metric(a, "cycles_per_access_mean"), !=,
			  t_metric(b, "cycles_per_access_mean"));
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* ---- stack overflow ---- */

static const struct sim_param no_params[] = { SIM_P_END };

/* Recursion with 1 KiB frames that write every byte, so an overflow
 * cannot jump over the canary. */
G_GNUC_NO_INLINE static int
deep(int n)
{
	char buf[1024];
	memset(buf, n, sizeof buf);
	__asm__ volatile("" : : "r"(buf) : "memory");
	return n ? deep(n - 1) + buf[n] : buf[0];
}

static void *
overflow_setup(struct sim *s, const void *p)
{
	(void)p;
	return s;
}

static void
overflow_cpu(void *st)
{
	(void)st;
	/* CPU 0 finishes at once; CPU 1 overruns its 16 KiB stack by 8 KiB,
	 * into CPU 0's (dead) stack, which is mapped: only the canary can
	 * tell. */
	if (sim_cpu_id() == 1)
		(void)deep(24);
}

static const struct sim_workload_ops overflow_ops = {
	.name = "overflow", .summary = "", .params = no_params, .params_size = 1,
	.setup = overflow_setup, .cpu_main = overflow_cpu,
};

static struct sim_run_config *
overflow_config(int guard)
{
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &overflow_ops, NULL, 0);
	rc->engine.stack_kib = 16;
	rc->engine.stack_guard = guard;
	return rc;
}

static void
test_overflow_canary(void)
{
#if T_ASAN
	/* AddressSanitizer knows each coroutine's stack bounds (coro.c
	 * registers them), so with the assembly switch it stops the overflow
	 * before the canary can, and names it; with ucontext it may not, and
	 * then the canary must (the child's own assertions below). */
	if (!g_test_subprocess()) {
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		if (!g_test_trap_has_passed())
			g_test_trap_assert_stderr("*AddressSanitizer: stack-overflow*");
		return;
	}
#endif
	struct sim_run_config *rc = overflow_config(SIM_GUARD_OFF);
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	g_assert_false(sim_run(s, &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT);
	g_assert_nonnull(strstr(err->message, "cpu 1 overflowed its 16 KiB coroutine stack"));
	g_error_free(err);
	sim_destroy(s);
	sim_run_config_free(rc);
}

/*
 * An overflow in progress when a CPU stops: CPU 1 overruns its stack into
 * CPU 0's (live: its saved frames sit at the top of its stack) and, at
 * that depth, makes accesses that yield to CPU 0 (both hit one line in
 * turn).  The run must stop with the overflow reported, before CPU 0 is
 * resumed on its overwritten frames (the engine's direct CPU-to-CPU
 * switch, cpu_leave, must not skip the check the scheduler makes).
 */
static uint64_t *ovf_word;

static void *
overflow_live_setup(struct sim *s, const void *p)
{
	(void)p;
	ovf_word = sim_alloc(8, 8);
	return s;
}

G_GNUC_NO_INLINE static int
deep_access(int n)
{
	char buf[1024];
	memset(buf, n, sizeof buf);
	__asm__ volatile("" : : "r"(buf) : "memory");
	if (n == 0) {
		for (int i = 0; i < 8; i++)
			(void)sim_load64(ovf_word);
		return buf[0];
	}
	return deep_access(n - 1) + buf[n];
}

static uint64_t live_loads;

static void
overflow_live_cpu(void *st)
{
	(void)st;
	if (sim_cpu_id() == 1) {
		(void)sim_load64(ovf_word);
		(void)deep_access(24);
		return;
	}
	for (int i = 0; i < 1000; i++) {
		(void)sim_load64(ovf_word);
		live_loads++;
	}
}

static const struct sim_workload_ops overflow_live_ops = {
	.name = "overflow_live", .summary = "", .params = no_params, .params_size = 1,
	.setup = overflow_live_setup, .cpu_main = overflow_live_cpu,
};

static void
test_overflow_at_switch(void)
{
#if !SIM_CORO_ASM
	/* The ucontext back end saves no stack pointer to check: an overflow
	 * is found by the canary only (every 64th switch, and at the end), so
	 * CPU 0 would be resumed into the overwritten frames. */
	g_test_skip("needs the assembly coroutine switch (stack-pointer check)");
	return;
#endif
#if T_ASAN
	if (!g_test_subprocess()) {
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
		if (!g_test_trap_has_passed())
			g_test_trap_assert_stderr("*AddressSanitizer: stack-overflow*");
		return;
	}
#endif
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &overflow_live_ops,
					     NULL, 0);
	rc->engine.stack_kib = 16;
	rc->engine.stack_guard = SIM_GUARD_OFF;
	live_loads = 0;
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	g_assert_false(sim_run(s, &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT);
	g_assert_nonnull(strstr(err->message, "cpu 1 overflowed its 16 KiB coroutine stack (t="));
	/* CPU 0 was running its loop when CPU 1 overflowed */
	g_assert_cmpuint(live_loads, >, 0);
	g_assert_cmpuint(live_loads, <, 1000);
	g_error_free(err);
	sim_destroy(s);
	sim_run_config_free(rc);
}

static void
test_overflow_guard_page(void)
{
	if (g_test_subprocess()) {
		struct sim_run_config *rc = overflow_config(SIM_GUARD_ON);
		GError *err = NULL;
		struct sim *s = sim_create(rc, &err);
		g_assert_no_error(err);
		(void)sim_run(s, &err);
		return;    /* not reached: the guard page faults */
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
}

/* ---- deadlock ---- */

static uint64_t *flag;

static void *
deadlock_setup(struct sim *s, const void *p)
{
	(void)p;
	flag = sim_alloc(8, 8);
	return s;
}

static void
deadlock_cpu(void *st)
{
	(void)st;
	(void)sim_spin_while_eq64(flag, 0);    /* nobody ever writes it */
}

static const struct sim_workload_ops deadlock_ops = {
	.name = "deadlock", .summary = "", .params = no_params, .params_size = 1,
	.setup = deadlock_setup, .cpu_main = deadlock_cpu,
};

static void
test_deadlock_reported(void)
{
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &deadlock_ops, NULL, 0);
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	g_assert_false(sim_run(s, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "simulated deadlock: 2 CPUs blocked"));
	g_assert_nonnull(strstr(err->message, "cpu 0 waits for a write to a watched line"));
	g_error_free(err);
	sim_destroy(s);
	sim_run_config_free(rc);
}

/* A spin-wait with a deadline returns at the deadline instead. */
static sim_time_t woke_at;

static void
timeout_cpu(void *st)
{
	(void)st;
	(void)sim_spin_while_eq64_until(flag, 0, 5000);
	woke_at = sim_now();
}

static const struct sim_workload_ops timeout_ops = {
	.name = "timeout", .summary = "", .params = no_params, .params_size = 1,
	.setup = deadlock_setup, .cpu_main = timeout_cpu,
};

static void
test_spin_deadline(void)
{
	struct sim_run_config *rc = t_config(t_machine(1, 1, NULL), 1, 1, &timeout_ops, NULL, 0);
	cJSON *res = t_run(rc);
	/* 5000 + one pause (3); then the re-read hits (4) and the deadline
	 * has passed. */
	g_assert_cmpuint(woke_at, ==, 5000 + 3 + 4);
	cJSON_Delete(res);
	sim_run_config_free(rc);
}

/* ---- topology ---- */

/* Load preset `name`, with topology.cpu_sockets set to sockets[0..n) when
 * sockets is not NULL. */
static struct sim_machine *
load_with_cpu_sockets(const char *name, const uint32_t *sockets, size_t n)
{
	g_autofree char *path = sim_machine_find_preset(name);
	g_assert_nonnull(path);
	GError *err = NULL;
	cJSON *doc = sim_json_parse_file(path, &err);
	g_assert_no_error(err);
	if (sockets != NULL) {
		cJSON *arr = cJSON_AddArrayToObject(cJSON_GetObjectItem(doc, "topology"), "cpu_sockets");
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateNumber(sockets[i]));
	}
	struct sim_origin o = { .file = path, .prefix = "" };
	struct sim_machine *m = sim_machine_load(doc, &o, &err);
	g_assert_no_error(err);
	cJSON_Delete(doc);
	return m;
}

static struct sim_machine *
load_preset(const char *name)
{
	return load_with_cpu_sockets(name, NULL, 0);
}

static void
test_ben_fill_order(void)
{
	struct sim_machine *m = load_preset("ben");
	/* Clements fills sockets 0, 1, 2, 7, 3, ...: CPU 30 is on socket 7. */
	g_assert_cmpuint(sim_machine_place(m, 9).socket, ==, 0);
	g_assert_cmpuint(sim_machine_place(m, 10).socket, ==, 1);
	g_assert_cmpuint(sim_machine_place(m, 30).socket, ==, 7);
	g_assert_cmpuint(sim_machine_place(m, 40).socket, ==, 3);
	/* Socket 0's three neighbours are the first filled; they are two
	 * hops from each other; the graph has diameter 2. */
	g_assert_cmpuint(sim_machine_hops(m, 0, 1), ==, 1);
	g_assert_cmpuint(sim_machine_hops(m, 0, 2), ==, 1);
	g_assert_cmpuint(sim_machine_hops(m, 0, 7), ==, 1);
	g_assert_cmpuint(sim_machine_hops(m, 1, 2), ==, 2);
	g_assert_cmpuint(m->topo.max_hops, ==, 2);
	sim_machine_free(m);
}

/* ben as Linux numbered its CPUs (2014 sharing-benchmark outputs on ben:
 * socket 0 = CPUs 0 and 41-49, socket 3 = 1-10, ...): topology.cpu_sockets. */
static const uint32_t ben_linux_sockets[80] = {
	0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
};

static void
test_ben_cpu_sockets(void)
{
	struct sim_machine *m = load_with_cpu_sockets("ben", ben_linux_sockets, 80);
	/* socket_order (0, 1, 2, 7, ...) is overridden: a "10-core" run is CPU
	 * 0 on socket 0 and CPUs 1-9 on socket 3, two hops away. */
	static const uint32_t cpu[] = { 0, 1, 9, 10, 11, 30, 31, 40, 41, 49, 50, 59, 60, 70, 79 };
	static const uint32_t want[] = { 0, 3, 3, 3, 4, 5, 6, 6, 0, 0, 1, 1, 2, 7, 7 };
	for (size_t i = 0; i < G_N_ELEMENTS(cpu); i++)
		g_assert_cmpuint(sim_machine_place(m, cpu[i]).socket, ==, want[i]);
	g_assert_cmpuint(sim_machine_hops(m, sim_machine_place(m, 0).socket,
					  sim_machine_place(m, 1).socket), ==, 2);
	/* A socket's cores go to its CPUs in CPU order: CPU 0 is socket 0's
	 * first core, 41 its second, 49 its last; CPU 1 socket 3's first. */
	g_assert_cmpuint(sim_machine_place(m, 0).core, ==, 0);
	g_assert_cmpuint(sim_machine_place(m, 41).core, ==, 1);
	g_assert_cmpuint(sim_machine_place(m, 49).core, ==, 9);
	g_assert_cmpuint(sim_machine_place(m, 1).core, ==, 30);
	g_assert_cmpuint(sim_machine_place(m, 1).cluster, ==, 3);
	/* every core exactly once */
	bool seen[80] = { false };
	for (uint32_t c = 0; c < 80; c++) {
		struct sim_place p = sim_machine_place(m, c);
		g_assert_cmpuint(p.core / 10, ==, p.socket);
		g_assert_false(seen[p.core]);
		seen[p.core] = true;
	}
	/* The effective machine loads back as the same placement. */
	cJSON *e = sim_machine_emit(m);
	GError *err = NULL;
	struct sim_origin o = { .file = "emitted", .prefix = "" };
	struct sim_machine *back = sim_machine_load(e, &o, &err);
	g_assert_no_error(err);
	for (uint32_t c = 0; c < 80; c++)
		g_assert_cmpuint(sim_machine_place(back, c).core, ==, sim_machine_place(m, c).core);
	sim_machine_free(back);
	cJSON_Delete(e);
	sim_machine_free(m);
	/* Without cpu_sockets the preset emits no such key. */
	m = load_preset("ben");
	e = sim_machine_emit(m);
	g_assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "topology"), "cpu_sockets"));
	cJSON_Delete(e);
	sim_machine_free(m);
}

static void
test_smt_cpu_sockets(void)
{
	/* icx2s: 2 sockets x 32 cores x 2 threads, cores_first.  Alternate
	 * the cores' sockets; a sibling (CPU + 64) shares its core. */
	uint32_t alt[64];
	for (uint32_t i = 0; i < 64; i++)
		alt[i] = i % 2;
	struct sim_machine *m = load_with_cpu_sockets("icx2s", alt, 64);
	g_assert_cmpuint(sim_machine_place(m, 0).socket, ==, 0);
	g_assert_cmpuint(sim_machine_place(m, 1).socket, ==, 1);
	g_assert_cmpuint(sim_machine_place(m, 1).core, ==, 32);
	g_assert_cmpuint(sim_machine_place(m, 3).core, ==, 33);
	g_assert_cmpuint(sim_machine_place(m, 65).socket, ==, 1);
	g_assert_cmpuint(sim_machine_place(m, 65).core, ==, 32);
	g_assert_cmpuint(sim_machine_place(m, 65).thread, ==, 1);
	sim_machine_free(m);
}

static void
test_large_topology(void)
{
	struct sim_machine *m = load_preset("large");
	g_assert_cmpuint(sim_machine_max_cpus(m), ==, 65536);
	struct sim_place p = sim_machine_place(m, 65535);
	g_assert_cmpuint(p.socket, ==, 255);
	g_assert_cmpuint(p.cluster, ==, 255 * 16 + 15);
	g_assert_cmpuint(sim_machine_hops(m, 0, 255), ==, 8);
	g_assert_cmpuint(sim_machine_hops(m, 5, 6), ==, 2);
	sim_machine_free(m);
}

static void
test_smt_numbering(void)
{
	struct sim_machine *m = load_preset("icx2s");
	/* cores_first: CPUs 0..63 are thread 0 of each core, 64.. their siblings. */
	g_assert_cmpuint(sim_machine_place(m, 0).core, ==, sim_machine_place(m, 64).core);
	g_assert_cmpuint(sim_machine_place(m, 64).thread, ==, 1);
	g_assert_cmpuint(sim_machine_place(m, 32).socket, ==, 1);
	sim_machine_free(m);
}

/* ---- budgets ---- */

static void
test_memory_budget_refused(void)
{
	const char *json = "{\"machine\": \"large\", \"cpus\": 65536,"
			   " \"engine\": {\"memory_budget_mib\": 64},"
			   " \"workload\": {\"name\": \"faa\"}}";
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_null(res);
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT);
	g_assert_nonnull(strstr(err->message, "budget is 64 MiB"));
	g_error_free(err);
}

/* engine.max_cycles holds even for a CPU that runs alone and never yields
 * (a workload with no declared run length, so nothing refuses it up front). */
static void *
forever_setup(struct sim *s, const void *params)
{
	(void)params;
	return s;
}

static void
forever_cpu(void *st)
{
	(void)st;
	for (;;)
		sim_work(100);
}

static const struct sim_workload_ops forever_ops = {
	.name = "forever", .summary = "", .params = no_params, .params_size = 1,
	.setup = forever_setup, .cpu_main = forever_cpu,
};

static void
test_max_cycles_single_cpu(void)
{
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 1, 1, &forever_ops, NULL, 0);
	rc->engine.max_cycles = 1000;
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	g_assert_false(sim_run(s, &err));
	g_assert_nonnull(err);
	g_assert_cmpstr(err->message, ==, "simulated time passed engine.max_cycles (1000)");
	g_error_free(err);
	sim_destroy(s);
	sim_run_config_free(rc);
}

/* A workload that allocates `mib` MiB of simulated memory in setup
 * (phase 0) or on CPU 0 during the run (phase 1), 1 MiB at a time, or in
 * setup in one allocation (phase 2). */
struct hog_params {
	uint64_t mib;
	int phase;
};

static void
hog(uint64_t mib)
{
	for (uint64_t i = 0; i < mib; i++)
		(void)sim_alloc(1u << 20, 64);
}

static const struct hog_params *hog_p;

static void *
hog_setup(struct sim *s, const void *params)
{
	hog_p = params;
	if (hog_p->phase == 0)
		hog(hog_p->mib);
	if (hog_p->phase == 2)
		(void)sim_alloc((size_t)hog_p->mib << 20, 64);
	return s;
}

static void
hog_cpu(void *st)
{
	(void)st;
	if (hog_p->phase == 1 && sim_cpu_id() == 0)
		hog(hog_p->mib);
	sim_work(10);
}

static const struct sim_workload_ops hog_ops = {
	.name = "hog", .summary = "", .params = no_params,
	.params_size = sizeof(struct hog_params),
	.setup = hog_setup, .cpu_main = hog_cpu,
};

static struct sim_run_config *
hog_config(uint64_t mib, int phase, uint64_t arena_mib, uint64_t budget_mib)
{
	struct hog_params p = { .mib = mib, .phase = phase };
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &hog_ops, &p, sizeof p);
	rc->engine.arena_mib = arena_mib;
	rc->engine.memory_budget_mib = budget_mib;
	return rc;
}

/* Simulated memory counts against the budget as it grows: in setup the
 * config is refused (no abort), during the run the run fails cleanly. */
/* sim_create of hog_config(mib, phase, arena_mib, budget_mib) fails with
 * a limit error whose message holds `want` and, unless NULL, `also`. */
static void
hog_setup_refused(uint64_t mib, int phase, uint64_t arena_mib, uint64_t budget_mib,
		  const char *want, const char *also)
{
	struct sim_run_config *rc = hog_config(mib, phase, arena_mib, budget_mib);
	GError *err = NULL;
	g_assert_null(sim_create(rc, &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT);
	g_assert_nonnull(strstr(err->message, want));
	if (also)
		g_assert_nonnull(strstr(err->message, also));
	g_error_free(err);
	sim_run_config_free(rc);
}

static void
test_budget_setup_refused(void)
{
	hog_setup_refused(100, 0, 512, 64, "test: workload: setup failed: host memory budget "
			  "exceeded", "the budget is 64 MiB");
}

static void
test_budget_run_stopped(void)
{
	struct sim_run_config *rc = hog_config(100, 1, 512, 64);
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	g_assert_false(sim_run(s, &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT);
	g_assert_nonnull(strstr(err->message, "host memory budget exceeded"));
	g_error_free(err);
	sim_destroy(s);
	sim_run_config_free(rc);
}

/* Running out of the arena in setup used to abort the process. */
static void
test_arena_exhausted_in_setup(void)
{
	hog_setup_refused(3, 0, 2, 0, "setup failed: simulated memory exhausted",
			  "engine.arena_mib");
}

/* One request of 4 GiB or more: its size class used to be truncated to
 * 32 bits, so a 4 GiB request (kalloc's pool at 4,096 CPUs of `large`
 * with pages_per_node 65,536) was served as 0 bytes and the run died
 * later on a line beyond the arena. */
static void
test_arena_exhausted_over_4gib(void)
{
	hog_setup_refused(4096, 2, 2, 0, "setup failed: simulated memory exhausted: 0 MiB in "
			  "use, 4294967296 more asked for; raise engine.arena_mib", NULL);
}

static void
test_arena_exhausted_in_run(void)
{
	struct sim_run_config *rc = hog_config(3, 1, 2, 0);
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	g_assert_false(sim_run(s, &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT);
	g_assert_nonnull(strstr(err->message, "simulated memory exhausted: 2 MiB in use, 1048576 "
				"more asked for; raise engine.arena_mib"));
	g_error_free(err);
	sim_destroy(s);
	sim_run_config_free(rc);
}

/* A workload set to run past engine.max_cycles is refused up front. */
static void
test_run_length_refused(void)
{
	const char *json = "{\"machine\": \"ben\", \"cpus\": 2,"
			   " \"engine\": {\"max_cycles\": 1000000},"
			   " \"workload\": {\"name\": \"faa\", \"duration\": 2000000}}";
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_null(res);
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT);
	g_assert_cmpstr(err->message, ==, "inline.json: engine.max_cycles: the workload is set to "
			"run for 2200000 cycles, past engine.max_cycles (1000000)");
	g_error_free(err);
}

/* ---- stale events ---- */

#define STALE_WRITES 20000u
static uint64_t *stale_flag;

static void *
stale_setup(struct sim *s, const void *p)
{
	(void)p;
	stale_flag = sim_alloc(8, 8);
	return s;
}

/* CPU 0 writes the flag every 200 cycles; CPU 1 waits for each write with
 * a deadline far in the future, so every wake leaves a stale timeout. */
static void
stale_cpu(void *st)
{
	(void)st;
	if (sim_cpu_id() == 0) {
		for (uint64_t i = 1; i <= STALE_WRITES; i++) {
			sim_store64(stale_flag, i);
			sim_work(200);
		}
		return;
	}
	uint64_t v = 0;
	while (v < STALE_WRITES)
		v = sim_spin_while_eq64_until(stale_flag, v, sim_now() + (UINT64_C(1) << 40));
}

static const struct sim_workload_ops stale_ops = {
	.name = "stale", .summary = "", .params = no_params, .params_size = 1,
	.setup = stale_setup, .cpu_main = stale_cpu,
};

static void
test_stale_events_bounded(void)
{
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &stale_ops, NULL, 0);
	cJSON *res = t_run(rc);
	sim_run_config_free(rc);
	const cJSON *host = cJSON_GetObjectItem(res, "host");
	/* Without compaction the queue would hold one stale event per write. */
	double peak = cJSON_GetObjectItem(host, "event_queue_peak")->valuedouble;
	g_assert_cmpfloat(peak, <=, 2 * (4 * 2 + 4096) + 4);
	g_assert_cmpfloat(t_metric(res, "engine.events"), >, 2 * STALE_WRITES);
	/* The far deadlines never became anyone's clock. */
	g_assert_cmpfloat(t_metric(res, "engine.sim_cycles"), <, 1e8);
	cJSON_Delete(res);
}

/* ---- invariant checkers ---- */

struct inv_probe {
	uint64_t calls;
	sim_time_t last;
	bool monotonic;
	bool fail;             /* report a violation on the first call */
	bool corrupt;          /* CPU 0 breaks a line's state */
	uint64_t *x;
	uint64_t *y;           /* CPU 0's private line */
};
static struct inv_probe probe;

static bool
probe_hook(void *arg, const struct sim *s, sim_time_t now, GString *why)
{
	struct inv_probe *p = arg;
	(void)s;
	p->calls++;
	if (now < p->last)
		p->monotonic = false;
	p->last = now;
	if (p->fail)
		g_string_append(why, "the probe says no");
	return !p->fail;
}

static void *
probe_setup(struct sim *s, const void *params)
{
	(void)params;
	probe.x = sim_alloc(64, 64);
	probe.y = sim_alloc(64, 64);
	sim_invariant_hook_register(s, "probe", probe_hook, &probe);
	return s;
}

static void
probe_cpu(void *st)
{
	(void)st;
	for (int i = 0; i < 20; i++) {
		(void)sim_faa64(probe.x, 1);
		if (probe.corrupt && sim_cpu_id() == 0 && i == 3) {
			/* Only this CPU touches y, so it owns it now; claim S
			 * copies exist too. */
			(void)sim_faa64(probe.y, 1);
			struct sim_line *l = sim_line_get(sim_current, sim_line_id(sim_current, probe.y));
			g_assert_cmpuint(l->owner, ==, 0);
			l->nsh = 3;
			l->sh_far = 0;
		}
		sim_work(50);
	}
}

static const struct sim_workload_ops probe_ops = {
	.name = "probe", .summary = "", .params = no_params, .params_size = 1,
	.setup = probe_setup, .cpu_main = probe_cpu,
};

/* Every registered checker runs after every event, in time order; the
 * count is reported under "host" (0 in release builds). */
static void
test_invariants_every_event(void)
{
	memset(&probe, 0, sizeof probe);
	probe.monotonic = true;
	struct sim_run_config *rc = t_config(t_machine(2, 2, NULL), 4, 1, &probe_ops, NULL, 0);
	cJSON *res = t_run(rc);
	sim_run_config_free(rc);
	double events = t_metric(res, "engine.events");
	double checks = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "host"),
					    "invariant_checks")->valuedouble;
	g_assert_cmpfloat(events, >, 80);
#ifdef NDEBUG
	g_assert_cmpfloat(checks, ==, 0);
	g_assert_cmpuint(probe.calls, ==, 0);
#else
	/* two checkers: the engine's cache checker and the probe */
	g_assert_cmpfloat(checks, ==, 2 * events);
	g_assert_cmpfloat((double)probe.calls, ==, events);
	g_assert_true(probe.monotonic);
#endif
	cJSON_Delete(res);
}

static void
run_probe_expecting_abort(const char *stderr_pattern)
{
#ifdef NDEBUG
	(void)stderr_pattern;
	g_test_skip("release build: invariant checkers are compiled out");
#else
	if (g_test_subprocess()) {
		(void)t_run(t_config(t_machine(2, 2, NULL), 4, 1, &probe_ops, NULL, 0));
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr(stderr_pattern);
#endif
}

static void
test_invariants_hook_failure_aborts(void)
{
	memset(&probe, 0, sizeof probe);
	probe.fail = true;
	run_probe_expecting_abort("*invariant probe violated after the run event of cpu 0 at t=0: "
				  "the probe says no*");
}

/* The engine's line checker catches an owned line that also claims S
 * copies, at the end of the very event that broke it. */
static void
test_invariants_cache_catches_corruption(void)
{
	memset(&probe, 0, sizeof probe);
	probe.corrupt = true;
	run_probe_expecting_abort("*invariant cache violated after the run event of cpu 0 at t=*"
				  "owned by cpu 0 yet 3 private and 0 LLC copies*");
}

/*
 * The checker covers every line an event touches, not the last few: one
 * event of CPU 0 breaks y's record (owned, yet 3 S copies claimed) and
 * then reads eight more lines it owns, all hits in the same event.
 * (Regression: only the last 4 lines were checked, so y's corruption
 * went unnoticed.)
 */
#ifndef NDEBUG
static uint64_t *trav_y, *trav_z;

static void *
trav_setup(struct sim *s, const void *params)
{
	(void)params;
	trav_y = sim_alloc(64, 64);
	trav_z = sim_alloc(8 * 64, 64);
	sim_mem_prime(s, trav_y, 64, 0);
	sim_mem_prime(s, trav_z, 8 * 64, 0);
	return s;
}

static void
trav_cpu(void *st)
{
	(void)st;
	(void)sim_faa64(trav_y, 1);
	struct sim_line *l = sim_line_get(sim_current, sim_line_id(sim_current, trav_y));
	l->nsh = 3;
	l->sh_far = 0;
	for (unsigned i = 0; i < 8; i++)
		(void)sim_load64(&trav_z[i * 8]);
}

static const struct sim_workload_ops trav_ops = {
	.name = "trav", .summary = "", .params = no_params, .params_size = 1,
	.setup = trav_setup, .cpu_main = trav_cpu,
};

#endif

static void
test_invariants_cover_traversal(void)
{
#ifdef NDEBUG
	g_test_skip("release build: invariant checkers are compiled out");
#else
	if (g_test_subprocess()) {
		(void)t_run(t_config(t_machine(1, 2, NULL), 1, 1, &trav_ops, NULL, 0));
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	/* y is the first line of the arena: line 0. */
	g_test_trap_assert_stderr("*invariant cache violated after the run event of cpu 0 at t=*"
				  "line 0: owned by cpu 0 yet 3 private and 0 LLC copies*");
#endif
}

/*
 * Private caches are checked on machines of any size: 2 sockets of 40
 * cores (80 > 64).  x is owned by CPU 0; CPU 1 (core 1) reads it, CPU 0
 * then takes it back with an RMW (a new generation) and, in the same
 * event, a fill that loses its count puts an S copy of the new generation
 * in core 1's cache.  (Regression: above 64 cores no private cache was
 * looked at, so this passed.)
 */
#ifndef NDEBUG
static uint64_t *big_x;

static void *
big_setup(struct sim *s, const void *params)
{
	(void)params;
	big_x = sim_alloc(64, 64);
	sim_mem_prime(s, big_x, 64, 0);
	return s;
}

static void
big_cpu(void *st)
{
	(void)st;
	struct sim *s = sim_current;
	if (sim_cpu_id() == 1) {
		(void)sim_load64(big_x);
		return;
	}
	sim_sleep_until(1000);
	(void)sim_faa64(big_x, 1);
	uint32_t id = sim_line_id(s, big_x);
	struct sim_line *l = sim_line_get(s, id);
	g_assert_cmpuint(l->owner, ==, 0);
	sim_pc_fill(s, s->cpus[1].core, s->cpus[1].cluster, l, id, l->gen, sim_now());
	l->nsh = 0;                     /* the lost count */
	l->sh_far = SIM_NONE;
}

static const struct sim_workload_ops big_ops = {
	.name = "big", .summary = "", .params = no_params, .params_size = 1,
	.setup = big_setup, .cpu_main = big_cpu,
};

#endif

static void
test_invariants_any_size(void)
{
#ifdef NDEBUG
	g_test_skip("release build: invariant checkers are compiled out");
#else
	if (g_test_subprocess()) {
		(void)t_run(t_config(t_machine(2, 40, NULL), 2, 1, &big_ops, NULL, 0));
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*invariant cache violated after the run event of cpu 0 at t=*"
				  "line 0: owned by cpu 0 yet core 1 holds an S copy of generation*");
#endif
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/engine/determinism/line-ww-ben-40", test_determinism_ww);
	g_test_add_func("/engine/determinism/faa-icx-64", test_determinism_faa);
	g_test_add_func("/engine/determinism/line-rw-genoa-100", test_determinism_rw);
	g_test_add_func("/engine/determinism/seed-reaches-arbiter", test_seed_matters);
	g_test_add_func("/engine/determinism/every-workload", test_determinism_every_workload);
	g_test_add_func("/engine/stack/overflow-caught-by-canary", test_overflow_canary);
	g_test_add_func("/engine/stack/overflow-faults-on-guard-page", test_overflow_guard_page);
	g_test_add_func("/engine/stack/overflow-at-a-switch-stops-the-run", test_overflow_at_switch);
	g_test_add_func("/engine/deadlock/reported", test_deadlock_reported);
	g_test_add_func("/engine/spin/deadline", test_spin_deadline);
	g_test_add_func("/engine/topology/ben-fill-order-and-hops", test_ben_fill_order);
	g_test_add_func("/engine/topology/large-hypercube", test_large_topology);
	g_test_add_func("/engine/topology/ben-cpu-sockets-linux-numbering", test_ben_cpu_sockets);
	g_test_add_func("/engine/topology/smt-cpu-sockets", test_smt_cpu_sockets);
	g_test_add_func("/engine/topology/smt-cores-first", test_smt_numbering);
	g_test_add_func("/engine/budget/refused-up-front", test_memory_budget_refused);
	g_test_add_func("/engine/budget/max-cycles-single-cpu", test_max_cycles_single_cpu);
	g_test_add_func("/engine/budget/setup-over-budget-refused", test_budget_setup_refused);
	g_test_add_func("/engine/budget/run-over-budget-stopped", test_budget_run_stopped);
	g_test_add_func("/engine/budget/arena-exhausted-in-setup-refused",
			test_arena_exhausted_in_setup);
	g_test_add_func("/engine/arena/exhausted-over-4gib", test_arena_exhausted_over_4gib);
	g_test_add_func("/engine/budget/arena-exhausted-in-run-stopped", test_arena_exhausted_in_run);
	g_test_add_func("/engine/budget/run-length-over-max-cycles-refused", test_run_length_refused);
	g_test_add_func("/engine/events/stale-timeouts-do-not-accumulate", test_stale_events_bounded);
	g_test_add_func("/engine/invariants/checked-after-every-event", test_invariants_every_event);
	g_test_add_func("/engine/invariants/failure-aborts-naming-the-checker",
			test_invariants_hook_failure_aborts);
	g_test_add_func("/engine/invariants/cache-checker-covers-a-traversal",
			test_invariants_cover_traversal);
	g_test_add_func("/engine/invariants/cache-checker-any-machine-size",
			test_invariants_any_size);
	g_test_add_func("/engine/invariants/cache-checker-catches-corrupt-line",
			test_invariants_cache_catches_corruption);
	return g_test_run();
}
