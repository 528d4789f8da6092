// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * GUS with a hierarchical poll: per-group floors refreshed by group
 * leaders at the scheduling tick and combined up a fanout tree, so that a
 * non-blocking smr_poll() reads one or two lines instead of every CPU's
 * c_seq.  Selected with "poll": "tree" in the "gus" scheme; everything
 * else (readers, the write clock, modes, UMA buckets) is rcl_gus.c's.
 *
 * LINEAGE.  The seed (004) notes that smr_poll() scans every CPU and
 * suggests a tree in the style of ParSec.  ParSec's released code
 * (gwsystems/ps ps_smr.c) is in fact flat, with cached remote snapshots
 * and transitive sharing of the last known quiescence.  This design keeps
 * that one idea: a remote CPU's state, once seen, is a bound that stays
 * valid.  It adds two things: the bounds are combined in a tree, as Linux
 * Tree RCU combines quiescent states in rcu_node (the last child to report
 * climbs), and the scan work moves off the poller onto one leader per
 * group, each reading lines inside its own cluster at its tick.  No
 * existing system does this.
 *
 * SHAPE (fanout F = tree_fanout, default 16; CPUs numbered cores-first, so
 * a leaf is a run of F CPUs, on `large` one 16-core cluster):
 *
 *                         root  [n_floor | n_arrive]      <- poll reads this
 *                   /            |              \
 *         node 1.0              node 1.1   ...   node 1.(N/F^2)  (leaders 0, F^2, ...)
 *        /   |    \
 *   leaf 0  leaf 1 ... leaf F-1            (leader of leaf l: CPU l*F)
 *   c_seq of CPUs 0..F-1, F..2F-1, ...     (one line per CPU, as in flat GUS)
 *
 * Levels: ceil(log_F N); at 65,536 CPUs and F = 16, 4096 leaves, 256 and
 * 16 interior nodes, and the root: 4 levels, 4,369 node lines.
 *
 * FLOORS.  n_floor of a node is a *permanent* bound for its subtree:
 * memory tagged with a goal G <= n_floor is unreachable for every read
 * section of every CPU below the node, now and later.  Proof for a leaf,
 * refreshed by one scan that
 * loads w0 = s_wr_seq first, then pin = the leaf's n_floor, then each
 * member's c_seq:
 *   (a) a member seen in a section with c_seq = c >= pin loaded c from the
 *       clock before its fence, so every object it can reach was still
 *       linked when the clock read c, and is tagged with a goal > c.  Its
 *       later sections load a clock >= c (the clock only grows, and one
 *       CPU's loads are ordered).  So min(c) over members is a bound.
 *   (b) a member seen idle contributes w0.  A later section of it loads
 *       the clock after our load of w0, and sees only objects that were
 *       still linked then, whose goals are > w0.  The one exception is
 *       the smr_enter race: the member loaded the clock *before* w0 and
 *       stores that stale value after our scan.  But its data loads come
 *       after that store, hence after our scan, and reach only objects
 *       still linked then, with goals > w0.  So the bound w0 holds for it
 *       too: the stale c_seq value is simply not its bound.
 *   (c) a member seen with c < pin is exactly such a stale section, and
 *       pin (an earlier bound that covered it) still holds: the clamp
 *       c := pin, as in FreeBSD's smr_poll_cpu().  Treating it as idle
 *       instead would use a *later* w0.  That is wrong, because the stale
 *       section can reach objects retired between the old and new w0: the
 *       stale_expired mutation.
 * An interior node's floor is the minimum of its children's floors, each
 * a bound for its part, so it is a bound too.  Bounds stay valid forever,
 * so a floor may be computed from children refreshed at different times,
 * and a racing store that lowers a floor only makes it more conservative.
 * The root's floor is a bound for every CPU, and s_rd_seq may be CASed up
 * to it.  It never exceeds s_wr_seq because every leaf's floor is <= its
 * w0.  Lazy mode keeps FreeBSD's argument unchanged: goals lie 2 ticks
 * ahead and every floor is <= the clock.
 *
 * ROUNDS.  At each tick, the leader of each leaf (its lowest CPU) with
 * F > 1 members:
 *   1. loads w0, scans its F members' c_seq lines (in-cluster transfers),
 *      stores the leaf floor;
 *   2. arrives at the parent: one CAS on the parent's n_arrive, which
 *      counts arrivals in round r = now / tick_period;
 *   3. if it was the last of the parent's children this round, reads
 *      their F floors, stores the parent's floor and arrives one level up;
 *   4. whoever completes the root CASes s_rd_seq up to the root's floor
 *      (one attempt, like smr_poll_scan).
 * So the root is refreshed once per tick, within the tick: staggered
 * (skewed) ticks finish the round at the last leader's tick.  Reclaim
 * latency is therefore about 1-2 ticks, whatever N, as long as the
 * leaders' own accesses are not held up.  At 65,536 CPUs they are: every
 * leader loads s_wr_seq at every tick, and that line is already the most
 * contended one (every smr_enter reads it; docs/gus.md).  No poller ever
 * scans in this path.
 *
 * POLL.  smr_poll(goal, wait=false), after FreeBSD's fast path on
 * s_rd_seq, reads the root line (one line).  If the root already covers
 * goal, it CASes s_rd_seq and succeeds; otherwise it fails and the next
 * round will get there.  smr_poll(goal, wait=true) (synchronize, the
 * drain at cpu_exit, advance_wait) does a *directed refresh* from the
 * root: it descends only into nodes whose floor is < goal, scans those
 * leaves waiting for each member as smr_poll_cpu does, and writes the
 * floors back on the way up.  Blocking waits therefore never depend on
 * ticks or on idle leaders.  Lazy SMRs, which may not block, wait by
 * polling once per tick with a directed refresh that does not spin.
 *
 * COST.  Non-blocking poll: 1 line (s_rd_seq) + 1 (root) + 1 CAS.
 * Per round: N c_seq reads inside clusters, N/F + N/F^2 + ... arrival CASes
 * and floor reads.  That is about N*(1 + 2/F) lines per tick spread over
 * the N/F leaders, against N lines per poll for flat GUS.
 *
 * WHAT IT LEAVES OUT (MODEL):
 *   - A leaf whose leader takes no ticks (finished, or idle with the tick
 *     stopped) stops its parent's rounds, so non-blocking polls fail until
 *     a blocking wait refreshes the path.  A kernel would hand leadership
 *     to a ticking CPU, as RCU tracks dynticks-idle CPUs.  In our
 *     workloads this happens only as CPUs finish.
 *   - Rounds are numbered by global time; a leader whose tick is delayed
 *     past the period may arrive twice in one round, which completes the
 *     parent with one child's older floor.  That is safe (floors are
 *     permanent bounds), merely less fresh.
 */
