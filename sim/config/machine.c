// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Machine presets: parsing, validation, topology queries.  See machine.h.
 */
#include "machine.h"

#include <string.h>

#include "sim_build_config.h"

static const char *const interconnect_names[] = {
	"full", "ring", "hypercube", "torus2d", "explicit", NULL,
};
static const char *const numbering_names[] = {
	"cores_first", "threads_first", NULL,
};

#define MAX_SOCKETS 65536u
#define MAX_EXPLICIT_SOCKETS 1024u
#define MAX_CPUS (1u << 20)

const struct sim_param sim_topology_params[] = {
	SIM_P_U32_ROW(struct sim_topology, sockets, 1, MAX_SOCKETS, 1, "number of sockets"),
	SIM_P_U32_ROW(struct sim_topology, clusters_per_socket, 1, 4096, 1,
		      "last-level-cache clusters per socket (CCX on AMD; 1 on Intel)"),
	SIM_P_U32_ROW(struct sim_topology, cores_per_cluster, 1, 4096, 1,
		      "cores sharing one last-level cache"),
	SIM_P_U32_ROW(struct sim_topology, threads_per_core, 1, 8, 1, "SMT threads per core"),
	SIM_P_ENUM_ROW(struct sim_topology, interconnect, interconnect_names, SIM_IC_FULL,
		       "socket graph: full, ring, hypercube, torus2d or explicit (needs links)"),
	SIM_P_ENUM_ROW(struct sim_topology, numbering, numbering_names, SIM_NUM_CORES_FIRST,
		       "CPU numbering: cores_first (Linux: siblings after all cores) or threads_first"),
	SIM_P_U32_ROW(struct sim_topology, torus_x, 0, MAX_SOCKETS, 0, "torus2d width"),
	SIM_P_U32_ROW(struct sim_topology, torus_y, 0, MAX_SOCKETS, 0, "torus2d height"),
	SIM_P_END,
};

const struct sim_param sim_latency_params[] = {
	SIM_P_U32_ROW(struct sim_latency, l1_hit, 0, 1000, 4, "load hitting the private L1d"),
	SIM_P_U32_ROW(struct sim_latency, l2_hit, 0, 1000, 12,
		      "load missing the L1d and hitting the private L2 (load-to-use)"),
	SIM_P_U32_ROW(struct sim_latency, store_hit, 0, 1000, 1, "store entering the store buffer"),
	SIM_P_U32_ROW(struct sim_latency, atomic_hit, 0, 10000, 20,
		      "locked read-modify-write on a line this CPU owns"),
	SIM_P_U32_ROW(struct sim_latency, smt_transfer, 0, 10000, 20,
		      "line handoff between SMT siblings"),
	SIM_P_U32_ROW(struct sim_latency, leg_cluster, 0, 100000, 30,
		      "one coherence message inside a cluster (core <-> its LLC)"),
	SIM_P_U32_ROW(struct sim_latency, leg_socket, 0, 100000, 30,
		      "one message between a cluster and a directory in the same socket"),
	SIM_P_U32_ROW(struct sim_latency, leg_link, 0, 100000, 150,
		      "one message crossing the first socket-to-socket hop"),
	SIM_P_U32_ROW(struct sim_latency, leg_hop, 0, 100000, 80,
		      "each further hop of an inter-socket message"),
	SIM_P_U32_ROW(struct sim_latency, mem, 0, 100000, 200,
		      "DRAM access at the home socket (a line that no LLC of the home holds)"),
	SIM_P_U32_ROW(struct sim_latency, cluster_occupancy, 0, 100000, 20,
		      "LLC busy time per read hit on one line (serializes same-line hits)"),
	SIM_P_U32_ROW(struct sim_latency, hold, 0, 100000, 0,
		      "0: the directory grants the next request when the previous requester's ack "
		      "arrives; >0: it pipelines, and the next forward may take the line this many "
		      "cycles after the new owner received it"),
	SIM_P_U32_ROW(struct sim_latency, conflict, 0, 100000, 0,
		      "extra cycles of a cross-socket transaction granted while a request from "
		      "another socket than the line's home waits (home-agent conflict resolution)"),
	SIM_P_U32_ROW(struct sim_latency, remote_read_snoop, 0, 100000, 0,
		      "extra cycles before a read from another socket than the line's home "
		      "completes (the home collects the other sockets' snoop responses first); "
		      "the home stays busy with the line meanwhile"),
	SIM_P_U32_ROW(struct sim_latency, share_writeback, 0, 100000, 0,
		      "cycles the home stays busy with a line after a read leaves copies of "
		      "dirty data in more than one socket: it writes the data back to DRAM "
		      "(MESI/MESIF); 0: no writeback (MOESI keeps it in an Owned copy)"),
	SIM_P_U32_ROW(struct sim_latency, pause, 0, 10000, 10,
		      "one spin-loop iteration (PAUSE/YIELD), charged per wake-up"),
	SIM_P_U32_ROW(struct sim_latency, ipi_send, 0, 10000000, 500,
		      "cycles the sender spends sending one IPI (APIC write)"),
	SIM_P_U32_ROW(struct sim_latency, ipi_latency, 0, 10000000, 2000,
		      "from sending an IPI to its arrival at the target"),
	SIM_P_U32_ROW(struct sim_latency, irq_entry, 0, 10000000, 1000,
		      "interrupt entry and exit around a handler on the target"),
	SIM_P_U32_ROW(struct sim_latency, ipi_occupancy, 0, 10000000, 0,
		      "cycles the machine's interrupt-delivery fabric is busy per IPI message; "
		      "messages are serialized machine-wide, so concurrent senders queue (0: no "
		      "serialization)"),
	SIM_P_END,
};

