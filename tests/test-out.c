// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * `sim run --out`: where results can and cannot go.  A character device
 * or FIFO is written through and stays what it was; a symlink is followed
 * (the link stays, its target gets the results); what cannot be written
 * (a directory, "", an unwritable place, a symlink loop) is refused
 * before the run with exit 2 and one line; a write error on standard
 * output is reported, exit 1; a temporary file a killed sim left behind
 * is removed by the next run in that directory, a live one's is not.
 *
 * SAFETY: nothing here opens, writes or replaces /dev/null.  The device
 * case makes its own null device (mknod, 1:3) in a temporary directory,
 * only as root; otherwise it is skipped with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "spawn.h"

static char *tmpdir;
static char *config;

static const char *good_config =
	"{\"machine\": \"ben\", \"cpus\": 2, \"workload\": {\"name\": \"line_ww\", \"rounds\": 2}}\n";

/* A fresh empty directory under tmpdir. */
static char *
fresh_dir(const char *name)
{
	char *dir = g_build_filename(tmpdir, name, NULL);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	return dir;
}

static struct t_cli
run_out(const char *out)
{
	const char *args[] = { "run", config, "--out", out, "-q", NULL };
	return t_sim(NULL, NULL, args);
}

/* text is a whole results file of this config (parses, right schema). */
static void
assert_results_text(const char *text, const char *what)
{
	GError *err = NULL;
	cJSON *doc = sim_results_parse(text, strlen(text), what, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "config"), "cpus")->valuedouble,
			 ==, 2);
	cJSON_Delete(doc);
}

static void
assert_one_line(const char *err)
{
	g_assert_true(g_str_has_suffix(err, "\n"));
	g_assert_true(strchr(err, '\n') == err + strlen(err) - 1);
}

/* The names in dir that start with '.' (temporary files), joined by ','. */
static char *
dot_files(const char *dir)
{
	GString *s = g_string_new(NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	g_assert_nonnull(d);
	const char *e;
	while ((e = g_dir_read_name(d)) != NULL)
		if (e[0] == '.')
			g_string_append_printf(s, "%s%s", s->len ? "," : "", e);
	g_dir_close(d);
	return g_string_free(s, FALSE);
}

static void
test_char_device_written_through(void)
{
	g_autofree char *dir = fresh_dir("dev");
	g_autofree char *dev = g_build_filename(dir, "null", NULL);
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0) {
		g_autofree char *why = g_strdup_printf("cannot mknod a null device here (%s); "
						       "needs root", g_strerror(errno));
		g_test_skip(why);
		return;
	}
	struct t_cli r = run_out(dev);
	g_assert_cmpint(r.status, ==, 0);
	struct stat st;
	g_assert_cmpint(lstat(dev, &st), ==, 0);
	g_assert_true(S_ISCHR(st.st_mode));
	g_assert_cmpuint(major(st.st_rdev), ==, 1);
	g_assert_cmpuint(minor(st.st_rdev), ==, 3);
	g_autofree char *dots = dot_files(dir);
	g_assert_cmpstr(dots, ==, "");
	t_cli_free(&r);
}

static void
test_fifo_written_through(void)
{
	g_autofree char *dir = fresh_dir("fifo");
	g_autofree char *fifo = g_build_filename(dir, "pipe", NULL);
	g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
	const char *argv[] = { t_sim_binary(), "run", config, "--out", fifo, "-q", NULL };
	GPid pid;
	GError *err = NULL;
	g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
				    NULL, &pid, &err));
	g_assert_no_error(err);
	/* blocks until sim opens the FIFO for writing; EOF when it closes it */
	int fd = open(fifo, O_RDONLY);
	g_assert_cmpint(fd, >=, 0);
	GString *got = g_string_new(NULL);
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		g_string_append_len(got, buf, n);
	close(fd);
	int status = 0;
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_spawn_close_pid(pid);
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 0);
	assert_results_text(got->str, "(fifo)");
	struct stat st;
	g_assert_cmpint(lstat(fifo, &st), ==, 0);
	g_assert_true(S_ISFIFO(st.st_mode));
	g_string_free(got, TRUE);
}

static void
test_symlink_followed(void)
{
	g_autofree char *dir = fresh_dir("link");
	g_autofree char *real = fresh_dir("link/real");
	g_autofree char *target = g_build_filename(real, "r.json", NULL);
	g_autofree char *link = g_build_filename(dir, "r.json", NULL);
	/* a relative link to a file that does not exist yet, then again to
	 * the file the first run made (replaced, link kept) */
	g_assert_cmpint(symlink("real/r.json", link), ==, 0);
	for (int pass = 0; pass < 2; pass++) {
		struct t_cli r = run_out(link);
		g_assert_cmpint(r.status, ==, 0);
		struct stat st;
		g_assert_cmpint(lstat(link, &st), ==, 0);
		g_assert_true(S_ISLNK(st.st_mode));
		g_autofree char *text = NULL;
		g_assert_true(g_file_get_contents(target, &text, NULL, NULL));
		assert_results_text(text, target);
		g_autofree char *d1 = dot_files(dir), *d2 = dot_files(real);
		g_assert_cmpstr(d1, ==, "");
		g_assert_cmpstr(d2, ==, "");
		t_cli_free(&r);
	}
}

