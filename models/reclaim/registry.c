// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* The registry of reclaim schemes: every models/reclaim/rcl_*.c table, by name. */
#include <string.h>

#include "engine.h"
#include "reclaim.h"

extern const struct rcl_ops rcl_tree_rcu_ops, rcl_classic_rcu_ops, rcl_srcu_ops;
extern const struct rcl_ops rcl_gus_ops;
extern const struct rcl_ops rcl_rwlock_ops, rcl_rwsem_ops, rcl_refcount_ops, rcl_seqcount_ops;
extern const struct rcl_ops rcl_ebr_ck_ops, rcl_ebr_crossbeam_ops, rcl_hp_ops;
extern const struct rcl_ops rcl_urcu_qsbr_ops, rcl_urcu_memb_ops, rcl_urcu_mb_ops, rcl_urcu_signal_ops;

/* Add each scheme's table here (one extern per models/reclaim/rcl_*.c file). */
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
