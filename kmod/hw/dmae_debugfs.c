// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: the test hooks, in debugfs (root only, and not an ABI), a
 * directory per device: /sys/kernel/debug/dma_engine/<PCI address>/.
 * The seed's copy_size and the counters stay in sysfs (docs/sysfs.md).
 *
 * bench: write "SIZE COUNT" or "seed SIZE COUNT" to time COUNT copies
 *	(dmae_bench.c); read the last result.
 * chan_selftest: write N to check copies of N bytes on every channel
 *	(dmae_selftest.c); chan_selftest_max: the largest N.
 * fault_selftest: write 1 to copy from an address no longer mapped.
 * inject_fail, inject_stall, inject_drop_irq, inject_corrupt: write N to
 *	make the Nth descriptor (or interrupt, or completion record) from
 *	now on go wrong once, 0 to disarm; reading gives what is left of the
 *	countdown. inject_fired: how often each kind fired, "fail F stall S
 *	drop_irq D corrupt C" (each mod 256). Only on a device that offers
 *	the fault injection block (DMAE_CAP_INJECT: QEMU's x-fault-inject=on);
 *	docs/dma-engine.rst says what each fault does.
 *
 * A write is one command; its result is the write's: the length written,
 * or the hook's error. The directory is removed first thing when the
 * device goes, which waits for the file operations under way
 * (debugfs_remove_recursive()), so that none outlives the device.
 */

#include <linux/debugfs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "dmae.h"

/* What the longest command needs ("seed 4194304 1024"), with room. */
#define DMAE_DBG_CMD_MAX	64

/**
 * struct dmae_dbg_file - one test hook
 * @name: its file name
 * @mode: its file mode
 * @show: what reading gives (NULL: write only)
 * @write: what a write does, with the NUL-terminated text (NULL: read only)
 * @reg: the fault injection register (inject_* only)
 * @inject: exists only if the device offers fault injection
 */
struct dmae_dbg_file {
	const char *name;
	umode_t mode;
	void (*show)(struct seq_file *m, struct dmae_dev *dd, unsigned int reg);
	int (*write)(struct dmae_dev *dd, const char *buf, unsigned int reg);
	unsigned int reg;
	bool inject;
};

static struct dentry *dmae_dbg_root;

static void dmae_dbg_bench_show(struct seq_file *m, struct dmae_dev *dd,
				unsigned int reg)
{
	dmae_bench_show(m);
}

static int dmae_dbg_bench(struct dmae_dev *dd, const char *buf,
			  unsigned int reg)
{
	return dmae_bench_cmd(dd, buf);
}

static int dmae_dbg_chan_selftest(struct dmae_dev *dd, const char *buf,
				  unsigned int reg)
{
	return dmae_chan_selftest(dd, buf);
}

static void dmae_dbg_st_max(struct seq_file *m, struct dmae_dev *dd,
			    unsigned int reg)
{
	seq_printf(m, "%zu\n", dmae_st_max(dd));
}

static int dmae_dbg_fault_selftest(struct dmae_dev *dd, const char *buf,
				   unsigned int reg)
{
	return dmae_fault_selftest(dd, buf);
}

static void dmae_dbg_inject_show(struct seq_file *m, struct dmae_dev *dd,
				 unsigned int reg)
{
	seq_printf(m, "%u\n", readl(dd->regs + reg));
}

static int dmae_dbg_inject(struct dmae_dev *dd, const char *buf,
			   unsigned int reg)
{
	u32 n;
	int ret;

	ret = kstrtou32(buf, 0, &n);
	if (ret)
		return ret;
	writel(n, dd->regs + reg);
	return 0;
}

static void dmae_dbg_fired(struct seq_file *m, struct dmae_dev *dd,
			   unsigned int reg)
{
	u32 f = readl(dd->regs + DMAE_INJ_FIRED);

	seq_printf(m, "fail %u stall %u drop_irq %u corrupt %u\n",
		   f & 0xff, (f >> 8) & 0xff, (f >> 16) & 0xff, f >> 24);
}

#define DMAE_DBG_INJECT(_name, _reg)					\
	{ .name = "inject_" #_name, .mode = 0600,			\
	  .show = dmae_dbg_inject_show, .write = dmae_dbg_inject,	\
	  .reg = (_reg), .inject = true }

static const struct dmae_dbg_file dmae_dbg_files[] = {
	{ .name = "bench", .mode = 0600, .show = dmae_dbg_bench_show,
	  .write = dmae_dbg_bench },
	{ .name = "chan_selftest", .mode = 0200,
	  .write = dmae_dbg_chan_selftest },
	{ .name = "chan_selftest_max", .mode = 0400,
	  .show = dmae_dbg_st_max },
	{ .name = "fault_selftest", .mode = 0200,
	  .write = dmae_dbg_fault_selftest },
	DMAE_DBG_INJECT(fail, DMAE_INJ_FAIL),
	DMAE_DBG_INJECT(stall, DMAE_INJ_STALL),
	DMAE_DBG_INJECT(drop_irq, DMAE_INJ_DROP_IRQ),
	DMAE_DBG_INJECT(corrupt, DMAE_INJ_CORRUPT),
	{ .name = "inject_fired", .mode = 0400, .show = dmae_dbg_fired,
	  .inject = true },
};

static_assert(ARRAY_SIZE(dmae_dbg_files) == DMAE_DBG_FILES);

static int dmae_dbg_show(struct seq_file *m, void *unused)
{
	const struct dmae_dbg_node *n = m->private;

	n->f->show(m, n->dd, n->f->reg);
	return 0;
}

/*
 * Root passes the file mode's checks: a hook opened for what it does not
 * do is refused here rather than reach a NULL operation.
 */
static int dmae_dbg_open(struct inode *inode, struct file *file)
{
	const struct dmae_dbg_node *n = inode->i_private;

	if (((file->f_mode & FMODE_READ) && !n->f->show) ||
	    ((file->f_mode & FMODE_WRITE) && !n->f->write))
		return -EACCES;
	if (n->f->show)
		return single_open(file, dmae_dbg_show, inode->i_private);
	return nonseekable_open(inode, file);
}

static int dmae_dbg_release(struct inode *inode, struct file *file)
{
	const struct dmae_dbg_node *n = inode->i_private;

	return n->f->show ? single_release(inode, file) : 0;
}

static ssize_t dmae_dbg_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	const struct dmae_dbg_node *n = file_inode(file)->i_private;
	char buf[DMAE_DBG_CMD_MAX];
	int ret;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = n->f->write(n->dd, buf, n->f->reg);
	return ret ? ret : count;
}

