/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-engine copy service: the interface between the service (dmae_svc.ko:
 * character devices, rings, pinning, files) and the engines it runs on
 * (backends): our device's channels (dma_engine.ko) or any dmaengine
 * channel with DMA_MEMCPY (dmae_svc.ko's own dmaengine backend).
 *
 * The service builds a struct dmae_job from memory it has mapped with the
 * streaming DMA API for the backend's device (dmae_be.dma_dev, or for a
 * backend over several engines the device of the channel the job goes
 * to: dmae_be_dev(be, dmae_be_chan_devi(be, chan))), submits it to that
 * channel, issues, and gets the job's ->done()
 * callback with the outcome. Nothing here knows about registers or user
 * space.
 *
 * Lifetime: a backend registers with dmae_svc_register() once it can run
 * jobs and calls dmae_svc_unregister() before it stops doing so. Until
 * that returns the backend keeps running and completing what it was given
 * (completing with an error is fine); once it has returned, the service
 * never touches the backend again.
 */
#ifndef _DMAE_BACKEND_H
#define _DMAE_BACKEND_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct device;
struct module;
struct dmae_udev;

/* Job operations (dmae_job.op) */
#define DMAE_JOB_NOP		0	/* nothing; for its completion (and interrupt) */
#define DMAE_JOB_COPY		1	/* dst <- src */
#define DMAE_JOB_FILL		2	/* dst <- pattern repeated */
#define DMAE_JOB_COMPARE	3	/* result: src == dst ? 0 : 1 */
#define DMAE_JOB_COPY_CRC32C	4	/* COPY; result: CRC32C of the data */

/**
 * struct dmae_seg - a piece of DMA-mapped memory
 * @addr: DMA address
 * @len: bytes
 */
struct dmae_seg {
	dma_addr_t addr;
	u32 len;
};

/**
 * struct dmae_job - one operation for a channel
 * @op: DMAE_JOB_*
 * @fence: run only if the job before it on the channel succeeded
 * @irq: ask for an interrupt on completion (else it is reaped with the
 *	next interrupt, or by the watchdog)
 * @len: bytes; must match the sg_tables' mapped lengths when they are used
 * @src_sgt: mapped source, or NULL to use @src_segs or @src_addr
 * @dst_sgt: mapped destination, or NULL to use @dst_segs or @dst_addr
 * @src_segs: the source as pieces of mapped memory (@src_nsegs of them)
 * @dst_segs: the destination likewise (@dst_nsegs)
 * @src_nsegs: entries of @src_segs, 0 if unused
 * @dst_nsegs: entries of @dst_segs, 0 if unused
 * @src_addr: source DMA address when neither of the above is given
 * @dst_addr: destination DMA address likewise
 * @pattern: FILL pattern, byte i of the destination gets byte i % 8
 * @done: called once with the outcome, from softirq context; must not
 *	sleep. The job belongs to its submitter again from then on.
 * @status: 0, or a negative errno: -EFAULT (DMA fault), -EINVAL (the
 *	engine refused the job), -ECANCELED (fence after a failure, or the
 *	channel was terminated), -ETIMEDOUT (the channel hung and was
 *	reset), -EIO (the channel halted, or a dmaengine provider refused
 *	a descriptor with nothing in flight)
 * @hw_err: the engine's own error code (for our device DMAE_ERR_*), 0 on
 *	success or when the backend has none
 * @bytes: bytes done; for COMPARE, the offset of the first difference
 * @result: COMPARE: 0 equal, 1 different; COPY_CRC32C: the CRC32C
 * @fault_addr: the faulting DMA address for -EFAULT, if known
 * @priv: for the submitter
 * @node: for the backend while the job is queued
 * @be_priv: for the backend while it holds the job
 * @be_si: for the backend: source piece being handed on
 * @be_di: for the backend: destination piece likewise
 * @be_soff: for the backend: bytes of piece @be_si handed on
 * @be_doff: for the backend: bytes of piece @be_di handed on
 * @be_pos: for the backend: bytes of the job handed on
 * @be_pending: for the backend: pieces of the job in flight
 */
