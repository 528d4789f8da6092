// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * What the per-event cache checker looks at (debug builds only).
 *
 * WHAT IT KEEPS
 *   - Every line an event touched (sim_line_get(), plus the victims whose
 *     sharer record an eviction changed), once each, however many: a
 *     traversal of a thousand lines in one event has all thousand
 *     checked.  A per-line stamp (inv_seen) makes recording O(1).
 *   - For every line, the caches that hold it (its holder index): each
 *     core whose last private level (L2, or L1d without one) has it, and
 *     each cluster LLC that has it, whatever generation.
 *     Maintained where hier.c puts a line into a cache or takes it out,
 *     so the checker compares the directory's sharer record (nsh,
 *     nsh_llc) with the caches' own tags in O(holders) lookups at any
 *     machine size, instead of scanning every core (which it did only up
 *     to 64).  Cache entries move (hier.c keeps them in tables that grow),
 *     so the index names the cache and the checker looks the line up.
 *
 * INVARIANTS
 *   - a cache is in the index of the line it holds, once, and of no other;
 *   - s->touched[0 .. ntouched) are distinct, and l->inv_seen ==
 *     s->inv_epoch exactly for the lines among them.
 *
 * Release builds compile none of this (engine_impl.h makes the hooks
 * empty inlines): a release run pays nothing.
 */
#include "engine_impl.h"

#ifndef NDEBUG

void
sim_inv_touch(struct sim *s, struct sim_line *l, uint32_t id)
{
	if (l->inv_seen == s->inv_epoch)
		return;
	l->inv_seen = s->inv_epoch;
	if (s->ntouched == s->captouched) {
		s->captouched = s->captouched ? s->captouched * 2 : 64;
		s->touched = g_renew(uint32_t, s->touched, s->captouched);
	}
	s->touched[s->ntouched++] = id;
}

void
sim_inv_touched_reset(struct sim *s)
{
	s->ntouched = 0;
	s->inv_epoch++;
	if (s->captouched > 4096) {
		/* One setup or traversal touched many lines: do not keep the
		 * room for every later event. */
		g_free(s->touched);
		s->touched = NULL;
		s->captouched = 0;
	}
}

void
sim_inv_hold(struct sim *s, uint32_t id, uint32_t who, bool on)
{
	struct sim_line *l = s->line_chunks[id >> SIM_LINE_CHUNK_SHIFT];
	g_assert(l != NULL);
	l += id & (SIM_LINE_CHUNK - 1);
	l->inv_dirty = true;
	if (on) {
		if (l->nholders == l->capholders) {
			l->capholders = l->capholders ? l->capholders * 2 : 4;
			l->holders = g_renew(uint32_t, l->holders, l->capholders);
		}
		l->holders[l->nholders++] = who;
		return;
	}
	for (uint32_t i = l->nholders; i-- > 0;) {
		if (l->holders[i] == who) {
			l->holders[i] = l->holders[--l->nholders];
			return;
		}
	}
	g_error("line %u: holder %#x lets it go but was not in the index", id, who);
}

#endif
