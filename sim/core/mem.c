// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Shared-memory accessors, fences and the store buffer (the sim.h API).
 *
 * Every accessor runs on the current simulated CPU (sim_current->cur).
 * A hit costs its latency.* figure and never blocks; a miss hands a
 * request to the line's directory (cache.c) and blocks the coroutine
 * until the transaction completes.  Values are read and written in the
 * host's memory at the simulated time the access performs, so the
 * interleaving of values is the simulated one.
 *
 * Store buffer (per CPU, FIFO of store_buffer_entries):
 *
 *   store --> [ e0 | e1 | e2 ... ] --> drain: head becomes visible when
 *                                      this CPU owns its line
 *
 * A store to a line the CPU owns, with an empty buffer, is visible at
 * once.  Otherwise it is queued; the head issues a write request and the
 * store becomes visible (host memory written) when the request completes,
 * strictly in program order.  Loads forward from the newest matching
 * entry.  A full fence (and on x86 any locked RMW) waits for the buffer
 * to drain: that wait is the fence's real cost under contention.
 * MODEL: one drain request in flight at a time (no RFO prefetch for
 * later entries): a burst of stores to distinct remote lines drains
 * more slowly than on hardware that prefetches ownership.
 */
#include <string.h>

#include "engine_impl.h"

struct sim *sim_current;

/* The CPU whose coroutine is running.  An accessor called outside one (a
 * workload's setup or report) fails this check in debug builds; in a
 * release build it faults on the NULL CPU at once. */
static inline struct sim_cpu *
running(void)
{
	SIM_ASSERT(sim_current != NULL && sim_current->cur != NULL);
	return sim_current->cur;
}

/*
 * sim_addr_valid() and sim_addr_offset() for the hot path: the same tests
 * on s (== sim_current), inlined, so a simulated access does not pay two
 * out-of-line calls and a reload of sim_current (host speed only).
 */
static inline bool
arena_holds(const struct sim *s, const void *addr)
{
	const char *a = addr;
	return a >= s->arena && a < s->arena + s->arena_used;
}

static inline uint64_t
arena_off(const struct sim *s, const void *addr)
{
	return (uint64_t)((const char *)addr - s->arena);
}

/* Inlined into every access (host speed: the call's prologue and epilogue
 * were a tenth of the RMW path). */
static inline __attribute__((always_inline)) struct sim_line *
line_for(struct sim *s, const void *addr, unsigned size, uint32_t *id)
{
	if (G_UNLIKELY(!arena_holds(s, addr)))
		sim_fatal(s, "cpu %u t=%" G_GUINT64_FORMAT ": access to %p, which is not simulated "
			  "memory (allocate shared data with sim_alloc)", s->cur->id, s->cur->now, addr);
	if (G_UNLIKELY(((uintptr_t)addr & (size - 1)) != 0))
		sim_fatal(s, "cpu %u t=%" G_GUINT64_FORMAT ": misaligned %u-byte access at offset %"
			  G_GUINT64_FORMAT, s->cur->id, s->cur->now, size, sim_addr_offset(addr));
	*id = sim_line_id(s, addr);
	return sim_line_get(s, *id);
}

/* Who freed l's poisoned words last, for error messages. */
static void
freer_name(const struct sim_line *l, char buf[32])
{
	if (l->freed_cpu == SIM_NONE)
		g_strlcpy(buf, "setup", 32);
	else
		g_snprintf(buf, 32, "cpu %u", l->freed_cpu);
}

/* Stop the run if [addr, addr+size) lies in freed memory. */
static inline void
check_poison(struct sim *s, const struct sim_line *l, const void *addr, unsigned size,
	     const char *what)
{
	if (G_LIKELY(l->poison == 0))
		return;
	uint64_t off = arena_off(s, addr);
	if (!(l->poison & (1u << ((off >> 3) & 7))))
		return;
	const struct sim_cpu *c = s->cur;
	char freer[32];
	freer_name(l, freer);
	sim_fatal(s, "use-after-free: cpu %u %s %u bytes at simulated offset %#" G_GINT64_MODIFIER
		  "x at t=%" G_GUINT64_FORMAT "; freed by %s at t=%" G_GUINT64_FORMAT
		  " under %s (seed %" G_GUINT64_FORMAT ")", c->id, what, size, off, c->now, freer,
		  l->freed_at, s->free_label ? s->free_label : "no reclaim scheme", s->rc->seed);
}

static inline uint64_t
host_read(const void *a, unsigned size)
{
	switch (size) {
	case 1: return *(const uint8_t *)a;
	case 2: return *(const uint16_t *)a;
	case 4: return *(const uint32_t *)a;
	default: return *(const uint64_t *)a;
	}
}

