/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-engine: the in-kernel API of the descriptor-ring channels.
 *
 * A user builds a struct dmae_job from DMA addresses or from sg_tables it
 * has mapped with the streaming DMA API for the engine's device
 * (dmae_dma_dev()), submits it to a channel, rings the doorbell, and gets
 * its ->done() callback with the outcome. Jobs on one channel complete in
 * submission order. Nothing here knows about user space.
 */
#ifndef _DMAE_ENGINE_H
#define _DMAE_ENGINE_H

#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct dmae_dev;
struct dmae_chan;

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
 * @op: DMAE_OP_* of dma_engine_regs.h
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
 *	device refused the descriptor), -ECANCELED (fence after a failure,
 *	or the channel was terminated), -ETIMEDOUT (the channel hung and was
 *	reset), -EIO (the channel halted)
 * @hw_err: the device's error code (DMAE_ERR_*), 0 on success
 * @bytes: bytes done; for COMPARE, the offset of the first difference
 * @result: COMPARE: 0 equal, 1 different; COPY_CRC32C: the CRC32C
 * @fault_addr: the faulting DMA address for -EFAULT
 * @priv: for the submitter
 * @node: for the channel while the job is queued
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
};

struct device *dmae_dma_dev(struct dmae_dev *dd);
unsigned int dmae_num_chans(struct dmae_dev *dd);
struct dmae_chan *dmae_get_chan(struct dmae_dev *dd, unsigned int idx);
u32 dmae_max_len(struct dmae_dev *dd);
unsigned int dmae_max_sg(struct dmae_dev *dd);

int dmae_submit(struct dmae_chan *ch, struct dmae_job *job);
void dmae_issue(struct dmae_chan *ch);

#endif /* _DMAE_ENGINE_H */