struct dmae_job {
	u8 op;
	bool fence;
	bool irq;
	u32 len;
	struct sg_table *src_sgt;
	struct sg_table *dst_sgt;
	const struct dmae_seg *src_segs;
	const struct dmae_seg *dst_segs;
	unsigned int src_nsegs;
	unsigned int dst_nsegs;
	dma_addr_t src_addr;
	dma_addr_t dst_addr;
	u64 pattern;
	void (*done)(struct dmae_job *job);

	int status;
	u8 hw_err;
	u32 bytes;
	u32 result;
	u64 fault_addr;
	void *priv;
	struct list_head node;
	void *be_priv;
	unsigned int be_si;
	unsigned int be_di;
	u32 be_soff;
	u32 be_doff;
	u32 be_pos;
	atomic_t be_pending;
};

struct dmae_be;

/* Devices the channels of one backend may be mapped for, at most */
#define DMAE_BE_MAX_DEVS	16

/**
 * struct dmae_be_ops - what a backend does for the service
 * @submit: queue @job on channel @chan (below dmae_be.nchan). The job
 *	has been checked against the backend's limits. Returns 0 (->done()
 *	will be called) or a negative errno (it will not): only a channel
 *	that is gone refuses a checked job. Any context; must not sleep.
 * @issue: start what was queued on channel @chan. Must not sleep.
 * @poll: optional: take what channel @chan has finished, calling the
 *	jobs' ->done() from the caller (process context; the backend runs
 *	them with bottom halves off, as from its interrupt path). A backend
 *	with @poll also runs DMAE_JOB_NOP jobs (the service's way to ask for
 *	an interrupt after what is queued).
 */
struct dmae_be_ops {
	int (*submit)(struct dmae_be *be, unsigned int chan,
		      struct dmae_job *job);
	void (*issue)(struct dmae_be *be, unsigned int chan);
	void (*poll)(struct dmae_be *be, unsigned int chan);
};

/**
 * struct dmae_be - an engine the service runs on
 * @ops: its operations
 * @owner: the module that implements @ops; every open file of the
 *	service device holds a reference on it
 * @dma_dev: the device user memory is mapped for (dmaengine: the
 *	provider's chan->device->dev, so the IOMMU domain is the provider's)
 * @ndev: with channels of several engines (a dmaengine group): how many
 *	devices their jobs are mapped for, at most DMAE_BE_MAX_DEVS; 0 or 1:
 *	every channel's jobs are mapped for @dma_dev
 * @devs: with @ndev > 1, those devices; @devs[0] is @dma_dev
 * @chan_devi: with @ndev > 1, for each channel the index in @devs of the
 *	device its jobs must be mapped for
 * @parent: the parent of the character device in sysfs
 * @kind: "native" or "dmaengine", shown in the device's sysfs `backend`
 * @nchan: channels, numbered 0 to @nchan - 1
 * @ops_mask: BIT(DMAE_JOB_*) of the operations the engine runs
 * @max_len: bytes one job may cover
 * @max_sg: pieces one side of a job may have
 * @node: NUMA node of the engine, or NUMA_NO_NODE
 * @ud: the service's, set by dmae_svc_register()
 */
struct dmae_be {
	const struct dmae_be_ops *ops;
	struct module *owner;
	struct device *dma_dev;
	unsigned int ndev;
	struct device *const *devs;
	const u8 *chan_devi;
	struct device *parent;
	const char *kind;
	unsigned int nchan;
	u32 ops_mask;
	u32 max_len;
	unsigned int max_sg;
	int node;
	struct dmae_udev *ud;
};

/* Index in @be->devs of the device channel @chan's jobs are mapped for */
static inline unsigned int dmae_be_chan_devi(const struct dmae_be *be,
					     unsigned int chan)
{
	return be->ndev > 1 ? be->chan_devi[chan] : 0;
}

/* The device of index @devi (from dmae_be_chan_devi()) */
static inline struct device *dmae_be_dev(const struct dmae_be *be,
					 unsigned int devi)
{
	return devi ? be->devs[devi] : be->dma_dev;
}

int dmae_svc_register(struct dmae_be *be, const char *name);
void dmae_svc_unregister(struct dmae_be *be);
ssize_t dmae_svc_stats_show(struct dmae_be *be, char *buf);

#endif /* _DMAE_BACKEND_H */
