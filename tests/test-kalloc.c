// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The kernel allocator model (models/mm): exact cycle counts of its fast
 * and remote-free paths, pcp refill and drain at the batch and high
 * boundaries, buddy splitting and merging back, conservation of frames
 * and objects under storms, sim_free() routing to kfree(), and the
 * use-after-free / double-free checks.
 *
 * Machine t_lat_default (harness.c): l1_hit 4, store_hit 1, atomic_hit
 * 20, leg_cluster 5, leg_socket 10, leg_link 100, mem 300; one cluster
 * per socket.  Exact-cost cases set path_cycles 0 so only memory
 * accesses cost.
 */
#include <string.h>

#include "harness.h"
#include "kalloc_impl.h"

/* ---- a scripted workload on a fresh allocator ---- */

static const struct sim_param no_params[] = { SIM_P_END };
static struct kalloc_params kp;
static struct kalloc *ka;
static void (*script)(uint32_t cpu);
static void (*report_fn)(void);
static void *shared[64];          /* host-side handoff between scripted CPUs */

static void
kp_defaults(void)
{
	memset(&kp, 0, sizeof kp);
	kp.pages_per_node = 2048;
	kp.pcp_batch = 31;
	kp.pcp_high = 186;
	kp.slab_max_order = 3;
	kp.cpu_partial = true;
	kp.path_cycles = 0;
}

static void *
ks_setup(struct sim *s, const void *params)
{
	(void)params;
	ka = kalloc_create(s, &kp);
	memset(shared, 0, sizeof shared);
	return ka;
}

static void
ks_cpu(void *arg)
{
	(void)arg;
	script(sim_cpu_id());
}

static void
ks_report(void *arg, struct sim *s, cJSON *m)
{
	(void)arg;
	(void)s;
	(void)m;
	if (report_fn)
		report_fn();
}

static void
ks_teardown(void *arg)
{
	kalloc_destroy(arg);
	ka = NULL;
}

static const struct sim_workload_ops ks_ops = {
	.name = "kalloc-script", .summary = "", .params = no_params, .params_size = 1,
	.setup = ks_setup, .cpu_main = ks_cpu, .report = ks_report, .teardown = ks_teardown,
};

/* Run script on cpus CPUs of sockets x cores; return sim_run's error. */
static GError *
run_ks(unsigned sockets, unsigned cores, uint32_t cpus, uint64_t seed)
{
	struct sim_run_config *rc = t_config(t_machine(sockets, cores, NULL), cpus, seed, &ks_ops,
					     NULL, 0);
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	sim_run(s, &err);
	if (err == NULL)
		cJSON_Delete(sim_results(s));
	sim_destroy(s);
	sim_run_config_free(rc);
	report_fn = NULL;
	return err;
}

static void
run_ks_ok(unsigned sockets, unsigned cores, uint32_t cpus, uint64_t seed)
{
	GError *err = run_ks(sockets, cores, cpus, seed);
	g_assert_no_error(err);
}

/* Wait until every store of this CPU is visible, then idle for a while:
 * later measurements start from drained store buffers. */
static void
settle(void)
{
	sim_fence_full();
	sim_work(1000);
}

static void
assert_check(void)
{
	GString *why = g_string_new(NULL);
	bool ok = kalloc_check(ka, why);
	if (!ok)
		g_test_message("kalloc_check: %s", why->str);
	g_assert_true(ok);
	g_string_free(why, TRUE);
}

/* ---- exact costs ---- */

static sim_time_t lat[4];

/*
 * One CPU, kmalloc(64) twice, then kfree of the second object.  After the
 * first (slow) kmalloc every line the fast paths touch is M in CPU 0's
 * cache: the kmem_cache line (it read it), its kmem_cache_cpu (written),
 * the objects' free pointers and the slab's struct page (written by
 * new_slab).
 *   kmalloc fast: load s->offset 4, c->freelist 4, c->tid 4, the next
 *   free pointer 4, store c->freelist 1, c->tid 1                  = 18
 *   kfree fast: load page->flags 4 and page->slab_cache 4 (kfree finds
 *   the cache), s->offset 4, c->slab 4, c->tid 4, c->freelist 4, store
 *   the free pointer 1, c->freelist 1, c->tid 1                    = 27
 * The object comes back LIFO: the next kmalloc returns it again (18).
 */
