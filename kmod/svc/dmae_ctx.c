// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine copy service: a context's completion side. Posting a taken
 * entry's CQE (or keeping it in the overflow ring while the CQ is full),
 * the counters, and the count of entries in flight that a closing process
 * waits on. The request code (dmae_ureq.c, dmae_link.c, dmae_ucmd.c)
 * calls into here and the character device (dmae_cdev.c) above them all;
 * nothing here calls back up.
 */

#include <linux/eventfd.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "dmae_cdev.h"
#include "dmae_svc_trace.h"

static struct dmae_cqe *dmae_cqes(struct dmae_ctx *ctx)
{
	return ctx->cq_ring + DMAE_CQ_CQES;
}

/**
 * dmae_cq_used() - CQ entries the process has not consumed yet
 * @ctx: the context
 *
 * The process's head is read once, and a head that makes no sense counts
 * as a full ring.
 *
 * Return: entries in use, at most the ring's size.
 */
u32 dmae_cq_used(struct dmae_ctx *ctx)
{
	u32 head = READ_ONCE(*dmae_ring_u32(ctx->cq_ring, DMAE_RING_HEAD));
	u32 used = ctx->cq_tail - head;

	/* A head that was never ours to trust: treat the ring as full. */
	return used > ctx->cq_entries ? ctx->cq_entries : used;
}

/* Write one CQE if there is room. @ctx->cq_lock held. */
static bool dmae_cq_write(struct dmae_ctx *ctx, const struct dmae_cqe *cqe)
{
	if (dmae_cq_used(ctx) >= ctx->cq_entries)
		return false;
	dmae_cqes(ctx)[ctx->cq_tail & (ctx->cq_entries - 1)] = *cqe;
	ctx->cq_tail++;
	/* The entry before the tail that says it is there. */
	smp_store_release(dmae_ring_u32(ctx->cq_ring, DMAE_RING_TAIL),
			  ctx->cq_tail);
	return true;
}

/* The SQ flags word is shared with the SQ thread (NEED_WAKEUP): by bit. */
static void dmae_set_overflow_flags(struct dmae_ctx *ctx)
{
	atomic_t *flags = (atomic_t *)dmae_ring_u32(ctx->sq_ring,
						    DMAE_RING_FLAGS);

	WRITE_ONCE(*dmae_ring_u32(ctx->cq_ring, DMAE_RING_FLAGS),
		   ctx->noverflow);
	if (ctx->noverflow)
		atomic_or(DMAE_SQ_CQ_OVERFLOW, flags);
	else
		atomic_andnot(DMAE_SQ_CQ_OVERFLOW, flags);
}

/**
 * dmae_flush_overflow() - move kept completions into the CQ while there is
 * room
 * @ctx: the context
 */
void dmae_flush_overflow(struct dmae_ctx *ctx)
{
	u32 mask = ctx->cq_entries - 1;
	unsigned long flags;

	if (!READ_ONCE(ctx->noverflow))
		return;
	spin_lock_irqsave(&ctx->cq_lock, flags);
	while (ctx->noverflow &&
	       dmae_cq_write(ctx, &ctx->overflow[ctx->ovf_head & mask])) {
		ctx->ovf_head++;
		ctx->noverflow--;
	}
	dmae_set_overflow_flags(ctx);
	spin_unlock_irqrestore(&ctx->cq_lock, flags);
}

/**
 * dmae_ctx_count() - count one completion, in the context and the engine
 * @ctx: the context; its cq_lock held
 * @res: bytes or -errno
 * @cflags: DMAE_CQE_F_*
 * @moved: bytes the operation moved
 */
void dmae_ctx_count(struct dmae_ctx *ctx, s32 res, u32 cflags, u32 moved)
{
	bool cpu = cflags & DMAE_CQE_F_CPU;
	struct dmae_ctx_stats *s;

	lockdep_assert_held(&ctx->cq_lock);
	ctx->stats.completed++;
	ctx->stats.errors += res < 0;
	ctx->stats.bytes += moved;
	ctx->stats.cpu_ops += cpu;
	/* cq_lock is held with interrupts off: nothing else runs here. */
	s = this_cpu_ptr(ctx->ud->done_stats);
	s->completed++;
	s->errors += res < 0;
	s->bytes += moved;
	s->cpu_ops += cpu;
	s->overflowed = max(s->overflowed, ctx->stats.overflowed);
}

