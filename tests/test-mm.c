// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The mm substrate (models/mm/mm.h): exact cycles of a write fault and
 * the access after it, page tables consistent (mm_check, kalloc_check)
 * after random faults, accesses and unmaps on several CPUs under both smp
 * implementations and with page-table pages freed at once or through
 * Tree RCU, shootdowns that really remove the targets' TLB entries, the
 * stale-translation check catching a gather that skips its shootdown,
 * lazy-TLB mode (a sleeping CPU takes one shootdown IPI, leaves
 * mm_cpumask, comes back with an empty TLB for the cost of its mask RMW,
 * a CR3 load and the mm_count drop; the check catches the CR3 writes
 * keeping entries), and
 * determinism.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "kalloc.h"
#include "klock.h"
#include "mm.h"
#include "reclaim.h"
#include "sched_notifier.h"
#include "smp.h"

static const struct sim_param no_params[] = { SIM_P_END };

/* What the current test's workload does (tests run one at a time). */
enum mt_mode { MT_EXACT, MT_RANDOM, MT_SHOOTDOWN, MT_PGTABLES, MT_BIGZAP, MT_REFUSE, MT_LAZY,
	       MT_RACE };

struct mt {
	enum mt_mode mode;
	const char *smp_name;    /* "linux" or "sv6" */
	bool rcu;                /* page-table pages through tree_rcu */
	bool skip_shootdown;     /* the mutation */
	bool lazy;               /* mm params lazy_tlb */
	bool lazy_keep_tlb;      /* the lazy-TLB mutation (test_lazy_keep_tlb) */
	bool idle_flush;         /* the machine has idle states, the deeper one TLB-flushing */
	uint32_t unmap_pages;    /* MT_SHOOTDOWN: pages unmapped from A_SHOOT (default 1) */
	uint32_t ops;            /* MT_RANDOM: operations per CPU */
	/* run state */
	struct kalloc *ka;
	struct klock *kl;
	const struct smp_ops *smp;
	void *smp_st;
	struct smp_params sp;
	const struct rcl_ops *rcl;
	void *rcl_params;
	void *rs;
	struct mm *mm;
	struct rw_semaphore *mmap_sem;  /* simulated */
	uint64_t *flag;                 /* simulated: MT_SHOOTDOWN's handshake */
	/* results */
	sim_time_t t[8];
	struct sim_access_counts c[2];
	struct sim *sim;
	bool had_before, has_after, far_after;
	uint32_t targets;
	uint64_t cleared;
	bool check_ok, kalloc_ok;
	uint64_t free_before, free_after;
	int rc[4];
	uint32_t valid_calls, valid_budget;
	/* MT_LAZY results */
	uint64_t ipis1[3];              /* IPIs CPU 1 took: before, after unmap 1, after 2 */
	uint32_t targets2;              /* targets of the second unmap */
	bool mask1_after1, far1_after1, far2_after1, flag_on_wake;
	bool mask1_on_wake, shoot1_on_wake, far1_on_wake, far1_after_access;
	struct sim_access_counts sw[2]; /* CPU 1 around the mm's switch_mm (first wake-up) */
	sim_time_t sw_t[2];
	uint32_t wakes;
	char why[512];
};

static struct mt T;

/* MT_RACE: kalloc's path_cycles, so that a page free takes long enough
 * to show which side of the PTL release it runs on. */
#define MT_RACE_KA_PATH 1000u

static void
mt_reset(enum mt_mode mode, const char *smp)
{
	memset(&T, 0, sizeof T);
	T.mode = mode;
	T.smp_name = smp;
}

/* CPU 1's first wake-up: its accesses and time right before and right
 * after the mm's switch_mm notifier. */
static void
mt_wake_pre(void *arg, uint32_t cpu)
{
	struct mt *t = arg;
	if (cpu != 1 || t->wakes > 0)
		return;
	sim_cpu_access_counts(t->sim, 1, &t->sw[0]);
	t->sw_t[0] = sim_now();
}

static void
mt_wake_post(void *arg, uint32_t cpu)
{
	struct mt *t = arg;
	if (cpu != 1 || t->wakes++ > 0)
		return;
	sim_cpu_access_counts(t->sim, 1, &t->sw[1]);
	t->sw_t[1] = sim_now();
}

static const struct sched_notifier mt_pre = { .sched_in = mt_wake_pre };
static const struct sched_notifier mt_post = { .sched_in = mt_wake_post };

static void *
mt_setup(struct sim *s, const void *params)
{
	(void)params;
	T.sim = s;
	struct kalloc_params kp = {
		.pages_per_node = T.mode == MT_BIGZAP ? 16384 : 4096, .pcp_batch = 31, .pcp_high = 186, .slab_max_order = 3,
		.cpu_partial = true, .path_cycles = T.mode == MT_RACE ? MT_RACE_KA_PATH : 0,
	};
	T.ka = kalloc_create(s, &kp);
	T.kl = klock_create(s);
	T.smp = smp_find(T.smp_name);
	T.sp = (struct smp_params){ .invlpg = 200, .flush_all = 500, .flush_ceiling = 33 };
	T.smp_st = T.smp->create(s, &T.sp);
	/* Notifiers around the mm's own: sched_in runs them in reverse
	 * registration order, so post (registered before the mm's), the
	 * mm's, pre (after) run pre, mm, post. */
	sched_notifier_register(s, &mt_post, &T);
	if (T.rcu) {
		T.rcl = rcl_find("tree_rcu");
		T.rcl_params = g_malloc0(T.rcl->comp.params_size ? T.rcl->comp.params_size : 1);
		sim_params_defaults(T.rcl->comp.params, T.rcl_params);
		T.rs = T.rcl->create(s, T.rcl_params);
	}
	struct mm_env env = {
		.sim = s, .ka = T.ka, .kl = T.kl, .rcl = T.rcl, .rs = T.rs, .smp = T.smp,
		.smp_state = T.smp_st, .smp_params = &T.sp, .design = "mm-test",
		.test_skip_shootdown = T.skip_shootdown,
		.test_lazy_keep_tlb = T.lazy_keep_tlb,
	};
	struct mm_params p = {
		.tlb_entries = 1536, .walk_cycles = 20, .fault_cycles = 1200, .rss_batch = 64,
		.lru_batch = 15, .rcu_table_free = T.rcu, .lazy_tlb = T.lazy,
	};
	T.mm = mm_create(&env, &p, 0);
	sched_notifier_register(s, &mt_pre, &T);
	T.free_before = kalloc_free_pages(T.ka);
	T.mmap_sem = sim_alloc(sizeof(struct rw_semaphore), 64);
	T.flag = sim_alloc(64, 64);
	return &T;
}

