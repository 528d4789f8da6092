// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The engine: a conservative sequential discrete-event simulator whose
 * logical processes are simulated CPUs running as coroutines.
 *
 * Scheduling rule: always process the earliest event, where events are
 * ordered by (time, class, id, seq) (evq.h).  A CPU that is running may
 * keep running -- without a context switch -- while its clock is not
 * past the earliest queued event; once it is, it yields.  So every access
 * to simulated memory is performed in global simulated-time order, and
 * the run is a pure function of (config, seed).
 *
 *      scheduler (host stack)                    CPU coroutines
 *      loop: ev = pop()
 *        CPU  -> switch ------------------------> run until block/yield
 *        SB   -> drain the CPU's store buffer   <- switch back
 *        LINE -> directory grants a request
 *
 * A CPU that blocks or yields does the scheduler's loop itself, on its own
 * stack (cpu_leave: the same bookkeeping in the same order), handling SB
 * and LINE events (on a side stack shared by all CPUs, whose lines stay
 * hot) until the earliest event is a CPU's, then switches
 * straight to that CPU's coroutine: one switch per CPU event instead of
 * two.  What it cannot do there goes back through the scheduler's loop.
 *
 * Cost per event: O(1) queue work for events within 4,095 cycles (a
 * calendar queue, evq.h); later ones are grouped by time, O(log g) per
 * group (g distinct far times queued, at most CPUs + lines with waiters).
 * Nothing scans all CPUs per event.
 *
 * Blocked CPUs are not in the queue: whoever completes their wait (a
 * directory grant, a store-buffer drain, a write to a watched line)
 * schedules them.  A CPU can have stale events (a spin-wait timeout after
 * the line was written); only the event whose seq matches cpu->ev_seq is
 * live.
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine_impl.h"

static const char *const guard_names[] = { "auto", "on", "off", NULL };

const struct sim_param sim_engine_params[] = {
	SIM_P_U32_ROW(struct sim_engine_options, stack_kib, 16, 1024, 32,
		      "coroutine stack per simulated CPU, KiB (a canary detects overflow)"),
	SIM_P_ENUM_ROW(struct sim_engine_options, stack_guard, guard_names, SIM_GUARD_AUTO,
		       "guard page below each stack: auto = on up to 8,192 CPUs"),
	SIM_P_U64_ROW(struct sim_engine_options, arena_mib, 0, 1u << 20, 0,
		      "simulated shared memory, MiB; 0 = 64 + 1/16 per CPU"),
	SIM_P_U64_ROW(struct sim_engine_options, max_cycles, 0, (UINT64_C(1) << 53) - 1, 0,
		      "fail the run if simulated time passes this; 0 = no limit"),
	SIM_P_U64_ROW(struct sim_engine_options, memory_budget_mib, 0, 1u << 30, 0,
		      "refuse runs whose host-memory estimate exceeds this; 0 = 80% of RAM"),
	SIM_P_U32_ROW(struct sim_engine_options, jitter, 0, 1000000, 0,
		      "random delay of 0..jitter cycles before every access, from a per-CPU stream "
		      "(schedule exploration); 0 = off"),
	SIM_P_U32_ROW(struct sim_engine_options, jitter_every, 1, 1000000, 1,
		      "delay only one access in jitter_every on average, by 0..jitter cycles: rare long "
		      "stalls, like an SMI or a VM exit (1 = every access)"),
	SIM_P_END,
};

static volatile sig_atomic_t stop_requested;

void
sim_request_stop(void)
{
	stop_requested = 1;
}

bool
sim_stop_requested(void)
{
	return stop_requested != 0;
}

void
sim_clear_stop(void)
{
	stop_requested = 0;
}

/* ---- invariant checkers (called only in debug builds) ---- */

void
sim_invariant_hook_register(struct sim *s, const char *name, sim_invariant_fn fn, void *arg)
{
	struct sim_inv_hook h = { .name = name, .fn = fn, .arg = arg };
	g_array_append_val(s->inv_hooks, h);
}

/* The engine's own checker: every line the event touched (cache.c). */
static bool
cache_invariants(void *arg, const struct sim *s, sim_time_t now, GString *why)
{
	(void)arg;
	(void)now;
	for (uint32_t i = 0; i < s->ntouched; i++)
		if (!sim_line_invariants_hold(s, s->touched[i], why))
			return false;
	return true;
}

#ifndef NDEBUG
static void
check_invariants(struct sim *s, sim_time_t t, uint32_t cls, uint32_t id)
{
	for (guint i = 0; i < s->inv_hooks->len; i++) {
		const struct sim_inv_hook *h = &g_array_index(s->inv_hooks, struct sim_inv_hook, i);
		GString *why = g_string_new(NULL);
		s->inv_checks++;
		if (G_UNLIKELY(!h->fn(h->arg, s, t, why)))
			g_error("invariant %s violated after the %s event of %s %u at t=%"
				G_GUINT64_FORMAT ": %s", h->name,
				cls == SIM_EV_CPU ? "run" : cls == SIM_EV_SB ? "store-buffer" :
				"directory", cls == SIM_EV_LINE ? "line" : "cpu", id, t, why->str);
		g_string_free(why, TRUE);
	}
	sim_inv_touched_reset(s);
}
#endif

/* ---- fatal errors inside a run ---- */

void
sim_fatal(struct sim *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (s->fatal == NULL)
		sim_set_error(&s->fatal, SIM_CONFIG_ERROR_INCONSISTENT, "%s", msg);
	g_free(msg);
	struct sim_cpu *c = s->cur;
	if (c == NULL && s->in_setup)
		longjmp(s->setup_jmp, 1);
	if (c == NULL)
		g_error("%s", s->fatal->message);
	c->state = SIM_CPU_DONE;
	sim_coro_exit(&c->coro, &s->main_co);
}

/* ---- events and CPU states ---- */

void
sim_schedule(struct sim *s, sim_time_t t, enum sim_ev_class cls, uint32_t id)
{
	sim_evq_push(&s->evq, (struct sim_ev){ .time = t, .cls = cls, .id = id, .seq = ++s->seq });
}