static inline void
host_write(void *a, unsigned size, uint64_t v)
{
	switch (size) {
	case 1: *(uint8_t *)a = (uint8_t)v; break;
	case 2: *(uint16_t *)a = (uint16_t)v; break;
	case 4: *(uint32_t *)a = (uint32_t)v; break;
	default: *(uint64_t *)a = v; break;
	}
}

/* ---- jitter and interrupts: at the start of every access (irq.c) ---- */

void
sim_access_begin(struct sim *s, struct sim_cpu *c)
{
	if (G_UNLIKELY(s->rc->engine.jitter)) {
		uint32_t every = s->rc->engine.jitter_every;
		uint64_t d = every > 1 && sim_rng_below(&c->jrng, every) != 0 ? 0 :
			     sim_rng_below(&c->jrng, (uint64_t)s->rc->engine.jitter + 1);
		if (d) {
			sim_advance(c, SIM_CAUSE_SLEEP, d);
			sim_cpu_maybe_yield(s, c);
		}
	}
	if (G_UNLIKELY(c->now >= c->next_irq))
		sim_irq_check(s, c, true);
}

/* sim_access_begin() when it has something to do (neither test is true
 * in most runs): inline, so an access pays two compares, not a call. */
static inline void
access_begin(struct sim *s, struct sim_cpu *c)
{
	if (G_UNLIKELY(s->rc->engine.jitter || c->now >= c->next_irq))
		sim_access_begin(s, c);
}

/* ---- store buffer ---- */

static inline struct sim_sb_ent *
sb_at(struct sim *s, struct sim_cpu *c, uint32_t i)
{
	return &c->sb[(c->sb_head + i) % s->m->store_buffer_entries];
}

/*
 * Newest buffered store overlapping [addr, addr+size): 1 and *v for an
 * exact match, -1 for a partial overlap (caller drains), 0 for none.
 */
static int
sb_forward(struct sim *s, struct sim_cpu *c, const void *addr, unsigned size, uint64_t *v)
{
	const char *lo = addr, *hi = lo + size;
	for (uint32_t i = c->sb_n; i-- > 0;) {
		const struct sim_sb_ent *e = sb_at(s, c, i);
		if (e->dead)
			continue;       /* freed since: a load goes to (poisoned) memory */
		const char *elo = e->addr, *ehi = elo + e->size;
		if (elo == lo && e->size == size) {
			*v = e->val;
			return 1;
		}
		if (elo < hi && lo < ehi)
			return -1;
	}
	return 0;
}

/*
 * Is buffered store e still writing live memory when it performs at t?
 * If its word was freed since it was buffered (poisoned now, or freed and
 * handed out again: free_epoch moved), the write is a use-after-free:
 * stop the run.  On the CPU's own coroutine that does not return; from a
 * store-buffer event it sets s->fatal (the engine stops after the event)
 * and returns false.
 */
static bool
sb_store_live(struct sim *s, struct sim_cpu *c, const struct sim_sb_ent *e,
	      const struct sim_line *l, sim_time_t t)
{
	uint64_t off = arena_off(s, e->addr);
	uint32_t w = (uint32_t)((off >> 3) & 7);
	if (G_LIKELY(!(l->poison & (1u << w)) && l->free_epoch[w] == e->free_epoch))
		return true;
	char freer[32];
	freer_name(l, freer);
	char *msg = g_strdup_printf(
		"use-after-free: cpu %u wrote %u bytes at simulated offset %#" G_GINT64_MODIFIER
		"x at t=%" G_GUINT64_FORMAT " (a store buffered before the free, drained after "
		"it%s); freed by %s at t=%" G_GUINT64_FORMAT " under %s (seed %" G_GUINT64_FORMAT ")",
		c->id, e->size, off, t, (l->poison & (1u << w)) ? "" : "; the memory was in use again",
		freer, l->freed_at, s->free_label ? s->free_label : "no reclaim scheme", s->rc->seed);
	if (s->cur == c) {
		char line[512];
		g_strlcpy(line, msg, sizeof line);
		g_free(msg);
		sim_fatal(s, "%s", line);
	}
	if (s->fatal == NULL)
		sim_set_error(&s->fatal, SIM_CONFIG_ERROR_INCONSISTENT, "%s", msg);
	g_free(msg);
	return false;
}

/* Make the head store visible at t (or drop it if its CPU freed its word
 * since); false if it wrote freed memory (the run is stopping). */
