// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine copy service: ordering of shared-ring entries, in the manner
 * of io_uring's IOSQE_IO_LINK and IOSQE_IO_DRAIN. Entries of a context
 * may run on several channels at once (DMAE_SETUP_SPREAD), so they are in
 * no order unless the process asks:
 *
 * - a chain (entries with DMAE_SQE_IO_LINK, and the one after the last of
 *   them, taken in one ENTER) runs one entry at a time: the next starts
 *   once the one before it has completed with res >= 0; when one fails,
 *   the rest complete with -ECANCELED, unrun;
 * - a chain whose first entry has DMAE_SQE_IO_DRAIN starts once every
 *   entry taken before it has completed, and what is taken after it waits
 *   until it has completed.
 *
 * Everything about an entry that may sleep or needs the process (checks,
 * pinning, mapping, finding page-cache pages) is done when ENTER takes it
 * (dmae_ureq_prepare()); what waits is only the hand-over of its jobs to
 * the engine (dmae_ureq_launch()), done from ENTER or from the context's
 * link work once the entry before has completed. Every entry of a chain
 * holds its slot in the context's flight (dmae_ctx.inflight) until its
 * completion is posted, so a closing file waits for whole chains.
 */

#include <linux/slab.h>
#include <linux/workqueue.h>

#include "dmae_cdev.h"

/**
 * struct dmae_link - one entry of a chain, not yet started
 * @node: in its chain's @entries
 * @err: fail with this instead of starting (a bad entry)
 * @user_data: the entry's
 * @req: the prepared request, or NULL (a NOP; @err)
 */
struct dmae_link {
	struct list_head node;
	int err;
	u64 user_data;
	struct dmae_ureq *req;
};

/**
 * struct dmae_chain - entries that run one after another
 * @node: in the context's @deferred or @ready list, or on none while its
 *	current entry runs
 * @entries: struct dmae_link, in order
 * @posting: once it failed, completions of its cancelled entries still to
 *	be posted, plus one for the failed entry
 * @drain: its first entry has DMAE_SQE_IO_DRAIN
 */
struct dmae_chain {
	struct list_head node;
	struct list_head entries;
	atomic_t posting;
	bool drain;
};

static void dmae_link_work(struct work_struct *work);
static void dmae_link_over(struct dmae_ctx *ctx, struct dmae_chain *chain);

/*
 * The completion of a prepared entry cancelled with its chain: from the
 * service's work when the request had pages to let go of, so the chain
 * is over only once the last of them is posted.
 */
static void dmae_link_cancel_done(struct dmae_ctx *ctx, void *arg,
				  u64 user_data, s32 res, u32 result,
				  u32 cflags, u32 moved)
{
	struct dmae_chain *chain = arg;

	dmae_ctx_post(ctx, user_data, res, cflags, result, moved);
	if (atomic_dec_and_test(&chain->posting))
		dmae_link_over(ctx, chain);
}

/**
 * dmae_link_init() - a new context has no chain
 * @ctx: the context
 */
void dmae_link_init(struct dmae_ctx *ctx)
{
	spin_lock_init(&ctx->link_lock);
	INIT_LIST_HEAD(&ctx->deferred);
	INIT_LIST_HEAD(&ctx->ready);
	atomic_set(&ctx->active, 0);
	init_waitqueue_head(&ctx->link_wait);
	INIT_WORK(&ctx->link_work, dmae_link_work);
}

/*
 * Move the chains a drain no longer holds back onto @ready, in order.
 * @ctx->link_lock held. (Chains are only added to @deferred under
 * @ctx->lock as well, so a submitter that reads @ndeferred as 0 knows none
 * is there; one leaving it under its feet only makes it wait needlessly.)
 */
static void dmae_link_undefer(struct dmae_ctx *ctx)
{
	struct dmae_chain *c;

	while (!ctx->drain_active && !list_empty(&ctx->deferred)) {
		c = list_first_entry(&ctx->deferred, struct dmae_chain, node);
		/* a drain waits until everything before it is done */
		if (c->drain && atomic_read(&ctx->active))
			break;
		list_move_tail(&c->node, &ctx->ready);
		WRITE_ONCE(ctx->ndeferred, ctx->ndeferred - 1);
		atomic_inc(&ctx->active);
		if (c->drain)
			WRITE_ONCE(ctx->drain_active, c);
	}
	if (!ctx->ndeferred && !ctx->drain_active &&
	    wq_has_sleeper(&ctx->link_wait))
		wake_up_all(&ctx->link_wait);
}

