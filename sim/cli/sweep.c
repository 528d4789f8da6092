// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Sweep files: parsing, expansion into points, naming, completeness of a
 * point's results file, the index and the Slurm script.  See sweep.h
 * and docs/sweeps.md.
 *
 * Expansion order: series in file order; within a series the cartesian
 * product of its axes in the order they are written, the first axis
 * varying slowest.  Names do not depend on that order (axes are sorted
 * by path in the name), so a point keeps its results file when someone
 * reorders the axes.
 */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "json.h"
#include "param.h"
#include "results.h"

/* Longest point name before it is shortened with a digest. */
#define SWEEP_NAME_MAX 180
/* Largest value a "pow2" range may reach. */
#define SWEEP_POW2_MAX (UINT64_C(1) << 40)

static const char *const sweep_keys[] = {
	"name", "description", "base", "set", "axes", "series", NULL,
};
static const char *const series_keys[] = { "name", "title", "base", "set", "axes", NULL };

/* A series while it is being built: everything merged from the top level. */
struct sweep_series {
	const char *name;
	const char *title;  /* for legends; the name unless given */
	char *base;     /* resolved path */
	cJSON *set;     /* path -> value, fixed */
	cJSON *axes;    /* path -> array of values, expanded */
};

/* ---- small helpers ---- */

/* A series or sweep name: a letter or digit, then letters, digits, . _ - */
static gboolean
sweep_name_ok(const char *s)
{
	if (!g_ascii_isalnum(*s))
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '.' && *s != '_' && *s != '-')
			return FALSE;
	return TRUE;
}

/* A dotted config path, as --set accepts it. */
static gboolean
sweep_path_ok(const char *path)
{
	if (*path == '\0' || *path == '.' || g_str_has_suffix(path, ".") || strstr(path, ".."))
		return FALSE;
	for (const char *p = path; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return FALSE;
	return TRUE;
}

static gboolean
sweep_get_name(const cJSON *obj, const struct sim_origin *o, const char **name, GError **err)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, "name");
	if (n == NULL) {
		sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, o, "name", "required key is missing");
		return FALSE;
	}
	if (!cJSON_IsString(n) || !sweep_name_ok(n->valuestring)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, "name",
				"expected a name of letters, digits, '.', '_' and '-', got %s",
				cJSON_IsString(n) ? n->valuestring : sim_json_type_name(n));
		return FALSE;
	}
	*name = n->valuestring;
	return TRUE;
}

/* "a/./b/../c" -> "a/c", lexically (leading ".." kept). */
static char *
sweep_normalize_path(const char *path)
{
	gboolean abs = path[0] == '/';
	char **parts = g_strsplit(path, "/", -1);
	GPtrArray *keep = g_ptr_array_new();
	for (char **p = parts; *p; p++) {
		if (**p == '\0' || strcmp(*p, ".") == 0)
			continue;
		if (strcmp(*p, "..") == 0 && keep->len > 0 &&
		    strcmp(keep->pdata[keep->len - 1], "..") != 0) {
			g_ptr_array_remove_index(keep, keep->len - 1);
			continue;
		}
		g_ptr_array_add(keep, *p);
	}
	g_ptr_array_add(keep, NULL);
	char *joined = g_strjoinv("/", (char **)keep->pdata);
	char *out = abs ? g_strconcat("/", joined, NULL) :
		*joined ? g_strdup(joined) : g_strdup(".");
	g_free(joined);
	g_ptr_array_free(keep, TRUE);
	g_strfreev(parts);
	return out;
}

/* ---- axes ---- */

static gboolean
sweep_json_uint(const cJSON *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    v->valuedouble < (double)lo || v->valuedouble > (double)hi)
		return FALSE;
	*out = (uint64_t)v->valuedouble;
	return TRUE;
}