/* Refused before the run: exit 2, one line naming the --out value. */
static void
expect_refused(const char *out, const char *want)
{
	struct t_cli r = run_out(out);
	if (r.status != 2 || strstr(r.err, want) == NULL)
		g_printerr("--out '%s': exit %d, stderr: %s", out, r.status, r.err);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, want));
	assert_one_line(r.err);
	g_assert_cmpstr(r.out, ==, "");
	t_cli_free(&r);
}

static void
test_unwritable_refused_up_front(void)
{
	g_autofree char *dir = fresh_dir("unwritable");
	expect_refused("", "sim: --out \"\": an empty file name");
	g_autofree char *want_dir = g_strdup_printf("sim: %s: cannot write: it is a directory", dir);
	expect_refused(dir, want_dir);
	expect_refused("/proc/sim-results.json",
		       "sim: /proc/sim-results.json: cannot create a file in /proc: ");
	g_autofree char *l1 = g_build_filename(dir, "loop1", NULL);
	g_autofree char *l2 = g_build_filename(dir, "loop2", NULL);
	g_assert_cmpint(symlink(l2, l1), ==, 0);
	g_assert_cmpint(symlink(l1, l2), ==, 0);
	g_autofree char *want_loop = g_strdup_printf("sim: %s: cannot write: Too many levels", l1);
	expect_refused(l1, want_loop);
	/* a read-only directory (root ignores the mode: then skip that case) */
	g_autofree char *ro = fresh_dir("unwritable/ro");
	g_assert_cmpint(g_chmod(ro, 0555), ==, 0);
	g_autofree char *in_ro = g_build_filename(ro, "r.json", NULL);
	if (access(ro, W_OK) != 0) {
		g_autofree char *want_ro = g_strdup_printf("sim: %s: cannot create a file in %s: "
							   "Permission denied", in_ro, ro);
		expect_refused(in_ro, want_ro);
	} else {
		g_test_message("read-only directory case skipped: running as root");
	}
	g_assert_cmpint(g_chmod(ro, 0755), ==, 0);
}

/* `--out -` onto a full device: the error is reported, exit 1. */
static void
test_stdout_write_error(void)
{
	struct stat st;
	if (stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode)) {
		g_test_skip("no /dev/full character device here");
		return;
	}
	g_autofree char *cmd = g_strdup_printf("exec '%s' run '%s' --out - -q >/dev/full",
					       t_sim_binary(), config);
	const char *args[] = { "sh", "-c", cmd, NULL };
	g_autofree char *err = NULL;
	int wait = 0;
	GError *e = NULL;
	g_assert_true(g_spawn_sync(NULL, (char **)args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
				   &err, &wait, &e));
	g_assert_no_error(e);
	g_assert_true(WIFEXITED(wait));
	g_assert_cmpint(WEXITSTATUS(wait), ==, 1);
	g_assert_true(g_str_has_prefix(err, "sim: (standard output): write failed: No space left"));
	assert_one_line(err);
}

/* A temporary file of a dead sim (SIGKILL between create and rename) is
 * removed by the next run there; a live sim's and other files are not. */
static void
test_stale_temp_removed(void)
{
	g_autofree char *dir = fresh_dir("stale");
	const char *host = g_get_host_name();
	g_autofree char *dead = g_strdup_printf(".r.json.tmp-%s-2147483646-abcdef", host);
	g_autofree char *live = g_strdup_printf(".r.json.tmp-%s-%d-abcdef", host, (int)getpid());
	g_autofree char *other_host = g_strdup_printf(".r.json.tmp-%s-x-2147483646-abcdef", host);
	g_autofree char *other_file = g_strdup(".q.json.tmp-x-2147483646-abcdef");
	const char *names[] = { dead, live, other_host, other_file };
	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		g_free(t_write(dir, names[i], "{half a fi"));
	g_autofree char *out = g_build_filename(dir, "r.json", NULL);
	struct t_cli r = run_out(out);
	g_assert_cmpint(r.status, ==, 0);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *p = g_build_filename(dir, names[i], NULL);
		g_assert_cmpint(g_file_test(p, G_FILE_TEST_EXISTS), ==, i != 0);
	}
	t_cli_free(&r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("sim-out-XXXXXX", NULL);
	config = t_write(tmpdir, "good.json", good_config);
	g_test_add_func("/out/char-device-written-through", test_char_device_written_through);
	g_test_add_func("/out/fifo-written-through", test_fifo_written_through);
	g_test_add_func("/out/symlink-followed", test_symlink_followed);
	g_test_add_func("/out/unwritable-refused-up-front", test_unwritable_refused_up_front);
	g_test_add_func("/out/stdout-write-error", test_stdout_write_error);
	g_test_add_func("/out/stale-temp-removed", test_stale_temp_removed);
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)system(cmd);
	g_free(config);
	return rc;
}
