// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: the seed register block (BAR0 + 0x1000), one copy at a time,
 * and its sysfs self-test "copy_size".
 */

#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/dma-mapping.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "hw/dma_engine_regs.h"
#include "dmae.h"

/* Self-test buffers come from kmalloc(), so they are physically contiguous. */
#define DMAE_SELFTEST_MAX	SZ_2M
#define DMAE_GUARD		64
#define DMAE_POISON		0xa5

void dmae_seed_init(struct dmae_dev *dd)
{
	mutex_init(&dd->seed.lock);
	init_completion(&dd->seed.done);
}

/**
 * dmae_seed_irq() - interrupt half of the seed block
 * @dd: the device
 *
 * Acknowledges DONE/ERROR (write-1-to-clear, which also drops INTx) and
 * wakes the waiter. The status is kept for the waiter to read.
 *
 * Return: IRQ_HANDLED if the seed block had a completion pending.
 */
irqreturn_t dmae_seed_irq(struct dmae_dev *dd)
{
	u64 sts = readq(dd->regs + DMAE_SEED_CTRL);
	u64 ack = sts & (DMAE_STS_DONE | DMAE_STS_ERROR);

	if (!ack)
		return IRQ_NONE;
	writeq(ack, dd->regs + DMAE_SEED_CTRL);
	WRITE_ONCE(dd->seed.status, sts);
	complete(&dd->seed.done);
	return IRQ_HANDLED;
}

static int dmae_seed_errno(struct dmae_dev *dd)
{
	u32 err = readl(dd->regs + DMAE_SEED_ERR);
	u64 addr = readq(dd->regs + DMAE_SEED_ERR_ADDR);

	dev_err_ratelimited(&dd->pdev->dev, "copy failed: error %u at %#llx\n",
			    err, addr);
	switch (err) {
	case DMAE_ERR_LEN_ZERO:
	case DMAE_ERR_LEN_MAX:
		return -EINVAL;
	case DMAE_ERR_READ:
	case DMAE_ERR_WRITE:
		return -EFAULT;
	case DMAE_ERR_ABORTED:
		return -ECANCELED;
	default:
		return -EIO;
	}
}

/*
 * The copy did not finish in time: abort it and make sure the device has
 * stopped, so that the caller may unmap and free the buffers.
 */
static int dmae_seed_abort(struct dmae_dev *dd)
{
	u64 sts;

	writeq(DMAE_CTRL_ABORT, dd->regs + DMAE_SEED_CTRL);
	if (readq_poll_timeout(dd->regs + DMAE_SEED_CTRL, sts,
			       !(sts & DMAE_STS_BUSY), 100, USEC_PER_SEC)) {
		dev_err(&dd->pdev->dev, "engine ignores abort\n");
		return -EIO;
	}
	dev_err(&dd->pdev->dev, "copy timed out after %u ms; aborted\n",
		dmae_timeout_ms);
	return -ETIMEDOUT;
}

/**
 * dmae_seed_copy() - copy @len bytes through the seed register block
 * @dd: the device
 * @src: DMA address of the source, mapped for the device
 * @dst: DMA address of the destination, mapped for the device
 * @len: bytes to copy, 1 to @dd->max_xfer
 *
 * Sleeps until the device reports completion by interrupt. Serialised
 * with other users of the block.
 *
 * Return: 0 on success; -EINTR if interrupted while waiting for the block;
 * -ETIMEDOUT if the copy was aborted after dmae_timeout_ms; -EFAULT for a DMA
 * fault; -EIO if the device could not be stopped, in which case the
 * buffers must not be unmapped or freed.
 */
int dmae_seed_copy(struct dmae_dev *dd, dma_addr_t src, dma_addr_t dst,
		   u32 len)
{
	struct dmae_seed *seed = &dd->seed;
	void __iomem *regs = dd->regs;
	unsigned long left;
	int ret = 0;

	if (mutex_lock_interruptible(&seed->lock))
		return -EINTR;

	reinit_completion(&seed->done);
	writeq(src, regs + DMAE_SEED_SRC);
	writeq(dst, regs + DMAE_SEED_DST);
	writeq((u64)len << DMAE_SEED_LEN_SHIFT, regs + DMAE_SEED_LEN);
	writeq(DMAE_CTRL_START, regs + DMAE_SEED_CTRL);

	left = wait_for_completion_timeout(&seed->done,
					   msecs_to_jiffies(dmae_timeout_ms));
	if (!left)
		ret = dmae_seed_abort(dd);
	else if (READ_ONCE(seed->status) & DMAE_STS_ERROR)
		ret = dmae_seed_errno(dd);

	mutex_unlock(&seed->lock);
	return ret;
}

