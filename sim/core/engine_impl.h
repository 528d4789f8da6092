// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Engine internals shared by engine.c (scheduler), cache.c (coherence
 * model), mem.c (accessors and store buffer) and arena.c (simulated
 * memory).  Nothing outside sim/ includes this file.
 */
#ifndef SIM_ENGINE_IMPL_H
#define SIM_ENGINE_IMPL_H

#include <setjmp.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "coro.h"
#include "engine.h"
#include "evq.h"
#include "rng.h"
#include "sim_assert.h"

#define SIM_NONE   UINT32_MAX
#define SIM_T_INF  UINT64_MAX
/* Generations start high enough that gen - 2 never wraps. */
#define SIM_GEN_INIT 16u
/* The generation a private cache records for a line it holds in M/E:
 * never a valid S copy (the owner is found through the line's owner). */
#define SIM_GEN_OWNED 0u

#define SIM_LINE_SHIFT 6u
#define SIM_LINE_BYTES (1u << SIM_LINE_SHIFT)

/* Lines are allocated lazily in chunks of this many: one 4 KiB page of
 * simulated memory (8 KiB of records).  Host memory only: kalloc hands
 * its pages out from all over its pool (per-CPU lists of 31 pages), and
 * with chunks of 4,096 lines mapbench vmlocal at 1,024 CPUs of large made
 * 4.1 M line records (and filled their 256 KiB of arena each) for about
 * 2,000 pages in use: 450 MB of its 0.45 GB peak RSS. */
#define SIM_LINE_CHUNK_SHIFT 6u
#define SIM_LINE_CHUNK (1u << SIM_LINE_CHUNK_SHIFT)

enum sim_req_kind { SIM_REQ_READ, SIM_REQ_WRITE };

/*
 * A request waiting at (or being served by) a line's directory.  Each CPU
 * owns two: its blocking request (loads and RMWs) and its store buffer's
 * head request.
 */
struct sim_req {
	struct sim_cpu *cpu;
	uint32_t line;
	uint8_t kind;                /* enum sim_req_kind */
	bool sb;                     /* store-buffer drain: the CPU is not blocked */
	bool nodata;                 /* a write of the whole line (fast string): no data read */
	sim_time_t issued;
	struct sim_req *merge_head;  /* readers of the same cluster merged into this fill */
	struct sim_req *merge_tail;
	struct sim_req *merge_next;
};

/*
 * A request waiting at a line's directory, as its wait list holds it:
 * what arbitration reads (the CPU's socket) and where the request is (the
 * CPU, and which of its two requests), without a pointer to follow, so
 * the grant can fetch the request and its CPU's record at once (host
 * speed only).
 */
struct sim_waiter {
	uint32_t cpu;
	uint32_t socket : 31;
	uint32_t sb : 1;             /* the CPU's sbreq, else its req */
};

/*
 * Per-line coherence state.  Written only by the engine (cache.c); the
 * directory serializes every transaction that moves data between
 * clusters or changes ownership.
 *
 *   owner/owner_from      M or E holder, usable from owner_from on
 *   prev_owner            holder losing the line to a grant in progress,
 *                         usable in [prev_from, prev_until)
 *   gen                   copy generation: an S copy tagged g is valid
 *                         while g == gen, or g == gen - 1 before
 *                         old_gen_until (invalidation in flight)
 *   nsh, nsh_llc, sh_far  who holds S copies of generation gen: the
 *                         directory's sharer record, kept exact under
 *                         eviction so a lone sharer upgrades silently
 *   dir_free              the directory is busy until then
 *
 * Laid out by use on two 64-byte host lines (line chunks are line-aligned,
 * cache.c; host speed only): a hit -- load, store or RMW, its poison and
 * free-epoch checks, the watchers test of a write -- reads line 0 alone;
 * the directory (requests, grants, sharer record) uses line 1 too.
 */