const struct sim_param sim_fence_params[] = {
	SIM_P_U32_ROW(struct sim_fence_cost, full, 0, 100000, 30,
		      "full fence (MFENCE / DMB ISH), after the store buffer drains"),
	SIM_P_U32_ROW(struct sim_fence_cost, acquire, 0, 100000, 0,
		      "extra cost of an acquire load (0 on x86)"),
	SIM_P_U32_ROW(struct sim_fence_cost, release, 0, 100000, 0,
		      "extra cost of a release store (0 on x86)"),
	SIM_P_BOOL_ROW(struct sim_fence_cost, atomic_full_fence, true,
		       "a locked RMW is a full fence (x86); models choose their x86 paths by "
		       "it (GUS's locked add). The engine drains the store buffer before every "
		       "RMW on every machine (sim.h)"),
	SIM_P_END,
};

const struct sim_param sim_machine_params[] = {
	{ .name = "name", .type = SIM_P_STRING, .offset = offsetof(struct sim_machine, name),
	  .required = true, .doc = "preset name (letters, digits, _ and -)" },
	SIM_P_STR_ROW(struct sim_machine, description, "", "one line: what machine this is"),
	SIM_P_DBL_ROW(struct sim_machine, freq_ghz, 0.01, 100.0, 2.0,
		      "clock in GHz; every cost is in cycles of this clock"),
	SIM_P_U32_ROW(struct sim_machine, store_buffer_entries, 1, 4096, 56,
		      "store-buffer entries per CPU"),
	SIM_P_U32_ROW(struct sim_machine, line_fill_buffers, 0, 64, 0,
		      "line misses a fast-string store (rep stos: clear_page) keeps in flight "
		      "per CPU, each taking its line without reading it; 0: no fast strings, the "
		      "string's lines are ordinary stores through the store buffer, one miss "
		      "at a time"),
	SIM_P_U32_ROW(struct sim_machine, private_cache_lines, 8, 1u << 20, 512,
		      "L1d lines per core (M, E and S lines alike; LRU)"),
	SIM_P_U32_ROW(struct sim_machine, l1d_ways, 1, 64, 8, "L1d associativity"),
	SIM_P_U32_ROW(struct sim_machine, l2_lines, 0, 1u << 22, 0,
		      "private L2 lines per core, inclusive of the L1d; 0: no L2"),
	SIM_P_U32_ROW(struct sim_machine, l2_ways, 1, 64, 8, "L2 associativity"),
	SIM_P_U32_ROW(struct sim_machine, cluster_cache_lines, 16, 1u << 24, 16384,
		      "LLC lines per cluster (non-inclusive; hashed sets; LRU)"),
	SIM_P_U32_ROW(struct sim_machine, llc_ways, 1, 64, 16, "LLC associativity"),
	SIM_P_DBL_ROW(struct sim_machine, mem_bandwidth_gbs, 0.0, 100000.0, 0.0,
		      "DRAM bandwidth of one socket's memory controllers in GB/s (64-byte lines "
		      "served one after another); 0: unbounded"),
	SIM_P_END,
};

