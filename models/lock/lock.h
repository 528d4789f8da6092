// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Mutual-exclusion locks run on simulated CPUs (ticket, MCS, ...): the
 * updaters' lock of RCU-style code (the seed's foo_mutex) and baselines.
 * One lock per file, behind a const struct lock_ops listed in
 * models/reclaim/registry.c.  Config: "lock": { "kind": "<name>", ...params }.
 *
 * Context: lock/unlock/trylock run on a simulated CPU and may yield;
 * create/destroy/stats are host context.
 */
#ifndef SIM_LOCK_H
#define SIM_LOCK_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "component.h"
#include "sim.h"

struct lock_ops {
	struct sim_component comp;  /* must come first */
	/* A new unlocked lock whose lines are homed on CPU home_cpu. */
	void *(*create)(struct sim *sim, const void *params, uint32_t home_cpu);
	void (*destroy)(void *lk);
	void (*lock)(void *lk);
	void (*unlock)(void *lk);
	bool (*trylock)(void *lk);
	/* Counters (acquisitions, contended, spin wake-ups ...). */
	void (*stats)(void *lk, cJSON *out);
};

const struct sim_component *const *lock_all(void);
const struct lock_ops *lock_find(const char *name);

static inline const struct lock_ops *
lock_ops_from(const struct sim_component *c)
{
	return (const struct lock_ops *)c;
}

/* The lock chosen by the run's config ("lock" section), or the ticket
 * lock with default parameters if the config has none.  *params receives
 * the parameters to pass to create().  Context: host. */
const struct lock_ops *lock_ops_of(const struct sim *sim, const void **params);

#endif
