// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Sweeps: expansion (list and power-of-two axes, series, fixed sets),
 * point names (readable, sanitized, independent of axis order), bad
 * sweep files, and through the CLI: plan skips complete points and only
 * those, both runners produce the same results and the index, a failing
 * point is reported with its command and the rest still runs, a killed
 * sweep resumes without losing or repeating a point, and the Slurm
 * script runs the point its array task names.
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawn.h"
#include "sweep.h"

static char *tmpdir;

static const char *base_json =
	"{\"machine\": \"icx2s\", \"cpus\": 1, \"seed\": 1,"
	" \"workload\": {\"name\": \"faa\", \"duration\": 20000, \"warmup\": 1000}}\n";

/* A fresh directory under tmpdir holding base.json and sweep.json. */
static char *
sweep_dir(const char *name, const char *sweep_text)
{
	char *dir = g_build_filename(tmpdir, name, NULL);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_free(t_write(dir, "base.json", base_json));
	g_free(t_write(dir, "sweep.json", sweep_text));
	return dir;
}

static struct sim_sweep *
load_ok(const char *dir)
{
	g_autofree char *file = g_build_filename(dir, "sweep.json", NULL);
	g_autofree char *out = g_build_filename(dir, "out", NULL);
	GError *err = NULL;
	struct sim_sweep *sw = sim_sweep_load(file, out, &err);
	g_assert_no_error(err);
	g_assert_nonnull(sw);
	return sw;
}

static const struct sim_sweep_point *
point(const struct sim_sweep *sw, guint i)
{
	g_assert_cmpuint(i, <, sw->points->len);
	return sw->points->pdata[i];
}

/* Comma-joined names of every point, in expansion order. */
static char *
names(const struct sim_sweep *sw)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < sw->points->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "", point(sw, i)->name);
	return g_string_free(s, FALSE);
}

/* Space-joined values of axis path across the points. */
static char *
axis_values(const struct sim_sweep *sw, const char *path)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < sw->points->len; i++) {
		const cJSON *v = cJSON_GetObjectItem(point(sw, i)->coords, path);
		char *t = cJSON_PrintUnformatted(v);
		g_string_append_printf(s, "%s%s", i ? " " : "", t);
		cJSON_free(t);
	}
	return g_string_free(s, FALSE);
}

static void
test_list_axes(void)
{
	g_autofree char *dir = sweep_dir("list", "{\"name\": \"t\", \"base\": \"base.json\","
		" \"set\": {\"workload.duration\": 10000},"
		" \"axes\": {\"cpus\": [2, 1], \"machine\": [\"icx2s\", \"genoa2s\"]}}");
	struct sim_sweep *sw = load_ok(dir);
	g_autofree char *n = names(sw);
	/* First axis slowest, values in the order written. */
	g_assert_cmpstr(n, ==, "cpus=2,machine=icx2s cpus=2,machine=genoa2s "
			"cpus=1,machine=icx2s cpus=1,machine=genoa2s");
	g_assert_cmpuint(sw->axes->len, ==, 2);
	g_assert_cmpstr(sw->axes->pdata[0], ==, "cpus");
	const struct sim_sweep_point *p = point(sw, 1);
	g_assert_cmpstr(p->series, ==, "t");
	g_autofree char *cmd = sim_sweep_point_command(sw, p, "build/sim/sim");
	g_autofree char *want = g_strdup_printf(
		"build/sim/sim run %s/base.json --set workload.duration=10000 --set cpus=2 "
		"--set machine=genoa2s --out %s/out/cpus=2,machine=genoa2s.json -q", dir, dir);
	g_assert_cmpstr(cmd, ==, want);
	/* The effective config is the point's: machine expanded, cpus set. */
	const cJSON *m = cJSON_GetObjectItem(p->effective, "machine");
	g_assert_cmpstr(cJSON_GetObjectItem(m, "name")->valuestring, ==, "genoa2s");
	g_assert_cmpfloat(cJSON_GetObjectItem(p->effective, "cpus")->valuedouble, ==, 2);
	sim_sweep_free(sw);
}

static void
test_pow2_range(void)
{
	g_autofree char *dir = sweep_dir("pow2", "{\"name\": \"t\", \"base\": \"base.json\","
		" \"axes\": {\"cpus\": {\"pow2\": [1, 128]}}}");
	struct sim_sweep *sw = load_ok(dir);
	g_autofree char *v = axis_values(sw, "cpus");
	g_assert_cmpstr(v, ==, "1 2 4 8 16 32 64 128");
	sim_sweep_free(sw);

	g_autofree char *dir2 = sweep_dir("pow2-also", "{\"name\": \"t\", \"base\": \"base.json\","
		" \"axes\": {\"cpus\": {\"pow2\": [3, 40], \"also\": [80, 8, 3]}}}");
	sw = load_ok(dir2);
	g_autofree char *v2 = axis_values(sw, "cpus");
	/* Powers of two inside [3, 40], plus the extras, sorted, once each. */
	g_assert_cmpstr(v2, ==, "3 4 8 16 32 80");
	sim_sweep_free(sw);
}