/* The test's design: anonymous memory, read-write, faults under mmap_sem
 * for read, unmaps under it for write (as Linux's). */
static int
mt_fault(void *arg, uint64_t addr, unsigned flags)
{
	struct mt *t = arg;
	const struct mm_fault_ctx ctx = { .prot = MM_PROT_READ | MM_PROT_WRITE };
	down_read(t->kl, t->mmap_sem);
	int r = mm_do_anonymous_page(t->mm, addr, flags, &ctx);
	up_read(t->kl, t->mmap_sem);
	return r;
}

/* The regions of MT_RANDOM, sorted: one inside the first pmd page, one
 * across the 1 GiB pud boundary (shares pmd pages with nothing else but
 * its pte pages with no one), one alone in pgd entry 1 (its unmap frees
 * its pte, pmd and pud pages). */
static const struct { uint64_t start, end; } regions[] = {
	{ UINT64_C(10) << 20, UINT64_C(12) << 20 },
	{ (UINT64_C(1) << 30) - (UINT64_C(512) << 10), (UINT64_C(1) << 30) + (UINT64_C(512) << 10) },
	{ UINT64_C(1) << 39, (UINT64_C(1) << 39) + (UINT64_C(2) << 20) },
};
#define NREGIONS (sizeof(regions) / sizeof(regions[0]))

/* munmap of region r: zap, free_pgtables between the neighbours, finish. */
static uint32_t
mt_unmap(struct mt *t, uint64_t start, uint64_t end, uint64_t floor, uint64_t ceiling,
	 uint64_t *cleared)
{
	down_write(t->kl, t->mmap_sem);
	struct mm_gather *g = mm_gather_begin(t->mm);
	uint64_t n = mm_zap_range(t->mm, g, start, end);
	mm_free_pgtables(t->mm, g, start, end, floor, ceiling);
	uint32_t targets = mm_gather_finish(g, NULL);
	up_write(t->kl, t->mmap_sem);
	if (cleared)
		*cleared = n;
	return targets;
}

static void
mt_random(struct mt *t)
{
	for (uint32_t i = 0; i < t->ops; i++) {
		uint32_t r = (uint32_t)sim_random_below(NREGIONS);
		uint64_t pages = (regions[r].end - regions[r].start) >> MM_PAGE_SHIFT;
		uint64_t roll = sim_random_below(100);
		if (roll < 3) {
			uint64_t floor = r ? regions[r - 1].end : 0;
			uint64_t ceiling = r + 1 < NREGIONS ? regions[r + 1].start : 0;
			(void)mt_unmap(t, regions[r].start, regions[r].end, floor, ceiling, NULL);
		} else {
			uint64_t a = regions[r].start + (sim_random_below(pages) << MM_PAGE_SHIFT);
			int rc = mm_access(t->mm, a, roll < 50 ? MM_FAULT_WRITE : 0, mt_fault, t);
			g_assert_cmpint(rc, ==, 0);
		}
		if (t->rcl && t->rcl->quiescent_state)
			t->rcl->quiescent_state(t->rs);
	}
}

#define A_SHOOT (UINT64_C(64) << 20)
#define A_FAR   (UINT64_C(128) << 20)

/* CPU 1 maps and uses A, CPU 0 unmaps it, CPU 1 uses it again. */
static void
mt_shootdown(struct mt *t)
{
	uint32_t n = t->unmap_pages ? t->unmap_pages : 1;
	if (sim_cpu_id() == 1) {
		/* The flush range covers the present PTEs only: map them all. */
		for (uint32_t i = n; i-- > 0;)
			g_assert_cmpint(mm_access(t->mm, A_SHOOT + i * MM_PAGE_SIZE, MM_FAULT_WRITE,
						  mt_fault, t), ==, 0);
		g_assert_cmpint(mm_access(t->mm, A_FAR, 0, mt_fault, t), ==, 0);
		sim_store64(t->flag, 1);
		(void)sim_spin_while_eq64(t->flag, 1);
		g_assert_cmpint(mm_access(t->mm, A_SHOOT, 0, mt_fault, t), ==, 0);
	} else if (sim_cpu_id() == 0) {
		while (sim_load64(t->flag) != 1)
			(void)sim_spin_while_eq64(t->flag, 0);
		t->had_before = mm_tlb_has(t->mm, 1, A_SHOOT) && mm_tlb_has(t->mm, 1, A_FAR);
		t->targets = mt_unmap(t, A_SHOOT, A_SHOOT + n * MM_PAGE_SIZE, 0, A_FAR,
				      &t->cleared);
		t->has_after = mm_tlb_has(t->mm, 1, A_SHOOT);
		t->far_after = mm_tlb_has(t->mm, 1, A_FAR);
		sim_store64(t->flag, 2);
	}
}

#define A_EXACT (UINT64_C(4) << 20)

/*
 * CPU 0: a write to A_EXACT and an unmap of it (zap + gather, no table
 * freed) warm every line the fault path touches and put the page back
 * on the pcp list's head; then the measured write fault on A_EXACT (it
 * gets the same page back, its lines still owned) and one read of it.
 * CPU 1 idles (it serves the unmap's shootdown IPI).
 */
static void
mt_exact(struct mt *t)
{
	if (sim_cpu_id() != 0)
		return;
	g_assert_cmpint(mm_access(t->mm, A_EXACT, MM_FAULT_WRITE, mt_fault, t), ==, 0);
	struct mm_gather *g = mm_gather_begin(t->mm);
	g_assert_cmpuint(mm_zap_range(t->mm, g, A_EXACT, A_EXACT + MM_PAGE_SIZE), ==, 1);
	(void)mm_gather_finish(g, NULL);
	sim_fence_full();
	sim_cpu_access_counts(T.sim, 0, &t->c[0]);
	t->t[0] = sim_now();
	g_assert_cmpint(mm_access(t->mm, A_EXACT, MM_FAULT_WRITE, mt_fault, t), ==, 0);
	sim_fence_full();
	t->t[1] = sim_now();
	sim_cpu_access_counts(T.sim, 0, &t->c[1]);
	g_assert_cmpint(mm_access(t->mm, A_EXACT, 0, mt_fault, t), ==, 0);
	t->t[2] = sim_now();
}

