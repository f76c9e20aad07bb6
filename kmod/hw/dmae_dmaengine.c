// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: a dmaengine provider on top of the channels: DMA_MEMCPY and
 * DMA_MEMSET, cookies, issue_pending, tx_status, terminate/synchronize.
 */

#include <linux/dmaengine.h>
#include <linux/slab.h>

#include "dmae.h"

/**
 * struct dmae_dma_desc - a dmaengine descriptor and the job behind it
 * @txd: what the client sees
 * @job: what the channel runs
 * @node: in the channel's dma_pending list until issued
 * @seq: its number in the channel's issue order (@dma_issued when it was
 *	handed over), which is the order the channel runs and finishes them in
 */
struct dmae_dma_desc {
	struct dma_async_tx_descriptor txd;
	struct dmae_job job;
	struct list_head node;
	u64 seq;
};

static struct dmae_chan *to_dmae_chan(struct dma_chan *c)
{
	return container_of(c, struct dmae_chan, dchan);
}

static enum dmaengine_tx_result dmae_tx_result(struct dmae_job *job)
{
	if (!job->status)
		return DMA_TRANS_NOERROR;
	if (job->status == -EFAULT)
		return job->hw_err == DMAE_ERR_WRITE ? DMA_TRANS_WRITE_FAILED :
						       DMA_TRANS_READ_FAILED;
	return DMA_TRANS_ABORTED;
}

/* Remember a failed cookie for dmae_tx_status(). @ch->lock held. */
static void dmae_dma_record_failure(struct dmae_chan *ch, dma_cookie_t cookie)
{
	ch->dma_failed[ch->dma_nfailed++ % DMAE_DMA_FAILED] = cookie;
}

static bool dmae_dma_failed(struct dmae_chan *ch, dma_cookie_t cookie)
{
	unsigned int i, n = min_t(unsigned int, ch->dma_nfailed,
				  DMAE_DMA_FAILED);

	for (i = 0; i < n; i++)
		if (ch->dma_failed[i] == cookie)
			return true;
	return false;
}

/*
 * A descriptor handed to the channel is finished: its outcome becomes
 * visible to dmae_tx_status(), the client's callback runs, then the
 * descriptor is freed and device_synchronize() may return. @ran: the
 * channel ran it; false for one the channel refused, which must not move
 * the completed cookie past those still running before it.
 *
 * The completed cookie only moves forward: jobs of a channel complete in
 * issue order, but two reapers (the tasklet, and a poller or the
 * watchdog on another CPU) may finish two batches at once, the later one
 * first. Written unconditionally, the earlier batch's cookie then went
 * back over the later one, and a client whose callback had run read
 * DMA_IN_PROGRESS (dmatest: "completion busy status"; ring/247).
 */
static void dmae_dma_finish(struct dmae_dma_desc *d, bool ran)
{
	struct dma_async_tx_descriptor *txd = &d->txd;
	struct dmae_chan *ch = to_dmae_chan(txd->chan);
	struct dmae_job *job = &d->job;
	struct dmaengine_result res = {
		.result = dmae_tx_result(job),
		.residue = job->status ? job->len - job->bytes : 0,
	};
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	if (job->status)
		dmae_dma_record_failure(ch, txd->cookie);
	if (ran && d->seq > ch->dma_ran_seq) {
		ch->dma_ran_seq = d->seq;
		WRITE_ONCE(txd->chan->completed_cookie, txd->cookie);
	}
	spin_unlock_irqrestore(&ch->lock, flags);

	dma_descriptor_unmap(txd);
	if (txd->callback_result)
		txd->callback_result(txd->callback_param, &res);
	else if (txd->callback)
		txd->callback(txd->callback_param);
	dma_run_dependencies(txd);
	kfree(d);

	spin_lock_irqsave(&ch->lock, flags);
	ch->dma_done++;
	if (ch->dma_done >= ch->dma_sync_target)
		wake_up_all(&ch->dma_wq);
	spin_unlock_irqrestore(&ch->lock, flags);
}

