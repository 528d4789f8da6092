// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Loading a run configuration: JSON file + --set overrides + --seed ->
 * a validated struct sim_run_config.
 *
 * Every failure is one GError line "WHERE: PATH: what is wrong", where
 * WHERE is the config file, the machine preset file or "--set PATH=VALUE"
 * -- whichever supplied the offending value -- and PATH is the dotted JSON
 * path (workload.period, machine.topology.socket_order[3]).
 */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <glib.h>

#include "engine.h"

struct sim_overrides {
	char **set;        /* "dotted.path=VALUE" strings, may be NULL */
	gboolean has_seed;
	uint64_t seed;
};

/*
 * sim_config_load - read, override and validate a config file.
 * Return: a run config (free with sim_run_config_free), or NULL with *err.
 * Context: host.
 */
struct sim_run_config *sim_config_load(const char *file, const struct sim_overrides *ov,
				       GError **err);

/*
 * sim_config_from_json - the same, from an already parsed document (the
 * function takes ownership of doc).  file is used in messages only.
 */
struct sim_run_config *sim_config_from_json(cJSON *doc, const char *file,
					    const struct sim_overrides *ov, GError **err);

/*
 * sim_json_parse_file - read and parse a JSON file.
 * Return: the document, or NULL with *err: "FILE: cannot read: ..." or
 * "FILE: line L, column C: invalid JSON".
 */
cJSON *sim_json_parse_file(const char *file, GError **err);

/* Top-level config keys, for `sim list -v`. */
extern const char *const sim_config_sections[];

#endif
