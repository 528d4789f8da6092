// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The command line: every class of bad input gets one line on stderr
 * naming the file (or --set) and the JSON path, exit code 2, and no
 * results file; good runs write byte-identical results outside "host".
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

struct cli {
	int status;
	char *out;
	char *err;
};

static struct cli
run_sim(const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	g_ptr_array_add(argv, (char *)t_sim_binary());
	for (const char *const *a = args; *a; a++)
		g_ptr_array_add(argv, (char *)*a);
	g_ptr_array_add(argv, NULL);
	struct cli r = { 0 };
	GError *err = NULL;
	int wait = 0;
	g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out,
		     &r.err, &wait, &err);
	g_assert_no_error(err);
	g_assert_true(WIFEXITED(wait));
	r.status = WEXITSTATUS(wait);
	g_ptr_array_free(argv, TRUE);
	return r;
}

static void
cli_free(struct cli *r)
{
	g_free(r->out);
	g_free(r->err);
}

static char *tmpdir;

static char *
write_tmp(const char *name, const char *text)
{
	char *path = g_build_filename(tmpdir, name, NULL);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static const char *good_config =
	"{\"machine\": \"ben\", \"cpus\": 4, \"workload\": {\"name\": \"line_ww\", \"rounds\": 3}}\n";

/* One case: config text (or NULL to use `file` as is), extra args, and the
 * fragments the single stderr line must contain. */
static void
expect_bad(const char *config_text, const char *file, const char *const *extra,
	   const char *frag1, const char *frag2)
{
	g_autofree char *path = config_text ? write_tmp("case.json", config_text) : g_strdup(file);
	g_autofree char *out = g_build_filename(tmpdir, "out.json", NULL);
	g_unlink(out);
	const char *args[16] = { "run", path, "--out", out };
	int n = 4;
	for (const char *const *e = extra; e && *e; e++)
		args[n++] = *e;
	args[n] = NULL;
	struct cli r = run_sim(args);
	if (r.status != 2 || !strstr(r.err, frag1) || (frag2 && !strstr(r.err, frag2)))
		g_printerr("stderr was: %s", r.err);
	g_assert_cmpint(r.status, ==, 2);
	/* exactly one line */
	g_assert_true(g_str_has_suffix(r.err, "\n"));
	g_assert_null(strchr(r.err, '\n') + 1 < r.err + strlen(r.err) ? strchr(r.err, '\n') + 1 : NULL);
	g_assert_nonnull(strstr(r.err, frag1));
	if (frag2)
		g_assert_nonnull(strstr(r.err, frag2));
	g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
	cli_free(&r);
}

static void
test_missing_file(void)
{
	expect_bad(NULL, "/nonexistent/dir/config.json", NULL, "/nonexistent/dir/config.json",
		   "cannot read");
}

static void
test_unreadable_file(void)
{
	/* A directory: unreadable as a file even for root. */
	expect_bad(NULL, tmpdir, NULL, tmpdir, "cannot read");
}

static void
test_invalid_json(void)
{
	expect_bad("{\"machine\": \"ben\",\n \"cpus\": 4,,\n}", NULL, NULL, "case.json",
		   "line 2, column");
}

static void
test_wrong_type(void)
{
	expect_bad("{\"machine\": \"ben\", \"cpus\": \"four\", \"workload\": {\"name\": \"faa\"}}",
		   NULL, NULL, "case.json: cpus: expected an integer", NULL);
}

static void
test_out_of_range(void)
{
	expect_bad("{\"machine\": \"ben\", \"cpus\": 4, \"workload\": {\"name\": \"line_ww\","
		   " \"period\": 5}}", NULL, NULL, "case.json: workload.period: 5 is out of range",
		   NULL);
}

static void
test_too_many_cpus(void)
{
	expect_bad("{\"machine\": \"ben\", \"cpus\": 81, \"workload\": {\"name\": \"faa\"}}",
		   NULL, NULL, "case.json: cpus: 81 exceeds the 80 hardware threads", NULL);
}

static void
test_unknown_machine(void)
{
	expect_bad("{\"machine\": \"cray\", \"cpus\": 4, \"workload\": {\"name\": \"faa\"}}",
		   NULL, NULL, "case.json: machine: unknown machine \"cray\"", "ben");
}

static void
test_unknown_workload(void)
{
	expect_bad("{\"machine\": \"ben\", \"cpus\": 4, \"workload\": {\"name\": \"fft\"}}",
		   NULL, NULL, "case.json: workload.name: unknown workload \"fft\"", "line_ww");
}

static void
test_unknown_key(void)
{
	expect_bad("{\"machine\": \"ben\", \"cpus\": 4, \"workload\": {\"name\": \"line_ww\","
		   " \"perod\": 400000}}", NULL, NULL, "case.json: workload.perod: unknown key",
		   "period");
}

static void
test_bad_machine_value(void)
{
	const char *const extra[] = { "--set", "machine.latency.leg_link=-3", NULL };
	expect_bad(good_config, NULL, extra,
		   "--set machine.latency.leg_link=-3: latency.leg_link: -3 is out of range", NULL);
}

static void
test_bad_set_syntax(void)
{
	const char *const extra[] = { "--set", "cpus", NULL };
	expect_bad(good_config, NULL, extra, "--set cpus: expected PATH=VALUE", NULL);
}

static void
test_bad_set_value(void)
{
	const char *const extra[] = { "--set", "cpus=many", NULL };
	expect_bad(good_config, NULL, extra, "--set cpus=many: cpus: expected an integer", NULL);
}

static void
test_bad_seed(void)
{
	const char *const extra[] = { "--seed", "-5", NULL };
	expect_bad(good_config, NULL, extra, "--seed -5: out of range", NULL);
}

static void
test_budget(void)
{
	const char *const extra[] = { "--set", "engine.memory_budget_mib=1", NULL };
	expect_bad(good_config, NULL, extra, "case.json: cpus: a run of 4 CPUs needs about",
		   "budget is 1 MiB");
}

/* Good runs: results written atomically, identical outside "host". */
static void
test_run_deterministic_files(void)
{
	g_autofree char *cfg = write_tmp("good.json", good_config);
	g_autofree char *o1 = g_build_filename(tmpdir, "r1.json", NULL);
	g_autofree char *o2 = g_build_filename(tmpdir, "r2.json", NULL);
	const char *a1[] = { "run", cfg, "--out", o1, "-q", NULL };
	const char *a2[] = { "run", cfg, "--out", o2, "-q", NULL };
	struct cli r1 = run_sim(a1), r2 = run_sim(a2);
	g_assert_cmpint(r1.status, ==, 0);
	g_assert_cmpint(r2.status, ==, 0);
	GError *err = NULL;
	cJSON *d1 = sim_json_parse_file(o1, &err);
	g_assert_no_error(err);
	cJSON *d2 = sim_json_parse_file(o2, &err);
	g_assert_no_error(err);
	g_autofree char *s1 = t_results_without_host(d1);
	g_autofree char *s2 = t_results_without_host(d2);
	g_assert_cmpstr(s1, ==, s2);
	/* the effective config carries every default */
	const cJSON *w = cJSON_GetObjectItem(cJSON_GetObjectItem(d1, "config"), "workload");
	g_assert_cmpfloat(cJSON_GetObjectItem(w, "period")->valuedouble, ==, 400000);
	/* no temporary files left next to the results */
	GDir *dir = g_dir_open(tmpdir, 0, NULL);
	const char *e;
	while ((e = g_dir_read_name(dir)) != NULL)
		g_assert_false(g_str_has_prefix(e, "."));
	g_dir_close(dir);
	cJSON_Delete(d1);
	cJSON_Delete(d2);
	cli_free(&r1);
	cli_free(&r2);
}

static void
test_list(void)
{
	const char *args[] = { "list", NULL };
	struct cli r = run_sim(args);
	g_assert_cmpint(r.status, ==, 0);
	for (const char *want = "machine ben\nmachine genoa2s\nmachine icx2s\nmachine large\n";
	     want; want = NULL)
		g_assert_nonnull(strstr(r.out, want));
	g_assert_nonnull(strstr(r.out, "workload line_ww\n"));
	g_assert_nonnull(strstr(r.out, "workload faa\n"));
	cli_free(&r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("sim-cli-XXXXXX", NULL);
	g_test_add_func("/cli/bad-input/missing-file", test_missing_file);
	g_test_add_func("/cli/bad-input/unreadable-file", test_unreadable_file);
	g_test_add_func("/cli/bad-input/invalid-json", test_invalid_json);
	g_test_add_func("/cli/bad-input/wrong-type", test_wrong_type);
	g_test_add_func("/cli/bad-input/out-of-range", test_out_of_range);
	g_test_add_func("/cli/bad-input/too-many-cpus", test_too_many_cpus);
	g_test_add_func("/cli/bad-input/unknown-machine", test_unknown_machine);
	g_test_add_func("/cli/bad-input/unknown-workload", test_unknown_workload);
	g_test_add_func("/cli/bad-input/unknown-key", test_unknown_key);
	g_test_add_func("/cli/bad-input/bad-machine-value-via-set", test_bad_machine_value);
	g_test_add_func("/cli/bad-input/bad-set-syntax", test_bad_set_syntax);
	g_test_add_func("/cli/bad-input/bad-set-value", test_bad_set_value);
	g_test_add_func("/cli/bad-input/bad-seed", test_bad_seed);
	g_test_add_func("/cli/bad-input/memory-budget", test_budget);
	g_test_add_func("/cli/run/deterministic-atomic-results", test_run_deterministic_files);
	g_test_add_func("/cli/list/names-everything", test_list);
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)system(cmd);
	return rc;
}
