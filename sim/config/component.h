// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Pluggable model components selected by name in configs.
 *
 * A *section* is a top-level config key whose object picks one
 * implementation by a selector key and passes it parameters:
 *
 *     "reclaim": { "scheme": "gus", "mode": "lazy", ... }
 *      ^section     ^selector  ^component   ^its parameter table
 *
 * Every component's ops table starts with a struct sim_component (first
 * member), so the config loader can validate any section without knowing
 * the model: name lookup, parameter table, defaults, effective values.
 * Sections are listed in sim_sections[] (component.c); each kind's
 * registry lives next to its models (e.g. models/reclaim/registry.c).
 */
#ifndef SIM_COMPONENT_H
#define SIM_COMPONENT_H

#include <stddef.h>

#include "param.h"

struct sim_component {
	const char *name;               /* value of the selector key */
	const char *summary;            /* one line for `sim list` */
	const struct sim_param *params; /* its keys (terminated by SIM_P_END) */
	size_t params_size;             /* size of the struct they fill */
	/* Cross-field checks once the parameters and the CPU count are
	 * loaded (may be NULL): one-line SIM_CONFIG_ERROR like the loader's. */
	gboolean (*check)(const void *params, uint32_t ncpus,
			  const struct sim_origin *origin, GError **err);
};

struct sim_section {
	const char *key;                /* top-level config key: "reclaim" */
	const char *selector;           /* key naming the component: "scheme" */
	const char *what;               /* for messages and `sim list`: "reclaim scheme" */
	/* NULL-terminated registry of this kind. */
	const struct sim_component *const *(*all)(void);
};

enum sim_section_id {
	SIM_SECTION_RECLAIM,
	SIM_SECTION_LOCK,
	SIM_SECTION_LOCKING,        /* kernel locks: the spinlock flavour, sleep costs */
	SIM_SECTION_KALLOC,         /* the kernel allocator (models/mm/kalloc.h) */
	SIM_SECTION_KERNEL,         /* kernel mechanisms: cross-CPU calls (models/kernel) */
	SIM_SECTION_TREE,           /* the search tree of address ranges (models/tree/tree.h) */
	SIM_SECTION_ASPACE,         /* the address-space design (models/aspace/aspace.h) */
	SIM_SECTION_N
};

extern const struct sim_section sim_sections[SIM_SECTION_N];

/* A section's choice in a run: NULL component if the config omits it. */
struct sim_choice {
	const struct sim_component *comp;
	void *params;
};

/* sim_component_find - the component of kind sec called name, or NULL. */
const struct sim_component *sim_component_find(enum sim_section_id sec, const char *name);

#endif
