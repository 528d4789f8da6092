// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The command line: every class of bad input gets one line on stderr
 * naming the file (or --set) and the JSON path, exit code 2, and no
 * results file; good runs write byte-identical results outside "host".
 */
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

static void
test_duplicate_key(void)
{
	expect_bad("{\"machine\": \"ben\", \"cpus\": 4, \"cpus\": 64,"
		   " \"workload\": {\"name\": \"faa\"}}", NULL, NULL,
		   "case.json: cpus: duplicate key", NULL);
}

static void
test_not_an_object(void)
{
	expect_bad("[\"ben\", 4]", NULL, NULL,
		   "case.json: (top level): a config is a JSON object, got an array", NULL);
}

static void
test_empty_file(void)
{
	expect_bad("", NULL, NULL, "case.json: line 1, column 1: invalid JSON", NULL);
}

static void
test_nul_byte(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "nul.json", NULL);
	g_assert_true(g_file_set_contents(path, "{\"cpus\": 4}\0{}", 14, NULL));
	expect_bad(NULL, path, NULL, "nul.json: not a JSON text (contains a NUL byte)", NULL);
}

static void
test_deep_nesting(void)
{
	GString *t = g_string_new("{\"description\": ");
	for (int i = 0; i < 3000; i++)
		g_string_append_c(t, '[');
	expect_bad(t->str, NULL, NULL, "case.json: line 1, column", "invalid JSON");
	g_string_free(t, TRUE);
}

static void
test_number_overflow(void)
{
	expect_bad("{\"machine\": \"ben\", \"cpus\": 1e400, \"workload\": {\"name\": \"faa\"}}",
		   NULL, NULL, "case.json: cpus: expected an integer, got inf", NULL);
	expect_bad("{\"machine\": \"ben\", \"cpus\": 2.5, \"workload\": {\"name\": \"faa\"}}",
		   NULL, NULL, "case.json: cpus: expected an integer, got 2.5", NULL);
}

static void
test_control_chars_one_line(void)
{
	/* A key with a newline must not split the message. */
	expect_bad("{\"machine\": \"ben\", \"cp\\nus\": 4}", NULL, NULL,
		   "case.json: cp\\nus: unknown key", NULL);
}

static void
test_endless_file(void)
{
	/* a device never ends: refused before reading (larger-than-64-MiB
	 * regular files: /results/read/refuses-oversized-file) */
	expect_bad(NULL, "/dev/zero", NULL, "/dev/zero: cannot read: not a regular file (a "
		   "character device)", NULL);
}

static void
test_set_too_deep(void)
{
	const char *const extra[] = { "--set", "a.b.c.d.e.f.g.h.i=1", NULL };
	expect_bad(good_config, NULL, extra, "--set a.b.c.d.e.f.g.h.i=1: \"a.b.c.d.e.f.g.h.i\" is "
		   "not a dotted path of at most 8 keys", NULL);
}

static void
test_set_into_scalar(void)
{
	const char *const extra[] = { "--set", "cpus.x=1", NULL };
	expect_bad(good_config, NULL, extra, "--set cpus.x=1: cpus.x: \"cpus\" is a number, not "
		   "an object", NULL);
}

static void
test_run_length(void)
{
	const char *const extra[] = { "--set", "engine.max_cycles=1000", NULL };
	expect_bad(good_config, NULL, extra, "case.json: engine.max_cycles: the workload is set "
		   "to run for", "past engine.max_cycles (1000)");
}

/* The refusal names the biggest term and the key that lowers it. */
static void
test_stacks_over_budget(void)
{
	const char *const extra[] = { "--set", "engine.memory_budget_mib=40", "--set",
				      "cpus=80", "--set", "engine.stack_kib=1024", NULL };
	expect_bad(good_config, NULL, extra, "case.json: cpus: a run of 80 CPUs needs about",
		   "coroutine stacks 80 MiB: engine.stack_kib");
}

