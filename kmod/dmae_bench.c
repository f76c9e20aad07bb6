// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: sysfs "bench", the device's streaming copy bandwidth.
 *
 * Writing "SIZE COUNT" copies SIZE bytes COUNT times on channel 0 between
 * two physically contiguous buffers mapped once with dma_map_page(). All
 * COUNT descriptors are issued at once and only the last asks for an
 * interrupt, so the time (ktime, from the doorbell to the last completion)
 * is the engine's, not the guest's per-copy overhead. The last copy is
 * checked byte for byte. Reading "bench" gives the last result:
 * "size S count N ns T mbps M".
 */

#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "dmae.h"

#define BENCH_MAX_SIZE	SZ_4M
#define BENCH_MAX_COUNT	1024

struct dmae_bench_wait {
	atomic_t left;
	struct completion done;
	int status;
};

static DEFINE_MUTEX(dmae_bench_lock);
static u64 bench_size, bench_count, bench_ns;

static void dmae_bench_done(struct dmae_job *job)
{
	struct dmae_bench_wait *w = job->priv;

	if (job->status)
		w->status = job->status;
	if (atomic_dec_and_test(&w->left))
		complete(&w->done);
}

static int dmae_bench_run(struct dmae_dev *dd, size_t size, unsigned int count,
			  u64 *ns)
{
	struct device *dev = &dd->pdev->dev;
	unsigned int order = get_order(size), i;
	struct dmae_bench_wait w = { .status = 0 };
	struct dmae_job *jobs;
	struct page *sp, *dp;
	dma_addr_t sd, dd_;
	ktime_t t0;
	int ret = -ENOMEM;

	jobs = kcalloc(count, sizeof(*jobs), GFP_KERNEL);
	sp = alloc_pages(GFP_KERNEL, order);
	dp = alloc_pages(GFP_KERNEL, order);
	if (!jobs || !sp || !dp)
		goto out_free;
	memset(page_address(sp), 0x5a, size);
	get_random_bytes(page_address(sp), min_t(size_t, size, SZ_4K));
	memset(page_address(dp), 0, size);
	sd = dma_map_page(dev, sp, 0, size, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, sd))
		goto out_free;
	dd_ = dma_map_page(dev, dp, 0, size, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dd_))
		goto out_unmap_src;

	atomic_set(&w.left, count);
	init_completion(&w.done);
	for (i = 0; i < count; i++) {
		jobs[i] = (struct dmae_job){
			.op = DMAE_OP_COPY, .len = size, .src_addr = sd,
			.dst_addr = dd_, .done = dmae_bench_done, .priv = &w,
			.irq = i == count - 1,
		};
		ret = dmae_submit(&dd->chan[0], &jobs[i]);
		if (ret)
			break;
	}
	if (ret) {
		/* Only a dead channel refuses valid jobs; let the rest drain. */
		atomic_sub(count - i, &w.left);
		dmae_issue(&dd->chan[0]);
		if (i)
			wait_for_completion(&w.done);
		goto out_unmap;
	}
	t0 = ktime_get();
	dmae_issue(&dd->chan[0]);
	wait_for_completion(&w.done);
	*ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	ret = w.status;
out_unmap:
	dma_unmap_page(dev, dd_, size, DMA_FROM_DEVICE);
	if (!ret && memcmp(page_address(sp), page_address(dp), size))
		ret = -EIO;
out_unmap_src:
	dma_unmap_page(dev, sd, size, DMA_TO_DEVICE);
out_free:
	if (dp)
		__free_pages(dp, order);
	if (sp)
		__free_pages(sp, order);
	kfree(jobs);
	return ret;
}

static ssize_t bench_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct dmae_dev *dd = dev_get_drvdata(dev);
	unsigned long size;
	unsigned int n;
	u64 ns = 0;
	int ret;

	if (sscanf(buf, "%lu %u", &size, &n) != 2)
		return -EINVAL;
	if (!size || !n || n > BENCH_MAX_COUNT)
		return -EINVAL;
	if (size > min_t(size_t, BENCH_MAX_SIZE, dd->max_xfer))
		return -E2BIG;
	if (!dd->nchan)
		return -ENODEV;

	mutex_lock(&dmae_bench_lock);
	ret = dmae_bench_run(dd, size, n, &ns);
	if (!ret) {
		bench_size = size;
		bench_count = n;
		bench_ns = ns;
	}
	mutex_unlock(&dmae_bench_lock);
	return ret ? ret : count;
}

static ssize_t bench_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	u64 mbps;
	int n;

	mutex_lock(&dmae_bench_lock);
	mbps = bench_ns ? div64_u64(bench_size * bench_count * 1000, bench_ns) :
			  0;
	n = sysfs_emit(buf, "size %llu count %llu ns %llu mbps %llu\n",
		       bench_size, bench_count, bench_ns, mbps);
	mutex_unlock(&dmae_bench_lock);
	return n;
}
static DEVICE_ATTR_RW(bench);

static struct attribute *dmae_bench_attrs[] = {
	&dev_attr_bench.attr,
	NULL
};

const struct attribute_group dmae_bench_attr_group = {
	.attrs = dmae_bench_attrs,
};