static gint
sweep_cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* {"pow2": [LO, HI], "also": [N, ...]} -> sorted, unique numbers. */
static cJSON *
sweep_expand_range(const cJSON *spec, const struct sim_origin *o, GError **err)
{
	static const char *const keys[] = { "pow2", "also", NULL };
	if (!sim_config_check_keys(spec, keys, o, err))
		return NULL;
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(spec, "pow2");
	const cJSON *also = cJSON_GetObjectItemCaseSensitive(spec, "also");
	uint64_t lo, hi;
	if (!cJSON_IsArray(r) || cJSON_GetArraySize(r) != 2 ||
	    !sweep_json_uint(cJSON_GetArrayItem(r, 0), 1, SWEEP_POW2_MAX, &lo) ||
	    !sweep_json_uint(cJSON_GetArrayItem(r, 1), 1, SWEEP_POW2_MAX, &hi) || lo > hi) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "pow2",
				"expected [LO, HI], integers with 1 <= LO <= HI <= 2^40");
		return NULL;
	}
	GArray *vals = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	for (uint64_t v = 1; v <= hi; v *= 2)
		if (v >= lo)
			g_array_append_val(vals, v);
	if (also != NULL && !cJSON_IsArray(also)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, "also",
				"expected an array of integers, got %s", sim_json_type_name(also));
		g_array_free(vals, TRUE);
		return NULL;
	}
	int i = 0;
	for (const cJSON *a = also ? also->child : NULL; a; a = a->next, i++) {
		uint64_t v;
		if (!sweep_json_uint(a, 0, SWEEP_POW2_MAX, &v)) {
			g_autofree char *k = g_strdup_printf("also[%d]", i);
			sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, k,
					"expected an integer in [0, 2^40]");
			g_array_free(vals, TRUE);
			return NULL;
		}
		g_array_append_val(vals, v);
	}
	if (vals->len == 0) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "pow2",
				"no power of two in [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "]",
				lo, hi);
		g_array_free(vals, TRUE);
		return NULL;
	}
	g_array_sort(vals, sweep_cmp_u64);
	cJSON *out = cJSON_CreateArray();
	for (guint k = 0; k < vals->len; k++) {
		uint64_t v = g_array_index(vals, uint64_t, k);
		if (k == 0 || v != g_array_index(vals, uint64_t, k - 1))
			cJSON_AddItemToArray(out, cJSON_CreateNumber((double)v));
	}
	g_array_free(vals, TRUE);
	return out;
}

/* A list of values, each appearing once. */
static cJSON *
sweep_expand_list(const cJSON *spec, const struct sim_origin *o, GError **err)
{
	if (cJSON_GetArraySize(spec) == 0) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, NULL, "an axis needs at least one value");
		return NULL;
	}
	int i = 0;
	for (const cJSON *v = spec->child; v; v = v->next, i++) {
		int j = 0;
		for (const cJSON *w = spec->child; w != v; w = w->next, j++) {
			if (sim_json_equal(v, w)) {
				g_autofree char *k = g_strdup_printf("[%d]", i);
				sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, k,
						"duplicate of [%d]", j);
				return NULL;
			}
		}
	}
	return cJSON_Duplicate(spec, true);
}

/* Axis spec at origin o -> an array of values. */
static cJSON *
sweep_expand_axis(const cJSON *spec, const struct sim_origin *o, GError **err)
{
	if (cJSON_IsArray(spec))
		return sweep_expand_list(spec, o, err);
	if (cJSON_IsObject(spec))
		return sweep_expand_range(spec, o, err);
	sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, NULL,
			"expected a list of values or {\"pow2\": [LO, HI]}, got %s",
			sim_json_type_name(spec));
	return NULL;
}

/* Merge the axes object obj (may be NULL) into into (path -> values). */
static gboolean
sweep_merge_axes(cJSON *into, const cJSON *obj, const struct sim_origin *o, GError **err)
{
	if (obj == NULL)
		return TRUE;
	if (!cJSON_IsObject(obj)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, NULL, "expected an object, got %s",
				sim_json_type_name(obj));
		return FALSE;
	}
	for (const cJSON *a = obj->child; a; a = a->next) {
		g_autofree char *prefix = sim_origin_path(o, a->string);
		struct sim_origin ao = { .file = o->file, .prefix = prefix };
		if (!sweep_path_ok(a->string)) {
			sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, a->string,
					"not a dotted path of config keys");
			return FALSE;
		}
		cJSON *vals = sweep_expand_axis(a, &ao, err);
		if (vals == NULL)
			return FALSE;
		if (cJSON_GetObjectItemCaseSensitive(into, a->string))
			cJSON_ReplaceItemInObjectCaseSensitive(into, a->string, vals);
		else
			cJSON_AddItemToObject(into, a->string, vals);
	}
	return TRUE;
}

/* Merge the fixed "set" object obj (may be NULL) into into. */
static gboolean
sweep_merge_set(cJSON *into, const cJSON *obj, const struct sim_origin *o, GError **err)
{
	if (obj == NULL)
		return TRUE;
	if (!cJSON_IsObject(obj)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, NULL, "expected an object, got %s",
				sim_json_type_name(obj));
		return FALSE;
	}
	for (const cJSON *s = obj->child; s; s = s->next) {
		if (!sweep_path_ok(s->string)) {
			sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, s->string,
					"not a dotted path of config keys");
			return FALSE;
		}
		cJSON *dup = cJSON_Duplicate(s, true);
		if (cJSON_GetObjectItemCaseSensitive(into, s->string))
			cJSON_ReplaceItemInObjectCaseSensitive(into, s->string, dup);
		else
			cJSON_AddItemToObject(into, s->string, dup);
	}
	return TRUE;
}

