// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: PCI driver core for the emulated PCIe DMA engine
 * (vendor 0x1234, device 0x3456). Probes the function, maps BAR0, sets
 * the DMA mask and takes one interrupt vector (MSI, else INTx).
 */

#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "dma_engine_regs.h"
#include "dmae.h"

static irqreturn_t dmae_irq(int irq, void *data)
{
	struct dmae_dev *dd = data;

	return dmae_seed_irq(dd);
}

static int dmae_check_id(struct dmae_dev *dd)
{
	struct device *dev = &dd->pdev->dev;
	u32 magic = readl(dd->regs + DMAE_REG_ID);
	u32 version = readl(dd->regs + DMAE_REG_VERSION);

	if (magic != DMAE_ID_MAGIC) {
		dev_err(dev, "unexpected ID register 0x%08x\n", magic);
		return -ENODEV;
	}
	if (version >> 16 != DMAE_VERSION_MAJOR) {
		dev_err(dev, "unsupported interface version %u.%u\n",
			version >> 16, version & 0xffff);
		return -ENODEV;
	}
	dd->caps = readq(dd->regs + DMAE_REG_CAP);
	dd->max_xfer = readl(dd->regs + DMAE_REG_MAX_XFER);
	dd->buf_size = readl(dd->regs + DMAE_REG_BUF_SIZE);
	if (!(dd->caps & DMAE_CAP_SEED) || !dd->max_xfer) {
		dev_err(dev, "device offers no usable copy interface\n");
		return -ENODEV;
	}
	return 0;
}

static int dmae_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct dmae_dev *dd;
	int ret;

	dd = devm_kzalloc(dev, sizeof(*dd), GFP_KERNEL);
	if (!dd)
		return -ENOMEM;
	dd->pdev = pdev;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), DMAE_DRV_NAME);
	if (ret)
		return ret;
	dd->regs = pcim_iomap_table(pdev)[0];

	ret = dmae_check_id(dd);
	if (ret)
		return ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		dev_err(dev, "no usable DMA mask\n");
		return ret;
	}
	pci_set_master(pdev);

	/* pcim_enable_device() makes the vectors managed. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_LEGACY);
	if (ret < 0)
		return ret;
	dmae_seed_init(dd);
	ret = devm_request_irq(dev, pci_irq_vector(pdev, 0), dmae_irq,
			       IRQF_SHARED, DMAE_DRV_NAME, dd);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, dd);
	dev_info(dev, "%s interrupt, max transfer %u bytes, buffer %u bytes\n",
		 pdev->msi_enabled ? "MSI" : "INTx", dd->max_xfer,
		 dd->buf_size);
	return 0;
}

static void dmae_remove(struct pci_dev *pdev)
{
	/*
	 * The sysfs attributes are gone and drained before this runs, so no
	 * copy is in flight; the managed resources do the rest.
	 */
	pci_clear_master(pdev);
}

static const struct pci_device_id dmae_ids[] = {
	{ PCI_DEVICE(DMAE_PCI_VENDOR_ID, DMAE_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dmae_ids);

static const struct attribute_group *dmae_groups[] = {
	&dmae_seed_attr_group,
	NULL
};

static struct pci_driver dmae_driver = {
	.name = DMAE_DRV_NAME,
	.id_table = dmae_ids,
	.probe = dmae_probe,
	.remove = dmae_remove,
	.dev_groups = dmae_groups,
};
module_pci_driver(dmae_driver);

MODULE_DESCRIPTION("Driver for the dma-engine PCIe memory-copy engine");
MODULE_LICENSE("GPL");
