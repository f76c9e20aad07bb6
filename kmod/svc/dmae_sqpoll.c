// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine copy service: SQ polling (DMAE_SETUP_SQPOLL). A kernel
 * thread of the context takes the entries the process publishes, so that
 * submitting needs no system call; after sq_thread_idle ms with nothing
 * to take it sets DMAE_SQ_NEED_WAKEUP in the SQ ring and sleeps until
 * ENTER wakes it, as io_uring's SQPOLL thread does. A module cannot make
 * an io_uring-style thread of the process (create_io_thread() is not
 * exported), so the thread takes what it needs of the process for each
 * batch: its address space (mmget_not_zero(), kthread_use_mm()), its
 * credentials, its RLIMIT_FSIZE; file descriptors it cannot resolve, so
 * entries must name registered files (dmae_sqe_file()).
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "dmae_cdev.h"

static unsigned int dmae_sqpoll_max = 8;
module_param_named(sqpoll_max, dmae_sqpoll_max, uint, 0644);
MODULE_PARM_DESC(sqpoll_max,
		 "Most DMAE_SETUP_SQPOLL threads of all contexts at once (0: none)");

static atomic_t dmae_sqpoll_threads = ATOMIC_INIT(0);

static atomic_t *dmae_sq_flags(struct dmae_ctx *ctx)
{
	return (atomic_t *)dmae_ring_u32(ctx->sq_ring, DMAE_RING_FLAGS);
}

/*
 * Entries published and not taken yet. A tail more than the ring ahead
 * is garbage: nothing to take (ENTER tells the process, -EINVAL).
 */
static bool dmae_sq_pending(struct dmae_ctx *ctx)
{
	u32 n = dmae_sq_untaken(ctx);

	return n && n <= ctx->sq_entries;
}

/*
 * Take what the SQ holds, as the process's ENTER would. Return: entries
 * taken, or -ENODEV once the device or the process is gone.
 */
static int dmae_sq_take(struct dmae_ctx *ctx)
{
	struct dmae_udev *ud = ctx->ud;
	const struct cred *old;
	u32 taken = 0;
	int ret;

	if (!mmget_not_zero(ctx->sq_mm))
		return -ENODEV;
	kthread_use_mm(ctx->sq_mm);
	old = override_creds(ctx->sq_cred);
	down_read(&ud->sem);
	if (ud->dead) {
		ret = -ENODEV;
	} else {
		/* Kept completions out first: they hold the SQ back. */
		dmae_flush_overflow(ctx);
		mutex_lock(&ctx->lock);
		/* -EBUSY (no room in flight) and -EINVAL: taken stays 0. */
		dmae_ctx_submit(ctx, ctx->sq_entries, &taken);
		mutex_unlock(&ctx->lock);
		ret = taken;
	}
	up_read(&ud->sem);
	revert_creds(old);
	kthread_unuse_mm(ctx->sq_mm);
	mmput(ctx->sq_mm);
	return ret;
}

/*
 * Sleep until woken with nothing to do; the flag first, then a last look
 * at the tail: a process that published entries after that look reads
 * the flag set (both sides order with a full barrier) and wakes us.
 * @stalled: entries are there but could not be taken (no room in flight,
 * completions kept): sleep anyway, as io_uring's thread does on -EBUSY;
 * the process's next ENTER (it reaps, or submits and sees the flag)
 * wakes us to try again.
 */
static void dmae_sq_sleep(struct dmae_ctx *ctx, bool stalled)
{
	DEFINE_WAIT(wait);

	prepare_to_wait(&ctx->sq_wait, &wait, TASK_INTERRUPTIBLE);
	atomic_or(DMAE_SQ_NEED_WAKEUP, dmae_sq_flags(ctx));
	/* the flag before the tail's last look; libdmae fences the other way */
	smp_mb__after_atomic();
	if ((stalled || !dmae_sq_pending(ctx)) && !kthread_should_stop() &&
	    !READ_ONCE(ctx->ud->dead))
		schedule();
	finish_wait(&ctx->sq_wait, &wait);
	atomic_andnot(DMAE_SQ_NEED_WAKEUP, dmae_sq_flags(ctx));
}

