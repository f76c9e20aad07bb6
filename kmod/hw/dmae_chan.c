// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: the descriptor-ring channels. Jobs go into a backlog, then
 * into a coherent descriptor ring; the doorbell (TAIL) tells the device.
 * Completions are reaped from the completion ring by a tasklet; a
 * watchdog resets a channel that stops making progress.
 */

#include <linux/dma-mapping.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "dmae.h"

#define CREATE_TRACE_POINTS
#include "dmae_hw_trace.h"

static unsigned int ring_size = 128;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size, "Descriptors per channel ring (power of two)");

static unsigned int coal_count;
module_param(coal_count, uint, 0444);
MODULE_PARM_DESC(coal_count, "Completions per interrupt (0: each)");

static unsigned int coal_usec;
module_param(coal_usec, uint, 0444);
MODULE_PARM_DESC(coal_usec, "Longest interrupt delay for coalescing (us)");

static void __iomem *dmae_ch_reg(struct dmae_chan *ch, unsigned int reg)
{
	return ch->regs + reg;
}

static int dmae_hw_errno(u8 err)
{
	switch (err) {
	case DMAE_ERR_NONE:
		return 0;
	case DMAE_ERR_READ:
	case DMAE_ERR_WRITE:
	case DMAE_ERR_SG_READ:
		return -EFAULT;
	case DMAE_ERR_CANCELED:
	case DMAE_ERR_ABORTED:
		return -ECANCELED;
	case DMAE_ERR_LEN_ZERO:
	case DMAE_ERR_LEN_MAX:
	case DMAE_ERR_BAD_OP:
	case DMAE_ERR_BAD_FLAGS:
	case DMAE_ERR_SG_COUNT:
	case DMAE_ERR_SG_ENTRY:
	case DMAE_ERR_SG_TOTAL:
	case DMAE_ERR_OVERFLOW:
		return -EINVAL;
	default:	/* BUS_MASTER, INJECTED, or a code we do not know */
		return -EIO;
	}
}

/*
 * The outcome of the record @c of descriptor @n for @job. A record that is
 * not this descriptor's (its cookie) or that claims more bytes than the
 * job has is not believed: the job fails with -EIO, whatever the record
 * says, rather than be reported done on the word of a broken device.
 */
static void dmae_job_outcome(struct dmae_chan *ch, struct dmae_job *job,
			     const struct dmae_hw_compl *c, u32 n, u8 status)
{
	u64 cookie = le64_to_cpu(c->cookie);

	job->hw_err = status & DMAE_CS_ERR_MASK;
	job->status = dmae_hw_errno(job->hw_err);
	job->bytes = le32_to_cpu(c->bytes);
	job->result = le32_to_cpu(c->result);
	job->fault_addr = le64_to_cpu(c->fault_addr);
	if (cookie != n || job->bytes > job->len) {
		dev_err_ratelimited(&ch->dd->pdev->dev,
				    "ch%u: bad completion record %u (cookie %llu, %u bytes of %u); failing it\n",
				    ch->idx, n, cookie, job->bytes, job->len);
		job->status = -EIO;
		job->hw_err = 0;
		job->bytes = 0;
		job->result = 0;
		job->fault_addr = 0;
		ch->bad_records++;
		return;
	}
	/* Cut off by a recovery: it fails with the recovery's cause. */
	if (job->hw_err == DMAE_ERR_ABORTED && READ_ONCE(ch->recovering))
		job->status = READ_ONCE(ch->recover_err);
}

/* Program the rings and enable the channel. */
static void dmae_chan_hw_start(struct dmae_chan *ch)
{
	writel(DMAE_CHCTRL_RESET, dmae_ch_reg(ch, DMAE_CH_CTRL));
	writeq(ch->ring_dma, dmae_ch_reg(ch, DMAE_CH_RING_BASE));
	writeq(ch->compl_dma, dmae_ch_reg(ch, DMAE_CH_COMPL_BASE));
	writel(ch->size, dmae_ch_reg(ch, DMAE_CH_RING_SIZE));
	writel(min_t(unsigned int, coal_count, DMAE_COAL_COUNT_MASK) |
	       min(coal_usec, 0xffffU) << DMAE_COAL_USEC_SHIFT,
	       dmae_ch_reg(ch, DMAE_CH_COAL));
	writel(DMAE_CHCTRL_ENABLE, dmae_ch_reg(ch, DMAE_CH_CTRL));
}

