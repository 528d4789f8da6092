// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Kernel locks on simulated memory (models/lock/klock.h): exact cycle
 * counts of 2-3 CPU handoffs, mutual exclusion under contention (a
 * counter updated with a plain load + store under the lock ends exact,
 * never two holders), and determinism, for every spinlock flavour.
 */
#include <string.h>

#include "harness.h"
#include "klock_impl.h"       /* q_wide, for the >= 16K-CPU layout test */
#include "sched_notifier.h"

static const struct sim_param no_params[] = { SIM_P_END };

/* ---- one workload, many bodies ---- */

struct kt {
	struct klock *kl;
	spinlock_t *lock;           /* simulated, on its own line primed on CPU 0 */
	uint64_t *counter;          /* simulated, on its own line */
	uint32_t holders, max_holders;   /* host */
};

static const char *kt_flavour;
static bool kt_wide;            /* force qspinlock's NR_CPUS >= 16K layout */
static const struct klock_params *kt_params;    /* NULL: defaults */
static void (*kt_body)(struct kt *t);
static cJSON *kt_stats;
/* Scheduler notifiers (sched_notifier.h): registered by kt_setup when kt_notify;
 * each callback records when it ran and spends kt_notify_work cycles. */
static bool kt_notify;
static uint64_t kt_notify_work;
static uint32_t n_out[3], n_in[3];
static sim_time_t t_out[3], t_in[3];

static void
kt_sched_out(void *arg, uint32_t cpu)
{
	g_assert_true(arg == &kt_notify && cpu == sim_cpu_id() && cpu < 3);
	n_out[cpu]++;
	t_out[cpu] = sim_now();
	sim_work(kt_notify_work);
}

static void
kt_sched_in(void *arg, uint32_t cpu)
{
	g_assert_true(arg == &kt_notify && cpu == sim_cpu_id() && cpu < 3);
	n_in[cpu]++;
	t_in[cpu] = sim_now();
	sim_work(kt_notify_work);
}

static const struct sched_notifier kt_notifier = {
	.sched_out = kt_sched_out, .sched_in = kt_sched_in,
};

static void *
kt_setup(struct sim *s, const void *p)
{
	(void)p;
	struct kt *t = g_new0(struct kt, 1);
	t->kl = klock_create_with(s, kt_flavour, kt_params);
	g_assert_nonnull(t->kl);
	if (kt_wide)
		t->kl->q_wide = true;
	t->lock = sim_alloc(64, 64);
	sim_mem_prime(s, t->lock, 64, 0);
	t->counter = sim_alloc(64, 64);
	memset(n_out, 0, sizeof n_out);
	memset(n_in, 0, sizeof n_in);
	if (kt_notify)
		sched_notifier_register(s, &kt_notifier, &kt_notify);
	return t;
}

static void
kt_cpu(void *arg)
{
	kt_body(arg);
}

static void
kt_report(void *arg, struct sim *s, cJSON *m)
{
	(void)s;
	(void)m;
	struct kt *t = arg;
	cJSON_Delete(kt_stats);
	kt_stats = cJSON_CreateObject();
	klock_stats(t->kl, kt_stats);
	cJSON_AddNumberToObject(kt_stats, "counter", (double)*t->counter);
	cJSON_AddNumberToObject(kt_stats, "max_holders", t->max_holders);
	if (g_getenv("KT_DEBUG"))
		g_printerr("lock word0 %016llx\n", (unsigned long long)*(uint64_t *)(void *)t->lock);
}

static void
kt_teardown(void *arg)
{
	struct kt *t = arg;
	klock_destroy(t->kl);
	g_free(t);
}

static const struct sim_workload_ops kt_ops = {
	.name = "klocktest", .summary = "", .params = no_params, .params_size = 1,
	.setup = kt_setup, .cpu_main = kt_cpu, .report = kt_report, .teardown = kt_teardown,
};