static void
test_output_not_writable(void)
{
	g_autofree char *cfg = write_tmp("good.json", good_config);
	/* a regular file where a directory should be */
	g_autofree char *blocker = write_tmp("blocker", "x");
	g_autofree char *out = g_build_filename(blocker, "r.json", NULL);
	const char *args[] = { "run", cfg, "--out", out, NULL };
	struct cli r = run_sim(args);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "cannot create directory"));
	g_assert_null(strchr(r.err, '\n') + 1 < r.err + strlen(r.err) ? strchr(r.err, '\n') + 1
									: NULL);
	cli_free(&r);
}

static void
test_missing_key(void)
{
	expect_bad("{\"machine\": \"ben\", \"workload\": {\"name\": \"faa\"}}", NULL, NULL,
		   "case.json: cpus: required key is missing", NULL);
}

static void
test_unknown_enum_value(void)
{
	const char *const extra[] = { "--set", "machine.topology.interconnect=mesh", NULL };
	expect_bad(good_config, NULL, extra, "--set machine.topology.interconnect=mesh: "
		   "topology.interconnect: unknown value \"mesh\" (expected one of: full, ring, "
		   "hypercube, torus2d, explicit)", NULL);
}

static void
test_inconsistent_values(void)
{
	expect_bad("{\"machine\": \"large\", \"cpus\": 4, \"workload\": {\"name\": \"faa\"}}",
		   NULL, (const char *const[]){ "--set", "machine.topology.sockets=3", NULL },
		   "--set machine.topology.sockets=3: topology.sockets: a hypercube needs a "
		   "power-of-two socket count, got 3", NULL);
}

/* topology.cpu_sockets: one line naming the file (or --set) and the JSON
 * path of the first wrong entry. */
static void
test_bad_cpu_sockets(void)
{
	const char *inl = "{\"machine\": {\"name\": \"t\", \"topology\": {\"sockets\": 2, "
			  "\"cores_per_cluster\": 2, \"cpu_sockets\": [0, 1, 1, 1]}}, \"cpus\": 2, "
			  "\"workload\": {\"name\": \"faa\"}}";
	expect_bad(inl, NULL, NULL, "case.json: machine.topology.cpu_sockets[3]: socket 1 already "
		   "has all its 2 cores (each socket must appear exactly 2 times)\n", NULL);
	expect_bad(inl, NULL, (const char *const[]){ "--set",
		   "machine.topology.cpu_sockets=[0,2,1,1]", NULL },
		   "--set machine.topology.cpu_sockets=[0,2,1,1]: machine.topology.cpu_sockets[1]: "
		   "expected a socket number 0..1\n", NULL);
	expect_bad(good_config, NULL, (const char *const[]){ "--set",
		   "machine.topology.cpu_sockets=[0,1]", NULL },
		   "--set machine.topology.cpu_sockets=[0,1]: topology.cpu_sockets: expected an array "
		   "of 80 socket numbers, one per core in CPU order (8 sockets x 10 cores)\n", NULL);
}

/* An error inside a machine preset names the preset file. */
static void
test_broken_preset(void)
{
	g_autofree char *dir = g_build_filename(tmpdir, "presets", NULL);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_autofree char *preset = g_build_filename(dir, "broken.json", NULL);
	g_assert_true(g_file_set_contents(preset, "{\"name\": \"broken\", \"freq_ghz\": 2.0,"
					  " \"latency\": {\"mem\": -1}}", -1, NULL));
	g_setenv("SIM_MACHINE_PATH", dir, TRUE);
	g_autofree char *want = g_strdup_printf("%s: latency.mem: -1 is out of range", preset);
	expect_bad("{\"machine\": \"broken\", \"cpus\": 1, \"workload\": {\"name\": \"faa\"}}",
		   NULL, NULL, want, NULL);
	/* a preset whose "name" is not its file name */
	g_autofree char *other = g_build_filename(dir, "other.json", NULL);
	g_assert_true(g_file_set_contents(other, "{\"name\": \"ben\", \"freq_ghz\": 2.0}", -1,
					  NULL));
	g_autofree char *want2 = g_strdup_printf("%s: name: \"ben\" differs from the preset's file "
						 "name \"other.json\"", other);
	expect_bad("{\"machine\": \"other\", \"cpus\": 1, \"workload\": {\"name\": \"faa\"}}",
		   NULL, NULL, want2, NULL);
	g_unsetenv("SIM_MACHINE_PATH");
}

