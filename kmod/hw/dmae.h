/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driver-internal definitions for the dma-engine PCIe DMA engine.
 */
#ifndef _DMAE_H
#define _DMAE_H

#include <linux/build_bug.h>
#include <linux/completion.h>
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include "hw/dma_engine_regs.h"
#include "dmae_backend.h"

#define DMAE_DRV_NAME	"dma_engine"
/* SG entries per side of a descriptor that the driver provides room for */
#define DMAE_DRV_MAX_SG	64
/* Failed dmaengine cookies a channel remembers for device_tx_status() */
#define DMAE_DMA_FAILED	64

/**
 * enum dmae_chan_role - who a channel works for (module parameter chan_roles)
 * @DMAE_ROLE_SHARED: the copy service's native backend and dmaengine
 *	clients both (the default)
 * @DMAE_ROLE_NATIVE: the copy service's native backend only
 * @DMAE_ROLE_DMAENGINE: dmaengine clients only
 * @DMAE_ROLE_UNUSED: nobody (the channel is started and idle)
 * @DMAE_ROLE_COUNT: the number of roles
 */
enum dmae_chan_role {
	DMAE_ROLE_SHARED,
	DMAE_ROLE_NATIVE,
	DMAE_ROLE_DMAENGINE,
	DMAE_ROLE_UNUSED,
	DMAE_ROLE_COUNT
};

/* The device's descriptor, SG entry and completion record */
struct dmae_hw_desc {
	u8 op;
	u8 rsvd0;
	__le16 flags;
	__le32 len;
	__le64 src;
	__le64 dst;
	__le32 src_nsg;
	__le32 dst_nsg;
	__le64 pattern;
	__le64 cookie;
	__le64 rsvd1[2];
} __packed;

struct dmae_hw_sg {
	__le64 addr;
	__le32 len;
	__le32 rsvd;
} __packed;

struct dmae_hw_compl {
	__le64 cookie;
	__le32 bytes;
	__le32 result;
	__le64 fault_addr;
	u8 status;
	u8 rsvd[7];
} __packed;

static_assert(sizeof(struct dmae_hw_desc) == DMAE_DESC_SIZE);
static_assert(sizeof(struct dmae_hw_sg) == DMAE_SG_SIZE);
static_assert(sizeof(struct dmae_hw_compl) == DMAE_COMPL_SIZE);
/* every field where the register header puts it */
static_assert(offsetof(struct dmae_hw_desc, op) == DMAE_DESC_OP);
static_assert(offsetof(struct dmae_hw_desc, flags) == DMAE_DESC_FLAGS);
static_assert(offsetof(struct dmae_hw_desc, len) == DMAE_DESC_LEN);
static_assert(offsetof(struct dmae_hw_desc, src) == DMAE_DESC_SRC);
static_assert(offsetof(struct dmae_hw_desc, dst) == DMAE_DESC_DST);
static_assert(offsetof(struct dmae_hw_desc, src_nsg) == DMAE_DESC_SRC_NSG);
static_assert(offsetof(struct dmae_hw_desc, dst_nsg) == DMAE_DESC_DST_NSG);
static_assert(offsetof(struct dmae_hw_desc, pattern) == DMAE_DESC_PATTERN);
static_assert(offsetof(struct dmae_hw_desc, cookie) == DMAE_DESC_COOKIE);
static_assert(offsetof(struct dmae_hw_compl, cookie) == DMAE_COMPL_COOKIE);
static_assert(offsetof(struct dmae_hw_compl, bytes) == DMAE_COMPL_BYTES);
static_assert(offsetof(struct dmae_hw_compl, result) == DMAE_COMPL_RESULT);
static_assert(offsetof(struct dmae_hw_compl, fault_addr) ==
	      DMAE_COMPL_FAULT_ADDR);
