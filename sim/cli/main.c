// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The `sim` command line.
 *
 *   sim run CONFIG.json [--out FILE] [--set PATH=VALUE]... [--seed N]
 *   sim list [-v]
 *   sim table RESULT.json... --col PATH...
 *   sim sweep plan|run|slurm|index SWEEP.json [-o DIR] ...
 *   sim check RESULT.json GOLDEN.json [--rtol R] [--atol A]   (or two directories)
 *   sim explore CONFIG.json [--seeds N] [--first-seed S] [--jitter J] [--set PATH=VALUE]...
 *   sim version
 *
 * Exit codes: 0 success; 1 the simulation failed (deadlock, stack
 * overflow, limit reached); 2 bad input (file, JSON, type, range, name,
 * --set, budget) -- always one line on stderr, and no results file;
 * 130 interrupted (SIGINT/SIGTERM), no results file.  explore: 0 no seed
 * failed, 1 a seed failed (the failure and its replay command on stdout).
 */
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "engine.h"
#include "explore.h"
#include "json.h"
#include "results.h"
#include "sweep.h"
#include "sim_build_config.h"

#define EXIT_FAIL 1
#define EXIT_BADINPUT 2
#define EXIT_INTERRUPTED 130

static volatile sig_atomic_t got_signal;

/*
 * The first SIGINT, SIGTERM or SIGHUP asks the run to stop at the next
 * check (every 65,536 events, and once more just before the results file
 * is renamed into place); a second one kills at once (SA_RESETHAND), for
 * a run stuck inside one long event.  Either way no partial results file
 * exists: it is only ever renamed into place whole.
 */
static void
on_signal(int sig)
{
	got_signal = sig;
	sim_request_stop();
}

static void
install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int
fail(GError *err, int code)
{
	fprintf(stderr, "sim: %s\n", err->message);
	g_error_free(err);
	return code;
}

/* Add entries to ctx, parse argc/argv with it and free it.  Returns FALSE
 * after printing the one-line error (the caller exits EXIT_BADINPUT). */
static gboolean
parse_options(GOptionContext *ctx, const GOptionEntry *entries, int *argc, char ***argv)
{
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	gboolean ok = g_option_context_parse(ctx, argc, argv, &err);
	g_option_context_free(ctx);
	if (!ok)
		(void)fail(err, EXIT_BADINPUT);
	return ok;
}

struct progress {
	bool tty;
	bool printed;
};

static void
show_progress(void *arg, sim_time_t now, sim_time_t goal, uint64_t events, double secs)
{
	struct progress *p = arg;
	double frac = goal ? (double)now / (double)goal : 0.0;
	if (frac > 1.0)
		frac = 1.0;
	char eta[32] = "?";
	if (frac > 0.001)
		g_snprintf(eta, sizeof eta, "%.0fs", secs / frac - secs);
	fprintf(stderr, "%s[sim] %5.1f%%  t=%" G_GUINT64_FORMAT " cycles  %.1f M events/s  "
		"elapsed %.0fs  eta %s%s", p->tty ? "\r" : "", 100.0 * frac, now,
		(double)events / secs / 1e6, secs, eta, p->tty ? "   " : "\n");
	fflush(stderr);
	p->printed = true;
}

/* The overrun notice (sim_set_overrun), printed even with --quiet: in a
 * sweep it lands in the point's log, which `sim sweep run` reads. */
struct overrun {
	const char *config;
	struct progress *pr;
};

static void
show_overrun(void *arg, sim_time_t now, sim_time_t goal)
{
	struct overrun *o = arg;
	if (o->pr->printed && o->pr->tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "sim: %s: warning: simulated time passed %" G_GUINT64_FORMAT " cycles, "
		"%ux the workload's run length (%" G_GUINT64_FORMAT ") plus %" G_GUINT64_FORMAT
		", and the run goes on: its CPUs are still finishing (work begun before the "
		"end, such as faa's batches, or waits: exit drains, grace periods, a last "
		"sleep); a run that never ends here lost a wake-up (engine.max_cycles stops "
		"it)\n", o->config, now, SIM_OVERRUN_FACTOR,
		goal, SIM_OVERRUN_SLACK);
	fflush(stderr);
}

