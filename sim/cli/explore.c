// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The schedule explorer (explore.h): one config, many seeds, stop at the
 * first failing run, print how to replay it.
 *
 * Every run is a fresh sim_create() from a copy of the same document with
 * --seed S and engine.jitter=J, so run S here and `sim run CONFIG --seed S
 * --set engine.jitter=J` are the same run, byte for byte.
 */
#include "explore.h"

#include <string.h>

#include "config.h"
#include "engine.h"

static char *
replay_command(const char *file, uint64_t seed, uint32_t jitter, char **set)
{
	GString *cmd = g_string_new("sim run ");
	g_autofree char *qf = g_shell_quote(file);
	g_string_append_printf(cmd, "%s --seed %" G_GUINT64_FORMAT " --set engine.jitter=%u", qf,
			       seed, jitter);
	for (char **s = set; s && *s; s++) {
		if (g_str_has_prefix(*s, "engine.jitter="))
			continue;
		g_autofree char *q = g_shell_quote(*s);
		g_string_append_printf(cmd, " --set %s", q);
	}
	return g_string_free(cmd, FALSE);
}

gboolean
sim_explore_doc(const cJSON *doc, const char *file, const struct sim_explore_opts *o,
		struct sim_explore_result *res, GError **err)
{
	memset(res, 0, sizeof *res);
	gint64 t0 = g_get_monotonic_time();
	/* The caller's overrides, then the jitter (later --set wins). */
	GPtrArray *sets = g_ptr_array_new_with_free_func(g_free);
	for (char **s = o->set; s && *s; s++)
		g_ptr_array_add(sets, g_strdup(*s));
	if (o->jitter)
		g_ptr_array_add(sets, g_strdup_printf("engine.jitter=%u", o->jitter));
	g_ptr_array_add(sets, NULL);
	gboolean ok = TRUE;
	for (uint64_t i = 0; i < o->nseeds; i++) {
		if (o->stop && *o->stop)
			break;
		uint64_t seed = o->first_seed + i;
		struct sim_overrides ov = { .set = (char **)sets->pdata, .has_seed = TRUE,
					    .seed = seed };
		struct sim_run_config *rc = sim_config_from_json(cJSON_Duplicate(doc, true), file,
								 &ov, err);
		if (rc == NULL) {
			ok = FALSE;
			break;
		}
		res->jitter = rc->engine.jitter;
		struct sim *s = sim_create(rc, err);
		if (s == NULL) {
			sim_run_config_free(rc);
			ok = FALSE;
			break;
		}
		GError *run_err = NULL;
		gboolean ran = sim_run(s, &run_err);
		sim_destroy(s);
		sim_run_config_free(rc);
		res->runs++;
		if (!ran) {
			if (o->stop && *o->stop) {      /* interrupted: not a finding */
				g_error_free(run_err);
				break;
			}
			res->failed = TRUE;
			res->seed = seed;
			res->message = g_strdup(run_err->message);
			res->replay = replay_command(file, seed, res->jitter, o->set);
			g_error_free(run_err);
			break;
		}
		if (o->progress)
			o->progress(o->progress_arg, seed, res->runs, o->nseeds);
	}
	g_ptr_array_free(sets, TRUE);
	res->host_seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
	return ok;
}

gboolean
sim_explore_file(const char *file, const struct sim_explore_opts *o,
		 struct sim_explore_result *res, GError **err)
{
	memset(res, 0, sizeof *res);
	cJSON *doc = sim_json_parse_file(file, err);
	if (doc == NULL)
		return FALSE;
	gboolean ok = sim_explore_doc(doc, file, o, res, err);
	cJSON_Delete(doc);
	return ok;
}

void
sim_explore_result_clear(struct sim_explore_result *res)
{
	g_free(res->message);
	g_free(res->replay);
	res->message = res->replay = NULL;
}
