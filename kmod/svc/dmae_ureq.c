// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: one submission from the shared ring. Its user buffers are
 * pinned (pin_user_pages_fast, writable for the destination), described
 * by an sg_table and mapped with dma_map_sgtable; the transfer is cut into
 * jobs that fit a descriptor's SG lists. When the last job is done, a work
 * item unmaps, unpins (dirtying the destination) and only then posts the
 * completion. Small copies may run on the CPU instead.
 */

#include <linux/crc32.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "dmae_cdev.h"

#define CREATE_TRACE_POINTS
#include "dmae_svc_trace.h"

/* The CPU path copies through a kernel buffer of at most this size. */
#define DMAE_CPU_MAX		SZ_64K

/**
 * struct dmae_ureq - a submission being done by the engine
 * @ctx: its context
 * @work: completes it in process context, when pages were pinned for it
 * @user_data: for the completion
 * @chan: the backend's channel its jobs go to
 * @devi: index of @chan's device in the backend (dmae_be_chan_devi())
 * @dev: that device, which the request's memory is mapped for
 * @pattern: FILL's pattern
 * @op: DMAE_UOP_*
 * @len: bytes
 * @src: the source, if pinned for this request
 * @dst: the destination, if pinned for this request
 * @src_fixed: the source's registered buffer, if any
 * @dst_fixed: the destination's registered buffer, if any
 * @src_off: offset in @src_fixed
 * @dst_off: offset in @dst_fixed
 * @done: reports the outcome (NULL: post it to the context's CQ)
 * @arg: for @done
 * @pending: jobs not yet done
 * @njobs: jobs
 * @segs: the SG pieces of all jobs, two runs of @stride per job
 * @stride: SG pieces one side of one job may need (dmae_seg_stride())
 * @per: bytes per job (dmae_req_job_bytes())
 * @borrowed: @src and @dst are the caller's (dmae_ureq_copy_wait()): not
 *	released here
 * @start_ns: when it was built, for the completion's latency (tracing)
 * @polled: a polled context's ring waits for it: its jobs ask for no
 *	interrupt
 * @jobs: the jobs
 */
struct dmae_ureq {
	struct dmae_ctx *ctx;
	struct work_struct work;
	u64 user_data;
	unsigned int chan;
	unsigned int devi;
	struct device *dev;
	u64 pattern;
	u8 op;
	u32 len;
	struct dmae_upin src;
	struct dmae_upin dst;
	struct dmae_ubuf *src_fixed;
	struct dmae_ubuf *dst_fixed;
	u64 src_off;
	u64 dst_off;
	dmae_done_fn done;
	void *arg;
	atomic_t pending;
	unsigned int njobs;
	struct dmae_seg *segs;
	unsigned int stride;
	u32 per;
	bool borrowed;
	u64 start_ns;
	bool polled;
	struct dmae_job jobs[];
};

static void dmae_finish(struct dmae_ctx *ctx, dmae_done_fn done, void *arg,
			u64 user_data, s32 res, u32 result, u32 cflags,
			u32 moved)
{
	if (done)
		done(ctx, arg, user_data, res, result, cflags, moved);
	else
		dmae_ctx_post(ctx, user_data, res, cflags, result, moved);
}

/* Bytes one job covers: each side's pages fit a descriptor's SG list. */
static u32 dmae_job_bytes(struct dmae_be *be)
{
	return min_t(u32, be->max_len, (be->max_sg - 2) * PAGE_SIZE);
}

/*
 * Bytes per job for a request whose sides start at user addresses @src
 * and @dst (@src unused for FILL): a job's range may span at most max_sg
 * pages on either side. Jobs are cut at multiples of PAGE_SIZE, so every
 * job starts at the request's offset within a page; if that is 0 on both
 * sides a job may cover max_sg whole pages (a 1 MiB copy of aligned
 * buffers is one descriptor), else one page less.
 */
static u32 dmae_req_job_bytes(struct dmae_be *be, u64 src, u64 dst,
			      bool has_src)
{
	bool aligned = !(dst & ~PAGE_MASK) && (!has_src || !(src & ~PAGE_MASK));
	u32 pages = be->max_sg - (aligned ? 0 : 1);

	return min_t(u32, be->max_len, pages * PAGE_SIZE);
}

/**
 * dmae_ureq_crc_max() - the longest COPY_CRC32C submission
 * @be: the backend
 *
 * Return: one job's worth of bytes.
 */
u32 dmae_ureq_crc_max(struct dmae_be *be)
{
	return dmae_job_bytes(be);
}

