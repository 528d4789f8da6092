// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The kernel allocator as a config component ("kalloc" section) and its
 * setup: where the frames, struct pages, zones and pcp lines go, and the
 * hook that makes sim_free() of allocator memory a kfree().
 *
 * SOURCE: Linux mm/page_alloc.c (free_area_init, zone_pcp_init), mm/slub.c
 * (kmem_cache_init, create_kmalloc_caches).  page_alloc.c and slub.c
 * describe the models.
 *
 * Placement: node n's frames and their struct pages (mem_map), zone n
 * and every kmem_cache_node n are homed on node n's socket; a CPU's pcp
 * and kmem_cache_cpu lines on the CPU's socket (per-CPU areas are
 * node-local in Linux).  Nodes are the sockets that have CPUs in the run.
 */
#include <string.h>

#include "kalloc_impl.h"

static const struct sim_param kalloc_slub_params[] = {
	SIM_P_U64_ROW(struct kalloc_params, pages_per_node, 16, UINT64_C(1) << 20, 1024,
		      "page frames (4 KiB) in each node's zone"),
	SIM_P_U32_ROW(struct kalloc_params, pcp_batch, 1, 4096, 31,
		      "pages a per-CPU page list takes from / returns to the zone at once"),
	SIM_P_U32_ROW(struct kalloc_params, pcp_high, 1, 65536, 186,
		      "per-CPU page list length at which a free drains pcp_batch pages "
		      "(Linux: 6 * batch)"),
	SIM_P_U32_ROW(struct kalloc_params, slab_max_order, 0, 3, 3,
		      "largest slab order (slub_max_order)"),
	SIM_P_BOOL_ROW(struct kalloc_params, cpu_partial, true,
		       "per-CPU partial slab lists (CONFIG_SLUB_CPU_PARTIAL, on in Linux's defconfigs): "
		       "a remote free to a full slab freezes it onto the freeing CPU's list "
		       "instead of taking list_lock"),
	SIM_P_U32_ROW(struct kalloc_params, path_cycles, 0, 100000, 20,
		      "local instructions charged per allocator call besides its memory accesses"),
	SIM_P_END,
};

static gboolean
kalloc_slub_check(const void *params, uint32_t ncpus, const struct sim_origin *o,
		  GError **err)
{
	(void)ncpus;
	const struct kalloc_params *p = params;
	if (p->pcp_high < p->pcp_batch) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, o, "pcp_high",
				"%u is below pcp_batch (%u)", p->pcp_high, p->pcp_batch);
		return FALSE;
	}
	return TRUE;
}

const struct kalloc_ops kalloc_slub_ops = {
	.comp = {
		.name = "slub",
		.summary = "Linux page allocator (zones, buddy lists, per-CPU page lists) "
			   "and SLUB slab caches with kmalloc size classes",
		.params = kalloc_slub_params,
		.params_size = sizeof(struct kalloc_params),
		.check = kalloc_slub_check,
	},
};

static const struct sim_component *const kallocs[] = {
	&kalloc_slub_ops.comp,
	NULL,
};

const struct sim_component *const *
kalloc_all(void)
{
	return kallocs;
}

/*
 * sim_free() of allocator memory (e.g. a reclaim scheme's deferred free):
 * kfree() of a slab object or kmalloc_large() block; free_pages() of the
 * order that holds size bytes for alloc_pages() memory.
 */
static void
kalloc_sim_free(void *arg, void *p, size_t size)
{
	struct kalloc *ka = arg;
	uint64_t pfn = ka_pfn(ka, p);
	if (ka->pstate[pfn] == KA_P_PAGES) {
		free_pages(ka, p, ka_get_order(size));
		return;
	}
	struct kmem_cache *s = ka->slab_of[pfn];
	if (s && size > s->object_size)
		sim_fail("sim_free of %zu bytes at simulated offset %#" G_GINT64_MODIFIER "x: "
			 "the object is a %s object of %u bytes", size, sim_addr_offset(p), s->name,
			 s->object_size);
	kfree(ka, p);
}

/* Nodes: the sockets of CPUs 0 .. ncpus-1, in socket order. */
static void
find_nodes(struct kalloc *ka)
{
	const struct sim_machine *m = sim_machine_of(ka->sim);
	uint32_t nsock = m->topo.sockets;
	bool *used = g_new0(bool, nsock);
	for (uint32_t c = 0; c < ka->ncpus; c++)
		used[sim_machine_place(m, c).socket] = true;
	ka->socket_node = g_new(uint32_t, nsock);
	ka->node_socket = g_new0(uint32_t, nsock);
	for (uint32_t s = 0; s < nsock; s++) {
		ka->socket_node[s] = used[s] ? ka->nnodes : UINT32_MAX;
		if (used[s])
			ka->node_socket[ka->nnodes++] = s;
	}
	g_free(used);
}