/* The sweep text must be refused with an error containing frag. */
static void
expect_bad(const char *name, const char *text, const char *frag)
{
	g_autofree char *dir = sweep_dir(name, text);
	g_autofree char *file = g_build_filename(dir, "sweep.json", NULL);
	GError *err = NULL;
	struct sim_sweep *sw = sim_sweep_load(file, NULL, &err);
	g_assert_null(sw);
	g_assert_error(err, SIM_CONFIG_ERROR, err->code);
	g_autofree char *want = g_strdup_printf("%s: %s", file, frag);
	if (!g_str_has_prefix(err->message, want))
		g_printerr("got: %s\nwant: %s...\n", err->message, want);
	g_assert_true(g_str_has_prefix(err->message, want));
	g_assert_null(strchr(err->message, '\n'));
	g_error_free(err);
}

static void
test_bad_axes(void)
{
	expect_bad("bad-lo", "{\"name\": \"t\", \"base\": \"base.json\","
		   " \"axes\": {\"cpus\": {\"pow2\": [0, 8]}}}",
		   "axes.cpus.pow2: expected [LO, HI], integers with 1 <= LO <= HI <= 2^40");
	expect_bad("bad-empty", "{\"name\": \"t\", \"base\": \"base.json\","
		   " \"axes\": {\"cpus\": {\"pow2\": [5, 7]}}}",
		   "axes.cpus.pow2: no power of two in [5, 7]");
	expect_bad("bad-scalar", "{\"name\": \"t\", \"base\": \"base.json\", \"axes\": {\"cpus\": 4}}",
		   "axes.cpus: expected a list of values or {\"pow2\": [LO, HI]}, got a number");
	expect_bad("bad-dup", "{\"name\": \"t\", \"base\": \"base.json\","
		   " \"axes\": {\"cpus\": [1, 2, 1]}}", "axes.cpus[2]: duplicate of [0]");
	expect_bad("bad-path", "{\"name\": \"t\", \"base\": \"base.json\","
		   " \"axes\": {\"workload..x\": [1]}}",
		   "axes.workload..x: not a dotted path of config keys");
	expect_bad("bad-key", "{\"name\": \"t\", \"base\": \"base.json\", \"axis\": {}}",
		   "axis: unknown key");
	expect_bad("bad-name", "{\"name\": \"../x\", \"base\": \"base.json\"}",
		   "name: expected a name of letters, digits");
	expect_bad("no-base", "{\"name\": \"t\", \"axes\": {\"cpus\": [1]}}",
		   "base: expected the path of a config file");
}

static void
test_bad_point(void)
{
	/* The config of one point is refused: the error names the point. */
	expect_bad("bad-point", "{\"name\": \"t\", \"base\": \"base.json\","
		   " \"axes\": {\"cpus\": [64, 256]}}",
		   "point cpus=256: --set cpus=256: cpus: 256 exceeds the 128 hardware threads");
	expect_bad("bad-workload", "{\"name\": \"t\", \"base\": \"base.json\","
		   " \"axes\": {\"workload.name\": [\"faa\", \"fft\"]}}",
		   "point workload.name=fft: --set workload.name=fft: workload.name: unknown");
}

static void
test_names_stable_under_reorder(void)
{
	g_autofree char *d1 = sweep_dir("order1", "{\"name\": \"t\", \"base\": \"base.json\","
		" \"axes\": {\"cpus\": [1, 2], \"workload.batch\": [10, 20], \"seed\": [1, 2]}}");
	g_autofree char *d2 = sweep_dir("order2", "{\"name\": \"t\", \"base\": \"base.json\","
		" \"axes\": {\"seed\": [2, 1], \"workload.batch\": [20, 10], \"cpus\": [2, 1]}}");
	struct sim_sweep *a = load_ok(d1), *b = load_ok(d2);
	g_assert_cmpuint(a->points->len, ==, 8);
	g_assert_cmpuint(b->points->len, ==, 8);
	g_assert_cmpstr(point(a, 0)->name, ==, "cpus=1,seed=1,workload.batch=10");
	for (guint i = 0; i < a->points->len; i++) {
		const struct sim_sweep_point *pa = point(a, i);
		gboolean found = FALSE;
		for (guint j = 0; j < b->points->len && !found; j++) {
			const struct sim_sweep_point *pb = point(b, j);
			if (strcmp(pa->name, pb->name) != 0)
				continue;
			found = TRUE;
			/* Same name, same run. */
			g_assert_true(cJSON_Compare(pa->effective, pb->effective, true));
		}
		g_assert_true(found);
	}
	sim_sweep_free(a);
	sim_sweep_free(b);
}

static void
test_names_sanitized(void)
{
	g_autofree char *dir = sweep_dir("sanitize", "{\"name\": \"t\", \"base\": \"base.json\","
		" \"axes\": {\"description\": [\"run 1/a\", \"true\"], \"workload\":"
		" [{\"name\": \"faa\", \"duration\": 5000}]}}");
	struct sim_sweep *sw = load_ok(dir);
	g_autofree char *n = names(sw);
	/* '/' and ' ' become '_'; an object is named by its "name". */
	g_assert_cmpstr(n, ==, "description=run_1_a,workload=faa description=true,workload=faa");
	/* A string that would parse as JSON is passed to --set as JSON. */
	g_assert_cmpstr(point(sw, 1)->sets[0], ==, "description=\"true\"");
	g_assert_cmpstr(point(sw, 1)->sets[1], ==,
			"workload={\"name\":\"faa\",\"duration\":5000}");
	sim_sweep_free(sw);
	expect_bad("collide", "{\"name\": \"t\", \"base\": \"base.json\","
		   " \"axes\": {\"description\": [\"a b\", \"a/b\"]}}",
		   "two points are both named description=a_b");
}

