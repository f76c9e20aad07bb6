// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: debugfs "bench" (dmae_debugfs.c), the device's streaming
 * copy bandwidth.
 *
 * Writing "SIZE COUNT" copies SIZE bytes COUNT times on channel 0 between
 * two physically contiguous buffers mapped once with dma_map_page(). All
 * COUNT descriptors are issued at once and only the last asks for an
 * interrupt, so the time (ktime, from the doorbell to the last completion)
 * is the engine's, not the guest's per-copy overhead.
 *
 * Writing "seed SIZE COUNT" does the COUNT copies one at a time through the
 * seed register block instead (program, start, sleep until the interrupt),
 * the way the original device is driven, and times each one.
 *
 * The last copy is checked byte for byte. Reading "bench" gives the last
 * result: "size S count N ns T mbps M mode queue|seed p50 P p99 Q", where
 * P and Q are per-copy nanoseconds (seed mode only; 0 otherwise).
 */

#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "dmae.h"

#define BENCH_MAX_SIZE	SZ_4M
#define BENCH_MAX_COUNT	1024

struct dmae_bench_wait {
	atomic_t left;
	struct completion done;
	int status;
};

struct dmae_bench_result {
	u64 size, count, ns, p50, p99;
	bool seed;
};

static DEFINE_MUTEX(dmae_bench_lock);
static struct dmae_bench_result bench_last;

static void dmae_bench_done(struct dmae_job *job)
{
	struct dmae_bench_wait *w = job->priv;

	if (job->status)
		w->status = job->status;
	if (atomic_dec_and_test(&w->left))
		complete(&w->done);
}

/* All @count copies issued at once; one interrupt at the end. */
static int dmae_bench_queue(struct dmae_dev *dd, dma_addr_t sd, dma_addr_t dd_,
			    struct dmae_bench_result *r)
{
	struct dmae_bench_wait w = { .status = 0 };
	unsigned int count = r->count, i;
	struct dmae_job *jobs;
	ktime_t t0;
	int ret = 0;

	jobs = kcalloc(count, sizeof(*jobs), GFP_KERNEL);
	if (!jobs)
		return -ENOMEM;
	atomic_set(&w.left, count);
	init_completion(&w.done);
	for (i = 0; i < count; i++) {
		jobs[i] = (struct dmae_job){
			.op = DMAE_OP_COPY, .len = r->size, .src_addr = sd,
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
		goto out;
	}
	t0 = ktime_get();
	dmae_issue(&dd->chan[0]);
	wait_for_completion(&w.done);
	r->ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	ret = w.status;
out:
	kfree(jobs);
	return ret;
}

static int dmae_bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* One copy at a time through the seed registers, each one timed. */
static int dmae_bench_seed(struct dmae_dev *dd, dma_addr_t sd, dma_addr_t dd_,
			   struct dmae_bench_result *r)
{
	unsigned int count = r->count, i;
	ktime_t t0, t1;
	u64 *lat;
	int ret = 0;

	lat = kcalloc(count, sizeof(*lat), GFP_KERNEL);
	if (!lat)
		return -ENOMEM;
	t0 = ktime_get();
	for (i = 0; i < count && !ret; i++) {
		t1 = ktime_get();
		ret = dmae_seed_copy(dd, sd, dd_, r->size);
		lat[i] = ktime_to_ns(ktime_sub(ktime_get(), t1));
	}
	r->ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	if (!ret) {
		sort(lat, count, sizeof(*lat), dmae_bench_cmp_u64, NULL);
		r->p50 = lat[(count - 1) / 2];
		r->p99 = lat[(count - 1) * 99 / 100];
	}
	kfree(lat);
	return ret;
}

static int dmae_bench_run(struct dmae_dev *dd, struct dmae_bench_result *r)
{
	struct device *dev = &dd->pdev->dev;
	size_t size = r->size;
	unsigned int order = get_order(size);
	struct page *sp, *dp;
	dma_addr_t sd, dd_;
	int ret = -ENOMEM;

	sp = alloc_pages(GFP_KERNEL, order);
	dp = alloc_pages(GFP_KERNEL, order);
	if (!sp || !dp)
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

	if (r->seed)
		ret = dmae_bench_seed(dd, sd, dd_, r);
	else
		ret = dmae_bench_queue(dd, sd, dd_, r);
	if (ret == -EIO && r->seed) {
		/* The seed block may still write: leak rather than corrupt. */
		dev_err(dev, "leaking the buffers of a stuck copy\n");
		return ret;
	}
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
	return ret;
}

/**
 * dmae_bench_cmd() - run what was written to debugfs "bench"
 * @dd: the device
 * @buf: "SIZE COUNT" or "seed SIZE COUNT", NUL-terminated
 *
 * Return: 0 (the result is kept for dmae_bench_show()), or -EINVAL for
 * bad input, -E2BIG for a size over the limit, -ENODEV without channels,
 * or the copies' error.
 */
int dmae_bench_cmd(struct dmae_dev *dd, const char *buf)
{
	struct dmae_bench_result r = { .seed = false };
	unsigned long size;
	unsigned int n;
	int ret;

	if (str_has_prefix(buf, "seed ")) {
		r.seed = true;
		buf += strlen("seed ");
	}
	if (sscanf(buf, "%lu %u", &size, &n) != 2)
		return -EINVAL;
	if (!size || !n || n > BENCH_MAX_COUNT)
		return -EINVAL;
	if (size > min_t(size_t, BENCH_MAX_SIZE, dd->max_xfer))
		return -E2BIG;
	if (!r.seed && !dd->nchan)
		return -ENODEV;
	r.size = size;
	r.count = n;

	mutex_lock(&dmae_bench_lock);
	ret = dmae_bench_run(dd, &r);
	if (!ret)
		bench_last = r;
	mutex_unlock(&dmae_bench_lock);
	return ret;
}

/* Reading debugfs "bench": the last result. */
void dmae_bench_show(struct seq_file *m)
{
	struct dmae_bench_result *r = &bench_last;
	u64 mbps;

	mutex_lock(&dmae_bench_lock);
	mbps = r->ns ? div64_u64(r->size * r->count * 1000, r->ns) : 0;
	seq_printf(m,
		   "size %llu count %llu ns %llu mbps %llu mode %s p50 %llu p99 %llu\n",
		   r->size, r->count, r->ns, mbps, r->seed ? "seed" : "queue",
		   r->p50, r->p99);
	mutex_unlock(&dmae_bench_lock);
}
