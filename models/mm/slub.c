// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * SLUB slab caches and kmalloc on the page allocator (page_alloc.c).
 *
 * SOURCE: Linux mm/slub.c (v6.1): slab_alloc_node() / ___slab_alloc()
 * (get_freelist(), get_partial_node(), new_slab()), do_slab_free() /
 * __slab_free(), put_cpu_partial() / __unfreeze_partials(),
 * set_cpu_partial(), calculate_order(), set_min_partial(); the kmalloc
 * size classes of mm/slab_common.c (kmalloc_index(): 8 .. 8192 with the
 * 96 and 192 classes).
 *
 *   alloc:  c = this CPU's kmem_cache_cpu
 *           c->freelist?  take it, c->freelist = its free pointer   (fast)
 *           else c->slab's freelist (remote frees) by cmpxchg          (refill)
 *           else the first slab of this CPU's partial list             (cpu partial)
 *           else a slab off the node's partial list under list_lock,
 *                and up to cpu_partial_slabs / 2 more onto c->partial   (partial)
 *           else new_slab(): alloc_pages(oo), chain every object       (new)
 *   free:   the object's slab is c->slab?  push on c->freelist         (fast)
 *           else cmpxchg it onto slab->freelist; a full slab is frozen
 *           onto this CPU's partial list (a full list is first moved to
 *           the node lists under list_lock); list_lock when a slab on a
 *           node list becomes empty (freed to the page allocator if the
 *           node keeps min_partial already).  With cpu_partial off, a
 *           full slab goes to the node partial list under list_lock.
 *
 * Invariants: a slab is frozen iff it is some CPU's c->slab or on exactly
 * one CPU's partial list; a slab on a node's partial list is not frozen
 * and has a free object; every object
 * of a slab is on exactly one of: allocated, slab->freelist, the owning
 * CPU's c->freelist; inuse = objects - those on slab->freelist.
 *
 * Free pointer: in the middle of the object (s->offset =
 * ALIGN_DOWN(object_size / 2, 8), as Linux since 5.7), so a freed object
 * is poisoned except for that word.
 * MODEL: a use-after-free that touches only the free-pointer word is not
 * detected (objects of 8 bytes are never poisoned).
 * MODEL: the fast paths' this_cpu_cmpxchg_double (an unlocked
 * cmpxchg16b on the CPU's own kmem_cache_cpu, retried on preemption) is
 * loads and stores on that line, with interrupts off; the slow paths'
 * cmpxchg_double on struct slab is one sim_cas64 (see page->counters in
 * kalloc_impl.h).
 * MODEL: no remote node partial search (get_any_partial), no
 * debug/redzones/shuffling, no memcg accounting; the per-CPU partial list
 * is protected by interrupts off (Linux: local_lock).
 * MODEL: calculate_order() without the waste-fraction loop: the smallest
 * order giving min_objects = 4 * (fls(ncpus) + 1) objects, capped at
 * slab_max_order.
 */
#include <string.h>

#include "kalloc_impl.h"

static const uint32_t kmalloc_sizes[KMALLOC_NR] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

/* SOURCE: kmalloc_index(): the class of a request of size bytes. */
static unsigned
kmalloc_index(size_t size)
{
	if (size > 64 && size <= 96)
		return 4;
	if (size > 128 && size <= 192)
		return 6;
	for (unsigned i = 0; i < KMALLOC_NR; i++)
		if (size <= kmalloc_sizes[i] && kmalloc_sizes[i] != 96 && kmalloc_sizes[i] != 192)
			return i;
	g_assert_not_reached();
}

static unsigned
fls32(uint32_t x)
{
	return x ? 32u - (unsigned)__builtin_clz(x) : 0;
}

static unsigned
ilog2_32(uint32_t x)
{
	return fls32(x) - 1;
}

/* ---- objects ---- */

static void *
slab_base(const struct kalloc *ka, const struct page *slab)
{
	return ka_page_address(ka, (uint64_t)(slab - ka->mem_map));
}

static void *
idx_to_obj(const struct kmem_cache *s, const struct page *slab, uint32_t free1)
{
	return free1 ? (char *)slab_base(s->ka, slab) + (size_t)(free1 - 1) * s->size : NULL;
}

static uint32_t
obj_to_idx1(const struct kmem_cache *s, const struct page *slab, const void *obj)
{
	return (uint32_t)(((const char *)obj - (const char *)slab_base(s->ka, slab)) / s->size) + 1;
}

