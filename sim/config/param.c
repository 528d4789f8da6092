// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* Parameter tables: load, validate, emit; see param.h. */
#include "param.h"

#include <math.h>
#include <string.h>

#include "json.h"

G_DEFINE_QUARK(sim-config-error-quark, sim_config_error)

/* Longest error message, in bytes, before the middle is left out. */
#define SIM_MESSAGE_MAX 1024

char *
sim_one_line(const char *s)
{
	GString *out = g_string_sized_new(strlen(s));
	const char *end = s + strlen(s);
	for (const char *p = s; *p;) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 0x80) {
			/* valid UTF-8 passes; any other byte is shown as \xNN so
			 * that messages stay printable text (TAP, terminals) */
			gunichar u = g_utf8_get_char_validated(p, end - p);
			if (u != (gunichar)-1 && u != (gunichar)-2) {
				const char *q = g_utf8_next_char(p);
				g_string_append_len(out, p, q - p);
				p = q;
			} else {
				g_string_append_printf(out, "\\x%02x", ch);
				p++;
			}
			continue;
		}
		switch (ch) {
		case '\n': g_string_append(out, "\\n"); break;
		case '\r': g_string_append(out, "\\r"); break;
		case '\t': g_string_append(out, "\\t"); break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				g_string_append_printf(out, "\\x%02x", ch);
			else
				g_string_append_c(out, (char)ch);
		}
		p++;
	}
	return g_string_free(out, FALSE);
}

void
sim_set_error(GError **err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *line = sim_one_line(msg);
	/* Echoed input (a 10 MB machine name) must not make a 10 MB line:
	 * keep the start and the end, which says what is wrong. */
	size_t len = strlen(line);
	if (len > SIM_MESSAGE_MAX) {
		/* cut on UTF-8 character boundaries: the line stays text */
		size_t head = SIM_MESSAGE_MAX / 2, tail = len - SIM_MESSAGE_MAX / 4;
		while (head > 0 && ((unsigned char)line[head] & 0xc0) == 0x80)
			head--;
		while (tail < len && ((unsigned char)line[tail] & 0xc0) == 0x80)
			tail++;
		char *cut = g_strdup_printf("%.*s ...[%zu bytes left out]... %s", (int)head, line,
					    tail - head, line + tail);
		g_free(line);
		line = cut;
	}
	g_set_error_literal(err, SIM_CONFIG_ERROR, code, line);
	g_free(line);
	g_free(msg);
}

char *
sim_origin_path(const struct sim_origin *origin, const char *key)
{
	const char *prefix = origin && origin->prefix ? origin->prefix : "";
	if (key == NULL)
		return g_strdup(*prefix ? prefix : "(top level)");
	if (*prefix == '\0')
		return g_strdup(key);
	if (key[0] == '[')
		return g_strconcat(prefix, key, NULL);
	return g_strconcat(prefix, ".", key, NULL);
}

void
sim_config_fail(GError **err, int code, const struct sim_origin *origin,
		const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *path = sim_origin_path(origin, key);
	const char *where = origin && origin->file ? origin->file : "(config)";
	char *both = NULL;
	if (origin && origin->overrides) {
		/* The longest --set path that is a prefix of this one wins. */
		size_t best = 0;
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, origin->overrides);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			size_t n = strlen(k);
			if (n > best && strncmp(path, k, n) == 0 &&
			    (path[n] == '\0' || path[n] == '.' || path[n] == '[')) {
				best = n;
				where = v;
			}
		}
		/* None: a --set of a sibling key (topology.sockets=3 against
		 * the file's topology.socket_order) may be what made this
		 * value wrong; name it next to the file. */
		const char *dot = strrchr(path, '.');
		size_t plen = dot ? (size_t)(dot - path) : 0;
		g_hash_table_iter_init(&it, origin->overrides);
		while (best == 0 && plen > 0 && both == NULL &&
		       (code == SIM_CONFIG_ERROR_INCONSISTENT || code == SIM_CONFIG_ERROR_TYPE) &&
		       g_hash_table_iter_next(&it, &k, &v)) {
			const char *ks = k;
			if (strncmp(ks, path, plen) == 0 && ks[plen] == '.' &&
			    strchr(ks + plen + 1, '.') == NULL)
				both = g_strdup_printf("%s (with %s)", (const char *)v, where);
		}
	}
	sim_set_error(err, code, "%s: %s: %s", both ? both : where, path, msg);
	g_free(both);
	g_free(path);
	g_free(msg);
}

const char *
sim_json_type_name(const cJSON *v)
{
	if (v == NULL)
		return "nothing";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "an invalid value";
}

static void *
field(void *base, const struct sim_param *p)
{
	return (char *)base + p->offset;
}