/*
 * The link work is to run. The caller took a hold on the context (a slot
 * in its flight, dmae_ctx_hold()) while it still had an entry of its own
 * in flight, or kept that entry's slot (dmae_ctx_post_active()), so the
 * context outlives the posting of that entry; the work lets go of the
 * hold when it has run, or here if it was queued already.
 */
static void dmae_link_queue(struct dmae_ctx *ctx)
{
	if (!queue_work(dmae_svc_wq, &ctx->link_work))
		dmae_ctx_unhold(ctx);
}

/**
 * dmae_link_over() - every completion of a chain is posted
 * @ctx: the context; the caller holds a slot in its flight
 *	(dmae_ctx_hold()), given back here
 * @chain: the chain, freed here
 *
 * Only now may a drain behind it start (@ctx->active), and only now is a
 * drain over (@ctx->drain_active, which keeps what is taken after it
 * waiting): nothing can start, finish and post before the chain's last
 * completion, the cancelled entries' included. Any context.
 */
static void dmae_link_over(struct dmae_ctx *ctx, struct dmae_chain *chain)
{
	unsigned long flags;
	bool kick = false;

	if (chain->drain) {
		spin_lock_irqsave(&ctx->link_lock, flags);
		WRITE_ONCE(ctx->drain_active, NULL);
		kick = ctx->ndeferred;
		spin_unlock_irqrestore(&ctx->link_lock, flags);
		/* an ENTER may wait to run a FILE_WRITE once no drain holds it */
		if (wq_has_sleeper(&ctx->link_wait))
			wake_up_all(&ctx->link_wait);
	}
	kfree(chain);
	/* full barrier: pairs with dmae_link_dispatch() reading @active */
	if (atomic_dec_and_test(&ctx->active) && READ_ONCE(ctx->ndeferred))
		kick = true;
	if (kick)
		dmae_link_queue(ctx);
	else
		dmae_ctx_unhold(ctx);
}

/*
 * The completion of an entry of a chain (dmae_done_fn): post it; then the
 * next entry may start, or on failure the rest is cancelled.
 */
static void dmae_link_done(struct dmae_ctx *ctx, void *arg, u64 user_data,
			   s32 res, u32 result, u32 cflags, u32 moved)
{
	struct dmae_chain *chain = arg;
	struct dmae_link *l, *tmp;
	unsigned long flags;
	LIST_HEAD(cancel);
	bool over;

	spin_lock_irqsave(&ctx->link_lock, flags);
	if (res < 0)
		list_splice_init(&chain->entries, &cancel);
	over = list_empty(&chain->entries);
	spin_unlock_irqrestore(&ctx->link_lock, flags);
	/* the usual end of a chain: over with its own post */
	if (over && !chain->drain && list_empty(&cancel)) {
		kfree(chain);
		if (dmae_ctx_post_active(ctx, user_data, res, cflags, result,
					 moved))
			dmae_link_queue(ctx);
		return;
	}
	/* one slot in the flight for what follows the post */
	dmae_ctx_hold(ctx);
	/*
	 * Post before the next entry can start (the chain is on no list
	 * until then), so a chain's completions arrive in order.
	 */
	dmae_ctx_post(ctx, user_data, res, cflags, result, moved);
	if (!over) {
		spin_lock_irqsave(&ctx->link_lock, flags);
		list_add_tail(&chain->node, &ctx->ready);
		spin_unlock_irqrestore(&ctx->link_lock, flags);
		dmae_link_queue(ctx);
		return;
	}
	/* what is cancelled holds its slots in the flight until posted */
	atomic_set(&chain->posting, 1);
	list_for_each_entry_safe(l, tmp, &cancel, node) {
		if (l->req) {
			atomic_inc(&chain->posting);
			dmae_ureq_abort(l->req, -ECANCELED, dmae_link_cancel_done,
					chain);
		} else {
			dmae_ctx_post(ctx, l->user_data, -ECANCELED, 0, 0, 0);
		}
		kfree(l);
	}
	if (atomic_dec_and_test(&chain->posting))
		dmae_link_over(ctx, chain);
}

