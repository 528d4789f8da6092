// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Numbers in configs and results round-trip exactly (sim/config/json.h):
 * every finite double reads back as itself, integers print as exact
 * integers, exact comparison tells neighbours apart, a 64-bit seed
 * recorded in a results file reruns the same run, and an integer that a
 * double cannot hold is refused (exit 2) instead of being changed.
 */
#include <math.h>
#include <string.h>

#include "json.h"
#include "spawn.h"

static char *tmpdir;

static void
assert_round_trip(double d)
{
	g_autofree char *t = sim_json_number_text(d);
	double back = g_ascii_strtod(t, NULL);
	if (back != d)
		g_printerr("%.17g printed as %s, read back as %.17g\n", d, t, back);
	g_assert_true(back == d);
	if (d == floor(d) && fabs(d) < 18446744073709551616.0)
		g_assert_null(strpbrk(t, "eE."));
}

static void
test_number_text_round_trips(void)
{
	/* values cJSON wrote with 15 digits although they read back 1 ulp off */
	const double cases[] = {
		5000000000000001.0, 9007199254740991.0, 9223372036854775808.0,
		18446744073709549568.0, 227.75000000000003, 6912.3801809099505,
		0.1, 1.0 / 3.0, 1e300, 5e-324, 2.2250738585072014e-308, -1.5, 1e15, 1e16,
		4294967296.0, -9007199254740991.0,
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_round_trip(cases[i]);
	g_autofree char *seed = sim_json_number_text(5000000000000001.0);
	g_assert_cmpstr(seed, ==, "5000000000000001");
	g_autofree char *big = sim_json_number_text(9223372036854775808.0);
	g_assert_cmpstr(big, ==, "9223372036854775808");
	g_autofree char *nan = sim_json_number_text(NAN);
	g_assert_cmpstr(nan, ==, "null");
	g_autofree char *zero = sim_json_number_text(-0.0);
	g_assert_cmpstr(zero, ==, "0");
	/* random bit patterns: every finite one reads back as itself */
	GRand *r = g_rand_new_with_seed(13);
	for (int i = 0; i < 200000; i++) {
		guint64 bits = ((guint64)g_rand_int(r) << 32) | g_rand_int(r);
		double d;
		memcpy(&d, &bits, sizeof d);
		if (isfinite(d))
			assert_round_trip(d);
		/* and integers near 2^53 and 2^63 */
		assert_round_trip((double)(bits >> 11));
		assert_round_trip((double)(bits >> 1));
	}
	g_rand_free(r);
}

static void
test_print_and_equal(void)
{
	cJSON *a = cJSON_Parse("{\"seed\": 5000000000000001, \"x\": [0.1, 227.75000000000003]}");
	g_autofree char *text = sim_json_print_exact(a, FALSE);
	g_assert_cmpstr(text, ==, "{\"seed\":5000000000000001,\"x\":[0.1,227.75000000000003]}");
	cJSON *b = cJSON_Parse(text);
	g_assert_true(sim_json_equal(a, b));
	/* one unit in the last place apart: cJSON_Compare says equal, we do not */
	cJSON *c = cJSON_Parse("{\"x\": [0.1, 227.75], \"seed\": 5000000000000000}");
	g_assert_true(cJSON_Compare(a, c, 1));
	g_assert_false(sim_json_equal(a, c));
	cJSON *d = cJSON_Parse("{\"x\": [0.1, 227.75000000000003], \"seed\": 5000000000000001}");
	g_assert_true(sim_json_equal(a, d)); /* key order does not matter */
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
	cJSON_Delete(d);
}

static struct t_cli
run(const char *config, const char *out, const char *seed)
{
	const char *args[] = { "run", config, "--out", out, "-q", seed ? "--seed" : NULL, seed,
			       NULL };
	return t_sim(NULL, NULL, args);
}

/* A seed above 2^52 is written digit for digit; the results file's
 * config reruns the very same run, and `sim check` tells it from the
 * seed one below. */
static void
test_big_seed_reruns_exactly(void)
{
	g_autofree char *cfg = t_write(tmpdir, "c.json",
		"{\"machine\": \"ben\", \"cpus\": 8, \"workload\": {\"name\": \"rcutorture\","
		" \"duration\": 300000}, \"reclaim\": {\"scheme\": \"tree_rcu\"}}");
	g_autofree char *a = g_build_filename(tmpdir, "a.json", NULL);
	g_autofree char *b = g_build_filename(tmpdir, "b.json", NULL);
	g_autofree char *c = g_build_filename(tmpdir, "c-out.json", NULL);
	struct t_cli r = run(cfg, a, "5000000000000001");
	g_assert_cmpint(r.status, ==, 0);
	t_cli_free(&r);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(a, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "\"seed\":  5000000000000001,"));
	/* rerun from the recorded config */
	GError *err = NULL;
	cJSON *res = sim_results_read(a, &err);
	g_assert_no_error(err);
	g_autofree char *recorded = sim_json_print_exact(cJSON_GetObjectItem(res, "config"), TRUE);
	g_autofree char *cfg2 = t_write(tmpdir, "recorded.json", recorded);
	r = run(cfg2, b, NULL);
	g_assert_cmpint(r.status, ==, 0);
	t_cli_free(&r);
	cJSON *res2 = sim_results_read(b, &err);
	g_assert_no_error(err);
	g_autofree char *s1 = t_results_without_host(res);
	g_autofree char *s2 = t_results_without_host(res2);
	g_assert_cmpstr(s1, ==, s2);
	/* the neighbouring seed is another config */
	r = run(cfg, c, "5000000000000000");
	g_assert_cmpint(r.status, ==, 0);
	t_cli_free(&r);
	const char *check[] = { "check", a, c, NULL };
	r = t_sim(NULL, NULL, check);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "config.seed"));
	t_cli_free(&r);
	cJSON_Delete(res);
	cJSON_Delete(res2);
}