static const void *
cfield(const void *base, const struct sim_param *p)
{
	return (const char *)base + p->offset;
}

void
sim_params_defaults(const struct sim_param *tbl, void *dst)
{
	for (const struct sim_param *p = tbl; p->name; p++) {
		void *f = field(dst, p);
		switch (p->type) {
		case SIM_P_UINT: *(uint64_t *)f = p->def_u; break;
		case SIM_P_U32: *(uint32_t *)f = (uint32_t)p->def_u; break;
		case SIM_P_DOUBLE: *(double *)f = p->def_d; break;
		case SIM_P_BOOL: *(bool *)f = p->def_u != 0; break;
		case SIM_P_ENUM: *(int *)f = (int)p->def_u; break;
		case SIM_P_STRING:
			*(char **)f = p->def_s ? g_strdup(p->def_s) : NULL;
			break;
		}
	}
}

/*
 * A JSON integer: cJSON stores numbers as double, so accept only values
 * that are integral and below 2^53 (SIM_JSON_INT_MAX): from 2^53 on, two
 * different integers in the text can read as the same double, so a
 * config could not be written back exactly (json.h).
 */
static gboolean
load_uint(const struct sim_param *p, const cJSON *v, uint64_t *out,
	  const struct sim_origin *o, GError **err)
{
	if (!cJSON_IsNumber(v)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, p->name,
				"expected an integer, got %s", sim_json_type_name(v));
		return FALSE;
	}
	double d = v->valuedouble;
	if (!isfinite(d) || d != floor(d)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, p->name,
				"expected an integer, got %g", d);
		return FALSE;
	}
	if (fabs(d) > SIM_JSON_INT_MAX) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, p->name,
				"too large: an integer of 2^53 or more cannot be held exactly "
				"(the largest is 9007199254740991)");
		return FALSE;
	}
	if (d < (double)p->umin || d > (double)p->umax) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, p->name,
				"%.0f is out of range [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "]",
				d, p->umin, p->umax);
		return FALSE;
	}
	*out = (uint64_t)d;
	return TRUE;
}

static gboolean
load_one(const struct sim_param *p, void *dst, const cJSON *v,
	 const struct sim_origin *o, GError **err)
{
	void *f = field(dst, p);
	uint64_t u;
	switch (p->type) {
	case SIM_P_UINT:
		if (!load_uint(p, v, &u, o, err))
			return FALSE;
		*(uint64_t *)f = u;
		return TRUE;
	case SIM_P_U32:
		if (!load_uint(p, v, &u, o, err))
			return FALSE;
		*(uint32_t *)f = (uint32_t)u;
		return TRUE;
	case SIM_P_DOUBLE:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
			sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, p->name,
					"expected a number, got %s", sim_json_type_name(v));
			return FALSE;
		}
		if (v->valuedouble < p->dmin || v->valuedouble > p->dmax) {
			sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, p->name,
					"%g is out of range [%g, %g]", v->valuedouble,
					p->dmin, p->dmax);
			return FALSE;
		}
		*(double *)f = v->valuedouble;
		return TRUE;
	case SIM_P_BOOL:
		if (!cJSON_IsBool(v)) {
			sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, p->name,
					"expected true or false, got %s", sim_json_type_name(v));
			return FALSE;
		}
		*(bool *)f = cJSON_IsTrue(v);
		return TRUE;
	case SIM_P_STRING:
		if (!cJSON_IsString(v)) {
			sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, p->name,
					"expected a string, got %s", sim_json_type_name(v));
			return FALSE;
		}
		g_free(*(char **)f);
		*(char **)f = g_strdup(v->valuestring);
		return TRUE;
	case SIM_P_ENUM:
		if (!cJSON_IsString(v)) {
			sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, p->name,
					"expected a string, got %s", sim_json_type_name(v));
			return FALSE;
		}
		for (int i = 0; p->choices[i]; i++) {
			if (strcmp(p->choices[i], v->valuestring) == 0) {
				*(int *)f = i;
				return TRUE;
			}
		}
		{
			char *all = g_strjoinv(", ", (char **)p->choices);
			sim_config_fail(err, SIM_CONFIG_ERROR_UNKNOWN_NAME, o, p->name,
					"unknown value \"%s\" (expected one of: %s)",
					v->valuestring, all);
			g_free(all);
		}
		return FALSE;
	}
	return FALSE;
}

