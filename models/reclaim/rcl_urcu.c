// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Userspace RCU (liburcu) flavours, one scheme each: urcu-qsbr,
 * urcu-memb, urcu-mb and urcu-signal.  They share the grace-period
 * machinery (a gp counter, per-reader counters on their own lines,
 * synchronize_rcu under gp_lock) and differ in what the read side and
 * the "master" barrier cost.
 *
 * SOURCE: urcu/userspace-rcu include/urcu/static/urcu-common.h (struct
 * urcu_gp, urcu_common_reader_state), urcu-memb.h / urcu-mb.h /
 * urcu-signal.h (_rcu_read_lock_update, _rcu_read_unlock_update_and_wakeup),
 * urcu-qsbr.h (_urcu_qsbr_quiescent_state, thread_offline/online),
 * src/urcu.c (synchronize_rcu, wait_for_readers, smp_mb_master,
 * force_mb_all_readers, sigrcu_handler), src/urcu-qsbr.c (synchronize_rcu,
 * 64-bit single phase); via reclaim-algorithms.md section 5.
 *
 * Layout (simulated lines):
 *
 *   gp line:            [ ctr | futex ]   ctr written by the GP master under
 *                                         gp_lock; read by every outermost
 *                                         read_lock (memb/mb/signal) or QS (qsbr);
 *                                         futex read by every outermost unlock
 *   reader line, CPU i: [ ctr | need_mb ] ctr written by CPU i, read by the
 *                                         master; need_mb written by the signal
 *                                         master (1) and the handler (0)
 *   csd line, CPU i:    [ flags ]         membarrier's IPI completion flag:
 *                                         master sets, CPU i's handler clears
 *   crdp line, CPU i:   [ tail ]          call_rcu queue: xchg by CPU i
 *   gp_lock:            a ticket lock (models/lock/lock_ticket.c)
 *
 * Counter encoding (64-bit): URCU_GP_COUNT = 1 is the nesting unit in the
 * low half, URCU_GP_CTR_PHASE = 1 << 32 the parity.  A reader is INACTIVE
 * (nesting 0), ACTIVE_CURRENT (its parity is gp.ctr's) or ACTIVE_OLD.
 * QSBR: ctr = 0 offline, else a copy of gp.ctr, which starts at
 * URCU_QSBR_GP_ONLINE and grows by URCU_QSBR_GP_CTR per grace period.
 *
 * synchronize_rcu (memb/mb/signal): lock; smp_mb_master(); wait until
 * no reader is ACTIVE_OLD (remember the ACTIVE_CURRENT ones); mb; flip the
 * parity; mb; wait until each remembered reader is INACTIVE or CURRENT;
 * smp_mb_master(); unlock.  QSBR (64-bit): mb; gp.ctr += GP_CTR; mb; wait
 * until every online reader's ctr equals gp.ctr; one phase.
 *
 * Read side per flavour (outermost lock / unlock):
 *   qsbr:   nothing (QS announcement: load gp.ctr; if changed mb, store, mb)
 *   memb:   load gp.ctr, store own ctr, compiler barrier / barrier, store
 *           own ctr, barrier, load gp.futex
 *   mb:     as memb with smp_mb (sim_fence_full) for each barrier
 *   signal: as memb (compiler barriers); the master signals every reader
 *
 * Master barrier (smp_mb_master):
 *   memb:   membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED): the syscall sends
 *           an IPI to every CPU running a registered reader; each runs
 *           smp_mb in the handler and clears its csd flag; the master
 *           spins on the flags.
 *   mb:     smp_mb.
 *   signal: force_mb_all_readers: need_mb = 1 and pthread_kill for each
 *           reader; mb; for each: while need_mb { pthread_kill; poll 1 ms }.
 *
 * IPIs and signals are real simulated interrupts (sim_ipi_send): the
 * machine's latency.ipi_send is charged on the sender per target,
 * latency.ipi_latency later the target takes it at its next instruction
 * boundary (waking it if it sleeps or spins) and pays latency.irq_entry.
 * On top of that the master pays syscall_cycles per membarrier() and, for
 * signal, signal_send per pthread_kill (the tgkill syscall), and a
 * signalled reader pays signal_cycles (signal frame, sigreturn).
 * MODEL: the syscall and signal costs are assumptions [R], not
 * measurements; membarrier is modelled as IPIs to every registered
 * reader, where the kernel skips CPUs not running this mm (here every
 * CPU runs a reader, so nothing is skipped).
 * MODEL: the futex sleep of wait_for_readers (after 100 active attempts)
 * and its wake-up are not modelled: the master MWAITs on the blocking
 * reader's line; readers still load gp.futex on every outermost unlock.
 * WHO FREES.  liburcu's call_rcu() only queues: the callbacks run in a
 * call_rcu worker thread (src/urcu-call-rcu-impl.h call_rcu_thread), by
 * default one per process (get_default_call_rcu_data), or one per CPU
 * after create_all_cpu_call_rcu_data().  Its loop: splice the whole
 * queue; if it was not empty, synchronize_rcu() and run the batch; then,
 * if the queue is empty, sleep on its futex until a call_rcu() wakes it
 * (wake_call_rcu_thread) and then poll(NULL, 0, 10) more, else just
 * poll(NULL, 0, 10); repeat.  So a callback waits 10 ms plus a grace
 * period or two.  Modelled (worker_sleep_us, default 10,000; 0 = no
 * worker): the default per-process worker, bound to CPU worker_cpu; a
 * retire that finds it asleep wakes it for now + worker_sleep_us; it
 * runs at the first quiescent_state() (return to user mode) on its CPU
 * once that time has come, splices every CPU's queue, runs one
 * synchronize_rcu() and frees the batch, and sleeps worker_sleep_us
 * again if more was queued meanwhile.  Under QSBR its synchronize_rcu()
 * does not hold the CPU: it advances gp.ctr and then looks at the
 * readers again at each of that CPU's returns to user mode until all
 * have passed a quiescent state (the real worker blocks and the workload
 * thread runs meanwhile; holding the CPU would deadlock against threads
 * that wait in user mode, online, for this one).  Workloads that never call
 * quiescent_state() (rcuscale) never run it: their poll() does the work
 * as below, unchanged.
 * MODEL: the worker is a thread of its own that the scheduler puts on
 * worker_cpu; here it runs on that CPU at the workload thread's next
 * return to user after its timer, the point where a non-preemptible
 * kernel would switch to it (up to one syscall late), and its wake-up
 * and context switches are not charged.  While it runs, the workload
 * thread it displaced counts as offline (it is at a quiescent state).
 * MODEL: the default call_rcu_data is one queue whose tail every
 * call_rcu() exchanges (plus a qlen add); the sim keeps one tail line per
 * CPU (as per-CPU call_rcu data has) and the worker splices each
 * non-empty one (one xchg per line).  Expected effect: call_rcu is
 * cheaper than the default queue's by a shared-line transfer when CPUs
 * retire concurrently (the address-space designs retire under the mmap
 * lock, so rarely), the splice dearer by one line per retiring CPU.
 * MODEL: poll() (the workloads that call it) runs the calling CPU's
 * callbacks inline: once `batch` are queued, synchronize_rcu() and free
 * them (poll blocks for a grace period, as a worker of that CPU would).
 * Readers register lazily at their first read_lock or quiescent_state
 * (rcu_register_thread; QSBR also goes online).
 */
