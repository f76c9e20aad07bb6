// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine copy service: the CPU path's break-even, measured.
 *
 * A context set up with cpu_threshold DMAE_CPU_THRESHOLD_AUTO copies on
 * the CPU what the engine would copy more slowly. Which sizes those are
 * depends on the machine (a native CPU, an emulated one, an IOMMU), so
 * the service measures it, once per device, at the first use: for each
 * power of two from 512 bytes to DMAE_MAX_CPU_THRESHOLD, a batch of
 * copies by memcpy() against the same batch given to the engine at once
 * (as the benchmark's offload runs: several in flight), best of a few
 * rounds. Every copy of a batch moves the same bytes, so both sides find
 * them in the CPU's caches alike (and the buffers are one order-4
 * allocation each, not a large one that could fail). The break-even is
 * the smallest size from which the engine is at least as fast at every
 * larger size, the benchmark's definition; if the engine never is, every
 * size below the largest goes to the CPU. The CPU side is memcpy() in
 * the kernel, what the CPU path's user copies come down to.
 *
 * The buffers are mapped once, as registered buffers are, so the figure
 * is the registered path's; plain buffers pay their pinning and mapping
 * on top. The channel used is the device's first, and what else runs on
 * it makes the engine look slower, never faster than it is.
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
#define DMAE_CAL_ROUNDS		3	/* the best one counts */
#define DMAE_CAL_TIMEOUT	(5 * HZ)	/* a batch; the watchdog's is less */
#define DMAE_CAL_ORDER		get_order(DMAE_MAX_CPU_THRESHOLD)

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
 * One batch of @len-byte copies by the engine, in @jobs (DMAE_CAL_BATCH of
 * them): its time in ns, or an errno.
 */
static s64 dmae_cal_engine(struct dmae_be *be, struct dmae_job *jobs,
			   dma_addr_t src, dma_addr_t dst, u32 len)
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
		ret = be->ops->submit(be, 0, &jobs[i]);
		if (ret)
			break;
		n++;
	}
	if (n < DMAE_CAL_BATCH && atomic_sub_and_test(DMAE_CAL_BATCH - n, &w.left))
		complete(&w.done);
	be->ops->issue(be, 0);
	if (!wait_for_completion_timeout(&w.done, DMAE_CAL_TIMEOUT)) {
		/*
		 * The jobs are the backend's until their ->done(): wait for
		 * it, however long (the channel's watchdog ends them).
		 */
		wait_for_completion(&w.done);
		return -ETIMEDOUT;
	}
	if (ret)
		return ret;
	if (w.status)
		return w.status;
	return ktime_to_ns(ktime_sub(ktime_get(), t0));
}

/* The same batch by memcpy(): its time in ns. */
static s64 dmae_cal_cpu(u8 *src, u8 *dst, u32 len)
{
	unsigned int i;
	ktime_t t0;

	t0 = ktime_get();
	for (i = 0; i < DMAE_CAL_BATCH; i++)
		memcpy(dst, src, len);
	return ktime_to_ns(ktime_sub(ktime_get(), t0));
}

static int dmae_cal_measure(struct dmae_udev *ud, u32 *break_even)
{
	struct dmae_be *be = ud->be;
	struct device *dev = be->dma_dev;
	size_t size = PAGE_SIZE << DMAE_CAL_ORDER;
	struct page *sp, *dp;
	struct dmae_job *jobs;
	dma_addr_t sd, dd;
	u8 *src, *dst;
	u32 len, from = 0;
	bool lost = false;
	int ret = 0, r;

	jobs = kcalloc(DMAE_CAL_BATCH, sizeof(*jobs), GFP_KERNEL);
	sp = alloc_pages_node(be->node, GFP_KERNEL, DMAE_CAL_ORDER);
	dp = alloc_pages_node(be->node, GFP_KERNEL, DMAE_CAL_ORDER);
	if (!jobs || !sp || !dp) {
		ret = -ENOMEM;
		goto out_free;
	}
	src = page_address(sp);
	dst = page_address(dp);
	memset(src, 0x5a, size);
	memset(dst, 0, size);
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
	for (len = DMAE_MAX_CPU_THRESHOLD; len >= DMAE_CAL_MIN; len /= 2) {
		s64 cpu = S64_MAX, eng = S64_MAX, t;

		if (len > be->max_len)
			continue;
		for (r = 0; r < DMAE_CAL_ROUNDS; r++) {
			t = dmae_cal_engine(be, jobs, sd, dd, len);
			if (t < 0) {
				ret = t;
				goto out_unmap;
			}
			eng = min(eng, t);
			cpu = min(cpu, dmae_cal_cpu(src, dst, len));
		}
		dev_dbg(ud->misc.this_device,
			"break-even: %u bytes x %d: engine %lld ns, CPU %lld ns\n",
			len, DMAE_CAL_BATCH, eng, cpu);
		if (eng > cpu)
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
 *
 * Measured at the first call (tens of milliseconds under emulation; each
 * batch bounded by the channel's watchdog), then remembered. A failed
 * measurement is not remembered: the next call measures again.
 *
 * Return: the size from which copies go to the engine (a power of two up
 * to DMAE_MAX_CPU_THRESHOLD), or a negative errno (-EIO if the engine
 * failed a copy, -ENOMEM, -ETIMEDOUT).
 */
int dmae_udev_break_even(struct dmae_udev *ud)
{
	u32 be_len;
	int ret;

	mutex_lock(&ud->cal_lock);
	if (ud->break_even) {
		ret = ud->break_even;
		goto out;
	}
	ret = dmae_cal_measure(ud, &be_len);
	if (ret) {
		if (ret != -ENOMEM && ret != -ETIMEDOUT)
			ret = -EIO;
		goto out;
	}
	ud->break_even = be_len;
	ret = be_len;
	dev_info(ud->misc.this_device, "CPU path break-even measured: %u bytes\n",
		 be_len);
out:
	mutex_unlock(&ud->cal_lock);
	return ret;
}
