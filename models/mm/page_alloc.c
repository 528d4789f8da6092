// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The page allocator: per-node zones with buddy free lists under
 * zone->lock, and per-CPU page lists (pcp) in front of them for order-0
 * pages.
 *
 * SOURCE: Linux mm/page_alloc.c (v5.x-6.x): __rmqueue_smallest(),
 * expand(), __free_one_page(), rmqueue_bulk(), free_pcppages_bulk(),
 * free_unref_page(); the pcp high/batch watermarks of
 * pageset_set_batch() (high = 6 * batch).
 *
 *   alloc_pages(0)  -> this CPU's pcp list of the zone (irqs off)
 *                        empty?  rmqueue_bulk: zone->lock, batch pages
 *                                off free_area[], split as needed
 *   alloc_pages(n)  -> zone->lock, __rmqueue_smallest(n)
 *   free_pages(0)   -> this CPU's pcp list of the page's zone (a remote
 *                        page goes to this CPU's pcp of the remote zone)
 *                        count >= high?  free_pcppages_bulk: zone->lock,
 *                                batch cold pages merged into free_area[]
 *   free_pages(n)   -> zone->lock, __free_one_page(n) (buddy merging)
 *
 * Invariants: a block on free_area[o] is 2^o frames aligned to 2^o
 * within its node, its head has PG_buddy and private == o; no two free
 * buddies of the same order are both on the lists (they merge); a frame
 * on a pcp list is on exactly one; zone->free_pages counts the frames on
 * the buddy lists (pcp frames count as allocated, as NR_FREE_PAGES does).
 *
 * MODEL: pcp lists hold order-0 pages only (Linux >= 5.14 also keeps
 * orders up to PAGE_ALLOC_COSTLY_ORDER there): order > 0 always takes
 * zone->lock, which overstates zone-lock traffic for slab caches that
 * use order-1..3 slabs.
 * MODEL: one zone per node (no DMA32/Normal/Movable split), no
 * watermarks, no kswapd or direct reclaim, no migrate types, no
 * compaction: running out of frames fails the run.  The zonelist
 * fallback order is node index order starting at the local node, not by
 * distance.
 * MODEL: the pcp list is protected by disabling interrupts (Linux
 * before 5.19; later kernels use pcp->lock with trylock from IRQs).
 * MODEL: freed frames go to the head of the buddy list (Linux sometimes
 * adds to the tail when a merge is likely soon).
 */
#include <string.h>

#include "kalloc_impl.h"

/* ---- list_head and spinlock on simulated memory ---- */

void
ka_list_init_host(struct ka_list *head)
{
	head->next = head;
	head->prev = head;
}

void
ka_list_add(struct ka_list *entry, struct ka_list *head)
{
	struct ka_list *next = sim_loadp((void *const *)&head->next);
	sim_storep((void **)&entry->next, next);
	sim_storep((void **)&entry->prev, head);
	sim_storep((void **)&next->prev, entry);
	sim_storep((void **)&head->next, entry);
}

void
ka_list_add_tail(struct ka_list *entry, struct ka_list *head)
{
	struct ka_list *prev = sim_loadp((void *const *)&head->prev);
	sim_storep((void **)&entry->next, head);
	sim_storep((void **)&entry->prev, prev);
	sim_storep((void **)&prev->next, entry);
	sim_storep((void **)&head->prev, entry);
}

void
ka_list_del(struct ka_list *entry)
{
	struct ka_list *next = sim_loadp((void *const *)&entry->next);
	struct ka_list *prev = sim_loadp((void *const *)&entry->prev);
	sim_storep((void **)&next->prev, prev);
	sim_storep((void **)&prev->next, next);
}

struct ka_list *
ka_list_first(struct ka_list *head)
{
	struct ka_list *n = sim_loadp((void *const *)&head->next);
	return n == head ? NULL : n;
}

struct ka_list *
ka_list_last(struct ka_list *head)
{
	struct ka_list *p = sim_loadp((void *const *)&head->prev);
	return p == head ? NULL : p;
}

void
ka_spin_lock(struct kalloc *ka, spinlock_t *lock, struct ka_lock_stats *st)
{
	st->acquired++;
	sim_time_t t0 = sim_now();
	spin_lock(ka->kl, lock);
	st->lock_cycles += sim_now() - t0;
}

void
ka_spin_unlock(struct kalloc *ka, spinlock_t *lock)
{
	spin_unlock(ka->kl, lock);
}

/* ---- frames and struct pages ---- */

struct page *
ka_pfn_to_page(struct kalloc *ka, uint64_t pfn)
{
	g_assert(pfn < ka->npages);
	return &ka->mem_map[pfn];
}

uint64_t
ka_page_to_pfn(struct kalloc *ka, const struct page *page)
{
	return (uint64_t)(page - ka->mem_map);
}

static struct page *
lru_to_page(struct ka_list *e)
{
	return (struct page *)((char *)e - offsetof(struct page, lru));
}

static void
shadow_set(struct kalloc *ka, uint64_t pfn, unsigned order, enum ka_pstate from,
	   enum ka_pstate to)
{
	for (uint64_t i = pfn; i < pfn + (UINT64_C(1) << order); i++) {
		if (ka->pstate[i] != from)
			sim_fail("kalloc: frame %" G_GUINT64_FORMAT " is in state %u, expected %u "
				 "(a page lost or handed out twice)", i, ka->pstate[i], from);
		ka->pstate[i] = (uint8_t)to;
	}
}

/* zone->free_pages += delta (caller holds zone->lock). */
static void
zone_free_add(struct zone *z, int64_t delta)
{
	uint64_t v = sim_load64(&z->free_pages);
	sim_store64(&z->free_pages, v + (uint64_t)delta);
}

static void
area_nr_add(struct free_area *a, int64_t delta)
{
	uint64_t v = sim_load64(&a->nr_free);
	sim_store64(&a->nr_free, v + (uint64_t)delta);
}

/* SOURCE: set_buddy_order(): mark page the head of a free block of order. */
static void
set_buddy_order(struct page *page, unsigned order)
{
	sim_store64(&page->private, order);
	sim_store64(&page->flags, PG_buddy);
}

/*
 * expand - the upper halves of a block of order high split down to low go
 * back on free_area[high-1 .. low].  Caller holds zone->lock.
 */
static void
expand(struct kalloc *ka, struct zone *z, uint64_t pfn, unsigned low, unsigned high,
       uint32_t node)
{
	uint64_t size = UINT64_C(1) << high;
	while (high > low) {
		high--;
		size >>= 1;
		struct page *buddy = ka_pfn_to_page(ka, pfn + size);
		ka_list_add(&buddy->lru, &z->free_area[high].free_list);
		area_nr_add(&z->free_area[high], 1);
		set_buddy_order(buddy, high);
		ka->zst[node].splits++;
	}
}

/*
 * __rmqueue_smallest - take the smallest free block of order >= order,
 * split it down to order.  Return: its first frame, or UINT64_MAX if the
 * zone has none.  Caller holds zone->lock and adjusts free_pages.
 */
static uint64_t
__rmqueue_smallest(struct kalloc *ka, struct zone *z, uint32_t node, unsigned order)
{
	for (unsigned o = order; o <= KA_MAX_ORDER; o++) {
		struct free_area *area = &z->free_area[o];
		struct ka_list *e = ka_list_first(&area->free_list);
		if (e == NULL)
			continue;
		struct page *page = lru_to_page(e);
		ka_list_del(e);
		area_nr_add(area, -1);
		sim_store64(&page->flags, 0);
		uint64_t pfn = ka_page_to_pfn(ka, page);
		expand(ka, z, pfn, order, o, node);
		ka->zst[node].buddy_allocs++;
		return pfn;
	}
	return UINT64_MAX;
}

/*
 * __free_one_page - put the block [pfn, pfn + 2^order) on the buddy
 * lists, merging with its buddy while the buddy is free and whole.
 * Caller holds zone->lock and adjusts free_pages.
 * Cost: per merge, the buddy's struct page (flags, private: one line)
 * and its list neighbours; then the free_area line.
 */
static void
__free_one_page(struct kalloc *ka, struct zone *z, uint32_t node, uint64_t pfn,
		unsigned order)
{
	uint64_t base = (uint64_t)node * ka->p.pages_per_node;
	uint64_t rel = pfn - base;
	while (order < KA_MAX_ORDER) {
		uint64_t buddy_rel = rel ^ (UINT64_C(1) << order);
		if (buddy_rel + (UINT64_C(1) << order) > ka->p.pages_per_node)
			break;
		struct page *buddy = ka_pfn_to_page(ka, base + buddy_rel);
		if (!(sim_load64(&buddy->flags) & PG_buddy) ||
		    sim_load64(&buddy->private) != order)
			break;
		ka_list_del(&buddy->lru);
		area_nr_add(&z->free_area[order], -1);
		sim_store64(&buddy->flags, 0);
		ka->zst[node].merges++;
		rel &= buddy_rel;
		order++;
	}
	struct page *page = ka_pfn_to_page(ka, base + rel);
	set_buddy_order(page, order);
	ka_list_add(&page->lru, &z->free_area[order].free_list);
	area_nr_add(&z->free_area[order], 1);
	ka->zst[node].buddy_frees++;
}

struct per_cpu_pages *
ka_pcp_peek(const struct kalloc *ka, uint32_t cpu, uint32_t node)
{
	return ka->pcp[cpu] ? ka->pcp[cpu][node] : NULL;
}

/*
 * this_pcp - this CPU's pcp for node's zone.
 * MODEL: made (at no cost, as boot-time setup) the first time this CPU
 * uses that zone, rather than for every (CPU, zone) pair at boot: a run
 * of 65,536 CPUs on 256 nodes would otherwise need 2^24 pcp lines.  The
 * line is fresh either way: its first touch costs the same.
 */
static struct per_cpu_pages *
this_pcp(struct kalloc *ka, uint32_t node)
{
	uint32_t cpu = sim_cpu_id();
	if (ka->pcp[cpu] == NULL)
		ka->pcp[cpu] = g_new0(struct per_cpu_pages *, ka->nnodes);
	struct per_cpu_pages *pcp = ka->pcp[cpu][node];
	if (pcp == NULL) {
		pcp = sim_alloc(sizeof *pcp, 64);
		sim_mem_place(ka->sim, pcp, sizeof *pcp, sim_cpu_socket());
		pcp->high = ka->p.pcp_high;
		pcp->batch = ka->p.pcp_batch;
		ka_list_init_host(&pcp->list);
		ka->pcp[cpu][node] = pcp;
	}
	return pcp;
}

/*
 * rmqueue_bulk - move up to count order-0 frames from the zone's buddy
 * lists to the tail of pcp.  Return: frames moved.
 * Cost: zone->lock; per frame __rmqueue_smallest's lines and the pcp
 * list links; the pcp count line once.
 */
static uint32_t
rmqueue_bulk(struct kalloc *ka, uint32_t node, struct per_cpu_pages *pcp, uint32_t count)
{
	struct zone *z = &ka->zones[node];
	uint32_t i;
	ka_spin_lock(ka, &z->lock, &ka->zst[node].lock);
	for (i = 0; i < count; i++) {
		uint64_t pfn = __rmqueue_smallest(ka, z, node, 0);
		if (pfn == UINT64_MAX)
			break;
		shadow_set(ka, pfn, 0, KA_P_BUDDY, KA_P_PCP);
		ka_list_add_tail(&ka_pfn_to_page(ka, pfn)->lru, &pcp->list);
	}
	if (i)
		zone_free_add(z, -(int64_t)i);
	ka_spin_unlock(ka, &z->lock);
	if (i) {
		sim_store64(&pcp->count, sim_load64(&pcp->count) + i);
		ka->zst[node].pcp_refills++;
		ka->zst[node].pcp_pages_refilled += i;
	}
	return i;
}

/*
 * free_pcppages_bulk - return count frames from the cold end (tail) of
 * pcp to the buddy lists, merging.  Cost: zone->lock, per frame the pcp
 * list links and __free_one_page's lines.
 */
static void
free_pcppages_bulk(struct kalloc *ka, uint32_t node, struct per_cpu_pages *pcp,
		   uint32_t count)
{
	struct zone *z = &ka->zones[node];
	uint32_t n = 0;
	ka_spin_lock(ka, &z->lock, &ka->zst[node].lock);
	for (; n < count; n++) {
		struct ka_list *e = ka_list_last(&pcp->list);
		if (e == NULL)
			break;
		ka_list_del(e);
		uint64_t pfn = ka_page_to_pfn(ka, lru_to_page(e));
		shadow_set(ka, pfn, 0, KA_P_PCP, KA_P_BUDDY);
		__free_one_page(ka, z, node, pfn, 0);
	}
	zone_free_add(z, n);
	ka_spin_unlock(ka, &z->lock);
	sim_store64(&pcp->count, sim_load64(&pcp->count) - n);
	ka->zst[node].pcp_drains++;
	ka->zst[node].pcp_pages_drained += n;
}

/* rmqueue - 2^order frames from node, or UINT64_MAX.  Interrupts off. */
static uint64_t
rmqueue(struct kalloc *ka, uint32_t node, unsigned order)
{
	if (order == 0) {
		struct per_cpu_pages *pcp = this_pcp(ka, node);
		struct ka_list *e = ka_list_first(&pcp->list);
		if (e == NULL) {
			uint32_t batch = (uint32_t)sim_load64(&pcp->batch);
			if (rmqueue_bulk(ka, node, pcp, batch) == 0)
				return UINT64_MAX;
			e = ka_list_first(&pcp->list);
		}
		ka_list_del(e);
		sim_store64(&pcp->count, sim_load64(&pcp->count) - 1);
		uint64_t pfn = ka_page_to_pfn(ka, lru_to_page(e));
		shadow_set(ka, pfn, 0, KA_P_PCP, KA_P_BUDDY);  /* caller sets the final state */
		return pfn;
	}
	struct zone *z = &ka->zones[node];
	ka_spin_lock(ka, &z->lock, &ka->zst[node].lock);
	uint64_t pfn = __rmqueue_smallest(ka, z, node, order);
	if (pfn != UINT64_MAX)
		zone_free_add(z, -(int64_t)(UINT64_C(1) << order));
	ka_spin_unlock(ka, &z->lock);
	return pfn;
}

/*
 * ka_alloc_frames - 2^order frames, local node first; state `to` in the
 * shadow.  The frames stay poisoned: the caller unpoisons what it hands
 * out.  Fails the run when every node is out of frames.
 */
uint64_t
ka_alloc_frames(struct kalloc *ka, unsigned order, enum ka_pstate to)
{
	g_assert(order <= KA_MAX_ORDER);
	sim_irq_disable();
	if (ka->p.path_cycles)
		sim_work(ka->p.path_cycles);
	uint32_t local = ka_this_node(ka);
	uint64_t pfn = UINT64_MAX;
	for (uint32_t k = 0; k < ka->nnodes && pfn == UINT64_MAX; k++)
		pfn = rmqueue(ka, (local + k) % ka->nnodes, order);
	if (pfn == UINT64_MAX)
		sim_fail("kalloc: out of memory: no node has a free block of order %u "
			 "(kalloc.pages_per_node %" G_GUINT64_FORMAT ")", order,
			 ka->p.pages_per_node);
	shadow_set(ka, pfn, order, KA_P_BUDDY, to);
	sim_irq_enable();       /* an interrupt's frees see the frames as taken */
	return pfn;
}

/*
 * ka_free_frames - give back 2^order frames in shadow state `from`; the
 * caller has poisoned them.  Order 0 goes to this CPU's pcp of the
 * frame's zone; a pcp at or above high drains a batch.
 */
void
ka_free_frames(struct kalloc *ka, uint64_t pfn, unsigned order, enum ka_pstate from)
{
	uint32_t node = ka_node_of(ka, pfn);
	sim_irq_disable();
	if (ka->p.path_cycles)
		sim_work(ka->p.path_cycles);
	if (order == 0) {
		struct per_cpu_pages *pcp = this_pcp(ka, node);
		shadow_set(ka, pfn, 0, from, KA_P_PCP);
		ka_list_add(&ka_pfn_to_page(ka, pfn)->lru, &pcp->list);
		uint64_t count = sim_load64(&pcp->count) + 1;
		sim_store64(&pcp->count, count);
		if (count >= sim_load64(&pcp->high))
			free_pcppages_bulk(ka, node, pcp, (uint32_t)sim_load64(&pcp->batch));
	} else {
		struct zone *z = &ka->zones[node];
		shadow_set(ka, pfn, order, from, KA_P_BUDDY);
		ka_spin_lock(ka, &z->lock, &ka->zst[node].lock);
		__free_one_page(ka, z, node, pfn, order);
		zone_free_add(z, (int64_t)(UINT64_C(1) << order));
		ka_spin_unlock(ka, &z->lock);
	}
	sim_irq_enable();
}

/* clear_page() of every frame: a store to each word, line by line. */
static void
clear_frames(void *addr, unsigned order)
{
	uint64_t *w = addr;
	size_t n = ((size_t)KA_PAGE_SIZE << order) / 8;
	for (size_t i = 0; i < n; i++)
		sim_store64(&w[i], 0);
}

void *
alloc_pages(struct kalloc *ka, unsigned order, unsigned gfp)
{
	uint64_t pfn = ka_alloc_frames(ka, order, KA_P_PAGES);
	void *addr = ka_page_address(ka, pfn);
	sim_mem_set_poison(ka->sim, addr, (size_t)KA_PAGE_SIZE << order, false);
	if (gfp & __GFP_ZERO)
		clear_frames(addr, order);
	ka->pages_alloc++;
	return addr;
}

void
free_pages(struct kalloc *ka, void *addr, unsigned order)
{
	if (!ka_owns(ka, addr) || ((uintptr_t)((char *)addr - ka->mem) & (KA_PAGE_SIZE - 1)))
		sim_fail("free_pages(%p): not a page frame of the kernel allocator", addr);
	uint64_t pfn = ka_pfn(ka, addr);
	if (ka->pstate[pfn] != KA_P_PAGES)
		sim_fail("free_pages: frame %" G_GUINT64_FORMAT " was not allocated by "
			 "alloc_pages (double free?)", pfn);
	sim_mem_set_poison(ka->sim, addr, (size_t)KA_PAGE_SIZE << order, true);
	if (ka_node_of(ka, pfn) != ka_this_node(ka))
		ka->remote_frees++;
	ka->pages_free++;
	ka_free_frames(ka, pfn, order, KA_P_PAGES);
}

/* ---- setup, checks, statistics (host) ---- */

static void
list_add_tail_host(struct ka_list *entry, struct ka_list *head)
{
	struct ka_list *prev = head->prev;
	entry->next = head;
	entry->prev = prev;
	prev->next = entry;
	head->prev = entry;
}

void
ka_page_alloc_init(struct kalloc *ka)
{
	uint64_t ppn = ka->p.pages_per_node;
	for (uint32_t n = 0; n < ka->nnodes; n++) {
		struct zone *z = &ka->zones[n];
		for (unsigned o = 0; o < KA_NR_ORDERS; o++)
			ka_list_init_host(&z->free_area[o].free_list);
		/* Carve the node into the largest aligned blocks. */
		uint64_t rel = 0;
		while (rel < ppn) {
			unsigned o = KA_MAX_ORDER;
			while ((rel & ((UINT64_C(1) << o) - 1)) || rel + (UINT64_C(1) << o) > ppn)
				o--;
			struct page *page = &ka->mem_map[(uint64_t)n * ppn + rel];
			page->flags = PG_buddy;
			page->private = o;
			list_add_tail_host(&page->lru, &z->free_area[o].free_list);
			z->free_area[o].nr_free++;
			rel += UINT64_C(1) << o;
		}
		z->free_pages = ppn;
	}
	sim_mem_set_poison(ka->sim, ka->mem, (size_t)ka->npages << KA_PAGE_SHIFT, true);
}

/* Mark [pfn, pfn + n) seen; false if one was seen already. */
static bool
mark_seen(uint8_t *seen, uint64_t pfn, uint64_t n)
{
	for (uint64_t i = pfn; i < pfn + n; i++) {
		if (seen[i])
			return false;
		seen[i] = 1;
	}
	return true;
}

static bool
check_zone(struct kalloc *ka, uint32_t n, uint8_t *seen, GString *why, uint64_t *buddy)
{
	const struct zone *z = &ka->zones[n];
	uint64_t base = (uint64_t)n * ka->p.pages_per_node, total = 0;
	for (unsigned o = 0; o < KA_NR_ORDERS; o++) {
		uint64_t cnt = 0;
		const struct ka_list *head = &z->free_area[o].free_list;
		for (const struct ka_list *e = head->next; e != head; e = e->next, cnt++) {
			const struct page *pg = (const struct page *)((const char *)e -
								      offsetof(struct page, lru));
			uint64_t pfn = (uint64_t)(pg - ka->mem_map);
			if (pfn < base || pfn >= base + ka->p.pages_per_node ||
			    ((pfn - base) & ((UINT64_C(1) << o) - 1)) || pg->flags != PG_buddy ||
			    pg->private != o) {
				g_string_append_printf(why, "zone %u free_area[%u]: bad block at "
						       "frame %" G_GUINT64_FORMAT, n, o, pfn);
				return false;
			}
			if (!mark_seen(seen, pfn, UINT64_C(1) << o)) {
				g_string_append_printf(why, "frame %" G_GUINT64_FORMAT " is free "
						       "twice (zone %u order %u)", pfn, n, o);
				return false;
			}
			for (uint64_t i = pfn; i < pfn + (UINT64_C(1) << o); i++)
				if (ka->pstate[i] != KA_P_BUDDY) {
					g_string_append_printf(why, "frame %" G_GUINT64_FORMAT
							       " on a buddy list but in state %u",
							       i, ka->pstate[i]);
					return false;
				}
		}
		if (cnt != z->free_area[o].nr_free) {
			g_string_append_printf(why, "zone %u free_area[%u].nr_free %" G_GUINT64_FORMAT
					       " but %" G_GUINT64_FORMAT " blocks on the list",
					       n, o, z->free_area[o].nr_free, cnt);
			return false;
		}
		total += cnt << o;
	}
	if (total != z->free_pages) {
		g_string_append_printf(why, "zone %u free_pages %" G_GUINT64_FORMAT " but %"
				       G_GUINT64_FORMAT " frames on the buddy lists", n,
				       z->free_pages, total);
		return false;
	}
	*buddy += total;
	return true;
}

static bool
check_pcp(struct kalloc *ka, uint32_t c, uint32_t n, uint8_t *seen, GString *why,
	  uint64_t *onpcp)
{
	const struct per_cpu_pages *pcp = ka_pcp_peek(ka, c, n);
	uint64_t cnt = 0;
	if (pcp == NULL)
		return true;
	for (const struct ka_list *e = pcp->list.next; e != &pcp->list; e = e->next, cnt++) {
		const struct page *pg = (const struct page *)((const char *)e -
							      offsetof(struct page, lru));
		uint64_t pfn = (uint64_t)(pg - ka->mem_map);
		if (ka_node_of(ka, pfn) != n || ka->pstate[pfn] != KA_P_PCP ||
		    !mark_seen(seen, pfn, 1)) {
			g_string_append_printf(why, "cpu %u pcp of zone %u: frame %" G_GUINT64_FORMAT
					       " misplaced or listed twice", c, n, pfn);
			return false;
		}
	}
	if (cnt != pcp->count) {
		g_string_append_printf(why, "cpu %u pcp of zone %u: count %" G_GUINT64_FORMAT
				       " but %" G_GUINT64_FORMAT " on the list", c, n, pcp->count, cnt);
		return false;
	}
	*onpcp += cnt;
	return true;
}

bool
ka_page_alloc_check(struct kalloc *ka, GString *why, uint64_t *free_out)
{
	uint8_t *seen = g_new0(uint8_t, ka->npages);
	uint64_t buddy = 0, onpcp = 0;
	bool ok = true;
	for (uint32_t n = 0; n < ka->nnodes && ok; n++)
		ok = check_zone(ka, n, seen, why, &buddy);
	for (uint32_t c = 0; c < ka->ncpus && ok; c++)
		for (uint32_t n = 0; n < ka->nnodes && ok; n++)
			ok = check_pcp(ka, c, n, seen, why, &onpcp);
	for (uint64_t i = 0; i < ka->npages && ok; i++) {
		bool is_free = ka->pstate[i] == KA_P_BUDDY || ka->pstate[i] == KA_P_PCP;
		if (is_free != (bool)seen[i]) {
			g_string_append_printf(why, "frame %" G_GUINT64_FORMAT " in state %u but %s "
					       "any free list", i, ka->pstate[i],
					       seen[i] ? "on" : "not on");
			ok = false;
		}
	}
	g_free(seen);
	*free_out = buddy + onpcp;
	return ok;
}

uint64_t
kalloc_free_pages(struct kalloc *ka)
{
	uint64_t n = 0;
	for (uint64_t i = 0; i < ka->npages; i++)
		n += ka->pstate[i] == KA_P_BUDDY || ka->pstate[i] == KA_P_PCP;
	return n;
}

uint64_t
kalloc_total_pages(struct kalloc *ka)
{
	return ka->npages;
}

static void
lock_stats_emit(cJSON *o, const struct ka_lock_stats *l)
{
	cJSON_AddNumberToObject(o, "acquired", (double)l->acquired);
	cJSON_AddNumberToObject(o, "lock_cycles", (double)l->lock_cycles);
}

void
ka_page_alloc_stats(struct kalloc *ka, cJSON *out)
{
	cJSON *zones = cJSON_AddArrayToObject(out, "zones");
	for (uint32_t n = 0; n < ka->nnodes; n++) {
		const struct ka_zone_stats *z = &ka->zst[n];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "node", n);
		cJSON_AddNumberToObject(o, "socket", ka->node_socket[n]);
		lock_stats_emit(cJSON_AddObjectToObject(o, "lock"), &z->lock);
		cJSON_AddNumberToObject(o, "pcp_refills", (double)z->pcp_refills);
		cJSON_AddNumberToObject(o, "pcp_drains", (double)z->pcp_drains);
		cJSON_AddNumberToObject(o, "pcp_pages_refilled", (double)z->pcp_pages_refilled);
		cJSON_AddNumberToObject(o, "pcp_pages_drained", (double)z->pcp_pages_drained);
		cJSON_AddNumberToObject(o, "buddy_allocs", (double)z->buddy_allocs);
		cJSON_AddNumberToObject(o, "buddy_frees", (double)z->buddy_frees);
		cJSON_AddNumberToObject(o, "splits", (double)z->splits);
		cJSON_AddNumberToObject(o, "merges", (double)z->merges);
		cJSON_AddNumberToObject(o, "free_pages", (double)ka->zones[n].free_pages);
		cJSON_AddItemToArray(zones, o);
	}
	cJSON_AddNumberToObject(out, "pages_alloc", (double)ka->pages_alloc);
	cJSON_AddNumberToObject(out, "pages_free", (double)ka->pages_free);
}