#include <glib.h>
#include <string.h>

#include "engine.h"
#include "lock.h"
#include "reclaim.h"

#define URCU_GP_COUNT 1ull
#define URCU_GP_CTR_PHASE (1ull << 32)
#define URCU_GP_CTR_NEST_MASK (URCU_GP_CTR_PHASE - 1)
#define URCU_QSBR_GP_ONLINE 1ull
#define URCU_QSBR_GP_CTR 2ull

enum urcu_flavor { URCU_QSBR, URCU_MEMB, URCU_MB, URCU_SIGNAL };

struct urcu_params {
	uint32_t batch;
	uint32_t worker_sleep_us;
	uint32_t worker_cpu;
	uint64_t syscall_cycles;
	uint64_t signal_send;
	uint64_t signal_cycles;
	uint64_t signal_poll;
};

#define URCU_COMMON_PARAMS \
	SIM_P_U32_ROW(struct urcu_params, batch, 1, 1u << 20, 16, \
		      "call_rcu callbacks queued on a CPU before its poll() runs a grace period"), \
	SIM_P_U32_ROW(struct urcu_params, worker_sleep_us, 0, 100000000, 10000, \
		      "call_rcu worker: poll(NULL, 0, 10) between batches and after a wake-up, " \
		      "in microseconds; 0 = no worker (only poll() and cpu_exit free)"), \
	SIM_P_U32_ROW(struct urcu_params, worker_cpu, 0, UINT32_MAX, 0, \
		      "CPU the default call_rcu worker thread runs on (at its returns to user mode)")

static const struct sim_param urcu_plain_params[] = {
	URCU_COMMON_PARAMS,
	SIM_P_END,
};

static const struct sim_param urcu_memb_params[] = {
	URCU_COMMON_PARAMS,
	SIM_P_U64_ROW(struct urcu_params, syscall_cycles, 0, UINT64_C(1) << 32, 300,
		      "membarrier() syscall entry + exit on the master, cycles [R]"),
	SIM_P_END,
};

static const struct sim_param urcu_signal_params[] = {
	URCU_COMMON_PARAMS,
	SIM_P_U64_ROW(struct urcu_params, signal_send, 0, UINT64_C(1) << 32, 1000,
		      "master's cost per pthread_kill (tgkill syscall), cycles [R]"),
	SIM_P_U64_ROW(struct urcu_params, signal_cycles, 0, UINT64_C(1) << 32, 3000,
		      "target's signal frame setup + sigreturn, charged as local work, cycles [R]"),
	SIM_P_U64_ROW(struct urcu_params, signal_poll, 1, UINT64_C(1) << 40, 2000000,
		      "poll(NULL, 0, 1) sleep when a reader has not acked yet: 1 ms, in cycles"),
	SIM_P_END,
};

