// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* The registry of updater locks: every models/lock/lock_*.c table, by name. */
#include <string.h>

#include "engine.h"
#include "lock.h"

extern const struct lock_ops lock_ticket_ops;
extern const struct lock_ops lock_mcs_ops;

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
