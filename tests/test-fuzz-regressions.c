// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Replays fuzz inputs through the fuzz targets' own per-input code
 * (fuzz/fuzz-one.c), one test case per file:
 *
 *   tests/data/fuzz-regressions/{config,results}/  inputs that once broke
 *       a property (crash, sanitizer report, two-line error, ...): each
 *       must now give a clean one-line error or a success;
 *   fuzz/corpus/{config,results}/{ok,bad}-...       the seed corpora: an
 *       ok- file must be accepted and a bad- file refused;
 *   tests/data/fuzz-corpus/{config,results}/  the corpus grown by the long
 *       fuzz runs: each must give a clean error or a success.
 *
 * fuzz-one.c aborts on any violated property, so a regression fails here
 * exactly as it failed under the fuzzer.
 */
#include <string.h>

#include "fuzz-one.h"
#include "harness.h"

struct fuzz_case {
	char *path;
	gboolean config;      /* config target, else results target */
	int expect;           /* 1 accepted, 0 refused, -1 either (regressions) */
};

static void
run_case(gconstpointer data)
{
	const struct fuzz_case *fc = data;
	char *text = NULL;
	gsize len = 0;
	GError *err = NULL;
	g_assert_true(g_file_get_contents(fc->path, &text, &len, &err));
	g_assert_no_error(err);
	gboolean ok = fc->config ? sim_fuzz_config_one((const uint8_t *)text, len, &err)
				 : sim_fuzz_results_one((const uint8_t *)text, len, &err);
	if (ok) {
		g_assert_no_error(err);
	} else {
		g_assert_nonnull(err);
		g_assert_true(err->domain == SIM_CONFIG_ERROR);
		g_assert_null(strchr(err->message, '\n'));
		g_test_message("%s: %s", fc->path, err->message);
	}
	if (fc->expect >= 0)
		g_assert_cmpint(ok, ==, fc->expect);
	g_clear_error(&err);
	g_free(text);
}

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_case(gpointer data)
{
	struct fuzz_case *fc = data;
	g_free(fc->path);
	g_free(fc);
}

/* Register one case per file of dir; returns how many. */
static unsigned
add_dir(const char *dir, const char *label, gboolean config, gboolean corpus)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	g_assert_nonnull(d);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *e;
	while ((e = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, g_strdup(e));
	g_dir_close(d);
	g_ptr_array_sort(names, cmp_names);
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		struct fuzz_case *fc = g_new0(struct fuzz_case, 1);
		fc->path = g_build_filename(dir, name, NULL);
		fc->config = config;
		fc->expect = !corpus ? -1 : g_str_has_prefix(name, "ok-") ? 1 : 0;
		g_assert_true(!corpus || g_str_has_prefix(name, "ok-") || g_str_has_prefix(name, "bad-"));
		g_autofree char *tp = g_strdup_printf("/fuzz/%s/%s", label, name);
		g_test_add_data_func_full(tp, fc, run_case, free_case);
	}
	unsigned n = names->len;
	g_ptr_array_free(names, TRUE);
	return n;
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	const char *src = g_getenv("SIM_SOURCE_DIR");
	g_assert_nonnull(src);
	g_autofree char *rc = g_build_filename(src, "tests", "data", "fuzz-regressions", "config", NULL);
	g_autofree char *rr = g_build_filename(src, "tests", "data", "fuzz-regressions", "results", NULL);
	g_autofree char *cc = g_build_filename(src, "fuzz", "corpus", "config", NULL);
	g_autofree char *cr = g_build_filename(src, "fuzz", "corpus", "results", NULL);
	/* Each directory must hold cases: an empty glob must not pass silently. */
	g_assert_cmpuint(add_dir(rc, "regression/config", TRUE, FALSE), >, 0);
	g_assert_cmpuint(add_dir(rr, "regression/results", FALSE, FALSE), >, 0);
	g_assert_cmpuint(add_dir(cc, "corpus/config", TRUE, TRUE), >, 0);
	g_assert_cmpuint(add_dir(cr, "corpus/results", FALSE, TRUE), >, 0);
	g_autofree char *gc = g_build_filename(src, "tests", "data", "fuzz-corpus", "config", NULL);
	g_autofree char *gr = g_build_filename(src, "tests", "data", "fuzz-corpus", "results", NULL);
	if (g_file_test(gc, G_FILE_TEST_IS_DIR))
		add_dir(gc, "grown/config", TRUE, FALSE);
	if (g_file_test(gr, G_FILE_TEST_IS_DIR))
		add_dir(gr, "grown/results", FALSE, FALSE);
	return g_test_run();
}
