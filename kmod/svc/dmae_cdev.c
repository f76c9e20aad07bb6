// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: /dev/dma_engineN, one per engine. Each open file is a
 * context with a submission ring, an SQE array and a completion ring in
 * memory shared with the process (mmap), in the manner of io_uring
 * (uapi/dmae_uring.h, docs/uapi.md). User-written ring indices are read
 * once and bounded; every taken entry gets exactly one completion, and a
 * completion that finds the CQ full is kept until there is room.
 */

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "dmae_cdev.h"

/* The uapi's layouts, as user space compiles them (docs/uapi.md) */
static_assert(sizeof(struct dmae_sqe) == 64);
static_assert(sizeof(struct dmae_cqe) == 32);
static_assert(sizeof(struct dmae_sqring_offsets) == 32);
static_assert(sizeof(struct dmae_cqring_offsets) == 32);
static_assert(sizeof(struct dmae_uring_params) == 120);
static_assert(sizeof(struct dmae_enter) == 32);
static_assert(offsetof(struct dmae_enter, resv) == 24);
static_assert(sizeof(struct dmae_buf_desc) == 16);
static_assert(sizeof(struct dmae_buf_reg) == 16);
static_assert(sizeof(struct dmae_ctx_stats) == 48);
static_assert(sizeof(struct dmae_ucmd_ptr) == 16);
static_assert(sizeof(struct dmae_files_reg) == 16);
static_assert(offsetof(struct dmae_sqe, src_fd) == 48);

/*
 * A ring region, sized by the process: charged to its memory cgroup, and
 * a failure is the process's ENOMEM, not a warning in the kernel log.
 * Mapped into the process page by page (dmae_mmap_region()).
 */
static void *dmae_ring_alloc(size_t size)
{
	return __vmalloc(size, DMAE_GFP_USER | __GFP_ZERO);
}

static int dmae_mmap_region(struct vm_area_struct *vma, void *region)
{
	unsigned long off;
	int ret;

	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	for (off = 0; off < vma->vm_end - vma->vm_start; off += PAGE_SIZE) {
		ret = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(region + off));
		if (ret)
			return ret;
	}
	return 0;
}

static void dmae_ctx_free_rings(struct dmae_ctx *ctx)
{
	vfree(ctx->sq_ring);
	vfree(ctx->sqes);
	vfree(ctx->cq_ring);
	kvfree(ctx->overflow);
	ctx->sq_ring = NULL;
	ctx->sqes = NULL;
	ctx->cq_ring = NULL;
	ctx->overflow = NULL;
}

/* DMAE_UOP_* the backend's job operations allow (dmae_uring_params.ops) */
static u32 dmae_ctx_ops(struct dmae_ctx *ctx)
{
	u32 jobs = ctx->ud->be->ops_mask, ops = BIT(DMAE_UOP_NOP);

	if (jobs & BIT(DMAE_JOB_COPY))
		ops |= BIT(DMAE_UOP_COPY) | BIT(DMAE_UOP_FILE_READ) |
		       BIT(DMAE_UOP_FILE_WRITE) | BIT(DMAE_UOP_FILE_COPY);
	if (jobs & BIT(DMAE_JOB_FILL))
		ops |= BIT(DMAE_UOP_FILL);
	if (jobs & BIT(DMAE_JOB_COMPARE))
		ops |= BIT(DMAE_UOP_COMPARE);
	if (jobs & BIT(DMAE_JOB_COPY_CRC32C))
		ops |= BIT(DMAE_UOP_COPY_CRC32C);
	return ops;
}