static bool __dmae_ctx_post(struct dmae_ctx *ctx, u64 user_data, s32 res,
			    u32 cflags, u32 result, u32 moved, bool active)
{
	struct dmae_cqe cqe = {
		.user_data = user_data,
		.res = res,
		.flags = cflags,
		.result = result,
	};
	unsigned long flags;
	bool idle, ovf, kick;

	spin_lock_irqsave(&ctx->cq_lock, flags);
	ovf = ctx->noverflow || !dmae_cq_write(ctx, &cqe);
	trace_dmae_svc_cqe(ctx->id, user_data, res, cflags, result, ovf);
	if (ovf) {
		/* Room: noverflow + inflight <= cq_entries (dmae_ctx_submit) */
		ctx->overflow[(ctx->ovf_head + ctx->noverflow) &
			      (ctx->cq_entries - 1)] = cqe;
		ctx->noverflow++;
		ctx->stats.overflowed++;
		dmae_set_overflow_flags(ctx);
	}
	dmae_ctx_count(ctx, res, cflags, moved);
	/*
	 * Full barrier (atomic_dec_and_test): pairs with dmae_link_dispatch()
	 * reading @active after it adds a chain behind a drain.
	 */
	kick = active && atomic_dec_and_test(&ctx->active) &&
	       READ_ONCE(ctx->ndeferred);
	/* the slot of the entry goes on to the link work it must run */
	idle = !kick && !--ctx->inflight;
	if (ctx->evfd)
		eventfd_signal(ctx->evfd, 1);
	if (wq_has_sleeper(&ctx->wait))
		wake_up_all(&ctx->wait);
	if (idle && wq_has_sleeper(&ctx->idle))
		wake_up_all(&ctx->idle);
	spin_unlock_irqrestore(&ctx->cq_lock, flags);
	return kick;
}

/**
 * dmae_ctx_post() - post the completion of one taken entry
 * @ctx: the context
 * @user_data: the entry's
 * @res: bytes or -errno
 * @cflags: DMAE_CQE_F_*
 * @result: COMPARE offset or CRC32C
 * @moved: bytes the operation moved, for the counters
 *
 * Never drops a completion and never allocates: without room in the CQ it
 * is kept in the overflow ring, which has room for every request in
 * flight, and posted when the process frees CQ entries. The wake-ups are
 * done under cq_lock: once a closing process has seen its last request
 * complete, it takes cq_lock before freeing the context, so no poster is
 * still using it.
 */
void dmae_ctx_post(struct dmae_ctx *ctx, u64 user_data, s32 res, u32 cflags,
		   u32 result, u32 moved)
{
	__dmae_ctx_post(ctx, user_data, res, cflags, result, moved, false);
}

/**
 * dmae_ctx_post_active() - post an entry a later drain waits for
 * @ctx: the context
 * @user_data: the entry's
 * @res: bytes or -errno
 * @cflags: DMAE_CQE_F_*
 * @result: COMPARE offset or CRC32C
 * @moved: bytes the operation moved, for the counters
 *
 * As dmae_ctx_post(), and the entry leaves @ctx->active in the same
 * critical section, after its completion is in the CQ. A drain starts
 * once @active is 0 (dmae_link_undefer()), so it can neither start nor
 * post before any entry taken ahead of it has posted. Counted before the
 * post instead, an entry preempted between the two let a drain, and what
 * follows it, post first.
 *
 * Return: whether the link work must run (a drain waits and @active is
 * 0); the entry's slot in the flight is then kept for it, to be given
 * back by the work (dmae_link_queue()).
 */
bool dmae_ctx_post_active(struct dmae_ctx *ctx, u64 user_data, s32 res,
			  u32 cflags, u32 result, u32 moved)
{
	return __dmae_ctx_post(ctx, user_data, res, cflags, result, moved, true);
}

/**
 * dmae_ctx_hold() - keep the context from going, as an entry in flight does
 * @ctx: the context, with an entry of the caller's still in flight
 *
 * A slot of the flight without an entry: a closing process waits for it
 * like for any entry. For work that must still touch the context after
 * the caller's own entry is posted. Undone by dmae_ctx_unhold().
 */
void dmae_ctx_hold(struct dmae_ctx *ctx)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->cq_lock, flags);
	ctx->inflight++;
	spin_unlock_irqrestore(&ctx->cq_lock, flags);
}

/**
 * dmae_ctx_unhold() - give back a slot taken by dmae_ctx_hold()
 * @ctx: the context; not to be touched afterwards
 */
void dmae_ctx_unhold(struct dmae_ctx *ctx)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->cq_lock, flags);
	if (!--ctx->inflight && wq_has_sleeper(&ctx->idle))
		wake_up_all(&ctx->idle);
	spin_unlock_irqrestore(&ctx->cq_lock, flags);
}

unsigned int dmae_poll_usec = 100;
module_param_named(poll_usec, dmae_poll_usec, uint, 0644);
MODULE_PARM_DESC(poll_usec,
		 "How long a DMAE_SETUP_IOPOLL wait polls before it asks for an interrupt and sleeps (us)");