/* Walks the DMA segments of a mapped table, cutting pieces off it. */
struct dmae_cut {
	struct scatterlist *sg;
	u32 off;
};

/* Start cutting @off bytes into @sgt (@off is below its mapped length). */
static void dmae_cut_seek(struct dmae_cut *c, struct sg_table *sgt, u64 off)
{
	c->sg = sgt->sgl;
	while (off >= sg_dma_len(c->sg)) {
		off -= sg_dma_len(c->sg);
		c->sg = sg_next(c->sg);
	}
	c->off = off;
}

static bool dmae_ureq_fixed(struct dmae_ureq *req)
{
	return req->src_fixed || req->dst_fixed;
}

static void dmae_ureq_sync(struct dmae_ureq *req, bool for_device)
{
	struct dmae_ubuf *b[] = { req->src_fixed, req->dst_fixed };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(b); i++) {
		struct sg_table *sgt;

		if (!b[i] || !b[i]->need_sync)
			continue;
		sgt = dmae_ubuf_sgt(b[i], req->devi);
		if (for_device)
			dma_sync_sgtable_for_device(req->dev, sgt,
						    DMA_BIDIRECTIONAL);
		else
			dma_sync_sgtable_for_cpu(req->dev, sgt,
						 DMA_BIDIRECTIONAL);
	}
}

/* Send the request to channel @chan, whose device its memory is mapped for. */
static void dmae_ureq_set_chan(struct dmae_ureq *req, unsigned int chan)
{
	struct dmae_be *be = req->ctx->ud->be;

	req->chan = chan;
	req->devi = dmae_be_chan_devi(be, chan);
	req->dev = dmae_be_dev(be, req->devi);
}

static unsigned int dmae_cut(struct dmae_cut *c, u32 len, struct dmae_seg *out,
			     unsigned int max)
{
	unsigned int n = 0;

	while (len) {
		u32 l = min(len, sg_dma_len(c->sg) - c->off);

		if (n == max)
			return 0;
		out[n].addr = sg_dma_address(c->sg) + c->off;
		out[n++].len = l;
		len -= l;
		c->off += l;
		if (c->off == sg_dma_len(c->sg)) {
			c->sg = sg_next(c->sg);
			c->off = 0;
		}
	}
	return n;
}

static int dmae_ureq_errno(struct dmae_ureq *req)
{
	unsigned int i;

	for (i = 0; i < req->njobs; i++)
		if (req->jobs[i].status)
			return req->jobs[i].status;
	return 0;
}

/*
 * Unmap, unpin, then post the completion. In process context when pages
 * were pinned for the request (unpinning a written page locks it);
 * otherwise straight from the channel's completion tasklet.
 */
static void dmae_ureq_complete(struct dmae_ureq *req)
{
	struct dmae_ctx *ctx = req->ctx;
	struct device *dev = req->dev;
	struct dmae_udev *ud = ctx->ud;
	int err = dmae_ureq_errno(req);
	u32 result = 0, off = 0, i;
	s32 res = err;

	/* The device is done: unmap and unpin before anyone hears of it. */
	if (!req->borrowed) {
		dmae_unpin(dev, &req->dst);
		dmae_unpin(dev, &req->src);
	}
	if (dmae_ureq_fixed(req)) {
		dmae_ureq_sync(req, false);
		if (atomic_dec_and_test(&ctx->buf_users))
			wake_up_all(&ctx->idle);
	}
	if (!err) {
		res = req->len;
		if (req->op == DMAE_UOP_COMPARE) {
			res = 0;
			result = req->len;
			for (i = 0; i < req->njobs; off += req->jobs[i++].len) {
				if (req->jobs[i].result) {
					res = 1;
					result = off + req->jobs[i].bytes;
					break;
				}
			}
		} else if (req->op == DMAE_UOP_COPY_CRC32C) {
			result = req->jobs[0].result;
		}
	}
	/*
	 * The engine is done with the request: let a waiting remove go on.
	 * The context (and its reference on @ud) lives until the post.
	 */
	if (atomic_dec_and_test(&ud->inflight))
		wake_up_all(&ud->idle);
	trace_dmae_svc_complete(ctx->id, req->user_data, res,
				ktime_get_ns() - req->start_ns);
	dmae_finish(ctx, req->done, req->arg, req->user_data, res, result, 0,
		    !err && req->op != DMAE_UOP_COMPARE ? req->len : 0);
	kvfree(req->segs);
	kfree(req);
}