static int dmae_ctx_setup(struct dmae_ctx *ctx, void __user *arg)
{
	struct dmae_uring_params p;
	u32 idle;

	if (ctx->setup_done)
		return -EBUSY;
	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	if ((p.flags & ~(DMAE_SETUP_SPREAD | DMAE_SETUP_IOPOLL |
			 DMAE_SETUP_SQPOLL)) ||
	    p.features || p.version ||
	    p.max_len || p.ops ||
	    memchr_inv(p.resv, 0, sizeof(p.resv)))
		return -EINVAL;
	if (!p.sq_entries || p.sq_entries > DMAE_MAX_SQ_ENTRIES)
		return -EINVAL;
	if (!p.cq_entries)
		p.cq_entries = 2 * roundup_pow_of_two(p.sq_entries);
	if (p.cq_entries > DMAE_MAX_CQ_ENTRIES ||
	    p.cq_entries < roundup_pow_of_two(p.sq_entries))
		return -EINVAL;
	if (p.cpu_threshold > DMAE_MAX_CPU_THRESHOLD &&
	    p.cpu_threshold != DMAE_CPU_THRESHOLD_AUTO)
		return -EINVAL;
	if ((p.flags & DMAE_SETUP_IOPOLL) && !ctx->ud->be->ops->poll)
		return -EOPNOTSUPP;
	if (!(p.flags & DMAE_SETUP_SQPOLL) && p.sq_thread_idle)
		return -EINVAL;
	if (p.sq_thread_idle > DMAE_MAX_SQ_THREAD_IDLE)
		return -EINVAL;
	if ((p.flags & DMAE_SETUP_SQPOLL) && !p.sq_thread_idle)
		p.sq_thread_idle = 1000;

	if (p.cpu_threshold == DMAE_CPU_THRESHOLD_AUTO) {
		int be_len = dmae_udev_break_even(ctx->ud, ctx->chan);

		if (be_len < 0)
			return be_len;
		p.cpu_threshold = be_len;
	}

	ctx->sq_entries = roundup_pow_of_two(p.sq_entries);
	ctx->cq_entries = roundup_pow_of_two(p.cq_entries);
	ctx->cpu_threshold = p.cpu_threshold;
	ctx->spread = p.flags & DMAE_SETUP_SPREAD;
	ctx->iopoll = p.flags & DMAE_SETUP_IOPOLL;
	ctx->sq_ring_size = PAGE_ALIGN(DMAE_RING_DROPPED + 4);
	ctx->sqes_size = PAGE_ALIGN(ctx->sq_entries * sizeof(struct dmae_sqe));
	ctx->cq_ring_size = PAGE_ALIGN(DMAE_CQ_CQES + ctx->cq_entries *
				       sizeof(struct dmae_cqe));
	ctx->sq_ring = dmae_ring_alloc(ctx->sq_ring_size);
	ctx->sqes = dmae_ring_alloc(ctx->sqes_size);
	ctx->cq_ring = dmae_ring_alloc(ctx->cq_ring_size);
	ctx->overflow = kvcalloc(ctx->cq_entries, sizeof(*ctx->overflow),
				 DMAE_GFP_USER);
	if (!ctx->sq_ring || !ctx->sqes || !ctx->cq_ring || !ctx->overflow) {
		dmae_ctx_free_rings(ctx);
		return -ENOMEM;
	}
	*dmae_ring_u32(ctx->sq_ring, DMAE_RING_MASK) = ctx->sq_entries - 1;
	*dmae_ring_u32(ctx->sq_ring, DMAE_RING_ENTRIES) = ctx->sq_entries;
	*dmae_ring_u32(ctx->cq_ring, DMAE_RING_MASK) = ctx->cq_entries - 1;
	*dmae_ring_u32(ctx->cq_ring, DMAE_RING_ENTRIES) = ctx->cq_entries;
	idle = p.sq_thread_idle;

	memset(&p, 0, sizeof(p));
	p.sq_entries = ctx->sq_entries;
	p.cq_entries = ctx->cq_entries;
	p.cpu_threshold = ctx->cpu_threshold;
	p.flags = (ctx->spread ? DMAE_SETUP_SPREAD : 0) |
		  (ctx->iopoll ? DMAE_SETUP_IOPOLL : 0) |
		  (idle ? DMAE_SETUP_SQPOLL : 0);
	p.sq_thread_idle = idle;
	p.features = DMAE_FEAT_NODROP | DMAE_FEAT_CPU_PATH | DMAE_FEAT_EVENTFD |
		     DMAE_FEAT_FIXED_BUFS | DMAE_FEAT_FILE_READ |
		     DMAE_FEAT_FILE_WRITE | DMAE_FEAT_FIXED_FILES |
		     DMAE_FEAT_BUF_DESC | DMAE_FEAT_OPS | DMAE_FEAT_LINK |
		     DMAE_FEAT_SQPOLL | DMAE_FEAT_CPU_AUTO;
	if (ctx->ud->be->ops->poll)
		p.features |= DMAE_FEAT_IOPOLL;
	p.ops = dmae_ctx_ops(ctx);
	p.version = DMAE_URING_VERSION;
	p.max_len = DMAE_UREQ_MAX_LEN;
	p.sq_ring_size = ctx->sq_ring_size;
	p.sqes_size = ctx->sqes_size;
	p.cq_ring_size = ctx->cq_ring_size;
	p.sq_off.head = DMAE_RING_HEAD;
	p.sq_off.tail = DMAE_RING_TAIL;
	p.sq_off.ring_mask = DMAE_RING_MASK;
	p.sq_off.ring_entries = DMAE_RING_ENTRIES;
	p.sq_off.flags = DMAE_RING_FLAGS;
	p.sq_off.dropped = DMAE_RING_DROPPED;
	p.cq_off.head = DMAE_RING_HEAD;
	p.cq_off.tail = DMAE_RING_TAIL;
	p.cq_off.ring_mask = DMAE_RING_MASK;
	p.cq_off.ring_entries = DMAE_RING_ENTRIES;
	p.cq_off.overflow = DMAE_RING_FLAGS;
	p.cq_off.cqes = DMAE_CQ_CQES;
	if (copy_to_user(arg, &p, sizeof(p))) {
		dmae_ctx_free_rings(ctx);
		return -EFAULT;
	}
	/* Last: once it runs, the thread may take entries. */
	if (idle) {
		int ret = dmae_sqpoll_start(ctx, idle);

		if (ret) {
			dmae_ctx_free_rings(ctx);
			return ret;
		}
		ctx->sqpoll = true;
	}
	ctx->setup_done = true;
	spin_lock_irq(&ctx->ud->stats_lock);
	ctx->ud->contexts++;
	spin_unlock_irq(&ctx->ud->stats_lock);
	return 0;
}

