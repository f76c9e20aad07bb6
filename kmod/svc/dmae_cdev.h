/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-engine: the shared submission/completion rings (character device).
 */
#ifndef _DMAE_CDEV_H
#define _DMAE_CDEV_H

#include <linux/dma-direction.h>
#include <linux/eventfd.h>
#include <linux/io_uring.h>
#include <linux/miscdevice.h>
#include <linux/resource.h>
#include <linux/rwsem.h>
#include <linux/wait.h>

#include "dmae_backend.h"
#include "dmae_uring.h"	/* uapi/ */

/**
 * struct dmae_upin - pinned and mapped user memory
 * @pages: the pinned pages
 * @npages: how many
 * @sgt: the pages as a table, mapped for the device
 * @dir: the mapping's direction
 * @mapped: @sgt is mapped
 * @longterm: pinned with FOLL_LONGTERM (a registered buffer)
 * @pagecache: @pages are a file's page-cache pages, held by a reference
 *	(dmae_file_pin()), not pinned user memory
 */
struct dmae_upin {
	struct page **pages;
	unsigned int npages;
	struct sg_table sgt;
	enum dma_data_direction dir;
	bool mapped;
	bool longterm;
	bool pagecache;
};

/**
 * struct dmae_ubuf - a registered buffer
 * @uaddr: its user address
 * @len: its length
 * @pin: its pages, pinned long-term and mapped both ways
 * @need_sync: the mapping needs dma_sync_* calls around each use (bounce
 *	buffers, a non-coherent device); false on a coherent x86 machine,
 *	where syncing a 64 MiB table per request would only cost time
 * @xsgt: on a backend over several devices (dmae_be.ndev > 1), the same
 *	pages mapped for the others: @xsgt[i - 1] for dmae_be.devs[i]
 * @nx: entries of @xsgt allocated and mapped
 */
struct dmae_ubuf {
	u64 uaddr;
	u32 len;
	struct dmae_upin pin;
	bool need_sync;
	struct sg_table *xsgt;
	unsigned int nx;
};

/* A registered buffer's mapping for the backend's device @devi */
static inline struct sg_table *dmae_ubuf_sgt(struct dmae_ubuf *b,
					     unsigned int devi)
{
	return devi ? &b->xsgt[devi - 1] : &b->pin.sgt;
}

/**
 * struct dmae_udev - the character device of one engine
 * @misc: /dev/dma_engineN
 * @name: its name
 * @kind: the backend's kind, for sysfs `backend`
 * @parent_name: the backend's device, likewise
 * @owner: the backend's module; each open file holds a reference on it
 * @be: the backend; valid while !@dead, and for unmapping while
 *	@inflight or a context's registered buffers are there
 * @sem: held for reading while a context uses @be; for writing by
 *	dmae_svc_unregister()
 * @dead: the engine is going away; every call fails with -ENODEV
 * @inflight: requests using the engine, over all contexts
 * @idle: woken when @inflight reaches 0
 * @next_chan: spreads contexts over the channels
 * @ref: one for the driver, one per open file, one per arming NOP in
 *	flight (dmae_udev_arm())
 * @stats: the submission counter of every context there was, summed
 * @stats_lock: protects @stats
 * @done_stats: the completion counters, per CPU: bumped under a context's
 *	cq_lock with interrupts off, summed when read (a shared lock per
 *	completion cost more than a NOP itself)
 * @contexts: contexts set up so far
 * @ctx_lock: protects @ctx_list, and @be for unmapping registered buffers
 *	(unregister releases every context's buffers, then clears @be)
 * @ctx_list: the open files
 * @cal_lock: serialises the measurement of @break_even
 * @break_even: the CPU path's break-even in bytes, 0 until measured
 *	(dmae_udev_break_even())
 */
struct dmae_udev {
	struct miscdevice misc;
	char name[24];
	char kind[16];
	char parent_name[32];
	struct dmae_be *be;
	struct module *owner;
	struct rw_semaphore sem;
	bool dead;
	atomic_t inflight;
	wait_queue_head_t idle;
	atomic_t next_chan;
	struct kref ref;
	struct dmae_ctx_stats stats;
	spinlock_t stats_lock;	/* @stats */
	struct dmae_ctx_stats __percpu *done_stats;
	u64 contexts;
	struct mutex ctx_lock;	/* @ctx_list, @dd for buffers */
	struct list_head ctx_list;
	struct mutex cal_lock;	/* @break_even */
	u32 break_even;
};

