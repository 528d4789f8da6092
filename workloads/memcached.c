// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * memcached: an RCU-protected hash table under a get/set mix, over any
 * reclaim scheme (seed 000: "User space RCU ... Use cases? memcached").
 *
 * The table is memcached's shape (assoc.c's chained buckets, item locks
 * striped over the buckets), with reads made lock-free the way an RCU
 * memcached would make them:
 *
 *   buckets[nbuckets]   simulated, 8 bucket heads per line
 *        |
 *        v
 *   item { key | value | next }   one line each; value = key << 32 | version
 *
 *   get(key):  read_lock(); walk the chain with dereference(); read the
 *              value [cs_cycles of work, then the value again]; read_unlock()
 *   set(key):  lock(item lock of the bucket); find the item; copy it with
 *              version + 1; assign_pointer() it into the chain in place
 *              of the old one; unlock; retire(old)
 *
 * Every key is always present, so a get that misses its key, or reads a
 * value of another key, is a bug and fails the run (sim_fail); reads of
 * retired items after they are freed are caught by the use-after-free
 * checker.  Keys are uniform; the scheme comes from the "reclaim"
 * section, the item locks from "lock" (ticket by default).
 *
 * Reported: ops_per_sec, gets, sets, get_cycles_mean, set_cycles_mean,
 * chain_steps_mean (items visited per get), and "reclaim".
 */
#include <glib.h>

#include "engine.h"
#include "lock.h"
#include "reclaim.h"
#include "workload.h"

struct mc_params {
	uint64_t duration;
	uint32_t nkeys;
	uint32_t nbuckets;
	uint32_t nlocks;
	double get_ratio;
	uint64_t cs_cycles;
	uint64_t op_interval;
	uint32_t qs_every;
	uint32_t poll_every;
};

static const struct sim_param mc_params_tbl[] = {
	SIM_P_U64_ROW(struct mc_params, duration, 1000, UINT64_C(1) << 40, 1000000,
		      "simulated cycles every CPU runs"),
	SIM_P_U32_ROW(struct mc_params, nkeys, 1, 1u << 24, 4096, "keys in the table (all present)"),
	SIM_P_U32_ROW(struct mc_params, nbuckets, 1, 1u << 24, 1024, "hash buckets"),
	SIM_P_U32_ROW(struct mc_params, nlocks, 1, 1u << 16, 64,
		      "item locks, striped over the buckets (memcached's item_locks)"),
	SIM_P_DBL_ROW(struct mc_params, get_ratio, 0.0, 1.0, 0.9, "fraction of operations that are gets"),
	SIM_P_U64_ROW(struct mc_params, cs_cycles, 0, UINT64_C(1) << 32, 0,
		      "work per get while it holds the item (copying the value out)"),
	SIM_P_U64_ROW(struct mc_params, op_interval, 0, UINT64_C(1) << 40, 0,
		      "cycles a CPU waits between operations"),
	SIM_P_U32_ROW(struct mc_params, qs_every, 1, 1u << 30, 64,
		      "operations between explicit quiescent states (schemes that need them)"),
	SIM_P_U32_ROW(struct mc_params, poll_every, 0, 1u << 30, 1,
		      "sets between poll() calls; 0 = never"),
	SIM_P_END,
};

/* One item: one simulated line. */
struct mc_item {
	uint64_t key;
	uint64_t value;         /* key << 32 | version */
	struct mc_item *next;
	uint64_t pad[5];
};

struct mc_cpu {
	uint64_t gets, sets, get_cycles, set_cycles, steps;
};

struct mc {
	struct mc_params p;
	const struct rcl_ops *ops;
	void *rs;
	const struct lock_ops *lops;
	void **locks;
	struct mc_item **buckets;   /* simulated */
	struct mc_cpu *cpu;
	uint32_t ncpus;
};

static inline uint32_t
mc_hash(const struct mc *m, uint64_t key)
{
	return (uint32_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) % m->p.nbuckets;
}