/* Stop the channel; wait until the engine lets go of its descriptor. */
static int dmae_chan_hw_stop(struct dmae_chan *ch, u32 ctrl)
{
	u32 sts;

	writel(ctrl, dmae_ch_reg(ch, DMAE_CH_CTRL));
	return readl_poll_timeout(dmae_ch_reg(ch, DMAE_CH_STATUS), sts,
				  !(sts & DMAE_CHSTS_BUSY), 50, USEC_PER_SEC);
}

static u32 dmae_sg_fill(struct dmae_hw_sg *e, struct sg_table *sgt)
{
	struct scatterlist *sg;
	int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		e[i].addr = cpu_to_le64(sg_dma_address(sg));
		e[i].len = cpu_to_le32(sg_dma_len(sg));
		e[i].rsvd = 0;
	}
	return sgt->nents;
}

static u32 dmae_segs_fill(struct dmae_hw_sg *e, const struct dmae_seg *segs,
			  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		e[i].addr = cpu_to_le64(segs[i].addr);
		e[i].len = cpu_to_le32(segs[i].len);
		e[i].rsvd = 0;
	}
	return n;
}

/* Write descriptor number @n for @job. @ch->lock held. */
static void dmae_write_desc(struct dmae_chan *ch, u32 n, struct dmae_job *job)
{
	u32 slot = n & (ch->size - 1);
	struct dmae_hw_desc *d = &ch->ring[slot];
	struct dmae_hw_sg *src_sg = &ch->sg[slot * 2 * DMAE_DRV_MAX_SG];
	struct dmae_hw_sg *dst_sg = src_sg + DMAE_DRV_MAX_SG;
	dma_addr_t src_sg_dma = ch->sg_dma + slot * 2 * DMAE_DRV_MAX_SG *
				sizeof(*src_sg);
	u16 flags = 0;

	memset(d, 0, sizeof(*d));
	d->op = job->op;
	if (job->irq)
		flags |= DMAE_DF_IRQ;
	if (job->fence)
		flags |= DMAE_DF_FENCE;
	d->len = cpu_to_le32(job->len);
	if (job->src_sgt) {
		flags |= DMAE_DF_SRC_SG;
		d->src = cpu_to_le64(src_sg_dma);
		d->src_nsg = cpu_to_le32(dmae_sg_fill(src_sg, job->src_sgt));
	} else if (job->src_nsegs) {
		flags |= DMAE_DF_SRC_SG;
		d->src = cpu_to_le64(src_sg_dma);
		d->src_nsg = cpu_to_le32(dmae_segs_fill(src_sg, job->src_segs,
							job->src_nsegs));
	} else {
		d->src = cpu_to_le64(job->src_addr);
	}
	if (job->dst_sgt || job->dst_nsegs) {
		flags |= DMAE_DF_DST_SG;
		d->dst = cpu_to_le64(src_sg_dma + DMAE_DRV_MAX_SG *
				     sizeof(*src_sg));
		d->dst_nsg = cpu_to_le32(job->dst_sgt ?
					 dmae_sg_fill(dst_sg, job->dst_sgt) :
					 dmae_segs_fill(dst_sg, job->dst_segs,
							job->dst_nsegs));
	} else {
		d->dst = cpu_to_le64(job->dst_addr);
	}
	d->flags = cpu_to_le16(flags);
	d->pattern = cpu_to_le64(job->pattern);
	d->cookie = cpu_to_le64(n);
	ch->compl[slot].status = 0;
	ch->jobs[slot] = job;
	trace_dmae_hw_desc(&ch->dd->pdev->dev, ch->idx, n, d->op, flags,
			   job->len, le32_to_cpu(d->src_nsg),
			   le32_to_cpu(d->dst_nsg));
}

