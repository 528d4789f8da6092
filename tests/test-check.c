// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * `sim check`: exit 0 on equal results (host ignored), 1 on drift with
 * one line per moved metric (old, new, relative change), tolerance
 * boundaries, metrics that appear or disappear, exit 2 with one line on
 * unreadable input or runs of different configs; the directory form.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "check.h"
#include "spawn.h"

static char *tmpdir;
static char *golden;  /* a results file written once by `sim run` */

static const char *config_json =
	"{\"machine\": \"icx2s\", \"cpus\": 4,"
	" \"workload\": {\"name\": \"faa\", \"duration\": 20000, \"warmup\": 1000}}\n";

static char *
run_config(const char *out_name, const char *extra_set)
{
	g_autofree char *cfg = t_write(tmpdir, "config.json", config_json);
	char *out = g_build_filename(tmpdir, out_name, NULL);
	const char *args[] = { "run", cfg, "--out", out, "-q", extra_set ? "--set" : NULL,
			       extra_set, NULL };
	struct t_cli r = t_sim(NULL, NULL, args);
	g_assert_cmpint(r.status, ==, 0);
	t_cli_free(&r);
	return out;
}

/* A copy of the golden file, changed by edit, written as name. */
static char *
edited(const char *name, void (*edit)(cJSON *doc, gpointer data), gpointer data)
{
	GError *err = NULL;
	cJSON *doc = sim_results_read(golden, &err);
	g_assert_no_error(err);
	edit(doc, data);
	char *path = g_build_filename(tmpdir, name, NULL);
	g_assert_true(sim_results_write(path, doc, &err));
	g_assert_no_error(err);
	cJSON_Delete(doc);
	return path;
}

static double
golden_ops(void)
{
	cJSON *doc = sim_results_read(golden, NULL);
	double v = t_metric(doc, "ops");
	cJSON_Delete(doc);
	return v;
}

static void
scale_ops(cJSON *doc, gpointer data)
{
	cJSON *ops = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "metrics"), "ops");
	cJSON_SetNumberValue(ops, ops->valuedouble * *(double *)data);
}

static struct t_cli
check(const char *new_path, const char *old_path, const char *opt, const char *val)
{
	const char *args[] = { "check", new_path, old_path, opt, val, NULL };
	return t_sim(NULL, NULL, args);
}

static void
test_equal(void)
{
	/* A second run of the same config: host differs, nothing else. */
	g_autofree char *again = run_config("again.json", NULL);
	struct t_cli r = check(again, golden, NULL, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpstr(r.err, ==, "");
	g_assert_nonnull(strstr(r.out, "metrics compared, 0 moved, 0 beyond tolerance"));
	g_assert_cmpuint(t_count_lines(r.out), ==, 1);
	t_cli_free(&r);
}

static void
test_drift(void)
{
	double f = 1.5, old = golden_ops();
	g_autofree char *path = edited("drift.json", scale_ops, &f);
	struct t_cli r = check(path, golden, NULL, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_autofree char *want = g_strdup_printf("metrics.ops: %.10g -> %.10g (+50%%) DRIFT\n", old,
						old * 1.5);
	g_assert_true(g_str_has_prefix(r.out, want));
	g_assert_nonnull(strstr(r.out, "metrics compared, 1 moved, 1 beyond tolerance "
				"(rtol 0, atol 0)\n"));
	t_cli_free(&r);
	/* Downward change, printed negative. */
	double g = 0.75;
	g_autofree char *down = edited("down.json", scale_ops, &g);
	r = check(down, golden, NULL, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.out, "(-25%) DRIFT\n"));
	t_cli_free(&r);
}

static void
test_tolerance(void)
{
	double f = 1.5, old = golden_ops();
	g_autofree char *path = edited("tol.json", scale_ops, &f);
	struct t_cli r = check(path, golden, "--rtol", "0.5");
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "(+50%) within tolerance\n"));
	g_assert_nonnull(strstr(r.out, "1 moved, 0 beyond tolerance (rtol 0.5, atol 0)"));
	t_cli_free(&r);
	r = check(path, golden, "--rtol", "0.49");
	g_assert_cmpint(r.status, ==, 1);
	t_cli_free(&r);
	g_autofree char *atol = g_strdup_printf("%.17g", old * 0.5);
	r = check(path, golden, "--atol", atol);
	g_assert_cmpint(r.status, ==, 0);
	t_cli_free(&r);
	g_autofree char *atol2 = g_strdup_printf("%.17g", old * 0.49);
	r = check(path, golden, "--atol", atol2);
	g_assert_cmpint(r.status, ==, 1);
	t_cli_free(&r);
}