static void
expect_refused(const char *const *args, const char *want)
{
	struct t_cli r = t_sim(NULL, NULL, args);
	if (r.status != 2 || !strstr(r.err, want))
		g_printerr("stderr: %s", r.err);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, want));
	g_assert_true(strchr(r.err, '\n') == r.err + strlen(r.err) - 1);
	t_cli_free(&r);
}

/* 2^53 + 1 reads as 2^53: refused, not silently changed. */
static void
test_inexact_integers_refused(void)
{
	g_autofree char *cfg = t_write(tmpdir, "big.json",
		"{\"machine\": \"ben\", \"cpus\": 2, \"seed\": 9007199254740993,"
		" \"workload\": {\"name\": \"line_ww\", \"rounds\": 2}}");
	g_autofree char *out = g_build_filename(tmpdir, "big-out.json", NULL);
	expect_refused((const char *const[]){ "run", cfg, "--out", out, NULL },
		       "big.json: seed: too large: an integer of 2^53 or more cannot be held "
		       "exactly (the largest is 9007199254740991)");
	g_autofree char *ok = t_write(tmpdir, "ok.json",
		"{\"machine\": \"ben\", \"cpus\": 2, \"workload\": {\"name\": \"line_ww\","
		" \"rounds\": 2}}");
	expect_refused((const char *const[]){ "run", ok, "--out", out, "--set",
					      "workload.period=18446744073709551615", NULL },
		       "--set workload.period=18446744073709551615: workload.period: too large");
	expect_refused((const char *const[]){ "run", ok, "--out", out, "--seed",
					      "9007199254740992", NULL },
		       "--seed 9007199254740992: out of range [0, 2^53 - 1]");
	g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("sim-json-XXXXXX", NULL);
	g_test_add_func("/json/number/text-round-trips", test_number_text_round_trips);
	g_test_add_func("/json/number/print-and-equal-exact", test_print_and_equal);
	g_test_add_func("/json/cli/big-seed-reruns-exactly", test_big_seed_reruns_exactly);
	g_test_add_func("/json/cli/inexact-integers-refused", test_inexact_integers_refused);
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)system(cmd);
	return rc;
}