static double
kt_stat(const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(kt_stats, key);
	g_assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

/* Run body on cpus CPUs of a one-socket machine (t_lat_default); return
 * the results. */
static cJSON *
kt_run(const char *flavour, uint32_t cpus, uint32_t cores, uint64_t seed,
       void (*body)(struct kt *))
{
	kt_flavour = flavour;
	kt_body = body;
	struct sim_run_config *rc = t_config(t_machine(1, cores, NULL), cpus, seed, &kt_ops,
					     NULL, 0);
	cJSON *r = t_run(rc);
	sim_run_config_free(rc);
	return r;
}

static void
enter(struct kt *t)
{
	if (++t->holders > t->max_holders)
		t->max_holders = t->holders;
}

static void
leave(struct kt *t)
{
	t->holders--;
}

/* ---- spinlock: mutual exclusion and determinism ---- */

#define SPIN_ITERS 40

static void
spin_hammer(struct kt *t)
{
	for (int i = 0; i < SPIN_ITERS; i++) {
		if (i % 5 == 4) {
			while (!spin_trylock(t->kl, t->lock))
				sim_work(sim_random_below(100));
		} else {
			spin_lock(t->kl, t->lock);
		}
		enter(t);
		uint64_t v = sim_load64(t->counter);
		sim_work(30);
		sim_store64(t->counter, v + 1);
		leave(t);
		spin_unlock(t->kl, t->lock);
		sim_work(sim_random_below(150));
	}
}

static void
test_spin_mutual_exclusion(gconstpointer data)
{
	const char *flavour = data;
	cJSON *r1 = kt_run(flavour, 12, 16, 5, spin_hammer);
	g_assert_cmpuint((uint64_t)kt_stat("counter"), ==, 12 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("max_holders"), ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("spin_acquired"), ==, 12 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("spin_contended"), >, 0);
	if (strcmp(flavour, "queued") == 0) {
		/* 12 CPUs on one lock: both slow paths were taken. */
		g_assert_cmpuint((uint64_t)kt_stat("spin_pending"), >, 0);
		g_assert_cmpuint((uint64_t)kt_stat("spin_queued"), >, 0);
	}
	cJSON *r2 = kt_run(flavour, 12, 16, 5, spin_hammer);
	g_autofree char *s1 = t_results_without_host(r1);
	g_autofree char *s2 = t_results_without_host(r2);
	g_assert_cmpstr(s1, ==, s2);
	cJSON_Delete(r1);
	cJSON_Delete(r2);
}

/* The layout Linux uses from 16,384 CPUs (1 pending bit, 21 tail-CPU
 * bits; the tail xchg becomes a cmpxchg loop, the pending byte stores
 * atomic RMWs): the same properties on 12 CPUs, both slow paths taken. */
static void
test_spin_wide_layout(void)
{
	kt_wide = true;
	cJSON *r1 = kt_run("queued", 12, 16, 5, spin_hammer);
	kt_wide = false;
	g_assert_cmpuint((uint64_t)kt_stat("counter"), ==, 12 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("max_holders"), ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("spin_pending"), >, 0);
	g_assert_cmpuint((uint64_t)kt_stat("spin_queued"), >, 0);
	cJSON_Delete(r1);
}

/*
 * Nesting: an interrupt handler takes a contended spinlock while its CPU
 * waits in another lock's MCS queue, so the handler queues on node 1 of
 * that CPU (qspinlock keeps four per CPU).  Lock A (t->lock) is held by
 * CPU 0 until 20,000; CPU 1 waits on it with pending set, CPU 2 queues.
 * Lock B (its own line) is held by CPU 3 until 10,000, CPU 4 waits on it
 * with pending set.  At 5,000 CPU 0 interrupts CPU 2, whose handler takes
 * B: queued behind CPU 4, on node 1.  Everyone gets both locks in turn.
 */
static spinlock_t *lock_b;
static struct kt *nest_t;
static uint32_t b_holders, b_max;
static sim_time_t got_b_in_irq;

static void
nest_irq(void *arg)
{
	(void)arg;
	spin_lock(nest_t->kl, lock_b);
	if (++b_holders > b_max)
		b_max = b_holders;
	got_b_in_irq = sim_now();
	sim_work(100);
	b_holders--;
	spin_unlock(nest_t->kl, lock_b);
}

static void
spin_nest(struct kt *t)
{
	uint32_t id = sim_cpu_id();
	static const sim_time_t at[] = { 0, 100, 200, 0, 300 };
	nest_t = t;
	sim_sleep_until(at[id]);
	if (id == 3 || id == 4) {
		spin_lock(t->kl, lock_b);
		if (++b_holders > b_max)
			b_max = b_holders;
		sim_work(id == 3 ? 10000 : 100);
		b_holders--;
		spin_unlock(t->kl, lock_b);
		return;
	}
	spin_lock(t->kl, t->lock);
	enter(t);
	if (id == 0) {
		sim_sleep_until(5000);
		sim_ipi_send(2, nest_irq, NULL);
		sim_sleep_until(20000);
	} else {
		sim_work(100);
	}
	leave(t);
	spin_unlock(t->kl, t->lock);
}

static void *
kt_setup_b(struct sim *s, const void *p)
{
	struct kt *t = kt_setup(s, p);
	lock_b = sim_alloc(64, 64);
	sim_mem_prime(s, lock_b, 64, 3);
	return t;
}

static const struct sim_workload_ops kt_nest_ops = {
	.name = "klocktest-nest", .summary = "", .params = no_params, .params_size = 1,
	.setup = kt_setup_b, .cpu_main = kt_cpu, .report = kt_report, .teardown = kt_teardown,
};

static void
test_spin_irq_nesting(void)
{
	kt_flavour = "queued";
	kt_body = spin_nest;
	b_holders = b_max = 0;
	got_b_in_irq = 0;
	struct sim_run_config *rc = t_config(t_machine(1, 8, NULL), 5, 1, &kt_nest_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	g_assert_cmpuint((uint64_t)kt_stat("max_holders"), ==, 1);
	g_assert_cmpuint(b_max, ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("spin_nested"), ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("spin_acquired"), ==, 6);
	/* The handler got B after CPU 3 (10,000) and CPU 4 released it, while
	 * CPU 2 was still queued on A (held until 20,000). */
	g_assert_cmpuint(got_b_in_irq, >, 10000);
	g_assert_cmpuint(got_b_in_irq, <, 20000);
}

/* ---- ticket spinlock on ben: the holder's RMWs on the line its waiters spin on ---- */

/*
 * Every CPU of ben takes one ticket spinlock BS_ITERS times back to back;
 * each holder does two lock-adds on a counter word (on the lock's line, or
 * on a line of its own), 300 cycles of work, and unlocks.  The lock's line
 * is primed on CPU 0 (socket 0 is its home); CPUs fill ben socket by
 * socket, so n CPUs put n - 1 spinners on ceil(n / 10) sockets.  Measured
 * after the first 2n acquisitions: the holder's first and second RMW, and
 * the handoff (unlock start to the next holder's acquisition).
 */
#define BS_ITERS 30

struct bs {
	struct klock *kl;
	spinlock_t *lock;
	uint32_t *ctr;
	uint32_t holders, max_holders;
	uint64_t acq;
	sim_time_t unlock_at;
	double rmw1, rmw2, handoff;
	uint64_t n_rmw, n_handoff;
	sim_time_t rmw2_max;
};

static bool bs_same_line;
static struct bs bs_last;         /* copied out by bs_report */

static void *
bs_setup(struct sim *s, const void *p)
{
	(void)p;
	struct bs *t = g_new0(struct bs, 1);
	t->kl = klock_create_with(s, "ticket", NULL);
	g_assert_nonnull(t->kl);
	t->lock = sim_alloc(64, 64);
	sim_mem_prime(s, t->lock, 64, 0);
	if (bs_same_line) {
		t->ctr = (uint32_t *)(void *)((char *)t->lock + 8);
	} else {
		t->ctr = sim_alloc(64, 64);
		sim_mem_prime(s, t->ctr, 64, 0);
	}
	return t;
}

static void
bs_cpu(void *arg)
{
	struct bs *t = arg;
	uint64_t skip = 2 * (uint64_t)sim_ncpus();
	for (int i = 0; i < BS_ITERS; i++) {
		spin_lock(t->kl, t->lock);
		if (++t->holders > t->max_holders)
			t->max_holders = t->holders;
		bool measured = ++t->acq > skip;
		if (measured) {
			t->handoff += (double)(sim_now() - t->unlock_at);
			t->n_handoff++;
		}
		sim_time_t a0 = sim_now();
		(void)sim_faa32(t->ctr, 1);
		sim_time_t a1 = sim_now();
		(void)sim_faa32(t->ctr, 1);
		sim_time_t a2 = sim_now();
		if (measured) {
			t->rmw1 += (double)(a1 - a0);
			t->rmw2 += (double)(a2 - a1);
			t->n_rmw++;
			if (a2 - a1 > t->rmw2_max)
				t->rmw2_max = a2 - a1;
		}
		sim_work(300);
		t->holders--;
		t->unlock_at = sim_now();
		spin_unlock(t->kl, t->lock);
	}
}

static void
bs_report(void *arg, struct sim *s, cJSON *m)
{
	(void)s;
	(void)m;
	struct bs *t = arg;
	bs_last = *t;
	bs_last.kl = NULL;
	bs_last.lock = NULL;
	bs_last.ctr = NULL;
	/* The counter, read on the host at the end: every add landed. */
	bs_last.acq = *t->ctr;
}

static void
bs_teardown(void *arg)
{
	struct bs *t = arg;
	klock_destroy(t->kl);
	g_free(t);
}

static const struct sim_workload_ops bs_ops = {
	.name = "ben-spinners", .summary = "", .params = no_params, .params_size = 1,
	.setup = bs_setup, .cpu_main = bs_cpu, .report = bs_report, .teardown = bs_teardown,
};

static void
bs_run(uint32_t cpus, bool same_line)
{
	bs_same_line = same_line;
	g_autofree char *json = g_strdup_printf(
		"{\"machine\": \"ben\", \"cpus\": %u, \"seed\": 1, "
		"\"workload\": {\"name\": \"line_ww\", \"rounds\": 1}}", cpus);
	GError *err = NULL;
	struct sim_overrides ov = { 0 };
	struct sim_run_config *rc = sim_config_from_json(cJSON_Parse(json), "ben-spinners",
							 &ov, &err);
	g_assert_no_error(err);
	rc->workload = &bs_ops;
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	g_assert_cmpuint(bs_last.max_holders, ==, 1);
	g_assert_cmpuint(bs_last.acq, ==, 2u * BS_ITERS * cpus);
	g_assert_cmpuint(bs_last.n_rmw, ==, (uint64_t)(BS_ITERS - 2) * cpus);
}

/*
 * How the model prices a lock holder's atomic RMW on a ticket lock's
 * line while n - 1 CPUs spin on it (Bonsai's get_page / put_page on the
 * PTE page's struct page, which shares its line with the split PTL).
 * A spinner sleeps on the line and re-reads it once per write that
 * invalidates its copy; the re-reads of one socket merge into one fetch,
 * and the directory grants waiting requests in random order.  So after
 * each handoff the holder's first RMW waits at the home behind part of
 * the re-read burst that its own acquisition belonged to, and the second,
 * right behind it, hits the line it now owns.
 *
 * Properties: the second RMW costs exactly atomic_hit (30) every time; the
 * first costs more on the spun line than on a line of its own at every n,
 * and more with every socket of spinners added.  Figures (seed 1), printed
 * with --verbose, at n = 10 / 20 / 40 / 80: first RMW 238 / 586 / 989 /
 * 1,862 cycles (on a line of its own 135 / 245 / 376 / 453), handoff
 * (unlock to the next acquisition) 366 / 1,662 / 3,728 / 5,527.
 */
static void
test_ticket_ben_spinners_rmw(void)
{
	static const uint32_t ns[] = { 10, 20, 40, 80 };
	double prev = 0;
	for (unsigned i = 0; i < G_N_ELEMENTS(ns); i++) {
		bs_run(ns[i], false);
		double own = bs_last.rmw1 / (double)bs_last.n_rmw;
		bs_run(ns[i], true);
		double first = bs_last.rmw1 / (double)bs_last.n_rmw;
		double second = bs_last.rmw2 / (double)bs_last.n_rmw;
		double handoff = bs_last.handoff / (double)bs_last.n_handoff;
		g_test_message("ben, %u CPUs (%u spinners): holder's first RMW %.0f cycles "
			       "(on its own line %.0f), second %.0f, handoff %.0f",
			       ns[i], ns[i] - 1, first, own, second, handoff);
		g_assert_cmpfloat(second, ==, 30.0);
		g_assert_cmpuint(bs_last.rmw2_max, ==, 30);
		g_assert_cmpfloat(first, >, own);
		g_assert_cmpfloat(first, >, prev);
		prev = first;
	}
}

/* ---- spinlock: exact handoff costs ---- */

static sim_time_t arrive[3], got[3], lat_lock[3], lat_unlock[3];
static uint64_t hold;

static void
spin_handoff(struct kt *t)
{
	uint32_t id = sim_cpu_id();
	sim_sleep_until(arrive[id]);
	sim_time_t t0 = sim_now();
	spin_lock(t->kl, t->lock);
	got[id] = sim_now();
	lat_lock[id] = got[id] - t0;
	enter(t);
	sim_work(hold);
	leave(t);
	sim_time_t t2 = sim_now();
	spin_unlock(t->kl, t->lock);
	lat_unlock[id] = sim_now() - t2;
}

static void
run_handoff(const char *flavour, uint32_t cpus)
{
	static const sim_time_t when[] = { 0, 100, 200 };
	memcpy(arrive, when, sizeof arrive);
	hold = 1000;
	memset(got, 0, sizeof got);
	cJSON_Delete(kt_run(flavour, cpus, 4, 1, spin_handoff));
	if (g_getenv("KT_DEBUG"))
		for (uint32_t i = 0; i < cpus; i++)
			g_printerr("%s cpu%u got %lu lock %lu unlock %lu\n", flavour, i,
				   (unsigned long)got[i], (unsigned long)lat_lock[i],
				   (unsigned long)lat_unlock[i]);
	g_assert_cmpuint((uint64_t)kt_stat("max_holders"), ==, 1);
}

/*
 * Ticket, t_lat_default on one cluster (leg_cluster 5, leg_socket 10,
 * atomic_hit 20, l1_hit 4, store_hit 1, pause 3); the lock line is
 * primed on CPU 0.  Misses inside the cluster from an M owner cost three
 * legs of 5; the directory is busy until one leg after the data lands.
 *
 * CPU 0 at t=0: xadd on its own line: 20 (holds from 20 to 1020).
 * CPU 1 at t=100: xadd, line from CPU 0: 15 + 20 = 35; head 0 is not its
 *   ticket 1: loads the word (hit, 4) at 139 and sleeps on the line.
 * CPU 0 at 1020, unlock: load of head misses (CPU 1 owns it): 15, both
 *   now share it; the store (1) goes to the store buffer: unlock = 16.
 *   The drain invalidates CPU 1's copy through the home directory
 *   (legs 10, 10, 5): granted at 1040 (directory free 5 after the load's
 *   data), request there at 1045, copies gone at 1055, written at 1060.
 * CPU 1 wakes at 1060, pause 3, re-reads: miss from CPU 0, directory free
 *   at 1070: data at 1080, head 1 is its ticket: got 1080.
 * CPU 1's unlock: load (hit 4) + store (owned, 1) = 5.
 */
static void
test_ticket_handoff2(void)
{
	run_handoff("ticket", 2);
	g_assert_cmpuint(lat_lock[0], ==, 20);
	g_assert_cmpuint(lat_unlock[0], ==, 16);
	g_assert_cmpuint(got[1], ==, 1080);
	g_assert_cmpuint(lat_lock[1], ==, 980);
	g_assert_cmpuint(lat_unlock[1], ==, 5);
}

/*
 * qspinlock, same machine and arrivals.
 * CPU 0 at t=0: cmpxchg 0 -> locked on its own line: 20.
 * CPU 1 at t=100: cmpxchg fails (line from CPU 0: 35, at 135); the word
 *   is just "locked": set pending with btsl (owned now: 20) and read the
 *   word (4) at 159; spin for the locked byte: load (4), sleep at 167.
 * CPU 0 at 1020, unlock: byte store into the store buffer: 1.  The drain
 *   takes the line from CPU 1 (15): written at 1035.
 * CPU 1 wakes at 1035, pause 3, re-reads: miss from CPU 0, directory free
 *   at 1040: request there at 1043, data at 1053; the word shows only
 *   pending: clear_pending_set_locked, a halfword store (buffered, 1):
 *   got 1054.  The handoff costs 34 cycles against the ticket lock's 60
 *   (its unlock must read head before it can write it).
 * CPU 1's unlock: byte store to its own line by then: 1.
 */
static void
test_queued_handoff2(void)
{
	run_handoff("queued", 2);
	g_assert_cmpuint(lat_lock[0], ==, 20);
	g_assert_cmpuint(lat_unlock[0], ==, 1);
	g_assert_cmpuint(got[1], ==, 1054);
	g_assert_cmpuint(lat_lock[1], ==, 954);
	g_assert_cmpuint(lat_unlock[1], ==, 1);
}

/*
 * Three CPUs (CPU 2 arrives at t=200), same machine.  A CAS that fails
 * still takes the line and wakes its spinners, which re-read it; an
 * upgrade of a line several CPUs share goes through the home directory
 * (legs 10, 10, 5).
 *
 * Ticket.  CPU 0 holds 20..1020; CPU 1 sleeps on the line at 139 (as with
 * 2 CPUs).  CPU 2 at 200: xadd from CPU 1 (15 + 20, at 235), ticket 2;
 * its write (at 215) wakes CPU 1, which re-reads (miss, data at 233), sees
 * a new tail and sleeps again; CPU 2 reads its S copy (4) and sleeps.
 * CPU 0's unlock at 1020: head from the cluster's LLC (10), store
 * buffered (1): 11.  The drain invalidates both copies (written at
 * 1055); both spinners wake (pause 3) and miss on CPU 0's line: one
 * fetch, data at 1075, the other merges into it.  CPU 1 owns ticket 1:
 * got 1075.  CPU 1's unlock at 2075: head hits its S copy (4), the store
 * is buffered (1): 5; the drain (through the home, written at 2104) wakes
 * CPU 2, whose re-read (directory free at 2114) lands at 2124: got 2124.
 *
 * Queued.  CPU 1 sets pending and sleeps at 167.  CPU 2 at 200: its
 * cmpxchg fails (line from CPU 1: 35, at 235) and wakes CPU 1, which
 * re-reads (data at 233: both share the line).  CPU 2 sees locked +
 * pending: queue.  Node count load + store (5), node stores (2), trylock
 * load (S copy, 4) at 246; xchg of the tail: an upgrade through the home,
 * granted when the directory frees at 238: copies gone at 266, done at
 * 291.  CPU 1 re-reads (new tail) and sleeps again; CPU 2 heads the queue
 * with no predecessor and sleeps on the word at 299.  CPU 0's unlock at
 * 1020 (byte store, drained through the home: written at 1045) wakes
 * both; CPU 1's re-read lands at 1065 (CPU 2's merges into it) and shows
 * only pending: CPU 1 sets locked with a buffered halfword store: got
 * 1066.  That store's drain (written at 1090) wakes CPU 2, which sees
 * locked and sleeps.  CPU 1's unlock at 2066 (written at 2091) wakes CPU
 * 2: re-read at 2111 shows the word equal to its own tail, so it is the
 * last in the queue: cmpxchg to "locked", an upgrade through the home
 * (directory free at 2116: request there at 2121, done at 2136 + 20 =
 * 2156), then its node count back (4 + 1): got 2161.
 */
static void
test_ticket_handoff3(void)
{
	run_handoff("ticket", 3);
	g_assert_cmpuint(got[0], ==, 20);
	g_assert_cmpuint(lat_unlock[0], ==, 11);
	g_assert_cmpuint(got[1], ==, 1075);
	g_assert_cmpuint(lat_unlock[1], ==, 5);
	g_assert_cmpuint(got[2], ==, 2124);
	g_assert_cmpuint(lat_lock[2], ==, 1924);
}

static void
test_queued_handoff3(void)
{
	run_handoff("queued", 3);
	g_assert_cmpuint(got[0], ==, 20);
	g_assert_cmpuint(lat_unlock[0], ==, 1);
	g_assert_cmpuint(got[1], ==, 1066);
	g_assert_cmpuint(lat_unlock[1], ==, 1);
	g_assert_cmpuint(got[2], ==, 2161);
	g_assert_cmpuint(lat_lock[2], ==, 1961);
}

/* Three CPUs: FIFO for both flavours (CPU 1 before CPU 2), and each
 * handoff completes within 100 cycles of the holder's unlock. */
static void
test_handoff3(gconstpointer data)
{
	run_handoff(data, 3);
	g_assert_cmpuint(got[0], <, got[1]);
	g_assert_cmpuint(got[1], <, got[2]);
	g_assert_cmpuint(got[1], >=, got[0] + hold);
	g_assert_cmpuint(got[1], <, got[0] + hold + 100);
	g_assert_cmpuint(got[2], >=, got[1] + hold);
	g_assert_cmpuint(got[2], <, got[1] + hold + 100);
}

/* ---- rwlock_t ---- */

static uint32_t readers_in, max_readers, writer_with_readers;

static void
rw_hammer(struct kt *t)
{
	rwlock_t *rw = (rwlock_t *)(void *)t->lock;
	uint32_t id = sim_cpu_id();
	for (int i = 0; i < SPIN_ITERS; i++) {
		if (id % 3 == 0) {
			if (i % 4 == 3) {
				while (!write_trylock(t->kl, rw))
					sim_work(sim_random_below(100));
			} else {
				write_lock(t->kl, rw);
			}
			enter(t);
			writer_with_readers += readers_in != 0;
			uint64_t v = sim_load64(t->counter);
			sim_work(30);
			sim_store64(t->counter, v + 1);
			leave(t);
			write_unlock(t->kl, rw);
		} else {
			read_lock(t->kl, rw);
			g_assert_cmpuint(t->holders, ==, 0);
			if (++readers_in > max_readers)
				max_readers = readers_in;
			(void)sim_load64(t->counter);
			sim_work(60);
			readers_in--;
			read_unlock(t->kl, rw);
		}
		sim_work(sim_random_below(150));
	}
}

/* 3 writers and 6 readers on one rwlock: writers exclude everybody (the
 * counter is exact, never two writers, no reader inside with a writer),
 * readers share (several inside at once); deterministic. */
static void
test_rwlock_exclusion(gconstpointer data)
{
	readers_in = max_readers = writer_with_readers = 0;
	cJSON *r1 = kt_run(data, 9, 16, 7, rw_hammer);
	g_assert_cmpuint((uint64_t)kt_stat("counter"), ==, 3 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("max_holders"), ==, 1);
	g_assert_cmpuint(writer_with_readers, ==, 0);
	g_assert_cmpuint(max_readers, >, 1);
	g_assert_cmpuint((uint64_t)kt_stat("rw_write_acquired"), ==, 3 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("rw_read_acquired"), ==, 6 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("rw_read_slowpath"), >, 0);
	g_assert_cmpuint((uint64_t)kt_stat("rw_write_slowpath"), >, 0);
	uint32_t mr = max_readers;
	readers_in = max_readers = 0;
	cJSON *r2 = kt_run(data, 9, 16, 7, rw_hammer);
	g_assert_cmpuint(max_readers, ==, mr);
	g_autofree char *s1 = t_results_without_host(r1);
	g_autofree char *s2 = t_results_without_host(r2);
	g_assert_cmpstr(s1, ==, s2);
	cJSON_Delete(r1);
	cJSON_Delete(r2);
}

/* ---- seqcount_t / seqlock_t ---- */

static uint32_t seq_tries[4], seq_torn;

/* CPU 0 reads two words x, y under the seqlock, taking 1000 cycles
 * between them; CPU 1 writes x = y = 1 at t=200 (each store then a
 * 50-cycle pause).  CPU 0's first pass overlaps the write: retry; its
 * second pass sees (1, 1) and a stable sequence. */
static void
seq_overlap(struct kt *t)
{
	seqlock_t *sl = (seqlock_t *)(void *)t->lock;
	uint64_t *x = t->counter, *y = t->counter + 1;
	if (sim_cpu_id() == 1) {
		sim_sleep_until(200);
		write_seqlock(t->kl, sl);
		sim_store64(x, 1);
		sim_work(50);
		sim_store64(y, 1);
		write_sequnlock(t->kl, sl);
		return;
	}
	uint32_t seq;
	uint64_t a, b;
	do {
		seq_tries[0]++;
		seq = read_seqbegin(t->kl, sl);
		a = sim_load64(x);
		sim_work(1000);
		b = sim_load64(y);
	} while (read_seqretry(t->kl, sl, seq));
	seq_torn += a != b;
	g_assert_cmpuint(a, ==, 1);
	g_assert_cmpuint(seq, ==, 2);
}

static void
test_seqcount_retry(gconstpointer data)
{
	memset(seq_tries, 0, sizeof seq_tries);
	seq_torn = 0;
	cJSON_Delete(kt_run(data, 2, 4, 1, seq_overlap));
	g_assert_cmpuint(seq_tries[0], ==, 2);
	g_assert_cmpuint((uint64_t)kt_stat("seq_read_retry"), ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("seq_write"), ==, 1);
	g_assert_cmpuint(seq_torn, ==, 0);
}

/* Many readers and two writers: no accepted read section ever sees a
 * torn pair (x != y), and readers did retry. */
static void
seq_hammer(struct kt *t)
{
	seqlock_t *sl = (seqlock_t *)(void *)t->lock;
	uint64_t *x = t->counter, *y = t->counter + 1;
	for (int i = 0; i < SPIN_ITERS; i++) {
		if (sim_cpu_id() < 2) {
			write_seqlock(t->kl, sl);
			uint64_t v = sim_load64(x);
			sim_store64(x, v + 1);
			sim_work(20);
			sim_store64(y, v + 1);
			write_sequnlock(t->kl, sl);
		} else {
			uint32_t seq;
			uint64_t a, b;
			do {
				seq = read_seqbegin(t->kl, sl);
				a = sim_load64(x);
				sim_work(sim_random_below(40));
				b = sim_load64(y);
			} while (read_seqretry(t->kl, sl, seq));
			seq_torn += a != b;
		}
		sim_work(sim_random_below(100));
	}
}

static void
test_seqlock_no_torn_reads(gconstpointer data)
{
	seq_torn = 0;
	cJSON_Delete(kt_run(data, 8, 8, 3, seq_hammer));
	g_assert_cmpuint(seq_torn, ==, 0);
	g_assert_cmpuint((uint64_t)kt_stat("seq_write"), ==, 2 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("seq_read_retry"), >, 0);
}

/* ---- struct mutex ---- */

/* 12 CPUs; every fourth section sleeps inside (I/O under the mutex), so
 * spinners give up and sleepers queue: exclusion holds on both paths. */
static void
mutex_hammer(struct kt *t)
{
	struct mutex *m = (struct mutex *)(void *)t->lock;
	for (int i = 0; i < SPIN_ITERS; i++) {
		if (i % 7 == 6) {
			while (!mutex_trylock(t->kl, m))
				sim_work(sim_random_below(300));
		} else {
			mutex_lock(t->kl, m);
		}
		enter(t);
		uint64_t v = sim_load64(t->counter);
		if (i % 4 == (int)(sim_cpu_id() % 4))
			schedule_timeout_uninterruptible(t->kl, 3000);
		else
			sim_work(40);
		sim_store64(t->counter, v + 1);
		leave(t);
		mutex_unlock(t->kl, m);
		sim_work(sim_random_below(200));
	}
}

static void
test_mutex_exclusion(gconstpointer data)
{
	cJSON *r1 = kt_run(data, 12, 16, 11, mutex_hammer);
	g_assert_cmpuint((uint64_t)kt_stat("counter"), ==, 12 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("max_holders"), ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("mutex_acquired"), ==, 12 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("mutex_spin_acquired"), >, 0);
	g_assert_cmpuint((uint64_t)kt_stat("mutex_sleep_acquired"), >, 0);
	g_assert_cmpuint((uint64_t)kt_stat("wakeups"), >, 0);
	cJSON *r2 = kt_run(data, 12, 16, 11, mutex_hammer);
	g_autofree char *s1 = t_results_without_host(r1);
	g_autofree char *s2 = t_results_without_host(r2);
	g_assert_cmpstr(s1, ==, s2);
	cJSON_Delete(r1);
	cJSON_Delete(r2);
}

/* Mutex handoff to an optimistic spinner: CPU 0 holds it 20..520, CPU 1
 * asks at 100 and spins on the owner (hold < the 1,000-cycle re-check). */
static void
mutex_handoff_body(struct kt *t)
{
	struct mutex *m = (struct mutex *)(void *)t->lock;
	uint32_t id = sim_cpu_id();
	sim_sleep_until(arrive[id]);
	sim_time_t t0 = sim_now();
	mutex_lock(t->kl, m);
	got[id] = sim_now();
	lat_lock[id] = got[id] - t0;
	enter(t);
	sim_work(hold);
	leave(t);
	sim_time_t t2 = sim_now();
	mutex_unlock(t->kl, m);
	lat_unlock[id] = sim_now() - t2;
}

/*
 * t_lat_default, one cluster; the mutex line is primed on CPU 0, each
 * task's lines on its CPU.
 * CPU 0 at 0: cmpxchg of the owner word, own line: 20 (holds to 520).
 * CPU 1 at 100: the fast cmpxchg fails (line from CPU 0: 15 + 20, at
 *   135); trylock reads the owner (4); can_spin_on_owner reads it (4) and
 *   the owner task's on_cpu (CPU 0's line: 15) at 158; osq_lock: three
 *   stores to its own node (3) and the xchg of osq (its line now: 20) at
 *   181; trylock reads the owner (4); spin_on_owner: owner (4), on_cpu (4,
 *   a shared copy now), then spins: load (4) and sleep at 197.
 * CPU 0 at 520, unlock: cmpxchg owner -> 0 takes the line back (15 + 20):
 *   35; written at 535.
 * CPU 1 wakes at 535, pause 3, re-reads (miss, directory free at 540:
 *   data at 553): owner 0, leaves spin_on_owner; cpu_relax (3); trylock:
 *   load (4), cmpxchg -> curr: an upgrade through the home (directory free
 *   at 558, request there at 570, copies gone at 580, data 585, + 20 =
 *   605); osq_unlock: cmpxchg of osq (owned: 20): got 625.
 */
static void
test_mutex_spin_handoff(void)
{
	static const sim_time_t when[] = { 0, 100, 0 };
	memcpy(arrive, when, sizeof arrive);
	hold = 500;
	cJSON_Delete(kt_run("queued", 2, 4, 1, mutex_handoff_body));
	g_assert_cmpuint(got[0], ==, 20);
	g_assert_cmpuint(lat_unlock[0], ==, 35);
	g_assert_cmpuint(got[1], ==, 625);
	g_assert_cmpuint((uint64_t)kt_stat("mutex_spin_acquired"), ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("sleeps"), ==, 0);
}

/* ---- struct rw_semaphore ---- */

/* The rw_semaphore flavour rwsem_hammer uses (v6 unless a test says). */
static const struct rwsem_ops *kt_rw = &rwsem_ops_v6;

static void
rwsem_hammer(struct kt *t)
{
	struct rw_semaphore *sem = (struct rw_semaphore *)(void *)t->lock;
	uint32_t id = sim_cpu_id();
	for (int i = 0; i < SPIN_ITERS; i++) {
		if (id % 3 == 0) {
			kt_rw->down_write(t->kl, sem);
			enter(t);
			writer_with_readers += readers_in != 0;
			uint64_t v = sim_load64(t->counter);
			sim_work(100);
			sim_store64(t->counter, v + 1);
			leave(t);
			kt_rw->up_write(t->kl, sem);
		} else {
			kt_rw->down_read(t->kl, sem);
			g_assert_cmpuint(t->holders, ==, 0);
			if (++readers_in > max_readers)
				max_readers = readers_in;
			(void)sim_load64(t->counter);
			sim_work(6000);     /* longer than a wake-up: woken readers overlap */
			readers_in--;
			kt_rw->up_read(t->kl, sem);
		}
		sim_work(sim_random_below(300));
	}
}

static void
test_rwsem_exclusion(gconstpointer data)
{
	readers_in = max_readers = writer_with_readers = 0;
	cJSON *r1 = kt_run(data, 9, 16, 13, rwsem_hammer);
	if (g_getenv("KT_DEBUG")) {
		g_autofree char *js = cJSON_Print(kt_stats);
		g_printerr("%s\nmax_readers %u\n", js, max_readers);
	}
	g_assert_cmpuint((uint64_t)kt_stat("counter"), ==, 3 * SPIN_ITERS);
	g_assert_cmpuint((uint64_t)kt_stat("max_holders"), ==, 1);
	g_assert_cmpuint(writer_with_readers, ==, 0);
	g_assert_cmpuint(max_readers, >, 1);
	g_assert_cmpuint((uint64_t)kt_stat("rwsem_read_slowpath"), >, 0);
	g_assert_cmpuint((uint64_t)kt_stat("rwsem_write_slowpath"), >, 0);
	g_assert_cmpuint((uint64_t)kt_stat("sleeps"), >, 0);
	readers_in = max_readers = 0;
	cJSON *r2 = kt_run(data, 9, 16, 13, rwsem_hammer);
	g_autofree char *s1 = t_results_without_host(r1);
	g_autofree char *s2 = t_results_without_host(r2);
	g_assert_cmpstr(s1, ==, s2);
	cJSON_Delete(r1);
	cJSON_Delete(r2);
}

/*
 * Writer preference: CPU 0 reads from t=0 for `hold` cycles; CPU 1 asks
 * to write at 1000 and sleeps; CPU 2 asks to read at 2000, while a writer
 * waits and a reader holds: it must queue behind the writer (Linux v6:
 * no read-lock stealing while reader-owned with a waiter).  Order: R0,
 * W1, R2.  Also: a sleeping waiter consumes no cycles -- CPU 1's cycles
 * other than sleep do not depend on how long it slept.
 */
static sim_time_t rel[3];
static uint64_t awake_cycles[3], slept_cycles[3];

static void
rwsem_pref(struct kt *t)
{
	struct rw_semaphore *sem = (struct rw_semaphore *)(void *)t->lock;
	uint32_t id = sim_cpu_id();
	sim_sleep_until(arrive[id]);
	sim_time_t t0 = sim_now();
	if (id == 1)
		down_write(t->kl, sem);
	else
		down_read(t->kl, sem);
	got[id] = sim_now();
	lat_lock[id] = got[id] - t0;
	sim_work(id == 0 ? hold : 500);
	rel[id] = sim_now();
	if (id == 1)
		up_write(t->kl, sem);
	else
		up_read(t->kl, sem);
}

static struct sim *pref_sim;

static void
kt_report_cycles(void *arg, struct sim *s, cJSON *m)
{
	kt_report(arg, s, m);
	for (uint32_t i = 0; i < sim_ncpus_of(s) && i < 3; i++) {
		awake_cycles[i] = 0;
		for (int c = 0; c < SIM_CAUSE_N; c++)
			if (c != SIM_CAUSE_SLEEP)
				awake_cycles[i] += sim_cpu_cycles(s, i, (enum sim_cause)c);
		slept_cycles[i] = sim_cpu_cycles(s, i, SIM_CAUSE_SLEEP);
	}
	pref_sim = NULL;
}

static const struct sim_workload_ops kt_cycles_ops = {
	.name = "klocktest-cycles", .summary = "", .params = no_params, .params_size = 1,
	.setup = kt_setup, .cpu_main = kt_cpu, .report = kt_report_cycles,
	.teardown = kt_teardown,
};

static void
run_pref(const char *flavour, uint64_t h)
{
	static const sim_time_t when[] = { 0, 1000, 2000 };
	memcpy(arrive, when, sizeof arrive);
	hold = h;
	kt_flavour = flavour;
	kt_body = rwsem_pref;
	struct sim_run_config *rc = t_config(t_machine(1, 4, NULL), 3, 1, &kt_cycles_ops,
					     NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	if (g_getenv("KT_DEBUG"))
		for (uint32_t i = 0; i < 3; i++)
			g_printerr("%s cpu%u got %lu lock %lu rel %lu awake %lu slept %lu\n",
				   flavour, i, (unsigned long)got[i], (unsigned long)lat_lock[i],
				   (unsigned long)rel[i], (unsigned long)awake_cycles[i],
				   (unsigned long)slept_cycles[i]);
}

/* Writer to sleeping reader, 2 CPUs: CPU 0 writes 20..5020, CPU 1 asks
 * to read at 100 and sleeps. */
static void
rwsem_handoff_body(struct kt *t)
{
	struct rw_semaphore *sem = (struct rw_semaphore *)(void *)t->lock;
	uint32_t id = sim_cpu_id();
	sim_sleep_until(arrive[id]);
	sim_time_t t0 = sim_now();
	if (id == 0)
		down_write(t->kl, sem);
	else
		down_read(t->kl, sem);
	got[id] = sim_now();
	lat_lock[id] = got[id] - t0;
	sim_work(id == 0 ? hold : 100);
	sim_time_t t2 = sim_now();
	if (id == 0)
		up_write(t->kl, sem);
	else
		up_read(t->kl, sem);
	lat_unlock[id] = sim_now() - t2;
}

static sim_time_t
run_sleep_handoff(uint32_t context_switch, uint32_t wakeup)
{
	static const sim_time_t when[] = { 0, 100, 0 };
	const struct klock_params p = { .context_switch = context_switch, .wakeup = wakeup };
	memcpy(arrive, when, sizeof arrive);
	hold = 5000;
	kt_flavour = "queued";
	kt_body = rwsem_handoff_body;
	kt_params = &p;
	struct sim_run_config *rc = t_config(t_machine(1, 4, NULL), 2, 1, &kt_cycles_ops, NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	kt_params = NULL;
	g_assert_cmpuint((uint64_t)kt_stat("sleeps"), ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("wakeups"), ==, 1);
	return got[1];
}

/*
 * The sleeping reader's handoff: on the critical path from the writer's
 * release to the reader's grant lie exactly one try_to_wake_up (the
 * writer's, wakeup cycles) and one switch back in (context_switch); the
 * reader's switch away happened while the writer held the lock.  So
 * adding 1,000 cycles to either cost delays the grant by exactly 1,000,
 * and the reader's awake cycles grow by 2,000 per 1,000 of context_switch
 * (it switched away and back) and not at all with wakeup.
 */
static void
test_rwsem_sleep_handoff(void)
{
	sim_time_t base = run_sleep_handoff(2000, 1500);
	uint64_t awake = awake_cycles[1];
	g_assert_cmpuint(got[0], ==, 21);       /* cmpxchg 20 + owner store 1 */
	sim_time_t more_cs = run_sleep_handoff(3000, 1500);
	g_assert_cmpuint(more_cs, ==, base + 1000);
	g_assert_cmpuint(awake_cycles[1], ==, awake + 2000);
	sim_time_t more_wake = run_sleep_handoff(2000, 2500);
	g_assert_cmpuint(more_wake, ==, base + 1000);
	g_assert_cmpuint(awake_cycles[1], ==, awake);
}

/*
 * Scheduler notifiers on the same handoff: the sleeping reader (CPU 1)
 * switches out once and in once, the writer never.  sched_out runs right
 * after the switch away (context_switch after the failed down_read) and
 * sched_in right before the switch back.  Work in
 * sched_out is off the critical path (the writer still holds the lock),
 * work in sched_in is on it; without notifiers the run is unchanged.
 */
static void
test_sched_notifier_handoff(void)
{
	sim_time_t base = run_sleep_handoff(2000, 1500);
	uint64_t awake = awake_cycles[1];
	kt_notify = true;
	kt_notify_work = 0;
	g_assert_cmpuint(run_sleep_handoff(2000, 1500), ==, base);
	g_assert_cmpuint(awake_cycles[1], ==, awake);
	g_assert_cmpuint(n_out[0], ==, 0);
	g_assert_cmpuint(n_in[0], ==, 0);
	g_assert_cmpuint(n_out[1], ==, 1);
	g_assert_cmpuint(n_in[1], ==, 1);
	g_assert_cmpuint(t_out[1], <, arrive[0] + hold);   /* out while the writer holds */
	g_assert_cmpuint(t_in[1], >, arrive[0] + hold);
	sim_time_t in0 = t_in[1], out0 = t_out[1];
	kt_notify_work = 700;
	sim_time_t g = run_sleep_handoff(2000, 1500);
	kt_notify = false;
	g_assert_cmpuint(t_out[1], ==, out0);
	g_assert_cmpuint(t_in[1], ==, in0);             /* sched_out's 700 were slept off */
	g_assert_cmpuint(g, ==, base + 700);            /* sched_in's 700 delay the grant */
	g_assert_cmpuint(awake_cycles[1], ==, awake + 1400);
}

static void
test_rwsem_writer_preference(gconstpointer data)
{
	run_pref(data, 20000);
	g_assert_cmpuint(got[0], <, got[1]);
	g_assert_cmpuint(got[1], >, rel[0]);
	g_assert_cmpuint(got[2], >, rel[1]);
	g_assert_cmpuint((uint64_t)kt_stat("rwsem_write_slowpath"), ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("rwsem_read_slowpath"), ==, 1);
	g_assert_cmpuint((uint64_t)kt_stat("rwsem_read_steal"), ==, 0);
	g_assert_cmpuint((uint64_t)kt_stat("sleeps"), ==, 2);
	g_assert_cmpuint((uint64_t)kt_stat("wakeups"), ==, 2);
	/* Each handoff to a sleeper costs the waker's try_to_wake_up (1500)
	 * and the sleeper's switch back in (2000), plus the wait_lock, list
	 * and count line transfers (a few hundred cycles on this machine). */
	g_assert_cmpuint(got[1] - rel[0], >=, 1500 + 2000);
	g_assert_cmpuint(got[1] - rel[0], <, 1500 + 2000 + 400);
	g_assert_cmpuint(got[2] - rel[1], >=, 1500 + 2000);
	g_assert_cmpuint(got[2] - rel[1], <, 1500 + 2000 + 400);
}

static void
test_rwsem_sleepers_cost_nothing(gconstpointer data)
{
	run_pref(data, 20000);
	uint64_t awake1 = awake_cycles[1], awake2 = awake_cycles[2];
	uint64_t slept1 = slept_cycles[1];
	run_pref(data, 200000);
	/* 180,000 more cycles asleep, not one more awake. */
	g_assert_cmpuint(slept_cycles[1], ==, slept1 + 180000);
	g_assert_cmpuint(awake_cycles[1], ==, awake1);
	g_assert_cmpuint(awake_cycles[2], ==, awake2);
}

/* The same hammer on Linux 3.5's rw_semaphore (rwsem_v35.c): exclusion,
 * readers overlapping, sleeps, determinism. */
static void
test_rwsem_v35_exclusion(gconstpointer data)
{
	kt_rw = &rwsem_ops_v35;
	test_rwsem_exclusion(data);
	kt_rw = &rwsem_ops_v6;
}

/*
 * Grant on wake-up, 3 CPUs, t_lat_default, context_switch 2000, wakeup
 * 1500: CPU 0 writes from t=0 for 5000 cycles; CPU 1 asks to write at
 * 100 and sleeps; CPU 2 asks to write at 6000, after CPU 0's release
 * but while CPU 1 is still being woken.
 *   v3.5: CPU 0's up_write granted the lock to CPU 1 while it slept
 *   (count = RWSEM_ACTIVE_WRITE_BIAS, CPU 1 not yet returned when CPU 2
 *   looks), so CPU 2, a running writer, queues and sleeps behind it:
 *   order W0, W1, W2, two sleeps and two wake-ups.
 *   v6: the released lock is free until CPU 1 runs; CPU 2 takes it
 *   without sleeping (a queued non-first waiter may, with no handoff),
 *   and CPU 1 gets it after CPU 2's release: order W0, W2, W1.
 */
static uint64_t gw_count_seen;
static sim_time_t gw_got1_seen;

static void
rwsem_grant_body(struct kt *t)
{
	struct rw_semaphore *sem = (struct rw_semaphore *)(void *)t->lock;
	uint32_t id = sim_cpu_id();
	sim_sleep_until(arrive[id]);
	if (id == 2) {
		gw_count_seen = sem->count;     /* host peek: no cost */
		gw_got1_seen = got[1];
	}
	sim_time_t t0 = sim_now();
	kt_rw->down_write(t->kl, sem);
	got[id] = sim_now();
	lat_lock[id] = got[id] - t0;
	sim_work(id == 0 ? hold : 500);
	rel[id] = sim_now();
	kt_rw->up_write(t->kl, sem);
}

static void
run_grant(const struct rwsem_ops *ops)
{
	static const sim_time_t when[] = { 0, 100, 6000 };
	memcpy(arrive, when, sizeof arrive);
	memset(got, 0, sizeof got);
	hold = 5000;
	kt_rw = ops;
	kt_flavour = "queued";
	kt_body = rwsem_grant_body;
	struct sim_run_config *rc = t_config(t_machine(1, 4, NULL), 3, 1, &kt_cycles_ops,
					     NULL, 0);
	cJSON_Delete(t_run(rc));
	sim_run_config_free(rc);
	kt_rw = &rwsem_ops_v6;
	if (g_getenv("KT_DEBUG"))
		for (uint32_t i = 0; i < 3; i++)
			g_printerr("%s cpu%u got %lu lock %lu rel %lu awake %lu slept %lu\n",
				   ops->name, i, (unsigned long)got[i],
				   (unsigned long)lat_lock[i], (unsigned long)rel[i],
				   (unsigned long)awake_cycles[i], (unsigned long)slept_cycles[i]);
}

static void
test_rwsem_v35_grant_on_wake(void)
{
	run_grant(&rwsem_ops_v35);
	g_assert_cmphex(gw_count_seen, ==, 0xffffffff00000001ull);  /* ACTIVE_WRITE_BIAS */
	g_assert_cmpuint(gw_got1_seen, ==, 0);     /* ... held by CPU 1, not yet running */
	/* Each handoff: wakeup 1500 (under wait_lock, 3.5 has no wake_q) +
	 * context_switch 2000 + 304 of the release's xadd, wait_lock, list,
	 * count and task-line accesses and the wakee's return path. */
	g_assert_cmpuint(got[0], ==, 20);          /* xadd 20 */
	g_assert_cmpuint(rel[0], ==, 5020);
	g_assert_cmpuint(got[1], ==, 8824);
	g_assert_cmpuint(got[1] - rel[0], ==, 1500 + 2000 + 304);
	g_assert_cmpuint(got[2] - rel[1], ==, 1500 + 2000 + 304);
	g_assert_cmpuint(got[2], ==, 13128);
		g_assert_cmpuint(got[1], <, got[2]);
	g_assert_cmpuint(got[2], >, rel[1]);
	g_assert_cmpuint((uint64_t)kt_stat("rwsem_write_slowpath"), ==, 2);
	g_assert_cmpuint((uint64_t)kt_stat("sleeps"), ==, 2);
	g_assert_cmpuint((uint64_t)kt_stat("wakeups"), ==, 2);
	run_grant(&rwsem_ops_v6);
	g_assert_cmpuint(got[2], <, got[1]);       /* v6: the running writer steals */
	g_assert_cmpuint((uint64_t)kt_stat("sleeps"), ==, 1);   /* CPU 2 never sleeps */
}

/* ---- the klock workload and the "locking" section ---- */

static const char *const wl_json =
	"{\"machine\": \"icx2s\", \"cpus\": 8, \"seed\": 2,"
	" \"workload\": {\"name\": \"klock\", \"kind\": \"%s\", \"duration\": 60000,"
	"   \"warmup\": 5000, \"nlocks\": 2},"
	" \"locking\": {\"spinlock\": \"%s\"}}";

/* Every kind under both flavours: the counters the writers incremented
 * under the lock add up (exclusion_ok), and the section chose the flavour. */
static void
test_workload_exclusion(void)
{
	static const char *const kinds[] = { "spinlock", "rwlock", "rwsem", "mutex", "seqlock" };
	static const char *const flav[] = { "queued", "ticket" };
	for (unsigned k = 0; k < G_N_ELEMENTS(kinds); k++) {
		for (unsigned f = 0; f < G_N_ELEMENTS(flav); f++) {
			g_autofree char *json = g_strdup_printf(wl_json, kinds[k], flav[f]);
			GError *err = NULL;
			cJSON *res = t_run_json(json, NULL, &err);
			g_assert_no_error(err);
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(res, "metrics");
			g_assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "exclusion_ok")));
			g_assert_cmpfloat(t_metric(res, "acquisitions"), >, 10);
			const cJSON *locks = cJSON_GetObjectItemCaseSensitive(m, "locks");
			g_assert_cmpstr(cJSON_GetObjectItemCaseSensitive(locks, "spinlock")->valuestring,
					==, flav[f]);
			cJSON_Delete(res);
		}
	}
}

static void
test_bad_flavour(void)
{
	g_autofree char *json = g_strdup_printf(wl_json, "spinlock", "mcs");
	GError *err = NULL;
	cJSON *res = t_run_json(json, NULL, &err);
	g_assert_null(res);
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_UNKNOWN_NAME);
	g_assert_cmpstr(err->message, ==, "inline.json: locking.spinlock: unknown spinlock flavour "
			"\"mcs\" (known: queued, ticket)");
	g_error_free(err);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	static const char *const flavours[] = { "ticket", "queued" };
	for (unsigned i = 0; i < G_N_ELEMENTS(flavours); i++) {
		g_autofree char *p = g_strdup_printf("/klock/spinlock/%s/mutual-exclusion",
						     flavours[i]);
		g_test_add_data_func(p, flavours[i], test_spin_mutual_exclusion);
	}
	g_test_add_func("/klock/spinlock/queued/wide-layout-mutual-exclusion", test_spin_wide_layout);
	g_test_add_func("/klock/spinlock/queued/irq-nesting", test_spin_irq_nesting);
	g_test_add_func("/klock/spinlock/ticket/handoff-2cpu", test_ticket_handoff2);
	g_test_add_func("/klock/spinlock/queued/handoff-2cpu", test_queued_handoff2);
	g_test_add_func("/klock/spinlock/ticket/handoff-3cpu-exact", test_ticket_handoff3);
	g_test_add_func("/klock/spinlock/queued/handoff-3cpu-exact", test_queued_handoff3);
	g_test_add_func("/klock/spinlock/ticket/ben-spinners-holder-rmw",
			test_ticket_ben_spinners_rmw);
	for (unsigned i = 0; i < G_N_ELEMENTS(flavours); i++) {
		g_autofree char *p = g_strdup_printf("/klock/spinlock/%s/handoff-3cpu", flavours[i]);
		g_test_add_data_func(p, flavours[i], test_handoff3);
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(flavours); i++) {
		g_autofree char *p1 = g_strdup_printf("/klock/rwlock/%s/exclusion", flavours[i]);
		g_test_add_data_func(p1, flavours[i], test_rwlock_exclusion);
		g_autofree char *p2 = g_strdup_printf("/klock/seqlock/%s/reader-retries-on-write",
						      flavours[i]);
		g_test_add_data_func(p2, flavours[i], test_seqcount_retry);
		g_autofree char *p3 = g_strdup_printf("/klock/seqlock/%s/no-torn-reads", flavours[i]);
		g_test_add_data_func(p3, flavours[i], test_seqlock_no_torn_reads);
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(flavours); i++) {
		g_autofree char *p1 = g_strdup_printf("/klock/mutex/%s/exclusion", flavours[i]);
		g_test_add_data_func(p1, flavours[i], test_mutex_exclusion);
		g_autofree char *p2 = g_strdup_printf("/klock/rwsem/%s/exclusion", flavours[i]);
		g_test_add_data_func(p2, flavours[i], test_rwsem_exclusion);
		g_autofree char *p3 = g_strdup_printf("/klock/rwsem/%s/writer-preference",
						      flavours[i]);
		g_test_add_data_func(p3, flavours[i], test_rwsem_writer_preference);
		g_autofree char *p4 = g_strdup_printf("/klock/rwsem/%s/sleepers-cost-nothing",
						      flavours[i]);
		g_test_add_data_func(p4, flavours[i], test_rwsem_sleepers_cost_nothing);
	}
	g_test_add_func("/klock/mutex/queued/spin-handoff-2cpu", test_mutex_spin_handoff);
	g_test_add_func("/klock/rwsem/queued/sleep-handoff-2cpu", test_rwsem_sleep_handoff);
	g_test_add_func("/kernel/sched/notifier-handoff-2cpu", test_sched_notifier_handoff);
	g_test_add_data_func("/klock/rwsem-v3.5/queued/exclusion", "queued",
			     test_rwsem_v35_exclusion);
	g_test_add_data_func("/klock/rwsem-v3.5/ticket/exclusion", "ticket",
			     test_rwsem_v35_exclusion);
	g_test_add_func("/klock/rwsem-v3.5/queued/grant-on-wake-3cpu", test_rwsem_v35_grant_on_wake);
	g_test_add_func("/klock/workload/exclusion", test_workload_exclusion);
	g_test_add_func("/klock/config/unknown-flavour", test_bad_flavour);
	int rc = g_test_run();
	cJSON_Delete(kt_stats);
	return rc;
}