struct sim_line {
	/* host line 0 */
	uint32_t owner;
	uint32_t prev_owner;
	sim_time_t owner_from;
	sim_time_t prev_from;
	sim_time_t prev_until;
	sim_time_t old_gen_until;
	uint32_t gen;
	uint8_t poison;              /* freed 8-byte words (bit i = bytes 8i..8i+7) */
	bool dirty;                  /* the owner wrote it since it left DRAM / the LLC */
	bool ev_pending;             /* an arbitration event is queued */
	bool moved;                  /* last_t1 is valid: a transaction has run */
	struct sim_cpu *watch;       /* CPUs sleeping until the line is written */
	uint8_t free_epoch[8];       /* per 8-byte word: frees so far (mod 256), so a store
	                              * buffered before a free is caught when it drains even
	                              * if the word was reallocated meanwhile (arena.c) */
	/* host line 1 */
	sim_time_t last_t1;          /* when the last transaction's data arrived */
	sim_time_t dir_free;
	uint32_t home;               /* home socket; SIM_NONE until first touch */
	uint32_t sh_far;             /* cluster farthest from home that held a copy of this
	                              * generation (an upper bound: copies may since be
	                              * evicted); SIM_NONE when nsh == nsh_llc == 0 */
	uint32_t nsh;                /* cores whose private cache holds a copy of this
	                              * generation (exact: pc_fill() counts fills and evictions) */
	uint32_t nsh_llc;            /* cluster LLCs holding a copy of this generation (exact) */
	uint32_t nwait, capwait;
	uint32_t nwait_remote;       /* waiters whose socket is not the home */
	uint32_t freed_cpu;          /* who freed the poisoned words last (SIM_NONE: host) */
	struct sim_waiter *wait;     /* unordered; the arbiter picks at random */
	sim_time_t freed_at;         /* and when */
#ifndef NDEBUG
	/* The checker's view (inv.c); written by sim_inv_touch / sim_inv_hold. */
	uint64_t inv_seen;           /* s->inv_epoch when last recorded as touched */
	uint32_t *holders;           /* the caches holding this line: a core (its last
	                              * private level) or SIM_INV_LLC | a cluster */
	uint32_t nholders, capholders;
	bool inv_dirty;              /* a way of it was filled, emptied or retagged since
	                              * the checker last walked holders (then inv_gen,
	                              * inv_npc, inv_nllc: that walk's generation and counts) */
	uint32_t inv_gen, inv_npc, inv_nllc;
#endif
};
#ifdef NDEBUG
_Static_assert(offsetof(struct sim_line, free_epoch) + 8 == 64 &&
	       sizeof(struct sim_line) == 128,
	       "struct sim_line: the hit path's fields on host line 0, 128 bytes in all");
#else
_Static_assert(offsetof(struct sim_line, free_epoch) + 8 == 64,
	       "struct sim_line: the hit path's fields on host line 0");
#endif

/*
 * Set-associative caches (hier.c), LRU.  Each cache (a core's L1d and
 * L2, a cluster's LLC) is a table of the lines it holds: open addressing
 * with linear probing, every line placed from the home slot of its *set*
 * (key * cap / sets in a private cache, a hash of the set number in an
 * LLC), so the members of a set are found by
 * walking one run of the table, and host memory follows the lines held
 * (at most 3/4 full), not the sets touched: a tree lookup spreads its
 * lines over many sets of a 16,384-line L2, one or two per set.  Entries
 * move when a table grows or a line leaves it: nothing keeps a pointer to
 * one across a fill (sim_core.recent keeps lines, not ways).
 */
struct sim_cway {
	uint32_t line;               /* SIM_NONE: a free slot */
	uint32_t gen;                /* generation of an S copy (see struct sim_line) */
	uint32_t lru;                /* last use: larger is more recent; per cache,
	                              * renumbered 1..n in order when the clock wraps */
};
struct sim_cgeom {
	uint32_t sets, ways;
	bool hashed;                 /* set = hash(line) % sets (LLC slices), else line % sets */
};
struct sim_cache {
	struct sim_cway *slot;       /* cap slots, NULL until the first line comes in */
	uint32_t cap;                /* a power of two (0: no table) */
	uint32_t n;                  /* lines held; n * 4 <= cap * 3 */
	uint32_t clock;              /* LRU stamp of the last use */
	uint32_t lru_wrap;           /* renumber when clock reaches this (0: UINT32_MAX;
	                              * tests set it low) */
	uint64_t hmul;               /* home slot of a set: (key * hmul) >> 32, that is
	                              * key * cap / sets rounded down (hier.c, home) */
};

/*
 * The L1d's recent table (host speed only): per core, SIM_RECENT entries
 * of (line + 1, gen), entry i for the L1d sets whose number is i modulo
 * SIM_RECENT (s->recent_mask; 0 when the set count is not a power of two:
 * one entry for every set).  An entry names a line the L1d holds with
 * that gen that is the most recently used line of its set, so a hit on it
 * needs no LRU update (LRU compares lines of one set only) and reads no
 * way of the table: two or more lines used in turn (a pointer and the
 * object behind it) all hit here, where one MRU way missed on every
 * other access.  hier.c rewrites the entry at every use of a line of its
 * set (touch_l1) and clears it when its line leaves the L1d.  16 entries,
 * not 8: rcuscale's readers use a handful of lines in turn, and with 8
 * two of them shared an entry often enough that 27% of gus's accesses at
 * 4,096 CPUs went to sim_pc_level_slow (1.36 M calls; 0.40 M with 16,
 * ebr-ck 0.58 M -> 0.30 M; 32 entries saved 1% more instructions for
 * another 128 bytes a core).
 */
#define SIM_RECENT 16u
/* A private cache's first table: its slots (hier.c, first_table). */
#define SIM_PC_FIRST_CAP 8u
struct sim_recent {
	uint32_t tag;                /* line + 1; 0: empty */
	uint32_t gen;                /* the L1d way's gen */
};

/*
 * One core's private L1d and L2 (L2 inclusive of L1; no L2 when the
 * machine has l2_lines = 0).  Holds S copies and the lines the core owns
 * (M/E): evicting an owned line from the last private level gives it back
 * to the home (hier.c).  Written only by the engine on behalf of the
 * core's threads.  Three host lines, line-aligned (s->cores, hier.c): the
 * recent table alone on the first two (an access that hits reads one
 * entry, on one of them, and nothing else of the core), the tables on the
 * third.
 */