static void
test_series(void)
{
	g_autofree char *dir = sweep_dir("series", "{\"name\": \"t\", \"base\": \"base.json\","
		" \"set\": {\"workload.duration\": 10000, \"seed\": 3},"
		" \"axes\": {\"cpus\": [1, 2]},"
		" \"series\": ["
		"   {\"name\": \"icx\", \"title\": \"Ice Lake, 2 sockets\"},"
		"   {\"name\": \"genoa\", \"set\": {\"machine\": \"genoa2s\", \"seed\": 4},"
		"    \"axes\": {\"cpus\": {\"pow2\": [4, 8]}, \"workload.batch\": [7]}}]}");
	struct sim_sweep *sw = load_ok(dir);
	g_autofree char *n = names(sw);
	g_assert_cmpstr(n, ==, "icx,cpus=1 icx,cpus=2 genoa,cpus=4,workload.batch=7 "
			"genoa,cpus=8,workload.batch=7");
	const struct sim_sweep_point *g = point(sw, 3);
	g_assert_cmpstr(g->series, ==, "genoa");
	g_assert_cmpstr(g->title, ==, "genoa");
	g_assert_cmpstr(point(sw, 0)->title, ==, "Ice Lake, 2 sockets");
	/* Inherited and overridden fixed sets, in order, then the axes. */
	g_autofree char *sets = g_strjoinv(" ", g->sets);
	g_assert_cmpstr(sets, ==, "workload.duration=10000 seed=4 machine=genoa2s cpus=8 "
			"workload.batch=7");
	g_assert_cmpuint(sw->axes->len, ==, 2);
	g_assert_cmpstr(sw->axes->pdata[1], ==, "workload.batch");
	sim_sweep_free(sw);
	expect_bad("series-dup", "{\"name\": \"t\", \"base\": \"base.json\","
		   " \"series\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
		   "series[1].name: another series is also named a");
	expect_bad("series-noname", "{\"name\": \"t\", \"base\": \"base.json\","
		   " \"series\": [{\"set\": {}}]}", "series[0].name: required key is missing");
}

/* ---- through the CLI ---- */

/* The point files of a sweep directory that exist, with their inodes. */
static GHashTable *
inodes(const char *out)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GDir *d = g_dir_open(out, 0, NULL);
	const char *e;
	while (d && (e = g_dir_read_name(d)) != NULL) {
		if (e[0] == '.' || !g_str_has_suffix(e, ".json"))
			continue;
		g_autofree char *p = g_build_filename(out, e, NULL);
		struct stat st;
		g_assert_cmpint(g_stat(p, &st), ==, 0);
		g_hash_table_insert(h, g_strdup(e), GSIZE_TO_POINTER((gsize)st.st_ino));
	}
	if (d)
		g_dir_close(d);
	return h;
}

/* Every *.json file in out is a readable results file. */
static void
assert_all_readable(const char *out)
{
	GHashTable *h = inodes(out);
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		g_autofree char *p = g_build_filename(out, (char *)k, NULL);
		GError *err = NULL;
		cJSON *doc = sim_results_read(p, &err);
		g_assert_no_error(err);
		cJSON_Delete(doc);
	}
	g_hash_table_destroy(h);
}

static const char *small_sweep =
	"{\"name\": \"small\", \"base\": \"base.json\","
	" \"axes\": {\"cpus\": [1, 2], \"machine\": [\"icx2s\", \"ben\"]}}";

static void
test_plan_skips_complete(void)
{
	g_autofree char *dir = sweep_dir("plan", small_sweep);
	const char *run[] = { "sweep", "run", "sweep.json", "-o", "out", "--runner", "xargs",
			      "-j", "2", NULL };
	const char *plan[] = { "sweep", "plan", "sweep.json", "-o", "out", NULL };
	struct t_cli r = t_sim(dir, NULL, plan);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpuint(t_count_lines(r.out), ==, 4);
	t_cli_free(&r);
	r = t_sim(dir, NULL, run);
	g_assert_cmpint(r.status, ==, 0);
	t_cli_free(&r);
	r = t_sim(dir, NULL, plan);
	g_assert_cmpstr(r.out, ==, "");
	g_assert_nonnull(strstr(r.err, "4 points, 4 complete, 0 to run"));
	t_cli_free(&r);

	/* A truncated file and a file holding another point's results are
	 * both pending again, and nothing else is. */
	g_autofree char *trunc = g_build_filename(dir, "out", "cpus=1,machine=ben.json", NULL);
	g_autofree char *stale = g_build_filename(dir, "out", "cpus=2,machine=ben.json", NULL);
	g_autofree char *other = g_build_filename(dir, "out", "cpus=2,machine=icx2s.json", NULL);
	g_assert_true(g_file_set_contents(trunc, "{\"sim\": {\"schema\": 1", -1, NULL));
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(other, &text, NULL, NULL));
	g_assert_true(g_file_set_contents(stale, text, -1, NULL));
	r = t_sim(dir, NULL, plan);
	g_assert_cmpuint(t_count_lines(r.out), ==, 2);
	g_assert_nonnull(strstr(r.out, "--set cpus=1 --set machine=ben --out "
				"out/cpus=1,machine=ben.json -q\n"));
	g_assert_nonnull(strstr(r.out, "--out out/cpus=2,machine=ben.json -q\n"));
	g_assert_nonnull(strstr(r.err, "cpus=2,machine=ben: out/cpus=2,machine=ben.json: stale: config.machine.name differs from this run's"));
	g_assert_nonnull(strstr(r.err, "cpus=1,machine=ben: out/cpus=1,machine=ben.json: line 1"));
	t_cli_free(&r);
}

