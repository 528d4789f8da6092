// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * VMAs and the writer side of mmap/munmap/brk/mprotect that Linux <= 6.0
 * and Bonsai VM share (vma.h says where Bonsai differs).
 *
 * SOURCE: mm/mmap.c of Linux 3.5 (find_vma with mmap_cache, do_mmap_pgoff /
 * mmap_region, get_unmapped_area bottom-up, do_munmap, __split_vma,
 * detach_vmas_to_be_unmapped, unmap_region, remove_vma_list, do_brk,
 * sys_brk), mm/mprotect.c (mprotect_fixup), and the Bonsai patches'
 * changes to them (bonsai-vm.md section 2: vm_bound_seq around
 * vma_adjust's bounds changes, vm_unlinked, page_table_lock
 * lock/unlock after the detach, call_rcu of VMAs).
 *
 * Lines (vma.h): each VMA (one line), the mm_vma_line (list head,
 * mmap_cache, map_count, brk), mmap_sem (in the mm's mm_struct line with
 * mm_users and mm_count, mm_impl.h), the tree's nodes, the
 * page tables (models/mm).  Every writer here holds mmap_sem for write.
 *
 * munmap [s, e), as do_munmap:
 *   1. vma = find_vma(s); none or vma->vm_start >= e: nothing to do;
 *   2. split the VMA straddling s, then the one straddling e
 *      (__split_vma: the VMA keeps the low piece, a new VMA the high one,
 *      inserted into the tree and the list);
 *   3. detach [s, e) (detach_vmas_to_be_unmapped): unlink the VMAs from
 *      the list, clear mmap_cache; rcu_faults: vm_unlinked = 1 on each;
 *      erase [s, e) from the tree; rcu_faults: lock and unlock
 *      page_table_lock;
 *   4. unmap_region: mm_gather_begin, mm_zap_range(s, e),
 *      mm_free_pgtables(s, e, floor = prev's vm_end or 0, ceiling = next's
 *      vm_start or MM_TASK_SIZE), mm_gather_finish (the shootdown);
 *   5. remove_vma_list: free each VMA (kmem_cache_free), or with
 *      rcu_faults retire it through the reclaim scheme.
 *
 * mmap [s, e) (mmap_region): MAP_FIXED first unmaps [s, e) as above;
 * then vma_merge: a neighbour that ends at s (prev) or starts at e (next)
 * with the same flags takes the range instead of a new VMA -- prev is
 * extended over it, and over next too when both qualify (next is then
 * detached as by munmap and freed: vma_merge's case 1, vma_adjust with
 * remove_next), else next is extended down to s; otherwise a new VMA is
 * linked.  So sv6 mapbench's vmglobal, whose slices are adjacent, keeps
 * one VMA for all slices as Linux does: every round's MAP_FIXED mmap of a
 * slice splits it twice (do_munmap) and merges it back (vma_merge).
 *
 * MODEL: vma_merge's test is equal flags (MM_PROT_*) only: the regions
 * here are all anonymous and private, with no file, no mempolicy, vm_pgoff
 * linear in the address (do_mmap_pgoff sets addr >> PAGE_SHIFT for
 * anonymous private mappings) and no anon_vma to compare (below).  Linux
 * 3.5 also refuses to merge two regions with different anon_vmas (after a
 * fork); in one process never forked they share one.  mprotect does not
 * merge (mprotect_fixup's vma_merge): expected effect, an mprotect-heavy
 * workload keeps more VMAs than Linux; none of ours is.
 * MODEL: the tree interface has no in-place bounds change, so a merge
 * erases and re-inserts the surviving VMA's range (Linux 3.5's rbtree
 * needs no tree operation to extend prev: find_vma compares vm_end and
 * vm_start of the nodes it visits).  Expected effect: a merging mmap pays
 * one tree erase and insert more than Linux's (a few lines of the tree,
 * all under mmap_sem for write).
 * MODEL: mprotect that removes a permission zaps the range's PTEs (the
 * next access refaults) instead of rewriting them (change_protection);
 * adding a permission leaves the PTEs (their TLB entries stay read-only
 * until refaulted: mm's business).  Expected effect: an mprotect-heavy
 * workload refaults pages Linux would keep; none of ours is.
 * MODEL: with rcu_faults, an mprotect that removes a permission replaces
 * the range's VMAs (detached as by munmap, new ones linked after the
 * shootdown) instead of changing vm_flags in place: bonsai-vm.md does not
 * say how Bonsai orders mprotect against lock-free faults, and in place a
 * read fault could map a page of a region just made read-only between the
 * zap and the end of the shootdown (mm's stale-translation check counts
 * such an entry as stale).  Expected effect: such an mprotect allocates
 * and retires VMAs, and faults in the range fall back to mmap_sem while
 * it runs.
 * MODEL: mprotect of a range with a hole fails with -ENOMEM having changed
 * nothing (Linux changes the VMAs before the hole, then fails).  Expected
 * effect: none for programs that mprotect mapped ranges only.
 * MODEL: the list's tail is kept on the mm line (mmap_last) where Linux's
 * find_vma_prev walks the rbtree to the last VMA when a new VMA goes above
 * every other.  Expected effect: such an mmap loads one line instead of a
 * tree path.
 * MODEL: the writer's own lookups (find_vma in munmap, mmap, brk,
 * mprotect) in a tree with RCU readers run inside the scheme's read side,
 * as tree.h's reader contract asks (Linux's writer reads under mmap_sem
 * with plain loads).  Expected effect: one read_lock/read_unlock pair per
 * writer lookup: free under Tree RCU, a store to the CPU's own line under
 * GUS or EBR.
 * MODEL: no anon_vma, no vm_pgoff, no stack growth, no guard gap, no
 * rlimit or overcommit accounting.  Expected effect: mmap and the first
 * fault of a region skip anon_vma_prepare's allocation and lock, and a
 * split skips anon_vma_clone (an anon_vma_chain allocation and the
 * anon_vma lock, Linux 3.5's __split_vma) and a merge anon_vma_merge:
 * vmglobal's two splits and one merge per mmap are cheaper than Linux's
 * by that path length (all under mmap_sem for write, on lines no fault
 * touches).
 * MODEL: the path length the simulated lines leave out -- in Linux 3.5's
 * mmap: vm_mmap's security_mmap_file, get_unmapped_area's checks,
 * may_expand_vm / accountable_mapping /
 * security_vm_enough_memory (vm_committed_as), kmem_cache_zalloc of the
 * VMA, vma_link's anon_vma and file checks, perf_event_mmap,
 * vm_stat_account; in munmap: the second find_vma of the split checks,
 * unmap_vmas' per-VMA walk setup, vm_unacct_memory, remove_vma's
 * kmem_cache_free, and the instructions of every function around the
 * modelled accesses (what Linux 3.5's mm/mmap.c calls there, listed, not
 * timed one by one) -- is path_cycles of
 * local work per mmap, munmap, brk and mprotect, charged right after
 * down_write, inside the write section as nearly all of it is in Linux
 * (do_mmap_pgoff and do_munmap run under mmap_sem).  One number, FITTED
 * to one point (scripts/fit-aspace-path: Linux vmlocal at one core on
 * ben, mmap + munmap = 2 x path_cycles); Bonsai's 2.6.37 kernel gets its
 * own value, fitted the same way to Bonsai's vmlocal at one core
 * (mapbench_bonsai_ben.json; 2,844 against Linux's 1,424).  Applied to brk
 * and mprotect (an assumption: comparable paths), and at every core count.
 * Expected effect: every mmap_sem write section is longer by
 * path_cycles, so contended points (every multi-core mapbench point)
 * serialize more time per iteration.
 */
#include <errno.h>
#include <string.h>

#include "cpumask.h"
#include "engine.h"
#include "kalloc.h"
#include "reclaim.h"
#include "vma.h"

static uint64_t
page_up(uint64_t x)
{
	return (x + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);
}

void
as_init(struct aspace_base *as, const struct aspace_ops *ops, const struct aspace_env *env,
	const void *params, bool rcu_faults)
{
	g_assert(env->ka != NULL && env->kl != NULL);
	g_assert(env->rcl != NULL || !rcu_faults);
	as->ops = ops;
	as->env = *env;
	if (env->rcl == NULL) {
		/* No scheme given (linux-rwsem only): the tree's replaced nodes
		 * are freed at once, as Linux frees under mmap_sem for write --
		 * the "rwsem" lock baseline's retire. */
		as->own_rcl = rcl_find("rwsem");
		g_assert(as->own_rcl != NULL);
		as->own_rcl_params = g_malloc0(as->own_rcl->comp.params_size ?
					       as->own_rcl->comp.params_size : 1);
		sim_params_defaults(as->own_rcl->comp.params, as->own_rcl_params);
		as->env.rcl = as->own_rcl;
		as->env.rs = as->own_rcl->create(env->sim, as->own_rcl_params);
		env = &as->env;
	}
	as->p = *(const struct aspace_params *)params;
	as->rcu_faults = rcu_faults;
	g_assert(!(rcu_faults && as->p.mmap_cache));   /* bonsai.c: no mmap_cache */
	as->tree = env->tree ? env->tree : tree_find(ops->default_tree);
	g_assert(as->tree != NULL);
	g_assert((as->tree->flags & ops->tree_needs) == ops->tree_needs);
	const void *tp = env->tree ? env->tree_params : NULL;
	if (tp == NULL && as->tree->comp.params_size) {
		as->tree_params_own = g_malloc0(as->tree->comp.params_size);
		sim_params_defaults(as->tree->comp.params, as->tree_params_own);
		tp = as->tree_params_own;
	}
	as->tenv = (struct tree_env){ .sim = env->sim, .rcl = env->rcl, .rs = env->rs,
				      .ka = env->ka, .kl = env->kl, .home_cpu = env->home_cpu };
	as->t = as->tree->create(&as->tenv, tp);
	as->vma_cache = kmem_cache_create(env->ka, "aspace_vma", VMA_SIZE, VMA_ALIGN);
	as->mmap_sem_ops = as->p.mmap_sem == ASPACE_MMAP_SEM_V35 ? &rwsem_ops_v35 : &rwsem_ops_v6;
	as->ml = sim_alloc(sizeof *as->ml, 64);
	sim_mem_prime(env->sim, as->ml, sizeof *as->ml, env->home_cpu);
	if (rcu_faults) {
		as->fl = sim_alloc(sizeof *as->fl, 64);
		sim_mem_prime(env->sim, as->fl, sizeof *as->fl, env->home_cpu);
		as->fl->kthread_state = 1;      /* TASK_INTERRUPTIBLE */
	}
	as->ml->start_brk = AS_START_BRK;
	as->ml->brk = AS_START_BRK;
	as->no_targets = cpumask_alloc(sim_ncpus_of(env->sim));
	as->mm_env = (struct mm_env){
		.sim = env->sim, .ka = env->ka, .kl = env->kl,
		.rcl = as->p.mm.rcu_table_free ? env->rcl : NULL,
		.rs = as->p.mm.rcu_table_free ? env->rs : NULL,
		.smp = env->smp, .smp_state = env->smp_state, .smp_params = env->smp_params,
		.design = ops->comp.name,
	};
	as->mm = mm_create(&as->mm_env, &as->p.mm, env->home_cpu);
	/* mmap_sem sits in mm_struct, on the line with mm_count (mm_impl.h) */
	as->mmap_sem = mm_mmap_sem(as->mm);
}

void
as_fini(struct aspace_base *as)
{
	mm_destroy(as->mm);
	as->tree->destroy(as->t);
	g_free(as->tree_params_own);
	cpumask_free(as->no_targets);
	if (as->own_rcl) {
		as->own_rcl->destroy(as->env.rs);
		g_free(as->own_rcl_params);
	}
}

struct mm *
as_mm(void *as)
{
	return ((struct aspace_base *)as)->mm;
}

/* ---- find_vma ---- */

struct vm_area_struct *
as_find_vma(struct aspace_base *as, uint64_t addr)
{
	if (as->p.mmap_cache) {
		struct vm_area_struct *c = sim_loadp((void *const *)&as->ml->mmap_cache);
		if (c && sim_load64(&c->vm_end) > addr && sim_load64(&c->vm_start) <= addr) {
			as->vs.mmap_cache_hits++;
			return c;
		}
		as->vs.mmap_cache_misses++;
	}
	struct tree_range r;
	if (!as->tree->find(as->t, addr, &r))
		return NULL;
	struct vm_area_struct *vma = r.value;
	if (as->p.mmap_cache)
		sim_storep((void **)&as->ml->mmap_cache, vma);
	return vma;
}

/* find_vma with mmap_sem held (either mode): a tree with RCU
 * readers is read inside the scheme's read side (MODEL in the header). */
static struct vm_area_struct *
find_vma_locked(struct aspace_base *as, uint64_t addr)
{
	bool rs = as->tree->flags & TREE_RCU_READERS;
	if (rs)
		as->env.rcl->read_lock(as->env.rs);
	struct vm_area_struct *v = as_find_vma(as, addr);
	if (rs)
		as->env.rcl->read_unlock(as->env.rs);
	return v;
}

int
as_fault_locked(struct aspace_base *as, uint64_t addr, unsigned flags)
{
	sim_time_t t0 = sim_now();
	as->mmap_sem_ops->down_read(as->env.kl, as->mmap_sem);
	as->vs.mmap_sem_read_cycles += sim_now() - t0;
	struct vm_area_struct *v = find_vma_locked(as, addr);
	int r = -EFAULT;
	if (v && sim_load64(&v->vm_start) <= addr) {
		uint64_t vf = sim_load64(&v->vm_flags);
		r = as_access_ok(vf, flags);
		if (r == 0) {
			/* Bonsai's locked fault is the same handle_mm_fault:
			 * it pins the PTE page too. */
			struct mm_fault_ctx ctx = { .prot = (unsigned)vf,
						    .pin_pte_page = as->rcu_faults };
			r = mm_do_anonymous_page(as->mm, addr, flags, &ctx);
		}
	}
	as->mmap_sem_ops->up_read(as->env.kl, as->mmap_sem);
	return r;
}

/* ---- VMA records (writer, mmap_sem held for write) ---- */

static struct vm_area_struct *
vma_alloc(struct aspace_base *as, uint64_t start, uint64_t end, uint64_t flags)
{
	struct vm_area_struct *v = kmem_cache_alloc(as->vma_cache, 0);
	sim_store64(&v->vm_start, start);
	sim_store64(&v->vm_end, end);
	sim_storep((void **)&v->vm_next, NULL);
	sim_storep((void **)&v->vm_prev, NULL);
	sim_store64(&v->vm_flags, flags);
	seqcount_init(&v->vm_bound_seq);
	sim_store32(&v->vm_unlinked, 0);
	as->st.vmas_allocated++;
	return v;
}

/* remove_vma: free at once, or (rcu_faults) after a grace period. */
static void
vma_dispose(struct aspace_base *as, struct vm_area_struct *v)
{
	as->st.vmas_retired++;
	if (as->rcu_faults)
		as->env.rcl->retire(as->env.rs, v, VMA_SIZE, VMA_ALIGN);
	else
		kmem_cache_free(as->vma_cache, v);
}

/* __vma_link_list: put v after prev (NULL: first). */
static void
vma_link_list(struct aspace_base *as, struct vm_area_struct *v, struct vm_area_struct *prev)
{
	struct vm_area_struct *next;
	if (prev) {
		next = sim_loadp((void *const *)&prev->vm_next);
		sim_storep((void **)&prev->vm_next, v);
	} else {
		next = sim_loadp((void *const *)&as->ml->mmap);
		sim_storep((void **)&as->ml->mmap, v);
	}
	sim_storep((void **)&v->vm_prev, prev);
	sim_storep((void **)&v->vm_next, next);
	if (next)
		sim_storep((void **)&next->vm_prev, v);
	else
		sim_storep((void **)&as->ml->mmap_last, v);
	sim_store64(&as->ml->map_count, sim_load64(&as->ml->map_count) + 1);
}

/* Insert v ([vm_start, vm_end), initialized) into tree and list after
 * prev (vma_link).  The tree publishes it to lock-free readers. */
static void
vma_link(struct aspace_base *as, struct vm_area_struct *v, struct vm_area_struct *prev)
{
	uint64_t s = sim_load64(&v->vm_start), e = sim_load64(&v->vm_end);
	int r = as->tree->insert(as->t, s, e, v);
	g_assert(r == 0);
	vma_link_list(as, v, prev);
}

/* Change a live VMA's bounds (vma_adjust): rcu_faults inside vm_bound_seq. */
static void
vma_set_bounds(struct aspace_base *as, struct vm_area_struct *v, uint64_t s, uint64_t e)
{
	if (as->rcu_faults)
		write_seqcount_begin(as->env.kl, &v->vm_bound_seq);
	sim_store64(&v->vm_start, s);
	sim_store64(&v->vm_end, e);
	if (as->rcu_faults)
		write_seqcount_end(as->env.kl, &v->vm_bound_seq);
}

/*
 * __split_vma at addr (vm_start < addr < vm_end): v keeps [vm_start,
 * addr), a new VMA with v's flags takes [addr, vm_end).  The tree: erase
 * [addr, end) trims v's range, insert adds the new one.  Return: the new
 * VMA.
 */
static struct vm_area_struct *
split_vma(struct aspace_base *as, struct vm_area_struct *v, uint64_t addr)
{
	uint64_t s = sim_load64(&v->vm_start), e = sim_load64(&v->vm_end);
	g_assert(s < addr && addr < e);
	struct vm_area_struct *n = vma_alloc(as, addr, e, sim_load64(&v->vm_flags));
	vma_set_bounds(as, v, s, addr);
	as->tree->erase(as->t, addr, e);
	vma_link(as, n, v);
	as->vs.splits++;
	return n;
}

/* ---- munmap ---- */

/* unmap_region for [s, e) between prev and next; then free the VMAs of
 * the detached list first..last. */
static void
unmap_region(struct aspace_base *as, uint64_t s, uint64_t e, struct vm_area_struct *prev,
	     struct vm_area_struct *next)
{
	struct mm_gather *g = mm_gather_begin(as->mm);
	as->vs.ptes_zapped += mm_zap_range(as->mm, g, s, e);
	uint64_t floor = prev ? sim_load64(&prev->vm_end) : 0;
	uint64_t ceiling = next ? sim_load64(&next->vm_start) : MM_TASK_SIZE;
	mm_free_pgtables(as->mm, g, s, e, floor, ceiling);
	as->vs.shootdown_targets +=
		mm_gather_finish(g, as->env.mutation_no_shootdown ? as->no_targets : NULL);
}

/*
 * detach_vmas - detach_vmas_to_be_unmapped: unlink v .. the last VMA
 * below end from the VMA list (v's vm_prev and the last one's vm_next
 * relinked, the tail's vm_next cleared), drop them from map_count, clear
 * mmap_cache, erase [addr, end) from the tree.  With unlink (Bonsai's
 * lock-free faults) each VMA is first marked vm_unlinked, and after the
 * erase page_table_lock is taken and dropped so that a directory install
 * that saw a VMA live has finished.  *prev_out / *next_out: the
 * neighbours left around the hole (NULL at either end).
 * Context: simulated CPU, mmap_sem held for write; may yield.  Cost: per
 * VMA a load of vm_next and vm_start of the next (and the vm_unlinked
 * store); the list links, map_count, mmap_cache stores; the tree's erase.
 */
static void
detach_vmas(struct aspace_base *as, struct vm_area_struct *v, uint64_t addr, uint64_t end,
	    bool unlink, struct vm_area_struct **prev_out, struct vm_area_struct **next_out)
{
	struct vm_area_struct *prev = sim_loadp((void *const *)&v->vm_prev), *tail = v, *next;
	uint64_t n = 0;
	for (;;) {
		n++;
		if (unlink)
			sim_store32(&tail->vm_unlinked, 1);
		next = sim_loadp((void *const *)&tail->vm_next);
		if (next == NULL || sim_load64(&next->vm_start) >= end)
			break;
		tail = next;
	}
	if (prev)
		sim_storep((void **)&prev->vm_next, next);
	else
		sim_storep((void **)&as->ml->mmap, next);
	if (next)
		sim_storep((void **)&next->vm_prev, prev);
	else
		sim_storep((void **)&as->ml->mmap_last, prev);
	sim_storep((void **)&tail->vm_next, NULL);
	sim_store64(&as->ml->map_count, sim_load64(&as->ml->map_count) - n);
	if (as->p.mmap_cache)
		sim_storep((void **)&as->ml->mmap_cache, NULL);
	as->tree->erase(as->t, addr, end);
	if (unlink)
		mm_page_table_lock_sync(as->mm);
	*prev_out = prev;
	*next_out = next;
}

/*
 * free_vma_list - (rcu_faults) Bonsai's remove_vma_list hands the detached
 * list to its freeing kthread instead of freeing it: a cmpxchg push of the
 * list onto the global mm_free_vma_head (the first VMA's
 * vm_next_free_list = the old head), then wake_up_process(mm_free_vma_task),
 * once per munmap, under mmap_sem for write.  SOURCE: mm/mmap.c of the
 * Bonsai tree (tpapagian/pk: free_vma_list, mm_free_vma_thread).
 * Context: simulated CPU, mmap_sem held for write.  Cost: the head's line
 * (load, store of the link into the VMA's line, cmpxchg), the kthread's
 * wake-up (klock_wake_up_kthread: fence, its state word, wakeup cycles).
 */
static void
free_vma_list(struct aspace_base *as, struct vm_area_struct *first)
{
	for (;;) {
		void *head = sim_loadp((void *const *)&as->fl->head);
		sim_storep((void **)&first->vm_next_free_list, head);
		if (sim_casp((void **)&as->fl->head, head, first) == head)
			break;
	}
	as->vs.free_vma_wakeups++;
	klock_wake_up_kthread(as->env.kl, &as->fl->kthread_state);
}

int
as_do_munmap(struct aspace_base *as, uint64_t addr, uint64_t len)
{
	if ((addr & (MM_PAGE_SIZE - 1)) || len == 0 || addr >= MM_TASK_SIZE ||
	    len > MM_TASK_SIZE - addr)
		return -EINVAL;
	uint64_t end = addr + page_up(len);
	struct vm_area_struct *v = find_vma_locked(as, addr);
	if (v == NULL || sim_load64(&v->vm_start) >= end)
		return 0;
	if (sim_load64(&v->vm_start) < addr)
		v = split_vma(as, v, addr);
	struct vm_area_struct *last = find_vma_locked(as, end - 1);
	if (last && sim_load64(&last->vm_start) < end && sim_load64(&last->vm_end) > end)
		split_vma(as, last, end);
	struct vm_area_struct *first = v, *prev, *next;
	detach_vmas(as, v, addr, end, as->rcu_faults, &prev, &next);
	unmap_region(as, addr, end, prev, next);
	/* remove_vma_list */
	if (as->rcu_faults)
		free_vma_list(as, first);
	for (struct vm_area_struct *x = first; x;) {
		struct vm_area_struct *nx = sim_loadp((void *const *)&x->vm_next);
		vma_dispose(as, x);
		x = nx;
	}
	return 0;
}

/* ---- mmap ---- */

/* Give live VMA v the bounds [s, e) in the tree and in the record: the
 * tree's node for its old range [os, oe) is erased and one for [s, e)
 * inserted (MODEL in the header). */
static void
vma_rebound(struct aspace_base *as, struct vm_area_struct *v, uint64_t os, uint64_t oe,
	    uint64_t s, uint64_t e)
{
	as->tree->erase(as->t, os, oe);
	vma_set_bounds(as, v, s, e);
	int r = as->tree->insert(as->t, s, e, v);
	g_assert(r == 0);
}

/*
 * vma_merge - mmap_region's vma_merge for a new anonymous private region
 * [s, e) with `flags`, between prev (the VMA below the hole, or NULL) and
 * next (the one above, or NULL): prev ending at s with the same flags
 * grows over [s, e), and over next as well when next starts at e with the
 * same flags (next is detached as by munmap and freed: case 1); else next
 * starting at e with the same flags grows down to s.
 * Return: the VMA now covering [s, e), or NULL (nothing merged: the
 * caller links a new VMA).
 * Context: simulated CPU, mmap_sem held for write; may yield.  Cost: the
 * neighbours' bounds and flags loads; on a merge the tree's erase and
 * insert, the bounds stores (rcu_faults: inside vm_bound_seq), and for
 * case 1 detach_vmas of next and its free or retire.
 */
static struct vm_area_struct *
vma_merge(struct aspace_base *as, struct vm_area_struct *prev, struct vm_area_struct *next,
	  uint64_t s, uint64_t e, uint64_t flags)
{
	bool mp = prev && sim_load64(&prev->vm_end) == s && sim_load64(&prev->vm_flags) == flags;
	bool mn = next && sim_load64(&next->vm_start) == e && sim_load64(&next->vm_flags) == flags;
	if (!mp && !mn)
		return NULL;
	as->vs.merges++;
	if (!mp) {
		uint64_t ne = sim_load64(&next->vm_end);
		vma_rebound(as, next, e, ne, s, ne);
		return next;
	}
	uint64_t ps = sim_load64(&prev->vm_start), ne = e;
	if (mn) {
		struct vm_area_struct *p2, *n2;
		ne = sim_load64(&next->vm_end);
		detach_vmas(as, next, e, ne, as->rcu_faults, &p2, &n2);
		g_assert(p2 == prev);
	}
	vma_rebound(as, prev, ps, s, ps, ne);
	if (mn)
		vma_dispose(as, next);
	return prev;
}

int
as_do_mmap(struct aspace_base *as, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	   uint64_t *out)
{
	if (len == 0 || (addr & (MM_PAGE_SIZE - 1)))
		return -EINVAL;
	len = page_up(len);
	if (len > MM_TASK_SIZE - AS_MMAP_MIN)
		return -ENOMEM;
	uint64_t start;
	if (flags & AS_MAP_FIXED) {
		if (addr < AS_MMAP_MIN || addr > MM_TASK_SIZE - len)
			return -ENOMEM;
		int r = as_do_munmap(as, addr, len);
		if (r)
			return r;
		start = addr;
	} else {
		uint64_t lo = addr < AS_MMAP_MIN ? AS_MMAP_MIN : addr;
		if (lo > MM_TASK_SIZE - len ||
		    !as->tree->find_gap(as->t, len, lo, MM_TASK_SIZE, &start))
			return -ENOMEM;
	}
	/* mmap_region: the new VMA goes after the last one below it */
	struct vm_area_struct *next = find_vma_locked(as, start);
	struct vm_area_struct *prev;
	if (next)
		prev = sim_loadp((void *const *)&next->vm_prev);
	else
		prev = sim_loadp((void *const *)&as->ml->mmap_last);
	if (vma_merge(as, prev, next, start, start + len, prot) == NULL) {
		struct vm_area_struct *v = vma_alloc(as, start, start + len, prot);
		vma_link(as, v, prev);
	}
	*out = start;
	return 0;
}

/* ---- brk ---- */

int
as_do_brk(struct aspace_base *as, uint64_t newbrk, uint64_t *out)
{
	uint64_t start_brk = sim_load64(&as->ml->start_brk);
	uint64_t oldbrk = sim_load64(&as->ml->brk);
	*out = oldbrk;
	if (newbrk < start_brk || newbrk > MM_TASK_SIZE)
		return 0;
	uint64_t nb = page_up(newbrk), ob = page_up(oldbrk);
	if (nb == ob) {
		sim_store64(&as->ml->brk, newbrk);
		*out = newbrk;
		return 0;
	}
	if (nb < ob) {
		int r = as_do_munmap(as, nb, ob - nb);
		if (r)
			return 0;
	} else {
		/* do_brk: refuse if it would run into the next VMA */
		struct vm_area_struct *n = find_vma_locked(as, ob);
		if (n && sim_load64(&n->vm_start) < nb)
			return 0;
		/* vma_merge: extend the heap VMA ending at ob, else a new one */
		struct vm_area_struct *h = ob > start_brk ? find_vma_locked(as, ob - 1) : NULL;
		if (h && sim_load64(&h->vm_end) == ob && sim_load64(&h->vm_start) >= start_brk) {
			uint64_t hs = sim_load64(&h->vm_start);
			as->tree->erase(as->t, hs, ob);
			vma_set_bounds(as, h, hs, nb);
			int r = as->tree->insert(as->t, hs, nb, h);
			g_assert(r == 0);
		} else {
			uint64_t got;
			int r = as_do_mmap(as, ob, nb - ob, MM_PROT_READ | MM_PROT_WRITE,
					   AS_MAP_FIXED, &got);
			if (r)
				return 0;
		}
	}
	sim_store64(&as->ml->brk, newbrk);
	*out = newbrk;
	return 0;
}

/* ---- mprotect ---- */

/*
 * mprotect_replace - (rcu_faults) an mprotect that removes a permission
 * from the VMAs v .. the last below end (split to [addr, end) already):
 * detach them as munmap does (vm_unlinked, erase from the tree), zap the
 * range and shoot it down, then link new VMAs of the same bounds with
 * prot and retire the old ones.  Lock-free faults in the range meanwhile
 * fail their re-check or miss the tree and fall back to mmap_sem, so no
 * PTE of the range is set between the zap and the end of the shootdown.
 * Return: 0.
 */
static int
mprotect_replace(struct aspace_base *as, struct vm_area_struct *v, uint64_t addr, uint64_t end,
		 unsigned prot)
{
	struct vm_area_struct *prev, *next;
	detach_vmas(as, v, addr, end, true, &prev, &next);
	struct mm_gather *g = mm_gather_begin(as->mm);
	as->vs.ptes_zapped += mm_zap_range(as->mm, g, addr, end);
	as->vs.shootdown_targets +=
		mm_gather_finish(g, as->env.mutation_no_shootdown ? as->no_targets : NULL);
	struct vm_area_struct *after = prev;
	for (struct vm_area_struct *x = v; x;) {
		struct vm_area_struct *nx = sim_loadp((void *const *)&x->vm_next);
		struct vm_area_struct *nv = vma_alloc(as, sim_load64(&x->vm_start),
						      sim_load64(&x->vm_end), prot);
		vma_link(as, nv, after);
		after = nv;
		vma_dispose(as, x);
		x = nx;
	}
	return 0;
}

int
as_do_mprotect(struct aspace_base *as, uint64_t addr, uint64_t len, unsigned prot)
{
	if ((addr & (MM_PAGE_SIZE - 1)) || addr >= MM_TASK_SIZE)
		return -EINVAL;
	if (len == 0)
		return 0;
	uint64_t end = addr + page_up(len);
	if (end > MM_TASK_SIZE || end < addr)
		return -ENOMEM;
	/* the range must be mapped throughout */
	uint64_t at = addr;
	struct vm_area_struct *v = find_vma_locked(as, addr);
	for (struct vm_area_struct *x = v; at < end; x = sim_loadp((void *const *)&x->vm_next)) {
		if (x == NULL || sim_load64(&x->vm_start) > at)
			return -ENOMEM;
		at = sim_load64(&x->vm_end);
	}
	if (sim_load64(&v->vm_start) < addr)
		v = split_vma(as, v, addr);
	struct vm_area_struct *last = find_vma_locked(as, end - 1);
	if (sim_load64(&last->vm_end) > end)
		split_vma(as, last, end);
	bool removed = false;
	for (struct vm_area_struct *x = v; x && sim_load64(&x->vm_start) < end;
	     x = sim_loadp((void *const *)&x->vm_next))
		if (sim_load64(&x->vm_flags) & ~(uint64_t)prot)
			removed = true;
	if (as->rcu_faults && removed)
		return mprotect_replace(as, v, addr, end, prot);
	for (struct vm_area_struct *x = v; x && sim_load64(&x->vm_start) < end;
	     x = sim_loadp((void *const *)&x->vm_next)) {
		if (as->rcu_faults)
			write_seqcount_begin(as->env.kl, &x->vm_bound_seq);
		sim_store64(&x->vm_flags, prot);
		if (as->rcu_faults)
			write_seqcount_end(as->env.kl, &x->vm_bound_seq);
	}
	if (removed) {
		struct mm_gather *g = mm_gather_begin(as->mm);
		as->vs.ptes_zapped += mm_zap_range(as->mm, g, addr, end);
		as->vs.shootdown_targets += mm_gather_finish(
			g, as->env.mutation_no_shootdown ? as->no_targets : NULL);
	}
	return 0;
}

/* ---- the locked ops ---- */

/* down_write(mmap_sem), its cycles (wait and take) into the stats. */
static void
down_write_timed(struct aspace_base *as)
{
	sim_time_t t0 = sim_now();
	as->mmap_sem_ops->down_write(as->env.kl, as->mmap_sem);
	as->vs.mmap_sem_write_cycles += sim_now() - t0;
}

int
as_mmap(void *a, uint64_t addr, uint64_t len, unsigned prot, unsigned flags, uint64_t *out)
{
	struct aspace_base *as = a;
	down_write_timed(as);
	sim_work(as->p.path_cycles);
	int r = as_do_mmap(as, addr, len, prot, flags, out);
	as->mmap_sem_ops->up_write(as->env.kl, as->mmap_sem);
	as->st.mmaps++;
	return r;
}

int
as_munmap(void *a, uint64_t addr, uint64_t len)
{
	struct aspace_base *as = a;
	down_write_timed(as);
	sim_work(as->p.path_cycles);
	int r = as_do_munmap(as, addr, len);
	as->mmap_sem_ops->up_write(as->env.kl, as->mmap_sem);
	as->st.munmaps++;
	return r;
}

int
as_brk(void *a, uint64_t newbrk, uint64_t *out)
{
	struct aspace_base *as = a;
	down_write_timed(as);
	sim_work(as->p.path_cycles);
	int r = as_do_brk(as, newbrk, out);
	as->mmap_sem_ops->up_write(as->env.kl, as->mmap_sem);
	as->st.brks++;
	return r;
}

int
as_mprotect(void *a, uint64_t addr, uint64_t len, unsigned prot)
{
	struct aspace_base *as = a;
	down_write_timed(as);
	sim_work(as->p.path_cycles);
	int r = as_do_mprotect(as, addr, len, prot);
	as->mmap_sem_ops->up_write(as->env.kl, as->mmap_sem);
	as->st.mprotects++;
	return r;
}

/* ---- host context ---- */

struct pte_check {
	struct aspace_base *as;
	struct vm_area_struct *v;            /* the region being walked */
	GString *why;
	bool ok;
};

static void
pte_in_region(void *arg, uint64_t addr, uint64_t pte)
{
	struct pte_check *c = arg;
	if (!c->ok)
		return;
	if ((pte & _PAGE_RW) && !(c->v->vm_flags & MM_PROT_WRITE)) {
		g_string_append_printf(c->why, "writable PTE at %#" G_GINT64_MODIFIER "x in "
				       "read-only region [%#" G_GINT64_MODIFIER "x, %#"
				       G_GINT64_MODIFIER "x)", addr, c->v->vm_start, c->v->vm_end);
		c->ok = false;
	}
}

static void
pte_anywhere(void *arg, uint64_t addr, uint64_t pte)
{
	(void)pte;
	struct pte_check *c = arg;
	if (c->ok) {
		g_string_append_printf(c->why, "PTE at %#" G_GINT64_MODIFIER "x outside every "
				       "region", addr);
		c->ok = false;
	}
}

bool
as_check(void *a, GString *why)
{
	struct aspace_base *as = a;
	const char *name = as->ops->comp.name;
	if (!as->tree->check(as->t, why))
		return false;
	if (!mm_check(as->mm, why))
		return false;
	uint64_t n = 0, last_end = 0;
	struct vm_area_struct *prev = NULL;
	struct pte_check c = { .as = as, .why = why, .ok = true };
	for (struct vm_area_struct *v = as->ml->mmap; v; prev = v, v = v->vm_next) {
		n++;
		if (v->vm_prev != prev || v->vm_start >= v->vm_end || v->vm_start < last_end ||
		    v->vm_unlinked || (v->vm_bound_seq.sequence & 1)) {
			g_string_append_printf(why, "%s: VMA list broken at [%#" G_GINT64_MODIFIER
					       "x, %#" G_GINT64_MODIFIER "x)", name, v->vm_start,
					       v->vm_end);
			return false;
		}
		/* PTEs between the previous region and this one */
		c.v = NULL;
		mm_for_each_pte(as->mm, last_end, v->vm_start, pte_anywhere, &c);
		c.v = v;
		mm_for_each_pte(as->mm, v->vm_start, v->vm_end, pte_in_region, &c);
		if (!c.ok)
			return false;
		last_end = v->vm_end;
	}
	mm_for_each_pte(as->mm, last_end, MM_TASK_SIZE, pte_anywhere, &c);
	if (!c.ok)
		return false;
	if (n != as->ml->map_count || n != as->tree->count(as->t)) {
		g_string_append_printf(why, "%s: %" G_GUINT64_FORMAT " VMAs listed, map_count %"
				       G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " in the tree", name,
				       n, as->ml->map_count, as->tree->count(as->t));
		return false;
	}
	return true;
}

void
as_stats(void *a, cJSON *out)
{
	struct aspace_base *as = a;
	aspace_stats_emit(&as->st, out);
	cJSON_AddNumberToObject(out, "vmas", (double)as->ml->map_count);
	cJSON_AddNumberToObject(out, "mmap_cache_hits", (double)as->vs.mmap_cache_hits);
	cJSON_AddNumberToObject(out, "mmap_cache_misses", (double)as->vs.mmap_cache_misses);
	cJSON_AddNumberToObject(out, "splits", (double)as->vs.splits);
	cJSON_AddNumberToObject(out, "merges", (double)as->vs.merges);
	if (as->rcu_faults)
		cJSON_AddNumberToObject(out, "free_vma_wakeups", (double)as->vs.free_vma_wakeups);
	cJSON_AddNumberToObject(out, "mmap_sem_read_cycles", (double)as->vs.mmap_sem_read_cycles);
	cJSON_AddNumberToObject(out, "mmap_sem_write_cycles", (double)as->vs.mmap_sem_write_cycles);
	cJSON_AddNumberToObject(out, "ptes_zapped", (double)as->vs.ptes_zapped);
	cJSON_AddNumberToObject(out, "shootdown_targets", (double)as->vs.shootdown_targets);
	cJSON *mo = cJSON_AddObjectToObject(out, "mm");
	mm_stats(as->mm, mo);
	cJSON *to = cJSON_AddObjectToObject(out, "tree");
	cJSON_AddStringToObject(to, "kind", as->tree->comp.name);
	as->tree->stats(as->t, to);
}