/* ---- values as text ---- */

/* A value as --set takes it: a plain string stays plain, anything that
 * would parse as JSON is written as JSON. */
static char *
sweep_set_text(const cJSON *v)
{
	if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
		cJSON *probe = cJSON_ParseWithOpts(v->valuestring, NULL, true);
		if (probe == NULL)
			return g_strdup(v->valuestring);
		cJSON_Delete(probe);
	}
	return sim_json_print_exact(v, FALSE);
}

/* A value as a point name shows it: numbers plainly, strings as they
 * are, an object by its "name" if it has one, else compact JSON. */
static char *
sweep_name_text(const cJSON *v)
{
	if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	    fabs(v->valuedouble) < 9007199254740992.0)
		return g_strdup_printf("%.0f", v->valuedouble);
	if (cJSON_IsString(v))
		return g_strdup(v->valuestring);
	const cJSON *n = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "name") : NULL;
	if (cJSON_IsString(n))
		return g_strdup(n->valuestring);
	return sweep_set_text(v);
}

/* Keep letters, digits and . _ + - ; everything else becomes '_'. */
static void
sweep_sanitize(char *s)
{
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '.' && *s != '_' && *s != '+' && *s != '-')
			*s = '_';
}

static gint
sweep_cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "[series,]path=value,..." with the paths sorted; shortened with a
 * digest past SWEEP_NAME_MAX. */
static char *
sweep_point_name(const char *series, const cJSON *coords)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
	for (const cJSON *c = coords->child; c; c = c->next) {
		char *v = sweep_name_text(c);
		sweep_sanitize(v);
		g_ptr_array_add(parts, g_strdup_printf("%s=%s", c->string, v));
		g_free(v);
	}
	g_ptr_array_sort(parts, sweep_cmp_str);
	if (series)
		g_ptr_array_insert(parts, 0, g_strdup(series));
	g_ptr_array_add(parts, NULL);
	char *name = g_strjoinv(",", (char **)parts->pdata);
	g_ptr_array_free(parts, TRUE);
	if (name[0] == '\0') {
		g_free(name);
		name = g_strdup("base");
	}
	if (strlen(name) > SWEEP_NAME_MAX) {
		char *digest = g_compute_checksum_for_string(G_CHECKSUM_SHA256, name, -1);
		name[SWEEP_NAME_MAX - 17] = '\0';
		char *shorter = g_strdup_printf("%s~%.16s", name, digest);
		g_free(digest);
		g_free(name);
		name = shorter;
	}
	return name;
}

/* ---- points ---- */

static void
sweep_point_free(gpointer data)
{
	struct sim_sweep_point *p = data;
	g_free(p->name);
	g_free(p->series);
	g_free(p->title);
	g_free(p->base);
	g_strfreev(p->sets);
	cJSON_Delete(p->coords);
	cJSON_Delete(p->effective);
	g_free(p);
}

/* The point of series s at coordinates coords (taken over). */
static struct sim_sweep_point *
sweep_point_new(const struct sweep_series *s, gboolean named, cJSON *coords)
{
	struct sim_sweep_point *p = g_new0(struct sim_sweep_point, 1);
	p->name = sweep_point_name(named ? s->name : NULL, coords);
	p->series = g_strdup(s->name);
	p->title = g_strdup(s->title ? s->title : s->name);
	p->base = g_strdup(s->base);
	p->coords = coords;
	GPtrArray *sets = g_ptr_array_new();
	for (int pass = 0; pass < 2; pass++) {
		const cJSON *from = pass == 0 ? s->set : coords;
		for (const cJSON *c = from->child; c; c = c->next) {
			g_autofree char *v = sweep_set_text(c);
			g_ptr_array_add(sets, g_strdup_printf("%s=%s", c->string, v));
		}
	}
	g_ptr_array_add(sets, NULL);
	p->sets = (char **)g_ptr_array_free(sets, FALSE);
	return p;
}