/* The index has a header and one row per complete point. */
static void
assert_index(const char *out, guint rows)
{
	g_autofree char *path = g_build_filename(out, "index.tsv", NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_true(g_str_has_prefix(text, "point\tseries\ttitle\tcpus\tmachine\tsim.machine\t"
				       "sim.workload\tsim.cpus\tsim.seed\tmetrics.ops\t"));
	g_assert_nonnull(strstr(text, "\tmetrics.cycles_by_cause.queue\t"));
	g_assert_cmpuint(t_count_lines(text), ==, rows + 1);
	g_assert_nonnull(strstr(text, "\ncpus=2,machine=ben\tsmall\tsmall\t2\tben\tben\tfaa\t2\t1\t"));
}

static void
test_run_runners_agree(void)
{
	g_autofree char *dir = sweep_dir("runners", small_sweep);
	const char *xa[] = { "sweep", "run", "sweep.json", "-o", "x", "--runner", "xargs", NULL };
	struct t_cli r = t_sim(dir, NULL, xa);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.err, "4/4 points complete (4 run now, 0 failed, 0 interrupted)"));
	t_cli_free(&r);
	g_autofree char *x = g_build_filename(dir, "x", NULL);
	assert_all_readable(x);
	assert_index(x, 4);
	g_autofree char *logdir = g_build_filename(x, ".log", NULL);
	g_autofree char *log = g_build_filename(logdir, "cpus=1,machine=ben.log", NULL);
	g_assert_false(g_file_test(log, G_FILE_TEST_EXISTS));
	g_autofree char *gp = g_find_program_in_path("parallel");
	if (gp == NULL) {
		g_test_skip("GNU parallel is not installed (the xargs runner was tested)");
		return;
	}
	const char *par[] = { "sweep", "run", "sweep.json", "-o", "p", "--runner", "parallel",
			      NULL };
	r = t_sim(dir, NULL, par);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.err, "(GNU parallel)"));
	t_cli_free(&r);
	/* Same results, byte for byte outside "host", from either runner. */
	GHashTable *h = inodes(x);
	g_assert_cmpuint(g_hash_table_size(h), ==, 4);
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		g_autofree char *a = g_build_filename(dir, "x", (char *)k, NULL);
		g_autofree char *b = g_build_filename(dir, "p", (char *)k, NULL);
		cJSON *da = sim_results_read(a, NULL), *db = sim_results_read(b, NULL);
		g_assert_nonnull(da);
		g_assert_nonnull(db);
		g_autofree char *sa = t_results_without_host(da);
		g_autofree char *sb = t_results_without_host(db);
		g_assert_cmpstr(sa, ==, sb);
		cJSON_Delete(da);
		cJSON_Delete(db);
	}
	g_hash_table_destroy(h);
}

static void
test_failed_point_reported(void)
{
	/* max_cycles 1000 is below the workload's run length: that point is
	 * refused (exit 2); the others finish. */
	g_autofree char *dir = sweep_dir("fail", "{\"name\": \"f\", \"base\": \"base.json\","
		" \"set\": {\"cpus\": 2}, \"axes\": {\"engine.max_cycles\": [0, 1000, 0.5e9]}}");
	const char *run[] = { "sweep", "run", "sweep.json", "-o", "out", "--runner", "xargs",
			      "-j", "1", NULL };
	struct t_cli r = t_sim(dir, NULL, run);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.err, "sim sweep: point engine.max_cycles=1000 failed (exit 2): "));
	g_assert_nonnull(strstr(r.err, " run base.json --set cpus=2 --set engine.max_cycles=1000 --out "
				"out/engine.max_cycles=1000.json -q\n"));
	g_assert_nonnull(strstr(r.err, "past engine.max_cycles (1000)"));
	g_assert_nonnull(strstr(r.err, "2/3 points complete (2 run now, 1 failed"));
	t_cli_free(&r);
	g_autofree char *out = g_build_filename(dir, "out", NULL);
	GHashTable *h = inodes(out);
	g_assert_true(g_hash_table_contains(h, "engine.max_cycles=0.json"));
	g_assert_true(g_hash_table_contains(h, "engine.max_cycles=500000000.json"));
	g_assert_cmpuint(g_hash_table_size(h), ==, 2);
	g_hash_table_destroy(h);
	g_autofree char *log = g_build_filename(out, ".log", "engine.max_cycles=1000.log", NULL);
	g_assert_true(g_file_test(log, G_FILE_TEST_EXISTS));
}

/* A point whose run goes on long past its run length (rcutorture's
 * updater takes a nap of up to 10^10 cycles after a 1,000-cycle run) is
 * named with the run's overrun warning, once; the other point, whose run
 * ends after its exit drains (a few grace periods), is not. */
