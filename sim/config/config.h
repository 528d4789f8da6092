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

/* Largest config or results file sim reads (a bound on host memory:
 * `sim run /dev/zero` is refused, not read until memory runs out). */
#define SIM_JSON_MAX_BYTES (64u << 20)

/*
 * sim_json_parse_file - read and parse a JSON file of at most
 * SIM_JSON_MAX_BYTES (regular file, pipe or device alike).
 * Return: the document, or NULL with *err: "FILE: cannot read: ...",
 * "FILE: larger than 64 MiB: ..." or what sim_json_parse_text says.
 */
cJSON *sim_json_parse_file(const char *file, GError **err);

/*
 * sim_json_parse_text - parse len bytes of text (need not be
 * NUL-terminated) as exactly one JSON value; name is used in messages.
 * Return: the document, or NULL with *err: "NAME: not a JSON text
 * (contains a NUL byte)" or "NAME: line L, column C: invalid JSON"
 * (nesting deeper than cJSON's limit of 1,000 levels is invalid JSON too).
 * Context: host.
 */
cJSON *sim_json_parse_text(const char *text, size_t len, const char *name, GError **err);

/* Top-level config keys, for `sim list -v`. */
extern const char *const sim_config_sections[];

#endif
