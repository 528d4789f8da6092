// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Kernel cross-CPU calls (models/kernel): multicast IPIs with exact
 * cycle counts, cpumask operations at 65,536 CPUs, every smp
 * implementation's concurrent initiators (liveness, acks == targets,
 * determinism), and the shootdown workload's target counts.
 */
#include <string.h>

#include "cpumask.h"
#include "harness.h"
#include "smp.h"

static const struct sim_param no_params[] = { SIM_P_END };

/* ---- sim_ipi_multicast: exact cycles ---- */

static sim_time_t handled_at[4], sender_done;

static void
note_handler(void *arg)
{
	(void)arg;
	handled_at[sim_cpu_id()] = sim_now();
}

static void *
nop_setup(struct sim *s, const void *p)
{
	(void)s;
	(void)p;
	return NULL;
}

static void
mc_cpu(void *arg)
{
	(void)arg;
	if (sim_cpu_id() == 0) {
		static const uint32_t to[] = { 1, 2 };
		sim_ipi_multicast(to, 2, note_handler, NULL);
		sender_done = sim_now();
	} else {
		sim_sleep_until(100000);
	}
}

static uint64_t fabric_waited, sim_cpu_ipis_last;

static void
mc_report(void *arg, struct sim *s, cJSON *m)
{
	(void)arg;
	(void)m;
	fabric_waited = sim_ipi_fabric_waited(s);
	sim_cpu_ipis_last = sim_cpu_ipis(s, 2);    /* IPIs CPU 2 took */
}

static const struct sim_workload_ops mc_ops = {
	.name = "multicast", .summary = "", .params = no_params, .params_size = 1,
	.setup = nop_setup, .cpu_main = mc_cpu, .report = mc_report,
};