const struct sim_param sim_idle_state_params[] = {
	{ .name = "name", .type = SIM_P_STRING, .offset = offsetof(struct sim_idle_state, name),
	  .required = true, .doc = "the state's name (the driver's, e.g. \"NHM-C3\")" },
	SIM_P_U32_ROW(struct sim_idle_state, exit_latency_us, 0, 1000000, 0,
		      "microseconds from the wake-up event until the CPU runs again"),
	SIM_P_U32_ROW(struct sim_idle_state, target_residency_us, 0, 100000000, 0,
		      "shortest idle period worth entering the state for (microseconds)"),
	SIM_P_BOOL_ROW(struct sim_idle_state, tlb_flushed, false,
		       "the state flushes the TLB (CPUIDLE_FLAG_TLB_FLUSHED): intel_idle calls "
		       "leave_mm() before entering it, so a lazy CPU leaves mm_cpumask"),
	SIM_P_U32_ROW(struct sim_idle_state, wake_latency_us, 0, 1000000, 0,
		      "microseconds a wake-up from the state really takes, if not exit_latency_us "
		      "(the driver's figure, which the governor uses); 0: exit_latency_us"),
	SIM_P_END,
};

static const char *const machine_skip[] = { "topology", "latency", "fence", "sources",
					    "idle_states", NULL };
static const char *const topology_skip[] = { "links", "socket_order", "cpu_sockets", NULL };

static struct sim_origin
sub_origin(const struct sim_origin *o, const char *key, char **store)
{
	*store = sim_origin_path(o, key);
	return (struct sim_origin){ .file = o->file, .prefix = *store, .overrides = o->overrides };
}

static gboolean
check_name(const char *name, const struct sim_origin *o, GError **err)
{
	if (*name == '\0' || strlen(name) > 63)
		goto bad;
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			goto bad;
	return TRUE;
bad:
	sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "name",
			"\"%s\" is not a valid name (1-63 of letters, digits, _ and -)", name);
	return FALSE;
}

static gboolean
load_socket_order(struct sim_topology *t, const cJSON *tobj,
		  const struct sim_origin *o, GError **err)
{
	t->socket_order = g_new(uint32_t, t->sockets);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(tobj, "socket_order");
	if (arr == NULL) {
		for (uint32_t i = 0; i < t->sockets; i++)
			t->socket_order[i] = i;
		return TRUE;
	}
	if (!cJSON_IsArray(arr) || (uint32_t)cJSON_GetArraySize(arr) != t->sockets) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, "socket_order",
				"expected an array of %u socket numbers", t->sockets);
		return FALSE;
	}
	g_autofree bool *seen = g_new0(bool, t->sockets);
	uint32_t i = 0;
	for (const cJSON *v = arr->child; v; v = v->next, i++) {
		char key[48];
		g_snprintf(key, sizeof key, "socket_order[%u]", i);
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
		    v->valuedouble >= t->sockets || v->valuedouble != (uint32_t)v->valuedouble ||
		    seen[(uint32_t)v->valuedouble]) {
			sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, key,
					"expected each socket number 0..%u exactly once",
					t->sockets - 1);
			return FALSE;
		}
		seen[(uint32_t)v->valuedouble] = true;
		t->socket_order[i] = (uint32_t)v->valuedouble;
	}
	return TRUE;
}