static void
drop_and_add(cJSON *doc, gpointer data)
{
	(void)data;
	cJSON *m = cJSON_GetObjectItem(doc, "metrics");
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(m, "engine"), "hits");
	cJSON_AddNumberToObject(m, "new_metric", 7);
}

static void
test_missing_metric(void)
{
	g_autofree char *path = edited("missing.json", drop_and_add, NULL);
	struct t_cli r = check(path, golden, "--rtol", "1");
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.out, "metrics.engine.hits: "));
	g_assert_nonnull(strstr(r.out, " -> (absent) DRIFT\n"));
	g_assert_nonnull(strstr(r.out, "metrics.new_metric: (absent) -> 7 DRIFT\n"));
	g_assert_nonnull(strstr(r.out, "2 moved, 2 beyond tolerance"));
	t_cli_free(&r);
}

static void
change_host_and_version(cJSON *doc, gpointer data)
{
	(void)data;
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "host"), "seconds",
				  cJSON_CreateNumber(1234.5));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "sim"), "version",
				  cJSON_CreateString("9.9.9"));
}

static void
test_host_ignored(void)
{
	g_autofree char *path = edited("host.json", change_host_and_version, NULL);
	struct t_cli r = check(path, golden, NULL, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "note: written by sim 0.1.0 (old) and 9.9.9 (new)\n"));
	t_cli_free(&r);
}

static void
test_incompatible(void)
{
	g_autofree char *other = run_config("cpus8.json", "cpus=8");
	struct t_cli r = check(other, golden, NULL, NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_autofree char *want = g_strdup_printf("sim: check: %s vs %s: runs of different configs, "
						"not compared (1 difference: config.cpus 4 -> 8)\n",
						other, golden);
	g_assert_cmpstr(r.err, ==, want);
	g_assert_cmpstr(r.out, ==, "");
	t_cli_free(&r);
}

/* Broken input: exit 2, one line on stderr containing frag. */
static void
expect_broken(const char *new_path, const char *opt, const char *val, const char *frag)
{
	struct t_cli r = check(new_path, golden, opt, val);
	if (r.status != 2 || !strstr(r.err, frag))
		g_printerr("stderr: %s", r.err);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, frag));
	g_assert_cmpuint(t_count_lines(r.err), ==, 1);
	t_cli_free(&r);
}

static void
test_broken(void)
{
	g_autofree char *bad_json = t_write(tmpdir, "bad.json", "{\"sim\": {\n");
	g_autofree char *not_res = t_write(tmpdir, "cfg.json", config_json);
	g_autofree char *schema = t_write(tmpdir, "schema.json",
		"{\"sim\": {\"version\": \"0.1.0\", \"schema\": 99}, \"config\": {},"
		" \"metrics\": {}}");
	g_autofree char *none = g_build_filename(tmpdir, "none.json", NULL);
	expect_broken(none, NULL, NULL, "none.json: cannot read: No such file or directory");
	expect_broken(bad_json, NULL, NULL, "bad.json: line 2, column 1: invalid JSON");
	expect_broken(not_res, NULL, NULL, "cfg.json: sim: not a sim results file");
	expect_broken(schema, NULL, NULL, "schema.json: sim.schema: results schema 99");
	expect_broken(golden, "--rtol", "-1", "sim: check: --rtol -1: expected a number >= 0");
	expect_broken(golden, "--atol", "x", "sim: check: --atol x: expected a number >= 0");
	expect_broken(tmpdir, NULL, NULL, "is not");
}