/**
 * struct dmae_ctx - one open file: its rings and requests
 * @ud: the device
 * @id: a number of its own, unique while the module is loaded (tracing)
 * @tgid: the process that opened it
 * @comm: that process's name then
 * @node: in @ud's ctx_list
 * @chan: the backend's channel its requests go to (the first, with @spread)
 * @spread: DMAE_SETUP_SPREAD: requests go to every channel in turn
 * @iopoll: DMAE_SETUP_IOPOLL: its ring requests ask for no interrupt; its
 *	waits poll the channels (dmae_ctx_iopoll())
 * @sqpoll: DMAE_SETUP_SQPOLL: @sq_task takes the SQ's entries
 * @sq_task: the SQ thread (dmae_sqpoll.c), with a task reference
 * @sq_gone: it ended (device or process gone): nothing takes entries
 * @sq_wait: where it sleeps when idle
 * @sq_idle_ms: how long it polls before it sleeps
 * @sq_mm: the process's mm_struct (mmgrab()), whose pages it pins
 * @sq_cred: the process's credentials at setup, for the thread's work
 * @sq_fsize: the process's RLIMIT_FSIZE at setup
 * @next_chan: with @spread, the channel of the next request
 * @issue_mask: channels given jobs since they were last issued
 * @link_lock: protects @deferred, @ready, @ndeferred, @drain_active and
 *	the chains on those lists
 * @deferred: chains waiting for a drain (struct dmae_chain), in order
 * @ready: chains whose next entry may start
 * @ndeferred: chains on @deferred; raised only under @lock too
 * @drain_active: the IO_DRAIN chain running, if any
 * @active: plain entries started and chains taken off @deferred, not yet
 *	complete: what an IO_DRAIN waits for
 * @link_wait: an ENTER waiting for a drain to be over (FILE_WRITE)
 * @link_work: hands the next entries of chains to the engine
 * @lock: serialises setup, submission and registration
 * @setup_done: the rings exist
 * @sq_entries: SQ size
 * @cq_entries: CQ size
 * @cpu_threshold: copies shorter than this run on the CPU
 * @sq_ring: the SQ ring region (vmalloc_user)
 * @sqes: the SQE array region
 * @cq_ring: the CQ ring region
 * @sq_ring_size: bytes of @sq_ring
 * @sqes_size: bytes of @sqes
 * @cq_ring_size: bytes of @cq_ring
 * @sq_head: kernel's copy of the SQ head
 * @cq_lock: protects the CQ tail, @overflow, @noverflow, @inflight
 * @cq_tail: kernel's copy of the CQ tail
 * @overflow: completions waiting for CQ room, a ring of @cq_entries
 *	allocated at setup: every completion has room reserved in it, since
 *	no more than @cq_entries requests are ever in flight
 * @ovf_head: index of the oldest entry of @overflow
 * @noverflow: entries of @overflow
 * @inflight: requests taken but not completed
 * @wait: woken when a completion is posted
 * @idle: woken when @inflight reaches 0
 * @evfd: signalled per completion, if registered
 * @stats: counters
 * @bufs: registered buffers
 * @nbufs: entries of @bufs
 * @buf_users: requests in flight that use @bufs
 * @files: registered files (DMAE_IOC_REGISTER_FILES), each with a
 *	reference; used only under @lock
 * @nfiles: entries of @files
 * @locked_pages: pages charged to the process's RLIMIT_MEMLOCK
 * @mm: the process's mm, for that charge
 */
struct dmae_ctx {
	struct dmae_udev *ud;
	u32 id;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	struct list_head node;
	unsigned int chan;
	bool spread;
	bool iopoll;
	bool sqpoll;
	struct task_struct *sq_task;
	bool sq_gone;
	wait_queue_head_t sq_wait;
	u32 sq_idle_ms;
	struct mm_struct *sq_mm;
	const struct cred *sq_cred;
	struct rlimit sq_fsize;
	u32 next_chan;
	unsigned long issue_mask;
	spinlock_t link_lock;	/* chains */
	struct list_head deferred;
	struct list_head ready;
	unsigned int ndeferred;
	struct dmae_chain *drain_active;
	atomic_t active;
	wait_queue_head_t link_wait;
	struct work_struct link_work;
	struct mutex lock;	/* setup, submission, registration */
	bool setup_done;
	u32 sq_entries;
	u32 cq_entries;
	u32 cpu_threshold;
	void *sq_ring;
	struct dmae_sqe *sqes;
	void *cq_ring;
	size_t sq_ring_size;
	size_t sqes_size;
	size_t cq_ring_size;
	u32 sq_head;
	spinlock_t cq_lock;	/* CQ tail and overflow */
	u32 cq_tail;
	struct dmae_cqe *overflow;
	u32 ovf_head;
	u32 noverflow;
	u32 inflight;
	wait_queue_head_t wait;
	wait_queue_head_t idle;
	struct eventfd_ctx *evfd;
	struct dmae_ctx_stats stats;
	struct dmae_ubuf *bufs;
	u32 nbufs;
	atomic_t buf_users;
	struct file **files;
	u32 nfiles;
	unsigned long locked_pages;
	struct mm_struct *mm;
};