/*
 * topology.cpu_sockets: the socket of every core, in the order CPUs are
 * numbered (CPU i when threads_per_core is 1; with SMT, the i-th core of
 * the numbering).  It describes a machine whose OS numbers CPUs across
 * sockets (ben under Linux: CPU 0, then 41-49 on socket 0), where one
 * socket fill order cannot.  Each socket gets exactly its cores; a
 * socket's cores go to its CPUs in increasing CPU order.
 */
static gboolean
load_cpu_sockets(struct sim_topology *t, const cJSON *tobj,
		 const struct sim_origin *o, GError **err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(tobj, "cpu_sockets");
	if (arr == NULL)
		return TRUE;
	uint32_t per_socket = t->clusters_per_socket * t->cores_per_cluster;
	uint64_t cores = (uint64_t)per_socket * t->sockets;
	if (!cJSON_IsArray(arr) || (uint64_t)cJSON_GetArraySize(arr) != cores) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, "cpu_sockets",
				"expected an array of %" G_GUINT64_FORMAT " socket numbers, one per "
				"core in CPU order (%u sockets x %u cores)", cores, t->sockets,
				per_socket);
		return FALSE;
	}
	t->core_socket = g_new(uint32_t, cores);
	t->core_rank = g_new(uint32_t, cores);
	g_autofree uint32_t *used = g_new0(uint32_t, t->sockets);
	uint32_t i = 0;
	for (const cJSON *v = arr->child; v; v = v->next, i++) {
		char key[48];
		g_snprintf(key, sizeof key, "cpu_sockets[%u]", i);
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= t->sockets ||
		    v->valuedouble != (uint32_t)v->valuedouble) {
			sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, key,
					"expected a socket number 0..%u", t->sockets - 1);
			return FALSE;
		}
		uint32_t s = (uint32_t)v->valuedouble;
		if (used[s] == per_socket) {
			sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, key,
					"socket %u already has all its %u cores (each socket "
					"must appear exactly %u times)", s, per_socket, per_socket);
			return FALSE;
		}
		t->core_socket[i] = s;
		t->core_rank[i] = used[s]++;
	}
	return TRUE;
}

static gboolean
load_links(struct sim_topology *t, const cJSON *tobj, const struct sim_origin *o,
	   GError **err)
{
	const cJSON *links = cJSON_GetObjectItemCaseSensitive(tobj, "links");
	if (t->interconnect != SIM_IC_EXPLICIT) {
		if (links != NULL) {
			sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, "links",
					"only used with \"interconnect\": \"explicit\"");
			return FALSE;
		}
		return TRUE;
	}
	uint32_t n = t->sockets;
	if (n > MAX_EXPLICIT_SOCKETS) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "sockets",
				"explicit links support at most %u sockets", MAX_EXPLICIT_SOCKETS);
		return FALSE;
	}
	if (!cJSON_IsArray(links)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, o, "links",
				"\"explicit\" interconnect needs an array of [a, b] socket pairs");
		return FALSE;
	}
	t->hops = g_new(uint8_t, (size_t)n * n);
	memset(t->hops, 0xff, (size_t)n * n);
	g_autofree uint8_t *adj = g_new0(uint8_t, (size_t)n * n);
	uint32_t i = 0;
	for (const cJSON *l = links->child; l; l = l->next, i++) {
		char key[48];
		g_snprintf(key, sizeof key, "links[%u]", i);
		const cJSON *a = cJSON_GetArrayItem(l, 0), *b = cJSON_GetArrayItem(l, 1);
		if (!cJSON_IsArray(l) || cJSON_GetArraySize(l) != 2 || !cJSON_IsNumber(a) ||
		    !cJSON_IsNumber(b) || a->valuedouble < 0 || b->valuedouble < 0 ||
		    a->valuedouble >= n || b->valuedouble >= n ||
		    a->valuedouble == b->valuedouble) {
			sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, key,
					"expected [a, b] with two different sockets in 0..%u", n - 1);
			return FALSE;
		}
		uint32_t x = (uint32_t)a->valuedouble, y = (uint32_t)b->valuedouble;
		adj[(size_t)x * n + y] = adj[(size_t)y * n + x] = 1;
	}
	/* Breadth-first search from every socket. */
	g_autofree uint32_t *queue = g_new(uint32_t, n);
	t->max_hops = 0;
	for (uint32_t s = 0; s < n; s++) {
		uint8_t *row = &t->hops[(size_t)s * n];
		uint32_t qh = 0, qt = 0;
		row[s] = 0;
		queue[qt++] = s;
		while (qh < qt) {
			uint32_t x = queue[qh++];
			for (uint32_t y = 0; y < n; y++) {
				if (adj[(size_t)x * n + y] && row[y] == 0xff) {
					if (row[x] >= 254) {
						sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "links",
								"socket graph is deeper than 254 hops");
						return FALSE;
					}
					row[y] = row[x] + 1;
					queue[qt++] = y;
				}
			}
		}
		if (qt != n) {
			sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, "links",
					"socket graph is not connected (socket %u cannot reach all others)", s);
			return FALSE;
		}
		for (uint32_t y = 0; y < n; y++)
			if (row[y] > t->max_hops)
				t->max_hops = row[y];
	}
	return TRUE;
}

