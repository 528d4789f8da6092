// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The schedule explorer: run one small scenario over many seeds with
 * schedule jitter (engine.jitter: a random delay before every accessor
 * call, from a per-CPU stream the seed selects) and stop at the first
 * run that fails -- a use-after-free, a stale read or another sim_fail(),
 * a simulated deadlock, a limit.  Each seed is a different interleaving;
 * a failing seed replays exactly with the command the explorer prints.
 *
 *   sim explore CONFIG.json [--seeds N] [--first-seed S] [--jitter J] [--set P=V]...
 *
 * Tests call sim_explore_doc() directly, e.g. to assert that a mutated
 * scheme is caught within 1,000 seeds and the unmutated one survives the
 * same seeds (tests/test-gus.c).
 */
#ifndef SIM_EXPLORE_H
#define SIM_EXPLORE_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <signal.h>
#include <stdint.h>

struct sim_explore_opts {
	uint64_t first_seed;        /* first seed (any value, 0 included) */
	uint64_t nseeds;            /* seeds first_seed .. first_seed + nseeds - 1 */
	uint32_t jitter;            /* engine.jitter for every run; 0 = the config's own */
	char **set;                 /* more "dotted.path=VALUE" overrides; may be NULL */
	/* Stop (as if no failure were found) once *stop is non-zero; may be NULL. */
	const volatile sig_atomic_t *stop;
	/* Called after every run that did not fail; may be NULL. */
	void (*progress)(void *arg, uint64_t seed, uint64_t runs_done, uint64_t runs_total);
	void *progress_arg;
};

struct sim_explore_result {
	gboolean failed;            /* some run failed */
	uint64_t seed;              /* the first failing seed */
	uint64_t runs;              /* runs done, the failing one included */
	uint32_t jitter;            /* the jitter the runs used */
	char *message;              /* the failing run's error */
	char *replay;               /* `sim run ...` that replays it */
	double host_seconds;
};

/*
 * sim_explore_doc - explore the config doc (not modified); file names it
 * in messages and in the replay command.
 * Return: TRUE when every run was made (res->failed tells whether one
 * failed), FALSE with *err when the config does not load or a run cannot
 * be created (bad input).  Context: host; no run may exist.
 */
gboolean sim_explore_doc(const cJSON *doc, const char *file, const struct sim_explore_opts *o,
			 struct sim_explore_result *res, GError **err);

/* sim_explore_file - the same for a config file. */
gboolean sim_explore_file(const char *file, const struct sim_explore_opts *o,
			  struct sim_explore_result *res, GError **err);

/* Free what a result holds (not the struct). */
void sim_explore_result_clear(struct sim_explore_result *res);

#endif