/*
 * Three write faults on one empty PTE at once (vmglobal's pattern: every
 * thread draws the same page).  First each CPU faults a page of its own
 * next to it (the page tables exist after that, and each CPU's pcp list
 * is filled), and they meet at a barrier; then all three write A_EXACT.
 * Each allocates and clears a page and queues on the PTL; the first
 * installs its page, the other two find the PTE present and free theirs
 * (do_anonymous_page's release) before they unlock.  t[cpu] is when the
 * CPU's access returned, t[3 + cpu] when it started.
 */
static void
mt_race(struct mt *t)
{
	uint32_t me = sim_cpu_id();
	g_assert_cmpint(mm_access(t->mm, A_EXACT + (me + 1) * MM_PAGE_SIZE, MM_FAULT_WRITE,
				  mt_fault, t), ==, 0);
	uint64_t n = sim_faa64(&t->flag[2], 1) + 1;
	while (n < 3)
		n = sim_spin_while_eq64(&t->flag[2], n);
	t->t[3 + me] = sim_now();
	g_assert_cmpint(mm_access(t->mm, A_EXACT, MM_FAULT_WRITE, mt_fault, t), ==, 0);
	t->t[me] = sim_now();
}

/*
 * free_pgd_range's rules: three regions, one page each, then two unmaps
 * with the neighbours as floor and ceiling.
 */
#define A_LOW  (UINT64_C(10) << 20)
#define A_MID  ((UINT64_C(1) << 30) - MM_PAGE_SIZE)
#define A_HIGH (UINT64_C(1) << 39)

static void
mt_pgtables(struct mt *t)
{
	if (sim_cpu_id() != 0)
		return;
	const uint64_t a[] = { A_LOW, A_MID, A_HIGH };
	for (unsigned i = 0; i < 3; i++)
		g_assert_cmpint(mm_access(t->mm, a[i], MM_FAULT_WRITE, mt_fault, t), ==, 0);
	/* pgd 0: a pud, a pmd for [0, 1 GiB), PTE pages for [10, 12) MiB
	 * and [1 GiB - 2 MiB, 1 GiB); pgd 1: a pud, a pmd, a PTE page. */
	t->t[0] = mm_pgtable_pages(t->mm);
	/* [10, 12) MiB between nothing and A_MID: its PTE page goes; the
	 * pmd page stays (A_MID's PTE page is under it: the ceiling rounded
	 * down to 1 GiB is 0, "no room"). */
	uint64_t cleared;
	(void)mt_unmap(t, A_LOW, A_LOW + (UINT64_C(2) << 20), 0, A_MID, &cleared);
	g_assert_cmpuint(cleared, ==, 1);
	t->t[1] = mm_pgtable_pages(t->mm);
	/* A_HIGH above A_MID's end with nothing above: its PTE, pmd and pud
	 * pages go and pgd entry 1 is cleared. */
	(void)mt_unmap(t, A_HIGH, A_HIGH + MM_PAGE_SIZE, A_MID + MM_PAGE_SIZE, 0, &cleared);
	g_assert_cmpuint(cleared, ==, 1);
	t->t[2] = mm_pgtable_pages(t->mm);
	/* A_MID, now alone (floor 0, no ceiling): its PTE page, the pmd
	 * and pgd 0's pud page all go. */
	(void)mt_unmap(t, A_MID, A_MID + MM_PAGE_SIZE, 0, 0, &cleared);
	g_assert_cmpuint(cleared, ==, 1);
	t->t[3] = mm_pgtable_pages(t->mm);
}

/*
 * One unmap of more pages than a gather holds (MAX_GATHER_BATCH 510 x
 * MAX_GATHER_BATCH_COUNT 19 + the 8-page bundle = 9,698): the zap
 * flushes and frees the first 9,698 pages in the middle (tlb_flush_mmu
 * from force_flush), the finish the other 2.  CPU 1 touched the last
 * page (so holds a TLB entry there) and waits.
 */
#define BIGZAP_PAGES 9700u
#define A_BIG (UINT64_C(1) << 32)

static void
mt_bigzap(struct mt *t)
{
	if (sim_cpu_id() == 1) {
		while (sim_load64(t->flag) != 1)
			(void)sim_spin_while_eq64(t->flag, 0);
		g_assert_cmpint(mm_access(t->mm, A_BIG + (BIGZAP_PAGES - 1) * MM_PAGE_SIZE, 0,
					  mt_fault, t), ==, 0);
		sim_store64(t->flag, 2);
		return;
	}
	if (sim_cpu_id() != 0)
		return;
	for (uint32_t i = 0; i < BIGZAP_PAGES; i++)
		g_assert_cmpint(mm_access(t->mm, A_BIG + i * MM_PAGE_SIZE, MM_FAULT_WRITE,
					  mt_fault, t), ==, 0);
	sim_store64(t->flag, 1);
	while (sim_load64(t->flag) != 2)
		(void)sim_spin_while_eq64(t->flag, 1);
	t->targets = mt_unmap(t, A_BIG, A_BIG + BIGZAP_PAGES * MM_PAGE_SIZE, 0, 0, &t->cleared);
	t->has_after = mm_tlb_has(t->mm, 1, A_BIG + (BIGZAP_PAGES - 1) * MM_PAGE_SIZE);
}

/* still_valid that says yes valid_budget times, then no. */
static bool
mt_valid(void *arg)
{
	struct mt *t = arg;
	return t->valid_calls++ < t->valid_budget;
}

/*
 * The design's re-checks refuse: at the first directory install (no
 * table installed, -EAGAIN), then after the three directory installs at
 * the PTE (the page is freed, -EAGAIN), then a read fault that the
 * check lets through, and a write to a read-only region (-EFAULT).
 */