static void dmae_ureq_work(struct work_struct *work)
{
	dmae_ureq_complete(container_of(work, struct dmae_ureq, work));
}

/*
 * The last job of a request is done. A request on registered buffers has
 * nothing to unpin and completes at once: one trip through a workqueue
 * less, which is much of what registering buffers saves on small copies.
 */
static void dmae_ureq_job_done(struct dmae_job *job)
{
	struct dmae_ureq *req = job->priv;

	if (!atomic_dec_and_test(&req->pending))
		return;
	if (!req->borrowed && (req->src.npages || req->dst.npages))
		queue_work(dmae_svc_wq, &req->work);
	else
		dmae_ureq_complete(req);
}

static u8 dmae_job_op(u8 uop)
{
	switch (uop) {
	case DMAE_UOP_FILL:
		return DMAE_JOB_FILL;
	case DMAE_UOP_COMPARE:
		return DMAE_JOB_COMPARE;
	case DMAE_UOP_COPY_CRC32C:
		return DMAE_JOB_COPY_CRC32C;
	default:	/* COPY, and the file operations' copies */
		return DMAE_JOB_COPY;
	}
}

/*
 * SG pieces one side of a job of @len bytes can need: the pieces of a
 * mapped table that a range overlaps are at most the pages it spans, since
 * only a table's first and last entries hold part of a page. Sized by
 * this instead of the device's max_sg (256), a 4 KiB copy needs 6 pieces
 * (96 bytes) rather than 8 KiB to allocate and clear. Were the bound ever
 * wrong, dmae_cut() fails the request rather than overrun.
 */
static unsigned int dmae_seg_stride(struct dmae_be *be, u32 len, u32 per)
{
	u32 job = min(len, per);

	return min_t(u32, be->max_sg, DIV_ROUND_UP(job, PAGE_SIZE) + 2);
}

/* Cut the mapped sides into jobs and queue them on the context's channel. */
static int dmae_ureq_submit_jobs(struct dmae_ureq *req, u64 pattern)
{
	unsigned int stride = req->stride, njobs, i;
	u32 per = req->per, off = 0;
	struct dmae_cut cs = { .sg = req->src.sgt.sgl };
	struct dmae_cut cd = { .sg = req->dst.sgt.sgl };

	if (req->src_fixed)
		dmae_cut_seek(&cs, dmae_ubuf_sgt(req->src_fixed, req->devi),
			      req->src_off);
	if (req->dst_fixed)
		dmae_cut_seek(&cd, dmae_ubuf_sgt(req->dst_fixed, req->devi),
			      req->dst_off);

	for (i = 0; i < req->njobs; i++) {
		struct dmae_job *job = &req->jobs[i];
		struct dmae_seg *ss = &req->segs[2 * i * stride];
		struct dmae_seg *ds = ss + stride;
		u32 len = min(per, req->len - off);

		job->op = dmae_job_op(req->op);
		job->len = len;
		job->pattern = pattern;
		/* the last job interrupts, unless its waiter polls for it */
		job->irq = i == req->njobs - 1 && !req->polled;
		job->done = dmae_ureq_job_done;
		job->priv = req;
		if (req->op != DMAE_UOP_FILL) {
			job->src_segs = ss;
			job->src_nsegs = dmae_cut(&cs, len, ss, stride);
		}
		job->dst_segs = ds;
		job->dst_nsegs = dmae_cut(&cd, len, ds, stride);
		if ((req->op != DMAE_UOP_FILL && !job->src_nsegs) ||
		    !job->dst_nsegs)
			return -EINVAL;
		off += len;
	}
	/*
	 * Once the last job is queued the request may complete, and be
	 * freed, at any time (the tasklet pushes the backlog too): from here
	 * on, only locals decide when to stop.
	 */
	njobs = req->njobs;
	trace_dmae_svc_jobs(req->ctx->id, req->user_data, req->chan, njobs,
			    req->len);
	atomic_set(&req->pending, njobs);
	for (i = 0; i < njobs; i++) {
		struct dmae_be *be = req->ctx->ud->be;
		int ret = be->ops->submit(be, req->chan, &req->jobs[i]);

		/* Only a dead channel refuses checked jobs. */
		if (ret) {
			for (; i < njobs; i++) {
				req->jobs[i].status = ret;
				dmae_ureq_job_done(&req->jobs[i]);
			}
			return 0;
		}
	}
	return 0;
}

