// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Interrupts on simulated CPUs: the scheduling-clock tick and
 * inter-processor interrupts (IPIs).
 *
 * An interrupt runs its handler on the target CPU's own coroutine, at an
 * instruction boundary: the start of an accessor, inside sim_work() or a
 * sleep (which are interruptible waits: the CPU blocks with a timeout
 * and an arriving IPI moves the timeout earlier), or when a spin-wait
 * wakes for it.  Handlers may use every accessor; interrupts do not nest
 * and sim_irq_disable() masks both kinds (a masked interrupt is
 * delivered by the sim_irq_enable() that unmasks).
 *
 *   tick:  every registered handler runs every `period` cycles, at
 *          multiples of the period (or skewed per CPU, like Linux's
 *          skew_tick); all handlers share one period.
 *   IPI:   sim_ipi_send() costs the sender latency.ipi_send; the target
 *          takes it latency.ipi_latency later and pays latency.irq_entry
 *          before the handler runs.  sim_ipi_multicast() sends one
 *          message per target (x2APIC physical destination mode, as
 *          Linux's x2apic_send_IPI_mask loops), one fence for all.
 *   fabric: with latency.ipi_occupancy > 0, every IPI message holds one
 *          machine-wide delivery resource that long; a sender whose ICR
 *          write finds it busy waits (xAPIC delivery-status polling).
 *          Shared field: sim->ipi_fabric_free (host memory, not a
 *          simulated line), written only by ipi_post() on the sending
 *          CPU, which is then the earliest runnable CPU.
 *          MODEL: one resource for the whole machine, not per link or
 *          per socket; fitted on ben (docs/shootdown.md).  With many
 *          concurrent senders it makes IPI cost grow with the number of
 *          messages in flight, as RadixVM's vmpipeline shows.
 *
 *   NO_HZ: a CPU in the idle loop (nohz_idle, sim_idle_enter .. sim_idle_exit)
 *          takes only the ticks the NO_HZ hooks keep (engine.h); its
 *          next_tick is reprogrammed at idle entry, after each interrupt
 *          it takes while idle, and at idle exit.
 *          SOURCE: Linux 3.5 kernel/time/tick-sched.c
 *          tick_nohz_stop_sched_tick (the tick stays while
 *          rcu_needs_cpu() and friends say so: delta_jiffies = 1),
 *          tick_nohz_irq_exit (re-evaluated after each interrupt in
 *          idle), tick_nohz_restart (restarted on the period grid).
 *
 * Per-CPU state (host memory): next_tick, the IPI queue sorted by
 * arrival, and next_irq = the earlier of the two, so the accessor fast
 * path is one comparison.
 *
 * MODEL: a CPU that has already spent cycles past an IPI's arrival inside
 * one accessor takes the IPI at the end of that access (at most one
 * access latency late); sleeps and sim_work() are exact.
 */
#include "engine_impl.h"

#define MAX_TICK_HANDLERS 8

struct sim_ipi {
	sim_time_t at;
	sim_irq_fn fn;
	void *arg;
	struct sim_ipi *next;
};

static void
update_next_irq(struct sim_cpu *c)
{
	sim_time_t ipi = c->ipi_head ? c->ipi_head->at : SIM_T_INF;
	c->next_irq = ipi < c->next_tick ? ipi : c->next_tick;
}

void
sim_tick_register(struct sim *s, uint64_t period, bool skew, sim_tick_fn fn, void *arg)
{
	g_assert(period > 0 && fn != NULL);
	if (s->ntick_fns > 0 && (s->tick_period != period || s->tick_skew != skew)) {
		if (s->fatal == NULL)
			g_set_error(&s->fatal, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_INCONSISTENT,
				    "two components want different scheduling-clock ticks "
				    "(every %" G_GUINT64_FORMAT " and every %" G_GUINT64_FORMAT
				    " cycles): one machine has one HZ", s->tick_period, period);
		return;
	}
	g_assert(s->ntick_fns < MAX_TICK_HANDLERS);
	s->tick_fns[s->ntick_fns] = fn;
	s->tick_args[s->ntick_fns] = arg;
	if (s->ntick_fns++ > 0)
		return;
	s->tick_period = period;
	s->tick_skew = skew;
	for (uint32_t i = 0; i < s->ncpus; i++) {
		struct sim_cpu *c = &s->cpus[i];
		c->next_tick = period + (skew ? (uint64_t)i * period / s->ncpus : 0);
		update_next_irq(c);
	}
}

void
sim_tick_nohz_register(struct sim *s, uint64_t jiffy, sim_tick_idle_fn fn, void *arg)
{
	g_assert(jiffy > 0 && fn != NULL);
	if (s->nnohz_fns > 0 && s->tick_jiffy != jiffy) {
		if (s->fatal == NULL)
			g_set_error(&s->fatal, SIM_CONFIG_ERROR, SIM_CONFIG_ERROR_INCONSISTENT,
				    "two components want different jiffies for idle CPUs "
				    "(%" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT
				    " cycles): one machine has one HZ", s->tick_jiffy, jiffy);
		return;
	}
	g_assert(s->nnohz_fns < MAX_TICK_HANDLERS);
	s->tick_jiffy = jiffy;
	s->nohz_fns[s->nnohz_fns] = fn;
	s->nohz_args[s->nnohz_fns] = arg;
	s->nnohz_fns++;
}

/* The first tick after t on CPU c's grid of period p (its skew offset
 * plus multiples of p, the first at offset + p). */
static sim_time_t
tick_after(const struct sim *s, const struct sim_cpu *c, sim_time_t t, uint64_t p)
{
	sim_time_t off = s->tick_skew ? (uint64_t)c->id * s->tick_period / s->ncpus : 0;
	if (t < off + p)
		return off + p;
	return off + ((t - off) / p + 1) * p;
}

/* The tick an idle CPU keeps now: what the hooks answer for it. */
static sim_time_t
nohz_next_tick(const struct sim *s, const struct sim_cpu *c)
{
	if (s->ntick_fns == 0)
		return SIM_T_INF;
	enum sim_tick_idle need = SIM_TICK_IDLE_STOP;
	for (uint32_t i = 0; i < s->nnohz_fns; i++) {
		enum sim_tick_idle n = s->nohz_fns[i](s->nohz_args[i], c->id);
		if (n > need)
			need = n;
	}
	/* A jiffy that is not a multiple of the period (a setup conflict
	 * sim_run reports) falls back to every tick. */
	if (need == SIM_TICK_IDLE_JIFFY && s->tick_jiffy % s->tick_period == 0)
		return tick_after(s, c, c->now, s->tick_jiffy);
	if (need != SIM_TICK_IDLE_STOP)
		return tick_after(s, c, c->now, s->tick_period);
	return SIM_T_INF;
}

/* Reprogram an idle CPU's tick (tick_nohz_stop_sched_tick, or its
 * re-evaluation at irq exit). */
static void
nohz_reprogram(struct sim *s, struct sim_cpu *c)
{
	if (!c->nohz_idle || s->ntick_fns == 0)
		return;
	c->next_tick = nohz_next_tick(s, c);
	update_next_irq(c);
}

void
sim_nohz_idle_enter(struct sim *s, struct sim_cpu *c)
{
	c->nohz_idle = true;
	nohz_reprogram(s, c);
}

void
sim_nohz_idle_exit(struct sim *s, struct sim_cpu *c)
{
	if (!c->nohz_idle)
		return;
	c->nohz_idle = false;
	if (s->ntick_fns == 0)
		return;
	c->next_tick = tick_after(s, c, c->now, s->tick_period);
	update_next_irq(c);
}

sim_time_t
sim_nohz_next_tick(struct sim *s, struct sim_cpu *c)
{
	sim_time_t t = nohz_next_tick(s, c);
	return t == SIM_T_INF ? SIM_TIME_NEVER : t;
}

uint64_t
sim_cpu_ticks(const struct sim *s, uint32_t cpu)
{
	g_assert(cpu < s->ncpus);
	return s->cpus[cpu].ticks;
}

uint64_t
sim_cpu_ipis(const struct sim *s, uint32_t cpu)
{
	g_assert(cpu < s->ncpus);
	return s->cpus[cpu].ipis;
}

/* An interrupt taken in an idle state first pays its exit latency (the
 * CPU leaves the state for good: see sim_idle_enter). */
static void
pay_idle_exit(struct sim_cpu *c)
{
	if (c->idle_exit == 0)
		return;
	uint64_t l = c->idle_exit;
	c->idle_exit = 0;
	c->now += l;
	c->cycles[SIM_CAUSE_IDLE_EXIT] += l;   /* its own cause, whatever was pushed */
}

static void
run_tick(struct sim *s, struct sim_cpu *c)
{
	uint64_t p = s->tick_period;
	c->next_tick += ((c->now - c->next_tick) / p + 1) * p;
	update_next_irq(c);
	c->ticks++;
	pay_idle_exit(c);
	for (uint32_t i = 0; i < s->ntick_fns; i++)
		s->tick_fns[i](s->tick_args[i]);
	nohz_reprogram(s, c);               /* tick_nohz_irq_exit */
}

static void
run_ipi(struct sim *s, struct sim_cpu *c)
{
	struct sim_ipi *ipi = c->ipi_head;
	c->ipi_head = ipi->next;
	update_next_irq(c);
	c->ipis++;
	pay_idle_exit(c);
	sim_advance(c, SIM_CAUSE_IRQ, s->m->lat.irq_entry);
	ipi->fn(ipi->arg);
	ipi->next = s->ipi_free;
	s->ipi_free = ipi;
	nohz_reprogram(s, c);               /* tick_nohz_irq_exit */
}

void
sim_irq_check(struct sim *s, struct sim_cpu *c, bool ticks)
{
	if (c->irq_off || c->in_irq)
		return;
	c->in_irq = true;
	for (;;) {
		if (c->ipi_head && c->ipi_head->at <= c->now)
			run_ipi(s, c);
		else if (ticks && c->next_tick <= c->now)
			run_tick(s, c);
		else
			break;
	}
	c->in_irq = false;
}

sim_time_t
sim_irq_next(const struct sim_cpu *c, bool ticks)
{
	if (c->irq_off || c->in_irq)
		return SIM_T_INF;
	return ticks ? c->next_irq : (c->ipi_head ? c->ipi_head->at : SIM_T_INF);
}

void
sim_irq_skip_ticks(struct sim *s, struct sim_cpu *c)
{
	if (c->next_tick == SIM_T_INF || c->next_tick > c->now)
		return;
	uint64_t p = s->tick_period;
	c->next_tick += ((c->now - c->next_tick) / p + 1) * p;
	update_next_irq(c);
}

void
sim_irq_disable(void)
{
	sim_current->cur->irq_off++;
}

void
sim_irq_enable(void)
{
	struct sim_cpu *c = sim_current->cur;
	g_assert(c->irq_off > 0);
	if (--c->irq_off == 0 && c->now >= c->next_irq)
		sim_irq_check(sim_current, c, true);
}

/*
 * One IPI message from the running CPU to cpu: wait for the delivery
 * fabric (latency.ipi_occupancy per message, machine-wide, in the order
 * senders reach it), pay latency.ipi_send, queue the handler for arrival
 * latency.ipi_latency later.  The caller has fenced and is the earliest
 * runnable CPU, so the fabric is claimed in simulated-time order.
 */
static void
ipi_post(struct sim *s, struct sim_cpu *from, uint32_t cpu, sim_irq_fn fn, void *arg)
{
	const struct sim_latency *lat = &s->m->lat;
	if (cpu >= s->ncpus)
		sim_fatal(s, "cpu %u t=%" G_GUINT64_FORMAT ": IPI to cpu %u, which does not exist",
			  from->id, from->now, cpu);
	if (lat->ipi_occupancy) {
		if (s->ipi_fabric_free > from->now) {
			s->ipi_fabric_waited += s->ipi_fabric_free - from->now;
			sim_advance(from, SIM_CAUSE_IRQ, s->ipi_fabric_free - from->now);
		}
		s->ipi_fabric_free = from->now + lat->ipi_occupancy;
	}
	sim_advance(from, SIM_CAUSE_IRQ, lat->ipi_send);
	struct sim_cpu *to = &s->cpus[cpu];
	from->ipis_sent++;
	if (to->state == SIM_CPU_DONE)
		return;         /* an offline CPU takes no interrupts */
	struct sim_ipi *ipi = s->ipi_free;
	if (ipi)
		s->ipi_free = ipi->next;
	else
		ipi = g_new(struct sim_ipi, 1);
	*ipi = (struct sim_ipi){ .at = from->now + lat->ipi_latency, .fn = fn, .arg = arg };
	struct sim_ipi **pp = &to->ipi_head;
	while (*pp && (*pp)->at <= ipi->at)
		pp = &(*pp)->next;
	ipi->next = *pp;
	*pp = ipi;
	update_next_irq(to);
	/* A sleeping or spin-waiting target wakes up for it. */
	if (to->state == SIM_CPU_BLOCKED && to->irq_off == 0 &&
	    (to->block == SIM_BLOCK_SLEEP || to->block == SIM_BLOCK_WATCH) && ipi->at < to->wake_at)
		sim_cpu_timeout(s, to, ipi->at);
}

void
sim_ipi_send(uint32_t cpu, sim_irq_fn fn, void *arg)
{
	struct sim *s = sim_current;
	struct sim_cpu *from = s->cur;
	g_assert(from != NULL && fn != NULL);
	/* Ordered after this CPU's earlier stores, as Linux orders an x2APIC
	 * ICR write (weak_wrmsr_fence: MFENCE first): a handler must see
	 * what the sender wrote before sending. */
	sim_fence_full();
	if (s->m->lat.ipi_occupancy)
		sim_cpu_maybe_yield(s, from);   /* claim the fabric in time order */
	ipi_post(s, from, cpu, fn, arg);
	sim_cpu_maybe_yield(s, from);
}

void
sim_ipi_multicast(const uint32_t *cpus, uint32_t n, sim_irq_fn fn, void *arg)
{
	struct sim *s = sim_current;
	struct sim_cpu *from = s->cur;
	g_assert(from != NULL && fn != NULL && (n == 0 || cpus != NULL));
	if (n == 0)
		return;
	sim_fence_full();
	for (uint32_t i = 0; i < n; i++) {
		if (s->m->lat.ipi_occupancy)
			sim_cpu_maybe_yield(s, from);
		ipi_post(s, from, cpus[i], fn, arg);
	}
	sim_cpu_maybe_yield(s, from);
}

uint64_t
sim_ipi_fabric_waited(const struct sim *s)
{
	return s->ipi_fabric_waited;
}

void
sim_irq_free_all(struct sim *s)
{
	for (uint32_t i = 0; i < s->ncpus; i++) {
		while (s->cpus[i].ipi_head) {
			struct sim_ipi *p = s->cpus[i].ipi_head;
			s->cpus[i].ipi_head = p->next;
			g_free(p);
		}
	}
	while (s->ipi_free) {
		struct sim_ipi *p = s->ipi_free;
		s->ipi_free = p->next;
		g_free(p);
	}
}