struct sim_core {
	/* host lines 0-1: written by hier.c at every L1d use that misses it */
	struct sim_recent recent[SIM_RECENT];
	/* host line 2 */
	struct sim_cache l1, l2;
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct sim_recent) * SIM_RECENT == 128 && sizeof(struct sim_core) == 192,
	       "struct sim_core: the recent table on two host lines, the tables on the next");

/* A cluster's LLC: llc_ways-way sets; read hits serialize per line. */
struct sim_l3_ent {
	uint32_t line;
	uint32_t gen;
	sim_time_t busy_until;
	struct sim_req *fill;        /* a read fetch in progress for this cluster */
	uint64_t lru;
};
struct sim_cluster {
	struct sim_l3_ent *slot;     /* table of the lines held (as a private cache's),
	                              * cap slots, NULL until the first line comes in */
	uint32_t cap, n;             /* a power of two (0: no table); lines held */
	uint64_t clock;              /* LRU stamp of the last use */
};

struct sim_sb_ent {
	void *addr;
	uint64_t val;
	uint32_t line;
	uint8_t size;
	uint8_t free_epoch;          /* its word's sim_line.free_epoch when buffered */
	bool dead;                   /* its CPU freed the word since: drain writes nothing */
};

enum sim_cpu_state {
	SIM_CPU_NEW, SIM_CPU_RUNNABLE, SIM_CPU_RUNNING, SIM_CPU_BLOCKED, SIM_CPU_DONE,
};

enum sim_block_reason {
	SIM_BLOCK_NONE, SIM_BLOCK_LINE, SIM_BLOCK_SB_EMPTY, SIM_BLOCK_SB_SPACE,
	SIM_BLOCK_WATCH, SIM_BLOCK_SLEEP,
};

/*
 * One simulated CPU.  Written by the engine and by the CPU's own
 * coroutine (accessors).  Laid out by use on 64-byte host lines (s->cpus
 * is line-aligned; host speed only: at thousands of CPUs every resume and
 * every grant finds the record cold).  An access that hits touches lines
 * 0 and 2 only; a CPU that misses, is granted the line and resumes
 * touches lines 0, 2, 3 and 6:
 *   line 0    ids, clock, interrupt test, state, store-buffer count and
 *             the saved stack pointer (the scheduler's prefetch reads it);
 *   line 1    the rest of the coroutine;
 *   line 2    access and miss counters, switch count, and cycles[NONE ..
 *             HIT] (what a hit charges);
 *   lines 3-4 the rest of cycles[] (3: QUEUE .. FENCE, what grants charge);
 *   line 5    what the store buffer, spin-waits and interrupts use (the
 *             last cause, idle_exit, ends on it, so n_fence moved to the
 *             rest);
 *   line 6    the blocking request and block bookkeeping;
 *   then      the store buffer's request, interrupt state, the streams.
 */
struct sim_cpu {
	/* line 0 */
	uint32_t id, socket, cluster, core;
	sim_time_t now;
	sim_time_t next_irq;         /* min(next_tick, first IPI): the fast-path check */
	uint64_t ev_seq;             /* seq of the one live CPU event; others are stale */
	uint32_t sb_n;               /* stores in the buffer */
	uint8_t state;               /* enum sim_cpu_state */
	uint8_t block;               /* enum sim_block_reason */
	uint8_t cause;               /* enum sim_cause override, or SIM_CAUSE_NONE */
	bool sb_busy;                /* sbreq is at a directory */
	struct sim_coro coro;        /* sp and stack_lo on line 0, the rest on line 1 */
	/* line 2: every access counts itself in one counter (hits are the
	 * accesses that neither missed nor went into the store buffer) */
	uint64_t n_load, n_store, n_rmw, n_miss;
	uint64_t switches;           /* switch-backs, for the periodic stack check */
	/* line 2 (NONE .. HIT), lines 3-4 */
	uint64_t cycles[SIM_CAUSE_N];
	/* line 5 */
	uint64_t n_sb_store;         /* stores queued in the store buffer (not hits) */
	struct sim_sb_ent *sb;       /* ring of store_buffer_entries */
	uint32_t sb_head;
	uint32_t thread;
	uint32_t watch_next;         /* the line's watch list (sim_line.watch), doubly */
	uint32_t watch_prev;         /* linked by CPU id (SIM_NONE: end / head), so a
	                              * watcher that times out leaves in O(1), not by a
	                              * walk of every other watcher (65,536 CPUs) */
	uint32_t watch_line;
	uint32_t irq_off;            /* sim_irq_disable() depth */
	sim_time_t next_tick;        /* SIM_T_INF without a tick handler */
	struct sim_ipi *ipi_head;    /* pending IPIs, by arrival */
	/* line 6 */
	struct sim_req req;
	sim_time_t block_since;
	sim_time_t wake_at;          /* pending timeout of a blocked CPU, or SIM_T_INF */
	/* the rest */
	struct sim_req sbreq;
	uint64_t ticks, ipis, ipis_sent;
	bool in_irq;                 /* a handler is running: no nesting */
	bool nohz_idle;              /* in the idle loop (sim_idle_enter .. sim_idle_exit):
	                              * its tick is what the NO_HZ hooks keep (irq.c) */
	struct sim_rng rng;
	struct sim_rng jrng;         /* jitter stream, apart from the workload's */
	uint64_t n_rmw_miss;         /* RMWs among n_miss (sim_cpu_access_counts) */
	uint64_t n_store_miss;       /* store-buffer requests for write ownership */
	uint64_t n_fence;
	uint64_t idle_exit;          /* exit latency of the idle state the CPU is in (cycles;
	                              * 0: in C0), set by sim_idle_enter, cleared by the
	                              * interrupt or sim_idle_exit that pays it */
} __attribute__((aligned(64)));
#if SIM_CORO_ASM
_Static_assert(offsetof(struct sim_cpu, coro) + 2 * sizeof(void *) <= 64 &&
	       offsetof(struct sim_cpu, n_load) == 128 &&
	       offsetof(struct sim_cpu, cycles[SIM_CAUSE_HIT]) == 128 + 56 &&
	       offsetof(struct sim_cpu, cycles[SIM_CAUSE_QUEUE]) == 192 &&
	       offsetof(struct sim_cpu, cycles[SIM_CAUSE_IDLE_EXIT]) == 320 &&
	       offsetof(struct sim_cpu, n_sb_store) == 328 &&
	       offsetof(struct sim_cpu, ipi_head) + 8 <= 384 &&
	       offsetof(struct sim_cpu, req) == 384 &&
	       offsetof(struct sim_cpu, wake_at) + 8 <= 448,
	       "struct sim_cpu's lines as its comment says");