/*
 * A plain entry's completion (dmae_done_fn), when a drain may wait for it:
 * it leaves the count a drain waits on only once posted.
 */
static void dmae_link_plain_done(struct dmae_ctx *ctx, void *arg,
				 u64 user_data, s32 res, u32 result,
				 u32 cflags, u32 moved)
{
	if (dmae_ctx_post_active(ctx, user_data, res, cflags, result, moved))
		dmae_link_queue(ctx);
}

/*
 * Hand the next entry of every ready chain, and of every chain a drain
 * let go, to the engine. From ENTER or the link work; does not sleep.
 */
static void dmae_link_run(struct dmae_ctx *ctx)
{
	unsigned long flags;

	for (;;) {
		struct dmae_chain *chain = NULL;
		struct dmae_link *l = NULL;

		spin_lock_irqsave(&ctx->link_lock, flags);
		dmae_link_undefer(ctx);
		if (!list_empty(&ctx->ready)) {
			chain = list_first_entry(&ctx->ready, struct dmae_chain,
						 node);
			list_del_init(&chain->node);
			l = list_first_entry(&chain->entries, struct dmae_link,
					     node);
			list_del(&l->node);
		}
		spin_unlock_irqrestore(&ctx->link_lock, flags);
		if (!chain)
			break;
		if (l->req && READ_ONCE(ctx->ud->dead))
			dmae_ureq_abort(l->req, -ENODEV, dmae_link_done, chain);
		else if (l->req)
			dmae_ureq_launch(l->req);
		else	/* a NOP, or an entry that failed its checks */
			dmae_link_done(ctx, chain, l->user_data, l->err, 0, 0, 0);
		kfree(l);
	}
}

static void dmae_link_work(struct work_struct *work)
{
	struct dmae_ctx *ctx = container_of(work, struct dmae_ctx, link_work);

	dmae_link_run(ctx);
	dmae_ctx_unhold(ctx);	/* taken by whoever queued this run */
}

/* Hand a chain on: to run now, or behind a drain. @ctx->lock held. */
static void dmae_link_dispatch(struct dmae_ctx *ctx, struct dmae_chain *chain)
{
	spin_lock_irq(&ctx->link_lock);
	list_add_tail(&chain->node, &ctx->deferred);
	WRITE_ONCE(ctx->ndeferred, ctx->ndeferred + 1);
	spin_unlock_irq(&ctx->link_lock);
	/* full barrier: pairs with dmae_ctx_post_active(), dmae_link_over() */
	smp_mb();
	dmae_link_run(ctx);
	dmae_ctx_job_issue(ctx);
}

/* The rest of a chain whose entry could not be taken: cancelled. */
#define DMAE_CHAIN_CANCEL	ERR_PTR(-ECANCELED)

/**
 * dmae_link_take() - take one entry
 * @ctx: the context; its lock and the device's semaphore held
 * @chain: the chain being built from this ENTER's entries, or NULL
 * @sqe: the entry
 *
 * A plain entry with nothing to wait for starts at once. One that is
 * linked, follows a link, has IO_DRAIN, or comes while a drain is pending
 * (then even a plain entry waits behind it) becomes part of *@chain,
 * which is handed on at its last entry. Every entry gets exactly one
 * completion, whatever happens.
 *
 * Return: 0, or the error a plain entry failed with at once (posted).
 */