/* More guard pages than the kernel allows mappings: refused, with the fix. */
static void
test_guard_pages_over_map_limit(void)
{
	g_autofree char *lim = NULL;
	g_assert_true(g_file_get_contents("/proc/sys/vm/max_map_count", &lim, NULL, NULL));
	if (g_ascii_strtoull(lim, NULL, 10) > 65536 + 4096) {
		g_test_skip("vm.max_map_count allows 65,536 guard pages here");
		return;
	}
	expect_bad("{\"machine\": \"large\", \"cpus\": 65536, \"engine\": {\"stack_guard\": \"on\","
		   " \"stack_kib\": 16}, \"workload\": {\"name\": \"faa\"}}", NULL, NULL,
		   "case.json: engine.stack_guard: cannot place 65536 stack guard pages "
		   "(vm.max_map_count?); set engine.stack_guard to \"off\"", NULL);
}

/* The results file cannot be created: found before the run (exit 2),
 * nothing is left behind. */
static void
test_output_write_fails(void)
{
	g_autofree char *cfg = write_tmp("good.json", good_config);
	const char *args[] = { "run", cfg, "--out", "/proc/sim-results.json", NULL };
	struct cli r = run_sim(args);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_true(g_str_has_prefix(r.err, "sim: /proc/sim-results.json: cannot create a "
					      "file in /proc: "));
	g_assert_true(strchr(r.err, '\n') == r.err + strlen(r.err) - 1);
	cli_free(&r);
}

static void
test_usage_errors(void)
{
	const char *const *cases[] = {
		(const char *const[]){ "frobnicate", NULL },
		(const char *const[]){ "run", NULL },
		(const char *const[]){ "run", "a.json", "b.json", NULL },
		(const char *const[]){ "run", "a.json", "--no-such-option", NULL },
		(const char *const[]){ "table", "--col", "sim.cpus", NULL },
	};
	const char *const want[] = {
		"sim: unknown command \"frobnicate\"",
		"sim: run: expected exactly one CONFIG.json",
		"sim: run: expected exactly one CONFIG.json",
		"sim: Unknown option --no-such-option",
		"sim: table: need --col PATH (one or more) and result files",
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct cli r = run_sim(cases[i]);
		g_assert_cmpint(r.status, ==, 2);
		g_assert_true(g_str_has_prefix(r.err, want[i]));
		cli_free(&r);
	}
}

/* `sim table` reads results through the schema check: a file of another
 * schema is refused, not turned into a row of wrong numbers. */
static void
test_table_other_schema(void)
{
	g_autofree char *old = write_tmp("old.json", "{\"sim\": {\"version\": \"9.0\", \"schema\": 7},"
					 " \"config\": {}, \"metrics\": {\"ops\": 3}}");
	const char *args[] = { "table", old, "--col", "metrics.ops", NULL };
	struct cli r = run_sim(args);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "old.json: sim.schema: results schema 7 (written by sim 9.0)"));
	g_assert_cmpstr(r.out, ==, "");
	cli_free(&r);
}

/* ---- signals ---- */

static gboolean
has_temp_files(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	if (d == NULL)
		return FALSE;
	const char *e;
	gboolean found = FALSE;
	while ((e = g_dir_read_name(d)) != NULL)
		found |= e[0] == '.';
	g_dir_close(d);
	return found;
}