/* Take up to @want entries from the SQ. @ctx->lock held. */
int dmae_ctx_submit(struct dmae_ctx *ctx, u32 want, u32 *taken)
{
	u32 tail, head = ctx->sq_head, n = 0;
	struct dmae_chain *chain = NULL;
	unsigned long flags;
	bool idle;
	int ret = 0;

	/* Read once: everything after trusts this value only. */
	tail = smp_load_acquire(dmae_ring_u32(ctx->sq_ring, DMAE_RING_TAIL));
	if (tail - head > ctx->sq_entries)
		return -EINVAL;
	want = min(want, tail - head);

	/*
	 * Backpressure: kept completions first, and a bounded flight. Room in
	 * flight is reserved for the whole batch under one lock; each entry
	 * gives its slot back when its completion is posted.
	 */
	spin_lock_irqsave(&ctx->cq_lock, flags);
	if (ctx->noverflow || ctx->inflight >= ctx->cq_entries)
		want = 0;
	else
		want = min(want, ctx->cq_entries - ctx->inflight);
	ctx->inflight += want;
	spin_unlock_irqrestore(&ctx->cq_lock, flags);
	if (!want && tail != head)
		ret = -EBUSY;

	while (n < want) {
		struct dmae_sqe sqe;

		/* A completion had to be kept: take no more until it is out. */
		if (READ_ONCE(ctx->noverflow)) {
			ret = -EBUSY;
			break;
		}
		memcpy(&sqe, &ctx->sqes[head & (ctx->sq_entries - 1)],
		       sizeof(sqe));
		head++;
		n++;
		ctx->stats.submitted++;
		/* A failure at once is posted: its completion says why. */
		ret = dmae_link_take(ctx, &chain, &sqe);
		if (ret == -ENOMEM)
			break;
		ret = 0;
	}
	/* A chain ends with the entries this call takes. */
	dmae_link_end(ctx, &chain);
	if (n < want) {
		/* Stopped early: give back what was reserved and not used. */
		spin_lock_irqsave(&ctx->cq_lock, flags);
		ctx->inflight -= want - n;
		idle = !ctx->inflight;
		spin_unlock_irqrestore(&ctx->cq_lock, flags);
		if (idle)
			wake_up_all(&ctx->idle);
	}
	ctx->sq_head = head;
	/* Entries copied out before their slots are given back. */
	smp_store_release(dmae_ring_u32(ctx->sq_ring, DMAE_RING_HEAD), head);
	spin_lock_irqsave(&ctx->ud->stats_lock, flags);
	ctx->ud->stats.submitted += n;
	spin_unlock_irqrestore(&ctx->ud->stats_lock, flags);
	dmae_ctx_job_issue(ctx);
	*taken = n;
	return n ? 0 : ret;
}

static u32 dmae_ctx_ready(struct dmae_ctx *ctx)
{
	unsigned long flags;
	u32 ready;

	dmae_flush_overflow(ctx);
	spin_lock_irqsave(&ctx->cq_lock, flags);
	ready = dmae_cq_used(ctx) + ctx->noverflow;
	spin_unlock_irqrestore(&ctx->cq_lock, flags);
	return ready;
}

/**
 * dmae_ctx_iopoll() - a DMAE_SETUP_IOPOLL context's wait: poll, then arm
 * @ctx: the context
 * @min_complete: completions the caller waits for
 * @ns: the caller's timeout (negative: none); what is left of it on return
 *
 * Reaps the context's channels itself, without an interrupt, until
 * @min_complete completions are there or poll_usec has gone by; the
 * backend stays registered meanwhile (its semaphore is held for each
 * round). If they are not there by then, one interrupt is asked for
 * behind what the context has queued, so that the sleep which follows
 * ends (the hybrid fallback).
 *
 * Return: 0 (done), -EINTR or -ETIME, or 1 to go on and sleep.
 */
