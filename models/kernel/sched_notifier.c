// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Scheduler notifiers (sched_notifier.h): the run's list of (sched_out, sched_in)
 * pairs, attached to the struct sim (sim_attach), host memory only.
 * Invariant: n <= SCHED_NOTIFIERS_MAX; the list is fixed once the run
 * starts (registration is setup-time).
 */
#include <glib.h>

#include "engine.h"
#include "sched_notifier.h"

struct sched_notifiers {
	uint32_t n;
	struct {
		const struct sched_notifier *ops;
		void *arg;
	} e[SCHED_NOTIFIERS_MAX];
};

/* The registry's key for sim_attach. */
static const char sched_key;

void
sched_notifier_register(struct sim *sim, const struct sched_notifier *n, void *arg)
{
	g_assert(n != NULL);
	struct sched_notifiers *l = sim_attached(sim, &sched_key);
	if (l == NULL) {
		l = g_new0(struct sched_notifiers, 1);
		sim_attach(sim, &sched_key, l, g_free);
	}
	g_assert(l->n < SCHED_NOTIFIERS_MAX);
	l->e[l->n].ops = n;
	l->e[l->n].arg = arg;
	l->n++;
}

void
sched_switch_out(struct sim *sim)
{
	const struct sched_notifiers *l = sim_attached(sim, &sched_key);
	if (l == NULL)
		return;
	uint32_t cpu = sim_cpu_id();
	for (uint32_t i = 0; i < l->n; i++)
		if (l->e[i].ops->sched_out)
			l->e[i].ops->sched_out(l->e[i].arg, cpu);
}

void
sched_switch_in(struct sim *sim)
{
	const struct sched_notifiers *l = sim_attached(sim, &sched_key);
	if (l == NULL)
		return;
	uint32_t cpu = sim_cpu_id();
	for (uint32_t i = l->n; i-- > 0;)
		if (l->e[i].ops->sched_in)
			l->e[i].ops->sched_in(l->e[i].arg, cpu);
}
