// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Running the sim binary from tests (sweep, check, golden): argv in,
 * exit status and captured output out.
 */
#ifndef SIM_TEST_SPAWN_H
#define SIM_TEST_SPAWN_H

#include <glib.h>
#include <sys/wait.h>

#include "harness.h"

struct t_cli {
	int status; /* exit code */
	char *out;  /* standard output */
	char *err;  /* standard error */
};

/*
 * t_sim - run `sim ARGS...` (args NULL-terminated) in cwd (NULL: the
 * test's own) with extra environment (NULL-terminated "K=V", may be
 * NULL), wait for it and capture its output.  Asserts it exited normally.
 */
static inline struct t_cli
t_sim(const char *cwd, const char *const *env, const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	g_ptr_array_add(argv, (char *)t_sim_binary());
	for (const char *const *a = args; *a; a++)
		g_ptr_array_add(argv, (char *)*a);
	g_ptr_array_add(argv, NULL);
	char **envp = g_get_environ();
	for (const char *const *e = env; e && *e; e++) {
		char **kv = g_strsplit(*e, "=", 2);
		envp = g_environ_setenv(envp, kv[0], kv[1], TRUE);
		g_strfreev(kv);
	}
	struct t_cli r = { 0 };
	GError *err = NULL;
	int wait = 0;
	g_spawn_sync(cwd, (char **)argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, &r.out,
		     &r.err, &wait, &err);
	g_assert_no_error(err);
	g_assert_true(WIFEXITED(wait));
	r.status = WEXITSTATUS(wait);
	g_ptr_array_free(argv, TRUE);
	g_strfreev(envp);
	return r;
}

static inline void
t_cli_free(struct t_cli *r)
{
	g_free(r->out);
	g_free(r->err);
}

/* t_write - write text to dir/name; returns the path (g_free it). */
static inline char *
t_write(const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

/* t_count_lines - number of '\n' in text. */
static inline guint
t_count_lines(const char *text)
{
	guint n = 0;
	for (const char *c = text; *c; c++)
		n += *c == '\n';
	return n;
}

#endif