static char *
default_out(const char *config)
{
	g_autofree char *base = g_path_get_basename(config);
	if (g_str_has_suffix(base, ".json"))
		base[strlen(base) - 5] = '\0';
	return g_strdup_printf("results/%s.json", base);
}

static int
cmd_run(int argc, char **argv)
{
	g_autofree char *out = NULL;
	g_auto(GStrv) sets = NULL;
	gint64 seed = -1;
	gboolean quiet = FALSE, progress = FALSE;
	GOptionEntry entries[] = {
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
		  "results file (default results/CONFIG.json; - for stdout)", "FILE" },
		/* FILENAME: the bytes as given; parse_sets() names a --set that
		 * is not UTF-8 (GLib's conversion error would not) */
		{ "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &sets,
		  "override a config value, e.g. --set workload.rounds=10", "PATH=VALUE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "override the config's seed", "N" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no summary line", NULL },
		{ "progress", 'p', 0, G_OPTION_ARG_NONE, &progress,
		  "report progress even when stderr is not a terminal", NULL },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new("CONFIG.json - run one simulation");
	if (!parse_options(ctx, entries, &argc, &argv))
		return EXIT_BADINPUT;
	GError *err = NULL;
	if (argc != 2) {
		fprintf(stderr, "sim: run: expected exactly one CONFIG.json (see sim run --help)\n");
		return EXIT_BADINPUT;
	}
	if (seed < -1 || seed > ((gint64)1 << 53) - 1) {
		fprintf(stderr, "sim: --seed %" G_GINT64_FORMAT ": out of range [0, 2^53 - 1]\n",
			seed);
		return EXIT_BADINPUT;
	}
	const char *config = argv[1];
	if (out == NULL)
		out = default_out(config);

	sim_clear_stop();
	install_signals();
	struct sim_overrides ov = { .set = sets, .has_seed = seed >= 0, .seed = (uint64_t)seed };
	struct sim_run_config *rc = sim_config_load(config, &ov, &err);
	if (rc == NULL)
		return fail(err, EXIT_BADINPUT);
	/* Where the results go is checked before the run, not after it. */
	g_autofree char *target = sim_results_target(out, &err);
	if (target == NULL) {
		sim_run_config_free(rc);
		return fail(err, EXIT_BADINPUT);
	}
	struct sim *sim = sim_create(rc, &err);
	if (sim == NULL) {
		sim_run_config_free(rc);
		return fail(err, EXIT_BADINPUT);
	}
	/* A signal during setup is seen by sim_run at once ("before the run
	 * started"). */
	struct progress pr = { .tty = isatty(STDERR_FILENO) };
	if (pr.tty || progress)
		sim_set_progress(sim, show_progress, &pr);
	struct overrun orun = { .config = config, .pr = &pr };
	sim_set_overrun(sim, show_overrun, &orun);
	gboolean ok = sim_run(sim, &err);
	if (pr.printed && pr.tty)
		fputc('\n', stderr);
	int code = 0;
	if (!ok) {
		gboolean intr = g_error_matches(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_INTERRUPTED);
		code = intr ? EXIT_INTERRUPTED : EXIT_FAIL;
		fprintf(stderr, "sim: %s: %s%s\n", config, err->message,
			intr ? "; no results written" : "");
		g_error_free(err);
	} else {
		cJSON *res = sim_results(sim);
		if (!sim_results_write(out, res, &err)) {
			gboolean intr = g_error_matches(err, SIM_CONFIG_ERROR,
							SIM_CONFIG_ERROR_INTERRUPTED);
			if (intr)
				fprintf(stderr, "sim: %s: the run finished (%.0f simulated cycles) but "
					"was interrupted while writing %s; no results written\n", config,
					cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
						res, "metrics"), "engine"), "sim_cycles")->valuedouble, out);
			code = intr ? EXIT_INTERRUPTED : EXIT_FAIL;
			if (intr)
				g_error_free(err);
			else
				fail(err, EXIT_FAIL);
		} else if (got_signal) {
			/* The signal came after the rename: the file is whole. */
			fprintf(stderr, "sim: %s: interrupted after writing %s (complete)\n", config,
				out);
			code = EXIT_INTERRUPTED;
		} else if (!quiet && strcmp(out, "-") != 0) {
			const cJSON *e = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "metrics"), "engine");
			const cJSON *h = cJSON_GetObjectItem(res, "host");
			fprintf(stderr, "sim: wrote %s (%s, %u CPUs, %.0f simulated cycles, %.2f host s)\n",
				out, rc->workload->name, rc->cpus,
				cJSON_GetObjectItem(e, "sim_cycles")->valuedouble,
				cJSON_GetObjectItem(h, "seconds")->valuedouble);
		}
		cJSON_Delete(res);
	}
	sim_destroy(sim);
	sim_run_config_free(rc);
	return code;
}

