// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Tests of the address-space designs (models/aspace): safety of random
 * mmap/munmap/fault mixes against a host-side shadow of what is mapped,
 * the two mutations (no shootdown, no re-check) caught, determinism, the
 * config checks, and exact costs of small cases.
 *
 * The harness below is a workload of its own (as tests/tree-script.c is
 * for the trees): it builds the allocator, the klock context, the reclaim
 * scheme, the linux cross-call model and the design, runs a script on
 * every CPU, and checks the design after the run.
 */
#include <errno.h>
#include <string.h>

#include "aspace.h"
#include "harness.h"
#include "kalloc.h"
#include "klock.h"
#include "reclaim.h"
#include "smp.h"
#include "tree.h"
#include "vma.h"

struct at_config {
	const char *design;
	const char *scheme;          /* NULL: none (linux-rwsem only) */
	const char *tree;            /* NULL: the design's default */
	unsigned sockets, cores;
	uint32_t cpus;
	uint64_t seed;
	uint32_t jitter;
	bool no_shootdown, no_recheck;
	int mmap_cache;              /* -1: the design's default, else 0 / 1 */
	int mmap_sem;                /* 0: the design's default, else enum aspace_mmap_sem + 1 */
	uint32_t path_cycles;        /* aspace.path_cycles */
	void (*script)(uint32_t cpu);
};

static struct {
	const struct at_config *c;
	struct sim *sim;
	const struct aspace_ops *ops;
	void *as;
	void *params;
	struct aspace_env env;
	const struct rcl_ops *rcl;
	void *rs, *rcl_params;
	const struct smp_ops *smp;
	void *smp_state;
	void *smp_params;
	void *tree_params;
	struct kalloc *ka;
	struct klock *kl;
	uint64_t *done;              /* simulated, own line: CPUs whose script returned */
	uint64_t *flag;              /* simulated, own line: a script's handoff between CPUs */
	cJSON *stats;
	bool check_ok;
	char *check_why;
	sim_time_t end_time;
} at;

static const struct sim_param no_params[] = { SIM_P_END };

static void *
component_defaults(const struct sim_component *c)
{
	void *p = g_malloc0(c->params_size ? c->params_size : 1);
	sim_params_defaults(c->params, p);
	return p;
}

static void *
at_setup(struct sim *s, const void *p)
{
	(void)p;
	const struct at_config *c = at.c;
	at.sim = s;
	struct kalloc_params kp = {
		.pages_per_node = 4096, .pcp_batch = 31, .pcp_high = 186, .slab_max_order = 3,
		.cpu_partial = true, .path_cycles = 0,
	};
	at.ka = kalloc_create(s, &kp);
	at.kl = klock_create(s);
	at.done = sim_alloc(64, 64);
	sim_mem_prime(s, at.done, 64, 0);
	at.flag = sim_alloc(64, 64);
	sim_mem_prime(s, at.flag, 64, 0);
	if (c->scheme) {
		at.rcl = rcl_find(c->scheme);
		g_assert_nonnull(at.rcl);
		at.rcl_params = component_defaults(&at.rcl->comp);
		at.rs = at.rcl->create(s, at.rcl_params);
		sim_set_free_label(s, at.rcl->comp.name);
	}
	at.smp = smp_find("linux");
	at.smp_params = component_defaults(&at.smp->comp);
	at.smp_state = at.smp->create(s, at.smp_params);
	at.ops = aspace_find(c->design);
	g_assert_nonnull(at.ops);
	at.params = component_defaults(&at.ops->comp);
	if (c->mmap_cache >= 0)
		((struct aspace_params *)at.params)->mmap_cache = c->mmap_cache;
	if (c->mmap_sem > 0)
		((struct aspace_params *)at.params)->mmap_sem = c->mmap_sem - 1;
	((struct aspace_params *)at.params)->path_cycles = c->path_cycles;
	const struct tree_ops *t = c->tree ? tree_find(c->tree) : NULL;
	if (t)
		at.tree_params = component_defaults(&t->comp);
	at.env = (struct aspace_env){
		.sim = s, .rcl = at.rcl, .rs = at.rs, .tree = t, .tree_params = at.tree_params,
		.ka = at.ka, .kl = at.kl, .smp = at.smp, .smp_state = at.smp_state,
		.smp_params = at.smp_params, .home_cpu = 0,
		.mutation_no_shootdown = c->no_shootdown, .mutation_no_recheck = c->no_recheck,
	};
	at.as = at.ops->create(&at.env, at.params);
	return &at;
}

static void
at_cpu(void *arg)
{
	(void)arg;
	at.c->script(sim_cpu_id());
	/* Stay online until every CPU's script is done: an IPI to a finished
	 * CPU is dropped, so a later shootdown targeting it would wait forever. */
	uint64_t n = sim_faa64(at.done, 1) + 1;
	while (n < at.c->cpus)
		n = sim_spin_while_eq64(at.done, n);
	if (at.rcl && at.rcl->cpu_exit)
		at.rcl->cpu_exit(at.rs);
}

static void
at_report(void *arg, struct sim *s, cJSON *m)
{
	(void)arg;
	(void)m;
	at.stats = cJSON_CreateObject();
	at.ops->stats(at.as, at.stats);
	GString *why = g_string_new(NULL);
	at.check_ok = at.ops->check(at.as, why);
	at.check_why = g_string_free(why, FALSE);
	at.end_time = sim_end_time(s);
}

static void
at_teardown(void *arg)
{
	(void)arg;
	at.ops->destroy(at.as);
	at.smp->destroy(at.smp_state);
	if (at.rcl)
		at.rcl->destroy(at.rs);
	klock_destroy(at.kl);
	kalloc_destroy(at.ka);
	g_free(at.rcl_params);
	g_free(at.smp_params);
	g_free(at.params);
	g_free(at.tree_params);
}

static const struct sim_workload_ops at_ops = {
	.name = "aspace-script", .summary = "", .params = no_params, .params_size = 1,
	.setup = at_setup, .cpu_main = at_cpu, .report = at_report, .teardown = at_teardown,
};

/* Run c; return NULL or the run's error (the caller frees it).  After a
 * successful run at.stats, at.check_ok, at.check_why hold the result. */
static GError *
at_run(const struct at_config *c)
{
	memset(&at, 0, sizeof at);
	at.c = c;
	struct sim_run_config *rc = t_config(t_machine(c->sockets ? c->sockets : 1,
						       c->cores ? c->cores : c->cpus, NULL),
					     c->cpus, c->seed, &at_ops, NULL, 0);
	rc->engine.jitter = c->jitter;
	rc->engine.jitter_every = 1;
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	sim_run(s, &err);
	if (err == NULL)
		cJSON_Delete(sim_results(s));
	sim_destroy(s);
	sim_run_config_free(rc);
	return err;
}

static void
at_free(void)
{
	cJSON_Delete(at.stats);
	g_free(at.check_why);
	at.stats = NULL;
	at.check_why = NULL;
}