static void
test_overrun_warning_shown(void)
{
	g_autofree char *dir = sweep_dir("overrun", "{\"name\": \"o\", \"base\": \"ov.json\","
		" \"axes\": {\"workload.update_interval_max\": [0, 10000000000]}}");
	g_free(t_write(dir, "ov.json", "{\"machine\": \"icx2s\", \"cpus\": 4, \"seed\": 1,"
		       " \"workload\": {\"name\": \"rcutorture\", \"duration\": 1000},"
		       " \"reclaim\": {\"scheme\": \"tree_rcu\"}}\n"));
	const char *run[] = { "sweep", "run", "sweep.json", "-o", "out", "--runner", "xargs",
			      "-j", "1", NULL };
	struct t_cli r = t_sim(dir, NULL, run);
	g_assert_cmpint(r.status, ==, 0);
	const char *want = "sim sweep: point workload.update_interval_max=10000000000: sim: ov.json: "
		"warning: simulated time passed 1000125000 cycles, 8x the workload's run length "
		"(1000) plus 1000000000, and the run goes on";
	const char *at = strstr(r.err, want);
	g_assert_nonnull(at);
	const char *eol = strchr(at, '\n');
	g_assert_nonnull(eol);
	g_assert_null(strstr(eol, "warning:"));     /* once */
	g_assert_null(strstr(r.err, "point workload.update_interval_max=0: "));
	g_assert_nonnull(strstr(r.err, "2/2 points complete (2 run now, 0 failed"));
	t_cli_free(&r);
}

static void
set_own_group(gpointer data)
{
	(void)data;
	setpgid(0, 0);
}

/* The pid of a child of parent (the sweep's runner), or 0. */
static pid_t
child_of(pid_t parent)
{
	GDir *d = g_dir_open("/proc", 0, NULL);
	const char *e;
	pid_t found = 0;
	while (d && !found && (e = g_dir_read_name(d)) != NULL) {
		if (!g_ascii_isdigit(e[0]))
			continue;
		g_autofree char *path = g_strdup_printf("/proc/%s/stat", e);
		g_autofree char *stat = NULL;
		if (!g_file_get_contents(path, &stat, NULL, NULL))
			continue;
		const char *rp = strrchr(stat, ')');
		int ppid = 0;
		char state;
		if (rp && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && ppid == parent)
			found = (pid_t)atoi(e);
	}
	if (d)
		g_dir_close(d);
	return found;
}

/* How many processes other than this one have dir in their command line
 * (and, if also is not NULL, a command line that starts with also). */
static guint
procs_mentioning2(const char *dir, const char *also)
{
	GDir *d = g_dir_open("/proc", 0, NULL);
	const char *e;
	guint n = 0;
	while (d && (e = g_dir_read_name(d)) != NULL) {
		if (!g_ascii_isdigit(e[0]) || atoi(e) == getpid())
			continue;
		g_autofree char *path = g_strdup_printf("/proc/%s/cmdline", e);
		gsize len = 0;
		g_autofree char *cmd = NULL;
		if (!g_file_get_contents(path, &cmd, &len, NULL) || len == 0)
			continue;
		for (gsize i = 0; i + 1 < len; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		n += strstr(cmd, dir) != NULL && (also == NULL || g_str_has_prefix(cmd, also));
	}
	if (d)
		g_dir_close(d);
	return n;
}

static guint
procs_mentioning(const char *dir)
{
	return procs_mentioning2(dir, NULL);
}

static gboolean
all_exist(const char *out, const char *const *files)
{
	for (const char *const *f = files; *f; f++) {
		g_autofree char *p = g_build_filename(out, *f, NULL);
		if (!g_file_test(p, G_FILE_TEST_EXISTS))
			return FALSE;
	}
	return TRUE;
}

static void
test_resume_after_kill(void)
{
	/* Three quick points, then one that takes a while; one at a time. */
	g_autofree char *dir = sweep_dir("resume", "{\"name\": \"r\", \"base\": \"base.json\","
		" \"set\": {\"cpus\": 4},"
		" \"axes\": {\"workload.duration\": [2000, 3000, 4000, 600000000]}}");
	g_autofree char *out = g_build_filename(dir, "out", NULL);
	const char *quick[] = { "workload.duration=2000.json", "workload.duration=3000.json",
				"workload.duration=4000.json", NULL };
	const char *argv[] = { t_sim_binary(), "sweep", "run", "sweep.json", "-o", "out",
			       "--runner", "xargs", "-j", "1", NULL };
	GPid pid;
	GError *err = NULL;
	g_assert_true(g_spawn_async(dir, (char **)argv, NULL,
				    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
				    set_own_group, NULL, &pid, &err));
	g_assert_no_error(err);
	gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	while (!all_exist(out, quick) && g_get_monotonic_time() < deadline)
		g_usleep(10000);
	g_assert_true(all_exist(out, quick));
	/* Kill the sweep, the runner (its own process group) and the run in
	 * progress, at once. */
	pid_t runner = child_of(pid);
	g_assert_cmpint(runner, >, 0);
	g_assert_cmpint(kill(-pid, SIGKILL), ==, 0);
	g_assert_cmpint(kill(-runner, SIGKILL), ==, 0);
	int status;
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFSIGNALED(status));
	g_usleep(100000);

	assert_all_readable(out);
	GHashTable *before = inodes(out);
	g_assert_cmpuint(g_hash_table_size(before), ==, 3);
	const char *plan[] = { "sweep", "plan", "sweep.json", "-o", "out", NULL };
	struct t_cli r = t_sim(dir, NULL, plan);
	g_assert_cmpuint(t_count_lines(r.out), ==, 1);
	g_assert_nonnull(strstr(r.out, "--set workload.duration=600000000 "));
	t_cli_free(&r);

	const char *run[] = { "sweep", "run", "sweep.json", "-o", "out", "--runner", "xargs",
			      NULL };
	r = t_sim(dir, NULL, run);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.err, "4 points, 3 complete, 1 to run"));
	g_assert_nonnull(strstr(r.err, "4/4 points complete (1 run now, 0 failed"));
	t_cli_free(&r);
	/* The three complete points were not run again (same files). */
	GHashTable *after = inodes(out);
	g_assert_cmpuint(g_hash_table_size(after), ==, 4);
	for (const char *const *f = quick; *f; f++)
		g_assert_true(g_hash_table_lookup(before, *f) == g_hash_table_lookup(after, *f));
	g_hash_table_destroy(before);
	g_hash_table_destroy(after);
	assert_all_readable(out);
	/* No temporary files remain. */
	GDir *d = g_dir_open(out, 0, NULL);
	const char *e;
	while ((e = g_dir_read_name(d)) != NULL)
		g_assert_true(e[0] != '.' || strcmp(e, ".log") == 0);
	g_dir_close(d);
}