/* Move backlog into the ring and ring the doorbell. @ch->lock held. */
static void dmae_chan_push(struct dmae_chan *ch)
{
	struct dmae_job *job, *tmp;

	if (ch->dead)
		return;
	list_for_each_entry_safe(job, tmp, &ch->backlog, node) {
		if (ch->tail - ch->head == ch->size)
			break;
		list_del(&job->node);
		dmae_write_desc(ch, ch->tail++, job);
	}
	if (ch->issued == ch->tail)
		return;
	/*
	 * A full ring interrupts at its last entry, so that the jobs waiting
	 * now, or queued while it stays full, are pushed when room comes:
	 * the ring is full only after a push, and only this push can still
	 * mark the entry (the device may be reading the earlier ones). Jobs
	 * that ask for no interrupt (polled, dmaengine's without
	 * DMA_PREP_INTERRUPT) would otherwise leave a full ring silent, and
	 * a job queued behind it, asking for one, waiting for the watchdog.
	 */
	if (!list_empty(&ch->backlog) || ch->tail - ch->head == ch->size)
		ch->ring[(ch->tail - 1) & (ch->size - 1)].flags |=
			cpu_to_le16(DMAE_DF_IRQ);
	if (ch->issued == ch->head) {
		ch->last_progress = jiffies;
		mod_timer(&ch->watchdog,
			  jiffies + msecs_to_jiffies(dmae_timeout_ms));
	}
	/* writel() orders the descriptor writes before the doorbell. */
	writel(ch->tail, dmae_ch_reg(ch, DMAE_CH_TAIL));
	ch->issued = ch->tail;
	trace_dmae_hw_doorbell(&ch->dd->pdev->dev, ch->idx, ch->tail,
			       ch->tail - ch->head);
}

/* Collect finished jobs onto @done. @ch->lock held. */
static void dmae_chan_reap(struct dmae_chan *ch, struct list_head *done)
{
	while (ch->head != ch->issued) {
		u32 slot = ch->head & (ch->size - 1);
		struct dmae_hw_compl *c = &ch->compl[slot];
		u8 status = READ_ONCE(c->status);
		struct dmae_job *job;

		if (!(status & DMAE_CS_DONE))
			break;
		dma_rmb();	/* the record before its STATUS byte */
		job = ch->jobs[slot];
		ch->jobs[slot] = NULL;
		dmae_job_outcome(ch, job, c, ch->head, status);
		trace_dmae_hw_complete(&ch->dd->pdev->dev, ch->idx, ch->head,
				       job->status, job->hw_err, job->bytes);
		ch->completed++;
		if (job->status)
			ch->errors++;
		else if (job->op != DMAE_OP_COMPARE)
			ch->bytes += job->bytes;
		list_add_tail(&job->node, done);
		ch->head++;
		ch->last_progress = jiffies;
	}
}

static void dmae_complete_list(struct list_head *done)
{
	struct dmae_job *job, *tmp;

	list_for_each_entry_safe(job, tmp, done, node) {
		list_del(&job->node);
		job->done(job);
	}
}

/* Reap finished jobs, refill the ring, run the jobs' callbacks. */
static void dmae_chan_service(struct dmae_chan *ch)
{
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&ch->lock, flags);
	dmae_chan_reap(ch, &done);
	dmae_chan_push(ch);
	spin_unlock_irqrestore(&ch->lock, flags);
	dmae_complete_list(&done);
}

static void dmae_chan_tasklet(struct tasklet_struct *t)
{
	struct dmae_chan *ch = from_tasklet(ch, t, tasklet);

	dmae_chan_service(ch);
}