/* Layout of the ring regions */
#define DMAE_RING_HEAD		0
#define DMAE_RING_TAIL		64
#define DMAE_RING_MASK		128
#define DMAE_RING_ENTRIES	132
#define DMAE_RING_FLAGS		136	/* SQ: flags; CQ: overflow */
#define DMAE_RING_DROPPED	140
#define DMAE_CQ_CQES		192

/* Completion work of requests: drained before the module goes. */
extern struct workqueue_struct *dmae_svc_wq;

/*
 * The channel of a context's next request (@ctx->lock held): its own, or
 * with DMAE_SETUP_SPREAD the next in turn. Marked for dmae_ctx_job_issue().
 */
static inline unsigned int dmae_ctx_pick_chan(struct dmae_ctx *ctx)
{
	unsigned int chan = ctx->chan;

	if (ctx->spread)
		chan = ctx->next_chan++ % ctx->ud->be->nchan;
	set_bit(chan, &ctx->issue_mask);
	return chan;
}

/* Start what was queued on the channels the context gave jobs to. */
static inline void dmae_ctx_job_issue(struct dmae_ctx *ctx)
{
	struct dmae_be *be = ctx->ud->be;
	unsigned long mask = xchg(&ctx->issue_mask, 0);
	unsigned int chan;

	for_each_set_bit(chan, &mask, BITS_PER_LONG)
		be->ops->issue(be, chan);
}

/* The device the jobs of the context's channel @chan are mapped for */
static inline struct device *dmae_ctx_chan_dev(struct dmae_ctx *ctx,
					       unsigned int chan)
{
	struct dmae_be *be = ctx->ud->be;

	return dmae_be_dev(be, dmae_be_chan_devi(be, chan));
}

/* dmae_cdev.c */
int dmae_ctx_submit(struct dmae_ctx *ctx, u32 want, u32 *taken);
void dmae_udev_put(struct dmae_udev *ud);

/* dmae_sqpoll.c */
int dmae_sqpoll_start(struct dmae_ctx *ctx, u32 idle_ms);
void dmae_sqpoll_wake(struct dmae_ctx *ctx);
void dmae_sqpoll_stop(struct dmae_ctx *ctx);

/* dmae_dmabe.c */
int dmae_dmabe_init(void);
void dmae_dmabe_exit(void);

static inline u32 *dmae_ring_u32(void *ring, unsigned int off)
{
	return ring + off;
}

/*
 * Entries the process published that were not taken yet; more than
 * @ctx->sq_entries means its tail is garbage (read without @ctx->lock:
 * for SQPOLL's thread and ENTER, which take nothing on it).
 */
static inline u32 dmae_sq_untaken(struct dmae_ctx *ctx)
{
	return READ_ONCE(*dmae_ring_u32(ctx->sq_ring, DMAE_RING_TAIL)) -
	       READ_ONCE(ctx->sq_head);
}

/* dmae_ctx.c */
u32 dmae_cq_used(struct dmae_ctx *ctx);
void dmae_flush_overflow(struct dmae_ctx *ctx);
void dmae_ctx_post(struct dmae_ctx *ctx, u64 user_data, s32 res, u32 flags,
		   u32 result, u32 moved);
void dmae_ctx_count(struct dmae_ctx *ctx, s32 res, u32 cflags, u32 moved);
bool dmae_ctx_post_active(struct dmae_ctx *ctx, u64 user_data, s32 res,
			  u32 cflags, u32 result, u32 moved);
void dmae_ctx_hold(struct dmae_ctx *ctx);
void dmae_ctx_unhold(struct dmae_ctx *ctx);
extern unsigned int dmae_poll_usec;
void dmae_ctx_poll_chans(struct dmae_ctx *ctx);
bool dmae_ctx_reap(struct dmae_ctx *ctx);
void dmae_ctx_arm(struct dmae_ctx *ctx);
void dmae_ctx_arm_locked(struct dmae_ctx *ctx);
void dmae_udev_arm_all(struct dmae_udev *ud);

/*
 * The longest submission. COPY_CRC32C: one descriptor's worth, since its
 * CRC cannot be chained across descriptors.
 */
#define DMAE_UREQ_MAX_LEN	DMAE_MAX_LEN

