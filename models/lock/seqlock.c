// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * seqcount_t and seqlock_t: a sequence counter that writers make odd
 * before an update and even after it; readers read it before and after
 * their reads and retry when it was odd or moved.  Readers write nothing.
 * seqlock_t adds a spinlock_t (the context's flavour) that serializes
 * the writers.
 *
 * SOURCE: torvalds/linux v6.6 include/linux/seqlock.h
 * raw_read_seqcount_begin() (__read_seqcount_begin: spin while odd, then
 * smp_rmb), read_seqcount_retry() (smp_rmb; sequence != start),
 * do_raw_write_seqcount_begin() (sequence++; smp_wmb),
 * do_raw_write_seqcount_end() (smp_wmb; sequence++), read_seqbegin(),
 * read_seqretry(), write_seqlock(), write_sequnlock().
 *
 * Layout: seqcount_t is one u32 (`sequence`) on the caller's line: read
 * twice by every reader; load + store by the writer at begin and end.
 * seqlock_t is { seqcount, lock }: 8 bytes.
 *
 * Invariant: sequence is odd exactly while a writer is between begin and
 * end; writers are serialized by the caller (seqcount_t) or by the lock
 * (seqlock_t).
 *
 * Cost: a read section = two loads of the line (hits unless a writer
 * wrote it since); a write section = load + store at begin, load + store
 * at end (the increments are plain, as Linux's WRITE_ONCE(s->sequence,
 * s->sequence + 1) is).  smp_rmb/smp_wmb cost fence.acquire/release (0
 * on x86).
 */
#include <glib.h>

#include "engine.h"
#include "klock_impl.h"

void
seqcount_init(seqcount_t *s)
{
	sim_store32(&s->sequence, 0);
}

/* SOURCE: raw_read_seqcount_begin(). */
uint32_t
read_seqcount_begin(struct klock *kl, const seqcount_t *s)
{
	uint32_t v = sim_load32(&s->sequence);
	kl->n.seq_read_begin++;
	if (v & 1) {
		enum sim_cause c = sim_cause_push(SIM_CAUSE_LOCK_WAIT);
		kl->n.seq_begin_spins++;
		while (v & 1)
			v = sim_spin_while_eq32(&s->sequence, v);
		sim_cause_pop(c);
	}
	sim_fence_acquire();                /* smp_rmb() */
	return v;
}

/* SOURCE: read_seqcount_retry(). */
bool
read_seqcount_retry(struct klock *kl, const seqcount_t *s, uint32_t start)
{
	sim_fence_acquire();                /* smp_rmb() */
	bool retry = sim_load32(&s->sequence) != start;
	if (retry)
		kl->n.seq_read_retry++;
	return retry;
}

/* SOURCE: do_raw_write_seqcount_begin(). */
void
write_seqcount_begin(struct klock *kl, seqcount_t *s)
{
	uint32_t v = sim_load32(&s->sequence);
	g_assert((v & 1) == 0);
	sim_store32(&s->sequence, v + 1);
	sim_fence_release();                /* smp_wmb() */
	kl->n.seq_write++;
}

/* SOURCE: do_raw_write_seqcount_end(). */
void
write_seqcount_end(struct klock *kl, seqcount_t *s)
{
	(void)kl;
	sim_fence_release();                /* smp_wmb() */
	uint32_t v = sim_load32(&s->sequence);
	g_assert((v & 1) == 1);
	sim_store32(&s->sequence, v + 1);
}

void
seqlock_init(seqlock_t *sl)
{
	seqcount_init(&sl->seqcount);
	spin_lock_init(&sl->lock);
}

uint32_t
read_seqbegin(struct klock *kl, const seqlock_t *sl)
{
	return read_seqcount_begin(kl, &sl->seqcount);
}

bool
read_seqretry(struct klock *kl, const seqlock_t *sl, uint32_t start)
{
	return read_seqcount_retry(kl, &sl->seqcount, start);
}

void
write_seqlock(struct klock *kl, seqlock_t *sl)
{
	spin_lock(kl, &sl->lock);
	write_seqcount_begin(kl, &sl->seqcount);
}

void
write_sequnlock(struct klock *kl, seqlock_t *sl)
{
	write_seqcount_end(kl, &sl->seqcount);
	spin_unlock(kl, &sl->lock);
}