static inline void cpu_leave(struct sim *s, struct sim_cpu *c);

void
sim_cpu_block(struct sim *s, struct sim_cpu *c, enum sim_block_reason why)
{
	SIM_ASSERT(c == s->cur);
	c->block = (uint8_t)why;
	c->block_since = c->now;
	c->state = SIM_CPU_BLOCKED;
	s->st.blocks++;
	cpu_leave(s, c);
	c->block = SIM_BLOCK_NONE;
	c->wake_at = SIM_T_INF;
}

void
sim_cpu_timeout(struct sim *s, struct sim_cpu *c, sim_time_t t)
{
	c->wake_at = t > c->now ? t : c->now;
	sim_schedule_cpu(s, c, c->wake_at);
}

/* ---- creation ---- */

static void
cpu_entry(void *arg)
{
	struct sim_cpu *c = arg;
	struct sim *s = sim_current;
	s->rc->workload->cpu_main(s->wl_state);
	c->state = SIM_CPU_DONE;
	s->ndone++;
	sim_coro_exit(&c->coro, &s->main_co);
}

/* The side stack's size: room for what cpu_leave runs there (a directory
 * grant, a store-buffer drain, the debug build's invariant checks and an
 * error message), as SIM_LEAVE_STACK is on a CPU's own stack, with a wide
 * margin; untouched pages cost nothing (MAP_NORESERVE). */
#define SIM_SIDE_STACK (256u << 10)

static gboolean
setup_stacks(struct sim *s, GError **err)
{
	const struct sim_run_config *rc = s->rc;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t stack = (size_t)rc->engine.stack_kib << 10;
	bool guard = rc->engine.stack_guard == SIM_GUARD_ON ||
		     (rc->engine.stack_guard == SIM_GUARD_AUTO && rc->cpus <= 8192);
	s->stack_stride = stack + (guard ? page : 0);
	/* Without guard pages the stacks start SIM_CORO_CANARY_BYTES short of
	 * a page boundary, so stack i's canary and the top of stack i - 1
	 * (its first frames) share one page: a CPU whose stack stays within
	 * that page's first page - 512 bytes costs one page of host memory and
	 * one page fault, not two (65,536 CPUs: 256 MiB less). */
	size_t lead = guard || page <= SIM_CORO_CANARY_BYTES ? 0 : page - SIM_CORO_CANARY_BYTES;
	s->stacks_size = s->stack_stride * rc->cpus + lead;
	void *p = mmap(NULL, s->stacks_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		sim_set_error(err, SIM_CONFIG_ERROR_LIMIT,
			      "%s: engine.stack_kib: cannot map %zu MiB of coroutine stacks",
			      rc->config_file ? rc->config_file : "(config)", s->stacks_size >> 20);
		return FALSE;
	}
	s->stacks = p;
	for (uint32_t i = 0; guard && i < rc->cpus; i++) {
		if (mprotect(s->stacks + i * s->stack_stride, page, PROT_NONE) != 0) {
			/* Give the mappings back before anything else may need
			 * one: at the map-count limit even formatting this
			 * message can fail (ASan's allocator maps). */
			munmap(s->stacks, s->stacks_size);
			s->stacks = NULL;
			sim_set_error(err, SIM_CONFIG_ERROR_LIMIT,
				      "%s: engine.stack_guard: cannot place %u stack guard pages "
				      "(vm.max_map_count?); set engine.stack_guard to \"off\"",
				      rc->config_file ? rc->config_file : "(config)", rc->cpus);
			return FALSE;
		}
	}
	for (uint32_t i = 0; i < rc->cpus; i++) {
		struct sim_cpu *c = &s->cpus[i];
		sim_coro_create(&c->coro, s->stacks + lead + i * s->stack_stride +
				(guard ? page : 0), stack, cpu_entry, c);
	}
	/* Without it the events run on the CPUs' stacks, as they did. */
	(void)sim_side_stack_init(&s->side, SIM_SIDE_STACK);
	return TRUE;
}

/*
 * Run the workload's setup.  A fatal error inside it (simulated memory
 * exhausted, host-memory budget exceeded) longjmps back here: the config
 * is refused like any other bad input.  The workload's partial state is
 * lost (its setup never returned).
 */
static gboolean
setup_workload(struct sim *s, GError **err)
{
	const struct sim_run_config *rc = s->rc;
	s->in_setup = true;
	if (setjmp(s->setup_jmp) != 0) {
		s->in_setup = false;
		int code = g_error_matches(s->fatal, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT)
			   ? SIM_CONFIG_ERROR_LIMIT : SIM_CONFIG_ERROR_INCONSISTENT;
		sim_set_error(err, code,
			      "%s: workload: setup failed: %s",
			      rc->config_file ? rc->config_file : "(config)", s->fatal->message);
		return FALSE;
	}
	s->wl_state = rc->workload->setup(s, rc->workload_params);
	s->in_setup = false;
	/* Run length: a workload that is set to run past engine.max_cycles
	 * would only fail at the end; say so now. */
	sim_time_t goal = rc->workload->progress_goal ? rc->workload->progress_goal(s->wl_state) : 0;
	if (rc->engine.max_cycles && goal > rc->engine.max_cycles) {
		sim_set_error(err, SIM_CONFIG_ERROR_LIMIT,
			      "%s: engine.max_cycles: the workload is set to run for %" G_GUINT64_FORMAT
			      " cycles, past engine.max_cycles (%" G_GUINT64_FORMAT ")",
			      rc->config_file ? rc->config_file : "(config)", goal,
			      rc->engine.max_cycles);
		return FALSE;
	}
	return TRUE;
}