static void *
get_freepointer(const struct kmem_cache *s, void *obj)
{
	return sim_loadp((void *const *)((char *)obj + s->offset));
}

static void
set_freepointer(const struct kmem_cache *s, void *obj, void *fp)
{
	sim_storep((void **)((char *)obj + s->offset), fp);
}

/* Poison (on) or unpoison the object's words other than its free pointer. */
static void
obj_poison(const struct kmem_cache *s, void *obj, bool on)
{
	struct sim *sim = s->ka->sim;
	if (s->offset)
		sim_mem_set_poison(sim, obj, s->offset, on);
	size_t after = s->offset + 8;
	if (s->size > after)
		sim_mem_set_poison(sim, (char *)obj + after, s->size - after, on);
}

static bool
obj_any_poisoned(const struct kmem_cache *s, const void *obj)
{
	struct sim *sim = s->ka->sim;
	size_t after = s->offset + 8;
	return (s->offset && sim_mem_any_poisoned(sim, obj, s->offset)) ||
	       (s->size > after && sim_mem_any_poisoned(sim, (const char *)obj + after,
							 s->size - after));
}

static uint64_t
live_index(const struct kalloc *ka, const void *obj)
{
	return (uint64_t)((const char *)obj - ka->mem) >> 3;
}

/* ---- node partial lists (caller holds n->list_lock) ---- */

static void
add_partial(struct kmem_cache_node *n, struct page *slab)
{
	ka_list_add_tail(&slab->lru, &n->partial);
	sim_store64(&n->nr_partial, sim_load64(&n->nr_partial) + 1);
}

static void
remove_partial(struct kmem_cache_node *n, struct page *slab)
{
	ka_list_del(&slab->lru);
	sim_store64(&n->nr_partial, sim_load64(&n->nr_partial) - 1);
}

/*
 * discard_slab - the slab's frames back to the page allocator (poisoned
 * whole).  Its objects are all free.  Interrupts off or on.
 */
static void
discard_slab(struct kmem_cache *s, struct page *slab)
{
	struct kalloc *ka = s->ka;
	uint64_t pfn = ka_page_to_pfn(ka, slab);
	sim_store64(&slab->flags, 0);
	for (uint64_t i = pfn; i < pfn + (UINT64_C(1) << s->order); i++)
		ka->slab_of[i] = NULL;
	sim_mem_set_poison(ka->sim, ka_page_address(ka, pfn), (size_t)KA_PAGE_SIZE << s->order,
			   true);
	s->discard_slab++;
	ka_free_frames(ka, pfn, s->order, KA_P_SLAB);
}

/*
 * __unfreeze_partials - move a detached per-CPU partial list to the node
 * lists: unfreeze each slab (cmpxchg), add it to its node's partial list,
 * or discard it if empty and the node keeps min_partial already.
 * list_lock is held across consecutive slabs of one node.
 */
static void
unfreeze_partials(struct kmem_cache *s, struct page *slab)
{
	struct kalloc *ka = s->ka;
	struct kmem_cache_node *n = NULL;
	GPtrArray *discard = NULL;
	while (slab) {
		struct page *next = sim_loadp((void *const *)&slab->next);
		struct kmem_cache_node *n2 = &s->node[ka_node_of(ka, ka_page_to_pfn(ka, slab))];
		if (n2 != n) {
			if (n)
				ka_spin_unlock(ka, &n->list_lock);
			n = n2;
			ka_spin_lock(ka, &n->list_lock, &s->list_lock);
		}
		uint64_t old, want;
		do {
			old = sim_load64(&slab->counters);
			g_assert(SC_FROZEN(old));
			want = old & ~((uint64_t)1 << 48);
		} while (sim_cas64(&slab->counters, old, want) != old);
		if (SC_INUSE(want) == 0 && sim_load64(&n->nr_partial) >= s->min_partial) {
			if (discard == NULL)
				discard = g_ptr_array_new();
			g_ptr_array_add(discard, slab);
		} else {
			add_partial(n, slab);
		}
		slab = next;
	}
	if (n)
		ka_spin_unlock(ka, &n->list_lock);
	for (guint i = 0; discard && i < discard->len; i++)
		discard_slab(s, g_ptr_array_index(discard, i));
	if (discard)
		g_ptr_array_free(discard, TRUE);
}

/*
 * put_cpu_partial - push a frozen slab on this CPU's partial list.  With
 * drain, a list already cpu_partial_slabs long is first moved to the node
 * lists (unfreeze_partials).  Interrupts off.
 * Cost: the kmem_cache_cpu line, the slab's and the old head's struct page.
 */