static void
mt_refuse(struct mt *t)
{
	if (sim_cpu_id() != 0)
		return;
	const struct mm_fault_ctx ctx = { .prot = MM_PROT_READ | MM_PROT_WRITE,
					  .still_valid = mt_valid, .arg = t };
	t->valid_budget = 0;
	t->rc[0] = mm_do_anonymous_page(t->mm, A_EXACT, MM_FAULT_WRITE, &ctx);
	t->t[0] = mm_pgtable_pages(t->mm);
	t->valid_calls = 0;
	t->valid_budget = 3;
	t->rc[1] = mm_do_anonymous_page(t->mm, A_EXACT, MM_FAULT_WRITE, &ctx);
	t->t[1] = mm_pgtable_pages(t->mm);
	t->valid_calls = 0;
	t->valid_budget = 1;
	t->rc[2] = mm_do_anonymous_page(t->mm, A_EXACT, 0, &ctx);
	const struct mm_fault_ctx ro = { .prot = MM_PROT_READ };
	t->rc[3] = mm_do_anonymous_page(t->mm, A_EXACT + MM_PAGE_SIZE, MM_FAULT_WRITE, &ro);
}

/*
 * Lazy TLB: CPU 1 touches A_SHOOT and A_FAR, CPU 2 A_FAR; CPU 1's task
 * sleeps (LAZY_SLEEP cycles, schedule_timeout_uninterruptible: the CPU
 * idles with the mm loaded).  CPU 0 unmaps A_SHOOT (shootdown 1), then
 * maps and unmaps A_SHOOT2 (shootdown 2), then sets the flag to 2.  CPU 1
 * wakes, and reads A_FAR.
 */
#define A_SHOOT2 (A_SHOOT + (UINT64_C(4) << 20))
#define LAZY_SLEEP 400000u

static void
mt_lazy(struct mt *t)
{
	if (sim_cpu_id() == 1) {
		g_assert_cmpint(mm_access(t->mm, A_SHOOT, MM_FAULT_WRITE, mt_fault, t), ==, 0);
		g_assert_cmpint(mm_access(t->mm, A_FAR, 0, mt_fault, t), ==, 0);
		(void)sim_faa64(t->flag, 1);
		schedule_timeout_uninterruptible(t->kl, LAZY_SLEEP);
		t->flag_on_wake = sim_load64(t->flag) == 3;
		t->mask1_on_wake = cpumask_test_cpu_host(1, mm_cpumask_of(t->mm));
		t->shoot1_on_wake = mm_tlb_has(t->mm, 1, A_SHOOT);
		t->far1_on_wake = mm_tlb_has(t->mm, 1, A_FAR);
		/* A_SHOOT under the mutation: the kept entry is stale. */
		g_assert_cmpint(mm_access(t->mm, t->lazy_keep_tlb ? A_SHOOT : A_FAR, 0, mt_fault, t),
				==, 0);
		t->far1_after_access = mm_tlb_has(t->mm, 1, A_FAR);
	} else if (sim_cpu_id() == 2) {
		g_assert_cmpint(mm_access(t->mm, A_FAR, 0, mt_fault, t), ==, 0);
		(void)sim_faa64(t->flag, 1);
	} else if (sim_cpu_id() == 0) {
		while (sim_load64(t->flag) != 2)
			(void)sim_spin_while_eq64(t->flag, sim_load64(t->flag));
		/* CPU 1's task is switching away (context_switch 2,000 cycles). */
		sim_work(10000);
		t->ipis1[0] = sim_cpu_ipis(t->sim, 1);
		t->targets = mt_unmap(t, A_SHOOT, A_SHOOT + MM_PAGE_SIZE, 0, A_FAR, &t->cleared);
		t->ipis1[1] = sim_cpu_ipis(t->sim, 1);
		t->mask1_after1 = cpumask_test_cpu_host(1, mm_cpumask_of(t->mm));
		t->far1_after1 = mm_tlb_has(t->mm, 1, A_FAR);
		t->far2_after1 = mm_tlb_has(t->mm, 2, A_FAR);
		g_assert_cmpint(mm_access(t->mm, A_SHOOT2, MM_FAULT_WRITE, mt_fault, t), ==, 0);
		t->targets2 = mt_unmap(t, A_SHOOT2, A_SHOOT2 + MM_PAGE_SIZE, 0, A_FAR, NULL);
		t->ipis1[2] = sim_cpu_ipis(t->sim, 1);
		sim_store64(t->flag, 3);
	}
}

static void
mt_cpu(void *arg)
{
	struct mt *t = arg;
	switch (t->mode) {
	case MT_EXACT:
		mt_exact(t);
		break;
	case MT_RANDOM:
		mt_random(t);
		break;
	case MT_SHOOTDOWN:
		mt_shootdown(t);
		break;
	case MT_PGTABLES:
		mt_pgtables(t);
		break;
	case MT_BIGZAP:
		mt_bigzap(t);
		break;
	case MT_REFUSE:
		mt_refuse(t);
		break;
	case MT_LAZY:
		mt_lazy(t);
		break;
	case MT_RACE:
		mt_race(t);
		break;
	}
	/* Stay until every CPU is done, serving shootdown IPIs meanwhile
	 * (an IPI to a CPU that has finished its run is dropped, and its
	 * initiator would wait for the ack forever). */
	uint64_t done = sim_faa64(&t->flag[1], 1) + 1;
	while (done < sim_ncpus())
		done = sim_spin_while_eq64(&t->flag[1], done);
	if (t->rcl && t->rcl->cpu_exit)
		t->rcl->cpu_exit(t->rs);
}

static void
count_pte(void *arg, uint64_t addr, uint64_t pte)
{
	uint64_t *c = arg;
	g_assert_true(pte & _PAGE_PRESENT);
	g_assert_cmpuint(addr, >=, c[1]);         /* ascending */
	c[1] = addr + 1;
	c[0]++;
}

