// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * bonsai: Bonsai VM (Clements, Kaashoek, Zeldovich, ASPLOS'12): page
 * faults find their VMA in an RCU tree with no lock and run concurrently
 * with mmap/munmap, which stay serialized on mmap_sem.
 *
 * SOURCE: /work/shared/reference/bonsai-vm.md sections 1-3 (the
 * "amdragon" patches to Linux 2.6.37, tpapagian/pk: the lock-less
 * find_vma, the fallback to the locked path, the re-check under the PTE
 * lock, vm_bound_seq, vm_unlinked, RCU-freed page tables and VMAs).
 *
 * Fault at addr (the lock-free path):
 *   rcl->read_lock (Bonsai: the mm_srcu read side; any RCU-like scheme);
 *   vma = find_vma(addr) in the tree (bonsai by default: TREE_RCU_READERS
 *   is required); read vm_start, vm_end, vm_flags under vm_bound_seq,
 *   then vm_unlinked;
 *     unlinked, no VMA, addr < vm_start or out of bounds, an access the
 *     flags forbid                    -> fall back (below)
 *   mm_do_anonymous_page with MM_FAULT_NO_LOCK and still_valid = the
 *   re-check, called under page_table_lock before a directory install and
 *   under the PTL before the PTE is set: vm_unlinked == 0 and vm_start <=
 *   addr < vm_end and the flags allow the access, read under
 *   vm_bound_seq; a failed re-check frees the page and returns -EAGAIN
 *   (Bonsai: VM_FAULT_RETRY); a PTE that handle_pte_fault reads present
 *   (another CPU's fault set it after this CPU's walk, or a write to the
 *   zero page) returns MM_FAULT_RETRY_LOCKED (Bonsai's RETRY_IF_NO_LOCK);
 *   both fall back (below) with MM_FAULT_KEEP_LOCK;
 *   rcl->read_unlock.
 * Fallback ("retried with the lock held so it makes progress"; Bonsai's
 * __do_page_fault on VM_FAULT_RETRY sets FAULT_FLAG_KEEP_LOCK and goes
 * back to take the lock, tpapagian/pk arch/x86/mm/fault.c): the locked
 * fault of Linux (as_fault_locked: down_read(mmap_sem) ...).
 *
 * Why it is safe against munmap (vma.c's order: bounds change inside
 * write_seqcount; vm_unlinked = 1; erase from the tree; page_table_lock
 * lock/unlock; zap under the PTLs; free_pgtables; shootdown; retire the
 * VMAs): a fault sets its PTE under the PTL after the re-check.  If it
 * took the PTL before munmap's zap of that PTE page, the zap (which takes
 * the same PTL) clears the PTE and the shootdown covers it; if after,
 * vm_unlinked = 1 (stored before the zap, under a lock release later
 * acquired by the fault) and the re-check fails.  VMAs and page-table
 * pages are retired through the scheme, so a fault still holding them
 * reads live memory.
 *
 * Lines: as linux-rwsem (vma.c), but a lock-free fault touches neither
 * mmap_sem nor (no mmap_cache) the mm_vma_line: only the
 * scheme's read side, the tree's nodes, the VMA's line and the page
 * tables.
 *
 * mmap_sem (aspace.mmap_sem, default "v3.5"): Bonsai's kernel is 2.6.37,
 * whose x86 rw_semaphore is lib/rwsem.c's xadd variant (read in the
 * Bonsai tree, tpapagian/pk lib/rwsem.c): a failed down_write queues,
 * rwsem_down_failed_common sleeps until waiter->task is cleared, and
 * __rwsem_do_wake grants the lock (count updated, task cleared) before
 * wake_up_process -- the semantics of models/lock/rwsem_v35.c: no lock
 * stealing (3.10), no optimistic spinning (3.16).  2.6.37's count layout
 * (every waiter adds its own bias) and its wake path (a trial xadd of
 * ACTIVE_BIAS, undone if others are active) differ from 3.5's in which
 * RMWs touch the line, not in who gets the lock: the v3.5 model stands
 * for both.
 *
 * VMAs a munmap removes (vma.c free_vma_list): Bonsai's remove_vma_list
 * does not free them; it pushes the list onto one global list head by
 * cmpxchg and wakes mm_free_vma_task, a kthread that takes the whole list
 * (xchg), waits in synchronize_srcu(&mm_srcu) and frees it -- a wake-up
 * per munmap, inside mmap_sem's write section (SOURCE: mm/mmap.c of the
 * Bonsai tree, tpapagian/pk: free_vma_list, mm_free_vma_thread,
 * remove_vma_list; both stored revisions have it).  wake_up_process()
 * wakes the thread whether it waits for work or for the grace period
 * (TASK_ALL), so every munmap pays one try_to_wake_up.
 * MODEL: the waker's side only: the head's cmpxchg, the fence, the load
 * of the thread's state word and klock's wakeup cycles (1,500 by
 * default, the same assumed try_to_wake_up cost as every other wake-up
 * here).  The thread itself runs on no simulated CPU: its xchg of the
 * head (the line would move to its CPU and back once per batch), its
 * context switches on whatever CPU it runs on (an idle CPU, or one whose
 * mapbench thread it preempts), the IPI that wakes an idle CPU for it
 * and SRCU's grace periods are left out; the VMAs are retired through
 * the reclaim scheme instead, which stands for synchronize_srcu.
 * Expected effect: one munmap costs ~1,600 cycles more (1 core vmlocal
 * 10,466 -> 12,041 cycles/iteration); at many cores the same inside the
 * serialized section, less than the real thread costs its CPUs.
 * Why the thread is not a task on a simulated CPU: on ben it never
 * displaced a mapbench thread.  mapbench ran on an 80-CPU machine with
 * every CPU online, so 2.6.37's synchronize_srcu (kernel/srcu.c: three
 * synchronize_sched() calls around the index flip, and a sum of the
 * per-CPU counters over every possible CPU) waits for real grace periods
 * even in a 1-core run -- synchronize_sched returns at once only when
 * num_online_cpus() is 1 (rcu_blocking_is_gp) -- and the thread frees
 * many munmaps' VMAs per pass.  2.6.37's try_to_wake_up (kernel/sched.c)
 * takes the task's runqueue lock before it tests the task's state, and
 * wake_up_process passes TASK_ALL, so every munmap also wakes the thread
 * out of those waits (wait_for_completion goes back to sleep).  The
 * scheduler puts it on an idle CPU sharing the waker's cache when there
 * is one (select_idle_sibling; [R] read in its 3.x form, 2.6.37's not
 * checked), and on ben there always was: 79 idle CPUs at 1 core, and at
 * 10-80 cores CPUs whose mapbench thread sleeps on mmap_sem.  The
 * simulated machine has only the run's CPUs, each running a mapbench
 * thread; at 1 core there is no CPU for the thread, and running it on
 * CPU 0 would model a preemption ben did not have.  What the waker pays
 * on ben beyond the wakeup cycles here is cross-core lines per munmap:
 * the thread's runqueue lock and task lines, the idle CPU's thread flags
 * (its MWAIT line), the list head after the thread's xchg.  Expected
 * effect of leaving them out: a few in-socket line transfers (about 135
 * cycles each on ben: three legs of 35 and an access) per munmap missing
 * at every core count, i.e. a few hundred cycles of the 2,800-4,700 by
 * which 1-core Bonsai is faster here than on ben.
 *
 * MODEL: the re-check also tests vm_flags (Bonsai's compares bounds and
 * vm_unlinked; how its mprotect excludes lock-free faults is not in the
 * reference note).  Expected effect: none on mmap/munmap/fault mixes; an
 * mprotect removing a permission cannot race a fault into a PTE the
 * region no longer allows.
 * MODEL: only anonymous faults exist here, so every fault Bonsai would
 * take lock-free is taken lock-free; the fallback cases are a missing
 * VMA, an address below vm_start, a forbidden access (which then fails
 * with SIGSEGV under the lock) and a PTE found present (Bonsai's
 * handle_pte_fault takes only empty PTEs lock-free: tpapagian/pk
 * mm/memory.c, RETRY_IF_NO_LOCK before the PTL).
 * MODEL: a lock-free fault that finds its VMA unlinked at the lookup
 * falls back at once; Bonsai's goes on into handle_mm_fault and falls
 * back when a re-check (a directory install, the PTL) or a present PTE
 * stops it.  Expected effect: such a fault skips a page allocation and
 * the walk a real one may make before it retries.
 * MODEL: the retry under mmap_sem looks the VMA up again; Bonsai's
 * __do_page_fault first reuses the VMA of the first attempt if it is
 * still linked and covers addr (its reuse_vma).  Expected effect: a few
 * more loads of tree lines that the CPU holds shared.
 * MODEL: no mmap_cache (bonsai-vm.md section 4: the Bonsai patches'
 * lock-free find_vma still writes it unless a build option disables it;
 * the paper's setting is unknown).  Here it is never used: a lock-free
 * fault could store a VMA that munmap has just unlinked and retired, and
 * a later reader that began after the retire could take it from the
 * cache after its grace period.  Expected effect: no shared-line write
 * per fault; if Bonsai as measured kept mmap_cache, its faults on ben
 * paid one more contended line than ours.
 */
#include <errno.h>

#include "engine.h"
#include "reclaim.h"
#include "vma.h"

struct bonsai_recheck {
	struct aspace_base *b;
	struct vm_area_struct *vma;
	uint64_t addr;
	unsigned flags;
};

/*
 * bonsai_still_valid - the re-check under page_table_lock / the PTL.
 * Return: true if the VMA is live and still covers addr with a flag set
 * that allows the access.  Context: simulated CPU, a spinlock held.
 * Cost: the VMA's line (vm_bound_seq, bounds, flags, vm_unlinked).
 */
static bool
bonsai_still_valid(void *arg)
{
	struct bonsai_recheck *c = arg;
	struct klock *kl = c->b->env.kl;
	struct vm_area_struct *v = c->vma;
	if (sim_load32(&v->vm_unlinked))
		return false;
	uint64_t s, e, f;
	uint32_t seq;
	do {
		seq = read_seqcount_begin(kl, &v->vm_bound_seq);
		s = sim_load64(&v->vm_start);
		e = sim_load64(&v->vm_end);
		f = sim_load64(&v->vm_flags);
	} while (read_seqcount_retry(kl, &v->vm_bound_seq, seq));
	return s <= c->addr && c->addr < e && as_access_ok(f, c->flags) == 0;
}

static void *
bonsai_create(const struct aspace_env *env, const void *params)
{
	struct aspace_base *b = g_new0(struct aspace_base, 1);
	as_init(b, &aspace_bonsai_ops, env, params, true);
	return b;
}

static void
bonsai_destroy(void *a)
{
	as_fini(a);
	g_free(a);
}

/*
 * bonsai_fault - the lock-free fault, falling back to the locked one.
 * Return: 0 (retry the access) or -EFAULT.  Context: simulated CPU; may
 * yield inside the scheme's read side (Bonsai's is SRCU); the fallback may
 * sleep on mmap_sem.  Cost: the read side, the tree walk, the VMA's line
 * (twice: lookup and re-check), mm_do_anonymous_page.
 */
static int
bonsai_fault(void *a, uint64_t addr, unsigned flags)
{
	struct aspace_base *b = a;
	const struct rcl_ops *rcl = b->env.rcl;
	b->st.faults++;
	rcl->read_lock(b->env.rs);
	struct vm_area_struct *v = as_find_vma(b, addr);
	int r;
	if (v == NULL)
		goto fallback;
	uint64_t s, e, f;
	uint32_t seq;
	do {
		seq = read_seqcount_begin(b->env.kl, &v->vm_bound_seq);
		s = sim_load64(&v->vm_start);
		e = sim_load64(&v->vm_end);
		f = sim_load64(&v->vm_flags);
	} while (read_seqcount_retry(b->env.kl, &v->vm_bound_seq, seq));
	if (sim_load32(&v->vm_unlinked))
		goto fallback;
	if (addr < s || addr >= e || as_access_ok(f, flags) != 0)
		goto fallback;
	struct bonsai_recheck c = { .b = b, .vma = v, .addr = addr, .flags = flags };
	struct mm_fault_ctx ctx = {
		.prot = (unsigned)f,
		.still_valid = b->env.mutation_no_recheck ? NULL : bonsai_still_valid,
		.arg = &c,
		.pin_pte_page = true,
	};
	r = mm_do_anonymous_page(b->mm, addr, flags | MM_FAULT_NO_LOCK, &ctx);
	if (r == MM_FAULT_RETRY_LOCKED || r == -EAGAIN) {
		/* The PTE was present, or a re-check failed: VM_FAULT_RETRY;
		 * __do_page_fault retries with FAULT_FLAG_KEEP_LOCK, under
		 * mmap_sem. */
		flags |= MM_FAULT_KEEP_LOCK;
		goto fallback;
	}
	rcl->read_unlock(b->env.rs);
	if (r == -EFAULT)
		b->st.segv++;
	return r;

fallback:
	rcl->read_unlock(b->env.rs);
	b->st.fault_fallbacks++;
	b->st.fault_retries++;
	r = as_fault_locked(b, addr, flags);
	if (r == -EAGAIN)
		r = 0;
	if (r == -EFAULT)
		b->st.segv++;
	return r;
}

const struct aspace_ops aspace_bonsai_ops = {
	.comp = {
		.name = "bonsai",
		.summary = "Bonsai VM (ASPLOS'12): lock-free faults in an RCU tree of VMAs, "
			   "re-checked under the PTE lock; mmap/munmap on mmap_sem",
		.params = aspace_bonsai_params,
		.params_size = sizeof(struct aspace_params),
	},
	.default_tree = "bonsai",
	.tree_needs = TREE_RCU_READERS,
	.create = bonsai_create,
	.destroy = bonsai_destroy,
	.mm = as_mm,
	.mmap = as_mmap,
	.munmap = as_munmap,
	.brk = as_brk,
	.mprotect = as_mprotect,
	.fault = bonsai_fault,
	.check = as_check,
	.stats = as_stats,
};