/* The user address of a side: plain, or inside its registered buffer. */
static u64 dmae_side_uaddr(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
			   bool src)
{
	if (src && (sqe->flags & DMAE_SQE_FIXED_SRC))
		return ctx->bufs[sqe->src_buf].uaddr + sqe->src;
	if (!src && (sqe->flags & DMAE_SQE_FIXED_DST))
		return ctx->bufs[sqe->dst_buf].uaddr + sqe->dst;
	return src ? sqe->src : sqe->dst;
}

/* The CPU path: through a kernel buffer, for short copies. */
static int dmae_ureq_cpu(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
			 dmae_done_fn done, void *arg)
{
	void __user *src = u64_to_user_ptr(dmae_side_uaddr(ctx, sqe, true));
	void __user *dst = u64_to_user_ptr(dmae_side_uaddr(ctx, sqe, false));
	u32 len = sqe->len, result = 0, i;
	s32 res = len;
	u8 *buf;

	buf = kvmalloc(2 * len, DMAE_GFP_USER);
	if (!buf)
		return -ENOMEM;
	switch (sqe->opcode) {
	case DMAE_UOP_FILL:
		for (i = 0; i < len; i++)
			buf[i] = sqe->pattern >> (8 * (i % 8));
		if (copy_to_user(dst, buf, len))
			res = -EFAULT;
		break;
	case DMAE_UOP_COMPARE:
		if (copy_from_user(buf, src, len) ||
		    copy_from_user(buf + len, dst, len)) {
			res = -EFAULT;
			break;
		}
		for (i = 0; i < len && buf[i] == buf[len + i]; i++)
			;
		res = i < len;
		result = i;
		break;
	default:
		if (copy_from_user(buf, src, len) || copy_to_user(dst, buf, len)) {
			res = -EFAULT;
			break;
		}
		if (sqe->opcode == DMAE_UOP_COPY_CRC32C)
			result = ~__crc32c_le(~0U, buf, len);
	}
	kvfree(buf);
	trace_dmae_svc_cpu(ctx->id, sqe->user_data, sqe->opcode, len, res);
	dmae_finish(ctx, done, arg, sqe->user_data, res, result, DMAE_CQE_F_CPU,
		    res > 0 && sqe->opcode != DMAE_UOP_COMPARE ? len : 0);
	return 0;
}

/* A fixed side: the index names a buffer and the range lies inside it. */
static bool dmae_fixed_ok(struct dmae_ctx *ctx, u16 idx, u64 off, u32 len)
{
	return idx < ctx->nbufs && off <= ctx->bufs[idx].len &&
	       len <= ctx->bufs[idx].len - off;
}

/**
 * dmae_sqe_check() - check an entry before it is started
 * @ctx: its context
 * @sqe: the entry, already copied into the kernel
 *
 * Return: 0, or the errno its completion carries.
 */
int dmae_sqe_check(struct dmae_ctx *ctx, const struct dmae_sqe *sqe)
{
	struct dmae_be *be = ctx->ud->be;
	u8 op = sqe->opcode;
	/* which sides are files: then the address is an offset in it */
	bool fsrc = op == DMAE_UOP_FILE_READ || op == DMAE_UOP_FILE_COPY;
	bool fdst = op == DMAE_UOP_FILE_WRITE || op == DMAE_UOP_FILE_COPY;

	if (op > DMAE_UOP_LAST)
		return -EINVAL;
	if (sqe->flags & ~DMAE_SQE_VALID_FLAGS)
		return -EINVAL;
	if (sqe->resv0 || sqe->resv1 || sqe->resv2 ||
	    (!fsrc && sqe->src_fd) || (!fdst && sqe->dst_fd))
		return -EINVAL;
	if (op == DMAE_UOP_NOP)
		return sqe->len || (sqe->flags & ~(DMAE_SQE_IO_LINK |
						   DMAE_SQE_IO_DRAIN)) ? -EINVAL : 0;
	if ((sqe->flags & DMAE_SQE_FIXED_SRC) &&
	    (op == DMAE_UOP_FILL || fsrc ||
	     !dmae_fixed_ok(ctx, sqe->src_buf, sqe->src, sqe->len)))
		return -EINVAL;
	if ((sqe->flags & DMAE_SQE_FIXED_DST) &&
	    (fdst || !dmae_fixed_ok(ctx, sqe->dst_buf, sqe->dst, sqe->len)))
		return -EINVAL;
	if (!sqe->len || sqe->len > DMAE_UREQ_MAX_LEN)
		return -EINVAL;
	/* what the engine does not do (the file operations are copies) */
	if (!(be->ops_mask & BIT(dmae_job_op(op))))
		return -EOPNOTSUPP;
	if (op == DMAE_UOP_COPY_CRC32C && sqe->len > dmae_ureq_crc_max(be))
		return -E2BIG;
	if ((sqe->flags & DMAE_SQE_FIXED_FILE_SRC) && !fsrc)
		return -EINVAL;
	if ((sqe->flags & DMAE_SQE_FIXED_FILE_DST) && !fdst)
		return -EINVAL;
	/* a descriptor, or a registered file's index: as io_uring, EBADF */
	if (fsrc && (sqe->src_fd < 0 ||
		     ((sqe->flags & DMAE_SQE_FIXED_FILE_SRC) &&
		      sqe->src_fd >= ctx->nfiles)))
		return -EBADF;
	if (fdst && (sqe->dst_fd < 0 ||
		     ((sqe->flags & DMAE_SQE_FIXED_FILE_DST) &&
		      sqe->dst_fd >= ctx->nfiles)))
		return -EBADF;
	if (fsrc || fdst)
		return 0;
	if (op != DMAE_UOP_FILL &&
	    dmae_ranges_overlap(dmae_side_uaddr(ctx, sqe, true),
				dmae_side_uaddr(ctx, sqe, false), sqe->len))
		return -EINVAL;
	return 0;
}

