// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The coherence cost model: simulated cache lines, their directory, and
 * what each transaction costs.
 *
 * WHAT IT MODELS
 * A directory-based MESI protocol over a socket > cluster > core
 * hierarchy (machine.h).  Every line has a home socket (first touch, like
 * Linux's default NUMA policy) whose directory serializes the
 * transactions on that line.  Each transaction is three messages ("legs"):
 *
 *       requester R --(a: request)--> directory D --(b: forward)--> source S
 *            ^                                                        |
 *            +----------------------(d: data / acks)------------------+
 *
 *   D = R's own cluster LLC when the current owner sits in R's cluster
 *       (an intra-cluster snoop), otherwise the home socket's directory;
 *   S = the owner's cluster (M/E line), the farthest sharer's cluster
 *       (a write invalidating S copies; invalidations are one multicast,
 *       so only the farthest sharer's round trip counts), the home
 *       (data of an S line, b = leg_socket, when an LLC holds it -- the
 *       requester's, the home socket's or the farthest sharer's), or DRAM
 *       at the home (b = mem, plus any wait at its memory controller).
 *   A leg inside a cluster costs leg_cluster; between a cluster and a
 *   directory or cluster of the same socket leg_socket; across sockets
 *   leg_link + (hops - 1) * leg_hop.
 *
 * Timeline of a transaction granted at time tg (request issued at ti):
 *
 *     t_arr = max(tg, ti + a)    request reaches D
 *     t_x   = t_arr + b          the old owner / sharers lose their copies
 *                                (never before the old owner has held the
 *                                line for `hold` cycles, see below)
 *     t1    = t_x + d            R has the line and continues
 *     dir_free = t1 + a          completion reaches D; next grant possible
 *
 * So an uncontended miss costs a + b + d, and back-to-back handoffs of a
 * contended line are spaced b + d + a apart: N simultaneous writers wait
 * (N+1)/2 handoffs each on average.  Between t1 and the next forward
 * reaching it (dir_free + b'), the new owner keeps hitting in its cache:
 * that is how real owners batch several RMWs per ownership.
 *
 * Pipelined directories (latency.hold > 0): the directory does not wait
 * for the ack; it grants the next request as soon as it has forwarded
 * the previous one (dir_free = t_x), and the next forward takes the line
 * from the new owner `hold` cycles after the data reached it.  Handoffs
 * are then spaced hold + d apart and an owner gets about hold / atomic_hit
 * + 1 RMWs per ownership: perfbook's count_atomic on Intel (about two)
 * needs this, Clements' ben ww curve (non-pipelined, hold = 0) does not.
 *
 * Conflicts: a transaction whose messages cross sockets, granted while
 * another request for the line from a socket other than the line's home
 * is waiting, pays latency.conflict extra before its data arrives (in d:
 * the old owner loses the line on time; the new one completes late).  This is
 * the home agent resolving overlapping requests that arrived over the
 * links (Intel QPI's conflict messages); requests from the home socket
 * itself are ordered by its LLC and cause none.  It is why ben's
 * contended cross-socket handoffs cost 30-70% more than mctop's isolated
 * CAS latencies.
 *
 * Remote reads (latency.remote_read_snoop, latency.share_writeback; both 0
 * unless a preset sets them): a read from another socket than the line's
 * home completes remote_read_snoop later (in d), and the home stays busy
 * with the line until then (dir_free = t1 + a).  If the read leaves copies
 * of dirty data in two sockets, the home also writes the line back to DRAM
 * and holds it share_writeback cycles longer (a memory-controller slot is
 * taken too); a downgrade inside the home socket leaves the dirty data in
 * the home's LLC (l->dirty stays set) and costs nothing extra.
 * MODEL: the snoop stands for a home-snooped protocol without a directory
 * of S copies (Westmere-EX, 8 sockets): the home collects the other
 * sockets' snoop responses before it completes a remote read; it is one
 * number per machine, fitted (ben: rw readers at N = 11 and 80), whatever
 * the distance to the farthest socket.  Only reads pay it: writes' extra
 * cross-socket cost is what conflict was fitted to.  The writeback is
 * MESI/MESIF's (a shared line is clean in memory; MOESI presets leave it
 * 0), and the home is assumed to hold the line until the DRAM write is
 * done.  Expected effect: each socket of readers holds the home longer
 * (on ben +150 per remote socket's turn), and the first remote read after
 * a write delays everything queued behind it by share_writeback: the
 * home socket's readers pay for a remote read in flight, as ben's rw
 * readers do (docs/validation.md).  Nothing changes for writes, nor for
 * presets that set neither parameter.
 *
 * Sharers: the directory knows which caches hold S copies of the current
 * generation -- nsh private caches and nsh_llc cluster LLCs, counted
 * exactly through fills and evictions -- and the farthest cluster that
 * held one (sh_far).  A write from a core whose copy (and its cluster
 * LLC's) is the only one left upgrades at the directory (a + d, no
 * forward); otherwise the S copies are invalidated (b to sh_far).
 * MODEL: sh_far is not recomputed when a far copy is evicted while a
 * nearer one stays, so such an invalidation is booked at the old
 * distance (too expensive by at most one link round trip).
 *
 * Arbitration: when D is free it grants one waiting request chosen
 * uniformly at random (the SIM_RNG_ARBITER stream).
 * MODEL: real home agents see requests in an arrival order jittered by
 * tens of cycles and give no fairness guarantee; a strict CPU-id or FIFO
 * order would group same-socket requests and make N simultaneous
 * cross-socket writers look up to 2-3x cheaper than ben measures.
 *
 * Reads of a line that R's cluster LLC holds in S are served by that LLC
 * (2 * leg_cluster), serialized per (cluster, line) by cluster_occupancy,
 * without the directory -- except where a cluster is a whole socket
 * (Intel): there the home socket's LLC slice is also the line's home
 * agent, which orders every request for a line in one queue, so LLC hits
 * in the home socket wait for the directory and occupy it.  Readers of one cluster that miss while a fetch
 * for that cluster is pending merge into it (an LLC miss-status register)
 * and are served by the LLC when the data arrives.
 *
 * INVARIANTS (checked by sim_line_invariants_hold() after every event, in
 * debug builds, for every line the event touched or whose sharer record an
 * eviction changed -- all of them, see inv.c; sim_invariant_hook_register())
 *   - at most one owner is valid at any time: the losing owner's window
 *     [prev_from, prev_until) ends before the new owner's starts;
 *   - owner != SIM_NONE  =>  no S copy of the current generation exists
 *     outside the owner's core (nsh == nsh_llc == 0, and no cache in the
 *     line's holder index has one, at any machine size);
 *   - nsh and nsh_llc are exactly the private caches and LLCs that hold
 *     the current generation (checked against the holder index);
 *   - nsh == nsh_llc == 0 exactly when sh_far == SIM_NONE;
 *   - a line with waiters has an arbitration event queued (ev_pending),
 *     and a waiting request is for this line, from a CPU blocked on a
 *     line (or from a busy store buffer);
 *   - dir_free never decreases (asserted where it is written, in grant(),
 *     and without pipelining never before the last data arrival).
 *
 * WHAT IT LEAVES OUT (MODEL)
 *   - No link or mesh bandwidth: messages for different lines never queue
 *     behind each other.  Many hot lines at once are too cheap.
 *   - Capacity (which lines still fit, LRU, owned lines given back on
 *     eviction, memory-controller queueing) is hier.c's; see its own
 *     list of what it leaves out.
 *   - S data always comes from the home, never forwarded by a sharer.
 *   - Loads block: no memory-level parallelism.  Scans of many remote
 *     lines (a poll over every CPU's counter) are too expensive, by up to
 *     the miss parallelism of the core (about 10x) in the worst case.
 *   - The conflict penalty is one number per machine, whatever the
 *     number of conflicting requests or sockets.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"

/* ---- topology helpers ---- */

static inline uint32_t
cluster_socket(const struct sim *s, uint32_t cluster)
{
	return cluster / s->m->topo.clusters_per_socket;
}

static inline uint64_t
link_cost(const struct sim *s, uint32_t hops)
{
	const struct sim_latency *lat = &s->m->lat;
	return hops == 0 ? lat->leg_socket : lat->leg_link + (uint64_t)(hops - 1) * lat->leg_hop;
}

void
sim_links_init(struct sim *s)
{
	uint32_t n = s->m->topo.sockets;
	if (n > SIM_LINK_TAB_MAX_SOCKETS)
		return;
	uint32_t *tab = g_new(uint32_t, (size_t)n * n);
	for (uint32_t a = 0; a < n; a++) {
		for (uint32_t b = 0; b < n; b++) {
			uint64_t c = link_cost(s, sim_machine_hops(s->m, a, b));
			if (c > UINT32_MAX) {
				g_free(tab);     /* absurd latencies: compute them */
				return;
			}
			tab[(size_t)a * n + b] = (uint32_t)c;
		}
	}
	s->link_tab = tab;
}

void
sim_links_free(struct sim *s)
{
	g_clear_pointer(&s->link_tab, g_free);
}

/* One message between (a cluster of) socket sa and (a cluster or the
 * directory of) socket sb, sa != sb or not. */
static inline uint64_t
leg_ss(const struct sim *s, uint32_t sa, uint32_t sb)
{
	if (G_LIKELY(s->link_tab != NULL))
		return s->link_tab[(size_t)sa * s->m->topo.sockets + sb];
	return link_cost(s, sim_machine_hops(s->m, sa, sb));
}

/* One message between cluster ca of socket sa and cluster cb of socket sb. */
static inline uint64_t
leg_cc(const struct sim *s, uint32_t ca, uint32_t sa, uint32_t cb, uint32_t sb)
{
	if (ca == cb)
		return s->m->lat.leg_cluster;
	return leg_ss(s, sa, sb);
}

/* One message between a cluster and the directory of socket sock. */
static inline uint64_t
leg_ch(const struct sim *s, uint32_t cluster, uint32_t sock)
{
	return leg_ss(s, cluster_socket(s, cluster), sock);
}

/* Is this cluster's LLC slice the line's home agent (one cluster per
 * socket, in the home socket)? */
static inline bool
llc_is_home(const struct sim *s, const struct sim_line *l, uint32_t cluster)
{
	return s->m->topo.clusters_per_socket == 1 && cluster == l->home;
}

/*
 * xfer_class - the cause of a transaction through the directory of socket
 * home, between requester cluster rq and source cluster src (SIM_NONE:
 * the home itself serves it): the widest scope any of its messages
 * crosses.  XFER_REMOTE (and so the conflict penalty) whenever a message
 * crosses a socket boundary -- also between two clusters of one socket
 * when the line's home is another socket -- else XFER_SOCKET.  Every
 * path through the directory classifies with this, so the cause always
 * agrees with the legs it is charged for.  (An owner in the requester's
 * own cluster is snooped by the cluster LLC, without the directory:
 * XFER_CLUSTER, see legs_from_owner().)
 */
static inline enum sim_cause
xfer_class(uint32_t rq_socket, uint32_t home, uint32_t src_socket)
{
	if (rq_socket != home || (src_socket != SIM_NONE && src_socket != home))
		return SIM_CAUSE_XFER_REMOTE;
	return SIM_CAUSE_XFER_SOCKET;
}

/* ---- lines ---- */

/* Apply a deferred op to lines [a, b] of the chunk c whose first line
 * is base. */
static void
line_op_apply(struct sim *s, struct sim_line *c, uint32_t base, const struct sim_line_op *op,
	      uint32_t a, uint32_t b)
{
	if (op->kind == SIM_LINE_OP_HOME) {
		for (uint32_t id = a; id <= b; id++)
			c[id - base].home = op->arg;
		return;
	}
	for (uint32_t id = a; id <= b; id++) {
		struct sim_line *l = &c[id - base];
		l->poison = 0xff;
		for (unsigned w = 0; w < 8; w++)
			l->free_epoch[w]++;
		l->freed_at = op->at;
		l->freed_cpu = op->arg;
	}
	memset(s->arena + ((uint64_t)a << SIM_LINE_SHIFT), 0xdb,
	       ((uint64_t)(b - a) + 1) << SIM_LINE_SHIFT);
}

void
sim_line_op_defer(struct sim *s, const struct sim_line_op *op)
{
	g_array_append_val(s->line_ops, *op);
}

struct sim_line *
sim_line_chunk_make(struct sim *s, uint32_t chunk)
{
	SIM_ASSERT(chunk < s->nline_chunks && s->line_chunks[chunk] == NULL);
	/* line-aligned (struct sim_line's layout); freed with free() */
	void *mem = NULL;
	if (posix_memalign(&mem, 64, SIM_LINE_CHUNK * sizeof(struct sim_line)) != 0)
		g_error("out of memory for line records");
	memset(mem, 0, SIM_LINE_CHUNK * sizeof(struct sim_line));
	struct sim_line *c = mem;
	for (uint32_t i = 0; i < SIM_LINE_CHUNK; i++) {
		c[i].owner = c[i].prev_owner = SIM_NONE;
		c[i].home = c[i].sh_far = SIM_NONE;
		c[i].gen = SIM_GEN_INIT;
	}
	/* Ops deferred while the chunk did not exist, oldest first, so a
	 * later one wins as it would have on made lines. */
	uint32_t base = chunk << SIM_LINE_CHUNK_SHIFT, top = base + (SIM_LINE_CHUNK - 1);
	for (guint r = 0; s->line_ops && r < s->line_ops->len; r++) {
		const struct sim_line_op *op = &g_array_index(s->line_ops, struct sim_line_op, r);
		if (op->last < base || op->first > top)
			continue;
		line_op_apply(s, c, base, op, MAX(op->first, base), MIN(op->last, top));
	}
	s->line_chunks[chunk] = c;
	g_array_append_val(s->chunks_made, chunk);
	s->lines_allocated += SIM_LINE_CHUNK;
	sim_mem_grew(s);
	return c;
}

static inline bool
gen_valid(const struct sim_line *l, uint32_t g, sim_time_t t)
{
	return sim_gen_valid(l, g, t);
}

/* ---- the sharer record (nsh, nsh_llc, sh_far) ---- */

/* A private cache or an LLC of cluster `cluster` gained a copy of l's
 * current generation. */
void
sim_sharer_gained(struct sim *s, struct sim_line *l, uint32_t cluster)
{
	if (l->sh_far == SIM_NONE || leg_ch(s, cluster, l->home) > leg_ch(s, l->sh_far, l->home))
		l->sh_far = cluster;
}

/* A copy of l's current generation left a cache (evicted or replaced). */
void
sim_sharer_lost(struct sim_line *l)
{
	if (l->nsh == 0 && l->nsh_llc == 0)
		l->sh_far = SIM_NONE;
}

/* l's generation moves on: every S copy is stale, nobody shares it. */
static void
sharers_reset(struct sim_line *l)
{
	l->nsh = l->nsh_llc = 0;
	l->sh_far = SIM_NONE;
}

/* ---- caches (hier.c holds the arrays, LRU and evictions) ---- */

/* Is core's copy of l (an S copy, not an owned line) valid at t? */
static inline bool
pc_valid(const struct sim *s, uint32_t core, const struct sim_line *l, uint32_t id,
	 sim_time_t t)
{
	const struct sim_cway *w = sim_pc_find(s, &s->cores[core], id);
	return w && gen_valid(l, w->gen, t);
}

/* CPU c's core now holds line (l) tagged gen (SIM_GEN_OWNED for M/E);
 * see sim_pc_fill().  now: the current simulated time. */
static inline void
pc_fill(struct sim *s, const struct sim_cpu *c, struct sim_line *l, uint32_t line, uint32_t gen,
	sim_time_t now)
{
	sim_pc_fill(s, c->core, c->cluster, l, line, gen, now);
}

static inline struct sim_l3_ent *
l3_lookup(const struct sim *s, const struct sim_cluster *cl, uint32_t line)
{
	return sim_llc_find(s, cl, line);
}

static inline struct sim_l3_ent *
l3_get(struct sim *s, uint32_t cluster_id, uint32_t line)
{
	return sim_llc_get(s, cluster_id, line);
}

/* Does cluster's LLC hold valid data of l at t (no fetch pending)? */
static inline bool
llc_valid(const struct sim *s, uint32_t cluster, const struct sim_line *l, uint32_t id,
	  sim_time_t t)
{
	const struct sim_l3_ent *e = sim_llc_find(s, &s->clusters[cluster], id);
	return e && e->fill == NULL && gen_valid(l, e->gen, t);
}

/* Tag cluster `cluster`'s LLC entry e for line l with gen, keeping
 * l->nsh_llc exact. */
void
sim_l3_set_gen(struct sim *s, struct sim_line *l, uint32_t cluster, struct sim_l3_ent *e,
	       uint32_t gen)
{
	bool was = e->gen == l->gen;
	sim_inv_retagged(l, e->gen, gen);
	e->gen = gen;
	if (gen == l->gen && !was) {
		l->nsh_llc++;
		sim_sharer_gained(s, l, cluster);
	} else if (was && gen != l->gen) {
		l->nsh_llc--;
		sim_sharer_lost(l);
	}
}

/* The cluster's LLC holds an S copy from time `from` on. */
static void
l3_fill(struct sim *s, struct sim_line *l, uint32_t cluster_id, uint32_t line, uint32_t gen,
	sim_time_t from)
{
	struct sim_l3_ent *e = l3_get(s, cluster_id, line);
	if (e) {
		sim_l3_set_gen(s, l, cluster_id, e, gen);
		if (e->busy_until < from)
			e->busy_until = from;
	}
}

/* ---- CPU-side checks (called on the running CPU; no cost) ---- */

void
sim_first_touch(struct sim *s, struct sim_line *l, const struct sim_cpu *c)
{
	(void)s;
	if (l->home == SIM_NONE)
		l->home = c->socket;
}

static void
req_init(struct sim_req *r, struct sim_cpu *c, uint32_t line, enum sim_req_kind kind,
	 bool sb, sim_time_t t)
{
	r->cpu = c;
	r->line = line;
	r->kind = (uint8_t)kind;
	r->sb = sb;
	r->nodata = false;
	r->issued = t;
	r->merge_head = r->merge_tail = r->merge_next = NULL;
}

void
sim_read_miss(struct sim *s, struct sim_cpu *c, struct sim_line *l, uint32_t id)
{
	sim_time_t t = c->now;
	sim_first_touch(s, l, c);
	struct sim_l3_ent *e = l3_lookup(s, &s->clusters[c->cluster], id);
	if (e && e->fill == NULL && l->owner == SIM_NONE && gen_valid(l, e->gen, t)) {
		/* LLC hit: serialized per line in this cluster. */
		const struct sim_latency *lat = &s->m->lat;
		sim_time_t start = t > e->busy_until ? t : e->busy_until;
		bool at_home = llc_is_home(s, l, c->cluster);
		if (at_home && start < l->dir_free)
			start = l->dir_free;
		e->busy_until = start + lat->cluster_occupancy;
		if (at_home)
			l->dir_free = e->busy_until;
		e->lru = ++s->clusters[c->cluster].clock;
		pc_fill(s, c, l, id, e->gen, t);
		s->st.llc_hits++;
		sim_charge(c, SIM_CAUSE_QUEUE, start - t);
		sim_charge(c, SIM_CAUSE_LLC, 2ull * lat->leg_cluster);
		/* Block until the data arrives (not just advance the clock), so
		 * the caller reads the line's value at that time: a previous
		 * owner may still write it directly until its downgrade
		 * completes (prev_until <= start), and a CPU that read earlier
		 * would hold a valid copy of a stale value and could sleep on
		 * it forever in a spin-wait. */
		sim_cpu_timeout(s, c, start + 2ull * lat->leg_cluster);
		sim_cpu_block(s, c, SIM_BLOCK_LINE);
		return;
	}
	req_init(&c->req, c, id, SIM_REQ_READ, false, t);
	if (e && e->fill) {
		/* A fetch for this cluster is on its way: merge into it. */
		struct sim_req *f = e->fill;
		if (f->merge_tail)
			f->merge_tail->merge_next = &c->req;
		else
			f->merge_head = &c->req;
		f->merge_tail = &c->req;
		s->st.merged_reads++;
		sim_cpu_block(s, c, SIM_BLOCK_LINE);
		return;
	}
	if (e == NULL)
		e = l3_get(s, c->cluster, id);
	if (e) {
		e->fill = &c->req;
		sim_l3_set_gen(s, l, c->cluster, e, l->gen - 2);   /* stale until the fill lands */
	}
	sim_enqueue(s, l, &c->req, t);
	sim_cpu_block(s, c, SIM_BLOCK_LINE);
}

void
sim_write_miss(struct sim *s, struct sim_cpu *c, struct sim_line *l, uint32_t id)
{
	sim_first_touch(s, l, c);
	req_init(&c->req, c, id, SIM_REQ_WRITE, false, c->now);
	sim_enqueue(s, l, &c->req, c->now);
	sim_cpu_block(s, c, SIM_BLOCK_LINE);
}

/* Store-buffer drain: same as a write miss, but the CPU keeps running. */
void
sim_sb_issue(struct sim *s, struct sim_cpu *c, struct sim_line *l, uint32_t id, sim_time_t t)
{
	sim_first_touch(s, l, c);
	req_init(&c->sbreq, c, id, SIM_REQ_WRITE, true, t);
	c->sb_busy = true;
	sim_enqueue(s, l, &c->sbreq, t);
}

void
sim_enqueue(struct sim *s, struct sim_line *l, struct sim_req *r, sim_time_t t)
{
	if (l->nwait == l->capwait) {
		l->capwait = l->capwait ? l->capwait * 2 : 4;
		l->wait = g_renew(struct sim_waiter, l->wait, l->capwait);
	}
	SIM_ASSERT(r == (r->sb ? &r->cpu->sbreq : &r->cpu->req));
	l->wait[l->nwait++] = (struct sim_waiter){ .cpu = r->cpu->id, .socket = r->cpu->socket,
						   .sb = r->sb };
	if (r->cpu->socket != l->home)
		l->nwait_remote++;
	if (!l->ev_pending) {
		l->ev_pending = true;
		sim_schedule(s, t > l->dir_free ? t : l->dir_free, SIM_EV_LINE, r->line);
	}
}

/* ---- the directory ---- */

struct legs {
	uint64_t a, b, d;
	enum sim_cause cause;
	bool dram;                   /* b reads DRAM at the home: its controller may queue */
	uint64_t home_busy;          /* the home stays busy this long after the completion */
};

/* Legs of a three-message transaction: requester cluster rq (of socket
 * rq_sock) -> the home directory -> source cluster src (of socket
 * src_sock) -> rq. */
static inline struct legs
legs_via_home(const struct sim *s, const struct sim_line *l, uint32_t rq, uint32_t rq_sock,
	      uint32_t src, uint32_t src_sock)
{
	return (struct legs){ leg_ss(s, rq_sock, l->home), leg_ss(s, src_sock, l->home),
			      leg_cc(s, src, src_sock, rq, rq_sock),
			      xfer_class(rq_sock, l->home, src_sock), false };
}

/*
 * Is valid data of l in an LLC, so the home need not read DRAM: the
 * requester's own cluster LLC, an LLC of the home socket, or the LLC of
 * the farthest sharer cluster?
 * MODEL: data in a sharer's LLC on another socket costs what the home's
 * LLC would (b = leg_socket), standing in for a forward from that LLC
 * (MESIF's F state) -- see "S data always comes from the home" below.
 */
static bool
home_has(const struct sim *s, const struct sim_line *l, uint32_t id, uint32_t req_cluster,
	 sim_time_t t)
{
	if (llc_valid(s, req_cluster, l, id, t))
		return true;
	if (l->sh_far != SIM_NONE && llc_valid(s, l->sh_far, l, id, t))
		return true;
	uint32_t per = s->m->topo.clusters_per_socket;
	for (uint32_t k = l->home * per; k < (l->home + 1) * per; k++)
		if (k != req_cluster && llc_valid(s, k, l, id, t))
			return true;
	return false;
}

/* Legs for fetching a line that CPU owner holds in M/E. */
static struct legs
legs_from_owner(const struct sim *s, const struct sim_line *l, const struct sim_cpu *r,
		const struct sim_cpu *owner)
{
	const struct sim_latency *lat = &s->m->lat;
	if (owner->core == r->core)
		return (struct legs){ 0, 0, lat->smt_transfer, SIM_CAUSE_XFER_SMT };
	if (owner->cluster == r->cluster)
		return (struct legs){ lat->leg_cluster, lat->leg_cluster, lat->leg_cluster,
				      SIM_CAUSE_XFER_CLUSTER };
	return legs_via_home(s, l, r->cluster, r->socket, owner->cluster, owner->socket);
}

/* Legs for data that only the home (or DRAM) has. */
static struct legs
legs_from_home(struct sim *s, struct sim_line *l, uint32_t id, const struct sim_cpu *r,
	       bool need_data, sim_time_t tg)
{
	const struct sim_latency *lat = &s->m->lat;
	uint64_t a = leg_ss(s, r->socket, l->home);
	enum sim_cause cause = xfer_class(r->socket, l->home, SIM_NONE);
	if (need_data && !home_has(s, l, id, r->cluster, tg)) {
		s->st.dram_reads++;
		return (struct legs){ a, lat->mem, a, SIM_CAUSE_MEM, true };
	}
	return (struct legs){ a, need_data ? lat->leg_socket : 0, a, cause, false };
}

/*
 * Times of the transaction (see the top comment): request arrival, loss
 * of the old copies at *tx, data at the requester at *t1.  A
 * cross-socket transaction with others waiting pays s->conflict.
 */
static void
timeline(struct sim *s, const struct sim_line *l, const struct sim_req *r,
	 sim_time_t tg, struct legs *lg, sim_time_t *tx, sim_time_t *t1)
{
	if (lg->cause == SIM_CAUSE_XFER_REMOTE)
		lg->d += s->conflict;
	if (r->kind == SIM_REQ_READ && r->cpu->socket != l->home)
		lg->d += s->m->lat.remote_read_snoop;
	sim_time_t t_arr = tg > r->issued + lg->a ? tg : r->issued + lg->a;
	if (lg->dram) {
		/* The home's memory controller may be busy with other lines. */
		uint64_t w = sim_mc_read(s, l->home, t_arr);
		lg->b += w;
		s->st.mem_queue += w;
	}
	*tx = t_arr + lg->b;
	sim_time_t held = l->last_t1 + s->m->lat.hold;
	if (s->m->lat.hold && l->moved && *tx < held)
		*tx = held;
	*t1 = *tx + lg->d;
}

/* Serve merged readers from the cluster LLC once the fill lands at t1. */
static void
serve_merged(struct sim *s, struct sim_line *l, struct sim_req *fill, uint32_t id,
	     sim_time_t t1, sim_time_t now)
{
	const struct sim_latency *lat = &s->m->lat;
	struct sim_l3_ent *e = l3_lookup(s, &s->clusters[fill->cpu->cluster], id);
	if (e && e->fill == fill) {
		e->fill = NULL;
		sim_l3_set_gen(s, l, fill->cpu->cluster, e, l->gen);
		if (e->busy_until < t1)
			e->busy_until = t1;
	}
	sim_time_t next = e ? e->busy_until : t1;
	bool at_home = llc_is_home(s, l, fill->cpu->cluster);
	for (struct sim_req *m = fill->merge_head; m; m = m->merge_next) {
		struct sim_cpu *mc = m->cpu;
		/* A reader whose clock had run past the data's arrival (it
		 * merged while the fill still waited at the directory) is
		 * served like an LLC hit from its own issue time. */
		sim_time_t from = m->issued > t1 ? m->issued : t1;
		if (next < from)
			next = from;
		sim_time_t done = next + lat->leg_cluster;
		if (m->issued > t1)
			done += lat->leg_cluster;
		next += lat->cluster_occupancy;
		pc_fill(s, mc, l, id, l->gen, now);
		sim_charge(mc, SIM_CAUSE_QUEUE, from - m->issued);
		sim_charge(mc, SIM_CAUSE_LLC, done - from);
		sim_cpu_wake(s, mc, done);
	}
	/* pc_fill may evict, and an eviction's sim_llc_get may grow the
	 * cluster's table: e is looked up again, never kept across the loop. */
	if (e && fill->merge_head)
		e = l3_lookup(s, &s->clusters[fill->cpu->cluster], id);
	if (e)
		e->busy_until = next;
	if (at_home && fill->merge_head && next > l->dir_free)
		l->dir_free = next;
}

/*
 * home_read_done - the home's side of a read that leaves l in S (data
 * from socket src_sock reached requester c at t1).  If the data is dirty
 * (written since DRAM last had it) and its copies now span sockets, the
 * home writes it back to DRAM and holds the line until the write is done:
 * lg->home_busy = latency.share_writeback, plus a memory-controller slot.
 * A downgrade inside the home socket leaves the dirty data in the home's
 * LLC (l->dirty stays set) and costs nothing extra.
 * Context: scheduler (a grant).  Cost: none for c (its data is in at t1);
 * later requests for l and the home socket's LLC hits wait.
 */
static void
home_read_done(struct sim *s, struct sim_line *l, const struct sim_cpu *c, uint32_t src_sock,
	       struct legs *lg, sim_time_t t1)
{
	if (s->m->lat.share_writeback == 0) {
		l->dirty = false;   /* the LLCs' copies stand for DRAM's */
		return;
	}
	if (c->socket == l->home && src_sock == l->home)
		return;
	/* Data read from DRAM: an LLC that held it dirty dropped it (silent
	 * LLC evictions, hier.c), so there is nothing to write back. */
	if (l->dirty && !lg->dram) {
		s->st.writebacks++;
		lg->home_busy += s->m->lat.share_writeback;
		sim_mc_write(s, l->home, t1);
	}
	l->dirty = false;
}

static void
grant_read(struct sim *s, struct sim_line *l, uint32_t id, struct sim_req *r, sim_time_t tg,
	   struct legs *lg, sim_time_t *tx, sim_time_t *t1)
{
	struct sim_cpu *c = r->cpu;
	uint32_t o = l->owner;
	if (o != SIM_NONE) {
		const struct sim_cpu *oc = &s->cpus[o];
		*lg = legs_from_owner(s, l, c, oc);
		if (oc->core == c->core && r->merge_head == NULL) {
			/* Sibling owns it: L1 is shared, nothing moves.  The
			 * owner may be this core's own store-buffer write still
			 * in flight: the read completes when that line arrives
			 * (never before owner_from, so last_t1 cannot go back).
			 * With merged readers from other cores the line must go
			 * to S below, or they would hold copies of an owned line. */
			*lg = (struct legs){ 0, 0, 0, SIM_CAUSE_HIT };
			*tx = tg;
			*t1 = tg > l->owner_from ? tg : l->owner_from;
			return;
		}
	} else {
		*lg = legs_from_home(s, l, id, c, true, tg);
	}
	timeline(s, l, r, tg, lg, tx, t1);
	if (o != SIM_NONE) {
		/* M/E -> S: the old owner keeps a shared copy. */
		const struct sim_cpu *oc = &s->cpus[o];
		l->prev_owner = o;
		l->prev_from = l->owner_from;
		l->prev_until = *tx;
		l->owner = SIM_NONE;
		/* An owned line has no S copies of its generation. */
		SIM_ASSERT(l->nsh == 0 && l->nsh_llc == 0);
		home_read_done(s, l, c, oc->socket, lg, *t1);
		pc_fill(s, oc, l, id, l->gen, tg);
		l3_fill(s, l, oc->cluster, id, l->gen, *tx);
	} else if (l->nsh == 0 && l->nsh_llc == 0 && r->merge_head == NULL) {
		/* Nobody else has it: grant E.  Dirty data no LLC holds any
		 * more was dropped by a silent LLC eviction (hier.c). */
		l->dirty = false;
		l->gen++;
		sharers_reset(l);
		l->old_gen_until = *tx;
		l->owner = c->id;
		l->owner_from = *t1;
		pc_fill(s, c, l, id, SIM_GEN_OWNED, tg);
		s->st.grants_read++;
		return;
	}
	if (o == SIM_NONE)
		home_read_done(s, l, c, l->home, lg, *t1);
	pc_fill(s, c, l, id, l->gen, tg);
	l3_fill(s, l, c->cluster, id, l->gen, *t1);
	s->st.grants_read++;
}

static void
grant_write(struct sim *s, struct sim_line *l, uint32_t id, struct sim_req *r, sim_time_t tg,
	    struct legs *lg, sim_time_t *tx, sim_time_t *t1)
{
	struct sim_cpu *c = r->cpu;
	uint32_t o = l->owner;
	if (o == c->id) {
		/* Already ours (a store and an RMW of one CPU both queued);
		 * done once the first grant's data has arrived. */
		*lg = (struct legs){ 0, 0, 0, SIM_CAUSE_HIT };
		*tx = tg;
		*t1 = tg > l->owner_from ? tg : l->owner_from;
		return;
	}
	if (o != SIM_NONE) {
		*lg = legs_from_owner(s, l, c, &s->cpus[o]);
	} else {
		const struct sim_cway *pe = sim_pc_find(s, &s->cores[c->core], id);
		bool have = pe && gen_valid(l, pe->gen, tg);
		/* Copies elsewhere than this core and its cluster's LLC need an
		 * invalidation round; a lone sharer upgrades at the directory. */
		const struct sim_l3_ent *le = l3_lookup(s, &s->clusters[c->cluster], id);
		uint32_t mine = pe && pe->gen == l->gen ? 1u : 0u;
		uint32_t mine_llc = le && le->gen == l->gen ? 1u : 0u;
		if (l->nsh > mine || l->nsh_llc > mine_llc) {
			SIM_ASSERT(l->sh_far != SIM_NONE);
			/* Invalidate S copies: one multicast, farthest ack counts. */
			*lg = legs_via_home(s, l, c->cluster, c->socket, l->sh_far,
					    cluster_socket(s, l->sh_far));
			s->st.invalidations++;
		} else {
			*lg = legs_from_home(s, l, id, c, !have && !r->nodata, tg);
		}
	}
	timeline(s, l, r, tg, lg, tx, t1);
	l->prev_owner = o;
	l->prev_from = l->owner_from;
	l->prev_until = *tx;
	l->owner = c->id;
	l->owner_from = *t1;
	l->gen++;
	l->old_gen_until = *tx;
	sharers_reset(l);
	pc_fill(s, c, l, id, SIM_GEN_OWNED, tg);
	s->st.grants_write++;
}

/* The directory's side of granting r at tg: the line's new state and
 * dir_free; *lg, *tx, *t1 as timeline() gives them. */
static void
grant_state(struct sim *s, struct sim_line *l, uint32_t id, struct sim_req *r, sim_time_t tg,
	    struct legs *lg, sim_time_t *tx, sim_time_t *t1)
{
	/* An owner that gave the line back by eviction (give_back: owner none,
	 * dir_free untouched) did so at its own clock, which may run ahead of
	 * the directory's by up to the engine's lookahead: a request handled
	 * after it in host order can carry an earlier time.  MODEL: the
	 * eviction's window ends at this grant (reads the evicting core made
	 * in between stay as they were; the values are the host memory's, so
	 * they order before this grant), instead of the grant waiting for an
	 * eviction that comes later in simulated time.  A downgrade (M -> S)
	 * also leaves owner none, but moves dir_free past prev_until, so it
	 * never gets here with tg < prev_until. */
	if (l->prev_owner != SIM_NONE && l->owner == SIM_NONE && tg < l->prev_until)
		l->prev_until = tg;
	if (l->prev_owner != SIM_NONE && tg >= l->prev_until)
		l->prev_owner = SIM_NONE;
	/* The directory serializes: the previous grant's losers are gone. */
	SIM_ASSERT(l->prev_owner == SIM_NONE);

	/* r is already off the wait list: a remote request left is a conflict. */
	s->conflict = l->nwait_remote > 0 ? s->m->lat.conflict : 0;
	if (r->kind == SIM_REQ_READ)
		grant_read(s, l, id, r, tg, lg, tx, t1);
	else
		grant_write(s, l, id, r, tg, lg, tx, t1);
	sim_time_t free_at = s->m->lat.hold ? *tx : *t1 + lg->a;
	free_at += lg->home_busy;
	SIM_ASSERT(free_at >= l->dir_free);
	l->dir_free = free_at;
	l->last_t1 = *t1;
	l->moved = true;
	s->st.transactions++;
}

bool
sim_line_claim(struct sim *s, struct sim_cpu *c, struct sim_line *l, uint32_t id, sim_time_t t,
	       sim_time_t *t1)
{
	if (l->nwait > 0 || l->ev_pending || t < l->dir_free)
		return false;
	sim_first_touch(s, l, c);
	struct sim_req r;
	req_init(&r, c, id, SIM_REQ_WRITE, false, t);
	r.nodata = true;
	struct legs lg;
	sim_time_t tx;
	grant_state(s, l, id, &r, t, &lg, &tx, t1);
	return true;
}

static void
grant(struct sim *s, struct sim_line *l, uint32_t id, struct sim_req *r, sim_time_t tg)
{
	struct sim_cpu *c = r->cpu;
	struct legs lg;
	sim_time_t tx, t1;
	grant_state(s, l, id, r, tg, &lg, &tx, &t1);

	if (r->merge_head)
		serve_merged(s, l, r, id, t1, tg);
	else if (r->kind == SIM_REQ_READ) {
		struct sim_l3_ent *e = l3_lookup(s, &s->clusters[c->cluster], id);
		if (e && e->fill == r)
			e->fill = NULL;
	}
	if (r->sb) {
		sim_schedule(s, t1, SIM_EV_SB, c->id);
		return;
	}
	/* Queueing is the wait beyond the request leg; the rest is transfer. */
	sim_time_t q_end = tx - lg.b - lg.a;
	sim_time_t wait = q_end > r->issued ? q_end - r->issued : 0;
	sim_charge(c, SIM_CAUSE_QUEUE, wait);
	sim_charge(c, lg.cause, t1 - r->issued - wait);
	sim_cpu_wake(s, c, t1);
}

void
sim_line_event(struct sim *s, uint32_t id, sim_time_t t)
{
	struct sim_line *l = sim_line_get(s, id);
	l->ev_pending = false;
	if (l->nwait == 0)
		return;
	if (t < l->dir_free) {
		l->ev_pending = true;
		sim_schedule(s, l->dir_free, SIM_EV_LINE, id);
		return;
	}
	uint32_t k = (uint32_t)sim_rng_below(&s->arbiter, l->nwait);
	struct sim_waiter w = l->wait[k];
	l->wait[k] = l->wait[--l->nwait];
	/* The granted CPU's record is cold at thousands of CPUs: fetch the
	 * lines the grant reads and writes (its ids and clock, the request,
	 * the cycles it charges) and the owner's ids together, not one miss
	 * after another (host speed only). */
	struct sim_cpu *c = &s->cpus[w.cpu];
	struct sim_req *r = w.sb ? &c->sbreq : &c->req;
	__builtin_prefetch(c, 1);
	__builtin_prefetch(r);
	__builtin_prefetch(&c->cycles[SIM_CAUSE_QUEUE], 1);
	if (l->owner != SIM_NONE)
		__builtin_prefetch(&s->cpus[l->owner]);
	if (w.socket != l->home)
		l->nwait_remote--;
	if (l->capwait > 16 && l->nwait <= l->capwait / 4) {
		/* Shrink: otherwise every line that was once hot keeps room for
		 * all its past waiters (512 KiB a line at 65,536 CPUs). */
		l->capwait /= 2;
		l->wait = g_renew(struct sim_waiter, l->wait, l->capwait);
	}
	grant(s, l, id, r, t);
	if (l->nwait > 0) {
		l->ev_pending = true;
		sim_schedule(s, l->dir_free, SIM_EV_LINE, id);
	}
}

/* sim_line_written() when some CPU watches l. */
void
sim_line_wake_watchers(struct sim *s, struct sim_line *l, sim_time_t t)
{
	struct sim_cpu *w = l->watch;
	l->watch = NULL;
	while (w) {
		struct sim_cpu *next = w->watch_next != SIM_NONE ? &s->cpus[w->watch_next] : NULL;
		w->watch_next = w->watch_prev = SIM_NONE;
		w->watch_line = SIM_NONE;
		sim_charge(w, SIM_CAUSE_SPIN, t > w->now ? t - w->now : 0);
		sim_cpu_wake(s, w, t > w->now ? t : w->now);
		w = next;
	}
}

/* ---- invariants (debug builds; see the top comment) ---- */

#define INV(cond, ...) \
	do { \
		if (!(cond)) { \
			g_string_append_printf(why, "line %u: ", id); \
			g_string_append_printf(why, __VA_ARGS__); \
			return false; \
		} \
	} while (0)

#ifndef NDEBUG
/*
 * The caches against the directory's sharer record, through the line's
 * holder index (inv.c): every listed cache really has a way for the line,
 * the copies of the current generation are exactly nsh private and
 * nsh_llc LLC ones, and none sits outside the owner's core while the line
 * is owned.  O(holders), at any machine size.
 */
static bool
holders_ok(const struct sim *s, const struct sim_line *l, uint32_t id, GString *why)
{
	uint32_t npc = 0, nllc = 0;
	if (!l->inv_dirty && l->inv_gen != 0) {
		/* No way of this line was filled, emptied or retagged since the
		 * last walk: the counts are the walk's, or 0 if the generation
		 * moved on (no way carries a generation newer than the line's). */
		if (l->inv_gen == l->gen) {
			npc = l->inv_npc;
			nllc = l->inv_nllc;
		}
		INV(npc == l->nsh, "%u private caches hold generation %u, the sharer record "
		    "says %u", npc, l->gen, l->nsh);
		INV(nllc == l->nsh_llc, "%u LLCs hold generation %u, the sharer record says %u",
		    nllc, l->gen, l->nsh_llc);
		return true;
	}
	uint32_t owner_core = l->owner != SIM_NONE ? s->cpus[l->owner].core : SIM_NONE;
	for (uint32_t i = 0; i < l->nholders; i++) {
		uint32_t h = l->holders[i];
		if (h & SIM_INV_LLC) {
			const struct sim_l3_ent *e =
				sim_llc_find(s, &s->clusters[h & ~SIM_INV_LLC], id);
			INV(e != NULL, "cluster %u's LLC is listed as holding it but does not",
			    h & ~SIM_INV_LLC);
			nllc += e->gen == l->gen;
			continue;
		}
		const struct sim_cway *w = sim_pc_last(s, h, id);
		INV(w != NULL, "core %u is listed as holding it but its last private level "
		    "does not", h);
		if (w->gen != l->gen)
			continue;
		INV(l->owner == SIM_NONE || h == owner_core, "owned by cpu %u yet core %u holds "
		    "an S copy of generation %u", l->owner, h, l->gen);
		npc++;
	}
	INV(npc == l->nsh, "%u private caches hold generation %u, the sharer record says %u",
	    npc, l->gen, l->nsh);
	INV(nllc == l->nsh_llc, "%u LLCs hold generation %u, the sharer record says %u", nllc,
	    l->gen, l->nsh_llc);
	/* Remember the walk (the checker's own memo, not model state). */
	struct sim_line *ml = (struct sim_line *)l;
	ml->inv_dirty = false;
	ml->inv_gen = l->gen;
	ml->inv_npc = npc;
	ml->inv_nllc = nllc;
	return true;
}
#endif

static bool
waiter_ok(const struct sim *s, struct sim_waiter w, uint32_t id, GString *why)
{
	INV(w.cpu < s->ncpus, "a waiting request names cpu %u, not a CPU", w.cpu);
	const struct sim_cpu *c = &s->cpus[w.cpu];
	const struct sim_req *r = w.sb ? &c->sbreq : &c->req;
	INV(w.socket == c->socket, "cpu %u waits here as if on socket %u, it is on %u", c->id,
	    (unsigned)w.socket, c->socket);
	INV(r->cpu == c, "cpu %u waits here with a request that is not its own", c->id);
	INV(r->line == id, "cpu %u waits here for line %u", r->cpu->id, r->line);
	if (r->sb)
		INV(r->cpu->sb_busy && r == &r->cpu->sbreq,
		    "cpu %u's store-buffer request waits but the buffer is not busy", r->cpu->id);
	else
		INV(r->cpu->state == SIM_CPU_BLOCKED && r->cpu->block == SIM_BLOCK_LINE,
		    "cpu %u waits here but is not blocked on a line (state %u, block %u)",
		    r->cpu->id, r->cpu->state, r->cpu->block);
	return true;
}

/*
 * sim_line_invariants_hold - check line id against the INVARIANTS above;
 * on failure append what is wrong to why.  For use by the engine's
 * per-event checker only (cost: O(1) plus O(caches holding the line),
 * through the holder index of inv.c).  Does not touch the line (does not
 * count as an access).
 */
bool
sim_line_invariants_hold(const struct sim *s, uint32_t id, GString *why)
{
	uint32_t chunk = id >> SIM_LINE_CHUNK_SHIFT;
	INV(chunk < s->nline_chunks, "beyond the arena");
	const struct sim_line *l = s->line_chunks[chunk];
	if (l == NULL)
		return true;
	l += id & (SIM_LINE_CHUNK - 1);
	INV(l->owner == SIM_NONE || l->owner < s->ncpus, "owner %u is not a CPU", l->owner);
	INV(l->prev_owner == SIM_NONE || l->prev_owner < s->ncpus,
	    "previous owner %u is not a CPU", l->prev_owner);
	INV(l->home == SIM_NONE || l->home < s->m->topo.sockets, "home %u is not a socket",
	    l->home);
	INV(l->gen >= SIM_GEN_INIT, "generation %u below the initial %u", l->gen, SIM_GEN_INIT);
	if (l->owner != SIM_NONE && l->prev_owner != SIM_NONE) {
		INV(l->owner != l->prev_owner, "cpu %u is both owner and previous owner", l->owner);
		INV(l->prev_until <= l->owner_from,
		    "two valid owners: cpu %u until t=%" G_GUINT64_FORMAT ", cpu %u from t=%"
		    G_GUINT64_FORMAT, l->prev_owner, l->prev_until, l->owner, l->owner_from);
	}
	INV((l->nsh == 0 && l->nsh_llc == 0) == (l->sh_far == SIM_NONE),
	    "%u private and %u LLC copies but farthest sharer cluster %u", l->nsh, l->nsh_llc,
	    l->sh_far);
	if (l->owner != SIM_NONE) {
		INV(l->nsh == 0 && l->nsh_llc == 0,
		    "owned by cpu %u yet %u private and %u LLC copies of generation %u", l->owner,
		    l->nsh, l->nsh_llc, l->gen);
	}
#ifndef NDEBUG
	if (!holders_ok(s, l, id, why))
		return false;
#endif
	INV(l->nwait <= l->capwait, "%u waiters in room for %u", l->nwait, l->capwait);
	INV(l->nwait == 0 || l->ev_pending, "%u waiters and no arbitration event queued",
	    l->nwait);
	/* The first and last few waiters: cheap even with 65,536 waiting. */
	for (uint32_t i = 0; i < l->nwait; i = (i == 1 && l->nwait > 4) ? l->nwait - 2 : i + 1)
		if (!waiter_ok(s, l->wait[i], id, why))
			return false;
	if (l->moved && s->m->lat.hold == 0)
		INV(l->dir_free >= l->last_t1, "directory free at t=%" G_GUINT64_FORMAT
		    " before the last data arrived at t=%" G_GUINT64_FORMAT, l->dir_free, l->last_t1);
	return true;
}

#undef INV

void
sim_mem_prime(struct sim *s, void *addr, size_t size, uint32_t cpu)
{
	g_assert(cpu < s->ncpus);
	g_assert(sim_addr_valid(addr) && size > 0);
	uint32_t first = sim_line_id(s, addr);
	uint32_t last = sim_line_id(s, (char *)addr + size - 1);
	for (uint32_t id = first; id <= last; id++) {
		struct sim_line *l = sim_line_get(s, id);
		l->home = s->cpus[cpu].socket;
		l->dirty = true;
		l->owner = cpu;
		l->owner_from = 0;
		l->prev_owner = SIM_NONE;
		l->gen++;
		sharers_reset(l);
		pc_fill(s, &s->cpus[cpu], l, id, SIM_GEN_OWNED, 0);
	}
}

void
sim_mem_place(struct sim *s, void *addr, size_t size, uint32_t socket)
{
	g_assert(socket < s->m->topo.sockets);
	g_assert(sim_addr_valid(addr) && size > 0);
	uint32_t first = sim_line_id(s, addr);
	uint32_t last = sim_line_id(s, (char *)addr + size - 1);
	bool deferred = false;
	for (uint64_t id = first; id <= last; id++) {
		uint32_t chunk = (uint32_t)(id >> SIM_LINE_CHUNK_SHIFT);
		g_assert(chunk < s->nline_chunks);
		if (sim_line_chunk_deferred(s, chunk, first, last)) {
			/* A whole chunk with no records yet: it takes the
			 * home when made (a pool's pages make none now). */
			deferred = true;
			id = ((uint64_t)chunk << SIM_LINE_CHUNK_SHIFT) + SIM_LINE_CHUNK - 1;
			continue;
		}
		struct sim_line *l = sim_line_get(s, (uint32_t)id);
		g_assert(l->nwait == 0);
		l->home = socket;
	}
	if (deferred) {
		struct sim_line_op op = { .first = first, .last = last,
					  .kind = SIM_LINE_OP_HOME, .arg = socket };
		sim_line_op_defer(s, &op);
	}
}
