// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: PCI driver core for the emulated PCIe DMA engine
 * (vendor 0x1234, device 0x3456). Probes the function, maps BAR0, sets
 * the DMA mask, discovers the capabilities, takes its interrupts (MSI-X,
 * else MSI, else INTx), starts the channels and registers them with
 * dmaengine.
 */

#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "dmae.h"

static DEFINE_IDA(dmae_ida);

/* dmaengine release work: drained before the module goes. */
struct workqueue_struct *dmae_wq;

unsigned int dmae_timeout_ms = 5000;
module_param_named(timeout_ms, dmae_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "Time a copy or a channel may go without progress (ms)");

static unsigned int max_chans = DMAE_CHAN_MAX;
module_param(max_chans, uint, 0444);
MODULE_PARM_DESC(max_chans, "Use at most this many channels");

static bool use_msix = true;
module_param(use_msix, bool, 0444);
MODULE_PARM_DESC(use_msix, "Use MSI-X when the device offers it");

static const char * const dmae_role_names[DMAE_ROLE_COUNT] = {
	[DMAE_ROLE_SHARED] = "shared",
	[DMAE_ROLE_NATIVE] = "native",
	[DMAE_ROLE_DMAENGINE] = "dmaengine",
	[DMAE_ROLE_UNUSED] = "unused",
};

/* The role of channel i of every device probed from now on (chan_roles). */
static u8 chan_roles[DMAE_CHAN_MAX];

/*
 * chan_roles: a comma-separated role per channel, from channel 0 on;
 * channels beyond the list are shared. A write checks the whole list and
 * changes nothing unless all of it is valid; it applies to devices bound
 * afterwards (unbind and bind to change a bound one).
 */
static int chan_roles_set(const char *val, const struct kernel_param *kp)
{
	u8 roles[DMAE_CHAN_MAX] = { };
	char *buf, *cur, *tok;
	unsigned int n = 0;
	int ret = 0, r;

	buf = kstrdup(val, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	cur = strim(buf);
	while (*cur && !ret) {
		tok = strsep(&cur, ",");
		r = match_string(dmae_role_names, DMAE_ROLE_COUNT, strim(tok));
		if (r < 0 || n == DMAE_CHAN_MAX)
			ret = -EINVAL;
		else
			roles[n++] = r;
		if (!cur)
			break;
		if (!*cur)	/* a trailing comma */
			ret = -EINVAL;
	}
	kfree(buf);
	if (!ret)
		memcpy(chan_roles, roles, sizeof(chan_roles));
	return ret;
}

static int chan_roles_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i, last = 0;
	int n = 0;

	for (i = 0; i < DMAE_CHAN_MAX; i++)
		if (chan_roles[i] != DMAE_ROLE_SHARED)
			last = i + 1;
	for (i = 0; i < max(last, 1U); i++)
		n += sysfs_emit_at(buf, n, "%s%s", i ? "," : "",
				   dmae_role_names[chan_roles[i]]);
	return n + sysfs_emit_at(buf, n, "\n");
}

static const struct kernel_param_ops chan_roles_ops = {
	.set = chan_roles_set,
	.get = chan_roles_get,
};
module_param_cb(chan_roles, &chan_roles_ops, NULL, 0644);
MODULE_PARM_DESC(chan_roles,
		 "Role of each channel, comma-separated from channel 0: shared (default), native (copy service only), dmaengine (dmaengine clients only), unused");

/*
 * The native backend of the copy service (dmae_backend.h): the service's
 * jobs go straight onto the channels' descriptor rings.
 */
static int dmae_be_submit(struct dmae_be *be, unsigned int chan,
			  struct dmae_job *job)
{
	struct dmae_dev *dd = container_of(be, struct dmae_dev, be);

	if (chan >= dd->be_nchan)
		return -EINVAL;
	return dmae_submit(&dd->chan[dd->be_chan[chan]], job);
}

static void dmae_be_issue(struct dmae_be *be, unsigned int chan)
{
	struct dmae_dev *dd = container_of(be, struct dmae_dev, be);

	if (chan < dd->be_nchan)
		dmae_issue(&dd->chan[dd->be_chan[chan]]);
}

static void dmae_be_poll(struct dmae_be *be, unsigned int chan)
{
	struct dmae_dev *dd = container_of(be, struct dmae_dev, be);

	if (chan < dd->be_nchan)
		dmae_chan_poll(&dd->chan[dd->be_chan[chan]]);
}

