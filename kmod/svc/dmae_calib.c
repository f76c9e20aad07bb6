// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine copy service: the CPU path's break-even, measured.
 *
 * A context set up with cpu_threshold DMAE_CPU_THRESHOLD_AUTO copies on
 * the CPU what the engine would copy more slowly. Which sizes those are
 * depends on the machine (a native CPU, an emulated one, an IOMMU), so
 * the service measures it, once per device, when the first such context
 * is set up: for each power of two from 512 bytes to
 * DMAE_MAX_CPU_THRESHOLD, a batch of copies the way the CPU path makes
 * them (dmae_ureq_cpu(): a bounce buffer from kvmalloc(), a copy in, a
 * copy out) against the same batch given to the engine at once (as the
 * benchmark's offload runs: several in flight), best of a few rounds, on
 * the context's own channel. The break-even is the smallest size from
 * which the engine is at least as fast at every larger size, the
 * benchmark's definition; if the engine never is, every size below the
 * largest goes to the CPU. (The threshold also sends FILL and COMPARE to
 * the CPU, whose loops are slower than a copy: the figure is a copy's.)
 *
 * The CPU rounds run before the buffers are mapped for the device, which
 * owns them from then on; the engine's copies move the same bytes as the
 * CPU's, so both find them in the caches alike. The buffers are mapped
 * once, as registered buffers are, so the figure is the registered
 * path's; plain buffers pay their pinning and mapping on top. Other work
 * on the channel makes the engine look slower, never faster.
 *
 * A batch waits for its jobs without a limit of its own: they are the
 * backend's until their ->done(), and the backend completes every job
 * (our engine's channel watchdog resets a hung channel; a dmaengine
 * provider that never completes hangs any request as well).
 */
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dmae_cdev.h"

#define DMAE_CAL_MIN		512
#define DMAE_CAL_BATCH		8	/* copies at once, of each size */
#define DMAE_CAL_ROUNDS		5	/* the best one counts */
#define DMAE_CAL_ORDER		get_order(DMAE_MAX_CPU_THRESHOLD)
#define DMAE_CAL_SIZES		8	/* 512 B to 64 KiB */

struct dmae_cal_wait {
	atomic_t left;
	int status;
	struct completion done;
};

static void dmae_cal_done(struct dmae_job *job)
{
	struct dmae_cal_wait *w = job->priv;

	if (job->status)
		WRITE_ONCE(w->status, job->status);
	if (atomic_dec_and_test(&w->left))
		complete(&w->done);
}

/*
 * One batch of @len-byte copies by the engine on channel @chan, in @jobs
 * (DMAE_CAL_BATCH of them): its time in ns, or an errno.
 */
static s64 dmae_cal_engine(struct dmae_be *be, unsigned int chan,
			   struct dmae_job *jobs, dma_addr_t src, dma_addr_t dst,
			   u32 len)
{
	struct dmae_cal_wait w = { .status = 0 };
	unsigned int i, n = 0;
	ktime_t t0;
	int ret = 0;

	atomic_set(&w.left, DMAE_CAL_BATCH);
	init_completion(&w.done);
	t0 = ktime_get();
	for (i = 0; i < DMAE_CAL_BATCH; i++) {
		jobs[i] = (struct dmae_job){
			.op = DMAE_JOB_COPY, .len = len,
			.src_addr = src, .dst_addr = dst,
			.irq = i == DMAE_CAL_BATCH - 1,
			.done = dmae_cal_done, .priv = &w,
		};
		ret = be->ops->submit(be, chan, &jobs[i]);
		if (ret)
			break;
		n++;
	}
	if (n < DMAE_CAL_BATCH && atomic_sub_and_test(DMAE_CAL_BATCH - n, &w.left))
		complete(&w.done);
	be->ops->issue(be, chan);
	/* The jobs are the backend's until their ->done(): see the top. */
	wait_for_completion(&w.done);
	if (ret)
		return ret;
	if (w.status)
		return w.status;
	return ktime_to_ns(ktime_sub(ktime_get(), t0));
}

/* The same batch as the CPU path makes it: its time in ns, or -ENOMEM. */
static s64 dmae_cal_cpu(const u8 *src, u8 *dst, u32 len)
{
	unsigned int i;
	ktime_t t0;
	u8 *buf;

	t0 = ktime_get();
	for (i = 0; i < DMAE_CAL_BATCH; i++) {
		buf = kvmalloc(2 * len, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, src, len);
		memcpy(dst, buf, len);
		kvfree(buf);
	}
	return ktime_to_ns(ktime_sub(ktime_get(), t0));
}

static int dmae_cal_measure(struct dmae_udev *ud, unsigned int chan,
			    u32 *break_even)
{
	struct dmae_be *be = ud->be;
	struct device *dev = dmae_be_dev(be, dmae_be_chan_devi(be, chan));
	size_t size = PAGE_SIZE << DMAE_CAL_ORDER;
	s64 cpu[DMAE_CAL_SIZES], eng, t;
	struct dmae_job *jobs;
	struct page *sp, *dp;
	dma_addr_t sd, dd;
	u32 len, from = 0;
	bool lost = false;
	int ret = 0, r, k;

	jobs = kcalloc(DMAE_CAL_BATCH, sizeof(*jobs), GFP_KERNEL);
	sp = alloc_pages_node(be->node, GFP_KERNEL | __GFP_NOWARN,
			      DMAE_CAL_ORDER);
	dp = alloc_pages_node(be->node, GFP_KERNEL | __GFP_NOWARN,
			      DMAE_CAL_ORDER);
	if (!jobs || !sp || !dp) {
		ret = -ENOMEM;
		goto out_free;
	}
	memset(page_address(sp), 0x5a, size);
	/* The CPU's rounds first, while the pages are the CPU's. */
	for (k = 0, len = DMAE_MAX_CPU_THRESHOLD; k < DMAE_CAL_SIZES;
	     k++, len /= 2) {
		cpu[k] = S64_MAX;
		for (r = 0; r < DMAE_CAL_ROUNDS; r++) {
			t = dmae_cal_cpu(page_address(sp), page_address(dp), len);
			if (t < 0) {
				ret = t;
				goto out_free;
			}
			cpu[k] = min(cpu[k], t);
		}
	}
	sd = dma_map_page(dev, sp, 0, size, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, sd)) {
		ret = -ENOMEM;
		goto out_free;
	}
	dd = dma_map_page(dev, dp, 0, size, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dd)) {
		ret = -ENOMEM;
		goto out_unmap_src;
	}
	/* Largest first, so that "at every larger size" is a running test. */
	for (k = 0, len = DMAE_MAX_CPU_THRESHOLD; k < DMAE_CAL_SIZES;
	     k++, len /= 2) {
		if (len > be->max_len)
			continue;
		eng = S64_MAX;
		for (r = 0; r < DMAE_CAL_ROUNDS; r++) {
			t = dmae_cal_engine(be, chan, jobs, sd, dd, len);
			if (t < 0) {
				ret = t;
				goto out_unmap;
			}
			eng = min(eng, t);
		}
		dev_dbg(dev, "%s: break-even: %u bytes x %d: engine %lld ns, CPU %lld ns\n",
			ud->name, len, DMAE_CAL_BATCH, eng, cpu[k]);
		if (eng > cpu[k])
			lost = true;
		if (!lost)
			from = len;
	}
	/* Copies shorter than the break-even go to the CPU. */
	*break_even = from ? from : DMAE_MAX_CPU_THRESHOLD;
out_unmap:
	dma_unmap_page(dev, dd, size, DMA_FROM_DEVICE);
out_unmap_src:
	dma_unmap_page(dev, sd, size, DMA_TO_DEVICE);
out_free:
	if (dp)
		__free_pages(dp, DMAE_CAL_ORDER);
	if (sp)
		__free_pages(sp, DMAE_CAL_ORDER);
	kfree(jobs);
	return ret;
}