static int dmae_sq_thread(void *data)
{
	struct dmae_ctx *ctx = data;
	unsigned long idle = msecs_to_jiffies(ctx->sq_idle_ms);
	unsigned long until = jiffies + idle;

	/* What a write through this thread may reach: the process's limit. */
	task_lock(current->group_leader);
	current->signal->rlim[RLIMIT_FSIZE] = ctx->sq_fsize;
	task_unlock(current->group_leader);

	while (!kthread_should_stop() && !READ_ONCE(ctx->ud->dead)) {
		bool stalled = false;
		int ret = 0;

		if (dmae_sq_pending(ctx)) {
			ret = dmae_sq_take(ctx);
			if (ret < 0)
				break;
			if (ret)
				until = jiffies + idle;
			stalled = !ret;
		}
		/*
		 * A polled context's copies ask for no interrupt and its waits
		 * sleep (dmae_ctx_wait()): this thread reaps them, and is not
		 * idle while any is in flight.
		 */
		if (ctx->iopoll && READ_ONCE(ctx->inflight)) {
			dmae_ctx_reap(ctx);
			until = jiffies + idle;
			stalled = false;
		}
		if (stalled || (!ret && time_after(jiffies, until))) {
			dmae_sq_sleep(ctx, stalled);
			until = jiffies + idle;
		} else {
			cond_resched();
		}
	}
	/*
	 * The device or the process is gone: a process that publishes more
	 * calls ENTER, which tells it (-ENODEV, -EOWNERDEAD). What is in
	 * flight of a polled context now asks for its interrupt.
	 */
	WRITE_ONCE(ctx->sq_gone, true);
	/* sq_gone before the flag: who sees the flag sees it (ENTER) */
	smp_mb__before_atomic();
	atomic_or(DMAE_SQ_NEED_WAKEUP, dmae_sq_flags(ctx));
	if (ctx->iopoll)
		dmae_ctx_arm(ctx);
	/* Waits for entries that nobody will take now end (dmae_ctx_wait()). */
	wake_up_all(&ctx->wait);
	return 0;
}

/**
 * dmae_sqpoll_start() - the SQ thread of a context being set up
 * @ctx: the context; its rings exist, @ctx->lock held
 * @idle_ms: how long the thread polls for entries before it sleeps
 *
 * The thread holds a reference to the process's mm_struct (not to its
 * address space, which it takes for each batch only: the process's
 * mappings of this very file must not keep the file open for ever).
 *
 * Return: 0, -EPERM without CAP_SYS_NICE, -EAGAIN when sqpoll_max threads
 * run already, or -ENOMEM.
 */
int dmae_sqpoll_start(struct dmae_ctx *ctx, u32 idle_ms)
{
	struct task_struct *t;

	/*
	 * The thread's CPU time is charged to no cgroup of the process's
	 * (a kthread of kthreadd's): as io_uring's SQPOLL before 5.11, only
	 * for those who may take CPU time from others anyway.
	 */
	if (!capable(CAP_SYS_NICE))
		return -EPERM;
	if (atomic_inc_return(&dmae_sqpoll_threads) > READ_ONCE(dmae_sqpoll_max)) {
		atomic_dec(&dmae_sqpoll_threads);
		return -EAGAIN;
	}
	ctx->sq_idle_ms = idle_ms;
	init_waitqueue_head(&ctx->sq_wait);
	mmgrab(current->mm);
	ctx->sq_mm = current->mm;
	ctx->sq_cred = get_current_cred();
	ctx->sq_fsize = current->signal->rlim[RLIMIT_FSIZE];
	t = kthread_create(dmae_sq_thread, ctx, "dmae-sq/%u", ctx->id);
	if (IS_ERR(t)) {
		put_cred(ctx->sq_cred);
		mmdrop(ctx->sq_mm);
		ctx->sq_mm = NULL;
		atomic_dec(&dmae_sqpoll_threads);
		return PTR_ERR(t);
	}
	/* Kept past the thread's own end (device gone) for kthread_stop(). */
	get_task_struct(t);
	/* after sq_wait is set up: dmae_sqpoll_wake() may look at any time */
	smp_store_release(&ctx->sq_task, t);
	wake_up_process(t);
	return 0;
}

/**
 * dmae_sqpoll_wake() - wake a context's SQ thread if it sleeps
 * @ctx: the context
 */
void dmae_sqpoll_wake(struct dmae_ctx *ctx)
{
	/* pairs with the release in dmae_sqpoll_start(): sq_wait is set up */
	if (smp_load_acquire(&ctx->sq_task))
		wake_up(&ctx->sq_wait);
}

/**
 * dmae_sqpoll_stop() - end a context's SQ thread (last close)
 * @ctx: the context
 *
 * After this nothing takes entries from the SQ any more; what the thread
 * took is in flight and the caller waits for it as for any other.
 */
void dmae_sqpoll_stop(struct dmae_ctx *ctx)
{
	struct task_struct *t = ctx->sq_task;

	if (!t)
		return;
	kthread_stop(t);
	put_task_struct(t);
	put_cred(ctx->sq_cred);
	mmdrop(ctx->sq_mm);
	ctx->sq_mm = NULL;
	atomic_dec(&dmae_sqpoll_threads);
}
