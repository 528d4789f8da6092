// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* One fuzz input through the config loader or the results reader, with
 * the properties every answer must have; see fuzz-one.h. */
#include "fuzz-one.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json.h"
#include "results.h"

/* A broken property: say which and abort, so the fuzzer keeps the input. */
static G_GNUC_NORETURN void
property_failed(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz property violated: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

static void
check_error(gboolean ok, const void *result, const GError *err)
{
	if (ok != (result != NULL))
		property_failed("return value and result disagree", NULL);
	if (ok && err != NULL)
		property_failed("error set on success", err->message);
	if (ok)
		return;
	if (err == NULL)
		property_failed("refused without an error", NULL);
	if (err->domain != SIM_CONFIG_ERROR)
		property_failed("error outside SIM_CONFIG_ERROR", err->message);
	if (err->message == NULL || err->message[0] == '\0')
		property_failed("empty error message", NULL);
	if (strchr(err->message, '\n') != NULL)
		property_failed("error message is more than one line", err->message);
	if (!g_utf8_validate(err->message, -1, NULL))
		property_failed("error message is not UTF-8 text", NULL);
}

gboolean
sim_fuzz_config_one(const uint8_t *data, size_t size, GError **err)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t json_len = nul ? (size_t)(nul - text) : size;
	char *sets[SIM_FUZZ_MAX_SETS + 1] = { NULL };
	int nsets = 0;
	for (const char *p = nul; p && p < text + size && nsets < SIM_FUZZ_MAX_SETS;) {
		p++;
		const char *q = memchr(p, '\0', (size_t)(text + size - p));
		size_t n = q ? (size_t)(q - p) : (size_t)(text + size - p);
		sets[nsets++] = g_strndup(p, n);
		p = q;
	}
	GError *e = NULL;
	struct sim_run_config *rc = NULL;
	cJSON *doc = sim_json_parse_text(text, json_len, "fuzz.json", &e);
	if (doc != NULL) {
		struct sim_overrides ov = { .set = sets };
		rc = sim_config_from_json(doc, "fuzz.json", &ov, &e);
	}
	check_error(rc != NULL, rc, e);
	if (rc != NULL) {
		/* The effective config is a complete config: written as text
		 * (numbers exactly, json.h) it must load back and describe the
		 * same run. */
		char *first = sim_json_print_exact(rc->effective, FALSE);
		GError *e2 = NULL;
		cJSON *back = sim_json_parse_text(first, strlen(first), "effective.json", &e2);
		struct sim_run_config *again =
			back ? sim_config_from_json(back, "effective.json", NULL, &e2) : NULL;
		if (again == NULL)
			property_failed("effective config refused", e2 ? e2->message : NULL);
		char *second = sim_json_print_exact(again->effective, FALSE);
		if (strcmp(first, second) != 0)
			property_failed("effective config is not a fixed point", second);
		g_free(first);
		g_free(second);
		sim_run_config_free(again);
		sim_run_config_free(rc);
	}
	for (int i = 0; i < nsets; i++)
		g_free(sets[i]);
	if (e != NULL)
		g_propagate_error(err, e);
	return rc != NULL;
}

gboolean
sim_fuzz_results_one(const uint8_t *data, size_t size, GError **err)
{
	GError *e = NULL;
	cJSON *doc = sim_results_parse((const char *)data, size, "fuzz-results.json", &e);
	check_error(doc != NULL, doc, e);
	if (doc != NULL) {
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "sim");
		if (!cJSON_IsObject(meta) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(meta, "version")) ||
		    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "config")) ||
		    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "metrics")))
			property_failed("accepted a document without the results shape", NULL);
		char *text = sim_json_print(doc);
		GError *e2 = NULL;
		cJSON *again = sim_results_parse(text, strlen(text), "printed.json", &e2);
		if (again == NULL)
			property_failed("printed results refused", e2 ? e2->message : NULL);
		char *text2 = sim_json_print(again);
		if (strcmp(text, text2) != 0)
			property_failed("printing and re-reading changes the results", NULL);
		g_free(text);
		g_free(text2);
		cJSON_Delete(again);
		cJSON_Delete(doc);
		return TRUE;
	}
	g_propagate_error(err, e);
	return FALSE;
}
