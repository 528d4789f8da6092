// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Simulated shared memory: one host mapping (the arena) carved by a
 * deterministic allocator.
 *
 * A line's identity is its offset in the arena divided by 64, so object
 * layout, false sharing and line ids are identical on every host and run.
 * Blocks are rounded up to a multiple of max(align, 16) bytes and aligned
 * to align; freed blocks go to a per-(size, align) FIFO queue kept in host
 * memory (never inside the simulated block), so freeing touches no
 * simulated line, and a freed block is reused as late as possible.
 * Blocks larger than 64 KiB are never reused.
 *
 * Use-after-free checking: sim_free() poisons every 8-byte word of the
 * block (a bit per word in its line's `poison` mask) and fills it with
 * 0xdb; any simulated access to a poisoned word stops the run with an
 * error naming the CPU, the time, who freed it and when, and the seed
 * (mem.c).  sim_alloc() clears the poison when it hands the block out
 * again; FIFO reuse keeps freed blocks poisoned for as long as possible.
 * Writes are caught when they perform: a store buffered before the free
 * and drained after it stops the run even if the block was handed out
 * again meanwhile (each word counts its frees, free_epoch), except a
 * store of the freeing CPU itself, which precedes the free in program
 * order and so dies with the object (it is dropped, see sim_sb_forget()).
 *
 * MODEL: allocation itself costs no simulated time; a model that wants
 * allocator costs charges them explicitly.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine_impl.h"

#define MAX_CLASS_BYTES (64u * 1024u)
#define CLASS_STEP 16u

struct free_key {
	size_t size;	/* rounded size: may exceed 4 GiB (engine.arena_mib up to 1 TiB) */
	uint32_t align;
};

static guint
key_hash(gconstpointer p)
{
	const struct free_key *k = p;
	return (guint)(k->size * 31u + k->align);
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	const struct free_key *x = a, *y = b;
	return x->size == y->size && x->align == y->align;
}

static void
free_queue(gpointer p)
{
	g_queue_free(p);
}

/* Set (or clear) the poison bits of the 8-byte words of [p, p + size);
 * setting them also fills the bytes with 0xdb.  A whole line chunk with
 * no records yet is poisoned when it is made (sim_line_op_defer); only
 * setting defers: clearing makes the chunk first, so a deferred fill can
 * never land on bytes written after the clear. */
static void
poison_range(struct sim *s, char *p, size_t size, bool on)
{
	const unsigned chunk_shift = SIM_LINE_CHUNK_SHIFT + SIM_LINE_SHIFT;
	uint64_t off = (uint64_t)(p - s->arena), end = off + size;
	sim_time_t now = s->cur ? s->cur->now : s->now;
	uint32_t who = s->cur ? s->cur->id : SIM_NONE;
	/* lines wholly inside the range: [lo, hi) */
	uint64_t lo = (off + SIM_LINE_BYTES - 1) >> SIM_LINE_SHIFT;
	uint64_t hi = end >> SIM_LINE_SHIFT;
	bool deferred = false;
	/* one chunk's part of the range at a time: [a, b) */
	for (uint64_t a = off, b; a < end; a = b) {
		uint32_t chunk = (uint32_t)(a >> chunk_shift);
		b = MIN(end, ((uint64_t)chunk + 1) << chunk_shift);
		if (on && hi > lo && sim_line_chunk_deferred(s, chunk, lo, hi - 1)) {
			deferred = true;
			continue;
		}
		for (uint64_t w = a & ~(uint64_t)7; w < b; w += 8) {
			struct sim_line *l = sim_line_get(s, (uint32_t)(w >> SIM_LINE_SHIFT));
			uint8_t bit = (uint8_t)(1u << ((w >> 3) & 7));
			if (on) {
				l->poison |= bit;
				l->free_epoch[(w >> 3) & 7]++;
				l->freed_at = now;
				l->freed_cpu = who;
			} else {
				l->poison &= (uint8_t)~bit;
			}
		}
		if (on)
			memset(s->arena + a, 0xdb, b - a);
	}
	if (deferred) {
		struct sim_line_op op = { .first = (uint32_t)lo, .last = (uint32_t)(hi - 1),
					  .kind = SIM_LINE_OP_POISON, .arg = who, .at = now };
		sim_line_op_defer(s, &op);
	}
}

static bool
any_poisoned(struct sim *s, const char *p, size_t size)
{
	uint64_t off = (uint64_t)(p - s->arena), end = off + size;
	for (uint64_t w = off & ~(uint64_t)7; w < end; w += 8) {
		const struct sim_line *l = sim_line_get(s, (uint32_t)(w >> SIM_LINE_SHIFT));
		if (l->poison & (1u << ((w >> 3) & 7)))
			return true;
	}
	return false;
}

gboolean
sim_arena_init(struct sim *s, size_t bytes, GError **err)
{
	bytes = (bytes + SIM_LINE_CHUNK * SIM_LINE_BYTES - 1) &
		~((size_t)SIM_LINE_CHUNK * SIM_LINE_BYTES - 1);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		sim_set_error(err, SIM_CONFIG_ERROR_LIMIT,
			      "cannot reserve %zu MiB of simulated memory (engine.arena_mib)",
			      bytes >> 20);
		return FALSE;
	}
	s->arena = p;
	s->arena_size = bytes;
	s->arena_used = 0;
	uint64_t nlines = bytes / SIM_LINE_BYTES;
	s->nline_chunks = (uint32_t)(nlines / SIM_LINE_CHUNK);
	s->line_chunks = g_new0(struct sim_line *, s->nline_chunks);
	s->chunks_made = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	s->line_ops = g_array_new(FALSE, FALSE, sizeof(struct sim_line_op));
	s->free_lists = g_hash_table_new_full(key_hash, key_equal, g_free, free_queue);
	return TRUE;
}