static void dmae_fill_pattern(u8 *p, size_t len)
{
	u32 x = get_random_u32() | 1;
	size_t i;

	for (i = 0; i < len; i++) {
		/* xorshift32: cheap, and every run differs */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x;
	}
}

static int dmae_check_copy(struct dmae_dev *dd, const u8 *src, const u8 *dst,
			   size_t len)
{
	size_t i;

	for (i = 0; i < DMAE_GUARD; i++) {
		if (dst[i] != DMAE_POISON ||
		    dst[DMAE_GUARD + len + i] != DMAE_POISON) {
			dev_err(&dd->pdev->dev,
				"copy of %zu bytes wrote outside its destination\n",
				len);
			return -EIO;
		}
	}
	for (i = 0; i < len; i++) {
		if (dst[DMAE_GUARD + i] != src[i]) {
			dev_err(&dd->pdev->dev,
				"copy of %zu bytes differs at offset %zu: %#04x != %#04x\n",
				len, i, dst[DMAE_GUARD + i], src[i]);
			return -EIO;
		}
	}
	return 0;
}

/*
 * Copy @len bytes of driver-generated data through the device and check
 * the destination, and the guard bytes around it.
 */
static int dmae_seed_selftest(struct dmae_dev *dd, size_t len)
{
	struct device *dev = &dd->pdev->dev;
	dma_addr_t src_dma, dst_dma;
	u8 *src, *dst;
	int ret;

	src = kmalloc(len, GFP_KERNEL);
	dst = kmalloc(len + 2 * DMAE_GUARD, GFP_KERNEL);
	if (!src || !dst) {
		ret = -ENOMEM;
		goto out_free;
	}
	dmae_fill_pattern(src, len);
	memset(dst, DMAE_POISON, len + 2 * DMAE_GUARD);

	src_dma = dma_map_single(dev, src, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, src_dma)) {
		ret = -ENOMEM;
		goto out_free;
	}
	dst_dma = dma_map_single(dev, dst + DMAE_GUARD, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dst_dma)) {
		ret = -ENOMEM;
		goto out_unmap_src;
	}

	ret = dmae_seed_copy(dd, src_dma, dst_dma, len);
	if (ret == -EIO) {
		/* The device may still write: leak rather than corrupt. */
		dev_err(dev, "leaking %zu-byte buffers of a stuck copy\n", len);
		return ret;
	}

	dma_unmap_single(dev, dst_dma, len, DMA_FROM_DEVICE);
	if (!ret)
		ret = dmae_check_copy(dd, src, dst, len);
out_unmap_src:
	dma_unmap_single(dev, src_dma, len, DMA_TO_DEVICE);
out_free:
	kfree(dst);
	kfree(src);
	return ret;
}

static size_t dmae_selftest_max(struct dmae_dev *dd)
{
	return min_t(size_t, dd->max_xfer, DMAE_SELFTEST_MAX);
}

static ssize_t copy_size_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	struct dmae_dev *dd = dev_get_drvdata(dev);
	unsigned long len;
	int ret;

	ret = kstrtoul(buf, 0, &len);
	if (ret)
		return ret;
	if (!len)
		return -EINVAL;
	if (len > dmae_selftest_max(dd))
		return -E2BIG;

	ret = dmae_seed_selftest(dd, len);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(copy_size);

static ssize_t max_copy_size_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct dmae_dev *dd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%zu\n", dmae_selftest_max(dd));
}
static DEVICE_ATTR_RO(max_copy_size);

static struct attribute *dmae_seed_attrs[] = {
	&dev_attr_copy_size.attr,
	&dev_attr_max_copy_size.attr,
	NULL
};

const struct attribute_group dmae_seed_attr_group = {
	.attrs = dmae_seed_attrs,
};
