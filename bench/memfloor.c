// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * memfloor: the host memory floor of a simulator turn (a benchmark, not a
 * test; bench/run runs it as its memfloor-* points).
 *
 * What sim's engine must do at least, per CPU turn, whatever the layout of
 * its data: find the next CPU, then touch the host lines that CPU's turn
 * needs (its record, its stack, its core's cache tables), which at tens of
 * thousands of CPUs have all gone cold since its last turn.  This program
 * does only that: N "CPUs", each with
 *
 *   rec      lines of a per-CPU record (records rec_stride lines apart, in
 *            one array: sim's struct sim_cpu and struct sim_core),
 *   stack    lines at the top of a per-CPU region stack_kib KiB apart (the
 *            coroutine stacks: the frames a resume pops),
 *
 * visited in the order of faa's directory, the engine's order: all CPUs but
 * the line's owner wait in an unordered array, the grant takes a random one
 * (a swap-remove, as sim_line_event does) and the owner joins the waiters.
 * Each visit reads and writes one word of each of its lines (the engine
 * writes the clock, the counters, the stack), then spends `work` rounds of
 * a dependent integer chain (the engine's own instructions, which the
 * processor can overlap with misses in flight).  With prefetch distance d
 * the lines of the CPU visited d turns later are prefetched (the engine
 * knows the next CPU one turn ahead: the grant names it before it
 * resumes); d = 0 prefetches nothing.  With serial=1 each grant's pick
 * also depends on the data of the visit before it (as the engine's next
 * event depends on what the running CPU did), so visits cannot overlap:
 * the floor of a turn whose misses wait for the turn before.
 *
 * Printed: one JSON object, with host ns per visit: the median of `reps`
 * timings of `visits` visits each, after one warm-up pass of 4 N visits
 * (thread CPU time, not wall time, so a loaded host stretches it less; the
 * median, so one burst of another job's cache traffic does not decide it).
 * The figure at N = 64, where everything stays in the host's level-1/2
 * caches, is the cost of the work alone; its growth with N is the memory
 * floor of any layout that touches rec + stack cold lines per turn with
 * that prefetch.
 *
 * With pages=1 it measures instead the host floor of a run's setup: what
 * the first write to one fresh page per CPU costs, whatever else setup does.
 * Each rep maps N * stack_kib KiB afresh (as sim maps its coroutine stacks,
 * MAP_NORESERVE), faults in the top page of each CPU's region with
 * process_madvise(MADV_POPULATE_WRITE) in batches of 1,024 (as
 * sim_coro_populate does; populate=0 leaves it to the writes), writes one
 * word near the top of each (as sim_coro_prepare writes a CPU's first
 * frame) and unmaps it.  Printed: the median of reps timings, in seconds
 * for the N pages and ns per page (thread CPU time, user + system).
 *
 *   memfloor N [rec=8] [rec_stride=8] [stack=4] [stack_kib=32] [d=1]
 *            [work=0] [serial=0] [visits=1000000] [reps=5] [seed=1]
 *   memfloor N pages=1 [stack_kib=32] [populate=1] [reps=5]
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <time.h>

#define LINE 64u
#define MAXD 16u
#define MAXREPS 101u

struct opts {
	uint64_t n, rec, rec_stride, stack, stack_kib, d, work, serial, visits, reps, seed;
	uint64_t pages, populate;
};

static uint64_t
rng_next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
below(uint64_t *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(s) * n) >> 64);
}

static double
cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *
map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (p == MAP_FAILED) {
		perror("memfloor: mmap");
		exit(2);
	}
	return p;
}

struct state {
	struct opts o;
	char *recs;                  /* n * rec_stride lines */
	char *stacks;                /* n * stack_kib KiB */
	uint64_t *wait;              /* the waiters, unordered (8 bytes each, as sim_waiter) */
	uint64_t nwait;
	uint32_t owner;
	uint64_t rng;
	uint32_t ahead[MAXD + 1];    /* the next d grants, picked in advance */
	uint64_t nahead;
	uint64_t sink;
};

static inline char *
rec_line(const struct state *st, uint32_t cpu, uint64_t i)
{
	return st->recs + ((uint64_t)cpu * st->o.rec_stride + i) * LINE;
}

/* the i-th line below the top of cpu's stack */
static inline char *
stack_line(const struct state *st, uint32_t cpu, uint64_t i)
{
	return st->stacks + ((uint64_t)cpu + 1) * (st->o.stack_kib << 10) - (i + 1) * LINE;
}