/* Load the point's config; keep its effective config. */
static gboolean
sweep_point_validate(struct sim_sweep_point *p, const char *file, GError **err)
{
	struct sim_overrides ov = { .set = p->sets };
	GError *e = NULL;
	struct sim_run_config *rc = sim_config_load(p->base, &ov, &e);
	if (rc == NULL) {
		g_set_error(err, SIM_CONFIG_ERROR, e->code, "%s: point %s: %s", file, p->name,
			    e->message);
		g_error_free(e);
		return FALSE;
	}
	p->effective = cJSON_Duplicate(rc->effective, true);
	sim_run_config_free(rc);
	return TRUE;
}

/*
 * Host memory one expanded point takes (its coords, sets, command and
 * validated effective config).  MODEL: a fixed figure, the largest seen
 * (about 150 KB a point for the 80-socket "large" preset's effective
 * config, 12 KB for icx2s) rounded up; a sweep of small machines is
 * refused somewhat early (by up to 13x), never late.
 */
#define SWEEP_POINT_BYTES (UINT64_C(160) << 10)

/* Points a sweep may have: 80% of the host's RAM (the default run budget,
 * engine.memory_budget_mib) at SWEEP_POINT_BYTES each. */
static uint64_t
sweep_max_points(uint64_t *budget_mib)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	uint64_t ram = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : UINT64_C(1) << 34;
	uint64_t budget = ram / 10 * 8;
	*budget_mib = budget >> 20;
	return budget / SWEEP_POINT_BYTES;
}

/* Refuse, before expanding it, a series that would take the sweep past
 * what host memory can hold. */
static gboolean
sweep_check_size(const struct sim_sweep *sw, const struct sweep_series *s, GError **err)
{
	uint64_t budget_mib;
	uint64_t max = sweep_max_points(&budget_mib);
	uint64_t total = sw->points->len;
	gboolean huge = FALSE; /* the count itself passes 2^64 */
	uint64_t product = 1;
	for (const cJSON *a = s->axes->child; a; a = a->next) {
		uint64_t k = (uint64_t)cJSON_GetArraySize(a);
		if (k && product > G_MAXUINT64 / k)
			huge = TRUE;
		else
			product *= k;
	}
	if (!huge && product > G_MAXUINT64 - total)
		huge = TRUE;
	if (!huge && total + product <= max)
		return TRUE;
	g_autofree char *count = huge ? g_strdup("more than 2^64") :
		g_strdup_printf("%" G_GUINT64_FORMAT, total + product);
	sim_set_error(err, SIM_CONFIG_ERROR_LIMIT,
		      "%s: axes: the sweep has %s points; expanding them takes about %" G_GUINT64_FORMAT
		      " KiB each, and host memory (80%% of RAM, %" G_GUINT64_FORMAT " MiB) holds at "
		      "most %" G_GUINT64_FORMAT " points: split the sweep", sw->file, count,
		      SWEEP_POINT_BYTES >> 10, budget_mib, max);
	return FALSE;
}

/* Append the cartesian product of s's axes to sw->points. */
static gboolean
sweep_expand_series(struct sim_sweep *sw, const struct sweep_series *s, gboolean named,
		    GHashTable *names, GError **err)
{
	if (!sweep_check_size(sw, s, err))
		return FALSE;
	int naxes = cJSON_GetArraySize(s->axes);
	g_autofree int *idx = g_new0(int, naxes + 1);
	for (;;) {
		cJSON *coords = cJSON_CreateObject();
		int k = 0;
		for (const cJSON *a = s->axes->child; a; a = a->next, k++)
			cJSON_AddItemToObject(coords, a->string,
					      cJSON_Duplicate(cJSON_GetArrayItem(a, idx[k]), true));
		struct sim_sweep_point *p = sweep_point_new(s, named, coords);
		g_ptr_array_add(sw->points, p);
		const char *other = g_hash_table_lookup(names, p->name);
		if (other) {
			g_set_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_INCONSISTENT,
				    "%s: two points are both named %s; give their values distinct "
				    "names", sw->file, p->name);
			return FALSE;
		}
		g_hash_table_add(names, p->name);
		if (!sweep_point_validate(p, sw->file, err))
			return FALSE;
		/* Odometer: the last axis varies fastest. */
		k = naxes - 1;
		const cJSON *a = cJSON_GetArrayItem(s->axes, k);
		while (k >= 0 && ++idx[k] == cJSON_GetArraySize(a)) {
			idx[k--] = 0;
			a = k >= 0 ? cJSON_GetArrayItem(s->axes, k) : NULL;
		}
		if (k < 0)
			return TRUE;
	}
}

static void
sweep_series_clear(struct sweep_series *s)
{
	g_free(s->base);
	cJSON_Delete(s->set);
	cJSON_Delete(s->axes);
}