static bool
sb_pop_apply(struct sim *s, struct sim_cpu *c, struct sim_line *l, sim_time_t t)
{
	struct sim_sb_ent *e = sb_at(s, c, 0);
	if (!e->dead) {
		if (!sb_store_live(s, c, e, l, t))
			return false;
		host_write(e->addr, e->size, e->val);
	}
	l->dirty = true;        /* a dead store too: it performed before the free */
	c->sb_head = (c->sb_head + 1) % s->m->store_buffer_entries;
	c->sb_n--;
	sim_line_written(s, l, t);
	return true;
}

void
sim_sb_forget(struct sim *s, struct sim_cpu *c, const void *p, size_t size)
{
	const char *lo = p, *hi = lo + size;
	for (uint32_t i = 0; i < c->sb_n; i++) {
		struct sim_sb_ent *e = sb_at(s, c, i);
		if ((const char *)e->addr >= lo && (const char *)e->addr < hi)
			e->dead = true;
	}
}

/* Drain as far as possible at time t; wake the CPU if it waits on us. */
static void
sb_drain(struct sim *s, struct sim_cpu *c, sim_time_t t)
{
	while (c->sb_n > 0 && !c->sb_busy) {
		struct sim_sb_ent *e = sb_at(s, c, 0);
		struct sim_line *l = sim_line_get(s, e->line);
		if (!sim_can_write(c, l, t)) {
			c->n_store_miss++;
			sim_sb_issue(s, c, l, e->line, t);
			break;
		}
		if (!sb_pop_apply(s, c, l, t))
			return;
	}
	if ((c->block == SIM_BLOCK_SB_EMPTY && c->sb_n == 0) ||
	    (c->block == SIM_BLOCK_SB_SPACE && c->sb_n < s->m->store_buffer_entries)) {
		sim_time_t at = t > c->now ? t : c->now;
		sim_charge(c, SIM_CAUSE_SB_STALL, at - c->now);
		sim_cpu_wake(s, c, at);
	}
}

void
sim_sb_event(struct sim *s, struct sim_cpu *c, sim_time_t t)
{
	SIM_ASSERT(c->sb_busy && c->sb_n > 0);
	c->sb_busy = false;
	struct sim_line *l = sim_line_get(s, sb_at(s, c, 0)->line);
	SIM_ASSERT(sim_can_write(c, l, t));
	if (sb_pop_apply(s, c, l, t))
		sb_drain(s, c, t);
}

static void
sb_wait_empty(struct sim *s, struct sim_cpu *c)
{
	if (c->sb_n == 0)
		return;
	sim_cpu_block(s, c, SIM_BLOCK_SB_EMPTY);
}

/* ---- the accessor core ---- */

/* do_load, do_store and do_rmw are inlined into each public accessor, so
 * size and op are constants there (host speed only). */
static inline __attribute__((always_inline)) uint64_t
do_load(const void *addr, unsigned size)
{
	struct sim *s = sim_current;
	struct sim_cpu *c = running();
	uint64_t v;
	access_begin(s, c);
	c->n_load++;
	if (c->sb_n) {
		int f = sb_forward(s, c, addr, size, &v);
		if (f > 0) {
			sim_advance(c, SIM_CAUSE_HIT, s->m->lat.l1_hit);
			sim_cpu_maybe_yield(s, c);
			return v;
		}
		if (f < 0)
			sb_wait_empty(s, c);
	}
	uint32_t id;
	struct sim_line *l = line_for(s, addr, size, &id);
	check_poison(s, l, addr, size, "read");
	unsigned lvl = sim_can_read(s, c, l, id, c->now);
	if (lvl) {
		if (lvl == 2)
			s->st.l2_hits++;
		sim_advance(c, SIM_CAUSE_HIT, lvl == 2 ? s->m->lat.l2_hit : s->m->lat.l1_hit);
	} else {
		c->n_miss++;
		sim_read_miss(s, c, l, id);
	}
	/*
	 * The load performs when its latency has passed: let every event up
	 * to this CPU's clock happen first, then read.  Reading before the
	 * yield could return a value overwritten before the load completed:
	 * an LLC hit that waits for the LLC copy (busy_until) while the
	 * line's old owner, not yet downgraded, still writes it; a spin-wait
	 * that then watched the line missed that write and slept forever.
	 */
	sim_cpu_maybe_yield(s, c);
	check_poison(s, l, addr, size, "read");
	v = host_read(addr, size);
	return v;
}

