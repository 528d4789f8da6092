// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* The registries of model components: reclaim schemes and locks. */
#include <string.h>

#include "engine.h"
#include "lock.h"
#include "reclaim.h"

extern const struct lock_ops lock_ticket_ops;
extern const struct lock_ops lock_mcs_ops;
extern const struct rcl_ops rcl_tree_rcu_ops, rcl_classic_rcu_ops, rcl_srcu_ops;
extern const struct rcl_ops rcl_gus_ops;
extern const struct rcl_ops rcl_rwlock_ops, rcl_rwsem_ops, rcl_refcount_ops, rcl_seqcount_ops;
extern const struct rcl_ops rcl_ebr_ck_ops, rcl_ebr_crossbeam_ops, rcl_hp_ops;
extern const struct rcl_ops rcl_urcu_qsbr_ops, rcl_urcu_memb_ops, rcl_urcu_mb_ops, rcl_urcu_signal_ops;

/* Add each scheme's table here (one extern per models/rcl_*.c file). */
static const struct sim_component *const registry[] = {
	&rcl_tree_rcu_ops.comp, &rcl_classic_rcu_ops.comp, &rcl_srcu_ops.comp,
	&rcl_gus_ops.comp,
	&rcl_ebr_ck_ops.comp, &rcl_ebr_crossbeam_ops.comp, &rcl_hp_ops.comp,
	&rcl_urcu_qsbr_ops.comp, &rcl_urcu_memb_ops.comp, &rcl_urcu_mb_ops.comp,
	&rcl_urcu_signal_ops.comp,
	&rcl_rwlock_ops.comp, &rcl_rwsem_ops.comp, &rcl_refcount_ops.comp, &rcl_seqcount_ops.comp,
	NULL,
};

const struct sim_component *const *
rcl_all(void)
{
	return registry;
}

const struct rcl_ops *
rcl_find(const char *name)
{
	for (const struct sim_component *const *p = registry; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return rcl_ops_from(*p);
	return NULL;
}

static const struct sim_component *const locks[] = {
	&lock_ticket_ops.comp,
	&lock_mcs_ops.comp,
	NULL,
};

const struct sim_component *const *
lock_all(void)
{
	return locks;
}

const struct lock_ops *
lock_find(const char *name)
{
	for (const struct sim_component *const *p = locks; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return lock_ops_from(*p);
	return NULL;
}

const struct lock_ops *
lock_ops_of(const struct sim *sim, const void **params)
{
	const struct sim_component *c = sim_choice_of(sim, SIM_SECTION_LOCK, params);
	if (c)
		return lock_ops_from(c);
	*params = NULL;        /* every lock accepts NULL: its defaults */
	return &lock_ticket_ops;
}