/* Build series from obj (a "series" element, or NULL for the implicit
 * one), inheriting from the top-level doc. */
static gboolean
sweep_series_build(struct sweep_series *s, const cJSON *doc, const cJSON *obj,
		   const char *file, const char *prefix, GError **err)
{
	struct sim_origin top = { .file = file, .prefix = "" };
	struct sim_origin so = { .file = file, .prefix = prefix };
	g_autofree char *setp = sim_origin_path(&top, "set");
	g_autofree char *axp = sim_origin_path(&top, "axes");
	g_autofree char *ssetp = sim_origin_path(&so, "set");
	g_autofree char *saxp = sim_origin_path(&so, "axes");
	struct sim_origin set_o = { .file = file, .prefix = setp };
	struct sim_origin ax_o = { .file = file, .prefix = axp };
	struct sim_origin sset_o = { .file = file, .prefix = ssetp };
	struct sim_origin sax_o = { .file = file, .prefix = saxp };
	s->set = cJSON_CreateObject();
	s->axes = cJSON_CreateObject();
	if (obj && !sim_config_check_keys(obj, series_keys, &so, err))
		return FALSE;
	const cJSON *title = obj ? cJSON_GetObjectItemCaseSensitive(obj, "title") : NULL;
	if (title && (!cJSON_IsString(title) || strpbrk(title->valuestring, "\t\n"))) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, &so, "title",
				"expected a one-line string without tabs");
		return FALSE;
	}
	s->title = title ? title->valuestring : NULL;
	if (!sweep_merge_set(s->set, cJSON_GetObjectItemCaseSensitive(doc, "set"), &set_o, err) ||
	    !sweep_merge_axes(s->axes, cJSON_GetObjectItemCaseSensitive(doc, "axes"), &ax_o, err))
		return FALSE;
	if (obj && (!sweep_merge_set(s->set, cJSON_GetObjectItemCaseSensitive(obj, "set"),
				     &sset_o, err) ||
		    !sweep_merge_axes(s->axes, cJSON_GetObjectItemCaseSensitive(obj, "axes"),
				      &sax_o, err)))
		return FALSE;
	const cJSON *base = obj ? cJSON_GetObjectItemCaseSensitive(obj, "base") : NULL;
	const struct sim_origin *bo = &so;
	if (base == NULL) {
		base = cJSON_GetObjectItemCaseSensitive(doc, "base");
		bo = &top;
	}
	if (!cJSON_IsString(base) || base->valuestring[0] == '\0') {
		sim_config_fail(err, base ? SIM_CONFIG_ERROR_TYPE : SIM_CONFIG_ERROR_MISSING, bo,
				"base", "expected the path of a config file (relative to %s)",
				file);
		return FALSE;
	}
	g_autofree char *dir = g_path_get_dirname(file);
	g_autofree char *joined = g_path_is_absolute(base->valuestring) ?
		g_strdup(base->valuestring) : g_build_filename(dir, base->valuestring, NULL);
	s->base = sweep_normalize_path(joined);
	return TRUE;
}

static void
sweep_note_axes(struct sim_sweep *sw, const cJSON *axes)
{
	for (const cJSON *a = axes->child; a; a = a->next) {
		gboolean seen = FALSE;
		for (guint i = 0; i < sw->axes->len && !seen; i++)
			seen = strcmp(sw->axes->pdata[i], a->string) == 0;
		if (!seen)
			g_ptr_array_add(sw->axes, g_strdup(a->string));
	}
}

/* Expand every series of doc into sw. */
static gboolean
sweep_expand(struct sim_sweep *sw, const cJSON *doc, GError **err)
{
	struct sim_origin top = { .file = sw->file, .prefix = "" };
	const cJSON *series = cJSON_GetObjectItemCaseSensitive(doc, "series");
	if (series && (!cJSON_IsArray(series) || cJSON_GetArraySize(series) == 0)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, &top, "series",
				"expected a non-empty array of objects, got %s",
				sim_json_type_name(series));
		return FALSE;
	}
	GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTable *snames = g_hash_table_new(g_str_hash, g_str_equal);
	gboolean ok = TRUE;
	int n = series ? cJSON_GetArraySize(series) : 1;
	for (int i = 0; i < n && ok; i++) {
		const cJSON *obj = series ? cJSON_GetArrayItem(series, i) : NULL;
		g_autofree char *prefix = g_strdup_printf("series[%d]", i);
		struct sim_origin so = { .file = sw->file, .prefix = prefix };
		struct sweep_series s = { .name = sw->name };
		if (obj && !cJSON_IsObject(obj)) {
			sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, &so, NULL,
					"expected an object, got %s", sim_json_type_name(obj));
			ok = FALSE;
		} else if (obj && !sweep_get_name(obj, &so, &s.name, err)) {
			ok = FALSE;
		} else if (obj && g_hash_table_contains(snames, s.name)) {
			sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, &so, "name",
					"another series is also named %s", s.name);
			ok = FALSE;
		} else {
			g_hash_table_add(snames, (gpointer)s.name);
			ok = sweep_series_build(&s, doc, obj, sw->file, prefix, err) &&
			     sweep_expand_series(sw, &s, series != NULL, names, err);
			if (ok)
				sweep_note_axes(sw, s.axes);
		}
		sweep_series_clear(&s);
	}
	g_hash_table_destroy(names);
	g_hash_table_destroy(snames);
	return ok;
}

