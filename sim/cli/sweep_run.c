// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * `sim sweep run`: hand the pending points to GNU parallel (or xargs -P)
 * and watch them finish.  See sweep.h.
 *
 * sim does not schedule anything itself.  It writes one shell line per
 * pending point to OUT/.log/commands:
 *
 *   SIM run BASE --set ... --out OUT/NAME.json -q 2>OUT/.log/NAME.log; echo "sim-sweep $? I"
 *
 * and the runner executes them, N at a time.  The echo is how sim
 * learns, on the runner's standard output, that point I finished and
 * with which exit code; it counts, reports failures at once, and draws
 * the progress line.  Results files are written by `sim run` (temporary
 * file + rename), so an interrupted sweep leaves complete files or none,
 * and running the sweep again skips the complete ones.
 */
#include "sweep.h"
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

#include <glib/gstdio.h>

#define SWEEP_TAG "sim-sweep "

/* sweep_run.flags' bits, per pending point */
#define SWEEP_DONE 1u           /* the runner reported its exit */
#define SWEEP_WARNED 2u         /* its log's warning was shown */

/* Running points' logs are read for warnings this often (seconds). */
#define SWEEP_WARN_SCAN 5

/* -j is clamped to this many runs per host CPU. */
#define SWEEP_JOBS_PER_CPU 4

static volatile sig_atomic_t sweep_signal;
static volatile pid_t sweep_runner_pid;

static volatile sig_atomic_t sweep_signals_seen;

/*
 * The runner runs in a process group of its own, and sim is the
 * "subreaper" of everything the runner starts (Linux), so no run can slip
 * out from under it.  SIGINT, SIGTERM or SIGHUP sent to sim, whether from
 * a terminal's Ctrl-C or to sim alone (kill, a closed session), is passed
 * on as SIGINT: at once to the runner's group, then from the main loop to
 * every descendant of sim (GNU parallel puts each job in a group of its
 * own, and xargs leaves its runs behind when it dies).  Every run stops
 * as Ctrl-C stops it (no results file), the runner starts nothing more,
 * and sim reports the sweep interrupted (exit 130).  A second signal
 * SIGKILLs them all (results files are only ever renamed into place
 * whole, and the next run removes the temporary files left behind).
 */
static void
sweep_on_signal(int sig)
{
	pid_t pid = sweep_runner_pid;
	sweep_signals_seen++;
	if (sweep_signal) {
		if (pid > 0)
			kill(-pid, SIGKILL);
		return;
	}
	sweep_signal = sig;
	if (pid > 0)
		kill(-pid, SIGINT);
}

/* Send sig to every descendant of this process (from /proc: Linux). */
static void
sweep_signal_descendants(int sig)
{
	GHashTable *kids = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
						 (GDestroyNotify)g_array_unref);
	GDir *d = g_dir_open("/proc", 0, NULL);
	const char *e;
	while (d && (e = g_dir_read_name(d)) != NULL) {
		if (!g_ascii_isdigit(e[0]))
			continue;
		g_autofree char *path = g_strdup_printf("/proc/%s/stat", e);
		g_autofree char *stat = NULL;
		if (!g_file_get_contents(path, &stat, NULL, NULL))
			continue;
		const char *rp = strrchr(stat, ')');
		int ppid = 0;
		char state;
		if (rp == NULL || sscanf(rp + 1, " %c %d", &state, &ppid) != 2 || state == 'Z')
			continue;
		GArray *a = g_hash_table_lookup(kids, GINT_TO_POINTER(ppid));
		if (a == NULL) {
			a = g_array_new(FALSE, FALSE, sizeof(int));
			g_hash_table_insert(kids, GINT_TO_POINTER(ppid), a);
		}
		int pid = atoi(e);
		g_array_append_val(a, pid);
	}
	if (d)
		g_dir_close(d);
	GArray *todo = g_array_new(FALSE, FALSE, sizeof(int));
	int self = (int)getpid();
	g_array_append_val(todo, self);
	for (guint i = 0; i < todo->len && i < 100000; i++) {
		int p = g_array_index(todo, int, i);
		if (p != self)
			kill((pid_t)p, sig);
		GArray *a = g_hash_table_lookup(kids, GINT_TO_POINTER(p));
		for (guint j = 0; a && j < a->len; j++)
			g_array_append_val(todo, g_array_index(a, int, j));
	}
	g_array_free(todo, TRUE);
	g_hash_table_destroy(kids);
}