static void
fast_script(uint32_t cpu)
{
	(void)cpu;
	void *a = kmalloc(ka, 64, 0);
	settle();
	sim_time_t t0 = sim_now();
	void *b = kmalloc(ka, 64, 0);
	lat[0] = sim_now() - t0;
	settle();
	t0 = sim_now();
	kfree(ka, b);
	lat[1] = sim_now() - t0;
	settle();
	t0 = sim_now();
	void *c = kmalloc(ka, 64, 0);
	lat[2] = sim_now() - t0;
	g_assert_true(c == b);
	g_assert_true(b == (char *)a + 64);
	kfree(ka, a);
	kfree(ka, c);
}

static void
test_cost_fast_path(void)
{
	kp_defaults();
	script = fast_script;
	run_ks_ok(1, 1, 1, 1);
	g_assert_cmpuint(lat[0], ==, 18);
	g_assert_cmpuint(lat[1], ==, 27);
	g_assert_cmpuint(lat[2], ==, 18);
}

/*
 * Two CPUs of one cluster.  CPU 0 kmallocs two objects of kmalloc-64
 * (its cpu slab) and settles; at t=100000 CPU 1 kfrees the second.  The
 * slab is not CPU 1's, so it takes __slab_free's cmpxchg path: the slab
 * is frozen (CPU 0's), so no list_lock.  Lines CPU 1 meets:
 *   page->flags: M at CPU 0, a cluster transfer 3 x 5          15
 *   page->slab_cache: same line, now shared                     4
 *   s->offset (kmem_cache line, E at CPU 0): transfer          15
 *   CPU 1's kmem_cache_cpu: first touch, home socket 0,
 *     10 + 300 + 10 (c->slab is NULL: slow path)               320
 *   page->counters: same line as flags, shared                  4
 *   store the free pointer into the object (M at CPU 0):
 *     buffered; its drain (a cluster transfer, 15) starts now   1
 *   cmpxchg page->counters: an x86 RMW first waits for the
 *     store buffer (the drain lands 15 after the store: 14 more),
 *     then upgrades the struct page line, which CPU 0 still
 *     shares: request to the directory 10, invalidation to CPU 0's
 *     cluster 10, ack 5, then atomic_hit 20: 14 + 25 + 20       59
 *                                                         total 418
 * CPU 0 then allocates: its c->freelist still has objects, so the freed
 * object sits on the slab's freelist until CPU 0's freelist runs out.
 */
static void
remote_script(uint32_t cpu)
{
	if (cpu == 0) {
		shared[0] = kmalloc(ka, 64, 0);
		shared[1] = kmalloc(ka, 64, 0);
		settle();
	} else {
		sim_sleep_until(100000);
		sim_time_t t0 = sim_now();
		kfree(ka, shared[1]);
		lat[0] = sim_now() - t0;
		settle();
	}
}

static void
remote_report(void)
{
	struct kmem_cache *s = kmalloc_cache(ka, 64);
	g_assert_cmpuint(s->free_slow, ==, 1);
	g_assert_cmpuint(s->free_fast, ==, 0);
	g_assert_cmpuint(s->list_lock.acquired, ==, 0);
	g_assert_cmpuint(s->inuse, ==, 1);
	struct page *slab = &ka->mem_map[ka_pfn(ka, shared[1])];
	/* The freed object heads the slab's freelist; the slab stays frozen. */
	g_assert_cmpuint(SC_FREE(slab->counters), ==, 2);
	g_assert_true(SC_FROZEN(slab->counters));
	g_assert_cmpuint(SC_INUSE(slab->counters), ==, s->objects - 1);
	assert_check();
}

static void
test_cost_remote_free(void)
{
	kp_defaults();
	script = remote_script;
	report_fn = remote_report;
	run_ks_ok(1, 2, 2, 1);
	g_assert_cmpuint(lat[0], ==, 418);
}

/* ---- NUMA placement ---- */

/*
 * Two sockets of one core, 16 frames per node.  CPU 1 (socket 1) takes
 * order-0 pages: the first 16 come from node 1 (its pcp refill takes the
 * whole node) and its first touch of one is a local DRAM access, 10 +
 * 300 + 10 = 320; the 17th falls back to node 0, homed on socket 0: 100 +
 * 300 + 100 = 500.  A kmalloc on CPU 1 gets a node-1 slab.
 */