static void
mt_report(void *arg, struct sim *s, cJSON *m)
{
	(void)s;
	struct mt *t = arg;
	GString *why = g_string_new(NULL);
	t->check_ok = mm_check(t->mm, why);
	t->free_after = kalloc_free_pages(t->ka);
	t->kalloc_ok = kalloc_check(t->ka, why);
	g_strlcpy(t->why, why->str, sizeof t->why);
	g_string_free(why, TRUE);
	mm_stats(t->mm, m);
	cJSON_AddNumberToObject(m, "mapped", (double)mm_mapped_pages(t->mm));
	uint64_t c[2] = { 0, 0 };
	mm_for_each_pte(t->mm, 0, MM_TASK_SIZE, count_pte, c);
	g_assert_cmpuint(c[0], ==, mm_mapped_pages(t->mm));
	/* The region across 1 GiB alone. */
	uint64_t r[2] = { 0, regions[1].start };
	mm_for_each_pte(t->mm, regions[1].start, regions[1].end, count_pte, r);
	g_assert_cmpuint(r[1], <=, regions[1].end);
}

static void
mt_teardown(void *arg)
{
	struct mt *t = arg;
	mm_destroy(t->mm);
	if (t->rcl)
		t->rcl->destroy(t->rs);
	g_free(t->rcl_params);
	t->smp->destroy(t->smp_st);
	klock_destroy(t->kl);
	kalloc_destroy(t->ka);
}

static const struct sim_workload_ops mt_ops = {
	.name = "mmtest", .summary = "", .params = no_params, .params_size = 1,
	.setup = mt_setup, .cpu_main = mt_cpu, .report = mt_report, .teardown = mt_teardown,
};

/* Run the current T on cpus CPUs of one socket; return the results
 * document, or NULL with *err when the run failed. */
static cJSON *
mt_run(uint32_t cpus, uint64_t seed, GError **err)
{
	struct sim_machine *m = t_machine(1, cpus, NULL);
	if (T.idle_flush) {
		/* 1 GHz, one state, which flushes the TLB (exit 10 us):
		 * menu's default for any sleep over 5 us (its first
		 * prediction of a fresh CPU is 0: no deeper state would do). */
		m->nidle_states = 1;
		m->idle_states = g_new0(struct sim_idle_state, 1);
		m->idle_states[0] = (struct sim_idle_state){ g_strdup("Cflush"), 10, 20, true };
	}
	struct sim_run_config *rc = t_config(m, cpus, seed, &mt_ops, NULL, 0);
	if (T.mode == MT_BIGZAP)
		rc->engine.arena_mib = 256;
	struct sim *s = sim_create(rc, err);
	if (s == NULL)
		g_error("sim_create: %s", (*err)->message);
	cJSON *res = NULL;
	if (sim_run(s, err))
		res = sim_results(s);
	sim_destroy(s);
	sim_run_config_free(rc);
	return res;
}

/* ---- tests ---- */

static void
test_exact(void)
{
	mt_reset(MT_EXACT, "linux");
	GError *err = NULL;
	cJSON *res = mt_run(2, 1, &err);
	g_assert_no_error(err);
	g_assert_true(T.check_ok);
	g_test_message("fault %" G_GUINT64_FORMAT " access %" G_GUINT64_FORMAT
		       " loads %" G_GUINT64_FORMAT " stores %" G_GUINT64_FORMAT " rmws %"
		       G_GUINT64_FORMAT " misses %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%"
		       G_GUINT64_FORMAT, T.t[1] - T.t[0], T.t[2] - T.t[1],
		       T.c[1].loads - T.c[0].loads, T.c[1].stores - T.c[0].stores,
		       T.c[1].rmws - T.c[0].rmws, T.c[1].load_misses - T.c[0].load_misses,
		       T.c[1].store_misses - T.c[0].store_misses,
		       T.c[1].rmw_misses - T.c[0].rmw_misses);
	/*
	 * The measured write fault, by hand (t_lat_default: l1_hit 4,
	 * store_hit 1, atomic_hit 20, fence_full 33; every line owned by
	 * CPU 0, the store buffer empty throughout, so each store is a hit
	 * visible at once and each RMW pays atomic_hit only):
	 *   walk: walk_cycles 20 + pgd, pud, pmd, pte loads 4 x 4     36
	 *   down_read: xadd 20, owner load 4 + store 1                25
	 *   do_anonymous_page: fault_cycles                         1200
	 *   mm_pte_alloc: pgd, pud, pmd loads 3 x 4                   12
	 *   handle_pte_fault: the PTE load without the PTL (empty)     4
	 *   alloc_pages (pcp head): list first, entry next/prev, count
	 *     loads 4 x 4; prev/next links, count stores 3 x 1        19
	 *   clear_page: 64 line stores x 1                            64
	 *   PTL spin_lock (queued fast path: cmpxchg)                 20
	 *   PTE load 4, PTE store 1, spin_unlock store 1               6
	 *   (rss and pagevec: the task's own counts, host)             0
	 *   up_read: xadd                                             20
	 *   retry walk: 20 + 4 x 4 (fills the TLB)                    36
	 *   the user store to the data line                            1
	 *   sim_fence_full before reading the clock                   33
	 *   total                                                   1476
	 * i.e. 18 loads, 71 stores, 3 RMWs, no miss.
	 */
	g_assert_cmpuint(T.c[1].loads - T.c[0].loads, ==, 18);
	g_assert_cmpuint(T.c[1].stores - T.c[0].stores, ==, 71);
	g_assert_cmpuint(T.c[1].rmws - T.c[0].rmws, ==, 3);
	g_assert_cmpuint(T.c[1].load_misses - T.c[0].load_misses, ==, 0);
	g_assert_cmpuint(T.c[1].store_misses - T.c[0].store_misses, ==, 0);
	g_assert_cmpuint(T.c[1].rmw_misses - T.c[0].rmw_misses, ==, 0);
	g_assert_cmpuint(T.t[1] - T.t[0], ==, 1476);
	/* The read after it: a TLB hit (the retry filled the entry), no
	 * walk, one load of the line the fault's store wrote: l1_hit 4. */
	g_assert_cmpuint(T.t[2] - T.t[1], ==, t_lat_default.l1_hit);
	/* The unmap's gather drained the first fault's page from the
	 * pagevec onto the LRU (lru_add_drain before tlb_gather_mmu); the
	 * measured fault's page waits in the pagevec. */
	g_assert_cmpfloat(t_metric(res, "lru_add_batches"), ==, 1);
	cJSON_Delete(res);
}