/* A run that takes minutes; interrupt it after 0.3 s. */
static void
interrupt_run(int sig)
{
	g_autofree char *cfg = write_tmp("long.json",
		"{\"machine\": \"icx2s\", \"cpus\": 64,"
		" \"workload\": {\"name\": \"faa\", \"duration\": 100000000000}}");
	g_autofree char *dir = g_build_filename(tmpdir, "sig", NULL);
	g_autofree char *out = g_build_filename(dir, "r.json", NULL);
	const char *argv[] = { t_sim_binary(), "run", cfg, "--out", out, NULL };
	GPid pid;
	int errfd;
	GError *err = NULL;
	g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
					       NULL, NULL, &pid, NULL, NULL, &errfd, &err));
	g_assert_no_error(err);
	g_usleep(300000);
	g_assert_cmpint(kill(pid, sig), ==, 0);
	int status = 0;
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_spawn_close_pid(pid);
	char buf[4096];
	ssize_t n = read(errfd, buf, sizeof buf - 1);
	close(errfd);
	g_assert_cmpint(n, >, 0);
	buf[n] = '\0';
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 130);
	/* one line saying how far the run got */
	g_assert_true(g_str_has_prefix(buf, "sim: "));
	g_assert_nonnull(strstr(buf, "long.json: interrupted at simulated time "));
	g_assert_nonnull(strstr(buf, "% of the workload's 100000200000 cycles) after "));
	g_assert_true(g_str_has_suffix(buf, "; no results written\n"));
	g_assert_true(strchr(buf, '\n') == buf + n - 1);
	g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
	g_assert_false(has_temp_files(dir));
}

static void
test_sigint(void)
{
	interrupt_run(SIGINT);
}

static void
test_sigterm(void)
{
	interrupt_run(SIGTERM);
}

/* The estimate printed under "host" bounds the real peak (release and
 * debug builds; not under AddressSanitizer, whose shadow memory is not
 * counted). */
