// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * `sim check`: compare results files metric by metric; see check.h.
 *
 * A metric is a leaf under "metrics", named by its dotted path
 * ("metrics.cycles_by_cause.queue", "metrics.x[2]").  Numbers match when
 * |new - old| <= atol + rtol * |old| (numpy's isclose, not symmetric: the
 * old file is the reference); other leaves must be equal.  A leaf in one
 * file only is drift.  The configs must be equal, or the two runs answer
 * different questions and the comparison is refused (incompatible).
 */
#include "check.h"

#include <math.h>
#include <string.h>

#include "json.h"
#include "param.h"
#include "results.h"

/* At most this many config differences are listed in the error. */
#define CHECK_MAX_CONFIG_DIFFS 4

/* ---- leaves ---- */

struct check_leaves {
	GPtrArray *paths;   /* char *, document order */
	GHashTable *items;  /* path -> const cJSON * (borrowed) */
};

static void
check_leaves_init(struct check_leaves *l)
{
	l->paths = g_ptr_array_new_with_free_func(g_free);
	l->items = g_hash_table_new(g_str_hash, g_str_equal);
}

static void
check_leaves_clear(struct check_leaves *l)
{
	g_hash_table_destroy(l->items);
	g_ptr_array_free(l->paths, TRUE);
}

/* Every leaf under node (an empty object or array counts as a leaf). */
static void
check_collect(const cJSON *node, const char *path, struct check_leaves *l)
{
	if ((cJSON_IsObject(node) || cJSON_IsArray(node)) && node->child) {
		int i = 0;
		for (const cJSON *c = node->child; c; c = c->next, i++) {
			g_autofree char *sub = cJSON_IsArray(node) ?
				g_strdup_printf("%s[%d]", path, i) :
				g_strdup_printf("%s.%s", path, c->string);
			check_collect(c, sub, l);
		}
		return;
	}
	char *p = g_strdup(path);
	if (!g_hash_table_contains(l->items, p)) {
		g_ptr_array_add(l->paths, p);
		g_hash_table_insert(l->items, p, (gpointer)node);
	} else {
		g_free(p);
	}
}

static char *
check_value_text(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return g_strdup_printf("%.10g", v->valuedouble);
	return sim_json_print_exact(v, FALSE);
}

char *
sim_json_first_difference(const cJSON *a, const cJSON *b, const char *prefix)
{
	struct check_leaves la, lb;
	check_leaves_init(&la);
	check_leaves_init(&lb);
	check_collect(a, prefix, &la);
	check_collect(b, prefix, &lb);
	char *found = NULL;
	for (int pass = 0; pass < 2 && !found; pass++) {
		struct check_leaves *x = pass ? &lb : &la, *y = pass ? &la : &lb;
		for (guint i = 0; i < x->paths->len && !found; i++) {
			const char *p = x->paths->pdata[i];
			const cJSON *other = g_hash_table_lookup(y->items, p);
			if (other == NULL || !sim_json_equal(g_hash_table_lookup(x->items, p), other))
				found = g_strdup(p);
		}
	}
	check_leaves_clear(&la);
	check_leaves_clear(&lb);
	return found;
}

/* ---- one pair ---- */

struct check_tally {
	guint compared, moved, drifted;
};

/* Report one metric present in both files. */
static void
check_metric(const char *path, const cJSON *old, const cJSON *new,
	     const struct sim_check_opts *o, const char *label, GString *out,
	     struct check_tally *t)
{
	t->compared++;
	if (sim_json_equal(old, new))
		return;
	g_autofree char *ot = check_value_text(old);
	g_autofree char *nt = check_value_text(new);
	const char *pre = label ? label : "", *sep = label ? ": " : "";
	if (!cJSON_IsNumber(old) || !cJSON_IsNumber(new)) {
		g_string_append_printf(out, "%s%s%s: %s -> %s DRIFT\n", pre, sep, path, ot, nt);
		t->moved++;
		t->drifted++;
		return;
	}
	double a = old->valuedouble, b = new->valuedouble, d = fabs(b - a);
	if (d == 0)
		return;
	if (strcmp(ot, nt) == 0) {
		/* Too close for 10 digits: show them all. */
		g_free(ot), ot = g_strdup_printf("%.17g", a);
		g_free(nt), nt = g_strdup_printf("%.17g", b);
	}
	gboolean within = d <= o->atol + o->rtol * fabs(a);
	g_autofree char *rel = a != 0 ? g_strdup_printf("%+.3g%%", 100.0 * (b - a) / fabs(a)) :
		g_strdup("from 0");
	g_string_append_printf(out, "%s%s%s: %s -> %s (%s)%s\n", pre, sep, path, ot, nt, rel,
			       within ? " within tolerance" : " DRIFT");
	t->moved++;
	if (!within)
		t->drifted++;
}

