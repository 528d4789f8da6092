// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* Atomic results files; see results.h. */
#include "results.h"
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "json.h"
#include "param.h"
#include "sim_build_config.h"

char *
sim_json_print(const cJSON *doc)
{
	/* numbers exactly (json.h), not as cJSON_Print() would */
	char *raw = sim_json_print_exact(doc, TRUE);
	/* cJSON indents with tabs; keep files diff-friendly with spaces. */
	GString *out = g_string_sized_new(strlen(raw) + 64);
	for (const char *p = raw; *p; p++) {
		if (*p == '\t')
			g_string_append(out, "  ");
		else
			g_string_append_c(out, *p);
	}
	g_string_append_c(out, '\n');
	g_free(raw);
	return g_string_free(out, FALSE);
}

static gboolean
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		buf += n;
		len -= (size_t)n;
	}
	return TRUE;
}

/* Temporary files are named ".BASE.tmp-HOST-PID-XXXXXX": the host and pid
 * say whether the sim that made one is gone (then it is stale: a SIGKILL
 * between create and rename), so the next run in that directory may
 * remove it without touching a live run's file, even on a shared file
 * system. */
static char *
temp_prefix(const char *base)
{
	return g_strdup_printf(".%s.tmp-%s-", base, g_get_host_name());
}

void
sim_results_remove_stale_temps(const char *dir, const char *base)
{
	g_autofree char *prefix = temp_prefix(base);
	size_t plen = strlen(prefix);
	GDir *d = g_dir_open(dir, 0, NULL);
	if (d == NULL)
		return;
	const char *e;
	while ((e = g_dir_read_name(d)) != NULL) {
		if (strncmp(e, prefix, plen) != 0)
			continue;
		char *end = NULL;
		guint64 pid = g_ascii_strtoull(e + plen, &end, 10);
		if (end == e + plen || *end != '-' || strlen(end + 1) != 6 || pid == 0 ||
		    pid > G_MAXINT32)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		g_autofree char *stale = g_build_filename(dir, e, NULL);
		g_unlink(stale);
	}
	g_dir_close(d);
}

/* The file a symlink chain at path ends at (path itself if it is not a
 * symlink); NULL with errno set for a loop or an unreadable link. */
static char *
follow_links(const char *path)
{
	char *cur = g_strdup(path);
	for (int hops = 0; hops < 40; hops++) {
		struct stat st;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		g_autofree char *dest = g_file_read_link(cur, NULL);
		if (dest == NULL) {
			g_free(cur);
			return NULL;
		}
		char *next;
		if (g_path_is_absolute(dest)) {
			next = g_strdup(dest);
		} else {
			g_autofree char *dir = g_path_get_dirname(cur);
			next = g_build_filename(dir, dest, NULL);
		}
		g_free(cur);
		cur = next;
	}
	g_free(cur);
	errno = ELOOP;
	return NULL;
}

char *
sim_results_target(const char *path, GError **err)
{
	if (path[0] == '\0') {
		sim_set_error(err, SIM_CONFIG_ERROR_IO,
			      "--out \"\": an empty file name (use - for standard output)");
		return NULL;
	}
	if (strcmp(path, "-") == 0)
		return g_strdup(path);
	char *target = follow_links(path);
	if (target == NULL) {
		sim_set_error(err, SIM_CONFIG_ERROR_IO, "%s: cannot write: %s", path,
			      g_strerror(errno));
		return NULL;
	}
	struct stat st;
	int e = 0;
	const char *what = NULL;
	if (stat(target, &st) == 0) {
		if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
			/* written through, never replaced */
			if (access(target, W_OK) != 0)
				e = errno;
		} else if (S_ISDIR(st.st_mode)) {
			what = "it is a directory";
		} else if (!S_ISREG(st.st_mode)) {
			what = "not a regular file, character device or FIFO";
		}
	} else if (errno != ENOENT && errno != ENOTDIR) {
		e = errno;
	}
	g_autofree char *dir = g_path_get_dirname(target);
	if (e == 0 && what == NULL && (stat(target, &st) != 0 || S_ISREG(st.st_mode))) {
		/* Temp-and-rename: try it now, in the directory it will use. */
		if (!g_file_test(dir, G_FILE_TEST_IS_DIR) && g_mkdir_with_parents(dir, 0755) != 0) {
			sim_set_error(err, SIM_CONFIG_ERROR_IO, "%s: cannot create directory %s: %s",
				      path, dir, g_strerror(errno));
			g_free(target);
			return NULL;
		}
		g_autofree char *base = g_path_get_basename(target);
		sim_results_remove_stale_temps(dir, base);
		g_autofree char *prefix = temp_prefix(base);
		g_autofree char *tmpl = g_strdup_printf("%s/%s%d-XXXXXX", dir, prefix, (int)getpid());
		int fd = g_mkstemp_full(tmpl, O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0) {
			sim_set_error(err, SIM_CONFIG_ERROR_IO,
				      "%s: cannot create a file in %s: %s", path, dir,
				      g_strerror(errno));
			g_free(target);
			return NULL;
		}
		close(fd);
		g_unlink(tmpl);
	}
	if (e != 0 || what != NULL) {
		sim_set_error(err, SIM_CONFIG_ERROR_IO, "%s: cannot write: %s", path,
			      what ? what : g_strerror(e));
		g_free(target);
		return NULL;
	}
	return target;
}

/* Write text through to a character device or FIFO (opened as is: no
 * create, no truncate, no rename). */