/* ---- simulated layouts ---- */

struct urcu_gp {
	uint64_t ctr;               /* gp line: master writes under gp_lock */
	int32_t futex;              /* gp line: read by every outermost unlock */
	uint32_t pad[13];
};

struct urcu_reader {
	uint64_t ctr;               /* reader line: owner writes; master reads */
	uint32_t need_mb;           /* reader line: signal master 1, handler 0 */
	uint32_t pad[13];
};

struct urcu_line {                  /* csd flags or call_rcu queue tail */
	uint64_t word;
	uint64_t pad[7];
};

/* ---- host state ---- */

struct urcu_cpu {
	bool registered;
	bool exited;
	bool irq_pending;
	bool cur_snap;              /* in cur_snap_readers during a GP */
	uint32_t nest;              /* host mirror of the nesting count (asserts) */
	struct rcl_list cbs;        /* call_rcu callbacks */
};

struct urcu {
	enum urcu_flavor flavor;
	struct urcu_params p;
	uint32_t ncpus;
	struct urcu_gp *gp;
	struct urcu_reader *reader;
	struct urcu_line *csd;
	struct urcu_line *crdp;
	const struct lock_ops *lops;
	void *gp_lock;
	struct urcu_cpu *c;
	struct rcl_stats st;        /* host: the common metrics */
	double freq_ghz;            /* the machine's, for the _ns metrics */
	/* counters */
	uint64_t membarrier, ipi, signals, signal_polls, reader_waits;
	uint64_t qs_announce, call_rcu_batches;
	/* the call_rcu worker (host): when it next runs, SIM_TIME_NEVER while
	 * it sleeps on its futex with nothing queued */
	uint64_t worker_sleep;      /* cycles; 0 = no worker */
	sim_time_t worker_due;
	struct rcl_list worker_batch; /* spliced, waiting for the worker's grace period */
	bool worker_waiting;        /* QSBR: the worker's grace period is in progress */
	uint64_t worker_goal;       /* ... its gp.ctr: readers at or past it (or offline) are done */
	uint32_t worker_next;       /* ... the first reader not yet seen quiescent */
	sim_time_t worker_gp0;
	uint64_t worker_runs, worker_cycles, worker_freed;
};

static void urcu_irq(void *arg);

static void *
urcu_create(struct sim *sim, const void *params, enum urcu_flavor f, const char *label)
{
	struct urcu *u = g_new0(struct urcu, 1);
	u->freq_ghz = sim_machine_of(sim)->freq_ghz;
	u->flavor = f;
	u->p = *(const struct urcu_params *)params;
	u->ncpus = sim_ncpus_of(sim);
	u->gp = sim_alloc(sizeof *u->gp, 64);
	u->gp->ctr = f == URCU_QSBR ? URCU_QSBR_GP_ONLINE : URCU_GP_COUNT;
	sim_mem_prime(sim, u->gp, sizeof *u->gp, 0);
	u->reader = sim_alloc(sizeof(struct urcu_reader) * u->ncpus, 64);
	u->csd = sim_alloc(sizeof(struct urcu_line) * u->ncpus, 64);
	u->crdp = sim_alloc(sizeof(struct urcu_line) * u->ncpus, 64);
	for (uint32_t i = 0; i < u->ncpus; i++) {
		sim_mem_prime(sim, &u->reader[i], sizeof u->reader[i], i);
		sim_mem_prime(sim, &u->csd[i], sizeof u->csd[i], i);
		sim_mem_prime(sim, &u->crdp[i], sizeof u->crdp[i], i);
	}
	u->c = g_new0(struct urcu_cpu, u->ncpus);
	u->lops = lock_find("ticket");
	g_assert(u->lops != NULL);
	u->gp_lock = u->lops->create(sim, NULL, 0);
	u->worker_sleep = (uint64_t)(u->freq_ghz * 1e3 * u->p.worker_sleep_us);
	u->worker_due = SIM_TIME_NEVER;
	if (u->p.worker_cpu >= u->ncpus)
		u->worker_sleep = 0;    /* no such CPU: no worker */
	sim_set_free_label(sim, label);
	return u;
}

static void *urcu_qsbr_create(struct sim *s, const void *p) { return urcu_create(s, p, URCU_QSBR, "urcu-qsbr"); }
static void *urcu_memb_create(struct sim *s, const void *p) { return urcu_create(s, p, URCU_MEMB, "urcu-memb"); }
static void *urcu_mb_create(struct sim *s, const void *p) { return urcu_create(s, p, URCU_MB, "urcu-mb"); }
static void *urcu_signal_create(struct sim *s, const void *p) { return urcu_create(s, p, URCU_SIGNAL, "urcu-signal"); }