static double
at_stat(const char *dotted)
{
	char **parts = g_strsplit(dotted, ".", -1);
	const cJSON *v = at.stats;
	for (char **p = parts; *p && v; p++)
		v = cJSON_GetObjectItemCaseSensitive(v, *p);
	g_strfreev(parts);
	g_assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static void
quiesce(void)
{
	if (at.rcl && at.rcl->quiescent_state)
		at.rcl->quiescent_state(at.rs);
}

/* ---- the random mix and its host shadow ---- */

#define MIX_SLOTS_PER_CPU 2u
#define MIX_PAGES 6u
#define MIX_BASE UINT64_C(0x40000000)
#define MIX_STRIDE (UINT64_C(2) << 20)   /* one PTE page per slot: munmap frees it */
#define MIX_OPS 120u

/*
 * Slot s is [MIX_BASE + s * MIX_STRIDE, + MIX_PAGES pages), owned by CPU
 * s / MIX_SLOTS_PER_CPU, which alone changes it: munmap, mmap MAP_FIXED
 * (read-write) or mprotect (read-only or read-write) of a random run of
 * its pages, so regions split and merge back into the tree; every CPU
 * accesses every slot.  Host shadow per slot: each page's state, a
 * "changing" flag and a change counter bumped when a change starts and
 * when it returns.
 */
enum page_state { PG_UNMAPPED, PG_RO, PG_RW };

struct slot {
	uint8_t page[MIX_PAGES];         /* enum page_state */
	bool changing;
	uint64_t changes;
};

static struct slot *mix_slot;
static uint64_t mix_checked_accesses;

static uint64_t
slot_addr(uint32_t s)
{
	return MIX_BASE + s * MIX_STRIDE;
}

struct pte_agree {
	const struct slot *sl;
	uint64_t base;
	uint64_t bad, bad_addr;
};

static void
pte_agrees(void *arg, uint64_t addr, uint64_t pte)
{
	struct pte_agree *c = arg;
	uint8_t st = c->sl->page[(addr - c->base) / MM_PAGE_SIZE];
	if (st == PG_UNMAPPED || (st == PG_RO && (pte & _PAGE_RW))) {
		if (c->bad++ == 0)
			c->bad_addr = addr;
	}
}

/* No PTE of an unmapped page of slot s, no writable PTE of a read-only
 * one: host walk (the caller's stores drained first). */
static void
assert_ptes_agree(uint32_t s, const char *when)
{
	sim_fence_full();
	struct pte_agree c = { .sl = &mix_slot[s], .base = slot_addr(s) };
	mm_for_each_pte(at.ops->mm(at.as), slot_addr(s), slot_addr(s) + MIX_PAGES * MM_PAGE_SIZE,
			pte_agrees, &c);
	if (c.bad)
		sim_fail("slot %u (%s): %" G_GUINT64_FORMAT " PTEs its pages do not allow, first "
			 "at %#" G_GINT64_MODIFIER "x", s, when, c.bad, c.bad_addr);
}

/* A change of pages [p0, p1) of this CPU's slot s. */
static void
mix_change(uint32_t s, uint32_t p0, uint32_t p1)
{
	struct slot *sl = &mix_slot[s];
	uint64_t a = slot_addr(s) + p0 * MM_PAGE_SIZE, len = (p1 - p0) * MM_PAGE_SIZE;
	assert_ptes_agree(s, "before a change");
	sl->changing = true;
	sl->changes++;
	uint8_t to;
	int r, want = 0;
	switch (sim_random_below(3)) {
	case 0:
		r = at.ops->munmap(at.as, a, len);
		to = PG_UNMAPPED;
		break;
	case 1: {
		uint64_t got;
		r = at.ops->mmap(at.as, a, len, MM_PROT_READ | MM_PROT_WRITE, AS_MAP_FIXED, &got);
		if (r == 0 && got != a)
			sim_fail("mmap MAP_FIXED of %#" G_GINT64_MODIFIER "x gave %#"
				 G_GINT64_MODIFIER "x", a, got);
		to = PG_RW;
		break;
	}
	default:
		to = sim_random_below(2) ? PG_RO : PG_RW;
		for (uint32_t p = p0; p < p1; p++)
			if (sl->page[p] == PG_UNMAPPED)
				want = -ENOMEM;
		r = at.ops->mprotect(at.as, a, len, to == PG_RO ? MM_PROT_READ :
				     MM_PROT_READ | MM_PROT_WRITE);
		break;
	}
	if (r != want)
		sim_fail("slot %u pages [%u, %u): %d, expected %d", s, p0, p1, r, want);
	if (r == 0)
		for (uint32_t p = p0; p < p1; p++)
			sl->page[p] = to;
	assert_ptes_agree(s, "when the change returned");
	sl->changing = false;
	sl->changes++;
}

static void
mix_script(uint32_t cpu)
{
	uint32_t nslots = at.c->cpus * MIX_SLOTS_PER_CPU;
	/* each CPU starts with its slots mapped (the others' may not be yet:
	 * their shadow says so) */
	for (uint32_t k = 0; k < MIX_SLOTS_PER_CPU; k++) {
		uint32_t s = cpu * MIX_SLOTS_PER_CPU + k;
		uint64_t got;
		mix_slot[s].changing = true;
		mix_slot[s].changes++;
		if (at.ops->mmap(at.as, slot_addr(s), MIX_PAGES * MM_PAGE_SIZE,
				 MM_PROT_READ | MM_PROT_WRITE, AS_MAP_FIXED, &got) != 0)
			sim_fail("mmap of slot %u", s);
		memset(mix_slot[s].page, PG_RW, MIX_PAGES);
		mix_slot[s].changing = false;
		mix_slot[s].changes++;
	}
	for (uint32_t i = 0; i < MIX_OPS; i++) {
		if (sim_random_below(5) == 0) {
			uint32_t s = cpu * MIX_SLOTS_PER_CPU + (uint32_t)sim_random_below(MIX_SLOTS_PER_CPU);
			uint32_t p0 = (uint32_t)sim_random_below(MIX_PAGES);
			uint32_t p1 = p0 + 1 + (uint32_t)sim_random_below(MIX_PAGES - p0);
			mix_change(s, p0, p1);
		} else {
			uint32_t s = (uint32_t)sim_random_below(nslots);
			uint32_t pg = (uint32_t)sim_random_below(MIX_PAGES);
			uint64_t a = slot_addr(s) + pg * MM_PAGE_SIZE + sim_random_below(MM_PAGE_SIZE);
			unsigned fl = sim_random_below(2) ? MM_FAULT_WRITE : 0;
			struct slot before = mix_slot[s];
			int r = aspace_access(at.ops, at.as, a, fl);
			const struct slot *after = &mix_slot[s];
			if (before.changes == after->changes && !before.changing) {
				uint8_t st = before.page[pg];
				bool allowed = st == PG_RW || (st == PG_RO && !(fl & MM_FAULT_WRITE));
				mix_checked_accesses++;
				if (r == 0 && !allowed)
					sim_fail("CPU %u: %s of %#" G_GINT64_MODIFIER "x (slot %u page "
						 "%u, %s) succeeded", cpu, fl ? "write" : "read", a, s,
						 pg, st == PG_RO ? "read-only" : "unmapped");
				if (r != 0 && allowed)
					sim_fail("CPU %u: %s of %#" G_GINT64_MODIFIER "x (slot %u page "
						 "%u) failed (%d)", cpu, fl ? "write" : "read", a, s, pg, r);
			}
		}
		quiesce();
		sim_work(sim_random_below(200));
	}
}

static GError *
run_mix(const char *design, const char *scheme, const char *tree, uint32_t cpus, uint64_t seed,
	bool no_shootdown, bool no_recheck)
{
	mix_slot = g_new0(struct slot, cpus * MIX_SLOTS_PER_CPU);
	struct at_config c = {
		.design = design, .scheme = scheme, .tree = tree, .cpus = cpus, .seed = seed,
		.jitter = 20, .no_shootdown = no_shootdown, .no_recheck = no_recheck,
		.mmap_cache = -1, .script = mix_script,
	};
	GError *err = at_run(&c);
	g_free(mix_slot);
	mix_slot = NULL;
	return err;
}

/* Safety: seeds of the random mix on 4 CPUs: no run fails (stale
 * translations are checked by mm at every access), every access that did
 * not overlap a change of its slot agrees with the shadow, no PTE of an
 * unmapped slot exists, and check() holds after the run. */
static void
safety(const char *design, const char *scheme, const char *tree, unsigned seeds)
{
	uint64_t checked = 0, retries = 0, fallbacks = 0, faults = 0, segv = 0;
	for (uint64_t seed = 1; seed <= seeds; seed++) {
		mix_checked_accesses = 0;
		GError *err = run_mix(design, scheme, tree, 4, seed, false, false);
		if (err)
			g_error("%s/%s seed %" G_GUINT64_FORMAT ": %s", design,
				scheme ? scheme : "-", seed, err->message);
		if (!at.check_ok)
			g_error("%s/%s seed %" G_GUINT64_FORMAT ": check: %s", design,
				scheme ? scheme : "-", seed, at.check_why);
		checked += mix_checked_accesses;
		retries += (uint64_t)at_stat("fault_retries");
		fallbacks += (uint64_t)at_stat("fault_fallbacks");
		faults += (uint64_t)at_stat("faults");
		segv += (uint64_t)at_stat("segv");
		g_assert_cmpfloat(at_stat("faults"), >, 0);
		at_free();
	}
	g_test_message("%s/%s/%s: %u seeds, %" G_GUINT64_FORMAT " accesses checked, %"
		       G_GUINT64_FORMAT " faults, %" G_GUINT64_FORMAT " retries (%" G_GUINT64_FORMAT
		       " fallbacks to mmap_sem), %" G_GUINT64_FORMAT " SIGSEGV", design,
		       scheme ? scheme : "-", tree ? tree : "default", seeds, checked, faults,
		       retries, fallbacks, segv);
	g_assert_cmpuint(checked, >, 100u * seeds);
}

static void
test_safety_linux(void)
{
	safety("linux-rwsem", "tree_rcu", NULL, 20);
	safety("linux-rwsem", NULL, NULL, 10);
	safety("linux-rwsem", "tree_rcu", "maple", 5);
}

static void
test_safety_bonsai(void)
{
	static const char *const schemes[] = { "tree_rcu", "gus", "ebr-ck", "urcu-qsbr", "srcu" };
	for (unsigned i = 0; i < G_N_ELEMENTS(schemes); i++)
		safety("bonsai", schemes[i], NULL, i == 0 ? 20 : 6);
	safety("bonsai", "tree_rcu", "maple", 5);
}

/* A mutation must make some seed below 1,000 fail; return that seed. */
static uint64_t
first_failing_seed(const char *design, bool no_shootdown, bool no_recheck)
{
	for (uint64_t seed = 1; seed <= 1000; seed++) {
		GError *err = run_mix(design, "tree_rcu", NULL, 4, seed, no_shootdown, no_recheck);
		bool bad = err != NULL || !at.check_ok;
		if (bad)
			g_test_message("%s no_shootdown=%d no_recheck=%d: seed %" G_GUINT64_FORMAT
				       ": %s", design, no_shootdown, no_recheck, seed,
				       err ? err->message : at.check_why);
		if (err)
			g_error_free(err);
		else
			at_free();
		if (bad)
			return seed;
	}
	return 0;
}

static void
test_mutation_no_shootdown(void)
{
	g_assert_cmpuint(first_failing_seed("linux-rwsem", true, false), >, 0);
	g_assert_cmpuint(first_failing_seed("bonsai", true, false), >, 0);
}

static void
test_mutation_no_recheck(void)
{
	g_assert_cmpuint(first_failing_seed("bonsai", false, true), >, 0);
}

/* Same config and seed: byte-identical stats and end time. */
static void
test_determinism(void)
{
	static const char *const designs[] = { "linux-rwsem", "bonsai" };
	for (unsigned i = 0; i < 2; i++) {
		char *s[2];
		sim_time_t t[2];
		for (int k = 0; k < 2; k++) {
			GError *err = run_mix(designs[i], "tree_rcu", NULL, 4, 7, false, false);
			g_assert_no_error(err);
			s[k] = cJSON_PrintUnformatted(at.stats);
			t[k] = at.end_time;
			at_free();
		}
		g_assert_cmpstr(s[0], ==, s[1]);
		g_assert_cmpuint(t[0], ==, t[1]);
		g_free(s[0]);
		g_free(s[1]);
	}
}

/* ---- the single-operation semantics ---- */

static int sem_result[16];

static void
semantics_script(uint32_t cpu)
{
	if (cpu != 0)
		return;
	void *as = at.as;
	const struct aspace_ops *o = at.ops;
	uint64_t a, b, brk;
	int i = 0;
	/* two regions, lowest gaps first */
	g_assert_cmpint(o->mmap(as, 0, 3 * MM_PAGE_SIZE, MM_PROT_READ | MM_PROT_WRITE, 0, &a),
			==, 0);
	g_assert_cmpint(o->mmap(as, 0, MM_PAGE_SIZE, MM_PROT_READ, 0, &b), ==, 0);
	g_assert_cmphex(b, ==, a + 3 * MM_PAGE_SIZE);
	sem_result[i++] = aspace_access(o, as, a + 10, MM_FAULT_WRITE);    /* 0 */
	sem_result[i++] = aspace_access(o, as, b + 10, MM_FAULT_WRITE);    /* -EFAULT: read-only */
	sem_result[i++] = aspace_access(o, as, b + 10, 0);                 /* 0: zero page */
	/* unmap the middle page of the first: a split into two */
	g_assert_cmpint(o->munmap(as, a + MM_PAGE_SIZE, MM_PAGE_SIZE), ==, 0);
	sem_result[i++] = aspace_access(o, as, a + MM_PAGE_SIZE, 0);       /* -EFAULT */
	sem_result[i++] = aspace_access(o, as, a + 2 * MM_PAGE_SIZE, MM_FAULT_WRITE); /* 0 */
	/* the hole is the lowest gap again */
	uint64_t c;
	g_assert_cmpint(o->mmap(as, 0, MM_PAGE_SIZE, MM_PROT_READ | MM_PROT_WRITE, 0, &c), ==, 0);
	g_assert_cmphex(c, ==, a + MM_PAGE_SIZE);
	/* mprotect the first page read-only: its write is refused */
	g_assert_cmpint(o->mprotect(as, a, MM_PAGE_SIZE, MM_PROT_READ), ==, 0);
	sem_result[i++] = aspace_access(o, as, a, MM_FAULT_WRITE);         /* -EFAULT */
	sem_result[i++] = aspace_access(o, as, a, 0);                      /* 0 */
	g_assert_cmpint(o->mprotect(as, a + 100 * MM_PAGE_SIZE, MM_PAGE_SIZE, MM_PROT_READ), ==,
			-ENOMEM);
	/* brk: grow by 3 pages, touch, shrink by 2 */
	g_assert_cmpint(o->brk(as, 0, &brk), ==, 0);
	uint64_t b0 = brk;
	g_assert_cmpint(o->brk(as, b0 + 3 * MM_PAGE_SIZE, &brk), ==, 0);
	g_assert_cmphex(brk, ==, b0 + 3 * MM_PAGE_SIZE);
	g_assert_cmpint(o->brk(as, b0 + 4 * MM_PAGE_SIZE, &brk), ==, 0);  /* extends the heap */
	sem_result[i++] = aspace_access(o, as, b0 + 3 * MM_PAGE_SIZE + 1, MM_FAULT_WRITE); /* 0 */
	g_assert_cmpint(o->brk(as, b0 + MM_PAGE_SIZE, &brk), ==, 0);
	sem_result[i++] = aspace_access(o, as, b0 + 3 * MM_PAGE_SIZE + 1, 0);  /* -EFAULT */
	sem_result[i++] = aspace_access(o, as, b0 + 10, MM_FAULT_WRITE);       /* 0 */
	/* MAP_FIXED over a mapped range replaces it */
	g_assert_cmpint(o->mmap(as, a, 3 * MM_PAGE_SIZE, MM_PROT_READ, AS_MAP_FIXED, &c), ==, 0);
	g_assert_cmphex(c, ==, a);
	sem_result[i++] = aspace_access(o, as, a + 2 * MM_PAGE_SIZE, MM_FAULT_WRITE); /* -EFAULT */
	g_assert_cmpint(o->munmap(as, a + 1, MM_PAGE_SIZE), ==, -EINVAL);
}

static void
test_semantics(gconstpointer design)
{
	static const int want[] = { 0, -EFAULT, 0, -EFAULT, 0, -EFAULT, 0, 0, -EFAULT, 0,
				    -EFAULT };
	struct at_config c = { .design = design, .scheme = "tree_rcu", .cpus = 2, .seed = 1,
			       .mmap_cache = -1, .script = semantics_script };
	memset(sem_result, 0x55, sizeof sem_result);
	GError *err = at_run(&c);
	g_assert_no_error(err);
	if (!at.check_ok)
		g_error("%s", at.check_why);
	for (unsigned i = 0; i < G_N_ELEMENTS(want); i++)
		g_assert_cmpint(sem_result[i], ==, want[i]);
	/* vma_merge twice: c filled the hole between the two read-write
	 * pieces of a (prev and next: one VMA again), and the read-only
	 * MAP_FIXED over a's range joined b above it.  Left: [a, a + 4
	 * pages) read-only and the heap [b0, b0 + 1 page) */
	g_assert_cmpfloat(at_stat("vmas"), ==, 2);
	g_assert_cmpfloat(at_stat("merges"), ==, 2);
	g_assert_cmpfloat(at_stat("segv"), ==, 5);
	/* mmap_cache: linux-rwsem's find_vma uses it (Linux 3.5.7: on),
	 * bonsai's does not by default */
	if (strcmp(design, "bonsai") == 0)
		g_assert_cmpfloat(at_stat("mmap_cache_hits") + at_stat("mmap_cache_misses"), ==, 0);
	else
		g_assert_cmpfloat(at_stat("mmap_cache_misses"), >, 0);
	at_free();
}

/* ---- exact costs ---- */

/*
 * CPU 0 maps 4 pages (the lowest gap: one VMA in the tree), reads its
 * first two pages (warming the page tables, the VMA, the tree, mmap_sem,
 * mmap_cache and the zero page's mapping path), drains its store buffer,
 * then reads the third page: a read fault that maps the shared zero page
 * (no allocation, no zeroing: every line it touches is already in CPU 0's
 * cache, every store goes to an owned line with an empty store buffer).
 * exact_bare replaces the design's fault() by mm_do_anonymous_page
 * alone, so the difference of the two is what the design adds.  CPU 1
 * waits at the final barrier.
 */
static bool exact_bare;
static sim_time_t exact_t[4];

static int
bare_fault(void *arg, uint64_t addr, unsigned flags)
{
	(void)arg;
	struct mm_fault_ctx ctx = { .prot = MM_PROT_READ | MM_PROT_WRITE };
	int r = mm_do_anonymous_page(at.ops->mm(at.as), addr, flags, &ctx);
	return r == -EAGAIN ? 0 : r;
}

static int
exact_access(uint64_t addr, unsigned flags)
{
	if (exact_bare)
		return mm_access(at.ops->mm(at.as), addr, flags, bare_fault, NULL);
	return aspace_access(at.ops, at.as, addr, flags);
}

static void
exact_script(uint32_t cpu)
{
	if (cpu != 0)
		return;
	uint64_t a;
	exact_t[0] = sim_now();
	g_assert_cmpint(at.ops->mmap(at.as, 0, 4 * MM_PAGE_SIZE, MM_PROT_READ | MM_PROT_WRITE, 0,
				     &a), ==, 0);
	exact_t[1] = sim_now();
	g_assert_cmpint(exact_access(a, 0), ==, 0);
	g_assert_cmpint(exact_access(a + MM_PAGE_SIZE, 0), ==, 0);
	sim_fence_full();
	exact_t[2] = sim_now();
	g_assert_cmpint(exact_access(a + 2 * MM_PAGE_SIZE, 0), ==, 0);
	exact_t[3] = sim_now();
}

static sim_time_t
exact_fault(const char *design, bool bare, int mmap_sem)
{
	exact_bare = bare;
	struct at_config c = { .design = design, .scheme = "tree_rcu", .cpus = 2, .seed = 1,
			       .mmap_cache = -1, .mmap_sem = mmap_sem, .script = exact_script };
	GError *err = at_run(&c);
	g_assert_no_error(err);
	g_assert_true(at.check_ok);
	at_free();
	return exact_t[3] - exact_t[2];
}

/*
 * What each design adds to a warm read fault, t_lat_default (l1_hit 4,
 * atomic_hit 20, store_hit 1; smp_rmb free on x86):
 *
 *   linux-rwsem (mmap_cache hit: the VMA is the one cached by the warm
 *   faults), mmap_sem "v3.5" (the default):
 *     down_read: lock xadd of count                        20
 *     find_vma: mmap_cache, the VMA's vm_end and vm_start   3 x 4
 *     the fault's vm_start and vm_flags loads               2 x 4
 *     up_read: lock xadd of count                          20
 *                                                         = 60
 *   mmap_sem "v6" adds rwsem_set_reader_owned's load + store
 *   of owner                                                4 + 1 = 65
 *   bonsai (tree_rcu: read_lock/unlock touch no line):
 *     find_vma in a one-node tree: root pointer, the node's
 *       key, start and value, its left child                5 x 4
 *     vm_bound_seq, vm_start, vm_end, vm_flags, vm_bound_seq,
 *       vm_unlinked                                         6 x 4
 *     the re-check under the PTL: vm_unlinked, vm_bound_seq,
 *       vm_start, vm_end, vm_flags, vm_bound_seq            6 x 4
 *     handle_mm_fault's pin of the PTE page: get_page and
 *       put_page, lock add on its struct page line          2 x 20
 *                                                         = 108
 */
static void
test_exact_fault(void)
{
	sim_time_t bare = exact_fault("linux-rwsem", true, 0);
	sim_time_t lr = exact_fault("linux-rwsem", false, 0);
	sim_time_t bare6 = exact_fault("linux-rwsem", true, ASPACE_MMAP_SEM_V6 + 1);
	sim_time_t lr6 = exact_fault("linux-rwsem", false, ASPACE_MMAP_SEM_V6 + 1);
	sim_time_t bare_b = exact_fault("bonsai", true, 0);
	sim_time_t bo = exact_fault("bonsai", false, 0);
	g_test_message("read fault: bare %" G_GUINT64_FORMAT " (bonsai's mm: %" G_GUINT64_FORMAT
		       "), linux-rwsem %" G_GUINT64_FORMAT ", bonsai %" G_GUINT64_FORMAT,
		       bare, bare_b, lr, bo);
	g_assert_cmpuint(lr - bare, ==, 60);
	g_assert_cmpuint(lr6 - bare6, ==, 65);
	g_assert_cmpuint(bo - bare_b, ==, 108);
}

/*
 * mmap_sem's flavour under contention (three CPUs).  CPU 0 takes mmap_sem
 * for write (through the design's mmap_sem_ops), raises a flag, works
 * 100,000 cycles, releases it and raises the flag again; CPU 1 sees the
 * first flag, works 1,000 cycles (so it arrives while CPU 0 holds the
 * lock) and mmaps; CPU 2 mmaps as soon as it sees the second flag, while
 * CPU 1 is being woken.  Bonsai's kernel is 2.6.37, whose lib/rwsem.c
 * (as 3.5's) grants the lock to the first waiter at up_write, before it
 * runs: CPU 2 finds it held and queues too (two sleeps, two wake-ups, CPU
 * 1 first), and CPU 1 owns the lock only after its switch back in (more
 * than klock's context_switch, 2,000 cycles, after the release).  The
 * "v6" flavour wakes CPU 1 to try for the lock itself, so the running CPU
 * 2 takes it first and CPU 1, woken, finds it taken and sleeps again
 * (two sleeps, both CPU 1's; two wake-ups; CPU 2 first).
 */
static sim_time_t sem_t_up, sem_t_got[3];
static uint64_t sem_sleeps, sem_wakeups;

static void
sem_contend_script(uint32_t cpu)
{
	struct aspace_base *ab = at.as;
	if (cpu == 0) {
		ab->mmap_sem_ops->down_write(ab->env.kl, ab->mmap_sem);
		sim_store64(at.flag, 1);
		sim_work(100000);
		sem_t_up = sim_now();
		ab->mmap_sem_ops->up_write(ab->env.kl, ab->mmap_sem);
		sim_store64(at.flag, 2);
		return;
	}
	uint64_t f = sim_spin_while_eq64(at.flag, 0);
	if (cpu == 1)
		sim_work(1000);
	else
		while (f != 2)
			f = sim_spin_while_eq64(at.flag, f);
	uint64_t a;
	g_assert_cmpint(at.ops->mmap(at.as, 0, MM_PAGE_SIZE, MM_PROT_READ | MM_PROT_WRITE, 0, &a),
			==, 0);
	sem_t_got[cpu] = sim_now();
	/* the last one out reads the counters */
	if (sem_t_got[3 - cpu] != 0) {
		const struct klock_counters *n = klock_counters_of(at.kl);
		sem_sleeps = n->sleeps;
		sem_wakeups = n->wakeups;
	}
}

static void
sem_contend(int mmap_sem)
{
	struct aspace_params *dp = component_defaults(&aspace_bonsai_ops.comp);
	g_assert_cmpint(dp->mmap_sem, ==, ASPACE_MMAP_SEM_V35);   /* 2.6.37's rwsem */
	g_free(dp);
	memset(sem_t_got, 0, sizeof sem_t_got);
	struct at_config c = { .design = "bonsai", .scheme = "tree_rcu", .cpus = 3, .seed = 1,
			       .mmap_cache = -1, .mmap_sem = mmap_sem,
			       .script = sem_contend_script };
	GError *err = at_run(&c);
	g_assert_no_error(err);
	g_assert_true(at.check_ok);
	at_free();
}

static void
test_bonsai_mmap_sem(void)
{
	sem_contend(0);
	g_test_message("bonsai default: %" G_GUINT64_FORMAT " sleeps, %" G_GUINT64_FORMAT
		       " wake-ups, CPU 1 done %" G_GUINT64_FORMAT ", CPU 2 %" G_GUINT64_FORMAT
		       " cycles after the release", sem_sleeps, sem_wakeups,
		       (uint64_t)(sem_t_got[1] - sem_t_up), (uint64_t)(sem_t_got[2] - sem_t_up));
	g_assert_cmpuint(sem_sleeps, ==, 2);
	g_assert_cmpuint(sem_wakeups, ==, 2);
	g_assert_cmpuint(sem_t_got[1] - sem_t_up, >, 2000);
	g_assert_cmpuint(sem_t_got[1], <, sem_t_got[2]);
	sem_contend(ASPACE_MMAP_SEM_V6 + 1);
	g_test_message("v6: %" G_GUINT64_FORMAT " sleeps, %" G_GUINT64_FORMAT
		       " wake-ups, CPU 1 done %" G_GUINT64_FORMAT ", CPU 2 %" G_GUINT64_FORMAT
		       " cycles after the release", sem_sleeps, sem_wakeups,
		       (uint64_t)(sem_t_got[1] - sem_t_up), (uint64_t)(sem_t_got[2] - sem_t_up));
	g_assert_cmpuint(sem_sleeps, ==, 2);
	g_assert_cmpuint(sem_wakeups, ==, 2);
	g_assert_cmpuint(sem_t_got[2], <, sem_t_got[1]);
}

/*
 * Bonsai's deferred VMA freeing (vma.c free_vma_list): CPU 0 maps and
 * unmaps one page 5 times.  Every munmap pushes its VMA onto
 * mm_free_vma_head (the head is the last VMA unmapped, whose
 * vm_next_free_list is the one before, down to NULL after the first) and
 * wakes the freeing kthread once: 5 free_vma_wakeups, 5 klock wake-ups.
 * linux-rwsem frees at once: no list, no wake-up.
 */
#define FVL_ROUNDS 5
static uint64_t fvl_wakeups;
static bool fvl_chain_ok;

static void
fvl_script(uint32_t cpu)
{
	if (cpu != 0)
		return;
	struct aspace_base *ab = at.as;
	struct vm_area_struct *vmas[FVL_ROUNDS];
	for (int i = 0; i < FVL_ROUNDS; i++) {
		uint64_t a;
		g_assert_cmpint(at.ops->mmap(at.as, 0, MM_PAGE_SIZE, MM_PROT_READ | MM_PROT_WRITE, 0,
					     &a), ==, 0);
		vmas[i] = sim_loadp((void *const *)&ab->ml->mmap);   /* the only VMA */
		g_assert_cmpint(at.ops->munmap(at.as, a, MM_PAGE_SIZE), ==, 0);
	}
	sim_fence_full();
	fvl_wakeups = klock_counters_of(at.kl)->wakeups;
	fvl_chain_ok = ab->fl == NULL;
	if (ab->fl) {
		/* host reads: the list as the pushes left it */
		struct vm_area_struct *x = ab->fl->head;
		fvl_chain_ok = true;
		for (int i = FVL_ROUNDS - 1; i >= 0; i--) {
			fvl_chain_ok = fvl_chain_ok && x == vmas[i];
			x = x ? x->vm_next_free_list : NULL;
		}
		fvl_chain_ok = fvl_chain_ok && x == NULL;
	}
}

static void
test_bonsai_free_vma_list(void)
{
	struct at_config c = { .design = "bonsai", .scheme = "tree_rcu", .cpus = 2, .seed = 1,
			       .mmap_cache = -1, .script = fvl_script };
	GError *err = at_run(&c);
	g_assert_no_error(err);
	g_assert_true(at.check_ok);
	g_assert_cmpfloat(at_stat("free_vma_wakeups"), ==, FVL_ROUNDS);
	g_assert_cmpuint(fvl_wakeups, ==, FVL_ROUNDS);
	g_assert_true(fvl_chain_ok);
	at_free();
	struct at_config l = { .design = "linux-rwsem", .cpus = 2, .seed = 1, .mmap_cache = -1,
			       .script = fvl_script };
	err = at_run(&l);
	g_assert_no_error(err);
	g_assert_true(at.check_ok);
	g_assert_null(cJSON_GetObjectItem(at.stats, "free_vma_wakeups"));
	g_assert_cmpuint(fvl_wakeups, ==, 0);
	at_free();
}

/*
 * One mmap, warm: CPU 0 maps and unmaps 4 pages through the design (the
 * VMA cache's slab, mmap_sem, the mm lines and the tree's root are now in
 * its cache), drains its store buffer, then maps 4 pages again (the tree
 * is empty, the list is empty, mmap_cache is NULL after the munmap).
 * exact_bare does instead, on the same state, only what the design calls
 * of the other models: down_write (through the design's mmap_sem
 * flavour), the tree's find_gap and find (the lookup of the new VMA's
 * successor), kmem_cache_alloc, the tree's insert, up_write; the
 * difference is the design's own lines.  CPU 1
 * waits at the final barrier.
 */
static void
exact_mmap_script(uint32_t cpu)
{
	if (cpu != 0)
		return;
	void *as = at.as;
	const struct aspace_ops *o = at.ops;
	uint64_t a, b;
	g_assert_cmpint(o->mmap(as, 0, 4 * MM_PAGE_SIZE, MM_PROT_READ | MM_PROT_WRITE, 0, &a),
			==, 0);
	g_assert_cmpint(o->munmap(as, a, 4 * MM_PAGE_SIZE), ==, 0);
	sim_fence_full();
	exact_t[0] = sim_now();
	if (!exact_bare) {
		g_assert_cmpint(o->mmap(as, 0, 4 * MM_PAGE_SIZE, MM_PROT_READ | MM_PROT_WRITE, 0,
					&b), ==, 0);
	} else {
		/* reaching into the design for its mmap_sem, tree and cache:
		 * the test is the design's friend */
		struct aspace_base *ab = as;
		struct tree_range r;
		ab->mmap_sem_ops->down_write(ab->env.kl, ab->mmap_sem);
		g_assert_true(ab->tree->find_gap(ab->t, 4 * MM_PAGE_SIZE, AS_MMAP_MIN, MM_TASK_SIZE,
						 &b));
		g_assert_false(ab->tree->find(ab->t, b, &r));
		void *v = kmem_cache_alloc(ab->vma_cache, 0);
		g_assert_cmpint(ab->tree->insert(ab->t, b, b + 4 * MM_PAGE_SIZE, v), ==, 0);
		ab->mmap_sem_ops->up_write(ab->env.kl, ab->mmap_sem);
	}
	exact_t[1] = sim_now();
	g_assert_cmphex(a, ==, b);
}

static sim_time_t
exact_mmap(const char *design, bool bare, uint32_t path_cycles)
{
	exact_bare = bare;
	struct at_config c = { .design = design, .scheme = "tree_rcu", .cpus = 2, .seed = 1,
			       .mmap_cache = -1, .path_cycles = path_cycles,
			       .script = exact_mmap_script };
	GError *err = at_run(&c);
	g_assert_no_error(err);
	if (!bare)
		g_assert_true(at.check_ok);
	at_free();
	return exact_t[1] - exact_t[0];
}

/*
 * What the design's own lines add to that mmap (t_lat_default; every line
 * below is in CPU 0's cache and owned by it, its store buffer empty, so a
 * load costs l1_hit 4 and a store store_hit 1):
 *
 *   find_vma's mmap_cache load (linux-rwsem only: NULL, a miss)   4
 *   no successor: the list's tail (mmap_last)                     4
 *   the new VMA: vm_start, vm_end, vm_next, vm_prev, vm_flags,
 *     vm_bound_seq (seqcount_init), vm_unlinked: 7 stores         7
 *   vma_link: vm_start and vm_end for the tree's insert           8
 *   __vma_link_list after no VMA: load mm->mmap, store mm->mmap,
 *     vm_prev, vm_next, mmap_last                             4 + 4
 *   map_count: load and store                                 4 + 1
 *                                                             ------
 *   linux-rwsem 36, bonsai 32 (bonsai's find_vma runs inside the
 *   scheme's read side: Tree RCU's costs nothing)
 * and with aspace.path_cycles P, the design's mmap also does P cycles of
 * local work after down_write (the bare sequence does not): 36 + P and
 * 32 + P (P = 1,000 below).
 */
static void
test_exact_mmap(void)
{
	sim_time_t bare = exact_mmap("linux-rwsem", true, 0);
	sim_time_t lr = exact_mmap("linux-rwsem", false, 0);
	sim_time_t bare_b = exact_mmap("bonsai", true, 0);
	sim_time_t bo = exact_mmap("bonsai", false, 0);
	sim_time_t lr_p = exact_mmap("linux-rwsem", false, 1000);
	sim_time_t bo_p = exact_mmap("bonsai", false, 1000);
	g_test_message("mmap: bare %" G_GUINT64_FORMAT " (bonsai tree: %" G_GUINT64_FORMAT
		       "), linux-rwsem %" G_GUINT64_FORMAT ", bonsai %" G_GUINT64_FORMAT,
		       bare, bare_b, lr, bo);
	g_assert_cmpuint(lr - bare, ==, 36);
	g_assert_cmpuint(bo - bare_b, ==, 32);
	g_assert_cmpuint(lr_p - bare, ==, 36 + 1000);
	g_assert_cmpuint(bo_p - bare_b, ==, 32 + 1000);
}

/* ---- exact costs across two CPUs ---- */

/*
 * Two CPUs of one cluster (t_machine(1, 2), t_lat_default, the default
 * IPI latencies), handing off through at.flag:
 *   CPU 0: mmap W (8 pages, the lowest gap) and write its page 0 (the
 *     page-table pages are allocated and cleared by CPU 0); flag = 1.
 *   CPU 1: write pages 1 and 2 of W (its fault path, pcp list and the
 *     PTE line of W's pages warm); flag = 2.
 *   The mapping of X (one page at W + 10 pages: a VMA of its own) is
 *     made by CPU 0 (xc_cross) or by CPU 1 itself; flag = 3.
 *   CPU 1: drain its store buffer, then write X: the measured fault
 *     xc_t[1] - xc_t[0] (a fresh page from CPU 1's pcp list, the PTE
 *     store, the retried access).  flag = 4.
 *   CPU 0: munmap X (xc_t[3] - xc_t[2]): zap, free, flush, and the
 *     shootdown of CPU 1, which holds X's translation (unless
 *     xc_noshoot: the mutation without it); flag = 5.
 *   CPU 1 (not xc_noshoot): write X again: SIGSEGV.
 */
static bool xc_cross, xc_noshoot;
static sim_time_t xc_t[4];
static uint64_t xc_shoot, xc_ipis, xc_acks;
static int xc_segv;
static struct sim_access_counts xc_acc[2];
static void
xc_wait(uint64_t v)
{
	uint64_t f;
	while ((f = sim_load64_acq(at.flag)) < v)
		(void)sim_spin_while_eq64(at.flag, f);
}

static void
xc_script(uint32_t cpu)
{
	const struct aspace_ops *o = at.ops;
	void *as = at.as;
	const uint64_t rw = MM_PROT_READ | MM_PROT_WRITE;
	uint64_t w, x, got;
	if (cpu == 0) {
		g_assert_cmpint(o->mmap(as, 0, 8 * MM_PAGE_SIZE, rw, 0, &w), ==, 0);
		g_assert_cmpint(aspace_access(o, as, w, MM_FAULT_WRITE), ==, 0);
		sim_store64_rel(at.flag, 1);
	} else {
		xc_wait(1);
		w = ((struct aspace_base *)as)->ml->mmap->vm_start;   /* host: W's address */
		g_assert_cmpint(aspace_access(o, as, w + MM_PAGE_SIZE, MM_FAULT_WRITE), ==, 0);
		g_assert_cmpint(aspace_access(o, as, w + 2 * MM_PAGE_SIZE, MM_FAULT_WRITE), ==, 0);
		sim_store64_rel(at.flag, 2);
	}
	x = w + 10 * MM_PAGE_SIZE;
	/* round 0 warms the cross-CPU path (CPU 0 maps, CPU 1 faults, CPU 0
	 * unmaps: the shootdown's lines), round 1 is measured */
	for (uint64_t k = 0; k < 2; k++) {
		uint64_t f0 = 2 + 3 * k;
		bool mine = k == 0 || xc_cross ? cpu == 0 : cpu == 1;
		if (mine) {
			xc_wait(f0);
			g_assert_cmpint(o->mmap(as, x, MM_PAGE_SIZE, rw, AS_MAP_FIXED, &got), ==, 0);
			sim_store64_rel(at.flag, f0 + 1);
		}
		if (cpu == 1) {
			xc_wait(f0 + 1);
			sim_fence_full();
			if (k == 1) {
				sim_cpu_access_counts(at.sim, 1, &xc_acc[0]);
				xc_t[0] = sim_now();
			}
			g_assert_cmpint(aspace_access(o, as, x, MM_FAULT_WRITE), ==, 0);
			if (k == 1) {
				xc_t[1] = sim_now();
				sim_cpu_access_counts(at.sim, 1, &xc_acc[1]);
			}
			sim_store64_rel(at.flag, f0 + 2);
		} else {
			xc_wait(f0 + 2);
			sim_fence_full();
			const struct smp_stats *st = at.smp->stats(at.smp_state);
			uint64_t c0 = st->cycles, i0 = st->ipis, a0 = st->acks;
			if (k == 1)
				xc_t[2] = sim_now();
			if (k == 1 && xc_noshoot)     /* the design's friend */
				((struct aspace_base *)as)->env.mutation_no_shootdown = true;
			g_assert_cmpint(o->munmap(as, x, MM_PAGE_SIZE), ==, 0);
			if (k == 1) {
				xc_t[3] = sim_now();
				xc_shoot = st->cycles - c0;
				xc_ipis = st->ipis - i0;
				xc_acks = st->acks - a0;
			}
			sim_store64_rel(at.flag, f0 + 3);
		}
	}
	if (cpu == 1 && !xc_noshoot) {
		xc_wait(8);
		xc_segv = aspace_access(o, as, x, MM_FAULT_WRITE);
	}
}

struct xc_result {
	sim_time_t fault, munmap;
	uint64_t shoot, ipis, acks;
	uint64_t load_misses, store_misses, rmw_misses;
	double shootdowns, faults, segv;
};

static struct xc_result
xc_run(const char *design, bool cross, bool noshoot)
{
	xc_cross = cross;
	xc_noshoot = noshoot;
	xc_segv = 1;
	xc_shoot = xc_ipis = xc_acks = 0;
	struct at_config c = { .design = design, .scheme = "tree_rcu", .cpus = 2, .seed = 1,
			       .mmap_cache = -1, .script = xc_script };
	GError *err = at_run(&c);
	g_assert_no_error(err);
	if (!noshoot)        /* the mutation leaves CPU 1 a stale translation */
		g_assert_true(at.check_ok);
	struct xc_result r = {
		.fault = xc_t[1] - xc_t[0], .munmap = xc_t[3] - xc_t[2],
		.shoot = xc_shoot, .ipis = xc_ipis, .acks = xc_acks,
		.load_misses = xc_acc[1].load_misses - xc_acc[0].load_misses,
		.store_misses = xc_acc[1].store_misses - xc_acc[0].store_misses,
		.rmw_misses = xc_acc[1].rmw_misses - xc_acc[0].rmw_misses,
		.shootdowns = at_stat("mm.mm_shootdowns"), .faults = at_stat("faults"),
		.segv = at_stat("segv"),
	};
	if (!noshoot)
		g_assert_cmpint(xc_segv, ==, -EFAULT);
	at_free();
	g_test_message("%s cross=%d noshoot=%d: fault %" G_GUINT64_FORMAT " (misses: %"
		       G_GUINT64_FORMAT " load, %" G_GUINT64_FORMAT " store, %" G_GUINT64_FORMAT
		       " rmw), munmap %" G_GUINT64_FORMAT " (shootdown %" G_GUINT64_FORMAT
		       "), shootdowns %g, faults %g", design, cross, noshoot, r.fault,
		       r.load_misses, r.store_misses, r.rmw_misses, r.munmap, r.shoot,
		       r.shootdowns, r.faults);
	return r;
}

/*
 * The fault: CPU 1's write fault on X when CPU 0 made X's mapping,
 * against the same fault when CPU 1 made it (t_lat_default, one cluster:
 * a line another core holds modified comes in a + b + d = 3 x leg_cluster
 * = 15 cycles where an L1 hit costs 4; a locked RMW pays atomic_hit 20 on
 * top of either).  The lines CPU 0's mmap wrote and CPU 1's fault reads:
 *   linux-rwsem:
 *     mmap_sem: down_read's lock xadd                 +15 (35 for 20)
 *     the mm line: find_vma's mmap_cache load (NULL
 *       since round 0's munmap)                      +11 (15 for 4)
 *     the rbtree: the root line (highest_vm_end), W's
 *       node (its right child and subtree gap), X's
 *       new node                                      3 x +11
 *     X's VMA: vm_start (then vm_end, vm_flags hit)   +11
 *                                                    = 70
 *     (the mmap_cache store after the tree lookup now upgrades a shared
 *     line: one more store miss, drained while the page is cleared,
 *     before the next locked instruction: 0 cycles)
 *   bonsai (no mmap_sem, no mmap_cache): the tree's root line and the
 *     two nodes CPU 0's path copy wrote, X's VMA    4 x +11 = 44
 * Everything else is the same in both runs: the data page from CPU 1's
 * pcp list, cold (64 store misses from DRAM; about 21,900 cycles either
 * way), X's PTE line and the PTL, both last written by CPU 0's zap in
 * round 0 (one load and one RMW miss in both).
 *
 * The munmap: CPU 1 holds X's translation; CPU 0's munmap shoots it down
 * with exactly one IPI to CPU 1 (one csd acked), and CPU 1's next write
 * to X faults and gets SIGSEGV.  flush_tlb_others takes 4,003 cycles on
 * CPU 0, on the path round 0 warmed (the default IPI latencies; a line
 * the other core holds modified: 15, an L1 hit 4, a store 1):
 *   CPU 0, before the IPI                                     637
 *     flush_info start/npages stores, cpumask_and, the clear of
 *       self and of cfd_ipi, the for_each_cpu scan (own lines)  21
 *     csd_lock_wait: the csd's flags (a hit: CPU 0 re-read the
 *       line when round 0's ack woke it)                         4
 *     the csd's flags, func, info stores                         3
 *     llist_add: the load of CPU 1's call_single_queue (CPU 1
 *       emptied it: 15), csd->next (1), and the cmpxchg, which
 *       first drains the store buffer (the csd and flush_info
 *       lines CPU 1 read in round 0 come back: upgrades) and then
 *       takes the queue line (15 + atomic_hit 20)               67
 *     __cpumask_set_cpu(cfd_ipi) and its scan                    9
 *     the fence before the ICR write (fence_full)               33
 *     ipi_send (the ICR write)                                 500
 *   the IPI in flight (ipi_latency), CPU 1's wake-up from its
 *     spin (pause 3) and irq_entry                            3,003
 *   CPU 1's handler                                            315
 *     llist_del_all: xchg of the queue (CPU 0's cmpxchg: 15 + 20) 35
 *     the csd's next (written by CPU 0)                         15
 *     llist_reverse_order's store of next (the csd line back to
 *       M) and the next, func and info loads behind it         45
 *     flush_tlb_func: flush_info's start (CPU 0 wrote it: 15),
 *       npages (4), INVLPG of the one page (invlpg 200: 1 page
 *       is under flush_ceiling 33)                             219
 *     csd_unlock's store-release                                 1
 *   CPU 0's csd_lock_wait sees the flags cleared: its re-read of
 *     the csd line after the release drains, and the pause       48
 *                                                           = 4,003
 * Without the shootdown (the no-shootdown mutation on the measured
 * munmap only) the munmap is 3,666 cycles shorter: 4,003 less the 337
 * cycles of the zap's and free's store-buffer drain that the wait for
 * CPU 1 hides (without it they stall the munmap's up_write).
 */
static void
test_exact_two_cpus(gconstpointer design)
{
	bool bonsai = strcmp(design, "bonsai") == 0;
	struct xc_result own = xc_run(design, false, false);
	struct xc_result cross = xc_run(design, true, false);
	struct xc_result none = xc_run(design, true, true);
	/* the fault */
	g_assert_cmpuint(cross.fault - own.fault, ==, bonsai ? 44 : 70);
	g_assert_cmpuint(cross.load_misses - own.load_misses, ==, bonsai ? 4 : 5);
	g_assert_cmpuint(cross.rmw_misses - own.rmw_misses, ==, bonsai ? 0 : 1);
	/* the munmap: one shootdown, one IPI, one ack, then SIGSEGV */
	for (int k = 0; k < 2; k++) {
		const struct xc_result *r = k ? &cross : &own;
		g_assert_cmpuint(r->ipis, ==, 1);
		g_assert_cmpuint(r->acks, ==, 1);
		g_assert_cmpuint(r->shoot, ==, 4003);
		g_assert_cmpfloat(r->shootdowns, ==, 2);      /* rounds 0 and 1 */
		g_assert_cmpfloat(r->faults, ==, 6);          /* 1 + 2 warm, 2 on X, the SIGSEGV */
		g_assert_cmpfloat(r->segv, ==, 1);
	}
	g_assert_cmpuint(none.ipis, ==, 0);
	g_assert_cmpfloat(none.shootdowns, ==, 1);
	g_assert_cmpuint(cross.munmap - none.munmap, ==, 3666);
}

/* ---- a fault on a PTE another CPU installed ---- */

static sim_time_t pp_t[4];
static double pp_pages[4];
static struct sim_access_counts pp_acc[4];

static double
pp_pages_alloc(void)
{
	cJSON *o = cJSON_CreateObject();
	kalloc_stats(at.ka, o);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "pages_alloc");
	g_assert_true(cJSON_IsNumber(v));
	double n = v->valuedouble;
	cJSON_Delete(o);
	return n;
}