static const struct dmae_be_ops dmae_be_ops = {
	.submit = dmae_be_submit,
	.issue = dmae_be_issue,
	.poll = dmae_be_poll,
};

/*
 * Offer the channels whose role allows it to the copy service, as
 * /dev/dma_engine<id>; with none, nothing is registered.
 */
static int dmae_be_register(struct dmae_dev *dd)
{
	struct dmae_be *be = &dd->be;
	char name[24];
	unsigned int i;
	int ret;

	dd->be_nchan = 0;
	for (i = 0; i < dd->nchan; i++)
		if (dmae_chan_for_svc(&dd->chan[i]))
			dd->be_chan[dd->be_nchan++] = i;
	if (!dd->be_nchan)
		return 0;
	dd->id = ida_alloc(&dmae_ida, GFP_KERNEL);
	ret = dd->id;
	if (ret < 0)
		goto err;

	be->ops = &dmae_be_ops;
	be->owner = THIS_MODULE;
	be->dma_dev = &dd->pdev->dev;
	be->parent = &dd->pdev->dev;
	be->kind = "native";
	be->nchan = dd->be_nchan;
	be->ops_mask = BIT(DMAE_JOB_COPY);
	if (dd->caps & DMAE_CAP_FILL)
		be->ops_mask |= BIT(DMAE_JOB_FILL);
	if (dd->caps & DMAE_CAP_COMPARE)
		be->ops_mask |= BIT(DMAE_JOB_COMPARE);
	if (dd->caps & DMAE_CAP_CRC32C)
		be->ops_mask |= BIT(DMAE_JOB_COPY_CRC32C);
	be->max_len = dd->max_xfer;
	be->max_sg = dd->max_sg;
	be->node = dev_to_node(&dd->pdev->dev);
	snprintf(name, sizeof(name), "dma_engine%d", dd->id);
	ret = dmae_svc_register(be, name);
	if (!ret)
		return 0;
	ida_free(&dmae_ida, dd->id);
err:
	dd->be_nchan = 0;
	return ret;
}

static void dmae_be_unregister(struct dmae_dev *dd)
{
	if (!dd->be_nchan)
		return;
	/* Requests in flight finish first: the engine still runs. */
	dmae_svc_unregister(&dd->be);
	ida_free(&dmae_ida, dd->id);
}

static ssize_t chan_roles_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct dmae_dev *dd = dev_get_drvdata(dev);
	unsigned int i;
	int n = 0;

	for (i = 0; i < dd->nchan; i++) {
		struct dmae_chan *ch = &dd->chan[i];

		n += sysfs_emit_at(buf, n, "ch%u %s", i,
				   dmae_role_names[ch->role]);
		if (dd->dma_nchan && dmae_chan_for_dma(ch))
			n += sysfs_emit_at(buf, n, " %s",
					   dma_chan_name(&ch->dchan));
		n += sysfs_emit_at(buf, n, "\n");
	}
	return n;
}
static DEVICE_ATTR_RO(chan_roles);

static ssize_t ring_stats_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct dmae_dev *dd = dev_get_drvdata(dev);

	return dmae_svc_stats_show(&dd->be, buf);
}
static DEVICE_ATTR_RO(ring_stats);

static struct attribute *dmae_ring_attrs[] = {
	&dev_attr_ring_stats.attr,
	&dev_attr_chan_roles.attr,
	NULL
};

static const struct attribute_group dmae_ring_attr_group = {
	.attrs = dmae_ring_attrs,
};

/* MSI-X vector of channel @ch: its completions. */
static irqreturn_t dmae_irq_chan(int irq, void *data)
{
	dmae_chan_kick(data);
	return IRQ_HANDLED;
}

/*
 * The misc vector (MSI-X), or the only one (MSI, INTx): the seed block,
 * channel errors, and with one vector the channels' completions too.
 */