struct kalloc *
kalloc_create(struct sim *sim, const struct kalloc_params *params)
{
	struct kalloc *ka = g_new0(struct kalloc, 1);
	ka->sim = sim;
	if (params)
		ka->p = *params;
	else
		sim_params_defaults(kalloc_slub_params, &ka->p);
	ka->ncpus = sim_ncpus_of(sim);
	ka->kl = klock_create(sim);
	find_nodes(ka);
	ka->npages = (uint64_t)ka->nnodes * ka->p.pages_per_node;
	size_t bytes = (size_t)ka->npages << KA_PAGE_SHIFT;
	ka->mem = sim_alloc(bytes, KA_PAGE_SIZE);
	ka->mem_map = sim_alloc(sizeof(struct page) * ka->npages, 64);
	ka->zones = sim_alloc(sizeof(struct zone) * ka->nnodes, 64);
	ka->pcp = g_new0(struct per_cpu_pages **, ka->ncpus);
	for (uint32_t n = 0; n < ka->nnodes; n++) {
		uint64_t first = (uint64_t)n * ka->p.pages_per_node;
		uint32_t sock = ka->node_socket[n];
		sim_mem_place(sim, ka->mem + (first << KA_PAGE_SHIFT),
			      (size_t)ka->p.pages_per_node << KA_PAGE_SHIFT, sock);
		sim_mem_place(sim, &ka->mem_map[first],
			      sizeof(struct page) * ka->p.pages_per_node, sock);
		sim_mem_place(sim, &ka->zones[n], sizeof(struct zone), sock);
	}
	ka->pstate = g_new0(uint8_t, ka->npages);
	ka->slab_of = g_new0(struct kmem_cache *, ka->npages);
	ka->live = g_new0(uint8_t, bytes / 8);
	ka->zst = g_new0(struct ka_zone_stats, ka->nnodes);
	ka_page_alloc_init(ka);
	ka_slub_init(ka);
	sim_mem_owner_register(sim, ka->mem, bytes, kalloc_sim_free, ka);
	return ka;
}

struct kalloc *
kalloc_create_for_run(struct sim *sim)
{
	const void *params = NULL;
	const struct sim_component *c = sim_choice_of(sim, SIM_SECTION_KALLOC, &params);
	return kalloc_create(sim, c ? params : NULL);
}

void
kalloc_destroy(struct kalloc *ka)
{
	if (ka == NULL)
		return;
	ka_slub_destroy(ka);
	klock_destroy(ka->kl);
	for (uint32_t c = 0; c < ka->ncpus; c++)
		g_free(ka->pcp[c]);
	g_free(ka->pcp);
	g_free(ka->pstate);
	g_free(ka->slab_of);
	g_free(ka->live);
	g_free(ka->zst);
	g_free(ka->node_socket);
	g_free(ka->socket_node);
	g_free(ka);
}

bool
kalloc_check(struct kalloc *ka, GString *why)
{
	uint64_t nfree = 0;
	if (!ka_page_alloc_check(ka, why, &nfree) || !ka_slub_check(ka, why))
		return false;
	uint64_t slab = 0, pages = 0, large = 0;
	for (uint64_t i = 0; i < ka->npages; i++) {
		slab += ka->pstate[i] == KA_P_SLAB;
		pages += ka->pstate[i] == KA_P_PAGES;
		large += ka->pstate[i] == KA_P_LARGE;
		if ((ka->pstate[i] == KA_P_SLAB) != (ka->slab_of[i] != NULL)) {
			g_string_append_printf(why, "frame %" G_GUINT64_FORMAT ": slab state and "
					       "cache disagree", i);
			return false;
		}
	}
	if (nfree + slab + pages + large != ka->npages) {
		g_string_append_printf(why, "%" G_GUINT64_FORMAT " free + %" G_GUINT64_FORMAT
				       " slab + %" G_GUINT64_FORMAT " page + %" G_GUINT64_FORMAT
				       " large frames != %" G_GUINT64_FORMAT, nfree, slab, pages,
				       large, ka->npages);
		return false;
	}
	return true;
}

void
kalloc_stats(struct kalloc *ka, cJSON *out)
{
	uint64_t slab = 0;
	for (uint64_t i = 0; i < ka->npages; i++)
		slab += ka->pstate[i] == KA_P_SLAB;
	cJSON_AddNumberToObject(out, "total_pages", (double)ka->npages);
	cJSON_AddNumberToObject(out, "free_pages", (double)kalloc_free_pages(ka));
	cJSON_AddNumberToObject(out, "slab_pages", (double)slab);
	cJSON_AddNumberToObject(out, "cross_node_frees", (double)ka->remote_frees);
	ka_page_alloc_stats(ka, out);
	ka_slub_stats(ka, out);
	klock_stats(ka->kl, cJSON_AddObjectToObject(out, "locks"));
}