static void
put_cpu_partial(struct kmem_cache *s, struct page *slab, bool drain)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[sim_cpu_id()];
	struct page *old = sim_loadp((void *const *)&c->partial), *unfreeze = NULL;
	uint64_t slabs = 0;
	if (old) {
		uint64_t nold = sim_load64(&old->slabs);
		if (drain && nold >= s->cpu_partial_slabs) {
			unfreeze = old;
			old = NULL;
		} else {
			slabs = nold;
		}
	}
	sim_store64(&slab->slabs, slabs + 1);
	sim_storep((void **)&slab->next, old);
	sim_storep((void **)&c->partial, slab);
	if (unfreeze) {
		unfreeze_partials(s, unfreeze);
		s->cpu_partial_drain++;
	}
}

/* ---- allocation ---- */

/*
 * new_slab - frames from the page allocator, every object chained on the
 * free-pointer list (a store in each object).  The slab is returned
 * frozen with its whole freelist taken (inuse = objects), as
 * ___slab_alloc() takes a new slab.  Return: the slab; *freelist its
 * first object.
 */
static struct page *
new_slab(struct kmem_cache *s, void **freelist)
{
	struct kalloc *ka = s->ka;
	uint64_t pfn = ka_alloc_frames(ka, s->order, KA_P_SLAB);
	struct page *slab = ka_pfn_to_page(ka, pfn);
	char *base = ka_page_address(ka, pfn);
	for (uint64_t i = pfn; i < pfn + (UINT64_C(1) << s->order); i++)
		ka->slab_of[i] = s;
	for (uint32_t i = 0; i < s->objects; i++) {
		char *obj = base + (size_t)i * s->size;
		sim_mem_set_poison(ka->sim, obj + s->offset, 8, false);
		set_freepointer(s, obj, i + 1 < s->objects ? obj + s->size : NULL);
	}
	sim_storep(&slab->slab_cache, s);
	sim_store64(&slab->flags, PG_slab);
	sim_store64(&slab->counters, sc_pack(0, s->objects, s->objects, true));
	s->new_slab++;
	*freelist = base;
	return slab;
}

/*
 * get_freelist - take slab's whole freelist (objects freed to it by
 * other CPUs); the slab stays frozen only if there were any.
 * Cost: one cmpxchg on the slab's struct page (plus its load).
 */
static void *
get_freelist(struct kmem_cache *s, struct page *slab)
{
	uint64_t old, want;
	do {
		old = sim_load64(&slab->counters);
		want = sc_pack(0, SC_OBJECTS(old), SC_OBJECTS(old), SC_FREE(old) != 0);
	} while (sim_cas64(&slab->counters, old, want) != old);
	return idx_to_obj(s, slab, SC_FREE(old));
}

/*
 * get_partial_node - a slab off this node's partial list, frozen, its
 * freelist taken (acquire_slab()).  Return: the slab, or NULL.
 * Cost: nr_partial read without the lock (as Linux), then list_lock,
 * the list links and the slab's counters cmpxchg.
 */
static struct page *
get_partial_node(struct kmem_cache *s, struct kmem_cache_node *n, void **freelist)
{
	if (sim_load64(&n->nr_partial) == 0)
		return NULL;
	struct page *first = NULL;
	uint32_t extra = 0;
	ka_spin_lock(s->ka, &n->list_lock, &s->list_lock);
	struct ka_list *e;
	while ((e = ka_list_first(&n->partial)) != NULL) {
		struct page *slab = (struct page *)((char *)e - offsetof(struct page, lru));
		remove_partial(n, slab);
		/* acquire_slab(): freeze; the first one's freelist is taken. */
		uint64_t old, want;
		do {
			old = sim_load64(&slab->counters);
			g_assert(!SC_FROZEN(old));
			want = first ? old | (uint64_t)1 << 48 :
				       sc_pack(0, SC_OBJECTS(old), SC_OBJECTS(old), true);
		} while (sim_cas64(&slab->counters, old, want) != old);
		if (first == NULL) {
			first = slab;
			*freelist = idx_to_obj(s, slab, SC_FREE(old));
		} else {
			put_cpu_partial(s, slab, false);
			extra++;
		}
		if (s->cpu_partial_slabs == 0 || extra > s->cpu_partial_slabs / 2)
			break;
	}
	ka_spin_unlock(s->ka, &n->list_lock);
	return first;
}