static void
sweep_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sweep_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* In the runner, before exec: a process group of its own; and, on Linux,
 * SIGINT when sim dies (even by SIGKILL), so that GNU parallel stops its
 * runs rather than going on orphaned. */
static void
sweep_child_setup(gpointer data)
{
	(void)data;
	setpgid(0, 0);
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGINT);
#endif
}

/* State of one `sim sweep run`. */
struct sweep_run {
	const struct sim_sweep *sw;
	const struct sim_sweep_run_opts *o;
	GPtrArray *pending;     /* struct sim_sweep_point * */
	guint8 *flags;          /* per pending point: SWEEP_DONE, SWEEP_WARNED */
	char *logdir;
	guint complete_before;  /* complete when the run started */
	guint done, failed, interrupted;
	gint64 start_us;
	gint64 last_scan_us;    /* sweep_scan_running's last scan */
	gboolean line_shown;    /* an updating line is on the terminal */
};

static char *
sweep_duration(double s)
{
	if (s < 60)
		return g_strdup_printf("%.0fs", s);
	if (s < 3600)
		return g_strdup_printf("%dm%02ds", (int)s / 60, (int)s % 60);
	return g_strdup_printf("%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

/* "12/40 done, 1 failed, 8s elapsed, ~19s left" */
static char *
sweep_status(const struct sweep_run *r)
{
	double el = (double)(g_get_monotonic_time() - r->start_us) / 1e6;
	guint ran = r->done + r->failed + r->interrupted;
	guint left = r->pending->len - ran;
	g_autofree char *els = sweep_duration(el);
	g_autofree char *eta = ran ? sweep_duration(el / ran * left) : g_strdup("?");
	return g_strdup_printf("[sweep %s] %u/%u done, %u failed, %s elapsed, ~%s left",
			       r->sw->name, r->complete_before + r->done, r->sw->points->len,
			       r->failed, els, left ? eta : "0s");
}

static void
sweep_clear_line(struct sweep_run *r)
{
	if (r->line_shown)
		fputs("\r\033[K", stderr);
	r->line_shown = FALSE;
}

/* Redraw the terminal line, or (not a terminal) print a line for the
 * point that just finished. */
static void
sweep_show(struct sweep_run *r, const struct sim_sweep_point *just, const char *how)
{
	g_autofree char *st = sweep_status(r);
	if (r->o->tty) {
		fprintf(stderr, "\r%s\033[K", st);
		r->line_shown = TRUE;
	} else if (just) {
		fprintf(stderr, "%s: %s %s\n", st, just->name, how);
	}
	fflush(stderr);
}

/* The last non-empty line of a file, or NULL. */
static char *
sweep_last_line(const char *path)
{
	char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	g_strchomp(text);
	char *nl = strrchr(text, '\n');
	char *line = *text ? g_strdup(nl ? nl + 1 : text) : NULL;
	g_free(text);
	return line;
}

static char *
sweep_log_path(const struct sweep_run *r, const struct sim_sweep_point *p)
{
	g_autofree char *file = g_strconcat(p->name, ".log", NULL);
	return g_build_filename(r->logdir, file, NULL);
}

/* Show point i's warning, once: the first line of its log that `sim run`
 * wrote as a warning (with -q nothing else is written there unless the
 * run fails).  The overrun notice (engine.h, sim_set_overrun) is one: a
 * point whose run goes on long past its length, which is how a lost
 * wake-up shows before anything fails. */
static void
sweep_show_warning(struct sweep_run *r, guint i, const char *log)
{
	if (r->flags[i] & SWEEP_WARNED)
		return;
	g_autofree char *text = NULL;
	if (!g_file_get_contents(log, &text, NULL, NULL))
		return;
	char *w = strstr(text, ": warning: ");
	if (w == NULL)
		return;
	char *start = w;
	while (start > text && start[-1] != '\n')
		start--;
	char *end = strchr(w, '\n');
	if (end)
		*end = '\0';
	r->flags[i] |= SWEEP_WARNED;
	sweep_clear_line(r);
	const struct sim_sweep_point *p = r->pending->pdata[i];
	fprintf(stderr, "sim sweep: point %s: %s\n", p->name, start);
	fflush(stderr);
}

/* Every SWEEP_WARN_SCAN seconds: the warnings of points still running
 * (their logs exist once the runner starts them). */
static void
sweep_scan_running(struct sweep_run *r)
{
	gint64 now = g_get_monotonic_time();
	if (now - r->last_scan_us < SWEEP_WARN_SCAN * G_USEC_PER_SEC)
		return;
	r->last_scan_us = now;
	for (guint i = 0; i < r->pending->len; i++) {
		if (r->flags[i])        /* done, or its warning shown */
			continue;
		g_autofree char *log = sweep_log_path(r, r->pending->pdata[i]);
		GStatBuf st;
		if (g_stat(log, &st) == 0 && st.st_size > 0)
			sweep_show_warning(r, i, log);
	}
}

/* Point i reported exit status code. */
static void
sweep_finished(struct sweep_run *r, guint i, int code)
{
	if (i >= r->pending->len || (r->flags[i] & SWEEP_DONE))
		return;
	r->flags[i] |= SWEEP_DONE;
	const struct sim_sweep_point *p = r->pending->pdata[i];
	g_autofree char *log = sweep_log_path(r, p);
	sweep_show_warning(r, i, log);
	g_autofree char *why = NULL;
	if (code == 0 && sim_sweep_point_complete(r->sw, p, &why)) {
		r->done++;
		g_unlink(log);
		sweep_show(r, p, "ok");
		return;
	}
	if (code == 130 || (code > 128 && sweep_signal)) {
		r->interrupted++;
		sweep_show(r, p, "interrupted");
		return;
	}
	r->failed++;
	sweep_clear_line(r);
	g_autofree char *cmd = sim_sweep_point_command(r->sw, p, r->o->sim);
	g_autofree char *last = sweep_last_line(log);
	fprintf(stderr, "sim sweep: point %s failed (exit %d): %s\n  %s\n  log: %s\n", p->name,
		code, cmd, last ? last : why ? why : "(no message)", log);
	sweep_show(r, p, "FAILED");
}

/* One line of the runner's standard output. */
static void
sweep_runner_line(struct sweep_run *r, const char *line)
{
	int code;
	guint i;
	if (g_str_has_prefix(line, SWEEP_TAG) &&
	    sscanf(line + strlen(SWEEP_TAG), "%d %u", &code, &i) == 2) {
		sweep_finished(r, i, code);
		return;
	}
	sweep_clear_line(r);
	fprintf(stderr, "%s\n", line);
}

/* Read the runner's output until it closes it. */
static void
sweep_watch(struct sweep_run *r, int fd)
{
	GString *buf = g_string_new(NULL);
	char chunk[4096];
	sig_atomic_t passed_on = 0;
	for (;;) {
		if (sweep_signals_seen != passed_on) {
			/* once as SIGINT; again (every second until all is done)
			 * as SIGKILL after a second signal */
			sweep_signal_descendants(sweep_signals_seen > 1 ? SIGKILL : SIGINT);
			if (sweep_signals_seen == 1)
				passed_on = 1;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n = poll(&pfd, 1, 1000);
		if (n <= 0) {
			sweep_scan_running(r);
			if (r->o->tty)
				sweep_show(r, NULL, NULL);
			continue;
		}
		ssize_t got = read(fd, chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		g_string_append_len(buf, chunk, got);
		char *nl;
		while ((nl = memchr(buf->str, '\n', buf->len)) != NULL) {
			*nl = '\0';
			sweep_runner_line(r, buf->str);
			g_string_erase(buf, 0, nl - buf->str + 1);
		}
	}
	g_string_free(buf, TRUE);
}

/* Remove the temporary files killed `sim run`s of this host left behind
 * (sim_results_remove_stale_temps(): a live run's are kept). */
static void
sweep_clean_temps(const struct sim_sweep *sw)
{
	for (guint i = 0; i < sw->points->len; i++) {
		const struct sim_sweep_point *p = sw->points->pdata[i];
		g_autofree char *base = g_strconcat(p->name, ".json", NULL);
		sim_results_remove_stale_temps(sw->out_dir, base);
	}
}

/* Is `parallel` on PATH GNU parallel (not moreutils' parallel)? */
static gboolean
sweep_have_gnu_parallel(void)
{
	g_autofree char *path = g_find_program_in_path("parallel");
	if (path == NULL)
		return FALSE;
	char *argv[] = { path, "--version", NULL };
	g_autofree char *out = NULL;
	int status = 0;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
			  &status, NULL))
		return FALSE;
	return out && g_str_has_prefix(out, "GNU parallel");
}

/* The runner's argv, reading commands from cmdfile; NULL (+ message) if
 * the requested runner is unavailable. */
static GPtrArray *
sweep_runner_argv(const struct sim_sweep_run_opts *o, const char *cmdfile, guint jobs,
		  const char **name)
{
	gboolean gnu = strcmp(o->runner, "xargs") != 0 && sweep_have_gnu_parallel();
	if (strcmp(o->runner, "parallel") == 0 && !gnu) {
		fprintf(stderr, "sim sweep: --runner parallel: GNU parallel is not installed "
			"(apt-get install parallel), or `parallel` is another program\n");
		return NULL;
	}
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	char *j = g_strdup_printf("%u", jobs);
	*name = gnu ? "GNU parallel" : "xargs -P";
	const char *const par[] = { "parallel", "--will-cite", "--halt", "never", "-j", j, "-a",
				    cmdfile, NULL };
	const char *const xa[] = { "xargs", "-d", "\\n", "-n", "1", "-P", j, "-a", cmdfile,
				   "sh", "-c", NULL };
	for (const char *const *a = gnu ? par : xa; *a; a++)
		g_ptr_array_add(argv, g_strdup(*a));
	g_ptr_array_add(argv, NULL);
	g_free(j);
	return argv;
}

/* Write the command file: one wrapped line per pending point. */
static gboolean
sweep_write_commands(const struct sweep_run *r, const char *path)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < r->pending->len; i++) {
		const struct sim_sweep_point *p = r->pending->pdata[i];
		g_autofree char *cmd = sim_sweep_point_command(r->sw, p, r->o->sim);
		g_autofree char *log = sweep_log_path(r, p);
		g_autofree char *qlog = sim_shell_quote(log);
		g_string_append_printf(s, "%s 2>%s; echo \"" SWEEP_TAG "$? %u\"\n", cmd, qlog, i);
	}
	gboolean ok = g_file_set_contents(path, s->str, (gssize)s->len, NULL);
	g_string_free(s, TRUE);
	return ok;
}