/**
 * dmae_chan_poll() - reap a channel's completions from process context
 * @ch: the channel
 *
 * What the completion tasklet does, for a caller that polls instead of
 * waiting for an interrupt; the callbacks run with bottom halves off, as
 * they do from the tasklet.
 */
void dmae_chan_poll(struct dmae_chan *ch)
{
	local_bh_disable();
	dmae_chan_service(ch);
	local_bh_enable();
}

/**
 * dmae_chan_kick() - the channel's interrupt fired: reap completions
 * @ch: the channel
 */
void dmae_chan_kick(struct dmae_chan *ch)
{
	tasklet_schedule(&ch->tasklet);
}

static void dmae_chan_schedule_recover(struct dmae_chan *ch, int err)
{
	WRITE_ONCE(ch->recover_err, err);
	schedule_work(&ch->recover_work);
}

/**
 * dmae_chan_error() - a channel error was signalled; recover if halted
 * @ch: the channel
 */
void dmae_chan_error(struct dmae_chan *ch)
{
	u32 sts = readl(dmae_ch_reg(ch, DMAE_CH_STATUS));

	/* A recovery aborts the channel itself, which halts it. */
	if (READ_ONCE(ch->recovering))
		return;
	if (sts & DMAE_CHSTS_HALTED) {
		dev_err_ratelimited(&ch->dd->pdev->dev,
				    "ch%u halted, error %u at %#llx\n", ch->idx,
				    (sts & DMAE_CHSTS_ERR_MASK) >>
				    DMAE_CHSTS_ERR_SHIFT,
				    readq(dmae_ch_reg(ch, DMAE_CH_ERR_ADDR)));
		dmae_chan_schedule_recover(ch, -EIO);
	}
}

static void dmae_chan_watchdog(struct timer_list *t)
{
	struct dmae_chan *ch = from_timer(ch, t, watchdog);
	unsigned long timeout = msecs_to_jiffies(dmae_timeout_ms);
	unsigned long flags;
	LIST_HEAD(done);
	bool hung = false;

	spin_lock_irqsave(&ch->lock, flags);
	dmae_chan_reap(ch, &done);	/* jobs that asked for no interrupt */
	if (ch->head != ch->issued) {
		if (time_after(jiffies, ch->last_progress + timeout))
			hung = true;
		else
			mod_timer(&ch->watchdog, ch->last_progress + timeout + 1);
	}
	dmae_chan_push(ch);
	spin_unlock_irqrestore(&ch->lock, flags);
	dmae_complete_list(&done);
	if (hung) {
		dev_err(&ch->dd->pdev->dev,
			"ch%u made no progress in %u ms; resetting it\n",
			ch->idx, dmae_timeout_ms);
		dmae_chan_schedule_recover(ch, -ETIMEDOUT);
	}
}

/*
 * Abort and reset the channel: jobs that completed get their outcome,
 * every other job in the ring fails with ch->recover_err, the backlog
 * goes on afterwards.
 */
static void dmae_chan_recover_work(struct work_struct *work)
{
	struct dmae_chan *ch = container_of(work, struct dmae_chan,
					    recover_work);
	int err = READ_ONCE(ch->recover_err);
	struct dmae_job *job;
	unsigned long flags;
	bool busy;
	LIST_HEAD(done);
	LIST_HEAD(failed);

	WRITE_ONCE(ch->recovering, true);
	trace_dmae_hw_reset(&ch->dd->pdev->dev, ch->idx, err);
	spin_lock_irqsave(&ch->lock, flags);
	busy = ch->head != ch->issued;
	spin_unlock_irqrestore(&ch->lock, flags);
	if (dmae_chan_hw_stop(ch, busy ? DMAE_CHCTRL_ABORT : 0)) {
		/* It may still write into the buffers: keep them. */
		dev_err(&ch->dd->pdev->dev,
			"ch%u does not stop; it is out of service\n", ch->idx);
		spin_lock_irqsave(&ch->lock, flags);
		ch->dead = true;
		spin_unlock_irqrestore(&ch->lock, flags);
		return;
	}
	spin_lock_irqsave(&ch->lock, flags);
	dmae_chan_reap(ch, &done);
	while (ch->head != ch->tail) {
		u32 slot = ch->head++ & (ch->size - 1);

		job = ch->jobs[slot];
		ch->jobs[slot] = NULL;
		job->status = err;
		job->hw_err = 0;
		job->bytes = 0;
		ch->completed++;
		ch->errors++;
		list_add_tail(&job->node, &failed);
	}
	ch->head = 0;
	ch->tail = 0;
	ch->issued = 0;
	ch->resets++;
	/* A device being removed is not started again (dmae_stop_chans()). */
	if (!ch->dead) {
		dmae_chan_hw_start(ch);
		dmae_chan_push(ch);
	}
	spin_unlock_irqrestore(&ch->lock, flags);
	WRITE_ONCE(ch->recovering, false);
	dmae_complete_list(&done);
	dmae_complete_list(&failed);
}