static uint64_t numa_pfn[2];

static void
numa_script(uint32_t cpu)
{
	if (cpu != 1)
		return;
	void *pg[17];
	for (int i = 0; i < 17; i++)
		pg[i] = alloc_pages(ka, 0, 0);
	settle();
	sim_time_t t0 = sim_now();
	(void)sim_load64(pg[3]);
	lat[0] = sim_now() - t0;
	t0 = sim_now();
	(void)sim_load64(pg[16]);
	lat[1] = sim_now() - t0;
	numa_pfn[0] = ka_pfn(ka, pg[3]);
	numa_pfn[1] = ka_pfn(ka, pg[16]);
	for (int i = 0; i < 17; i++)
		free_pages(ka, pg[i], 0);
	void *o = kmalloc(ka, 32, 0);
	g_assert_cmpuint(ka_node_of(ka, ka_pfn(ka, o)), ==, 1);
	kfree(ka, o);
}

static void
test_numa_placement(void)
{
	kp_defaults();
	kp.pages_per_node = 16;
	kp.slab_max_order = 0;
	script = numa_script;
	report_fn = assert_check;
	run_ks_ok(2, 1, 2, 1);
	g_assert_cmpuint(numa_pfn[0] / 16, ==, 1);
	g_assert_cmpuint(numa_pfn[1] / 16, ==, 0);
	g_assert_cmpuint(lat[0], ==, 320);
	g_assert_cmpuint(lat[1], ==, 500);
}

/* ---- pcp boundaries ---- */

/*
 * pcp_batch 4, pcp_high 8, one CPU, order-0 pages.  The first
 * alloc_pages refills 4 (refills 1, count 3 after); allocations 2-4 take
 * from the list; the 5th refills again (refills 2).  Then 5 frees: the
 * count goes 4 .. 8; at 8 (= high) the free drains a batch of 4: count 4.
 */
static uint64_t pcp_seen[16];

static uint64_t
pcp_count(void)
{
	return ka_pcp_peek(ka, sim_cpu_id(), 0)->count;  /* host peek; this CPU's own line */
}

static void
pcp_script(uint32_t cpu)
{
	(void)cpu;
	void *pg[5];
	for (int i = 0; i < 5; i++) {
		pg[i] = alloc_pages(ka, 0, 0);
		settle();
		pcp_seen[i] = pcp_count() | ka->zst[0].pcp_refills << 32;
	}
	for (int i = 0; i < 5; i++) {
		free_pages(ka, pg[i], 0);
		settle();
		pcp_seen[5 + i] = pcp_count() | ka->zst[0].pcp_drains << 32;
	}
}

static void
test_pcp_boundaries(void)
{
	kp_defaults();
	kp.pcp_batch = 4;
	kp.pcp_high = 8;
	script = pcp_script;
	report_fn = assert_check;
	run_ks_ok(1, 1, 1, 1);
	/* count | refills << 32 after each allocation */
	g_assert_cmphex(pcp_seen[0], ==, 3 | UINT64_C(1) << 32);
	g_assert_cmphex(pcp_seen[1], ==, 2 | UINT64_C(1) << 32);
	g_assert_cmphex(pcp_seen[2], ==, 1 | UINT64_C(1) << 32);
	g_assert_cmphex(pcp_seen[3], ==, 0 | UINT64_C(1) << 32);
	g_assert_cmphex(pcp_seen[4], ==, 3 | UINT64_C(2) << 32);
	/* count | drains << 32 after each free */
	g_assert_cmphex(pcp_seen[5], ==, 4);
	g_assert_cmphex(pcp_seen[6], ==, 5);
	g_assert_cmphex(pcp_seen[7], ==, 6);
	g_assert_cmphex(pcp_seen[8], ==, 7);
	g_assert_cmphex(pcp_seen[9], ==, 4 | UINT64_C(1) << 32);
}

/*
 * Buddy: 64 frames in one node start as one order-6 block.  An order-0
 * allocation (pcp batch 1) splits it 6 times: frame 0 is taken and the
 * blocks at frames 1 (order 0), 2 (1), 4 (2), 8 (3), 16 (4), 32 (5) go on
 * the lists.  alloc_pages(2) takes frame 4's block whole (no split).
 * Freeing it merges nothing (its buddy, frame 0's order-2 block, is not
 * free).  Freeing frame 0 fills the pcp to high (1) and drains it at once:
 * frame 0 merges with 1, 2, 4, 8, 16, 32 -- 6 merges -- and the node is
 * one order-6 block again.
 */
