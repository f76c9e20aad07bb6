// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: debugfs "chan_selftest" (dmae_debugfs.c). Writing N runs, on every channel and
 * through the in-kernel API, a COPY, a COMPARE (equal, then different), a
 * COPY_CRC32C and a FILL of N bytes between vmalloc buffers at odd
 * offsets, mapped as scatter-gather tables cut differently on each side,
 * and checks every byte and the bytes around the destination. It also
 * checks that dmae_submit() refuses malformed jobs.
 *
 * "fault_selftest": writing 1 copies a page from a DMA address, unmaps
 * it, and copies from it again. Behind an IOMMU in strict mode that
 * address is no longer translated, even by a device that cached the
 * translation of the first copy (ATS): the second job must fail with
 * -EFAULT naming it, and the destination must not change. Without an IOMMU the copy succeeds (there
 * is nothing to stop it) and the write fails with ENXIO.
 */

#include <linux/dma-mapping.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "dmae.h"

#define ST_SRC_OFF	3
#define ST_DST_OFF	1001
#define ST_GUARD	64
#define ST_POISON	0xa5
#define ST_PATTERN	0x0123456789abcdefULL

struct dmae_st_buf {
	u8 *va;
	struct page **pages;
	unsigned int npages;
	struct sg_table sgt;
	enum dma_data_direction dir;
	bool mapped;
};

struct dmae_st_wait {
	atomic_t left;
	struct completion done;
};

static u32 dmae_st_crc32c(const u8 *p, size_t len)
{
	u32 crc = ~0U;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return ~crc;
}

static void dmae_st_free(struct device *dev, struct dmae_st_buf *b)
{
	if (b->mapped)
		dma_unmap_sgtable(dev, &b->sgt, b->dir, 0);
	if (b->sgt.sgl)
		sg_free_table(&b->sgt);
	kfree(b->pages);
	vfree(b->va);
	memset(b, 0, sizeof(*b));
}

/* @len bytes at @off into a fresh vmalloc area, mapped for the device. */
static int dmae_st_alloc(struct device *dev, struct dmae_st_buf *b, size_t off,
			 size_t len, enum dma_data_direction dir)
{
	size_t size = PAGE_ALIGN(off + len + ST_GUARD);
	unsigned int i;
	int ret;

	b->dir = dir;
	b->npages = size >> PAGE_SHIFT;
	b->va = vmalloc(size);
	b->pages = kcalloc(b->npages, sizeof(*b->pages), GFP_KERNEL);
	if (!b->va || !b->pages)
		return -ENOMEM;
	for (i = 0; i < b->npages; i++)
		b->pages[i] = vmalloc_to_page(b->va + i * PAGE_SIZE);
	ret = sg_alloc_table_from_pages(&b->sgt, b->pages, b->npages, off, len,
					GFP_KERNEL);
	if (ret)
		return ret;
	ret = dma_map_sgtable(dev, &b->sgt, dir, 0);
	if (ret)
		return ret;
	b->mapped = true;
	return 0;
}

static void dmae_st_done(struct dmae_job *job)
{
	struct dmae_st_wait *w = job->priv;

	if (atomic_dec_and_test(&w->left))
		complete(&w->done);
}

/* Run @n jobs on @ch in one batch and wait for all of them. */
static int dmae_st_run(struct dmae_chan *ch, struct dmae_job *jobs,
		       unsigned int n)
{
	struct dmae_st_wait w;
	unsigned int i;
	int ret;

	atomic_set(&w.left, n);
	init_completion(&w.done);
	for (i = 0; i < n; i++) {
		jobs[i].done = dmae_st_done;
		jobs[i].priv = &w;
		jobs[i].irq = true;
		ret = dmae_submit(ch, &jobs[i]);
		if (ret) {
			/* Nothing of the batch ran yet: cancel the rest. */
			atomic_sub(n - i, &w.left);
			dmae_issue(ch);
			if (i)
				wait_for_completion(&w.done);
			return ret;
		}
	}
	dmae_issue(ch);
	/* The channel watchdog completes every job within its timeout. */
	wait_for_completion(&w.done);
	for (i = 0; i < n; i++) {
		if (jobs[i].status) {
			dev_err(&ch->dd->pdev->dev,
				"ch%u selftest: job %u (op %u) failed: %d\n",
				ch->idx, i, jobs[i].op, jobs[i].status);
			return jobs[i].status;
		}
	}
	return 0;
}

static int dmae_st_check(struct dmae_chan *ch, const char *what, bool ok)
{
	if (!ok)
		dev_err(&ch->dd->pdev->dev, "ch%u selftest: %s failed\n",
			ch->idx, what);
	return ok ? 0 : -EIO;
}