static int
cmd_list(int argc, char **argv)
{
	gboolean verbose = FALSE;
	GOptionEntry entries[] = {
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
		  "describe every parameter", NULL },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new("- list machines, workloads and models");
	if (!parse_options(ctx, entries, &argc, &argv))
		return EXIT_BADINPUT;
	if (argc > 1) {
		g_autofree char *shown = sim_one_line(argv[1]);
		fprintf(stderr, "sim: list: unexpected argument \"%.200s\" (sim list [-v] lists "
			"everything)\n", shown);
		return EXIT_BADINPUT;
	}
	GString *out = g_string_new(NULL);
	char **machines = sim_machine_list_presets();
	for (char **m = machines; *m; m++) {
		g_string_append_printf(out, "machine %s\n", *m);
		if (!verbose)
			continue;
		g_autofree char *path = sim_machine_find_preset(*m);
		cJSON *doc = sim_json_parse_file(path, NULL);
		const cJSON *d = doc ? cJSON_GetObjectItem(doc, "description") : NULL;
		g_string_append_printf(out, "    %s\n    file: %s\n",
				       cJSON_IsString(d) ? d->valuestring : "", path);
		cJSON_Delete(doc);
	}
	g_strfreev(machines);
	for (const struct sim_workload_ops *const *w = sim_workload_all(); *w; w++) {
		g_string_append_printf(out, "workload %s\n", (*w)->name);
		if (verbose) {
			g_string_append_printf(out, "    %s\n", (*w)->summary);
			sim_params_describe((*w)->params, out, "    ");
		}
	}
	for (int i = 0; i < SIM_SECTION_N; i++) {
		const struct sim_section *sec = &sim_sections[i];
		for (const struct sim_component *const *c = sec->all(); *c; c++) {
			g_string_append_printf(out, "%s %s\n", sec->key, (*c)->name);
			if (verbose) {
				g_string_append_printf(out, "    %s\n", (*c)->summary);
				sim_params_describe((*c)->params, out, "    ");
			}
		}
	}
	if (verbose) {
		g_string_append(out, "config keys: ");
		for (const char *const *k = sim_config_sections; *k; k++)
			g_string_append_printf(out, "%s%s", *k, k[1] ? ", " : "\n");
		g_string_append(out, "engine parameters:\n");
		sim_params_describe(sim_engine_params, out, "    ");
		g_string_append(out, "machine parameters:\n");
		sim_params_describe(sim_machine_params, out, "    ");
		g_string_append(out, "  topology:\n");
		sim_params_describe(sim_topology_params, out, "    ");
		g_string_append(out,
			"    socket_order: array of socket numbers, each once, default [0, 1, 2, ...]. "
			"the order in which CPU numbers fill sockets, cores_per_cluster x "
			"clusters_per_socket CPUs each\n"
			"    cpu_sockets: array of socket numbers, one per core, default none. the "
			"socket of each core in CPU-number order (CPU i when threads_per_core is 1), "
			"for an OS that numbers CPUs across sockets; each socket appears as many "
			"times as it has cores; overrides socket_order\n"
			"    links: array of [a, b] socket pairs. the socket graph of an explicit "
			"interconnect; hops are shortest paths\n");
		g_string_append(out, "  latency (cycles):\n");
		sim_params_describe(sim_latency_params, out, "    ");
		g_string_append(out, "  fence (cycles):\n");
		sim_params_describe(sim_fence_params, out, "    ");
		g_string_append(out, "  idle_states (array, shallowest first; default none):\n");
		sim_params_describe(sim_idle_state_params, out, "    ");
	}
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
	return 0;
}

