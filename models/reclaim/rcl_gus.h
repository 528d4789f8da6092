// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Internal to models/reclaim/rcl_gus.c (FreeBSD SMR / GUS) and
 * models/reclaim/rcl_gus_tree.c (its hierarchical poll).  Nothing else includes
 * this file: workloads reach GUS through its const struct rcl_ops.
 *
 * Names follow sys/kern/subr_smr.c and sys/sys/smr.h (smr_seq_t,
 * s_wr_seq, s_rd_seq, c_seq, SMR_SEQ_*) so the model can be diffed
 * against the source.
 */
#ifndef RCL_GUS_H
#define RCL_GUS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "lock.h"
#include "reclaim.h"

/* ---- sequence numbers (sys/sys/smr.h) ---- */

typedef uint32_t smr_seq_t;
typedef int32_t smr_delta_t;

/* 0 means "not in a read section"; valid sequences are odd (seq_init is
 * odd and seq_incr even), so no valid sequence is ever 0. */
#define SMR_SEQ_INVALID 0u

/* Wrap-safe comparisons: signed distance, valid while the values are
 * less than 2^31 apart (SMR_SEQ_MAX_DELTA keeps s_wr_seq - s_rd_seq far
 * below that). */
#define SMR_SEQ_DELTA(a, b) ((smr_delta_t)((smr_seq_t)(a) - (smr_seq_t)(b)))
#define SMR_SEQ_LT(a, b)    (SMR_SEQ_DELTA(a, b) < 0)
#define SMR_SEQ_LEQ(a, b)   (SMR_SEQ_DELTA(a, b) <= 0)
#define SMR_SEQ_GT(a, b)    (SMR_SEQ_DELTA(a, b) > 0)
#define SMR_SEQ_GEQ(a, b)   (SMR_SEQ_DELTA(a, b) >= 0)
#define SMR_SEQ_MIN(a, b)   (SMR_SEQ_LT(a, b) ? (a) : (b))
#define SMR_SEQ_MAX(a, b)   (SMR_SEQ_GT(a, b) ? (a) : (b))

/* Lazy mode: goals lie SMR_LAZY_GRACE ticks in the future. */
#define SMR_LAZY_GRACE 2u

enum gus_mode { GUS_MODE_DEFAULT, GUS_MODE_LAZY, GUS_MODE_DEFERRED };
enum gus_poll_kind { GUS_POLL_FLAT, GUS_POLL_TREE };
/* Deliberate bugs, for showing that the use-after-free checker and the
 * explorer catch them (see rcl_gus.c, "MUTATIONS"). */
enum gus_mutate { GUS_MUTATE_NONE, GUS_MUTATE_NO_CLAMP, GUS_MUTATE_STALE_EXPIRED };

/* The "reclaim" section when "scheme": "gus" (table in rcl_gus.c). */
struct gus_params {
	int mode;                  /* enum gus_mode */
	int poll;                  /* enum gus_poll_kind */
	uint32_t c_limit;          /* deferred: advances per shared write */
	uint32_t bucket_size;      /* UMA free bucket: items per smr_advance */
	uint32_t hz;               /* scheduling clock (lazy mode, tree rounds) */
	bool tick_skew;
	uint32_t seq_init;         /* SMR_SEQ_INIT */
	uint32_t seq_incr;         /* SMR_SEQ_INCR */
	uint32_t seq_max_delta;    /* SMR_SEQ_MAX_DELTA */
	uint32_t seq_max_advance;  /* SMR_SEQ_MAX_ADVANCE */
	int rd_seq_line;           /* 0: on the s_wr_seq line (FreeBSD), 1: its own line */
	uint32_t tree_fanout;
	int mutate;                /* enum gus_mutate */
};

/* ---- simulated memory layouts (one 64-byte line each) ---- */

/*
 * struct smr_shared: the one shared line.  Homed on CPU 0.
 *   s_wr.seq   RMW by smr_advance() (default; deferred every c_limit);
 *              CAS64 with s_wr.ticks by smr_lazy_advance();
 *              read by every smr_enter() and every poll.
 *   s_rd_seq   one CAS per successful scan (poll, or the tree's root);
 *              read by every poll (the fast path).
 * As in FreeBSD both sit on one line, so a poll that advances s_rd_seq
 * also invalidates the readers' copies of s_wr.seq; rd_seq_line = own
 * moves s_rd_seq to the next line (s[1].s_rd_seq, the rest unused).
 */
struct smr_shared {
	union {
		struct {
			smr_seq_t seq;
			int32_t ticks;
		};
		uint64_t _pair;
	} s_wr;
	smr_seq_t s_rd_seq;
	uint32_t s_pad[13];
};

/*
 * struct smr (per CPU): c_seq on a line of its own (FreeBSD's per-CPU
 * zone aligns each CPU's struct smr to two cache lines).  Homed on and
 * owned by its CPU.
 *   c_seq  written by its CPU in smr_enter()/smr_exit();
 *          read by every poll scan (flat) or by its group's leader and
 *          blocking waiters (tree).
 */