static_assert(offsetof(struct dmae_hw_compl, status) == DMAE_COMPL_STATUS);

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
 * struct dmae_chan - one descriptor-ring channel
 * @dd: the device
 * @idx: channel number
 * @regs: the channel's register block
 * @lock: protects the ring state, @jobs and @backlog
 * @size: ring entries
 * @ring: descriptor ring (coherent)
 * @compl: completion ring (coherent)
 * @sg: SG lists, 2 * DMAE_DRV_MAX_SG entries per slot (coherent)
 * @ring_dma: bus address of @ring
 * @compl_dma: bus address of @compl
 * @sg_dma: bus address of @sg
 * @jobs: the job in each slot
 * @backlog: submitted jobs not yet in the ring
 * @tail: number of the next descriptor to write
 * @issued: TAIL as last written to the device
 * @head: number of the next completion to reap
 * @last_progress: jiffies of the last reaped completion or issue
 * @tasklet: reaps completions
 * @watchdog: notices a channel that stopped making progress
 * @recover_work: aborts and resets a hung or halted channel
 * @recover_err: what the jobs in flight fail with
 * @recovering: a recovery is stopping and resetting the channel
 * @dead: the channel would not stop, or the device is gone: it takes no
 *	more jobs and touches no hardware
 * @role: DMAE_ROLE_*, fixed at probe
 * @dchan: the dmaengine channel (registered for the shared and dmaengine
 *	roles only)
 * @dma_pending: dmaengine descriptors submitted, not yet issued
 * @dma_issued: dmaengine descriptors handed to the channel (counter)
 * @dma_done: of those, finished with their callbacks run (counter)
 * @dma_ran_seq: the issue number (1 for the first) of the latest of them
 *	that ran, whose cookie is the channel's completed one
 * @dma_sync_target: what device_synchronize() waits for @dma_done to reach
 * @dma_wq: woken when @dma_done moves while someone waits
 * @dma_failed: cookies of the last dmaengine descriptors that failed, for
 *	device_tx_status() (a ring of them)
 * @dma_nfailed: failures recorded so far; the ring holds the last ones
 * @submitted: jobs submitted (counter)
 * @completed: jobs completed (counter)
 * @errors: jobs completed with an error (counter)
 * @bytes: bytes moved by successful jobs (counter)
 * @resets: recoveries (counter)
 * @bad_records: completion records not believed (counter)
 */
struct dmae_chan {
	struct dmae_dev *dd;
	unsigned int idx;
	void __iomem *regs;
	spinlock_t lock;	/* ring state */
	u32 size;
	struct dmae_hw_desc *ring;
	struct dmae_hw_compl *compl;
	struct dmae_hw_sg *sg;
	dma_addr_t ring_dma;
	dma_addr_t compl_dma;
	dma_addr_t sg_dma;
	struct dmae_job **jobs;
	struct list_head backlog;
	u32 tail;
	u32 issued;
	u32 head;
	unsigned long last_progress;
	struct tasklet_struct tasklet;
	struct timer_list watchdog;
	struct work_struct recover_work;
	int recover_err;
	bool recovering;
	bool dead;
	u8 role;
	struct dma_chan dchan;
	struct list_head dma_pending;
	u64 dma_issued;
	u64 dma_done;
	u64 dma_ran_seq;
	u64 dma_sync_target;
	wait_queue_head_t dma_wq;
	dma_cookie_t dma_failed[DMAE_DMA_FAILED];
	unsigned int dma_nfailed;
	u64 submitted;
	u64 completed;
	u64 errors;
	u64 bytes;
	u64 resets;
	u64 bad_records;
};

/* A debugfs file of a device: the device, and which hook it is. */
#define DMAE_DBG_FILES	9
struct dmae_dbg_file;
struct dmae_dbg_node {
	struct dmae_dev *dd;
	const struct dmae_dbg_file *f;
};

/**
 * struct dmae_dev - one dma-engine PCI function
 * @ref: one reference for the driver's binding (dropped after remove, by
 *	devres), one for dmaengine while it knows the device (dropped in its
 *	device_release, once the last client let go of the channels)
 * @pdev: the PCI device
 * @regs: BAR0
 * @caps: DMAE_CAP_* bits read at probe
 * @max_xfer: longest copy the device accepts, in bytes
 * @buf_size: size of the device's internal buffer, in bytes
 * @nchan: channels in use
 * @ring_max: largest ring the device accepts
 * @max_sg: SG entries per side the driver uses
 * @nvec: interrupt vectors allocated
 * @msix: the vectors are MSI-X (one per channel, then the misc one)
 * @seed: state of the seed register block
 * @chan: the channels
 * @dma: the dmaengine device
 * @dma_nchan: channels registered with dmaengine (0: @dma is not
 *	registered)
 * @dma_release_work: drops dmaengine's reference once dmaengine is done
 *	with the channels (dmae_dma_release())
 * @be: the channels as a backend of the copy service (/dev/dma_engineN)
 * @be_chan: the channel behind each of @be's channels
 * @be_nchan: channels of @be (0: @be is not registered)
 * @id: number of the engine, for its device name
 * @dbg: its debugfs directory of test hooks (dmae_debugfs.c)
 * @dbg_nodes: what each file of @dbg is about
 */