struct dmae_ureq_waiter {
	struct completion done;
	int res;
};

static void dmae_ureq_wait_done(struct dmae_ctx *ctx, void *arg,
				u64 user_data, s32 res, u32 result, u32 cflags,
				u32 moved)
{
	struct dmae_ureq_waiter *w = arg;

	w->res = res;
	complete(&w->done);
}

/**
 * dmae_ureq_copy_wait() - copy between sides the caller holds, and wait
 * @ctx: the context
 * @chan: the channel that does it (dmae_ctx_pick_chan()), whose device
 *	(dmae_ctx_chan_dev()) the caller mapped both sides for
 * @src: the source, mapped (or NULL with @src_fixed)
 * @src_fixed: a registered buffer as the source, else NULL
 * @src_off: offset in @src_fixed
 * @dst: the destination, mapped
 * @len: bytes, no more than either side holds
 *
 * For the file operations, which fill a file's pages one batch at a
 * time: the caller maps both sides, this copies and waits, and the
 * caller releases them. The caller holds @ctx->lock and the device's
 * semaphore for reading (the device and the registered buffers stay).
 *
 * Return: @len, or the request's -errno.
 */
int dmae_ureq_copy_wait(struct dmae_ctx *ctx, unsigned int chan,
			struct dmae_upin *src, struct dmae_ubuf *src_fixed,
			u64 src_off, struct dmae_upin *dst, u32 len)
{
	struct dmae_be *be = ctx->ud->be;
	/* as for sides that do not start on a page boundary: always safe */
	u32 per = dmae_req_job_bytes(be, 1, 1, true);
	unsigned int njobs = DIV_ROUND_UP(len, per), stride;
	struct dmae_ureq_waiter w = { .res = 0 };
	struct dmae_ureq *req;
	int ret;

	req = kzalloc(struct_size(req, jobs, njobs), DMAE_GFP_USER);
	if (!req)
		return -ENOMEM;
	stride = dmae_seg_stride(be, len, per);
	req->segs = kvmalloc_array(2 * njobs * stride, sizeof(*req->segs),
				   DMAE_GFP_USER);
	if (!req->segs) {
		kfree(req);
		return -ENOMEM;
	}
	init_completion(&w.done);
	req->ctx = ctx;
	req->done = dmae_ureq_wait_done;
	req->arg = &w;
	req->op = DMAE_UOP_COPY;
	req->len = len;
	req->njobs = njobs;
	req->stride = stride;
	req->per = per;
	req->borrowed = true;
	dmae_ureq_set_chan(req, chan);
	req->dst = *dst;
	if (src_fixed) {
		req->src_fixed = src_fixed;
		req->src_off = src_off;
	} else {
		req->src = *src;
	}
	INIT_WORK(&req->work, dmae_ureq_work);
	atomic_inc(&ctx->ud->inflight);
	if (src_fixed) {
		atomic_inc(&ctx->buf_users);
		dmae_ureq_sync(req, true);
	}
	ret = dmae_ureq_submit_jobs(req, 0);
	if (ret) {
		if (src_fixed)
			atomic_dec(&ctx->buf_users);
		atomic_dec(&ctx->ud->inflight);
		kvfree(req->segs);
		kfree(req);
		return ret;
	}
	dmae_ctx_job_issue(ctx);
	/* The device writes into pages we hold: wait for it whatever comes. */
	wait_for_completion(&w.done);
	return w.res;
}