/*
 * A signal sent to `sim sweep run` alone (not its process group: a kill,
 * a closed session) stops it as Ctrl-C does: every run in progress
 * stops, nothing more starts, the sweep says it was interrupted (130),
 * and no process of the sweep is left behind.
 */
static void
signal_stops_sweep(int sig, const char *runner, const char *name)
{
	g_autofree char *dir = sweep_dir(name, "{\"name\": \"long\", \"base\": \"base.json\", \"set\": {\"cpus\": 4},"
		" \"axes\": {\"workload.duration\": [200000000000, 200000000001, 200000000002,"
		" 200000000003]}}");
	g_autofree char *out = g_build_filename(dir, "out", NULL);
	const char *argv[] = { t_sim_binary(), "sweep", "run", "sweep.json", "-o", out,
			       "--runner", runner, "-j", "2", NULL };
	GPid pid;
	int errfd;
	GError *err = NULL;
	g_assert_true(g_spawn_async_with_pipes(dir, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
					       NULL, NULL, &pid, NULL, NULL, &errfd, &err));
	g_assert_no_error(err);
	/* wait until both runs are going */
	g_autofree char *run = g_strconcat(t_sim_binary(), " run ", NULL);
	gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (procs_mentioning2(out, run) < 2 && g_get_monotonic_time() < deadline)
		g_usleep(20000);
	g_assert_cmpuint(procs_mentioning2(out, run), ==, 2);
	g_usleep(200000);
	g_assert_cmpint(kill(pid, sig), ==, 0);
	int status = 0;
	deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	pid_t w;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && g_get_monotonic_time() < deadline)
		g_usleep(20000);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	g_assert_cmpint(w, ==, pid);
	g_spawn_close_pid(pid);
	GString *text = g_string_new(NULL);
	char buf[4096];
	ssize_t n;
	while ((n = read(errfd, buf, sizeof buf)) > 0)
		g_string_append_len(text, buf, n);
	close(errfd);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 130)
		g_printerr("%s", text->str);
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 130);
	g_assert_nonnull(strstr(text->str, "0/4 points complete"));
	g_assert_nonnull(strstr(text->str, "sim sweep: interrupted; run the same command again"));
	/* nothing of the sweep is left running */
	deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (procs_mentioning(out) > 0 && g_get_monotonic_time() < deadline)
		g_usleep(20000);
	g_assert_cmpuint(procs_mentioning(out), ==, 0);
	GHashTable *h = inodes(out);
	g_assert_cmpuint(g_hash_table_size(h), ==, 0);
	g_hash_table_destroy(h);
	g_string_free(text, TRUE);
}

static void
test_sigint_xargs(void)
{
	signal_stops_sweep(SIGINT, "xargs", "sigint-xargs");
}

static void
test_sighup_xargs(void)
{
	signal_stops_sweep(SIGHUP, "xargs", "sighup-xargs");
}

static void
test_sigterm_parallel(void)
{
	g_autofree char *par = g_find_program_in_path("parallel");
	if (par == NULL) {
		g_test_skip("GNU parallel is not installed");
		return;
	}
	signal_stops_sweep(SIGTERM, "parallel", "sigterm-parallel");
}

static void
test_sighup_parallel(void)
{
	g_autofree char *par = g_find_program_in_path("parallel");
	if (par == NULL) {
		g_test_skip("GNU parallel is not installed");
		return;
	}
	signal_stops_sweep(SIGHUP, "parallel", "sighup-parallel");
}

/* -j beyond the points is clamped, and says so; -j 0 is refused. */
static void
test_jobs_clamped(void)
{
	g_autofree char *dir = sweep_dir("clamp", small_sweep);
	const char *run[] = { "sweep", "run", "sweep.json", "-o", "out", "--runner", "xargs",
			      "-j", "100000", NULL };
	gint64 t0 = g_get_monotonic_time();
	struct t_cli r = t_sim(dir, NULL, run);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.err, "sim sweep: -j 100000 clamped to 4 (the points to run)\n"));
	g_assert_nonnull(strstr(r.err, "4 to run, 4 at a time (xargs -P)"));
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 60 * G_USEC_PER_SEC);
	t_cli_free(&r);
	const char *zero[] = { "sweep", "run", "sweep.json", "-o", "out", "-j", "0", NULL };
	r = t_sim(dir, NULL, zero);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_cmpstr(r.err, ==, "sim: sweep: -j 0: expected at least 1 (without -j: one per "
			"CPU)\n");
	t_cli_free(&r);
}

