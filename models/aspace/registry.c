// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The registry of address-space designs (models/aspace/<name>.c) for the
 * "aspace" config section, their parameter tables (the mm's parameters,
 * struct mm_params, embedded first, then the design's), and what every
 * design shares at its edges: aspace_ops_of, aspace_access, the counters'
 * report and the cross-section config check.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "engine.h"
#include "reclaim.h"
#include "tree.h"
#include "vma.h"

/* The mm's rows (struct mm_params inside struct aspace_params, mm.h's
 * defaults) with the design's default for rcu_table_free: off for Linux
 * 3.5 on x86 (no HAVE_RCU_TABLE_FREE), on for Bonsai (bonsai-vm.md
 * section 2: page-table pages are freed with call_rcu); and for lazy_tlb:
 * on for both, as x86 Linux 3.5 and Bonsai's 2.6.37 both have lazy-TLB
 * mode (arch/x86/mm/tlb.c leave_mm, asm/mmu_context.h switch_mm; see
 * models/mm/tlb.c). */
/* enum aspace_mmap_sem order. */
static const char *const mmap_sem_kinds[] = { "v6", "v3.5", NULL };

const struct sim_param aspace_linux_rwsem_params[] = {
	MM_PARAM_ROWS(struct aspace_params, mm, false, true),
	SIM_P_BOOL_ROW(struct aspace_params, mmap_cache, true,
		       "find_vma's mm->mmap_cache (Linux <= 3.5): a fault whose VMA is not the "
		       "cached one stores it to an mm-wide line"),
	SIM_P_ENUM_ROW(struct aspace_params, mmap_sem, mmap_sem_kinds, ASPACE_MMAP_SEM_V35,
		       "mmap_sem's rw_semaphore: v3.5 (Linux 3.5 lib/rwsem.c: the lock is granted "
		       "to the first waiters at wake-up, no stealing) or v6 (stealing, handoff)"),
	SIM_P_U32_ROW(struct aspace_params, path_cycles, 0, 10000000, 0,
		      "local cycles of each mmap, munmap, brk and mprotect under mmap_sem for "
		      "the kernel path no simulated line stands for (VMA slab, merge checks, "
		      "accounting, security hooks, anon_vma...); fitted by "
		      "scripts/fit-aspace-path"),
	SIM_P_END,
};

const struct sim_param aspace_bonsai_params[] = {
	MM_PARAM_ROWS(struct aspace_params, mm, true, true),
	/* no mmap_cache: bonsai.c's MODEL says why */
	SIM_P_ENUM_ROW(struct aspace_params, mmap_sem, mmap_sem_kinds, ASPACE_MMAP_SEM_V35,
		       "mmap_sem's rw_semaphore: v3.5 (lib/rwsem.c of Linux 3.5 and of Bonsai's "
		       "2.6.37: the lock is granted to the first waiters at wake-up, no stealing, "
		       "no spinning) or v6 (stealing, handoff)"),
	SIM_P_U32_ROW(struct aspace_params, path_cycles, 0, 10000000, 0,
		      "local cycles of each mmap, munmap, brk and mprotect under mmap_sem for "
		      "the kernel path no simulated line stands for (VMA slab, merge checks, "
		      "accounting, security hooks, anon_vma...); fitted by "
		      "scripts/fit-aspace-path"),
	SIM_P_END,
};

static const struct sim_component *const designs[] = {
	&aspace_linux_rwsem_ops.comp,
	&aspace_bonsai_ops.comp,
	NULL,
};

const struct sim_component *const *
aspace_all(void)
{
	return designs;
}

const struct aspace_ops *
aspace_find(const char *name)
{
	for (const struct sim_component *const *p = designs; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return aspace_ops_from(*p);
	return NULL;
}

const struct aspace_ops *
aspace_ops_of(const struct sim *sim, const void **params)
{
	const struct sim_component *c = sim_choice_of(sim, SIM_SECTION_ASPACE, params);
	return c ? aspace_ops_from(c) : NULL;
}

/* mm_access's fault callback: the design's fault() on its state. */
struct access_ctx {
	const struct aspace_ops *ops;
	void *as;
};

static int
access_fault(void *arg, uint64_t addr, unsigned flags)
{
	struct access_ctx *c = arg;
	return c->ops->fault(c->as, addr, flags);
}

int
aspace_access(const struct aspace_ops *ops, void *as, uint64_t addr, unsigned flags)
{
	struct access_ctx c = { .ops = ops, .as = as };
	return mm_access(ops->mm(as), addr, flags, access_fault, &c);
}

void
aspace_stats_emit(const struct aspace_stats *st, cJSON *out)
{
	cJSON_AddNumberToObject(out, "mmaps", (double)st->mmaps);
	cJSON_AddNumberToObject(out, "munmaps", (double)st->munmaps);
	cJSON_AddNumberToObject(out, "brks", (double)st->brks);
	cJSON_AddNumberToObject(out, "mprotects", (double)st->mprotects);
	cJSON_AddNumberToObject(out, "faults", (double)st->faults);
	cJSON_AddNumberToObject(out, "fault_retries", (double)st->fault_retries);
	cJSON_AddNumberToObject(out, "fault_fallbacks", (double)st->fault_fallbacks);
	cJSON_AddNumberToObject(out, "segv", (double)st->segv);
	cJSON_AddNumberToObject(out, "vmas_allocated", (double)st->vmas_allocated);
	cJSON_AddNumberToObject(out, "vmas_retired", (double)st->vmas_retired);
}

gboolean
aspace_config_check(const struct sim_run_config *rc, const struct sim_origin *top, GError **err)
{
	const struct sim_component *c = rc->choice[SIM_SECTION_ASPACE].comp;
	if (c == NULL)
		return TRUE;
	const struct aspace_ops *ops = aspace_ops_from(c);
	const struct sim_component *tc = rc->choice[SIM_SECTION_TREE].comp;
	const struct tree_ops *t = tc ? tree_ops_from(tc) : tree_find(ops->default_tree);
	g_assert(t != NULL);
	const struct sim_component *rcomp = rc->choice[SIM_SECTION_RECLAIM].comp;
	if (ops->tree_needs & TREE_RCU_READERS) {
		/* Lock-free faults hold VMAs and page-table pages for their
		 * whole read section: the scheme must defer every retire past
		 * every reader (not a lock baseline, a values-only scheme, or
		 * hazard pointers, which protect only published pointers). */
		const struct rcl_ops *r = rcomp ? rcl_ops_from(rcomp) : NULL;
		if (r == NULL || r->write_lock != NULL || (r->flags & RCL_NO_GRACE_PERIOD) ||
		    strcmp(r->comp.name, "hp") == 0) {
			struct sim_origin o = { .file = top->file,
						.prefix = rcomp ? "reclaim" : "",
						.overrides = top->overrides };
			sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, &o,
					rcomp ? "scheme" : "reclaim",
					"design \"%s\" needs an RCU-like reclaim scheme (its faults "
					"hold VMAs and page tables for a whole read section)%s%s%s",
					c->name, rcomp ? "; \"" : ": add a \"reclaim\" section",
					rcomp ? rcomp->name : "", rcomp ? "\" is not one" : "");
			return FALSE;
		}
	}
	if ((t->flags & ops->tree_needs) != ops->tree_needs) {
		struct sim_origin o = { .file = top->file, .prefix = "aspace",
					.overrides = top->overrides };
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, &o, "design",
				"design \"%s\" looks VMAs up without a lock and needs a tree "
				"with RCU readers; tree \"%s\" (tree.kind) has none "
				"(e.g. bonsai, maple)", c->name, t->comp.name);
		return FALSE;
	}
	return TRUE;
}