#endif

struct sim_stats {
	uint64_t events;
	uint64_t transactions;
	uint64_t grants_read, grants_write, llc_hits, merged_reads;
	uint64_t invalidations;
	uint64_t l2_hits;            /* loads served by the private L2 */
	uint64_t dram_reads;         /* transactions whose data came from DRAM */
	uint64_t evictions;          /* owned lines given back by a private cache */
	uint64_t writebacks;         /* ... of which dirty: written back to DRAM */
	uint64_t mem_queue;          /* cycles requests waited at memory controllers */
	uint64_t yields, blocks;
};

struct sim_inv_hook {
	const char *name;
	sim_invariant_fn fn;
	void *arg;
};

struct sim {
	const struct sim_run_config *rc;
	const struct sim_machine *m;
	uint32_t ncpus;
	struct sim_cpu *cpus;
	struct sim_core *cores;
	uint32_t ncores;
	struct sim_cluster *clusters;
	uint32_t nclusters;
	struct sim_cgeom g_l1, g_l2, g_llc; /* cache geometries (hier.c) */
	uint32_t recent_mask;        /* sim_core.recent's index mask (hier.c) */
	uint32_t *link_tab;          /* cost of one message between sockets a and b at
	                              * [a * sockets + b], or NULL: computed (cache.c) */
	uint64_t cache_bytes;        /* host memory of private-cache tables and LLC sets */
	/* Where private caches' first tables (SIM_PC_FIRST_CAP slots) are
	 * carved from: mappings of growing size, each faulted in at once
	 * (hier.c, first_table).  Host only. */
	char *pc_slab, *pc_slab_end;
	GPtrArray *pc_slabs;         /* the mappings (their sizes: pc_slab_size) */
	/* per-socket memory controllers (hier.c): the next free slot, in
	 * 1/SIM_MC_FRAC cycles; mc_interval per line (0: unbounded) */
	uint64_t *mc_free;
	uint64_t mc_interval;
	struct sim_evq evq;
	struct sim_rng arbiter;
	struct sim_coro main_co;
	struct sim_side_stack side;  /* where cpu_leave handles events (coro.h) */
	struct sim_cpu *leave_cpu;   /* the CPU in cpu_leave (engine.c) */
	uint32_t leave_cls, leave_id; /* the event cpu_leave finished last (the
	                              * invariant checker's message; debug builds) */
	struct sim_cpu *cur;
	uint64_t polls;              /* events finished, for the periodic stop check */
	bool ev_checked;             /* the invariants of the event that returned to the
	                              * scheduler were checked on the way (debug builds) */
	sim_time_t now;              /* time of the event being processed */
	uint64_t seq;                /* event sequence counter */
	uint64_t conflict;           /* conflict penalty of the grant in progress */
	sim_time_t max_cycles;       /* engine.max_cycles, or SIM_T_INF */
	sim_time_t run_watch;        /* max_cycles, or the overrun notice's time if
				      * sooner and not yet passed (run_watch_time) */
	sim_time_t overrun_due;      /* > 0: the time the notice is owed for */
	/* simulated memory */
	char *arena;
	size_t arena_size;
	size_t arena_used;
	struct sim_line **line_chunks;
	uint32_t nline_chunks;
	uint64_t lines_allocated;
	/* The chunks made, in order (sim_arena_destroy frees these instead
	 * of reading all of line_chunks: 8.5 MiB of pointers at 65,536 CPUs,
	 * whose untouched pages reading would fault in).  Host only. */
	GArray *chunks_made;         /* of uint32_t */
	/* Placements and poisonings that covered whole line chunks not made
	 * yet, in call order: sim_line_chunk_make applies them to a new
	 * chunk, so a large pool (kalloc's pages) placed and poisoned in
	 * setup makes no line records and fills no host memory until used.
	 * Host only. */
	GArray *line_ops;            /* of struct sim_line_op */
	GHashTable *free_lists;      /* (size,align) -> GSList of free blocks; lookup only */
	uint32_t nowners;            /* ranges owned by a simulated allocator */
	struct sim_mem_owner {
		uint64_t start, end;         /* arena offsets [start, end) */
		sim_mem_free_fn fn;
		void *arg;
	} owners[4];
	/* stacks */
	char *stacks;
	size_t stacks_size;
	size_t stack_stride;
	bool no_stack_populate;      /* sim_coro_populate failed: do not try again */
	/* run */
	void *wl_state;
	uint32_t ndone;
	struct sim_stats st;
	sim_progress_fn progress;
	void *progress_arg;
	sim_overrun_fn overrun;
	void *overrun_arg;
	double host_seconds;
	/* host memory (see estimate_fixed() in engine.c) */
	uint64_t fixed_bytes;        /* estimated up front by sim_create */
	uint64_t budget_bytes;       /* engine.memory_budget_mib, or 80% of RAM */
	bool in_setup;               /* the workload's setup is running */
	jmp_buf setup_jmp;           /* where a fatal error in setup returns */
	/* event queue */
	size_t evq_compact_at;       /* drop stale events when the queue is this long */
	size_t evq_peak;
	uint64_t evq_dropped;        /* stale events dropped (counted as events) */
	sim_time_t evq_dropped_max;  /* latest time among them */
	GError *fatal;               /* first fatal error raised inside the run */
	const char *free_label;      /* who frees memory (the reclaim scheme), for UAF reports */
	uint64_t tick_period;
	bool tick_skew;
	uint32_t ntick_fns;
	sim_tick_fn tick_fns[8];
	void *tick_args[8];
	uint64_t tick_jiffy;         /* NO_HZ: an idle CPU's kept tick period (irq.c) */
	uint32_t nnohz_fns;
	sim_tick_idle_fn nohz_fns[8];
	void *nohz_args[8];
	struct sim_ipi *ipi_free;
	sim_time_t ipi_fabric_free;  /* IPI delivery fabric busy until (irq.c) */
	uint64_t ipi_fabric_waited;  /* cycles senders waited for it */
	/* invariant checking (debug builds) */
	GArray *inv_hooks;           /* struct sim_inv_hook, registration order */
	uint64_t inv_checks;         /* checker calls made (reported under "host") */
	uint32_t *touched;           /* distinct lines this event touched (inv.c) */
	uint32_t ntouched, captouched;
	uint64_t inv_epoch;          /* stamp of this event's touched lines (sim_line.inv_seen) */
	/* per-run data of model-level registries (sim_attach), host memory */
	uint32_t nattach;
	struct sim_attachment {
		const void *key;
		void *data;
		void (*free_fn)(void *data);
	} attach[8];
};