/*
 * sim_host_map_filled - a fresh zero mapping of bytes that the caller will
 * write all of, faulted in at once: transparent huge pages where the
 * kernel gives them (MADV_HUGEPAGE: only a mapping of 2 MiB or more can
 * have any), then one madvise(MADV_POPULATE_WRITE) (Linux 5.14+;
 * elsewhere, or if it fails, the writes fault the pages in one by one).
 * Peak RSS is the same either way, since every page is written.  Host
 * speed only, measured on the shared test host (a paravirtualized guest)
 * with bench/run's setup-65536: the first write to each fresh 4 KiB page
 * costs about 6 us there even after the populate (the hypervisor's, charged
 * as user time), once per huge page with these; that point's minor faults
 * 82,485 -> 69,260, whole-process CPU in paired runs (A B x14, load 4.5)
 * 0.94x and 0.97x in medians of two series, pairs 0.76-1.08.  Returns NULL
 * if the mapping fails; unmap with munmap.
 */
void *
sim_host_map_filled(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
	(void)madvise(p, bytes, MADV_POPULATE_WRITE);
#endif
	return p;
}

struct sim *
sim_create(const struct sim_run_config *rc, GError **err)
{
	g_return_val_if_fail(sim_current == NULL, NULL);
	const struct sim_machine *m = rc->machine;
	const struct sim_topology *t = &m->topo;
	uint32_t ncores = (uint32_t)(sim_machine_max_cpus(m) / t->threads_per_core);
	uint32_t nclusters = t->sockets * t->clusters_per_socket;

	uint64_t est, budget;
	if (!sim_budget_check(rc, ncores, nclusters, &est, &budget, err))
		return NULL;

	struct sim *s = g_new0(struct sim, 1);
	s->fixed_bytes = est;
	s->budget_bytes = budget;
	s->rc = rc;
	s->m = m;
	s->max_cycles = rc->engine.max_cycles ? rc->engine.max_cycles : SIM_T_INF;
	s->run_watch = s->max_cycles;
	s->ncpus = rc->cpus;
	/* Line-aligned records (struct sim_cpu's layout), zero: a fresh
	 * anonymous mapping is both, so nothing clears it again (a memset of
	 * the 40 MiB of a 65,536-CPU run's records was 42 M host
	 * instructions, 16% of that run's setup point); unmapped by
	 * sim_destroy. */
	void *cpus = sim_host_map_filled((size_t)rc->cpus * sizeof(struct sim_cpu));
	if (cpus == NULL)
		g_error("out of memory for %u CPU records", rc->cpus);
	s->cpus = cpus;
	s->ncores = ncores;
	s->nclusters = nclusters;
	s->clusters = g_new0(struct sim_cluster, nclusters);
	sim_hier_init(s);
	sim_links_init(s);
	sim_evq_init(&s->evq);
	sim_rng_seed(&s->arbiter, rc->seed, SIM_RNG_ARBITER);
	sim_coro_init_main(&s->main_co);
	s->inv_hooks = g_array_new(FALSE, FALSE, sizeof(struct sim_inv_hook));
	s->inv_epoch = 1;           /* fresh lines (inv_seen 0) are not yet recorded */
	sim_invariant_hook_register(s, "cache", cache_invariants, NULL);
	sim_current = s;

	struct sim_sb_ent *sb = g_new0(struct sim_sb_ent, (size_t)rc->cpus * m->store_buffer_entries);
	for (uint32_t i = 0; i < rc->cpus; i++) {
		struct sim_cpu *c = &s->cpus[i];
		struct sim_place p = sim_machine_place(m, i);
		c->id = i;
		c->socket = p.socket;
		c->cluster = p.cluster;
		c->core = p.core;
		c->thread = p.thread;
		c->watch_line = c->watch_next = c->watch_prev = SIM_NONE;
		c->sb = sb + (size_t)i * m->store_buffer_entries;
		c->next_tick = c->next_irq = c->wake_at = SIM_T_INF;
		sim_rng_seed(&c->rng, rc->seed, SIM_RNG_CPU(i));
		sim_rng_seed(&c->jrng, rc->seed, SIM_RNG_JITTER(i));
	}
	if (!sim_arena_init(s, sim_arena_bytes(rc), err) || !setup_stacks(s, err)) {
		sim_destroy(s);
		return NULL;
	}
	if (!setup_workload(s, err)) {
		sim_destroy(s);
		return NULL;
	}
	return s;
}

void
sim_destroy(struct sim *s)
{
	if (s == NULL)
		return;
	if (s->wl_state && s->rc->workload->teardown)
		s->rc->workload->teardown(s->wl_state);
	for (uint32_t i = s->nattach; i-- > 0;)
		if (s->attach[i].free_fn)
			s->attach[i].free_fn(s->attach[i].data);
	if (s->cpus)
		sim_irq_free_all(s);
	if (s->stacks) {
		for (uint32_t i = 0; i < s->ncpus; i++)
			sim_coro_destroy(&s->cpus[i].coro);
		sim_coro_release_stacks(s->stacks, s->stacks_size);
		munmap(s->stacks, s->stacks_size);
	}
	sim_side_stack_free(&s->side);
	sim_hier_free(s);
	sim_links_free(s);
	if (s->ncpus)
		g_free(s->cpus[0].sb);
	if (s->cpus)
		munmap(s->cpus, (size_t)s->ncpus * sizeof(struct sim_cpu));
	g_free(s->clusters);
	sim_evq_free(&s->evq);
	sim_arena_destroy(s);
	g_clear_error(&s->fatal);
	if (s->inv_hooks)
		g_array_free(s->inv_hooks, TRUE);
	g_free(s->touched);
	if (sim_current == s)
		sim_current = NULL;
	g_free(s);
}

bool
sim_cause_reported(const struct sim *s, enum sim_cause c)
{
	return c != SIM_CAUSE_IDLE_EXIT || s->m->nidle_states > 0;
}

void
sim_attach(struct sim *s, const void *key, void *data, void (*free_fn)(void *data))
{
	g_assert(key != NULL && sim_attached(s, key) == NULL);
	g_assert(s->nattach < G_N_ELEMENTS(s->attach));
	s->attach[s->nattach++] = (struct sim_attachment){ key, data, free_fn };
}

