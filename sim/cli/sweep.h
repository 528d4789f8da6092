// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Sweeps: a JSON file that names a base config and the axes to vary,
 * expanded into points.  Each point is one `sim run BASE --set ...`
 * command and one results file OUT/NAME.json.  See docs/sweeps.md.
 *
 *   { "name": "scaling",
 *     "base": "../default/faa_icx2s.json",          (relative to this file)
 *     "set":  { "workload.duration": 1000000 },     (every point)
 *     "axes": { "cpus": {"pow2": [1, 128]}, "machine": ["icx2s", "genoa2s"] },
 *     "series": [ { "name": "...", "title"?, "base"?, "set"?, "axes"? }, ... ] }
 *
 * A series inherits base, set and axes and overrides them key by key.
 * A point's name is its series name (when the sweep has "series") and
 * then "path=value" for every axis, sorted by path, joined with ",":
 * reordering the axes in the file never renames a point.
 *
 * Everything here is host code; nothing runs a simulation.
 */
#ifndef SIM_SWEEP_H
#define SIM_SWEEP_H

#include <cjson/cJSON.h>
#include <glib.h>

struct sim_sweep_point {
	char *name;       /* file name without ".json"; unique in the sweep */
	char *series;     /* series name (the sweep's name when it has no series) */
	char *title;      /* the series' "title" (for legends), else its name */
	char *base;       /* the base config file, as the command line names it */
	char **sets;      /* "path=VALUE" overrides: fixed ones, then the axes */
	cJSON *coords;    /* axis path -> value, in the order the axes are written */
	cJSON *effective; /* the effective config the point's results must carry */
};

struct sim_sweep {
	char *name;
	char *file;         /* the sweep file */
	char *out_dir;      /* results/<name> unless overridden */
	GPtrArray *points;  /* struct sim_sweep_point *, in expansion order */
	GPtrArray *axes;    /* char *: every axis path, first appearance first */
};

/*
 * sim_sweep_load - read a sweep file and expand it into points.  Every
 * point's config is loaded and validated (so a bad point is reported
 * before anything runs).
 * @out_dir: where results go; NULL for results/<name>.
 * Return: the sweep (free with sim_sweep_free), or NULL with *err: one
 * line "FILE: JSON.path: what is wrong" (SIM_CONFIG_ERROR), or for a
 * point whose config is refused "FILE: point NAME: <the config error>".
 * Context: host.
 */
struct sim_sweep *sim_sweep_load(const char *file, const char *out_dir, GError **err);

void sim_sweep_free(struct sim_sweep *sw);

/* sim_sweep_point_path - OUT/NAME.json (g_free it). */
char *sim_sweep_point_path(const struct sim_sweep *sw, const struct sim_sweep_point *p);

/*
 * sim_sweep_point_command - the shell command that runs the point:
 * "SIM run BASE --set ... --out OUT/NAME.json -q", each word quoted for
 * sh only where it needs to be.  g_free the result.
 */
char *sim_sweep_point_command(const struct sim_sweep *sw, const struct sim_sweep_point *p,
			      const char *sim);

/*
 * sim_sweep_point_complete - whether OUT/NAME.json is a readable results
 * file (sim_results_read) whose effective config equals the point's.
 * @why: if not NULL and the point is not complete, receives a short
 * reason ("missing", "stale: config.cpus differs", the read error).
 * Context: host.
 */
gboolean sim_sweep_point_complete(const struct sim_sweep *sw, const struct sim_sweep_point *p,
				  char **why);

/*
 * sim_sweep_index - the index of the complete points as tab-separated
 * text: a header line (no '#', so gnuplot can use column names), then one
 * row per complete point in expansion order.  Columns: point, series,
 * title, every axis path, sim.machine, sim.workload, sim.cpus, sim.seed, then
 * every numeric leaf under metrics ("metrics.engine.sim_cycles").  A
 * value a row lacks prints as NaN.
 * @rows: receives the number of rows.
 * Return: the text (g_free it).
 */
char *sim_sweep_index(const struct sim_sweep *sw, guint *rows);

/*
 * sim_sweep_slurm_script - a Slurm job-array script with one array task
 * per point in pending (struct sim_sweep_point *): task i runs pending[i].
 * @workdir: absolute directory the tasks cd into before running.
 * Slurm opens the --output file (OUT/.log/slurm-JOB_TASK.out, made
 * absolute, double-quoted) before the script runs: the caller creates
 * OUT/.log first, and refuses paths and sbatch options holding a newline
 * or a double quote (sim_sweep_slurm_check()).
 * @sbatch: extra "#SBATCH" options (NULL-terminated, may be NULL).
 * @max_running: array throttle ("%M"); 0 for none.
 * Return: the script text (g_free it).
 */
/*
 * sim_sweep_slurm_check - whether a script can carry these safely: no
 * newline (it would start a script line of its own) and no double quote
 * in workdir, the sweep's output directory or an sbatch option.
 * Return: TRUE, or FALSE with *err naming the offending value.
 */
gboolean sim_sweep_slurm_check(const struct sim_sweep *sw, const char *workdir, char **sbatch,
			       GError **err);

char *sim_sweep_slurm_script(const struct sim_sweep *sw, const GPtrArray *pending,
			     const char *sim, const char *workdir, char **sbatch,
			     guint max_running);

/* How `sim sweep run` runs the points. */
struct sim_sweep_run_opts {
	const char *sim;     /* the sim binary, as the commands name it */
	guint jobs;          /* points run at once; 0 = the host's CPU count */
	const char *runner;  /* "auto" (parallel if installed), "parallel" or "xargs" */
	gboolean force;      /* run complete points again too */
	gboolean tty;        /* one updating progress line instead of a line per point */
};

/*
 * sim_sweep_run - run every point that is not complete with GNU parallel
 * or xargs -P (one `sim run` per point, its stderr kept in
 * OUT/.log/NAME.log when it fails), show progress on stderr, report each
 * failed point with its command line and go on, then rewrite
 * OUT/index.tsv from the results present.  Temporary files that a killed
 * run on this host left are removed first (sim_results_remove_stale_temps).
 * -j (o->jobs) is clamped to the points to run and to 4 per host CPU, with
 * a line saying so.  SIGINT, SIGTERM and SIGHUP are passed to the runner's
 * whole process group as SIGINT (every run stops, nothing more starts),
 * then the sweep is reported interrupted (130); a second signal SIGKILLs
 * the group.
 * Return: an exit code: 0 every point complete; 1 a point failed; 2 the
 * runner is missing or the output directory cannot be written; 130
 * interrupted (run it again to resume).  Context: host, main thread.
 */
int sim_sweep_run(const struct sim_sweep *sw, const struct sim_sweep_run_opts *o);

/*
 * sim_sweep_write_index - write sim_sweep_index() to OUT/index.tsv
 * atomically.  Return: the number of rows, or -1 with *err.
 */
int sim_sweep_write_index(const struct sim_sweep *sw, GError **err);

/* sim_shell_quote - word as sh reads it: unchanged if it is safe, else '...'. */
char *sim_shell_quote(const char *word);

#endif