static void
urcu_destroy(void *rs)
{
	struct urcu *u = rs;
	for (uint32_t i = 0; i < u->ncpus; i++)
		rcl_list_free(&u->c[i].cbs);
	rcl_list_free(&u->worker_batch);
	u->lops->destroy(u->gp_lock);
	g_free(u->c);
	g_free(u);
}

/* ---- interrupts: the membarrier IPI handler and sigrcu_handler ---- */

static void
urcu_irq_body(struct urcu *u, uint32_t cpu)
{
	u->c[cpu].irq_pending = false;
	if (u->flavor == URCU_MEMB) {
		sim_fence_full();                           /* smp_mb in the IPI */
		sim_store64(&u->csd[cpu].word, 0);          /* csd_unlock */
	} else {
		sim_work(u->p.signal_cycles);
		sim_fence_full();                           /* sigrcu_handler: cmm_smp_mb */
		sim_store32(&u->reader[cpu].need_mb, 0);
		sim_fence_full();
	}
}

/* The IPI handler (membarrier's ipi_mb / the signal's delivery); a CPU
 * that already ran the body (idle entry, exit) finds nothing to do. */
static void
urcu_irq(void *arg)
{
	struct urcu *u = arg;
	uint32_t cpu = sim_cpu_id();
	if (u->c[cpu].irq_pending)
		urcu_irq_body(u, cpu);
}

/* ---- registration ---- */

/* rcu_register_thread (+ QSBR thread_online) on first use. */
static inline void
urcu_register(struct urcu *u, uint32_t cpu)
{
	if (G_LIKELY(u->c[cpu].registered))
		return;
	u->c[cpu].registered = true;
	if (u->flavor == URCU_QSBR) {
		sim_store64(&u->reader[cpu].ctr, sim_load64(&u->gp->ctr));
		sim_fence_full();
	}
}

/* ---- read side ---- */

static inline void
smp_mb_slave(const struct urcu *u)
{
	if (u->flavor == URCU_MB)
		sim_fence_full();
	/* memb, signal: a compiler barrier, free */
}

/* SOURCE: _rcu_read_lock_update(). */
static void
urcu_read_lock_update(struct urcu *u)
{
	uint32_t cpu = sim_cpu_id();
	urcu_register(u, cpu);
	u->st.read_sections++;
	u->c[cpu].nest++;
	if (u->flavor == URCU_QSBR)
		return;                 /* _urcu_qsbr_read_lock: empty */
	struct urcu_reader *r = &u->reader[cpu];
	uint64_t tmp = sim_load64(&r->ctr);
	if (!(tmp & URCU_GP_CTR_NEST_MASK)) {
		sim_store64(&r->ctr, sim_load64(&u->gp->ctr));
		smp_mb_slave(u);
	} else {
		sim_store64(&r->ctr, tmp + URCU_GP_COUNT);
	}
}

/* SOURCE: _rcu_read_unlock_update_and_wakeup(). */
static void
urcu_read_unlock_update_and_wakeup(struct urcu *u)
{
	uint32_t cpu = sim_cpu_id();
	g_assert(u->c[cpu].nest > 0);
	u->c[cpu].nest--;
	if (u->flavor == URCU_QSBR)
		return;
	struct urcu_reader *r = &u->reader[cpu];
	uint64_t tmp = sim_load64(&r->ctr);
	if ((tmp & URCU_GP_CTR_NEST_MASK) == URCU_GP_COUNT) {
		smp_mb_slave(u);
		sim_store64(&r->ctr, tmp - URCU_GP_COUNT);
		smp_mb_slave(u);
		(void)sim_load32(&u->gp->futex);   /* wake_up_gp check */
	} else {
		sim_store64(&r->ctr, tmp - URCU_GP_COUNT);
	}
}

static void
urcu_read_lock(void *rs)
{
	struct urcu *u = rs;
	sim_time_t t0 = sim_now();
	urcu_read_lock_update(u);
	rcl_stats_read_time(&u->st, t0);
}

static void
urcu_read_unlock(void *rs)
{
	struct urcu *u = rs;
	sim_time_t t0 = sim_now();
	urcu_read_unlock_update_and_wakeup(u);
	rcl_stats_read_time(&u->st, t0);
}

static void urcu_worker(struct urcu *u);

/* SOURCE: _urcu_qsbr_quiescent_state(). */
static void
qsbr_quiescent_state(struct urcu *u)
{
	uint32_t cpu = sim_cpu_id();
	urcu_register(u, cpu);
	uint64_t gp_ctr = sim_load64(&u->gp->ctr);
	if (gp_ctr == sim_load64(&u->reader[cpu].ctr))
		return;
	u->qs_announce++;
	sim_fence_full();
	sim_store64(&u->reader[cpu].ctr, gp_ctr);
	sim_fence_full();
	(void)sim_load32(&u->gp->futex);
	sim_fence_full();
}