#include "engine.h"
#include "rcl_gus.h"

#define TN_NONE UINT32_MAX

/* The shape of node i: fixed at creation, host memory. */
struct gus_tnode {
	uint32_t parent;        /* node index, or TN_NONE at the root */
	uint32_t first_child;   /* interior: node index of its first child */
	uint32_t nchildren;     /* interior: children; leaf: member CPUs */
	uint32_t first_cpu;     /* lowest CPU below it: the node's leader */
	uint32_t level;         /* 0 = leaf */
};

struct gus_tree {
	uint32_t fanout;
	uint32_t nleaves;
	uint32_t nnodes;
	uint32_t nlevels;
	uint32_t root;
	struct gus_node *node;  /* simulated: one line per node */
	struct gus_tnode *tn;
	/* counters */
	uint64_t leaf_refreshes;   /* tick scans of a leaf by its leader */
	uint64_t climbs;           /* interior nodes recomputed by the last arrival */
	uint64_t rounds;           /* root recomputes */
	uint64_t rd_advanced;      /* ... whose CAS moved s_rd_seq */
	uint64_t refresh_cycles;   /* leaders' cycles in tick refreshes */
	uint64_t refresh_lines;    /* lines they read, RMW or wrote */
	uint64_t poll_fast;        /* non-blocking polls answered from the root line */
	uint64_t poll_lines;       /* lines those polls read (beyond s_rd_seq) */
	uint64_t directed;         /* blocking polls: directed refreshes */
	uint64_t directed_cycles;
	uint64_t directed_lines;
};