static int dmae_ctx_iopoll(struct dmae_ctx *ctx, u32 min_complete, s64 *ns)
{
	u64 start = ktime_get_ns();
	u64 budget = (u64)READ_ONCE(dmae_poll_usec) * NSEC_PER_USEC;

	for (;;) {
		bool alive = dmae_ctx_reap(ctx);
		u64 spent;

		if (dmae_ctx_ready(ctx) >= min_complete)
			return 0;
		if (!alive)
			break;
		if (signal_pending(current))
			return -EINTR;
		spent = ktime_get_ns() - start;
		if (*ns >= 0 && spent >= *ns)
			return -ETIME;
		if (spent >= budget)
			break;
		cond_resched();
	}
	if (*ns >= 0)
		*ns -= min_t(u64, *ns, ktime_get_ns() - start);
	dmae_ctx_arm(ctx);
	return 1;
}

/*
 * ENTER on a DMAE_SETUP_SQPOLL context: the thread takes the entries; a
 * call wakes it if it sleeps (also to retry what it could not take).
 * Entries that nobody can take any more are the caller's error.
 */
static int dmae_ctx_sq_enter(struct dmae_ctx *ctx)
{
	u32 untaken = dmae_sq_untaken(ctx);

	if (untaken > ctx->sq_entries)
		return -EINVAL;
	dmae_flush_overflow(ctx);
	if (untaken && READ_ONCE(ctx->ud->dead))
		return -ENODEV;
	if (untaken && READ_ONCE(ctx->sq_gone))
		return -EOWNERDEAD;	/* as io_uring's: the process is gone */
	dmae_sqpoll_wake(ctx);
	return 0;
}

/*
 * What a wait waits for: @min_complete completions, or with SQPOLL the
 * end of the thread while entries are left that it will not take (they
 * never complete: the wait fails, dmae_ctx_wait()).
 */
static bool dmae_ctx_wait_done(struct dmae_ctx *ctx, u32 min_complete)
{
	return dmae_ctx_ready(ctx) >= min_complete ||
	       (ctx->sqpoll && READ_ONCE(ctx->sq_gone) && dmae_sq_untaken(ctx));
}

static int dmae_ctx_wait(struct dmae_ctx *ctx, u32 min_complete, s64 ns)
{
	long ret;

	if (min_complete > ctx->cq_entries)
		return -EINVAL;
	/* With SQPOLL the thread reaps a polled context's channels. */
	if (ctx->iopoll && !ctx->sqpoll &&
	    dmae_ctx_ready(ctx) < min_complete) {
		ret = dmae_ctx_iopoll(ctx, min_complete, &ns);
		if (ret <= 0)
			return ret;
	}
	if (ns < 0)
		ret = wait_event_interruptible(ctx->wait,
					       dmae_ctx_wait_done(ctx, min_complete));
	else
		ret = wait_event_interruptible_hrtimeout(ctx->wait,
							 dmae_ctx_wait_done(ctx, min_complete),
							 ns_to_ktime(ns));
	if (ret == -ERESTARTSYS)
		return -EINTR;
	if (ret >= 0 && dmae_ctx_ready(ctx) < min_complete)
		ret = READ_ONCE(ctx->ud->dead) ? -ENODEV : -EOWNERDEAD;
	return ret;
}

static int dmae_ctx_enter(struct dmae_ctx *ctx, void __user *arg, size_t size)
{
	struct dmae_enter e = {};
	u32 taken = 0;
	int ret = 0;

	/* version 1's argument is the same without resv */
	if (copy_from_user(&e, arg, size))
		return -EFAULT;
	if (e.flags & ~(DMAE_ENTER_GETEVENTS | DMAE_ENTER_SQ_WAKEUP) ||
	    e.submitted || e.resv)
		return -EINVAL;
	if (!ctx->setup_done)
		return -EBADFD;

	if (ctx->sqpoll) {
		ret = dmae_ctx_sq_enter(ctx);
	} else if (e.to_submit) {
		down_read(&ctx->ud->sem);
		if (ctx->ud->dead) {
			ret = -ENODEV;
		} else {
			mutex_lock(&ctx->lock);
			ret = dmae_ctx_submit(ctx, e.to_submit, &taken);
			mutex_unlock(&ctx->lock);
		}
		up_read(&ctx->ud->sem);
	}
	if (put_user(taken, (u32 __user *)(arg + offsetof(struct dmae_enter,
							  submitted))))
		return -EFAULT;
	if (ret)
		return ret;
	if (e.flags & DMAE_ENTER_GETEVENTS)
		return dmae_ctx_wait(ctx, e.min_complete, e.timeout_ns);
	return 0;
}