static bool
in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static const struct sim_param *
find_row(const struct sim_param *tbl, const char *name)
{
	for (const struct sim_param *p = tbl; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

gboolean
sim_params_load(const struct sim_param *tbl, void *dst, const cJSON *obj,
		const struct sim_origin *origin, const char *const *skip,
		GError **err)
{
	sim_params_defaults(tbl, dst);
	if (obj != NULL && !cJSON_IsObject(obj)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, origin, NULL,
				"expected an object, got %s", sim_json_type_name(obj));
		return FALSE;
	}
	/* Unknown keys first: a typo should not surface as "missing". */
	for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next) {
		if (find_row(tbl, c->string) || in_list(skip, c->string))
			continue;
		GString *known = g_string_new(NULL);
		for (const struct sim_param *p = tbl; p->name; p++)
			g_string_append_printf(known, "%s%s", known->len ? ", " : "", p->name);
		for (const char *const *s = skip; s && *s; s++)
			g_string_append_printf(known, "%s%s", known->len ? ", " : "", *s);
		sim_config_fail(err, SIM_CONFIG_ERROR_UNKNOWN_KEY, origin, c->string,
				"unknown key (known keys: %s)", known->str);
		g_string_free(known, TRUE);
		return FALSE;
	}
	for (const struct sim_param *p = tbl; p->name; p++) {
		const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, p->name) : NULL;
		if (v == NULL) {
			if (p->required) {
				sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, origin, p->name,
						"required key is missing");
				return FALSE;
			}
			continue;
		}
		if (!load_one(p, dst, v, origin, err))
			return FALSE;
	}
	return TRUE;
}

void
sim_params_emit(const struct sim_param *tbl, const void *src, cJSON *obj)
{
	for (const struct sim_param *p = tbl; p->name; p++) {
		const void *f = cfield(src, p);
		switch (p->type) {
		case SIM_P_UINT:
			cJSON_AddNumberToObject(obj, p->name, (double)*(const uint64_t *)f);
			break;
		case SIM_P_U32:
			cJSON_AddNumberToObject(obj, p->name, (double)*(const uint32_t *)f);
			break;
		case SIM_P_DOUBLE:
			cJSON_AddNumberToObject(obj, p->name, *(const double *)f);
			break;
		case SIM_P_BOOL:
			cJSON_AddBoolToObject(obj, p->name, *(const bool *)f);
			break;
		case SIM_P_STRING:
			if (*(char *const *)f)
				cJSON_AddStringToObject(obj, p->name, *(char *const *)f);
			else
				cJSON_AddNullToObject(obj, p->name);
			break;
		case SIM_P_ENUM:
			cJSON_AddStringToObject(obj, p->name, p->choices[*(const int *)f]);
			break;
		}
	}
}

void
sim_params_free(const struct sim_param *tbl, void *dst)
{
	for (const struct sim_param *p = tbl; p->name; p++) {
		if (p->type == SIM_P_STRING) {
			g_free(*(char **)field(dst, p));
			*(char **)field(dst, p) = NULL;
		}
	}
}

void
sim_params_describe(const struct sim_param *tbl, GString *out, const char *indent)
{
	for (const struct sim_param *p = tbl; p->name; p++) {
		g_string_append_printf(out, "%s%s: ", indent, p->name);
		switch (p->type) {
		case SIM_P_UINT:
		case SIM_P_U32:
			g_string_append_printf(out, "integer in [%" G_GUINT64_FORMAT ", %"
					       G_GUINT64_FORMAT "], default %" G_GUINT64_FORMAT,
					       p->umin, p->umax, p->def_u);
			break;
		case SIM_P_DOUBLE:
			g_string_append_printf(out, "number in [%g, %g], default %g",
					       p->dmin, p->dmax, p->def_d);
			break;
		case SIM_P_BOOL:
			g_string_append_printf(out, "boolean, default %s",
					       p->def_u ? "true" : "false");
			break;
		case SIM_P_STRING:
			g_string_append_printf(out, "string%s%s%s", p->def_s ? ", default \"" : "",
					       p->def_s ? p->def_s : "", p->def_s ? "\"" : "");
			break;
		case SIM_P_ENUM: {
			char *all = g_strjoinv("|", (char **)p->choices);
			g_string_append_printf(out, "one of %s, default %s", all,
					       p->choices[p->def_u]);
			g_free(all);
			break;
		}
		}
		if (p->required)
			g_string_append(out, ", required");
		g_string_append_printf(out, ". %s\n", p->doc ? p->doc : "");
	}
}

gboolean
sim_config_check_keys(const cJSON *obj, const char *const *keys, const struct sim_origin *o,
		      GError **err)
{
	for (const cJSON *c = obj->child; c; c = c->next) {
		bool known = false;
		for (const char *const *k = keys; *k && !known; k++)
			known = strcmp(*k, c->string) == 0;
		if (!known) {
			char *all = g_strjoinv(", ", (char **)keys);
			sim_config_fail(err, SIM_CONFIG_ERROR_UNKNOWN_KEY, o, c->string,
					"unknown key (known keys: %s)", all);
			g_free(all);
			return FALSE;
		}
	}
	return TRUE;
}