/**
 * dmae_udev_break_even() - the device's CPU-path break-even, in bytes
 * @ud: the device; the caller holds @ud->sem for reading, @ud->be is live
 * @chan: the backend channel to measure on (the caller's context's)
 *
 * Measured at the first call (tens of milliseconds under emulation),
 * then remembered. A failed measurement is not remembered: the next call
 * measures again. The wait for a measurement under way can be killed.
 *
 * Return: the size from which copies go to the engine (a power of two up
 * to DMAE_MAX_CPU_THRESHOLD), or a negative errno (-EIO if the engine
 * failed a copy, -ENOMEM, -EINTR).
 */
int dmae_udev_break_even(struct dmae_udev *ud, unsigned int chan)
{
	u32 be_len;
	int ret;

	if (mutex_lock_killable(&ud->cal_lock))
		return -EINTR;
	if (ud->break_even) {
		ret = ud->break_even;
		goto out;
	}
	ret = dmae_cal_measure(ud, chan, &be_len);
	if (ret) {
		if (ret != -ENOMEM)
			ret = -EIO;
		goto out;
	}
	WRITE_ONCE(ud->break_even, be_len);
	ret = be_len;
	/* Not the misc device: it may be going (dmae_svc_unregister()). */
	dev_info(ud->be->dma_dev, "%s: CPU path break-even measured: %u bytes\n",
		 ud->name, be_len);
out:
	mutex_unlock(&ud->cal_lock);
	return ret;
}