static inline __attribute__((always_inline)) void
do_store(void *addr, unsigned size, uint64_t v)
{
	struct sim *s = sim_current;
	struct sim_cpu *c = running();
	access_begin(s, c);
	uint32_t id;
	struct sim_line *l = line_for(s, addr, size, &id);
	check_poison(s, l, addr, size, "wrote");
	c->n_store++;
	if (c->sb_n == 0 && sim_can_write(c, l, c->now)) {
		sim_pc_touch(s, c->core, id);
		host_write(addr, size, v);
		l->dirty = true;
		sim_line_written(s, l, c->now);
	} else {
		c->n_sb_store++;
		if (c->sb_n == s->m->store_buffer_entries)
			sim_cpu_block(s, c, SIM_BLOCK_SB_SPACE);
		struct sim_sb_ent *e = sb_at(s, c, c->sb_n++);
		*e = (struct sim_sb_ent){ .addr = addr, .val = v, .line = id, .size = (uint8_t)size,
					  .free_epoch = l->free_epoch[(arena_off(s, addr) >> 3) & 7] };
		if (!c->sb_busy)
			sb_drain(s, c, c->now);
	}
	sim_advance(c, SIM_CAUSE_HIT, s->m->lat.store_hit);
	sim_cpu_maybe_yield(s, c);
}

enum rmw_op { RMW_CAS, RMW_ADD, RMW_XCHG, RMW_OR, RMW_AND };

static inline __attribute__((always_inline)) uint64_t
do_rmw(void *addr, unsigned size, enum rmw_op op, uint64_t a, uint64_t b)
{
	struct sim *s = sim_current;
	struct sim_cpu *c = running();
	access_begin(s, c);
	uint32_t id;
	struct sim_line *l = line_for(s, addr, size, &id);
	check_poison(s, l, addr, size, "updated");
	c->n_rmw++;
	uint32_t w = (uint32_t)((arena_off(s, addr) >> 3) & 7);
	uint8_t epoch = l->free_epoch[w];
	sb_wait_empty(s, c);    /* on every machine: see sim.h */
	bool took = false;
	if (sim_can_write(c, l, c->now)) {
		sim_pc_touch(s, c->core, id);
	} else {
		c->n_miss++;
		c->n_rmw_miss++;
		sim_write_miss(s, c, l, id);
		took = true;
	}
	/* The RMW performs now: its word may have been freed (and even
	 * handed out again) while it waited. */
	check_poison(s, l, addr, size, "updated");
	if (G_UNLIKELY(l->free_epoch[w] != epoch)) {
		char freer[32];
		freer_name(l, freer);
		sim_fatal(s, "use-after-free: cpu %u updated %u bytes at simulated offset %#"
			  G_GINT64_MODIFIER "x at t=%" G_GUINT64_FORMAT ", freed while the update "
			  "waited for the line (by %s at t=%" G_GUINT64_FORMAT ") and in use again "
			  "(seed %" G_GUINT64_FORMAT ")", c->id, size, sim_addr_offset(addr), c->now,
			  freer, l->freed_at, s->rc->seed);
	}
	uint64_t old = host_read(addr, size), nv;
	switch (op) {
	case RMW_CAS: nv = b; break;
	case RMW_ADD: nv = old + a; break;
	case RMW_XCHG: nv = a; break;
	case RMW_OR: nv = old | a; break;
	default: nv = old & a; break;
	}
	if (op != RMW_CAS || old == a) {
		host_write(addr, size, nv);
		l->dirty = true;
		sim_line_written(s, l, c->now);
	} else if (took) {
		/* A failed CAS writes nothing, but it took the line: every
		 * other copy is invalidated, and a CPU spinning on its copy
		 * (MONITOR/MWAIT, a PAUSE loop) sees the invalidation and
		 * re-reads.  CAS storms thus pull the line back and forth
		 * between the CASers and the spinners, as on hardware. */
		sim_line_written(s, l, c->now);
	}
	sim_advance(c, SIM_CAUSE_HIT, s->m->lat.atomic_hit);
	sim_cpu_maybe_yield(s, c);
	return old;
}

/* ---- public accessors ---- */

uint8_t sim_load8(const void *a) { return (uint8_t)do_load(a, 1); }
uint16_t sim_load16(const void *a) { return (uint16_t)do_load(a, 2); }
uint32_t sim_load32(const void *a) { return (uint32_t)do_load(a, 4); }
uint64_t sim_load64(const void *a) { return do_load(a, 8); }
void *sim_loadp(void *const *a) { return (void *)(uintptr_t)do_load(a, sizeof(void *)); }

void sim_store8(void *a, uint8_t v) { do_store(a, 1, v); }
void sim_store16(void *a, uint16_t v) { do_store(a, 2, v); }
void sim_store32(void *a, uint32_t v) { do_store(a, 4, v); }
void sim_store64(void *a, uint64_t v) { do_store(a, 8, v); }
void sim_storep(void **a, void *v) { do_store(a, sizeof(void *), (uint64_t)(uintptr_t)v); }

