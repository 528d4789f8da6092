// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * The address-space workloads' common part (wl_aspace.h): one process
 * address space from the run's sections, its syscalls as the threads make
 * them, and its report.
 *
 * MODEL: a syscall's entry and exit (SYSCALL, the register save, SYSRET)
 * are syscall_cycles of local work; page-fault entry and exit are the
 * mm's fault_cycles.  Returning to user mode after a syscall or a touch
 * is a quiescent state (Tree RCU sees user mode at the next tick; here at
 * once, so grace periods end sooner than on a real kernel: retired VMAs
 * and page tables wait less).
 */
#include "wl_aspace.h"

#include <errno.h>

#include "engine.h"
#include "kalloc.h"
#include "klock.h"
#include "reclaim.h"
#include "smp.h"
#include "tree.h"

void
wl_aspace_setup(struct wl_aspace *w, struct sim *sim, uint64_t syscall_cycles)
{
	const void *ap, *tp, *sp;
	*w = (struct wl_aspace){ .sim = sim, .syscall_cycles = syscall_cycles };
	w->ops = aspace_ops_of(sim, &ap);
	if (w->ops == NULL)
		g_error("address-space workloads need an \"aspace\" section (checked at config load)");
	w->rcl = rcl_ops_of(sim);
	if (w->rcl) {
		w->rs = w->rcl->create(sim, rcl_params_of(sim));
		sim_set_free_label(sim, w->rcl->comp.name);
	}
	w->ka = kalloc_create_for_run(sim);
	w->kl = klock_create(sim);
	w->smp = smp_ops_of(sim, &sp);
	w->smp_state = w->smp->create(sim, sp);
	w->env = (struct aspace_env){
		.sim = sim,
		.rcl = w->rcl,
		.rs = w->rs,
		.tree = tree_ops_of(sim, &tp),
		.ka = w->ka,
		.kl = w->kl,
		.smp = w->smp,
		.smp_state = w->smp_state,
		.smp_params = sp,
		.home_cpu = 0,
	};
	w->env.tree_params = w->env.tree ? tp : NULL;
	w->as = w->ops->create(&w->env, ap);
	w->done = sim_alloc(64, 64);
	sim_mem_prime(sim, w->done, 64, 0);
}

static void
wl_as_return_to_user(struct wl_aspace *w)
{
	if (w->rcl && w->rcl->quiescent_state)
		w->rcl->quiescent_state(w->rs);
}

uint64_t
wl_as_mmap(struct wl_aspace *w, uint64_t addr, uint64_t len, unsigned flags)
{
	uint64_t out = 0;
	sim_work(w->syscall_cycles);
	int rc = w->ops->mmap(w->as, addr, len, MM_PROT_READ | MM_PROT_WRITE, flags, &out);
	if (rc != 0)
		sim_fail("%s: mmap(%#" G_GINT64_MODIFIER "x, %" G_GUINT64_FORMAT ") on CPU %u failed: %d",
			 w->ops->comp.name, addr, len, sim_cpu_id(), rc);
	wl_as_return_to_user(w);
	return out;
}

void
wl_as_munmap(struct wl_aspace *w, uint64_t addr, uint64_t len)
{
	sim_work(w->syscall_cycles);
	int rc = w->ops->munmap(w->as, addr, len);
	if (rc != 0)
		sim_fail("%s: munmap(%#" G_GINT64_MODIFIER "x, %" G_GUINT64_FORMAT ") on CPU %u failed: %d",
			 w->ops->comp.name, addr, len, sim_cpu_id(), rc);
	wl_as_return_to_user(w);
}

uint64_t
wl_as_brk(struct wl_aspace *w, uint64_t newbrk)
{
	uint64_t out = 0;
	sim_work(w->syscall_cycles);
	int rc = w->ops->brk(w->as, newbrk, &out);
	if (rc != 0)
		sim_fail("%s: brk(%#" G_GINT64_MODIFIER "x) on CPU %u failed: %d",
			 w->ops->comp.name, newbrk, sim_cpu_id(), rc);
	wl_as_return_to_user(w);
	return out;
}

void
wl_as_touch(struct wl_aspace *w, uint64_t addr, bool write)
{
	int rc = aspace_access(w->ops, w->as, addr, write ? MM_FAULT_WRITE : 0);
	if (rc != 0)
		sim_fail("%s: %s of %#" G_GINT64_MODIFIER "x on CPU %u: SIGSEGV (%d)",
			 w->ops->comp.name, write ? "store" : "load", addr, sim_cpu_id(), rc);
	wl_as_return_to_user(w);
}

void
wl_as_cpu_exit(struct wl_aspace *w)
{
	uint32_t n = sim_ncpus();
	(void)sim_faa64(w->done, 1);
	uint64_t v;
	while ((v = sim_load64_acq(w->done)) < n)
		(void)sim_spin_while_eq64(w->done, v);
	if (w->rcl && w->rcl->cpu_exit)
		w->rcl->cpu_exit(w->rs);
}

bool
wl_aspace_report(struct wl_aspace *w, cJSON *m)
{
	GString *why = g_string_new(NULL);
	bool ok = w->ops->check(w->as, why);
	cJSON_AddBoolToObject(m, "aspace_check_ok", ok);
	if (!ok)
		cJSON_AddStringToObject(m, "aspace_check_why", why->str);
	g_string_free(why, TRUE);
	cJSON_AddNumberToObject(m, "mapped_pages_at_end", (double)mm_mapped_pages(w->ops->mm(w->as)));
	cJSON *a = cJSON_AddObjectToObject(m, "aspace");
	cJSON_AddStringToObject(a, "design", w->ops->comp.name);
	w->ops->stats(w->as, a);
	cJSON *s = cJSON_AddObjectToObject(m, "smp");
	smp_stats_report(w->smp->stats(w->smp_state), s);
	cpuidle_stats(w->sim, m);
	if (w->rcl) {
		cJSON *r = cJSON_AddObjectToObject(m, "reclaim");
		cJSON_AddStringToObject(r, "scheme", w->rcl->comp.name);
		if (w->rcl->stats)
			w->rcl->stats(w->rs, r);
	}
	return ok;
}

void
wl_aspace_teardown(struct wl_aspace *w)
{
	if (w->as)
		w->ops->destroy(w->as);
	if (w->rs)
		w->rcl->destroy(w->rs);
	if (w->smp_state)
		w->smp->destroy(w->smp_state);
	if (w->kl)
		klock_destroy(w->kl);
	if (w->ka)
		kalloc_destroy(w->ka);
	*w = (struct wl_aspace){ 0 };
}