struct gus_tree *
gus_tree_create(struct sim *sim, struct gus *g)
{
	struct gus_tree *t = g_new0(struct gus_tree, 1);
	uint32_t f = g->p.tree_fanout, n = g->ncpus;
	t->fanout = f;
	t->nleaves = (n + f - 1) / f;
	/* Count the nodes level by level. */
	uint32_t total = 0, count = t->nleaves;
	for (;;) {
		total += count;
		t->nlevels++;
		if (count == 1)
			break;
		count = (count + f - 1) / f;
	}
	t->nnodes = total;
	t->root = total - 1;
	t->tn = g_new0(struct gus_tnode, total);
	t->node = sim_alloc(sizeof *t->node * total, 64);
	/* Leaves first, then each level above, root last. */
	uint32_t first = 0, width = t->nleaves;
	for (uint32_t l = 0; l < t->nleaves; l++) {
		t->tn[l] = (struct gus_tnode){ .parent = TN_NONE, .first_cpu = l * f, .level = 0,
					       .nchildren = MIN(f, n - l * f) };
	}
	for (uint32_t level = 1; width > 1; level++) {
		uint32_t up = first + width, uwidth = (width + f - 1) / f;
		for (uint32_t j = 0; j < uwidth; j++) {
			struct gus_tnode *p = &t->tn[up + j];
			p->first_child = first + j * f;
			p->nchildren = MIN(f, width - j * f);
			p->first_cpu = t->tn[p->first_child].first_cpu;
			p->level = level;
			p->parent = TN_NONE;
			for (uint32_t k = 0; k < p->nchildren; k++)
				t->tn[p->first_child + k].parent = up + j;
		}
		first = up;
		width = uwidth;
	}
	g_assert(first == t->root);
	for (uint32_t i = 0; i < total; i++) {
		t->node[i].n_floor = g->p.seq_init;
		sim_mem_prime(sim, &t->node[i], sizeof t->node[i], t->tn[i].first_cpu);
	}
	return t;
}

void
gus_tree_destroy(struct gus_tree *t)
{
	g_free(t->tn);
	g_free(t);
}

/* Store a node's floor if it moves forward; return the bound now known. */
static smr_seq_t
tree_raise_floor(struct gus_node *n, smr_seq_t old, smr_seq_t f, uint64_t *lines)
{
	if (SMR_SEQ_GT(f, old)) {
		sim_store32(&n->n_floor, f);
		(*lines)++;
		return f;
	}
	return old;
}

/*
 * Scan leaf `leaf`'s members: the minimum of w0 and their (clamped)
 * c_seq, with pin = the leaf's floor as loaded by the caller.  With wait,
 * spin on each member until it meets goal.  Stores the new floor.
 */
static smr_seq_t
tree_scan_leaf(struct gus *g, struct gus_tree *t, uint32_t leaf, smr_seq_t pin, smr_seq_t w0,
	       smr_seq_t goal, bool wait, uint64_t *lines)
{
	const struct gus_tnode *tn = &t->tn[leaf];
	smr_seq_t f = w0;
	for (uint32_t i = 0; i < tn->nchildren; i++) {
		smr_seq_t c = gus_poll_cpu(g, tn->first_cpu + i, pin, goal, wait, lines);
		if (c != SMR_SEQ_INVALID)
			f = SMR_SEQ_MIN(f, c);
	}
	return tree_raise_floor(&t->node[leaf], pin, f, lines);
}