void *
sim_attached(const struct sim *s, const void *key)
{
	for (uint32_t i = 0; i < s->nattach; i++)
		if (s->attach[i].key == key)
			return s->attach[i].data;
	return NULL;
}

/* ---- the run ---- */

void
sim_set_progress(struct sim *s, sim_progress_fn fn, void *arg)
{
	s->progress = fn;
	s->progress_arg = arg;
}

void
sim_set_overrun(struct sim *s, sim_overrun_fn fn, void *arg)
{
	s->overrun = fn;
	s->overrun_arg = arg;
}

/* When the engine must look at a clock (s->run_watch): engine.max_cycles,
 * or the overrun notice's time if that comes first. */
static sim_time_t
run_watch_time(const struct sim *s, sim_time_t goal)
{
	if (s->overrun == NULL || goal == 0 ||
	    goal > (SIM_T_INF - SIM_OVERRUN_SLACK) / SIM_OVERRUN_FACTOR)
		return s->max_cycles;
	sim_time_t at = goal * SIM_OVERRUN_FACTOR + SIM_OVERRUN_SLACK;
	return at < s->max_cycles ? at : s->max_cycles;
}

/* A clock (an event's, or a running CPU's) passed s->run_watch but not
 * max_cycles: the overrun notice is owed, and sim_run's loop gives it
 * (not here: this may run on a CPU's coroutine stack). */
static void
overrun_mark(struct sim *s, sim_time_t t)
{
	s->overrun_due = t;
	s->run_watch = s->max_cycles;
}

/* Give the overrun notice if it is owed. */
static void
overrun_give(struct sim *s, sim_time_t goal)
{
	if (G_LIKELY(s->overrun_due == 0))
		return;
	s->overrun(s->overrun_arg, s->overrun_due, goal);
	s->overrun_due = 0;
}

/*
 * Stack check after a CPU switched back.  Its saved stack pointer is hot
 * (the switch just wrote it): if it lies in or below the canary, the
 * overflow is happening now.  Reading the canary itself costs cache and
 * TLB misses on a cold stack, and the switch that makes it goes through
 * the scheduler (leave_stop), so the full check runs on every
 * STACK_CHECK_PERIOD-th switch of a CPU and at the end of the run (an
 * overflow that unwound before the switch is caught then).  Host speed
 * only: with a period of 64, rcuscale under ebr-ck at 4,096 CPUs of
 * `large` spent 7% of its host time in that check's memcmp of cold
 * canaries; with 1,024, paired runs (A B x7) took 0.90x the CPU time
 * under ebr-ck and tree_rcu, 0.97x under gus (16,384 CPUs: 0.98x), faa
 * at 65,536 CPUs 1.00x, results identical.  A longer period only delays
 * the report of an overflow that stayed inside the canary, or that went
 * past it on a run without guard pages (more than 8,192 CPUs), which
 * then has overwritten the top of the next stack down either way.
 */
#define STACK_CHECK_PERIOD 1024u
_Static_assert((STACK_CHECK_PERIOD & (STACK_CHECK_PERIOD - 1)) == 0,
	       "STACK_CHECK_PERIOD is a power of two (stack_ok masks with it)");
static inline bool
stack_ok(struct sim_cpu *c)
{
#if SIM_CORO_ASM
	if ((char *)c->coro.sp < (char *)c->coro.stack_lo + SIM_CORO_CANARY_BYTES)
		return false;
#endif
	if ((++c->switches & (STACK_CHECK_PERIOD - 1)) != 0)
		return true;
	return sim_coro_canary_intact(&c->coro);
}

static void
check_stack(struct sim *s, struct sim_cpu *c)
{
	if (G_UNLIKELY(!stack_ok(c)) && s->fatal == NULL)
		sim_set_error(&s->fatal, SIM_CONFIG_ERROR_LIMIT,
			      "cpu %u overflowed its %u KiB coroutine stack (t=%" G_GUINT64_FORMAT
			      "); raise engine.stack_kib", c->id, s->rc->engine.stack_kib, c->now);
}

/*
 * Room on the running CPU c's stack for the scheduler's work that cpu_leave
 * does there: at least SIM_LEAVE_STACK bytes between the stack pointer and
 * the canary.  The frames that work needs are far smaller (a directory
 * grant or a store-buffer drain: under 2 KiB with a memory allocation;
 * with an error message or the debug build's invariant checks, a few KiB);
 * a CPU deeper in its stack than that goes back to the scheduler's stack,
 * which checks it (stack_ok) before anything else runs, so an overflow in
 * progress is reported as before and no other coroutine is resumed into a
 * stack it overwrote.
 */
#define SIM_LEAVE_STACK 8192u
static inline bool
stack_roomy(const struct sim_cpu *c)
{
#if SIM_CORO_ASM && defined(__x86_64__)
	uintptr_t sp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
#elif SIM_CORO_ASM && defined(__aarch64__)
	uintptr_t sp;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
#else
	/* ucontext: no direct switches (the scheduler checks every one) */
	uintptr_t sp = 0;
	(void)c;
	return false;
#endif
	return sp >= (uintptr_t)c->coro.stack_lo + SIM_CORO_CANARY_BYTES + SIM_LEAVE_STACK;
}

/*
 * c is about to run for the first time: fault in the first stack page of
 * c and of the next CPUs by id that have not run either (up to 1,024 in
 * all, one system call: sim_coro_populate), since every CPU starts at time
 * 0 in id order (sim_run).  Host speed only: fewer system calls for the
 * same pages (a 65,536-CPU run's setup makes one stack page per CPU).
 */
static G_NO_INLINE void
populate_stacks(struct sim *s, struct sim_cpu *c)
{
	enum { BATCH = 1024 };
	/* on the heap: this may run on a CPU's coroutine (cpu_leave) */
	struct sim_coro **cos = g_new(struct sim_coro *, BATCH);
	size_t n = 0;
	for (uint32_t i = c->id; i < s->ncpus && n < BATCH; i++) {
		struct sim_coro *co = &s->cpus[i].coro;
		if (!sim_coro_prepared(co) && !co->populated)
			cos[n++] = co;
	}
	if (!sim_coro_populate(cos, n))
		s->no_stack_populate = true;
	g_free(cos);
}