static int dmae_ctx_eventfd(struct dmae_ctx *ctx, void __user *arg)
{
	struct eventfd_ctx *evfd;
	s32 fd;

	if (get_user(fd, (s32 __user *)arg))
		return -EFAULT;
	evfd = eventfd_ctx_fdget(fd);
	if (IS_ERR(evfd))
		return PTR_ERR(evfd);
	mutex_lock(&ctx->lock);
	if (ctx->evfd) {
		mutex_unlock(&ctx->lock);
		eventfd_ctx_put(evfd);
		return -EBUSY;
	}
	spin_lock_irq(&ctx->cq_lock);
	ctx->evfd = evfd;
	spin_unlock_irq(&ctx->cq_lock);
	mutex_unlock(&ctx->lock);
	return 0;
}

static long dmae_cdev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct dmae_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct dmae_ctx_stats st;
	unsigned long flags;
	int ret;

	switch (cmd) {
	case DMAE_IOC_SETUP:
		down_read(&ctx->ud->sem);
		mutex_lock(&ctx->lock);
		ret = ctx->ud->dead ? -ENODEV : dmae_ctx_setup(ctx, uarg);
		mutex_unlock(&ctx->lock);
		up_read(&ctx->ud->sem);
		return ret;
	case DMAE_IOC_ENTER:
		return dmae_ctx_enter(ctx, uarg, sizeof(struct dmae_enter));
	case DMAE_IOC_ENTER_V1:
		return dmae_ctx_enter(ctx, uarg,
				      offsetof(struct dmae_enter, resv));
	case DMAE_IOC_REGISTER_EVENTFD:
		return dmae_ctx_eventfd(ctx, uarg);
	case DMAE_IOC_UNREGISTER_EVENTFD:
		mutex_lock(&ctx->lock);
		ret = ctx->evfd ? 0 : -ENXIO;
		if (ctx->evfd) {
			/* Completions signal it under cq_lock. */
			struct eventfd_ctx *evfd = ctx->evfd;

			spin_lock_irqsave(&ctx->cq_lock, flags);
			ctx->evfd = NULL;
			spin_unlock_irqrestore(&ctx->cq_lock, flags);
			eventfd_ctx_put(evfd);
		}
		mutex_unlock(&ctx->lock);
		return ret;
	case DMAE_IOC_STATS:
		spin_lock_irqsave(&ctx->cq_lock, flags);
		st = ctx->stats;
		spin_unlock_irqrestore(&ctx->cq_lock, flags);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	case DMAE_IOC_REGISTER_FILES:
		mutex_lock(&ctx->lock);
		ret = dmae_register_files(ctx, uarg);
		mutex_unlock(&ctx->lock);
		return ret;
	case DMAE_IOC_UNREGISTER_FILES:
		mutex_lock(&ctx->lock);
		ret = dmae_unregister_files(ctx);
		mutex_unlock(&ctx->lock);
		return ret;
	case DMAE_IOC_REGISTER_BUFFERS:
	case DMAE_IOC_UNREGISTER_BUFFERS:
		/* No rings needed: io_uring users register buffers too. */
		down_read(&ctx->ud->sem);
		mutex_lock(&ctx->lock);
		if (ctx->ud->dead)
			ret = -ENODEV;
		else if (cmd == DMAE_IOC_REGISTER_BUFFERS)
			ret = dmae_register_buffers(ctx, uarg);
		else
			ret = dmae_unregister_buffers(ctx);
		mutex_unlock(&ctx->lock);
		up_read(&ctx->ud->sem);
		return ret;
	default:
		return -ENOTTY;
	}
}

static int dmae_cdev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct dmae_ctx *ctx = file->private_data;
	unsigned long off = vma->vm_pgoff << PAGE_SHIFT;
	unsigned long size = vma->vm_end - vma->vm_start;
	void *region;
	size_t len;

	if (!ctx->setup_done)
		return -EBADFD;
	/*
	 * An SQPOLL context's entries run in the address space and with the
	 * credentials of the process that set it up: only that process may
	 * write them (no other holder of the file maps the rings, and a
	 * child does not inherit the mapping).
	 */
	if (ctx->sqpoll) {
		if (current->mm != ctx->sq_mm)
			return -EPERM;
		vma->vm_flags |= VM_DONTCOPY;
	}
	switch (off) {
	case DMAE_OFF_SQ_RING:
		region = ctx->sq_ring;
		len = ctx->sq_ring_size;
		break;
	case DMAE_OFF_SQES:
		region = ctx->sqes;
		len = ctx->sqes_size;
		break;
	case DMAE_OFF_CQ_RING:
		region = ctx->cq_ring;
		len = ctx->cq_ring_size;
		break;
	default:
		return -EINVAL;
	}
	if (size > len)
		return -EINVAL;
	return dmae_mmap_region(vma, region);
}