/* ___slab_alloc: c->freelist was empty.  Interrupts off. */
static void *
slab_alloc_slow(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	struct kalloc *ka = s->ka;
	void *freelist = NULL;
	struct page *slab = sim_loadp((void *const *)&c->slab);
	s->alloc_slow++;
	if (slab) {
		freelist = get_freelist(s, slab);
		if (freelist) {
			s->alloc_refill++;
			goto load_freelist;
		}
	}
	/* Step 2: the old cpu slab (if any) is full and now unfrozen. */
	slab = s->cpu_partial_slabs ? sim_loadp((void *const *)&c->partial) : NULL;
	if (slab) {
		sim_storep((void **)&c->partial, sim_loadp((void *const *)&slab->next));
		freelist = get_freelist(s, slab);
		g_assert(freelist != NULL);     /* frozen partial slabs have free objects */
		s->cpu_partial_alloc++;
	} else if ((slab = get_partial_node(s, &s->node[ka_this_node(ka)], &freelist))) {
		s->alloc_partial++;
	} else {
		/* MODEL: Linux allocates the frames with interrupts on and
		 * rechecks c->freelist afterwards; here they stay off. */
		slab = new_slab(s, &freelist);
	}
	sim_storep((void **)&c->slab, slab);
load_freelist:
	g_assert(freelist != NULL);
	sim_storep(&c->freelist, get_freepointer(s, freelist));
	sim_store64(&c->tid, sim_load64(&c->tid) + 1);
	return freelist;
}

void *
kmem_cache_alloc(struct kmem_cache *s, unsigned gfp)
{
	struct kalloc *ka = s->ka;
	sim_irq_disable();
	if (ka->p.path_cycles)
		sim_work(ka->p.path_cycles);
	(void)sim_load64(&s->line->offset);
	struct kmem_cache_cpu *c = &s->cpu_slab[sim_cpu_id()];
	void *object = sim_loadp(&c->freelist);
	uint64_t tid = sim_load64(&c->tid);
	if (object) {
		void *next = get_freepointer(s, object);
		sim_storep(&c->freelist, next);
		sim_store64(&c->tid, tid + 1);
		s->alloc_fast++;
	} else {
		object = slab_alloc_slow(s, c);
	}
	sim_irq_enable();
	obj_poison(s, object, false);
	ka->live[live_index(ka, object)] = 1;
	s->inuse++;
	if (gfp & __GFP_ZERO)
		for (uint32_t w = 0; w < s->object_size / 8; w++)
			sim_store64((uint64_t *)object + w, 0);
	return object;
}

/* ---- free ---- */

/*
 * __slab_free - free x to a slab that is not this CPU's.  Interrupts off.
 * SOURCE: __slab_free() without CPU partial lists.
 */
static void
slab_free_slow(struct kmem_cache *s, struct page *slab, void *x)
{
	struct kalloc *ka = s->ka;
	struct kmem_cache_node *n = NULL;
	uint64_t old, want;
	uint32_t prior, inuse;
	s->free_slow++;
	do {
		if (n) {
			ka_spin_unlock(s->ka, &n->list_lock);
			n = NULL;
		}
		old = sim_load64(&slab->counters);
		prior = SC_FREE(old);
		set_freepointer(s, x, idx_to_obj(s, slab, prior));
		inuse = SC_INUSE(old) - 1;
		want = sc_pack(obj_to_idx1(s, slab, x), inuse, SC_OBJECTS(old), SC_FROZEN(old));
		if (!SC_FROZEN(old) && (inuse == 0 || prior == 0)) {
			if (s->cpu_partial_slabs && prior == 0) {
				want |= (uint64_t)1 << 48;      /* freeze: defer the list move */
			} else {
				n = &s->node[ka_node_of(ka, ka_page_to_pfn(ka, slab))];
				ka_spin_lock(s->ka, &n->list_lock, &s->list_lock);
			}
		}
	} while (sim_cas64(&slab->counters, old, want) != old);
	if (n == NULL) {
		if (!SC_FROZEN(old) && SC_FROZEN(want)) {
			put_cpu_partial(s, slab, true);
			s->cpu_partial_free++;
		}
		return;         /* frozen slab, or still partial: no list change */
	}
	if (inuse == 0 && sim_load64(&n->nr_partial) >= s->min_partial) {
		if (prior)
			remove_partial(n, slab);
		ka_spin_unlock(s->ka, &n->list_lock);
		discard_slab(s, slab);
		return;
	}
	if (prior == 0) {
		add_partial(n, slab);
		s->free_to_partial++;
	}
	ka_spin_unlock(s->ka, &n->list_lock);
}

