// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Results files: the reader that `sim check` uses refuses what it cannot
 * read correctly (another schema, not a results file, a truncated or
 * oversized file, duplicate keys) with one line naming the file and the
 * JSON path, and accepts another sim version of the same schema; the
 * writer never leaves a partial file, even when interrupted.
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sim_build_config.h"

static char *tmpdir;

static const char *const good =
	"{\"sim\": {\"version\": \"0.1.0\", \"schema\": 1, \"cpus\": 2},"
	" \"config\": {\"cpus\": 2}, \"metrics\": {\"ops\": 5}, \"host\": {}}";

/* Parse text as results; assert refusal with code and message. */
static void
expect_refused(const char *text, int code, const char *message)
{
	GError *err = NULL;
	cJSON *doc = sim_results_parse(text, strlen(text), "r.json", &err);
	g_assert_null(doc);
	g_assert_error(err, SIM_CONFIG_ERROR, code);
	g_assert_cmpstr(err->message, ==, message);
	g_error_free(err);
}

static void
test_accepts_same_schema(void)
{
	GError *err = NULL;
	cJSON *doc = sim_results_parse(good, strlen(good), "r.json", &err);
	g_assert_no_error(err);
	g_assert_cmpfloat(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "metrics"), "ops")->valuedouble,
			  ==, 5);
	cJSON_Delete(doc);
}

/* Another version of the same schema is read (the caller may warn). */
static void
test_accepts_other_version(void)
{
	const char *t = "{\"sim\": {\"version\": \"7.3.1\", \"schema\": 1}, \"config\": {},"
			" \"metrics\": {}}";
	GError *err = NULL;
	cJSON *doc = sim_results_parse(t, strlen(t), "r.json", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "sim"), "version")->valuestring,
			==, "7.3.1");
	cJSON_Delete(doc);
}

static void
test_refuses_other_schema(void)
{
	expect_refused("{\"sim\": {\"version\": \"0.9.0\", \"schema\": 2}, \"config\": {},"
		       " \"metrics\": {}}", SIM_CONFIG_ERROR_INCONSISTENT,
		       "r.json: sim.schema: results schema 2 (written by sim 0.9.0); this sim "
		       SIM_VERSION " reads schema 1");
	/* Close to 1 is not 1, and says so. */
	expect_refused("{\"sim\": {\"version\": \"x\", \"schema\": 1.0000001}, \"config\": {},"
		       " \"metrics\": {}}", SIM_CONFIG_ERROR_INCONSISTENT,
		       "r.json: sim.schema: results schema 1.0000001000000001 (written by sim x); "
		       "this sim " SIM_VERSION " reads schema 1");
}

static void
test_refuses_non_results(void)
{
	expect_refused("[1, 2]", SIM_CONFIG_ERROR_TYPE,
		       "r.json: (top level): not a sim results file: expected an object, got an array");
	expect_refused("{\"machine\": \"ben\", \"cpus\": 4}", SIM_CONFIG_ERROR_MISSING,
		       "r.json: sim: not a sim results file (no \"sim\" object)");
	expect_refused("{\"sim\": [{\"schema\": 1}]}", SIM_CONFIG_ERROR_MISSING,
		       "r.json: sim: not a sim results file (no \"sim\" object)");
	expect_refused("{\"sim\": {\"schema\": \"1\"}}", SIM_CONFIG_ERROR_MISSING,
		       "r.json: sim.schema: missing or not a number: not a sim results file");
	expect_refused("{\"sim\": {\"schema\": 1}, \"config\": {}, \"metrics\": {}}",
		       SIM_CONFIG_ERROR_MISSING, "r.json: sim.version: missing or not a string");
	expect_refused("{\"sim\": {\"schema\": 1, \"version\": \"0.1.0\"}, \"metrics\": {}}",
		       SIM_CONFIG_ERROR_MISSING, "r.json: config: missing or not an object");
	expect_refused("{\"sim\": {\"schema\": 1, \"version\": \"0.1.0\"}, \"config\": {},"
		       " \"metrics\": 3}", SIM_CONFIG_ERROR_MISSING,
		       "r.json: metrics: missing or not an object");
}