static __poll_t dmae_cdev_poll(struct file *file, poll_table *wait)
{
	struct dmae_ctx *ctx = file->private_data;

	if (!ctx->setup_done)
		return EPOLLERR;
	poll_wait(file, &ctx->wait, wait);
	if (ctx->iopoll && !ctx->sqpoll && !dmae_ctx_ready(ctx)) {
		/* Take what is done; if that is nothing, have it signalled. */
		dmae_ctx_reap(ctx);
		if (!dmae_ctx_ready(ctx))
			dmae_ctx_arm(ctx);
	}
	return dmae_ctx_ready(ctx) ? EPOLLIN | EPOLLRDNORM : 0;
}

static void dmae_udev_release_ref(struct kref *ref)
{
	struct dmae_udev *ud = container_of(ref, struct dmae_udev, ref);

	free_percpu(ud->done_stats);
	kfree(ud);
}

/**
 * dmae_udev_put() - drop a reference to a service device
 * @ud: the device; not to be touched afterwards
 *
 * The last one frees it. Any context, completion callbacks included
 * (free_percpu() and kfree() may be called from atomic context).
 */
void dmae_udev_put(struct dmae_udev *ud)
{
	kref_put(&ud->ref, dmae_udev_release_ref);
}

/* Numbers for contexts, in the order they are opened (tracepoints). */
static atomic_t dmae_ctx_ids = ATOMIC_INIT(0);

static int dmae_cdev_open(struct inode *inode, struct file *file)
{
	struct dmae_udev *ud = container_of(file->private_data,
					    struct dmae_udev, misc);
	struct dmae_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	down_read(&ud->sem);
	if (ud->dead) {
		up_read(&ud->sem);
		kfree(ctx);
		return -ENODEV;
	}
	/* An open file keeps the backend's module (unload order). */
	if (!try_module_get(ud->owner)) {
		up_read(&ud->sem);
		kfree(ctx);
		return -ENODEV;
	}
	kref_get(&ud->ref);
	ctx->id = (u32)atomic_inc_return(&dmae_ctx_ids);
	ctx->tgid = task_tgid_nr(current);
	get_task_comm(ctx->comm, current);
	/* Contexts take the engine's channels in turn. */
	ctx->chan = (unsigned int)atomic_inc_return(&ud->next_chan) %
		    ud->be->nchan;
	ctx->next_chan = ctx->chan;
	up_read(&ud->sem);
	ctx->ud = ud;
	atomic_set(&ctx->buf_users, 0);
	mutex_init(&ctx->lock);
	spin_lock_init(&ctx->cq_lock);
	init_waitqueue_head(&ctx->wait);
	init_waitqueue_head(&ctx->idle);
	dmae_link_init(ctx);
	mutex_lock(&ud->ctx_lock);
	list_add_tail(&ctx->node, &ud->ctx_list);
	mutex_unlock(&ud->ctx_lock);
	file->private_data = ctx;
	return 0;
}

/*
 * Last close, also when the process is killed: wait until the engine and
 * the completion work are done with every request (pages unpinned), then
 * free. The channel watchdog bounds the wait.
 */
static int dmae_cdev_release(struct inode *inode, struct file *file)
{
	struct dmae_ctx *ctx = file->private_data;
	struct dmae_udev *ud = ctx->ud;

	/* Nothing takes entries any more; then wait for what is in flight. */
	dmae_sqpoll_stop(ctx);
	/* A polled context's copies asked for no interrupt: ask for one. */
	if (ctx->iopoll)
		dmae_ctx_arm(ctx);
	wait_event(ctx->idle, !READ_ONCE(ctx->inflight));
	/* The last completion's poster may still hold cq_lock: let it go. */
	spin_lock_irq(&ctx->cq_lock);
	spin_unlock_irq(&ctx->cq_lock);
	dmae_link_release(ctx);
	/*
	 * Registered buffers are mapped for the device: unmapped here, or
	 * already by dmae_udev_unregister() if the device went first.
	 */
	mutex_lock(&ud->ctx_lock);
	if (ctx->nbufs && ud->be)
		dmae_unregister_buffers(ctx);
	list_del(&ctx->node);
	mutex_unlock(&ud->ctx_lock);
	if (ctx->evfd)
		eventfd_ctx_put(ctx->evfd);
	if (ctx->nfiles)
		dmae_unregister_files(ctx);
	dmae_ctx_free_rings(ctx);
	module_put(ud->owner);
	dmae_udev_put(ud);
	kfree(ctx);
	return 0;
}

