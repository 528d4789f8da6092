// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * linux-rwsem: the address space of Linux <= 6.0, one rw_semaphore per mm
 * (mmap_sem) around everything: page faults take it shared, mmap, munmap,
 * brk and mprotect exclusive.  The comparison point of Bonsai VM's and
 * RadixVM's evaluations (Linux 3.5.7 on ben).
 *
 * SOURCE: arch/x86/mm/fault.c of Linux 3.5 (__do_page_fault: down_read
 * of mmap_sem, find_vma, the vm_start / access checks, handle_mm_fault,
 * up_read), mm/memory.c (do_anonymous_page: models/mm), mm/mmap.c
 * (find_vma with mmap_cache; the writers: vma.c).
 *
 * Fault at addr:
 *   down_read(mmap_sem); vma = find_vma(addr) (mmap_cache on by default:
 *   Linux 3.5.7 has it); no VMA or addr < vm_start -> up_read, SIGSEGV
 *   (no stack growth); a write to a VMA without MM_PROT_WRITE or any
 *   access to one without MM_PROT_READ -> SIGSEGV; else
 *   mm_do_anonymous_page with no re-check (mmap_sem excludes munmap);
 *   up_read.
 *
 * Lines: mmap_sem (every fault's two RMWs of count; on mm_struct's line
 * with mm_users and mm_count, as in 3.5: models/mm/mm_impl.h), the
 * mm_vma_line (mmap_cache: read by every fault, written by a fault whose
 * VMA is not the cached one), the VMA's line, the tree (rbtree by
 * default: readers under mmap_sem), the page tables (models/mm).
 * VMAs are freed at once under mmap_sem for write (no fault can hold one).
 * Page-table pages: freed after the flush (rcu_table_free off by default:
 * x86 on Linux 3.5 has no HAVE_RCU_TABLE_FREE).
 *
 * Invariants (check(), vma.c): the VMA list is sorted and disjoint and
 * agrees with the tree and map_count; every present PTE lies in a VMA,
 * writable only in a writable one; the tree's and mm's own checks.
 */
#include <errno.h>

#include "engine.h"
#include "vma.h"

struct lr_as {
	struct aspace_base b;                /* must come first */
};

static void *
lr_create(const struct aspace_env *env, const void *params)
{
	struct lr_as *as = g_new0(struct lr_as, 1);
	as_init(&as->b, &aspace_linux_rwsem_ops, env, params, false);
	return as;
}

static void
lr_destroy(void *a)
{
	struct lr_as *as = a;
	as_fini(&as->b);
	g_free(as);
}

/*
 * lr_fault - __do_page_fault + handle_mm_fault for an anonymous page
 * (as_fault_locked).  Return: 0 (retry the access) or -EFAULT.
 * Context: simulated CPU; may sleep on mmap_sem.
 */
static int
lr_fault(void *a, uint64_t addr, unsigned flags)
{
	struct aspace_base *b = a;
	b->st.faults++;
	int r = as_fault_locked(b, addr, flags);
	if (r == -EAGAIN) {
		b->st.fault_retries++;
		r = 0;
	}
	if (r == -EFAULT)
		b->st.segv++;
	return r;
}

const struct aspace_ops aspace_linux_rwsem_ops = {
	.comp = {
		.name = "linux-rwsem",
		.summary = "Linux <= 6.0: rbtree of VMAs, faults under mmap_sem shared, "
			   "mmap/munmap/brk/mprotect exclusive (Linux 3.5.7 on ben)",
		.params = aspace_linux_rwsem_params,
		.params_size = sizeof(struct aspace_params),
	},
	.default_tree = "rbtree",
	.tree_needs = 0,
	.create = lr_create,
	.destroy = lr_destroy,
	.mm = as_mm,
	.mmap = as_mmap,
	.munmap = as_munmap,
	.brk = as_brk,
	.mprotect = as_mprotect,
	.fault = lr_fault,
	.check = as_check,
	.stats = as_stats,
};