/**
 * dmae_ctx_poll_chans() - reap the channels of a polled context
 * @ctx: the context; @ctx->ud->sem held for reading, the device not dead
 *
 * Its own channel, or with DMAE_SETUP_SPREAD every channel of the
 * backend. Completions of other contexts on them are taken too (they are
 * posted to their own CQs), as the interrupt path would.
 */
void dmae_ctx_poll_chans(struct dmae_ctx *ctx)
{
	struct dmae_be *be = ctx->ud->be;
	unsigned int c;

	if (!ctx->spread) {
		be->ops->poll(be, ctx->chan);
		return;
	}
	for (c = 0; c < be->nchan; c++)
		be->ops->poll(be, c);
}

/**
 * dmae_ctx_reap() - dmae_ctx_poll_chans() with the device's semaphore
 * @ctx: the context; the caller holds none of its device's locks
 *
 * Return: false if the device is gone (nothing was polled).
 */
bool dmae_ctx_reap(struct dmae_ctx *ctx)
{
	struct dmae_udev *ud = ctx->ud;
	bool alive;

	down_read(&ud->sem);
	alive = !ud->dead;
	if (alive)
		dmae_ctx_poll_chans(ctx);
	up_read(&ud->sem);
	return alive;
}

/*
 * An arming NOP is done. It holds a reference on @ud of its own, dropped
 * only after the wake-up: the flight reaching 0 lets dmae_svc_unregister()
 * go on and drop the driver's reference, and with no file open that would
 * free @ud between the decrement and the wake-up, which then spun on the
 * freed wait queue's lock with interrupts off (the guest froze without a
 * word: tests/guest/ring/246-dmatest-reload.sh).
 */
static void dmae_arm_done(struct dmae_job *job)
{
	struct dmae_udev *ud = job->priv;

	kfree(job);
	if (atomic_dec_and_test(&ud->inflight))
		wake_up_all(&ud->idle);
	dmae_udev_put(ud);
}

/* An interrupting NOP on channels [@first, @end) of @ud's backend. */
static void dmae_udev_arm(struct dmae_udev *ud, unsigned int first,
			  unsigned int end)
{
	unsigned int c;

	for (c = first; c < end; c++) {
		struct dmae_job *job = kzalloc(sizeof(*job), DMAE_GFP_USER);

		/* without it this channel waits for the watchdog; the others not */
		if (!job)
			continue;
		job->op = DMAE_JOB_NOP;
		job->irq = true;
		job->done = dmae_arm_done;
		job->priv = ud;
		kref_get(&ud->ref);
		atomic_inc(&ud->inflight);
		if (ud->be->ops->submit(ud->be, c, job)) {
			dmae_arm_done(job);
			continue;
		}
		ud->be->ops->issue(ud->be, c);
	}
}

/**
 * dmae_ctx_arm() - ask for an interrupt behind what a polled context queued
 * @ctx: the context
 *
 * A NOP that interrupts, on each of the context's channels: jobs on a
 * channel complete in order, so its interrupt comes once everything the
 * context queued before it is done, and the completion path then posts
 * their CQEs and wakes the sleeper. Counted in the device's flight, so
 * that a backend going away waits for it. Without memory for it, the
 * driver's watchdog still reaps the completions (after timeout_ms). If
 * the device is going away, dmae_udev_arm_all() has done it.
 */
void dmae_ctx_arm(struct dmae_ctx *ctx)
{
	struct dmae_udev *ud = ctx->ud;

	if (!READ_ONCE(ctx->inflight))
		return;
	down_read(&ud->sem);
	if (!ud->dead)
		dmae_ctx_arm_locked(ctx);
	up_read(&ud->sem);
}

/**
 * dmae_ctx_arm_locked() - dmae_ctx_arm() for a caller that holds
 * @ctx->ud->sem (for reading) and has seen the device alive
 * @ctx: the context
 */
void dmae_ctx_arm_locked(struct dmae_ctx *ctx)
{
	struct dmae_udev *ud = ctx->ud;

	dmae_udev_arm(ud, ctx->spread ? 0 : ctx->chan,
		      ctx->spread ? ud->be->nchan : ctx->chan + 1);
}

/**
 * dmae_udev_arm_all() - an interrupt behind everything queued, on every
 * channel of a backend that can be polled
 * @ud: the device; marked dead (nothing is queued after this), its backend
 *	still registered
 *
 * For the unregister path: polled contexts' jobs asked for no interrupt,
 * and nobody may poll for them any more.
 */
void dmae_udev_arm_all(struct dmae_udev *ud)
{
	if (ud->be->ops->poll)
		dmae_udev_arm(ud, 0, ud->be->nchan);
}