/* A return to user mode: QSBR's quiescent state; then, on the worker's
 * CPU once its sleep is over, the call_rcu worker (WHO FREES above). */
static void
urcu_quiescent_state(void *rs)
{
	struct urcu *u = rs;
	if (u->flavor == URCU_QSBR)
		qsbr_quiescent_state(u);
	if (u->worker_sleep && sim_cpu_id() == u->p.worker_cpu &&
	    (u->worker_waiting || sim_now() >= u->worker_due))
		urcu_worker(u);
}

/* QSBR thread_offline: mb; ctr = 0; mb. */
static void
qsbr_offline(struct urcu *u, uint32_t cpu)
{
	sim_fence_full();
	sim_store64(&u->reader[cpu].ctr, 0);
	sim_fence_full();
}

/* QSBR thread_online: ctr = gp.ctr; mb. */
static void
qsbr_online(struct urcu *u, uint32_t cpu)
{
	sim_store64(&u->reader[cpu].ctr, sim_load64(&u->gp->ctr));
	sim_fence_full();
}

static void
urcu_idle_enter(void *rs)
{
	struct urcu *u = rs;
	uint32_t cpu = sim_cpu_id();
	if (u->flavor == URCU_QSBR && u->c[cpu].registered)
		qsbr_offline(u, cpu);
	if (u->c[cpu].irq_pending)
		urcu_irq_body(u, cpu);
}

static void
urcu_idle_exit(void *rs)
{
	struct urcu *u = rs;
	uint32_t cpu = sim_cpu_id();
	if (u->flavor == URCU_QSBR && u->c[cpu].registered)
		qsbr_online(u, cpu);
}

/* ---- master barriers ---- */

/* membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED): IPI every other CPU
 * running a registered reader; wait for each handler's smp_mb. */
static void
urcu_membarrier(struct urcu *u)
{
	uint32_t self = sim_cpu_id();
	u->membarrier++;
	sim_work(u->p.syscall_cycles);
	sim_fence_full();
	for (uint32_t i = 0; i < u->ncpus; i++) {
		if (i == self || !u->c[i].registered || u->c[i].exited)
			continue;
		sim_store64(&u->csd[i].word, 1);            /* csd_lock */
		/* llist_add of the csd onto CPU i's call_single_queue: a locked
		 * cmpxchg, so the csd_lock store is visible before CPU i can
		 * find the entry (an idle CPU flushes its queue without the IPI,
		 * urcu_idle_enter).  Without the drain CPU i ran the handler, its
		 * csd_unlock landed first, this CPU's 1 overwrote it, and
		 * csd_lock_wait below spun forever.
		 * MODEL: the queue's line is not simulated; its RMW is the fence. */
		sim_fence_full();
		u->c[i].irq_pending = true;
		sim_ipi_send(i, urcu_irq, u);
		u->ipi++;
	}
	for (uint32_t i = 0; i < u->ncpus; i++) {
		if (i == self || !u->c[i].registered)
			continue;
		uint64_t v = sim_load64(&u->csd[i].word);   /* csd_lock_wait */
		while (v != 0)
			v = sim_spin_while_eq64(&u->csd[i].word, v);
	}
	sim_fence_full();
}

/* SOURCE: force_mb_all_readers(). */
static void
urcu_force_mb_all_readers(struct urcu *u)
{
	uint32_t self = sim_cpu_id();
	for (uint32_t i = 0; i < u->ncpus; i++) {
		if (!u->c[i].registered || u->c[i].exited)
			continue;
		if (i == self) {
			sim_fence_full();   /* our own handler would run at once */
			continue;
		}
		sim_store32(&u->reader[i].need_mb, 1);
		u->c[i].irq_pending = true;
		sim_work(u->p.signal_send);                 /* pthread_kill */
		sim_ipi_send(i, urcu_irq, u);
		u->signals++;
	}
	sim_fence_full();
	for (uint32_t i = 0; i < u->ncpus; i++) {
		if (i == self || !u->c[i].registered)
			continue;
		while (sim_load32(&u->reader[i].need_mb)) {
			sim_work(u->p.signal_send);
			if (!u->c[i].irq_pending && !u->c[i].exited) {
				u->c[i].irq_pending = true;     /* pthread_kill again */
				sim_ipi_send(i, urcu_irq, u);
				u->signals++;
			}
			u->signal_polls++;
			sim_sleep_until(sim_now() + u->p.signal_poll);  /* poll(NULL, 0, 1) */
		}
	}
	sim_fence_full();
}

static void
smp_mb_master(struct urcu *u)
{
	switch (u->flavor) {
	case URCU_MEMB: urcu_membarrier(u); break;
	case URCU_SIGNAL: urcu_force_mb_all_readers(u); break;
	default: sim_fence_full(); break;
	}
}

/* ---- grace periods ---- */

