// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* The registry of search trees (models/tree/<name>.c) for the "tree"
 * section, and what every tree shares: node retirement and the common
 * counters' report. */
#include <string.h>

#include "engine.h"
#include "reclaim.h"
#include "tree.h"

extern const struct tree_ops tree_bonsai_ops;
extern const struct tree_ops tree_rbtree_ops;
extern const struct tree_ops tree_maple_ops;
extern const struct tree_ops tree_radix_ops;
extern const struct tree_ops tree_functional_ops;

/* Each tree adds its ops table here, in the order `sim list` shows. */
static const struct sim_component *const trees[] = {
	&tree_bonsai_ops.comp,
	&tree_rbtree_ops.comp,
	&tree_maple_ops.comp,
	&tree_radix_ops.comp,
	&tree_functional_ops.comp,
	NULL,
};

const struct sim_component *const *
tree_all(void)
{
	return trees;
}

const struct tree_ops *
tree_find(const char *name)
{
	for (const struct sim_component *const *p = trees; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return tree_ops_from(*p);
	return NULL;
}

const struct tree_ops *
tree_ops_of(const struct sim *sim, const void **params)
{
	const struct sim_component *c = sim_choice_of(sim, SIM_SECTION_TREE, params);
	return c ? tree_ops_from(c) : NULL;
}

void
tree_node_retire(const struct tree_env *env, struct tree_stats *st,
		 void *obj, size_t size, size_t align)
{
	st->nodes_retired++;
	if (env->mutation_free_now)
		sim_free(obj, size, align);
	else
		env->rcl->retire(env->rs, obj, size, align);
}

void
tree_stats_emit(const struct tree_stats *st, cJSON *out)
{
	cJSON_AddNumberToObject(out, "lookups", (double)st->lookups);
	cJSON_AddNumberToObject(out, "lookup_hits", (double)st->lookup_hits);
	cJSON_AddNumberToObject(out, "lookup_retries", (double)st->lookup_retries);
	cJSON_AddNumberToObject(out, "inserts", (double)st->inserts);
	cJSON_AddNumberToObject(out, "erases", (double)st->erases);
	cJSON_AddNumberToObject(out, "nodes_allocated", (double)st->nodes_allocated);
	cJSON_AddNumberToObject(out, "nodes_retired", (double)st->nodes_retired);
	cJSON_AddNumberToObject(out, "rotations", (double)st->rotations);
	cJSON_AddNumberToObject(out, "gap_searches", (double)st->gap_searches);
	cJSON_AddNumberToObject(out, "gap_nodes_visited", (double)st->gap_nodes_visited);
}