/* A second sweep into a directory that a running sweep holds (the lock on
 * OUT/.log/lock) stops with one line and exit 2, and writes nothing; once
 * the lock is free the same command runs. */
static void
test_out_dir_locked(void)
{
	g_autofree char *dir = sweep_dir("locked", small_sweep);
	g_autofree char *logdir = g_build_filename(dir, "out", ".log", NULL);
	g_assert_cmpint(g_mkdir_with_parents(logdir, 0755), ==, 0);
	g_autofree char *lock = g_build_filename(logdir, "lock", NULL);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(flock(fd, LOCK_EX | LOCK_NB), ==, 0);
	const char *run[] = { "sweep", "run", "sweep.json", "-o", "out", "--runner", "xargs", NULL };
	struct t_cli r = t_sim(dir, NULL, run);
	g_assert_cmpint(r.status, ==, 2);
	g_autofree char *want = g_strdup_printf("sim sweep: out: another sim sweep is writing this "
						"directory (it holds %s); wait for it to end or "
						"give another -o\n", "out/.log/lock");
	g_assert_cmpstr(r.err, ==, want);
	g_autofree char *index = g_build_filename(dir, "out", "index.tsv", NULL);
	g_assert_false(g_file_test(index, G_FILE_TEST_EXISTS));
	t_cli_free(&r);
	close(fd);
	r = t_sim(dir, NULL, run);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_true(g_file_test(index, G_FILE_TEST_EXISTS));
	t_cli_free(&r);
}

/* A million points is refused before anything is expanded. */
static void
test_size_bounded(void)
{
	GString *s = g_string_new("{\"name\": \"huge\", \"base\": \"base.json\", \"axes\": {");
	const char *axes[] = { "workload.duration", "seed" };
	for (int a = 0; a < 2; a++) {
		g_string_append_printf(s, "%s\"%s\": [", a ? ", " : "", axes[a]);
		for (int i = 0; i < 1000; i++)
			g_string_append_printf(s, "%s%d", i ? ", " : "", 2000 + i);
		g_string_append_c(s, ']');
	}
	g_string_append(s, "}}");
	g_autofree char *dir = sweep_dir("huge", s->str);
	g_string_free(s, TRUE);
	const char *plan[] = { "sweep", "plan", "sweep.json", "-o", "out", NULL };
	struct t_cli r = t_sim(dir, NULL, plan);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_true(g_str_has_prefix(r.err, "sim: sweep.json: axes: the sweep has 1000000 points; "
					      "expanding them takes about 160 KiB each, and host "
					      "memory (80% of RAM, "));
	g_assert_true(g_str_has_suffix(r.err, " points: split the sweep\n"));
	g_assert_cmpstr(r.out, ==, "");
	t_cli_free(&r);
}

/* The script as Slurm uses it: the log directory exists before sbatch
 * opens --output there, an absolute -o is not glued to the working
 * directory, paths are quoted, the hint names -o, and an --sbatch value
 * with a newline (a script line of its own) is refused. */
static void
test_slurm_script_paths(void)
{
	g_autofree char *dir = sweep_dir("slurm paths", small_sweep);
	g_autofree char *out = g_build_filename(dir, "o ut", NULL);
	const char *args[] = { "sweep", "slurm", "sweep.json", "-o", out, NULL };
	struct t_cli r = t_sim(dir, NULL, args);
	g_assert_cmpint(r.status, ==, 0);
	g_autofree char *qout = sim_shell_quote(out);
	g_autofree char *hint = g_strdup_printf("then `sim sweep index sweep.json -o %s`\n", qout);
	g_assert_true(g_str_has_suffix(r.err, hint));
	t_cli_free(&r);
	g_autofree char *logdir = g_build_filename(out, ".log", NULL);
	g_assert_true(g_file_test(logdir, G_FILE_TEST_IS_DIR));
	g_autofree char *script = g_build_filename(out, "slurm.sh", NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(script, &text, NULL, NULL));
	g_autofree char *want = g_strdup_printf("\n#SBATCH --output=\"%s/slurm-%%A_%%a.out\"\n",
						logdir);
	g_assert_nonnull(strstr(text, want));
	g_autofree char *qlog = sim_shell_quote(logdir);
	g_autofree char *mk = g_strdup_printf("\nmkdir -p %s\n", qlog);
	g_assert_nonnull(strstr(text, mk));
	g_autofree char *in_script = g_strdup_printf("`sim sweep index sweep.json -o %s` in ", qout);
	g_assert_nonnull(strstr(text, in_script));
	const char *bad[] = { "sweep", "slurm", "sweep.json", "-o", out,
			      "--sbatch=--time=1\nrm -rf /", NULL };
	r = t_sim(dir, NULL, bad);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_cmpstr(r.err, ==, "sim: --sbatch \"--time=1\\nrm -rf /\": a newline or double "
			"quote cannot go into a Slurm script\n");
	t_cli_free(&r);
}