/* The slab holding x (host-checked): its head frame's struct page. */
static struct page *
virt_to_slab(struct kmem_cache *s, const void *x)
{
	struct kalloc *ka = s->ka;
	uint64_t pfn = ka_pfn(ka, x);
	uint64_t base = (uint64_t)ka_node_of(ka, pfn) * ka->p.pages_per_node;
	uint64_t head = base + ((pfn - base) & ~((UINT64_C(1) << s->order) - 1));
	return ka_pfn_to_page(ka, head);
}

/* Host checks common to kmem_cache_free and kfree: x is a live object of s. */
static void
check_free(struct kmem_cache *s, const void *x)
{
	struct kalloc *ka = s->ka;
	uint64_t pfn = ka_pfn(ka, x);
	struct page *slab = virt_to_slab(s, x);
	size_t off = (size_t)((const char *)x - (const char *)slab_base(ka, slab));
	if (ka->slab_of[pfn] != s || off % s->size || off / s->size >= s->objects)
		sim_fail("kmem_cache_free(%s): %p is not an object of this cache", s->name, x);
	if (!ka->live[live_index(ka, x)] || obj_any_poisoned(s, x))
		sim_fail("kmem_cache_free(%s): double free of the object at simulated offset %#"
			 G_GINT64_MODIFIER "x", s->name, sim_addr_offset(x));
}

static void
slab_free(struct kmem_cache *s, void *x)
{
	struct kalloc *ka = s->ka;
	struct page *slab = virt_to_slab(s, x);
	ka->live[live_index(ka, x)] = 0;
	s->inuse--;
	if (ka_node_of(ka, ka_pfn(ka, x)) != ka_this_node(ka))
		ka->remote_frees++;
	obj_poison(s, x, true);
	sim_irq_disable();
	if (ka->p.path_cycles)
		sim_work(ka->p.path_cycles);
	(void)sim_load64(&s->line->offset);
	struct kmem_cache_cpu *c = &s->cpu_slab[sim_cpu_id()];
	if (sim_loadp((void *const *)&c->slab) == slab) {
		uint64_t tid = sim_load64(&c->tid);
		set_freepointer(s, x, sim_loadp(&c->freelist));
		sim_storep(&c->freelist, x);
		sim_store64(&c->tid, tid + 1);
		s->free_fast++;
	} else {
		slab_free_slow(s, slab, x);
	}
	sim_irq_enable();
}

void
kmem_cache_free(struct kmem_cache *s, void *obj)
{
	check_free(s, obj);
	/* virt_to_slab(): the frame's struct page (compound head lookup). */
	(void)sim_load64(&ka_pfn_to_page(s->ka, ka_pfn(s->ka, obj))->flags);
	slab_free(s, obj);
}

/* ---- kmalloc ---- */

struct kmem_cache *
kmalloc_cache(struct kalloc *ka, size_t size)
{
	g_assert(size > 0 && size <= KMALLOC_MAX_CACHE_SIZE);
	return ka->kmalloc_caches[kmalloc_index(size)];
}

void *
kmalloc(struct kalloc *ka, size_t size, unsigned gfp)
{
	if (size == 0)
		size = 1;
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return kmem_cache_alloc(kmalloc_cache(ka, size), gfp);
	/* kmalloc_large(): whole frames, order in the head's struct page. */
	unsigned order = ka_get_order(size);
	if (order > KA_MAX_ORDER)
		sim_fail("kmalloc(%zu): larger than the largest buddy block", size);
	uint64_t pfn = ka_alloc_frames(ka, order, KA_P_LARGE);
	struct page *page = ka_pfn_to_page(ka, pfn);
	sim_store64(&page->private, order);
	sim_store64(&page->flags, PG_large);
	void *addr = ka_page_address(ka, pfn);
	sim_mem_set_poison(ka->sim, addr, (size_t)KA_PAGE_SIZE << order, false);
	if (gfp & __GFP_ZERO)
		for (size_t w = 0; w < size / 8; w++)
			sim_store64((uint64_t *)addr + w, 0);
	ka->large_alloc++;
	return addr;
}

