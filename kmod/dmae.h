/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driver-internal definitions for the dma-engine PCIe DMA engine.
 */
#ifndef _DMAE_H
#define _DMAE_H

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sysfs.h>

#define DMAE_DRV_NAME	"dma_engine"

/**
 * struct dmae_seed - the seed's one-copy-at-a-time register block
 * @lock: serialises users; the block runs one copy at a time
 * @done: completed by the interrupt handler when a copy finishes
 * @status: the CTRL/STATUS register as the interrupt handler read it
 */
struct dmae_seed {
	struct mutex lock;	/* one copy at a time */
	struct completion done;
	u64 status;
};

/**
 * struct dmae_dev - one dma-engine PCI function
 * @pdev: the PCI device
 * @regs: BAR0
 * @caps: DMAE_CAP_* bits read at probe
 * @max_xfer: longest copy the device accepts, in bytes
 * @buf_size: size of the device's internal buffer, in bytes
 * @seed: state of the seed register block
 */
struct dmae_dev {
	struct pci_dev *pdev;
	void __iomem *regs;
	u64 caps;
	u32 max_xfer;
	u32 buf_size;
	struct dmae_seed seed;
};

void dmae_seed_init(struct dmae_dev *dd);
irqreturn_t dmae_seed_irq(struct dmae_dev *dd);
int dmae_seed_copy(struct dmae_dev *dd, dma_addr_t src, dma_addr_t dst,
		   u32 len);

extern const struct attribute_group dmae_seed_attr_group;

#endif /* _DMAE_H */