static void dmae_dma_done(struct dmae_job *job)
{
	dmae_dma_finish(container_of(job, struct dmae_dma_desc, job), true);
}

static dma_cookie_t dmae_tx_submit(struct dma_async_tx_descriptor *txd)
{
	struct dmae_dma_desc *d = container_of(txd, struct dmae_dma_desc, txd);
	struct dmae_chan *ch = to_dmae_chan(txd->chan);
	unsigned long flags;
	dma_cookie_t cookie;

	spin_lock_irqsave(&ch->lock, flags);
	cookie = ch->dchan.cookie + 1;
	if (cookie < DMA_MIN_COOKIE)
		cookie = DMA_MIN_COOKIE;
	ch->dchan.cookie = cookie;
	txd->cookie = cookie;
	list_add_tail(&d->node, &ch->dma_pending);
	spin_unlock_irqrestore(&ch->lock, flags);
	return cookie;
}

static struct dma_async_tx_descriptor *
dmae_prep(struct dma_chan *c, u8 op, dma_addr_t dst, dma_addr_t src,
	  u64 pattern, size_t len, unsigned long flags)
{
	struct dmae_chan *ch = to_dmae_chan(c);
	struct dmae_dma_desc *d;

	if (!len || len > ch->dd->max_xfer || READ_ONCE(ch->dead))
		return NULL;
	d = kzalloc(sizeof(*d), GFP_NOWAIT);
	if (!d)
		return NULL;
	d->job.op = op;
	d->job.irq = true;
	d->job.len = len;
	d->job.src_addr = src;
	d->job.dst_addr = dst;
	d->job.pattern = pattern;
	d->job.done = dmae_dma_done;
	dma_async_tx_descriptor_init(&d->txd, c);
	d->txd.tx_submit = dmae_tx_submit;
	d->txd.flags = flags;
	return &d->txd;
}

static struct dma_async_tx_descriptor *
dmae_prep_memcpy(struct dma_chan *c, dma_addr_t dst, dma_addr_t src,
		 size_t len, unsigned long flags)
{
	return dmae_prep(c, DMAE_OP_COPY, dst, src, 0, len, flags);
}

static struct dma_async_tx_descriptor *
dmae_prep_memset(struct dma_chan *c, dma_addr_t dst, int value, size_t len,
		 unsigned long flags)
{
	return dmae_prep(c, DMAE_OP_FILL, dst, 0,
			 0x0101010101010101ULL * (u8)value, len, flags);
}

/*
 * Hand the submitted descriptors to the channel in cookie order: taking
 * them and queueing them is one critical section, or two issuers could
 * queue them crosswise and complete cookies out of order.
 */
static void dmae_issue_pending(struct dma_chan *c)
{
	struct dmae_chan *ch = to_dmae_chan(c);
	struct dmae_dma_desc *d, *tmp;
	unsigned long flags;
	LIST_HEAD(failed);

	spin_lock_irqsave(&ch->lock, flags);
	list_for_each_entry_safe(d, tmp, &ch->dma_pending, node) {
		int ret;

		list_del(&d->node);
		d->seq = ++ch->dma_issued;
		/*
		 * Once queued, the job may complete and be freed as soon as
		 * the lock is dropped: only a refused job may be touched.
		 */
		ret = dmae_submit_locked(ch, &d->job);
		if (ret) {
			d->job.status = ret;
			list_add_tail(&d->node, &failed);
		}
	}
	spin_unlock_irqrestore(&ch->lock, flags);
	list_for_each_entry_safe(d, tmp, &failed, node) {
		list_del(&d->node);
		dmae_dma_finish(d, false);
	}
	dmae_issue(ch);
}

/*
 * A cookie is complete when the channel's completed cookie has passed it
 * (jobs complete in order), unless it is one of the channel's recorded
 * failures: those are DMA_ERROR, so that a polling client never takes a
 * failed descriptor (a DMA fault, a channel reset by the watchdog, a
 * device going away) for a finished copy.
 */