static void
test_race(void)
{
	mt_reset(MT_RACE, "linux");
	GError *err = NULL;
	cJSON *res = mt_run(3, 1, &err);
	g_assert_no_error(err);
	if (!T.check_ok || !T.kalloc_ok)
		g_error("%s", T.why);
	g_test_message("start %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
		       " end %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
		       " ptl_lock_cycles %g hold %g handoffs %g handoff_cycles %g", T.t[3], T.t[4],
		       T.t[5], T.t[0], T.t[1], T.t[2], t_metric(res, "ptl_lock_cycles"),
		       t_metric(res, "ptl_hold_cycles"), t_metric(res, "ptl_handoffs"),
		       t_metric(res, "ptl_handoff_cycles"));
	/* A_EXACT and each CPU's own page mapped; the two losers allocated,
	 * cleared and freed theirs; CPU 2 waited for the PTL. */
	g_assert_cmpfloat(t_metric(res, "anon_faults"), ==, 6);
	g_assert_cmpfloat(t_metric(res, "fault_races"), ==, 2);
	g_assert_cmpfloat(t_metric(res, "mapped"), ==, 4);
	g_assert_cmpfloat(t_metric(res, "ptl_contended"), ==, 1);
	/* CPU 0 wins, CPU 1 then CPU 2 lose.  Each loser's free (kalloc
	 * path_cycles MT_RACE_KA_PATH and the pcp list) runs inside its PTL
	 * hold, so CPU 2 gets the PTL only after CPU 1's free: it returns
	 * 1,047 cycles after CPU 1.  With the free after the unlock (the
	 * model before) it returned 46 cycles after CPU 1 (108,689 against
	 * 108,643), and the PTL waits summed 10,473 cycles, not 11,488. */
	/* All three read the PTE without the PTL right after their walks,
	 * some 22,900 cycles before the winner's PTE store (it first clears
	 * its page): all find it empty, none takes the present path. */
	g_assert_cmpfloat(t_metric(res, "pte_present_faults"), ==, 0);
	g_assert_cmpuint(T.t[3], ==, 84688);
	g_assert_cmpuint(T.t[4], ==, 84688);
	g_assert_cmpuint(T.t[5], ==, 84693);
	g_assert_cmpuint(T.t[0], ==, 107585);
	g_assert_cmpuint(T.t[1], ==, 108665);
	g_assert_cmpuint(T.t[2], ==, 109712);
	g_assert_cmpuint(T.t[2] - T.t[1], >, MT_RACE_KA_PATH);
	g_assert_cmpfloat(t_metric(res, "ptl_lock_cycles"), ==, 11488);
	/* The PTL readouts: three holds summing 2,090 cycles, over 2 x
	 * MT_RACE_KA_PATH because each loser's free runs inside its hold;
	 * one handoff (CPU 2 was waiting when CPU 1 released), 34 cycles
	 * from CPU 1's unlock call to CPU 2's return from spin_lock. */
	g_assert_cmpfloat(t_metric(res, "ptl_hold_cycles"), ==, 2090);
	g_assert_cmpfloat(t_metric(res, "ptl_hold_cycles"), >, 2 * MT_RACE_KA_PATH);
	g_assert_cmpfloat(t_metric(res, "ptl_handoffs"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "ptl_handoff_cycles"), ==, 34);
	cJSON_Delete(res);
}

static void
run_random(const char *smp, bool rcu, uint32_t cpus, uint64_t seed, char **out)
{
	mt_reset(MT_RANDOM, smp);
	T.rcu = rcu;
	T.ops = 400;
	GError *err = NULL;
	cJSON *res = mt_run(cpus, seed, &err);
	g_assert_no_error(err);
	if (!T.check_ok || !T.kalloc_ok)
		g_error("%s", T.why);
	/* Every kind of event happened. */
	g_assert_cmpfloat(t_metric(res, "anon_faults"), >, 100);
	g_assert_cmpfloat(t_metric(res, "zero_page_maps"), >, 0);
	g_assert_cmpfloat(t_metric(res, "wp_copies"), >, 0);
	g_assert_cmpfloat(t_metric(res, "mm_shootdowns"), >, 0);
	g_assert_cmpfloat(t_metric(res, "pgtable_free"), >, 0);
	g_assert_cmpfloat(t_metric(res, "tlb_hits"), >, 0);
	if (out)
		*out = t_results_without_host(res);
	cJSON_Delete(res);
}

static void
test_random_linux(void)
{
	run_random("linux", false, 4, 1, NULL);
	run_random("linux", false, 4, 2, NULL);
}

static void
test_random_sv6(void)
{
	run_random("sv6", false, 4, 3, NULL);
}

static void
test_random_rcu(void)
{
	run_random("linux", true, 4, 4, NULL);
}

static void
test_deterministic(void)
{
	char *a = NULL, *b = NULL;
	run_random("linux", true, 3, 7, &a);
	run_random("linux", true, 3, 7, &b);
	g_assert_cmpstr(a, ==, b);
	g_free(a);
	g_free(b);
}

static void
run_shootdown(const char *smp, uint32_t pages)
{
	mt_reset(MT_SHOOTDOWN, smp);
	T.unmap_pages = pages;
	GError *err = NULL;
	cJSON *res = mt_run(3, 1, &err);
	g_assert_no_error(err);
	g_assert_true(T.had_before);
	g_assert_false(T.has_after);
	/* Up to flush_ceiling (33) pages the handler invalidates each page
	 * (A_FAR's entry stays); above it, the whole TLB. */
	if (T.far_after != (pages <= 33))
		g_error("%s %u pages: far entry %s", smp, pages, T.far_after ? "kept" : "lost");
	g_assert_cmpuint(T.cleared, ==, pages);
	g_assert_cmpuint(T.targets, ==, 2);     /* CPUs 1 and 2 (mm_cpumask: all) */
	if (!T.check_ok || !T.kalloc_ok)
		g_error("%s", T.why);
	cJSON_Delete(res);
}

static void
test_shootdown_linux(void)
{
	run_shootdown("linux", 1);
	run_shootdown("linux", 33);
	run_shootdown("linux", 34);
}

static void
test_shootdown_sv6(void)
{
	run_shootdown("sv6", 1);
	run_shootdown("sv6", 34);
}