/* Does one side of @job add up to its length, within the SG limit? */
static bool dmae_side_valid(struct dmae_dev *dd, u32 len, struct sg_table *sgt,
			    const struct dmae_seg *segs, unsigned int nsegs)
{
	struct scatterlist *sg;
	u64 total = 0;
	unsigned int i;

	if (sgt) {
		if (!sgt->nents || sgt->nents > dd->max_sg || nsegs)
			return false;
		for_each_sgtable_dma_sg(sgt, sg, i)
			total += sg_dma_len(sg);
		return total == len;
	}
	if (!nsegs)
		return true;
	if (nsegs > dd->max_sg || !segs)
		return false;
	for (i = 0; i < nsegs; i++)
		total += segs[i].len;
	return total == len;
}

static bool dmae_job_valid(struct dmae_dev *dd, struct dmae_job *job)
{
	if (job->op > DMAE_OP_MAX || !job->done)
		return false;
	if (job->op == DMAE_OP_NOP)
		return true;
	if (!job->len || job->len > dd->max_xfer)
		return false;
	return dmae_side_valid(dd, job->len, job->src_sgt, job->src_segs,
			       job->src_nsegs) &&
	       dmae_side_valid(dd, job->len, job->dst_sgt, job->dst_segs,
			       job->dst_nsegs);
}

/**
 * dmae_submit_locked() - dmae_submit() with @ch->lock held
 * @ch: the channel
 * @job: the job
 *
 * For callers that must queue several jobs atomically (in order) with
 * respect to other submitters.
 *
 * Return: as dmae_submit().
 */
int dmae_submit_locked(struct dmae_chan *ch, struct dmae_job *job)
{
	lockdep_assert_held(&ch->lock);
	if (!dmae_job_valid(ch->dd, job))
		return -EINVAL;
	if (ch->dead)
		return -EIO;
	list_add_tail(&job->node, &ch->backlog);
	ch->submitted++;
	return 0;
}

/**
 * dmae_submit() - queue a job on a channel
 * @ch: the channel
 * @job: the job; it must stay alive until its ->done() runs
 *
 * The job runs after dmae_issue(). May be called from any context.
 *
 * Return: 0; -EINVAL for a job the engine cannot run (unknown op, length
 * 0 or above dmae_max_len(), more SG entries than dmae_max_sg(), SG
 * lengths that do not add up to @job->len); -EIO if the channel is out
 * of service.
 */
int dmae_submit(struct dmae_chan *ch, struct dmae_job *job)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&ch->lock, flags);
	ret = dmae_submit_locked(ch, job);
	spin_unlock_irqrestore(&ch->lock, flags);
	return ret;
}

/**
 * dmae_issue() - start the submitted jobs of a channel
 * @ch: the channel
 */
void dmae_issue(struct dmae_chan *ch)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	dmae_chan_push(ch);
	spin_unlock_irqrestore(&ch->lock, flags);
}