extern struct sim *sim_current;

/* inv.c: what the per-event cache checker covers (debug builds) */
#define SIM_INV_LLC 0x80000000u
#ifndef NDEBUG
/* Record that the running event touched line id (once per event). */
void sim_inv_touch(struct sim *s, struct sim_line *l, uint32_t id);
/* The event's checks are done: forget its touched lines. */
void sim_inv_touched_reset(struct sim *s);
/* `who` (a core's last private level, or SIM_INV_LLC | a cluster's LLC)
 * now holds (on) or no longer holds line id. */
void sim_inv_hold(struct sim *s, uint32_t id, uint32_t who, bool on);
/* A way holding l was retagged from generation from to to: the count of
 * current-generation copies may have changed, so walk the holders again. */
static inline void
sim_inv_retagged(struct sim_line *l, uint32_t from, uint32_t to)
{
	if (from == l->gen || to == l->gen)
		l->inv_dirty = true;
}
#else
static inline void sim_inv_touch(struct sim *s, struct sim_line *l, uint32_t id)
{ (void)s; (void)l; (void)id; }
static inline void sim_inv_touched_reset(struct sim *s) { (void)s; }
static inline void sim_inv_retagged(struct sim_line *l, uint32_t from, uint32_t to)
{ (void)l; (void)from; (void)to; }
static inline void sim_inv_hold(struct sim *s, uint32_t id, uint32_t who, bool on)
{ (void)s; (void)id; (void)who; (void)on; }
#endif

/* cache.c */
/* One call that covered whole line chunks not made yet; applied to
 * lines [first, last] of each such chunk when it is made. */