static void *
mc_setup(struct sim *sim, const void *params)
{
	struct mc *m = g_new0(struct mc, 1);
	m->p = *(const struct mc_params *)params;
	m->ncpus = sim_ncpus_of(sim);
	m->ops = rcl_ops_of(sim);
	if (m->ops == NULL)
		g_error("memcached needs a \"reclaim\" section (checked at config load)");
	m->rs = m->ops->create(sim, rcl_params_of(sim));
	const void *lp;
	m->lops = lock_ops_of(sim, &lp);
	m->locks = g_new(void *, m->p.nlocks);
	for (uint32_t i = 0; i < m->p.nlocks; i++)
		m->locks[i] = m->lops->create(sim, lp, i % m->ncpus);
	m->buckets = sim_alloc(sizeof *m->buckets * m->p.nbuckets, 64);
	for (uint64_t k = 0; k < m->p.nkeys; k++) {
		struct mc_item *it = sim_alloc(sizeof *it, 64);
		uint32_t h = mc_hash(m, k);
		it->key = k;
		it->value = k << 32;
		it->next = m->buckets[h];
		m->buckets[h] = it;
		/* Each worker inserted its share of the keys at start-up: the
		 * item is in the cache of, and homed on the socket of, CPU
		 * k mod ncpus (not every item on CPU 0's socket). */
		sim_mem_prime(sim, it, sizeof *it, (uint32_t)(k % m->ncpus));
	}
	/* The bucket table was zeroed by CPU 0 but its pages are
	 * interleaved over the sockets (numactl --interleave, as for a large
	 * shared table): line i is homed on socket i mod sockets. */
	size_t bytes = sizeof *m->buckets * m->p.nbuckets;
	sim_mem_prime(sim, m->buckets, bytes, 0);
	uint32_t nsock = sim_machine_of(sim)->topo.sockets;
	for (size_t off = 0; off < bytes; off += 64)
		sim_mem_place(sim, (char *)m->buckets + off, bytes - off < 64 ? bytes - off : 64,
			      (uint32_t)((off / 64) % nsock));
	m->cpu = g_new0(struct mc_cpu, m->ncpus);
	return m;
}

static void
mc_get(struct mc *m, struct mc_cpu *pc, uint64_t key)
{
	sim_time_t t0 = sim_now();
	uint32_t h = mc_hash(m, key);
	m->ops->read_lock(m->rs);
	struct mc_item *it = m->ops->dereference(m->rs, (void *const *)&m->buckets[h], 0);
	uint64_t value = 0;
	bool found = false;
	while (it) {
		pc->steps++;
		if (sim_load64(&it->key) == key) {
			value = sim_load64(&it->value);
			if (m->p.cs_cycles) {
				sim_work(m->p.cs_cycles);
				(void)sim_load64(&it->value);   /* still readable at the end */
			}
			found = true;
			break;
		}
		it = m->ops->dereference(m->rs, (void *const *)&it->next, 0);
	}
	m->ops->read_unlock(m->rs);
	if (!found)
		sim_fail("memcached under %s: get(%" G_GUINT64_FORMAT ") found no item",
			 m->ops->comp.name, key);
	if (value >> 32 != key)
		sim_fail("memcached under %s: get(%" G_GUINT64_FORMAT ") read the value of key %"
			 G_GUINT64_FORMAT, m->ops->comp.name, key, value >> 32);
	pc->gets++;
	pc->get_cycles += sim_now() - t0;
}

static void
mc_set(struct mc *m, struct mc_cpu *pc, uint64_t key)
{
	sim_time_t t0 = sim_now();
	uint32_t h = mc_hash(m, key);
	void *lk = m->locks[h % m->p.nlocks];
	rcl_writer_lock(m->ops, m->rs, m->lops, lk);
	/* The writer holds the item lock: plain loads of the chain. */
	struct mc_item **link = &m->buckets[h];
	struct mc_item *old = sim_loadp((void *const *)link);
	while (old && sim_load64(&old->key) != key) {
		link = &old->next;
		old = sim_loadp((void *const *)link);
	}
	if (old == NULL)
		sim_fail("memcached under %s: set(%" G_GUINT64_FORMAT ") found no item",
			 m->ops->comp.name, key);
	struct mc_item *nw = sim_alloc(sizeof *nw, 64);
	sim_store64(&nw->key, key);
	sim_store64(&nw->value, sim_load64(&old->value) + 1);
	sim_storep((void **)&nw->next, sim_loadp((void *const *)&old->next));
	m->ops->assign_pointer(m->rs, (void **)link, nw);
	rcl_writer_unlock(m->ops, m->rs, m->lops, lk);
	m->ops->retire(m->rs, old, sizeof *old, 64);
	pc->sets++;
	pc->set_cycles += sim_now() - t0;
	if (m->p.poll_every && pc->sets % m->p.poll_every == 0 && m->ops->poll)
		(void)m->ops->poll(m->rs);
}