/* Bring c's clock to t: the first *hit of the cycles are the string's
 * issue slots (cause hit), the rest waits for fill buffers (sb_stall). */
static void
string_catch_up(struct sim_cpu *c, sim_time_t t, uint64_t *hit)
{
	if (t <= c->now)
		return;
	uint64_t d = t - c->now, h = d < *hit ? d : *hit;
	*hit -= h;
	sim_advance(c, SIM_CAUSE_HIT, h);
	sim_advance(c, SIM_CAUSE_SB_STALL, d - h);
}

/*
 * MODEL: a fast-string store (sim_zero_lines with line_fill_buffers N >
 * 0).  Intel documents that fast-string stores work line by line, issuing
 * an invalidation for each destination line (all of its bytes will be
 * written), possibly out of order (SDM vol. 3A, 8.2.4 "Out-of-order
 * stores for string operations"); a core keeps as many line misses in
 * flight as it has line-fill buffers (Westmere: 10, 7-cpu.com/cpu/
 * Westmere.html).  Simplified: the string waits for the store buffer to
 * drain first and returns only when its last line is owned (hardware
 * lets later instructions run on); a line costs store_hit to issue
 * whatever the width of the stores (Westmere's L1d takes 16 bytes a
 * cycle, so a hot page clears in 64 cycles here against about 256);
 * interrupts are checked once, at the start; each miss is granted at its
 * issue time by sim_line_claim, which models no bandwidth between the
 * core and its LLC.  A line whose directory is busy or has waiters (in
 * practice never: nobody else can reach a page being cleared) falls back
 * to a blocking write miss.  Expected effect: clearing a page whose lines
 * left this core's caches costs about 64 / N line transactions without
 * data instead of 64 with data, one after the other: on ben about 700
 * cycles from the LLC instead of about 6,700.
 */
void
sim_zero_lines(void *addr, size_t nlines)
{
	struct sim *s = sim_current;
	struct sim_cpu *c = running();
	uint8_t *p = addr;
	SIM_ASSERT(((uintptr_t)p & (SIM_LINE_BYTES - 1)) == 0);
	uint32_t n_lfb = s->m->line_fill_buffers;
	if (n_lfb == 0) {
		for (size_t i = 0; i < nlines; i++, p += SIM_LINE_BYTES) {
			memset(p + 8, 0, SIM_LINE_BYTES - 8);
			do_store(p, 8, 0);
		}
		return;
	}
	access_begin(s, c);
	sb_wait_empty(s, c);
	sim_cpu_maybe_yield(s, c);
	sim_time_t slot[64];
	SIM_ASSERT(n_lfb <= G_N_ELEMENTS(slot));
	for (uint32_t k = 0; k < n_lfb; k++)
		slot[k] = c->now;
	sim_time_t t = c->now;
	uint64_t hit = 0;
	for (size_t i = 0; i < nlines; i++, p += SIM_LINE_BYTES) {
		uint32_t id;
		struct sim_line *l = line_for(s, p, 8, &id);
		for (unsigned w = 0; w < SIM_LINE_BYTES; w += 8)
			check_poison(s, l, p + w, 8, "wrote");
		c->n_store++;
		t += s->m->lat.store_hit;
		hit += s->m->lat.store_hit;
		sim_time_t at = t;
		if (sim_can_write(c, l, t)) {
			sim_pc_touch(s, c->core, id);   /* a hit (report.c derives hits) */
		} else {
			uint32_t k = 0;
			for (uint32_t j = 1; j < n_lfb; j++)
				if (slot[j] < slot[k])
					k = j;
			if (slot[k] > t)
				t = slot[k];
			if (sim_line_claim(s, c, l, id, t, &at)) {
				/* counted as the store buffer's misses are */
				c->n_sb_store++;
				c->n_store_miss++;
			} else {
				string_catch_up(c, t, &hit);
				c->n_miss++;
				sim_write_miss(s, c, l, id);
				t = at = c->now;
			}
			slot[k] = at;
		}
		memset(p, 0, SIM_LINE_BYTES);
		l->dirty = true;
		sim_line_written(s, l, at);
	}
	for (uint32_t k = 0; k < n_lfb; k++)
		if (slot[k] > t)
			t = slot[k];
	string_catch_up(c, t, &hit);
	sim_cpu_maybe_yield(s, c);
}

