// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Declarative parameter tables: one table per JSON object a user writes
 * (a machine's "latency" block, a workload's parameters, ...).
 *
 * A table row names a key, its type, its range, its default and where it
 * lands in a C struct.  From the table sim can
 *   - load and validate a cJSON object (every error is one line naming the
 *     file and the dotted JSON path, SIM_CONFIG_ERROR domain);
 *   - reject keys that no row names (typos are errors, not silently
 *     ignored);
 *   - emit the effective values, defaults included, into the results file;
 *   - list the parameters with their documentation (`sim list -v`).
 */
#ifndef SIM_PARAM_H
#define SIM_PARAM_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_CONFIG_ERROR (sim_config_error_quark())
GQuark sim_config_error_quark(void);

/* Error codes of the SIM_CONFIG_ERROR domain. */
enum sim_config_error {
	SIM_CONFIG_ERROR_IO,           /* file missing or unreadable */
	SIM_CONFIG_ERROR_PARSE,        /* not valid JSON */
	SIM_CONFIG_ERROR_TYPE,         /* a value has the wrong JSON type */
	SIM_CONFIG_ERROR_RANGE,        /* a number outside its documented range */
	SIM_CONFIG_ERROR_UNKNOWN_NAME, /* no machine/workload/model by that name */
	SIM_CONFIG_ERROR_UNKNOWN_KEY,  /* a key that no parameter table names */
	SIM_CONFIG_ERROR_MISSING,      /* a required key is absent */
	SIM_CONFIG_ERROR_SET,          /* a malformed --set override */
	SIM_CONFIG_ERROR_LIMIT,        /* the run would exceed a resource budget */
	SIM_CONFIG_ERROR_INCONSISTENT, /* values that are fine alone but not together */
	SIM_CONFIG_ERROR_INTERRUPTED,  /* stopped by sim_request_stop() (SIGINT/SIGTERM) */
};

enum sim_ptype {
	SIM_P_UINT,     /* uint64_t; JSON integer */
	SIM_P_U32,      /* uint32_t; JSON integer */
	SIM_P_DOUBLE,   /* double; JSON number */
	SIM_P_BOOL,     /* bool; JSON true/false */
	SIM_P_STRING,   /* char * (g_strdup'ed; freed by sim_params_free) */
	SIM_P_ENUM,     /* int; JSON string, one of .choices */
};

struct sim_param {
	const char *name;
	enum sim_ptype type;
	size_t offset;
	bool required;
	uint64_t umin, umax;        /* SIM_P_UINT / SIM_P_U32 range, inclusive */
	double dmin, dmax;          /* SIM_P_DOUBLE range, inclusive */
	uint64_t def_u;
	double def_d;
	const char *def_s;
	const char *const *choices; /* SIM_P_ENUM: NULL-terminated */
	const char *doc;            /* one line, shown by `sim list -v` */
};

/* Where a JSON object came from, for error messages. */
struct sim_origin {
	const char *file;   /* file name */
	const char *prefix; /* dotted path of the object within that file ("" = root) */
	/* Optional: dotted path -> label ("--set a.b=1") of values that came
	 * from the command line; errors at or under such a path name the
	 * label instead of the file. */
	GHashTable *overrides;
};

/*
 * sim_params_load - fill dst from obj according to tbl.
 * @tbl:   rows, terminated by a row with name == NULL
 * @obj:   a JSON object, or NULL (all defaults; required rows then fail)
 * @skip:  NULL-terminated key names that the caller handles itself
 * Return: TRUE, or FALSE with *err set (one line: "FILE: PATH: message").
 * Context: host, outside the simulation.
 */
gboolean sim_params_load(const struct sim_param *tbl, void *dst,
			 const cJSON *obj, const struct sim_origin *origin,
			 const char *const *skip, GError **err);

/* sim_params_defaults - fill dst with every row's default. */
void sim_params_defaults(const struct sim_param *tbl, void *dst);

/* sim_params_emit - add every row's effective value to obj. */
void sim_params_emit(const struct sim_param *tbl, const void *src, cJSON *obj);

/* sim_params_free - free the strings a load allocated. */
void sim_params_free(const struct sim_param *tbl, void *dst);

/* sim_params_describe - append "  name (type, range, default): doc" lines. */
void sim_params_describe(const struct sim_param *tbl, GString *out, const char *indent);

/*
 * sim_set_error - g_set_error() in the SIM_CONFIG_ERROR domain whose
 * message is always one line: control characters that came from user
 * input (a key "a\nb", a file name with a newline) are escaped as \n, \t,
 * \r or \xNN, and so are bytes that are not UTF-8.  Every error sim
 * reports goes through here.
 */
void sim_set_error(GError **err, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* sim_one_line - s with control characters escaped as above (g_free it). */
char *sim_one_line(const char *s);

/*
 * sim_config_check_keys - every key of the JSON object obj is one of keys
 * (NULL-terminated).  Return: TRUE, or FALSE with *err naming the first
 * unknown key under origin and listing the known ones.  Context: host.
 */
gboolean sim_config_check_keys(const cJSON *obj, const char *const *keys,
			       const struct sim_origin *o, GError **err);

/*
 * sim_config_fail - set *err to "FILE: PATH: message" for origin/key.
 * @key may be NULL (the error is about the object itself).
 */
void sim_config_fail(GError **err, int code, const struct sim_origin *origin,
		     const char *key, const char *fmt, ...) G_GNUC_PRINTF(5, 6);

/* sim_origin_path - "prefix.key" (or "key" at the root); g_free the result. */
char *sim_origin_path(const struct sim_origin *origin, const char *key);

/* sim_json_type_name - "a string", "an object", ... for error messages. */
const char *sim_json_type_name(const cJSON *v);

/* Row builders, so tables read as one line per parameter. */
#define SIM_P_U64_ROW(st, field, lo, hi, def, text) \
	{ .name = #field, .type = SIM_P_UINT, .offset = offsetof(st, field), \
	  .umin = (lo), .umax = (hi), .def_u = (def), .doc = (text) }
#define SIM_P_U32_ROW(st, field, lo, hi, def, text) \
	{ .name = #field, .type = SIM_P_U32, .offset = offsetof(st, field), \
	  .umin = (lo), .umax = (hi), .def_u = (def), .doc = (text) }
#define SIM_P_DBL_ROW(st, field, lo, hi, def, text) \
	{ .name = #field, .type = SIM_P_DOUBLE, .offset = offsetof(st, field), \
	  .dmin = (lo), .dmax = (hi), .def_d = (def), .doc = (text) }
#define SIM_P_BOOL_ROW(st, field, def, text) \
	{ .name = #field, .type = SIM_P_BOOL, .offset = offsetof(st, field), \
	  .def_u = (def), .doc = (text) }
#define SIM_P_ENUM_ROW(st, field, choice_list, def, text) \
	{ .name = #field, .type = SIM_P_ENUM, .offset = offsetof(st, field), \
	  .choices = (choice_list), .def_u = (def), .doc = (text) }
#define SIM_P_STR_ROW(st, field, def, text) \
	{ .name = #field, .type = SIM_P_STRING, .offset = offsetof(st, field), \
	  .def_s = (def), .doc = (text) }
#define SIM_P_END { .name = NULL }

#endif