/* Malformed jobs are refused before they reach the ring. */
static int dmae_st_bad_jobs(struct dmae_chan *ch, struct dmae_st_buf *src,
			    size_t len)
{
	struct dmae_job bad[] = {
		{ .op = DMAE_OP_COPY, .len = 0 },
		{ .op = DMAE_OP_COPY, .len = ch->dd->max_xfer + 1 },
		{ .op = DMAE_OP_MAX + 1, .len = 1 },
		{ .op = DMAE_OP_COPY, .len = len + 1, .src_sgt = &src->sgt },
		{ .op = DMAE_OP_COPY, .len = 1 },	/* no ->done */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (i != ARRAY_SIZE(bad) - 1)
			bad[i].done = dmae_st_done;
		if (dmae_submit(ch, &bad[i]) != -EINVAL)
			return dmae_st_check(ch, "refusing a malformed job", false);
	}
	return 0;
}

static int dmae_st_chan(struct dmae_chan *ch, struct dmae_st_buf *src,
			struct dmae_st_buf *dst, size_t len)
{
	struct device *dev = &ch->dd->pdev->dev;
	u8 *s = src->va + ST_SRC_OFF, *d = dst->va + ST_DST_OFF;
	struct dmae_job jobs[4];
	size_t i;
	int ret;

	get_random_bytes(s, len);
	memset(dst->va, ST_POISON, dst->npages * PAGE_SIZE);
	dma_sync_sgtable_for_device(dev, &src->sgt, DMA_TO_DEVICE);
	dma_sync_sgtable_for_device(dev, &dst->sgt, DMA_BIDIRECTIONAL);

	memset(jobs, 0, sizeof(jobs));
	jobs[0] = (struct dmae_job){ .op = DMAE_OP_COPY_CRC32C, .len = len,
				     .src_sgt = &src->sgt,
				     .dst_sgt = &dst->sgt };
	jobs[1] = (struct dmae_job){ .op = DMAE_OP_COMPARE, .len = len,
				     .src_sgt = &src->sgt,
				     .dst_sgt = &dst->sgt, .fence = true };
	ret = dmae_st_run(ch, jobs, 2);
	if (ret)
		return ret;
	dma_sync_sgtable_for_cpu(dev, &dst->sgt, DMA_BIDIRECTIONAL);
	ret = dmae_st_check(ch, "copy", !jobs[0].status &&
			    jobs[0].bytes == len && !memcmp(s, d, len)) ?:
	      dmae_st_check(ch, "crc32c",
			    jobs[0].result == dmae_st_crc32c(s, len)) ?:
	      dmae_st_check(ch, "compare (equal)", !jobs[1].status &&
			    jobs[1].result == 0 && jobs[1].bytes == len);
	if (ret)
		return ret;
	for (i = 0; i < ST_DST_OFF; i++)
		if (dst->va[i] != ST_POISON)
			return dmae_st_check(ch, "bytes before the copy", false);
	for (i = 0; i < ST_GUARD; i++)
		if (d[len + i] != ST_POISON)
			return dmae_st_check(ch, "bytes after the copy", false);

	/* A difference in the last byte, then FILL */
	d[len - 1] ^= 0x40;
	dma_sync_sgtable_for_device(dev, &dst->sgt, DMA_BIDIRECTIONAL);
	memset(jobs, 0, sizeof(jobs));
	jobs[0] = (struct dmae_job){ .op = DMAE_OP_COMPARE, .len = len,
				     .src_sgt = &src->sgt,
				     .dst_sgt = &dst->sgt };
	jobs[1] = (struct dmae_job){ .op = DMAE_OP_FILL, .len = len,
				     .dst_sgt = &dst->sgt,
				     .pattern = ST_PATTERN };
	ret = dmae_st_run(ch, jobs, 2);
	if (ret)
		return ret;
	dma_sync_sgtable_for_cpu(dev, &dst->sgt, DMA_BIDIRECTIONAL);
	ret = dmae_st_check(ch, "compare (different)", !jobs[0].status &&
			    jobs[0].result == 1 && jobs[0].bytes == len - 1) ?:
	      dmae_st_check(ch, "fill", !jobs[1].status);
	if (ret)
		return ret;
	for (i = 0; i < len; i++)
		if (d[i] != (u8)(ST_PATTERN >> (8 * (i % 8))))
			return dmae_st_check(ch, "fill pattern", false);
	if (d[len] != ST_POISON)
		return dmae_st_check(ch, "bytes after the fill", false);
	return dmae_st_bad_jobs(ch, src, len);
}

/* The largest length chan_selftest takes (debugfs "chan_selftest_max"). */
size_t dmae_st_max(struct dmae_dev *dd)
{
	/* Each side's pages must fit in one descriptor's SG list. */
	return min_t(size_t, dd->max_xfer, (dd->max_sg - 2) * PAGE_SIZE);
}

/**
 * dmae_chan_selftest() - run what was written to debugfs "chan_selftest"
 * @dd: the device
 * @buf: the length, NUL-terminated
 *
 * Return: 0 if every channel passed; -EINVAL, -E2BIG or -ENODEV for bad
 * input or a device without channels; else the first failure.
 */