static gboolean
load_topology(struct sim_topology *t, const cJSON *tobj, const struct sim_origin *o,
	      GError **err)
{
	if (!sim_params_load(sim_topology_params, t, tobj, o, topology_skip, err))
		return FALSE;
	uint64_t cpus = (uint64_t)t->sockets * t->clusters_per_socket *
			t->cores_per_cluster * t->threads_per_core;
	if (cpus > MAX_CPUS) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, NULL,
				"%" G_GUINT64_FORMAT " hardware threads; at most %u are supported",
				cpus, MAX_CPUS);
		return FALSE;
	}
	if (t->interconnect == SIM_IC_HYPERCUBE && (t->sockets & (t->sockets - 1))) {
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, "sockets",
				"a hypercube needs a power-of-two socket count, got %u", t->sockets);
		return FALSE;
	}
	if (t->interconnect == SIM_IC_TORUS2D &&
	    (uint64_t)t->torus_x * t->torus_y != t->sockets) {
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, o, "torus_x",
				"torus_x * torus_y must equal sockets (%u)", t->sockets);
		return FALSE;
	}
	if (!load_socket_order(t, tobj, o, err) || !load_cpu_sockets(t, tobj, o, err) ||
	    !load_links(t, tobj, o, err))
		return FALSE;
	if (t->interconnect != SIM_IC_EXPLICIT) {
		t->max_hops = 0;
		switch (t->interconnect) {
		case SIM_IC_FULL: t->max_hops = t->sockets > 1; break;
		case SIM_IC_RING: t->max_hops = t->sockets / 2; break;
		case SIM_IC_HYPERCUBE:
			for (uint32_t s = t->sockets; s > 1; s >>= 1)
				t->max_hops++;
			break;
		case SIM_IC_TORUS2D: t->max_hops = t->torus_x / 2 + t->torus_y / 2; break;
		}
	}
	return TRUE;
}

/* Each cache holds at least one set; the L2 (if any) holds the L1d. */
static gboolean
check_caches(const struct sim_machine *m, const struct sim_origin *o, GError **err)
{
	if (m->private_cache_lines < m->l1d_ways) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "private_cache_lines",
				"%u lines cannot fill one set of l1d_ways = %u",
				m->private_cache_lines, m->l1d_ways);
		return FALSE;
	}
	if (m->l2_lines != 0 && (m->l2_lines < m->l2_ways ||
				 m->l2_lines < m->private_cache_lines)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "l2_lines",
				"%u lines: an L2 needs at least l2_ways (%u) and the L1d's "
				"private_cache_lines (%u) lines, or 0 for none",
				m->l2_lines, m->l2_ways, m->private_cache_lines);
		return FALSE;
	}
	if (m->cluster_cache_lines < m->llc_ways) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "cluster_cache_lines",
				"%u lines cannot fill one set of llc_ways = %u",
				m->cluster_cache_lines, m->llc_ways);
		return FALSE;
	}
	return TRUE;
}