/*
 * FILE_READ's source: the page-cache pages of the file's range, held and
 * mapped; @len is cut at the end of the file. The file reference is only
 * needed while the pages are found: the pages' own references keep them.
 */
static int dmae_ureq_file_src(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
			      unsigned int chan, struct dmae_upin *p, u32 *len)
{
	struct file *f = dmae_sqe_file(ctx, sqe, true);
	int ret;

	if (!f)
		return -EBADF;
	ret = dmae_file_pin(dmae_ctx_chan_dev(ctx, chan), p, f, sqe->src, len);
	fput(f);
	return ret;
}

/*
 * Make the request of a checked entry of @len bytes ready for channel
 * @chan: allocated, its sides pinned and mapped for the channel's device
 * (or its registered buffers and @fsrc, FILE_READ's page-cache pages
 * mapped for it, taken over either way), counted in flight. Not yet
 * submitted. May sleep unless @nowait.
 */
static int dmae_ureq_build(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
			   dmae_done_fn done, void *arg, bool nowait,
			   bool polled, unsigned int chan, u32 len,
			   struct dmae_upin *fsrc, struct dmae_ureq **out)
{
	struct dmae_be *be = ctx->ud->be;
	struct device *dev = dmae_ctx_chan_dev(ctx, chan);
	gfp_t gfp = nowait ? GFP_NOWAIT | __GFP_NOWARN : DMAE_GFP_USER;
	unsigned int njobs, stride, pin = nowait ? DMAE_PIN_NOWAIT : 0;
	struct dmae_ureq *req;
	u32 per;
	int ret;

	per = dmae_req_job_bytes(be, dmae_side_uaddr(ctx, sqe, true),
				 dmae_side_uaddr(ctx, sqe, false),
				 sqe->opcode != DMAE_UOP_FILL);
	njobs = DIV_ROUND_UP(len, per);
	ret = nowait ? -EAGAIN : -ENOMEM;
	req = kzalloc(struct_size(req, jobs, njobs), gfp);
	if (!req) {
		dmae_unpin(dev, fsrc);
		return ret;
	}
	stride = dmae_seg_stride(be, len, per);
	req->segs = kvmalloc_array(2 * njobs * stride, sizeof(*req->segs), gfp);
	if (!req->segs) {
		kfree(req);
		dmae_unpin(dev, fsrc);
		return ret;
	}
	req->ctx = ctx;
	req->done = done;
	req->arg = arg;
	req->user_data = sqe->user_data;
	req->op = sqe->opcode;
	req->len = len;
	req->njobs = njobs;
	req->stride = stride;
	req->per = per;
	req->pattern = sqe->pattern;
	dmae_ureq_set_chan(req, chan);
	req->start_ns = ktime_get_ns();
	req->polled = polled;
	req->src = *fsrc;
	memset(fsrc, 0, sizeof(*fsrc));
	INIT_WORK(&req->work, dmae_ureq_work);

	ret = 0;
	if (sqe->flags & DMAE_SQE_FIXED_DST) {
		req->dst_fixed = &ctx->bufs[sqe->dst_buf];
		req->dst_off = sqe->dst;
	} else {
		ret = dmae_pin(dev, &req->dst, sqe->dst, len,
			       pin | (sqe->opcode != DMAE_UOP_COMPARE ?
				      DMAE_PIN_WRITE : 0));
	}
	if (!ret && (sqe->flags & DMAE_SQE_FIXED_SRC)) {
		req->src_fixed = &ctx->bufs[sqe->src_buf];
		req->src_off = sqe->src;
	} else if (!ret && sqe->opcode != DMAE_UOP_FILL && !req->src.pagecache) {
		ret = dmae_pin(dev, &req->src, sqe->src, len, pin);
	}
	if (ret) {
		dmae_unpin(dev, &req->dst);
		dmae_unpin(dev, &req->src);
		kvfree(req->segs);
		kfree(req);
		return ret;
	}
	atomic_inc(&ctx->ud->inflight);
	if (dmae_ureq_fixed(req)) {
		atomic_inc(&ctx->buf_users);
		dmae_ureq_sync(req, true);
	}
	*out = req;
	return 0;
}