/* Start the runner and watch it; returns FALSE if it could not start. */
static gboolean
sweep_spawn(struct sweep_run *r, GPtrArray *argv)
{
	char **envp = g_environ_setenv(g_get_environ(), "SHELL", "/bin/sh", TRUE);
	GPid pid;
	int in_fd, out_fd;
	GError *e = NULL;
	gboolean ok = g_spawn_async_with_pipes(NULL, (char **)argv->pdata, envp,
					       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
					       sweep_child_setup, NULL, &pid, &in_fd, &out_fd, NULL,
					       &e);
	g_strfreev(envp);
	if (!ok) {
		fprintf(stderr, "sim sweep: cannot start %s: %s\n", (char *)argv->pdata[0],
			e->message);
		g_error_free(e);
		return FALSE;
	}
	close(in_fd);
	setpgid(pid, pid); /* as the child does: whichever runs first */
	sweep_runner_pid = pid;
	if (sweep_signal) /* it came before the runner's pid was known */
		kill(-pid, SIGINT);
	sweep_watch(r, out_fd);
	close(out_fd);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sweep_runner_pid = 0;
	/* runs the runner left behind were reparented to sim: stop and reap */
	if (sweep_signals_seen)
		sweep_signal_descendants(sweep_signals_seen > 1 ? SIGKILL : SIGINT);
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	return TRUE;
}