enum sim_line_op_kind {
	SIM_LINE_OP_HOME,            /* sim_mem_place: home = arg */
	SIM_LINE_OP_POISON,          /* poisoning: every word freed by CPU arg
				      * (SIM_NONE: host) at `at`, bytes 0xdb */
};
struct sim_line_op {
	uint32_t first, last;
	uint32_t kind, arg;
	sim_time_t at;
};
/* Would an op on lines [first, last] defer chunk `chunk`?  (wholly
 * inside the range and not made yet) */
static inline bool
sim_line_chunk_deferred(const struct sim *s, uint32_t chunk, uint64_t first, uint64_t last)
{
	uint64_t base = (uint64_t)chunk << SIM_LINE_CHUNK_SHIFT;
	return s->line_chunks[chunk] == NULL && base >= first &&
	       base + SIM_LINE_CHUNK - 1 <= last;
}
/* Record an op for the chunks it defers (host memory only). */
void sim_line_op_defer(struct sim *s, const struct sim_line_op *op);
/* Machines with at most this many sockets get a table of message costs by
 * socket pair (256 KiB at 256 sockets); larger ones compute each cost. */
#define SIM_LINK_TAB_MAX_SOCKETS 256u
/* Build (sim_create) and free (sim_destroy) the table of message costs
 * between socket pairs, for machines small enough.  Host memory only. */
void sim_links_init(struct sim *s);
void sim_links_free(struct sim *s);
/* Make line chunk `chunk` (all lines invalid, no home); returns it.
 * Host memory only, no simulated cost. */
struct sim_line *sim_line_chunk_make(struct sim *s, uint32_t chunk);
void *sim_host_map_filled(size_t bytes);        /* engine.c */
/*
 * sim_line_get - the coherence state of line id, made on first use.
 * Context: anywhere; costs no simulated time.  Inline: it runs several
 * times per simulated access (host speed only).
 */
static inline struct sim_line *
sim_line_get(struct sim *s, uint32_t id)
{
	uint32_t chunk = id >> SIM_LINE_CHUNK_SHIFT;
	SIM_ASSERT(chunk < s->nline_chunks);
	struct sim_line *c = s->line_chunks[chunk];
	if (G_UNLIKELY(c == NULL))
		c = sim_line_chunk_make(s, chunk);
	struct sim_line *l = &c[id & (SIM_LINE_CHUNK - 1)];
	sim_inv_touch(s, l, id);
	return l;
}
bool sim_line_invariants_hold(const struct sim *s, uint32_t id, GString *why);
/* Is an S copy of l tagged g valid at t?  (the current generation, or
 * the previous one while its invalidation is in flight) */
static inline bool
sim_gen_valid(const struct sim_line *l, uint32_t g, sim_time_t t)
{
	return g == l->gen || (g + 1 == l->gen && t < l->old_gen_until);
}
/* Does any thread of core hold l in M/E at time t?  (SMT siblings share
 * the L1, so they read each other's owned lines as hits.) */
static inline bool
sim_core_owns(const struct sim *s, const struct sim_line *l, uint32_t core, sim_time_t t)
{
	if (l->owner != SIM_NONE && s->cpus[l->owner].core == core && t >= l->owner_from)
		return true;
	return l->prev_owner != SIM_NONE && s->cpus[l->prev_owner].core == core &&
	       t >= l->prev_from && t < l->prev_until;
}
static inline unsigned sim_pc_level(struct sim *s, uint32_t core, uint32_t line,
				    uint32_t *gen);
/*
 * sim_can_read - may CPU c read line id (record l) at t without a request?
 * Returns 1 (its core's L1d has it), 2 (its L2: now moved to the L1d) or
 * 0 (a miss).  Updates LRU state like sim_pc_level().  Context: the
 * running CPU; no cost itself (the caller charges the hit).  Inline: every
 * load asks (host speed only).
 */
static inline unsigned
sim_can_read(struct sim *s, struct sim_cpu *c, struct sim_line *l, uint32_t id, sim_time_t t)
{
	uint32_t gen;
	unsigned lvl = sim_pc_level(s, c->core, id, &gen);
	/* An owned line is present even if its fill was not recorded (a set
	 * of pinned lines, hier.c): count that as an L1d hit. */
	if (sim_core_owns(s, l, c->core, t))
		return lvl ? lvl : 1;
	return lvl && sim_gen_valid(l, gen, t) ? lvl : 0;
}
/* Does CPU c hold l in M/E at time t (may it write without a request)?
 * Context: anywhere; no simulated cost.  Inline: every store and RMW
 * asks (host speed only). */
static inline bool
sim_can_write(const struct sim_cpu *c, const struct sim_line *l, sim_time_t t)
{
	return (l->owner == c->id && t >= l->owner_from) ||
	       (l->prev_owner == c->id && t >= l->prev_from && t < l->prev_until);
}
void sim_read_miss(struct sim *s, struct sim_cpu *c, struct sim_line *l, uint32_t id);
void sim_write_miss(struct sim *s, struct sim_cpu *c, struct sim_line *l, uint32_t id);
void sim_enqueue(struct sim *s, struct sim_line *l, struct sim_req *r, sim_time_t t);
/*
 * sim_line_claim - CPU c takes line l (id) for a write of the whole line
 * (a fast-string store: an invalidation, no data read), the request
 * issued at t and granted at once.  Only when nobody waits at the
 * directory and it is free at t; otherwise returns false and changes
 * nothing (the caller takes the ordinary, blocking path).
 * Return: true and *t1, when c owns the line.  Context: c's coroutine;
 * does not yield or charge c (the caller accounts for the time); the
 * directory's state changes as a grant at t would change it.
 */
