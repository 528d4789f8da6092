// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The `sim` command line.
 *
 *   sim run CONFIG.json [--out FILE] [--set PATH=VALUE]... [--seed N]
 *   sim list [-v]
 *   sim table RESULT.json... --col PATH...
 *   sim version
 *
 * Exit codes: 0 success; 1 the simulation failed (deadlock, stack
 * overflow, limit reached); 2 bad input (file, JSON, type, range, name,
 * --set, budget) -- always one line on stderr, and no results file;
 * 130 interrupted (SIGINT/SIGTERM), no results file.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "results.h"
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
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "override a config value, e.g. --set workload.rounds=10", "PATH=VALUE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "override the config's seed", "N" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no summary line", NULL },
		{ "progress", 'p', 0, G_OPTION_ARG_NONE, &progress,
		  "report progress even when stderr is not a terminal", NULL },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new("CONFIG.json - run one simulation");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	gboolean ok = g_option_context_parse(ctx, &argc, &argv, &err);
	g_option_context_free(ctx);
	if (!ok)
		return fail(err, EXIT_BADINPUT);
	if (argc != 2) {
		fprintf(stderr, "sim: run: expected exactly one CONFIG.json (see sim run --help)\n");
		return EXIT_BADINPUT;
	}
	if (seed < -1 || seed > (gint64)1 << 53) {
		fprintf(stderr, "sim: --seed %" G_GINT64_FORMAT ": out of range [0, 2^53]\n", seed);
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
	if (strcmp(out, "-") != 0) {
		g_autofree char *dir = g_path_get_dirname(out);
		if (!g_file_test(dir, G_FILE_TEST_IS_DIR) && g_mkdir_with_parents(dir, 0755) != 0) {
			fprintf(stderr, "sim: %s: cannot create directory %s\n", out, dir);
			sim_run_config_free(rc);
			return EXIT_BADINPUT;
		}
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
	ok = sim_run(sim, &err);
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
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	gboolean ok = g_option_context_parse(ctx, &argc, &argv, &err);
	g_option_context_free(ctx);
	if (!ok)
		return fail(err, EXIT_BADINPUT);
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
		g_string_append(out, "  latency (cycles):\n");
		sim_params_describe(sim_latency_params, out, "    ");
		g_string_append(out, "  fence (cycles):\n");
		sim_params_describe(sim_fence_params, out, "    ");
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
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	gboolean ok = g_option_context_parse(ctx, &argc, &argv, &err);
	g_option_context_free(ctx);
	if (!ok)
		return fail(err, EXIT_BADINPUT);
	if (cols == NULL || argc < 2) {
		fprintf(stderr, "sim: table: need --col PATH (one or more) and result files\n");
		return EXIT_BADINPUT;
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
			if (cJSON_IsNumber(v))
				g_string_append_printf(out, "%.12g", v->valuedouble);
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

static void
usage(FILE *f)
{
	fputs("usage: sim COMMAND [ARGS]\n"
	      "  run CONFIG.json [--out FILE] [--set PATH=VALUE]... [--seed N]\n"
	      "                    run one simulation, write a results JSON\n"
	      "  list [-v]         machines, workloads and models, one per line\n"
	      "  table FILE... --col PATH...\n"
	      "                    tab-separated columns from results files (for gnuplot)\n"
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
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(cmd, "table") == 0)
		return cmd_table(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("sim %s\n", SIM_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "sim: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return EXIT_BADINPUT;
}