/* Value at a dotted path ("metrics.ops_per_sec", "sim.cpus"); NULL if absent. */
static const cJSON *
json_at(const cJSON *doc, const char *dotted)
{
	char **parts = g_strsplit(dotted, ".", -1);
	const cJSON *v = doc;
	for (char **p = parts; *p && v; p++)
		v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, *p) : NULL;
	g_strfreev(parts);
	return v;
}

static int
cmd_table(int argc, char **argv)
{
	g_auto(GStrv) cols = NULL;
	GOptionEntry entries[] = {
		{ "col", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &cols,
		  "a column: a dotted path into the results, e.g. metrics.ops_per_sec", "PATH" },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new("RESULT.json... - print a tab-separated table");
	g_option_context_set_description(ctx, "One row per file, in the order given, with a "
		"header line; a missing value prints as NaN (gnuplot skips it).");
	if (!parse_options(ctx, entries, &argc, &argv))
		return EXIT_BADINPUT;
	GError *err = NULL;
	if (cols == NULL || argc < 2) {
		fprintf(stderr, "sim: table: need --col PATH (one or more) and result files\n");
		return EXIT_BADINPUT;
	}
	for (char **c = cols; *c; c++) {
		g_auto(GStrv) parts = g_strsplit(*c, ".", -1);
		gboolean ok = **c != '\0';
		for (char **p = parts; ok && *p; p++)
			ok = **p != '\0';
		if (!ok) {
			g_autofree char *shown = sim_one_line(*c);
			fprintf(stderr, "sim: table: --col \"%.200s\": not a dotted path (an empty "
				"key), e.g. metrics.ops_per_sec\n", shown);
			return EXIT_BADINPUT;
		}
	}
	GString *out = g_string_new("#");
	for (char **c = cols; *c; c++)
		g_string_append_printf(out, "%s%s", c == cols ? "" : "\t", *c);
	g_string_append_c(out, '\n');
	for (int i = 1; i < argc; i++) {
		/* The schema-checking reader: another schema is refused, not misread. */
		cJSON *doc = sim_results_read(argv[i], &err);
		if (doc == NULL) {
			g_string_free(out, TRUE);
			return fail(err, EXIT_BADINPUT);
		}
		for (char **c = cols; *c; c++) {
			const cJSON *v = json_at(doc, *c);
			if (c != cols)
				g_string_append_c(out, '\t');
			if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble)) {
				/* integers exactly: a seed of 2^53 - 1 stays itself */
				g_autofree char *t = sim_json_number_text(v->valuedouble);
				g_string_append(out, t);
			} else if (cJSON_IsNumber(v)) {
				g_string_append_printf(out, "%.12g", v->valuedouble);
			}
			else if (cJSON_IsString(v))
				g_string_append(out, v->valuestring);
			else
				g_string_append(out, "NaN");
		}
		g_string_append_c(out, '\n');
		cJSON_Delete(doc);
	}
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
	return 0;
}

/* The sim binary as sweep commands name it: argv[0] if it has a
 * directory part (relative to the directory the commands run in), else
 * the name found on PATH. */
static const char *sim_self = "sim";

struct sweep_args {
	char *out;
	gint jobs;
	char *runner;
	gboolean force, progress, verbose;
	char *script;
	char **sbatch;
	gint max_running;
};

static void
sweep_args_clear(struct sweep_args *a)
{
	g_free(a->out);
	g_free(a->runner);
	g_free(a->script);
	g_strfreev(a->sbatch);
}

/* `sim sweep plan`: the pending points' commands on stdout. */
static int
sweep_plan(const struct sim_sweep *sw, const struct sweep_args *a)
{
	guint complete = 0, pending = 0;
	for (guint i = 0; i < sw->points->len; i++) {
		const struct sim_sweep_point *p = sw->points->pdata[i];
		g_autofree char *why = NULL;
		if (!a->force && sim_sweep_point_complete(sw, p, &why)) {
			complete++;
			continue;
		}
		pending++;
		if (why && (a->verbose || strcmp(why, "missing") != 0))
			fprintf(stderr, "sim sweep: %s: %s\n", p->name, why);
		g_autofree char *cmd = sim_sweep_point_command(sw, p, sim_self);
		printf("%s\n", cmd);
	}
	fprintf(stderr, "sim sweep %s: %u points, %u complete, %u to run\n", sw->name,
		sw->points->len, complete, pending);
	return 0;
}

