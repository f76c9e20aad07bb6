// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: the shared-ring operations from a stock io_uring, through
 * IORING_OP_URING_CMD (file_operations.uring_cmd), as NVMe passthrough and
 * ublk do. The payload is copied when the command is issued; the request
 * completes from its work item through io_uring_cmd_complete_in_task()
 * and io_uring_cmd_done(). Registered buffers are the file's own, set up
 * with DMAE_IOC_REGISTER_BUFFERS on the same file. On an io_uring with
 * IORING_SETUP_IOPOLL the request asks for no interrupt, io_uring's wait
 * reaps the channels through file_operations.uring_cmd_iopoll, and the
 * completion only marks the request done: for IOPOLL rings
 * io_uring_cmd_done() sets the result and a flag, takes no lock and posts
 * nothing, so it is safe from any context, also when one ring's poll
 * completes another ring's command on the same channel (NVMe's plain
 * passthrough completes through task work instead because its
 * completion needs the submitter's task; ours does not).
 */

#include <linux/io_uring.h>
#include <linux/uaccess.h>

#include "dmae_cdev.h"

/* Lives in io_uring_cmd.pdu between the work item and the task work. */
struct dmae_ucmd_pdu {
	s32 res;
	u32 result;
	u32 cflags;
	bool iopoll;	/* issued with IO_URING_F_IOPOLL */
};

static_assert(sizeof(struct dmae_ucmd_pdu) <=
	      sizeof_field(struct io_uring_cmd, pdu));

static struct dmae_ucmd_pdu *dmae_pdu(struct io_uring_cmd *cmd)
{
	return (struct dmae_ucmd_pdu *)cmd->pdu;
}

static void dmae_ucmd_task(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct dmae_ucmd_pdu *pdu = dmae_pdu(cmd);

	io_uring_cmd_done(cmd, pdu->res, (u64)pdu->cflags << 32 | pdu->result,
			  issue_flags);
}

static void dmae_ucmd_done(struct dmae_ctx *ctx, void *arg, u64 user_data,
			   s32 res, u32 result, u32 cflags, u32 moved)
{
	struct io_uring_cmd *cmd = arg;
	struct dmae_ucmd_pdu *pdu = dmae_pdu(cmd);
	unsigned long flags;

	spin_lock_irqsave(&ctx->cq_lock, flags);
	dmae_ctx_count(ctx, res, cflags, moved);
	spin_unlock_irqrestore(&ctx->cq_lock, flags);
	pdu->res = res;
	pdu->result = result;
	pdu->cflags = cflags;
	/* Polled: io_uring's reaper posts it; only mark it done. */
	if (pdu->iopoll)
		io_uring_cmd_done(cmd, res, (u64)cflags << 32 | result, 0);
	else
		io_uring_cmd_complete_in_task(cmd, dmae_ucmd_task);
}

/* Copy the operation out of the command, once. */
static int dmae_ucmd_fetch(struct io_uring_cmd *cmd, unsigned int issue_flags,
			   struct dmae_sqe *sqe)
{
	const struct dmae_ucmd_ptr *p;
	u64 uptr;