static void
pay_fence(uint32_t cycles)
{
	if (cycles == 0)
		return;
	struct sim_cpu *c = running();
	sim_advance(c, SIM_CAUSE_FENCE, cycles);
	sim_cpu_maybe_yield(sim_current, c);
}

uint32_t
sim_load32_acq(const void *a)
{
	uint32_t v = sim_load32(a);
	pay_fence(sim_current->m->fence.acquire);
	return v;
}

uint64_t
sim_load64_acq(const void *a)
{
	uint64_t v = sim_load64(a);
	pay_fence(sim_current->m->fence.acquire);
	return v;
}

void *
sim_loadp_acq(void *const *a)
{
	void *v = sim_loadp(a);
	pay_fence(sim_current->m->fence.acquire);
	return v;
}

void
sim_store32_rel(void *a, uint32_t v)
{
	pay_fence(sim_current->m->fence.release);
	sim_store32(a, v);
}

void
sim_store64_rel(void *a, uint64_t v)
{
	pay_fence(sim_current->m->fence.release);
	sim_store64(a, v);
}

void
sim_storep_rel(void **a, void *v)
{
	pay_fence(sim_current->m->fence.release);
	sim_storep(a, v);
}

uint32_t sim_cas32(void *a, uint32_t e, uint32_t d) { return (uint32_t)do_rmw(a, 4, RMW_CAS, e, d); }
uint64_t sim_cas64(void *a, uint64_t e, uint64_t d) { return do_rmw(a, 8, RMW_CAS, e, d); }
void *
sim_casp(void **a, void *e, void *d)
{
	return (void *)(uintptr_t)do_rmw(a, sizeof(void *), RMW_CAS, (uint64_t)(uintptr_t)e,
					 (uint64_t)(uintptr_t)d);
}
uint32_t sim_faa32(void *a, uint32_t v) { return (uint32_t)do_rmw(a, 4, RMW_ADD, v, 0); }
uint64_t sim_faa64(void *a, uint64_t v) { return do_rmw(a, 8, RMW_ADD, v, 0); }
uint16_t sim_xchg16(void *a, uint16_t v) { return (uint16_t)do_rmw(a, 2, RMW_XCHG, v, 0); }
uint32_t sim_xchg32(void *a, uint32_t v) { return (uint32_t)do_rmw(a, 4, RMW_XCHG, v, 0); }
uint64_t sim_xchg64(void *a, uint64_t v) { return do_rmw(a, 8, RMW_XCHG, v, 0); }
void *
sim_xchgp(void **a, void *v)
{
	return (void *)(uintptr_t)do_rmw(a, sizeof(void *), RMW_XCHG, (uint64_t)(uintptr_t)v, 0);
}
uint32_t sim_fetch_or32(void *a, uint32_t v) { return (uint32_t)do_rmw(a, 4, RMW_OR, v, 0); }
uint32_t sim_fetch_and32(void *a, uint32_t v) { return (uint32_t)do_rmw(a, 4, RMW_AND, v, 0); }
uint64_t sim_fetch_or64(void *a, uint64_t v) { return do_rmw(a, 8, RMW_OR, v, 0); }
uint64_t sim_fetch_and64(void *a, uint64_t v) { return do_rmw(a, 8, RMW_AND, v, 0); }

void
sim_fence_full(void)
{
	struct sim *s = sim_current;
	struct sim_cpu *c = running();
	c->n_fence++;
	sb_wait_empty(s, c);
	pay_fence(s->m->fence.full);
}

void
sim_fence_acquire(void)
{
	pay_fence(sim_current->m->fence.acquire);
}

void
sim_fence_release(void)
{
	pay_fence(sim_current->m->fence.release);
}

/* ---- waiting ---- */

static void
watch_unlink(struct sim *s, struct sim_cpu *c)
{
	if (c->watch_line == SIM_NONE)
		return;
	struct sim_line *l = sim_line_get(s, c->watch_line);
	struct sim_cpu *next = c->watch_next != SIM_NONE ? &s->cpus[c->watch_next] : NULL;
	if (c->watch_prev == SIM_NONE) {
		SIM_ASSERT(l->watch == c);
		l->watch = next;
	} else {
		s->cpus[c->watch_prev].watch_next = c->watch_next;
	}
	if (next)
		next->watch_prev = c->watch_prev;
	c->watch_next = c->watch_prev = SIM_NONE;
	c->watch_line = SIM_NONE;
}

/*
 * Sleep on addr's line until it is written or deadline passes, like
 * MONITOR/MWAIT: if this CPU no longer holds a copy of the line, someone
 * has taken it since our last access and may have written it, so do not
 * sleep at all.
 */