int dmae_link_take(struct dmae_ctx *ctx, struct dmae_chain **chain,
		   const struct dmae_sqe *sqe)
{
	bool linked = sqe->flags & DMAE_SQE_IO_LINK;
	struct dmae_link *l;
	int ret;

	if ((sqe->opcode == DMAE_UOP_FILE_WRITE ||
	     sqe->opcode == DMAE_UOP_FILE_COPY) && !*chain && !linked &&
	    !(sqe->flags & DMAE_SQE_IO_DRAIN)) {
		/*
		 * It runs here and now, as write(2): if a drain holds back
		 * what is taken after it, wait for the drain to be over. A
		 * polled context's entries before it asked for no interrupt,
		 * and nobody polls while this waits: ask for one.
		 */
		if (ctx->iopoll && (READ_ONCE(ctx->ndeferred) ||
				    READ_ONCE(ctx->drain_active)))
			dmae_ctx_arm_locked(ctx);
		if (wait_event_killable(ctx->link_wait,
					!READ_ONCE(ctx->ndeferred) &&
					!READ_ONCE(ctx->drain_active))) {
			dmae_ctx_post(ctx, sqe->user_data, -EINTR, 0, 0, 0);
			return 0;
		}
	}
	if (*chain == DMAE_CHAIN_CANCEL) {
		dmae_ctx_post(ctx, sqe->user_data, -ECANCELED, 0, 0, 0);
		if (!linked)
			*chain = NULL;
		return 0;
	}
	if (!*chain && !(sqe->flags & (DMAE_SQE_IO_LINK | DMAE_SQE_IO_DRAIN)) &&
	    !READ_ONCE(ctx->ndeferred) && !READ_ONCE(ctx->drain_active)) {
		/*
		 * A NOP is over before dmae_ureq_start() returns: no later
		 * drain can find it in flight, so it is not counted (two
		 * atomics less on what measures the per-entry overhead).
		 */
		if (sqe->opcode == DMAE_UOP_NOP) {
			ret = dmae_ureq_start(ctx, sqe, NULL, NULL,
					      DMAE_UREQ_RING);
			if (ret)
				dmae_ctx_post(ctx, sqe->user_data, ret, 0, 0, 0);
			return ret;
		}
		/* nothing to wait for: start it, counted for later drains */
		atomic_inc(&ctx->active);
		ret = dmae_ureq_start(ctx, sqe, dmae_link_plain_done, NULL,
				      DMAE_UREQ_RING);
		if (ret && dmae_ctx_post_active(ctx, sqe->user_data, ret, 0, 0,
						0))
			dmae_link_queue(ctx);
		return ret;
	}
	l = kzalloc(sizeof(*l), DMAE_GFP_USER);
	if (l && !*chain) {
		*chain = kzalloc(sizeof(**chain), DMAE_GFP_USER);
		if (*chain) {
			INIT_LIST_HEAD(&(*chain)->entries);
			(*chain)->drain = sqe->flags & DMAE_SQE_IO_DRAIN;
		}
	}
	if (!l || !*chain) {
		/*
		 * This entry fails; what was built of its chain runs, and
		 * the entries after it in the chain are cancelled.
		 */
		kfree(l);
		dmae_ctx_post(ctx, sqe->user_data, -ENOMEM, 0, 0, 0);
		dmae_link_end(ctx, chain);
		if (linked)
			*chain = DMAE_CHAIN_CANCEL;
		return 0;
	}
	l->user_data = sqe->user_data;
	/* IO_DRAIN belongs on a chain's first entry */
	if (!list_empty(&(*chain)->entries) && (sqe->flags & DMAE_SQE_IO_DRAIN))
		l->err = -EINVAL;
	else
		l->err = dmae_ureq_prepare(ctx, sqe, dmae_link_done, *chain,
					   &l->req);
	list_add_tail(&l->node, &(*chain)->entries);
	if (!linked)
		dmae_link_end(ctx, chain);
	return 0;
}

/**
 * dmae_link_end() - the chain being built ends here (end of an ENTER)
 * @ctx: the context; its lock and the device's semaphore held
 * @chain: the chain, or NULL; NULL afterwards
 */
void dmae_link_end(struct dmae_ctx *ctx, struct dmae_chain **chain)
{
	struct dmae_chain *c = *chain;

	*chain = NULL;
	if (!c || c == DMAE_CHAIN_CANCEL)
		return;
	if (list_empty(&c->entries)) {
		kfree(c);
		return;
	}
	dmae_link_dispatch(ctx, c);
}

/**
 * dmae_link_release() - the context is being freed
 * @ctx: the context, with nothing in flight
 *
 * Every chain has completed (its entries are in the flight until then);
 * the link work may still be returning.
 */
void dmae_link_release(struct dmae_ctx *ctx)
{
	flush_work(&ctx->link_work);
	WARN_ON_ONCE(!list_empty(&ctx->deferred) || !list_empty(&ctx->ready));
}
