// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * struct cpumask on simulated memory: Linux's bitmap of unsigned long
 * (lib/bitmap.c, lib/find_bit.c), one accessor call per word touched.
 * See cpumask.h for the layout and costs.
 *
 * MODEL: the kernel's find_next_bit also reads word by word; it is not
 * charged the few ALU cycles per word (ffs, masking) beyond the load.
 */
#include "cpumask.h"

#include <glib.h>

static inline uint32_t
word_of(uint32_t cpu)
{
	return cpu / CPUMASK_BITS_PER_LONG;
}

static inline uint64_t
bit_of(uint32_t cpu)
{
	return UINT64_C(1) << (cpu % CPUMASK_BITS_PER_LONG);
}

/* Whole lines, so that placing a mask moves no other object's line. */
static size_t
mask_bytes(const struct cpumask *m)
{
	return ((size_t)m->nwords * sizeof(uint64_t) + 63) & ~(size_t)63;
}

struct cpumask *
cpumask_alloc(uint32_t nbits)
{
	g_assert(nbits >= 1 && nbits <= (1u << 24));
	struct cpumask *m = g_new0(struct cpumask, 1);
	m->nbits = nbits;
	m->nwords = (nbits + CPUMASK_BITS_PER_LONG - 1) / CPUMASK_BITS_PER_LONG;
	m->bits = sim_alloc(mask_bytes(m), 64);
	return m;
}

void
cpumask_free(struct cpumask *m)
{
	if (m == NULL)
		return;
	sim_free(m->bits, mask_bytes(m), 64);
	g_free(m);
}

void
cpumask_set_cpu(uint32_t cpu, struct cpumask *m)
{
	g_assert(cpu < m->nbits);
	(void)sim_fetch_or64(&m->bits[word_of(cpu)], bit_of(cpu));
}

void
cpumask_clear_cpu(uint32_t cpu, struct cpumask *m)
{
	g_assert(cpu < m->nbits);
	(void)sim_fetch_and64(&m->bits[word_of(cpu)], ~bit_of(cpu));
}

bool
cpumask_test_and_set_cpu(uint32_t cpu, struct cpumask *m)
{
	g_assert(cpu < m->nbits);
	return (sim_fetch_or64(&m->bits[word_of(cpu)], bit_of(cpu)) & bit_of(cpu)) != 0;
}

void
__cpumask_set_cpu(uint32_t cpu, struct cpumask *m)
{
	g_assert(cpu < m->nbits);
	uint64_t *w = &m->bits[word_of(cpu)];
	sim_store64(w, sim_load64(w) | bit_of(cpu));
}

void
__cpumask_clear_cpu(uint32_t cpu, struct cpumask *m)
{
	g_assert(cpu < m->nbits);
	uint64_t *w = &m->bits[word_of(cpu)];
	sim_store64(w, sim_load64(w) & ~bit_of(cpu));
}

bool
cpumask_test_cpu(uint32_t cpu, const struct cpumask *m)
{
	g_assert(cpu < m->nbits);
	return (sim_load64(&m->bits[word_of(cpu)]) & bit_of(cpu)) != 0;
}

uint32_t
cpumask_next(int64_t n, struct cpumask *m)
{
	g_assert(n >= -1);
	uint64_t start = (uint64_t)(n + 1);
	if (start >= m->nbits)
		return m->nbits;
	uint32_t w = (uint32_t)(start / CPUMASK_BITS_PER_LONG);
	/* The first word: ignore bits below start. */
	uint64_t v = sim_load64(&m->bits[w]) & (~UINT64_C(0) << (start % CPUMASK_BITS_PER_LONG));
	m->words_read++;
	while (v == 0) {
		if (++w >= m->nwords)
			return m->nbits;
		v = sim_load64(&m->bits[w]);
		m->words_read++;
	}
	uint32_t cpu = w * CPUMASK_BITS_PER_LONG + (uint32_t)__builtin_ctzll(v);
	return cpu < m->nbits ? cpu : m->nbits;
}

uint32_t
cpumask_weight(struct cpumask *m)
{
	uint32_t n = 0;
	for (uint32_t w = 0; w < m->nwords; w++)
		n += (uint32_t)__builtin_popcountll(sim_load64(&m->bits[w]));
	m->words_read += m->nwords;
	return n;
}

bool
cpumask_empty(struct cpumask *m)
{
	return cpumask_first(m) >= m->nbits;
}

void
cpumask_clear(struct cpumask *dst)
{
	for (uint32_t w = 0; w < dst->nwords; w++)
		sim_store64(&dst->bits[w], 0);
}

void
cpumask_copy(struct cpumask *dst, struct cpumask *src)
{
	g_assert(dst->nbits == src->nbits);
	for (uint32_t w = 0; w < dst->nwords; w++)
		sim_store64(&dst->bits[w], sim_load64(&src->bits[w]));
	src->words_read += src->nwords;
}

bool
cpumask_and(struct cpumask *dst, struct cpumask *a, struct cpumask *b)
{
	g_assert(dst->nbits == a->nbits && a->nbits == b->nbits);
	uint64_t any = 0;
	for (uint32_t w = 0; w < dst->nwords; w++) {
		uint64_t v = sim_load64(&a->bits[w]) & sim_load64(&b->bits[w]);
		sim_store64(&dst->bits[w], v);
		any |= v;
	}
	a->words_read += a->nwords;
	b->words_read += b->nwords;
	return any != 0;
}

void
cpumask_set_cpu_host(uint32_t cpu, struct cpumask *m)
{
	g_assert(cpu < m->nbits);
	m->bits[word_of(cpu)] |= bit_of(cpu);
}

void
cpumask_setall_host(struct cpumask *m)
{
	for (uint32_t w = 0; w < m->nwords; w++)
		m->bits[w] = ~UINT64_C(0);
	uint32_t tail = m->nbits % CPUMASK_BITS_PER_LONG;
	if (tail)
		m->bits[m->nwords - 1] = (UINT64_C(1) << tail) - 1;
}

bool
cpumask_test_cpu_host(uint32_t cpu, const struct cpumask *m)
{
	g_assert(cpu < m->nbits);
	return (m->bits[word_of(cpu)] & bit_of(cpu)) != 0;
}

uint32_t
cpumask_weight_host(const struct cpumask *m)
{
	uint32_t n = 0;
	for (uint32_t w = 0; w < m->nwords; w++)
		n += (uint32_t)__builtin_popcountll(m->bits[w]);
	return n;
}