/* CPU 1 calls the design's fault() at addr directly, as after a walk that
 * found the PTE empty just before CPU 0's fault set it; i = 0 or 2. */
static void
pp_fault(uint64_t addr, unsigned i)
{
	sim_fence_full();
	pp_pages[i] = pp_pages_alloc();
	sim_cpu_access_counts(at.sim, 1, &pp_acc[i]);
	pp_t[i] = sim_now();
	g_assert_cmpint(at.ops->fault(at.as, addr, MM_FAULT_WRITE), ==, 0);
	pp_t[i + 1] = sim_now();
	sim_cpu_access_counts(at.sim, 1, &pp_acc[i + 1]);
	pp_pages[i + 1] = pp_pages_alloc();
}

static void
pp_script(uint32_t cpu)
{
	const struct aspace_ops *o = at.ops;
	void *as = at.as;
	uint64_t a;
	if (cpu == 0) {
		g_assert_cmpint(o->mmap(as, 0, 4 * MM_PAGE_SIZE, MM_PROT_READ | MM_PROT_WRITE, 0,
					&a), ==, 0);
		g_assert_cmpint(aspace_access(o, as, a, MM_FAULT_WRITE), ==, 0);
		sim_store64_rel(at.flag, 1);
		xc_wait(2);
		g_assert_cmpint(aspace_access(o, as, a + 2 * MM_PAGE_SIZE, MM_FAULT_WRITE), ==, 0);
		sim_store64_rel(at.flag, 3);
		return;
	}
	xc_wait(1);
	a = ((struct aspace_base *)as)->ml->mmap->vm_start;   /* host: the region's address */
	g_assert_cmpint(aspace_access(o, as, a + MM_PAGE_SIZE, MM_FAULT_WRITE), ==, 0);
	pp_fault(a + MM_PAGE_SIZE, 0);        /* its own page: every line warm */
	sim_store64_rel(at.flag, 2);
	xc_wait(3);
	pp_fault(a + 2 * MM_PAGE_SIZE, 2);    /* the page CPU 0 just installed */
	g_assert_cmpint(aspace_access(o, as, a + 2 * MM_PAGE_SIZE, MM_FAULT_WRITE), ==, 0);
}