/* cpu_start() of a CPU whose coroutine is prepared: nothing calls out. */
static inline void
cpu_start_prepared(struct sim *s, struct sim_cpu *c, sim_time_t t)
{
	SIM_ASSERT(sim_coro_prepared(&c->coro));
	if (t > c->now)
		c->now = t;
	s->cur = c;
	c->state = SIM_CPU_RUNNING;
}

/* Make c, whose event at t is live, the running CPU (before the switch to it). */
static inline void
cpu_start(struct sim *s, struct sim_cpu *c, sim_time_t t)
{
	if (G_UNLIKELY(!sim_coro_prepared(&c->coro))) {
		if (!c->coro.populated && !s->no_stack_populate)
			populate_stacks(s, c);
		sim_coro_prepare(&c->coro);
	}
	cpu_start_prepared(s, c, t);
}

/*
 * Run CPU c's event at t from the scheduler.  The switch back may come from
 * another CPU (s->cur): c's coroutine may have passed the processor
 * straight on (cpu_leave), and that one again.  Returns the CPU that
 * switched back.
 */
static struct sim_cpu *
run_cpu(struct sim *s, struct sim_cpu *c, sim_time_t t)
{
	cpu_start(s, c, t);
	sim_coro_switch(&s->main_co, &c->coro);
	struct sim_cpu *back = s->cur;
	s->cur = NULL;
	check_stack(s, back);
	return back;
}

/* The scheduler's bookkeeping as it takes the earliest event (the queue is
 * not empty and needs no compaction); near: the pop does not change
 * buckets (sim_evq_pop_near), so nothing here calls out. */
static inline __attribute__((always_inline)) struct sim_ev
take_event_impl(struct sim *s, bool near)
{
	if (s->evq.n > s->evq_peak)
		s->evq_peak = s->evq.n;
	struct sim_ev ev = near ? sim_evq_pop_near(&s->evq) : sim_evq_pop(&s->evq);
	s->now = ev.time;
	s->st.events++;
	/* At 65,536 CPUs every event touches a cold CPU: start fetching
	 * the next one's state and stack while this one runs. */
	const struct sim_ev *next = sim_evq_top(&s->evq);
	if (next && next->cls == SIM_EV_CPU) {
		const struct sim_cpu *nc = &s->cpus[next->id];
		__builtin_prefetch(nc);
		/* its core's recent table, two lines: every access tests it
		 * (hier.c) */
		const char *rt = (const char *)&s->cores[nc->core];
		__builtin_prefetch(rt);
		__builtin_prefetch(rt + 64);
#if SIM_CORO_ASM
		/* the frames its resume pops: the switch's, then its
		 * callers' up to the workload (about 250 bytes on a miss) */
		const char *sp = nc->coro.sp;
		__builtin_prefetch(sp);
		__builtin_prefetch(sp + 64);
		__builtin_prefetch(sp + 128);
		__builtin_prefetch(sp + 192);
#endif
	}
	return ev;
}

static inline struct sim_ev
take_event(struct sim *s)
{
	return take_event_impl(s, false);
}

/* What cpu_leave's loop tests before it takes the earliest event top:
 * true if it must go back to the scheduler instead. */
static inline bool
leave_stop(const struct sim *s, const struct sim_cpu *c, const struct sim_ev *top)
{
	return top == NULL || s->fatal != NULL || s->now > s->max_cycles ||
	       ((s->polls + 1) & 0xffff) == 0 || s->evq.n > s->evq_compact_at ||
	       (top->cls == SIM_EV_CPU && top->id != c->id &&
		((c->switches + 1) & (STACK_CHECK_PERIOD - 1)) == 0);
}

#ifndef NDEBUG
#define LEAVE_CHECK(s, cls, id) \
	do { \
		if ((s)->fatal == NULL) \
			check_invariants((s), (s)->now, (cls), (id)); \
	} while (0)
/* the event finished, for the checker's message */
#define LEAVE_NOTE(s, ev) \
	do { \
		(s)->leave_cls = (ev).cls; \
		(s)->leave_id = (ev).id; \
	} while (0)
#else
#define LEAVE_CHECK(s, cls, id) ((void)0)
#define LEAVE_NOTE(s, ev) ((void)0)
#endif

/* cpu_leave's loop while the earliest event is not a CPU's (the first one's
 * tests passed): take and handle each, then test as the loop does.  Its
 * state is in s (leave_cpu, leave_cls, leave_id), not on c's stack: a
 * pointer into cpu_leave's frame would keep its callers from leaving
 * theirs before the switch to the next CPU (a tail call), and each
 * resumed CPU would then pop a cold frame more (rcuscale gus at 4,096
 * CPUs: 7.9 M more L2 misses in cachegrind).
 * Returns 1 when the earliest event is a CPU's and may be taken, 0 when
 * cpu_leave must go back to the scheduler. */
static intptr_t
leave_events(void *arg)
{
	struct sim *s = arg;
	struct sim_cpu *c = s->leave_cpu;
	for (;;) {
		s->polls++;
		struct sim_ev ev = take_event(s);
		LEAVE_NOTE(s, ev);
		s->cur = NULL;          /* as in the scheduler */
		if (ev.cls == SIM_EV_SB)
			sim_sb_event(s, &s->cpus[ev.id], ev.time);
		else
			sim_line_event(s, ev.id, ev.time);
		s->cur = c;
		LEAVE_CHECK(s, s->leave_cls, s->leave_id);
		const struct sim_ev *top = sim_evq_top(&s->evq);
		if (leave_stop(s, c, top))
			return 0;
		if (top->cls == SIM_EV_CPU)
			return 1;
	}
}