/* `sim sweep slurm`: a job-array script for the pending points. */
static int
sweep_slurm(const struct sim_sweep *sw, const struct sweep_args *a)
{
	GPtrArray *pending = g_ptr_array_new();
	for (guint i = 0; i < sw->points->len; i++) {
		struct sim_sweep_point *p = sw->points->pdata[i];
		if (a->force || !sim_sweep_point_complete(sw, p, NULL))
			g_ptr_array_add(pending, p);
	}
	g_autofree char *cwd = g_get_current_dir();
	GError *err = NULL;
	if (!sim_sweep_slurm_check(sw, cwd, a->sbatch, &err)) {
		g_ptr_array_free(pending, TRUE);
		return fail(err, EXIT_BADINPUT);
	}
	g_autofree char *script = a->script ? g_strdup(a->script) :
		g_build_filename(sw->out_dir, "slurm.sh", NULL);
	g_autofree char *logdir = g_build_filename(sw->out_dir, ".log", NULL);
	g_autofree char *text = sim_sweep_slurm_script(sw, pending, sim_self, cwd, a->sbatch,
						       (guint)a->max_running);
	g_autofree char *dir = g_path_get_dirname(script);
	int code = 0;
	if (pending->len == 0) {
		fprintf(stderr, "sim sweep %s: all %u points complete; no script written\n",
			sw->name, sw->points->len);
	} else if (g_mkdir_with_parents(dir, 0755) != 0 || g_mkdir_with_parents(logdir, 0755) != 0 ||
		   !g_file_set_contents(script, text, -1, &err) || g_chmod(script, 0755) != 0) {
		fprintf(stderr, "sim sweep: %s: cannot write%s%s\n", script, err ? ": " : "",
			err ? err->message : "");
		g_clear_error(&err);
		code = EXIT_BADINPUT;
	} else {
		g_autofree char *qs = sim_shell_quote(script);
		g_autofree char *qf = sim_shell_quote(sw->file);
		g_autofree char *qo = sim_shell_quote(sw->out_dir);
		fprintf(stderr, "sim sweep %s: wrote %s (%u array tasks); submit it with "
			"`sbatch %s`, then `sim sweep index %s -o %s`\n", sw->name, script,
			pending->len, qs, qf, qo);
	}
	g_ptr_array_free(pending, TRUE);
	return code;
}

static int
sweep_index(const struct sim_sweep *sw)
{
	GError *err = NULL;
	int rows = sim_sweep_write_index(sw, &err);
	if (rows < 0)
		return fail(err, EXIT_BADINPUT);
	fprintf(stderr, "sim sweep %s: %s/index.tsv: %d of %u points\n", sw->name, sw->out_dir,
		rows, sw->points->len);
	return 0;
}