static void
test_estimate_bounds_rss(void)
{
#if T_ASAN
	g_test_skip("AddressSanitizer's own memory is not in the estimate");
	return;
#endif
	const char *const cases[] = {
		"{\"machine\": \"large\", \"cpus\": 4096,"
		" \"workload\": {\"name\": \"faa\", \"duration\": 20000, \"warmup\": 0}}",
		"{\"machine\": \"large\", \"cpus\": 4096,"
		" \"workload\": {\"name\": \"line_rw\", \"rounds\": 2}}",
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *cfg = write_tmp("mem.json", cases[i]);
		g_autofree char *out = g_build_filename(tmpdir, "mem-out.json", NULL);
		const char *args[] = { "run", cfg, "--out", out, "-q", NULL };
		struct cli r = run_sim(args);
		g_assert_cmpint(r.status, ==, 0);
		GError *err = NULL;
		cJSON *doc = sim_results_read(out, &err);
		g_assert_no_error(err);
		const cJSON *h = cJSON_GetObjectItem(doc, "host");
		double est = cJSON_GetObjectItem(h, "memory_estimate_kib")->valuedouble;
		double rss = cJSON_GetObjectItem(h, "peak_rss_kib")->valuedouble;
		g_test_message("case %u: estimate %.0f KiB, peak RSS %.0f KiB", i, est, rss);
		g_assert_cmpfloat(rss, >, 0);
		g_assert_cmpfloat(est, >=, rss);
		cJSON_Delete(doc);
		cli_free(&r);
	}
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

/* Issue 13's smaller items: each was accepted silently, blocked, or
 * answered with something other than one line and exit 2. */
static void
expect_usage(const char *const *args, const char *want)
{
	struct cli r = run_sim(args);
	if (r.status != 2 || g_strcmp0(r.err, want) != 0)
		g_printerr("exit %d, stderr: %s", r.status, r.err);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_cmpstr(r.err, ==, want);
	g_assert_cmpstr(r.out, ==, "");
	cli_free(&r);
}

static void
test_smaller_items(void)
{
	g_autofree char *cfg = write_tmp("small.json", good_config);
	/* a FIFO as a config, and in check: refused, not waited on */
	g_autofree char *fifo = g_build_filename(tmpdir, "cfg.fifo", NULL);
	g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
	g_autofree char *w1 = g_strdup_printf("sim: %s: cannot read: not a regular file (a FIFO)\n",
					      fifo);
	expect_usage((const char *const[]){ "run", fifo, NULL }, w1);
	g_autofree char *w2 = g_strdup_printf("sim: check: %s: cannot read: not a regular file "
					      "(a FIFO)\n", fifo);
	expect_usage((const char *const[]){ "check", fifo, fifo, NULL }, w2);
	/* two empty directories compare nothing */
	g_autofree char *e1 = g_build_filename(tmpdir, "empty1", NULL);
	g_autofree char *e2 = g_build_filename(tmpdir, "empty2", NULL);
	g_assert_cmpint(g_mkdir_with_parents(e1, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(e2, 0755), ==, 0);
	g_autofree char *w3 = g_strdup_printf("sim: check: %s and %s: no results files (*.json) in "
					      "either directory: nothing to compare\n", e1, e2);
	struct cli r = run_sim((const char *const[]){ "check", e1, e2, NULL });
	g_assert_cmpint(r.status, ==, 2);
	g_assert_cmpstr(r.err, ==, w3);
	cli_free(&r);
	expect_usage((const char *const[]){ "list", "foo", NULL },
		     "sim: list: unexpected argument \"foo\" (sim list [-v] lists everything)\n");
	expect_usage((const char *const[]){ "table", cfg, "--col", "a..b", NULL },
		     "sim: table: --col \"a..b\": not a dotted path (an empty key), e.g. "
		     "metrics.ops_per_sec\n");
	expect_usage((const char *const[]){ "explore", cfg, "--jitter", "-1", NULL },
		     "sim: explore: --jitter -1: expected 0..1000000 cycles\n");
	expect_usage((const char *const[]){ "frobnicate", NULL },
		     "sim: unknown command \"frobnicate\" (commands: run, list, table, sweep, "
		     "check, explore, version; sim help for usage)\n");
	g_autofree char *typo = g_build_filename(tmpdir, "TYPO", NULL);
	g_autofree char *sweep = write_tmp("sw.json", "{\"name\": \"sw\", \"base\": \"small.json\","
					   " \"axes\": {\"cpus\": [1, 2]}}");
	g_autofree char *w4 = g_strdup_printf("sim: sweep index: %s: no such directory (no point "
					      "of sweep sw has run there; check -o)\n", typo);
	expect_usage((const char *const[]){ "sweep", "index", sweep, "-o", typo, NULL }, w4);
	g_assert_false(g_file_test(typo, G_FILE_TEST_EXISTS));
	/* a --set that makes a preset's sibling value wrong is named too */
	r = run_sim((const char *const[]){ "run", cfg, "--set", "machine.topology.sockets=3", NULL });
	g_assert_cmpint(r.status, ==, 2);
	g_assert_true(g_str_has_prefix(r.err, "sim: --set machine.topology.sockets=3 (with "));
	g_assert_true(g_str_has_suffix(r.err, "ben.json): topology.socket_order: expected an array "
				       "of 3 socket numbers\n"));
	cli_free(&r);
	/* a section the workload would ignore */
	g_autofree char *ign = write_tmp("ignored.json", "{\"machine\": \"ben\", \"cpus\": 2, "
		"\"workload\": {\"name\": \"faa\"}, \"reclaim\": {\"scheme\": \"tree_rcu\"}}");
	g_autofree char *w6 = g_strdup_printf("sim: %s: reclaim: workload \"faa\" does not use a "
					      "\"reclaim\" section (it would be ignored); remove it\n",
					      ign);
	expect_usage((const char *const[]){ "run", ign, NULL }, w6);
	/* a --set that is not UTF-8 is named, its bytes shown as \xNN */
	g_autofree char *w5 = g_strdup_printf("sim: --set machine.name=\\xff: not UTF-8 text (JSON "
					      "strings are UTF-8)\n");
	expect_usage((const char *const[]){ "run", cfg, "--set", "machine.name=\xff", NULL }, w5);
	/* a 1 MB machine name: the message stays short, one line */
	GString *big = g_string_new("{\"machine\": \"");
	for (int i = 0; i < 1 << 20; i++)
		g_string_append_c(big, 'x');
	g_string_append(big, "\", \"cpus\": 1, \"workload\": {\"name\": \"faa\"}}");
	g_autofree char *bigcfg = write_tmp("big.json", big->str);
	g_string_free(big, TRUE);
	r = run_sim((const char *const[]){ "run", bigcfg, NULL });
	g_assert_cmpint(r.status, ==, 2);
	g_assert_cmpuint(strlen(r.err), <, 1200);
	g_assert_nonnull(strstr(r.err, "big.json: machine: unknown machine \"xxx"));
	g_assert_nonnull(strstr(r.err, " bytes left out]... "));
	g_assert_true(strchr(r.err, '\n') == r.err + strlen(r.err) - 1);
	cli_free(&r);
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
	g_test_add_func("/cli/bad-input/duplicate-key", test_duplicate_key);
	g_test_add_func("/cli/bad-input/not-an-object", test_not_an_object);
	g_test_add_func("/cli/bad-input/empty-file", test_empty_file);
	g_test_add_func("/cli/bad-input/nul-byte", test_nul_byte);
	g_test_add_func("/cli/bad-input/deep-nesting", test_deep_nesting);
	g_test_add_func("/cli/bad-input/number-not-an-integer", test_number_overflow);
	g_test_add_func("/cli/bad-input/control-characters-stay-one-line",
			test_control_chars_one_line);
	g_test_add_func("/cli/bad-input/endless-file", test_endless_file);
	g_test_add_func("/cli/bad-input/set-path-too-deep", test_set_too_deep);
	g_test_add_func("/cli/bad-input/set-into-a-scalar", test_set_into_scalar);
	g_test_add_func("/cli/bad-input/run-length-over-max-cycles", test_run_length);
	g_test_add_func("/cli/bad-input/stacks-over-budget", test_stacks_over_budget);
	g_test_add_func("/cli/bad-input/output-not-writable", test_output_not_writable);
	g_test_add_func("/cli/bad-input/missing-key", test_missing_key);
	g_test_add_func("/cli/bad-input/unknown-enum-value", test_unknown_enum_value);
	g_test_add_func("/cli/bad-input/inconsistent-values", test_inconsistent_values);
	g_test_add_func("/cli/bad-input/broken-preset-file", test_broken_preset);
	g_test_add_func("/cli/bad-input/cpu-sockets", test_bad_cpu_sockets);
	g_test_add_func("/cli/bad-input/guard-pages-over-map-limit", test_guard_pages_over_map_limit);
	g_test_add_func("/cli/bad-input/output-write-fails", test_output_write_fails);
	g_test_add_func("/cli/bad-input/usage-errors", test_usage_errors);
	g_test_add_func("/cli/bad-input/table-refuses-other-schema", test_table_other_schema);
	g_test_add_func("/cli/signal/sigint-no-results-says-how-far", test_sigint);
	g_test_add_func("/cli/signal/sigterm-no-results-says-how-far", test_sigterm);
	g_test_add_func("/cli/memory/estimate-bounds-peak-rss", test_estimate_bounds_rss);
	g_test_add_func("/cli/run/deterministic-atomic-results", test_run_deterministic_files);
	g_test_add_func("/cli/list/names-everything", test_list);
	g_test_add_func("/cli/bad-input/smaller-items-refused", test_smaller_items);
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)system(cmd);
	return rc;
}