int dmae_chan_selftest(struct dmae_dev *dd, const char *buf)
{
	struct device *dev = &dd->pdev->dev;
	struct dmae_st_buf src = {}, dst = {};
	unsigned long len;
	unsigned int i;
	int ret;

	ret = kstrtoul(buf, 0, &len);
	if (ret)
		return ret;
	if (!dd->nchan)
		return -ENODEV;
	if (!len)
		return -EINVAL;
	if (len > dmae_st_max(dd))
		return -E2BIG;

	ret = dmae_st_alloc(dev, &src, ST_SRC_OFF, len, DMA_TO_DEVICE) ?:
	      dmae_st_alloc(dev, &dst, ST_DST_OFF, len, DMA_BIDIRECTIONAL);
	if (!ret && (src.sgt.nents > dd->max_sg || dst.sgt.nents > dd->max_sg))
		ret = -E2BIG;
	for (i = 0; !ret && i < dd->nchan; i++)
		ret = dmae_st_chan(&dd->chan[i], &src, &dst, len);
	dmae_st_free(dev, &dst);
	dmae_st_free(dev, &src);
	return ret;
}

static int dmae_fault_test(struct dmae_dev *dd)
{
	struct device *dev = &dd->pdev->dev;
	struct dmae_job job = { .op = DMAE_OP_COPY, .len = PAGE_SIZE };
	dma_addr_t stale, dst_dma;
	u8 *src, *dst;
	int ret, i;

	src = (u8 *)__get_free_page(GFP_KERNEL);
	dst = (u8 *)__get_free_page(GFP_KERNEL);
	if (!src || !dst) {
		ret = -ENOMEM;
		goto out;
	}
	memset(src, 0x3c, PAGE_SIZE);
	memset(dst, ST_POISON, PAGE_SIZE);
	dst_dma = dma_map_single(dev, dst, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dst_dma)) {
		ret = -ENOMEM;
		goto out;
	}
	stale = dma_map_single(dev, src, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, stale)) {
		ret = -ENOMEM;
		goto out_unmap;
	}
	/*
	 * Copy through the mapping first, so that a device which caches
	 * translations (ATS) holds this one: the unmap must invalidate it.
	 */
	job.src_addr = stale;
	job.dst_addr = dst_dma;
	ret = dmae_st_run(&dd->chan[0], &job, 1);
	dma_unmap_single(dev, stale, PAGE_SIZE, DMA_TO_DEVICE);
	dma_sync_single_for_cpu(dev, dst_dma, PAGE_SIZE, DMA_FROM_DEVICE);
	for (i = 0; !ret && i < PAGE_SIZE; i++)
		if (dst[i] != 0x3c)
			ret = -EIO;
	if (ret) {
		dev_err(dev, "fault selftest: the copy through the live mapping: %d\n",
			ret);
		goto out_unmap;
	}
	memset(dst, ST_POISON, PAGE_SIZE);
	dma_sync_single_for_device(dev, dst_dma, PAGE_SIZE, DMA_FROM_DEVICE);

	job = (struct dmae_job){ .op = DMAE_OP_COPY, .len = PAGE_SIZE,
				 .src_addr = stale, .dst_addr = dst_dma };
	ret = dmae_st_run(&dd->chan[0], &job, 1);
	if (!ret) {
		ret = -ENXIO;	/* nothing translates: the copy went through */
	} else if (ret == -EFAULT && job.hw_err == DMAE_ERR_READ &&
		   job.fault_addr == stale && !job.bytes) {
		ret = 0;
	} else {
		dev_err(dev, "fault selftest: status %d, error %u at %#llx (want %pad)\n",
			ret, job.hw_err, job.fault_addr, &stale);
		ret = -EIO;
	}
out_unmap:
	dma_unmap_single(dev, dst_dma, PAGE_SIZE, DMA_FROM_DEVICE);
	for (i = 0; !ret && i < PAGE_SIZE; i++)
		if (dst[i] != ST_POISON)
			ret = dmae_st_check(&dd->chan[0], "untouched destination",
					    false);
out:
	free_page((unsigned long)dst);
	free_page((unsigned long)src);
	return ret;
}

/**
 * dmae_fault_selftest() - run what was written to debugfs "fault_selftest"
 * @dd: the device
 * @buf: "1" (a boolean that must be true), NUL-terminated
 *
 * Return: 0 if the stale address faulted as it must; -ENXIO if it was
 * copied (no IOMMU); -EINVAL, -ENODEV for bad input or no channel.
 */
int dmae_fault_selftest(struct dmae_dev *dd, const char *buf)
{
	bool run;
	int ret;

	ret = kstrtobool(buf, &run);
	if (ret)
		return ret;
	if (!run)
		return -EINVAL;
	if (!dd->nchan)
		return -ENODEV;
	return dmae_fault_test(dd);
}