enum urcu_state { URCU_READER_INACTIVE, URCU_READER_ACTIVE_CURRENT, URCU_READER_ACTIVE_OLD };

/* SOURCE: urcu_common_reader_state() / urcu_qsbr_reader_state(). */
static enum urcu_state
reader_state(struct urcu *u, uint64_t v)
{
	uint64_t gp = sim_load64(&u->gp->ctr);     /* own line: a hit */
	if (u->flavor == URCU_QSBR) {
		if (v == 0)
			return URCU_READER_INACTIVE;
		return v == gp ? URCU_READER_ACTIVE_CURRENT : URCU_READER_ACTIVE_OLD;
	}
	if (!(v & URCU_GP_CTR_NEST_MASK))
		return URCU_READER_INACTIVE;
	return !((v ^ gp) & URCU_GP_CTR_PHASE) ? URCU_READER_ACTIVE_CURRENT :
						 URCU_READER_ACTIVE_OLD;
}

/*
 * SOURCE: wait_for_readers().  Phase 1 (snap): wait until no reader is
 * ACTIVE_OLD, marking ACTIVE_CURRENT readers cur_snap.  Phase 2: wait
 * until every cur_snap reader is INACTIVE or ACTIVE_CURRENT.
 */
static void
wait_for_readers(struct urcu *u, bool phase2)
{
	uint32_t self = sim_cpu_id();
	for (uint32_t i = 0; i < u->ncpus; i++) {
		struct urcu_cpu *c = &u->c[i];
		if (!c->registered || i == self || (phase2 && !c->cur_snap))
			continue;
		c->cur_snap = false;
		uint64_t v = sim_load64(&u->reader[i].ctr);
		for (;;) {
			enum urcu_state s = reader_state(u, v);
			if (s == URCU_READER_INACTIVE)
				break;
			if (s == URCU_READER_ACTIVE_CURRENT) {
				c->cur_snap = !phase2 && u->flavor != URCU_QSBR;
				break;
			}
			u->reader_waits++;
			v = sim_spin_while_eq64(&u->reader[i].ctr, v);
		}
	}
}

static void
urcu_synchronize_gp(struct urcu *u)
{
	uint32_t self = sim_cpu_id();
	bool was_online = u->flavor == URCU_QSBR && u->c[self].registered &&
			  !u->c[self].exited;
	if (was_online)
		qsbr_offline(u, self);
	u->lops->lock(u->gp_lock);
	bool any = false;
	for (uint32_t i = 0; i < u->ncpus && !any; i++)
		any = u->c[i].registered && i != self;
	if (any) {
		sim_time_t gp0 = sim_now();
		if (u->flavor == URCU_QSBR) {
			/* SOURCE: urcu-qsbr.c synchronize_rcu(), 64-bit. */
			sim_fence_full();
			sim_store64(&u->gp->ctr, sim_load64(&u->gp->ctr) + URCU_QSBR_GP_CTR);
			sim_fence_full();
			wait_for_readers(u, false);
		} else {
			smp_mb_master(u);
			wait_for_readers(u, false);
			sim_fence_full();
			sim_store64(&u->gp->ctr, sim_load64(&u->gp->ctr) ^ URCU_GP_CTR_PHASE);
			sim_fence_full();
			wait_for_readers(u, true);
			smp_mb_master(u);
		}
		rcl_stats_gp(&u->st, sim_now() - gp0);
	}
	u->lops->unlock(u->gp_lock);
	if (u->flavor == URCU_QSBR)
		sim_fence_full();
	if (was_online)
		qsbr_online(u, self);
}

static void
urcu_synchronize(void *rs)
{
	struct urcu *u = rs;
	sim_time_t t0 = sim_now();
	enum sim_cause c = sim_cause_push(SIM_CAUSE_GP_WAIT);
	urcu_synchronize_gp(u);
	sim_cause_pop(c);
	rcl_stats_sync_time(&u->st, t0);
}

/* ---- call_rcu ---- */

/* SOURCE: call_rcu(): wfcq enqueue onto this CPU's call_rcu data. */
static void
urcu_retire(void *rs, void *obj, size_t size, size_t align)
{
	struct urcu *u = rs;
	sim_time_t t0 = sim_now();
	uint32_t cpu = sim_cpu_id();
	(void)sim_xchg64(&u->crdp[cpu].word, sim_addr_offset(obj));
	rcl_defer(&u->st, &u->c[cpu].cbs, obj, size, align);
	if (u->worker_sleep && u->worker_due == SIM_TIME_NEVER)
		u->worker_due = sim_now() + u->worker_sleep;    /* wake_call_rcu_thread */
	rcl_stats_retire_time(&u->st, t0);
}

/* Take CPU cpu's queued callbacks into batch (__cds_wfcq_splice_blocking);
 * callbacks queued later stay for the next batch. */