/*
 * The running CPU c stops (it blocked, or yielded with its next event
 * queued).  Its event is finished: what the scheduler does after an event
 * is done here, on c's stack, and so are the events after it -- a
 * directory's or a store buffer's event is handled here, as the
 * scheduler would, on the side stack (leave_events) -- until the
 * earliest event is a CPU's: c's own
 * (c continues, no switch at all) or another's (c's coroutine switches
 * straight to it).  Host speed only: one coroutine switch per CPU event
 * instead of two and no pass through the scheduler's loop; the events are
 * taken in the same order with the same bookkeeping, so nothing simulated
 * changes.  The side stack is host speed only too: at 4,096 CPUs a CPU's
 * stack below its own frames has gone cold since it last ran, and the
 * directory's grant reached 4-5 lines down there (faa at 4,096 CPUs of
 * large, 4 M accesses, cachegrind with a 32 KiB L1 and a 512 KiB L2:
 * 3.95 M L1 write misses on the CPUs' stacks and elsewhere, 0.78 M on
 * the side stack; L2 misses 11.6 M -> 8.4 M).  An empty queue, a compaction, the periodic stop check, an
 * error, a switch whose stack check reads the whole canary (stack_ok) or a
 * stack without room (stack_roomy) go back to the scheduler instead.
 * Returns when c runs again.
 */
/* Running c hands the processor to n, already started (n == c: it goes on). */
static inline __attribute__((always_inline)) void
switch_to(struct sim_cpu *c, struct sim_cpu *n)
{
	if (n == c)
		return;
	c->switches++;          /* what stack_ok counts */
	sim_coro_switch(&c->coro, &n->coro);
}

static inline __attribute__((always_inline)) void
leave_to(struct sim *s, struct sim_cpu *c, struct sim_cpu *n, sim_time_t t)
{
	cpu_start(s, n, t);
	switch_to(c, n);
}

/* cpu_leave's loop (c's stack has room; leave_cls and leave_id name the
 * event finished last). */
static inline __attribute__((always_inline)) void
leave_loop(struct sim *s, struct sim_cpu *c)
{
	for (;;) {
		LEAVE_CHECK(s, s->leave_cls, s->leave_id);
		const struct sim_ev *top = sim_evq_top(&s->evq);
		if (leave_stop(s, c, top))
			break;
		/* a directory's or store buffer's events: on the side stack,
		 * which is hot, where c's stack below its own frames is cold */
		if (top->cls != SIM_EV_CPU) {
			s->leave_cpu = c;
			if (!sim_side_call(&s->side, leave_events, s))
				break;
		}
		s->polls++;
		struct sim_ev ev = take_event(s);
		LEAVE_NOTE(s, ev);
		struct sim_cpu *n = &s->cpus[ev.id];
		if (ev.seq != n->ev_seq || n->state == SIM_CPU_DONE)
			continue;               /* a stale event: it runs nothing */
		leave_to(s, c, n, ev.time);
		return;
	}
	s->ev_checked = true;
	sim_coro_switch(&c->coro, &s->main_co);
}

static inline __attribute__((always_inline)) void
cpu_leave(struct sim *s, struct sim_cpu *c)
{
	if (!stack_roomy(c)) {
		sim_coro_switch(&c->coro, &s->main_co);
		return;
	}
#ifndef NDEBUG
	s->leave_cls = SIM_EV_CPU;
	s->leave_id = c->id;
#endif
	leave_loop(s, c);
}

/* Out-of-line copies for sim_cpu_yield_slow's fast path to hand over to
 * (tail calls: the fast path then saves no registers). */
static G_NO_INLINE void
cpu_leave_out(struct sim *s, struct sim_cpu *c)
{
	cpu_leave(s, c);
}

static G_NO_INLINE void
leave_loop_out(struct sim *s, struct sim_cpu *c)
{
	leave_loop(s, c);
}

static G_NO_INLINE void
leave_to_out(struct sim *s, struct sim_cpu *c, struct sim_cpu *n, sim_time_t t)
{
	leave_to(s, c, n, t);
}

/*
 * cpu_leave for a CPU that yielded, its event just queued (the queue is
 * not empty): the common case -- the stack roomy, no reason to stop
 * (leave_stop), a CPU's live event first, the pop not changing buckets
 * (sim_evq_pop_advances), its coroutine prepared -- with no call but the
 * tail call of the switch, so a caller that makes no other call saves no
 * registers (they are the switch's to save); any other case hands over,
 * by a tail call and before changing anything the hand-over would do
 * again, to the out-of-line cpu_leave (or its loop, after a stale event;
 * or leave_to, for a coroutine to prepare), which takes the same steps in
 * the same order.
 */
static inline __attribute__((always_inline)) void
yield_leave(struct sim *s, struct sim_cpu *c)
{
	const struct sim_ev *top = &s->evq.top;
	SIM_ASSERT(s->evq.n > 0);
	if (G_UNLIKELY(!stack_roomy(c) || leave_stop(s, c, top) || top->cls != SIM_EV_CPU ||
		       sim_evq_pop_advances(&s->evq))) {
		cpu_leave_out(s, c);
		return;
	}
#ifndef NDEBUG
	s->leave_cls = SIM_EV_CPU;
	s->leave_id = c->id;
#endif
	LEAVE_CHECK(s, s->leave_cls, s->leave_id);
	s->polls++;
	struct sim_ev ev = take_event_impl(s, true);
	LEAVE_NOTE(s, ev);
	struct sim_cpu *n = &s->cpus[ev.id];
	if (G_UNLIKELY(ev.seq != n->ev_seq || n->state == SIM_CPU_DONE)) {
		leave_loop_out(s, c);   /* a stale event: it runs nothing */
		return;
	}
	if (G_UNLIKELY(!sim_coro_prepared(&n->coro))) {
		leave_to_out(s, c, n, ev.time);
		return;
	}
	cpu_start_prepared(s, n, ev.time);
	switch_to(c, n);
}

/* sim_cpu_yield_slow when c's event does not go into a wheel bucket with
 * room (sim_evq_push_fast): the push that calls out, then cpu_leave (not
 * yield_leave: faa's yields, which come here, find a directory's event
 * first, which yield_leave hands over, at a cost, to cpu_leave). */