static irqreturn_t dmae_irq_misc(int irq, void *data)
{
	struct dmae_dev *dd = data;
	irqreturn_t ret = dmae_seed_irq(dd);
	unsigned int i;
	u32 st = 0;

	if (dd->nchan)
		st = readl(dd->regs + DMAE_REG_IRQ_STATUS);
	if (!st)
		return ret;
	writel(st, dd->regs + DMAE_REG_IRQ_STATUS);
	for (i = 0; i < dd->nchan; i++) {
		if (st & DMAE_IRQ_ERROR)
			dmae_chan_error(&dd->chan[i]);
		if (!dd->msix && (st & DMAE_IRQ_CHAN(i)))
			dmae_chan_kick(&dd->chan[i]);
	}
	return IRQ_HANDLED;
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
	if (dd->caps & DMAE_CAP_CHANNELS) {
		unsigned int i;

		dd->nchan = min3(readl(dd->regs + DMAE_REG_NUM_CHAN),
				 max_chans, (unsigned int)DMAE_CHAN_MAX);
		dd->ring_max = readl(dd->regs + DMAE_REG_RING_MAX);
		dd->max_sg = min_t(u32, readl(dd->regs + DMAE_REG_MAX_SG),
				   DMAE_DRV_MAX_SG);
		if (dd->ring_max < 2 || !dd->max_sg)
			dd->nchan = 0;
		kernel_param_lock(THIS_MODULE);
		for (i = 0; i < dd->nchan; i++)
			dd->chan[i].role = chan_roles[i];
		kernel_param_unlock(THIS_MODULE);
	}
	return 0;
}

/* One vector per channel plus one (MSI-X), else one vector for all. */
static int dmae_setup_irqs(struct dmae_dev *dd)
{
	struct pci_dev *pdev = dd->pdev;
	unsigned int i;
	int ret;

	ret = -ENOSPC;
	if (dd->nchan && use_msix && (dd->caps & DMAE_CAP_MSIX))
		ret = pci_alloc_irq_vectors(pdev, dd->nchan + 1, dd->nchan + 1,
					    PCI_IRQ_MSIX);
	if (ret > 0) {
		dd->msix = true;
		dd->nvec = ret;
	} else {
		/* pcim_enable_device() makes the vectors managed. */
		ret = pci_alloc_irq_vectors(pdev, 1, 1,
					    PCI_IRQ_MSI | PCI_IRQ_LEGACY);
		if (ret < 0)
			return ret;
		dd->nvec = 1;
	}

	ret = request_irq(pci_irq_vector(pdev, dd->nvec - 1), dmae_irq_misc,
			  IRQF_SHARED, DMAE_DRV_NAME, dd);
	if (ret)
		return ret;
	for (i = 0; dd->msix && i < dd->nchan; i++) {
		ret = request_irq(pci_irq_vector(pdev, i), dmae_irq_chan, 0,
				  DMAE_DRV_NAME, &dd->chan[i]);
		if (ret)
			goto err;
	}
	return 0;
err:
	while (i--)
		free_irq(pci_irq_vector(pdev, i), &dd->chan[i]);
	free_irq(pci_irq_vector(pdev, dd->nvec - 1), dd);
	return ret;
}

static void dmae_free_irqs(struct dmae_dev *dd)
{
	unsigned int i;

	for (i = 0; dd->msix && i < dd->nchan; i++)
		free_irq(pci_irq_vector(dd->pdev, i), &dd->chan[i]);
	free_irq(pci_irq_vector(dd->pdev, dd->nvec - 1), dd);
}

static const char *dmae_irq_mode(struct dmae_dev *dd)
{
	if (dd->msix)
		return "MSI-X";
	return dd->pdev->msi_enabled ? "MSI" : "INTx";
}

/*
 * Stop the channels' hardware, once they take no more work: a dmaengine
 * client that keeps its channel across the unbind, or the completion
 * tasklet pushing a backlog, would otherwise ring the doorbell of a
 * channel that was just reset, which halts it (TAIL beyond its ring), and
 * the error interrupt would start a recovery that enables it again.
 */
static void dmae_stop_chans(struct dmae_dev *dd)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < dd->nchan; i++) {
		struct dmae_chan *ch = &dd->chan[i];

		spin_lock_irqsave(&ch->lock, flags);
		ch->dead = true;
		spin_unlock_irqrestore(&ch->lock, flags);
	}
	for (i = 0; i < dd->nchan; i++)
		dmae_chan_stop(&dd->chan[i]);
}

static void dmae_shutdown_chans(struct dmae_dev *dd)
{
	unsigned int i;

	for (i = 0; i < dd->nchan; i++)
		dmae_chan_shutdown(&dd->chan[i]);
}