static void
buddy_script(uint32_t cpu)
{
	(void)cpu;
	void *p0 = alloc_pages(ka, 0, 0);
	void *p2 = alloc_pages(ka, 2, __GFP_ZERO);
	/* The 4 frames of the order-2 block are zero and writable. */
	for (unsigned w = 0; w < 4 * KA_PAGE_SIZE / 8; w += 512)
		g_assert_cmpuint(sim_load64((uint64_t *)p2 + w), ==, 0);
	free_pages(ka, p2, 2);
	free_pages(ka, p0, 0);     /* pcp count 1 = high: drained at once */
	settle();
}

static void
buddy_report(void)
{
	const struct zone *z = &ka->zones[0];
	assert_check();
	g_assert_cmpuint(z->free_pages, ==, 64);
	for (unsigned o = 0; o < KA_NR_ORDERS; o++)
		g_assert_cmpuint(z->free_area[o].nr_free, ==, o == 6 ? 1 : 0);
	g_assert_cmpuint(ka->zst[0].splits, ==, 6);
	g_assert_cmpuint(ka->zst[0].merges, ==, 6);
	g_assert_cmpuint(ka->zst[0].pcp_drains, ==, 1);
}

static void
test_buddy_split_merge(void)
{
	kp_defaults();
	kp.pages_per_node = 64;
	kp.pcp_batch = 1;
	kp.pcp_high = 1;
	script = buddy_script;
	report_fn = buddy_report;
	run_ks_ok(1, 1, 1, 1);
}

/* ---- conservation under storms ---- */

#define STORM_OBJS 24

/*
 * Four CPUs on two sockets allocate mixed kmalloc sizes (16 .. 16384:
 * slab classes and kmalloc_large) and order-0/1 pages, hand half of them
 * to the next CPU (a remote free, across sockets for CPUs 1 and 3), free
 * the rest locally.  Checks at the end: kalloc_check (every frame in
 * exactly one place, counts match the lists), every cache's inuse 0 and,
 * once the pcp lists are drained by the host check's accounting, free +
 * slab frames = total.
 */
static void *storm_box[4][STORM_OBJS * 8];
static uint32_t storm_n[4];
static bool storm_done[4];

static void
storm_free(void *p)
{
	uintptr_t tag = (uintptr_t)p & 3;
	void *a = (char *)p - tag;
	if (tag)
		free_pages(ka, a, tag - 1);
	else
		kfree(ka, a);
}

static void
storm_script(uint32_t cpu)
{
	static const size_t sizes[] = { 16, 64, 96, 200, 1000, 5000, 16384 };
	uint32_t next = (cpu + 1) % 4;
	for (int round = 0; round < 8; round++) {
		void *mine[STORM_OBJS];
		for (int i = 0; i < STORM_OBJS; i++) {
			uint64_t r = sim_random_below(10);
			if (r < 7) {
				mine[i] = kmalloc(ka, sizes[sim_random_below(G_N_ELEMENTS(sizes))], 0);
				sim_store64(mine[i], cpu);
			} else {
				unsigned order = r == 9;
				mine[i] = (char *)alloc_pages(ka, order, 0) + order + 1;
			}
		}
		for (int i = 0; i < STORM_OBJS; i++) {
			if (i % 2)
				storm_box[next][storm_n[next]++] = mine[i];
			else
				storm_free(mine[i]);
		}
		/* Free what my neighbour handed me (host-side box: sim_work
		 * spaces the rounds so the boxes interleave). */
		while (storm_n[cpu])
			storm_free(storm_box[cpu][--storm_n[cpu]]);
		sim_work(sim_random_below(2000));
	}
	storm_done[cpu] = true;
	while (!storm_done[(cpu + 3) % 4] || storm_n[cpu]) {
		while (storm_n[cpu])
			storm_free(storm_box[cpu][--storm_n[cpu]]);
		sim_work(500);
	}
}

