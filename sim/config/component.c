// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* The table of config sections that select model components. */
#include "component.h"

#include <string.h>

#include "aspace.h"
#include "klock.h"
#include "kalloc.h"
#include "lock.h"
#include "reclaim.h"
#include "smp.h"
#include "tree.h"

const struct sim_section sim_sections[SIM_SECTION_N] = {
	[SIM_SECTION_RECLAIM] = {
		.key = "reclaim",
		.selector = "scheme",
		.what = "reclaim scheme",
		.all = rcl_all,
	},
	[SIM_SECTION_LOCK] = {
		.key = "lock",
		.selector = "kind",
		.what = "lock",
		.all = lock_all,
	},
	[SIM_SECTION_LOCKING] = {
		.key = "locking",
		.selector = "spinlock",
		.what = "spinlock flavour",
		.all = klock_spinlock_all,
	},
	[SIM_SECTION_KALLOC] = {
		.key = "kalloc",
		.selector = "allocator",
		.what = "kernel allocator",
		.all = kalloc_all,
	},
	[SIM_SECTION_KERNEL] = {
		.key = "kernel",
		.selector = "smp",
		.what = "SMP cross-call (IPI) implementation",
		.all = smp_all,
	},
	[SIM_SECTION_TREE] = {
		.key = "tree",
		.selector = "kind",
		.what = "search tree",
		.all = tree_all,
	},
	[SIM_SECTION_ASPACE] = {
		.key = "aspace",
		.selector = "design",
		.what = "address-space design",
		.all = aspace_all,
	},
};

const struct sim_component *
sim_component_find(enum sim_section_id sec, const char *name)
{
	for (const struct sim_component *const *p = sim_sections[sec].all(); *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}