static void
prefetch_cpu(const struct state *st, uint32_t cpu)
{
	for (uint64_t i = 0; i < st->o.rec; i++)
		__builtin_prefetch(rec_line(st, cpu, i), 1);
	for (uint64_t i = 0; i < st->o.stack; i++)
		__builtin_prefetch(stack_line(st, cpu, i), 1);
}

/* The directory's grant: a random waiter leaves, the owner joins. */
static uint32_t
pick(struct state *st)
{
	uint64_t k = below(&st->rng, st->nwait);
	uint32_t c = (uint32_t)st->wait[k];
	st->wait[k] = st->wait[--st->nwait];
	st->wait[st->nwait++] = st->owner;
	st->owner = c;
	return c;
}

static inline void
touch(uint64_t *w, uint64_t *acc)
{
	uint64_t v = *w + 1;
	*w = v;
	*acc += v;
}

static void
visit(struct state *st, uint64_t visits)
{
	uint64_t acc = st->sink, x = st->sink | 1;
	for (uint64_t v = 0; v < visits; v++) {
		/* the grant d turns ahead names its CPU: fetch its lines now */
		uint32_t c;
		if (st->o.d) {
			uint32_t nc = pick(st);
			prefetch_cpu(st, nc);
			st->ahead[st->nahead++] = nc;
			c = st->ahead[0];
			memmove(st->ahead, st->ahead + 1, --st->nahead * sizeof st->ahead[0]);
		} else {
			c = pick(st);
		}
		for (uint64_t i = 0; i < st->o.rec; i++)
			touch((uint64_t *)rec_line(st, c, i), &acc);
		for (uint64_t i = 0; i < st->o.stack; i++)
			touch((uint64_t *)stack_line(st, c, i), &acc);
		for (uint64_t i = 0; i < st->o.work; i++)
			x = x * UINT64_C(6364136223846793005) + acc;
		/* acc's top bit is 0 (the words count visits), which the
		 * compiler cannot know: the next pick waits for these loads */
		if (st->o.serial)
			st->rng += acc >> 63;
	}
	st->sink = acc ^ x;
}

/* Fault in the page below each CPU's region top, batched as
 * sim_coro_populate does; false if the kernel lacks the call. */
static bool
populate_tops(char *base, const struct opts *o, size_t page)
{
#if defined(MADV_POPULATE_WRITE) && defined(SYS_process_madvise) && defined(SYS_pidfd_open)
	enum { BATCH = 1024 };
	static struct iovec iov[BATCH];
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return false;
	bool ok = true;
	for (uint64_t b = 0; b < o->n && ok; b += BATCH) {
		uint64_t k = o->n - b < BATCH ? o->n - b : BATCH;
		for (uint64_t i = 0; i < k; i++) {
			iov[i].iov_base = base + (b + i + 1) * (o->stack_kib << 10) - page;
			iov[i].iov_len = page;
		}
		ok = syscall(SYS_process_madvise, pidfd, iov, k, MADV_POPULATE_WRITE, 0) ==
		     (long)(k * page);
	}
	close(pidfd);
	return ok;
#else
	(void)base;
	(void)o;
	(void)page;
	return false;
#endif
}

/* One rep of pages=1: seconds of thread CPU time for the N first writes
 * (and their populate); *populated says whether the populate worked. */
static double
pages_rep(const struct opts *o, bool *populated)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t bytes = o->n * (o->stack_kib << 10);
	char *base = map(bytes);
	double t0 = cpu_seconds();
	*populated = o->populate && populate_tops(base, o, page);
	for (uint64_t c = 0; c < o->n; c++)
		*(volatile uint64_t *)(base + (c + 1) * (o->stack_kib << 10) - 64) = c;
	double t = cpu_seconds() - t0;
	munmap(base, bytes);
	return t;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int