static void
storm_report(void)
{
	assert_check();
	uint64_t slab = 0;
	for (guint i = 0; i < ka->caches->len; i++)
		g_assert_cmpuint(kmem_cache_inuse(g_ptr_array_index(ka->caches, i)), ==, 0);
	for (uint64_t i = 0; i < ka->npages; i++)
		slab += ka->pstate[i] == KA_P_SLAB;
	g_assert_cmpuint(kalloc_free_pages(ka) + slab, ==, kalloc_total_pages(ka));
	g_assert_cmpuint(ka->remote_frees, >, 0);
}

static void
test_storm_conservation(void)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		kp_defaults();
		kp.cpu_partial = seed % 2;
		kp.pages_per_node = 1024;
		kp.pcp_batch = 7;
		kp.pcp_high = 20;
		memset(storm_n, 0, sizeof storm_n);
		memset(storm_done, 0, sizeof storm_done);
		script = storm_script;
		report_fn = storm_report;
		run_ks_ok(2, 2, 4, seed);
	}
}

/* ---- per-CPU partial lists ---- */

/*
 * Two CPUs; kmalloc-64 slabs hold 64 objects and keep
 * cpu_partial_slabs = DIV_ROUND_UP(2 * 120, 64) = 4 slabs per CPU.  CPU 0
 * fills 5 slabs and starts a sixth (5 * 64 + 1 objects), so slabs 0-4
 * are full and unfrozen.  CPU 1 then frees object 0 of slab 0:
 *   cpu_partial on:  the free freezes slab 0 onto CPU 1's partial list
 *                    without list_lock; CPU 1's next kmalloc takes that
 *                    slab (cpu_partial_alloc) and gets the same object.
 *                    Freeing one object of each of slabs 1-4 freezes
 *                    them onto the list (4 long, newest first); each of
 *                    CPU 1's next 4 kmallocs empties its cpu slab and
 *                    takes the next one off the list: objects of slabs
 *                    4, 3, 2, 1 in that order, still no list_lock.
 *   cpu_partial off: the free puts slab 0 on the node partial list under
 *                    list_lock; CPU 1's kmalloc takes it from there.
 */
static bool partial_on;

static void
partial_script(uint32_t cpu)
{
	static void *objs[5 * 64 + 1];
	if (cpu == 0) {
		for (int i = 0; i < 5 * 64 + 1; i++)
			objs[i] = kmalloc(ka, 64, 0);
		settle();
		return;
	}
	sim_sleep_until(10000000);
	struct kmem_cache *s = kmalloc_cache(ka, 64);
	g_assert_cmpuint(s->cpu_partial_slabs, ==, partial_on ? 4 : 0);
	kfree(ka, objs[0]);
	g_assert_cmpuint(s->list_lock.acquired, ==, partial_on ? 0 : 1);
	g_assert_cmpuint(s->cpu_partial_free, ==, partial_on ? 1 : 0);
	void *again = kmalloc(ka, 64, 0);
	g_assert_true(again == objs[0]);
	g_assert_cmpuint(s->cpu_partial_alloc, ==, partial_on ? 1 : 0);
	g_assert_cmpuint(s->alloc_partial, ==, partial_on ? 0 : 1);
	g_assert_cmpuint(s->list_lock.acquired, ==, partial_on ? 0 : 2);
	if (!partial_on)
		return;
	for (int k = 1; k <= 4; k++)
		kfree(ka, objs[k * 64]);
	g_assert_cmpuint(s->cpu_partial_free, ==, 5);
	g_assert_cmpuint(s->cpu_partial_drain, ==, 0);
	g_assert_cmpuint(s->cpu_slab[1].partial->slabs, ==, 4);
	for (int k = 4; k >= 1; k--)
		g_assert_true(kmalloc(ka, 64, 0) == objs[k * 64]);
	g_assert_cmpuint(s->cpu_partial_alloc, ==, 5);
	g_assert_null(s->cpu_slab[1].partial);
	g_assert_cmpuint(s->list_lock.acquired, ==, 0);
	g_assert_cmpuint(s->new_slab, ==, 6);
}