static void
run_pgtables(bool rcu)
{
	mt_reset(MT_PGTABLES, "linux");
	T.rcu = rcu;
	GError *err = NULL;
	cJSON *res = mt_run(2, 1, &err);
	g_assert_no_error(err);
	if (!T.check_ok || !T.kalloc_ok)
		g_error("%s", T.why);
	g_assert_cmpuint(T.t[0], ==, 7);
	g_assert_cmpuint(T.t[1], ==, 6);
	g_assert_cmpuint(T.t[2], ==, 3);
	g_assert_cmpuint(T.t[3], ==, 0);
	g_assert_cmpfloat(t_metric(res, "pgtable_alloc"), ==, 7);
	g_assert_cmpfloat(t_metric(res, "pgtable_free"), ==, 7);
	g_assert_cmpfloat(t_metric(res, "mapped"), ==, 0);
	g_assert_cmpfloat(t_metric(res, "pages_freed"), ==, 3);
	cJSON_Delete(res);
}

static void
test_pgtables_free(void)
{
	run_pgtables(false);
}

static void
test_pgtables_rcu(void)
{
	run_pgtables(true);
}

static void
test_bigzap(void)
{
	mt_reset(MT_BIGZAP, "linux");
	GError *err = NULL;
	cJSON *res = mt_run(2, 1, &err);
	g_assert_no_error(err);
	if (!T.check_ok || !T.kalloc_ok)
		g_error("%s", T.why);
	g_assert_cmpuint(T.cleared, ==, BIGZAP_PAGES);
	g_assert_cmpfloat(t_metric(res, "gather_flushes"), ==, 2);
	g_assert_cmpfloat(t_metric(res, "pages_freed"), ==, BIGZAP_PAGES);
	g_assert_cmpuint(T.targets, ==, 2);     /* CPU 1, once per flush */
	g_assert_false(T.has_after);
	g_assert_cmpfloat(t_metric(res, "mapped"), ==, 0);
	cJSON_Delete(res);
}

static void
test_refused(void)
{
	mt_reset(MT_REFUSE, "linux");
	GError *err = NULL;
	cJSON *res = mt_run(2, 1, &err);
	g_assert_no_error(err);
	if (!T.check_ok || !T.kalloc_ok)
		g_error("%s", T.why);
	g_assert_cmpint(T.rc[0], ==, -EAGAIN);
	g_assert_cmpuint(T.t[0], ==, 0);
	g_assert_cmpint(T.rc[1], ==, -EAGAIN);
	g_assert_cmpuint(T.t[1], ==, 3);
	g_assert_cmpint(T.rc[2], ==, 0);
	g_assert_cmpint(T.rc[3], ==, -EFAULT);
	g_assert_cmpfloat(t_metric(res, "pgtable_refused_installs"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "zero_page_maps"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "mapped"), ==, 1);
	/* Only the three tables stay allocated: the refused directory page
	 * and the refused data page went back. */
	g_assert_cmpuint(T.free_before - T.free_after, ==, 3);
	cJSON_Delete(res);
}

/* The mutation: the gather skips flush_tlb_others; CPU 1's next use of
 * its entry is caught. */
static void
test_mutation_caught(void)
{
	mt_reset(MT_SHOOTDOWN, "linux");
	T.skip_shootdown = true;
	GError *err = NULL;
	cJSON *res = mt_run(3, 5, &err);
	g_assert_null(res);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "mm-test: CPU 1 used a stale TLB entry for 0x4000000"));
	g_assert_nonnull(strstr(err->message, "seed 5"));
	g_error_free(err);
}

/* The lazy-TLB scenario (mt_lazy) on 3 CPUs; idle: CPU 1's sleep is in
 * a TLB-flushing idle state. */
static cJSON *
run_lazy_idle(bool lazy, bool keep_tlb, bool idle, GError **err)
{
	mt_reset(MT_LAZY, "linux");
	T.lazy = lazy;
	T.lazy_keep_tlb = keep_tlb;
	T.idle_flush = idle;
	return mt_run(3, 1, err);
}

static cJSON *
run_lazy(bool lazy, bool keep_tlb, GError **err)
{
	return run_lazy_idle(lazy, keep_tlb, false, err);
}