static const struct file_operations dmae_cdev_fops = {
	.owner = THIS_MODULE,
	.open = dmae_cdev_open,
	.release = dmae_cdev_release,
	.unlocked_ioctl = dmae_cdev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = dmae_cdev_mmap,
	.poll = dmae_cdev_poll,
	.uring_cmd = dmae_uring_cmd,
	.uring_cmd_iopoll = dmae_uring_cmd_iopoll,
	.llseek = noop_llseek,
};

static ssize_t dmae_udev_stats_show(struct dmae_udev *ud, char *buf)
{
	struct dmae_ctx_stats st;
	u64 contexts;
	int cpu;

	spin_lock_irq(&ud->stats_lock);
	st = ud->stats;
	contexts = ud->contexts;
	spin_unlock_irq(&ud->stats_lock);
	for_each_possible_cpu(cpu) {
		const struct dmae_ctx_stats *s = per_cpu_ptr(ud->done_stats, cpu);

		st.completed += READ_ONCE(s->completed);
		st.errors += READ_ONCE(s->errors);
		st.bytes += READ_ONCE(s->bytes);
		st.cpu_ops += READ_ONCE(s->cpu_ops);
		st.overflowed = max(st.overflowed, READ_ONCE(s->overflowed));
	}
	return sysfs_emit(buf,
			  "contexts %llu submitted %llu completed %llu errors %llu bytes %llu cpu_ops %llu max_overflow %llu\n",
			  contexts, st.submitted, st.completed, st.errors,
			  st.bytes, st.cpu_ops, st.overflowed);
}

/*
 * contexts: a line per open context of this device, for dmaectl (root
 * only: it names other users' processes); "more" ends a list that did
 * not fit the page.
 */
static ssize_t contexts_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct dmae_udev *ud = container_of(dev_get_drvdata(dev),
					    struct dmae_udev, misc);
	struct dmae_ctx *ctx;
	int n = 0;

	mutex_lock(&ud->ctx_lock);
	list_for_each_entry(ctx, &ud->ctx_list, node) {
		struct dmae_ctx_stats st;
		u32 inflight, noverflow;

		/* A page holds about 20 lines; say that the list goes on. */
		if (n > PAGE_SIZE - 256) {
			n += sysfs_emit_at(buf, n, "more\n");
			break;
		}
		spin_lock_irq(&ctx->cq_lock);
		st = ctx->stats;
		inflight = ctx->inflight;
		noverflow = ctx->noverflow;
		spin_unlock_irq(&ctx->cq_lock);
		n += sysfs_emit_at(buf, n,
				   "ctx %u pid %d comm %s chan %u spread %d submitted %llu completed %llu errors %llu bytes %llu cpu_ops %llu overflowed %llu inflight %u kept %u\n",
				   ctx->id, ctx->tgid, ctx->comm, ctx->chan,
				   ctx->spread, st.submitted, st.completed,
				   st.errors, st.bytes, st.cpu_ops, st.overflowed,
				   inflight, noverflow);
	}
	mutex_unlock(&ud->ctx_lock);
	return n;
}
static DEVICE_ATTR_ADMIN_RO(contexts);

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct dmae_udev *ud = container_of(dev_get_drvdata(dev),
					    struct dmae_udev, misc);

	return sysfs_emit(buf, "%s %s\n", ud->kind, ud->parent_name);
}
static DEVICE_ATTR_RO(backend);

static ssize_t ring_stats_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct dmae_udev *ud = container_of(dev_get_drvdata(dev),
					    struct dmae_udev, misc);

	return dmae_udev_stats_show(ud, buf);
}
static DEVICE_ATTR_RO(ring_stats);

/*
 * cpu_break_even: the size from which copies go to the engine for a
 * context set up with DMAE_CPU_THRESHOLD_AUTO, or "unmeasured" until the
 * first such setup measured it (dmae_calib.c). Reading it measures
 * nothing: anyone may read it.
 */
static ssize_t cpu_break_even_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct dmae_udev *ud = container_of(dev_get_drvdata(dev),
					    struct dmae_udev, misc);
	u32 v = READ_ONCE(ud->break_even);

	return v ? sysfs_emit(buf, "%u\n", v) : sysfs_emit(buf, "unmeasured\n");
}
static DEVICE_ATTR_RO(cpu_break_even);

static struct attribute *dmae_udev_attrs[] = {
	&dev_attr_backend.attr,
	&dev_attr_ring_stats.attr,
	&dev_attr_contexts.attr,
	&dev_attr_cpu_break_even.attr,
	NULL
};
ATTRIBUTE_GROUPS(dmae_udev);