static void
partial_drain_script(uint32_t cpu)
{
	static void *objs[6 * 64 + 1];
	if (cpu == 0) {
		for (int i = 0; i < 6 * 64 + 1; i++)
			objs[i] = kmalloc(ka, 64, 0);
		settle();
		return;
	}
	sim_sleep_until(10000000);
	struct kmem_cache *s = kmalloc_cache(ka, 64);
	/* One free in each of slabs 0-3: CPU 1's partial list is 4 long. */
	for (int k = 0; k < 4; k++)
		kfree(ka, objs[k * 64]);
	g_assert_cmpuint(s->cpu_slab[1].partial->slabs, ==, 4);
	g_assert_cmpuint(s->list_lock.acquired, ==, 0);
	/* The fifth finds it full: slabs 0-3 go to the node partial list
	 * under one list_lock acquisition, slab 4 starts a new list. */
	kfree(ka, objs[4 * 64]);
	g_assert_cmpuint(s->cpu_partial_drain, ==, 1);
	g_assert_cmpuint(s->list_lock.acquired, ==, 1);
	g_assert_cmpuint(s->cpu_slab[1].partial->slabs, ==, 1);
	g_assert_cmpuint(s->node[0].nr_partial, ==, 4);
}

static void
test_cpu_partial(void)
{
	for (int on = 0; on <= 1; on++) {
		kp_defaults();
		kp.cpu_partial = on;
		partial_on = on;
		script = partial_script;
		report_fn = assert_check;
		run_ks_ok(1, 2, 2, 1);
	}
	kp_defaults();
	script = partial_drain_script;
	report_fn = assert_check;
	run_ks_ok(1, 2, 2, 1);
}

/* ---- sim_free routing, use-after-free, double free ---- */

/* sim_free() of a kmalloc()ed object is a kfree(): the next kmalloc of
 * the class returns the same object (the cpu freelist is LIFO). */
static void
route_script(uint32_t cpu)
{
	(void)cpu;
	void *a = kmalloc(ka, 100, 0);          /* kmalloc-128 */
	sim_free(a, 100, 8);
	g_assert_cmpuint(kmem_cache_inuse(kmalloc_cache(ka, 128)), ==, 0);
	void *b = kmalloc(ka, 128, 0);
	g_assert_true(a == b);
	void *pg = alloc_pages(ka, 0, 0);
	sim_free(pg, KA_PAGE_SIZE, KA_PAGE_SIZE);
	g_assert_true(alloc_pages(ka, 0, 0) == pg);
	shared[0] = b;
	shared[1] = pg;
}

static void
test_sim_free_routes(void)
{
	kp_defaults();
	script = route_script;
	run_ks_ok(1, 1, 1, 1);
}

static void
uaf_script(uint32_t cpu)
{
	(void)cpu;
	uint64_t *a = kmalloc(ka, 64, 0);
	sim_store64(&a[0], 1);
	kfree(ka, a);
	(void)sim_load64(&a[0]);                /* not the free-pointer word (offset 32) */
}

static void
double_free_script(uint32_t cpu)
{
	(void)cpu;
	void *a = kmalloc(ka, 64, 0);
	kfree(ka, a);
	kfree(ka, a);
}

static void
page_double_free_script(uint32_t cpu)
{
	(void)cpu;
	void *a = alloc_pages(ka, 0, 0);
	free_pages(ka, a, 0);
	sim_free(a, KA_PAGE_SIZE, KA_PAGE_SIZE);
}

static void
test_uaf_and_double_free(void)
{
	kp_defaults();
	script = uaf_script;
	GError *err = run_ks(1, 1, 1, 1);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "use-after-free"));
	g_clear_error(&err);
	script = double_free_script;
	err = run_ks(1, 1, 1, 1);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "double free"));
	g_clear_error(&err);
	script = page_double_free_script;
	err = run_ks(1, 1, 1, 1);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "not allocated"));
	g_clear_error(&err);
}

/* ---- the workload ---- */

static const char *wl_json =
	"{\"machine\": {\"name\": \"t\", \"freq_ghz\": 2.0,"
	"  \"topology\": {\"sockets\": 2, \"cores_per_cluster\": 4}},"
	" \"cpus\": 8, \"seed\": 7,"
	" \"workload\": {\"name\": \"kalloc\", \"rounds\": 30, \"batch\": 12, \"size\": 96,"
	"   \"page_pct\": 20, \"remote_pct\": 60, \"ring\": 16},"
	" \"kalloc\": {\"allocator\": \"slub\", \"pages_per_node\": 512, \"pcp_batch\": 8,"
	"   \"pcp_high\": 24}}";