/* Undo dmae_ureq_build() of a request none of whose jobs was submitted. */
static void dmae_ureq_unbuild(struct dmae_ureq *req)
{
	struct dmae_ctx *ctx = req->ctx;
	struct device *dev = req->dev;

	if (dmae_ureq_fixed(req))
		atomic_dec(&ctx->buf_users);
	if (atomic_dec_and_test(&ctx->ud->inflight))
		wake_up_all(&ctx->ud->idle);
	dmae_unpin(dev, &req->dst);
	dmae_unpin(dev, &req->src);
	kvfree(req->segs);
	kfree(req);
}

/**
 * dmae_ureq_start() - start one entry
 * @ctx: the context
 * @sqe: the entry, copied out of the shared ring or the io_uring SQE
 * @done: reports the outcome; NULL posts it to the context's CQ
 * @arg: for @done
 * @how: DMAE_UREQ_NOWAIT: io_uring's non-blocking issue: fail with -EAGAIN
 *	rather than fault pages in, copy on the CPU or sleep for memory;
 *	DMAE_UREQ_RING: an entry of the context's own ring, whose waits poll
 *	for it if the context is DMAE_SETUP_IOPOLL; DMAE_UREQ_POLLED: its
 *	waiter polls for it (io_uring's IOPOLL), so it asks for no interrupt
 *
 * Checks the entry and starts it. NOP and the CPU path are done at once;
 * the engine's requests complete later, from a work item when pages were
 * pinned for them, else from the channel's completion tasklet.
 *
 * Return: 0 when @done will be called exactly once (maybe already); a
 * negative errno, without calling @done, when the entry fails at once.
 */
int dmae_ureq_start(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
		    dmae_done_fn done, void *arg, unsigned int how)
{
	bool nowait = how & DMAE_UREQ_NOWAIT;
	struct dmae_upin fsrc = {};
	u32 len = sqe->len;
	struct dmae_ureq *req;
	unsigned int chan;
	int ret;

	ret = dmae_sqe_check(ctx, sqe);
	if (ret)
		return ret;
	trace_dmae_svc_submit(ctx->id, sqe->user_data, sqe->opcode, sqe->flags,
			      sqe->len);
	if (sqe->opcode == DMAE_UOP_NOP) {
		dmae_finish(ctx, done, arg, sqe->user_data, 0, 0, 0, 0);
		return 0;
	}
	if (sqe->opcode == DMAE_UOP_FILE_WRITE ||
	    sqe->opcode == DMAE_UOP_FILE_COPY) {
		/* Done here and now, as write(2) does it: sleeps. */
		if (nowait)
			return -EAGAIN;
		ret = dmae_file_write(ctx, sqe);
		if (ret < 0)
			return ret;
		dmae_finish(ctx, done, arg, sqe->user_data, ret, 0, 0, ret);
		return 0;
	}
	if (sqe->opcode == DMAE_UOP_FILE_READ) {
		/* Finding the pages may read them in: sleeps. */
		if (nowait)
			return -EAGAIN;
	} else if (len < ctx->cpu_threshold &&
		   !(sqe->flags & DMAE_SQE_NO_CPU)) {
		/* Its user copies may fault. */
		if (nowait)
			return -EAGAIN;
		return dmae_ureq_cpu(ctx, sqe, done, arg);
	}
	/* The channel first: the memory is mapped for its device. */
	chan = dmae_ctx_pick_chan(ctx);
	if (sqe->opcode == DMAE_UOP_FILE_READ) {
		ret = dmae_ureq_file_src(ctx, sqe, chan, &fsrc, &len);
		if (ret || !len)
			goto out_file;
	}

	ret = dmae_ureq_build(ctx, sqe, done, arg, nowait,
			      (ctx->iopoll && (how & DMAE_UREQ_RING)) ||
			      (how & DMAE_UREQ_POLLED), chan, len, &fsrc, &req);
	if (ret)
		return ret;
	ret = dmae_ureq_submit_jobs(req, req->pattern);
	if (ret)
		dmae_ureq_unbuild(req);
	return ret;

out_file:
	dmae_unpin(dmae_ctx_chan_dev(ctx, chan), &fsrc);
	/* A read at or past the end of the file: 0 bytes, as pread() says */
	if (!ret)
		dmae_finish(ctx, done, arg, sqe->user_data, 0, 0, 0, 0);
	return ret;
}

