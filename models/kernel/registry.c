// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* The registry of cross-CPU call implementations (models/kernel/smp*.c),
 * and what they share: the flush cost rule and the counters' report. */
#include <string.h>

#include "engine.h"
#include "smp.h"

extern const struct smp_ops smp_linux_ops;
extern const struct smp_ops smp_sv6_ops;
extern const struct smp_ops smp_linux35_ops;
extern const struct smp_ops smp_linux2637_ops;

static const struct sim_component *const smps[] = {
	&smp_linux_ops.comp,
	&smp_sv6_ops.comp,
	&smp_linux35_ops.comp,
	&smp_linux2637_ops.comp,
	NULL,
};

static const struct smp_params smp_defaults = {
	.invlpg = 200, .flush_all = 500, .flush_ceiling = 33, .handler_work = 0,
	.cpuidle_governor = 0, .cpuidle_inputs = 0, .cpuidle_load = 1024,
	.cpuidle_next_timer_us = 4000, .hz = 250, .nohz = true,
};

const struct sim_component *const *
smp_all(void)
{
	return smps;
}

const struct smp_ops *
smp_find(const char *name)
{
	for (const struct sim_component *const *p = smps; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return smp_ops_from(*p);
	return NULL;
}

const struct smp_ops *
smp_ops_of(const struct sim *sim, const void **params)
{
	const struct sim_component *c = sim_choice_of(sim, SIM_SECTION_KERNEL, params);
	if (c)
		return smp_ops_from(c);
	*params = &smp_defaults;
	return &smp_linux_ops;
}

uint64_t
smp_flush_cost(const struct smp_params *p, uint32_t npages)
{
	if (p == NULL)
		p = &smp_defaults;
	if (npages > p->flush_ceiling)
		return p->flush_all;
	return (uint64_t)npages * p->invlpg;
}

void
smp_stats_call(struct smp_stats *st, uint64_t t0, uint32_t ntargets)
{
	uint64_t dt = sim_now() - t0;

	st->shootdowns++;
	st->targets += ntargets;
	st->cycles += dt;
	if (dt > st->max_cycles)
		st->max_cycles = dt;
}

void
smp_stats_report(const struct smp_stats *st, cJSON *out)
{
	cJSON_AddNumberToObject(out, "shootdowns", (double)st->shootdowns);
	cJSON_AddNumberToObject(out, "shootdown_targets", (double)st->targets);
	cJSON_AddNumberToObject(out, "shootdown_ipis", (double)st->ipis);
	cJSON_AddNumberToObject(out, "shootdown_handlers", (double)st->handlers);
	cJSON_AddNumberToObject(out, "shootdown_acks", (double)st->acks);
	cJSON_AddNumberToObject(out, "shootdown_cycles_mean",
				st->shootdowns ? (double)st->cycles / (double)st->shootdowns : 0.0);
	cJSON_AddNumberToObject(out, "shootdown_cycles_max", (double)st->max_cycles);
	cJSON_AddNumberToObject(out, "shootdown_cycles_per_target",
				st->targets ? (double)st->cycles / (double)st->targets : 0.0);
}

void
smp_set_flush_fn(const struct smp_ops *ops, void *st, smp_flush_fn fn, void *arg)
{
	struct smp_flush_hooks *h = ops->flush_hooks(st);
	g_assert(h->n < SMP_FLUSH_HOOKS_MAX);
	h->h[h->n].fn = fn;
	h->h[h->n].arg = arg;
	h->n++;
}

void
smp_clear_flush_fn(const struct smp_ops *ops, void *st, smp_flush_fn fn, void *arg)
{
	struct smp_flush_hooks *h = ops->flush_hooks(st);
	for (uint32_t i = 0; i < h->n; i++) {
		if (h->h[i].fn == fn && h->h[i].arg == arg) {
			memmove(&h->h[i], &h->h[i + 1], (h->n - i - 1) * sizeof(h->h[0]));
			h->n--;
			return;
		}
	}
}

bool
smp_flush_hooks_run(const struct smp_flush_hooks *h, uint32_t initiator, uint64_t start,
		    uint32_t npages)
{
	bool done = false;
	for (uint32_t i = 0; i < h->n; i++)
		done |= h->h[i].fn(h->h[i].arg, initiator, start, npages);
	return done;
}