/* Points the runner never reported: count them, and say so. */
static void
sweep_unreported(struct sweep_run *r)
{
	for (guint i = 0; i < r->pending->len; i++) {
		if (r->flags[i] & SWEEP_DONE)
			continue;
		const struct sim_sweep_point *p = r->pending->pdata[i];
		if (sim_sweep_point_complete(r->sw, p, NULL)) {
			r->done++;
		} else if (sweep_signal) {
			r->interrupted++;
		} else {
			g_autofree char *cmd = sim_sweep_point_command(r->sw, p, r->o->sim);
			sweep_clear_line(r);
			fprintf(stderr, "sim sweep: point %s was not run: %s\n", p->name, cmd);
			r->failed++;
		}
		r->flags[i] |= SWEEP_DONE;
	}
}

static int
sweep_summary(struct sweep_run *r)
{
	sweep_clear_line(r);
	double el = (double)(g_get_monotonic_time() - r->start_us) / 1e6;
	g_autofree char *els = sweep_duration(el);
	GError *e = NULL;
	int rows = sim_sweep_write_index(r->sw, &e);
	if (rows < 0) {
		fprintf(stderr, "sim sweep: %s\n", e->message);
		g_error_free(e);
	}
	fprintf(stderr, "sim sweep %s: %u/%u points complete (%u run now, %u failed, %u "
		"interrupted) in %s; index %s/index.tsv\n", r->sw->name,
		r->complete_before + r->done, r->sw->points->len, r->done, r->failed,
		r->interrupted, els, r->sw->out_dir);
	if (sweep_signal || r->interrupted) {
		fprintf(stderr, "sim sweep: interrupted; run the same command again to resume\n");
		return 130;
	}
	if (r->failed) {
		fprintf(stderr, "sim sweep: %u point%s failed (commands above, logs in %s); run the "
			"same command again to retry\n", r->failed, r->failed > 1 ? "s" : "",
			r->logdir);
		return rows < 0 ? 2 : 1;
	}
	return rows < 0 ? 2 : 0;
}