/*
 * A write fault on a PTE that is present by the time the fault reads it
 * (handle_pte_fault's unlocked entry = *pte): CPU 1's walk found the PTE
 * empty, CPU 0's fault then installed it.  CPU 1 calls fault() directly
 * (the walk's miss is not simulated), first on a page it installed itself
 * ("own": every line warm), then on the page CPU 0 has just installed
 * ("cross").  No page is allocated or freed, nothing races.  Costs
 * (t_lat_default: l1_hit 4, store_hit 1, atomic_hit 20; a line the other
 * core holds modified costs 15 more to load or to RMW, 3 x leg_cluster;
 * fault_cycles the default 1,200):
 *   linux-rwsem, own:
 *     down_read: xadd of count                              20
 *     find_vma: mmap_cache, vm_end, vm_start; the fault's
 *       vm_start and vm_flags                            5 x 4
 *     fault_cycles                                        1200
 *     mm_pte_alloc: pgd, pud, pmd loads                  3 x 4
 *     the PTE without the PTL (present)                      4
 *     PTL spin_lock (cmpxchg)                               20
 *     pte_same: the PTE again                                4
 *     ptep_set_access_flags: the PTE again (unchanged:
 *       no store, no flush)                                  4
 *     spin_unlock                                            1
 *     up_read: xadd                                         20
 *                                                       = 1,305
 *   i.e. 11 loads, 1 store, 3 RMWs.  Cross: CPU 0's fault wrote the
 *   PTE line (+11: 15 for 4), mmap_sem's count (+15) and the PTL's line
 *   (+15): 1,346.
 *   bonsai: the lock-free attempt (Tree RCU's read side touches no
 *   line): find_vma in the one-node tree 5 x 4, vm_bound_seq, bounds,
 *   flags, vm_bound_seq, vm_unlinked 6 x 4, fault_cycles 1,200,
 *   mm_pte_alloc 12, get_page of the PTE page 20, the PTE (present) 4,
 *   put_page 20: 1,300; RETRY_IF_NO_LOCK, then the retry under mmap_sem
 *   (FAULT_FLAG_KEEP_LOCK: no fault_cycles again): down_read 20, the
 *   tree 5 x 4, vm_start and vm_flags 2 x 4, mm_pte_alloc 12, get_page
 *   20, the PTE 4, the PTL 20, pte_same 4, ptep_set_access_flags 4,
 *   unlock 1, put_page 20, up_read 20: 153; 1,453 with every line warm
 *   (28 loads, 1 store, 7 RMWs).  Own: mmap_sem's line is CPU 0's (its
 *   mmap wrote it; CPU 1's faults so far were lock-free): +15 = 1,468.
 *   Cross: mmap_sem warm now, but CPU 0's fault wrote the PTE line
 *   (+11) and the PTE page's struct page line (get_page, +15): 1,479.
 */