static void
test_slurm_script(void)
{
	g_autofree char *dir = sweep_dir("slurm", small_sweep);
	const char *args[] = { "sweep", "slurm", "sweep.json", "-o", "out", "--script", "job.sh",
			       "--max-running", "2", "--sbatch=--time=0:05:00", NULL };
	struct t_cli r = t_sim(dir, NULL, args);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.err, "wrote job.sh (4 array tasks)"));
	t_cli_free(&r);
	g_autofree char *script = g_build_filename(dir, "job.sh", NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(script, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "\n#SBATCH --array=0-3%2\n"));
	g_assert_nonnull(strstr(text, "\n#SBATCH --time=0:05:00\n"));
	g_assert_nonnull(strstr(text, "\n1) exec "));

	/* Array task 1 runs the second pending point, and only it. */
	const char *sh[] = { "/bin/sh", "job.sh", NULL };
	char **env = g_environ_setenv(g_get_environ(), "SLURM_ARRAY_TASK_ID", "1", TRUE);
	int wait = 0;
	GError *err = NULL;
	g_spawn_sync(dir, (char **)sh, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
		     &wait, &err);
	g_assert_no_error(err);
	g_strfreev(env);
	g_assert_true(WIFEXITED(wait) && WEXITSTATUS(wait) == 0);
	g_autofree char *out = g_build_filename(dir, "out", NULL);
	GHashTable *h = inodes(out);
	g_assert_cmpuint(g_hash_table_size(h), ==, 1);
	g_assert_true(g_hash_table_contains(h, "cpus=1,machine=ben.json"));
	g_hash_table_destroy(h);

	/* Without a task id the script refuses to run anything. */
	g_spawn_sync(dir, (char **)sh, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
		     &wait, &err);
	g_assert_no_error(err);
	g_assert_false(WIFEXITED(wait) && WEXITSTATUS(wait) == 0);

	/* The next script covers only what is still missing. */
	r = t_sim(dir, NULL, args);
	g_assert_nonnull(strstr(r.err, "wrote job.sh (3 array tasks)"));
	t_cli_free(&r);
}

static void
test_bad_cli(void)
{
	g_autofree char *dir = sweep_dir("cli", small_sweep);
	const char *a1[] = { "sweep", "fly", "sweep.json", NULL };
	struct t_cli r = t_sim(dir, NULL, a1);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "expected plan, run, slurm or index"));
	t_cli_free(&r);
	const char *a2[] = { "sweep", "run", "sweep.json", "--runner", "make", NULL };
	r = t_sim(dir, NULL, a2);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_cmpstr(r.err, ==, "sim: sweep: --runner make: expected auto, parallel or xargs\n");
	t_cli_free(&r);
	const char *a3[] = { "sweep", "plan", "missing.json", NULL };
	r = t_sim(dir, NULL, a3);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_cmpstr(r.err, ==, "sim: missing.json: cannot read: No such file or directory\n");
	t_cli_free(&r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("sim-sweep-XXXXXX", NULL);
	g_test_add_func("/sweep/expand/list-axes-order-and-command", test_list_axes);
	g_test_add_func("/sweep/expand/power-of-two-range", test_pow2_range);
	g_test_add_func("/sweep/expand/series-inherit-and-override", test_series);
	g_test_add_func("/sweep/expand/bad-axes", test_bad_axes);
	g_test_add_func("/sweep/expand/bad-point-names-the-point", test_bad_point);
	g_test_add_func("/sweep/naming/stable-under-axis-reorder", test_names_stable_under_reorder);
	g_test_add_func("/sweep/naming/sanitized-and-unique", test_names_sanitized);
	g_test_add_func("/sweep/plan/skips-complete-reruns-broken-and-stale",
			test_plan_skips_complete);
	g_test_add_func("/sweep/run/runners-agree-and-index", test_run_runners_agree);
	g_test_add_func("/sweep/run/failed-point-reported-sweep-goes-on",
			test_failed_point_reported);
	g_test_add_func("/sweep/run/overrun-warning-names-the-point", test_overrun_warning_shown);
	g_test_add_func("/sweep/resume/after-kill-no-point-lost-or-rerun", test_resume_after_kill);
	g_test_add_func("/sweep/signal/sigint-to-sim-stops-xargs-runs", test_sigint_xargs);
	g_test_add_func("/sweep/signal/sighup-to-sim-stops-xargs-runs", test_sighup_xargs);
	g_test_add_func("/sweep/signal/sigterm-to-sim-stops-parallel-runs", test_sigterm_parallel);
	g_test_add_func("/sweep/signal/sighup-to-sim-stops-parallel-runs", test_sighup_parallel);
	g_test_add_func("/sweep/run/jobs-clamped-zero-refused", test_jobs_clamped);
	g_test_add_func("/sweep/run/out-dir-locked", test_out_dir_locked);
	g_test_add_func("/sweep/expand/size-bounded-up-front", test_size_bounded);
	g_test_add_func("/sweep/slurm/array-task-runs-its-point", test_slurm_script);
	g_test_add_func("/sweep/slurm/paths-log-dir-and-sbatch-newline", test_slurm_script_paths);
	g_test_add_func("/sweep/cli/bad-arguments", test_bad_cli);
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)system(cmd);
	return rc;
}