static G_NO_INLINE void
yield_push_out(struct sim *s, struct sim_cpu *c)
{
	sim_evq_push_slow(&s->evq, c->now, c->ev_seq, c->id, SIM_EV_CPU);
	cpu_leave(s, c);
}

/*
 * sim_cpu_maybe_yield() when its test failed: c->now passed max_cycles,
 * or the earliest queued event is due before c's (so the queue is not
 * empty).  Its only caller has made that test, which is not made again
 * here.  c's event is queued (sim_schedule_cpu) and c leaves
 * (yield_leave, cpu_leave).
 *
 * Host speed only: rcuscale gus and ebr-ck at 4,096 CPUs yield at nearly
 * every access, and nearly every yield appends its event to a wheel
 * bucket that has room and passes the processor straight to the CPU
 * whose event is first, in the current calendar bucket: that case makes
 * no call but the switch's tail call, and saves no registers.
 */
void
sim_cpu_yield_slow(struct sim *s, struct sim_cpu *c)
{
	/* A CPU that never yields (running alone) still meets the limit. */
	if (G_UNLIKELY(c->now > s->run_watch)) {
		if (c->now > s->max_cycles)
			sim_fatal(s, "simulated time passed engine.max_cycles (%" G_GUINT64_FORMAT
				  ")", s->max_cycles);
		overrun_mark(s, c->now);
		if (sim_cpu_is_first(s, c))
			return;         /* it runs on */
	}
	SIM_ASSERT(s->evq.n > 0 && sim_ev_before(&s->evq.top, &(struct sim_ev){
		.time = c->now, .cls = SIM_EV_CPU, .id = c->id, .seq = UINT64_MAX }));
	c->state = SIM_CPU_RUNNABLE;
	c->ev_seq = ++s->seq;           /* sim_schedule_cpu(s, c, c->now) */
	s->st.yields++;
	/* the queue's first event is before c's (the caller's test) */
	if (G_UNLIKELY(!sim_evq_push_fast_after_top(&s->evq, c->now, c->ev_seq, c->id,
						    SIM_EV_CPU))) {
		yield_push_out(s, c);
		return;
	}
	yield_leave(s, c);
}

static const char *
block_name(uint8_t b)
{
	static const char *const names[] = { "running", "a line's directory",
		"its store buffer to drain", "store-buffer space", "a write to a watched line",
		"a timer" };
	return b < G_N_ELEMENTS(names) ? names[b] : "?";
}

static void
report_deadlock(struct sim *s, GError **err)
{
	GString *who = g_string_new(NULL);
	uint32_t shown = 0, blocked = 0;
	for (uint32_t i = 0; i < s->ncpus; i++) {
		struct sim_cpu *c = &s->cpus[i];
		if (c->state != SIM_CPU_BLOCKED)
			continue;
		if (shown++ < 4)
			g_string_append_printf(who, "%scpu %u waits for %s since t=%" G_GUINT64_FORMAT,
					       shown > 1 ? "; " : "", c->id, block_name(c->block),
					       c->block_since);
		blocked++;
	}
	sim_set_error(err, SIM_CONFIG_ERROR_INCONSISTENT,
		      "simulated deadlock: %u CPUs blocked and nothing left to happen (%s)",
		      blocked, who->str);
	g_string_free(who, TRUE);
}

static double
monotonic_seconds(void)
{
	return (double)g_get_monotonic_time() / 1e6;
}

/* What an interrupted run had done, in one line. */
static void
report_interrupt(const struct sim *s, sim_time_t now, sim_time_t goal, double secs,
		 GError **err)
{
	g_autofree char *part = goal ? g_strdup_printf(" (%.0f%% of the workload's %"
						       G_GUINT64_FORMAT " cycles)",
						       100.0 * (double)MIN(now, goal) / (double)goal,
						       goal)
				    : g_strdup("");
	sim_set_error(err, SIM_CONFIG_ERROR_INTERRUPTED,
		      "interrupted at simulated time %" G_GUINT64_FORMAT "%s after %" G_GUINT64_FORMAT
		      " events and %.1f host seconds", now, part, s->st.events, secs);
}

/* ---- stale events ---- */

struct stale_scan {
	const struct sim *s;
	sim_time_t max_dropped;
};

/* A CPU event is live only if its seq is the CPU's current one; a stale
 * one (a spin-wait timeout after a write woke the CPU) stays stale. */
static bool
event_live(const struct sim_ev *ev, void *arg)
{
	struct stale_scan *sc = arg;
	if (ev->cls != SIM_EV_CPU)
		return true;
	const struct sim_cpu *c = &sc->s->cpus[ev->id];
	if (ev->seq == c->ev_seq && c->state != SIM_CPU_DONE)
		return true;
	if (ev->time > sc->max_dropped)
		sc->max_dropped = ev->time;
	return false;
}

/*
 * Drop stale events once they are most of the queue.  Without this a CPU
 * that keeps re-arming a far deadline (sim_spin_while_eq64_until) and is
 * woken early every time leaves one event behind per wait, and the queue
 * grows with the run's length.  Stale events do nothing when popped but
 * count in metrics.engine.events, so dropped ones are counted at once
 * (the total is unchanged: the queue always drains), and their latest
 * time is still held against engine.max_cycles at the end.
 */
static void
compact_events(struct sim *s)
{
	struct stale_scan sc = { .s = s, .max_dropped = 0 };
	size_t dropped = sim_evq_filter(&s->evq, event_live, &sc);
	s->st.events += dropped;
	s->evq_dropped += dropped;
	if (sc.max_dropped > s->evq_dropped_max)
		s->evq_dropped_max = sc.max_dropped;
	size_t floor = 4 * (size_t)s->ncpus + 4096;
	s->evq_compact_at = 2 * s->evq.n > floor ? 2 * s->evq.n : floor;
}

