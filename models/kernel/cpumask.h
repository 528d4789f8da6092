// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * struct cpumask on simulated memory, laid out as Linux lays it out
 * (include/linux/cpumask.h, lib/find_bit.c): an array of unsigned long
 * (64-bit words), bit `cpu % 64` of word `cpu / 64`, eight words to a
 * 64-byte line.  A mask of nbits CPUs takes ceil(nbits / 64) words, so a
 * 65,536-CPU mask is 1,024 words on 128 lines.
 *
 * Cost: every operation reads or writes the words it touches through the
 * simulated accessors: a scan (cpumask_next, for_each_cpu, weight, empty)
 * reads every word from its start to the next set bit, i.e. a sparse mask
 * of 65,536 CPUs costs up to 128 line reads per scan, as find_next_bit
 * does.  The host-side handle (struct cpumask) is free.
 *
 * Invariant: bits at or above nbits are always 0 (every writer masks).
 * Context: the cpumask_* functions run on a simulated CPU and may yield;
 * cpumask_alloc / cpumask_free and the *_host helpers are host context
 * (setup, report) and cost nothing.
 */
#ifndef SIM_KERNEL_CPUMASK_H
#define SIM_KERNEL_CPUMASK_H

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

#define CPUMASK_BITS_PER_LONG 64u

struct cpumask {
	uint32_t nbits;          /* nr_cpumask_bits: CPUs the mask can name */
	uint32_t nwords;         /* ceil(nbits / 64) */
	uint64_t *bits;          /* simulated: the words; written by whoever
				  * owns the mask (see its user), read by scans */
	uint64_t words_read;     /* host-side: words loaded by scans (cost accounting) */
};

/* cpumask_alloc - a zeroed mask of nbits (1 .. 2^24) CPUs in whole lines
 * (like a cpumask_var_t from kmalloc).  Context: anywhere; no cost. */
struct cpumask *cpumask_alloc(uint32_t nbits);
void cpumask_free(struct cpumask *m);

/* Atomic set_bit / clear_bit (LOCK OR / LOCK AND on the word).
 * Cost: one RMW on the word's line. */
void cpumask_set_cpu(uint32_t cpu, struct cpumask *m);
void cpumask_clear_cpu(uint32_t cpu, struct cpumask *m);
/* Non-atomic __set_bit / __clear_bit: load + store of the word (the
 * caller owns the mask).  Cost: a load and a store. */
void __cpumask_set_cpu(uint32_t cpu, struct cpumask *m);
/* cpumask_test_and_set_cpu - atomic test_and_set_bit (LOCK BTS on the
 * word).  Return: whether the bit was set before.  Cost: one RMW on the
 * word's line (whether or not the bit changes). */
bool cpumask_test_and_set_cpu(uint32_t cpu, struct cpumask *m);
void __cpumask_clear_cpu(uint32_t cpu, struct cpumask *m);
/* test_bit.  Cost: one load. */
bool cpumask_test_cpu(uint32_t cpu, const struct cpumask *m);

/*
 * cpumask_next - the first set bit above n (n = -1 for the first), or
 * nbits if none: find_next_bit, reading word by word.
 * Cost: one load per word from n + 1's word to the answer's.
 */
uint32_t cpumask_next(int64_t n, struct cpumask *m);
static inline uint32_t
cpumask_first(struct cpumask *m)
{
	return cpumask_next(-1, m);
}

/* for_each_cpu(cpu, mask): every set bit, ascending, each step a
 * cpumask_next(). */
#define for_each_cpu(cpu, mask) \
	for ((cpu) = cpumask_next(-1, (mask)); (cpu) < (mask)->nbits; \
	     (cpu) = cpumask_next((int64_t)(cpu), (mask)))

/* Number of set bits (bitmap_weight).  Cost: one load per word. */
uint32_t cpumask_weight(struct cpumask *m);
/* No bit set?  Cost: loads until the first nonzero word. */
bool cpumask_empty(struct cpumask *m);
/* dst = 0.  Cost: one store per word. */
void cpumask_clear(struct cpumask *dst);
/* dst = src.  Cost: a load and a store per word. */
void cpumask_copy(struct cpumask *dst, struct cpumask *src);
/* dst = a & b; return whether dst is nonempty (bitmap_and).
 * Cost: two loads and a store per word.  All three masks have the same
 * nbits. */
bool cpumask_and(struct cpumask *dst, struct cpumask *a, struct cpumask *b);

/* Host-side setup and inspection (no cost, no simulated time): only
 * before the run or after it, when no store buffer holds the words. */
void cpumask_set_cpu_host(uint32_t cpu, struct cpumask *m);
void cpumask_setall_host(struct cpumask *m);
bool cpumask_test_cpu_host(uint32_t cpu, const struct cpumask *m);
uint32_t cpumask_weight_host(const struct cpumask *m);

#endif