static enum dma_status dmae_tx_status(struct dma_chan *c, dma_cookie_t cookie,
				      struct dma_tx_state *txstate)
{
	struct dmae_chan *ch = to_dmae_chan(c);
	enum dma_status status;
	dma_cookie_t last, used;
	unsigned long flags;
	bool failed;

	spin_lock_irqsave(&ch->lock, flags);
	last = c->completed_cookie;
	used = c->cookie;
	failed = dmae_dma_failed(ch, cookie);
	spin_unlock_irqrestore(&ch->lock, flags);

	dma_set_tx_state(txstate, last, used, 0);
	status = dma_async_is_complete(cookie, last, used);
	return failed ? DMA_ERROR : status;
}

/**
 * dmae_terminate_all() - device_terminate_all of a channel
 * @c: the channel
 *
 * Nothing submitted is cancelled: descriptors not yet issued are issued,
 * and everything runs to the end (the watchdog bounds it), so that
 * dmae_synchronize() returns once no descriptor submitted before this
 * call can touch memory any more. Aborting the channel instead would also
 * cancel the work of its other users (the shared rings, io_uring
 * commands, the other threads of the same client, as dmatest's polled
 * mode has), and report copies as done whose data never arrived. Does
 * not sleep.
 *
 * Return: 0.
 */
static int dmae_terminate_all(struct dma_chan *c)
{
	struct dmae_chan *ch = to_dmae_chan(c);
	unsigned long flags;

	dmae_issue_pending(c);
	spin_lock_irqsave(&ch->lock, flags);
	ch->dma_sync_target = ch->dma_issued;
	spin_unlock_irqrestore(&ch->lock, flags);
	return 0;
}

static bool dmae_dma_synced(struct dmae_chan *ch, u64 target)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&ch->lock, flags);
	done = ch->dma_done >= target;
	spin_unlock_irqrestore(&ch->lock, flags);
	return done;
}

/* Wait until what was submitted before the last terminate is done. */
static void dmae_synchronize(struct dma_chan *c)
{
	struct dmae_chan *ch = to_dmae_chan(c);
	unsigned long flags;
	u64 target;

	spin_lock_irqsave(&ch->lock, flags);
	target = ch->dma_sync_target;
	spin_unlock_irqrestore(&ch->lock, flags);
	wait_event(ch->dma_wq, dmae_dma_synced(ch, target));
}

static int dmae_alloc_chan_resources(struct dma_chan *c)
{
	c->cookie = DMA_MIN_COOKIE;
	c->completed_cookie = DMA_MIN_COOKIE;
	return 0;
}

static void dmae_free_chan_resources(struct dma_chan *c)
{
	dmae_terminate_all(c);
	dmae_synchronize(c);
}

/* Matches no channel: dmae_dma_release_work() asks for none. */
static bool dmae_dma_match_none(struct dma_chan *chan, void *param)
{
	return false;
}

/*
 * dmaengine's reference goes once dmaengine is done with the channels. A
 * channel request that matches nothing takes and drops dma_list_mutex,
 * which the dma_release_channel() that called dmae_dma_release() holds
 * until it no longer touches the channel: no exported call waits for
 * that mutex alone.
 */
static void dmae_dma_release_work(struct work_struct *work)
{
	struct dmae_dev *dd = container_of(work, struct dmae_dev,
					   dma_release_work);
	dma_cap_mask_t mask;
	unsigned int i;

	dma_cap_zero(mask);
	dma_request_channel(mask, dmae_dma_match_none, NULL);
	for (i = 0; i < dd->nchan; i++)
		if (dmae_chan_for_dma(&dd->chan[i]))
			put_device(&dd->chan[i].dchan.dev->device);
	dmae_dev_put(dd);
}