struct sim_sweep *
sim_sweep_load(const char *file, const char *out_dir, GError **err)
{
	cJSON *doc = sim_json_parse_file(file, err);
	if (doc == NULL)
		return NULL;
	struct sim_origin top = { .file = file, .prefix = "" };
	const char *name = NULL;
	if (!cJSON_IsObject(doc)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, &top, NULL,
				"a sweep is a JSON object, got %s", sim_json_type_name(doc));
		cJSON_Delete(doc);
		return NULL;
	}
	if (!sim_config_check_keys(doc, sweep_keys, &top, err) ||
	    !sweep_get_name(doc, &top, &name, err)) {
		cJSON_Delete(doc);
		return NULL;
	}
	struct sim_sweep *sw = g_new0(struct sim_sweep, 1);
	sw->name = g_strdup(name);
	sw->file = g_strdup(file);
	sw->out_dir = out_dir ? g_strdup(out_dir) : g_build_filename("results", name, NULL);
	sw->points = g_ptr_array_new_with_free_func(sweep_point_free);
	sw->axes = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = sweep_expand(sw, doc, err);
	cJSON_Delete(doc);
	if (!ok) {
		sim_sweep_free(sw);
		return NULL;
	}
	return sw;
}

void
sim_sweep_free(struct sim_sweep *sw)
{
	if (sw == NULL)
		return;
	g_free(sw->name);
	g_free(sw->file);
	g_free(sw->out_dir);
	g_ptr_array_free(sw->points, TRUE);
	g_ptr_array_free(sw->axes, TRUE);
	g_free(sw);
}

char *
sim_sweep_point_path(const struct sim_sweep *sw, const struct sim_sweep_point *p)
{
	g_autofree char *file = g_strconcat(p->name, ".json", NULL);
	return g_build_filename(sw->out_dir, file, NULL);
}

/* ---- commands ---- */

char *
sim_shell_quote(const char *word)
{
	gboolean safe = *word != '\0';
	for (const char *c = word; *c && safe; c++)
		safe = g_ascii_isalnum(*c) || strchr("_@%+=:,./-", *c) != NULL;
	if (safe)
		return g_strdup(word);
	GString *q = g_string_new("'");
	for (const char *c = word; *c; c++) {
		if (*c == '\'')
			g_string_append(q, "'\\''");
		else
			g_string_append_c(q, *c);
	}
	g_string_append_c(q, '\'');
	return g_string_free(q, FALSE);
}

static void
sweep_append_word(GString *cmd, const char *word)
{
	char *q = sim_shell_quote(word);
	if (cmd->len)
		g_string_append_c(cmd, ' ');
	g_string_append(cmd, q);
	g_free(q);
}

char *
sim_sweep_point_command(const struct sim_sweep *sw, const struct sim_sweep_point *p,
			const char *sim)
{
	GString *cmd = g_string_new(NULL);
	sweep_append_word(cmd, sim);
	sweep_append_word(cmd, "run");
	sweep_append_word(cmd, p->base);
	for (char **s = p->sets; *s; s++) {
		sweep_append_word(cmd, "--set");
		sweep_append_word(cmd, *s);
	}
	g_autofree char *out = sim_sweep_point_path(sw, p);
	sweep_append_word(cmd, "--out");
	sweep_append_word(cmd, out);
	sweep_append_word(cmd, "-q");
	return g_string_free(cmd, FALSE);
}

/* ---- completeness ---- */

/* The point's results document if it is complete, else NULL (+ why). */
static cJSON *
sweep_read_complete(const struct sim_sweep *sw, const struct sim_sweep_point *p, char **why)
{
	g_autofree char *path = sim_sweep_point_path(sw, p);
	GError *e = NULL;
	cJSON *doc = sim_results_read_run(path, p->effective, &e);
	if (doc == NULL && why)
		*why = e ? g_strdup(e->message) : g_strdup("missing");
	g_clear_error(&e);
	return doc;
}

