// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Golden results: rerun configs/sweeps/golden.json and `sim check` every
 * point, exactly (rtol 0), against the files committed in results/golden/.
 * A model change that moves any number fails here; if the move is meant,
 * scripts/regen-goldens rewrites the goldens (see docs/sweeps.md).
 */
#include <string.h>

#include "spawn.h"

static void
test_goldens_match(void)
{
	const char *src = g_getenv("SIM_SOURCE_DIR");
	g_assert_nonnull(src);
	g_autofree char *tmpdir = g_dir_make_tmp("sim-golden-XXXXXX", NULL);
	g_autofree char *out = g_build_filename(tmpdir, "golden", NULL);
	g_autofree char *sweep = g_build_filename(src, "configs", "sweeps", "golden.json", NULL);
	g_autofree char *golden = g_build_filename(src, "results", "golden", NULL);
	const char *run[] = { "sweep", "run", sweep, "-o", out, "--runner", "xargs", "-j", "2",
			      NULL };
	struct t_cli r = t_sim(NULL, NULL, run);
	if (r.status != 0)
		g_printerr("%s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	t_cli_free(&r);

	const char *check[] = { "check", out, golden, NULL };
	r = t_sim(NULL, NULL, check);
	if (r.status != 0)
		g_printerr("%s%s\nIf this change is meant to move these numbers, run "
			   "scripts/regen-goldens and commit results/golden/.\n", r.out, r.err);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, ": 33 files within tolerance, 0 drifted, 0 not comparable"));
	t_cli_free(&r);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)system(cmd);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/golden/sweep/matches-committed-results", test_goldens_match);
	return g_test_run();
}
