// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: sysfs access to the device's fault injection block, for
 * testing the driver's recovery paths. The files exist only when the
 * device offers the block (DMAE_CAP_INJECT, a test device: QEMU's
 * x-fault-inject=on) and only root may use them.
 *
 * inject_fail, inject_stall, inject_drop_irq, inject_corrupt: write N to
 * make the Nth descriptor (or interrupt, or completion record) from now on
 * go wrong once, 0 to disarm; reading gives what is left of the countdown.
 * inject_fired: how often each kind fired, "fail F stall S drop_irq D
 * corrupt C" (each mod 256). docs/dma-engine.rst says what each fault does.
 */

#include <linux/kstrtox.h>

#include "dmae.h"

struct dmae_inject_attr {
	struct device_attribute attr;
	unsigned int reg;
};

#define to_inject_attr(a) container_of(a, struct dmae_inject_attr, attr)

static ssize_t inject_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct dmae_dev *dd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n",
			  readl(dd->regs + to_inject_attr(attr)->reg));
}

static ssize_t inject_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct dmae_dev *dd = dev_get_drvdata(dev);
	u32 n;
	int ret;

	ret = kstrtou32(buf, 0, &n);
	if (ret)
		return ret;
	writel(n, dd->regs + to_inject_attr(attr)->reg);
	return count;
}

#define DMAE_INJECT_ATTR(_name, _reg)					\
	static struct dmae_inject_attr dmae_inject_##_name = {		\
		.attr = __ATTR(inject_##_name, 0600, inject_show,	\
			       inject_store),				\
		.reg = (_reg),						\
	}

DMAE_INJECT_ATTR(fail, DMAE_INJ_FAIL);
DMAE_INJECT_ATTR(stall, DMAE_INJ_STALL);
DMAE_INJECT_ATTR(drop_irq, DMAE_INJ_DROP_IRQ);
DMAE_INJECT_ATTR(corrupt, DMAE_INJ_CORRUPT);

static ssize_t inject_fired_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct dmae_dev *dd = dev_get_drvdata(dev);
	u32 f = readl(dd->regs + DMAE_INJ_FIRED);

	return sysfs_emit(buf, "fail %u stall %u drop_irq %u corrupt %u\n",
			  f & 0xff, (f >> 8) & 0xff, (f >> 16) & 0xff, f >> 24);
}
static DEVICE_ATTR_ADMIN_RO(inject_fired);

static struct attribute *dmae_inject_attrs[] = {
	&dmae_inject_fail.attr.attr,
	&dmae_inject_stall.attr.attr,
	&dmae_inject_drop_irq.attr.attr,
	&dmae_inject_corrupt.attr.attr,
	&dev_attr_inject_fired.attr,
	NULL
};

static umode_t dmae_inject_visible(struct kobject *kobj, struct attribute *a,
				   int n)
{
	struct dmae_dev *dd = dev_get_drvdata(kobj_to_dev(kobj));

	return dd->caps & DMAE_CAP_INJECT ? a->mode : 0;
}

const struct attribute_group dmae_inject_attr_group = {
	.attrs = dmae_inject_attrs,
	.is_visible = dmae_inject_visible,
};
