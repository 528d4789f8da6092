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
 * INVARIANTS
 *   - a line is in a core's L1d only if it is in its L2 (when it has one);
 *   - sim_core.mru is NULL or points at an L1d way of that core, the most
 *     recently used of its set, whose line + 1 and gen mru_tag and
 *     mru_gen repeat (mru_tag is 0 when mru is NULL: a zeroed core, as
 *     sim_create makes it, needs no initialization);
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

static inline size_t
nchunks(const struct sim_cgeom *g)
{
	return (g->sets + SIM_CSET_CHUNK - 1) / SIM_CSET_CHUNK;
}

static inline size_t
ptab_slot(const struct sim_ptab *t, uint64_t key)
{
	return (size_t)mix64(key) & (t->cap - 1);
}

static void
ptab_grow(struct sim *s)
{
	struct sim_ptab *t = &s->ptab, old = *t;
	t->cap = old.cap ? old.cap * 2 : 1024;
	t->key = g_new(uint64_t, t->cap);
	t->val = g_new(struct sim_cway *, t->cap);
	for (size_t i = 0; i < t->cap; i++)
		t->key[i] = UINT64_MAX;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.key[i] == UINT64_MAX)
			continue;
		size_t k = ptab_slot(t, old.key[i]);
		while (t->key[k] != UINT64_MAX)
			k = (k + 1) & (t->cap - 1);
		t->key[k] = old.key[i];
		t->val[k] = old.val[i];
	}
	s->cache_bytes += (t->cap - old.cap) * (sizeof(uint64_t) + sizeof(struct sim_cway *));
	g_free(old.key);
	g_free(old.val);
}

/* The ways of set si, or NULL if its chunk was never used. */
static inline struct sim_cway *
set_at(const struct sim *s, const struct sim_cgeom *g, const struct sim_cache *c, uint32_t si)
{
	if (!c->any)
		return NULL;
	const struct sim_ptab *t = &s->ptab;
	uint64_t key = (uint64_t)c->id << 32 | si / SIM_PSET_CHUNK;
	for (size_t k = ptab_slot(t, key);; k = (k + 1) & (t->cap - 1)) {
		if (t->key[k] == key)
			return t->val[k] + (size_t)(si % SIM_PSET_CHUNK) * g->ways;
		if (t->key[k] == UINT64_MAX)
			return NULL;
	}
}

static struct sim_cway *
set_make(struct sim *s, const struct sim_cgeom *g, struct sim_cache *c, uint32_t id,
	 uint32_t si)
{
	c->id = id;
	struct sim_cway *set = set_at(s, g, c, si);
	if (set)
		return set;
	if ((s->ptab.n + 1) * 2 > s->ptab.cap)
		ptab_grow(s);
	struct sim_ptab *t = &s->ptab;
	uint64_t key = (uint64_t)c->id << 32 | si / SIM_PSET_CHUNK;
	size_t k = ptab_slot(t, key);
	while (t->key[k] != UINT64_MAX)
		k = (k + 1) & (t->cap - 1);
	size_t n = (size_t)SIM_PSET_CHUNK * g->ways;
	struct sim_cway *ch = g_new(struct sim_cway, n);
	for (size_t i = 0; i < n; i++)
		ch[i] = (struct sim_cway){ .line = SIM_NONE };
	t->key[k] = key;
	t->val[k] = ch;
	t->n++;
	c->any = true;
	s->cache_bytes += n * sizeof(struct sim_cway);
	sim_mem_grew(s);
	return ch + (size_t)(si % SIM_PSET_CHUNK) * g->ways;
}

static inline struct sim_cway *
find_in(const struct sim *s, const struct sim_cgeom *g, const struct sim_cache *c,
	uint32_t line)
{
	struct sim_cway *set = set_at(s, g, c, set_index(g, line));
	if (set == NULL)
		return NULL;
	for (uint32_t w = 0; w < g->ways; w++)
		if (set[w].line == line)
			return &set[w];
	return NULL;
}

static inline void
touch(struct sim_cache *c, struct sim_cway *w)
{
	w->lru = ++c->clock;
}