void
kfree(struct kalloc *ka, const void *obj)
{
	if (obj == NULL)
		return;
	if (!ka_owns(ka, obj))
		sim_fail("kfree(%p): not memory of the kernel allocator", obj);
	uint64_t pfn = ka_pfn(ka, obj);
	struct page *page = ka_pfn_to_page(ka, pfn);
	uint64_t flags = sim_load64(&page->flags);
	struct kmem_cache *s = ka->slab_of[pfn];
	if (s) {
		check_free(s, obj);
		struct page *slab = virt_to_slab(s, obj);
		struct kmem_cache *from = sim_loadp(&slab->slab_cache);
		g_assert(from == s);
		slab_free(s, (void *)obj);
		return;
	}
	if (!(flags & PG_large) || ka->pstate[pfn] != KA_P_LARGE)
		sim_fail("kfree: simulated offset %#" G_GINT64_MODIFIER "x is not allocated "
			 "(double free, or inside a large allocation)", sim_addr_offset(obj));
	unsigned order = (unsigned)sim_load64(&page->private);
	sim_store64(&page->flags, 0);
	sim_mem_set_poison(ka->sim, (void *)obj, (size_t)KA_PAGE_SIZE << order, true);
	if (ka_node_of(ka, pfn) != ka_this_node(ka))
		ka->remote_frees++;
	ka->large_free++;
	ka_free_frames(ka, pfn, order, KA_P_LARGE);
}

/* ---- caches (host) ---- */

struct kmem_cache *
kmem_cache_create(struct kalloc *ka, const char *name, size_t size, size_t align)
{
	g_assert(size > 0 && size <= KMALLOC_MAX_CACHE_SIZE);
	size_t a = align < 8 ? 8 : align;
	g_assert((a & (a - 1)) == 0);
	struct kmem_cache *s = g_new0(struct kmem_cache, 1);
	s->ka = ka;
	s->name = g_strdup(name);
	s->object_size = (uint32_t)size;
	s->size = (uint32_t)((size + a - 1) & ~(a - 1));
	s->offset = (uint32_t)((s->object_size / 2) & ~7u);
	/* calculate_order(), simplified (see MODEL above). */
	uint32_t min_objects = 4 * (fls32(ka->ncpus) + 1);
	s->order = ka_get_order(s->size);
	while (s->order < ka->p.slab_max_order &&
	       ((KA_PAGE_SIZE << s->order) / s->size) < min_objects)
		s->order++;
	s->objects = (uint32_t)(((size_t)KA_PAGE_SIZE << s->order) / s->size);
	/* set_min_partial(): ilog2(size) / 2, clamped to [5, 10]. */
	uint32_t mp = ilog2_32(s->size) / 2;
	s->min_partial = mp < 5 ? 5 : mp > 10 ? 10 : mp;
	/* set_cpu_partial(): objects kept on per-CPU partial lists, as slabs. */
	uint32_t nr_objects = !ka->p.cpu_partial ? 0 : s->size >= KA_PAGE_SIZE ? 6 :
			      s->size >= 1024 ? 24 : s->size >= 256 ? 52 : 120;
	s->cpu_partial_slabs = (nr_objects * 2 + s->objects - 1) / s->objects;

	s->line = sim_alloc(sizeof *s->line, 64);
	s->line->size = s->size;
	s->line->object_size = s->object_size;
	s->line->offset = s->offset;
	s->line->oo = (uint64_t)s->order << 16 | s->objects;
	s->line->min_partial = s->min_partial;
	sim_mem_place(ka->sim, s->line, sizeof *s->line, ka->node_socket[0]);
	s->cpu_slab = sim_alloc(sizeof *s->cpu_slab * ka->ncpus, 64);
	const struct sim_machine *m = sim_machine_of(ka->sim);
	for (uint32_t c = 0; c < ka->ncpus; c++)
		sim_mem_place(ka->sim, &s->cpu_slab[c], sizeof *s->cpu_slab,
			      sim_machine_place(m, c).socket);
	s->node = sim_alloc(sizeof *s->node * ka->nnodes, 64);
	for (uint32_t n = 0; n < ka->nnodes; n++) {
		ka_list_init_host(&s->node[n].partial);
		sim_mem_place(ka->sim, &s->node[n], sizeof *s->node, ka->node_socket[n]);
	}
	g_ptr_array_add(ka->caches, s);
	return s;
}

static void
kmem_cache_free_host(gpointer p)
{
	struct kmem_cache *s = p;
	g_free(s->name);
	g_free(s);
}

void
ka_slub_init(struct kalloc *ka)
{
	ka->caches = g_ptr_array_new_with_free_func(kmem_cache_free_host);
	for (unsigned i = 0; i < KMALLOC_NR; i++) {
		char name[32];
		g_snprintf(name, sizeof name, "kmalloc-%u", kmalloc_sizes[i]);
		ka->kmalloc_caches[i] = kmem_cache_create(ka, name, kmalloc_sizes[i], 8);
	}
}