static void
watch_line(struct sim *s, const void *addr, unsigned size, sim_time_t deadline)
{
	struct sim_cpu *c = running();
	uint32_t id;
	struct sim_line *l = line_for(s, addr, size, &id);
	if (!sim_can_read(s, c, l, id, c->now)) {
		sim_advance(c, SIM_CAUSE_SPIN, s->m->lat.pause);
		return;
	}
	c->watch_next = l->watch ? l->watch->id : SIM_NONE;
	c->watch_prev = SIM_NONE;
	if (l->watch)
		l->watch->watch_prev = c->id;
	l->watch = c;
	c->watch_line = id;
	sim_time_t irq = sim_irq_next(c, true);
	if (irq < deadline)
		deadline = irq;                 /* wake up for the interrupt */
	if (deadline != SIM_T_INF)
		sim_cpu_timeout(s, c, deadline);
	sim_cpu_block(s, c, SIM_BLOCK_WATCH);
	if (c->watch_line != SIM_NONE) {
		/* Timed out: nobody wrote the line. */
		sim_charge(c, SIM_CAUSE_SPIN, c->now - c->block_since);
		watch_unlink(s, c);
	}
	sim_advance(c, SIM_CAUSE_SPIN, s->m->lat.pause);
}

void
sim_wait_for_write(const void *addr, sim_time_t deadline)
{
	struct sim *s = sim_current;
	if (running()->now >= deadline)
		return;
	watch_line(s, addr, 1, deadline);
	sim_cpu_maybe_yield(s, running());
}

/*
 * Spin while the value at addr equals val: load; if unchanged, sleep
 * until a write to the line (or the deadline) wakes us; repeat.
 */
static uint64_t
spin_while_eq(const void *addr, unsigned size, uint64_t val, sim_time_t deadline)
{
	struct sim *s = sim_current;
	for (;;) {
		uint64_t v = do_load(addr, size);
		if (v != val || running()->now >= deadline)
			return v;
		watch_line(s, addr, size, deadline);
	}
}

uint64_t
sim_spin_while_eq64_until(const void *addr, uint64_t val, sim_time_t deadline)
{
	return spin_while_eq(addr, 8, val, deadline);
}

uint64_t
sim_spin_while_eq64(const void *addr, uint64_t val)
{
	return spin_while_eq(addr, 8, val, SIM_T_INF);
}

uint32_t
sim_spin_while_eq32(const void *addr, uint32_t val)
{
	return (uint32_t)spin_while_eq(addr, 4, val, SIM_T_INF);
}

/* Could another event run before this CPU reaches time t? */
static bool
others_before(const struct sim *s, const struct sim_cpu *c, sim_time_t t)
{
	const struct sim_ev *top = sim_evq_top(&s->evq);
	return top && (top->time < t || (top->time == t && top->cls == SIM_EV_CPU && top->id < c->id));
}

/*
 * Spend [now, t) on cause, interruptibly: if anything else can run
 * before t, block with a timeout at t, so that an IPI sent meanwhile
 * wakes this CPU at its arrival (irq.c); otherwise just move the clock.
 */
static void
wait_until(struct sim *s, struct sim_cpu *c, sim_time_t t, enum sim_cause cause)
{
	if (!others_before(s, c, t)) {
		sim_advance(c, cause, t - c->now);
		sim_cpu_maybe_yield(s, c);      /* nobody to yield to: checks max_cycles */
		return;
	}
	sim_cpu_timeout(s, c, t);
	sim_cpu_block(s, c, SIM_BLOCK_SLEEP);
	sim_charge(c, cause, c->now - c->block_since);
}

/* Sleep to time t, taking the interrupts that fall inside (no ticks when
 * idle: the tick is stopped). */
static void
pass_time(struct sim *s, struct sim_cpu *c, sim_time_t t, enum sim_cause cause, bool ticks)
{
	for (;;) {
		sim_irq_check(s, c, ticks);
		if (c->now >= t)
			break;
		sim_time_t irq = sim_irq_next(c, ticks);
		wait_until(s, c, irq > c->now && irq < t ? irq : t, cause);
	}
	if (!ticks)
		sim_irq_skip_ticks(s, c);
}

void
sim_sleep_until(sim_time_t t)
{
	struct sim_cpu *c = running();
	if (t > c->now)
		pass_time(sim_current, c, t, SIM_CAUSE_SLEEP, true);
}

void
sim_idle_until(sim_time_t t)
{
	struct sim_cpu *c = running();
	if (t > c->now)
		pass_time(sim_current, c, t, SIM_CAUSE_SLEEP, false);
}