gboolean
sim_run(struct sim *s, GError **err)
{
	g_assert(sim_current == s);
	const struct sim_run_config *rc = s->rc;
	double t0 = monotonic_seconds(), last_report = t0;
	sim_time_t goal = rc->workload->progress_goal ? rc->workload->progress_goal(s->wl_state) : 0;
	if (stop_requested) {
		sim_set_error(err, SIM_CONFIG_ERROR_INTERRUPTED, "interrupted before the run started");
		return FALSE;
	}
	if (s->fatal != NULL) {          /* a setup-time conflict (sim_tick_register) */
		g_propagate_error(err, g_steal_pointer(&s->fatal));
		return FALSE;
	}
	for (uint32_t i = 0; i < s->ncpus; i++) {
		s->cpus[i].state = SIM_CPU_RUNNABLE;
		sim_schedule_cpu(s, &s->cpus[i], 0);
	}
	s->evq_compact_at = 4 * (size_t)s->ncpus + 4096;
	s->polls = 0;
	s->run_watch = run_watch_time(s, goal);
	s->overrun_due = 0;
	while (!sim_evq_empty(&s->evq)) {
		if (G_UNLIKELY(s->evq.n > s->evq_compact_at)) {
			if (s->evq.n > s->evq_peak)
				s->evq_peak = s->evq.n;
			compact_events(s);
		}
		struct sim_ev ev = take_event(s);
		switch (ev.cls) {
		case SIM_EV_CPU: {
			struct sim_cpu *c = &s->cpus[ev.id];
			if (ev.seq != c->ev_seq || c->state == SIM_CPU_DONE)
				break;
			/* CPUs may pass the processor on from one to the next
			 * (cpu_leave): the event finished is the last one's,
			 * which may also have been checked on the way */
			ev.id = run_cpu(s, c, ev.time)->id;
			break;
		}
		case SIM_EV_SB:
			sim_sb_event(s, &s->cpus[ev.id], ev.time);
			break;
		default:
			sim_line_event(s, ev.id, ev.time);
			break;
		}
#ifndef NDEBUG
		if (s->fatal == NULL && !s->ev_checked)
			check_invariants(s, s->now, ev.cls, ev.id);
#endif
		s->ev_checked = false;
		if (G_UNLIKELY(s->fatal != NULL)) {
			g_propagate_error(err, g_steal_pointer(&s->fatal));
			return FALSE;
		}
		if (G_UNLIKELY(s->now > s->run_watch)) {
			if (s->now > s->max_cycles) {
				sim_set_error(err, SIM_CONFIG_ERROR_LIMIT, "simulated time passed "
					      "engine.max_cycles (%" G_GUINT64_FORMAT ")",
					      rc->engine.max_cycles);
				return FALSE;
			}
			overrun_mark(s, s->now);
		}
		overrun_give(s, goal);
		if (G_UNLIKELY((++s->polls & 0xffff) == 0)) {
			if (stop_requested) {
				report_interrupt(s, s->now, goal, monotonic_seconds() - t0, err);
				return FALSE;
			}
			double now = monotonic_seconds();
			if (s->progress && now - last_report >= 1.0) {
				last_report = now;
				s->progress(s->progress_arg, s->now, goal, s->st.events, now - t0);
			}
		}
	}
	s->host_seconds = monotonic_seconds() - t0;
	overrun_give(s, goal);
	if (rc->engine.max_cycles && s->evq_dropped_max > rc->engine.max_cycles) {
		sim_set_error(err, SIM_CONFIG_ERROR_LIMIT,
			      "simulated time passed engine.max_cycles (%" G_GUINT64_FORMAT ")",
			      rc->engine.max_cycles);
		return FALSE;
	}
	if (stop_requested) {
		report_interrupt(s, s->now, goal, s->host_seconds, err);
		return FALSE;
	}
	if (s->ndone != s->ncpus) {
		report_deadlock(s, err);
		return FALSE;
	}
	/* Stacks grow down and sit in CPU order, so CPU i's overflow breaks
	 * its own canary before it can reach CPU i - 1's: the highest CPU
	 * with a broken canary is the one that overflowed (a deep overflow
	 * may also break the canaries below it). */
	for (uint32_t i = s->ncpus; i-- > 0;) {
		if (!sim_coro_canary_intact(&s->cpus[i].coro)) {
			g_set_error(err, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_LIMIT,
				    "cpu %u overflowed its %u KiB coroutine stack; raise engine.stack_kib",
				    i, s->rc->engine.stack_kib);
			return FALSE;
		}
	}
	return TRUE;
}

/* ---- queries for workloads ---- */

const struct sim_machine *sim_machine_of(const struct sim *s) { return s->m; }
uint32_t sim_ncpus_of(const struct sim *s) { return s->ncpus; }
uint64_t sim_seed_of(const struct sim *s) { return s->rc->seed; }

sim_time_t
sim_end_time(const struct sim *s)
{
	sim_time_t t = 0;
	for (uint32_t i = 0; i < s->ncpus; i++)
		if (s->cpus[i].now > t)
			t = s->cpus[i].now;
	return t;
}

const struct sim_component *
sim_choice_of(const struct sim *s, enum sim_section_id sec, const void **params)
{
	g_assert((unsigned)sec < SIM_SECTION_N);
	if (params)
		*params = s->rc->choice[sec].params;
	return s->rc->choice[sec].comp;
}

void
sim_set_free_label(struct sim *s, const char *label)
{
	s->free_label = label;
}

void
sim_cpu_access_counts(const struct sim *s, uint32_t cpu, struct sim_access_counts *out)
{
	g_assert(cpu < s->ncpus);
	const struct sim_cpu *c = &s->cpus[cpu];
	*out = (struct sim_access_counts){
		.loads = c->n_load, .stores = c->n_store, .rmws = c->n_rmw,
		.load_misses = c->n_miss - c->n_rmw_miss, .store_misses = c->n_store_miss,
		.rmw_misses = c->n_rmw_miss,
	};
}

uint64_t
sim_cpu_cycles(const struct sim *s, uint32_t cpu, enum sim_cause c)
{
	g_assert(cpu < s->ncpus && (unsigned)c < SIM_CAUSE_N);
	return s->cpus[cpu].cycles[c];
}
