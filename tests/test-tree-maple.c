// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The maple tree (models/tree/maple.c).
 */
#include <string.h>

#include "tree-script.h"

static const struct tree_ops *maple;

static uint64_t
stat_of(const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(ts.tree_stats, name);
	g_assert_true(cJSON_IsNumber(v));
	return (uint64_t)v->valuedouble;
}

/* ---- (b) random sequences against the host reference ---- */

static uint64_t rnd_pages;

static void
random_script(uint32_t cpu)
{
	(void)cpu;
	ts_random_sequence(4000, 1, rnd_pages, false);
}

static void
test_random(void)
{
	static const uint64_t pages[] = { 64, 1024, 8192 };
	for (uint64_t seed = 1; seed <= 6; seed++) {
		rnd_pages = pages[seed % 3];
		struct ts_config c = { .tree = maple, .sockets = 1, .cores = 2, .cpus = 1,
				       .seed = seed, .script = random_script };
		GError *err = ts_run(&c);
		g_assert_no_error(err);
		g_assert_true(ts.check_ok);
		g_test_message("pages %" G_GUINT64_FORMAT ": height %" G_GUINT64_FORMAT
			       ", splits %" G_GUINT64_FORMAT ", merges %" G_GUINT64_FORMAT
			       ", slot stores %" G_GUINT64_FORMAT ", regions %" G_GUINT64_FORMAT,
			       rnd_pages, stat_of("height"), stat_of("splits"), stat_of("merges"),
			       stat_of("slot_stores"), ts.count);
		ts_free_results();
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	maple = tree_find("maple");
	g_assert_nonnull(maple);
	g_test_add_func("/tree/maple/random-vs-reference", test_random);
	return g_test_run();
}