void
sim_idle_enter(uint64_t exit)
{
	struct sim_cpu *c = running();
	c->idle_exit = exit;
	sim_nohz_idle_enter(sim_current, c);
}

sim_time_t
sim_idle_next_tick(void)
{
	return sim_nohz_next_tick(sim_current, running());
}

uint64_t
sim_idle_exit(void)
{
	struct sim *s = sim_current;
	struct sim_cpu *c = running();
	uint64_t l = c->idle_exit;
	if (l == 0) {
		sim_nohz_idle_exit(s, c);
		return 0;
	}
	c->idle_exit = 0;
	/* Uninterruptible: an interrupt arriving meanwhile waits for C0.
	 * Charged to idle_exit whatever cause the caller pushed. */
	sim_time_t end = c->now + l;
	uint8_t pushed = c->cause;
	c->cause = SIM_CAUSE_NONE;
	while (c->now < end) {
		uint32_t off = c->irq_off++;
		wait_until(s, c, end, SIM_CAUSE_IDLE_EXIT);
		c->irq_off = off;
	}
	c->cause = pushed;
	sim_nohz_idle_exit(s, c);           /* tick_nohz_idle_exit, back in C0 */
	return l;
}

/* Work is interruptible too; a handler's cycles delay the work's end. */
void
sim_work(uint64_t cycles)
{
	struct sim *s = sim_current;
	struct sim_cpu *c = running();
	for (;;) {
		sim_irq_check(s, c, true);
		if (cycles == 0)
			break;
		sim_time_t end = c->now + cycles, irq = sim_irq_next(c, true);
		sim_time_t start = c->now;
		wait_until(s, c, irq > c->now && irq < end ? irq : end, SIM_CAUSE_WORK);
		cycles -= c->now - start;
	}
}

void
sim_fail(const char *fmt, ...)
{
	struct sim *s = sim_current;
	struct sim_cpu *c = running();
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	g_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* No heap copy: this coroutine never resumes, so it could not free it. */
	sim_fatal(s, "%s (cpu %u, t=%" G_GUINT64_FORMAT ", seed %" G_GUINT64_FORMAT ")",
		  msg, c->id, c->now, s->rc->seed);
}

/* ---- identity ---- */

uint32_t sim_cpu_id(void) { return running()->id; }
uint32_t sim_ncpus(void) { return sim_current->ncpus; }
sim_time_t sim_now(void) { return running()->now; }
uint64_t sim_random(void) { return sim_rng_next(&running()->rng); }
uint64_t sim_random_below(uint64_t n) { return sim_rng_below(&running()->rng, n); }
uint32_t sim_cpu_socket(void) { return running()->socket; }
uint32_t sim_cpu_cluster(void) { return running()->cluster; }
uint32_t sim_cpu_core(void) { return running()->core; }

static const char *const cause_names[SIM_CAUSE_N] = {
	[SIM_CAUSE_NONE] = "none",
	[SIM_CAUSE_WORK] = "work",
	[SIM_CAUSE_HIT] = "hit",
	[SIM_CAUSE_QUEUE] = "queue",
	[SIM_CAUSE_XFER_SMT] = "xfer_smt",
	[SIM_CAUSE_XFER_CLUSTER] = "xfer_cluster",
	[SIM_CAUSE_XFER_SOCKET] = "xfer_socket",
	[SIM_CAUSE_XFER_REMOTE] = "xfer_remote",
	[SIM_CAUSE_MEM] = "mem",
	[SIM_CAUSE_LLC] = "llc",
	[SIM_CAUSE_FENCE] = "fence",
	[SIM_CAUSE_SB_STALL] = "sb_stall",
	[SIM_CAUSE_SPIN] = "spin",
	[SIM_CAUSE_SLEEP] = "sleep",
	[SIM_CAUSE_LOCK_WAIT] = "lock_wait",
	[SIM_CAUSE_GP_WAIT] = "gp_wait",
	[SIM_CAUSE_READ_SIDE] = "read_side",
	[SIM_CAUSE_RECLAIM] = "reclaim",
	[SIM_CAUSE_IRQ] = "irq",
	[SIM_CAUSE_IDLE_EXIT] = "idle_exit",
};

const char *
sim_cause_name(enum sim_cause c)
{
	return (unsigned)c < SIM_CAUSE_N ? cause_names[c] : "?";
}

enum sim_cause
sim_cause_push(enum sim_cause cause)
{
	struct sim_cpu *c = running();
	enum sim_cause prev = (enum sim_cause)c->cause;
	c->cause = (uint8_t)cause;
	return prev;
}

void
sim_cause_pop(enum sim_cause prev)
{
	running()->cause = (uint8_t)prev;
}