/* The core's most recently used L1d way is w (NULL: none). */
static inline void
set_mru(struct sim_core *core, struct sim_cway *w)
{
	core->mru = w;
	core->mru_tag = w ? w->line + 1 : 0;
	core->mru_gen = w ? w->gen : 0;
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

/*
 * Pick the way of set for a new line: an empty way, else the least
 * recently used line that may leave (an owned line whose owner cannot
 * give it back yet may not).  last: this is the core's last private
 * level, so an owned victim goes back to its home.  NULL if none may go.
 */
static struct sim_cway *
victim(struct sim *s, const struct sim_cgeom *g, struct sim_cway *set, uint32_t core,
       bool last, sim_time_t t)
{
	struct sim_cway *best = NULL;
	for (uint32_t w = 0; w < g->ways; w++) {
		if (set[w].line == SIM_NONE)
			return &set[w];
		if (best && set[w].lru >= best->lru)
			continue;
		if (last) {
			const struct sim_line *l = line_peek(s, set[w].line);
			if (owned_by_core(s, l, core) && !can_give_back(l, t))
				continue;
		}
		best = &set[w];
	}
	return best;
}

/* The line in way v leaves core's last private level at time t. */
static void
evict_last(struct sim *s, uint32_t core_id, struct sim_cway *v, sim_time_t t)
{
	struct sim_core *core = &s->cores[core_id];
	uint32_t id = v->line;
	if (s->m->l2_lines) {
		struct sim_cway *w1 = find_in(s, &s->g_l1, &core->l1, id);
		if (w1) {
			w1->line = SIM_NONE;       /* inclusion: back-invalidate */
			if (core->mru == w1)
				set_mru(core, NULL);
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
	sim_inv_hold(s, id, core_id, v, false);
	v->line = SIM_NONE;
	if (owned_by_core(s, l, core_id))
		give_back(s, core_id, l, id, t);
}

/* ---- the private levels ---- */

/*
 * sim_pc_find - core's entry for line in its L1d or L2, or NULL.
 * Context: any; no LRU update, no cost.
 */
struct sim_cway *
sim_pc_find(const struct sim *s, const struct sim_core *core, uint32_t line)
{
	struct sim_cway *w = find_in(s, &s->g_l1, &core->l1, line);
	if (w == NULL && s->m->l2_lines)
		w = find_in(s, &s->g_l2, &core->l2, line);
	return w;
}

/*
 * sim_pc_level_slow - sim_pc_level() (engine_impl.h) past its inline MRU
 * test: same contract.
 */
unsigned
sim_pc_level_slow(struct sim *s, uint32_t core_id, uint32_t line, uint32_t *gen)
{
	struct sim_core *core = &s->cores[core_id];
	if (core->mru_tag == line + 1) {
		*gen = core->mru_gen;
		return 1;
	}
	struct sim_cway *w = find_in(s, &s->g_l1, &core->l1, line);
	if (w) {
		touch(&core->l1, w);
		set_mru(core, w);
		*gen = w->gen;
		return 1;
	}
	if (s->m->l2_lines == 0)
		return 0;
	w = find_in(s, &s->g_l2, &core->l2, line);
	if (w == NULL)
		return 0;
	touch(&core->l2, w);
	*gen = w->gen;
	/* Promote: the L1d victim stays in the L2 (inclusion), nothing leaves. */
	struct sim_cway *set = set_make(s, &s->g_l1, &core->l1, 2 * core_id,
					set_index(&s->g_l1, line));
	struct sim_cway *v = victim(s, &s->g_l1, set, core_id, false, 0);
	*v = (struct sim_cway){ .line = line, .gen = w->gen };
	touch(&core->l1, v);
	set_mru(core, v);
	return 2;
}

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
	if (core->mru_tag == line + 1 && core->mru_gen == gen)
		return;         /* the MRU way already: nothing changes */
	struct sim_cway *w1 = core->mru_tag == line + 1 ? core->mru :
			      find_in(s, &s->g_l1, &core->l1, line);
	if (w1 && (!has_l2 || w1->gen == gen)) {
		if (!has_l2)
			retag_last_level(s, l, cluster, w1->gen, gen);
		w1->gen = gen;
		touch(&core->l1, w1);
		set_mru(core, w1);
		return;
	}
	if (has_l2) {
		struct sim_cway *set = set_make(s, &s->g_l2, &core->l2, 2 * core_id + 1,
						set_index(&s->g_l2, line));
		struct sim_cway *w = NULL;
		for (uint32_t k = 0; k < s->g_l2.ways && !w; k++)
			if (set[k].line == line)
				w = &set[k];
		if (w == NULL) {
			w = victim(s, &s->g_l2, set, core_id, true, t);
			if (w == NULL)
				return;            /* every way pinned: not recorded */
			if (w->line != SIM_NONE)
				evict_last(s, core_id, w, t);
			w->line = line;
			w->gen = SIM_GEN_OWNED;
			sim_inv_hold(s, line, core_id, w, true);
		}
		last = w;
	}
	struct sim_cway *set = set_make(s, &s->g_l1, &core->l1, 2 * core_id,
					set_index(&s->g_l1, line));
	struct sim_cway *w = NULL;
	for (uint32_t k = 0; k < s->g_l1.ways && !w; k++)
		if (set[k].line == line)
			w = &set[k];
	if (w == NULL) {
		w = victim(s, &s->g_l1, set, core_id, !has_l2, t);
		if (w == NULL)
			return;
		if (w->line != SIM_NONE && !has_l2)
			evict_last(s, core_id, w, t);
		w->line = line;
		w->gen = SIM_GEN_OWNED;
		if (!has_l2)
			sim_inv_hold(s, line, core_id, w, true);
	}
	if (!has_l2)
		last = w;
	retag_last_level(s, l, cluster, last->gen, gen);
	if (has_l2) {
		last->gen = gen;
		touch(&core->l2, last);
	}
	w->gen = gen;
	touch(&core->l1, w);
	set_mru(core, w);
}

/* ---- cluster LLCs ---- */

static inline struct sim_l3_ent *
llc_set(const struct sim *s, const struct sim_cluster *cl, uint32_t si)
{
	if (cl->chunk == NULL)
		return NULL;
	struct sim_l3_ent *ch = cl->chunk[si / SIM_CSET_CHUNK];
	return ch ? ch + (size_t)(si % SIM_CSET_CHUNK) * s->g_llc.ways : NULL;
}

/*
 * sim_llc_find - cl's entry for line (valid or not: check gen and fill),
 * or NULL.  Context: any; no LRU update, no cost.
 */
struct sim_l3_ent *
sim_llc_find(const struct sim *s, const struct sim_cluster *cl, uint32_t line)
{
	struct sim_l3_ent *set = llc_set(s, cl, set_index(&s->g_llc, line));
	if (set == NULL)
		return NULL;
	for (uint32_t w = 0; w < s->g_llc.ways; w++)
		if (set[w].line == line)
			return &set[w];
	return NULL;
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
	if (cl->chunk == NULL) {
		cl->chunk = g_new0(struct sim_l3_ent *, nchunks(g));
		s->cache_bytes += nchunks(g) * sizeof(struct sim_l3_ent *);
		sim_mem_grew(s);
	}
	struct sim_l3_ent **ch = &cl->chunk[si / SIM_CSET_CHUNK];
	if (*ch == NULL) {
		size_t n = (size_t)SIM_CSET_CHUNK * g->ways;
		*ch = g_new0(struct sim_l3_ent, n);
		for (size_t i = 0; i < n; i++)
			(*ch)[i].line = SIM_NONE;
		s->cache_bytes += n * sizeof(struct sim_l3_ent);
		sim_mem_grew(s);
	}
	struct sim_l3_ent *set = *ch + (size_t)(si % SIM_CSET_CHUNK) * g->ways;
	struct sim_l3_ent *best = NULL;
	for (uint32_t w = 0; w < g->ways; w++) {
		if (set[w].line == line) {
			set[w].lru = ++cl->clock;
			return &set[w];
		}
		if (set[w].fill != NULL)
			continue;
		if (best == NULL || (best->line != SIM_NONE &&
				     (set[w].line == SIM_NONE || set[w].lru < best->lru)))
			best = &set[w];
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
		sim_inv_hold(s, best->line, SIM_INV_LLC | cluster_id, best, false);
	}
	*best = (struct sim_l3_ent){ .line = line, .gen = 0, .lru = ++cl->clock };
	sim_inv_hold(s, line, SIM_INV_LLC | cluster_id, best, true);
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
 * sim_hier_init - cache geometries and memory controllers of s->m.
 * Context: host, sim_create.
 */
void
sim_hier_init(struct sim *s)
{
	const struct sim_machine *m = s->m;
	s->g_l1 = geom(m->private_cache_lines, m->l1d_ways, false);
	s->g_l2 = m->l2_lines ? geom(m->l2_lines, m->l2_ways, false) : (struct sim_cgeom){ 0 };
	s->g_llc = geom(m->cluster_cache_lines, m->llc_ways, true);
	s->mc_free = g_new0(uint64_t, m->topo.sockets);
	if (m->mem_bandwidth_gbs > 0) {
		/* cycles per line = 64 B / (GB/s) * GHz */
		double per_line = SIM_LINE_BYTES * m->freq_ghz / m->mem_bandwidth_gbs;
		s->mc_interval = (uint64_t)(per_line * SIM_MC_FRAC + 0.5);
		if (s->mc_interval == 0)
			s->mc_interval = 1;
	}
}

/* sim_hier_free - every cache array and controller of s (host). */
void
sim_hier_free(struct sim *s)
{
	for (size_t i = 0; i < s->ptab.cap; i++)
		if (s->ptab.key[i] != UINT64_MAX)
			g_free(s->ptab.val[i]);
	g_free(s->ptab.key);
	g_free(s->ptab.val);
	s->ptab = (struct sim_ptab){ 0 };
	for (uint32_t i = 0; s->clusters && i < s->nclusters; i++) {
		struct sim_cluster *cl = &s->clusters[i];
		if (cl->chunk == NULL)
			continue;
		for (size_t k = 0; k < nchunks(&s->g_llc); k++)
			g_free(cl->chunk[k]);
		g_free(cl->chunk);
		cl->chunk = NULL;
	}
	g_free(s->mc_free);
	s->mc_free = NULL;
}
