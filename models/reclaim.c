// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/* Helpers shared by reclaim schemes: finding the configured scheme. */
#include "engine.h"
#include "reclaim.h"

const struct rcl_ops *
rcl_ops_of(const struct sim *sim)
{
	const struct sim_component *c = sim_choice_of(sim, SIM_SECTION_RECLAIM, NULL);
	return c ? rcl_ops_from(c) : NULL;
}

const void *
rcl_params_of(const struct sim *sim)
{
	const void *p = NULL;
	(void)sim_choice_of(sim, SIM_SECTION_RECLAIM, &p);
	return p;
}
