// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Simulated shared memory: one host mapping (the arena) carved by a
 * deterministic allocator.
 *
 * A line's identity is its offset in the arena divided by 64, so object
 * layout, false sharing and line ids are identical on every host and run.
 * Blocks are rounded up to a multiple of max(align, 16) bytes and aligned
 * to align; freed blocks go to a per-(size, align) LIFO list kept in host
 * memory (never inside the simulated block), so freeing touches no
 * simulated line.  Blocks larger than 64 KiB are never reused.
 *
 * MODEL: allocation itself costs no simulated time; a model that wants
 * allocator costs charges them explicitly.
 */
#include <string.h>
#include <sys/mman.h>

#include "engine_impl.h"

#define MAX_CLASS_BYTES (64u * 1024u)
#define CLASS_STEP 16u

struct free_key {
	uint32_t size, align;
};

static guint
key_hash(gconstpointer p)
{
	const struct free_key *k = p;
	return k->size * 31u + k->align;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	const struct free_key *x = a, *y = b;
	return x->size == y->size && x->align == y->align;
}

static void
free_array(gpointer p)
{
	g_array_free(p, TRUE);
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
	s->free_lists = g_hash_table_new_full(key_hash, key_equal, g_free, free_array);
	return TRUE;
}

void
sim_arena_destroy(struct sim *s)
{
	if (s->arena)
		munmap(s->arena, s->arena_size);
	s->arena = NULL;
	for (uint32_t i = 0; i < s->nline_chunks; i++) {
		struct sim_line *c = s->line_chunks ? s->line_chunks[i] : NULL;
		if (c == NULL)
			continue;
		for (uint32_t j = 0; j < SIM_LINE_CHUNK; j++)
			g_free(c[j].wait);
		g_free(c);
	}
	g_free(s->line_chunks);
	s->line_chunks = NULL;
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
	return (struct free_key){ .size = (uint32_t)rounded, .align = (uint32_t)align };
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
		GArray *fl = g_hash_table_lookup(s->free_lists, &k);
		if (fl && fl->len) {
			uint64_t off = g_array_index(fl, uint64_t, fl->len - 1);
			g_array_set_size(fl, fl->len - 1);
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
sim_free(void *p, size_t size, size_t align)
{
	struct sim *s = sim_current;
	g_assert(sim_addr_valid(p));
	struct free_key k = class_of(size ? size : 1, align ? align : CLASS_STEP);
	if (k.size > MAX_CLASS_BYTES)
		return;
	GArray *fl = g_hash_table_lookup(s->free_lists, &k);
	if (fl == NULL) {
		fl = g_array_new(FALSE, FALSE, sizeof(uint64_t));
		g_hash_table_insert(s->free_lists, g_memdup2(&k, sizeof k), fl);
	}
	uint64_t off = (uint64_t)((char *)p - s->arena);
	g_array_append_val(fl, off);
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