static void
urcu_splice(struct urcu *u, uint32_t cpu, struct rcl_list *batch)
{
	struct rcl_list *l = &u->c[cpu].cbs;
	if (batch->n + l->n > batch->cap) {
		batch->cap = batch->n + l->n;
		batch->v = g_renew(struct rcl_deferred, batch->v, batch->cap);
	}
	memcpy(batch->v + batch->n, l->v, l->n * sizeof *l->v);
	batch->n += l->n;
	l->n = 0;
}

/* A grace period, then free the batch spliced before it. */
static void
urcu_free_batch(struct urcu *u, struct rcl_list *batch)
{
	urcu_synchronize(u);
	u->call_rcu_batches++;
	for (uint32_t i = 0; i < batch->n; i++)
		rcl_free_deferred(&u->st, &batch->v[i]);
	rcl_list_free(batch);
}

/* The call_rcu worker's loop body for one CPU's queue (poll, cpu_exit). */
static bool
urcu_run_callbacks(struct urcu *u, uint32_t cpu)
{
	struct rcl_list batch = { 0 };
	if (u->c[cpu].cbs.n == 0)
		return false;
	urcu_splice(u, cpu, &batch);
	urcu_free_batch(u, &batch);
	return true;
}

/* The worker's batch is past its grace period: free it, then sleep
 * worker_sleep if more was queued meanwhile, else until a call_rcu. */
static void
urcu_worker_done(struct urcu *u)
{
	u->call_rcu_batches++;
	for (uint32_t i = 0; i < u->worker_batch.n; i++)
		rcl_free_deferred(&u->st, &u->worker_batch.v[i]);
	u->worker_batch.n = 0;
	bool more = false;
	for (uint32_t i = 0; i < u->ncpus && !more; i++)
		more = u->c[i].cbs.n != 0;
	u->worker_due = more ? sim_now() + u->worker_sleep : SIM_TIME_NEVER;
}

/*
 * QSBR: the worker's wait_for_readers, one look per return to user mode
 * of its CPU: from the first reader not yet seen quiescent, skip every
 * reader that is offline or has announced the goal (or a later GP's
 * counter); stop at the first that has not.  Return: all have.
 */
static bool
qsbr_worker_readers_done(struct urcu *u)
{
	for (; u->worker_next < u->ncpus; u->worker_next++) {
		uint32_t i = u->worker_next;
		if (!u->c[i].registered)
			continue;
		uint64_t v = sim_load64(&u->reader[i].ctr);
		if (v != 0 && v < u->worker_goal) {
			u->reader_waits++;
			return false;
		}
	}
	return true;
}

/*
 * SOURCE: call_rcu_thread(), the default worker: splice every CPU's
 * queue, synchronize_rcu(), run the batch, then sleep (WHO FREES above).
 * QSBR: the grace period is started here (gp.ctr += URCU_QSBR_GP_CTR
 * under gp_lock) and completed by later returns to user mode on this CPU
 * (qsbr_worker_readers_done), since the worker thread blocks while the
 * workload thread it displaced keeps running (and must pass a quiescent
 * state itself).  The other flavours wait for readers only inside read
 * sections, which end: their worker runs synchronize_rcu() at once.
 * MODEL: QSBR's worker holds gp_lock only around the counter update, not
 * for the whole wait (liburcu holds rcu_gp_lock throughout): a concurrent
 * synchronize_rcu() (cpu_exit's) may overlap its wait; safety holds since
 * a reader at or past the goal passed a quiescent state after it.
 */
static void
urcu_worker(struct urcu *u)
{
	sim_time_t t0 = sim_now();
	if (u->worker_waiting) {
		if (qsbr_worker_readers_done(u)) {
			u->worker_waiting = false;
			rcl_stats_gp(&u->st, sim_now() - u->worker_gp0);
			urcu_worker_done(u);
		}
		u->worker_cycles += sim_now() - t0;
		return;
	}
	for (uint32_t i = 0; i < u->ncpus; i++) {
		if (u->c[i].cbs.n == 0)
			continue;
		(void)sim_xchg64(&u->crdp[i].word, 0);
		urcu_splice(u, i, &u->worker_batch);
	}
	u->worker_runs++;
	u->worker_freed += u->worker_batch.n;
	if (u->worker_batch.n == 0) {
		u->worker_due = SIM_TIME_NEVER;
	} else if (u->flavor == URCU_QSBR) {
		u->lops->lock(u->gp_lock);
		sim_fence_full();
		u->worker_goal = sim_load64(&u->gp->ctr) + URCU_QSBR_GP_CTR;
		sim_store64(&u->gp->ctr, u->worker_goal);
		sim_fence_full();
		u->lops->unlock(u->gp_lock);
		u->worker_gp0 = sim_now();
		u->worker_next = 0;
		u->worker_waiting = true;
		u->worker_due = SIM_TIME_NEVER;
	} else {
		urcu_synchronize(u);
		urcu_worker_done(u);
	}
	u->worker_cycles += sim_now() - t0;
}

