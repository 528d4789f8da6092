// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
#include "harness.h"

#include <string.h>

const struct t_lat t_lat_default = {
	.l1_hit = 4, .store_hit = 1, .atomic_hit = 20, .leg_cluster = 5, .leg_socket = 10,
	.leg_link = 100, .leg_hop = 40, .mem = 300, .occupancy = 7, .conflict = 0, .hold = 0,
	.fence_full = 33, .pause = 3,
};

struct sim_machine *
t_machine(unsigned sockets, unsigned cores, const struct t_lat *l)
{
	return t_machine_clusters(sockets, 1, cores, l);
}

struct sim_machine *
t_machine_clusters(unsigned sockets, unsigned clusters, unsigned cores, const struct t_lat *l)
{
	if (l == NULL)
		l = &t_lat_default;
	char *json = g_strdup_printf(
		"{\"name\": \"test\", \"freq_ghz\": 1.0,"
		" \"topology\": {\"sockets\": %u, \"clusters_per_socket\": %u,"
		"   \"cores_per_cluster\": %u, \"threads_per_core\": 1, \"interconnect\": \"full\"},"
		" \"latency\": {\"l1_hit\": %u, \"store_hit\": %u, \"atomic_hit\": %u,"
		"   \"smt_transfer\": 10, \"leg_cluster\": %u, \"leg_socket\": %u, \"leg_link\": %u,"
		"   \"leg_hop\": %u, \"mem\": %u, \"cluster_occupancy\": %u, \"conflict\": %u,"
		"   \"hold\": %u, \"pause\": %u, \"remote_read_snoop\": %u,"
		"   \"share_writeback\": %u},"
		" \"fence\": {\"full\": %u}, \"store_buffer_entries\": 8}",
		sockets, clusters, cores, l->l1_hit, l->store_hit, l->atomic_hit, l->leg_cluster,
		l->leg_socket, l->leg_link, l->leg_hop, l->mem, l->occupancy, l->conflict, l->hold,
		l->pause, l->remote_read_snoop, l->share_writeback, l->fence_full);
	cJSON *doc = cJSON_Parse(json);
	g_assert_nonnull(doc);
	GError *err = NULL;
	struct sim_origin o = { .file = "test", .prefix = "machine" };
	struct sim_machine *m = sim_machine_load(doc, &o, &err);
	g_assert_no_error(err);
	cJSON_Delete(doc);
	g_free(json);
	return m;
}

struct sim_run_config *
t_config(struct sim_machine *m, uint32_t cpus, uint64_t seed,
	 const struct sim_workload_ops *wl, const void *params, size_t params_size)
{
	struct sim_run_config *rc = g_new0(struct sim_run_config, 1);
	rc->machine = m;
	rc->cpus = cpus;
	rc->seed = seed;
	rc->workload = wl;
	rc->workload_params = g_malloc0(params_size ? params_size : 1);
	if (params)
		memcpy(rc->workload_params, params, params_size);
	sim_params_defaults(sim_engine_params, &rc->engine);
	rc->effective = cJSON_CreateObject();
	rc->config_file = g_strdup("test");
	return rc;
}

cJSON *
t_run(struct sim_run_config *rc)
{
	GError *err = NULL;
	struct sim *s = sim_create(rc, &err);
	g_assert_no_error(err);
	gboolean ok = sim_run(s, &err);
	g_assert_no_error(err);
	g_assert_true(ok);
	cJSON *res = sim_results(s);
	sim_destroy(s);
	return res;
}

cJSON *
t_run_json(const char *json, char **sets, GError **err)
{
	cJSON *doc = cJSON_Parse(json);
	g_assert_nonnull(doc);
	struct sim_overrides ov = { .set = sets };
	struct sim_run_config *rc = sim_config_from_json(doc, "inline.json", &ov, err);
	if (rc == NULL)
		return NULL;
	struct sim *s = sim_create(rc, err);
	cJSON *res = NULL;
	if (s && sim_run(s, err))
		res = sim_results(s);
	sim_destroy(s);
	sim_run_config_free(rc);
	return res;
}

const char *const t_workload_machine =
	"{\"name\": \"t1x4\", \"freq_ghz\": 1.0,"
	" \"topology\": {\"sockets\": 1, \"cores_per_cluster\": 4},"
	" \"latency\": {\"l1_hit\": 4, \"store_hit\": 1, \"atomic_hit\": 20, \"leg_cluster\": 10,"
	"   \"leg_socket\": 20, \"leg_link\": 100, \"mem\": 200}}";

cJSON *
t_run_workload(unsigned cpus, unsigned seed, const char *workload, const char *sections,
	       GError **err)
{
	g_autofree char *json = g_strdup_printf(
		"{\"machine\": %s, \"cpus\": %u, \"seed\": %u, \"workload\": {%s}%s}",
		t_workload_machine, cpus, seed, workload, sections);
	return t_run_json(json, NULL, err);
}

void
t_assert_refused(cJSON *res, GError *err, const char *key)
{
	g_assert_null(res);
	g_assert_nonnull(err);
	if (strstr(err->message, key) == NULL)
		g_error("refusal \"%s\" does not name %s", err->message, key);
	g_error_free(err);
}

char *
t_results_without_host(const cJSON *res)
{
	cJSON *dup = cJSON_Duplicate(res, true);
	cJSON_DeleteItemFromObject(dup, "host");
	char *s = sim_json_print(dup);
	cJSON_Delete(dup);
	return s;
}

double
t_metric(const cJSON *res, const char *dotted)
{
	const cJSON *v = cJSON_GetObjectItem(res, "metrics");
	char **parts = g_strsplit(dotted, ".", -1);
	for (char **p = parts; *p && v; p++)
		v = cJSON_GetObjectItem(v, *p);
	g_strfreev(parts);
	if (!cJSON_IsNumber(v))
		g_error("metric %s missing", dotted);
	return v->valuedouble;
}

const char *
t_sim_binary(void)
{
	const char *p = g_getenv("SIM_BINARY");
	g_assert_nonnull(p);
	return p;
}