/* Recompute interior node p from its children's floors. */
static smr_seq_t
tree_combine(struct gus_tree *t, uint32_t p, uint64_t *lines)
{
	const struct gus_tnode *tn = &t->tn[p];
	smr_seq_t f = sim_load32(&t->node[tn->first_child].n_floor);
	for (uint32_t k = 1; k < tn->nchildren; k++)
		f = SMR_SEQ_MIN(f, sim_load32(&t->node[tn->first_child + k].n_floor));
	*lines += tn->nchildren;
	smr_seq_t old = sim_load32(&t->node[p].n_floor);   /* a hit: we just RMW'd its line */
	return tree_raise_floor(&t->node[p], old, f, lines);
}

/* One arrival at node p in round r; return the arrivals so far in r. */
static uint32_t
tree_arrive(struct gus_node *n, uint32_t r)
{
	uint64_t old = sim_load64(&n->n_arrive);
	for (;;) {
		uint64_t nw = (uint32_t)(old >> 32) == r ? old + 1 : ((uint64_t)r << 32) | 1;
		uint64_t seen = sim_cas64(&n->n_arrive, old, nw);
		if (seen == old)
			return (uint32_t)nw;
		old = seen;
	}
}

/* CAS s_rd_seq up to f, once (smr_poll_scan's rule); return the read
 * hand the caller may trust. */
static smr_seq_t
tree_publish(struct gus *g, struct gus_tree *t, smr_seq_t f, uint64_t *lines)
{
	smr_seq_t cur = sim_load32(g->s_rd_seq);
	*lines += 1;
	if (SMR_SEQ_GT(f, cur)) {
		if (sim_cas32(g->s_rd_seq, cur, f) == cur)
			t->rd_advanced++;
		return f;
	}
	return cur;
}

void
gus_tree_tick(struct gus *g)
{
	struct gus_tree *t = g->tree;
	uint32_t id = sim_cpu_id();
	if (id % t->fanout != 0)
		return;                     /* only leaf leaders work at the tick */
	sim_time_t t0 = sim_now();
	uint32_t round = (uint32_t)(t0 / g->tick_period);
	uint64_t lines = 1;
	uint32_t n = id / t->fanout;
	/* Step 1: w0 before any c_seq, then the pin, then the members. */
	smr_seq_t w0 = sim_load32_acq(&g->s->s_wr.seq);
	smr_seq_t pin = sim_load32(&t->node[n].n_floor);
	lines++;
	smr_seq_t f = tree_scan_leaf(g, t, n, pin, w0, w0, false, &lines);
	t->leaf_refreshes++;
	/* Steps 2-3: the last child to arrive in this round climbs. */
	while (t->tn[n].parent != TN_NONE) {
		uint32_t p = t->tn[n].parent;
		lines++;
		if (tree_arrive(&t->node[p], round) < t->tn[p].nchildren)
			break;
		f = tree_combine(t, p, &lines);
		t->climbs++;
		n = p;
	}
	/* Step 4: the root's floor becomes the read hand. */
	if (n == t->root) {
		t->rounds++;
		(void)tree_publish(g, t, f, &lines);
	}
	t->refresh_lines += lines;
	t->refresh_cycles += sim_now() - t0;
}

/* Directed refresh: bring node n to goal, visiting only the nodes below
 * it whose floor is short of goal; with wait, spin on readers until they
 * meet it. */