struct smr_cpu {
	smr_seq_t c_seq;
	uint32_t c_pad[15];
};

/*
 * A node of the hierarchical poll (rcl_gus_tree.c).  One line, homed on
 * the node's leader.
 *   n_floor   lower bound on every c_seq in the subtree (see the proof in
 *             rcl_gus_tree.c); written by the leader (leaf), by the last
 *             child to arrive (interior) and by blocking waiters.
 *   n_arrive  (round << 32) | children refreshed in that round; RMW by
 *             the children's refreshers.
 */
struct gus_node {
	smr_seq_t n_floor;
	uint32_t n_pad0;
	uint64_t n_arrive;
	uint64_t n_pad[6];
};

/* ---- host-side state ---- */

/* A UMA bucket of deferred frees, tagged with the goal of its advance. */
struct gus_bucket {
	smr_seq_t ub_seq;             /* goal; SMR_SEQ_INVALID while filling */
	uint32_t ub_cnt;
	sim_time_t ub_tagged_at;      /* when smr_advance() tagged it */
	struct gus_bucket *ub_next;   /* FIFO link in the domain */
	struct rcl_deferred ub_bucket[];
};

/* A NUMA domain's bucket cache (uma_zone_domain): FIFO of tagged buckets. */
struct gus_domain {
	smr_seq_t *uzd_seq;           /* simulated line: head bucket's goal, peeked without the lock */
	void *uzd_lock;               /* ZDOM_LOCK (a ticket lock, its own line) */
	struct gus_bucket *head, *tail;
	uint32_t nbuckets;
};

/* Per-CPU private state the real code keeps in its per-CPU struct smr
 * and uma_cache: only its own CPU touches it (MODEL: free of cost, an L1
 * hit on a line nobody else reads). */
struct gus_cpu {
	bool in_section;              /* SMR_ENTERED() */
	uint32_t c_deferred;          /* deferred: advances since the last shared write */
	struct gus_bucket *uc_freebucket; /* NULL until the CPU first retires */
};

struct gus_tree;

struct gus {
	struct sim *sim;
	struct gus_params p;
	char *label;                  /* "gus (default, flat poll)": messages, free label */
	uint32_t ncpus;
	struct smr_shared *s;         /* simulated: two lines, see rd_seq_line */
	smr_seq_t *s_rd_seq;          /* &s[0].s_rd_seq (FreeBSD's layout) or &s[1].s_rd_seq */
	struct smr_cpu *c;            /* simulated, ncpus lines */
	struct gus_cpu *cpu;
	GHashTable *buckets;          /* every live bucket (host memory), for destroy() */
	struct gus_domain *dom;
	uint32_t ndom;
	const struct lock_ops *lops;
	uint64_t tick_period;         /* cycles per tick: freq / hz */
	bool locked_add;              /* smr_enter with one LOCK ADD (atomics are full fences) */
	struct gus_tree *tree;        /* poll == tree */

	/* debug.smr.* counters */
	uint64_t advance, advance_wait, poll, poll_scan, poll_fail;
	/* what scans cost */
	uint64_t scan_cycles, scan_cycles_max, scan_lines;
	uint64_t poll_n[2], poll_cycles[2], poll_lines[2]; /* [0] no wait, [1] smr_wait's */
	uint64_t stale_seen;          /* c_seq found older than the pin (the smr_enter race) */
	uint64_t buckets_tagged, domain_buckets_peak;

	struct rcl_stats st;
};

#define GUS_ASSERT(g, cond, fmt, ...)                                                     \
	do {                                                                              \
		if (G_UNLIKELY(!(cond)))                                                  \
			g_error("%s: cpu %u t=%" G_GUINT64_FORMAT ": " fmt, (g)->label,   \
				sim_cpu_id(), sim_now(), ##__VA_ARGS__);                  \
	} while (0)

/* rcl_gus.c, used by the tree: smr_poll_cpu() with the clamp to `pin`.
 * *lines counts the c_seq loads.  May yield (and spin if wait). */
smr_seq_t gus_poll_cpu(struct gus *g, uint32_t cpu, smr_seq_t pin, smr_seq_t goal, bool wait,
		       uint64_t *lines);

/* rcl_gus_tree.c */
struct gus_tree *gus_tree_create(struct sim *sim, struct gus *g);
void gus_tree_destroy(struct gus_tree *t);
/* Tick handler part: leaf leaders refresh, the last arrival climbs. */
void gus_tree_tick(struct gus *g);
/* The scan step of smr_poll() when poll == tree; returns the read
 * sequence the caller may compare its goal with.  refresh: walk the tree
 * (spinning on readers only if wait) instead of reading the root. */
smr_seq_t gus_tree_poll(struct gus *g, smr_seq_t s_rd_seq, smr_seq_t s_wr_seq, smr_seq_t goal,
			bool wait, bool refresh, uint64_t *poll_lines);
void gus_tree_stats(const struct gus_tree *t, cJSON *out);
bool gus_tree_invariants_hold(const struct gus *g);

#endif