struct dmae_dev {
	struct kref ref;
	struct pci_dev *pdev;
	void __iomem *regs;
	u64 caps;
	u32 max_xfer;
	u32 buf_size;
	unsigned int nchan;
	u32 ring_max;
	unsigned int max_sg;
	unsigned int nvec;
	bool msix;
	struct dmae_seed seed;
	struct dmae_chan chan[DMAE_CHAN_MAX];
	struct dma_device dma;
	unsigned int dma_nchan;
	struct work_struct dma_release_work;
	struct dmae_be be;
	unsigned int be_chan[DMAE_CHAN_MAX];
	unsigned int be_nchan;
	int id;
	struct dentry *dbg;
	struct dmae_dbg_node dbg_nodes[DMAE_DBG_FILES];
};

extern unsigned int dmae_timeout_ms;
extern struct workqueue_struct *dmae_wq;

/* dmae_main.c */
void dmae_dev_put(struct dmae_dev *dd);

static inline bool dmae_chan_for_dma(const struct dmae_chan *ch)
{
	return ch->role == DMAE_ROLE_SHARED || ch->role == DMAE_ROLE_DMAENGINE;
}

static inline bool dmae_chan_for_svc(const struct dmae_chan *ch)
{
	return ch->role == DMAE_ROLE_SHARED || ch->role == DMAE_ROLE_NATIVE;
}

/* dmae_seed.c */
void dmae_seed_init(struct dmae_dev *dd);
irqreturn_t dmae_seed_irq(struct dmae_dev *dd);
int dmae_seed_copy(struct dmae_dev *dd, dma_addr_t src, dma_addr_t dst,
		   u32 len);
extern const struct attribute_group dmae_seed_attr_group;

/* The backend's job operations are the device's opcodes. */
static_assert(DMAE_JOB_NOP == DMAE_OP_NOP);
static_assert(DMAE_JOB_COPY == DMAE_OP_COPY);
static_assert(DMAE_JOB_FILL == DMAE_OP_FILL);
static_assert(DMAE_JOB_COMPARE == DMAE_OP_COMPARE);
static_assert(DMAE_JOB_COPY_CRC32C == DMAE_OP_COPY_CRC32C);

static inline struct device *dmae_dma_dev(struct dmae_dev *dd)
{
	return &dd->pdev->dev;
}

static inline u32 dmae_max_len(struct dmae_dev *dd)
{
	return dd->max_xfer;
}

static inline unsigned int dmae_max_sg(struct dmae_dev *dd)
{
	return dd->max_sg;
}

/* dmae_chan.c */
int dmae_submit(struct dmae_chan *ch, struct dmae_job *job);
void dmae_issue(struct dmae_chan *ch);
int dmae_chan_init(struct dmae_dev *dd, unsigned int idx);
void dmae_chan_stop(struct dmae_chan *ch);
void dmae_chan_shutdown(struct dmae_chan *ch);
void dmae_chan_kick(struct dmae_chan *ch);
void dmae_chan_poll(struct dmae_chan *ch);
int dmae_submit_locked(struct dmae_chan *ch, struct dmae_job *job);
void dmae_chan_error(struct dmae_chan *ch);
extern const struct attribute_group dmae_chan_attr_group;

/* dmae_dmaengine.c */
int dmae_dmaengine_register(struct dmae_dev *dd);
void dmae_dmaengine_unregister(struct dmae_dev *dd);

/* dmae_selftest.c, dmae_bench.c: the test hooks behind dmae_debugfs.c */
int dmae_chan_selftest(struct dmae_dev *dd, const char *buf);
int dmae_fault_selftest(struct dmae_dev *dd, const char *buf);
size_t dmae_st_max(struct dmae_dev *dd);
int dmae_bench_cmd(struct dmae_dev *dd, const char *buf);
struct seq_file;
void dmae_bench_show(struct seq_file *m);

/* dmae_debugfs.c */
void dmae_debugfs_init(struct dmae_dev *dd);
void dmae_debugfs_exit(struct dmae_dev *dd);
void dmae_debugfs_register(void);
void dmae_debugfs_unregister(void);

#endif /* _DMAE_H */