static void
run_multicast(uint32_t occupancy)
{
	struct sim_machine *m = t_machine(1, 4, NULL);
	m->lat.ipi_send = 100;
	m->lat.ipi_latency = 1000;
	m->lat.irq_entry = 50;
	m->lat.ipi_occupancy = occupancy;
	memset(handled_at, 0, sizeof(handled_at));
	struct sim_run_config *rc = t_config(m, 3, 1, &mc_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
}

/* Three CPUs: CPU 0 multicasts to 1 and 2.  One fence (empty store
 * buffer: fence.full = 33), then per target ipi_send = 100; each target
 * takes it ipi_latency = 1000 after its own send and enters the handler
 * irq_entry = 50 later. */
static void
test_multicast_exact(void)
{
	const sim_time_t F = t_lat_default.fence_full;
	run_multicast(0);
	g_assert_cmpuint(sender_done, ==, F + 200);
	g_assert_cmpuint(handled_at[1], ==, F + 100 + 1000 + 50);
	g_assert_cmpuint(handled_at[2], ==, F + 200 + 1000 + 50);
	g_assert_cmpuint(fabric_waited, ==, 0);
	g_assert_cmpuint(sim_cpu_ipis_last, ==, 1);
}

/* With ipi_occupancy = 300 the second message waits for the fabric:
 * it starts at F + 300 instead of F + 100 (200 cycles of waiting). */
static void
test_multicast_occupancy(void)
{
	const sim_time_t F = t_lat_default.fence_full;
	run_multicast(300);
	g_assert_cmpuint(handled_at[1], ==, F + 100 + 1000 + 50);
	g_assert_cmpuint(sender_done, ==, F + 300 + 100);
	g_assert_cmpuint(handled_at[2], ==, F + 300 + 100 + 1000 + 50);
	g_assert_cmpuint(fabric_waited, ==, 200);
}

/* Two senders at once, occupancy 300: CPU 0 and CPU 1 both send to CPU 2
 * at t = 0 and reach the fabric at F.  It serves CPU 0 first (lower id at
 * equal time); CPU 1 waits until F + 300, 300 cycles. */
static sim_time_t sent_at[2];

static void
two_cpu(void *arg)
{
	(void)arg;
	uint32_t id = sim_cpu_id();
	if (id < 2) {
		sim_ipi_send(2, note_handler, NULL);
		sent_at[id] = sim_now();
	} else {
		sim_sleep_until(100000);
	}
}

static const struct sim_workload_ops two_ops = {
	.name = "twosenders", .summary = "", .params = no_params, .params_size = 1,
	.setup = nop_setup, .cpu_main = two_cpu, .report = mc_report,
};

static void
test_two_senders_queue(void)
{
	const sim_time_t F = t_lat_default.fence_full;
	struct sim_machine *m = t_machine(1, 4, NULL);
	m->lat.ipi_send = 100;
	m->lat.ipi_latency = 1000;
	m->lat.irq_entry = 50;
	m->lat.ipi_occupancy = 300;
	struct sim_run_config *rc = t_config(m, 3, 1, &two_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	g_assert_cmpuint(sent_at[0], ==, F + 100);              /* CPU 0: no wait */
	g_assert_cmpuint(sent_at[1], ==, F + 300 + 100);        /* CPU 1 waited */
	g_assert_cmpuint(fabric_waited, ==, 300);
	g_assert_cmpuint(sim_cpu_ipis_last, ==, 2);
}

/* ---- cpumask at 65,536 CPUs ---- */

struct cm_state {
	struct cpumask *a, *b, *d;
};
static uint32_t cm_seen[16], cm_nseen, cm_weight, cm_and_weight;
static uint64_t cm_words_for_each;
static bool cm_and_nonempty, cm_empty_after, cm_test_after;

static void *
cm_setup(struct sim *s, const void *p)
{
	(void)s;
	(void)p;
	struct cm_state *st = g_new0(struct cm_state, 1);
	st->a = cpumask_alloc(65536);
	st->b = cpumask_alloc(65536);
	st->d = cpumask_alloc(65536);
	return st;
}

static void
cm_cpu(void *arg)
{
	struct cm_state *st = arg;
	if (sim_cpu_id() != 0)
		return;
	static const uint32_t bits[] = { 0, 63, 64, 4095, 65535 };
	for (unsigned i = 0; i < G_N_ELEMENTS(bits); i++)
		cpumask_set_cpu(bits[i], st->a);
	__cpumask_set_cpu(63, st->b);
	__cpumask_set_cpu(100, st->b);
	__cpumask_set_cpu(65535, st->b);
	uint32_t cpu;
	uint64_t w0 = st->a->words_read;
	cm_nseen = 0;
	for_each_cpu(cpu, st->a)
		cm_seen[cm_nseen++] = cpu;
	cm_words_for_each = st->a->words_read - w0;
	cm_weight = cpumask_weight(st->a);
	cm_and_nonempty = cpumask_and(st->d, st->a, st->b);
	cm_and_weight = cpumask_weight(st->d);
	for (unsigned i = 0; i < G_N_ELEMENTS(bits); i++)
		cpumask_clear_cpu(bits[i], st->a);
	cm_empty_after = cpumask_empty(st->a);
	cm_test_after = cpumask_test_cpu(65535, st->d);
}

static void
cm_teardown(void *arg)
{
	struct cm_state *st = arg;
	cpumask_free(st->a);
	cpumask_free(st->b);
	cpumask_free(st->d);
	g_free(st);
}

static const struct sim_workload_ops cm_ops = {
	.name = "cpumask", .summary = "", .params = no_params, .params_size = 1,
	.setup = cm_setup, .cpu_main = cm_cpu, .teardown = cm_teardown,
};

static void
test_cpumask_65536(void)
{
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &cm_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	g_assert_cmpuint(cm_nseen, ==, 5);
	static const uint32_t want[] = { 0, 63, 64, 4095, 65535 };
	for (unsigned i = 0; i < 5; i++)
		g_assert_cmpuint(cm_seen[i], ==, want[i]);
	/* find_next_bit word by word: words 0, 0, 1, 1..63, 64..1023 and
	 * nothing after 65,535 (the last bit). */
	g_assert_cmpuint(cm_words_for_each, ==, 1 + 1 + 1 + 63 + 960);
	g_assert_cmpuint(cm_weight, ==, 5);
	g_assert_true(cm_and_nonempty);
	g_assert_cmpuint(cm_and_weight, ==, 2);
	g_assert_true(cm_empty_after);
	g_assert_true(cm_test_after);
}

/* Host helpers and a size that is not a multiple of 64. */
static void
test_cpumask_tail(void)
{
	struct sim_run_config *rc = t_config(t_machine(1, 2, NULL), 2, 1, &cm_ops, NULL, 0);
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	struct cpumask *m = cpumask_alloc(80);
	g_assert_cmpuint(m->nwords, ==, 2);
	cpumask_setall_host(m);
	g_assert_cmpuint(cpumask_weight_host(m), ==, 80);
	g_assert_true(cpumask_test_cpu_host(79, m));
	g_assert_cmpuint(m->bits[1], ==, (UINT64_C(1) << 16) - 1);
	cpumask_free(m);
	sim_destroy(s);
	sim_run_config_free(rc);
}

/* ---- smp implementations: concurrent initiators ---- */

#define SD_ROUNDS 3
static const struct smp_ops *smp_under_test;
static const struct smp_params smp_test_params = {
	.invlpg = 100, .flush_all = 400, .flush_ceiling = 4, .handler_work = 0,
};

struct ci_state {
	void *smp;
	struct cpumask *all;
	uint32_t done;              /* host: initiators that returned */
	uint64_t targets;           /* host: sum of returned target counts */
};

static void *
ci_setup(struct sim *s, const void *p)
{
	(void)p;
	struct ci_state *st = g_new0(struct ci_state, 1);
	st->smp = smp_under_test->create(s, &smp_test_params);
	st->all = cpumask_alloc(sim_ncpus_of(s));
	cpumask_setall_host(st->all);
	return st;
}

static void
ci_cpu(void *arg)
{
	struct ci_state *st = arg;
	for (int r = 0; r < SD_ROUNDS; r++) {
		sim_work(sim_random_below(300));
		st->targets += smp_under_test->flush_tlb_others(st->smp, st->all, 7, 1);
	}
	st->done++;
	/* Stay online: others may still target this CPU. */
	sim_sleep_until(50000000);
}

static struct smp_stats ci_stats;
static uint64_t ci_targets, ci_done;

static void
ci_report(void *arg, struct sim *s, cJSON *m)
{
	(void)s;
	struct ci_state *st = arg;
	ci_stats = *smp_under_test->stats(st->smp);
	ci_targets = st->targets;
	ci_done = st->done;
	smp_stats_report(&ci_stats, m);
}

static void
ci_teardown(void *arg)
{
	struct ci_state *st = arg;
	smp_under_test->destroy(st->smp);
	cpumask_free(st->all);
	g_free(st);
}

static const struct sim_workload_ops ci_ops = {
	.name = "initiators", .summary = "", .params = no_params, .params_size = 1,
	.setup = ci_setup, .cpu_main = ci_cpu, .report = ci_report, .teardown = ci_teardown,
};

/* Every CPU of two 4-core sockets shoots down all the others, three times,
 * all at once: every call returns, every target acknowledged exactly
 * once per call, and the run is deterministic. */
static void
test_concurrent_initiators(gconstpointer data)
{
	smp_under_test = smp_find(data);
	g_assert_nonnull(smp_under_test);
	const uint32_t n = 8;
	struct sim_run_config *rc = t_config(t_machine(2, 4, NULL), n, 5, &ci_ops, NULL, 0);
	cJSON *r1 = t_run(rc);
	g_assert_cmpuint(ci_done, ==, n);
	g_assert_cmpuint(ci_stats.shootdowns, ==, n * SD_ROUNDS);
	g_assert_cmpuint(ci_stats.targets, ==, n * (n - 1) * SD_ROUNDS);
	g_assert_cmpuint(ci_targets, ==, n * (n - 1) * SD_ROUNDS);
	g_assert_cmpuint(ci_stats.acks, ==, ci_stats.targets);
	/* At most one IPI per target per call, at least one handler per CPU. */
	g_assert_cmpuint(ci_stats.ipis, <=, ci_stats.targets);
	g_assert_cmpuint(ci_stats.handlers, >=, n);
	g_assert_cmpuint(ci_stats.handlers, <=, ci_stats.ipis);
	cJSON *r2 = t_run(rc);
	g_autofree char *s1 = t_results_without_host(r1);
	g_autofree char *s2 = t_results_without_host(r2);
	g_assert_cmpstr(s1, ==, s2);
	cJSON_Delete(r1);
	cJSON_Delete(r2);
	sim_run_config_free(rc);
}

/* ---- one shootdown, 2 CPUs: exact dependence on the IPI latencies ---- */

static sim_time_t one_cost;

static void
one_cpu(void *arg)
{
	struct ci_state *st = arg;
	if (sim_cpu_id() == 0) {
		sim_time_t t0 = sim_now();
		g_assert_cmpuint(smp_under_test->flush_tlb_others(st->smp, st->all, 7, 1), ==, 1);
		one_cost = sim_now() - t0;
	}
	sim_sleep_until(10000000);
}

static const struct sim_workload_ops one_ops = {
	.name = "one", .summary = "", .params = no_params, .params_size = 1,
	.setup = ci_setup, .cpu_main = one_cpu, .report = ci_report, .teardown = ci_teardown,
};

static sim_time_t
run_one(uint32_t send, uint32_t latency, uint32_t entry)
{
	struct sim_machine *m = t_machine(1, 2, NULL);
	m->lat.ipi_send = send;
	m->lat.ipi_latency = latency;
	m->lat.irq_entry = entry;
	struct sim_run_config *rc = t_config(m, 2, 1, &one_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	g_assert_cmpuint(ci_stats.acks, ==, 1);
	g_assert_cmpuint(ci_stats.ipis, ==, 1);
	return one_cost;
}

/* A one-target shootdown is a serial chain: the initiator's IPI send,
 * the delivery, the handler's entry and its work, then the ack.  Each
 * IPI cost therefore adds exactly once to it, and the handler's
 * invalidation (invlpg = 100 for one page) lies on the path too. */
static void
test_one_target_chain(gconstpointer data)
{
	smp_under_test = smp_find(data);
	sim_time_t base = run_one(500, 2000, 1000);
	g_assert_cmpuint(run_one(500 + 77, 2000, 1000), ==, base + 77);
	g_assert_cmpuint(run_one(500, 2000 + 1234, 1000), ==, base + 1234);
	g_assert_cmpuint(run_one(500, 2000, 1000 + 321), ==, base + 321);
	g_assert_cmpuint(base, >, 500 + 2000 + 1000 + smp_test_params.invlpg);
}

/* ---- flush_tlb_others_ipi (linux-3.5, linux-2.6.37): exact cycles ---- */

static sim_time_t tv_cost[2], tv_done[10];
static uint32_t tv_other = 8;     /* the pair's second sender */


/* CPU 0 shoots down every other CPU twice, 20,000 cycles apart; the
 * second (warm) call is measured.  Everyone else idles. */
static void
tv_warm_cpu(void *arg)
{
	struct ci_state *st = arg;
	if (sim_cpu_id() == 0) {
		for (int k = 0; k < 2; k++) {
			sim_sleep_until(20000 * (uint64_t)k);
			sim_time_t t0 = sim_now();
			(void)smp_under_test->flush_tlb_others(st->smp, st->all, 7, 1);
			tv_cost[k] = sim_now() - t0;
		}
	}
	sim_sleep_until(10000000);
}

static const struct sim_workload_ops tv_warm_ops = {
	.name = "tlbvec-warm", .summary = "", .params = no_params, .params_size = 1,
	.setup = ci_setup, .cpu_main = tv_warm_cpu, .report = ci_report, .teardown = ci_teardown,
};

static sim_time_t
run_tv_warm(const char *name, uint32_t ncpus)
{
	smp_under_test = smp_find(name);
	g_assert_nonnull(smp_under_test);
	struct sim_machine *m = t_machine(1, ncpus, NULL);
	m->lat.ipi_send = 500;
	m->lat.ipi_latency = 2000;
	m->lat.irq_entry = 1000;
	struct sim_run_config *rc = t_config(m, ncpus, 1, &tv_warm_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	g_assert_cmpuint(ci_stats.shootdowns, ==, 2);
	g_assert_cmpuint(ci_stats.acks, ==, 2 * (ncpus - 1));
	g_assert_cmpuint(ci_stats.ipis, ==, 2 * (ncpus - 1));
	return tv_cost[1];
}

/* CPUs 0 and 8 of 9 each shoot down CPU 1 at t = 0. */
struct tv_pair_state {
	void *smp;
	struct cpumask *one;
};

static void *
tv_pair_setup(struct sim *s, const void *p)
{
	(void)p;
	struct tv_pair_state *st = g_new0(struct tv_pair_state, 1);
	st->smp = smp_under_test->create(s, &smp_test_params);
	st->one = cpumask_alloc(sim_ncpus_of(s));
	cpumask_set_cpu_host(1, st->one);
	return st;
}

static void
tv_pair_cpu(void *arg)
{
	struct tv_pair_state *st = arg;
	uint32_t me = sim_cpu_id();
	if (me == 0 || me == tv_other) {
		g_assert_cmpuint(smp_under_test->flush_tlb_others(st->smp, st->one, 7, 1), ==, 1);
		tv_done[me] = sim_now();
	}
	sim_sleep_until(10000000);
}

static void
tv_pair_report(void *arg, struct sim *s, cJSON *m)
{
	(void)s;
	(void)m;
	struct tv_pair_state *st = arg;
	ci_stats = *smp_under_test->stats(st->smp);
}

static void
tv_pair_teardown(void *arg)
{
	struct tv_pair_state *st = arg;
	smp_under_test->destroy(st->smp);
	cpumask_free(st->one);
	g_free(st);
}

static const struct sim_workload_ops tv_pair_ops = {
	.name = "tlbvec-pair", .summary = "", .params = no_params, .params_size = 1,
	.setup = tv_pair_setup, .cpu_main = tv_pair_cpu, .report = tv_pair_report,
	.teardown = tv_pair_teardown,
};

static void
run_tv_pair_on(struct sim_machine *m, uint32_t ncpus, const char *name, uint32_t other)
{
	smp_under_test = smp_find(name);
	tv_other = other;
	m->lat.ipi_send = 500;
	m->lat.ipi_latency = 2000;
	m->lat.irq_entry = 1000;
	m->lat.ipi_occupancy = 0;
	memset(tv_done, 0, sizeof(tv_done));
	struct sim_run_config *rc = t_config(m, ncpus, 1, &tv_pair_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	g_assert_cmpuint(ci_stats.shootdowns, ==, 2);
	g_assert_cmpuint(ci_stats.acks, ==, 2);
}

static void
run_tv_pair(const char *name)
{
	run_tv_pair_on(t_machine(1, 9, NULL), 9, name, 8);
}

/*
 * One warm shootdown (the second of two, 20,000 cycles apart) from CPU 0
 * to every other CPU of one socket; t_lat_default, ipi_send 500,
 * ipi_latency 2,000, irq_entry 1,000, invlpg 100.  The slot's line is
 * CPU 0's (its last stores cleared flush_mm and flush_va), `all` is
 * shared.  linux-3.5 on 2 CPUs, as the timeline shows it:
 *   CPU 0: flush_mm, flush_va stores 2; cpumask_andnot: the load of
 *     `all` 4 and the store of the slot's mask word 1               7
 *   send_IPI_mask's for_each_cpu: the slot's mask word             4
 *   sim_ipi_multicast: fence 33 (store buffer), one ICR write 500  533
 *   IPI latency and entry on CPU 1                              3,000
 *   CPU 1: cpumask_test_cpu, the slot's line from CPU 0 (15);
 *     flush_mm and flush_va loads 8; INVLPG 100                   123
 *   the ack: LOCK BTR of the mask word, CPU 0 holding it shared    45
 *   CPU 0 sees the empty mask (reload 4); flush_mm/flush_va
 *     stores 2                                                      6
 *                                                            = 3,718
 * 3 CPUs: 4,217 (a second ICR write, 500; the second target's ack
 * decides the end).  linux-2.6.37 takes tlbstate_lock on the slot's own
 * line around it all: 54 cycles more (the ticket xadd, a hit, 20; the
 * unlock's load and store behind the two pending stores, 34).
 */
static void
test_tlbvec_warm(void)
{
	g_assert_cmpuint(run_tv_warm("linux-3.5", 2), ==, 3718);
	g_assert_cmpuint(run_tv_warm("linux-2.6.37", 2), ==, 3718 + 54);
	g_assert_cmpuint(run_tv_warm("linux-3.5", 3), ==, 4217);
	g_assert_cmpuint(run_tv_warm("linux-2.6.37", 3), ==, 4217 + 54);
}

/*
 * CPUs 0 and 8 of a 9-CPU socket shoot down CPU 1 at the same moment.
 * linux-2.6.37: both send on vector 0 (cpu % 8), so the second waits on
 * tlbstate_lock for the whole of the first shootdown: CPU 8 (its xadd
 * first) returns at 4,438, CPU 0 only at 8,249, 3,811 later -- one whole
 * shootdown.  linux-3.5: 9 CPUs <= 32 vectors, each CPU its own slot and
 * no lock: the shootdowns overlap, CPU 1 serves the second IPI right
 * after the first (its handler exits at 4,032, the second entry takes
 * 1,000): CPU 0 returns at 4,038, CPU 8 at 5,206.
 */
static void
test_tlbvec_slot_sharing(void)
{
	run_tv_pair("linux-2.6.37");
	g_assert_cmpuint(tv_done[8], ==, 4438);
	g_assert_cmpuint(tv_done[0], ==, 8249);
	run_tv_pair("linux-3.5");
	g_assert_cmpuint(tv_done[0], ==, 4038);
	g_assert_cmpuint(tv_done[8], ==, 5206);
}

static struct sim_machine *
load_ben(void)
{
	g_autofree char *path = sim_machine_find_preset("ben");
	g_assert_nonnull(path);
	GError *err = NULL;
	cJSON *doc = sim_json_parse_file(path, &err);
	g_assert_no_error(err);
	struct sim_origin o = { .file = path, .prefix = "" };
	struct sim_machine *m = sim_machine_load(doc, &o, &err);
	g_assert_no_error(err);
	cJSON_Delete(doc);
	return m;
}

/*
 * ben under linux-3.5: 80 CPUs > 32 vectors, so tlbstate_lock is taken,
 * and calculate_tlb_offset gives each of the 8 nodes 4 vectors, handed
 * round robin to its 10 CPUs: socket 0's CPUs 0-9 get 0 1 2 3 0 1 2 3 0
 * 1.  Run on socket 0 alone (10 CPUs): CPUs 0 and 8 share vector 0, so
 * one waits for the other's whole shootdown of CPU 1; CPUs 0 and 9
 * (vector 1) do not.  IPI costs as above, ben's cache latencies.
 * Shared slot: the first returns at 5,013, the second 4,309 later (it
 * took the lock only then: one whole shootdown).  Own slots: 4,755 and
 * 6,103, 1,348 apart (CPU 1's first handler, then the second IPI's
 * entry of 1,000).
 */
static void
test_tlbvec_ben_slots(void)
{
	run_tv_pair_on(load_ben(), 10, "linux-3.5", 8);
	sim_time_t first = MIN(tv_done[0], tv_done[8]), second = MAX(tv_done[0], tv_done[8]);
	g_test_message("ben, CPUs 0 and 8: %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT,
		       (guint64)first, (guint64)second);
	g_assert_cmpuint(first, ==, 5013);
	g_assert_cmpuint(second, ==, 9322);
	run_tv_pair_on(load_ben(), 10, "linux-3.5", 9);
	first = MIN(tv_done[0], tv_done[9]);
	second = MAX(tv_done[0], tv_done[9]);
	g_test_message("ben, CPUs 0 and 9: %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT,
		       (guint64)first, (guint64)second);
	g_assert_cmpuint(first, ==, 4755);
	g_assert_cmpuint(second, ==, 6103);
}

/* ---- the shootdown workload ---- */

static const char *sd_json =
	"{\"machine\": \"ben\", \"cpus\": 3, \"workload\": {\"name\": \"shootdown\","
	" \"rounds\": 6, \"warmup\": 2, \"map_work\": 100, \"unmap_work\": 100,"
	" \"fault_work\": 200}}";

static void
test_workload_pipeline(void)
{
	char *sets[] = { "kernel={\"smp\": \"sv6\"}", NULL };
	GError *err = NULL;
	for (int k = 0; k < 2; k++) {
		cJSON *r = t_run_json(sd_json, k ? sets : NULL, &err);
		g_assert_no_error(err);
		const cJSON *eff = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "config"), "kernel");
		g_assert_true(k == 0 ? eff == NULL :
			      strcmp(cJSON_GetObjectItem(eff, "smp")->valuestring, "sv6") == 0);
		/* Each of 3 CPUs munmaps its neighbour's page once per measured
		 * round, with exactly one target: the neighbour. */
		g_assert_cmpfloat(t_metric(r, "measured_shootdowns"), ==, 3 * 4);
		g_assert_cmpfloat(t_metric(r, "targets_per_shootdown"), ==, 1);
		g_assert_cmpfloat(t_metric(r, "page_touches"), ==, 3 * 4 * 2);
		g_assert_cmpfloat(t_metric(r, "smp.shootdown_acks"), ==,
				  t_metric(r, "smp.shootdown_targets"));
		g_assert_cmpfloat(t_metric(r, "slot_waits"), ==, 0);
		cJSON_Delete(r);
	}
}

static void
test_workload_global(void)
{
	char *sets[] = { "cpus=4", "workload.pattern=global", NULL };
	GError *err = NULL;
	cJSON *r = t_run_json(sd_json, sets, &err);
	g_assert_no_error(err);
	/* 4 CPUs x 4 measured rounds, each shooting down the CPUs that
	 * touched its slice: at most the 3 others. */
	g_assert_cmpfloat(t_metric(r, "measured_shootdowns"), <=, 4 * 4);
	g_assert_cmpfloat(t_metric(r, "targets_per_shootdown"), <=, 3);
	g_assert_cmpfloat(t_metric(r, "targets_per_shootdown"), >, 2);
	g_assert_cmpfloat(t_metric(r, "smp.shootdown_acks"), ==,
			  t_metric(r, "smp.shootdown_targets"));
	cJSON_Delete(r);
}

static void
test_workload_bad_warmup(void)
{
	char *sets[] = { "workload.warmup=6", NULL };
	GError *err = NULL;
	cJSON *r = t_run_json(sd_json, sets, &err);
	g_assert_null(r);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "workload.warmup"));
	g_error_free(err);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/smp/ipi/multicast-exact", test_multicast_exact);
	g_test_add_func("/smp/ipi/multicast-occupancy", test_multicast_occupancy);
	g_test_add_func("/smp/ipi/two-senders-queue", test_two_senders_queue);
	g_test_add_func("/smp/cpumask/65536", test_cpumask_65536);
	g_test_add_func("/smp/cpumask/tail", test_cpumask_tail);
	for (const struct sim_component *const *p = smp_all(); *p; p++) {
		char *path = g_strdup_printf("/smp/%s/concurrent-initiators", (*p)->name);
		g_test_add_data_func(path, (*p)->name, test_concurrent_initiators);
		g_free(path);
		path = g_strdup_printf("/smp/%s/one-target-chain", (*p)->name);
		g_test_add_data_func(path, (*p)->name, test_one_target_chain);
		g_free(path);
	}
	g_test_add_func("/smp/tlbvec/warm", test_tlbvec_warm);
	g_test_add_func("/smp/tlbvec/slot-sharing", test_tlbvec_slot_sharing);
	g_test_add_func("/smp/tlbvec/ben-slots", test_tlbvec_ben_slots);
	g_test_add_func("/smp/workload/pipeline", test_workload_pipeline);
	g_test_add_func("/smp/workload/global", test_workload_global);
	g_test_add_func("/smp/workload/bad-warmup", test_workload_bad_warmup);
	return g_test_run();
}
