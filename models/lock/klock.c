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
 * microseconds); runs that depend on them should sweep them.
 */
const struct sim_param klock_params_table[] = {
	SIM_P_U32_ROW(struct klock_params, context_switch, 0, 10000000, 2000,
		      "cycles a task pays to sleep (schedule() away) and again to run when woken"),
	SIM_P_U32_ROW(struct klock_params, wakeup, 0, 10000000, 1500,
		      "cycles the waker pays per task it wakes (try_to_wake_up)"),
	SIM_P_END,
};

static struct klock *
klock_new(struct sim *sim, const struct spinlock_ops *ops, const struct klock_params *p)
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
	g_assert(ops != &klock_spin_ticket_ops || kl->ncpus <= UINT16_MAX);
	/* Linux: _Q_PENDING_BITS is 8 if CONFIG_NR_CPUS < 16K, else 1. */
	kl->q_wide = kl->ncpus >= (1u << 14);
	size_t per = sizeof(struct mcs_spinlock) * KLOCK_MAX_NODES;
	G_STATIC_ASSERT(sizeof(struct mcs_spinlock) * KLOCK_MAX_NODES == 64);
	kl->qnodes = sim_alloc(per * kl->ncpus, 64);
	for (uint32_t i = 0; i < kl->ncpus; i++)
		sim_mem_prime(sim, &kl->qnodes[i * KLOCK_MAX_NODES], per, i);
	return kl;
}

struct klock *
klock_create(struct sim *sim)
{
	const void *params = NULL;
	const struct sim_component *c = sim_choice_of(sim, SIM_SECTION_LOCKING, &params);
	if (c == NULL)
		return klock_new(sim, &klock_spin_queued_ops, NULL);
	return klock_new(sim, (const struct spinlock_ops *)c, params);
}

struct klock *
klock_create_with(struct sim *sim, const char *name, const struct klock_params *p)
{
	for (const struct sim_component *const *c = spin_registry; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return klock_new(sim, (const struct spinlock_ops *)*c, p);
	return NULL;
}

void
klock_destroy(struct klock *kl)
{
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
}

void
spin_lock_init(spinlock_t *lock)
{
	sim_store32(&lock->val, 0);
}