void
ka_slub_destroy(struct kalloc *ka)
{
	if (ka->caches)
		g_ptr_array_free(ka->caches, TRUE);
	ka->caches = NULL;
}

uint64_t
kmem_cache_inuse(struct kmem_cache *s)
{
	return s->inuse;
}

/* ---- checks and statistics (host) ---- */

/* Count a host-walked free chain starting at obj (object pointers). */
static bool
walk_chain(struct kmem_cache *s, const struct page *slab, const char *obj, uint8_t *mark,
	   uint32_t *count, GString *why)
{
	const char *base = slab_base(s->ka, slab);
	for (; obj; obj = *(char *const *)(obj + s->offset)) {
		size_t off = (size_t)(obj - base);
		if (obj < base || off % s->size || off / s->size >= s->objects ||
		    mark[off / s->size]++) {
			g_string_append_printf(why, "%s: bad or repeated object on a freelist of "
					       "the slab at frame %" G_GUINT64_FORMAT, s->name,
					       (uint64_t)(slab - s->ka->mem_map));
			return false;
		}
		(*count)++;
	}
	return true;
}

static bool
check_slab(struct kmem_cache *s, struct page *slab, uint64_t *inuse, GString *why)
{
	struct kalloc *ka = s->ka;
	uint8_t *mark = g_new0(uint8_t, s->objects);
	uint32_t on_slab = 0, on_cpu = 0;
	uint64_t cn = slab->counters;
	bool ok = walk_chain(s, slab, idx_to_obj(s, slab, SC_FREE(cn)), mark, &on_slab, why);
	for (uint32_t c = 0; c < ka->ncpus && ok; c++)
		if (s->cpu_slab[c].slab == slab)
			ok = walk_chain(s, slab, s->cpu_slab[c].freelist, mark, &on_cpu, why);
	if (ok && SC_INUSE(cn) != s->objects - on_slab) {
		g_string_append_printf(why, "%s: slab at frame %" G_GUINT64_FORMAT " inuse %u but "
				       "%u of %u objects on its freelist", s->name,
				       (uint64_t)(slab - ka->mem_map), SC_INUSE(cn), on_slab,
				       s->objects);
		ok = false;
	}
	char *base = slab_base(ka, slab);
	for (uint32_t i = 0; i < s->objects && ok; i++)
		if ((bool)ka->live[live_index(ka, base + (size_t)i * s->size)] == (bool)mark[i]) {
			g_string_append_printf(why, "%s: object %u of the slab at frame %"
					       G_GUINT64_FORMAT " is %s", s->name, i,
					       (uint64_t)(slab - ka->mem_map),
					       mark[i] ? "free and live" : "neither free nor live");
			ok = false;
		}
	*inuse += s->objects - on_slab - on_cpu;
	g_free(mark);
	return ok;
}

/* Frozen slabs: each CPU's c->slab and partial list.  Return: false if a
 * slab is on two, a listed slab is not frozen, or a list's length is not
 * its head's slabs count; holders maps slab -> holder count. */
static bool
check_frozen(struct kmem_cache *s, GHashTable *holders, GString *why)
{
	for (uint32_t c = 0; c < s->ka->ncpus; c++) {
		const struct kmem_cache_cpu *cc = &s->cpu_slab[c];
		if (cc->slab)
			g_hash_table_add(holders, cc->slab);
		uint64_t len = 0;
		for (struct page *p = cc->partial; p; p = p->next, len++) {
			if (!SC_FROZEN(p->counters) || g_hash_table_contains(holders, p)) {
				g_string_append_printf(why, "%s: cpu %u partial list holds an unfrozen "
						       "or doubly held slab", s->name, c);
				return false;
			}
			g_hash_table_add(holders, p);
		}
		if (cc->partial && cc->partial->slabs != len) {
			g_string_append_printf(why, "%s: cpu %u partial list of %" G_GUINT64_FORMAT
					       " slabs, head says %" G_GUINT64_FORMAT, s->name, c, len,
					       cc->partial->slabs);
			return false;
		}
	}
	return true;
}

