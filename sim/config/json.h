// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * JSON numbers written and compared exactly.
 *
 * cJSON prints a number with 15 significant digits whenever reading those
 * back lands within one unit in the last place of the value, and
 * cJSON_Compare() calls two numbers equal under the same tolerance: a
 * seed of 5000000000000001 was written as 5e+15 and the two configs
 * compared equal.  Every number sim writes goes through
 * sim_json_number_text() instead, and every comparison of configs or
 * metrics through sim_json_equal().
 *
 * Invariant: for every finite double d,
 * g_ascii_strtod(sim_json_number_text(d)) == d, bit for bit except that
 * -0 prints as 0; an integral d with |d| < 2^64 prints as its exact
 * decimal integer (no exponent), so every integer a config accepts
 * (|n| < 2^53) and every counter in a results file is written digit for
 * digit.
 */
#ifndef SIM_JSON_H
#define SIM_JSON_H

#include <cjson/cJSON.h>
#include <glib.h>

/* Largest integer a config accepts: 2^53 - 1.  From 2^53 on, two JSON
 * integers can read as the same double (9007199254740993 reads as
 * ...992), so such values are refused rather than silently changed. */
#define SIM_JSON_INT_MAX 9007199254740991.0

/*
 * sim_json_number_text - d as JSON number text that reads back exactly:
 * an exact integer when d is integral and |d| < 2^64, else the shorter of
 * %.15g and %.17g that reads back as d; "null" for NaN and infinities
 * (as cJSON writes them).  Locale-independent.
 * Return: a new string (g_free).  Context: host.
 */
char *sim_json_number_text(double d);

/*
 * sim_json_print_exact - doc as JSON text, numbers by
 * sim_json_number_text(); formatted as cJSON_Print() (tabs) when
 * formatted, else as cJSON_PrintUnformatted().
 * Return: a new string (g_free).  Context: host.
 */
char *sim_json_print_exact(const cJSON *doc, gboolean formatted);

/*
 * sim_json_equal - a and b are the same JSON value: same type, numbers
 * equal exactly (==, no tolerance), strings byte for byte, arrays
 * element by element, objects with the same keys (case-sensitive, in
 * any order) mapping to equal values.  NULL equals only NULL.
 * Context: host.
 */
gboolean sim_json_equal(const cJSON *a, const cJSON *b);

#endif