bool sim_line_claim(struct sim *s, struct sim_cpu *c, struct sim_line *l, uint32_t id,
		    sim_time_t t, sim_time_t *t1);
void sim_line_event(struct sim *s, uint32_t id, sim_time_t t);
/* Wake, at time t, every CPU sleeping on l (sim_wait_for_write, the spin
 * helpers): l was written, or taken for writing (a failed CAS), so their
 * copies are gone.  No simulated cost of its own. */
void sim_line_wake_watchers(struct sim *s, struct sim_line *l, sim_time_t t);
static inline void
sim_line_written(struct sim *s, struct sim_line *l, sim_time_t t)
{
	if (l->watch != NULL)           /* inline: most writes wake nobody */
		sim_line_wake_watchers(s, l, t);
}
void sim_first_touch(struct sim *s, struct sim_line *l, const struct sim_cpu *c);
/* The directory's sharer record (see cache.c): a private cache or LLC of
 * cluster gained / lost a copy of l's current generation. */
void sim_sharer_gained(struct sim *s, struct sim_line *l, uint32_t cluster);
void sim_sharer_lost(struct sim_line *l);
/* Tag cluster's LLC entry e for l with gen, keeping l->nsh_llc exact. */
void sim_l3_set_gen(struct sim *s, struct sim_line *l, uint32_t cluster, struct sim_l3_ent *e,
		    uint32_t gen);

/* hier.c */
#define SIM_MC_FRAC 256u
void sim_hier_init(struct sim *s);
void sim_hier_free(struct sim *s);
unsigned sim_pc_level_slow(struct sim *s, uint32_t core, uint32_t line, uint32_t *gen);
#ifndef NDEBUG
/* Debug builds: abort unless the recent entry e of core is what
 * struct sim_recent says (hier.c). */
void sim_pc_recent_check(const struct sim *s, uint32_t core, const struct sim_recent *e);
#endif
/*
 * sim_pc_level - where core keeps line: 1 (L1d), 2 (L2, now also moved
 * into the L1d) or 0 (neither); *gen gets the entry's generation.
 * Updates LRU state (a use).  Context: the running CPU or the scheduler;
 * costs nothing itself (the caller charges l1_hit or l2_hit).  A hit in
 * the core's recent table (no LRU change, see struct sim_recent) is
 * inline: it is most accesses (host speed only); the rest is
 * sim_pc_level_slow().
 */
static inline unsigned
sim_pc_level(struct sim *s, uint32_t core, uint32_t line, uint32_t *gen)
{
	const struct sim_recent *e = &s->cores[core].recent[line & s->recent_mask];
	if (G_LIKELY(e->tag == line + 1)) {
#ifndef NDEBUG
		sim_pc_recent_check(s, core, e);
#endif
		*gen = e->gen;
		return 1;
	}
	return sim_pc_level_slow(s, core, line, gen);
}
/* sim_pc_touch - a store or RMW hit on line: refresh its LRU position
 * (moving it from the L2 into the L1d if needed).  Context: the running
 * CPU; cost: none (the caller charges store_hit / atomic_hit). */
static inline void
sim_pc_touch(struct sim *s, uint32_t core, uint32_t line)
{
	uint32_t gen;
	(void)sim_pc_level(s, core, line, &gen);
}
struct sim_cway *sim_pc_find(const struct sim *s, const struct sim_core *core, uint32_t line);
struct sim_cway *sim_pc_last(const struct sim *s, uint32_t core, uint32_t line);
void sim_pc_fill(struct sim *s, uint32_t core, uint32_t cluster, struct sim_line *l,
		 uint32_t line, uint32_t gen, sim_time_t t);
struct sim_l3_ent *sim_llc_find(const struct sim *s, const struct sim_cluster *cl,
				uint32_t line);
struct sim_l3_ent *sim_llc_get(struct sim *s, uint32_t cluster, uint32_t line);
uint64_t sim_mc_read(struct sim *s, uint32_t socket, sim_time_t t);
void sim_mc_write(struct sim *s, uint32_t socket, sim_time_t t);

/* engine.c */
void sim_cpu_block(struct sim *s, struct sim_cpu *c, enum sim_block_reason why);
/* Queue c's one live event at t (any earlier one of c's goes stale). */
static inline void
sim_schedule_cpu(struct sim *s, struct sim_cpu *c, sim_time_t t)
{
	c->ev_seq = ++s->seq;
	sim_evq_push(&s->evq, (struct sim_ev){ .time = t, .cls = SIM_EV_CPU, .id = c->id,
					       .seq = c->ev_seq });
}
/* Blocked c runs again at t (at or after its clock).  Inline: every grant
 * wakes its CPU (host speed only; out of line, through link-time
 * inlining that a larger engine.c no longer did, faa at 4,096 CPUs took
 * 1% more instructions). */