static void
test_exact_present_pte(gconstpointer design)
{
	bool bonsai = strcmp(design, "bonsai") == 0;
	struct at_config c = { .design = design, .scheme = "tree_rcu", .cpus = 2, .seed = 1,
			       .mmap_cache = -1, .script = pp_script };
	GError *err = at_run(&c);
	g_assert_no_error(err);
	g_assert_true(at.check_ok);
	sim_time_t own = pp_t[1] - pp_t[0], cross = pp_t[3] - pp_t[2];
	g_test_message("%s: present-PTE write fault, own page %" G_GUINT64_FORMAT
		       ", CPU 0's page %" G_GUINT64_FORMAT " (misses %" G_GUINT64_FORMAT
		       " load, %" G_GUINT64_FORMAT " store, %" G_GUINT64_FORMAT " rmw; loads %"
		       G_GUINT64_FORMAT ", stores %" G_GUINT64_FORMAT ", rmws %" G_GUINT64_FORMAT
		       ")", (const char *)design, own, cross,
		       pp_acc[3].load_misses - pp_acc[2].load_misses,
		       pp_acc[3].store_misses - pp_acc[2].store_misses,
		       pp_acc[3].rmw_misses - pp_acc[2].rmw_misses, pp_acc[3].loads - pp_acc[2].loads,
		       pp_acc[3].stores - pp_acc[2].stores, pp_acc[3].rmws - pp_acc[2].rmws);
	g_test_message("own: loads %" G_GUINT64_FORMAT ", stores %" G_GUINT64_FORMAT ", rmws %"
		       G_GUINT64_FORMAT ", rmw misses %" G_GUINT64_FORMAT,
		       pp_acc[1].loads - pp_acc[0].loads, pp_acc[1].stores - pp_acc[0].stores,
		       pp_acc[1].rmws - pp_acc[0].rmws, pp_acc[1].rmw_misses - pp_acc[0].rmw_misses);
	g_assert_cmpuint(own, ==, bonsai ? 1468 : 1305);
	g_assert_cmpuint(cross, ==, bonsai ? 1479 : 1346);
	for (unsigned i = 0; i < 4; i += 2) {
		g_assert_cmpuint(pp_acc[i + 1].loads - pp_acc[i].loads, ==, bonsai ? 28 : 11);
		g_assert_cmpuint(pp_acc[i + 1].stores - pp_acc[i].stores, ==, 1);
		g_assert_cmpuint(pp_acc[i + 1].rmws - pp_acc[i].rmws, ==, bonsai ? 7 : 3);
		g_assert_cmpuint(pp_acc[i + 1].store_misses - pp_acc[i].store_misses, ==, 0);
	}
	g_assert_cmpuint(pp_acc[1].load_misses - pp_acc[0].load_misses, ==, 0);
	g_assert_cmpuint(pp_acc[1].rmw_misses - pp_acc[0].rmw_misses, ==, bonsai ? 1 : 0);
	g_assert_cmpuint(pp_acc[3].load_misses - pp_acc[2].load_misses, ==, 1);
	g_assert_cmpuint(pp_acc[3].rmw_misses - pp_acc[2].rmw_misses, ==, bonsai ? 1 : 2);
	/* no page allocated, none freed, nothing raced */
	g_assert_cmpfloat(pp_pages[1], ==, pp_pages[0]);
	g_assert_cmpfloat(pp_pages[3], ==, pp_pages[2]);
	/* bonsai: each fault reads the PTE present twice, lock-free and
	 * under mmap_sem */
	g_assert_cmpfloat(at_stat("mm.pte_present_faults"), ==, bonsai ? 4 : 2);
	g_assert_cmpfloat(at_stat("mm.pte_present_retries"), ==, bonsai ? 2 : 0);
	g_assert_cmpfloat(at_stat("mm.fault_races"), ==, 0);
	g_assert_cmpfloat(at_stat("mm.pte_same_misses"), ==, 0);
	g_assert_cmpfloat(at_stat("fault_fallbacks"), ==, bonsai ? 2 : 0);
	at_free();
}

