// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Every registered lock: mutual exclusion (no two holders; a counter
 * updated with plain load + store under the lock ends exact), liveness
 * (every CPU finishes), determinism.
 */
#include <string.h>

#include "harness.h"
#include "lock.h"

#define ITERS 20

static const struct sim_param no_params[] = { SIM_P_END };

struct lk_state {
	const struct lock_ops *ops;
	void *lk;
	uint64_t *counter;      /* simulated; plain load/store under the lock */
	uint32_t holders;       /* host-side: CPUs inside right now */
	uint32_t max_holders;
};
static const struct lock_ops *lock_under_test;

static void *
lk_setup(struct sim *s, const void *p)
{
	(void)p;
	struct lk_state *st = g_new0(struct lk_state, 1);
	st->ops = lock_under_test;
	st->lk = st->ops->create(s, NULL, 0);
	st->counter = sim_alloc(64, 64);
	return st;
}

static void
lk_cpu(void *arg)
{
	struct lk_state *st = arg;
	for (int i = 0; i < ITERS; i++) {
		st->ops->lock(st->lk);
		if (++st->holders > st->max_holders)
			st->max_holders = st->holders;
		uint64_t v = sim_load64(st->counter);
		sim_work(50);
		sim_store64(st->counter, v + 1);
		st->holders--;
		st->ops->unlock(st->lk);
		sim_work(sim_random_below(200));
	}
}

static uint64_t final_count;
static uint32_t final_max;

static void
lk_report(void *arg, struct sim *s, cJSON *m)
{
	(void)s;
	struct lk_state *st = arg;
	final_count = *st->counter;     /* host read after the run: stores drained */
	final_max = st->max_holders;
	cJSON_AddNumberToObject(m, "count", (double)final_count);
}

static void
lk_teardown(void *arg)
{
	struct lk_state *st = arg;
	st->ops->destroy(st->lk);
	g_free(st);
}

static const struct sim_workload_ops lk_ops = {
	.name = "locktest", .summary = "", .params = no_params, .params_size = 1,
	.setup = lk_setup, .cpu_main = lk_cpu, .report = lk_report, .teardown = lk_teardown,
};

static void
test_mutual_exclusion(gconstpointer data)
{
	lock_under_test = data;
	struct sim_run_config *rc = t_config(t_machine(2, 4, NULL), 8, 3, &lk_ops, NULL, 0);
	cJSON *r1 = t_run(rc);
	g_assert_cmpuint(final_count, ==, 8 * ITERS);
	g_assert_cmpuint(final_max, ==, 1);
	cJSON *r2 = t_run(rc);
	g_autofree char *s1 = t_results_without_host(r1);
	g_autofree char *s2 = t_results_without_host(r2);
	g_assert_cmpstr(s1, ==, s2);
	cJSON_Delete(r1);
	cJSON_Delete(r2);
	sim_run_config_free(rc);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (const struct sim_component *const *c = lock_all(); *c; c++) {
		g_autofree char *path = g_strdup_printf("/locks/%s/mutual-exclusion", (*c)->name);
		g_test_add_data_func(path, lock_ops_from(*c), test_mutual_exclusion);
	}
	return g_test_run();
}
