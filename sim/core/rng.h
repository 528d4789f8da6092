// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Deterministic pseudo-random streams.
 *
 * Every stream is xoshiro256** (Blackman & Vigna) seeded through
 * splitmix64 from (config seed, stream id).  Stream ids: CPU i uses
 * SIM_RNG_CPU(i) for its code and SIM_RNG_JITTER(i) for engine.jitter;
 * the coherence arbiter uses SIM_RNG_ARBITER.  Nothing
 * else in sim draws random numbers, so same seed => same run.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

#define SIM_RNG_ARBITER  UINT64_C(0xa4b17e4000000000)
#define SIM_RNG_CPU(i)   ((uint64_t)(i) + 1)
#define SIM_RNG_JITTER(i) (((uint64_t)(i) + 1) | (UINT64_C(1) << 40))

static inline uint64_t
sim_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static inline void
sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * UINT64_C(0xd1342543de82ef95));
	for (int i = 0; i < 4; i++)
		r->s[i] = sim_splitmix64(&x);
}

static inline uint64_t
sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5;
	uint64_t result = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return result;
}

/* Uniform in [0, n), n > 0, without modulo bias (Lemire). */
static inline uint64_t
sim_rng_below(struct sim_rng *r, uint64_t n)
{
	__uint128_t m = (__uint128_t)sim_rng_next(r) * n;
	uint64_t l = (uint64_t)m;
	if (l < n) {
		uint64_t t = -n % n;
		while (l < t) {
			m = (__uint128_t)sim_rng_next(r) * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

#endif