static gboolean
write_through(const char *path, const char *target, const char *text, GError **err)
{
	int fd = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	gboolean ok = fd >= 0 && write_all(fd, text, strlen(text));
	int saved = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = FALSE;
		saved = errno;
	}
	if (!ok)
		sim_set_error(err, SIM_CONFIG_ERROR_IO, "%s: cannot write: %s", path,
			      g_strerror(saved));
	return ok;
}

gboolean
sim_results_write(const char *path, const cJSON *doc, GError **err)
{
	g_autofree char *text = sim_json_print(doc);
	if (strcmp(path, "-") == 0) {
		if (!write_all(STDOUT_FILENO, text, strlen(text))) {
			sim_set_error(err, SIM_CONFIG_ERROR_IO,
				      "(standard output): write failed: %s", g_strerror(errno));
			return FALSE;
		}
		return TRUE;
	}
	g_autofree char *target = sim_results_target(path, err);
	if (target == NULL)
		return FALSE;
	struct stat st;
	if (stat(target, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
		return write_through(path, target, text, err);
	g_autofree char *dir = g_path_get_dirname(target);
	g_autofree char *base = g_path_get_basename(target);
	g_autofree char *prefix = temp_prefix(base);
	g_autofree char *tmpl = g_strdup_printf("%s/%s%d-XXXXXX", dir, prefix, (int)getpid());
	int fd = g_mkstemp_full(tmpl, O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		sim_set_error(err, SIM_CONFIG_ERROR_IO,
			      "%s: cannot create a temporary file in %s: %s", path, dir,
			      g_strerror(errno));
		return FALSE;
	}
	gboolean ok = write_all(fd, text, strlen(text)) && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = FALSE;
		saved = errno;
	}
	/* Last moment to honour a signal: after the rename the file is whole. */
	if (ok && sim_stop_requested()) {
		g_unlink(tmpl);
		sim_set_error(err, SIM_CONFIG_ERROR_INTERRUPTED,
			      "%s: interrupted while writing; not written", path);
		return FALSE;
	}
	if (ok && g_rename(tmpl, target) != 0) {
		ok = FALSE;
		saved = errno;
	}
	if (!ok) {
		g_unlink(tmpl);
		sim_set_error(err, SIM_CONFIG_ERROR_IO, "%s: cannot write: %s",
			      path, g_strerror(saved));
	}
	return ok;
}

/* The shape every results file of schema SIM_RESULTS_SCHEMA has; takes
 * doc and returns it, or frees it and returns NULL with *err. */
static cJSON *
check_shape(cJSON *doc, const char *name, GError **err)
{
	struct sim_origin o = { .file = name, .prefix = "" };
	struct sim_origin mo = { .file = name, .prefix = "sim" };
	const cJSON *meta = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "sim") : NULL;
	const cJSON *schema = cJSON_IsObject(meta) ? cJSON_GetObjectItemCaseSensitive(meta, "schema")
						   : NULL;
	const cJSON *version = cJSON_IsObject(meta) ? cJSON_GetObjectItemCaseSensitive(meta, "version")
						    : NULL;
	if (!cJSON_IsObject(doc)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, &o, NULL,
				"not a sim results file: expected an object, got %s",
				sim_json_type_name(doc));
	} else if (!cJSON_IsObject(meta)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, &o, "sim",
				"not a sim results file (no \"sim\" object)");
	} else if (!cJSON_IsNumber(schema)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, &mo, "schema",
				"missing or not a number: not a sim results file");
	} else if (schema->valuedouble != SIM_RESULTS_SCHEMA) {
		/* %.17g, not %g: schema 1.0000001 must not print as "1". */
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, &mo, "schema",
				"results schema %.17g (written by sim %s); this sim %s reads schema %d",
				schema->valuedouble, cJSON_IsString(version) ? version->valuestring : "?",
				SIM_VERSION, SIM_RESULTS_SCHEMA);
	} else if (!cJSON_IsString(version)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, &mo, "version", "missing or not a string");
	} else if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "config"))) {
		sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, &o, "config", "missing or not an object");
	} else if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "metrics"))) {
		sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, &o, "metrics", "missing or not an object");
	} else {
		return doc;
	}
	cJSON_Delete(doc);
	return NULL;
}

cJSON *
sim_results_parse(const char *text, size_t len, const char *name, GError **err)
{
	cJSON *doc = sim_json_parse_text(text, len, name, err);
	return doc ? check_shape(doc, name, err) : NULL;
}

cJSON *
sim_results_read(const char *path, GError **err)
{
	cJSON *doc = sim_json_parse_file(path, err);
	return doc ? check_shape(doc, path, err) : NULL;
}

cJSON *
sim_results_read_run(const char *path, const cJSON *effective, GError **err)
{
	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return NULL;
	cJSON *doc = sim_results_read(path, err);
	if (doc == NULL)
		return NULL;
	char *diff = sim_json_first_difference(effective,
					       cJSON_GetObjectItemCaseSensitive(doc, "config"),
					       "config");
	if (diff == NULL)
		return doc;
	sim_set_error(err, SIM_CONFIG_ERROR_INCONSISTENT,
		      "%s: stale: %s differs from this run's", path,
		      diff);
	g_free(diff);
	cJSON_Delete(doc);
	return NULL;
}

gboolean
sim_results_done(const char *path, const cJSON *effective, GError **err)
{
	cJSON *doc = sim_results_read_run(path, effective, err);
	cJSON_Delete(doc);
	return doc != NULL;
}