static int
cmd_sweep(int argc, char **argv)
{
	struct sweep_args a = { .jobs = G_MININT }; /* G_MININT: -j not given */
	GOptionEntry entries[] = {
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &a.out,
		  "results directory (default results/NAME)", "DIR" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &a.jobs,
		  "run: points at a time (default: the host's CPUs)", "N" },
		{ "runner", 0, 0, G_OPTION_ARG_STRING, &a.runner,
		  "run: auto (GNU parallel if installed), parallel or xargs", "R" },
		{ "force", 'f', 0, G_OPTION_ARG_NONE, &a.force,
		  "plan, run, slurm: include complete points too", NULL },
		{ "progress", 'p', 0, G_OPTION_ARG_NONE, &a.progress,
		  "run: an updating progress line even when stderr is not a terminal", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &a.verbose,
		  "plan: say why each point is pending", NULL },
		{ "script", 0, 0, G_OPTION_ARG_FILENAME, &a.script,
		  "slurm: where to write the script (default OUT/slurm.sh)", "FILE" },
		{ "sbatch", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.sbatch,
		  "slurm: an extra #SBATCH option, e.g. --sbatch=--time=1:00:00", "OPT" },
		{ "max-running", 0, 0, G_OPTION_ARG_INT, &a.max_running,
		  "slurm: array tasks running at once (%M)", "M" },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new("plan|run|slurm|index SWEEP.json - sweeps");
	g_option_context_set_description(ctx,
		"plan   print the command of every point not yet complete\n"
		"run    run them with GNU parallel (or xargs -P), then write OUT/index.tsv\n"
		"slurm  write a Slurm job-array script that runs them\n"
		"index  write OUT/index.tsv from the results present\n"
		"See docs/sweeps.md.");
	gboolean ok = parse_options(ctx, entries, &argc, &argv);
	GError *err = NULL;
	int code = EXIT_BADINPUT;
	const char *act = argc > 1 ? argv[1] : "";
	struct sim_sweep *sw = NULL;
	if (!ok) {
		code = EXIT_BADINPUT;
	} else if (argc != 3 || (strcmp(act, "plan") && strcmp(act, "run") &&
				 strcmp(act, "slurm") && strcmp(act, "index"))) {
		fprintf(stderr, "sim: sweep: expected plan, run, slurm or index and one SWEEP.json "
			"(see sim sweep --help)\n");
	} else if (a.jobs != G_MININT && a.jobs < 1) {
		fprintf(stderr, "sim: sweep: -j %d: expected at least 1 (without -j: one per CPU)\n",
			a.jobs);
	} else if (a.max_running < 0) {
		fprintf(stderr, "sim: sweep: --max-running must not be negative\n");
	} else if (a.runner && strcmp(a.runner, "auto") && strcmp(a.runner, "parallel") &&
		   strcmp(a.runner, "xargs")) {
		fprintf(stderr, "sim: sweep: --runner %s: expected auto, parallel or xargs\n",
			a.runner);
	} else if ((sw = sim_sweep_load(argv[2], a.out, &err)) == NULL) {
		code = fail(err, EXIT_BADINPUT);
	} else if (strcmp(act, "plan") == 0) {
		code = sweep_plan(sw, &a);
	} else if (strcmp(act, "slurm") == 0) {
		code = sweep_slurm(sw, &a);
	} else if (strcmp(act, "index") == 0 && !g_file_test(sw->out_dir, G_FILE_TEST_IS_DIR)) {
		fprintf(stderr, "sim: sweep index: %s: no such directory (no point of sweep %s has "
			"run there; check -o)\n", sw->out_dir, sw->name);
	} else if (strcmp(act, "index") == 0) {
		code = sweep_index(sw);
	} else {
		struct sim_sweep_run_opts ro = {
			.sim = sim_self, .jobs = a.jobs == G_MININT ? 0 : (guint)a.jobs,
			.runner = a.runner ? a.runner : "auto", .force = a.force,
			.tty = a.progress || isatty(STDERR_FILENO),
		};
		code = sim_sweep_run(sw, &ro);
	}
	sim_sweep_free(sw);
	sweep_args_clear(&a);
	return code;
}

/* A tolerance option: a finite number >= 0. */
static gboolean
parse_tolerance(const char *opt, const char *text, double *out)
{
	char *end = NULL;
	double v = text ? g_ascii_strtod(text, &end) : 0.0;
	if (text && (end == text || *end != '\0' || !(v >= 0.0) || v > 1e300)) {
		fprintf(stderr, "sim: check: %s %s: expected a number >= 0\n", opt, text);
		return FALSE;
	}
	*out = v;
	return TRUE;
}