/**
 * dmae_ureq_prepare() - make an entry ready to start later
 * @ctx: the context; its lock and the device's semaphore held
 * @sqe: the entry
 * @done: reports the outcome once dmae_ureq_launch() has run it
 * @arg: for @done
 * @reqp: the request, or NULL when the entry has nothing for the engine
 *	(a NOP, a FILE_READ at the end of its file): it completes with 0
 *
 * For entries that wait for others (IO_LINK, IO_DRAIN): all that may
 * sleep or needs the process (checks, pinning, finding page-cache pages)
 * is done now, in the process; dmae_ureq_launch() only hands the jobs to
 * the engine, from wherever the entry before completed. Such an entry
 * always goes to the engine (no CPU path); FILE_WRITE and FILE_COPY,
 * which run in the process as write(2) does, cannot wait: -EINVAL.
 *
 * Return: 0 or the errno the entry completes with.
 */
int dmae_ureq_prepare(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
		      dmae_done_fn done, void *arg, struct dmae_ureq **reqp)
{
	struct dmae_upin fsrc = {};
	u32 len = sqe->len;
	unsigned int chan;
	int ret;

	*reqp = NULL;
	ret = dmae_sqe_check(ctx, sqe);
	if (ret)
		return ret;
	trace_dmae_svc_submit(ctx->id, sqe->user_data, sqe->opcode, sqe->flags,
			      sqe->len);
	if (sqe->opcode == DMAE_UOP_NOP)
		return 0;
	if (sqe->opcode == DMAE_UOP_FILE_WRITE ||
	    sqe->opcode == DMAE_UOP_FILE_COPY)
		return -EINVAL;
	chan = dmae_ctx_pick_chan(ctx);
	if (sqe->opcode == DMAE_UOP_FILE_READ) {
		ret = dmae_ureq_file_src(ctx, sqe, chan, &fsrc, &len);
		if (ret || !len) {
			dmae_unpin(dmae_ctx_chan_dev(ctx, chan), &fsrc);
			return ret;
		}
	}
	/*
	 * Not polled: a waiting entry is launched later, from the link work,
	 * maybe after a polling waiter has asked for its interrupt and gone
	 * to sleep; its own interrupt is what then wakes the waiter.
	 */
	return dmae_ureq_build(ctx, sqe, done, arg, false, false, chan, len,
			       &fsrc, reqp);
}

/*
 * A prepared request that will not run: it completes with @err through
 * @done (its own completion path: unpinned, then reported).
 */
static void dmae_ureq_fail(struct dmae_ureq *req, int err)
{
	unsigned int i;

	for (i = 0; i < req->njobs; i++)
		req->jobs[i].status = err;
	atomic_set(&req->pending, 1);
	req->jobs[0].priv = req;
	dmae_ureq_job_done(&req->jobs[0]);
}

/**
 * dmae_ureq_launch() - hand a prepared request to the engine
 * @req: from dmae_ureq_prepare()
 *
 * Any context; does not sleep. Its done callback is called once, maybe
 * before this returns.
 */
void dmae_ureq_launch(struct dmae_ureq *req)
{
	struct dmae_udev *ud = req->ctx->ud;
	struct dmae_be *be = ud->be;
	unsigned int chan = req->chan;
	struct device *dev = req->dev;
	int ret;

	/*
	 * The engine may have written the source since it was mapped (the
	 * entry before this one): hand the CPU's view to the device now.
	 */
	if (req->src.mapped)
		dma_sync_sgtable_for_device(dev, &req->src.sgt, req->src.dir);
	if (req->dst.mapped)
		dma_sync_sgtable_for_device(dev, &req->dst.sgt, req->dst.dir);
	dmae_ureq_sync(req, true);
	/* @be stays while we ring its doorbell, after @req may be gone */
	atomic_inc(&ud->inflight);
	ret = dmae_ureq_submit_jobs(req, req->pattern);
	if (ret)
		dmae_ureq_fail(req, ret);
	else
		be->ops->issue(be, chan);
	if (atomic_dec_and_test(&ud->inflight))
		wake_up_all(&ud->idle);
}

/**
 * dmae_ureq_abort() - complete a prepared request without running it
 * @req: from dmae_ureq_prepare()
 * @err: what it completes with
 * @done: reports it instead of the one given to dmae_ureq_prepare()
 * @arg: for @done
 *
 * Any context; does not sleep.
 */
void dmae_ureq_abort(struct dmae_ureq *req, int err, dmae_done_fn done,
		     void *arg)
{
	req->done = done;
	req->arg = arg;
	dmae_ureq_fail(req, err);
}
