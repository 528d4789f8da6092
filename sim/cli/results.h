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
 * sim_results_target - check up front, before a run, that a results file
 * can be written at path, and say where it will go.  path "-" is standard
 * output.  A symlink is followed to the file it names (that file is
 * replaced, the link stays).  A character device or FIFO there is written
 * through, as "-" is, never replaced.  Otherwise the file's directory is
 * created if missing, stale temporary files of this host's dead sims are
 * removed from it, and a temporary file is created and removed there.
 * Refused: "" (an empty name), a directory, a socket or block device, a
 * symlink loop, a directory or device that cannot be written.
 * Return: the path to write (g_free it), or NULL with *err
 * (SIM_CONFIG_ERROR_IO, one line naming path).  Context: host.
 */
char *sim_results_target(const char *path, GError **err);

/*
 * sim_results_remove_stale_temps - remove the temporary files of results
 * file base in dir that a sim on this host left when it was killed
 * (".BASE.tmp-HOST-PID-XXXXXX" whose PID no longer exists).  Another
 * host's, or a live sim's, are left alone.  Context: host.
 */
void sim_results_remove_stale_temps(const char *dir, const char *base);

/*
 * sim_results_write - write doc to path, resolved as
 * sim_results_target() does: for a regular (or new) file, a temporary
 * file ".BASE.tmp-HOST-PID-XXXXXX" in the same directory, fsync, then
 * rename over the file; a character device or FIFO is written through.
 * path "-" writes stdout.
 * A stop request (sim_request_stop(), i.e. SIGINT/SIGTERM) that arrives
 * before the rename removes the temporary file and fails with
 * SIM_CONFIG_ERROR_INTERRUPTED: path then is exactly as it was.
 * Return: TRUE, or FALSE with *err naming the file (nothing is left
 * behind on failure).
 */
gboolean sim_results_write(const char *path, const cJSON *doc, GError **err);

#include "report.h"   /* SIM_RESULTS_SCHEMA */

/*
 * sim_results_read - load a results file and check its shape: a JSON
 * object with "sim" {version (string), schema (integer)}, "config" and
 * "metrics" objects.  A file of another schema is refused
 * (SIM_CONFIG_ERROR_INCONSISTENT, "FILE: sim.schema: ..."), never misread;
 * a different sim *version* of the same schema is accepted (compare
 * "sim.version" yourself to warn).
 * Return: the document, or NULL with *err (one line naming the file and
 * the JSON path).  Context: host.
 */
cJSON *sim_results_read(const char *path, GError **err);

/*
 * sim_results_parse - the same checks on len bytes of text already in
 * memory (the fuzz target's entry point); name is used in messages.
 * Return: the document, or NULL with *err.  Context: host.
 */
cJSON *sim_results_parse(const char *text, size_t len, const char *name, GError **err);

/*
 * sim_results_read_run - the results file at path if it is a complete
 * results file of exactly this run.  For resuming an interrupted sweep: a
 * point whose file is returned is done; anything else (no file,
 * unreadable, another schema, a different effective config, a
 * half-written file from another program) is run again.  Results are only
 * ever renamed into place whole, so an interrupted sim never leaves a file
 * that passes.
 * @effective: the run's effective config (struct sim_run_config.effective)
 * Return: the document (cJSON_Delete it); NULL if the file does not exist
 * (no *err) or is not this run's (with *err saying why: the first config
 * path that differs, or the read error).  Context: host.
 */
cJSON *sim_results_read_run(const char *path, const cJSON *effective, GError **err);

/* sim_results_done - sim_results_read_run() as a yes/no (same *err). */
gboolean sim_results_done(const char *path, const cJSON *effective, GError **err);

/* sim_json_print - doc as text, two-space indent, trailing newline. */
char *sim_json_print(const cJSON *doc);

#endif
