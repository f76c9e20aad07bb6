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
 */
struct dmae_dma_desc {
	struct dma_async_tx_descriptor txd;
	struct dmae_job job;
	struct list_head node;
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

/* A job finished: the client's callback, then the descriptor is freed. */
static void dmae_dma_done(struct dmae_job *job)
{
	struct dmae_dma_desc *d = container_of(job, struct dmae_dma_desc, job);
	struct dma_async_tx_descriptor *txd = &d->txd;
	struct dmaengine_result res = {
		.result = dmae_tx_result(job),
		.residue = job->status ? job->len - job->bytes : 0,
	};

	/* Jobs of a channel complete in cookie order. */
	WRITE_ONCE(txd->chan->completed_cookie, txd->cookie);
	dma_descriptor_unmap(txd);
	if (txd->callback_result)
		txd->callback_result(txd->callback_param, &res);
	else if (txd->callback)
		txd->callback(txd->callback_param);
	dma_run_dependencies(txd);
	kfree(d);
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

	if (!len || len > ch->dd->max_xfer)
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

/* Take the descriptors submitted but not yet issued. */
static void dmae_take_pending(struct dmae_chan *ch, struct list_head *list)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	list_splice_init(&ch->dma_pending, list);
	spin_unlock_irqrestore(&ch->lock, flags);
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
		dmae_dma_done(&d->job);
	}
	dmae_issue(ch);
}

static enum dma_status dmae_tx_status(struct dma_chan *c, dma_cookie_t cookie,
				      struct dma_tx_state *txstate)
{
	dma_cookie_t last = READ_ONCE(c->completed_cookie);
	dma_cookie_t used = READ_ONCE(c->cookie);

	dma_set_tx_state(txstate, last, used, 0);
	return dma_async_is_complete(cookie, last, used);
}

static int dmae_terminate_all(struct dma_chan *c)
{
	struct dmae_chan *ch = to_dmae_chan(c);
	struct dmae_dma_desc *d, *tmp;
	LIST_HEAD(list);

	/* Submitted but never issued: dropped without a callback. */
	dmae_take_pending(ch, &list);
	list_for_each_entry_safe(d, tmp, &list, node) {
		list_del(&d->node);
		dma_descriptor_unmap(&d->txd);
		kfree(d);
	}
	dmae_chan_terminate(ch);
	return 0;
}

static void dmae_synchronize(struct dma_chan *c)
{
	dmae_chan_sync(to_dmae_chan(c));
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

int dmae_dmaengine_register(struct dmae_dev *dd)
{
	struct dma_device *dma = &dd->dma;
	unsigned int i;

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

	for (i = 0; i < dd->nchan; i++) {
		dd->chan[i].dchan.device = dma;
		list_add_tail(&dd->chan[i].dchan.device_node, &dma->channels);
	}
	return dma_async_device_register(dma);
}

void dmae_dmaengine_unregister(struct dmae_dev *dd)
{
	dma_async_device_unregister(&dd->dma);
}