/* Compare the metrics of two documents; returns drift or same. */
static enum sim_check_outcome
check_metrics(const cJSON *old_doc, const cJSON *new_doc, const struct sim_check_opts *o,
	      const char *label, GString *out)
{
	struct check_leaves lo, ln;
	struct check_tally t = { 0 };
	check_leaves_init(&lo);
	check_leaves_init(&ln);
	check_collect(cJSON_GetObjectItemCaseSensitive(old_doc, "metrics"), "metrics", &lo);
	check_collect(cJSON_GetObjectItemCaseSensitive(new_doc, "metrics"), "metrics", &ln);
	const char *pre = label ? label : "", *sep = label ? ": " : "";
	for (guint i = 0; i < lo.paths->len; i++) {
		const char *p = lo.paths->pdata[i];
		const cJSON *n = g_hash_table_lookup(ln.items, p);
		if (n) {
			check_metric(p, g_hash_table_lookup(lo.items, p), n, o, label, out, &t);
			continue;
		}
		g_autofree char *ot = check_value_text(g_hash_table_lookup(lo.items, p));
		g_string_append_printf(out, "%s%s%s: %s -> (absent) DRIFT\n", pre, sep, p, ot);
		t.compared++, t.moved++, t.drifted++;
	}
	for (guint i = 0; i < ln.paths->len; i++) {
		const char *p = ln.paths->pdata[i];
		if (g_hash_table_contains(lo.items, p))
			continue;
		g_autofree char *nt = check_value_text(g_hash_table_lookup(ln.items, p));
		g_string_append_printf(out, "%s%s%s: (absent) -> %s DRIFT\n", pre, sep, p, nt);
		t.compared++, t.moved++, t.drifted++;
	}
	g_string_append_printf(out, "%s%s%u metrics compared, %u moved, %u beyond tolerance "
			       "(rtol %g, atol %g)\n", pre, sep, t.compared, t.moved, t.drifted,
			       o->rtol, o->atol);
	check_leaves_clear(&lo);
	check_leaves_clear(&ln);
	return t.drifted ? SIM_CHECK_DRIFT : SIM_CHECK_SAME;
}

/* The refusal when configs differ: the first few differing leaves. */
static gboolean
check_configs(const cJSON *old_doc, const cJSON *new_doc, const char *new_path,
	      const char *old_path, GError **err)
{
	struct check_leaves lo, ln;
	check_leaves_init(&lo);
	check_leaves_init(&ln);
	check_collect(cJSON_GetObjectItemCaseSensitive(old_doc, "config"), "config", &lo);
	check_collect(cJSON_GetObjectItemCaseSensitive(new_doc, "config"), "config", &ln);
	GString *diffs = g_string_new(NULL);
	guint n = 0;
	for (int pass = 0; pass < 2; pass++) {
		struct check_leaves *x = pass ? &ln : &lo, *y = pass ? &lo : &ln;
		for (guint i = 0; i < x->paths->len; i++) {
			const char *p = x->paths->pdata[i];
			const cJSON *a = g_hash_table_lookup(x->items, p);
			const cJSON *b = g_hash_table_lookup(y->items, p);
			if ((pass == 1 && b) || (b && sim_json_equal(a, b)))
				continue;
			if (n++ >= CHECK_MAX_CONFIG_DIFFS)
				continue;
			g_autofree char *at = check_value_text(a);
			g_autofree char *bt = b ? check_value_text(b) : g_strdup("(absent)");
			g_string_append_printf(diffs, "%s%s %s -> %s", n > 1 ? "; " : "", p,
					       pass ? bt : at, pass ? at : bt);
		}
	}
	if (n)
		g_set_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_INCONSISTENT,
			    "%s vs %s: runs of different configs, not compared (%u difference%s: "
			    "%s%s)", new_path, old_path, n, n > 1 ? "s" : "", diffs->str,
			    n > CHECK_MAX_CONFIG_DIFFS ? "; ..." : "");
	g_string_free(diffs, TRUE);
	check_leaves_clear(&lo);
	check_leaves_clear(&ln);
	return n == 0;
}