int dmae_chan_init(struct dmae_dev *dd, unsigned int idx)
{
	struct dmae_chan *ch = &dd->chan[idx];
	struct device *dev = &dd->pdev->dev;

	ch->dd = dd;
	ch->idx = idx;
	ch->regs = dd->regs + DMAE_CHAN_BASE + idx * DMAE_CHAN_STRIDE;
	ch->size = clamp_t(u32, rounddown_pow_of_two(max(ring_size, 2U)), 2,
			   dd->ring_max);
	spin_lock_init(&ch->lock);
	INIT_LIST_HEAD(&ch->backlog);
	INIT_LIST_HEAD(&ch->dma_pending);
	tasklet_setup(&ch->tasklet, dmae_chan_tasklet);
	timer_setup(&ch->watchdog, dmae_chan_watchdog, 0);
	INIT_WORK(&ch->recover_work, dmae_chan_recover_work);

	ch->ring = dmam_alloc_coherent(dev, ch->size * sizeof(*ch->ring),
				       &ch->ring_dma, GFP_KERNEL);
	ch->compl = dmam_alloc_coherent(dev, ch->size * sizeof(*ch->compl),
					&ch->compl_dma, GFP_KERNEL);
	ch->sg = dmam_alloc_coherent(dev, ch->size * 2 * DMAE_DRV_MAX_SG *
				     sizeof(*ch->sg), &ch->sg_dma, GFP_KERNEL);
	ch->jobs = devm_kcalloc(dev, ch->size, sizeof(*ch->jobs), GFP_KERNEL);
	if (!ch->ring || !ch->compl || !ch->sg || !ch->jobs)
		return -ENOMEM;
	dmae_chan_hw_start(ch);
	return 0;
}

/**
 * dmae_chan_stop() - stop the hardware of a channel (device going away)
 * @ch: the channel
 */
void dmae_chan_stop(struct dmae_chan *ch)
{
	if (dmae_chan_hw_stop(ch, DMAE_CHCTRL_RESET))
		dev_err(&ch->dd->pdev->dev, "ch%u does not stop\n", ch->idx);
}

/**
 * dmae_chan_shutdown() - after dmae_chan_stop() and with the interrupts
 * freed: stop the tasklet, timer and work, fail what is left
 * @ch: the channel
 */
void dmae_chan_shutdown(struct dmae_chan *ch)
{
	struct dmae_job *job;
	unsigned long flags;
	LIST_HEAD(failed);

	/*
	 * From here on the channel takes no job and touches no hardware:
	 * dmaengine clients may still hold it after the device is gone.
	 */
	spin_lock_irqsave(&ch->lock, flags);
	ch->dead = true;
	spin_unlock_irqrestore(&ch->lock, flags);
	del_timer_sync(&ch->watchdog);
	cancel_work_sync(&ch->recover_work);
	tasklet_kill(&ch->tasklet);
	while (ch->head != ch->tail) {
		job = ch->jobs[ch->head++ & (ch->size - 1)];
		job->status = -ESHUTDOWN;
		list_add_tail(&job->node, &failed);
	}
	list_splice_tail_init(&ch->backlog, &failed);
	list_for_each_entry(job, &failed, node)
		job->status = -ESHUTDOWN;
	dmae_complete_list(&failed);
}

static ssize_t chan_stats_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct dmae_dev *dd = dev_get_drvdata(dev);
	unsigned int i;
	int n = 0;

	for (i = 0; i < dd->nchan; i++) {
		struct dmae_chan *ch = &dd->chan[i];

		n += sysfs_emit_at(buf, n,
				   "ch%u submitted %llu completed %llu errors %llu bytes %llu resets %llu bad_records %llu\n",
				   i, ch->submitted, ch->completed, ch->errors,
				   ch->bytes, ch->resets, ch->bad_records);
	}
	return n;
}
static DEVICE_ATTR_RO(chan_stats);

static struct attribute *dmae_chan_attrs[] = {
	&dev_attr_chan_stats.attr,
	NULL
};

const struct attribute_group dmae_chan_attr_group = {
	.attrs = dmae_chan_attrs,
};