static void
mc_cpu_main(void *arg)
{
	struct mc *m = arg;
	struct mc_cpu *pc = &m->cpu[sim_cpu_id()];
	uint64_t threshold = (uint64_t)(m->p.get_ratio * 1e6);
	uint64_t n = 0;
	while (sim_now() < m->p.duration) {
		uint64_t key = sim_random_below(m->p.nkeys);
		if (sim_random_below(1000000) < threshold)
			mc_get(m, pc, key);
		else
			mc_set(m, pc, key);
		if (++n % m->p.qs_every == 0 && m->ops->quiescent_state)
			m->ops->quiescent_state(m->rs);
		if (m->p.op_interval)
			sim_sleep_until(sim_now() + m->p.op_interval);
	}
	if (m->ops->cpu_exit)
		m->ops->cpu_exit(m->rs);
}

static void
mc_report(void *arg, struct sim *sim, cJSON *out)
{
	struct mc *m = arg;
	struct mc_cpu t = { 0 };
	for (uint32_t i = 0; i < m->ncpus; i++) {
		t.gets += m->cpu[i].gets;
		t.sets += m->cpu[i].sets;
		t.get_cycles += m->cpu[i].get_cycles;
		t.set_cycles += m->cpu[i].set_cycles;
		t.steps += m->cpu[i].steps;
	}
	double secs = (double)m->p.duration / (sim_machine_of(sim)->freq_ghz * 1e9);
	cJSON_AddNumberToObject(out, "ops_per_sec", (double)(t.gets + t.sets) / secs);
	cJSON_AddNumberToObject(out, "gets", (double)t.gets);
	cJSON_AddNumberToObject(out, "sets", (double)t.sets);
	cJSON_AddNumberToObject(out, "get_cycles_mean", t.gets ? (double)t.get_cycles / (double)t.gets : 0);
	cJSON_AddNumberToObject(out, "set_cycles_mean", t.sets ? (double)t.set_cycles / (double)t.sets : 0);
	cJSON_AddNumberToObject(out, "chain_steps_mean", t.gets ? (double)t.steps / (double)t.gets : 0);
	cJSON *r = cJSON_AddObjectToObject(out, "reclaim");
	cJSON_AddStringToObject(r, "scheme", m->ops->comp.name);
	if (m->ops->stats)
		m->ops->stats(m->rs, r);
}

static void
mc_teardown(void *arg)
{
	struct mc *m = arg;
	if (m->ops && m->ops->destroy)
		m->ops->destroy(m->rs);
	for (uint32_t i = 0; m->locks && i < m->p.nlocks; i++)
		m->lops->destroy(m->locks[i]);
	g_free(m->locks);
	g_free(m->cpu);
	g_free(m);
}

static sim_time_t
mc_goal(const void *arg)
{
	return ((const struct mc *)arg)->p.duration;
}

const struct sim_workload_ops wl_memcached_ops = {
	.name = "memcached",
	.summary = "RCU hash table (memcached's chained buckets and item locks) under a get/set "
		   "mix; sets replace items and retire the old ones, over any reclaim scheme",
	.params = mc_params_tbl,
	.params_size = sizeof(struct mc_params),
	.setup = mc_setup,
	.cpu_main = mc_cpu_main,
	.report = mc_report,
	.teardown = mc_teardown,
	.progress_goal = mc_goal,
	.requires = 1u << SIM_SECTION_RECLAIM,
	.uses = 1u << SIM_SECTION_LOCK | 1u << SIM_SECTION_LOCKING,
};