enum sim_check_outcome
sim_check_files(const char *new_path, const char *old_path, const struct sim_check_opts *opts,
		const char *label, GString *out, GError **err)
{
	cJSON *old_doc = sim_results_read(old_path, err);
	if (old_doc == NULL)
		return SIM_CHECK_INCOMPATIBLE;
	cJSON *new_doc = sim_results_read(new_path, err);
	if (new_doc == NULL) {
		cJSON_Delete(old_doc);
		return SIM_CHECK_INCOMPATIBLE;
	}
	enum sim_check_outcome r = SIM_CHECK_INCOMPATIBLE;
	if (check_configs(old_doc, new_doc, new_path, old_path, err)) {
		const cJSON *vo = cJSON_GetObjectItem(cJSON_GetObjectItem(old_doc, "sim"), "version");
		const cJSON *vn = cJSON_GetObjectItem(cJSON_GetObjectItem(new_doc, "sim"), "version");
		if (strcmp(vo->valuestring, vn->valuestring) != 0)
			g_string_append_printf(out, "%s%snote: written by sim %s (old) and %s (new)\n",
					       label ? label : "", label ? ": " : "",
					       vo->valuestring, vn->valuestring);
		r = check_metrics(old_doc, new_doc, opts, label, out);
	}
	cJSON_Delete(old_doc);
	cJSON_Delete(new_doc);
	return r;
}

/* ---- two directories ---- */

/* Sorted names of the results files (*.json, no dot-files) in dir. */
static GPtrArray *
check_list_dir(const char *dir, GError **err)
{
	GDir *d = g_dir_open(dir, 0, err);
	if (d == NULL)
		return NULL;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *e;
	while ((e = g_dir_read_name(d)) != NULL)
		if (e[0] != '.' && g_str_has_suffix(e, ".json"))
			g_ptr_array_add(names, g_strdup(e));
	g_dir_close(d);
	return names;
}

static gint
check_cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static gboolean
check_has(const GPtrArray *names, const char *name)
{
	for (guint i = 0; i < names->len; i++)
		if (strcmp(names->pdata[i], name) == 0)
			return TRUE;
	return FALSE;
}

enum sim_check_outcome
sim_check_dirs(const char *new_dir, const char *old_dir, const struct sim_check_opts *opts,
	       GString *out, GString *errs)
{
	GError *e = NULL;
	GPtrArray *on = check_list_dir(old_dir, &e);
	GPtrArray *nn = on ? check_list_dir(new_dir, &e) : NULL;
	if (nn == NULL) {
		g_string_append_printf(errs, "%s: cannot read the directory\n", on ? new_dir : old_dir);
		g_clear_error(&e);
		if (on)
			g_ptr_array_free(on, TRUE);
		return SIM_CHECK_INCOMPATIBLE;
	}
	if (on->len == 0 && nn->len == 0) {
		g_string_append_printf(errs, "%s and %s: no results files (*.json) in either "
				       "directory: nothing to compare\n", new_dir, old_dir);
		g_ptr_array_free(on, TRUE);
		g_ptr_array_free(nn, TRUE);
		return SIM_CHECK_INCOMPATIBLE;
	}
	g_ptr_array_sort(on, check_cmp_names);
	g_ptr_array_sort(nn, check_cmp_names);
	enum sim_check_outcome worst = SIM_CHECK_SAME;
	guint same = 0, drift = 0, bad = 0;
	for (int pass = 0; pass < 2; pass++) {
		GPtrArray *x = pass ? nn : on, *y = pass ? on : nn;
		for (guint i = 0; i < x->len; i++) {
			const char *name = x->pdata[i];
			if (check_has(y, name)) {
				if (pass)
					continue;
				g_autofree char *np = g_build_filename(new_dir, name, NULL);
				g_autofree char *op = g_build_filename(old_dir, name, NULL);
				GString *lines = g_string_new(NULL);
				enum sim_check_outcome r = sim_check_files(np, op, opts, name, lines, &e);
				if (r == SIM_CHECK_INCOMPATIBLE) {
					g_string_append_printf(errs, "%s\n", e->message);
					g_clear_error(&e);
					bad++;
				} else if (r == SIM_CHECK_DRIFT) {
					g_string_append(out, lines->str);
					drift++;
				} else {
					same++;
				}
				g_string_free(lines, TRUE);
				worst = MAX(worst, r);
				continue;
			}
			g_string_append_printf(out, "%s: only in %s DRIFT\n", name,
					       pass ? new_dir : old_dir);
			drift++;
			worst = MAX(worst, SIM_CHECK_DRIFT);
		}
	}
	g_string_append_printf(out, "%s vs %s: %u files within tolerance, %u drifted, "
			       "%u not comparable\n", new_dir, old_dir, same, drift, bad);
	g_ptr_array_free(on, TRUE);
	g_ptr_array_free(nn, TRUE);
	return worst;
}