static const struct file_operations dmae_dbg_fops = {
	.owner = THIS_MODULE,
	.open = dmae_dbg_open,
	.read = seq_read,
	.write = dmae_dbg_write,
	.llseek = no_llseek,
	.release = dmae_dbg_release,
};

/**
 * dmae_debugfs_init() - create a device's test hooks
 * @dd: the device, set up and ready for them
 *
 * A failure to create them is not the device's: debugfs may be off, and
 * the device works without it.
 */
void dmae_debugfs_init(struct dmae_dev *dd)
{
	unsigned int i;

	dd->dbg = debugfs_create_dir(pci_name(dd->pdev), dmae_dbg_root);
	for (i = 0; i < ARRAY_SIZE(dmae_dbg_files); i++) {
		const struct dmae_dbg_file *f = &dmae_dbg_files[i];

		if (f->inject && !(dd->caps & DMAE_CAP_INJECT))
			continue;
		dd->dbg_nodes[i].dd = dd;
		dd->dbg_nodes[i].f = f;
		debugfs_create_file(f->name, f->mode, dd->dbg,
				    &dd->dbg_nodes[i], &dmae_dbg_fops);
	}
}

/**
 * dmae_debugfs_exit() - remove a device's test hooks
 * @dd: the device
 *
 * Returns once no hook runs any more (a bench or self-test under way
 * finishes first), so the device may go.
 */
void dmae_debugfs_exit(struct dmae_dev *dd)
{
	debugfs_remove_recursive(dd->dbg);
	dd->dbg = NULL;
}

void dmae_debugfs_register(void)
{
	dmae_dbg_root = debugfs_create_dir(DMAE_DRV_NAME, NULL);
}

void dmae_debugfs_unregister(void)
{
	debugfs_remove_recursive(dmae_dbg_root);
}