static void dmae_dev_release(struct kref *ref)
{
	kfree(container_of(ref, struct dmae_dev, ref));
}

/**
 * dmae_dev_put() - drop a reference to the device structure
 * @dd: the device
 */
void dmae_dev_put(struct dmae_dev *dd)
{
	kref_put(&dd->ref, dmae_dev_release);
}

static void dmae_dev_put_action(void *dd)
{
	dmae_dev_put(dd);
}

static int dmae_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct dmae_dev *dd;
	unsigned int i;
	int ret;

	/*
	 * Not devm memory: dmaengine clients may hold the channels, which
	 * live in it, after the device is unbound (see struct dmae_dev).
	 */
	dd = kzalloc(sizeof(*dd), GFP_KERNEL);
	if (!dd)
		return -ENOMEM;
	kref_init(&dd->ref);
	ret = devm_add_action_or_reset(dev, dmae_dev_put_action, dd);
	if (ret)
		return ret;
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
	dma_set_max_seg_size(dev, dd->max_xfer);
	pci_set_master(pdev);
	pci_set_drvdata(pdev, dd);

	dmae_seed_init(dd);
	for (i = 0; i < dd->nchan; i++) {
		ret = dmae_chan_init(dd, i);
		if (ret) {
			while (i--)
				dmae_chan_stop(&dd->chan[i]);
			return ret;
		}
	}
	ret = dmae_setup_irqs(dd);
	if (ret)
		goto err_stop;
	if (dd->nchan) {
		ret = dmae_dmaengine_register(dd);
		if (ret)
			goto err_irqs;
		ret = dmae_be_register(dd);
		if (ret) {
			dmae_dmaengine_unregister(dd);
			goto err_irqs;
		}
	}

	dmae_debugfs_init(dd);
	dev_info(dev, "%s interrupt, %u channels, max transfer %u bytes, buffer %u bytes\n",
		 dmae_irq_mode(dd), dd->nchan, dd->max_xfer, dd->buf_size);
	return 0;

err_irqs:
	dmae_stop_chans(dd);
	dmae_free_irqs(dd);
	dmae_shutdown_chans(dd);
	return ret;
err_stop:
	dmae_stop_chans(dd);
	dmae_shutdown_chans(dd);
	return ret;
}

static void dmae_remove(struct pci_dev *pdev)
{
	struct dmae_dev *dd = pci_get_drvdata(pdev);

	/*
	 * dmaengine clients hold a module reference, and the sysfs
	 * attributes are gone and drained before this runs. The test hooks
	 * go first, waiting for one under way.
	 */
	dmae_debugfs_exit(dd);
	dmae_be_unregister(dd);
	dmae_dmaengine_unregister(dd);
	dmae_stop_chans(dd);
	dmae_free_irqs(dd);
	dmae_shutdown_chans(dd);
	pci_clear_master(pdev);
}

static const struct pci_device_id dmae_ids[] = {
	{ PCI_DEVICE(DMAE_PCI_VENDOR_ID, DMAE_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dmae_ids);

static const struct attribute_group *dmae_groups[] = {
	&dmae_seed_attr_group,
	&dmae_chan_attr_group,
	&dmae_ring_attr_group,
	NULL
};

static struct pci_driver dmae_driver = {
	.name = DMAE_DRV_NAME,
	.id_table = dmae_ids,
	.probe = dmae_probe,
	.remove = dmae_remove,
	.dev_groups = dmae_groups,
};

static int __init dmae_init(void)
{
	int ret;

	dmae_wq = alloc_workqueue(DMAE_DRV_NAME, WQ_UNBOUND, 0);
	if (!dmae_wq)
		return -ENOMEM;
	dmae_debugfs_register();
	ret = pci_register_driver(&dmae_driver);
	if (ret) {
		dmae_debugfs_unregister();
		destroy_workqueue(dmae_wq);
	}
	return ret;
}
module_init(dmae_init);

static void __exit dmae_exit(void)
{
	pci_unregister_driver(&dmae_driver);
	dmae_debugfs_unregister();
	/* A completion work item may still be returning into this module. */
	destroy_workqueue(dmae_wq);
}
module_exit(dmae_exit);

MODULE_DESCRIPTION("Driver for the dma-engine PCIe memory-copy engine");
MODULE_LICENSE("GPL");
