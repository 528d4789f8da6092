// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * JSON numbers written and compared exactly; see json.h.  cJSON keeps
 * parsing and the layout of printed text; only number text is sim's: a
 * copy of the document has each number turned into a cJSON_Raw item
 * holding its exact text, and cJSON prints that copy.
 */
#include "json.h"

#include <math.h>
#include <string.h>

char *
sim_json_number_text(double d)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	if (!isfinite(d))
		return g_strdup("null");
	if (d == 0.0)
		return g_strdup("0");
	if (d == floor(d) && fabs(d) < 18446744073709551616.0)
		return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.0f", d));
	g_ascii_formatd(buf, sizeof buf, "%.15g", d);
	if (g_ascii_strtod(buf, NULL) != d)
		g_ascii_formatd(buf, sizeof buf, "%.17g", d);
	return g_strdup(buf);
}

/* Turn every number under v (a private copy) into raw exact text. */
static void
numbers_to_raw(cJSON *v)
{
	for (; v; v = v->next) {
		if (cJSON_IsNumber(v)) {
			char *text = sim_json_number_text(v->valuedouble);
			size_t n = strlen(text) + 1;
			char *raw = cJSON_malloc(n);
			memcpy(raw, text, n);
			g_free(text);
			v->type = cJSON_Raw | (v->type & cJSON_StringIsConst);
			v->valuestring = raw;
		} else if (v->child) {
			numbers_to_raw(v->child);
		}
	}
}

char *
sim_json_print_exact(const cJSON *doc, gboolean formatted)
{
	cJSON *copy = cJSON_Duplicate(doc, 1);
	g_assert(copy != NULL || doc == NULL);
	if (cJSON_IsNumber(copy)) {
		cJSON_Delete(copy);
		return sim_json_number_text(doc->valuedouble);
	}
	if (copy)
		numbers_to_raw(copy->child);
	char *raw = formatted ? cJSON_Print(copy) : cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	g_assert(raw != NULL);
	char *out = g_strdup(raw);
	cJSON_free(raw);
	return out;
}

gboolean
sim_json_equal(const cJSON *a, const cJSON *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if ((a->type & 0xff) != (b->type & 0xff))
		return FALSE;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a) || cJSON_IsRaw(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsArray(a)) {
		const cJSON *x = a->child, *y = b->child;
		for (; x && y; x = x->next, y = y->next)
			if (!sim_json_equal(x, y))
				return FALSE;
		return x == NULL && y == NULL;
	}
	if (cJSON_IsObject(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return FALSE;
		for (const cJSON *x = a->child; x; x = x->next)
			if (!sim_json_equal(x, cJSON_GetObjectItemCaseSensitive(b, x->string)))
				return FALSE;
		return TRUE;
	}
	return TRUE; /* true, false, null: the type says it all */
}
