// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The tick slice and the tick's other work (see rcu_clock.h).
 */
#include <math.h>

#include "engine.h"
#include "rcu_clock.h"

void
rcu_clock_register(struct rcu_clock *c, struct sim *sim, uint32_t hz, uint32_t wakeup_us,
		   uint32_t tick_work_ns, bool skew, void (*fn)(void *), void *arg)
{
	double ghz = sim_machine_of(sim)->freq_ghz;
	uint64_t jiffy = (uint64_t)llround(ghz * 1e9 / hz);
	uint64_t want = wakeup_us ? (uint64_t)llround(ghz * 1e3 * wakeup_us) : jiffy;
	uint32_t slices = want >= jiffy || want == 0 ? 1 : (uint32_t)((jiffy + want - 1) / want);
	c->hz = hz;
	c->slices = slices;
	c->slice = jiffy / slices ? jiffy / slices : 1;
	c->jiffy = c->slice * slices;
	c->tick_work = (uint64_t)llround(ghz * tick_work_ns);
	sim_tick_register(sim, c->slice, skew, fn, arg);
}

void
rcu_clock_nohz(const struct rcu_clock *c, struct sim *sim,
	       enum sim_tick_idle (*fn)(void *arg, uint32_t cpu), void *arg)
{
	sim_tick_nohz_register(sim, c->jiffy, fn, arg);
}

void
rcu_tick_other_work(const struct rcu_clock *c)
{
	if (c->tick_work)
		sim_work(sim_random_below(c->tick_work + 1));
}