static smr_seq_t
tree_refresh(struct gus *g, struct gus_tree *t, uint32_t n, smr_seq_t w0, smr_seq_t goal,
	     bool wait, uint64_t *lines)
{
	smr_seq_t f = sim_load32(&t->node[n].n_floor);
	(*lines)++;
	if (SMR_SEQ_LEQ(goal, f))
		return f;
	const struct gus_tnode *tn = &t->tn[n];
	if (tn->level == 0)
		return tree_scan_leaf(g, t, n, f, w0, goal, wait, lines);
	smr_seq_t m = w0;
	for (uint32_t k = 0; k < tn->nchildren; k++)
		m = SMR_SEQ_MIN(m, tree_refresh(g, t, tn->first_child + k, w0, goal, wait, lines));
	return tree_raise_floor(&t->node[n], f, m, lines);
}

smr_seq_t
gus_tree_poll(struct gus *g, smr_seq_t s_rd_seq, smr_seq_t s_wr_seq, smr_seq_t goal, bool wait,
	      bool refresh, uint64_t *poll_lines)
{
	struct gus_tree *t = g->tree;
	uint64_t lines = 0;
	if (!refresh) {
		smr_seq_t f = sim_load32(&t->node[t->root].n_floor);
		t->poll_fast++;
		lines++;
		if (SMR_SEQ_GT(f, s_rd_seq))
			s_rd_seq = SMR_SEQ_MAX(s_rd_seq, tree_publish(g, t, f, &lines));
		t->poll_lines += lines;
		*poll_lines += lines;
		return s_rd_seq;
	}
	sim_time_t t0 = sim_now();
	g->poll_scan++;
	t->directed++;
	smr_seq_t f = tree_refresh(g, t, t->root, s_wr_seq, goal, wait, &lines);
	smr_seq_t rd = tree_publish(g, t, f, &lines);
	t->directed_lines += lines;
	*poll_lines += lines;
	t->directed_cycles += sim_now() - t0;
	return SMR_SEQ_MAX(rd, f);
}

void
gus_tree_stats(const struct gus_tree *t, cJSON *out)
{
	cJSON_AddNumberToObject(out, "fanout", t->fanout);
	cJSON_AddNumberToObject(out, "levels", t->nlevels);
	cJSON_AddNumberToObject(out, "nodes", t->nnodes);
	cJSON_AddNumberToObject(out, "leaf_refreshes", (double)t->leaf_refreshes);
	cJSON_AddNumberToObject(out, "climbs", (double)t->climbs);
	cJSON_AddNumberToObject(out, "rounds", (double)t->rounds);
	cJSON_AddNumberToObject(out, "rd_advanced", (double)t->rd_advanced);
	cJSON_AddNumberToObject(out, "refresh_cycles", (double)t->refresh_cycles);
	cJSON_AddNumberToObject(out, "refresh_lines", (double)t->refresh_lines);
	cJSON_AddNumberToObject(out, "refresh_cycles_per_leaf",
				t->leaf_refreshes ? (double)t->refresh_cycles /
				(double)t->leaf_refreshes : 0.0);
	cJSON_AddNumberToObject(out, "poll_fast", (double)t->poll_fast);
	cJSON_AddNumberToObject(out, "poll_lines_mean",
				t->poll_fast ? (double)t->poll_lines / (double)t->poll_fast : 0.0);
	cJSON_AddNumberToObject(out, "directed", (double)t->directed);
	cJSON_AddNumberToObject(out, "directed_cycles_mean",
				t->directed ? (double)t->directed_cycles / (double)t->directed : 0.0);
	cJSON_AddNumberToObject(out, "directed_lines_mean",
				t->directed ? (double)t->directed_lines / (double)t->directed : 0.0);
}

bool
gus_tree_invariants_hold(const struct gus *g)
{
	const struct gus_tree *t = g->tree;
	smr_seq_t wr = g->s->s_wr.seq;
	for (uint32_t i = 0; i < t->nnodes; i++) {
		smr_seq_t f = t->node[i].n_floor;
		if ((f & 1) == 0 || SMR_SEQ_GT(f, wr))
			return false;       /* floors are odd and never pass the clock */
	}
	return true;
}