/* machine.idle_states: an array of at most SIM_MAX_IDLE_STATES objects,
 * exit latencies non-decreasing (shallowest first, as drivers list them). */
static gboolean
load_idle_states(struct sim_machine *m, const cJSON *obj, const struct sim_origin *o,
		 GError **err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "idle_states");
	if (arr == NULL)
		return TRUE;
	if (!cJSON_IsArray(arr)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, "idle_states",
				"expected an array of {name, exit_latency_us, target_residency_us}, "
				"got %s", sim_json_type_name(arr));
		return FALSE;
	}
	uint32_t n = (uint32_t)cJSON_GetArraySize(arr);
	if (n > SIM_MAX_IDLE_STATES) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "idle_states",
				"%u states; at most %u are supported", n, SIM_MAX_IDLE_STATES);
		return FALSE;
	}
	m->idle_states = g_new0(struct sim_idle_state, n ? n : 1);
	uint32_t i = 0;
	for (const cJSON *e = arr->child; e; e = e->next, i++) {
		char key[32], *path;
		g_snprintf(key, sizeof key, "idle_states[%u]", i);
		struct sim_origin eo = sub_origin(o, key, &path);
		gboolean ok = TRUE;
		if (!cJSON_IsObject(e)) {
			sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, key,
					"expected an object, got %s", sim_json_type_name(e));
			ok = FALSE;
		} else {
			ok = sim_params_load(sim_idle_state_params, &m->idle_states[i], e, &eo,
					     NULL, err);
		}
		if (ok && i > 0 &&
		    m->idle_states[i].exit_latency_us < m->idle_states[i - 1].exit_latency_us) {
			sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, &eo, "exit_latency_us",
					"%u is below the previous state's %u: list states "
					"shallowest first", m->idle_states[i].exit_latency_us,
					m->idle_states[i - 1].exit_latency_us);
			ok = FALSE;
		}
		g_free(path);
		m->nidle_states = i + 1;    /* so that free() frees its name */
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

struct sim_machine *
sim_machine_load(const cJSON *obj, const struct sim_origin *origin, GError **err)
{
	struct sim_machine *m = g_new0(struct sim_machine, 1);
	if (!sim_params_load(sim_machine_params, m, obj, origin, machine_skip, err) ||
	    !check_name(m->name, origin, err))
		goto fail;
	m->file = origin->file ? g_strdup(origin->file) : NULL;
	if (!check_caches(m, origin, err))
		goto fail;

	char *p1, *p2, *p3;
	struct sim_origin to = sub_origin(origin, "topology", &p1);
	struct sim_origin lo = sub_origin(origin, "latency", &p2);
	struct sim_origin fo = sub_origin(origin, "fence", &p3);
	gboolean ok = load_topology(&m->topo, cJSON_GetObjectItemCaseSensitive(obj, "topology"),
				    &to, err) &&
		      sim_params_load(sim_latency_params, &m->lat,
				      cJSON_GetObjectItemCaseSensitive(obj, "latency"), &lo, NULL, err) &&
		      sim_params_load(sim_fence_params, &m->fence,
				      cJSON_GetObjectItemCaseSensitive(obj, "fence"), &fo, NULL, err);
	g_free(p1);
	g_free(p2);
	g_free(p3);
	if (!ok)
		goto fail;
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(obj, "sources");
	if (src != NULL && !cJSON_IsObject(src)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, origin, "sources",
				"expected an object of free-text notes, got %s",
				sim_json_type_name(src));
		goto fail;
	}
	m->sources = src ? cJSON_Duplicate(src, true) : NULL;
	if (!load_idle_states(m, obj, origin, err))
		goto fail;
	return m;
fail:
	sim_machine_free(m);
	return NULL;
}

void
sim_machine_free(struct sim_machine *m)
{
	if (m == NULL)
		return;
	sim_params_free(sim_machine_params, m);
	g_free(m->file);
	g_free(m->topo.socket_order);
	g_free(m->topo.core_socket);
	g_free(m->topo.core_rank);
	g_free(m->topo.hops);
	for (uint32_t i = 0; i < m->nidle_states; i++)
		sim_params_free(sim_idle_state_params, &m->idle_states[i]);
	g_free(m->idle_states);
	cJSON_Delete(m->sources);
	g_free(m);
}

