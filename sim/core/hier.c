// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The memory hierarchy's capacity side: each core's private L1d and L2,
 * each cluster's LLC, and each socket's memory controller.  cache.c
 * decides what a transaction costs and who may hold a line; this file
 * decides which lines still fit, and what falls out.
 *
 * WHAT IT MODELS
 *   core:    L1d (private_cache_lines, l1d_ways) inside an L2 (l2_lines,
 *            l2_ways; none when l2_lines = 0).  Both hold S copies and the
 *            lines the core owns (M/E), set-indexed by line number (the
 *            arena is physically contiguous), LRU.  A load found in the
 *            L2 costs latency.l2_hit and moves the line into the L1d.
 *   cluster: LLC (cluster_cache_lines, llc_ways), sets indexed by a hash
 *            of the line (like Intel's slice hash), LRU; holds S copies
 *            and lines written back by the cluster's cores.
 *   socket:  a memory controller that starts one 64-byte line every
 *            64 B / mem_bandwidth_gbs: a DRAM read that finds it busy
 *            waits (cache.c adds the wait to the transaction); a
 *            writeback occupies it without anybody waiting.
 *
 * Eviction from the last private level (L2, or L1d without an L2) of a
 * line the core owns gives it back to its home at once: the directory
 * forgets the owner (the old owner's window ends at the eviction), a
 * dirty line is written back to DRAM (memory-controller time), and the
 * line is put in the cluster's LLC.  A later miss finds it there, or at
 * the home's LLC, or in DRAM at the home's distance (cache.c,
 * legs_from_home).  An owned line is not evicted while a request for it
 * waits at its directory or a grant to it is still in flight (owner_from
 * in the future); if every way of a set is such a line, the fill is not
 * recorded (the set briefly holds one line more than it has ways).
 *
 * HOW THE CACHES ARE STORED (host memory only; no effect on results)
 *   Each cache (L1d, L2, LLC) is a table of the lines it holds, open
 *   addressing with linear probing, each line placed from the home slot
 *   of its set, so one walk of that run finds the line or, when the line
 *   is not there, every member of its set: a set with fewer than `ways`
 *   members has a free way (taken first, as an empty way was), else the
 *   LRU member that may leave is replaced in place.  The LLC's home is a
 *   hash of the set number.  A private cache's home is key * cap / sets,
 *   key a permutation of the set number (times an odd constant modulo a
 *   power-of-two set count: the first lines of many pages, whose sets
 *   are close, spread over the table), so each set gets cap / sets slots
 *   (16 at a full L2 of 8 ways: no set spills into the next); with
 *   monotone homes computed per entry, its runs are kept in order of
 *   home (an insertion shifts the rest of the run on; a removal shifts it
 *   back up to the first entry at its home), so a walk stops at the first
 *   entry of a later home instead of at the run's end.  Which slot a line
 *   takes has no effect on results: the LRU stamps of a cache are
 *   distinct, so the victim is the same in any order.  Host memory is
 *   proportional to the lines held (12 bytes a private line, 32 an LLC
 *   line, the table at most 3/4 full), not to the sets touched: before, a private cache was made 4 sets of 8 ways at a
 *   time and an LLC 16 sets of 16 ways, and a tree walk, one or two lines
 *   in each of hundreds of sets, cost 300-380 KiB of host memory per
 *   simulated CPU on `large`.  Private LRU stamps are 32-bit and
 *   renumbered in order when a cache's clock wraps (lru_renumber).
 *
 * INVARIANTS
 *   - a line is in a core's L1d only if it is in its L2 (when it has one);
 *   - a table holds at most `ways` lines of a set, each line once, all in
 *     the run that starts at the set's home slot; n * 4 <= cap * 3;
 *   - in a private cache the homes of a run's entries never decrease
 *     along it (cyclically, from the run's first slot);
 *   - private LRU stamps are distinct within a cache and at most its clock;
 *   - a non-empty entry of sim_core.recent names a line of that core's
 *     L1d, whose way has the entry's gen and is the most recently used
 *     of its set; lines of one set share one entry (index = set &
 *     recent_mask), so a use of any line of the set rewrites it (a zeroed
 *     core needs no initialization; debug builds check every hit on it,
 *     sim_pc_recent_check);
 *   - mc_free[s] never decreases.
 *
 * WHAT IT LEAVES OUT (MODEL)
 *   - Invalidated S copies stay in their ways until LRU pushes them out
 *     (real caches free the way at once): slightly fewer useful lines
 *     under heavy write sharing.
 *   - Stores and RMWs that hit refresh the LRU position but pay no L2
 *     latency (the store buffer and the RMW's atomic_hit hide it).
 *   - The LLC is non-inclusive and takes private victims whole; LLC
 *     evictions are silent (the dirty data already went to DRAM at the
 *     private eviction): LLC-to-DRAM writeback traffic is not modelled.
 *   - A downgrade M -> S inside the home socket, or on a preset without
 *     latency.share_writeback, writes the data back to the home without
 *     memory-controller time (cache.c, "Remote reads").
 *   - One queue per socket, no channels, banks, row buffers or refresh:
 *     the DRAM latency is flat (latency.mem) until the bandwidth binds.
 *
 * Source: the structure is the textbook one (Hennessy & Patterson ch. 2);
 * the sizes and latencies of each preset are in its "sources".
 */
#include <string.h>
#include <sys/mman.h>

#include "engine_impl.h"

/* ---- geometry and lazy sets ---- */

static struct sim_cgeom
geom(uint32_t lines, uint32_t ways, bool hashed)
{
	uint32_t sets = lines / ways;
	return (struct sim_cgeom){ .sets = sets ? sets : 1, .ways = ways, .hashed = hashed };
}

/* murmur3's 64-bit finalizer: every bit of x reaches every bit. */
static inline uint64_t
mix64(uint64_t x)
{
	x = (x ^ (x >> 33)) * UINT64_C(0xff51afd7ed558ccd);
	x = (x ^ (x >> 33)) * UINT64_C(0xc4ceb9fe1a85ec53);
	return x ^ (x >> 33);
}

static inline uint32_t
set_index(const struct sim_cgeom *g, uint32_t line)
{
	if (g->hashed) {
		/* murmur3's 64-bit finalizer: every input bit reaches the low
		 * bits (a multiplicative hash's middle bits used only an
		 * eighth of 32,768 sets for a contiguous range of lines) */
		return (uint32_t)(mix64(line) % g->sets);
	}
	return (g->sets & (g->sets - 1)) == 0 ? line & (g->sets - 1) : line % g->sets;
}

/* ---- private caches: a table of the lines held (see engine_impl.h) ---- */

/* The slot where set si's group starts in c (c->cap > 0): key * cap / sets
 * rounded down, key a permutation of si (see the top comment). */
static inline uint32_t
home(const struct sim_cgeom *g, const struct sim_cache *c, uint32_t si)
{
	uint32_t key = si;
	if ((g->sets & (g->sets - 1)) == 0)
		key = (si * UINT32_C(0x9e3779b1)) & (g->sets - 1);
	return (uint32_t)(((uint64_t)key * c->hmul) >> 32);
}

/* How far slot i of c sits past the home of set si. */
static inline uint32_t
past_home(const struct sim_cgeom *g, const struct sim_cache *c, uint32_t si, uint32_t i)
{
	return (i - home(g, c, si)) & (c->cap - 1);
}

/* How far the entry of line, in slot i of c, sits past its home. */
static inline uint32_t
displacement(const struct sim_cgeom *g, const struct sim_cache *c, uint32_t line, uint32_t i)
{
	return past_home(g, c, set_index(g, line), i);
}

/* c's entry for line, or NULL. */
static inline struct sim_cway *
find_in(const struct sim_cgeom *g, const struct sim_cache *c, uint32_t line)
{
	if (c->cap == 0)
		return NULL;
	uint32_t mask = c->cap - 1, si = set_index(g, line);
	uint32_t i = home(g, c, si);
	for (uint32_t d = 0;; i = (i + 1) & mask, d++) {
		uint32_t l = c->slot[i].line;
		if (l == line)
			return &c->slot[i];
		/* an empty slot, or the first entry of a later home: the
		 * entries of line's home are all behind (a member of line's
		 * set is at line's home) */
		if (l == SIM_NONE)
			return NULL;
		uint32_t lsi = set_index(g, l);
		if (lsi != si && past_home(g, c, lsi, i) < d)
			return NULL;
	}
}

/* Put entry e into slot i of c (not full), shifting the rest of the run
 * one slot on; return i. */
static uint32_t
insert_at(struct sim_cache *c, uint32_t i, struct sim_cway e)
{
	uint32_t mask = c->cap - 1, at = i;
	while (e.line != SIM_NONE) {
		struct sim_cway next = c->slot[i];
		c->slot[i] = e;
		e = next;
		i = (i + 1) & mask;
	}
	c->n++;
	return at;
}

/* Put entry e into c (not full, e's line absent) at the end of its home's
 * group; return its slot. */
static uint32_t
insert(const struct sim_cgeom *g, struct sim_cache *c, struct sim_cway e)
{
	uint32_t mask = c->cap - 1;
	uint32_t i = home(g, c, set_index(g, e.line));
	for (uint32_t d = 0; c->slot[i].line != SIM_NONE; i = (i + 1) & mask, d++)
		if (displacement(g, c, c->slot[i].line, i) < d)
			break;
	return insert_at(c, i, e);
}

/* core's recent-table entry for line's set. */
static inline struct sim_recent *
recent_of(const struct sim *s, struct sim_core *core, uint32_t line)
{
	return &core->recent[line & s->recent_mask];
}

/* line left core's L1d (or its way is being reused): forget its entry. */
static inline void
recent_drop(const struct sim *s, struct sim_core *core, uint32_t line)
{
	struct sim_recent *e = recent_of(s, core, line);
	if (e->tag == line + 1)
		*e = (struct sim_recent){ 0 };
}

static int
cmp_lru(const void *a, const void *b)
{
	uint32_t x = (*(struct sim_cway *const *)a)->lru, y = (*(struct sim_cway *const *)b)->lru;
	return x < y ? -1 : x > y;
}

/* The clock reached its end: renumber c's stamps 1..n keeping their order
 * (stamps are distinct: each use takes a new one), so every comparison
 * of two stamps comes out as before. */
static void
lru_renumber(struct sim_cache *c)
{
	struct sim_cway **v = g_new(struct sim_cway *, c->n);
	uint32_t k = 0;
	for (uint32_t i = 0; i < c->cap; i++)
		if (c->slot[i].line != SIM_NONE)
			v[k++] = &c->slot[i];
	SIM_ASSERT(k == c->n);
	qsort(v, k, sizeof(*v), cmp_lru);
	for (uint32_t i = 0; i < k; i++)
		v[i]->lru = i + 1;
	c->clock = k;
	g_free(v);
}

static inline void
touch(struct sim_cache *c, struct sim_cway *w)
{
	if (G_UNLIKELY(c->clock >= (c->lru_wrap ? c->lru_wrap : UINT32_MAX)))
		lru_renumber(c);
	w->lru = ++c->clock;
}

/* A use of L1d way w of core: its LRU stamp, and it becomes the recent
 * entry of its set (the most recently used line there). */
static inline void
touch_l1(const struct sim *s, struct sim_core *core, struct sim_cway *w)
{
	touch(&core->l1, w);
	*recent_of(s, core, w->line) = (struct sim_recent){ .tag = w->line + 1, .gen = w->gen };
}

/* The size of the k-th slab mapping: 64 KiB, doubling up to 2 MiB. */
static size_t
pc_slab_size(guint k)
{
	return (size_t)64 << (10 + MIN(k, 5u));
}

/*
 * A first table (SIM_PC_FIRST_CAP slots), carved from s's slabs: every core
 * a run uses makes two (L1d, L2) with its first access, 131,072 at 65,536
 * CPUs.  Host speed only: one malloc each, freed one by one at the end,
 * was about 50 M of the 259 M host instructions of bench/run's
 * setup-65536 (callgrind), and their pages were faulted in one at a time;
 * a slab is faulted in at once (sim_host_map_filled).  A slab's unused
 * tail is at most half of it (sizes double), at most 2 MiB.  Tables are
 * never given back one by one: a grown table's first one stays in its
 * slab until the end.  Slabs are mmap'd: AddressSanitizer does not see an
 * overrun of a first table (it does of a grown one).
 */
static struct sim_cway *
first_table(struct sim *s)
{
	const size_t bytes = SIM_PC_FIRST_CAP * sizeof(struct sim_cway);
	if ((size_t)(s->pc_slab_end - s->pc_slab) < bytes) {
		if (s->pc_slabs == NULL)
			s->pc_slabs = g_ptr_array_new();
		size_t size = pc_slab_size(s->pc_slabs->len);
		void *p = sim_host_map_filled(size);
		if (p == NULL)
			g_error("out of memory for private-cache tables");
		g_ptr_array_add(s->pc_slabs, p);
		s->pc_slab = p;
		s->pc_slab_end = (char *)p + size;
	}
	struct sim_cway *t = (struct sim_cway *)(void *)s->pc_slab;
	s->pc_slab += bytes;
	return t;
}

/* Free a private cache's table of cap slots (NULL if cap is 0): a first
 * table stays in its slab until sim_hier_free unmaps the slabs. */
static void
table_free(struct sim_cway *slot, uint32_t cap)
{
	if (cap > SIM_PC_FIRST_CAP)
		g_free(slot);
}

/* Double c's table (or make its first, SIM_PC_FIRST_CAP slots), rehashing
 * every line. */
static void
grow(struct sim *s, const struct sim_cgeom *g, struct sim_cache *c)
{
	struct sim_cache old = *c;
	c->cap = old.cap ? old.cap * 2 : SIM_PC_FIRST_CAP;
	c->hmul = ((uint64_t)c->cap << 32) / g->sets;
	c->slot = old.cap ? g_new(struct sim_cway, c->cap) : first_table(s);
	for (uint32_t i = 0; i < c->cap; i++)
		c->slot[i].line = SIM_NONE;
	c->n = 0;
	for (uint32_t k = 0; k < old.cap; k++)
		if (old.slot[k].line != SIM_NONE)
			(void)insert(g, c, old.slot[k]);
	SIM_ASSERT(c->n == old.n);
	table_free(old.slot, old.cap);
	s->cache_bytes += (uint64_t)(c->cap - old.cap) * sizeof(struct sim_cway);
	sim_mem_grew(s);
}

/* Take the entry in slot i out of c, closing the gap (backward shift: the
 * entries after it move up one slot, up to the first at its home). */
static void
remove_at(const struct sim_cgeom *g, struct sim_cache *c, uint32_t i)
{
	uint32_t mask = c->cap - 1;
	for (uint32_t j = (i + 1) & mask; c->slot[j].line != SIM_NONE; j = (j + 1) & mask) {
		if (displacement(g, c, c->slot[j].line, j) == 0)
			break;
		c->slot[i] = c->slot[j];
		i = j;
	}
	c->slot[i].line = SIM_NONE;
	c->n--;
}

/* ---- ownership given back on eviction ---- */

/* The line record without counting it as touched by the event. */
static struct sim_line *
line_peek(const struct sim *s, uint32_t id)
{
	struct sim_line *c = s->line_chunks[id >> SIM_LINE_CHUNK_SHIFT];
	return c ? &c[id & (SIM_LINE_CHUNK - 1)] : NULL;
}

static inline bool
owned_by_core(const struct sim *s, const struct sim_line *l, uint32_t core)
{
	return l && l->owner != SIM_NONE && s->cpus[l->owner].core == core;
}

/* May the owner give l back at time t?  Not while the directory has work
 * for it or the last grant has not completed. */
static inline bool
can_give_back(const struct sim_line *l, sim_time_t t)
{
	return l->nwait == 0 && !l->ev_pending && l->owner_from <= t &&
	       (l->prev_owner == SIM_NONE || l->prev_until <= t);
}

/* Core core evicts line id, which it owns, at time t. */
static void
give_back(struct sim *s, uint32_t core, struct sim_line *l, uint32_t id, sim_time_t t)
{
	const struct sim_cpu *oc = &s->cpus[l->owner];
	SIM_ASSERT(s->cpus[l->owner].core == core && can_give_back(l, t));
	l->prev_owner = l->owner;
	l->prev_from = l->owner_from;
	l->prev_until = t;
	l->owner = SIM_NONE;
	s->st.evictions++;
	if (l->dirty) {
		l->dirty = false;
		s->st.writebacks++;
		sim_mc_write(s, l->home, t);
	}
	struct sim_l3_ent *e = sim_llc_get(s, oc->cluster, id);
	if (e) {
		sim_l3_set_gen(s, l, oc->cluster, e, l->gen);
		if (e->busy_until < t)
			e->busy_until = t;
	}
}

/* The line in way v leaves core's last private level at time t (the
 * caller puts another line in v). */
static void
evict_last(struct sim *s, uint32_t core_id, struct sim_cway *v, sim_time_t t)
{
	struct sim_core *core = &s->cores[core_id];
	uint32_t id = v->line;
	if (s->m->l2_lines) {
		struct sim_cway *w1 = find_in(&s->g_l1, &core->l1, id);
		if (w1) {
			/* inclusion: back-invalidate */
			recent_drop(s, core, id);
			remove_at(&s->g_l1, &core->l1, (uint32_t)(w1 - core->l1.slot));
		}
	}
	struct sim_line *l = line_peek(s, id);
	if (l && v->gen == l->gen) {
		/* A counted S copy leaves (the directory's sharer record). */
		SIM_ASSERT(l->nsh > 0);
		l->nsh--;
		sim_sharer_lost(l);
	}
	if (l)
		sim_inv_touch(s, l, id);   /* its sharer record changed: check it */
	sim_inv_hold(s, id, core_id, false);
	if (owned_by_core(s, l, core_id))
		give_back(s, core_id, l, id, t);
}

/*
 * The entry of c for line: the one it has, else a new one (line set, gen
 * SIM_GEN_OWNED, lru not yet set) in a free way of line's set, else the
 * least recently used line of the set that may leave, which leaves first
 * (last: c is the core's last private level, so an owned line whose owner
 * cannot give it back yet may not leave, and one that leaves goes back to
 * its home).  NULL if none may leave (the fill is not recorded).
 * l1: c is the core's L1d.
 */
static struct sim_cway *
place(struct sim *s, const struct sim_cgeom *g, struct sim_cache *c, uint32_t core_id, bool l1,
      bool last, uint32_t line, sim_time_t t)
{
	struct sim_core *core = &s->cores[core_id];
	if (c->cap == 0)
		grow(s, g, c);
	uint32_t si = set_index(g, line), mask = c->cap - 1, members = 0;
	struct sim_cway *best = NULL;
	uint32_t i = home(g, c, si);
	for (uint32_t d = 0; c->slot[i].line != SIM_NONE; i = (i + 1) & mask, d++) {
		struct sim_cway *w = &c->slot[i];
		if (w->line == line)
			return w;
		uint32_t wsi = set_index(g, w->line);
		if (wsi != si) {
			if (past_home(g, c, wsi, i) < d)
				break;          /* a later home: si's group is behind */
			continue;
		}
		members++;
		if (best && w->lru >= best->lru)
			continue;
		if (last) {
			const struct sim_line *l = line_peek(s, w->line);
			if (owned_by_core(s, l, core_id) && !can_give_back(l, t))
				continue;
		}
		best = w;
	}
	if (members < g->ways) {
		/* a free way: the line goes at the end of its home's group
		 * (slot i, where the walk stopped, unless the table grows) */
		struct sim_cway e = { .line = line, .gen = SIM_GEN_OWNED };
		if ((c->n + 1) * 4 > c->cap * 3) {
			grow(s, g, c);
			i = insert(g, c, e);
		} else {
			i = insert_at(c, i, e);
		}
		best = &c->slot[i];
	} else {
		if (best == NULL)
			return NULL;
		if (last)
			evict_last(s, core_id, best, t);
		if (l1)
			recent_drop(s, core, best->line);
		*best = (struct sim_cway){ .line = line, .gen = SIM_GEN_OWNED, .lru = best->lru };
	}
	if (last)
		sim_inv_hold(s, line, core_id, true);
	return best;
}


/* ---- the private levels ---- */

/*
 * sim_pc_find - core's entry for line in its L1d or L2, or NULL.
 * Context: any; no LRU update, no cost.
 */
struct sim_cway *
sim_pc_find(const struct sim *s, const struct sim_core *core, uint32_t line)
{
	struct sim_cway *w = find_in(&s->g_l1, &core->l1, line);
	if (w == NULL && s->m->l2_lines)
		w = find_in(&s->g_l2, &core->l2, line);
	return w;
}

/*
 * sim_pc_last - core's entry for line in its last private level (L2, or
 * L1d without one), or NULL.  Context: any; no LRU update, no cost.
 */
struct sim_cway *
sim_pc_last(const struct sim *s, uint32_t core, uint32_t line)
{
	const struct sim_core *k = &s->cores[core];
	return s->m->l2_lines ? find_in(&s->g_l2, &k->l2, line) : find_in(&s->g_l1, &k->l1, line);
}

/*
 * sim_pc_level_slow - sim_pc_level() (engine_impl.h) past its inline
 * recent-table test: same contract.
 */
unsigned
sim_pc_level_slow(struct sim *s, uint32_t core_id, uint32_t line, uint32_t *gen)
{
	struct sim_core *core = &s->cores[core_id];
	struct sim_cway *w = find_in(&s->g_l1, &core->l1, line);
	if (w) {
		touch_l1(s, core, w);
		*gen = w->gen;
		return 1;
	}
	if (s->m->l2_lines == 0)
		return 0;
	w = find_in(&s->g_l2, &core->l2, line);
	if (w == NULL)
		return 0;
	touch(&core->l2, w);
	*gen = w->gen;
	/* Promote: the L1d victim stays in the L2 (inclusion), nothing leaves. */
	struct sim_cway *v = place(s, &s->g_l1, &core->l1, core_id, true, false, line, 0);
	v->gen = w->gen;
	touch_l1(s, core, v);
	return 2;
}

#ifndef NDEBUG
/* sim_pc_recent_check - see engine_impl.h (debug builds). */
void
sim_pc_recent_check(const struct sim *s, uint32_t core_id, const struct sim_recent *e)
{
	const struct sim_core *core = &s->cores[core_id];
	uint32_t line = e->tag - 1;
	const struct sim_cway *w = find_in(&s->g_l1, &core->l1, line);
	SIM_ASSERT(w != NULL && w->gen == e->gen);
	SIM_ASSERT(e == &core->recent[line & s->recent_mask]);
	/* the most recently used line of its set */
	uint32_t si = set_index(&s->g_l1, line), mask = core->l1.cap - 1;
	for (uint32_t i = home(&s->g_l1, &core->l1, si); core->l1.slot[i].line != SIM_NONE;
	     i = (i + 1) & mask) {
		const struct sim_cway *o = &core->l1.slot[i];
		SIM_ASSERT(set_index(&s->g_l1, o->line) != si || o->lru <= w->lru);
	}
}
#endif

/*
 * The core's last private level retags its copy of l from old_gen to gen:
 * the sharer record, which counts the core once (at that level), gains or
 * loses it when the copy starts or stops being of the current generation.
 */
static inline void
retag_last_level(struct sim *s, struct sim_line *l, uint32_t cluster, uint32_t old_gen,
		 uint32_t gen)
{
	bool was = old_gen == l->gen;
	if (gen == l->gen && !was) {
		l->nsh++;
		sim_sharer_gained(s, l, cluster);
	} else if (was && gen != l->gen) {
		SIM_ASSERT(l->nsh > 0);
		l->nsh--;
		sim_sharer_lost(l);
	}
	sim_inv_retagged(l, old_gen, gen);
}

/*
 * sim_pc_fill - core now holds line (an S copy tagged gen, or the line it
 * was granted in M/E) in its L1d and L2.  Lines pushed out of the last
 * private level at time t leave the core; owned ones go back to their
 * home (see the top comment).  t must be the current simulated time: no
 * grant is processed before it afterwards.
 * Context: scheduler (a grant) or the running CPU (an LLC hit); costs
 * nothing to the caller (an eviction's writeback occupies the memory
 * controller).
 */
void
sim_pc_fill(struct sim *s, uint32_t core_id, uint32_t cluster, struct sim_line *l, uint32_t line,
	    uint32_t gen, sim_time_t t)
{
	struct sim_core *core = &s->cores[core_id];
	bool has_l2 = s->m->l2_lines != 0;
	struct sim_cway *last = NULL;
	/* Fast path: already in the L1d (so in the L2, with the same gen).
	 * The L2 sees no use while the L1d hits, as on hardware; only a new
	 * generation is written through to it. */
	const struct sim_recent *e = recent_of(s, core, line);
	if (e->tag == line + 1 && e->gen == gen)
		return;         /* its set's most recent line already: nothing changes */
	struct sim_cway *w1 = find_in(&s->g_l1, &core->l1, line);
	if (w1 && (!has_l2 || w1->gen == gen)) {
		if (!has_l2)
			retag_last_level(s, l, cluster, w1->gen, gen);
		w1->gen = gen;
		touch_l1(s, core, w1);
		return;
	}
	if (has_l2) {
		/* a line of the L1d is in the L2 (inclusion), where place()
		 * would find it and change nothing */
		last = w1 ? find_in(&s->g_l2, &core->l2, line)
			  : place(s, &s->g_l2, &core->l2, core_id, false, true, line, t);
		SIM_ASSERT(w1 == NULL || last != NULL);
		if (last == NULL)
			return;            /* every way pinned: not recorded */
	}
	/* w1, if any, is what place() would return: the L2's place moves no
	 * L1d entry when the line is there */
	struct sim_cway *w = w1 ? w1 : place(s, &s->g_l1, &core->l1, core_id, true, !has_l2, line, t);
	if (w == NULL)
		return;
	if (!has_l2)
		last = w;
	retag_last_level(s, l, cluster, last->gen, gen);
	if (has_l2) {
		last->gen = gen;
		touch(&core->l2, last);
	}
	w->gen = gen;
	touch_l1(s, core, w);
}

/* ---- cluster LLCs: the same kind of table (see engine_impl.h) ---- */

static inline uint32_t
llc_home(const struct sim_cluster *cl, uint32_t si)
{
	return (uint32_t)(mix64(si) & (cl->cap - 1));
}

/*
 * sim_llc_find - cl's entry for line (valid or not: check gen and fill),
 * or NULL.  Context: any; no LRU update, no cost.
 */
struct sim_l3_ent *
sim_llc_find(const struct sim *s, const struct sim_cluster *cl, uint32_t line)
{
	if (cl->cap == 0)
		return NULL;
	uint32_t mask = cl->cap - 1;
	for (uint32_t i = llc_home(cl, set_index(&s->g_llc, line));; i = (i + 1) & mask) {
		uint32_t l = cl->slot[i].line;
		if (l == line)
			return &cl->slot[i];
		if (l == SIM_NONE)
			return NULL;
	}
}

/* Double cl's table (or make its first, 64 slots), rehashing every line. */
static void
llc_grow(struct sim *s, struct sim_cluster *cl)
{
	struct sim_cluster old = *cl;
	cl->cap = old.cap ? old.cap * 2 : 64;
	cl->slot = g_new0(struct sim_l3_ent, cl->cap);
	for (uint32_t i = 0; i < cl->cap; i++)
		cl->slot[i].line = SIM_NONE;
	uint32_t mask = cl->cap - 1;
	for (uint32_t k = 0; k < old.cap; k++) {
		if (old.slot[k].line == SIM_NONE)
			continue;
		uint32_t i = llc_home(cl, set_index(&s->g_llc, old.slot[k].line));
		while (cl->slot[i].line != SIM_NONE)
			i = (i + 1) & mask;
		cl->slot[i] = old.slot[k];
	}
	g_free(old.slot);
	s->cache_bytes += (uint64_t)(cl->cap - old.cap) * sizeof(struct sim_l3_ent);
	sim_mem_grew(s);
}

/*
 * sim_llc_get - find or make cluster's entry for line (LRU victim, never
 * one with a fetch in flight) and mark it used.  A new entry has gen 0,
 * never valid (generations start at SIM_GEN_INIT).  NULL only if every
 * way has a fetch in flight.  Context: any; no cost (LLC victims leave
 * silently, see WHAT IT LEAVES OUT).
 */
struct sim_l3_ent *
sim_llc_get(struct sim *s, uint32_t cluster_id, uint32_t line)
{
	struct sim_cluster *cl = &s->clusters[cluster_id];
	const struct sim_cgeom *g = &s->g_llc;
	uint32_t si = set_index(g, line);
	if (cl->cap == 0)
		llc_grow(s, cl);
	uint32_t mask = cl->cap - 1, members = 0, i = llc_home(cl, si);
	struct sim_l3_ent *best = NULL;
	for (; cl->slot[i].line != SIM_NONE; i = (i + 1) & mask) {
		struct sim_l3_ent *e = &cl->slot[i];
		if (e->line == line) {
			e->lru = ++cl->clock;
			return e;
		}
		if (set_index(g, e->line) != si)
			continue;
		members++;
		if (e->fill == NULL && (best == NULL || e->lru < best->lru))
			best = e;
	}
	if (members < g->ways) {
		/* a free way (taken before any victim): the end of the set's run */
		if ((cl->n + 1) * 4 > cl->cap * 3) {
			llc_grow(s, cl);
			mask = cl->cap - 1;
			for (i = llc_home(cl, si); cl->slot[i].line != SIM_NONE; i = (i + 1) & mask)
				;
		}
		cl->n++;
		best = &cl->slot[i];
		best->line = SIM_NONE;
	}
	if (best == NULL)
		return NULL;
	if (best->line != SIM_NONE) {
		struct sim_line *vl = line_peek(s, best->line);
		if (vl && best->gen == vl->gen) {
			SIM_ASSERT(vl->nsh_llc > 0);
			vl->nsh_llc--;
			sim_sharer_lost(vl);
		}
		if (vl)
			sim_inv_touch(s, vl, best->line);
		sim_inv_hold(s, best->line, SIM_INV_LLC | cluster_id, false);
	}
	*best = (struct sim_l3_ent){ .line = line, .gen = 0, .lru = ++cl->clock };
	sim_inv_hold(s, line, SIM_INV_LLC | cluster_id, true);
	return best;
}

/* ---- memory controllers ---- */

/*
 * sim_mc_read - a DRAM read reaches socket's memory controller at t.
 * Return: cycles it waits for the controller (0 when unbounded).
 * Context: scheduler (a grant); books the controller for one line.
 */
uint64_t
sim_mc_read(struct sim *s, uint32_t socket, sim_time_t t)
{
	if (s->mc_interval == 0)
		return 0;
	uint64_t tf = t * SIM_MC_FRAC;
	uint64_t start = tf > s->mc_free[socket] ? tf : s->mc_free[socket];
	s->mc_free[socket] = start + s->mc_interval;
	return (start - tf + SIM_MC_FRAC - 1) / SIM_MC_FRAC;
}

/*
 * sim_mc_write - a writeback reaches socket's controller at t: it takes a
 * slot nobody waits for.  Context: scheduler or the running CPU.
 */
void
sim_mc_write(struct sim *s, uint32_t socket, sim_time_t t)
{
	if (s->mc_interval == 0)
		return;
	uint64_t tf = t * SIM_MC_FRAC;
	s->mc_free[socket] = (tf > s->mc_free[socket] ? tf : s->mc_free[socket]) + s->mc_interval;
}

/* ---- life cycle ---- */

/*
 * sim_hier_init - the core records (s->ncores of them), cache geometries
 * and memory controllers of s->m.  Context: host, sim_create.
 */
void
sim_hier_init(struct sim *s)
{
	const struct sim_machine *m = s->m;
	s->g_l1 = geom(m->private_cache_lines, m->l1d_ways, false);
	s->g_l2 = m->l2_lines ? geom(m->l2_lines, m->l2_ways, false) : (struct sim_cgeom){ 0 };
	s->g_llc = geom(m->cluster_cache_lines, m->llc_ways, true);
	uint32_t sets = s->g_l1.sets;
	s->recent_mask = (sets & (sets - 1)) != 0 ? 0 : (sets < SIM_RECENT ? sets : SIM_RECENT) - 1;
	/* Line-aligned (struct sim_core's layout) and zero, pages made on
	 * first touch: the machine's every core has a record, a run uses
	 * those of its CPUs. */
	void *cores = mmap(NULL, (size_t)s->ncores * sizeof(struct sim_core),
			   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cores == MAP_FAILED)
		g_error("out of memory for %u core records", s->ncores);
	s->cores = cores;
	s->mc_free = g_new0(uint64_t, m->topo.sockets);
	if (m->mem_bandwidth_gbs > 0) {
		/* cycles per line = 64 B / (GB/s) * GHz */
		double per_line = SIM_LINE_BYTES * m->freq_ghz / m->mem_bandwidth_gbs;
		s->mc_interval = (uint64_t)(per_line * SIM_MC_FRAC + 0.5);
		if (s->mc_interval == 0)
			s->mc_interval = 1;
	}
}

/* sim_hier_free - the core records, every cache array and controller of s (host). */
void
sim_hier_free(struct sim *s)
{
	/* Only the cores of the run's CPUs have tables (the machine's other
	 * records were never touched: reading them would fault in their
	 * pages, 8 MiB at 65,536 cores). */
	for (uint32_t i = 0; s->cores && s->cpus && i < s->ncpus; i++) {
		struct sim_core *core = &s->cores[s->cpus[i].core];
		/* SMT siblings share a core; first tables are in the slabs */
		table_free(core->l1.slot, core->l1.cap);
		table_free(core->l2.slot, core->l2.cap);
		core->l1.slot = core->l2.slot = NULL;
		core->l1.cap = core->l2.cap = 0;
	}
	for (guint k = 0; s->pc_slabs && k < s->pc_slabs->len; k++)
		munmap(g_ptr_array_index(s->pc_slabs, k), pc_slab_size(k));
	if (s->pc_slabs)
		g_ptr_array_free(s->pc_slabs, TRUE);
	s->pc_slabs = NULL;
	s->pc_slab = s->pc_slab_end = NULL;
	if (s->cores)
		munmap(s->cores, (size_t)s->ncores * sizeof(struct sim_core));
	s->cores = NULL;
	for (uint32_t i = 0; s->clusters && i < s->nclusters; i++) {
		g_free(s->clusters[i].slot);
		s->clusters[i] = (struct sim_cluster){ 0 };
	}
	g_free(s->mc_free);
	s->mc_free = NULL;
}