/* Directory form: a copy of the golden file per name. */
static char *
make_dir(const char *name, const char *const *files, const char *const *sources)
{
	char *dir = g_build_filename(tmpdir, name, NULL);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	for (guint i = 0; files[i]; i++) {
		g_autofree char *text = NULL;
		g_assert_true(g_file_get_contents(sources[i], &text, NULL, NULL));
		g_free(t_write(dir, files[i], text));
	}
	g_free(t_write(dir, "index.tsv", "not compared\n"));
	return dir;
}

static void
test_dirs(void)
{
	double f = 2;
	g_autofree char *drift = edited("d2.json", scale_ops, &f);
	const char *names[] = { "a.json", "b.json", NULL };
	const char *same_src[] = { golden, golden, NULL };
	const char *drift_src[] = { golden, drift, NULL };
	g_autofree char *old = make_dir("old", names, same_src);
	g_autofree char *same = make_dir("same", names, same_src);
	g_autofree char *moved = make_dir("moved", names, drift_src);
	const char *fewer_names[] = { "a.json", NULL };
	g_autofree char *fewer = make_dir("fewer", fewer_names, same_src);

	struct t_cli r = check(same, old, NULL, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, ": 2 files within tolerance, 0 drifted, 0 not comparable"));
	t_cli_free(&r);

	r = check(moved, old, NULL, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.out, "b.json: metrics.ops: "));
	g_assert_nonnull(strstr(r.out, "(+100%) DRIFT\n"));
	g_assert_null(strstr(r.out, "a.json: metrics"));
	g_assert_nonnull(strstr(r.out, ": 1 files within tolerance, 1 drifted, 0 not comparable"));
	t_cli_free(&r);

	r = check(fewer, old, NULL, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_autofree char *only = g_strdup_printf("b.json: only in %s DRIFT\n", old);
	g_assert_nonnull(strstr(r.out, only));
	t_cli_free(&r);

	g_free(t_write(moved, "a.json", "{broken"));
	r = check(moved, old, NULL, NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "/a.json: line 1, column "));
	g_assert_nonnull(strstr(r.err, ": invalid JSON\n"));
	g_assert_nonnull(strstr(r.out, "b.json: metrics.ops: "));
	t_cli_free(&r);
}

static void
test_first_difference(void)
{
	cJSON *a = cJSON_Parse("{\"x\": 1, \"y\": {\"z\": [1, 2, 3]}, \"w\": \"s\"}");
	cJSON *b = cJSON_Parse("{\"x\": 1, \"y\": {\"z\": [1, 2, 4]}, \"w\": \"t\"}");
	cJSON *c = cJSON_Parse("{\"x\": 1, \"y\": {\"z\": [1, 2, 3]}, \"w\": \"s\", \"v\": 0}");
	g_autofree char *d1 = sim_json_first_difference(a, b, "config");
	g_autofree char *d2 = sim_json_first_difference(a, c, "config");
	g_autofree char *d3 = sim_json_first_difference(a, a, "config");
	g_assert_cmpstr(d1, ==, "config.y.z[2]");
	g_assert_cmpstr(d2, ==, "config.v");
	g_assert_null(d3);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("sim-check-XXXXXX", NULL);
	golden = run_config("golden.json", NULL);
	g_test_add_func("/check/files/equal-exit-0", test_equal);
	g_test_add_func("/check/files/drift-exit-1-old-new-relative", test_drift);
	g_test_add_func("/check/files/tolerance-boundaries", test_tolerance);
	g_test_add_func("/check/files/metric-appears-or-disappears-is-drift", test_missing_metric);
	g_test_add_func("/check/files/host-and-version-ignored", test_host_ignored);
	g_test_add_func("/check/files/different-configs-exit-2", test_incompatible);
	g_test_add_func("/check/files/broken-input-exit-2", test_broken);
	g_test_add_func("/check/dirs/equal-drift-missing-broken", test_dirs);
	g_test_add_func("/check/json/first-difference-path", test_first_difference);
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)system(cmd);
	g_free(golden);
	return rc;
}