parse(struct opts *o, int argc, char **argv)
{
	if (argc < 2)
		return -1;
	*o = (struct opts){ .rec = 8, .rec_stride = 8, .stack = 4, .stack_kib = 32, .d = 1,
			    .work = 0, .serial = 0, .visits = 1000000, .reps = 5, .seed = 1,
			    .pages = 0, .populate = 1 };
	o->n = strtoull(argv[1], NULL, 0);
	for (int i = 2; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		if (eq == NULL)
			return -1;
		uint64_t v = strtoull(eq + 1, NULL, 0);
		size_t k = (size_t)(eq - argv[i]);
#define OPT(name) \
		if (k == strlen(#name) && strncmp(argv[i], #name, k) == 0) { \
			o->name = v; \
			continue; \
		}
		OPT(rec) OPT(rec_stride) OPT(stack) OPT(stack_kib) OPT(d) OPT(work) OPT(serial)
		OPT(visits) OPT(reps) OPT(seed) OPT(pages) OPT(populate)
#undef OPT
		return -1;
	}
	if (o->n < 2 || o->n > (UINT64_C(1) << 24) || o->rec > o->rec_stride ||
	    o->stack * LINE > (o->stack_kib << 10) || o->d > MAXD || o->rec + o->stack == 0 ||
	    o->visits == 0 || o->reps == 0 || o->reps > MAXREPS || o->pages > 1 ||
	    o->populate > 1 || o->stack_kib == 0)
		return -1;
	return 0;
}

static double
median(double *t, uint64_t n)
{
	qsort(t, n, sizeof t[0], cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static int
pages_main(const struct opts *o)
{
	double t[MAXREPS];
	bool populated = true;
	for (uint64_t r = 0; r < o->reps; r++) {
		bool p;
		t[r] = pages_rep(o, &p);
		populated = populated && p;
	}
	double med = median(t, o->reps);
	printf("{\"n\": %" PRIu64 ", \"pages\": 1, \"stack_kib\": %" PRIu64
	       ", \"populate\": %" PRIu64 ", \"populated\": %s, \"reps\": %" PRIu64
	       ", \"seconds\": %.4f, \"seconds_min\": %.4f, \"seconds_max\": %.4f"
	       ", \"ns_per_page\": %.1f}\n",
	       o->n, o->stack_kib, o->populate, o->populate && populated ? "true" : "false",
	       o->reps, med, t[0], t[o->reps - 1], 1e9 * med / (double)o->n);
	return 0;
}

int
main(int argc, char **argv)
{
	struct state st;
	memset(&st, 0, sizeof st);
	if (parse(&st.o, argc, argv) != 0) {
		fprintf(stderr, "usage: memfloor N [rec=8] [rec_stride=8] [stack=4] [stack_kib=32] "
			"[d=1] [work=0] [serial=0] [visits=1000000] [reps=5] [seed=1]\n"
			"       memfloor N pages=1 [stack_kib=32] [populate=1] [reps=5]\n"
			"  (rec <= rec_stride, stack lines within stack_kib, d <= %u, reps <= %u, "
			"N >= 2)\n", MAXD, MAXREPS);
		return 2;
	}
	const struct opts *o = &st.o;
	if (o->pages)
		return pages_main(o);
	st.recs = map(o->n * o->rec_stride * LINE);
	st.stacks = o->stack ? map(o->n * (o->stack_kib << 10)) : NULL;
	st.wait = malloc(o->n * sizeof *st.wait);
	if (st.wait == NULL)
		return 2;
	st.rng = o->seed;
	/* CPU 0 owns the line; the others wait */
	for (uint64_t i = 1; i < o->n; i++)
		st.wait[st.nwait++] = i;
	for (uint64_t i = 0; i < o->d; i++) {
		st.ahead[i] = pick(&st);
		st.nahead++;
	}
	/* warm-up: every CPU's lines are mapped and written (no page faults
	 * in the timed part) and the caches hold what they can */
	for (uint32_t c = 0; c < o->n; c++) {
		for (uint64_t i = 0; i < o->rec; i++)
			*(uint64_t *)rec_line(&st, c, i) = c;
		for (uint64_t i = 0; i < o->stack; i++)
			*(uint64_t *)stack_line(&st, c, i) = c;
	}
	visit(&st, 4 * o->n);
	double t[MAXREPS];
	for (uint64_t r = 0; r < o->reps; r++) {
		double t0 = cpu_seconds();
		visit(&st, o->visits);
		t[r] = cpu_seconds() - t0;
	}
	double med = median(t, o->reps);
	printf("{\"n\": %" PRIu64 ", \"rec\": %" PRIu64 ", \"rec_stride\": %" PRIu64
	       ", \"stack\": %" PRIu64 ", \"stack_kib\": %" PRIu64 ", \"d\": %" PRIu64
	       ", \"work\": %" PRIu64 ", \"serial\": %" PRIu64 ", \"visits\": %" PRIu64
	       ", \"reps\": %" PRIu64
	       ", \"ns_per_visit\": %.3f, \"ns_per_visit_min\": %.3f, \"ns_per_visit_max\": %.3f"
	       ", \"sink\": %" PRIu64 "}\n",
	       o->n, o->rec, o->rec_stride, o->stack, o->stack_kib, o->d, o->work, o->serial, o->visits,
	       o->reps,
	       1e9 * med / (double)o->visits, 1e9 * t[0] / (double)o->visits,
	       1e9 * t[o->reps - 1] / (double)o->visits, st.sink & 1);
	return 0;
}