cJSON *
sim_machine_emit(const struct sim_machine *m)
{
	cJSON *o = cJSON_CreateObject();
	sim_params_emit(sim_machine_params, m, o);
	cJSON *t = cJSON_AddObjectToObject(o, "topology");
	sim_params_emit(sim_topology_params, &m->topo, t);
	/* The whole order, so the effective config loads back as the same
	 * machine; only the default (identity) order of a machine with more
	 * than 4,096 sockets is left out, to keep results files small. */
	bool identity = true;
	for (uint32_t i = 0; i < m->topo.sockets && identity; i++)
		identity = m->topo.socket_order[i] == i;
	if (m->topo.sockets <= 4096 || !identity) {
		cJSON *order = cJSON_AddArrayToObject(t, "socket_order");
		for (uint32_t i = 0; i < m->topo.sockets; i++)
			cJSON_AddItemToArray(order, cJSON_CreateNumber(m->topo.socket_order[i]));
	}
	/* Only when given: machines placed by socket_order emit what they
	 * always did. */
	if (m->topo.core_socket) {
		cJSON *cs = cJSON_AddArrayToObject(t, "cpu_sockets");
		uint64_t cores = sim_machine_max_cpus(m) / m->topo.threads_per_core;
		for (uint64_t i = 0; i < cores; i++)
			cJSON_AddItemToArray(cs, cJSON_CreateNumber(m->topo.core_socket[i]));
	}
	if (m->topo.hops) {
		cJSON *links = cJSON_AddArrayToObject(t, "links");
		for (uint32_t a = 0; a < m->topo.sockets; a++)
			for (uint32_t b = a + 1; b < m->topo.sockets; b++)
				if (m->topo.hops[(size_t)a * m->topo.sockets + b] == 1) {
					cJSON *pair = cJSON_CreateArray();
					cJSON_AddItemToArray(pair, cJSON_CreateNumber(a));
					cJSON_AddItemToArray(pair, cJSON_CreateNumber(b));
					cJSON_AddItemToArray(links, pair);
				}
	}
	sim_params_emit(sim_latency_params, &m->lat, cJSON_AddObjectToObject(o, "latency"));
	sim_params_emit(sim_fence_params, &m->fence, cJSON_AddObjectToObject(o, "fence"));
	/* Only when configured: machines without idle states emit what they
	 * always did. */
	if (m->nidle_states) {
		cJSON *is = cJSON_AddArrayToObject(o, "idle_states");
		for (uint32_t i = 0; i < m->nidle_states; i++) {
			cJSON *e = cJSON_CreateObject();
			sim_params_emit(sim_idle_state_params, &m->idle_states[i], e);
			cJSON_AddItemToArray(is, e);
		}
	}
	if (m->sources)
		cJSON_AddItemToObject(o, "sources", cJSON_Duplicate(m->sources, true));
	return o;
}

uint64_t
sim_machine_max_cpus(const struct sim_machine *m)
{
	const struct sim_topology *t = &m->topo;
	return (uint64_t)t->sockets * t->clusters_per_socket * t->cores_per_cluster *
	       t->threads_per_core;
}

struct sim_place
sim_machine_place(const struct sim_machine *m, uint64_t cpu)
{
	const struct sim_topology *t = &m->topo;
	uint64_t cores_per_socket = (uint64_t)t->clusters_per_socket * t->cores_per_cluster;
	uint64_t total_cores = cores_per_socket * t->sockets;
	uint64_t pos, thread;
	if (t->numbering == SIM_NUM_CORES_FIRST) {
		thread = cpu / total_cores;
		pos = cpu % total_cores;
	} else {
		thread = cpu % t->threads_per_core;
		pos = cpu / t->threads_per_core;
	}
	uint32_t socket;
	uint64_t within;
	if (t->core_socket) {
		socket = t->core_socket[pos];
		within = t->core_rank[pos];
	} else {
		socket = t->socket_order[pos / cores_per_socket];
		within = pos % cores_per_socket;
	}
	uint64_t cluster = (uint64_t)socket * t->clusters_per_socket + within / t->cores_per_cluster;
	uint64_t core = cluster * t->cores_per_cluster + within % t->cores_per_cluster;
	return (struct sim_place){ .socket = socket, .cluster = (uint32_t)cluster,
				   .core = (uint32_t)core, .thread = (uint32_t)thread };
}