static void
test_lazy(void)
{
	GError *err = NULL;
	/* Without lazy mode: the sleeping CPU 1 takes both IPIs. */
	cJSON *res = run_lazy(false, false, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(T.targets, ==, 2);
	g_assert_cmpuint(T.targets2, ==, 2);
	g_assert_cmpuint(T.ipis1[1] - T.ipis1[0], ==, 1);
	g_assert_cmpuint(T.ipis1[2] - T.ipis1[1], ==, 1);
	g_assert_true(T.mask1_after1);
	g_assert_true(T.far1_after1);           /* a 1-page INVLPG: A_FAR stays */
	g_assert_true(T.far1_on_wake);
	g_assert_true(T.flag_on_wake);
	/* Nothing between the two notifiers. */
	g_assert_cmpuint(T.sw_t[1] - T.sw_t[0], ==, 0);
	if (!T.check_ok || !T.kalloc_ok)
		g_error("%s", T.why);
	cJSON_Delete(res);

	res = run_lazy(true, false, &err);
	g_assert_no_error(err);
	if (!T.check_ok || !T.kalloc_ok)
		g_error("%s", T.why);
	g_assert_true(T.flag_on_wake);          /* both unmaps ran while it slept */
	/* Shootdown 1 reaches CPUs 1 and 2; lazy CPU 1 takes exactly one IPI
	 * and calls leave_mm: out of mm_cpumask, its whole TLB gone (A_FAR
	 * too), while running CPU 2 only lost the page (INVLPG). */
	g_assert_cmpuint(T.targets, ==, 2);
	g_assert_cmpuint(T.ipis1[1] - T.ipis1[0], ==, 1);
	g_assert_false(T.mask1_after1);
	g_assert_false(T.far1_after1);
	g_assert_true(T.far2_after1);
	/* Shootdown 2: one target fewer (CPU 2), no IPI to CPU 1. */
	g_assert_cmpuint(T.targets2, ==, 1);
	g_assert_cmpuint(T.ipis1[2] - T.ipis1[1], ==, 0);
	/* Wake-up: switch_mm put CPU 1 back in mm_cpumask; its TLB is empty
	 * and the read of A_FAR walks (and fills the entry). */
	g_assert_true(T.mask1_on_wake);
	g_assert_false(T.shoot1_on_wake);
	g_assert_false(T.far1_on_wake);
	g_assert_true(T.far1_after_access);
	g_assert_cmpfloat(t_metric(res, "lazy_enters"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "leave_mm"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "lazy_switch_mm"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "lazy_readds"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "mm_shootdown_targets"), ==, 3);
	/*
	 * The wake-up's cost on CPU 1 (the mm's sched_in): two RMWs, no load
	 * or store.  The re-add: LOCK BTS of the mm_cpumask word, then
	 * load_cr3 (flush_all 500).  The word's line: CPU 1's leave_mm took
	 * it (M); CPU 0's shootdown 2 then read it (cpumask_and), so CPU 1
	 * finds it shared with CPU 0 and its RMW invalidates that copy, as
	 * test-cost's lone-sharer case: a = leg_socket 10 to the home, b =
	 * 10 to the sharer, d = leg_cluster 5, + atomic_hit 20 = 45 cycles.
	 * Then mmdrop: the atomic dec of mm_count on mm_shared line 0 (with
	 * mmap_sem, as 3.5's mm_struct has them; page_table_lock and
	 * pgtables_bytes, which CPU 0's unmaps write, are on lines 1 and 2),
	 * which CPU 1's own atomic_inc on the way to idle left modified in its
	 * cache, untouched since (this test takes no mmap_sem): a hit,
	 * atomic_hit 20.  Total 45 + 500 + 20 = 565.
	 */
	g_assert_cmpuint(T.sw[1].rmws - T.sw[0].rmws, ==, 2);
	g_assert_cmpuint(T.sw[1].loads - T.sw[0].loads, ==, 0);
	g_assert_cmpuint(T.sw[1].stores - T.sw[0].stores, ==, 0);
	g_test_message("switch_mm on wake-up: %" G_GUINT64_FORMAT " cycles, rmw misses %"
		       G_GUINT64_FORMAT, T.sw_t[1] - T.sw_t[0], T.sw[1].rmw_misses - T.sw[0].rmw_misses);
	g_assert_cmpuint(T.sw[1].rmw_misses - T.sw[0].rmw_misses, ==, 1);
	g_assert_cmpuint(T.sw_t[1] - T.sw_t[0], ==, 565);
	cJSON_Delete(res);
}

/* The lazy-TLB mutation: leave_mm's and switch_mm's CR3 writes keep the
 * TLB; CPU 1 comes back with A_SHOOT's entry, which the shootdown it
 * took while lazy was to remove: the stale-translation check fails the
 * run. */
static void
test_lazy_mutation_caught(void)
{
	GError *err = NULL;
	cJSON *res = run_lazy(true, true, &err);
	g_assert_null(res);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "mm-test: CPU 1 used a stale TLB entry for 0x4000000"));
	g_error_free(err);
}

/*
 * intel_idle's leave_mm: CPU 1's sleep enters a CPUIDLE_FLAG_TLB_FLUSHED
 * state, whose entry calls leave_mm on the lazy CPU before the first
 * unmap: both shootdowns target CPU 2 alone and CPU 1 takes no IPI; its
 * TLB is empty from the entry on; switch_mm puts it back on the wake-up.
 * The lazy-TLB mutation (CR3 writes keep the TLB) is caught on this path
 * too.
 */
static void
test_lazy_idle_leave_mm(void)
{
	GError *err = NULL;
	cJSON *res = run_lazy_idle(true, false, true, &err);
	g_assert_no_error(err);
	if (!T.check_ok || !T.kalloc_ok)
		g_error("%s", T.why);
	g_assert_true(T.flag_on_wake);
	g_assert_cmpuint(T.targets, ==, 1);
	g_assert_cmpuint(T.targets2, ==, 1);
	g_assert_cmpuint(T.ipis1[1] - T.ipis1[0], ==, 0);
	g_assert_cmpuint(T.ipis1[2] - T.ipis1[1], ==, 0);
	g_assert_false(T.mask1_after1);
	g_assert_false(T.far1_after1);          /* the entry's CR3 load */
	g_assert_true(T.far2_after1);
	g_assert_true(T.mask1_on_wake);
	g_assert_false(T.shoot1_on_wake);
	g_assert_false(T.far1_on_wake);
	g_assert_true(T.far1_after_access);
	g_assert_cmpfloat(t_metric(res, "leave_mm"), ==, 0);
	g_assert_cmpfloat(t_metric(res, "leave_mm_idle"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "lazy_readds"), ==, 1);
	g_assert_cmpfloat(t_metric(res, "mm_shootdown_targets"), ==, 2);
	cJSON_Delete(res);

	res = run_lazy_idle(true, true, true, &err);
	g_assert_null(res);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "mm-test: CPU 1 used a stale TLB entry for 0x4000000"));
	g_error_free(err);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mm/fault/exact", test_exact);
	g_test_add_func("/mm/check/random-linux", test_random_linux);
	g_test_add_func("/mm/check/random-sv6", test_random_sv6);
	g_test_add_func("/mm/check/random-rcu-table-free", test_random_rcu);
	g_test_add_func("/mm/check/deterministic", test_deterministic);
	g_test_add_func("/mm/pgtables/free-floor-ceiling", test_pgtables_free);
	g_test_add_func("/mm/pgtables/rcu-table-free", test_pgtables_rcu);
	g_test_add_func("/mm/shootdown/removes-entries-linux", test_shootdown_linux);
	g_test_add_func("/mm/shootdown/removes-entries-sv6", test_shootdown_sv6);
	g_test_add_func("/mm/shootdown/mutation-caught", test_mutation_caught);
	g_test_add_func("/mm/lazy-tlb/one-ipi-then-skipped", test_lazy);
	g_test_add_func("/mm/lazy-tlb/mutation-caught", test_lazy_mutation_caught);
	g_test_add_func("/mm/lazy-tlb/idle-state-leave-mm", test_lazy_idle_leave_mm);
	g_test_add_func("/mm/gather/forced-flush", test_bigzap);
	g_test_add_func("/mm/fault/refused", test_refused);
	g_test_add_func("/mm/fault/lost-race", test_race);
	return g_test_run();
}