static bool
urcu_poll(void *rs)
{
	struct urcu *u = rs;
	sim_time_t t0 = sim_now();
	uint32_t cpu = sim_cpu_id();
	bool freed = u->c[cpu].cbs.n >= u->p.batch && urcu_run_callbacks(u, cpu);
	rcl_stats_poll_time(&u->st, t0);
	return freed;
}

/* rcu_unregister_thread (QSBR: offline first), then rcu_barrier-like. */
static void
urcu_cpu_exit(void *rs)
{
	struct urcu *u = rs;
	uint32_t cpu = sim_cpu_id();
	struct urcu_cpu *c = &u->c[cpu];
	if (c->registered && u->flavor == URCU_QSBR)
		qsbr_offline(u, cpu);
	c->exited = true;
	c->registered = false;
	if (c->irq_pending)
		urcu_irq_body(u, cpu);
	(void)urcu_run_callbacks(u, cpu);
	if (u->worker_waiting && cpu == u->p.worker_cpu) {
		/* The worker's pending batch: one blocking grace period. */
		u->worker_waiting = false;
		urcu_synchronize(u);
		urcu_worker_done(u);
	}
}

static void
urcu_stats(void *rs, cJSON *out)
{
	struct urcu *u = rs;
	rcl_stats_emit(&u->st, u->freq_ghz, out);
	cJSON_AddNumberToObject(out, "gp_ctr", (double)u->gp->ctr);
	cJSON_AddNumberToObject(out, "grace_periods", (double)u->st.gp_count);
	cJSON_AddNumberToObject(out, "reader_waits", (double)u->reader_waits);
	cJSON_AddNumberToObject(out, "call_rcu_batches", (double)u->call_rcu_batches);
	cJSON_AddNumberToObject(out, "worker_runs", (double)u->worker_runs);
	cJSON_AddNumberToObject(out, "worker_freed", (double)u->worker_freed);
	cJSON_AddNumberToObject(out, "worker_cycles_mean",
				u->worker_runs ? (double)u->worker_cycles / (double)u->worker_runs : 0.0);
	if (u->flavor == URCU_QSBR)
		cJSON_AddNumberToObject(out, "qs_announce", (double)u->qs_announce);
	if (u->flavor == URCU_MEMB) {
		cJSON_AddNumberToObject(out, "membarrier", (double)u->membarrier);
		cJSON_AddNumberToObject(out, "ipi", (double)u->ipi);
	}
	if (u->flavor == URCU_SIGNAL) {
		cJSON_AddNumberToObject(out, "signals", (double)u->signals);
		cJSON_AddNumberToObject(out, "signal_polls", (double)u->signal_polls);
	}
}

static bool
urcu_invariants_hold(const void *rs)
{
	const struct urcu *u = rs;
	for (uint32_t i = 0; i < u->ncpus; i++)
		if (u->c[i].exited && (u->c[i].registered || u->c[i].nest))
			return false;   /* an exited CPU still counts as a reader */
	return u->st.freed <= u->st.retired;
}

#define URCU_OPS(fl, nm, sum, prm)                                     \
	{                                                              \
		.comp = { .name = nm, .summary = sum, .params = prm,   \
			  .params_size = sizeof(struct urcu_params) }, \
		.create = urcu_##fl##_create,                          \
		.destroy = urcu_destroy,                               \
		.read_lock = urcu_read_lock,                           \
		.read_unlock = urcu_read_unlock,                       \
		.dereference = rcl_plain_dereference,                  \
		.assign_pointer = rcl_release_assign,                  \
		.retire = urcu_retire,                                 \
		.synchronize = urcu_synchronize,                       \
		.poll = urcu_poll,                                     \
		.quiescent_state = urcu_quiescent_state,               \
		.idle_enter = urcu_idle_enter,                         \
		.idle_exit = urcu_idle_exit,                           \
		.cpu_exit = urcu_cpu_exit,                             \
		.stats = urcu_stats,                                   \
		.invariants_hold = urcu_invariants_hold,               \
	}

const struct rcl_ops rcl_urcu_qsbr_ops = URCU_OPS(qsbr, "urcu-qsbr",
	"liburcu QSBR: empty read side; readers announce quiescent states; one-phase GP (64-bit)",
	urcu_plain_params);
const struct rcl_ops rcl_urcu_memb_ops = URCU_OPS(memb, "urcu-memb",
	"liburcu memb: read side stores gp.ctr with compiler barriers; GP uses membarrier IPIs "
	"and the two-phase parity flip", urcu_memb_params);
const struct rcl_ops rcl_urcu_mb_ops = URCU_OPS(mb, "urcu-mb",
	"liburcu mb: read side with smp_mb; two-phase parity flip", urcu_plain_params);
const struct rcl_ops rcl_urcu_signal_ops = URCU_OPS(signal, "urcu-signal",
	"liburcu signal: compiler-barrier read side; GP signals every reader and waits for acks",
	urcu_signal_params);
