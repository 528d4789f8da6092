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

/* ---- exact uncontended costs and FIFO order ---- */

static sim_time_t t_lock[4], t_unlock[4];
static uint32_t order[8];
static uint32_t norder;
static const sim_time_t *arrive;    /* per CPU: when it calls lock() */
static uint64_t hold_cycles;

static void
cost_cpu(void *arg)
{
	struct lk_state *st = arg;
	uint32_t id = sim_cpu_id();
	sim_sleep_until(arrive[id]);
	sim_time_t t0 = sim_now();
	st->ops->lock(st->lk);
	sim_time_t t1 = sim_now();
	order[norder++] = id;
	sim_work(hold_cycles);
	sim_time_t t2 = sim_now();
	st->ops->unlock(st->lk);
	t_lock[id] = t1 - t0;
	t_unlock[id] = sim_now() - t2;
}

static const struct sim_workload_ops cost_ops = {
	.name = "lockcost", .summary = "", .params = no_params, .params_size = 1,
	.setup = lk_setup, .cpu_main = cost_cpu, .teardown = lk_teardown,
};

static void
run_cost(const char *lock, uint32_t cpus, const sim_time_t *when, uint64_t hold)
{
	lock_under_test = lock_find(lock);
	g_assert_nonnull(lock_under_test);
	arrive = when;
	hold_cycles = hold;
	norder = 0;
	struct sim_run_config *rc = t_config(t_machine(1, 4, NULL), cpus, 1, &cost_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
}

/*
 * t_lat_default, one socket (leg_cluster 5, atomic_hit 20, l1_hit 4,
 * store_hit 1).  The lock line is primed on CPU 0 (create's home_cpu).
 * The xadd returns head with the ticket (models/lock/spinlock_ticket.c).
 *   CPU 0 at t=0:    xadd on its own line 20;
 *                    unlock: load head 4 + store (owned, empty buffer) 1 = 5.
 *   CPU 1 at t=1000: xadd takes the line from CPU 0 inside the cluster:
 *                    3 legs of 5 + 20 = 35; unlock 5.
 */
static void
test_ticket_cost(void)
{
	static const sim_time_t when[] = { 0, 1000 };
	run_cost("ticket", 2, when, 0);
	g_assert_cmpuint(t_lock[0], ==, 20);
	g_assert_cmpuint(t_unlock[0], ==, 5);
	g_assert_cmpuint(t_lock[1], ==, 35);
	g_assert_cmpuint(t_unlock[1], ==, 5);
}

/*
 * MCS, same machine; each CPU's node is primed on that CPU.
 *   CPU 0: store locked 1 + store next 1 + xchg tail (own line) 20 = 22;
 *          unlock: load next 4 + cmpxchg tail 20 = 24.
 *   CPU 1: 1 + 1 + xchg from CPU 0 (3 x 5 + 20 = 35) = 37;
 *          unlock: 4 + cmpxchg (now its own line) 20 = 24.
 */
static void
test_mcs_cost(void)
{
	static const sim_time_t when[] = { 0, 1000 };
	run_cost("mcs", 2, when, 0);
	g_assert_cmpuint(t_lock[0], ==, 22);
	g_assert_cmpuint(t_unlock[0], ==, 24);
	g_assert_cmpuint(t_lock[1], ==, 37);
	g_assert_cmpuint(t_unlock[1], ==, 24);
}

/* FIFO: CPU 0 holds the lock for 5000 cycles; the others ask at 3000
 * (CPU 1), 1000 (CPU 2) and 2000 (CPU 3) and must get it in that order. */
static void
test_fifo(gconstpointer data)
{
	static const sim_time_t when[] = { 0, 3000, 1000, 2000 };
	run_cost(((const struct sim_component *)data)->name, 4, when, 5000);
	g_assert_cmpuint(norder, ==, 4);
	g_assert_cmpuint(order[0], ==, 0);
	g_assert_cmpuint(order[1], ==, 2);
	g_assert_cmpuint(order[2], ==, 3);
	g_assert_cmpuint(order[3], ==, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (const struct sim_component *const *c = lock_all(); *c; c++) {
		g_autofree char *path = g_strdup_printf("/locks/%s/mutual-exclusion", (*c)->name);
		g_test_add_data_func(path, lock_ops_from(*c), test_mutual_exclusion);
		/* Both queue locks grant in arrival order. */
		if (strcmp((*c)->name, "ticket") == 0 || strcmp((*c)->name, "mcs") == 0) {
			g_autofree char *fp = g_strdup_printf("/locks/%s/fifo", (*c)->name);
			g_test_add_data_func(fp, *c, test_fifo);
		}
	}
	g_test_add_func("/locks/ticket/uncontended-cost", test_ticket_cost);
	g_test_add_func("/locks/mcs/uncontended-cost", test_mcs_cost);
	return g_test_run();
}