	switch (cmd->cmd_op) {
	case DMAE_UCMD_SQE:
	case DMAE_UCMD_SUBMIT:
		if (!(issue_flags & IO_URING_F_SQE128))
			return -EINVAL;
		memcpy(sqe, cmd->cmd, sizeof(*sqe));
		return 0;
	case DMAE_UCMD_SQE_PTR:
	case DMAE_UCMD_SUBMIT_PTR:
		p = cmd->cmd;
		if (READ_ONCE(p->resv))
			return -EINVAL;
		uptr = READ_ONCE(p->sqe);
		/*
		 * The non-blocking attempt may not fault the entry in: only
		 * if it is not there, the command goes to io_uring's worker.
		 */
		if (issue_flags & IO_URING_F_NONBLOCK)
			return copy_from_user_nofault(sqe, u64_to_user_ptr(uptr),
						      sizeof(*sqe)) ? -EAGAIN : 0;
		if (copy_from_user(sqe, u64_to_user_ptr(uptr), sizeof(*sqe)))
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

/**
 * dmae_uring_cmd() - file_operations.uring_cmd of /dev/dma_engineN
 * @cmd: the command; cmd_op is DMAE_UCMD_*
 * @issue_flags: IO_URING_F_*
 *
 * Return: 0 for a NOP; -EIOCBQUEUED when the operation runs and will
 * complete through io_uring_cmd_done(); -EAGAIN when it would block and
 * the issue is non-blocking (io_uring retries from a worker); otherwise a
 * negative errno, which becomes the completion's res: -ENOTTY (unknown
 * cmd_op), -EINVAL (bad payload, DMAE_UCMD_SUBMIT without SQE128, and the
 * entry errors of the shared ring), -EFAULT, -ENODEV.
 */
int dmae_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct dmae_ctx *ctx = cmd->file->private_data;
	bool nowait = issue_flags & IO_URING_F_NONBLOCK;
	struct dmae_sqe sqe;
	int ret;

	ret = dmae_ucmd_fetch(cmd, issue_flags, &sqe);
	if (ret)
		return ret;
	dmae_pdu(cmd)->iopoll = issue_flags & IO_URING_F_IOPOLL;
	sqe.user_data = 0;
	/* io_uring orders its own requests (IOSQE_IO_LINK, IOSQE_IO_DRAIN) */
	if (sqe.flags & (DMAE_SQE_IO_LINK | DMAE_SQE_IO_DRAIN))
		return -EINVAL;
	/*
	 * Polled: the engine, not the CPU path, whose user copies may fault
	 * and so would send the command to io_uring's worker, from where it
	 * reaches the poll list only once the poller lets go of its lock.
	 */
	if (issue_flags & IO_URING_F_IOPOLL)
		sqe.flags |= DMAE_SQE_NO_CPU;

	/*
	 * The non-blocking issue does the copy when it can without faulting
	 * pages in or waiting for a lock or memory (which is nearly always:
	 * buffers in use are mapped); else -EAGAIN, and io_uring issues it
	 * again from a worker, where all of that may sleep. Sending every
	 * copy to a worker would cost a thread hand-over each. The entry is
	 * checked only once the device is known to be there (the checks read
	 * its limits) and, but for a NOP, under the context's lock (they read
	 * the registered buffers).
	 */
	if (nowait) {
		if (!down_read_trylock(&ctx->ud->sem))
			return -EAGAIN;
	} else {
		down_read(&ctx->ud->sem);
	}
	if (ctx->ud->dead) {
		ret = -ENODEV;
	} else if ((issue_flags & IO_URING_F_IOPOLL) &&
		   !ctx->ud->be->ops->poll) {
		ret = -EOPNOTSUPP;	/* nothing could reap it */
	} else if (sqe.opcode == DMAE_UOP_NOP) {
		ret = dmae_sqe_check(ctx, &sqe);
		up_read(&ctx->ud->sem);
		return ret;
	} else if (nowait && !mutex_trylock(&ctx->lock)) {
		ret = -EAGAIN;
	} else {
		if (!nowait)
			mutex_lock(&ctx->lock);	/* registered buffers stay put */
		ret = dmae_ureq_start(ctx, &sqe, dmae_ucmd_done, cmd,
				      (nowait ? DMAE_UREQ_NOWAIT : 0) |
				      (dmae_pdu(cmd)->iopoll ?
				       DMAE_UREQ_POLLED : 0));
		mutex_unlock(&ctx->lock);
		if (!ret) {
			spin_lock_irq(&ctx->cq_lock);
			ctx->stats.submitted++;
			spin_unlock_irq(&ctx->cq_lock);
			spin_lock_irq(&ctx->ud->stats_lock);
			ctx->ud->stats.submitted++;
			spin_unlock_irq(&ctx->ud->stats_lock);
		}
		dmae_ctx_job_issue(ctx);	/* the doorbell */
	}
	up_read(&ctx->ud->sem);
	return ret ? ret : -EIOCBQUEUED;
}

/**
 * dmae_uring_cmd_iopoll() - file_operations.uring_cmd_iopoll: io_uring's
 * IOPOLL wait reaps the engine for a polled command
 * @cmd: a command issued with IO_URING_F_IOPOLL
 * @iob: unused (completions are marked on the request itself)
 * @poll_flags: unused
 *
 * Reaps the context's channel (or every channel with DMAE_SETUP_SPREAD):
 * whatever is done completes, this command or others. While the backend
 * is going away nothing is polled; its unregister asks each channel for
 * an interrupt instead (dmae_udev_arm_all()), so the commands still end.
 *
 * Return: 0 (io_uring finds the commands done by their own mark).
 */
int dmae_uring_cmd_iopoll(struct io_uring_cmd *cmd, struct io_comp_batch *iob,
			  unsigned int poll_flags)
{
	struct dmae_ctx *ctx = cmd->file->private_data;
	struct dmae_udev *ud = ctx->ud;

	if (!down_read_trylock(&ud->sem))
		return 0;
	if (!ud->dead && ud->be->ops->poll)
		dmae_ctx_poll_chans(ctx);
	up_read(&ud->sem);
	return 0;
}