gboolean
sim_sweep_point_complete(const struct sim_sweep *sw, const struct sim_sweep_point *p,
			 char **why)
{
	cJSON *doc = sweep_read_complete(sw, p, why);
	cJSON_Delete(doc);
	return doc != NULL;
}

/* ---- index ---- */

/* Every number under node as "prefix.key" -> item, first seen first. */
static void
sweep_collect_numbers(const cJSON *node, const char *prefix, GPtrArray *cols,
		      GHashTable *colset, GHashTable *row)
{
	int i = 0;
	for (const cJSON *c = node->child; c; c = c->next, i++) {
		char *path = cJSON_IsArray(node) ? g_strdup_printf("%s[%d]", prefix, i) :
			g_strdup_printf("%s.%s", prefix, c->string);
		if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			sweep_collect_numbers(c, path, cols, colset, row);
			g_free(path);
			continue;
		}
		if (!cJSON_IsNumber(c)) {
			g_free(path);
			continue;
		}
		if (!g_hash_table_contains(colset, path)) {
			g_hash_table_add(colset, g_strdup(path));
			g_ptr_array_add(cols, g_strdup(path));
		}
		g_hash_table_replace(row, path, (gpointer)c);
	}
}

/* A cell: integers exactly, other numbers with 15 significant digits, strings with tabs and
 * newlines made spaces, anything else as compact JSON, absent as NaN. */
static void
sweep_append_cell(GString *out, const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v)) {
		g_string_append(out, "NaN");
	} else if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble)) {
			g_autofree char *t = sim_json_number_text(v->valuedouble);
			g_string_append(out, t);
		} else {
			g_string_append_printf(out, "%.15g", v->valuedouble);
		}
	} else {
		char *t = cJSON_IsString(v) ? g_strdup(v->valuestring) : sweep_set_text(v);
		g_strdelimit(t, "\t\r\n", ' ');
		g_string_append(out, t);
		g_free(t);
	}
}

static const char *const sweep_sim_cols[] = { "machine", "workload", "cpus", "seed", NULL };

char *
sim_sweep_index(const struct sim_sweep *sw, guint *rows)
{
	GPtrArray *docs = g_ptr_array_new_with_free_func((GDestroyNotify)cJSON_Delete);
	GPtrArray *pts = g_ptr_array_new();
	GPtrArray *maps = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_destroy);
	GPtrArray *cols = g_ptr_array_new_with_free_func(g_free);
	GHashTable *colset = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < sw->points->len; i++) {
		struct sim_sweep_point *p = sw->points->pdata[i];
		cJSON *doc = sweep_read_complete(sw, p, NULL);
		if (doc == NULL)
			continue;
		GHashTable *row = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		sweep_collect_numbers(cJSON_GetObjectItemCaseSensitive(doc, "metrics"), "metrics",
				      cols, colset, row);
		g_ptr_array_add(docs, doc);
		g_ptr_array_add(pts, p);
		g_ptr_array_add(maps, row);
	}
	GString *out = g_string_new("point\tseries\ttitle");
	for (guint a = 0; a < sw->axes->len; a++)
		g_string_append_printf(out, "\t%s", (char *)sw->axes->pdata[a]);
	for (const char *const *c = sweep_sim_cols; *c; c++)
		g_string_append_printf(out, "\tsim.%s", *c);
	for (guint c = 0; c < cols->len; c++)
		g_string_append_printf(out, "\t%s", (char *)cols->pdata[c]);
	g_string_append_c(out, '\n');
	for (guint r = 0; r < docs->len; r++) {
		const struct sim_sweep_point *p = pts->pdata[r];
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(docs->pdata[r], "sim");
		g_string_append_printf(out, "%s\t%s\t%s", p->name, p->series, p->title);
		for (guint a = 0; a < sw->axes->len; a++) {
			g_string_append_c(out, '\t');
			sweep_append_cell(out, cJSON_GetObjectItemCaseSensitive(p->coords,
										sw->axes->pdata[a]));
		}
		for (const char *const *c = sweep_sim_cols; *c; c++) {
			g_string_append_c(out, '\t');
			sweep_append_cell(out, cJSON_GetObjectItemCaseSensitive(meta, *c));
		}
		for (guint c = 0; c < cols->len; c++) {
			g_string_append_c(out, '\t');
			sweep_append_cell(out, g_hash_table_lookup(maps->pdata[r], cols->pdata[c]));
		}
		g_string_append_c(out, '\n');
	}
	*rows = docs->len;
	g_ptr_array_free(maps, TRUE);
	g_ptr_array_free(docs, TRUE);
	g_ptr_array_free(pts, TRUE);
	g_ptr_array_free(cols, TRUE);
	g_hash_table_destroy(colset);
	return g_string_free(out, FALSE);
}

