// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The locking context of a run (struct klock): which spinlock flavour the
 * "locking" config section chose, qspinlock's per-CPU MCS nodes, the
 * costs of sleeping and waking, and the counters every lock kind adds to.
 *
 * Layout of the per-CPU nodes (simulated, one line per CPU, homed on and
 * primed by that CPU, like Linux's per-CPU qnodes[MAX_NODES]):
 *
 *   line i:  [ node 0 | node 1 | node 2 | node 3 ]   16 bytes each
 *            node k: next (written by the CPU queued behind this one),
 *                    locked (written by the CPU queued ahead),
 *                    count (node 0: CPU i's nesting level, CPU i only)
 *
 * Invariants: a CPU's nesting count is the number of its queued slow
 * paths in progress (<= KLOCK_MAX_NODES); counters only grow.
 */
#include <glib.h>
#include <string.h>

#include "engine.h"
#include "klock_impl.h"
#include "cpuidle.h"
#include "sched_notifier.h"

extern const struct spinlock_ops klock_spin_queued_ops;
extern const struct spinlock_ops klock_spin_ticket_ops;

static const struct sim_component *const spin_registry[] = {
	&klock_spin_queued_ops.comp,
	&klock_spin_ticket_ops.comp,
	NULL,
};

const struct sim_component *const *
klock_spinlock_all(void)
{
	return spin_registry;
}

/*
 * MODEL: sleeping and waking are flat costs, not a scheduler: a task that
 * blocks pays context_switch to switch away and again to switch back in
 * when woken; its CPU runs nothing else meanwhile (idle, consuming no
 * cycles and touching no line).  The waker pays wakeup per task woken
 * plus the store that clears the waiter's flag.  Defaults are of the
 * order Linux shows on x86 servers (a futex ping-pong round trip of a few
 * microseconds); runs that depend on them should sweep them.  Between the
 * two switches the run's scheduler notifiers run (models/kernel/sched_notifier.h:
 * sched_out once switched away, sched_in once woken), on the sleeper's
 * CPU and at its cost.  On machines with idle states (machine.idle_states)
 * the sleeping CPU enters one (models/kernel/cpuidle.c picks it) and the
 * wake-up pays its exit latency before the switch back in.
 */
const struct sim_param klock_params_table[] = {
	SIM_P_U32_ROW(struct klock_params, context_switch, 0, 10000000, 2000,
		      "cycles a task pays to sleep (schedule() away) and again to run when woken"),
	SIM_P_U32_ROW(struct klock_params, wakeup, 0, 10000000, 1500,
		      "cycles the waker pays per task it wakes (try_to_wake_up)"),
	SIM_P_BOOL_ROW(struct klock_params, ttwu_queue_ipi, false,
		       "a wake-up of a task on a CPU of another last-level cache queues it "
		       "there and sends a reschedule IPI (Linux 3.0-3.15's ttwu_queue_remote; "
		       "false: the waker's store wakes the polling idle CPU, as 3.5 does within "
		       "an LLC and 2.6.37 everywhere)"),
	SIM_P_END,
};

static struct klock *
klock_new(struct sim *sim, const struct spinlock_ops *ops, const struct klock_params *p,
	  bool percpu)
{
	struct klock *kl = g_new0(struct klock, 1);
	kl->sim = sim;
	kl->spin = ops;
	if (p)
		kl->p = *p;
	else
		sim_params_defaults(klock_params_table, &kl->p);
	kl->ncpus = sim_ncpus_of(sim);
	kl->pause = sim_machine_of(sim)->lat.pause;
	/* Linux: _Q_PENDING_BITS is 8 if CONFIG_NR_CPUS < 16K, else 1. */
	kl->q_wide = kl->ncpus >= (1u << 14);
	/* RWSEM_WAIT_TIMEOUT: DIV_ROUND_UP(HZ, 250) jiffies, 4 ms. */
	kl->rwsem_wait_timeout = (uint64_t)(4e6 * sim_machine_of(sim)->freq_ghz);
	kl->idle = cpuidle_get(sim);
	if (!percpu)
		return kl;
	size_t per = sizeof(struct mcs_spinlock) * KLOCK_MAX_NODES;
	G_STATIC_ASSERT(sizeof(struct mcs_spinlock) * KLOCK_MAX_NODES == 64);
	kl->qnodes = sim_alloc(per * kl->ncpus, 64);
	for (uint32_t i = 0; i < kl->ncpus; i++)
		sim_mem_prime(sim, &kl->qnodes[i * KLOCK_MAX_NODES], per, i);
	G_STATIC_ASSERT(sizeof(struct klock_task) == 192);
	kl->llc = g_new0(uint32_t, kl->ncpus);
	kl->tasks = sim_alloc(sizeof(struct klock_task) * kl->ncpus, 64);
	for (uint32_t i = 0; i < kl->ncpus; i++) {
		kl->tasks[i].on_cpu = 1;            /* written by the setup thread */
		sim_mem_prime(sim, &kl->tasks[i], sizeof kl->tasks[i], i);
	}
	return kl;
}

struct klock *
klock_create(struct sim *sim)
{
	const void *params = NULL;
	const struct sim_component *c = sim_choice_of(sim, SIM_SECTION_LOCKING, &params);
	if (c == NULL)
		return klock_new(sim, &klock_spin_queued_ops, NULL, true);
	return klock_new(sim, (const struct spinlock_ops *)c, params, true);
}

struct klock *
klock_create_with(struct sim *sim, const char *name, const struct klock_params *p)
{
	for (const struct sim_component *const *c = spin_registry; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return klock_new(sim, (const struct spinlock_ops *)*c, p, true);
	return NULL;
}

struct klock *
klock_create_ticket_only(struct sim *sim)
{
	return klock_new(sim, &klock_spin_ticket_ops, NULL, false);
}

void
klock_destroy(struct klock *kl)
{
	g_free(kl->llc);
	g_free(kl);
}

const char *
klock_spinlock_name(const struct klock *kl)
{
	return kl->spin->comp.name;
}

const struct spinlock_ops *
klock_spin_ops(const struct klock *kl)
{
	return kl->spin;
}

const struct klock_counters *
klock_counters_of(const struct klock *kl)
{
	return &kl->n;
}

void
klock_stats(const struct klock *kl, cJSON *out)
{
	const struct klock_counters *n = &kl->n;
	cJSON_AddStringToObject(out, "spinlock", kl->spin->comp.name);
	cJSON_AddNumberToObject(out, "spin_acquired", (double)n->spin_acquired);
	cJSON_AddNumberToObject(out, "spin_contended", (double)n->spin_contended);
	cJSON_AddNumberToObject(out, "spin_pending", (double)n->spin_pending);
	cJSON_AddNumberToObject(out, "spin_queued", (double)n->spin_queued);
	cJSON_AddNumberToObject(out, "spin_nested", (double)n->spin_nested);
	cJSON_AddNumberToObject(out, "rw_read_acquired", (double)n->rw_read_acquired);
	cJSON_AddNumberToObject(out, "rw_write_acquired", (double)n->rw_write_acquired);
	cJSON_AddNumberToObject(out, "rw_read_slowpath", (double)n->rw_read_slowpath);
	cJSON_AddNumberToObject(out, "rw_write_slowpath", (double)n->rw_write_slowpath);
	cJSON_AddNumberToObject(out, "seq_read_begin", (double)n->seq_read_begin);
	cJSON_AddNumberToObject(out, "seq_begin_spins", (double)n->seq_begin_spins);
	cJSON_AddNumberToObject(out, "seq_read_retry", (double)n->seq_read_retry);
	cJSON_AddNumberToObject(out, "seq_write", (double)n->seq_write);
	cJSON_AddNumberToObject(out, "sleeps", (double)n->sleeps);
	cJSON_AddNumberToObject(out, "wakeups", (double)n->wakeups);
	cJSON_AddNumberToObject(out, "wakeup_ipis", (double)n->wakeup_ipis);
	cJSON_AddNumberToObject(out, "rwsem_read_acquired", (double)n->rwsem_read_acquired);
	cJSON_AddNumberToObject(out, "rwsem_write_acquired", (double)n->rwsem_write_acquired);
	cJSON_AddNumberToObject(out, "rwsem_read_slowpath", (double)n->rwsem_read_slowpath);
	cJSON_AddNumberToObject(out, "rwsem_write_slowpath", (double)n->rwsem_write_slowpath);
	cJSON_AddNumberToObject(out, "rwsem_read_steal", (double)n->rwsem_read_steal);
	cJSON_AddNumberToObject(out, "rwsem_handoff", (double)n->rwsem_handoff);
	cJSON_AddNumberToObject(out, "mutex_acquired", (double)n->mutex_acquired);
	cJSON_AddNumberToObject(out, "mutex_slowpath", (double)n->mutex_slowpath);
	cJSON_AddNumberToObject(out, "mutex_spin_acquired", (double)n->mutex_spin_acquired);
	cJSON_AddNumberToObject(out, "mutex_sleep_acquired", (double)n->mutex_sleep_acquired);
	cJSON_AddNumberToObject(out, "mutex_handoff", (double)n->mutex_handoff);
}

/* ---- tasks: sleeping and waking (see the MODEL note above) ---- */

void
klock_set_current_state(struct klock *kl, uint32_t state)
{
	(void)sim_xchg32(&klock_current(kl)->state, state);
}

void
klock_schedule(struct klock *kl)
{
	struct klock_task *t = klock_current(kl);
	uint32_t v = sim_load32(&t->state);
	if (v == TASK_RUNNING)
		return;                     /* woken before it could switch away */
	kl->n.sleeps++;
	kl->llc[sim_cpu_id()] = sim_cpu_socket() + 1;
	sim_work(kl->p.context_switch);
	sim_store32(&t->on_cpu, 0);
	sched_switch_out(kl->sim);
	enum sim_cause c = sim_cause_push(SIM_CAUSE_SLEEP);
	v = sim_load32(&t->state);
	while (v != TASK_RUNNING) {
		/* The idle loop: each wake-up (the waker's write, or an
		 * interrupt) ends one idle period; still not runnable, the
		 * governor picks a state again (cpu_idle -> cpuidle_idle_call). */
		sim_time_t timer = SIM_TIME_NEVER;
		if (kl->idle)
			timer = cpuidle_enter(kl->idle, SIM_TIME_NEVER);
		/* A wake-up during a TLB-flushing state's leave_mm took this
		 * CPU's copy of the state line: the wait returns at once, as
		 * MWAIT does on a monitored line written after MONITOR. */
		sim_wait_for_write(&t->state, timer);
		if (kl->idle)
			cpuidle_exit(kl->idle);
		v = sim_load32(&t->state);
	}
	if (kl->idle)
		cpuidle_loop_exit(kl->idle);
	sim_cause_pop(c);
	sched_switch_in(kl->sim);
	sim_store32(&t->on_cpu, 1);
	sim_work(kl->p.context_switch);
}

void
schedule_timeout_uninterruptible(struct klock *kl, uint64_t cycles)
{
	struct klock_task *t = klock_current(kl);
	sim_time_t until = sim_now() + cycles;
	kl->n.sleeps++;
	kl->llc[sim_cpu_id()] = sim_cpu_socket() + 1;
	sim_work(kl->p.context_switch);
	sim_store32(&t->on_cpu, 0);
	sched_switch_out(kl->sim);
	enum sim_cause c = sim_cause_push(SIM_CAUSE_SLEEP);
	/* MODEL: with idle states, one idle period per timer event up to the
	 * deadline; an interrupt inside a period pays the exit latency and
	 * the CPU stays in C0 to that period's end (Linux would re-select). */
	if (kl->idle == NULL)
		sim_sleep_until(until);         /* no cycles consumed */
	while (kl->idle && sim_now() < until) {
		sim_time_t timer = cpuidle_enter(kl->idle, until);
		sim_sleep_until(timer);
		cpuidle_exit(kl->idle);
	}
	if (kl->idle)
		cpuidle_loop_exit(kl->idle);
	sim_cause_pop(c);
	sched_switch_in(kl->sim);
	sim_store32(&t->on_cpu, 1);
	sim_work(kl->p.context_switch);
}

/* The reschedule IPI's handler on the wakee's CPU (scheduler_ipi). */
static void
ttwu_ipi_handler(void *arg)
{
	struct klock_task *t = arg;
	sim_store32_rel(&t->state, TASK_RUNNING);
}

void
klock_wake_up_process(struct klock *kl, struct klock_task *t)
{
	/* try_to_wake_up(): raw_spin_lock_irqsave(&p->pi_lock) and
	 * smp_mb__after_spinlock() before reading p->__state, so the waker's
	 * earlier stores (an rwsem grant's waiter->task = NULL) are visible
	 * before it decides the task is running.  Without it a TSO load could
	 * pass the grant still in the store buffer: the wakee would see its
	 * task field set after the waker saw it running -- a lost wake-up.
	 * MODEL: pi_lock itself is not simulated; the barrier is. */
	sim_fence_full();
	if (sim_load32(&t->state) == TASK_RUNNING)
		return;
	kl->n.wakeups++;
	sim_work(kl->p.wakeup);
	uint32_t cpu = (uint32_t)(t - kl->tasks);
	if (kl->p.ttwu_queue_ipi && kl->llc[cpu] != 0 && kl->llc[cpu] != sim_cpu_socket() + 1) {
		/* Linux 3.0-3.15's ttwu_queue: !cpus_share_cache(this, cpu) ->
		 * ttwu_queue_remote: llist_add to the target rq's wake_list and
		 * smp_send_reschedule, whether or not the target polls (3.16's
		 * set_nr_if_polling skips the IPI for a polling idle CPU).  The
		 * target's scheduler_ipi -> sched_ttwu_pending activates the task
		 * (p->state = TASK_RUNNING) in its handler, after its idle exit
		 * latency and interrupt entry.
		 * MODEL: the wake_list cmpxchg and the target's rq lock are not
		 * simulated; the waker still pays the flat wakeup cost. */
		kl->n.wakeup_ipis++;
		sim_ipi_send(cpu, ttwu_ipi_handler, t);
		return;
	}
	/* Same LLC (or ttwu_queue_ipi off): ttwu_do_activate under the target
	 * rq's lock, then resched_task, which sends no IPI to a CPU whose idle
	 * task polls: cpu_idle sets TS_POLLING and intel_idle keeps it while
	 * its MWAIT monitors the thread flags, so the store of need_resched
	 * itself wakes the CPU (here: the store to the task's line). */
	sim_store32_rel(&t->state, TASK_RUNNING);
}

void
klock_wake_up_kthread(struct klock *kl, const uint32_t *state)
{
	sim_fence_full();
	(void)sim_load32(state);
	kl->n.wakeups++;
	sim_work(kl->p.wakeup);
}

/* ---- wait lists ---- */

void
klist_add_tail(struct klist *head, struct klist *node)
{
	struct klist *last = sim_loadp((void *const *)&head->prev);
	sim_storep((void **)&node->next, NULL);
	sim_storep((void **)&node->prev, last);
	if (last)
		sim_storep((void **)&last->next, node);
	else
		sim_storep((void **)&head->next, node);
	sim_storep((void **)&head->prev, node);
}

void
klist_del(struct klist *head, struct klist *node)
{
	struct klist *next = sim_loadp((void *const *)&node->next);
	struct klist *prev = sim_loadp((void *const *)&node->prev);
	if (next)
		sim_storep((void **)&next->prev, prev);
	else
		sim_storep((void **)&head->prev, prev);
	if (prev)
		sim_storep((void **)&prev->next, next);
	else
		sim_storep((void **)&head->next, next);
}

struct klist *
klist_first(const struct klist *head)
{
	return sim_loadp((void *const *)&head->next);
}

bool
klist_is_singular(const struct klist *head)
{
	struct klist *first = sim_loadp((void *const *)&head->next);
	return first != NULL && first == sim_loadp((void *const *)&head->prev);
}

bool
spin_invariants_hold(const struct klock *kl, const spinlock_t *lock)
{
	return kl->spin->invariants_hold(kl, lock);
}

void
spin_lock_init(spinlock_t *lock)
{
	sim_store32(&lock->val, 0);
}