void
sim_arena_destroy(struct sim *s)
{
	if (s->arena)
		munmap(s->arena, s->arena_size);
	s->arena = NULL;
	for (guint k = 0; s->chunks_made && k < s->chunks_made->len; k++) {
		struct sim_line *c = s->line_chunks[g_array_index(s->chunks_made, uint32_t, k)];
		for (uint32_t j = 0; j < SIM_LINE_CHUNK; j++) {
			g_free(c[j].wait);
#ifndef NDEBUG
			g_free(c[j].holders);
#endif
		}
		free(c);        /* posix_memalign'd (sim_line_chunk_make) */
	}
	g_free(s->line_chunks);
	s->line_chunks = NULL;
	if (s->chunks_made)
		g_array_free(s->chunks_made, TRUE);
	s->chunks_made = NULL;
	if (s->line_ops)
		g_array_free(s->line_ops, TRUE);
	s->line_ops = NULL;
	if (s->free_lists)
		g_hash_table_destroy(s->free_lists);
	s->free_lists = NULL;
}

static struct free_key
class_of(size_t size, size_t align)
{
	if (align < CLASS_STEP)
		align = CLASS_STEP;
	size_t rounded = (size + align - 1) & ~(align - 1);
	return (struct free_key){ .size = rounded, .align = (uint32_t)align };
}

void *
sim_alloc(size_t size, size_t align)
{
	struct sim *s = sim_current;
	g_assert(s != NULL);
	if (align == 0 || (align & (align - 1)) || align > 4096)
		sim_fatal(s, "sim_alloc: alignment %zu is not a power of two <= 4096", align);
	if (size == 0)
		size = 1;
	struct free_key k = class_of(size, align);
	if (k.size <= MAX_CLASS_BYTES) {
		GQueue *fl = g_hash_table_lookup(s->free_lists, &k);
		if (fl && !g_queue_is_empty(fl)) {
			uint64_t off = GPOINTER_TO_SIZE(g_queue_pop_head(fl));
			poison_range(s, s->arena + off, k.size, false);
			memset(s->arena + off, 0, k.size);
			return s->arena + off;
		}
	}
	size_t off = (s->arena_used + k.align - 1) & ~((size_t)k.align - 1);
	if (off + k.size > s->arena_size) {
		if (s->fatal == NULL)
			sim_set_error(&s->fatal, SIM_CONFIG_ERROR_LIMIT,
				      "simulated memory exhausted: %zu MiB in use, %zu more asked "
				      "for; raise engine.arena_mib", s->arena_used >> 20, size);
		sim_fatal(s, "simulated memory exhausted");
	}
	s->arena_used = off + k.size;
	sim_mem_grew(s);
	/* Fresh arena pages are zero already. */
	return s->arena + off;
}