/* ---- config errors ---- */

static void
test_config_errors(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"machine\":\"tom\",\"cpus\":2,\"workload\":{\"name\":\"treebench\"},"
		  "\"reclaim\":{\"scheme\":\"tree_rcu\"},\"tree\":{\"kind\":\"rbtree\"},"
		  "\"aspace\":{\"design\":\"bonsai\"}}",
		  "aspace.design: design \"bonsai\" looks VMAs up without a lock" },
		{ "{\"machine\":\"tom\",\"cpus\":2,\"workload\":{\"name\":\"treebench\"},"
		  "\"reclaim\":{\"scheme\":\"rwlock\"},\"tree\":{\"kind\":\"bonsai\"},"
		  "\"aspace\":{\"design\":\"bonsai\"}}",
		  "reclaim.scheme: design \"bonsai\" needs an RCU-like reclaim scheme" },
		{ "{\"machine\":\"tom\",\"cpus\":2,\"workload\":{\"name\":\"treebench\"},"
		  "\"aspace\":{\"design\":\"radixvm\"}}",
		  "aspace.design: unknown address-space design \"radixvm\"" },
		{ "{\"machine\":\"tom\",\"cpus\":2,\"workload\":{\"name\":\"treebench\"},"
		  "\"aspace\":{\"design\":\"linux-rwsem\",\"tlb_entries\":\"many\"}}",
		  "aspace.tlb_entries" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError *err = NULL;
		cJSON *res = t_run_json(cases[i].json, NULL, &err);
		g_assert_null(res);
		g_assert_nonnull(err);
		if (strstr(err->message, cases[i].want) == NULL)
			g_error("case %u: \"%s\" lacks \"%s\"", i, err->message, cases[i].want);
		g_error_free(err);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/aspace/semantics/linux-rwsem", "linux-rwsem", test_semantics);
	g_test_add_data_func("/aspace/semantics/bonsai", "bonsai", test_semantics);
	g_test_add_func("/aspace/config/errors", test_config_errors);
	g_test_add_func("/aspace/exact/fault", test_exact_fault);
	g_test_add_func("/aspace/exact/mmap", test_exact_mmap);
	g_test_add_func("/aspace/bonsai/mmap-sem", test_bonsai_mmap_sem);
	g_test_add_func("/aspace/bonsai/free-vma-list", test_bonsai_free_vma_list);
	g_test_add_data_func("/aspace/exact/two-cpus/linux-rwsem", "linux-rwsem",
			     test_exact_two_cpus);
	g_test_add_data_func("/aspace/exact/two-cpus/bonsai", "bonsai", test_exact_two_cpus);
	g_test_add_data_func("/aspace/exact/present-pte/linux-rwsem", "linux-rwsem",
			     test_exact_present_pte);
	g_test_add_data_func("/aspace/exact/present-pte/bonsai", "bonsai", test_exact_present_pte);
	g_test_add_func("/aspace/safety/linux-rwsem", test_safety_linux);
	g_test_add_func("/aspace/safety/bonsai", test_safety_bonsai);
	g_test_add_func("/aspace/determinism", test_determinism);
	g_test_add_func("/aspace/mutation/no-shootdown", test_mutation_no_shootdown);
	g_test_add_func("/aspace/mutation/no-recheck", test_mutation_no_recheck);
	return g_test_run();
}
