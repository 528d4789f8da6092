// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* Atomic results files; see results.h. */
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "param.h"

char *
sim_json_print(const cJSON *doc)
{
	char *raw = cJSON_Print(doc);
	/* cJSON indents with tabs; keep files diff-friendly with spaces. */
	GString *out = g_string_sized_new(strlen(raw) + 64);
	for (const char *p = raw; *p; p++) {
		if (*p == '\t')
			g_string_append(out, "  ");
		else
			g_string_append_c(out, *p);
	}
	g_string_append_c(out, '\n');
	cJSON_free(raw);
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

gboolean
sim_results_write(const char *path, const cJSON *doc, GError **err)
{
	g_autofree char *text = sim_json_print(doc);
	if (strcmp(path, "-") == 0) {
		if (!write_all(STDOUT_FILENO, text, strlen(text))) {
			g_set_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_IO,
				    "(stdout): write failed: %s", g_strerror(errno));
			return FALSE;
		}
		return TRUE;
	}
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *base = g_path_get_basename(path);
	g_autofree char *tmpl = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	int fd = g_mkstemp_full(tmpl, O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		g_set_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_IO,
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
	if (ok && g_rename(tmpl, path) != 0) {
		ok = FALSE;
		saved = errno;
	}
	if (!ok) {
		g_unlink(tmpl);
		g_set_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_IO, "%s: cannot write: %s",
			    path, g_strerror(saved));
	}
	return ok;
}
