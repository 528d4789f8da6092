// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Regression checks: compare two results files (or two directories of
 * them) metric by metric.  See docs/sweeps.md, "sim check".
 *
 * Compared: every leaf under "metrics" (numbers within a tolerance,
 * anything else exactly) and the effective "config" (exactly).  Ignored:
 * "host" (it differs on every run) and "sim.version" (a note only).
 */
#ifndef SIM_CHECK_H
#define SIM_CHECK_H

#include <cjson/cJSON.h>
#include <glib.h>

/* Outcomes, which are also `sim check`'s exit codes. */
enum sim_check_outcome {
	SIM_CHECK_SAME = 0,         /* every metric within tolerance */
	SIM_CHECK_DRIFT = 1,        /* a metric moved, appeared or disappeared */
	SIM_CHECK_INCOMPATIBLE = 2, /* unreadable input, or runs of different configs */
};

struct sim_check_opts {
	double rtol; /* |new - old| <= atol + rtol * |old| counts as unchanged */
	double atol;
};

/*
 * sim_check_files - compare a new results file with an old (golden) one.
 * @out: receives one line per metric that moved ("PATH: OLD -> NEW
 * (+1.2%)", marked DRIFT when beyond tolerance) and a summary line, each
 * prefixed by @label when it is not NULL.
 * @err: receives the reason for SIM_CHECK_INCOMPATIBLE (one line).
 * Return: the outcome.  Context: host.
 */
enum sim_check_outcome sim_check_files(const char *new_path, const char *old_path,
				       const struct sim_check_opts *opts, const char *label,
				       GString *out, GError **err);

/*
 * sim_check_dirs - compare every *.json file (not dot-files) of two
 * directories, matched by file name.  A file in only one directory is
 * drift; an unreadable file or a config mismatch makes the whole result
 * SIM_CHECK_INCOMPATIBLE, but every pair is still compared and reported.
 * @out: per-file lines (prefixed by the file name) and a summary.
 * @errs: receives one line per incompatible pair.
 * Return: the worst outcome.  Context: host.
 */
enum sim_check_outcome sim_check_dirs(const char *new_dir, const char *old_dir,
				      const struct sim_check_opts *opts, GString *out,
				      GString *errs);

/*
 * sim_json_first_difference - the dotted path (under prefix) of the first
 * leaf, in document order, where a and b differ ("config.cpus",
 * "config.machine.topology.socket_order[2]"), or NULL when they are equal.
 * g_free the result.
 */
char *sim_json_first_difference(const cJSON *a, const cJSON *b, const char *prefix);

#endif