uint32_t
sim_machine_hops(const struct sim_machine *m, uint32_t a, uint32_t b)
{
	const struct sim_topology *t = &m->topo;
	if (a == b)
		return 0;
	switch (t->interconnect) {
	case SIM_IC_FULL:
		return 1;
	case SIM_IC_RING: {
		uint32_t d = a > b ? a - b : b - a;
		return d < t->sockets - d ? d : t->sockets - d;
	}
	case SIM_IC_HYPERCUBE: {
		/* popcount(a ^ b), inline: without -mpopcnt the builtin is a
		 * libgcc call on every remote transfer (host speed only) */
		uint32_t x = a ^ b;
		x = x - ((x >> 1) & 0x55555555u);
		x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
		x = (x + (x >> 4)) & 0x0f0f0f0fu;
		return (x * 0x01010101u) >> 24;
	}
	case SIM_IC_TORUS2D: {
		uint32_t ax = a % t->torus_x, ay = a / t->torus_x;
		uint32_t bx = b % t->torus_x, by = b / t->torus_x;
		uint32_t dx = ax > bx ? ax - bx : bx - ax, dy = ay > by ? ay - by : by - ay;
		if (t->torus_x - dx < dx)
			dx = t->torus_x - dx;
		if (t->torus_y - dy < dy)
			dy = t->torus_y - dy;
		return dx + dy;
	}
	default:
		return t->hops[(size_t)a * t->sockets + b];
	}
}

static char **
preset_dirs(void)
{
	GPtrArray *dirs = g_ptr_array_new();
	const char *env = g_getenv("SIM_MACHINE_PATH");
	if (env && *env) {
		char **parts = g_strsplit(env, ":", -1);
		for (char **p = parts; *p; p++)
			if (**p)
				g_ptr_array_add(dirs, g_strdup(*p));
		g_strfreev(parts);
	}
	g_ptr_array_add(dirs, g_build_filename(SIM_SOURCE_DIR, "configs", "machines", NULL));
	g_ptr_array_add(dirs, NULL);
	return (char **)g_ptr_array_free(dirs, FALSE);
}

char *
sim_machine_find_preset(const char *name)
{
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			return NULL;
	char **dirs = preset_dirs();
	char *found = NULL;
	g_autofree char *fname = g_strconcat(name, ".json", NULL);
	for (char **d = dirs; *d && !found; d++) {
		char *path = g_build_filename(*d, fname, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			found = path;
		else
			g_free(path);
	}
	g_strfreev(dirs);
	return found;
}

static int
cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
sim_machine_list_presets(void)
{
	char **dirs = preset_dirs();
	GPtrArray *names = g_ptr_array_new();
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (char **d = dirs; *d; d++) {
		GDir *dir = g_dir_open(*d, 0, NULL);
		if (dir == NULL)
			continue;
		const char *e;
		while ((e = g_dir_read_name(dir)) != NULL) {
			if (!g_str_has_suffix(e, ".json"))
				continue;
			char *n = g_strndup(e, strlen(e) - 5);
			if (g_hash_table_contains(seen, n)) {
				g_free(n);
				continue;
			}
			g_hash_table_add(seen, n);
			g_ptr_array_add(names, g_strdup(n));
		}
		g_dir_close(dir);
	}
	g_strfreev(dirs);
	g_hash_table_destroy(seen);
	g_ptr_array_sort(names, cmp_names);
	g_ptr_array_add(names, NULL);
	return (char **)g_ptr_array_free(names, FALSE);
}