static inline void
sim_cpu_wake(struct sim *s, struct sim_cpu *c, sim_time_t t)
{
	SIM_ASSERT(c->state == SIM_CPU_BLOCKED);
	SIM_ASSERT(t >= c->now);
	c->now = t;
	c->state = SIM_CPU_RUNNABLE;
	sim_schedule_cpu(s, c, t);
}
void sim_cpu_timeout(struct sim *s, struct sim_cpu *c, sim_time_t t);
void sim_cpu_yield_slow(struct sim *s, struct sim_cpu *c);
/*
 * sim_cpu_maybe_yield - let every event due before the running CPU c's
 * clock happen: if the earliest queued event is earlier than c->now (or
 * at c->now and ordered before c's own), c yields to the scheduler and
 * resumes after it.  Also stops the run once c->now passes
 * engine.max_cycles, and marks the overrun notice due (sim_set_overrun).  Context: c's coroutine; may yield (simulated time
 * of others passes, not c's).  Inline: every access ends with it, and it
 * yields rarely (host speed only); the rest is sim_cpu_yield_slow().
 */
/* Is the running CPU c still ahead of every queued event (it may go on
 * without yielding)?  An empty queue's top.time is UINT64_MAX, after any
 * CPU's clock (evq.h): no test of n (host speed only). */
static inline bool
sim_cpu_is_first(const struct sim *s, const struct sim_cpu *c)
{
	const struct sim_ev *top = &s->evq.top;
	return top->time > c->now ||
	       (top->time == c->now && (top->cls != SIM_EV_CPU || top->id > c->id));
}

static inline void
sim_cpu_maybe_yield(struct sim *s, struct sim_cpu *c)
{
	SIM_ASSERT(c->now < UINT64_MAX);
	if (G_LIKELY(c->now <= s->run_watch) && sim_cpu_is_first(s, c))
		return;
	sim_cpu_yield_slow(s, c);
}
void sim_schedule(struct sim *s, sim_time_t t, enum sim_ev_class cls, uint32_t id);
void sim_fatal(struct sim *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3) G_GNUC_NORETURN;
/* Simulated memory or line records grew: stop the run (or the setup)
 * cleanly if the host-memory budget is now exceeded. */
void sim_mem_grew(struct sim *s);

/* irq.c */
void sim_irq_check(struct sim *s, struct sim_cpu *c, bool ticks);
sim_time_t sim_irq_next(const struct sim_cpu *c, bool ticks);
void sim_irq_skip_ticks(struct sim *s, struct sim_cpu *c);
void sim_nohz_idle_enter(struct sim *s, struct sim_cpu *c);
void sim_nohz_idle_exit(struct sim *s, struct sim_cpu *c);
sim_time_t sim_nohz_next_tick(struct sim *s, struct sim_cpu *c);
void sim_irq_free_all(struct sim *s);

/* mem.c */
void sim_access_begin(struct sim *s, struct sim_cpu *c);
void sim_sb_issue(struct sim *s, struct sim_cpu *c, struct sim_line *l, uint32_t id,
		  sim_time_t t);
void sim_sb_event(struct sim *s, struct sim_cpu *c, sim_time_t t);
/* sim_free() of [p, p + size) by CPU c: c's buffered stores into it
 * precede the free in program order and die with the object (drained
 * without writing).  No simulated cost. */
void sim_sb_forget(struct sim *s, struct sim_cpu *c, const void *p, size_t size);

/* budget.c */
/* Estimate the host memory of a run before creating it; FALSE with *err
 * (SIM_CONFIG_ERROR_LIMIT) if over engine.memory_budget_mib. */
gboolean sim_budget_check(const struct sim_run_config *rc, uint32_t ncores, uint32_t nclusters,
			  uint64_t *est, uint64_t *budget, GError **err);
/* Host memory grown since sim_create: arena pages and line records. */
uint64_t sim_grown_bytes(const struct sim *s);
/* Simulated memory to reserve for a run (engine.arena_mib or automatic). */
size_t sim_arena_bytes(const struct sim_run_config *rc);

/* arena.c */
gboolean sim_arena_init(struct sim *s, size_t bytes, GError **err);
void sim_arena_destroy(struct sim *s);

/* Attribute cycles (already spent) to a cause, honouring the CPU's
 * sim_cause_push() override. */
static inline void
sim_charge(struct sim_cpu *c, enum sim_cause cause, uint64_t cycles)
{
	c->cycles[c->cause != SIM_CAUSE_NONE ? c->cause : cause] += cycles;
}

/* Spend cycles on the running CPU. */
static inline void
sim_advance(struct sim_cpu *c, enum sim_cause cause, uint64_t cycles)
{
	c->now += cycles;
	sim_charge(c, cause, cycles);
}

static inline uint32_t
sim_line_id(const struct sim *s, const void *addr)
{
	return (uint32_t)(((const char *)addr - s->arena) >> SIM_LINE_SHIFT);
}

#endif