/*
 * The last client let go of the channels, or the device was unregistered
 * with none holding them. This is called with dma_list_mutex held, and
 * from dma_release_channel() (the last client letting go after an unbind)
 * dmaengine goes on reading and clearing fields of the channel
 * (chan->slave, chan->dbg_client_name) after this returns. The channels
 * live in @dd: its reference is dropped from a work item, once dmaengine
 * is done with them (dmae_dma_release_work()).
 */
static void dmae_dma_release(struct dma_device *dma)
{
	struct dmae_dev *dd = container_of(dma, struct dmae_dev, dma);

	queue_work(dmae_wq, &dd->dma_release_work);
}

/**
 * dmae_dmaengine_register() - offer the channels to dmaengine clients
 * @dd: the device
 *
 * Only the channels whose role lets dmaengine clients use them are
 * offered (dmae_chan_for_dma()); with none, nothing is registered.
 *
 * dmaengine holds a reference to @dd from here until its device_release,
 * which may come after the device is unbound: the channels must then
 * refuse work without touching the hardware (dmae_chan_shutdown()). The
 * reference is dropped after device_release (dmae_dma_release()).
 *
 * Return: 0 or a negative errno.
 */
int dmae_dmaengine_register(struct dmae_dev *dd)
{
	struct dma_device *dma = &dd->dma;
	unsigned int i;
	int ret;

	INIT_LIST_HEAD(&dma->channels);
	dma_cap_zero(dma->cap_mask);
	dma_cap_set(DMA_MEMCPY, dma->cap_mask);
	if (dd->caps & DMAE_CAP_FILL)
		dma_cap_set(DMA_MEMSET, dma->cap_mask);
	dma->dev = &dd->pdev->dev;
	dma->copy_align = DMAENGINE_ALIGN_1_BYTE;
	dma->fill_align = DMAENGINE_ALIGN_1_BYTE;
	dma->directions = BIT(DMA_MEM_TO_MEM);
	dma->residue_granularity = DMA_RESIDUE_GRANULARITY_DESCRIPTOR;
	dma->device_alloc_chan_resources = dmae_alloc_chan_resources;
	dma->device_free_chan_resources = dmae_free_chan_resources;
	dma->device_prep_dma_memcpy = dmae_prep_memcpy;
	dma->device_prep_dma_memset = dmae_prep_memset;
	dma->device_issue_pending = dmae_issue_pending;
	dma->device_tx_status = dmae_tx_status;
	dma->device_terminate_all = dmae_terminate_all;
	dma->device_synchronize = dmae_synchronize;
	dma->device_release = dmae_dma_release;

	INIT_WORK(&dd->dma_release_work, dmae_dma_release_work);
	dd->dma_nchan = 0;
	for (i = 0; i < dd->nchan; i++) {
		if (!dmae_chan_for_dma(&dd->chan[i]))
			continue;
		init_waitqueue_head(&dd->chan[i].dma_wq);
		dd->chan[i].dchan.device = dma;
		list_add_tail(&dd->chan[i].dchan.device_node, &dma->channels);
		dd->dma_nchan++;
	}
	if (!dd->dma_nchan)
		return 0;
	kref_get(&dd->ref);
	ret = dma_async_device_register(dma);
	if (ret) {
		dd->dma_nchan = 0;
		dmae_dev_put(dd);
	}
	return ret;
}

/**
 * dmae_dmaengine_unregister() - the device goes away
 * @dd: the device
 *
 * Clients may keep their channels, and dmaengine keeps listing them by
 * name (its debugfs summary, the filters of later channel requests) until
 * they let go; but unregistering frees each channel's struct device, which
 * holds the name, at once. A reference to each keeps it until dmaengine
 * is done with the channels (dmae_dma_release_work()).
 */
void dmae_dmaengine_unregister(struct dmae_dev *dd)
{
	unsigned int i;

	if (!dd->dma_nchan)
		return;
	for (i = 0; i < dd->nchan; i++)
		if (dmae_chan_for_dma(&dd->chan[i]))
			get_device(&dd->chan[i].dchan.dev->device);
	dma_async_device_unregister(&dd->dma);
}