/* ---- Slurm ---- */

static gboolean
slurm_unsafe(const char *what, const char *v, GError **err)
{
	if (strpbrk(v, "\n\r\"") == NULL)
		return FALSE;
	g_autofree char *shown = g_strndup(v, 200);
	sim_set_error(err, SIM_CONFIG_ERROR_SET, "%s \"%s\": a newline or double quote cannot "
		      "go into a Slurm script", what, shown);
	return TRUE;
}

gboolean
sim_sweep_slurm_check(const struct sim_sweep *sw, const char *workdir, char **sbatch,
		      GError **err)
{
	if (slurm_unsafe("working directory", workdir, err) ||
	    slurm_unsafe("-o", sw->out_dir, err))
		return FALSE;
	for (char **o = sbatch; o && *o; o++)
		if (slurm_unsafe("--sbatch", *o, err))
			return FALSE;
	return TRUE;
}

char *
sim_sweep_slurm_script(const struct sim_sweep *sw, const GPtrArray *pending, const char *sim,
		       const char *workdir, char **sbatch, guint max_running)
{
	GString *s = g_string_new("#!/bin/sh\n");
	g_autofree char *logdir = g_build_filename(sw->out_dir, ".log", NULL);
	/* Slurm opens --output itself, before the script runs, relative to
	 * nothing it knows: an absolute path, whose directory the caller has
	 * made already.  Double quotes keep spaces; % is doubled (a literal
	 * % in Slurm's file name patterns). */
	g_autofree char *abslog = g_path_is_absolute(logdir) ? g_strdup(logdir) :
		g_build_filename(workdir, logdir, NULL);
	g_auto(GStrv) pct = g_strsplit(abslog, "%", -1);
	g_autofree char *outpat = g_strjoinv("%%", pct);
	g_autofree char *qdir = sim_shell_quote(workdir);
	g_autofree char *qlog = sim_shell_quote(logdir);
	g_autofree char *qfile = sim_shell_quote(sw->file);
	g_autofree char *qout = sim_shell_quote(sw->out_dir);
	g_string_append_printf(s, "# Slurm job array for sweep %s (%s): %u points not yet complete.\n"
			       "# Written by `sim sweep slurm`; submit with `sbatch THIS-FILE`,\n"
			       "# then run `sim sweep index %s -o %s` in %s when the array has "
			       "finished.\n", sw->name, sw->file, pending->len, qfile, qout, qdir);
	g_string_append_printf(s, "#SBATCH --job-name=sim-%s\n", sw->name);
	g_string_append_printf(s, "#SBATCH --array=0-%u", pending->len ? pending->len - 1 : 0);
	if (max_running)
		g_string_append_printf(s, "%%%u", max_running);
	g_string_append(s, "\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n");
	g_string_append_printf(s, "#SBATCH --output=\"%s/slurm-%%A_%%a.out\"\n", outpat);
	for (char **o = sbatch; o && *o; o++)
		g_string_append_printf(s, "#SBATCH %s\n", *o);
	g_string_append_printf(s, "set -eu\ncd %s\nmkdir -p %s\n", qdir, qlog);
	g_string_append(s, "case \"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}\" in\n");
	for (guint i = 0; i < pending->len; i++) {
		g_autofree char *cmd = sim_sweep_point_command(sw, pending->pdata[i], sim);
		g_string_append_printf(s, "%u) exec %s ;;\n", i, cmd);
	}
	g_string_append(s, "*) echo \"no array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n");
	return g_string_free(s, FALSE);
}

int
sim_sweep_write_index(const struct sim_sweep *sw, GError **err)
{
	guint rows = 0;
	g_autofree char *text = sim_sweep_index(sw, &rows);
	g_autofree char *path = g_build_filename(sw->out_dir, "index.tsv", NULL);
	GError *e = NULL;
	/* g_file_set_contents writes a temporary file and renames it. */
	if (g_mkdir_with_parents(sw->out_dir, 0755) != 0 ||
	    !g_file_set_contents(path, text, -1, &e)) {
		g_set_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_IO, "%s: cannot write: %s",
			    path, e ? e->message : g_strerror(errno));
		g_clear_error(&e);
		return -1;
	}
	return (int)rows;
}