/* Conservation after a storm, every object freed, remote frees across
 * sockets (CPUs 3 -> 4 and 7 -> 0), same results for the same seed. */
static void
test_workload(void)
{
	GError *err = NULL;
	cJSON *a = t_run_json(wl_json, NULL, &err);
	g_assert_no_error(err);
	cJSON *b = t_run_json(wl_json, NULL, &err);
	g_assert_no_error(err);
	g_assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "metrics"),
						       "conservation_ok")));
	g_assert_cmpfloat(t_metric(a, "allocs"), ==, 8 * 30 * 12);
	g_assert_cmpfloat(t_metric(a, "kalloc.free_pages") + t_metric(a, "kalloc.slab_pages"),
			  ==, t_metric(a, "kalloc.total_pages"));
	g_assert_cmpfloat(t_metric(a, "kalloc.cross_node_frees"), >, 0);
	g_assert_cmpfloat(t_metric(a, "frees_remote"), >, 0);
	char *sa = t_results_without_host(a), *sb = t_results_without_host(b);
	g_assert_cmpstr(sa, ==, sb);
	g_free(sa);
	g_free(sb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* The same storm with ticket spinlocks, and with the local frees deferred
 * through reclaim schemes: their callbacks' sim_free() calls return every
 * object and page to the allocator (retired = freed, conservation holds,
 * nothing left allocated). */
static void
test_workload_variants(void)
{
	static const char *const extra[] = {
		"\"locking\": {\"spinlock\": \"ticket\"}",
		"\"reclaim\": {\"scheme\": \"tree_rcu\"}",
		"\"reclaim\": {\"scheme\": \"ebr-ck\"}",
		"\"reclaim\": {\"scheme\": \"gus\"}",
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(extra); i++) {
		g_autofree char *json = g_strdup_printf("%.*s, %s}", (int)strlen(wl_json) - 1,
							wl_json, extra[i]);
		GError *err = NULL;
		cJSON *r = t_run_json(json, NULL, &err);
		g_assert_no_error(err);
		const cJSON *m = cJSON_GetObjectItem(r, "metrics");
		g_assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "conservation_ok")));
		g_assert_cmpfloat(t_metric(r, "kalloc.free_pages") + t_metric(r, "kalloc.slab_pages"),
				  ==, t_metric(r, "kalloc.total_pages"));
		if (i == 0) {
			const cJSON *l = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "kalloc"), "locks");
			g_assert_cmpstr(cJSON_GetObjectItem(l, "spinlock")->valuestring, ==, "ticket");
		} else {
			g_assert_cmpfloat(t_metric(r, "reclaim.retired"), >, 0);
			g_assert_cmpfloat(t_metric(r, "reclaim.freed"), ==, t_metric(r, "reclaim.retired"));
		}
		cJSON_Delete(r);
	}
}

/* Bad input: one line naming the key. */
static void
test_bad_config(void)
{
	GError *err = NULL;
	char *sets[] = { "kalloc.pcp_high=4", "kalloc.pcp_batch=8", NULL };
	cJSON *r = t_run_json(wl_json, sets, &err);
	g_assert_null(r);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "kalloc.pcp_high"));
	g_clear_error(&err);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kalloc/cost/fast-path", test_cost_fast_path);
	g_test_add_func("/kalloc/cost/remote-free", test_cost_remote_free);
	g_test_add_func("/kalloc/numa/pages-homed-on-allocating-socket", test_numa_placement);
	g_test_add_func("/kalloc/pcp/refill-drain-at-boundaries", test_pcp_boundaries);
	g_test_add_func("/kalloc/buddy/split-and-merge", test_buddy_split_merge);
	g_test_add_func("/kalloc/slub/cpu-partial-lists", test_cpu_partial);
	g_test_add_func("/kalloc/conservation/storm", test_storm_conservation);
	g_test_add_func("/kalloc/route/sim-free-is-kfree", test_sim_free_routes);
	g_test_add_func("/kalloc/poison/uaf-and-double-free", test_uaf_and_double_free);
	g_test_add_func("/kalloc/workload/storm-deterministic", test_workload);
	g_test_add_func("/kalloc/workload/locking-and-reclaim", test_workload_variants);
	g_test_add_func("/kalloc/config/pcp-high-above-batch", test_bad_config);
	return g_test_run();
}
