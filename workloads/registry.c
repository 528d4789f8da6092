// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* The workload registry: every workload's ops table, by name. */
#include <string.h>

#include "workload.h"

extern const struct sim_workload_ops wl_line_ww_ops;
extern const struct sim_workload_ops wl_line_rw_ops;
extern const struct sim_workload_ops wl_line_rr_ops;
extern const struct sim_workload_ops wl_line_wx_ops;
extern const struct sim_workload_ops wl_chase_ops;
extern const struct sim_workload_ops wl_faa_ops;
extern const struct sim_workload_ops wl_kalloc_ops;
extern const struct sim_workload_ops wl_klock_ops;
extern const struct sim_workload_ops wl_mapbench_ops;
extern const struct sim_workload_ops wl_pingpong_ops;
extern const struct sim_workload_ops wl_rcuscale_ops;
extern const struct sim_workload_ops wl_memcached_ops;
extern const struct sim_workload_ops wl_rcutorture_ops;
extern const struct sim_workload_ops wl_shootdown_ops;
extern const struct sim_workload_ops wl_treebench_ops;
extern const struct sim_workload_ops wl_willitscale_ops;

static const struct sim_workload_ops *const registry[] = {
	&wl_chase_ops,
	&wl_faa_ops,
	&wl_kalloc_ops,
	&wl_klock_ops,
	&wl_line_rr_ops,
	&wl_line_rw_ops,
	&wl_line_ww_ops,
	&wl_line_wx_ops,
	&wl_mapbench_ops,
	&wl_memcached_ops,
	&wl_pingpong_ops,
	&wl_rcuscale_ops,
	&wl_rcutorture_ops,
	&wl_shootdown_ops,
	&wl_treebench_ops,
	&wl_willitscale_ops,
	NULL,
};

const struct sim_workload_ops *const *
sim_workload_all(void)
{
	return registry;
}

const struct sim_workload_ops *
sim_workload_find(const char *name)
{
	for (const struct sim_workload_ops *const *p = registry; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}