static void
test_refuses_truncated(void)
{
	char *half = g_strndup(good, strlen(good) / 2);
	GError *err = NULL;
	g_assert_null(sim_results_parse(half, strlen(half), "r.json", &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_PARSE);
	g_assert_true(g_str_has_prefix(err->message, "r.json: line 1, column "));
	g_assert_true(g_str_has_suffix(err->message, ": invalid JSON"));
	g_error_free(err);
	g_free(half);
	expect_refused("", SIM_CONFIG_ERROR_PARSE, "r.json: line 1, column 1: invalid JSON");
}

/* {"metrics": {"ops": 1, "ops": 2}} would be read as 1: refuse it. */
static void
test_refuses_duplicate_keys(void)
{
	expect_refused("{\"sim\": {\"version\": \"0.1.0\", \"schema\": 1}, \"config\": {},"
		       " \"metrics\": {\"ops\": 1, \"ops\": 2}}", SIM_CONFIG_ERROR_PARSE,
		       "r.json: metrics.ops: duplicate key (JSON objects name each key once)");
}

static void
test_refuses_nul_and_control_chars(void)
{
	const char t[] = "{\"sim\": 1}\0garbage";
	GError *err = NULL;
	g_assert_null(sim_results_parse(t, sizeof t - 1, "r.json", &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_PARSE);
	g_assert_cmpstr(err->message, ==, "r.json: not a JSON text (contains a NUL byte)");
	g_clear_error(&err);
	/* A version string with a newline stays on one line in the message. */
	expect_refused("{\"sim\": {\"version\": \"a\\nb\", \"schema\": 3}}",
		       SIM_CONFIG_ERROR_INCONSISTENT,
		       "r.json: sim.schema: results schema 3 (written by sim a\\nb); this sim "
		       SIM_VERSION " reads schema 1");
}

static void
test_refuses_deep_nesting(void)
{
	GString *t = g_string_new(NULL);
	for (int i = 0; i < 5000; i++)
		g_string_append_c(t, '[');
	GError *err = NULL;
	g_assert_null(sim_results_parse(t->str, t->len, "r.json", &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_PARSE);
	g_error_free(err);
	g_string_free(t, TRUE);
}

static void
test_file_too_large(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "huge.json", NULL);
	FILE *f = fopen(path, "w");
	g_assert_nonnull(f);
	/* Sparse: 65 MiB of zeros without writing them. */
	g_assert_cmpint(ftruncate(fileno(f), (off_t)65 << 20), ==, 0);
	fclose(f);
	GError *err = NULL;
	g_assert_null(sim_results_read(path, &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT);
	g_autofree char *want = g_strdup_printf("%s: larger than 64 MiB: not a config or results "
						"file", path);
	g_assert_cmpstr(err->message, ==, want);
	g_clear_error(&err);
	/* A device that never ends is refused before it is read. */
	g_assert_null(sim_results_read("/dev/zero", &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_IO);
	g_assert_cmpstr(err->message, ==, "/dev/zero: cannot read: not a regular file (a character "
			"device)");
	g_error_free(err);
}

static gboolean
dir_has_temp_files(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *e;
	gboolean found = FALSE;
	while ((e = g_dir_read_name(d)) != NULL)
		found |= e[0] == '.';
	g_dir_close(d);
	return found;
}

/* A stop request before the rename leaves the old file as it was and no
 * temporary file; without one the new file replaces it whole. */
static void
test_write_interrupted(void)
{
	g_autofree char *dir = g_build_filename(tmpdir, "w", NULL);
	g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
	g_autofree char *path = g_build_filename(dir, "r.json", NULL);
	g_assert_true(g_file_set_contents(path, "old\n", -1, NULL));
	cJSON *doc = cJSON_Parse(good);
	GError *err = NULL;
	sim_request_stop();
	g_assert_false(sim_results_write(path, doc, &err));
	sim_clear_stop();
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_INTERRUPTED);
	g_clear_error(&err);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_cmpstr(text, ==, "old\n");
	g_assert_false(dir_has_temp_files(dir));

	g_assert_true(sim_results_write(path, doc, &err));
	g_assert_no_error(err);
	cJSON *back = sim_results_read(path, &err);
	g_assert_no_error(err);
	g_assert_true(cJSON_Compare(doc, back, true));
	g_assert_false(dir_has_temp_files(dir));
	cJSON_Delete(back);
	cJSON_Delete(doc);
}

/* Resuming a sweep: only a whole file of exactly this run counts as done. */
static void
test_done_for_resume(void)
{
	g_autofree char *dir = g_build_filename(tmpdir, "resume", NULL);
	g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
	g_autofree char *path = g_build_filename(dir, "p.json", NULL);
	const char *json = "{\"machine\": \"ben\", \"cpus\": 2,"
			   " \"workload\": {\"name\": \"line_ww\", \"rounds\": 2}}";
	GError *err = NULL;
	struct sim_run_config *rc = sim_config_from_json(cJSON_Parse(json), "p", NULL, &err);
	g_assert_no_error(err);
	/* no file yet: not done, and no error to report */
	g_assert_false(sim_results_done(path, rc->effective, &err));
	g_assert_no_error(err);
	/* the file of this run */
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	g_assert_true(sim_run(s, &err));
	cJSON *res = sim_results(s);
	sim_destroy(s);
	g_assert_true(sim_results_write(path, res, &err));
	g_assert_true(sim_results_done(path, rc->effective, &err));
	g_assert_no_error(err);
	/* the same file for a different point of the sweep */
	cJSON *other = cJSON_Duplicate(rc->effective, true);
	cJSON_ReplaceItemInObject(other, "cpus", cJSON_CreateNumber(3));
	g_assert_false(sim_results_done(path, other, &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_INCONSISTENT);
	g_clear_error(&err);
	/* a truncated file (written by something else) */
	char *text = sim_json_print(res);
	g_assert_true(g_file_set_contents(path, text, (gssize)strlen(text) / 2, NULL));
	g_assert_false(sim_results_done(path, rc->effective, &err));
	g_assert_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_PARSE);
	g_clear_error(&err);
	g_free(text);
	cJSON_Delete(other);
	cJSON_Delete(res);
	sim_run_config_free(rc);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("sim-results-XXXXXX", NULL);
	g_test_add_func("/results/read/accepts-same-schema", test_accepts_same_schema);
	g_test_add_func("/results/read/accepts-other-version-same-schema", test_accepts_other_version);
	g_test_add_func("/results/read/refuses-other-schema", test_refuses_other_schema);
	g_test_add_func("/results/read/refuses-non-results", test_refuses_non_results);
	g_test_add_func("/results/read/refuses-truncated", test_refuses_truncated);
	g_test_add_func("/results/read/refuses-duplicate-keys", test_refuses_duplicate_keys);
	g_test_add_func("/results/read/refuses-nul-one-line-messages",
			test_refuses_nul_and_control_chars);
	g_test_add_func("/results/read/refuses-deep-nesting", test_refuses_deep_nesting);
	g_test_add_func("/results/read/refuses-oversized-file", test_file_too_large);
	g_test_add_func("/results/write/interrupted-leaves-old-file", test_write_interrupted);
	g_test_add_func("/results/done/only-a-whole-file-of-this-run", test_done_for_resume);
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)system(cmd);
	return rc;
}