/**
 * dmae_svc_register() - offer a backend's channels as /dev/@name
 * @be: the backend, filled in; it must have channels (at most
 *	BITS_PER_LONG)
 * @name: the character device's name
 *
 * Return: 0 or a negative errno.
 */
int dmae_svc_register(struct dmae_be *be, const char *name)
{
	struct dmae_udev *ud;
	int ret;

	if (!be->nchan || be->nchan > BITS_PER_LONG || !be->ops ||
	    !be->dma_dev || !be->max_len || be->max_sg < 3 ||
	    !(be->ops_mask & BIT(DMAE_JOB_COPY)) ||
	    be->ndev > DMAE_BE_MAX_DEVS)
		return -EINVAL;
	if (be->ndev > 1) {
		unsigned int i;

		if (!be->devs || !be->chan_devi || be->devs[0] != be->dma_dev)
			return -EINVAL;
		for (i = 0; i < be->nchan; i++)
			if (be->chan_devi[i] >= be->ndev)
				return -EINVAL;
	}
	ud = kzalloc(sizeof(*ud), GFP_KERNEL);
	if (!ud)
		return -ENOMEM;
	ud->done_stats = alloc_percpu(struct dmae_ctx_stats);
	if (!ud->done_stats) {
		kfree(ud);
		return -ENOMEM;
	}
	strscpy(ud->name, name, sizeof(ud->name));
	strscpy(ud->kind, be->kind, sizeof(ud->kind));
	strscpy(ud->parent_name, dev_name(be->parent ?: be->dma_dev),
		sizeof(ud->parent_name));
	ud->misc.minor = MISC_DYNAMIC_MINOR;
	ud->misc.name = ud->name;
	ud->misc.fops = &dmae_cdev_fops;
	ud->misc.parent = be->parent;
	ud->misc.groups = dmae_udev_groups;
	ud->misc.mode = 0600;
	ud->be = be;
	ud->owner = be->owner;
	init_rwsem(&ud->sem);
	spin_lock_init(&ud->stats_lock);
	init_waitqueue_head(&ud->idle);
	mutex_init(&ud->ctx_lock);
	INIT_LIST_HEAD(&ud->ctx_list);
	mutex_init(&ud->cal_lock);
	kref_init(&ud->ref);
	be->ud = ud;
	ret = misc_register(&ud->misc);
	if (ret) {
		be->ud = NULL;
		free_percpu(ud->done_stats);
		kfree(ud);
		return ret;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(dmae_svc_register);

/**
 * dmae_svc_unregister() - the backend goes away
 * @be: the backend
 *
 * Open files stay valid but every call fails with -ENODEV; requests in
 * flight finish first (the backend still runs), then every context's
 * registered buffers are unmapped and unpinned, so that no page stays
 * pinned or mapped for a device that is gone. The service does not touch
 * @be once this returns.
 */
void dmae_svc_unregister(struct dmae_be *be)
{
	struct dmae_udev *ud = be->ud;
	struct dmae_ctx *ctx;

	if (!ud)
		return;
	misc_deregister(&ud->misc);
	down_write(&ud->sem);
	ud->dead = true;
	up_write(&ud->sem);
	/* SQ threads see the device gone and end (their contexts stay). */
	mutex_lock(&ud->ctx_lock);
	list_for_each_entry(ctx, &ud->ctx_list, node)
		dmae_sqpoll_wake(ctx);
	mutex_unlock(&ud->ctx_lock);
	/* Polled contexts' copies in flight asked for no interrupt. */
	dmae_udev_arm_all(ud);
	wait_event(ud->idle, !atomic_read(&ud->inflight));
	mutex_lock(&ud->ctx_lock);
	list_for_each_entry(ctx, &ud->ctx_list, node) {
		mutex_lock(&ctx->lock);
		if (ctx->nbufs)
			dmae_unregister_buffers(ctx);
		mutex_unlock(&ctx->lock);
	}
	ud->be = NULL;
	mutex_unlock(&ud->ctx_lock);
	be->ud = NULL;
	dmae_udev_put(ud);
}
EXPORT_SYMBOL_GPL(dmae_svc_unregister);

/**
 * dmae_svc_stats_show() - the ring counters of a backend's contexts
 * @be: the backend
 * @buf: a sysfs page
 *
 * For a backend's own sysfs file (our device's `ring_stats`).
 *
 * Return: bytes written, or -ENODEV if @be is not registered.
 */
ssize_t dmae_svc_stats_show(struct dmae_be *be, char *buf)
{
	return be->ud ? dmae_udev_stats_show(be->ud, buf) : -ENODEV;
}
EXPORT_SYMBOL_GPL(dmae_svc_stats_show);