static bool
check_cache(struct kmem_cache *s, GString *why)
{
	struct kalloc *ka = s->ka;
	uint64_t inuse = 0, step = UINT64_C(1) << s->order;
	GHashTable *holders = g_hash_table_new(NULL, NULL);
	bool ok = check_frozen(s, holders, why);
	for (uint64_t pfn = 0; pfn < ka->npages && ok; pfn++) {
		if (ka->slab_of[pfn] != s)
			continue;
		struct page *slab = &ka->mem_map[pfn];
		ok = check_slab(s, slab, &inuse, why);
		if (ok && SC_FROZEN(slab->counters) != g_hash_table_contains(holders, slab)) {
			g_string_append_printf(why, "%s: slab at frame %" G_GUINT64_FORMAT " is %s",
					       s->name, pfn, SC_FROZEN(slab->counters) ?
					       "frozen but no CPU holds it" : "held by a CPU but not frozen");
			ok = false;
		}
		pfn += step - 1;
	}
	g_hash_table_destroy(holders);
	if (!ok)
		return false;
	if (inuse != s->inuse) {
		g_string_append_printf(why, "%s: %" G_GUINT64_FORMAT " objects allocated by the "
				       "slabs' counts, %" G_GUINT64_FORMAT " by the allocator's",
				       s->name, inuse, s->inuse);
		return false;
	}
	for (uint32_t n = 0; n < ka->nnodes; n++) {
		uint64_t cnt = 0;
		const struct ka_list *h = &s->node[n].partial;
		for (const struct ka_list *e = h->next; e != h; e = e->next, cnt++) {
			const struct page *sl = (const struct page *)((const char *)e -
								      offsetof(struct page, lru));
			if (SC_FROZEN(sl->counters) || SC_INUSE(sl->counters) == SC_OBJECTS(sl->counters)) {
				g_string_append_printf(why, "%s: node %u partial list holds a frozen "
						       "or full slab", s->name, n);
				return false;
			}
		}
		if (cnt != s->node[n].nr_partial) {
			g_string_append_printf(why, "%s: node %u nr_partial %" G_GUINT64_FORMAT
					       " but %" G_GUINT64_FORMAT " listed", s->name, n,
					       s->node[n].nr_partial, cnt);
			return false;
		}
	}
	return true;
}

bool
ka_slub_check(struct kalloc *ka, GString *why)
{
	for (guint i = 0; i < ka->caches->len; i++)
		if (!check_cache(g_ptr_array_index(ka->caches, i), why))
			return false;
	return true;
}

void
ka_slub_stats(struct kalloc *ka, cJSON *out)
{
	cJSON *arr = cJSON_AddArrayToObject(out, "caches");
	for (guint i = 0; i < ka->caches->len; i++) {
		const struct kmem_cache *s = g_ptr_array_index(ka->caches, i);
		if (s->alloc_fast + s->alloc_slow == 0)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", s->name);
		cJSON_AddNumberToObject(o, "size", s->size);
		cJSON_AddNumberToObject(o, "order", s->order);
		cJSON_AddNumberToObject(o, "objects_per_slab", s->objects);
		cJSON_AddNumberToObject(o, "inuse", (double)s->inuse);
		cJSON_AddNumberToObject(o, "alloc_fast", (double)s->alloc_fast);
		cJSON_AddNumberToObject(o, "alloc_slow", (double)s->alloc_slow);
		cJSON_AddNumberToObject(o, "alloc_refill", (double)s->alloc_refill);
		cJSON_AddNumberToObject(o, "alloc_from_partial", (double)s->alloc_partial);
		cJSON_AddNumberToObject(o, "new_slab", (double)s->new_slab);
		cJSON_AddNumberToObject(o, "free_fast", (double)s->free_fast);
		cJSON_AddNumberToObject(o, "free_slow", (double)s->free_slow);
		cJSON_AddNumberToObject(o, "free_add_partial", (double)s->free_to_partial);
		cJSON_AddNumberToObject(o, "discard_slab", (double)s->discard_slab);
		cJSON_AddNumberToObject(o, "cpu_partial_alloc", (double)s->cpu_partial_alloc);
		cJSON_AddNumberToObject(o, "cpu_partial_free", (double)s->cpu_partial_free);
		cJSON_AddNumberToObject(o, "cpu_partial_drain", (double)s->cpu_partial_drain);
		cJSON *l = cJSON_AddObjectToObject(o, "list_lock");
		cJSON_AddNumberToObject(l, "acquired", (double)s->list_lock.acquired);
		cJSON_AddNumberToObject(l, "lock_cycles", (double)s->list_lock.lock_cycles);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddNumberToObject(out, "large_alloc", (double)ka->large_alloc);
	cJSON_AddNumberToObject(out, "large_free", (double)ka->large_free);
}