/*
 * sweep_lock_out_dir - take an exclusive lock on the output directory
 * (flock of LOGDIR/lock) for the whole run, so that a second `sim sweep
 * run` into the same directory stops with one clear line instead of
 * finding the first one's points "stale" and half-written.  The lock goes
 * with the process (a killed sweep leaves none behind).
 * Return: the lock's descriptor, or -1 after printing why (exit 2).
 */
static int
sweep_lock_out_dir(const struct sim_sweep *sw, const char *logdir)
{
	g_autofree char *path = g_build_filename(logdir, "lock", NULL);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "sim sweep: %s: cannot open: %s\n", path, g_strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		if (e == EWOULDBLOCK)
			fprintf(stderr, "sim sweep: %s: another sim sweep is writing this directory "
				"(it holds %s); wait for it to end or give another -o\n",
				sw->out_dir, path);
		else
			fprintf(stderr, "sim sweep: %s: cannot lock: %s\n", path, g_strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

int
sim_sweep_run(const struct sim_sweep *sw, const struct sim_sweep_run_opts *o)
{
	struct sweep_run r = { .sw = sw, .o = o, .pending = g_ptr_array_new() };
	r.logdir = g_build_filename(sw->out_dir, ".log", NULL);
	g_autofree char *cmdfile = g_build_filename(r.logdir, "commands", NULL);
	int code = 2;
	int lock_fd = -1;
	const char *rname = NULL;
	GPtrArray *argv = NULL;
	if (g_mkdir_with_parents(r.logdir, 0755) != 0) {
		fprintf(stderr, "sim sweep: %s: cannot create: %s\n", r.logdir, g_strerror(errno));
		goto out;
	}
	/* Before anything reads the directory: which points are complete is
	 * only known once no other sweep writes there. */
	lock_fd = sweep_lock_out_dir(sw, r.logdir);
	if (lock_fd < 0)
		goto out;
	for (guint i = 0; i < sw->points->len; i++) {
		struct sim_sweep_point *p = sw->points->pdata[i];
		if (!o->force && sim_sweep_point_complete(sw, p, NULL))
			r.complete_before++;
		else
			g_ptr_array_add(r.pending, p);
	}
	r.flags = g_new0(guint8, r.pending->len + 1);
	/* More runs at once than points, or than a few per core, only costs
	 * memory and start-up time (a runner of 100,000 slots took minutes
	 * to start and to stop): clamp, and say so. */
	guint ncpu = g_get_num_processors();
	guint cap = MIN(r.pending->len, SWEEP_JOBS_PER_CPU * ncpu);
	guint jobs = o->jobs ? o->jobs : ncpu;
	if (jobs > cap && r.pending->len > 0) {
		if (o->jobs)
			fprintf(stderr, "sim sweep: -j %u clamped to %u (%s)\n", o->jobs, cap,
				cap == r.pending->len ? "the points to run" :
				"4 per CPU of this host");
		jobs = cap;
	}
	sweep_clean_temps(sw);
	sweep_install_signals();
#ifdef __linux__
	prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
	r.start_us = g_get_monotonic_time();
	if (r.pending->len == 0) {
		code = sweep_summary(&r);
		goto out;
	}
	if (!sweep_write_commands(&r, cmdfile)) {
		fprintf(stderr, "sim sweep: %s: cannot write\n", cmdfile);
		goto out;
	}
	argv = sweep_runner_argv(o, cmdfile, jobs, &rname);
	if (argv == NULL)
		goto out;
	fprintf(stderr, "sim sweep %s: %u points, %u complete, %u to run, %u at a time (%s)\n",
		sw->name, sw->points->len, r.complete_before, r.pending->len, jobs, rname);
	if (!sweep_spawn(&r, argv))
		goto out;
	sweep_unreported(&r);
	code = sweep_summary(&r);
out:
	if (lock_fd >= 0)
		close(lock_fd);         /* releases the lock */
	if (argv)
		g_ptr_array_free(argv, TRUE);
	g_free(r.flags);
	g_free(r.logdir);
	g_ptr_array_free(r.pending, TRUE);
	return code;
}