static int
cmd_check(int argc, char **argv)
{
	g_autofree char *rtol = NULL, *atol = NULL;
	GOptionEntry entries[] = {
		{ "rtol", 'r', 0, G_OPTION_ARG_STRING, &rtol,
		  "relative tolerance (default 0: exact)", "R" },
		{ "atol", 'a', 0, G_OPTION_ARG_STRING, &atol,
		  "absolute tolerance (default 0)", "A" },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new("NEW OLD - compare results files or directories");
	g_option_context_set_description(ctx,
		"NEW and OLD are two results files, or two directories of them matched by\n"
		"file name.  Every leaf under \"metrics\" is compared; a number is unchanged when\n"
		"|new - old| <= atol + rtol * |old|.  The effective configs must be equal.\n"
		"\"host\" is ignored.  Exit: 0 within tolerance, 1 drift, 2 unreadable input or\n"
		"runs of different configs.");
	if (!parse_options(ctx, entries, &argc, &argv))
		return EXIT_BADINPUT;
	GError *err = NULL;
	struct sim_check_opts o = { 0 };
	if (!parse_tolerance("--rtol", rtol, &o.rtol) || !parse_tolerance("--atol", atol, &o.atol))
		return EXIT_BADINPUT;
	if (argc != 3) {
		fprintf(stderr, "sim: check: expected NEW and OLD (two results files or two "
			"directories)\n");
		return EXIT_BADINPUT;
	}
	gboolean d1 = g_file_test(argv[1], G_FILE_TEST_IS_DIR);
	gboolean d2 = g_file_test(argv[2], G_FILE_TEST_IS_DIR);
	GString *out = g_string_new(NULL);
	int code;
	if (d1 != d2) {
		fprintf(stderr, "sim: check: %s: %s, but %s is not\n", d1 ? argv[1] : argv[2],
			"a directory", d1 ? argv[2] : argv[1]);
		code = EXIT_BADINPUT;
	} else if (d1) {
		GString *errs = g_string_new(NULL);
		code = (int)sim_check_dirs(argv[1], argv[2], &o, out, errs);
		fputs(out->str, stdout);
		fflush(stdout);
		for (char *line = strtok(errs->str, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(stderr, "sim: check: %s\n", line);
		g_string_free(errs, TRUE);
	} else {
		code = (int)sim_check_files(argv[1], argv[2], &o, NULL, out, &err);
		fputs(out->str, stdout);
		fflush(stdout);
		if (code == SIM_CHECK_INCOMPATIBLE) {
			fprintf(stderr, "sim: check: %s\n", err->message);
			g_error_free(err);
		}
	}
	g_string_free(out, TRUE);
	return code;
}

static void
explore_progress(void *arg, uint64_t seed, uint64_t done, uint64_t total)
{
	(void)seed;
	gboolean *tty = arg;
	if (*tty && (done % 10 == 0 || done == total))
		fprintf(stderr, "\r[explore] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " seeds",
			done, total);
}

static int
cmd_explore(int argc, char **argv)
{
	g_auto(GStrv) sets = NULL;
	gint64 nseeds = 1000, first = 1, jitter = G_MININT64; /* G_MININT64: not given */
	GOptionEntry entries[] = {
		{ "seeds", 'n', 0, G_OPTION_ARG_INT64, &nseeds, "how many seeds (default 1000)", "N" },
		{ "first-seed", 0, 0, G_OPTION_ARG_INT64, &first, "first seed (default 1)", "S" },
		{ "jitter", 'j', 0, G_OPTION_ARG_INT64, &jitter,
		  "engine.jitter: random delay 0..J cycles before every access (default: the "
		  "config's, or 100 if it has none)", "J" },
		{ "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &sets,
		  "override a config value in every run", "PATH=VALUE" },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new("CONFIG.json - run a scenario over many seeds "
						   "with schedule jitter; stop at the first failure");
	g_option_context_set_description(ctx, "Exit 0 if no seed failed, 1 at the first failing "
		"seed (its error and the `sim run` command that replays it go to stdout), 2 on bad "
		"input, 130 if interrupted.");
	if (!parse_options(ctx, entries, &argc, &argv))
		return EXIT_BADINPUT;
	GError *err = NULL;
	if (argc != 2) {
		fprintf(stderr, "sim: explore: expected exactly one CONFIG.json\n");
		return EXIT_BADINPUT;
	}
	if (jitter != G_MININT64 && (jitter < 0 || jitter > 1000000)) {
		fprintf(stderr, "sim: explore: --jitter %" G_GINT64_FORMAT ": expected 0..1000000 "
			"cycles\n", jitter);
		return EXIT_BADINPUT;
	}
	if (nseeds < 1 || first < 0 || first > ((gint64)1 << 53) - 1) {
		fprintf(stderr, "sim: explore: --seeds >= 1, --first-seed in [0, 2^53 - 1], "
			"--jitter <= 1000000\n");
		return EXIT_BADINPUT;
	}
	const char *config = argv[1];
	cJSON *doc = sim_json_parse_file(config, &err);
	if (doc == NULL)
		return fail(err, EXIT_BADINPUT);
	if (jitter == G_MININT64) {
		const cJSON *eng = cJSON_GetObjectItemCaseSensitive(doc, "engine");
		const cJSON *j = eng ? cJSON_GetObjectItemCaseSensitive(eng, "jitter") : NULL;
		jitter = cJSON_IsNumber(j) && j->valuedouble > 0 ? 0 : 100;
	}
	gboolean tty = isatty(STDERR_FILENO);
	struct sim_explore_opts o = {
		.first_seed = (uint64_t)first, .nseeds = (uint64_t)nseeds, .jitter = (uint32_t)jitter,
		.set = sets, .stop = &got_signal, .progress = explore_progress, .progress_arg = &tty,
	};
	struct sim_explore_result res;
	install_signals();
	gboolean ok = sim_explore_doc(doc, config, &o, &res, &err);
	cJSON_Delete(doc);
	if (tty)
		fputc('\n', stderr);
	if (!ok)
		return fail(err, EXIT_BADINPUT);
	int code = 0;
	if (res.failed) {
		printf("explore: %s: seed %" G_GUINT64_FORMAT " failed (run %" G_GUINT64_FORMAT
		       " of %" G_GUINT64_FORMAT ", jitter %u):\n  %s\nreplay: %s\n", config, res.seed,
		       res.runs, (uint64_t)nseeds, res.jitter, res.message, res.replay);
		code = EXIT_FAIL;
	} else if (got_signal) {
		fprintf(stderr, "sim: explore: interrupted after %" G_GUINT64_FORMAT " seeds\n",
			res.runs);
		code = EXIT_INTERRUPTED;
	} else {
		printf("explore: %s: no failure in %" G_GUINT64_FORMAT " seeds (%" G_GUINT64_FORMAT
		       "..%" G_GUINT64_FORMAT ", jitter %u), %.1f host s\n", config, res.runs,
		       (uint64_t)first, (uint64_t)first + res.runs - 1, res.jitter, res.host_seconds);
	}
	sim_explore_result_clear(&res);
	return code;
}

static void
usage(FILE *f)
{
	fputs("usage: sim COMMAND [ARGS]\n"
	      "  run CONFIG.json [--out FILE] [--set PATH=VALUE]... [--seed N]\n"
	      "                    run one simulation, write a results JSON\n"
	      "  list [-v]         machines, workloads and models, one per line\n"
	      "  table FILE... --col PATH...\n"
	      "                    tab-separated columns from results files (for gnuplot)\n"
	      "  sweep plan|run|slurm|index SWEEP.json [-o DIR] [-j N]\n"
	      "                    expand a sweep; print, run or script its points\n"
	      "  check NEW OLD [--rtol R] [--atol A]\n"
	      "                    compare results files (or directories): 0 same, 1 drift, 2 bad\n"
	      "  explore CONFIG.json [--seeds N] [--jitter J] [--set PATH=VALUE]...\n"
	      "                    run over many seeds with schedule jitter; stop at the\n"
	      "                    first failure and print the command that replays it\n"
	      "  version           print the version\n"
	      "Run `sim COMMAND --help` for a command's options.\n", f);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_BADINPUT;
	}
	const char *cmd = argv[1];
	sim_self = argv[0];
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(cmd, "table") == 0)
		return cmd_table(argc - 1, argv + 1);
	if (strcmp(cmd, "sweep") == 0)
		return cmd_sweep(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "explore") == 0)
		return cmd_explore(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("sim %s\n", SIM_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	g_autofree char *shown = sim_one_line(cmd);
	fprintf(stderr, "sim: unknown command \"%.200s\" (commands: run, list, table, sweep, check, "
		"explore, version; sim help for usage)\n", shown);
	return EXIT_BADINPUT;
}