void
sim_mem_owner_register(struct sim *s, void *addr, size_t size, sim_mem_free_fn fn, void *arg)
{
	g_assert(sim_addr_valid(addr) && size > 0 && fn != NULL);
	g_assert(s->nowners < G_N_ELEMENTS(s->owners));
	uint64_t start = (uint64_t)((char *)addr - s->arena);
	s->owners[s->nowners++] = (struct sim_mem_owner){
		.start = start, .end = start + size, .fn = fn, .arg = arg,
	};
}

void
sim_mem_set_poison(struct sim *s, void *addr, size_t size, bool on)
{
	g_assert(sim_addr_valid(addr) && ((uintptr_t)addr & 7) == 0);
	poison_range(s, addr, size, on);
	if (on && s->cur)
		sim_sb_forget(s, s->cur, addr, size);
}

bool
sim_mem_any_poisoned(struct sim *s, const void *addr, size_t size)
{
	return any_poisoned(s, addr, size);
}

void
sim_free(void *p, size_t size, size_t align)
{
	struct sim *s = sim_current;
	if (!sim_addr_valid(p))
		sim_fatal(s, "sim_free(%p): not simulated memory", p);
	uint64_t at = (uint64_t)((char *)p - s->arena);
	for (uint32_t i = 0; i < s->nowners; i++) {
		const struct sim_mem_owner *o = &s->owners[i];
		if (at < o->start || at >= o->end)
			continue;
		if (s->cur == NULL)
			sim_fatal(s, "sim_free: offset %#" G_GINT64_MODIFIER "x belongs to a simulated "
				  "allocator and can only be freed on a simulated CPU", at);
		o->fn(o->arg, p, size);
		return;
	}
	struct free_key k = class_of(size ? size : 1, align ? align : CLASS_STEP);
	uint64_t off = (uint64_t)((char *)p - s->arena);
	if (off & (k.align - 1))
		sim_fatal(s, "sim_free: offset %#" G_GINT64_MODIFIER "x is not %u-byte aligned",
			  off, k.align);
	if (any_poisoned(s, p, k.size))
		sim_fatal(s, "double free: cpu %d freed offset %#" G_GINT64_MODIFIER "x (%zu bytes) "
			  "at t=%" G_GUINT64_FORMAT ", already freed (seed %" G_GUINT64_FORMAT ")",
			  s->cur ? (int)s->cur->id : -1, off, k.size,
			  s->cur ? s->cur->now : s->now, s->rc->seed);
	poison_range(s, p, k.size, true);
	if (s->cur)
		sim_sb_forget(s, s->cur, p, k.size);
	if (k.size > MAX_CLASS_BYTES)
		return;
	GQueue *fl = g_hash_table_lookup(s->free_lists, &k);
	if (fl == NULL) {
		fl = g_queue_new();
		g_hash_table_insert(s->free_lists, g_memdup2(&k, sizeof k), fl);
	}
	g_queue_push_tail(fl, GSIZE_TO_POINTER(off));
}

bool
sim_addr_valid(const void *addr)
{
	const struct sim *s = sim_current;
	const char *a = addr;
	return s && a >= s->arena && a < s->arena + s->arena_used;
}

uint64_t
sim_addr_offset(const void *addr)
{
	g_assert(sim_addr_valid(addr));
	return (uint64_t)((const char *)addr - sim_current->arena);
}