/*
 * Allocations whose size the process chooses: charged to its memory
 * cgroup; a failure is its ENOMEM, not a warning in the kernel log.
 */
#define DMAE_GFP_USER		(GFP_KERNEL_ACCOUNT | __GFP_NOWARN)

/* dmae_pin() flags */
#define DMAE_PIN_WRITE		BIT(0)	/* the device writes the memory */
#define DMAE_PIN_LONGTERM	BIT(1)	/* a registered buffer */
#define DMAE_PIN_NOWAIT		BIT(2)	/* no page faults, no sleeping allocation */

/* Do [@a, @a + @len) and [@b, @b + @len) overlap? */
static inline bool dmae_ranges_overlap(u64 a, u64 b, u32 len)
{
	return a < b + len && b < a + len;
}

/*
 * A file range as pread()/pwrite() take it: @off and @off + @len within
 * the largest file offset.
 */
static inline bool dmae_file_range_ok(u64 off, u32 len)
{
	return off <= LLONG_MAX && len <= LLONG_MAX - off;
}

/* dmae_umem.c */
int dmae_pin(struct device *dev, struct dmae_upin *p, u64 uaddr, u32 len,
	     unsigned int flags);
void dmae_unpin(struct device *dev, struct dmae_upin *p);
int dmae_register_buffers(struct dmae_ctx *ctx, void __user *arg);
int dmae_unregister_buffers(struct dmae_ctx *ctx);

/* dmae_ufile.c */
int dmae_file_pin(struct device *dev, struct dmae_upin *p, struct file *f,
		  u64 offset, u32 *len);
void dmae_file_release(struct page **pages, unsigned int n);
int dmae_file_write(struct dmae_ctx *ctx, const struct dmae_sqe *sqe);
struct file *dmae_sqe_file(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
			   bool src);
int dmae_register_files(struct dmae_ctx *ctx, void __user *arg);
int dmae_unregister_files(struct dmae_ctx *ctx);

/**
 * typedef dmae_done_fn - how a request reports its outcome
 * @ctx: the context
 * @arg: the caller's, from dmae_ureq_start()
 * @user_data: the entry's
 * @res: bytes or -errno
 * @result: COMPARE offset or CRC32C
 * @cflags: DMAE_CQE_F_*
 * @moved: bytes moved, for the counters
 *
 * Called once, after the pages are unpinned: in process context, or for a
 * request with nothing pinned (registered buffers) from the channel's
 * completion tasklet. Must not sleep.
 */
typedef void (*dmae_done_fn)(struct dmae_ctx *ctx, void *arg, u64 user_data,
			     s32 res, u32 result, u32 cflags, u32 moved);

/* dmae_ureq.c */
int dmae_sqe_check(struct dmae_ctx *ctx, const struct dmae_sqe *sqe);
#define DMAE_UREQ_NOWAIT	BIT(0)	/* dmae_ureq_start(): may not sleep */
#define DMAE_UREQ_RING		BIT(1)	/* an entry of the context's ring */
#define DMAE_UREQ_POLLED	BIT(2)	/* its waiter polls: no interrupt */
int dmae_ureq_start(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
		    dmae_done_fn done, void *arg, unsigned int how);
u32 dmae_ureq_crc_max(struct dmae_be *be);
struct dmae_ureq;
int dmae_ureq_prepare(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
		      dmae_done_fn done, void *arg, struct dmae_ureq **reqp);
void dmae_ureq_launch(struct dmae_ureq *req);
void dmae_ureq_abort(struct dmae_ureq *req, int err, dmae_done_fn done,
		     void *arg);
int dmae_ureq_copy_wait(struct dmae_ctx *ctx, unsigned int chan,
			struct dmae_upin *src, struct dmae_ubuf *src_fixed,
			u64 src_off, struct dmae_upin *dst, u32 len);

/* dmae_link.c */
struct dmae_chain;
void dmae_link_init(struct dmae_ctx *ctx);
int dmae_link_take(struct dmae_ctx *ctx, struct dmae_chain **chain,
		   const struct dmae_sqe *sqe);
void dmae_link_end(struct dmae_ctx *ctx, struct dmae_chain **chain);
void dmae_link_release(struct dmae_ctx *ctx);

/* dmae_ucmd.c */
int dmae_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
int dmae_uring_cmd_iopoll(struct io_uring_cmd *cmd, struct io_comp_batch *iob,
			  unsigned int poll_flags);

/* dmae_calib.c */
int dmae_udev_break_even(struct dmae_udev *ud, unsigned int chan);

#endif /* _DMAE_CDEV_H */
