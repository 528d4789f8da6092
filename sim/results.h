// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Results files: written atomically, so a reader never sees half a file.
 */
#ifndef SIM_RESULTS_H
#define SIM_RESULTS_H

#include <cjson/cJSON.h>
#include <glib.h>

/*
 * sim_results_write - write doc to path: a temporary file in the same
 * directory, fsync, then rename over path.  path "-" writes stdout.
 * Return: TRUE, or FALSE with *err naming the file (nothing is left
 * behind on failure).
 */
gboolean sim_results_write(const char *path, const cJSON *doc, GError **err);

/* sim_json_print - doc as text, two-space indent, trailing newline. */
char *sim_json_print(const cJSON *doc);

#endif
